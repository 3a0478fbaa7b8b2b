//! Frames on a device's WebSocket. The platform sends `EventFrame`s; a device sends
//! `DeviceFrame`s (the WebRTC signalling of its VoIP calls) and pings.

use crate::api::AgentStatus;
use crate::calls::{CallMethod, CallPhase, Signal};
use crate::values::{DeviceKind, PhoneNumber};
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
    /// A call of this agent moved on (R13 phases, R17 hold, the end with its outcome).
    /// Sent to the device that placed or took the call.
    CallProgress {
        call_id: String,
        method: CallMethod,
        number: PhoneNumber,
        phase: CallPhase,
    },
    /// WebRTC signalling from the gateway for a VoIP call of this device.
    CallSignal { call_id: String, signal: Signal },
    /// A call record was written or changed (R38); refresh the records list.
    RecordsChanged,
}

/// What a device sends on its WebSocket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DeviceFrame {
    /// WebRTC signalling for one of this device's VoIP calls.
    CallSignal { call_id: String, signal: Signal },
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
