//! PostgreSQL specifics: the pool. The server's defaults (READ COMMITTED,
//! `synchronous_commit=on`) are what the store's transactions assume.

use super::{Db, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

const MAX_CONNECTIONS: u32 = 16;

pub(super) async fn connect(url: &str) -> StoreResult<Db> {
    let options = PgConnectOptions::from_str(url)?;
    let pool = PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await?;
    Ok(Db::Postgres(pool))
}
