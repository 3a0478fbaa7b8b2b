//! Invariant 5: no phone number, name, password or token in the log at info level.

use crate::common::{seed, Platform, TestDb};
use serde_json::json;
use std::process::Stdio;

both_backends!(invariant5_logs_hold_no_personal_data);

async fn invariant5_logs_hold_no_personal_data(db: &TestDb) {
    seed(db).await;
    let log_path = std::env::temp_dir().join(format!(
        "seatline-log-{}-{}.txt",
        db.backend,
        std::process::id()
    ));
    let log = std::fs::File::create(&log_path).unwrap();
    let mut p = Platform::start_with(db, "info", Stdio::from(log)).await;
    let agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let t = agent.token.as_str();
    p.api
        .try_login("demo", "1001", "WrongSecret9", "mobile")
        .await
        .expect_error(401, "wrong_password");
    let c = p
        .api
        .post(
            "/api/v1/customers",
            t,
            json!({"mobile": "13655554444", "name": "日志测试", "company": "保密公司"}),
        )
        .await
        .expect(201);
    let id = c["id"].as_i64().unwrap();
    p.api
        .post("/api/v1/customers", t, json!({"mobile": "13655554444"}))
        .await
        .expect_error(409, "duplicate_customer");
    p.api
        .get("/api/v1/customers?q=13655554444", t)
        .await
        .expect(200);
    p.api
        .get("/api/v1/customers?q=%E6%97%A5%E5%BF%97", t)
        .await
        .expect(200);
    p.api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            t,
            json!({"kind": "email", "value": "secret@example.cn"}),
        )
        .await
        .expect(200);
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let body = json!({"job_number": "1010", "display_name": "隐私坐席", "password": "AgentPw77", "bound_number": "13977778888"});
    p.api
        .post("/api/v1/admin/agents", &admin, body)
        .await
        .expect(201);
    p.kill().await;

    let text = std::fs::read_to_string(&log_path).unwrap();
    let _ = std::fs::remove_file(&log_path);
    assert!(
        text.contains("request"),
        "the log has request lines: {text}"
    );
    for secret in [
        "13655554444",
        "日志测试",
        "保密公司",
        "secret@example.cn",
        "1001pass",
        "WrongSecret9",
        "admin123",
        t,
        admin.as_str(),
        "隐私坐席",
        "AgentPw77",
        "13977778888",
        "13800000001",
    ] {
        assert!(!text.contains(secret), "the log contains {secret:?}");
    }
}
