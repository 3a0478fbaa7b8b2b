//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`.
//!
//! Hand-maintained rather than derived: deriving schemas would put a documentation
//! dependency into `seatline-proto`, which every device target compiles. A unit test
//! keeps it in step with the router: every route in `api::ROUTES` is documented and
//! nothing else is.

use super::ROUTES;
use axum::Json;
use serde_json::{json, Map, Value};

pub async fn serve() -> Json<Value> {
    Json(document())
}

fn schema(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn body(name: &str) -> Value {
    json!({ "required": true, "content": { "application/json": { "schema": schema(name) } } })
}

fn ok(status: &str, description: &str, name: Option<&str>) -> Value {
    let mut responses = Map::new();
    let mut r = json!({ "description": description });
    if let Some(n) = name {
        r["content"] = json!({ "application/json": { "schema": schema(n) } });
    }
    responses.insert(status.into(), r);
    responses.insert(
        "default".into(),
        json!({
            "description": "ApiError: the HTTP status follows the error code",
            "content": { "application/json": { "schema": schema("ApiError") } }
        }),
    );
    Value::Object(responses)
}

fn op(summary: &str, auth: Option<&str>, request: Option<Value>, responses: Value) -> Value {
    let mut o = json!({ "summary": summary, "responses": responses });
    if let Some(scheme) = auth {
        o["security"] = json!([{ scheme: [] }]);
    }
    if let Some(r) = request {
        o["requestBody"] = r;
    }
    o
}

fn id_param() -> Value {
    json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }])
}

fn query(params: &[(&str, &str, bool)]) -> Value {
    Value::Array(
        params
            .iter()
            .map(|(name, ty, required)| {
                json!({ "name": name, "in": "query", "required": required, "schema": { "type": ty } })
            })
            .collect(),
    )
}

fn obj(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "additionalProperties": false, "required": required, "properties": props })
}

fn nullable(name: &str) -> Value {
    json!({ "oneOf": [schema(name), { "type": "null" }] })
}

fn change_of(of: Value) -> Value {
    obj(&["from", "to"], json!({ "from": of.clone(), "to": of }))
}

fn schemas() -> Value {
    let int = json!({ "type": "integer" });
    let boolean = json!({ "type": "boolean" });
    let string = json!({ "type": "string" });
    let nullable_int = json!({ "type": ["integer", "null"] });
    let entries: Vec<(&str, Value)> = vec![
        (
            "DeviceKind",
            json!({ "type": "string", "enum": ["pc", "mobile"] }),
        ),
        (
            "ContactKind",
            json!({ "type": "string", "enum": ["mobile", "landline", "email", "wechat", "qq"] }),
        ),
        (
            "PhoneNumber",
            json!({ "type": "string", "pattern": "^\\+?[0-9]{3,20}$" }),
        ),
        (
            "CardText",
            json!({ "type": "string", "minLength": 1, "maxLength": 100,
                      "description": "trimmed, no control characters" }),
        ),
        (
            "EnterpriseCode",
            json!({ "type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$" }),
        ),
        (
            "JobNumber",
            json!({ "type": "string", "pattern": "^[A-Za-z0-9._-]{1,32}$" }),
        ),
        (
            "ApiError",
            json!({
                "type": "object",
                "required": ["code", "message"],
                "description": "Flattened ErrorCode: `code` plus the variant's fields (field, retry_after_s, holder, package, existing_id).",
                "properties": {
                    "code": { "type": "string", "enum": [
                        "bad_request", "payload_too_large", "unauthorized", "forbidden",
                        "unknown_job_number", "wrong_password", "account_disabled",
                        "too_many_attempts", "lease_held", "no_bound_number", "answer_locked",
                        "package_missing", "duplicate_customer", "not_found", "internal"] },
                    "message": string,
                    "field": { "type": ["string", "null"] },
                    "retry_after_s": int,
                    "holder": schema("DeviceKind"),
                    "package": string,
                    "existing_id": int
                }
            }),
        ),
        (
            "LoginRequest",
            obj(
                &[
                    "enterprise",
                    "job_number",
                    "password",
                    "device_kind",
                    "device_id",
                ],
                json!({
            "enterprise": schema("EnterpriseCode"), "job_number": schema("JobNumber"),
            "password": string, "device_kind": schema("DeviceKind"), "device_id": string }),
            ),
        ),
        (
            "LoginResponse",
            obj(
                &["token", "expires_at_ms", "status"],
                json!({
            "token": string, "expires_at_ms": int, "status": schema("AgentStatus") }),
            ),
        ),
        (
            "AdminLoginRequest",
            obj(
                &["enterprise", "username", "password"],
                json!({
            "enterprise": schema("EnterpriseCode"), "username": string, "password": string }),
            ),
        ),
        (
            "AdminLoginResponse",
            obj(
                &["token", "expires_at_ms"],
                json!({
            "token": string, "expires_at_ms": int }),
            ),
        ),
        (
            "AgentProfile",
            obj(
                &[
                    "agent_id",
                    "enterprise",
                    "enterprise_name",
                    "job_number",
                    "display_name",
                    "bound_number",
                    "has_online_service",
                ],
                json!({
            "agent_id": int, "enterprise": schema("EnterpriseCode"), "enterprise_name": string,
            "job_number": schema("JobNumber"), "display_name": string,
            "bound_number": nullable("PhoneNumber"), "has_online_service": boolean,
            "can_delete_records": boolean }),
            ),
        ),
        (
            "AgentStatus",
            obj(
                &[
                    "profile",
                    "answer_holder",
                    "reception_open",
                    "devices_online",
                    "phone_fault",
                ],
                json!({
            "profile": schema("AgentProfile"), "answer_holder": nullable("DeviceKind"),
            "reception_open": boolean,
            "devices_online": { "type": "array", "items": schema("DeviceKind"),
                                "description": "kinds with a live (logged-in) session" },
            "phone_fault": boolean }),
            ),
        ),
        ("SetAnswerRequest", obj(&["on"], json!({ "on": boolean }))),
        (
            "SetAnswerResponse",
            obj(
                &["answer_holder"],
                json!({ "answer_holder": nullable("DeviceKind") }),
            ),
        ),
        (
            "SetPhoneFaultRequest",
            obj(&["active"], json!({ "active": boolean })),
        ),
        (
            "SetReceptionRequest",
            obj(&["open"], json!({ "open": boolean })),
        ),
        (
            "ContactMethod",
            obj(
                &["kind", "value"],
                json!({ "kind": schema("ContactKind"), "value": string }),
            ),
        ),
        (
            "Customer",
            obj(
                &[
                    "id",
                    "mobile",
                    "name",
                    "company",
                    "title",
                    "owner_agent_id",
                    "contacts",
                    "change_seq",
                    "created_at_ms",
                    "updated_at_ms",
                ],
                json!({
            "id": int, "mobile": schema("PhoneNumber"), "name": nullable("CardText"),
            "company": nullable("CardText"), "title": nullable("CardText"),
            "owner_agent_id": nullable_int.clone(),
            "contacts": { "type": "array", "items": schema("ContactMethod") },
            "change_seq": int, "created_at_ms": int, "updated_at_ms": int }),
            ),
        ),
        (
            "NewCustomer",
            obj(
                &["mobile"],
                json!({
            "mobile": schema("PhoneNumber"), "name": nullable("CardText"),
            "company": nullable("CardText"), "title": nullable("CardText"), "owned_by_me": boolean }),
            ),
        ),
        (
            "CustomerPatch",
            obj(
                &[],
                json!({
            "name": change_of(nullable("CardText")), "company": change_of(nullable("CardText")),
            "title": change_of(nullable("CardText")), "owner_agent_id": change_of(nullable_int) }),
            ),
        ),
        (
            "FieldConflict",
            obj(
                &["field", "yours", "kept"],
                json!({ "field": string, "yours": {}, "kept": {} }),
            ),
        ),
        (
            "PatchOutcome",
            obj(
                &["customer", "conflicts"],
                json!({
            "customer": schema("Customer"),
            "conflicts": { "type": "array", "items": schema("FieldConflict") } }),
            ),
        ),
        (
            "NewContact",
            obj(
                &["kind", "value"],
                json!({ "kind": schema("ContactKind"), "value": string }),
            ),
        ),
        (
            "CustomerPage",
            obj(
                &["customers", "total"],
                json!({
            "customers": { "type": "array", "items": schema("Customer") }, "total": int }),
            ),
        ),
        (
            "CustomerChanges",
            obj(
                &["customers", "next", "more"],
                json!({
            "customers": { "type": "array", "items": schema("Customer") }, "next": int, "more": boolean }),
            ),
        ),
        (
            "NewAgent",
            obj(
                &["job_number", "display_name", "password"],
                json!({
            "job_number": schema("JobNumber"), "display_name": schema("CardText"), "password": string,
            "bound_number": nullable("PhoneNumber") }),
            ),
        ),
        (
            "AgentUpdate",
            obj(
                &[],
                json!({
            "display_name": schema("CardText"), "password": string,
            "bound_number": nullable("PhoneNumber"), "disabled": boolean,
            "can_delete_records": boolean }),
            ),
        ),
        (
            "AgentSummary",
            obj(
                &[
                    "agent_id",
                    "job_number",
                    "display_name",
                    "bound_number",
                    "disabled",
                    "devices_online",
                    "answer_holder",
                ],
                json!({
            "agent_id": int, "job_number": schema("JobNumber"), "display_name": string,
            "bound_number": nullable("PhoneNumber"), "disabled": boolean,
            "devices_online": { "type": "array", "items": schema("DeviceKind") },
            "answer_holder": nullable("DeviceKind"), "can_delete_records": boolean }),
            ),
        ),
        // Call records (R12, R16, R38).
        (
            "CallDirection",
            json!({ "type": "string", "enum": ["outbound", "inbound"] }),
        ),
        (
            "CallMethod",
            json!({ "type": "string", "enum": ["voip", "callback", "native"] }),
        ),
        (
            "CallOutcome",
            json!({ "type": "string", "enum": ["answered", "busy", "no_answer", "rejected",
                      "failed", "agent_no_answer", "missed"] }),
        ),
        (
            "CallRecord",
            json!({ "type": "object",
                "required": ["id", "call_id", "direction", "method", "device", "number",
                             "customer_name", "started_at_ms", "answered_at_ms",
                             "ended_at_ms", "outcome"],
                "properties": {
                    "id": int, "call_id": string, "direction": schema("CallDirection"),
                    "method": schema("CallMethod"), "device": schema("DeviceKind"),
                    "number": schema("PhoneNumber"),
                    "customer_name": { "type": ["string", "null"],
                                       "description": "the library's name for the number (R16)" },
                    "started_at_ms": int, "answered_at_ms": json!({ "type": ["integer", "null"] }),
                    "ended_at_ms": json!({ "type": ["integer", "null"] }),
                    "outcome": { "oneOf": [schema("CallOutcome"), { "type": "null" }],
                                 "description": "null while the call goes on, and for native calls" } } }),
        ),
        (
            "RecordPage",
            obj(
                &["records", "next_before"],
                json!({ "records": { "type": "array", "items": schema("CallRecord") },
                        "next_before": json!({ "type": ["integer", "null"] }) }),
            ),
        ),
        (
            "NativeCallRecord",
            obj(
                &["client_ref", "number", "started_at_ms"],
                json!({ "client_ref": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" },
                        "number": schema("PhoneNumber"), "started_at_ms": int,
                        "ended_at_ms": json!({ "type": ["integer", "null"] }) }),
            ),
        ),
        (
            "SetMainNumberRequest",
            obj(&["number"], json!({ "number": schema("PhoneNumber") })),
        ),
        // Calls (R12, R13, R17).
        (
            "StartCallRequest",
            obj(
                &["method", "number"],
                json!({
                "method": { "type": "string", "enum": ["voip", "callback"],
                            "description": "native calls are uploaded to /records instead" },
                "number": schema("PhoneNumber") }),
            ),
        ),
        (
            "StartCallResponse",
            obj(
                &["call_id"],
                json!({ "call_id": { "type": "string", "pattern": "^c[0-9a-f]{32}$" } }),
            ),
        ),
        (
            "HoldRequest",
            obj(&["on"], json!({ "on": { "type": "boolean" } })),
        ),
        (
            "DtmfRequest",
            obj(
                &["digits"],
                json!({ "digits": { "type": "string", "pattern": "^[0-9*#A-D]{1,32}$" } }),
            ),
        ),
        (
            "EventFrame",
            json!({
                "type": "object", "required": ["seq", "at_ms", "event"],
                "properties": { "seq": int, "at_ms": int, "event": {
                    "type": "object", "required": ["type"],
                    "description": "Tagged by `type`: hello{status}, answer_changed{holder}, reception_changed{open}, devices_changed{online}, phone_fault{active}, customers_changed{change_seq}, session_ended{reason}, records_changed, call_progress{call_id, method, number, phase}, call_signal{call_id, signal}. The device sends call_signal{call_id, signal: offer{sdp}} frames for its VoIP calls",
                    "properties": { "type": { "type": "string", "enum": [
                        "hello", "answer_changed", "reception_changed", "devices_changed",
                        "phone_fault", "customers_changed", "session_ended",
                        "records_changed", "call_progress", "call_signal"] } } } }
            }),
        ),
    ];
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn operation(method: &str, path: &str) -> Option<(Value, Option<Value>)> {
    const AGENT: Option<&str> = Some("agentToken");
    const ADMIN: Option<&str> = Some("adminToken");
    let id = Some(id_param());
    let call_id = Some(json!([{ "name": "id", "in": "path", "required": true,
                                "schema": { "type": "string", "pattern": "^c[0-9a-f]{32}$" } }]));
    Some(match (method, path) {
        ("GET", "/healthz") => (
            json!({ "summary": "Liveness", "responses": { "200": { "description": "ok",
                "content": { "text/plain": { "schema": { "type": "string" } } } } } }),
            None,
        ),
        ("GET", "/api/v1/openapi.json") => (
            json!({ "summary": "This document", "responses": { "200": { "description": "OpenAPI 3.1" } } }),
            None,
        ),
        ("POST", "/api/v1/auth/login") => (
            op("Agent login (R1). Errors: unknown_job_number, wrong_password, account_disabled, too_many_attempts (after 5 consecutive failures, backoff 2^(n-5) s up to 300 s). Replaces the agent's session on the same device kind.",
               None, Some(body("LoginRequest")), ok("200", "logged in", Some("LoginResponse"))),
            None,
        ),
        ("POST", "/api/v1/auth/logout") => (
            op("End the calling session (agent or administrator); releases its answer lease",
               Some("agentToken"), None, ok("204", "logged out", None)),
            None,
        ),
        ("POST", "/api/v1/admin/login") => (
            op("Administrator login; an unknown user name answers wrong_password",
               None, Some(body("AdminLoginRequest")), ok("200", "logged in", Some("AdminLoginResponse"))),
            None,
        ),
        ("GET", "/api/v1/me") => (
            op("The calling agent's status", AGENT, None, ok("200", "status", Some("AgentStatus"))),
            None,
        ),
        ("PUT", "/api/v1/me/answer") => (
            op("Answering on/off for this device (R4, R5); PC idle is answering on. Errors: lease_held{holder}, no_bound_number (mobile, R3)",
               AGENT, Some(body("SetAnswerRequest")), ok("200", "the holder now", Some("SetAnswerResponse"))),
            None,
        ),
        ("PUT", "/api/v1/me/reception") => (
            op("Open/close chat reception (R7); opening needs the online_service package (package_missing)",
               AGENT, Some(body("SetReceptionRequest")), ok("200", "status", Some("AgentStatus"))),
            None,
        ),
        ("GET", "/api/v1/customers") => {
            let mut o = op("Search the enterprise's customers: q (max 64 chars) matches name/company substrings or any part of a number; mine=true for R40; limit 1..=200 (default 50)",
                AGENT, None, ok("200", "a page", Some("CustomerPage")));
            o["parameters"] = query(&[("q", "string", false), ("mine", "boolean", false),
                                      ("limit", "integer", false), ("offset", "integer", false)]);
            (o, None)
        }
        ("POST", "/api/v1/customers") => (
            op("Add a customer (R15); 409 duplicate_customer{existing_id} if the mobile is there",
               AGENT, Some(body("NewCustomer")), ok("201", "added", Some("Customer"))),
            None,
        ),
        ("GET", "/api/v1/customers/changes") => {
            let mut o = op("Customers changed after `since`, in change order (sync feed); limit 1..=1000 (default 500)",
                AGENT, None, ok("200", "changes", Some("CustomerChanges")));
            o["parameters"] = query(&[("since", "integer", true), ("limit", "integer", false)]);
            (o, None)
        }
        ("GET", "/api/v1/customers/{id}") => (
            op("One customer", AGENT, None, ok("200", "the customer", Some("Customer"))),
            id,
        ),
        ("PATCH", "/api/v1/customers/{id}") => (
            op("Three-way field edits; conflicts keep the platform's value. Owner moves only between the public pool and the caller (else forbidden)",
               AGENT, Some(body("CustomerPatch")), ok("200", "outcome", Some("PatchOutcome"))),
            id,
        ),
        ("POST", "/api/v1/customers/{id}/contacts") => (
            op("Add a contact method (five kinds, R15); a duplicate is a no-op",
               AGENT, Some(body("NewContact")), ok("200", "the customer", Some("Customer"))),
            id,
        ),
        ("GET", "/api/v1/events") => (
            op("WebSocket upgrade (bearer token header). Text frames: EventFrame JSON, first `hello`. Closes 1000 after session_ended, 1013 when the client lagged (reconnect), 1001 on shutdown",
               AGENT, None, ok("101", "switching protocols; frames are EventFrame", Some("EventFrame"))),
            None,
        ),
        ("GET", "/api/v1/admin/agents") => (
            op("The administrator's agents", ADMIN, None,
               json!({ "200": { "description": "agents", "content": { "application/json": {
                   "schema": { "type": "array", "items": schema("AgentSummary") } } } },
                   "default": { "description": "ApiError", "content": { "application/json": {
                   "schema": schema("ApiError") } } } })),
            None,
        ),
        ("POST", "/api/v1/admin/agents") => (
            op("Create an agent (R1); a used job number is bad_request on job_number",
               ADMIN, Some(body("NewAgent")), ok("201", "created", Some("AgentSummary"))),
            None,
        ),
        ("PATCH", "/api/v1/admin/agents/{id}") => (
            op("Update an agent: disabling ends their sessions; unbinding the number releases a mobile lease",
               ADMIN, Some(body("AgentUpdate")), ok("200", "the agent", Some("AgentSummary"))),
            id,
        ),
        ("PUT", "/api/v1/admin/phone-fault") => (
            op("Declare or clear the enterprise's phone fault (R9); every device shows 电话异常 meanwhile",
               ADMIN, Some(body("SetPhoneFaultRequest")), ok("204", "done", None)),
            None,
        ),
        ("PUT", "/api/v1/admin/main-number") => (
            op("Set the enterprise's main number (R12), shown to customers on VoIP and callback calls",
               ADMIN, Some(body("SetMainNumberRequest")), ok("204", "done", None)),
            None,
        ),
        ("GET", "/api/v1/records") => {
            let mut o = op("The calling agent's call records (R38), newest first (by id); number = every call with that number; before = ids below it (next_before of the last page); limit 1..=200 (default 50)",
                AGENT, None, ok("200", "a page", Some("RecordPage")));
            o["parameters"] = query(&[("number", "string", false), ("before", "integer", false),
                                      ("limit", "integer", false)]);
            (o, None)
        }
        ("POST", "/api/v1/records") => (
            op("Upload a native call's record (R12), mobile sessions only (forbidden from a PC). Idempotent by client_ref; a retry with ended_at_ms fills in the end. Announced as records_changed",
               AGENT, Some(body("NativeCallRecord")), ok("201", "the record", Some("CallRecord"))),
            None,
        ),
        ("DELETE", "/api/v1/records/{id}") => (
            op("Delete one of the calling agent's records (R38); forbidden without the administrator's permission (can_delete_records); another agent's record is not_found",
               AGENT, None, ok("204", "deleted", None)),
            id,
        ),
        ("POST", "/api/v1/calls") => (
            op("Place a VoIP or callback call (R12, R13) to the number; checks R2, R3 (no_bound_number), R9 (phone_fault), main number and trunk route (no_route), one call per agent (call_in_progress). The record is written before the reply. Progress follows as call_progress events to this device; a VoIP call then waits (15 s) for the device's call_signal offer on its socket and answers with call_signal{answer}",
               AGENT, Some(body("StartCallRequest")), ok("200", "placed", Some("StartCallResponse"))),
            None,
        ),
        ("POST", "/api/v1/calls/{id}/hangup") => (
            op("Hang up the agent's call: both legs end, the outcome is recorded, call_progress{ended} follows; call_not_active once it is over",
               AGENT, None, ok("204", "hanging up", None)),
            call_id,
        ),
        ("POST", "/api/v1/calls/{id}/hold") => (
            op("Hold (R17: the customer hears music, the agent silence) or resume a connected call; call_not_active before the answer or after the end",
               AGENT, Some(body("HoldRequest")), ok("204", "done", None)),
            call_id,
        ),
        ("POST", "/api/v1/calls/{id}/dtmf") => (
            op("Send DTMF digits to the customer's side (RFC 4733)",
               AGENT, Some(body("DtmfRequest")), ok("204", "queued", None)),
            call_id,
        ),
        _ => return None,
    })
}

/// Builds the document from [`ROUTES`], so a route without documentation is caught by
/// the test below rather than silently missing.
pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path) in ROUTES {
        let Some((operation, path_params)) = operation(method, path) else {
            continue;
        };
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[method.to_ascii_lowercase()] = operation;
        if let Some(p) = path_params {
            entry["parameters"] = p;
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Seatline platform",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Agent-side API of the Seatline contact center (rules R1..R40). Every error is an ApiError with the status its code implies."
        },
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "agentToken": { "type": "http", "scheme": "bearer",
                                "description": "token from /api/v1/auth/login" },
                "adminToken": { "type": "http", "scheme": "bearer",
                                "description": "token from /api/v1/admin/login" }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = document();
        let paths = doc["paths"].as_object().expect("paths");
        for (method, path) in ROUTES {
            assert!(
                operation(method, path).is_some(),
                "{method} {path} has no documentation"
            );
            let documented = &paths[*path][method.to_ascii_lowercase()];
            assert!(
                documented.is_object(),
                "{method} {path} missing from the document"
            );
        }
        let mut count = 0;
        for (path, item) in paths {
            for (key, _) in item.as_object().expect("path item") {
                if key == "parameters" {
                    continue;
                }
                count += 1;
                let method = key.to_ascii_uppercase();
                assert!(
                    ROUTES.iter().any(|(m, p)| *m == method && p == path),
                    "{method} {path} is documented but not routed"
                );
            }
        }
        assert_eq!(count, ROUTES.len());
    }

    #[test]
    fn every_schema_reference_resolves() {
        let doc = document();
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for part in text.split("#/components/schemas/").skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            assert!(schemas.contains_key(&name), "unresolved $ref {name}");
        }
    }
}
