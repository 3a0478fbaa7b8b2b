//! Enterprises, administrators, agents, sessions and login throttling.
//!
//! Every transaction that changes what an agent's devices see (sessions, the lease,
//! reception) locks the agent first (`lock_agent!`), purges the agent's expired sessions,
//! and compares a [`Snapshot`] before and after: the resulting [`AgentDelta`] is what the
//! API publishes as events once the transaction has committed.

use super::{Store, StoreError, StoreResult};
use seatline_proto::events::SessionEndReason;
use seatline_proto::{
    AgentProfile, AgentStatus, AgentSummary, CardText, DeviceKind, EnterpriseCode, ErrorCode,
    JobNumber, PhoneNumber,
};

/// Deletes the agent's expired sessions (and, by cascade, a lease they held) inside a
/// locked transaction; evaluates to the ended session ids with reason `Expired`.
macro_rules! purge_expired {
    ($tx:expr, $agent_id:expr, $now:expr) => {{
        let ids: Vec<i64> = sqlx::query_scalar(
            "DELETE FROM sessions WHERE agent_id = $1 AND expires_at_ms <= $2 RETURNING id",
        )
        .bind($agent_id)
        .bind($now)
        .fetch_all(&mut *$tx)
        .await?;
        ids.into_iter()
            .map(|id| (id, seatline_proto::events::SessionEndReason::Expired))
            .collect::<Vec<_>>()
    }};
}

/// Reads the agent's lease holder and logged-in device kinds inside a transaction.
macro_rules! agent_snapshot {
    ($tx:expr, $agent_id:expr, $now:expr) => {{
        let holder: Option<String> =
            sqlx::query_scalar("SELECT device_kind FROM answer_leases WHERE agent_id = $1")
                .bind($agent_id)
                .fetch_optional(&mut *$tx)
                .await?;
        let kinds: Vec<String> = sqlx::query_scalar(
            "SELECT device_kind FROM sessions WHERE agent_id = $1 AND expires_at_ms > $2",
        )
        .bind($agent_id)
        .bind($now)
        .fetch_all(&mut *$tx)
        .await?;
        $crate::store::Snapshot::from_raw(holder, kinds)?
    }};
}

pub(crate) use {agent_snapshot, purge_expired};

/// What an agent's devices show of the lease and the logins at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub holder: Option<DeviceKind>,
    pub devices: Vec<DeviceKind>,
}

impl Snapshot {
    pub(crate) fn from_raw(holder: Option<String>, kinds: Vec<String>) -> StoreResult<Self> {
        let holder = holder.as_deref().map(parse_kind).transpose()?;
        let mut devices = kinds
            .iter()
            .map(|k| parse_kind(k))
            .collect::<StoreResult<Vec<_>>>()?;
        sort_kinds(&mut devices);
        Ok(Snapshot { holder, devices })
    }
}

/// Pc first, then mobile, without duplicates: the order every list of kinds uses.
fn sort_kinds(kinds: &mut Vec<DeviceKind>) {
    kinds.sort_by_key(|k| *k != DeviceKind::Pc);
    kinds.dedup();
}

pub(crate) fn parse_kind(s: &str) -> StoreResult<DeviceKind> {
    DeviceKind::parse(s).map_err(|_| StoreError::Corrupt("device_kind"))
}

/// What changed for one agent in a committed transaction: the events to publish.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentDelta {
    pub agent_id: i64,
    /// Sessions that ended: their sockets get `SessionEnded` and close.
    pub ended: Vec<(i64, SessionEndReason)>,
    /// `Some(holder)` when the answer lease moved.
    pub lease: Option<Option<DeviceKind>>,
    /// `Some(kinds)` when the set of logged-in devices changed.
    pub devices: Option<Vec<DeviceKind>>,
    /// `Some(open)` when reception changed.
    pub reception: Option<bool>,
}

impl AgentDelta {
    pub(crate) fn between(
        agent_id: i64,
        before: &Snapshot,
        after: &Snapshot,
        ended: Vec<(i64, SessionEndReason)>,
    ) -> Self {
        AgentDelta {
            agent_id,
            ended,
            lease: (before.holder != after.holder).then_some(after.holder),
            devices: (before.devices != after.devices).then(|| after.devices.clone()),
            reception: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginScope {
    Agent,
    Admin,
}

impl LoginScope {
    fn as_str(self) -> &'static str {
        match self {
            LoginScope::Agent => "agent",
            LoginScope::Admin => "admin",
        }
    }
}

/// The account a login names, with what the password check needs.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoginCandidate {
    pub id: i64,
    pub enterprise_id: i64,
    pub password_hash: String,
    pub disabled: bool,
}

/// Who a bearer token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionInfo {
    pub session_id: i64,
    pub enterprise_id: i64,
    pub principal: Principal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Principal {
    Agent {
        agent_id: i64,
        device_kind: DeviceKind,
    },
    Admin {
        admin_id: i64,
    },
}

/// A new session's token and lifetime.
#[derive(Debug, Clone)]
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub now_ms: i64,
    pub expires_at_ms: i64,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: i64,
    enterprise_id: i64,
    agent_id: Option<i64>,
    admin_id: Option<i64>,
    device_kind: Option<String>,
    expires_at_ms: i64,
    agent_disabled: Option<bool>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    id: i64,
    job_number: String,
    display_name: String,
    bound_number: Option<String>,
    reception_open: bool,
    code: String,
    enterprise_name: String,
    has_online_service: bool,
    phone_fault: bool,
    can_delete_records: bool,
    holder: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AgentListRow {
    id: i64,
    job_number: String,
    display_name: String,
    bound_number: Option<String>,
    disabled: bool,
    can_delete_records: bool,
}

/// Values of an administrator's agent update, already validated and hashed.
#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub display_name: Option<CardText>,
    pub password_hash: Option<String>,
    pub bound_number: Option<Option<PhoneNumber>>,
    pub disabled: Option<bool>,
    /// R38: the record-deletion permission.
    pub can_delete_records: Option<bool>,
}

/// Consecutive login failures older than this (and no longer locking) are forgotten.
const FORGET_FAILURES_AFTER_MS: i64 = 24 * 3600 * 1000;

fn refused(code: ErrorCode) -> StoreError {
    StoreError::Refused(code)
}

impl Store {
    // ------------------------------------------------------------ enterprises, admins

    /// Creates an enterprise with its first administrator; refuses an existing code.
    pub async fn create_enterprise(
        &self,
        code: &EnterpriseCode,
        name: &str,
        has_online_service: bool,
        admin_username: &str,
        admin_password_hash: &str,
        now: i64,
    ) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO enterprises (code, name, has_online_service, created_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING RETURNING id",
            )
            .bind(code.as_str())
            .bind(name)
            .bind(has_online_service)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Err(refused(ErrorCode::BadRequest {
                    field: Some("code".into()),
                }));
            };
            sqlx::query(
                "INSERT INTO admins (enterprise_id, username, password_hash, created_at_ms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(admin_username)
            .bind(admin_password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The enterprise id for a code, if it exists.
    pub async fn enterprise_id(&self, code: &EnterpriseCode) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM enterprises WHERE code = $1";
        Ok(read!(self, |p| sqlx::query_scalar(sql)
            .bind(code.as_str())
            .fetch_optional(p)
            .await?))
    }

    /// Turns the R9 phone-fault flag of an enterprise on or off.
    pub async fn set_phone_fault(&self, enterprise_id: i64, active: bool) -> StoreResult<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE enterprises SET phone_fault = $2 WHERE id = $1")
                .bind(enterprise_id)
                .bind(active)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Adds an administrator unless the user name exists; returns whether it was added.
    pub async fn ensure_admin(
        &self,
        enterprise_id: i64,
        username: &str,
        password_hash: &str,
        now: i64,
    ) -> StoreResult<bool> {
        write_tx!(self, |tx| {
            let done = sqlx::query(
                "INSERT INTO admins (enterprise_id, username, password_hash, created_at_ms) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (enterprise_id, username) DO NOTHING",
            )
            .bind(enterprise_id)
            .bind(username)
            .bind(password_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn admin_exists(&self, enterprise_id: i64, username: &str) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM admins WHERE enterprise_id = $1 AND username = $2";
        let n: i64 = read!(self, |p| sqlx::query_scalar(sql)
            .bind(enterprise_id)
            .bind(username)
            .fetch_one(p)
            .await?);
        Ok(n > 0)
    }

    // ------------------------------------------------------------ logins and throttling

    /// The agent a login names (R1), by enterprise code and job number.
    pub async fn agent_login(
        &self,
        code: &EnterpriseCode,
        job: &JobNumber,
    ) -> StoreResult<Option<LoginCandidate>> {
        let sql = "SELECT a.id, a.enterprise_id, a.password_hash, a.disabled \
                   FROM agents a JOIN enterprises e ON e.id = a.enterprise_id \
                   WHERE e.code = $1 AND a.job_number = $2";
        Ok(read!(self, |p| sqlx::query_as(sql)
            .bind(code.as_str())
            .bind(job.as_str())
            .fetch_optional(p)
            .await?))
    }

    /// The administrator a login names.
    pub async fn admin_login(
        &self,
        code: &EnterpriseCode,
        username: &str,
    ) -> StoreResult<Option<LoginCandidate>> {
        let sql = "SELECT a.id, a.enterprise_id, a.password_hash, FALSE AS disabled \
                   FROM admins a JOIN enterprises e ON e.id = a.enterprise_id \
                   WHERE e.code = $1 AND a.username = $2";
        Ok(read!(self, |p| sqlx::query_as(sql)
            .bind(code.as_str())
            .bind(username)
            .fetch_optional(p)
            .await?))
    }

    /// Until when logins for this name are refused, if they are.
    pub async fn login_locked_until(
        &self,
        scope: LoginScope,
        code: &str,
        login: &str,
    ) -> StoreResult<Option<i64>> {
        let sql = "SELECT locked_until_ms FROM login_failures \
                   WHERE scope = $1 AND enterprise_code = $2 AND login = $3";
        Ok(read!(self, |p| sqlx::query_scalar(sql)
            .bind(scope.as_str())
            .bind(code)
            .bind(login)
            .fetch_optional(p)
            .await?))
    }

    /// Counts one more consecutive failure and sets the lock that `lock_ms(failures)`
    /// gives; returns the failure count.
    pub async fn record_login_failure(
        &self,
        scope: LoginScope,
        code: &str,
        login: &str,
        now: i64,
        lock_ms: fn(i64) -> i64,
    ) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            // Names nobody has failed on for a day are forgotten (unknown names are
            // counted too, so the table must not grow without bound).
            sqlx::query(
                "DELETE FROM login_failures WHERE last_failure_ms < $1 AND locked_until_ms < $1",
            )
            .bind(now - FORGET_FAILURES_AFTER_MS)
            .execute(&mut *tx)
            .await?;
            let failures: i64 = sqlx::query_scalar(
                "INSERT INTO login_failures \
                   (scope, enterprise_code, login, failures, locked_until_ms, last_failure_ms) \
                 VALUES ($1, $2, $3, 1, 0, $4) \
                 ON CONFLICT (scope, enterprise_code, login) DO UPDATE \
                 SET failures = login_failures.failures + 1, last_failure_ms = $4 \
                 RETURNING failures",
            )
            .bind(scope.as_str())
            .bind(code)
            .bind(login)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE login_failures SET locked_until_ms = $4 \
                 WHERE scope = $1 AND enterprise_code = $2 AND login = $3",
            )
            .bind(scope.as_str())
            .bind(code)
            .bind(login)
            .bind(now.saturating_add(lock_ms(failures)))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(failures)
        })
    }

    /// A successful login resets the count.
    pub async fn clear_login_failures(
        &self,
        scope: LoginScope,
        code: &str,
        login: &str,
    ) -> StoreResult<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "DELETE FROM login_failures \
                 WHERE scope = $1 AND enterprise_code = $2 AND login = $3",
            )
            .bind(scope.as_str())
            .bind(code)
            .bind(login)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    // ------------------------------------------------------------ sessions

    /// Starts an agent session on `kind`, replacing the agent's session on the same kind
    /// of device (and releasing a lease it held): one session per (agent, device kind).
    pub async fn start_agent_session(
        &self,
        agent_id: i64,
        kind: DeviceKind,
        device_id: &str,
        new: &NewSession<'_>,
    ) -> StoreResult<(i64, AgentDelta)> {
        let now = new.now_ms;
        write_tx!(self, |tx| {
            if !lock_agent!(tx, agent_id) {
                return Err(refused(ErrorCode::UnknownJobNumber));
            }
            let mut ended = purge_expired!(tx, agent_id, now);
            let before = agent_snapshot!(tx, agent_id, now);
            let replaced: Vec<i64> = sqlx::query_scalar(
                "DELETE FROM sessions WHERE agent_id = $1 AND device_kind = $2 RETURNING id",
            )
            .bind(agent_id)
            .bind(kind.as_str())
            .fetch_all(&mut *tx)
            .await?;
            ended.extend(
                replaced
                    .into_iter()
                    .map(|id| (id, SessionEndReason::ReplacedByNewLogin)),
            );
            let session_id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (token_hash, enterprise_id, agent_id, device_kind, \
                   device_id, created_at_ms, expires_at_ms) \
                 SELECT $1, enterprise_id, id, $2, $3, $4, $5 FROM agents WHERE id = $6 \
                 RETURNING id",
            )
            .bind(new.token_hash)
            .bind(kind.as_str())
            .bind(device_id)
            .bind(now)
            .bind(new.expires_at_ms)
            .bind(agent_id)
            .fetch_one(&mut *tx)
            .await?;
            let after = agent_snapshot!(tx, agent_id, now);
            tx.commit().await?;
            Ok((
                session_id,
                AgentDelta::between(agent_id, &before, &after, ended),
            ))
        })
    }

    pub async fn start_admin_session(
        &self,
        admin_id: i64,
        enterprise_id: i64,
        new: &NewSession<'_>,
    ) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            // Expired administrator sessions are cleared here, the only place they grow.
            sqlx::query("DELETE FROM sessions WHERE admin_id = $1 AND expires_at_ms <= $2")
                .bind(admin_id)
                .bind(new.now_ms)
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (token_hash, enterprise_id, admin_id, created_at_ms, \
                   expires_at_ms) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(new.token_hash)
            .bind(enterprise_id)
            .bind(admin_id)
            .bind(new.now_ms)
            .bind(new.expires_at_ms)
            .fetch_one(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The live session a token hash belongs to; `None` for unknown, expired or disabled.
    pub async fn session_by_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<SessionInfo>> {
        let sql = "SELECT s.id, s.enterprise_id, s.agent_id, s.admin_id, s.device_kind, \
                     s.expires_at_ms, a.disabled AS agent_disabled \
                   FROM sessions s LEFT JOIN agents a ON a.id = s.agent_id \
                   WHERE s.token_hash = $1";
        let row: Option<SessionRow> = read!(self, |p| sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await?);
        let Some(row) = row else { return Ok(None) };
        if row.expires_at_ms <= now || row.agent_disabled == Some(true) {
            return Ok(None);
        }
        let principal = match (row.agent_id, row.admin_id, row.device_kind) {
            (Some(agent_id), None, Some(kind)) => Principal::Agent {
                agent_id,
                device_kind: parse_kind(&kind)?,
            },
            (None, Some(admin_id), None) => Principal::Admin { admin_id },
            _ => return Err(StoreError::Corrupt("session principal")),
        };
        Ok(Some(SessionInfo {
            session_id: row.id,
            enterprise_id: row.enterprise_id,
            principal,
        }))
    }

    /// Whether a session still exists and has not expired (the event socket polls this).
    pub async fn session_alive(&self, session_id: i64, now: i64) -> StoreResult<bool> {
        let sql = "SELECT COUNT(*) FROM sessions WHERE id = $1 AND expires_at_ms > $2";
        let n: i64 = read!(self, |p| sqlx::query_scalar(sql)
            .bind(session_id)
            .bind(now)
            .fetch_one(p)
            .await?);
        Ok(n > 0)
    }

    /// Logout: ends the session and releases a lease it held. `None` when the session is
    /// an administrator's or already gone.
    pub async fn end_session(&self, session_id: i64, now: i64) -> StoreResult<Option<AgentDelta>> {
        write_tx!(self, |tx| {
            let agent_id: Option<Option<i64>> =
                sqlx::query_scalar("SELECT agent_id FROM sessions WHERE id = $1")
                    .bind(session_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(agent_id) = agent_id.flatten() else {
                sqlx::query("DELETE FROM sessions WHERE id = $1")
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(None);
            };
            // The agent exists: the session row references it.
            let _ = lock_agent!(tx, agent_id);
            let mut ended = purge_expired!(tx, agent_id, now);
            let before = agent_snapshot!(tx, agent_id, now);
            let gone = sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            if gone.rows_affected() == 1 {
                ended.push((session_id, SessionEndReason::LoggedOut));
            }
            let after = agent_snapshot!(tx, agent_id, now);
            tx.commit().await?;
            Ok(Some(AgentDelta::between(agent_id, &before, &after, ended)))
        })
    }

    // ------------------------------------------------------------ agent status (R2..R9)

    /// The snapshot a device loads after login and every reconnect.
    pub async fn agent_status(&self, agent_id: i64, now: i64) -> StoreResult<AgentStatus> {
        let sql = "SELECT a.id, a.job_number, a.display_name, a.bound_number, \
                     a.reception_open, e.code, e.name AS enterprise_name, \
                     e.has_online_service, e.phone_fault, a.can_delete_records, \
                     (SELECT l.device_kind FROM answer_leases l \
                        JOIN sessions s ON s.id = l.session_id \
                       WHERE l.agent_id = a.id AND s.expires_at_ms > $2) AS holder \
                   FROM agents a JOIN enterprises e ON e.id = a.enterprise_id \
                   WHERE a.id = $1";
        let kinds_sql = "SELECT device_kind FROM sessions \
                         WHERE agent_id = $1 AND expires_at_ms > $2";
        let (row, kinds): (Option<StatusRow>, Vec<String>) = read!(self, |p| {
            let row = sqlx::query_as(sql)
                .bind(agent_id)
                .bind(now)
                .fetch_optional(p)
                .await?;
            let kinds = sqlx::query_scalar(kinds_sql)
                .bind(agent_id)
                .bind(now)
                .fetch_all(p)
                .await?;
            (row, kinds)
        });
        let row = row.ok_or(refused(ErrorCode::NotFound))?;
        let snapshot = Snapshot::from_raw(row.holder, kinds)?;
        Ok(AgentStatus {
            profile: AgentProfile {
                agent_id: row.id,
                enterprise: parse(EnterpriseCode::parse(&row.code), "enterprise code")?,
                enterprise_name: row.enterprise_name,
                job_number: parse(JobNumber::parse(&row.job_number), "job number")?,
                display_name: row.display_name,
                bound_number: row
                    .bound_number
                    .map(|n| parse(PhoneNumber::parse(&n), "bound number"))
                    .transpose()?,
                has_online_service: row.has_online_service,
                can_delete_records: row.can_delete_records,
            },
            answer_holder: snapshot.holder,
            reception_open: row.reception_open,
            devices_online: snapshot.devices,
            phone_fault: row.phone_fault,
        })
    }

    /// R7: opens or closes chat reception; opening needs the online-service package.
    pub async fn set_reception(&self, agent_id: i64, open: bool) -> StoreResult<AgentDelta> {
        write_tx!(self, |tx| {
            if !lock_agent!(tx, agent_id) {
                return Err(refused(ErrorCode::NotFound));
            }
            let row: Option<(bool, bool)> = sqlx::query_as(
                "SELECT a.reception_open, e.has_online_service \
                 FROM agents a JOIN enterprises e ON e.id = a.enterprise_id WHERE a.id = $1",
            )
            .bind(agent_id)
            .fetch_optional(&mut *tx)
            .await?;
            let (was_open, has_package) = row.ok_or(refused(ErrorCode::NotFound))?;
            // Closing is always allowed, so a package that lapsed cannot trap it open.
            if open && !has_package {
                return Err(refused(ErrorCode::PackageMissing {
                    package: "online_service".into(),
                }));
            }
            sqlx::query("UPDATE agents SET reception_open = $2 WHERE id = $1")
                .bind(agent_id)
                .bind(open)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(AgentDelta {
                agent_id,
                reception: (was_open != open).then_some(open),
                ..AgentDelta::default()
            })
        })
    }

    // ------------------------------------------------------------ administration

    /// Creates an agent; a job number already used in the enterprise is a bad request.
    pub async fn create_agent(
        &self,
        enterprise_id: i64,
        job: &JobNumber,
        display_name: &str,
        password_hash: &str,
        bound_number: Option<&PhoneNumber>,
        now: i64,
    ) -> StoreResult<i64> {
        write_tx!(self, |tx| {
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO agents (enterprise_id, job_number, display_name, password_hash, \
                   bound_number, created_at_ms, updated_at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) \
                 ON CONFLICT (enterprise_id, job_number) DO NOTHING RETURNING id",
            )
            .bind(enterprise_id)
            .bind(job.as_str())
            .bind(display_name)
            .bind(password_hash)
            .bind(bound_number.map(PhoneNumber::as_str))
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let id = id.ok_or(refused(ErrorCode::BadRequest {
                field: Some("job_number".into()),
            }))?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The agent id for a job number in an enterprise.
    pub async fn agent_id(&self, enterprise_id: i64, job: &JobNumber) -> StoreResult<Option<i64>> {
        let sql = "SELECT id FROM agents WHERE enterprise_id = $1 AND job_number = $2";
        Ok(read!(self, |p| sqlx::query_scalar(sql)
            .bind(enterprise_id)
            .bind(job.as_str())
            .fetch_optional(p)
            .await?))
    }

    /// The enterprise's agents with their live state, by job number.
    pub async fn list_agents(
        &self,
        enterprise_id: i64,
        now: i64,
    ) -> StoreResult<Vec<AgentSummary>> {
        self.agent_summaries(enterprise_id, None, now).await
    }

    pub async fn agent_summary(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        now: i64,
    ) -> StoreResult<AgentSummary> {
        self.agent_summaries(enterprise_id, Some(agent_id), now)
            .await?
            .pop()
            .ok_or(refused(ErrorCode::NotFound))
    }

    async fn agent_summaries(
        &self,
        enterprise_id: i64,
        only: Option<i64>,
        now: i64,
    ) -> StoreResult<Vec<AgentSummary>> {
        // `$2` is -1 for "all agents": ids are positive.
        let agents_sql = "SELECT id, job_number, display_name, bound_number, disabled, \
                            can_delete_records \
                          FROM agents WHERE enterprise_id = $1 AND ($2 < 0 OR id = $2) \
                          ORDER BY job_number, id";
        let sessions_sql = "SELECT s.agent_id, s.device_kind FROM sessions s \
                            JOIN agents a ON a.id = s.agent_id \
                            WHERE a.enterprise_id = $1 AND s.expires_at_ms > $2";
        let leases_sql = "SELECT l.agent_id, l.device_kind FROM answer_leases l \
                          JOIN sessions s ON s.id = l.session_id \
                          JOIN agents a ON a.id = l.agent_id \
                          WHERE a.enterprise_id = $1 AND s.expires_at_ms > $2";
        let only = only.unwrap_or(-1);
        type Pairs = Vec<(i64, String)>;
        let (agents, sessions, leases): (Vec<AgentListRow>, Pairs, Pairs) = read!(self, |p| {
            let agents = sqlx::query_as(agents_sql)
                .bind(enterprise_id)
                .bind(only)
                .fetch_all(p)
                .await?;
            let sessions = sqlx::query_as(sessions_sql)
                .bind(enterprise_id)
                .bind(now)
                .fetch_all(p)
                .await?;
            let leases = sqlx::query_as(leases_sql)
                .bind(enterprise_id)
                .bind(now)
                .fetch_all(p)
                .await?;
            (agents, sessions, leases)
        });
        agents
            .into_iter()
            .map(|a| {
                let mut devices = sessions
                    .iter()
                    .filter(|(id, _)| *id == a.id)
                    .map(|(_, k)| parse_kind(k))
                    .collect::<StoreResult<Vec<_>>>()?;
                sort_kinds(&mut devices);
                let holder = leases
                    .iter()
                    .find(|(id, _)| *id == a.id)
                    .map(|(_, k)| parse_kind(k))
                    .transpose()?;
                Ok(AgentSummary {
                    agent_id: a.id,
                    job_number: parse(JobNumber::parse(&a.job_number), "job number")?,
                    display_name: a.display_name,
                    bound_number: a
                        .bound_number
                        .map(|n| parse(PhoneNumber::parse(&n), "bound number"))
                        .transpose()?,
                    disabled: a.disabled,
                    devices_online: devices,
                    answer_holder: holder,
                    can_delete_records: a.can_delete_records,
                })
            })
            .collect()
    }

    /// Applies an administrator's update. Disabling ends every session of the agent
    /// (`AccountDisabled`); unbinding the number releases a mobile lease (R3).
    pub async fn update_agent(
        &self,
        enterprise_id: i64,
        agent_id: i64,
        changes: &AgentChanges,
        now: i64,
    ) -> StoreResult<AgentDelta> {
        write_tx!(self, |tx| {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM agents WHERE id = $1 AND enterprise_id = $2")
                    .bind(agent_id)
                    .bind(enterprise_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if found.is_none() {
                return Err(refused(ErrorCode::NotFound));
            }
            let _ = lock_agent!(tx, agent_id);
            let mut ended = purge_expired!(tx, agent_id, now);
            let before = agent_snapshot!(tx, agent_id, now);
            if let Some(name) = &changes.display_name {
                sqlx::query("UPDATE agents SET display_name = $2 WHERE id = $1")
                    .bind(agent_id)
                    .bind(name.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(hash) = &changes.password_hash {
                sqlx::query("UPDATE agents SET password_hash = $2 WHERE id = $1")
                    .bind(agent_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(number) = &changes.bound_number {
                sqlx::query("UPDATE agents SET bound_number = $2 WHERE id = $1")
                    .bind(agent_id)
                    .bind(number.as_ref().map(PhoneNumber::as_str))
                    .execute(&mut *tx)
                    .await?;
                if number.is_none() {
                    sqlx::query(
                        "DELETE FROM answer_leases WHERE agent_id = $1 AND device_kind = 'mobile'",
                    )
                    .bind(agent_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            if let Some(allowed) = changes.can_delete_records {
                sqlx::query("UPDATE agents SET can_delete_records = $2 WHERE id = $1")
                    .bind(agent_id)
                    .bind(allowed)
                    .execute(&mut *tx)
                    .await?;
            }
            if let Some(disabled) = changes.disabled {
                sqlx::query("UPDATE agents SET disabled = $2 WHERE id = $1")
                    .bind(agent_id)
                    .bind(disabled)
                    .execute(&mut *tx)
                    .await?;
            }
            // Disabling ends every session of the agent; so does a new password, which is
            // often set because the old one leaked: whoever holds a token from it must log
            // in again.
            let end_reason = if changes.disabled == Some(true) {
                Some(SessionEndReason::AccountDisabled)
            } else {
                changes
                    .password_hash
                    .as_ref()
                    .map(|_| SessionEndReason::PasswordChanged)
            };
            if let Some(reason) = end_reason {
                let ids: Vec<i64> =
                    sqlx::query_scalar("DELETE FROM sessions WHERE agent_id = $1 RETURNING id")
                        .bind(agent_id)
                        .fetch_all(&mut *tx)
                        .await?;
                ended.extend(ids.into_iter().map(|id| (id, reason)));
            }
            sqlx::query("UPDATE agents SET updated_at_ms = $2 WHERE id = $1")
                .bind(agent_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let after = agent_snapshot!(tx, agent_id, now);
            tx.commit().await?;
            Ok(AgentDelta::between(agent_id, &before, &after, ended))
        })
    }
}

/// A stored value that no longer parses is corruption, not bad input.
pub(crate) fn parse<T, E>(r: Result<T, E>, what: &'static str) -> StoreResult<T> {
    r.map_err(|_| StoreError::Corrupt(what))
}
