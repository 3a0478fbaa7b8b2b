//! Calls and call records on the wire (R12, R13, R17, R38).
//!
//! Commands go over REST (start, hang up, hold, DTMF); the WebRTC offer/answer of a VoIP
//! call and the call's progress go over the device's WebSocket, because they are pushed
//! by whichever side learns something first. See ARCHITECTURE.md, "Calls".

use crate::values::{DeviceKind, PhoneNumber};
use serde::{Deserialize, Serialize};

/// How the agent's side of a call is carried (R12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallMethod {
    /// WebRTC between the device and the platform's gateway, bridged to the trunk.
    Voip,
    /// R13: the platform rings the agent's bound number, then the customer, and joins them.
    Callback,
    /// The phone's own dialer and line; the platform only receives the record.
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallDirection {
    Outbound,
    Inbound,
}

/// `POST /calls`: place a VoIP or callback call to the number on the dial pad (R14).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartCallRequest {
    pub method: CallMethod,
    pub number: PhoneNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StartCallResponse {
    pub call_id: String,
}

/// `POST /calls/{id}/hold` (R17): the customer hears music while `on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRequest {
    pub on: bool,
}

/// `POST /calls/{id}/dtmf`: digits sent to the customer's side as RFC 4733 events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DtmfRequest {
    /// `0-9`, `*`, `#`, `A-D`; at most 32.
    pub digits: String,
}

/// Where a call is, as the agent's device shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum CallPhase {
    /// R13: the platform is ringing the agent's own phone (callback).
    CallingAgent,
    /// The customer's side is being set up or rings ("正在接通中", R18).
    CallingCustomer,
    /// The customer's phone rings (180/183).
    Ringing,
    /// Both sides talk.
    Connected,
    /// R17: the customer hears music.
    Held,
    /// The call is over; `outcome` says how.
    Ended {
        outcome: CallOutcome,
        by: Option<Party>,
    },
}

/// How a call ended; also the outcome column of a record (R38).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Talked, then one side hung up.
    Answered,
    /// The customer's line was busy (486/600).
    Busy,
    /// Nobody answered in time, or the agent cancelled while it rang.
    NoAnswer,
    /// The number was refused (404/403/603).
    Rejected,
    /// The carrier or the platform could not place the call (503, no route, fault).
    Failed,
    /// R13: the agent's own phone did not answer the callback.
    AgentNoAnswer,
    /// Inbound: nobody picked up (R34).
    Missed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Agent,
    Customer,
    Platform,
}

/// WebRTC signalling of one VoIP call. The device offers; the gateway answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// SDP offer from the device: the first one, and new ones for ICE restarts after a
    /// network change or a reconnect.
    Offer { sdp: String },
    /// The gateway's SDP answer.
    Answer { sdp: String },
}

/// `POST /records`: a native call made through the phone's dialer (R12), uploaded by
/// the core so it is listed with the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NativeCallRecord {
    /// Chosen by the device, so a retried upload is stored once.
    pub client_ref: String,
    pub number: PhoneNumber,
    pub started_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

/// One call in the records (R38).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallRecord {
    pub id: i64,
    pub call_id: String,
    pub direction: CallDirection,
    pub method: CallMethod,
    pub device: DeviceKind,
    /// The customer's number as the agent may see it.
    pub number: PhoneNumber,
    /// The library's name for that number, if known (R16).
    pub customer_name: Option<String>,
    pub started_at_ms: i64,
    pub answered_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// `None` while the call is still going.
    pub outcome: Option<CallOutcome>,
}

/// `GET /records?number=&before=&limit=`: newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordQuery {
    /// Only calls with exactly this number (R38: "every call with that number").
    pub number: Option<PhoneNumber>,
    /// Records with an id below this one (paging).
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPage {
    pub records: Vec<CallRecord>,
    /// Pass as `before` for the next page; `None` at the end.
    pub next_before: Option<i64>,
}
