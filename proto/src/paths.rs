//! REST and WebSocket paths, shared so the client and server cannot drift apart.

pub const HEALTH: &str = "/healthz";
pub const OPENAPI: &str = "/api/v1/openapi.json";

pub const LOGIN: &str = "/api/v1/auth/login";
pub const LOGOUT: &str = "/api/v1/auth/logout";
pub const ADMIN_LOGIN: &str = "/api/v1/admin/login";

/// The logged-in agent's status snapshot (`GET`).
pub const ME: &str = "/api/v1/me";
/// Turn this device's answering on or off (`PUT`, R4/R5).
pub const ME_ANSWER: &str = "/api/v1/me/answer";
/// Open or close chat reception (`PUT`, R7).
pub const ME_RECEPTION: &str = "/api/v1/me/reception";

/// `GET` search/list, `POST` create.
pub const CUSTOMERS: &str = "/api/v1/customers";
/// `GET ?since=N`: the enterprise's customer changes after change sequence N.
pub const CUSTOMER_CHANGES: &str = "/api/v1/customers/changes";
/// `GET`, `PATCH` one customer: append the id.
pub fn customer(id: i64) -> String {
    format!("{CUSTOMERS}/{id}")
}
/// `POST` a contact method to a customer.
pub fn customer_contacts(id: i64) -> String {
    format!("{CUSTOMERS}/{id}/contacts")
}

/// `GET` with `Upgrade: websocket` and the bearer token: the device's event stream.
pub const EVENTS: &str = "/api/v1/events";

/// Administrator: `GET` list, `POST` create agents of the administrator's enterprise.
pub const ADMIN_AGENTS: &str = "/api/v1/admin/agents";
/// Administrator: `PUT` the enterprise's phone fault (R9) on or off. The trunk monitor of
/// the voice work sets it by itself; an operator can declare or clear an outage here.
pub const ADMIN_PHONE_FAULT: &str = "/api/v1/admin/phone-fault";
/// Administrator: `PUT` the enterprise's main number (R12), shown to customers on VoIP
/// and callback calls.
pub const ADMIN_MAIN_NUMBER: &str = "/api/v1/admin/main-number";

pub fn admin_agent(id: i64) -> String {
    format!("{ADMIN_AGENTS}/{id}")
}

/// `POST` a VoIP or callback call (R12, R13).
pub const CALLS: &str = "/api/v1/calls";
/// `POST` hang up one call.
pub fn call_hangup(call_id: &str) -> String {
    format!("{CALLS}/{call_id}/hangup")
}
/// `POST` hold or resume one call (R17).
pub fn call_hold(call_id: &str) -> String {
    format!("{CALLS}/{call_id}/hold")
}
/// `POST` DTMF digits into one call.
pub fn call_dtmf(call_id: &str) -> String {
    format!("{CALLS}/{call_id}/dtmf")
}

/// `GET` the agent's call records (R38), `POST` a native call's record.
pub const RECORDS: &str = "/api/v1/records";
/// `DELETE` one record (needs the permission, R38).
pub fn record(id: i64) -> String {
    format!("{RECORDS}/{id}")
}
