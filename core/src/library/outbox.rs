//! The outbox: local edits waiting for the platform, in the order they were made, plus the
//! two lists the app shows after a sync: field conflicts and refused edits.
//!
//! Entries are written in the same transaction as the local change they describe, so a
//! customer that shows in the mirror offline is always on its way to the platform.

use super::LibraryError;
use rusqlite::{params, OptionalExtension, Transaction};
use seatline_proto::{ApiError, CustomerPatch, ErrorCode, FieldConflict, NewContact, NewCustomer};
use serde::{Deserialize, Serialize};

/// Which kind of edit an outbox entry (or a refused one) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditKind {
    Create,
    Patch,
    Contact,
}

impl EditKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            EditKind::Create => "create",
            EditKind::Patch => "patch",
            EditKind::Contact => "contact",
        }
    }
    fn parse(s: &str) -> Option<Self> {
        match s {
            "create" => Some(EditKind::Create),
            "patch" => Some(EditKind::Patch),
            "contact" => Some(EditKind::Contact),
            _ => None,
        }
    }
}

/// One queued edit, with its body already parsed back into the wire types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Op {
    Create(NewCustomer),
    Patch(CustomerPatch),
    Contact(NewContact),
}

impl Op {
    pub(crate) fn kind(&self) -> EditKind {
        match self {
            Op::Create(_) => EditKind::Create,
            Op::Patch(_) => EditKind::Patch,
            Op::Contact(_) => EditKind::Contact,
        }
    }
    fn body(&self) -> Result<String, serde_json::Error> {
        match self {
            Op::Create(c) => serde_json::to_string(c),
            Op::Patch(p) => serde_json::to_string(p),
            Op::Contact(c) => serde_json::to_string(c),
        }
    }
    /// Parses a stored body. The wire types validate while deserializing, so an entry
    /// that fails here could not be sent either.
    fn parse(kind: EditKind, body: &str) -> Result<Op, serde_json::Error> {
        Ok(match kind {
            EditKind::Create => Op::Create(serde_json::from_str(body)?),
            EditKind::Patch => Op::Patch(serde_json::from_str(body)?),
            EditKind::Contact => Op::Contact(serde_json::from_str(body)?),
        })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub seq: i64,
    pub customer_id: i64,
    pub op: Op,
}

pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(crate) fn enqueue(tx: &Transaction<'_>, customer_id: i64, op: &Op) -> Result<(), LibraryError> {
    let body = op.body().map_err(LibraryError::corrupt)?;
    tx.prepare_cached(
        "INSERT INTO outbox(customer_id, op, body, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![customer_id, op.kind().as_str(), body, now_ms()])?;
    Ok(())
}

/// Pending entries of one customer, oldest first (for the overlay of local edits).
pub(crate) fn pending_for(tx: &Transaction<'_>, customer_id: i64) -> Result<Vec<Op>, LibraryError> {
    let mut stmt =
        tx.prepare_cached("SELECT op, body FROM outbox WHERE customer_id = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([customer_id], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
    })?;
    let mut ops = Vec::new();
    for row in rows {
        let (kind, body) = row?;
        // An unreadable entry is dropped (and recorded) by `next`; skip it here.
        if let Some(op) = EditKind::parse(&kind).and_then(|k| Op::parse(k, &body).ok()) {
            ops.push(op);
        }
    }
    Ok(ops)
}

/// The oldest entry. Entries that cannot be read back are recorded as refused and
/// dropped, so one damaged row never blocks the queue.
pub(crate) fn next(tx: &Transaction<'_>) -> Result<Option<Entry>, LibraryError> {
    loop {
        let row = tx
            .prepare_cached("SELECT seq, customer_id, op, body FROM outbox ORDER BY seq LIMIT 1")?
            .query_row([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .optional()?;
        let Some((seq, customer_id, kind, body)) = row else {
            return Ok(None);
        };
        match EditKind::parse(&kind).map(|k| Op::parse(k, &body)) {
            Some(Ok(op)) => {
                return Ok(Some(Entry {
                    seq,
                    customer_id,
                    op,
                }))
            }
            _ => {
                tracing::warn!(seq, "dropping an unreadable outbox entry");
                let err = ApiError::bad_request(None, "the queued edit could not be read back");
                record_rejection(tx, customer_id, &kind, &body, &err)?;
                remove(tx, seq)?;
            }
        }
    }
}

pub(crate) fn remove(tx: &Transaction<'_>, seq: i64) -> Result<(), LibraryError> {
    tx.prepare_cached("DELETE FROM outbox WHERE seq = ?1")?
        .execute([seq])?;
    Ok(())
}

/// Replaces an entry's edit in place (a create that met an existing customer becomes a
/// patch of it), keeping its place in the queue.
pub(crate) fn rewrite(
    tx: &Transaction<'_>,
    seq: i64,
    customer_id: i64,
    op: &Op,
) -> Result<(), LibraryError> {
    let body = op.body().map_err(LibraryError::corrupt)?;
    tx.prepare_cached("UPDATE outbox SET customer_id = ?2, op = ?3, body = ?4 WHERE seq = ?1")?
        .execute(params![seq, customer_id, op.kind().as_str(), body])?;
    Ok(())
}

/// Notes a failed attempt that will be retried (platform unreachable, server error).
pub(crate) fn note_attempt(
    tx: &Transaction<'_>,
    seq: i64,
    error: &str,
) -> Result<(), LibraryError> {
    tx.prepare_cached("UPDATE outbox SET attempts = attempts + 1, last_error = ?2 WHERE seq = ?1")?
        .execute(params![seq, error])?;
    Ok(())
}

pub(crate) fn len(conn: &rusqlite::Connection) -> Result<u32, LibraryError> {
    Ok(conn.query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))?)
}

/// Points every queued edit of a provisional customer at its platform id.
pub(crate) fn retarget(tx: &Transaction<'_>, from: i64, to: i64) -> Result<(), LibraryError> {
    tx.prepare_cached("UPDATE outbox SET customer_id = ?2 WHERE customer_id = ?1")?
        .execute([from, to])?;
    Ok(())
}

/// Drops every queued edit of a customer that will never exist on the platform (its create
/// was refused), recording each as refused. Returns how many.
pub(crate) fn reject_all_for(
    tx: &Transaction<'_>,
    customer_id: i64,
    why: &ApiError,
) -> Result<u32, LibraryError> {
    let rows: Vec<(i64, String, String)> = tx
        .prepare_cached("SELECT seq, op, body FROM outbox WHERE customer_id = ?1 ORDER BY seq")?
        .query_map([customer_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (seq, kind, body) in &rows {
        record_rejection(tx, customer_id, kind, body, why)?;
        remove(tx, *seq)?;
    }
    Ok(rows.len() as u32)
}

pub(crate) fn record_rejection(
    tx: &Transaction<'_>,
    customer_id: i64,
    kind: &str,
    body: &str,
    error: &ApiError,
) -> Result<(), LibraryError> {
    let error = serde_json::to_string(error).map_err(LibraryError::corrupt)?;
    tx.prepare_cached(
        "INSERT INTO sync_rejections(customer_id, op, body, error, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![customer_id, kind, body, error, now_ms()])?;
    Ok(())
}

pub(crate) fn reject_entry(
    tx: &Transaction<'_>,
    entry: &Entry,
    error: &ApiError,
) -> Result<(), LibraryError> {
    let body = entry.op.body().map_err(LibraryError::corrupt)?;
    record_rejection(
        tx,
        entry.customer_id,
        entry.op.kind().as_str(),
        &body,
        error,
    )?;
    remove(tx, entry.seq)
}

/// Records the conflicts of a patch; returns how many were recorded.
pub(crate) fn record_conflicts(
    tx: &Transaction<'_>,
    customer_id: i64,
    conflicts: &[FieldConflict],
) -> Result<u32, LibraryError> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_conflicts(customer_id, field, yours, kept, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let at = now_ms();
    // A "conflict" whose kept value is the one wanted is none (ADR 0004: a field that
    // already holds `to` is not a conflict); a platform that reports it anyway is ignored.
    let mut recorded = 0;
    for c in conflicts.iter().filter(|c| c.yours != c.kept) {
        stmt.execute(params![
            customer_id,
            c.field,
            c.yours.to_string(),
            c.kept.to_string(),
            at
        ])?;
        recorded += 1;
    }
    Ok(recorded)
}

/// A field edit the platform did not apply: someone changed the field first, and the
/// platform kept its value (ADR 0004). Kept until the app dismisses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncConflict {
    pub id: i64,
    pub customer_id: i64,
    pub field: String,
    /// The value this device wanted, as JSON.
    pub yours: serde_json::Value,
    /// The value the platform kept, as JSON.
    pub kept: serde_json::Value,
    pub at_ms: i64,
}

/// A queued edit the platform refused for good; it was dropped from the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncRejection {
    pub id: i64,
    /// The customer the edit was for (a provisional id if its create was refused).
    pub customer_id: i64,
    pub kind: EditKind,
    /// The edit as it was queued (wire JSON).
    pub body: serde_json::Value,
    pub error: ApiError,
    pub at_ms: i64,
}

pub(crate) fn conflicts(conn: &rusqlite::Connection) -> Result<Vec<SyncConflict>, LibraryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, field, yours, kept, at_ms FROM sync_conflicts ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, customer_id, field, yours, kept, at_ms) = row?;
        out.push(SyncConflict {
            id,
            customer_id,
            field,
            yours: serde_json::from_str(&yours).unwrap_or(serde_json::Value::Null),
            kept: serde_json::from_str(&kept).unwrap_or(serde_json::Value::Null),
            at_ms,
        });
    }
    Ok(out)
}

pub(crate) fn rejections(conn: &rusqlite::Connection) -> Result<Vec<SyncRejection>, LibraryError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, customer_id, op, body, error, at_ms FROM sync_rejections ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, customer_id, kind, body, error, at_ms) = row?;
        out.push(SyncRejection {
            id,
            customer_id,
            kind: EditKind::parse(&kind).unwrap_or(EditKind::Patch),
            body: serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
            error: serde_json::from_str(&error)
                .unwrap_or_else(|_| ApiError::new(ErrorCode::Internal, error.clone())),
            at_ms,
        });
    }
    Ok(out)
}
