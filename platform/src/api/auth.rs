//! Logins (R1), logout, and the bearer-token extractors every other route uses.
//!
//! Agent tokens and administrator tokens are separate principals: an agent token on an
//! administrator route (and the reverse) is `Forbidden`, not `Unauthorized`.

use super::error::{ApiJson, ApiResult, Failure};
use super::{agent_write, AppState};
use crate::auth::{password, throttle, token};
use crate::store::{now_ms, LoginCandidate, LoginScope, NewSession, Principal, SessionInfo};
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::Json;
use seatline_proto::{
    AdminLoginRequest, AdminLoginResponse, DeviceKind, ErrorCode, LoginRequest, LoginResponse,
};

/// A request made with an agent's token.
#[derive(Debug, Clone, Copy)]
pub struct AgentAuth {
    pub session_id: i64,
    pub enterprise_id: i64,
    pub agent_id: i64,
    pub device_kind: DeviceKind,
}

/// A request made with an administrator's token.
#[derive(Debug, Clone, Copy)]
pub struct AdminAuth {
    pub session_id: i64,
    pub enterprise_id: i64,
    pub admin_id: i64,
}

/// A request made with any live token (logout).
#[derive(Debug, Clone, Copy)]
pub struct AnyAuth(pub SessionInfo);

async fn authenticate(parts: &Parts, st: &AppState) -> ApiResult<SessionInfo> {
    let unauthorized = || Failure::code(ErrorCode::Unauthorized);
    let header = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unauthorized)?;
    let token = token::from_bearer(header).ok_or_else(unauthorized)?;
    st.store
        .session_by_token(&token::hash(token), now_ms())
        .await?
        .ok_or_else(unauthorized)
}

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Failure> {
        authenticate(parts, st).await.map(AnyAuth)
    }
}

impl FromRequestParts<AppState> for AgentAuth {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Failure> {
        let s = authenticate(parts, st).await?;
        match s.principal {
            Principal::Agent {
                agent_id,
                device_kind,
            } => Ok(AgentAuth {
                session_id: s.session_id,
                enterprise_id: s.enterprise_id,
                agent_id,
                device_kind,
            }),
            Principal::Admin { .. } => Err(Failure::code(ErrorCode::Forbidden)),
        }
    }
}

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Failure> {
        let s = authenticate(parts, st).await?;
        match s.principal {
            Principal::Admin { admin_id } => Ok(AdminAuth {
                session_id: s.session_id,
                enterprise_id: s.enterprise_id,
                admin_id,
            }),
            Principal::Agent { .. } => Err(Failure::code(ErrorCode::Forbidden)),
        }
    }
}

/// Refuses the attempt while the login name is locked by the throttle.
async fn check_throttle(
    st: &AppState,
    scope: LoginScope,
    code: &str,
    login: &str,
) -> ApiResult<()> {
    let locked_until = st.store.login_locked_until(scope, code, login).await?;
    if let Some(retry_after_s) = locked_until.and_then(|t| throttle::retry_after_s(t, now_ms())) {
        return Err(Failure::code(ErrorCode::TooManyAttempts { retry_after_s }));
    }
    Ok(())
}

async fn failed(
    st: &AppState,
    scope: LoginScope,
    code: &str,
    login: &str,
    error: ErrorCode,
) -> Failure {
    match st
        .store
        .record_login_failure(scope, code, login, now_ms(), throttle::lock_ms)
        .await
    {
        Ok(failures) => {
            tracing::info!(scope = ?scope, failures, "login refused");
            Failure::code(error)
        }
        Err(e) => Failure::from(e),
    }
}

/// Checks the password of an account a login named, counting a failure if it is wrong.
async fn check_password(
    st: &AppState,
    scope: LoginScope,
    code: &str,
    login: &str,
    password: &seatline_proto::Password,
    candidate: &LoginCandidate,
) -> ApiResult<()> {
    let ok = password::verify(
        password.expose().to_string(),
        candidate.password_hash.clone(),
    )
    .await?;
    if !ok {
        return Err(failed(st, scope, code, login, ErrorCode::WrongPassword).await);
    }
    Ok(())
}

/// `POST /api/v1/auth/login` (R1, R2): starts the device's session. A session of the
/// same agent on the same kind of device ends (`SessionEnded { ReplacedByNewLogin }`)
/// and a lease it held is released.
pub async fn login(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let scope = LoginScope::Agent;
    let (code, job) = (req.enterprise.as_str(), req.job_number.as_str());
    check_throttle(&st, scope, code, job).await?;
    let Some(agent) = st
        .store
        .agent_login(&req.enterprise, &req.job_number)
        .await?
    else {
        return Err(failed(&st, scope, code, job, ErrorCode::UnknownJobNumber).await);
    };
    check_password(&st, scope, code, job, &req.password, &agent).await?;
    if agent.disabled {
        return Err(Failure::code(ErrorCode::AccountDisabled));
    }
    st.store.clear_login_failures(scope, code, job).await?;

    let (token, token_hash) = token::generate();
    let now = now_ms();
    let expires_at_ms = now.saturating_add(st.config.session_ttl_ms());
    let (kind, device_id) = (req.device_kind, req.device_id.as_str().to_string());
    let agent_id = agent.id;
    agent_write(&st, agent_id, move |store| async move {
        let new = NewSession {
            token_hash: &token_hash,
            now_ms: now,
            expires_at_ms,
        };
        store
            .start_agent_session(agent_id, kind, &device_id, &new)
            .await
    })
    .await?;
    tracing::info!(agent_id, device_kind = kind.as_str(), "agent logged in");
    let status = st.store.agent_status(agent_id, now_ms()).await?;
    Ok(Json(LoginResponse {
        token,
        expires_at_ms,
        status,
    }))
}

/// `POST /api/v1/auth/logout`: ends the calling session (agent or administrator) and
/// releases a lease it held.
pub async fn logout(State(st): State<AppState>, AnyAuth(s): AnyAuth) -> ApiResult<StatusCode> {
    match s.principal {
        Principal::Agent { agent_id, .. } => {
            let session_id = s.session_id;
            agent_write(&st, agent_id, move |store| async move {
                let delta = store.end_session(session_id, now_ms()).await?;
                Ok(((), delta.unwrap_or_default()))
            })
            .await?;
        }
        Principal::Admin { .. } => {
            st.store.end_session(s.session_id, now_ms()).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/admin/login`. An unknown user name is answered like a wrong password:
/// administrator names are not shown to anyone.
pub async fn admin_login(
    State(st): State<AppState>,
    ApiJson(req): ApiJson<AdminLoginRequest>,
) -> ApiResult<Json<AdminLoginResponse>> {
    let scope = LoginScope::Admin;
    let (code, user) = (req.enterprise.as_str(), req.username.as_str());
    check_throttle(&st, scope, code, user).await?;
    let Some(admin) = st.store.admin_login(&req.enterprise, user).await? else {
        return Err(failed(&st, scope, code, user, ErrorCode::WrongPassword).await);
    };
    check_password(&st, scope, code, user, &req.password, &admin).await?;
    st.store.clear_login_failures(scope, code, user).await?;
    let (token, token_hash) = token::generate();
    let now = now_ms();
    let expires_at_ms = now.saturating_add(st.config.session_ttl_ms());
    let new = NewSession {
        token_hash: &token_hash,
        now_ms: now,
        expires_at_ms,
    };
    st.store
        .start_admin_session(admin.id, admin.enterprise_id, &new)
        .await?;
    tracing::info!(admin_id = admin.id, "administrator logged in");
    Ok(Json(AdminLoginResponse {
        token,
        expires_at_ms,
    }))
}
