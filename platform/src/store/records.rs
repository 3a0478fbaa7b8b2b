//! Call records (R12, R16, R38) and the enterprise's main number (R12).
//!
//! A record is written when a call starts and completed as it goes (answered, ended):
//! the call service calls [`Store::record_call_started`], [`Store::record_call_answered`]
//! and [`Store::record_call_ended`]; a native call made through the phone's own dialer is
//! uploaded whole by the device ([`Store::record_native_call`]). Every method returns only
//! after its transaction committed (invariant 3).
//!
//! Agents see their own records only, scoped by enterprise as well: another agent's or
//! another enterprise's record id is `NotFound`, exactly like a missing one. The
//! customer's name is not copied into the record: it is looked up in the enterprise's
//! library when the records are read, so a customer added or renamed later shows (R16).

use super::accounts::{parse, parse_kind};
use super::{Store, StoreError, StoreResult};
use seatline_proto::{
    CallDirection, CallMethod, CallOutcome, CallRecord, DeviceKind, ErrorCode, NativeCallRecord,
    PhoneNumber, RecordPage, RecordQuery,
};

/// A call that has just started, as the call service knows it.
#[derive(Debug, Clone)]
pub struct NewCallRecord {
    pub enterprise_id: i64,
    /// `None` for an inbound call nobody was offered yet.
    pub agent_id: Option<i64>,
    /// The call service's id of the call (unique).
    pub call_id: String,
    pub direction: CallDirection,
    pub method: CallMethod,
    pub device: DeviceKind,
    /// The customer's number.
    pub number: PhoneNumber,
    pub started_at_ms: i64,
}

/// Page size of `GET /records` when the query gives none, and the largest one allowed.
pub const RECORDS_DEFAULT_LIMIT: u32 = 50;
pub const RECORDS_MAX_LIMIT: u32 = 200;

/// The columns of a [`CallRecord`], with the library's name for the number (R16): the
/// customer whose mobile it is, else one that has it as a mobile contact method.
const SELECT: &str = "SELECT r.id, r.call_id, r.direction, r.method, r.device_kind, r.number, \
       COALESCE( \
         (SELECT c.name FROM customers c \
           WHERE c.enterprise_id = r.enterprise_id AND c.mobile = r.number), \
         (SELECT c.name FROM customer_contacts cc JOIN customers c ON c.id = cc.customer_id \
           WHERE c.enterprise_id = r.enterprise_id AND cc.kind = 'mobile' \
             AND cc.value = r.number AND c.name IS NOT NULL \
           ORDER BY c.id LIMIT 1)) AS customer_name, \
       r.started_at_ms, r.answered_at_ms, r.ended_at_ms, r.outcome \
     FROM call_records r";

#[derive(Debug, Clone, sqlx::FromRow)]
struct RecordRow {
    id: i64,
    call_id: String,
    direction: String,
    method: String,
    device_kind: String,
    number: String,
    customer_name: Option<String>,
    started_at_ms: i64,
    answered_at_ms: Option<i64>,
    ended_at_ms: Option<i64>,
    outcome: Option<String>,
}

impl RecordRow {
    fn into_record(self) -> StoreResult<CallRecord> {
        Ok(CallRecord {
            id: self.id,
            call_id: self.call_id,
            direction: parse(direction_from(&self.direction), "call direction")?,
            method: parse(method_from(&self.method), "call method")?,
            device: parse_kind(&self.device_kind)?,
            number: parse(PhoneNumber::parse(&self.number), "record number")?,
            customer_name: self.customer_name,
            started_at_ms: self.started_at_ms,
            answered_at_ms: self.answered_at_ms,
            ended_at_ms: self.ended_at_ms,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| parse(outcome_from(o), "call outcome"))
                .transpose()?,
        })
    }
}

pub(crate) fn direction_str(d: CallDirection) -> &'static str {
    match d {
        CallDirection::Outbound => "outbound",
        CallDirection::Inbound => "inbound",
    }
}

fn direction_from(s: &str) -> Result<CallDirection, ()> {
    match s {
        "outbound" => Ok(CallDirection::Outbound),
        "inbound" => Ok(CallDirection::Inbound),
        _ => Err(()),
    }
}

pub(crate) fn method_str(m: CallMethod) -> &'static str {
    match m {
        CallMethod::Voip => "voip",
        CallMethod::Callback => "callback",
        CallMethod::Native => "native",
    }
}

fn method_from(s: &str) -> Result<CallMethod, ()> {
    match s {
        "voip" => Ok(CallMethod::Voip),
        "callback" => Ok(CallMethod::Callback),
        "native" => Ok(CallMethod::Native),
        _ => Err(()),
    }
}

/// The stored text of an outcome: the same words as on the wire (and the migration's
/// CHECK constraint).
pub(crate) fn outcome_str(o: CallOutcome) -> &'static str {
    match o {
        CallOutcome::Answered => "answered",
        CallOutcome::Busy => "busy",
        CallOutcome::NoAnswer => "no_answer",
        CallOutcome::Rejected => "rejected",
        CallOutcome::Failed => "failed",
        CallOutcome::AgentNoAnswer => "agent_no_answer",
        CallOutcome::Missed => "missed",
    }
}

fn outcome_from(s: &str) -> Result<CallOutcome, ()> {
    Ok(match s {
        "answered" => CallOutcome::Answered,
        "busy" => CallOutcome::Busy,
        "no_answer" => CallOutcome::NoAnswer,
        "rejected" => CallOutcome::Rejected,
        "failed" => CallOutcome::Failed,
        "agent_no_answer" => CallOutcome::AgentNoAnswer,
        "missed" => CallOutcome::Missed,
        _ => return Err(()),
    })
}

/// The call id a native call's record gets: unique per (agent, client_ref), like the
/// table's key, so a retried upload cannot make a second record under another id.
fn native_call_id(agent_id: i64, client_ref: &str) -> String {
    format!("native-{agent_id}-{client_ref}")
}

impl Store {
    /// Writes the record of a call that has just started (ringing or dialling); returns
    /// its id. Starting the same `call_id` again returns the first record's id.
    pub async fn record_call_started(&self, r: &NewCallRecord) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO call_records (enterprise_id, agent_id, call_id, direction, method, \
                   device_kind, number, started_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (call_id) DO NOTHING RETURNING id",
            )
            .bind(r.enterprise_id)
            .bind(r.agent_id)
            .bind(&r.call_id)
            .bind(direction_str(r.direction))
            .bind(method_str(r.method))
            .bind(r.device.as_str())
            .bind(r.number.as_str())
            .bind(r.started_at_ms)
            .fetch_optional(&mut *tx)
            .await?;
            let id = match id {
                Some(id) => id,
                None => {
                    sqlx::query_scalar("SELECT id FROM call_records WHERE call_id = $1")
                        .bind(&r.call_id)
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The customer picked up (or the agent did, inbound). Only the first answer of a
    /// call that has not ended counts; a call without a record (deleted meanwhile) is
    /// left alone.
    pub async fn record_call_answered(&self, call_id: &str, at_ms: i64) -> StoreResult<()> {
        let updated = write_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE call_records SET answered_at_ms = $2 \
                 WHERE call_id = $1 AND answered_at_ms IS NULL AND ended_at_ms IS NULL",
            )
            .bind(call_id)
            .bind(at_ms)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            done.rows_affected()
        });
        if updated == 0 {
            tracing::debug!(call_id, "answer not recorded: no open record of that call");
        }
        Ok(())
    }

    /// The call ended with `outcome`. Idempotent: the first end wins, later ones (a
    /// BYE racing a timeout, a retry) change nothing.
    pub async fn record_call_ended(
        &self,
        call_id: &str,
        at_ms: i64,
        outcome: CallOutcome,
    ) -> StoreResult<()> {
        let updated = write_tx!(self, |tx| {
            let done = sqlx::query(
                "UPDATE call_records SET ended_at_ms = $2, outcome = $3 \
                 WHERE call_id = $1 AND ended_at_ms IS NULL",
            )
            .bind(call_id)
            .bind(at_ms)
            .bind(outcome_str(outcome))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            done.rows_affected()
        });
        if updated == 0 {
            tracing::debug!(call_id, "end not recorded: already ended or no record");
        }
        Ok(())
    }

    /// R12: the number VoIP and callback calls show to the customer; `None` until an
    /// administrator sets one (the enterprise cannot place trunk calls yet).
    pub async fn enterprise_main_number(
        &self,
        enterprise_id: i64,
    ) -> StoreResult<Option<PhoneNumber>> {
        let sql = "SELECT main_number FROM enterprises WHERE id = $1";
        let found: Option<Option<String>> = read!(self, |p| sqlx::query_scalar(sql)
            .bind(enterprise_id)
            .fetch_optional(p)
            .await?);
        found
            .flatten()
            .map(|n| parse(PhoneNumber::parse(&n), "main number"))
            .transpose()
    }

    /// R12: an administrator sets the enterprise's main number.
    pub async fn set_main_number(
        &self,
        enterprise_id: i64,
        number: &PhoneNumber,
    ) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let done = sqlx::query("UPDATE enterprises SET main_number = $2 WHERE id = $1")
                .bind(enterprise_id)
                .bind(number.as_str())
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Refused(ErrorCode::NotFound));
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// R38: the agent's own records, newest first (by id, the order they were written),
    /// a page at a time. With `number`: every call with that number. The customer's name
    /// comes from the enterprise's library (R16).
    pub async fn list_records(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        q: &RecordQuery,
    ) -> StoreResult<RecordPage> {
        let bad = |field: &str| {
            StoreError::Refused(ErrorCode::BadRequest {
                field: Some(field.into()),
            })
        };
        let limit = q.limit.unwrap_or(RECORDS_DEFAULT_LIMIT);
        if limit == 0 || limit > RECORDS_MAX_LIMIT {
            return Err(bad("limit"));
        }
        if q.before.is_some_and(|b| b < 1) {
            return Err(bad("before"));
        }
        // `$3` is -1 for "from the newest" (ids are positive); `$4` is '' for "any number"
        // (a PhoneNumber is never empty).
        let sql = format!(
            "{SELECT} WHERE r.enterprise_id = $1 AND r.agent_id = $2 \
               AND ($3 < 0 OR r.id < $3) AND ($4 = '' OR r.number = $4) \
             ORDER BY r.id DESC LIMIT $5"
        );
        let before = q.before.unwrap_or(-1);
        let number = q.number.as_ref().map_or("", PhoneNumber::as_str);
        // One more than asked says whether another page follows.
        let fetch = i64::from(limit) + 1;
        let rows: Vec<RecordRow> = read!(self, |p| sqlx::query_as(&sql)
            .bind(enterprise_id)
            .bind(agent_id)
            .bind(before)
            .bind(number)
            .bind(fetch)
            .fetch_all(p)
            .await?);
        let more = rows.len() as i64 > i64::from(limit);
        let records = rows
            .into_iter()
            .take(limit as usize)
            .map(RecordRow::into_record)
            .collect::<StoreResult<Vec<_>>>()?;
        let next_before = if more {
            records.last().map(|r| r.id)
        } else {
            None
        };
        Ok(RecordPage {
            records,
            next_before,
        })
    }

    /// One of the agent's records; another agent's or enterprise's is `None`.
    pub async fn record(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        id: i64,
    ) -> StoreResult<Option<CallRecord>> {
        let sql = format!("{SELECT} WHERE r.id = $1 AND r.enterprise_id = $2 AND r.agent_id = $3");
        let row: Option<RecordRow> = read!(self, |p| sqlx::query_as(&sql)
            .bind(id)
            .bind(enterprise_id)
            .bind(agent_id)
            .fetch_optional(p)
            .await?);
        row.map(RecordRow::into_record).transpose()
    }

    /// R38: deletes one of the agent's records, if the administrator allows the agent to
    /// (`agents.can_delete_records`, else `Forbidden`). Another agent's or enterprise's
    /// record is `NotFound`. The permission is read in the same transaction as the delete.
    pub async fn delete_record(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        id: i64,
    ) -> StoreResult<()> {
        write_tx!(self, |tx| {
            let allowed: Option<bool> = sqlx::query_scalar(
                "SELECT can_delete_records FROM agents WHERE id = $1 AND enterprise_id = $2",
            )
            .bind(agent_id)
            .bind(enterprise_id)
            .fetch_optional(&mut *tx)
            .await?;
            match allowed {
                None => return Err(StoreError::Refused(ErrorCode::NotFound)),
                Some(false) => return Err(StoreError::Refused(ErrorCode::Forbidden)),
                Some(true) => {}
            }
            let done = sqlx::query(
                "DELETE FROM call_records WHERE id = $1 AND enterprise_id = $2 AND agent_id = $3",
            )
            .bind(id)
            .bind(enterprise_id)
            .bind(agent_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Refused(ErrorCode::NotFound));
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// R12: the record of a native call a device uploads; returns its id. Idempotent by
    /// (agent, `client_ref`): a retried upload returns the same record, and one that now
    /// knows the end fills in `ended_at_ms` if it was missing (nothing else changes). The
    /// outcome stays unknown: the phone's dialer does not say how the call went.
    pub async fn record_native_call(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        device: DeviceKind,
        r: &NativeCallRecord,
    ) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO call_records (enterprise_id, agent_id, call_id, direction, method, \
                   device_kind, number, started_at_ms, ended_at_ms, client_ref) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (agent_id, client_ref) DO UPDATE \
                 SET ended_at_ms = COALESCE(call_records.ended_at_ms, excluded.ended_at_ms) \
                 RETURNING id",
            )
            .bind(enterprise_id)
            .bind(agent_id)
            .bind(native_call_id(agent_id, &r.client_ref))
            .bind(direction_str(CallDirection::Outbound))
            .bind(method_str(CallMethod::Native))
            .bind(device.as_str())
            .bind(r.number.as_str())
            .bind(r.started_at_ms)
            .bind(r.ended_at_ms)
            .bind(&r.client_ref)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_words_round_trip_and_match_the_wire() {
        for o in [
            CallOutcome::Answered,
            CallOutcome::Busy,
            CallOutcome::NoAnswer,
            CallOutcome::Rejected,
            CallOutcome::Failed,
            CallOutcome::AgentNoAnswer,
            CallOutcome::Missed,
        ] {
            assert_eq!(outcome_from(outcome_str(o)), Ok(o));
            let wire = serde_json::to_value(o).unwrap_or_default();
            assert_eq!(wire.as_str(), Some(outcome_str(o)));
        }
        for m in [CallMethod::Voip, CallMethod::Callback, CallMethod::Native] {
            assert_eq!(method_from(method_str(m)), Ok(m));
        }
        for d in [CallDirection::Outbound, CallDirection::Inbound] {
            assert_eq!(direction_from(direction_str(d)), Ok(d));
        }
    }
}
