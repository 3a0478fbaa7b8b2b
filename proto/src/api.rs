//! Request and response bodies of the REST API (see `paths`).
//!
//! Times are Unix milliseconds (`*_ms`), ids are the platform's `i64` row ids.

use crate::values::*;
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- login (R1, R2)

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub enterprise: EnterpriseCode,
    pub job_number: JobNumber,
    pub password: Password,
    pub device_kind: DeviceKind,
    pub device_id: DeviceId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for every request and the event socket.
    pub token: String,
    pub expires_at_ms: i64,
    pub status: AgentStatus,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminLoginRequest {
    pub enterprise: EnterpriseCode,
    pub username: Username,
    pub password: Password,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdminLoginResponse {
    pub token: String,
    pub expires_at_ms: i64,
}

// ---------------------------------------------------------------- agent status

/// Who the agent is, as the agent's devices show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProfile {
    pub agent_id: i64,
    pub enterprise: EnterpriseCode,
    pub enterprise_name: String,
    pub job_number: JobNumber,
    pub display_name: String,
    /// R3: the mobile number the platform rings and that mobile calling needs.
    pub bound_number: Option<PhoneNumber>,
    /// R7: the enterprise has the online-service package (chat reception).
    pub has_online_service: bool,
    /// R38: the administrator lets this agent delete call records.
    #[serde(default)]
    pub can_delete_records: bool,
}

/// The platform's view of one agent: the snapshot a device loads after login and after
/// every reconnect, so that missed events cannot leave it wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentStatus {
    pub profile: AgentProfile,
    /// R5: the device that holds the answer lease (PC idle or mobile answer-on), if any.
    pub answer_holder: Option<DeviceKind>,
    /// R7: chat reception open; remembered across logins.
    pub reception_open: bool,
    /// The agent's devices that are logged in now.
    pub devices_online: Vec<DeviceKind>,
    /// R9: the platform's phone function (trunk) is broken for this enterprise.
    pub phone_fault: bool,
}

/// `PUT /me/answer`: turn answering on or off for the calling device (R4, R5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAnswerRequest {
    pub on: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetAnswerResponse {
    pub answer_holder: Option<DeviceKind>,
}

/// `PUT /me/reception` (R7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetReceptionRequest {
    pub open: bool,
}

// ---------------------------------------------------------------- customers (R15, R16, R40)

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactMethod {
    pub kind: ContactKind,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    /// The unique key within the enterprise; never changes after creation (R15).
    pub mobile: PhoneNumber,
    pub name: Option<CardText>,
    pub company: Option<CardText>,
    pub title: Option<CardText>,
    /// `None`: the customer is in the public pool 公海 (R15).
    pub owner_agent_id: Option<i64>,
    pub contacts: Vec<ContactMethod>,
    /// The enterprise-wide change sequence of this customer's last change; the sync cursor.
    pub change_seq: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// `POST /customers`. Only the mobile number is required (R15).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    pub mobile: PhoneNumber,
    #[serde(default)]
    pub name: Option<CardText>,
    #[serde(default)]
    pub company: Option<CardText>,
    #[serde(default)]
    pub title: Option<CardText>,
    /// Claim the customer for the creating agent; otherwise it goes to the public pool.
    #[serde(default)]
    pub owned_by_me: bool,
}

/// One field edit with the value the editor saw. The platform applies it only if the field
/// still holds `from`; otherwise the edit is a conflict and the platform's value stays
/// (the three-way merge rule of ADR 0004).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldChange<T> {
    pub from: T,
    pub to: T,
}

/// `PATCH /customers/{id}`. The mobile number is not here: it cannot change (R15).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<FieldChange<Option<CardText>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<FieldChange<Option<CardText>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<FieldChange<Option<CardText>>>,
    /// Owner: an agent may take a customer from the public pool or give one back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_agent_id: Option<FieldChange<Option<i64>>>,
}

impl CustomerPatch {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.company.is_none()
            && self.title.is_none()
            && self.owner_agent_id.is_none()
    }
}

/// A field the platform did not change because someone else changed it first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldConflict {
    pub field: String,
    /// The value this edit wanted, as JSON.
    pub yours: serde_json::Value,
    /// The value the platform kept, as JSON.
    pub kept: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchOutcome {
    pub customer: Customer,
    pub conflicts: Vec<FieldConflict>,
}

/// `POST /customers/{id}/contacts`. Adding a method that is already there is a no-op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    pub kind: ContactKind,
    pub value: String,
}

/// Query of `GET /customers`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerQuery {
    /// Name or company (prefix of a word or any part), or any part of a number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// R40: only customers owned by the calling agent.
    #[serde(default)]
    pub mine: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
}

impl CustomerQuery {
    pub const MAX_LIMIT: u32 = 200;
    pub const MAX_Q_CHARS: usize = 64;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPage {
    pub customers: Vec<Customer>,
    pub total: i64,
}

/// Query of `GET /customers/changes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangesQuery {
    pub since: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// Customers changed after `since`, in change order; `next` is the cursor to ask with
/// next time, and `more` says whether another page is waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerChanges {
    pub customers: Vec<Customer>,
    pub next: i64,
    pub more: bool,
}

// ---------------------------------------------------------------- administration

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAgent {
    pub job_number: JobNumber,
    pub display_name: CardText,
    pub password: Password,
    #[serde(default)]
    pub bound_number: Option<PhoneNumber>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<CardText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<Password>,
    /// `Some(None)` unbinds the number. On the wire: absent = unchanged, `null` = unbind.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub bound_number: Option<Option<PhoneNumber>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    /// R38: let the agent delete call records, or not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_delete_records: Option<bool>,
}

/// For `Option<Option<T>>` fields with `#[serde(default)]`: a field that is present
/// becomes `Some(..)`, so an explicit `null` is `Some(None)` (plain serde reads it as
/// `None`, the same as an absent field).
fn present<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `PUT /admin/phone-fault` (R9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetPhoneFaultRequest {
    pub active: bool,
}

/// `PUT /admin/main-number` (R12): the number VoIP and callback calls show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetMainNumberRequest {
    pub number: PhoneNumber,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSummary {
    pub agent_id: i64,
    pub job_number: JobNumber,
    pub display_name: String,
    pub bound_number: Option<PhoneNumber>,
    pub disabled: bool,
    pub devices_online: Vec<DeviceKind>,
    pub answer_holder: Option<DeviceKind>,
    /// R38: the agent may delete call records.
    #[serde(default)]
    pub can_delete_records: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_request_refuses_unknown_fields_and_bad_values() {
        let ok = r#"{"enterprise":"Demo","job_number":"1001","password":"pw","device_kind":"pc","device_id":"pc-1"}"#;
        let req: LoginRequest = serde_json::from_str(ok).unwrap();
        assert_eq!(req.enterprise.as_str(), "demo");
        let extra = r#"{"enterprise":"demo","job_number":"1001","password":"pw","device_kind":"pc","device_id":"pc-1","admin":true}"#;
        assert!(serde_json::from_str::<LoginRequest>(extra).is_err());
        let bad_kind = r#"{"enterprise":"demo","job_number":"1001","password":"pw","device_kind":"tablet","device_id":"x"}"#;
        assert!(serde_json::from_str::<LoginRequest>(bad_kind).is_err());
    }

    #[test]
    fn agent_update_tells_unbind_from_unchanged() {
        let absent: AgentUpdate = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.bound_number, None);
        let unbind: AgentUpdate = serde_json::from_str(r#"{"bound_number":null}"#).unwrap();
        assert_eq!(unbind.bound_number, Some(None));
        let bind: AgentUpdate = serde_json::from_str(r#"{"bound_number":"13800000001"}"#).unwrap();
        assert!(matches!(bind.bound_number, Some(Some(_))));
        let back: AgentUpdate =
            serde_json::from_str(&serde_json::to_string(&unbind).unwrap()).unwrap();
        assert_eq!(back.bound_number, Some(None), "round-trips");
    }

    #[test]
    fn patch_cannot_carry_the_mobile_number() {
        // R15: the mobile number is the unique key and cannot be changed.
        let r = serde_json::from_str::<CustomerPatch>(r#"{"mobile":{"from":"1","to":"2"}}"#);
        assert!(r.is_err());
    }
}
