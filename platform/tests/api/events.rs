//! The event stream: the agent's other device learns of lease, customer and reception
//! changes within a second (R5, R7, R15); session ends reach the ended device.

use crate::common::{events, next_incoming, wait_for, Incoming, TestDb};
use crate::demo;
use seatline_proto::events::SessionEndReason;
use seatline_proto::{DeviceKind, Event};
use serde_json::json;
use std::time::{Duration, Instant};

both_backends!(
    events_reach_the_other_device_within_a_second,
    r7_reception_needs_the_package,
    session_end_events_close_the_socket,
    r9_phone_fault_reaches_every_device_and_the_status,
    r1_password_reset_ends_every_session_of_the_agent
);

const WITHIN: Duration = Duration::from_secs(1);

async fn events_reach_the_other_device_within_a_second(db: &TestDb) {
    let p = demo(db).await;
    let pc = p.api.login("demo", "1001", "1001pass", "pc").await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let colleague = p.api.login("demo", "1002", "1002pass", "pc").await;
    let (mut pc_ws, hello) = events(&p.base, &pc.token).await;
    assert_eq!(hello.seq, 1, "hello is the first frame");
    let Event::Hello { status } = &hello.event else {
        unreachable!()
    };
    assert_eq!(
        status.devices_online,
        vec![DeviceKind::Pc, DeviceKind::Mobile]
    );
    let (mut colleague_ws, _) = events(&p.base, &colleague.token).await;

    // R5: the lease moves to the mobile.
    let t0 = Instant::now();
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": true}))
        .await
        .expect(200);
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::AnswerChanged { .. })
    })
    .await;
    assert_eq!(
        f.as_ref().map(|f| &f.event),
        Some(&Event::AnswerChanged {
            holder: Some(DeviceKind::Mobile)
        })
    );
    assert!(t0.elapsed() < WITHIN);
    let seq_after_lease = f.unwrap().seq;
    assert!(seq_after_lease > 1);

    // R15: a customer added on the mobile; every device of the enterprise hears of it.
    let t0 = Instant::now();
    let c = p
        .api
        .post(
            "/api/v1/customers",
            &mobile.token,
            json!({"mobile": "13611112222", "name": "新客户"}),
        )
        .await
        .expect(201);
    let seq = c["change_seq"].as_i64().unwrap();
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::CustomersChanged { .. })
    })
    .await;
    assert_eq!(
        f.as_ref().map(|f| &f.event),
        Some(&Event::CustomersChanged { change_seq: seq })
    );
    assert!(f.unwrap().seq > seq_after_lease, "seq increases");
    let f = wait_for(&mut colleague_ws, WITHIN, |e| {
        matches!(e, Event::CustomersChanged { .. })
    })
    .await;
    assert!(f.is_some(), "the colleague's device is told too");
    assert!(t0.elapsed() < WITHIN * 2);
    // A contact added and a field edited are changes as well.
    let id = c["id"].as_i64().unwrap();
    p.api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            &mobile.token,
            json!({"kind": "wechat", "value": "wx_new"}),
        )
        .await
        .expect(200);
    assert!(wait_for(&mut pc_ws, WITHIN, |e| matches!(
        e,
        Event::CustomersChanged { .. }
    ))
    .await
    .is_some());
    let patch = json!({"company": {"from": null, "to": "新公司"}, "owner_agent_id": {"from": null, "to": pc.status.profile.agent_id}});
    let out = p
        .api
        .patch(&format!("/api/v1/customers/{id}"), &pc.token, patch)
        .await
        .expect(200);
    assert_eq!(out["conflicts"], json!([]));
    assert_eq!(
        out["customer"]["owner_agent_id"],
        pc.status.profile.agent_id
    );
    let mine = p
        .api
        .get("/api/v1/customers?mine=true&q=13611112222", &mobile.token)
        .await
        .expect(200);
    assert_eq!(mine["total"], 1, "R40: my customers");
    // Giving a customer to a colleague is not an agent's call.
    let give = json!({"owner_agent_id": {"from": pc.status.profile.agent_id, "to": colleague.status.profile.agent_id}});
    p.api
        .patch(&format!("/api/v1/customers/{id}"), &pc.token, give)
        .await
        .expect_error(403, "forbidden");

    // R7: reception opened on the mobile.
    let t0 = Instant::now();
    p.api
        .put("/api/v1/me/reception", &mobile.token, json!({"open": true}))
        .await
        .expect(200);
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::ReceptionChanged { .. })
    })
    .await;
    assert_eq!(
        f.map(|f| f.event),
        Some(Event::ReceptionChanged { open: true })
    );
    assert!(t0.elapsed() < WITHIN);

    // The colleague heard nothing of 1001's lease or reception.
    while let Some(f) =
        crate::common::next_frame(&mut colleague_ws, Duration::from_millis(300)).await
    {
        assert!(
            matches!(f.event, Event::CustomersChanged { .. }),
            "leaked {f:?}"
        );
    }

    // R7: remembered across logins.
    let again = p.api.login("demo", "1001", "1001pass", "mobile").await;
    assert!(again.status.reception_open);
}

/// R7: chat reception needs the online-service package; acme lacks it.
async fn r7_reception_needs_the_package(db: &TestDb) {
    let p = demo(db).await;
    let acme = p.api.login("acme", "2001", "2001pass", "pc").await;
    let r = p
        .api
        .put("/api/v1/me/reception", &acme.token, json!({"open": true}))
        .await;
    r.expect_error(403, "package_missing");
    assert_eq!(r.body["package"], "online_service");
    p.api
        .put("/api/v1/me/reception", &acme.token, json!({"open": false}))
        .await
        .expect(200);
    let demo_agent = p.api.login("demo", "1002", "1002pass", "pc").await;
    let status = p
        .api
        .put(
            "/api/v1/me/reception",
            &demo_agent.token,
            json!({"open": true}),
        )
        .await
        .expect(200);
    assert_eq!(status["reception_open"], true);
    assert_eq!(
        status["answer_holder"],
        serde_json::Value::Null,
        "R7: independent of the answer state"
    );
}

/// Logout and an administrator's disable reach the ended device, which then closes.
async fn session_end_events_close_the_socket(db: &TestDb) {
    let p = demo(db).await;
    let pc = p.api.login("demo", "1001", "1001pass", "pc").await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let (mut pc_ws, _) = events(&p.base, &pc.token).await;
    let (mut mobile_ws, _) = events(&p.base, &mobile.token).await;

    let r = p
        .api
        .send("POST", "/api/v1/auth/logout", Some(&mobile.token), None)
        .await;
    assert_eq!(r.status, 204);
    let f = wait_for(&mut mobile_ws, WITHIN, |e| {
        matches!(e, Event::SessionEnded { .. })
    })
    .await;
    assert_eq!(
        f.map(|f| f.event),
        Some(Event::SessionEnded {
            reason: SessionEndReason::LoggedOut
        })
    );
    assert!(matches!(
        next_incoming(&mut mobile_ws, WITHIN).await,
        Incoming::Closed(_)
    ));
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::DevicesChanged { .. })
    })
    .await;
    assert_eq!(
        f.map(|f| f.event),
        Some(Event::DevicesChanged {
            online: vec![DeviceKind::Pc]
        })
    );

    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let id = pc.status.profile.agent_id;
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"disabled": true}),
        )
        .await
        .expect(200);
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::SessionEnded { .. })
    })
    .await;
    assert_eq!(
        f.map(|f| f.event),
        Some(Event::SessionEnded {
            reason: SessionEndReason::AccountDisabled
        })
    );
    assert!(matches!(
        next_incoming(&mut pc_ws, WITHIN).await,
        Incoming::Closed(_)
    ));
    p.api
        .get("/api/v1/me", &pc.token)
        .await
        .expect_error(401, "unauthorized");
}

/// R9: an administrator declares a phone fault; every device of the enterprise hears it,
/// `GET /me` carries it (so a reconnecting device sees it in Hello), agents cannot set it,
/// and the other enterprise hears nothing.
async fn r9_phone_fault_reaches_every_device_and_the_status(db: &TestDb) {
    let p = demo(db).await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let pc = p.api.login("demo", "1001", "1001pass", "pc").await;
    let other = p.api.login("acme", "2001", "2001pass", "pc").await;
    let (mut pc_ws, _) = events(&p.base, &pc.token).await;
    let (mut other_ws, _) = events(&p.base, &other.token).await;

    p.api
        .put(
            "/api/v1/admin/phone-fault",
            &pc.token,
            json!({"active": true}),
        )
        .await
        .expect_error(403, "forbidden");
    let t0 = Instant::now();
    p.api
        .put("/api/v1/admin/phone-fault", &admin, json!({"active": true}))
        .await
        .expect(204);
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::PhoneFault { .. })
    })
    .await;
    assert_eq!(f.map(|f| f.event), Some(Event::PhoneFault { active: true }));
    assert!(t0.elapsed() < WITHIN);
    let status = p.api.get("/api/v1/me", &pc.token).await.expect(200);
    assert_eq!(status["phone_fault"], true);
    let acme = p.api.get("/api/v1/me", &other.token).await.expect(200);
    assert_eq!(
        acme["phone_fault"], false,
        "one enterprise's fault is not another's"
    );
    let leaked = wait_for(&mut other_ws, Duration::from_millis(300), |e| {
        matches!(e, Event::PhoneFault { .. })
    })
    .await;
    assert!(leaked.is_none());

    p.api
        .put(
            "/api/v1/admin/phone-fault",
            &admin,
            json!({"active": false}),
        )
        .await
        .expect(204);
    let f = wait_for(&mut pc_ws, WITHIN, |e| {
        matches!(e, Event::PhoneFault { .. })
    })
    .await;
    assert_eq!(
        f.map(|f| f.event),
        Some(Event::PhoneFault { active: false })
    );
}

/// R1: the administrator assigns the password; setting a new one ends the agent's
/// sessions on every device (a token from the old password is no longer valid), and the
/// new password logs in.
async fn r1_password_reset_ends_every_session_of_the_agent(db: &TestDb) {
    let p = demo(db).await;
    let pc = p.api.login("demo", "1002", "1002pass", "pc").await;
    let mobile = p.api.login("demo", "1002", "1002pass", "mobile").await;
    let (mut pc_ws, _) = events(&p.base, &pc.token).await;
    let (mut mobile_ws, _) = events(&p.base, &mobile.token).await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let id = pc.status.profile.agent_id;
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"password": "new-secret-1"}),
        )
        .await
        .expect(200);
    for ws in [&mut pc_ws, &mut mobile_ws] {
        let f = wait_for(ws, WITHIN, |e| matches!(e, Event::SessionEnded { .. })).await;
        assert_eq!(
            f.map(|f| f.event),
            Some(Event::SessionEnded {
                reason: SessionEndReason::PasswordChanged
            })
        );
    }
    for token in [&pc.token, &mobile.token] {
        p.api
            .get("/api/v1/me", token)
            .await
            .expect_error(401, "unauthorized");
    }
    p.api
        .try_login("demo", "1002", "1002pass", "pc")
        .await
        .expect_error(401, "wrong_password");
    p.api.login("demo", "1002", "new-secret-1", "pc").await;
}
