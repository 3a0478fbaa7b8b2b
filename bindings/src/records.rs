//! Call records (R38) and native calls (R12) for Kotlin and Swift: the records as
//! records, the phone's dialer as a foreign trait, and the `Seatline` methods over them.
//! The texts (outcome, direction, method) come from the core.

use crate::client::Seatline;
use crate::error::SeatlineError;
use crate::types::DeviceKind;
use seatline_core::records as core_records;
use seatline_proto as proto;
use std::sync::Arc;

/// The phone's own dialer (R12): Android `TelecomManager.placeCall` (or `ACTION_CALL`),
/// iOS `UIApplication.open(tel:)`. Return an error text when the OS refuses.
#[uniffi::export(with_foreign)]
pub trait NativeDialer: Send + Sync {
    fn dial(&self, number: String) -> Result<(), DialerError>;
}

/// Why the phone's dialer did not place a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum DialerError {
    #[error("{detail}")]
    Refused { detail: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for DialerError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        DialerError::Refused { detail: e.reason }
    }
}

pub(crate) struct ForwardDialer(pub(crate) Arc<dyn NativeDialer>);

impl core_records::NativeDialer for ForwardDialer {
    fn dial(&self, number: String) -> Result<(), String> {
        self.0.dial(number).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CallDirection {
    Outbound,
    Inbound,
}

/// R12: VoIP, callback (the platform rings the agent first) or native (the phone's line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CallMethod {
    Voip,
    Callback,
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CallOutcome {
    Answered,
    Busy,
    NoAnswer,
    Rejected,
    Failed,
    AgentNoAnswer,
    Missed,
}

/// One call in the records (R38), with what its row says.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CallRecord {
    pub id: i64,
    pub direction: CallDirection,
    pub method: CallMethod,
    pub device: DeviceKind,
    pub number: String,
    /// R16: the library's name for the number.
    pub customer_name: Option<String>,
    pub started_at_ms: i64,
    pub answered_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// `None` while the call goes on, and for native calls.
    pub outcome: Option<CallOutcome>,
    pub outcome_zh: String,
    pub outcome_en: String,
    /// R34: show the row in red.
    pub missed: bool,
    pub direction_zh: String,
    pub direction_en: String,
    pub method_zh: String,
    pub method_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RecordPage {
    pub records: Vec<CallRecord>,
    /// Pass as `before` for the next page; `None` at the end.
    pub next_before: Option<i64>,
}

impl From<proto::CallRecord> for CallRecord {
    fn from(r: proto::CallRecord) -> Self {
        let outcome = core_records::outcome_text(&r);
        let (direction_zh, direction_en) = core_records::direction_text(r.direction);
        let (method_zh, method_en) = core_records::method_text(r.method);
        Self {
            id: r.id,
            direction: match r.direction {
                proto::CallDirection::Outbound => CallDirection::Outbound,
                proto::CallDirection::Inbound => CallDirection::Inbound,
            },
            method: r.method.into(),
            device: r.device.into(),
            number: r.number.to_string(),
            customer_name: r.customer_name,
            started_at_ms: r.started_at_ms,
            answered_at_ms: r.answered_at_ms,
            ended_at_ms: r.ended_at_ms,
            outcome: r.outcome.map(Into::into),
            outcome_zh: outcome.zh.into(),
            outcome_en: outcome.en.into(),
            missed: outcome.missed,
            direction_zh: direction_zh.into(),
            direction_en: direction_en.into(),
            method_zh: method_zh.into(),
            method_en: method_en.into(),
        }
    }
}

impl From<seatline_proto::CallMethod> for CallMethod {
    fn from(m: seatline_proto::CallMethod) -> Self {
        match m {
            seatline_proto::CallMethod::Voip => CallMethod::Voip,
            seatline_proto::CallMethod::Callback => CallMethod::Callback,
            seatline_proto::CallMethod::Native => CallMethod::Native,
        }
    }
}

impl From<seatline_proto::CallOutcome> for CallOutcome {
    fn from(o: seatline_proto::CallOutcome) -> Self {
        use seatline_proto::CallOutcome as O;
        match o {
            O::Answered => CallOutcome::Answered,
            O::Busy => CallOutcome::Busy,
            O::NoAnswer => CallOutcome::NoAnswer,
            O::Rejected => CallOutcome::Rejected,
            O::Failed => CallOutcome::Failed,
            O::AgentNoAnswer => CallOutcome::AgentNoAnswer,
            O::Missed => CallOutcome::Missed,
        }
    }
}

impl From<proto::RecordPage> for RecordPage {
    fn from(p: proto::RecordPage) -> Self {
        Self {
            records: p.records.into_iter().map(Into::into).collect(),
            next_before: p.next_before,
        }
    }
}

#[uniffi::export]
impl Seatline {
    /// R38: the agent's records, newest first; `before` is the last page's
    /// `next_before`; `limit` 1..=200 (default 50).
    pub async fn records(
        &self,
        before: Option<i64>,
        limit: Option<u32>,
    ) -> Result<RecordPage, SeatlineError> {
        let query = proto::RecordQuery {
            number: None,
            before,
            limit,
        };
        Ok(self.client.records(query).await?.into())
    }

    /// R38: every call with `number` (what opening a record shows).
    pub async fn records_for_number(&self, number: String) -> Result<RecordPage, SeatlineError> {
        Ok(self.client.records_for_number(&number).await?.into())
    }

    /// R38: delete a record, if the administrator allows this agent to.
    pub async fn delete_record(&self, id: i64) -> Result<(), SeatlineError> {
        Ok(self.client.delete_record(id).await?)
    }

    /// R12: place a native call through the phone's dialer (given to the constructor);
    /// returns the call's reference for `native_call_ended`.
    pub fn start_native_call(&self, number: String) -> Result<String, SeatlineError> {
        Ok(self.client.start_native_call(&number)?)
    }

    /// R12: the OS says the native call ended (Unix milliseconds).
    pub fn native_call_ended(
        &self,
        client_ref: String,
        ended_at_ms: i64,
    ) -> Result<(), SeatlineError> {
        Ok(self.client.native_call_ended(&client_ref, ended_at_ms)?)
    }

    /// Native calls still waiting for the platform (uploads retry after reconnects).
    pub fn pending_native_calls(&self) -> Result<u32, SeatlineError> {
        let n = self.client.pending_native_calls()?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
