//! The customer library (R15, R16, R40). Every route is scoped by the caller's
//! enterprise: another enterprise's customer id is `NotFound`, exactly like a missing one.

use super::auth::AgentAuth;
use super::error::{ApiJson, ApiPath, ApiQuery, ApiResult, Failure};
use super::{detached, AppState};
use crate::store::{now_ms, CustomerRecord, CustomerSearch};
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use seatline_proto::{
    ChangesQuery, Customer, CustomerChanges, CustomerPage, CustomerPatch, CustomerQuery, ErrorCode,
    Event, NewContact, NewCustomer, PatchOutcome,
};

const DEFAULT_LIMIT: u32 = 50;
/// The changes feed pages larger than a search: a device pulls the whole library
/// through it (the core asks for 500 at a time).
pub const CHANGES_MAX_LIMIT: u32 = 1000;
const CHANGES_DEFAULT_LIMIT: u32 = 500;

fn check_limit(limit: Option<u32>, default: u32, max: u32) -> ApiResult<i64> {
    let limit = limit.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(Failure::bad_request(
            Some("limit"),
            format!("limit must be 1..={max}"),
        ));
    }
    Ok(i64::from(limit))
}

/// `GET /api/v1/customers?q=&mine=&limit=&offset=`.
pub async fn search(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> ApiResult<Json<CustomerPage>> {
    let q = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
    if let Some(q) = q {
        if q.chars().count() > CustomerQuery::MAX_Q_CHARS {
            return Err(Failure::bad_request(
                Some("q"),
                "q is longer than 64 characters",
            ));
        }
        if q.chars().any(char::is_control) {
            return Err(Failure::bad_request(
                Some("q"),
                "q contains control characters",
            ));
        }
    }
    let search = CustomerSearch {
        q: q.map(str::to_string),
        owner: query.mine.then_some(me.agent_id),
        limit: check_limit(query.limit, DEFAULT_LIMIT, CustomerQuery::MAX_LIMIT)?,
        offset: i64::from(query.offset.unwrap_or(0)),
    };
    Ok(Json(
        st.store.search_customers(me.enterprise_id, &search).await?,
    ))
}

/// `POST /api/v1/customers` (R15): 201 with the customer, or 409 `DuplicateCustomer`.
pub async fn create(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiJson(new): ApiJson<NewCustomer>,
) -> ApiResult<(StatusCode, Json<Customer>)> {
    let record = CustomerRecord {
        mobile: new.mobile,
        name: new.name,
        company: new.company,
        title: new.title,
        owner_agent_id: new.owned_by_me.then_some(me.agent_id),
        contacts: Vec::new(),
    };
    let customer = detached(async move {
        let c = st
            .store
            .create_customer(me.enterprise_id, &record, now_ms())
            .await?;
        st.hub.to_enterprise(
            me.enterprise_id,
            Event::CustomersChanged {
                change_seq: c.change_seq,
            },
        );
        Ok(c)
    })
    .await?;
    tracing::info!(customer_id = customer.id, "customer added");
    Ok((StatusCode::CREATED, Json(customer)))
}

/// `GET /api/v1/customers/{id}`.
pub async fn get(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Customer>> {
    let customer = st.store.customer(me.enterprise_id, id).await?;
    customer
        .map(Json)
        .ok_or_else(|| Failure::code(ErrorCode::NotFound))
}

/// `PATCH /api/v1/customers/{id}` with the three-way rule (see `CustomerPatch`). An
/// agent moves owners only between the public pool and themselves: both `from` and `to`
/// of an owner change must be `null` or the caller (else `Forbidden`).
pub async fn patch(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(patch): ApiJson<CustomerPatch>,
) -> ApiResult<Json<PatchOutcome>> {
    if let Some(owner) = &patch.owner_agent_id {
        let mine_or_pool = |v: Option<i64>| v.is_none() || v == Some(me.agent_id);
        if !mine_or_pool(owner.from) || !mine_or_pool(owner.to) {
            return Err(Failure::code(ErrorCode::Forbidden));
        }
    }
    let outcome = detached(async move {
        let (outcome, changed) = st
            .store
            .patch_customer(me.enterprise_id, id, &patch, now_ms())
            .await?;
        if changed {
            let change_seq = outcome.customer.change_seq;
            st.hub
                .to_enterprise(me.enterprise_id, Event::CustomersChanged { change_seq });
        }
        Ok(outcome)
    })
    .await?;
    Ok(Json(outcome))
}

/// `POST /api/v1/customers/{id}/contacts` (R15: five kinds). A method already on the
/// card is a no-op; the answer is the customer either way.
pub async fn add_contact(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(contact): ApiJson<NewContact>,
) -> ApiResult<Json<Customer>> {
    let value = contact.kind.validate(&contact.value)?;
    let customer = detached(async move {
        let (c, added) = st
            .store
            .add_contact(me.enterprise_id, id, contact.kind, &value, now_ms())
            .await?;
        if added {
            st.hub.to_enterprise(
                me.enterprise_id,
                Event::CustomersChanged {
                    change_seq: c.change_seq,
                },
            );
        }
        Ok(c)
    })
    .await?;
    Ok(Json(customer))
}

/// `GET /api/v1/customers/changes?since=N&limit=`: the sync feed, in change order;
/// `limit` 1..=1000, default 500.
pub async fn changes(
    State(st): State<AppState>,
    me: AgentAuth,
    ApiQuery(query): ApiQuery<ChangesQuery>,
) -> ApiResult<Json<CustomerChanges>> {
    if query.since < 0 {
        return Err(Failure::bad_request(
            Some("since"),
            "since must not be negative",
        ));
    }
    let limit = check_limit(query.limit, CHANGES_DEFAULT_LIMIT, CHANGES_MAX_LIMIT)?;
    Ok(Json(
        st.store
            .customer_changes(me.enterprise_id, query.since, limit)
            .await?,
    ))
}
