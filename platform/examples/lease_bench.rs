//! Answer-lease grant latency under contention (R5, invariant 1).
//!
//! Starts the real `seatline-platform` binary on a fresh database, logs in the PC and
//! mobile devices of the demo agents 1001 and 1002, fires 200 concurrent
//! `PUT /api/v1/me/answer` requests (70% on, 30% off) and prints latency p50/p99 for the
//! grants and for all requests.
//!
//! ```text
//! cargo build --release -p seatline-platform --bin seatline-platform --example lease_bench
//! target/release/examples/lease_bench            # SQLite in a temp dir
//! target/release/examples/lease_bench postgres://postgres@127.0.0.1:54329/bench
//! ```
//! The binary is taken from `SEATLINE_PLATFORM_BIN`, else from next to this example's
//! directory (`target/<profile>/seatline-platform`).
#![allow(clippy::unwrap_used)]

use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const REQUESTS: usize = 200;

fn platform_bin() -> PathBuf {
    if let Ok(p) = std::env::var("SEATLINE_PLATFORM_BIN") {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/examples/lease_bench -> target/<profile>/seatline-platform
    let bin = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("seatline-platform");
    assert!(
        bin.exists(),
        "{} not found: build it first (cargo build -p seatline-platform --bin seatline-platform)",
        bin.display()
    );
    bin
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let bin = platform_bin();
    let dir = tempfile::tempdir().unwrap();
    let db = std::env::args()
        .nth(1)
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));

    let seeded = Command::new(&bin)
        .args(["seed-demo", "--db", &db])
        .output()
        .await
        .unwrap();
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let mut child = Command::new(&bin)
        .args(["serve", "--db", &db, "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let ready = lines.next_line().await.unwrap().unwrap();
    let base = ready.trim_start_matches("listening on ").trim().to_string();

    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut tokens = Vec::new();
    for job in ["1001", "1002"] {
        for kind in ["pc", "mobile"] {
            let body = json!({"enterprise": "demo", "job_number": job,
                              "password": format!("{job}pass"), "device_kind": kind,
                              "device_id": format!("bench-{kind}")});
            let r: Value = http
                .post(format!("{base}/api/v1/auth/login"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            tokens.push(r["token"].as_str().unwrap().to_string());
        }
    }

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut tasks = Vec::new();
    for _ in 0..REQUESTS {
        let token = tokens[rng.gen_range(0..tokens.len())].clone();
        let on = rng.gen_bool(0.7);
        let (http, base) = (http.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let started = Instant::now();
            let r = http
                .put(format!("{base}/api/v1/me/answer"))
                .bearer_auth(token)
                .json(&json!({ "on": on }))
                .send()
                .await
                .unwrap();
            (on, r.status().as_u16(), started.elapsed())
        }));
    }
    let (mut grants, mut all, mut refused) = (Vec::new(), Vec::new(), 0);
    for t in tasks {
        let (on, status, took) = t.await.unwrap();
        all.push(took);
        match (on, status) {
            (true, 200) => grants.push(took),
            (_, 409) => refused += 1,
            _ => {}
        }
    }
    grants.sort();
    all.sort();
    println!(
        "lease bench ({REQUESTS} concurrent requests, {}): {} granted, {refused} lease_held; \
         grant p50 {:?} p99 {:?}; all p50 {:?} p99 {:?}",
        db.split("://").next().unwrap_or("?"),
        grants.len(),
        percentile(&grants, 0.5),
        percentile(&grants, 0.99),
        percentile(&all, 0.5),
        percentile(&all, 0.99),
    );
    child.start_kill().unwrap();
    let _ = child.wait().await;
}
