//! Native calls waiting for the platform, in the core's SQLite (table `native_calls`,
//! migration 2 in `crate::db`).
//!
//! A native call is written here before the phone's dialer is asked to place it, so a
//! call that was dialled is never lost: not when the upload fails, not when the app is
//! killed. A row is `pending` while the platform lacks something it knows (the call, or
//! later its end); a pass of [`super::upload`] sends the pending rows of the agent who is
//! logged in. Rows the platform has whole are deleted; rows it refused for good are kept
//! (`rejected`) and never sent again.

use crate::db::{Db, DbError};
use rusqlite::{params, OptionalExtension};
use seatline_proto::{NativeCallRecord, PhoneNumber};

/// One native call as the core keeps it until the platform has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingNativeCall {
    pub client_ref: String,
    pub agent_id: i64,
    pub record: NativeCallRecord,
}

/// Writes a dialled native call (before the dialer runs).
pub(crate) fn insert(
    db: &Db,
    agent_id: i64,
    client_ref: &str,
    number: &PhoneNumber,
    started_at_ms: i64,
) -> Result<(), DbError> {
    db.with_conn(|c| {
        c.prepare_cached(
            "INSERT INTO native_calls (client_ref, agent_id, number, started_at_ms)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            client_ref,
            agent_id,
            number.as_str(),
            started_at_ms
        ])?;
        Ok(())
    })
}

/// Forgets a call the dialer did not place.
pub(crate) fn remove(db: &Db, client_ref: &str) -> Result<(), DbError> {
    db.with_conn(|c| {
        c.prepare_cached("DELETE FROM native_calls WHERE client_ref = ?1")?
            .execute([client_ref])?;
        Ok(())
    })
}

/// Records the end of a call (the first end wins; an end before the start is taken as
/// the start). `false` when the core knows no such call: it was never started here, or
/// the platform already has it whole.
pub(crate) fn set_ended(db: &Db, client_ref: &str, ended_at_ms: i64) -> Result<bool, DbError> {
    db.with_conn(|c| {
        let known: Option<Option<i64>> = c
            .prepare_cached("SELECT ended_at_ms FROM native_calls WHERE client_ref = ?1")?
            .query_row([client_ref], |r| r.get(0))
            .optional()?;
        match known {
            None => Ok(false),
            Some(Some(_)) => Ok(true),
            Some(None) => {
                c.prepare_cached(
                    "UPDATE native_calls
                     SET ended_at_ms = MAX(?2, started_at_ms), pending = 1
                     WHERE client_ref = ?1 AND ended_at_ms IS NULL AND rejected = 0",
                )?
                .execute(params![client_ref, ended_at_ms])?;
                Ok(true)
            }
        }
    })
}

/// The agent's calls the platform lacks something of, oldest first.
pub(crate) fn pending(db: &Db, agent_id: i64) -> Result<Vec<PendingNativeCall>, DbError> {
    db.with_conn(|c| {
        let mut stmt = c.prepare_cached(
            "SELECT client_ref, agent_id, number, started_at_ms, ended_at_ms
             FROM native_calls WHERE agent_id = ?1 AND pending = 1 AND rejected = 0
             ORDER BY started_at_ms, client_ref",
        )?;
        let rows = stmt.query_map([agent_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (client_ref, agent_id, number, started_at_ms, ended_at_ms) = row?;
            // A number that no longer parses cannot be sent; it was valid when written.
            let Ok(number) = PhoneNumber::parse(&number) else {
                continue;
            };
            out.push(PendingNativeCall {
                record: NativeCallRecord {
                    client_ref: client_ref.clone(),
                    number,
                    started_at_ms,
                    ended_at_ms,
                },
                client_ref,
                agent_id,
            });
        }
        Ok(out)
    })
}

/// How many calls of every agent still wait for the platform.
pub(crate) fn pending_count(db: &Db) -> Result<usize, DbError> {
    db.with_conn(|c| {
        let n: i64 = c.query_row(
            "SELECT COUNT(*) FROM native_calls WHERE pending = 1 AND rejected = 0",
            [],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    })
}

/// The platform stored `sent` as record `record_id`. The row stays pending if it learnt
/// more meanwhile (the end arrived during the upload); a row the platform has whole is
/// deleted.
pub(crate) fn mark_sent(db: &Db, sent: &NativeCallRecord, record_id: i64) -> Result<(), DbError> {
    db.with_tx(|tx| {
        tx.prepare_cached(
            "UPDATE native_calls SET pending = 0, record_id = ?2, last_error = NULL
             WHERE client_ref = ?1 AND ended_at_ms IS ?3",
        )?
        .execute(params![sent.client_ref, record_id, sent.ended_at_ms])?;
        tx.prepare_cached(
            "DELETE FROM native_calls
             WHERE client_ref = ?1 AND pending = 0 AND ended_at_ms IS NOT NULL",
        )?
        .execute([&sent.client_ref])?;
        Ok(())
    })
}

/// An upload failed: counted; `for_good` (the platform refused it) stops the retries.
pub(crate) fn mark_failed(
    db: &Db,
    client_ref: &str,
    error: &str,
    for_good: bool,
) -> Result<(), DbError> {
    db.with_conn(|c| {
        c.prepare_cached(
            "UPDATE native_calls
             SET attempts = attempts + 1, last_error = ?2, rejected = ?3
             WHERE client_ref = ?1",
        )?
        .execute(params![client_ref, error, for_good])?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn number() -> PhoneNumber {
        PhoneNumber::parse("13700001111").unwrap()
    }

    #[test]
    fn a_call_is_pending_until_the_platform_has_it_whole() {
        let db = Db::open_in_memory().unwrap();
        insert(&db, 7, "r1", &number(), 1000).unwrap();
        insert(&db, 8, "r2", &number(), 1500).unwrap();
        let p = pending(&db, 7).unwrap();
        assert_eq!(p.len(), 1, "only the logged-in agent's calls");
        assert_eq!(p[0].record.client_ref, "r1");
        assert_eq!(p[0].record.ended_at_ms, None);
        assert_eq!(pending_count(&db).unwrap(), 2);

        // Sent without the end: no longer pending, but kept for the end.
        mark_sent(&db, &p[0].record, 41).unwrap();
        assert!(pending(&db, 7).unwrap().is_empty());
        assert!(set_ended(&db, "r1", 900).unwrap());
        let p = pending(&db, 7).unwrap();
        assert_eq!(
            p[0].record.ended_at_ms,
            Some(1000),
            "an end before the start"
        );
        // A second end changes nothing.
        assert!(set_ended(&db, "r1", 5000).unwrap());
        assert_eq!(pending(&db, 7).unwrap()[0].record.ended_at_ms, Some(1000));
        mark_sent(&db, &p[0].record, 41).unwrap();
        assert!(pending(&db, 7).unwrap().is_empty());
        assert!(!set_ended(&db, "r1", 6000).unwrap(), "whole: forgotten");
        assert!(!set_ended(&db, "nope", 6000).unwrap());
    }

    #[test]
    fn an_end_that_arrives_during_the_upload_stays_pending() {
        let db = Db::open_in_memory().unwrap();
        insert(&db, 7, "r1", &number(), 1000).unwrap();
        let sent = pending(&db, 7).unwrap().remove(0).record;
        set_ended(&db, "r1", 2000).unwrap();
        mark_sent(&db, &sent, 41).unwrap();
        let p = pending(&db, 7).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].record.ended_at_ms, Some(2000));
    }

    #[test]
    fn refused_calls_are_not_sent_again_and_removed_ones_are_gone() {
        let db = Db::open_in_memory().unwrap();
        insert(&db, 7, "r1", &number(), 1000).unwrap();
        insert(&db, 7, "r2", &number(), 1000).unwrap();
        mark_failed(&db, "r1", "unreachable", false).unwrap();
        assert_eq!(pending(&db, 7).unwrap().len(), 2, "retried");
        mark_failed(&db, "r1", "forbidden", true).unwrap();
        remove(&db, "r2").unwrap();
        assert!(pending(&db, 7).unwrap().is_empty());
        assert_eq!(pending_count(&db).unwrap(), 0);
        assert!(
            insert(&db, 7, "r1", &number(), 1).is_err(),
            "refs are unique"
        );
    }
}
