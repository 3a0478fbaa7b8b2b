//! Frames on a device's WebSocket. The platform sends `EventFrame`s; a device sends
//! nothing but pings for now (signalling for calls arrives with the voice work).

use crate::api::AgentStatus;
use crate::values::DeviceKind;
use serde::{Deserialize, Serialize};

/// One event with the platform's per-connection sequence number and send time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFrame {
    pub seq: u64,
    pub at_ms: i64,
    pub event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// First frame of every connection: the full status, so a reconnecting device
    /// resynchronises without asking (R2, R5, R7).
    Hello { status: Box<AgentStatus> },
    /// R5: the answer lease moved; `holder` is the device now answering, if any.
    AnswerChanged { holder: Option<DeviceKind> },
    /// R7: reception opened or closed from one of the agent's devices.
    ReceptionChanged { open: bool },
    /// A device of this agent logged in or out.
    DevicesChanged { online: Vec<DeviceKind> },
    /// R9: the phone function broke or recovered.
    PhoneFault { active: bool },
    /// A customer of the enterprise changed; fetch changes after the local cursor.
    CustomersChanged { change_seq: i64 },
    /// This device's session ended on the platform (logged in elsewhere on the same kind
    /// of device, logged out, or disabled by an administrator). The socket closes after it.
    SessionEnded { reason: SessionEndReason },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionEndReason {
    LoggedOut,
    ReplacedByNewLogin,
    AccountDisabled,
    /// An administrator set a new password: every session of the agent ends.
    PasswordChanged,
    Expired,
}
