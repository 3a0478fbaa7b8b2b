//! Integration tests against the real `seatline-platform` binary, started on
//! `127.0.0.1:0` over a fresh database: SQLite always, PostgreSQL when configured (see
//! `common`). Test names carry the rule ids they check.
#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod cli;
mod durability;
mod events;
mod isolation;
mod lease_race;
mod login;
mod logs;
mod records;
mod routes;
mod tls;

use common::{seed, Platform, TestDb};

/// A platform over the seeded demo data (`seed-demo`).
pub async fn demo(db: &TestDb) -> Platform {
    seed(db).await;
    Platform::start(db).await
}
