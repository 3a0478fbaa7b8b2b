//! The calling agent's own state: status (R2..R9), answering (R4, R5), reception (R7).

use super::auth::AgentAuth;
use super::error::{ApiJson, ApiResult};
use super::{agent_write, AppState};
use crate::store::now_ms;
use axum::extract::State;
use axum::Json;
use seatline_proto::{AgentStatus, SetAnswerRequest, SetAnswerResponse, SetReceptionRequest};

/// `GET /api/v1/me`. `devices_online` lists the kinds with a live session (logged in),
/// whether or not their event socket is connected right now: a phone whose socket
/// dropped for a moment is still logged in and still reachable by push.
pub async fn status(State(st): State<AppState>, me: AgentAuth) -> ApiResult<Json<AgentStatus>> {
    Ok(Json(st.store.agent_status(me.agent_id, now_ms()).await?))
}

/// `PUT /api/v1/me/answer` (R4, R5, invariant 1). PC idle is PC answering on.
///
/// Refusals: `NoBoundNumber` (mobile without a bound number, R3), `LeaseHeld { holder }`
/// (the other device answers, R5). `AnswerLocked` (R31: a call rings or is being talked
/// on) is reserved for the call work and not raised yet.
pub async fn set_answer(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiJson(req): ApiJson<SetAnswerRequest>,
) -> ApiResult<Json<SetAnswerResponse>> {
    let AgentAuth {
        agent_id,
        session_id,
        device_kind,
        ..
    } = me;
    // Hook point for R31: once calls exist, refuse with `ErrorCode::AnswerLocked` here
    // while this agent has a ringing or active call on the device.
    let answer_holder = agent_write(&st, agent_id, move |store| async move {
        store
            .set_answer(agent_id, session_id, device_kind, req.on, now_ms())
            .await
    })
    .await?;
    Ok(Json(SetAnswerResponse { answer_holder }))
}

/// `PUT /api/v1/me/reception` (R7): remembered across logins; opening needs the
/// online-service package (`PackageMissing`). Answers with the agent's status.
pub async fn set_reception(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiJson(req): ApiJson<SetReceptionRequest>,
) -> ApiResult<Json<AgentStatus>> {
    let agent_id = me.agent_id;
    agent_write(&st, agent_id, move |store| async move {
        let delta = store.set_reception(agent_id, req.open).await?;
        Ok(((), delta))
    })
    .await?;
    Ok(Json(st.store.agent_status(agent_id, now_ms()).await?))
}
