//! SQLite specifics: connection settings and the one-writer / many-readers pools.

use super::{Db, StoreResult};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// How many connections serve reads; writes always go through a single connection.
const READERS: u32 = 4;

pub(super) async fn connect(url: &str) -> StoreResult<Db> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        // WAL: readers never block the writer and see the last commit.
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: every commit fsyncs the WAL, so an acknowledged write survives a power
        // cut, not only a process kill (invariant 3; NORMAL would only promise the latter).
        .synchronous(SqliteSynchronous::Full)
        // Other processes (the CLI, tests) may hold the write lock for a moment.
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true);

    // One writer: transactions queue in the pool (fair, async) rather than in SQLite's
    // busy handler, which sleeps and retries.
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.clone())
        .await?;
    if url.contains(":memory:") {
        // Every connection to `:memory:` is its own database: share the single one.
        return Ok(Db::Sqlite {
            read: write.clone(),
            write,
        });
    }
    let read = SqlitePoolOptions::new()
        .max_connections(READERS)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options.read_only(true))
        .await?;
    Ok(Db::Sqlite { read, write })
}
