//! Call records (R38) and native calls' uploads (R12). An agent sees and deletes only
//! their own records; another agent's or enterprise's record id is `NotFound`, exactly
//! like a missing one. Every write is committed before the answer (invariant 3) and then
//! announced to the agent's devices as `RecordsChanged`.

use super::auth::AgentAuth;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Failure};
use super::{detached, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatline_proto::{
    CallRecord, DeviceKind, ErrorCode, Event, NativeCallRecord, RecordPage, RecordQuery,
};

/// A native call's `client_ref`: chosen by the device, 1..=64 of `[A-Za-z0-9_-]` (it
/// becomes part of the record's call id).
pub const CLIENT_REF_MAX: usize = 64;

fn check_native(r: &NativeCallRecord) -> ApiResult<()> {
    let ok_ref = !r.client_ref.is_empty()
        && r.client_ref.len() <= CLIENT_REF_MAX
        && r.client_ref
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok_ref {
        return Err(Failure::bad_request(
            Some("client_ref"),
            format!("client_ref must be 1..={CLIENT_REF_MAX} of A-Z a-z 0-9 _ -"),
        ));
    }
    if r.started_at_ms <= 0 {
        return Err(Failure::bad_request(
            Some("started_at_ms"),
            "started_at_ms must be a positive Unix time in milliseconds",
        ));
    }
    if r.ended_at_ms.is_some_and(|end| end < r.started_at_ms) {
        return Err(Failure::bad_request(
            Some("ended_at_ms"),
            "ended_at_ms must not be before started_at_ms",
        ));
    }
    Ok(())
}

/// `GET /api/v1/records?number=&before=&limit=` (R38): the agent's records, newest
/// first; `number` lists every call with that number; `limit` 1..=200 (default 50).
pub async fn list(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiQuery(query): ApiQuery<RecordQuery>,
) -> ApiResult<Json<RecordPage>> {
    Ok(Json(
        st.store
            .list_records(me.enterprise_id, me.agent_id, &query)
            .await?,
    ))
}

/// `POST /api/v1/records` (R12): the record of a native call, uploaded by the phone that
/// made it. Mobile only: a PC has no native calls (`Forbidden`). Idempotent by
/// `client_ref`; a retry that knows the end fills it in. 201 with the record.
pub async fn upload_native(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiJson(record): ApiJson<NativeCallRecord>,
) -> ApiResult<(StatusCode, Json<CallRecord>)> {
    if me.device_kind != DeviceKind::Mobile {
        return Err(Failure(seatline_proto::ApiError::new(
            ErrorCode::Forbidden,
            "native calls are made on a mobile device only (R12)",
        )));
    }
    check_native(&record)?;
    let saved = detached(async move {
        let id = st
            .store
            .record_native_call(me.enterprise_id, me.agent_id, me.device_kind, &record)
            .await?;
        st.hub.to_agent(me.agent_id, Event::RecordsChanged);
        let saved = st.store.record(me.enterprise_id, me.agent_id, id).await?;
        saved.ok_or_else(Failure::internal)
    })
    .await?;
    tracing::info!(record_id = saved.id, "native call recorded");
    Ok((StatusCode::CREATED, Json(saved)))
}

/// `DELETE /api/v1/records/{id}` (R38): needs the administrator's permission
/// (`Forbidden` without it). 204.
pub async fn delete(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    detached(async move {
        st.store
            .delete_record(me.enterprise_id, me.agent_id, id)
            .await?;
        st.hub.to_agent(me.agent_id, Event::RecordsChanged);
        Ok(())
    })
    .await?;
    tracing::info!(
        record_id = id,
        agent_id = me.agent_id,
        "call record deleted"
    );
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatline_proto::PhoneNumber;

    fn native(client_ref: &str, start: i64, end: Option<i64>) -> NativeCallRecord {
        NativeCallRecord {
            client_ref: client_ref.into(),
            number: PhoneNumber::parse("13700001111").expect("number"),
            started_at_ms: start,
            ended_at_ms: end,
        }
    }

    #[test]
    fn native_uploads_are_checked_at_the_edge() {
        assert!(check_native(&native("a-1_B", 1, None)).is_ok());
        assert!(check_native(&native("a", 5, Some(5))).is_ok());
        assert!(check_native(&native("", 1, None)).is_err());
        assert!(check_native(&native("a b", 1, None)).is_err());
        assert!(check_native(&native("号", 1, None)).is_err());
        assert!(check_native(&native(&"x".repeat(65), 1, None)).is_err());
        assert!(check_native(&native("a", 0, None)).is_err());
        assert!(check_native(&native("a", 10, Some(9))).is_err());
    }
}
