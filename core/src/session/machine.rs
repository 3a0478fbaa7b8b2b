//! Agent session machine (sans-IO).
//!
//! ```text
//!              login()             LoggedIn(status)
//!  LoggedOut ──────────▶ LoggingIn ─────────────────▶ Online{link}
//!      ▲  ◀──────────────────┘ LoginFailed               │
//!      └──────────────── LoggedOut / SessionEnded ───────┘
//!
//!  Online.link:  Connecting ──SocketUp──▶ Up ──SocketDown──▶ Down{since, retry_at}
//!                    ▲                                          │ timeout(retry_at)
//!                    └──────────────── Connect ◀────────────────┘
//! ```
//! While the link has been down for `FAULT_GRACE`, or the platform reports a trunk fault,
//! the phone state is `Fault` (R9). Inputs carry no clock: the caller passes `now` to
//! `handle_input`/`handle_timeout` and asks `poll_timeout` when to come back, so tests run
//! on simulated time.

use super::phone_state::{bound_number_needed, DialRefusal, PhoneState};
use crate::backoff::Backoff;
use seatline_proto::events::SessionEndReason;
use seatline_proto::{AgentStatus, DeviceKind, Event};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A socket that is down for less than this is a blip, not a fault: network handovers on a
/// phone take about a second, and flashing "电话异常" for each would teach agents to ignore it.
pub const FAULT_GRACE: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq)]
pub enum SessionInput {
    LoginStarted,
    LoginFailed,
    LoggedIn(Box<AgentStatus>),
    /// The agent logged out on this device.
    LoggedOut,
    SocketUp,
    SocketDown,
    /// A frame from the event socket.
    Event(Event),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SessionOutput {
    /// Open the event socket now.
    Connect,
    /// Close the event socket (logout, session ended).
    Disconnect,
    PhoneState(PhoneState),
    /// The platform's status snapshot changed (Hello, or one of its fields by event).
    Status(Box<AgentStatus>),
    /// After a reconnect: what happened meanwhile is unknown, pull the library changes.
    Resync,
    /// The customer library changed on the platform.
    CustomersChanged {
        change_seq: i64,
    },
    /// The platform ended this session; the core is logged out.
    SessionEnded(SessionEndReason),
    /// A call event (progress, WebRTC signalling, records changed): the session does not
    /// interpret it; the shell hands it to the call machinery.
    Call(Event),
}

#[derive(Debug, Clone, PartialEq)]
enum Link {
    Connecting,
    Up,
    Down { since: Instant, retry_at: Instant },
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    LoggedOut,
    LoggingIn,
    Online {
        status: Box<AgentStatus>,
        link: Link,
        seen_hello: bool,
    },
}

pub struct SessionMachine {
    device: DeviceKind,
    state: State,
    backoff: Backoff,
    /// Source of reconnect jitter; a fixed sequence in tests.
    jitter: Box<dyn FnMut() -> f64 + Send>,
    outputs: VecDeque<SessionOutput>,
    shown: PhoneState,
}

impl SessionMachine {
    pub fn new(device: DeviceKind, jitter: Box<dyn FnMut() -> f64 + Send>) -> Self {
        Self {
            device,
            state: State::LoggedOut,
            backoff: Backoff::default(),
            jitter,
            outputs: VecDeque::new(),
            shown: PhoneState::NotLoggedIn,
        }
    }

    pub fn device(&self) -> DeviceKind {
        self.device
    }

    pub fn status(&self) -> Option<&AgentStatus> {
        match &self.state {
            State::Online { status, .. } => Some(status),
            _ => None,
        }
    }

    pub fn is_online(&self) -> bool {
        matches!(self.state, State::Online { .. })
    }

    pub fn is_logging_in(&self) -> bool {
        matches!(self.state, State::LoggingIn)
    }

    /// Whether the event socket is connected now.
    pub fn link_up(&self) -> bool {
        matches!(self.state, State::Online { link: Link::Up, .. })
    }

    pub fn phone_state(&self, now: Instant) -> PhoneState {
        match &self.state {
            State::LoggedOut | State::LoggingIn => PhoneState::NotLoggedIn,
            State::Online { status, link, .. } => {
                let link_broken = match link {
                    Link::Down { since, .. } => {
                        now.saturating_duration_since(*since) >= FAULT_GRACE
                    }
                    Link::Connecting | Link::Up => false,
                };
                if status.phone_fault || link_broken {
                    PhoneState::Fault
                } else {
                    PhoneState::Ready
                }
            }
        }
    }

    /// R2, R3, R9, R11: may a call be placed from this device now?
    pub fn check_dial(&self, now: Instant) -> Result<(), DialRefusal> {
        let status = match &self.state {
            State::Online { status, .. } => status,
            _ => return Err(DialRefusal::NotLoggedIn),
        };
        if self.phone_state(now) == PhoneState::Fault {
            return Err(DialRefusal::PhoneFault);
        }
        bound_number_needed(self.device, status.profile.bound_number.is_some())
    }

    pub fn handle_input(&mut self, input: SessionInput, now: Instant) {
        let state = std::mem::replace(&mut self.state, State::LoggedOut);
        self.state = match (state, input) {
            (State::LoggedOut, SessionInput::LoginStarted) => State::LoggingIn,
            (State::LoggingIn, SessionInput::LoginFailed) => State::LoggedOut,
            (State::LoggingIn | State::LoggedOut, SessionInput::LoggedIn(status)) => {
                self.backoff.reset();
                self.outputs
                    .push_back(SessionOutput::Status(status.clone()));
                self.outputs.push_back(SessionOutput::Connect);
                State::Online {
                    status,
                    link: Link::Connecting,
                    seen_hello: false,
                }
            }
            (State::Online { .. }, SessionInput::LoggedOut) => {
                self.outputs.push_back(SessionOutput::Disconnect);
                State::LoggedOut
            }
            (
                State::Online {
                    status, seen_hello, ..
                },
                SessionInput::SocketUp,
            ) => State::Online {
                status,
                link: Link::Up,
                seen_hello,
            },
            (
                State::Online {
                    status,
                    link,
                    seen_hello,
                },
                SessionInput::SocketDown,
            ) => {
                let since = match link {
                    Link::Down { since, .. } => since,
                    Link::Connecting | Link::Up => now,
                };
                let retry_at = now + self.backoff.next_delay((self.jitter)());
                State::Online {
                    status,
                    link: Link::Down { since, retry_at },
                    seen_hello,
                }
            }
            (
                State::Online {
                    status,
                    link,
                    seen_hello,
                },
                SessionInput::Event(event),
            ) => self.apply_event(status, link, seen_hello, event),
            // Anything else is stale: a socket event after logout, a second login click.
            (state, input) => {
                tracing::debug!(?input, "session input ignored in this state");
                state
            }
        };
        self.emit_phone_state(now);
    }

    fn apply_event(
        &mut self,
        mut status: Box<AgentStatus>,
        link: Link,
        seen_hello: bool,
        event: Event,
    ) -> State {
        match event {
            Event::Hello { status: fresh } => {
                self.backoff.reset();
                // Every Hello after the first follows a reconnect: events may have been missed.
                if seen_hello {
                    self.outputs.push_back(SessionOutput::Resync);
                }
                self.outputs.push_back(SessionOutput::Status(fresh.clone()));
                return State::Online {
                    status: fresh,
                    link,
                    seen_hello: true,
                };
            }
            Event::SessionEnded { reason } => {
                self.outputs.push_back(SessionOutput::SessionEnded(reason));
                self.outputs.push_back(SessionOutput::Disconnect);
                return State::LoggedOut;
            }
            Event::CustomersChanged { change_seq } => {
                self.outputs
                    .push_back(SessionOutput::CustomersChanged { change_seq });
                return State::Online {
                    status,
                    link,
                    seen_hello,
                };
            }
            Event::CallProgress { .. } | Event::CallSignal { .. } | Event::RecordsChanged => {
                self.outputs.push_back(SessionOutput::Call(event));
                return State::Online {
                    status,
                    link,
                    seen_hello,
                };
            }
            Event::AnswerChanged { holder } => status.answer_holder = holder,
            Event::ReceptionChanged { open } => status.reception_open = open,
            Event::DevicesChanged { online } => status.devices_online = online,
            Event::PhoneFault { active } => status.phone_fault = active,
        }
        self.outputs
            .push_back(SessionOutput::Status(status.clone()));
        State::Online {
            status,
            link,
            seen_hello,
        }
    }

    /// Applies a status the shell fetched itself (e.g. after `PUT /me/answer`).
    pub fn update_status(&mut self, f: impl FnOnce(&mut AgentStatus), now: Instant) {
        if let State::Online { status, .. } = &mut self.state {
            f(status);
            self.outputs
                .push_back(SessionOutput::Status(status.clone()));
        }
        self.emit_phone_state(now);
    }

    /// When `handle_timeout` wants to run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Online {
                link: Link::Down { since, retry_at },
                ..
            } => {
                let fault_at = *since + FAULT_GRACE;
                if self.shown != PhoneState::Fault {
                    Some(fault_at.min(*retry_at))
                } else {
                    Some(*retry_at)
                }
            }
            _ => None,
        }
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        if let State::Online { link, .. } = &mut self.state {
            if let Link::Down { retry_at, since } = *link {
                if now >= retry_at {
                    // Keep `since` across attempts: the fault grace counts from the first loss.
                    *link = Link::Down {
                        since,
                        retry_at: now + Duration::from_secs(3600),
                    };
                    self.outputs.push_back(SessionOutput::Connect);
                }
            }
        }
        self.emit_phone_state(now);
    }

    pub fn poll_output(&mut self) -> Option<SessionOutput> {
        self.outputs.pop_front()
    }

    fn emit_phone_state(&mut self, now: Instant) {
        let current = self.phone_state(now);
        if current != self.shown {
            self.shown = current;
            self.outputs.push_back(SessionOutput::PhoneState(current));
        }
    }
}

#[cfg(test)]
mod tests;
