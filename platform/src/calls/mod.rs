//! The call service: VoIP calls (the agent's WebRTC leg bridged to a customer's trunk
//! leg) and callback calls (R13: two trunk legs), with their progress events and records.
//! ADR 0011 says why it is built this way; ARCHITECTURE.md "Calls" has the two flows.
//!
//! - [`CallService::start`] runs the checks (R2 session, R3 bound number, R9 phone fault,
//!   main number and trunk route, one call per agent), writes the record (invariant 3:
//!   before the `200`), and spawns the call's task.
//! - Each call is owned by one tokio task (`call.rs`): a small state machine that matches
//!   `(phase, input)`. REST commands (hang-up, hold, DTMF) and the device's WebRTC
//!   signalling reach it by channel; its legs' events arrive on their own channels. Nothing
//!   about a call is shared behind a lock; the one lock here guards the map of which agent
//!   has which call (a few lines, never held across `.await`).
//! - Media is bridged by a second task per call (`bridge.rs`) on a 20 ms tick.

pub mod bridge;
mod call;
pub mod config;
mod gateway;

use crate::api::auth::AgentAuth;
use crate::hub::Hub;
use crate::store::{now_ms, NewCallRecord, Store, StoreError};
use crate::trunk::{InboundCalls, RejectAllInbound, Trunk, TrunkError};
use call::{CallSpec, Command};
pub use config::CallsConfig;
use seatline_proto::calls::{CallDirection, CallMethod, Signal, StartCallRequest};
use seatline_proto::events::DeviceFrame;
use seatline_proto::{DeviceKind, Event, PhoneNumber};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::{mpsc, oneshot};

/// Commands queued for one call's task (REST commands and signalling are rare).
const COMMAND_QUEUE: usize = 16;
/// At most this many DTMF digits per request.
pub const MAX_DTMF_DIGITS: usize = 32;

/// Why a call could not be placed or a command not carried out. The API maps each to
/// its `ErrorCode`; store failures are logged there.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("the agent already has a call going")]
    InProgress,
    #[error("the call is over or is not this agent's")]
    NotActive,
    #[error("the enterprise's phone function is broken (R9)")]
    PhoneFault,
    #[error("a bound mobile number is needed (R3)")]
    NoBoundNumber,
    #[error("no main number or no trunk route")]
    NoRoute,
    #[error("native calls are placed by the phone and only recorded")]
    NativeMethod,
    #[error("DTMF digits are 0-9, *, #, A-D, 1 to {MAX_DTMF_DIGITS} of them")]
    BadDigits,
    #[error("the trunk refused the request: {0}")]
    Trunk(#[from] TrunkError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What every call task needs: cheap clones of the platform's handles.
#[derive(Clone)]
pub(crate) struct Env {
    pub store: Store,
    pub hub: Arc<Hub>,
    pub trunk: Option<Trunk>,
    pub cfg: Arc<CallsConfig>,
    pub registry: Arc<Registry>,
}

/// Which agent has which call. The only shared state of the service.
#[derive(Default)]
pub(crate) struct Registry {
    calls: Mutex<HashMap<i64, Active>>,
}

struct Active {
    call_id: String,
    session_id: i64,
    commands: mpsc::Sender<Command>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Registry {
    fn reserve(&self, agent_id: i64, active: Active) -> Result<(), CallError> {
        let mut calls = lock(&self.calls);
        if calls.contains_key(&agent_id) {
            return Err(CallError::InProgress);
        }
        calls.insert(agent_id, active);
        Ok(())
    }

    /// Frees the agent's slot if it still holds this call.
    pub fn release(&self, agent_id: i64, call_id: &str) {
        let mut calls = lock(&self.calls);
        if calls.get(&agent_id).is_some_and(|a| a.call_id == call_id) {
            calls.remove(&agent_id);
        }
    }

    /// The command channel of the agent's call `call_id`, if it is the one running; with
    /// `session`, only when that session (device) placed it.
    fn commands(
        &self,
        agent_id: i64,
        call_id: &str,
        session: Option<i64>,
    ) -> Option<mpsc::Sender<Command>> {
        lock(&self.calls)
            .get(&agent_id)
            .filter(|a| a.call_id == call_id && session.is_none_or(|s| s == a.session_id))
            .map(|a| a.commands.clone())
    }

    fn len(&self) -> usize {
        lock(&self.calls).len()
    }
}

/// The platform's call service (one per process, in `AppState`).
pub struct CallService {
    env: Env,
    /// Device frames that did not parse or named no call of the device (invariant 4:
    /// ignored, logged at debug, counted).
    ignored_frames: AtomicU64,
}

impl CallService {
    /// A service without a trunk: every call is refused with `NoRoute`.
    pub fn without_trunk(store: Store, hub: Arc<Hub>, cfg: CallsConfig) -> CallService {
        Self::build(store, hub, cfg, None)
    }

    /// Starts the trunk named in `cfg` (if any) and the service over it.
    pub async fn start(
        store: Store,
        hub: Arc<Hub>,
        cfg: CallsConfig,
    ) -> Result<CallService, TrunkError> {
        let trunk = match &cfg.trunk {
            Some(t) => {
                let inbound: Arc<dyn InboundCalls> = Arc::new(RejectAllInbound);
                Some(Trunk::start(t.clone(), inbound).await?)
            }
            None => None,
        };
        Ok(Self::build(store, hub, cfg, trunk))
    }

    fn build(store: Store, hub: Arc<Hub>, cfg: CallsConfig, trunk: Option<Trunk>) -> CallService {
        CallService {
            env: Env {
                store,
                hub,
                trunk,
                cfg: Arc::new(cfg),
                registry: Arc::default(),
            },
            ignored_frames: AtomicU64::new(0),
        }
    }

    /// The trunk, for the server's shutdown and for logs.
    pub fn trunk(&self) -> Option<&Trunk> {
        self.env.trunk.as_ref()
    }

    /// Stops the trunk (server shutdown); calls still up end with it.
    pub async fn shutdown(&self) {
        if let Some(t) = &self.env.trunk {
            t.clone().shutdown().await;
        }
    }

    /// Calls running now.
    pub fn active_calls(&self) -> usize {
        self.env.registry.len()
    }

    /// Device frames ignored so far (bad JSON shape, unknown call, not the device's call).
    pub fn ignored_frames(&self) -> u64 {
        self.ignored_frames.load(Ordering::Relaxed)
    }

    /// `POST /calls`: checks, reserves the agent's one call, writes the record, spawns the
    /// call. Returns the call id once the record is committed.
    pub async fn start_call(
        &self,
        me: &AgentAuth,
        req: StartCallRequest,
    ) -> Result<String, CallError> {
        if req.method == CallMethod::Native {
            return Err(CallError::NativeMethod);
        }
        let env = &self.env;
        // R2/R11: the bearer token proved a live session; the status adds R3 and R9.
        let status = env.store.agent_status(me.agent_id, now_ms()).await?;
        if status.phone_fault {
            return Err(CallError::PhoneFault);
        }
        let bound = status.profile.bound_number;
        if me.device_kind == DeviceKind::Mobile && bound.is_none() {
            return Err(CallError::NoBoundNumber);
        }
        let agent_number = match req.method {
            CallMethod::Callback => Some(bound.ok_or(CallError::NoBoundNumber)?),
            _ => None,
        };
        let main_number = env
            .store
            .enterprise_main_number(me.enterprise_id)
            .await?
            .ok_or(CallError::NoRoute)?;
        let Some(trunk_cfg) = env.cfg.trunk.as_ref().filter(|_| env.trunk.is_some()) else {
            return Err(CallError::NoRoute);
        };
        let routed = |n: &PhoneNumber| {
            crate::trunk::PhoneNumber::parse(n.as_str())
                .ok()
                .and_then(|n| trunk_cfg.route_for(&n))
                .is_some()
        };
        if !routed(&req.number) || !agent_number.as_ref().is_none_or(routed) {
            return Err(CallError::NoRoute);
        }

        let call_id = new_call_id();
        let (tx, rx) = mpsc::channel(COMMAND_QUEUE);
        env.registry.reserve(
            me.agent_id,
            Active {
                call_id: call_id.clone(),
                session_id: me.session_id,
                commands: tx,
            },
        )?;
        let started_at_ms = now_ms();
        let record = NewCallRecord {
            enterprise_id: me.enterprise_id,
            agent_id: Some(me.agent_id),
            call_id: call_id.clone(),
            direction: CallDirection::Outbound,
            method: req.method,
            device: me.device_kind,
            number: req.number.clone(),
            started_at_ms,
        };
        if let Err(e) = env.store.record_call_started(&record).await {
            env.registry.release(me.agent_id, &call_id);
            return Err(e.into());
        }
        env.hub.to_agent(me.agent_id, Event::RecordsChanged);
        tracing::info!(
            call_id = %call_id,
            agent_id = me.agent_id,
            method = ?req.method,
            "call placed"
        );
        let spec = CallSpec {
            call_id: call_id.clone(),
            agent_id: me.agent_id,
            session_id: me.session_id,
            method: req.method,
            number: req.number,
            main_number: main_number.as_str().to_string(),
            agent_number,
        };
        tokio::spawn(call::run(env.clone(), spec, rx));
        Ok(call_id)
    }

    /// `POST /calls/{id}/hangup`.
    pub async fn hangup(&self, me: &AgentAuth, call_id: &str) -> Result<(), CallError> {
        let tx = self.commands(me, call_id)?;
        tx.send(Command::Hangup)
            .await
            .map_err(|_| CallError::NotActive)
    }

    /// `POST /calls/{id}/hold` (R17).
    pub async fn hold(&self, me: &AgentAuth, call_id: &str, on: bool) -> Result<(), CallError> {
        let tx = self.commands(me, call_id)?;
        let (reply, rx) = oneshot::channel();
        tx.send(Command::Hold { on, reply })
            .await
            .map_err(|_| CallError::NotActive)?;
        rx.await.map_err(|_| CallError::NotActive)?
    }

    /// `POST /calls/{id}/dtmf`: digits go to the customer's leg as RFC 4733 events.
    pub async fn dtmf(&self, me: &AgentAuth, call_id: &str, digits: &str) -> Result<(), CallError> {
        let digits = parse_digits(digits)?;
        let tx = self.commands(me, call_id)?;
        let (reply, rx) = oneshot::channel();
        tx.send(Command::Dtmf { digits, reply })
            .await
            .map_err(|_| CallError::NotActive)?;
        rx.await.map_err(|_| CallError::NotActive)?
    }

    fn commands(&self, me: &AgentAuth, call_id: &str) -> Result<mpsc::Sender<Command>, CallError> {
        self.env
            .registry
            .commands(me.agent_id, call_id, None)
            .ok_or(CallError::NotActive)
    }

    /// A text frame from a device's WebSocket. Frames are parsed strictly (invariant 4);
    /// one that does not parse, or names a call this device did not place, is ignored
    /// with a debug log and counted. Never fails or blocks the socket.
    pub fn device_frame(&self, me: &AgentAuth, text: &str) {
        let frame = match serde_json::from_str::<DeviceFrame>(text) {
            Ok(f) => f,
            Err(e) => {
                self.ignored_frames.fetch_add(1, Ordering::Relaxed);
                // serde's message names the field and the expected type, not the value.
                tracing::debug!(agent_id = me.agent_id, error = %e, "device frame ignored");
                return;
            }
        };
        let DeviceFrame::CallSignal { call_id, signal } = frame;
        let tx = self
            .env
            .registry
            .commands(me.agent_id, &call_id, Some(me.session_id));
        let sent = match (tx, signal) {
            // Never waits: the socket's loop must not stall on a busy call.
            (Some(tx), signal @ Signal::Offer { .. }) => {
                tx.try_send(Command::Signal(signal)).is_ok()
            }
            _ => false,
        };
        if !sent {
            self.ignored_frames.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(
                agent_id = me.agent_id,
                "call signal for no call of this device ignored"
            );
        }
    }
}

/// `c` and 32 hex digits: unguessable, so one agent cannot address another's call.
fn new_call_id() -> String {
    let bytes: [u8; 16] = rand::random();
    format!("c{}", hex::encode(bytes))
}

fn parse_digits(s: &str) -> Result<Vec<char>, CallError> {
    let digits: Vec<char> = s.chars().collect();
    let ok = !digits.is_empty()
        && digits.len() <= MAX_DTMF_DIGITS
        && digits
            .iter()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'));
    if ok {
        Ok(digits)
    } else {
        Err(CallError::BadDigits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_digits_are_checked() {
        assert_eq!(
            parse_digits("12*#AD").ok(),
            Some("12*#AD".chars().collect())
        );
        for bad in ["", "1a", "E", "1 2", &"1".repeat(33)] {
            assert!(parse_digits(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn call_ids_are_long_and_distinct() {
        let (a, b) = (new_call_id(), new_call_id());
        assert_eq!(a.len(), 33);
        assert_ne!(a, b);
    }
}
