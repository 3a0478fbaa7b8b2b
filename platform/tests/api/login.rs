//! R1, R2: logins, their typed refusals, throttling, sessions per device kind, logout.

use crate::common::{events, next_incoming, wait_for, Incoming, TestDb};
use crate::demo;
use seatline_proto::events::SessionEndReason;
use seatline_proto::{DeviceKind, Event};
use serde_json::json;
use std::time::Duration;

both_backends!(
    r1_login_succeeds_with_assigned_credentials,
    r1_login_refusals_are_typed,
    r1_login_is_throttled_after_repeated_failures,
    r2_one_session_per_device_kind_and_logout,
    admin_and_agent_tokens_do_not_mix,
);

/// R1: the job number and password the administrator assigned log the agent in.
async fn r1_login_succeeds_with_assigned_credentials(db: &TestDb) {
    let p = demo(db).await;
    let login = p.api.login("demo", "1001", "1001pass", "pc").await;
    assert_eq!(login.token.len(), 64);
    assert_eq!(login.status.profile.job_number.as_str(), "1001");
    assert_eq!(
        login.status.profile.bound_number.as_ref().unwrap().as_str(),
        "13800000001"
    );
    assert_eq!(login.status.devices_online, vec![DeviceKind::Pc]);
    assert_eq!(login.status.answer_holder, None, "R4: PC starts busy");
    // Enterprise codes are case-insensitive.
    let m = p.api.login("DEMO", "1001", "1001pass", "mobile").await;
    assert_eq!(
        m.status.devices_online,
        vec![DeviceKind::Pc, DeviceKind::Mobile]
    );
    let me = p.api.get("/api/v1/me", &login.token).await.expect(200);
    assert_eq!(me["profile"]["job_number"], "1001");
    // An agent created by the administrator can log in with what was assigned.
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let body = json!({"job_number": "1009", "display_name": "新人", "password": "s3cret"});
    p.api
        .post("/api/v1/admin/agents", &admin, body)
        .await
        .expect(201);
    p.api.login("demo", "1009", "s3cret", "pc").await;
}

/// R1: wrong password, unknown job number and a disabled account have their own codes.
async fn r1_login_refusals_are_typed(db: &TestDb) {
    let p = demo(db).await;
    p.api
        .try_login("demo", "1001", "nope", "pc")
        .await
        .expect_error(401, "wrong_password");
    p.api
        .try_login("demo", "9999", "x", "pc")
        .await
        .expect_error(401, "unknown_job_number");
    p.api
        .try_login("nosuch", "1001", "1001pass", "pc")
        .await
        .expect_error(401, "unknown_job_number");
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let id = p.api.agent_id(&admin, "1003").await;
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"disabled": true}),
        )
        .await
        .expect(200);
    p.api
        .try_login("demo", "1003", "1003pass", "pc")
        .await
        .expect_error(403, "account_disabled");
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"disabled": false}),
        )
        .await
        .expect(200);
    p.api.login("demo", "1003", "1003pass", "pc").await;
}

/// R1 + throttle: after 5 consecutive failures, attempts are refused with
/// `too_many_attempts` and a retry time, even with the right password; success resets.
async fn r1_login_is_throttled_after_repeated_failures(db: &TestDb) {
    let p = demo(db).await;
    for _ in 0..5 {
        p.api
            .try_login("demo", "1002", "bad", "pc")
            .await
            .expect_error(401, "wrong_password");
    }
    let r = p.api.try_login("demo", "1002", "1002pass", "pc").await;
    r.expect_error(429, "too_many_attempts");
    let retry = r.body["retry_after_s"].as_u64().unwrap();
    assert!((1..=300).contains(&retry), "retry_after_s = {retry}");
    // Other names are not affected; unknown names are throttled too.
    p.api.login("demo", "1001", "1001pass", "pc").await;
    for _ in 0..5 {
        p.api
            .try_login("demo", "ghost", "x", "pc")
            .await
            .expect_error(401, "unknown_job_number");
    }
    p.api
        .try_login("demo", "ghost", "x", "pc")
        .await
        .expect_error(429, "too_many_attempts");
    // After the lock, the right password works and clears the count.
    tokio::time::sleep(Duration::from_millis(retry * 1000 + 100)).await;
    p.api.login("demo", "1002", "1002pass", "pc").await;
    p.api
        .try_login("demo", "1002", "bad", "pc")
        .await
        .expect_error(401, "wrong_password");
    // The administrator login is throttled the same way.
    for _ in 0..5 {
        let body = json!({"enterprise": "demo", "username": "admin", "password": "bad"});
        p.api
            .send("POST", "/api/v1/admin/login", None, Some(body))
            .await
            .expect_error(401, "wrong_password");
    }
    let body = json!({"enterprise": "demo", "username": "admin", "password": "admin123"});
    p.api
        .send("POST", "/api/v1/admin/login", None, Some(body))
        .await
        .expect_error(429, "too_many_attempts");
}

/// R2: a new login on the same kind of device ends the older session (its socket is told
/// why and closes) and releases its lease; logout does the same for the caller.
async fn r2_one_session_per_device_kind_and_logout(db: &TestDb) {
    let p = demo(db).await;
    let pc1 = p.api.login("demo", "1001", "1001pass", "pc").await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    p.api
        .put("/api/v1/me/answer", &pc1.token, json!({"on": true}))
        .await
        .expect(200);
    let (mut pc1_ws, _) = events(&p.base, &pc1.token).await;
    let (mut mobile_ws, _) = events(&p.base, &mobile.token).await;

    let pc2 = p.api.login("demo", "1001", "1001pass", "pc").await;
    let ended = wait_for(&mut pc1_ws, Duration::from_secs(2), |e| {
        matches!(e, Event::SessionEnded { .. })
    })
    .await;
    assert_eq!(
        ended.map(|f| f.event),
        Some(Event::SessionEnded {
            reason: SessionEndReason::ReplacedByNewLogin
        })
    );
    assert!(matches!(
        next_incoming(&mut pc1_ws, Duration::from_secs(2)).await,
        Incoming::Closed(_)
    ));
    let released = wait_for(&mut mobile_ws, Duration::from_secs(2), |e| {
        matches!(e, Event::AnswerChanged { .. })
    })
    .await;
    assert_eq!(
        released.map(|f| f.event),
        Some(Event::AnswerChanged { holder: None })
    );
    p.api
        .get("/api/v1/me", &pc1.token)
        .await
        .expect_error(401, "unauthorized");
    assert_eq!(pc2.status.answer_holder, None);

    // Logout: token dead, lease released, the other device told.
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": true}))
        .await
        .expect(200);
    let r = p
        .api
        .send("POST", "/api/v1/auth/logout", Some(&mobile.token), None)
        .await;
    assert_eq!(r.status, 204);
    p.api
        .get("/api/v1/me", &mobile.token)
        .await
        .expect_error(401, "unauthorized");
    let me = p.api.get("/api/v1/me", &pc2.token).await.expect(200);
    assert_eq!(me["answer_holder"], serde_json::Value::Null);
    assert_eq!(me["devices_online"], json!(["pc"]));
}

/// Agent tokens cannot use administrator routes and the reverse (Forbidden).
async fn admin_and_agent_tokens_do_not_mix(db: &TestDb) {
    let p = demo(db).await;
    let agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    p.api
        .get("/api/v1/admin/agents", &agent.token)
        .await
        .expect_error(403, "forbidden");
    let body = json!({"job_number": "x1", "display_name": "x", "password": "x"});
    p.api
        .post("/api/v1/admin/agents", &agent.token, body)
        .await
        .expect_error(403, "forbidden");
    p.api
        .get("/api/v1/me", &admin)
        .await
        .expect_error(403, "forbidden");
    p.api
        .get("/api/v1/customers", &admin)
        .await
        .expect_error(403, "forbidden");
    assert!(crate::common::try_events(&p.base, &admin).await.is_err());
    let wrong = json!({"enterprise": "demo", "username": "admin", "password": "nope"});
    p.api
        .send("POST", "/api/v1/admin/login", None, Some(wrong))
        .await
        .expect_error(401, "wrong_password");
    let r = p
        .api
        .send("POST", "/api/v1/auth/logout", Some(&admin), None)
        .await;
    assert_eq!(r.status, 204);
    p.api
        .get("/api/v1/admin/agents", &admin)
        .await
        .expect_error(401, "unauthorized");
}
