//! The typed error body every failed request carries, and every refused WebSocket frame.
//!
//! The HTTP status is derived from the code, so a client can act on either. Messages are
//! English for engineers; the apps show their own zh-CN text for each code.

use crate::values::DeviceKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code:?}: {message}")]
pub struct ApiError {
    #[serde(flatten)]
    pub code: ErrorCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or a parameter is malformed; `field` names it when known.
    BadRequest { field: Option<String> },
    /// The body is larger than the server accepts.
    PayloadTooLarge,
    /// No token, an unknown token, or a revoked one.
    Unauthorized,
    /// The token is valid but the action is not allowed for this account.
    Forbidden,
    /// Login: no agent with that job number in that enterprise (R1).
    UnknownJobNumber,
    /// Login: the password does not match (R1).
    WrongPassword,
    /// Login: the administrator disabled this account.
    AccountDisabled,
    /// Login: too many failures; try again after `retry_after_s` seconds.
    TooManyAttempts { retry_after_s: u64 },
    /// R5: answering is on at the agent's other device.
    LeaseHeld { holder: DeviceKind },
    /// R3: a mobile device needs a bound mobile number to answer or dial.
    NoBoundNumber,
    /// R31: the answer state cannot change while a call rings or is being talked on.
    AnswerLocked,
    /// R7: chat reception needs the online-service package.
    PackageMissing { package: String },
    /// R15: the mobile number is the customer's unique key and is already in the library.
    DuplicateCustomer { existing_id: i64 },
    /// The thing does not exist, or belongs to another enterprise.
    NotFound,
    /// R9: the enterprise's phone function is broken; calls cannot be placed now.
    PhoneFault,
    /// The agent already has a call going; one call at a time.
    CallInProgress,
    /// The call is over or has no such leg (hang-up, hold or DTMF came too late).
    CallNotActive,
    /// The platform has no SIP trunk configured or reachable for this number.
    NoRoute,
    /// Something failed on the server; nothing was changed.
    Internal,
}

impl ErrorCode {
    pub fn http_status(&self) -> u16 {
        match self {
            ErrorCode::BadRequest { .. } => 400,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Unauthorized | ErrorCode::UnknownJobNumber | ErrorCode::WrongPassword => 401,
            ErrorCode::Forbidden | ErrorCode::AccountDisabled => 403,
            ErrorCode::NoBoundNumber | ErrorCode::PackageMissing { .. } => 403,
            ErrorCode::TooManyAttempts { .. } => 429,
            ErrorCode::LeaseHeld { .. }
            | ErrorCode::AnswerLocked
            | ErrorCode::DuplicateCustomer { .. }
            | ErrorCode::CallInProgress
            | ErrorCode::CallNotActive => 409,
            ErrorCode::PhoneFault | ErrorCode::NoRoute => 503,
            ErrorCode::NotFound => 404,
            ErrorCode::Internal => 500,
        }
    }
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::BadRequest {
                field: field.map(str::to_string),
            },
            message,
        )
    }
}

impl From<crate::values::InvalidValue> for ApiError {
    fn from(e: crate::values::InvalidValue) -> Self {
        ApiError::bad_request(Some(e.field), e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_round_trips_with_flat_code() {
        let e = ApiError::new(
            ErrorCode::LeaseHeld {
                holder: DeviceKind::Pc,
            },
            "held",
        );
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["code"], "lease_held");
        assert_eq!(json["holder"], "pc");
        let back: ApiError = serde_json::from_value(json).unwrap();
        assert_eq!(back, e);
        assert_eq!(e.code.http_status(), 409);
    }
}
