//! `POST /calls` and the commands on a running call (hang-up, hold R17, DTMF). The call
//! itself runs in the call service (`crate::calls`); this is only the edge: parse, ask,
//! map the typed error to its `ErrorCode`.

use super::auth::AgentAuth;
use super::error::{ApiJson, ApiResult, Failure};
use super::AppState;
use crate::calls::CallError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use seatline_proto::calls::{DtmfRequest, HoldRequest, StartCallRequest, StartCallResponse};
use seatline_proto::ErrorCode;

impl From<CallError> for Failure {
    fn from(e: CallError) -> Self {
        match e {
            CallError::InProgress => Failure::code(ErrorCode::CallInProgress),
            CallError::NotActive => Failure::code(ErrorCode::CallNotActive),
            CallError::PhoneFault => Failure::code(ErrorCode::PhoneFault),
            CallError::NoBoundNumber => Failure::code(ErrorCode::NoBoundNumber),
            CallError::NoRoute => Failure::code(ErrorCode::NoRoute),
            CallError::NativeMethod => Failure::bad_request(
                Some("method"),
                "native calls are made by the phone; upload their record to /records",
            ),
            CallError::BadDigits => Failure::bad_request(Some("digits"), e.to_string()),
            CallError::Trunk(t) => {
                tracing::warn!(error = %t, "trunk refused a call command");
                Failure::code(ErrorCode::CallNotActive)
            }
            CallError::Store(s) => s.into(),
        }
    }
}

/// Call ids are `c` and 32 lower-case hex digits; anything else is a bad path.
fn call_id(raw: &str) -> ApiResult<&str> {
    let ok = raw.len() == 33
        && raw.starts_with('c')
        && raw[1..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        Ok(raw)
    } else {
        Err(Failure::bad_request(Some("id"), "not a call id"))
    }
}

/// `POST /api/v1/calls`: `{call_id}` once the call's record is committed. The progress
/// (and, for VoIP, the SDP answer to the device's offer) follows on the device's socket.
pub async fn start(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiJson(req): ApiJson<StartCallRequest>,
) -> ApiResult<Json<StartCallResponse>> {
    let call_id = st.calls.start_call(&me, req).await?;
    Ok(Json(StartCallResponse { call_id }))
}

/// `POST /api/v1/calls/{id}/hangup`: `204`; the end comes as `CallProgress{Ended}`.
pub async fn hangup(
    State(st): State<AppState>,
    me: AgentAuth,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    st.calls.hangup(&me, call_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/calls/{id}/hold` (R17): `204` once the music plays (or stopped).
pub async fn hold(
    State(st): State<AppState>,
    me: AgentAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<HoldRequest>,
) -> ApiResult<StatusCode> {
    st.calls.hold(&me, call_id(&id)?, req.on).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/calls/{id}/dtmf`: `204` once the digits are queued on the customer's
/// leg as RFC 4733 events.
pub async fn dtmf(
    State(st): State<AppState>,
    me: AgentAuth,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DtmfRequest>,
) -> ApiResult<StatusCode> {
    st.calls.dtmf(&me, call_id(&id)?, &req.digits).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_ids_are_checked() {
        assert!(call_id(&format!("c{}", "0a".repeat(16))).is_ok());
        for bad in [
            "",
            "c",
            "x0",
            &format!("c{}", "0A".repeat(16)),
            &"g".repeat(33),
        ] {
            assert!(call_id(bad).is_err(), "{bad}");
        }
    }
}
