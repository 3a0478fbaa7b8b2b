//! The REST API and the event socket, on the paths of `seatline_proto::paths`.

pub mod admin;
pub mod auth;
pub mod calls;
pub mod customers;
pub mod error;
pub mod events;
pub mod me;
pub mod openapi;
pub mod records;

use crate::calls::CallService;
use crate::config::ServeConfig;
use crate::hub::Hub;
use crate::store::{AgentDelta, Store, StoreError, StoreResult};
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use error::Failure;
use seatline_proto::{paths, ErrorCode};
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub hub: Arc<Hub>,
    pub config: Arc<ServeConfig>,
    /// VoIP and callback calls. Without a trunk (the default here) every call is refused
    /// with `NoRoute`; `cli::serve` starts the configured trunk and replaces it.
    pub calls: Arc<CallService>,
}

impl AppState {
    pub fn new(store: Store, config: ServeConfig) -> AppState {
        let hub = Hub::new(config.event_queue);
        let calls = CallService::without_trunk(store.clone(), hub.clone(), config.calls.clone());
        AppState {
            store,
            hub,
            config: Arc::new(config),
            calls: Arc::new(calls),
        }
    }
}

/// Path templates with `{id}` for the routes whose path carries an id.
pub const CUSTOMER_PATH: &str = "/api/v1/customers/{id}";
pub const CUSTOMER_CONTACTS_PATH: &str = "/api/v1/customers/{id}/contacts";
pub const ADMIN_AGENT_PATH: &str = "/api/v1/admin/agents/{id}";
pub const RECORD_PATH: &str = "/api/v1/records/{id}";
pub const CALL_HANGUP_PATH: &str = "/api/v1/calls/{id}/hangup";
pub const CALL_HOLD_PATH: &str = "/api/v1/calls/{id}/hold";
pub const CALL_DTMF_PATH: &str = "/api/v1/calls/{id}/dtmf";

/// Every (method, path) the router serves. The OpenAPI document must list exactly these
/// (a test checks it), and the integration tests call each of them.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", paths::HEALTH),
    ("GET", paths::OPENAPI),
    ("POST", paths::LOGIN),
    ("POST", paths::LOGOUT),
    ("POST", paths::ADMIN_LOGIN),
    ("GET", paths::ME),
    ("PUT", paths::ME_ANSWER),
    ("PUT", paths::ME_RECEPTION),
    ("GET", paths::CUSTOMERS),
    ("POST", paths::CUSTOMERS),
    ("GET", paths::CUSTOMER_CHANGES),
    ("GET", CUSTOMER_PATH),
    ("PATCH", CUSTOMER_PATH),
    ("POST", CUSTOMER_CONTACTS_PATH),
    ("GET", paths::EVENTS),
    ("GET", paths::ADMIN_AGENTS),
    ("POST", paths::ADMIN_AGENTS),
    ("PATCH", ADMIN_AGENT_PATH),
    ("PUT", paths::ADMIN_PHONE_FAULT),
    ("PUT", paths::ADMIN_MAIN_NUMBER),
    ("GET", paths::RECORDS),
    ("POST", paths::RECORDS),
    ("DELETE", RECORD_PATH),
    ("POST", paths::CALLS),
    ("POST", CALL_HANGUP_PATH),
    ("POST", CALL_HOLD_PATH),
    ("POST", CALL_DTMF_PATH),
];

pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::OPENAPI, get(openapi::serve))
        .route(paths::LOGIN, post(auth::login))
        .route(paths::LOGOUT, post(auth::logout))
        .route(paths::ADMIN_LOGIN, post(auth::admin_login))
        .route(paths::ME, get(me::status))
        .route(paths::ME_ANSWER, put(me::set_answer))
        .route(paths::ME_RECEPTION, put(me::set_reception))
        .route(
            paths::CUSTOMERS,
            get(customers::search).post(customers::create),
        )
        .route(paths::CUSTOMER_CHANGES, get(customers::changes))
        .route(CUSTOMER_PATH, get(customers::get).patch(customers::patch))
        .route(CUSTOMER_CONTACTS_PATH, post(customers::add_contact))
        .route(paths::EVENTS, get(events::upgrade))
        .route(paths::ADMIN_AGENTS, get(admin::list).post(admin::create))
        .route(ADMIN_AGENT_PATH, patch(admin::update))
        .route(paths::ADMIN_PHONE_FAULT, put(admin::set_phone_fault))
        .route(paths::ADMIN_MAIN_NUMBER, put(admin::set_main_number))
        .route(
            paths::RECORDS,
            get(records::list).post(records::upload_native),
        )
        .route(RECORD_PATH, delete(records::delete))
        .route(paths::CALLS, post(calls::start))
        .route(CALL_HANGUP_PATH, post(calls::hangup))
        .route(CALL_HOLD_PATH, post(calls::hold))
        .route(CALL_DTMF_PATH, post(calls::dtmf))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            Failure::internal().into_response()
        }))
        .with_state(state)
}

async fn health() -> &'static str {
    "ok"
}

/// Unknown paths, and known paths with a method they do not serve.
async fn not_found() -> Failure {
    Failure::code(ErrorCode::NotFound)
}

/// One line per request: method, path (ids only, never the query string, which may hold
/// a phone number: invariant 5), status and time.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let response = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status = response.status().as_u16();
    if method == Method::GET && path == paths::HEALTH {
        tracing::debug!(%method, %path, status, ms, "request");
    } else {
        tracing::info!(%method, %path, status, ms, "request");
    }
    response
}

/// Runs a store write that changes what an agent's devices see, then publishes its
/// events, holding the agent's ordering lock (see `hub`). It runs as its own task, so a
/// client that hangs up mid-request cannot leave a committed change unpublished.
pub(crate) async fn agent_write<T, F, Fut>(
    st: &AppState,
    agent_id: i64,
    op: F,
) -> Result<T, Failure>
where
    T: Send + 'static,
    F: FnOnce(Store) -> Fut + Send + 'static,
    Fut: Future<Output = StoreResult<(T, AgentDelta)>> + Send + 'static,
{
    let store = st.store.clone();
    let hub = st.hub.clone();
    let task = tokio::spawn(async move {
        let _order = hub.lock_agent(agent_id).await;
        let (value, delta) = op(store).await?;
        hub.publish(&delta);
        Ok::<T, StoreError>(value)
    });
    match task.await {
        Ok(result) => result.map_err(Failure::from),
        Err(e) => {
            tracing::error!(error = %e, "agent write task failed");
            Err(Failure::internal())
        }
    }
}

/// Runs a store write as its own task (same reason as [`agent_write`]).
pub(crate) async fn detached<T, Fut>(fut: Fut) -> Result<T, Failure>
where
    T: Send + 'static,
    Fut: Future<Output = Result<T, Failure>> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(result) => result,
        Err(e) => {
            tracing::error!(error = %e, "write task failed");
            Err(Failure::internal())
        }
    }
}
