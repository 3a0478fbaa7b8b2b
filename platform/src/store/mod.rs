//! The platform's storage: one logical schema on SQLite (embedded default) or PostgreSQL.
//!
//! Why an enum over the two native pools and not `sqlx::Any` (ADR 0003): the native
//! drivers keep SQLite's connection settings (WAL, `synchronous`, `busy_timeout`,
//! foreign keys), `BEGIN IMMEDIATE`, and native type decoding (bools, i64) that `Any`
//! loses or mangles. The SQL itself is written once: the [`read!`] and [`write_tx!`]
//! macros expand the same body once per backend, so each expansion is type-checked
//! against its own driver. Only `$N` placeholders and SQL that both engines accept are
//! used (`ON CONFLICT`, `RETURNING`, `LIKE ... ESCAPE`).
//!
//! Durability (invariant 3): a method returns only after its transaction committed, and
//! SQLite runs with `synchronous=FULL` in WAL mode, so an acknowledged write survives a
//! process kill and a power cut; PostgreSQL keeps its default `synchronous_commit=on`.
//!
//! Concurrency: SQLite has one writer connection (a pool of one), so writers queue in the
//! pool instead of spinning on `SQLITE_BUSY`; readers have their own pool and see the last
//! committed state (WAL). On PostgreSQL, transactions that change an agent first bump
//! `agents.version`, which takes the agent's row lock; customer writes bump
//! `enterprises.change_seq`, which takes the enterprise's. Decisions themselves (the
//! answer lease, duplicate customers) are single statements guarded by keys, never a
//! read in Rust followed by a write.

use seatline_proto::ErrorCode;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use std::time::{SystemTime, UNIX_EPOCH};

/// Runs `$body` with `$p` bound to a read pool of whichever backend the store uses.
macro_rules! read {
    ($store:expr, |$p:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { read: $p, .. } => $body,
            $crate::store::Db::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$tx` bound to a fresh write transaction. The body must commit; an
/// early return (`?`) drops the transaction, which rolls it back.
macro_rules! write_tx {
    ($store:expr, |$tx:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite { write, .. } => {
                // IMMEDIATE takes the write lock up front, so a transaction that reads
                // and then writes cannot fail half-way on a lock upgrade if another
                // process (the CLI, a test) writes to the same file.
                let mut $tx = write.begin_with("BEGIN IMMEDIATE").await?;
                $body
            }
            $crate::store::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                $body
            }
        }
    };
}

/// Takes the agent's row lock inside a write transaction (see the module comment).
/// Returns false when there is no such agent.
macro_rules! lock_agent {
    ($tx:expr, $agent_id:expr) => {
        sqlx::query("UPDATE agents SET version = version + 1 WHERE id = $1")
            .bind($agent_id)
            .execute(&mut *$tx)
            .await?
            .rows_affected()
            == 1
    };
}

mod accounts;
mod customers;
mod leases;
mod postgres;
pub mod records;
mod sqlite;

pub use accounts::*;
pub use customers::*;
pub use records::*;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A domain refusal (lease held, duplicate customer, ...): the API returns the code.
    #[error("refused: {0:?}")]
    Refused(ErrorCode),
    #[error("unsupported database url (use sqlite://FILE or postgres://...)")]
    BadUrl,
    /// A stored value no longer parses as its typed value: a bug or a hand-edited row.
    #[error("stored data is invalid: {0}")]
    Corrupt(&'static str),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The handle the API uses; cheap to clone (pools are shared).
#[derive(Clone)]
pub struct Store {
    pub(crate) db: Db,
}

#[derive(Clone)]
pub(crate) enum Db {
    Sqlite { read: SqlitePool, write: SqlitePool },
    Postgres(PgPool),
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`:
    /// `sqlite://path.db`, `sqlite:path.db` or `postgres://user@host:port/db`.
    pub async fn connect(url: &str) -> StoreResult<Store> {
        let db = if url.starts_with("sqlite:") {
            sqlite::connect(url).await?
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            postgres::connect(url).await?
        } else {
            return Err(StoreError::BadUrl);
        };
        let store = Store { db };
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    async fn migrate(&self) -> StoreResult<()> {
        match &self.db {
            Db::Sqlite { write, .. } => sqlx::migrate!("./migrations/sqlite").run(write).await?,
            Db::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Closes the pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        match &self.db {
            Db::Sqlite { read, write } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }

    /// Row counts of every table: for operators and for the tests that check that bad
    /// input changed nothing.
    pub async fn row_counts(&self) -> StoreResult<Vec<(&'static str, i64)>> {
        const TABLES: [&str; 10] = [
            "enterprises",
            "admins",
            "agents",
            "sessions",
            "login_failures",
            "answer_leases",
            "customers",
            "customer_contacts",
            "call_records",
            "_sqlx_migrations",
        ];
        let mut out = Vec::with_capacity(TABLES.len());
        for table in TABLES {
            // Table names come from the constant list above, never from input.
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = read!(self, |p| sqlx::query_scalar(&sql).fetch_one(p).await?);
            out.push((table, n));
        }
        Ok(out)
    }

    /// Every answer lease as (agent id, device kind): the race tests read the table
    /// directly with this.
    pub async fn all_leases(&self) -> StoreResult<Vec<(i64, String)>> {
        let sql = "SELECT agent_id, device_kind FROM answer_leases ORDER BY agent_id";
        Ok(read!(self, |p| sqlx::query_as(sql).fetch_all(p).await?))
    }
}

/// Wall-clock time as Unix milliseconds; every stored time uses it.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
