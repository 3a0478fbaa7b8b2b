//! The core's one SQLite database: the customer-library mirror with its full-text indexes,
//! the sync cursor, the outbox of offline edits, sync conflicts and rejections, and a
//! generic key-value table for settings and the saved session.
//!
//! Discipline (STYLE item 7): WAL, one connection behind a mutex (so one writer), short
//! critical sections, functions that must be atomic take a `&Transaction`, and the schema
//! version lives in `PRAGMA user_version` with numbered migrations that only ever append.
//!
//! Why one connection and not a pool: every statement the core runs is short (the slowest
//! is a ranked search over 100k rows, ~10 ms), the devices have few cores, and a single
//! connection also works for `:memory:` databases in tests. Nobody may hold the lock across
//! an `.await`: `with_conn`/`with_tx` take synchronous closures, which enforces it.

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The file was written by a newer build; opening it would risk corrupting it.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew { found: u32, supported: u32 },
}

/// How long a statement waits for a lock held by another connection (another process,
/// e.g. the `sqlite3` shell or a second app instance) before failing with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Numbered migrations. Migration `i` (0-based) brings the schema from version `i` to
/// `i + 1`. Never edit a migration that has shipped: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: key-value store, customer mirror, full-text indexes, outbox, sync bookkeeping.
    r#"
    CREATE TABLE kv (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );

    -- The customer mirror. `id` is the platform's id (> 0) or, for a customer created
    -- offline and not yet accepted by the platform, a provisional local id (< 0).
    CREATE TABLE customers (
        id             INTEGER PRIMARY KEY,
        mobile         TEXT NOT NULL UNIQUE,
        name           TEXT,
        company        TEXT,
        title          TEXT,
        owner_agent_id INTEGER,
        change_seq     INTEGER NOT NULL DEFAULT 0,
        created_at_ms  INTEGER NOT NULL,
        updated_at_ms  INTEGER NOT NULL,
        -- Search forms of name and company (library::search::search_form): CJK characters
        -- spaced apart, so that unicode61 makes each one a token and any run of CJK text
        -- inside a name is a phrase query. Written with name and company, never alone.
        fts_name       TEXT,
        fts_company    TEXT
    );
    CREATE INDEX customers_owner ON customers(owner_agent_id, name, id);
    CREATE INDEX customers_updated ON customers(updated_at_ms);

    -- Contact methods (R15). Insertion order is display order.
    CREATE TABLE contacts (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE ON UPDATE CASCADE,
        kind        TEXT NOT NULL,
        value       TEXT NOT NULL,
        UNIQUE (customer_id, kind, value)
    );

    -- Every phone number of a customer (its mobile and its mobile/landline contacts), the
    -- content of the trigram index; kept by the triggers below, never written directly.
    CREATE TABLE numbers (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE ON UPDATE CASCADE,
        number      TEXT NOT NULL
    );
    CREATE INDEX numbers_customer ON numbers(customer_id, number);
    CREATE INDEX numbers_number ON numbers(number);

    -- Name and company search over the search forms: word prefixes for alphabetic text,
    -- any substring for CJK text (each character is a token).
    CREATE VIRTUAL TABLE customer_fts USING fts5(
        fts_name, fts_company,
        content = 'customers', content_rowid = 'id',
        tokenize = 'unicode61 remove_diacritics 2'
    );
    -- Any part of a number (3 or more digits).
    CREATE VIRTUAL TABLE number_fts USING fts5(
        number,
        content = 'numbers', content_rowid = 'id',
        tokenize = 'trigram'
    );

    CREATE TRIGGER customers_ai AFTER INSERT ON customers BEGIN
        INSERT INTO customer_fts(rowid, fts_name, fts_company)
            VALUES (new.id, new.fts_name, new.fts_company);
        INSERT INTO numbers(customer_id, number) VALUES (new.id, new.mobile);
    END;
    CREATE TRIGGER customers_ad AFTER DELETE ON customers BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, fts_name, fts_company)
            VALUES ('delete', old.id, old.fts_name, old.fts_company);
    END;
    CREATE TRIGGER customers_au_text AFTER UPDATE OF id, fts_name, fts_company ON customers
    WHEN old.id IS NOT new.id OR old.fts_name IS NOT new.fts_name
         OR old.fts_company IS NOT new.fts_company
    BEGIN
        INSERT INTO customer_fts(customer_fts, rowid, fts_name, fts_company)
            VALUES ('delete', old.id, old.fts_name, old.fts_company);
        INSERT INTO customer_fts(rowid, fts_name, fts_company)
            VALUES (new.id, new.fts_name, new.fts_company);
    END;
    -- The mobile number never changes (R15); this only keeps the index right if a mirror
    -- row is ever rewritten with another one.
    CREATE TRIGGER customers_au_mobile AFTER UPDATE OF mobile ON customers
    WHEN old.mobile IS NOT new.mobile
    BEGIN
        DELETE FROM numbers WHERE id =
            (SELECT id FROM numbers WHERE customer_id = new.id AND number = old.mobile LIMIT 1);
        INSERT INTO numbers(customer_id, number) VALUES (new.id, new.mobile);
    END;

    CREATE TRIGGER contacts_ai AFTER INSERT ON contacts
    WHEN new.kind IN ('mobile', 'landline')
    BEGIN
        INSERT INTO numbers(customer_id, number) VALUES (new.customer_id, new.value);
    END;
    CREATE TRIGGER contacts_ad AFTER DELETE ON contacts
    WHEN old.kind IN ('mobile', 'landline')
    BEGIN
        DELETE FROM numbers WHERE id =
            (SELECT id FROM numbers WHERE customer_id = old.customer_id AND number = old.value LIMIT 1);
    END;

    CREATE TRIGGER numbers_ai AFTER INSERT ON numbers BEGIN
        INSERT INTO number_fts(rowid, number) VALUES (new.id, new.number);
    END;
    CREATE TRIGGER numbers_ad AFTER DELETE ON numbers BEGIN
        INSERT INTO number_fts(number_fts, rowid, number) VALUES ('delete', old.id, old.number);
    END;

    -- One row: the pull cursor (the platform's change_seq), the next provisional id
    -- (never reused, so an old provisional id can always be resolved through id_remap),
    -- and the agent this device is logged in as (for owned_by_me while offline).
    CREATE TABLE library_state (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        cursor        INTEGER NOT NULL DEFAULT 0,
        next_local_id INTEGER NOT NULL DEFAULT 1,
        agent_id      INTEGER
    );
    INSERT INTO library_state(id) VALUES (1);

    -- Offline edits waiting for the platform, pushed in `seq` order.
    CREATE TABLE outbox (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        customer_id   INTEGER NOT NULL,
        op            TEXT NOT NULL CHECK (op IN ('create', 'patch', 'contact')),
        body          TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT
    );
    CREATE INDEX outbox_customer ON outbox(customer_id, seq);

    -- Provisional ids that the platform replaced with real ones.
    CREATE TABLE id_remap (
        local_id    INTEGER PRIMARY KEY,
        platform_id INTEGER NOT NULL
    );

    -- Field edits the platform did not apply because the field had changed meanwhile.
    CREATE TABLE sync_conflicts (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL,
        field       TEXT NOT NULL,
        yours       TEXT NOT NULL,
        kept        TEXT NOT NULL,
        at_ms       INTEGER NOT NULL
    );

    -- Outbox entries the platform refused for good, kept so the app can show them.
    CREATE TABLE sync_rejections (
        id          INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL,
        op          TEXT NOT NULL,
        body        TEXT NOT NULL,
        error       TEXT NOT NULL,
        at_ms       INTEGER NOT NULL
    );
    "#,
    // 2: native calls (R12) kept until the platform's records have them (crate::records).
    r#"
    CREATE TABLE native_calls (
        client_ref    TEXT PRIMARY KEY,
        agent_id      INTEGER NOT NULL,
        number        TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        ended_at_ms   INTEGER,
        -- 1 while the platform lacks something this row knows (the call, or its end).
        pending       INTEGER NOT NULL DEFAULT 1,
        -- The platform's record id, once it has the call.
        record_id     INTEGER,
        attempts      INTEGER NOT NULL DEFAULT 0,
        last_error    TEXT,
        -- 1 when the platform refused the record for good: kept, never sent again.
        rejected      INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX native_calls_pending ON native_calls(agent_id, pending, started_at_ms);
    "#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The core's database handle. `Send + Sync`: share it as `Arc<Db>`.
pub struct Db {
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

impl Db {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        let conn = Connection::open(path.as_ref())?;
        // WAL lets readers in other processes (the sqlite3 shell, a backup) work while we
        // write. The pragma answers with the mode it got; `:memory:` stays "memory".
        let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        Self::setup(conn)
    }

    /// A private in-memory database (tests, or a device that may not keep files).
    pub fn open_in_memory() -> Result<Self, DbError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<Self, DbError> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // FULL, not NORMAL: a queued offline edit is acknowledged to the agent once it is
        // committed, and must survive a power cut too (invariant 3). Commits are rare.
        conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;")?;
        migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a closure cannot leave a half-done write behind: an open
        // `Transaction` rolls back when dropped during unwinding, and single statements
        // are atomic. So a poisoned lock still guards a consistent database.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` with the connection (reads, single statements). Keep it short: the whole
    /// core waits on this lock.
    pub fn with_conn<T, E>(&self, f: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, E> {
        f(&self.lock())
    }

    /// Runs `f` in an immediate transaction, committed if `f` returns `Ok`, rolled back
    /// otherwise. Immediate: take the write lock up front, so a read-then-write inside
    /// cannot fail half-way with `SQLITE_BUSY` when another process writes.
    pub fn with_tx<T, E>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T, E>) -> Result<T, E>
    where
        E: From<rusqlite::Error>,
    {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The schema version of the open file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32, DbError> {
        Ok(user_version(&self.lock())?)
    }

    pub fn get_kv(&self, key: &str) -> Result<Option<String>, DbError> {
        Ok(get_kv(&self.lock(), key)?)
    }

    pub fn put_kv(&self, key: &str, value: &str) -> Result<(), DbError> {
        Ok(put_kv(&self.lock(), key, value)?)
    }

    /// Returns whether the key was there.
    pub fn delete_kv(&self, key: &str) -> Result<bool, DbError> {
        Ok(delete_kv(&self.lock(), key)?)
    }
}

fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations the file has not seen yet, each in its own transaction together
/// with its version bump, so a crash leaves the file at a whole version.
fn migrate(conn: &mut Connection) -> Result<(), DbError> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(DbError::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = i as u32 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Another process may have migrated between our read and our lock.
        if user_version(&tx)? >= version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(version, "database migrated");
    }
    Ok(())
}

/// Reads a key of the key-value table.
pub fn get_kv(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM kv WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

/// Writes a key of the key-value table, replacing any old value.
pub fn put_kv(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO kv(key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([key, value])?;
    Ok(())
}

/// Deletes a key; returns whether it was there.
pub fn delete_kv(conn: &Connection, key: &str) -> rusqlite::Result<bool> {
    Ok(conn
        .prepare_cached("DELETE FROM kv WHERE key = ?1")?
        .execute([key])?
        > 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fresh_database_is_at_the_current_version() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
        let fk: i64 = db
            .with_conn(|c| c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)))
            .unwrap();
        assert_eq!(fk, 1);
    }

    #[test]
    fn reopening_a_file_does_not_migrate_again_and_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.db");
        {
            let db = Db::open(&path).unwrap();
            db.put_kv("session", "s1").unwrap();
            let mode: String = db
                .with_conn(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
                .unwrap();
            assert_eq!(mode, "wal");
        }
        for _ in 0..2 {
            let db = Db::open(&path).unwrap();
            assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
            assert_eq!(db.get_kv("session").unwrap().as_deref(), Some("s1"));
            let rows: i64 = db
                .with_conn(|c| c.query_row("SELECT count(*) FROM library_state", [], |r| r.get(0)))
                .unwrap();
            assert_eq!(rows, 1, "migration 1 ran once");
        }
    }

    #[test]
    fn a_newer_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.db");
        drop(Db::open(&path).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(conn);
        assert!(matches!(Db::open(&path), Err(DbError::SchemaTooNew { .. })));
    }

    #[test]
    fn kv_put_get_replace_delete() {
        let db = Db::open_in_memory().unwrap();
        assert_eq!(db.get_kv("a").unwrap(), None);
        db.put_kv("a", "1").unwrap();
        db.put_kv("a", "2").unwrap();
        assert_eq!(db.get_kv("a").unwrap().as_deref(), Some("2"));
        assert!(db.delete_kv("a").unwrap());
        assert!(!db.delete_kv("a").unwrap());
    }

    #[test]
    fn failed_transaction_rolls_back() {
        let db = Db::open_in_memory().unwrap();
        let r: Result<(), DbError> = db.with_tx(|tx| {
            put_kv(tx, "k", "v")?;
            Err(DbError::SchemaTooNew {
                found: 0,
                supported: 0,
            })
        });
        assert!(r.is_err());
        assert_eq!(db.get_kv("k").unwrap(), None);
    }

    #[test]
    fn triggers_keep_the_search_indexes_in_step() {
        // Cascades must fire the child tables' triggers, or the trigram index would keep
        // numbers of deleted customers.
        let db = Db::open_in_memory().unwrap();
        db.with_tx(|tx| -> rusqlite::Result<()> {
            tx.execute(
                "INSERT INTO customers(id, mobile, name, fts_name, created_at_ms, updated_at_ms)
                 VALUES (-1, '13800138000', '张三丰', ' 张  三  丰 ', 0, 0)",
                [],
            )?;
            tx.execute(
                "INSERT INTO contacts(customer_id, kind, value) VALUES (-1, 'landline', '01012345678')",
                [],
            )?;
            tx.execute("UPDATE customers SET id = 7 WHERE id = -1", [])?;
            Ok(())
        })
        .unwrap();
        let count = |sql: &str| -> i64 {
            db.with_conn(|c| c.query_row(sql, [], |r| r.get(0)))
                .unwrap()
        };
        assert_eq!(
            count("SELECT count(*) FROM number_fts WHERE number_fts MATCH '\"2345\"'"),
            1
        );
        assert_eq!(
            count("SELECT count(*) FROM numbers WHERE customer_id = 7"),
            2
        );
        assert_eq!(
            count("SELECT rowid FROM customer_fts WHERE customer_fts MATCH '\"张\"*'"),
            7
        );
        db.with_conn(|c| c.execute("DELETE FROM customers WHERE id = 7", []))
            .unwrap();
        assert_eq!(count("SELECT count(*) FROM numbers"), 0);
        assert_eq!(
            count("SELECT count(*) FROM number_fts WHERE number_fts MATCH '\"138\"'"),
            0
        );
        assert_eq!(
            count("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH '\"张\"*'"),
            0
        );
    }
}
