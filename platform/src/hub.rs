//! The in-process event hub: fans events out to the connected devices' sockets.
//!
//! Each socket has a bounded queue. Delivery never waits: when a socket's queue is full
//! (a slow or stuck client), the hub drops that socket from its table and marks it
//! lagged; its task then closes the connection, and the client reconnects and
//! resynchronises from the `Hello` snapshot. One slow device never blocks the others.
//!
//! Ordering: events about one agent must reach the devices in the order the store
//! committed the changes (otherwise a device could end up showing a stale lease holder).
//! [`Hub::lock_agent`] serialises "commit, then publish" per agent inside this process;
//! the store's row lock does the same across processes.

use crate::store::AgentDelta;
use seatline_proto::events::SessionEndReason;
use seatline_proto::Event;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::mpsc;

/// Past this many per-agent ordering locks, idle ones are dropped.
const PRUNE_LOCKS_AT: usize = 1024;

/// Why the hub let go of a socket; the socket task turns it into a close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    /// The session ended (`SessionEnded` was queued before this).
    SessionEnded,
    /// The socket's queue overflowed: reconnect and resync.
    Lagged,
    /// The server is shutting down.
    Shutdown,
}

struct Conn {
    enterprise_id: i64,
    agent_id: i64,
    session_id: i64,
    tx: mpsc::Sender<Event>,
    close: Arc<Mutex<Option<CloseReason>>>,
}

pub struct Hub {
    conns: Mutex<HashMap<u64, Conn>>,
    next_id: AtomicU64,
    queue: usize,
    agent_locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// One socket's registration. Dropping it unregisters the socket.
pub struct Subscription {
    id: u64,
    pub rx: mpsc::Receiver<Event>,
    close: Arc<Mutex<Option<CloseReason>>>,
    hub: Arc<Hub>,
}

impl Subscription {
    /// Set once the hub has let go of this socket (after which `rx` drains and ends).
    pub fn close_reason(&self) -> Option<CloseReason> {
        *lock(&self.close)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        lock(&self.hub.conns).remove(&self.id);
    }
}

/// Poisoning only means another thread panicked mid-update of a plain map; the map is
/// still usable, so the hub carries on rather than cascading the panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Hub {
    /// `queue`: how many events a socket may have waiting before it counts as lagged.
    pub fn new(queue: usize) -> Arc<Hub> {
        Arc::new(Hub {
            conns: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            queue: queue.max(1),
            agent_locks: Mutex::new(HashMap::new()),
        })
    }

    /// Registers a socket of `session_id` (an agent's device).
    pub fn subscribe(
        self: &Arc<Self>,
        enterprise_id: i64,
        agent_id: i64,
        session_id: i64,
    ) -> Subscription {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(self.queue);
        let close = Arc::new(Mutex::new(None));
        lock(&self.conns).insert(
            id,
            Conn {
                enterprise_id,
                agent_id,
                session_id,
                tx,
                close: close.clone(),
            },
        );
        Subscription {
            id,
            rx,
            close,
            hub: self.clone(),
        }
    }

    /// How many sockets are connected (for logs and tests).
    pub fn connections(&self) -> usize {
        lock(&self.conns).len()
    }

    /// Serialises "commit, then publish" for one agent (see the module comment).
    pub async fn lock_agent(&self, agent_id: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let m = {
            let mut locks = lock(&self.agent_locks);
            if locks.len() >= PRUNE_LOCKS_AT {
                // Entries nobody holds or waits for (only the map's reference is left)
                // can go: the map stays the size of the agents active right now.
                locks.retain(|_, m| Arc::strong_count(m) > 1);
            }
            locks.entry(agent_id).or_default().clone()
        };
        m.lock_owned().await
    }

    /// Every socket of the agent.
    pub fn to_agent(&self, agent_id: i64, event: Event) {
        self.deliver(|c| c.agent_id == agent_id, &event);
    }

    /// The sockets of one session (one device): a call's progress and WebRTC signalling
    /// go only to the device that placed the call.
    pub fn to_session(&self, session_id: i64, event: Event) {
        self.deliver(|c| c.session_id == session_id, &event);
    }

    /// Every socket of every agent of the enterprise.
    pub fn to_enterprise(&self, enterprise_id: i64, event: Event) {
        self.deliver(|c| c.enterprise_id == enterprise_id, &event);
    }

    /// Tells the session's sockets why it ended, then lets go of them (they close).
    pub fn end_session(&self, session_id: i64, reason: SessionEndReason) {
        let mut conns = lock(&self.conns);
        let ids: Vec<u64> = conns
            .iter()
            .filter(|(_, c)| c.session_id == session_id)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(c) = conns.remove(&id) {
                // If the queue is full the client misses the reason but still sees the
                // close; on reconnect its token is refused, which says the same.
                let _ = c.tx.try_send(Event::SessionEnded { reason });
                *lock(&c.close) = Some(CloseReason::SessionEnded);
            }
        }
    }

    /// Closes every socket (server shutdown).
    pub fn shutdown(&self) {
        for (_, c) in lock(&self.conns).drain() {
            *lock(&c.close) = Some(CloseReason::Shutdown);
        }
    }

    /// Publishes what a committed transaction changed for an agent: ended sessions
    /// first (so their sockets get nothing after `SessionEnded`), then the new state.
    pub fn publish(&self, delta: &AgentDelta) {
        for (session_id, reason) in &delta.ended {
            self.end_session(*session_id, *reason);
        }
        if let Some(holder) = delta.lease {
            self.to_agent(delta.agent_id, Event::AnswerChanged { holder });
        }
        if let Some(online) = &delta.devices {
            self.to_agent(
                delta.agent_id,
                Event::DevicesChanged {
                    online: online.clone(),
                },
            );
        }
        if let Some(open) = delta.reception {
            self.to_agent(delta.agent_id, Event::ReceptionChanged { open });
        }
    }

    fn deliver(&self, wanted: impl Fn(&Conn) -> bool, event: &Event) {
        let mut conns = lock(&self.conns);
        let mut dropped = Vec::new();
        for (id, c) in conns.iter().filter(|(_, c)| wanted(c)) {
            match c.tx.try_send(event.clone()) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    *lock(&c.close) = Some(CloseReason::Lagged);
                    dropped.push(*id);
                }
                Err(mpsc::error::TrySendError::Closed(_)) => dropped.push(*id),
            }
        }
        for id in dropped {
            conns.remove(&id);
            tracing::info!(
                conn = id,
                "event socket lagged or gone; dropped from the hub"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatline_proto::DeviceKind;

    #[tokio::test]
    async fn a_slow_socket_is_dropped_without_blocking_the_others() {
        let hub = Hub::new(2);
        let mut fast = hub.subscribe(1, 10, 100);
        let slow = hub.subscribe(1, 10, 101);
        for _ in 0..5 {
            hub.to_agent(
                10,
                Event::AnswerChanged {
                    holder: Some(DeviceKind::Pc),
                },
            );
            assert!(fast.rx.recv().await.is_some());
        }
        assert_eq!(slow.close_reason(), Some(CloseReason::Lagged));
        assert_eq!(fast.close_reason(), None);
        assert_eq!(hub.connections(), 1);
    }

    #[tokio::test]
    async fn ended_sessions_get_the_reason_then_close() {
        let hub = Hub::new(8);
        let mut sub = hub.subscribe(1, 10, 100);
        let other = hub.subscribe(1, 10, 101);
        hub.end_session(100, SessionEndReason::ReplacedByNewLogin);
        assert_eq!(
            sub.rx.recv().await,
            Some(Event::SessionEnded {
                reason: SessionEndReason::ReplacedByNewLogin
            })
        );
        assert_eq!(sub.rx.recv().await, None);
        assert_eq!(sub.close_reason(), Some(CloseReason::SessionEnded));
        assert_eq!(other.close_reason(), None);
    }

    #[tokio::test]
    async fn idle_ordering_locks_are_pruned() {
        let hub = Hub::new(8);
        let held = hub.lock_agent(0).await;
        for id in 1..=3000 {
            drop(hub.lock_agent(id).await);
        }
        let n = lock(&hub.agent_locks).len();
        assert!(n <= PRUNE_LOCKS_AT + 1, "{n} locks kept");
        assert!(lock(&hub.agent_locks).contains_key(&0), "a held lock stays");
        drop(held);
    }

    #[tokio::test]
    async fn enterprise_events_stay_in_their_enterprise() {
        let hub = Hub::new(8);
        let mut a = hub.subscribe(1, 10, 100);
        let mut b = hub.subscribe(2, 20, 200);
        hub.to_enterprise(1, Event::CustomersChanged { change_seq: 7 });
        assert_eq!(
            a.rx.recv().await,
            Some(Event::CustomersChanged { change_seq: 7 })
        );
        assert!(b.rx.try_recv().is_err());
    }
}
