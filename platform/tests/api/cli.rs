//! The command line: create-enterprise, seed-demo idempotence, graceful shutdown.

use crate::common::{events, next_incoming, seed, Incoming, Platform, TestDb, BIN};
use std::time::Duration;
use tokio::process::Command;

both_backends!(
    create_enterprise_then_admin_logs_in,
    seed_demo_is_idempotent,
    sigterm_closes_sockets_and_exits
);

async fn create_enterprise_then_admin_logs_in(db: &TestDb) {
    let args = [
        "create-enterprise",
        "--db",
        &db.url,
        "--code",
        "Newco",
        "--name",
        "新公司",
        "--admin-user",
        "boss",
        "--admin-password",
        "b0ss-pass",
        "--online-service",
    ];
    let out = Command::new(BIN).args(args).output().await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created enterprise newco"));
    // A second time: the code exists.
    let again = Command::new(BIN).args(args).output().await.unwrap();
    assert!(!again.status.success());
    let p = Platform::start(db).await;
    let admin = p.api.admin_login("newco", "boss", "b0ss-pass").await;
    let agents = p.api.get("/api/v1/admin/agents", &admin).await.expect(200);
    assert_eq!(agents, serde_json::json!([]));
}

async fn seed_demo_is_idempotent(db: &TestDb) {
    seed(db).await;
    let store = db.store().await;
    let first = store.row_counts().await.unwrap();
    store.close().await;
    seed(db).await;
    let store = db.store().await;
    assert_eq!(store.row_counts().await.unwrap(), first);
    let customers = first.iter().find(|(t, _)| *t == "customers").unwrap().1;
    assert_eq!(customers, 320, "300 demo + 20 acme customers");
}

/// SIGTERM: open sockets are closed with 1001 (going away) and the process exits 0.
async fn sigterm_closes_sockets_and_exits(db: &TestDb) {
    seed(db).await;
    let mut p = Platform::start(db).await;
    let agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let (mut ws, _) = events(&p.base, &agent.token).await;
    // `kill` as the shell's builtin: no procps needed.
    let status = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", p.pid())])
        .status()
        .await
        .unwrap();
    assert!(status.success());
    match next_incoming(&mut ws, Duration::from_secs(5)).await {
        Incoming::Closed(code) => assert_eq!(code, Some(1001)),
        other => panic!("expected a close, got {other:?}"),
    }
    let exit = p.wait_exit(Duration::from_secs(10)).await.expect("exited");
    assert!(exit.success(), "{exit:?}");
}
