//! Administration of the administrator's own enterprise: list, create and update agents.
//! Another enterprise's agent id is `NotFound`.

use super::auth::AdminAuth;
use super::error::{ApiJson, ApiPath, ApiResult};
use super::{agent_write, AppState};
use crate::auth::password;
use crate::store::{now_ms, AgentChanges};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatline_proto::{
    AgentSummary, AgentUpdate, Event, NewAgent, SetMainNumberRequest, SetPhoneFaultRequest,
};

/// `GET /api/v1/admin/agents`.
pub async fn list(
    State(st): State<AppState>,
    admin: AdminAuth,
) -> ApiResult<Json<Vec<AgentSummary>>> {
    Ok(Json(
        st.store.list_agents(admin.enterprise_id, now_ms()).await?,
    ))
}

/// `POST /api/v1/admin/agents` (R1: the administrator assigns job number and password).
/// A job number already used in the enterprise is `bad_request` on `job_number`.
pub async fn create(
    State(st): State<AppState>,
    admin: AdminAuth,
    ApiJson(new): ApiJson<NewAgent>,
) -> ApiResult<(StatusCode, Json<AgentSummary>)> {
    let hash = password::hash(new.password.expose().to_string()).await?;
    let now = now_ms();
    let id = st
        .store
        .create_agent(
            admin.enterprise_id,
            &new.job_number,
            new.display_name.as_str(),
            &hash,
            new.bound_number.as_ref(),
            now,
        )
        .await?;
    tracing::info!(agent_id = id, admin_id = admin.admin_id, "agent created");
    let summary = st.store.agent_summary(admin.enterprise_id, id, now).await?;
    Ok((StatusCode::CREATED, Json(summary)))
}

/// `PATCH /api/v1/admin/agents/{id}`. Disabling ends the agent's sessions
/// (`SessionEnded { AccountDisabled }`); unbinding the number releases a mobile lease.
pub async fn update(
    State(st): State<AppState>,
    admin: AdminAuth,
    ApiPath(agent_id): ApiPath<i64>,
    ApiJson(update): ApiJson<AgentUpdate>,
) -> ApiResult<Json<AgentSummary>> {
    let password_hash = match update.password {
        Some(p) => Some(password::hash(p.expose().to_string()).await?),
        None => None,
    };
    let changes = AgentChanges {
        display_name: update.display_name,
        password_hash,
        bound_number: update.bound_number,
        disabled: update.disabled,
        can_delete_records: update.can_delete_records,
    };
    let enterprise_id = admin.enterprise_id;
    agent_write(&st, agent_id, move |store| async move {
        let delta = store
            .update_agent(enterprise_id, agent_id, &changes, now_ms())
            .await?;
        Ok(((), delta))
    })
    .await?;
    tracing::info!(agent_id, admin_id = admin.admin_id, "agent updated");
    Ok(Json(
        st.store
            .agent_summary(enterprise_id, agent_id, now_ms())
            .await?,
    ))
}

/// `PUT /api/v1/admin/phone-fault` (R9): every device of the enterprise reads 电话异常
/// and refuses to dial until it is cleared. Durable first, then announced.
pub async fn set_phone_fault(
    State(st): State<AppState>,
    admin: AdminAuth,
    ApiJson(req): ApiJson<SetPhoneFaultRequest>,
) -> ApiResult<StatusCode> {
    st.store
        .set_phone_fault(admin.enterprise_id, req.active)
        .await?;
    st.hub.to_enterprise(
        admin.enterprise_id,
        Event::PhoneFault { active: req.active },
    );
    tracing::info!(
        admin_id = admin.admin_id,
        active = req.active,
        "phone fault set"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// `PUT /api/v1/admin/main-number` (R12): the number VoIP and callback calls show to
/// customers. Durable before the 204.
pub async fn set_main_number(
    State(st): State<AppState>,
    admin: AdminAuth,
    ApiJson(req): ApiJson<SetMainNumberRequest>,
) -> ApiResult<StatusCode> {
    st.store
        .set_main_number(admin.enterprise_id, &req.number)
        .await?;
    tracing::info!(admin_id = admin.admin_id, "main number set");
    Ok(StatusCode::NO_CONTENT)
}
