//! The background side of the shell: the timer that drives the session machine, the
//! event socket task, and library syncs (one at a time, coalesced).

use super::{ClientEvent, Inner};
use crate::error::CoreError;
use crate::library::SyncReport;
use crate::platform::{connect_events, SocketError};
use crate::session::SessionInput;
use seatline_proto::events::SessionEndReason;
use seatline_proto::Event;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

/// Starts the timer task. It holds only a weak reference, so dropping the last
/// `SeatlineClient` ends it.
pub(super) fn spawn(inner: &Arc<Inner>) {
    let weak = Arc::downgrade(inner);
    let wake = inner.wake.clone();
    inner.rt.spawn(async move {
        loop {
            let Some(inner) = weak.upgrade() else { return };
            let deadline = inner.lock().session.poll_timeout();
            drop(inner);
            let notified = wake.notified();
            match deadline {
                Some(at) => {
                    tokio::select! {
                        _ = tokio::time::sleep_until(at.into()) => {}
                        _ = notified => {}
                    }
                }
                None => notified.await,
            }
            let Some(inner) = weak.upgrade() else { return };
            inner.lock().session.handle_timeout(Instant::now());
            inner.carry_out();
        }
    });
}

/// Opens the event socket (replacing any previous one) and feeds its frames to the
/// session machine until it closes.
pub(super) fn open_socket(inner: &Inner) {
    close_socket(inner);
    let Some(token) = inner.platform.token() else {
        return;
    };
    let base = inner.platform.base().to_string();
    let weak = inner_weak(inner);
    let task = inner.rt.spawn(async move {
        let result = connect_events(&base, &token).await;
        let Some(me) = weak.upgrade() else { return };
        let mut socket = match result {
            Ok(s) => s,
            Err(SocketError::Unauthorized) => {
                // The token is gone on the platform (expired, revoked): logged out.
                me.input(SessionInput::Event(Event::SessionEnded {
                    reason: SessionEndReason::Expired,
                }));
                return;
            }
            Err(e) => {
                tracing::info!(error = %e, "event socket connect failed");
                me.input(SessionInput::SocketDown);
                me.call_socket_down();
                return;
            }
        };
        // Device frames (a VoIP call's offers) go out through this socket while it is up.
        let (out_tx, mut out_rx) = tokio::sync::mpsc::unbounded_channel();
        me.input(SessionInput::SocketUp);
        me.call_socket_up(out_tx);
        me.listeners.emit(&ClientEvent::Connection { up: true });
        drop(me);
        loop {
            let frame = tokio::select! {
                frame = socket.next_frame() => frame,
                Some(out) = out_rx.recv() => match socket.send_frame(&out).await {
                    Ok(()) => continue,
                    Err(e) => Err(e),
                },
            };
            let Some(me) = weak.upgrade() else { return };
            match frame {
                Ok(frame) => me.input(SessionInput::Event(frame.event)),
                Err(SocketError::BadFrame(why)) => {
                    tracing::warn!(%why, "skipped a bad event frame");
                }
                Err(e) => {
                    tracing::info!(error = %e, "event socket closed");
                    me.input(SessionInput::SocketDown);
                    me.call_socket_down();
                    me.listeners.emit(&ClientEvent::Connection { up: false });
                    return;
                }
            }
        }
    });
    if let Ok(mut slot) = inner.socket.lock() {
        *slot = Some(task);
    }
}

pub(super) fn close_socket(inner: &Inner) {
    if let Ok(mut slot) = inner.socket.lock() {
        if let Some(task) = slot.take() {
            task.abort();
        }
    }
}

/// One sync at a time (two would push the same queued edit twice); a request during a
/// background sync makes that sync run once more instead of starting another.
#[derive(Default)]
pub(crate) struct SyncGate {
    running: AtomicBool,
    again: AtomicBool,
    one_at_a_time: tokio::sync::Mutex<()>,
}

/// Starts a background sync unless one is running (then that one repeats).
pub(super) fn request_sync(inner: &Inner) {
    if inner.sync.running.swap(true, Ordering::AcqRel) {
        inner.sync.again.store(true, Ordering::Release);
        return;
    }
    let weak = inner_weak(inner);
    inner.rt.spawn(async move {
        loop {
            let Some(me) = weak.upgrade() else { return };
            me.sync.again.store(false, Ordering::Release);
            let result = {
                let _turn = me.sync.one_at_a_time.lock().await;
                me.library.sync(me.platform.as_ref()).await
            };
            match result {
                Ok(report) if changed_anything(&report) => {
                    me.listeners.emit(&ClientEvent::LibraryChanged)
                }
                Ok(_) => {}
                Err(e) => tracing::info!(error = %e, "library sync did not finish"),
            }
            if !me.sync.again.swap(false, Ordering::AcqRel) {
                me.sync.running.store(false, Ordering::Release);
                // A request may have slipped in between the swap and the store.
                if !me.sync.again.load(Ordering::Acquire)
                    || me.sync.running.swap(true, Ordering::AcqRel)
                {
                    return;
                }
            }
        }
    });
}

/// Waits until no library sync is running and keeps others from starting until the
/// guard drops: for resetting the library (another enterprise's login), which must not
/// interleave with a sync of the previous session.
pub(super) async fn sync_turn(inner: &Inner) -> tokio::sync::MutexGuard<'_, ()> {
    inner.sync.one_at_a_time.lock().await
}

/// A sync the caller waits for (pull-to-refresh, tests).
pub(super) async fn sync_now(inner: &Inner) -> Result<SyncReport, CoreError> {
    let report = {
        let _turn = inner.sync.one_at_a_time.lock().await;
        inner.library.sync(inner.platform.as_ref()).await?
    };
    if changed_anything(&report) {
        inner.listeners.emit(&ClientEvent::LibraryChanged);
    }
    Ok(report)
}

fn changed_anything(r: &SyncReport) -> bool {
    r.pushed + r.merged + r.conflicts + r.rejected + r.pulled > 0
}

/// The driver tasks hold weak references so a dropped client stops them; `Inner` is
/// always inside the client's `Arc`, and the socket slot keeps that `Arc` findable.
fn inner_weak(inner: &Inner) -> Weak<Inner> {
    inner.self_ref.clone()
}
