//! The answer lease (R4, R5, invariant 1): at most one device of an agent answers.
//!
//! The decision is the primary key of `answer_leases` (one row per agent): turning on is
//! `INSERT ... ON CONFLICT (agent_id) DO NOTHING`, and only when that inserted nothing is
//! the holder read, inside the same transaction and under the agent's row lock, to tell
//! "already mine" (idempotent) from "held by the other device" (refused). There is no
//! read in Rust followed by a write: two devices racing cannot both insert.

use super::accounts::{agent_snapshot, parse_kind, purge_expired};
use super::{AgentDelta, Store, StoreError, StoreResult};
use seatline_proto::{DeviceKind, ErrorCode};

impl Store {
    /// Turns answering on or off for the device of `session_id` (of kind `kind`).
    ///
    /// On: refused with `NoBoundNumber` for a mobile device of an agent without a bound
    /// number (R3) and with `LeaseHeld { holder }` when the other device answers (R5).
    /// Off: releases the lease only if this kind of device holds it; otherwise a no-op.
    /// Returns the holder after the change, and what changed.
    pub async fn set_answer(
        &self,
        agent_id: i64,
        session_id: i64,
        kind: DeviceKind,
        on: bool,
        now: i64,
    ) -> StoreResult<(Option<DeviceKind>, AgentDelta)> {
        write_tx!(self, |tx| {
            if !lock_agent!(tx, agent_id) {
                return Err(StoreError::Refused(ErrorCode::NotFound));
            }
            let ended = purge_expired!(tx, agent_id, now);
            // The session may have ended (logout, replacement) since the request's token
            // was checked: a lease must never outlive or precede its session.
            let live: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE id = $1 AND agent_id = $2")
                    .bind(session_id)
                    .bind(agent_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if live == 0 {
                return Err(StoreError::Refused(ErrorCode::Unauthorized));
            }
            let before = agent_snapshot!(tx, agent_id, now);
            if on {
                if kind == DeviceKind::Mobile {
                    let bound: Option<String> =
                        sqlx::query_scalar("SELECT bound_number FROM agents WHERE id = $1")
                            .bind(agent_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    if bound.is_none() {
                        return Err(StoreError::Refused(ErrorCode::NoBoundNumber));
                    }
                }
                let inserted: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO answer_leases (agent_id, device_kind, session_id, granted_at_ms) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (agent_id) DO NOTHING \
                     RETURNING agent_id",
                )
                .bind(agent_id)
                .bind(kind.as_str())
                .bind(session_id)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                if inserted.is_none() {
                    let holder: String = sqlx::query_scalar(
                        "SELECT device_kind FROM answer_leases WHERE agent_id = $1",
                    )
                    .bind(agent_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let holder = parse_kind(&holder)?;
                    if holder != kind {
                        return Err(StoreError::Refused(ErrorCode::LeaseHeld { holder }));
                    }
                }
            } else {
                sqlx::query("DELETE FROM answer_leases WHERE agent_id = $1 AND device_kind = $2")
                    .bind(agent_id)
                    .bind(kind.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            let after = agent_snapshot!(tx, agent_id, now);
            tx.commit().await?;
            Ok((
                after.holder,
                AgentDelta::between(agent_id, &before, &after, ended),
            ))
        })
    }
}
