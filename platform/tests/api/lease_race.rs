//! R5 / invariant 1 through the real server: concurrent answering requests from the PC
//! and mobile sessions of several agents never leave two holders; R3 on the way.

use crate::common::{events, next_frame, percentile, TestDb};
use crate::demo;
use rand::{Rng, SeedableRng};
use seatline_proto::{DeviceKind, Event};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

both_backends!(
    r5_lease_race_never_two_holders,
    r3_mobile_without_bound_number_cannot_answer
);

struct Device {
    agent: usize,
    kind: DeviceKind,
    token: String,
}

/// 200 concurrent on/off requests (70% on) over 5 agents x 2 devices. Checks every
/// reply, the `answer_leases` table afterwards, and the `AnswerChanged` stream each socket
/// saw: the lease is never handed from one device to the other without a release.
/// Prints grant latency p50/p99 (run with `--nocapture`).
async fn r5_lease_race_never_two_holders(db: &TestDb) {
    let p = demo(db).await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    for (job, number) in [("1004", "13800000004"), ("1005", "13800000005")] {
        let body = json!({"job_number": job, "display_name": "坐席", "password": format!("{job}pass"), "bound_number": number});
        p.api
            .post("/api/v1/admin/agents", &admin, body)
            .await
            .expect(201);
    }
    let jobs = ["1001", "1002", "1003", "1004", "1005"]; // 1003 has no bound number
    let mut agent_ids = Vec::new();
    let mut devices = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        for kind in [DeviceKind::Pc, DeviceKind::Mobile] {
            let login = p
                .api
                .login("demo", job, &format!("{job}pass"), kind.as_str())
                .await;
            if kind == DeviceKind::Pc {
                agent_ids.push(login.status.profile.agent_id);
            }
            devices.push(Device {
                agent: i,
                kind,
                token: login.token,
            });
        }
    }

    // One socket per device, collecting every event until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let mut collectors = Vec::new();
    for d in &devices {
        let (mut ws, hello) = events(&p.base, &d.token).await;
        let Event::Hello { status } = hello.event else {
            unreachable!()
        };
        let stop = stop.clone();
        collectors.push(tokio::spawn(async move {
            let mut holders = vec![status.answer_holder];
            let mut last_seq = hello.seq;
            loop {
                match next_frame(&mut ws, Duration::from_millis(200)).await {
                    Some(f) => {
                        assert!(f.seq > last_seq, "seq increases");
                        last_seq = f.seq;
                        if let Event::AnswerChanged { holder } = f.event {
                            holders.push(holder);
                        }
                    }
                    None if stop.load(Ordering::Relaxed) => return holders,
                    None => {}
                }
            }
        }));
    }

    let mut rng = rand::rngs::StdRng::seed_from_u64(5);
    let plan: Vec<(usize, bool)> = (0..200)
        .map(|_| (rng.gen_range(0..devices.len()), rng.gen_bool(0.7)))
        .collect();
    let devices = Arc::new(devices);
    let mut tasks = Vec::new();
    for (d, on) in plan {
        let api = p.api.clone();
        let devices = devices.clone();
        tasks.push(tokio::spawn(async move {
            let dev = &devices[d];
            let started = Instant::now();
            let r = api
                .put("/api/v1/me/answer", &dev.token, json!({ "on": on }))
                .await;
            (d, on, r, started.elapsed())
        }));
    }
    let mut grant_latency = Vec::new();
    let mut all_latency = Vec::new();
    let (mut granted, mut held, mut no_number) = (0, 0, 0);
    for t in tasks {
        let (d, on, r, took) = t.await.unwrap();
        let dev = &devices[d];
        all_latency.push(took);
        match r.status {
            200 => {
                let holder = r.body["answer_holder"].as_str();
                if on {
                    assert_eq!(holder, Some(dev.kind.as_str()));
                    grant_latency.push(took);
                    granted += 1;
                } else {
                    assert_ne!(holder, Some(dev.kind.as_str()));
                }
            }
            409 => {
                assert!(on);
                r.expect_error(409, "lease_held");
                assert_eq!(
                    r.body["holder"],
                    dev.kind.other().as_str(),
                    "R5 names the other device"
                );
                held += 1;
            }
            403 => {
                r.expect_error(403, "no_bound_number");
                assert!(
                    on && dev.kind == DeviceKind::Mobile && jobs[dev.agent] == "1003",
                    "R3"
                );
                no_number += 1;
            }
            other => panic!("unexpected status {other}: {}", r.body),
        }
    }
    assert!(
        granted > 0 && held > 0,
        "the race had both winners and losers"
    );

    // The table itself: one row per agent at most (the key), matching /me.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let store = db.store().await;
    let leases: HashMap<i64, String> = store.all_leases().await.unwrap().into_iter().collect();
    assert!(leases.len() <= jobs.len());
    for d in devices.iter().filter(|d| d.kind == DeviceKind::Pc) {
        let me = p.api.get("/api/v1/me", &d.token).await.expect(200);
        let agent_id = agent_ids[d.agent];
        assert_eq!(
            me["answer_holder"].as_str(),
            leases.get(&agent_id).map(String::as_str)
        );
    }

    // The event streams: never a hand-over without a release, and each ends on the
    // table's state.
    stop.store(true, Ordering::Relaxed);
    for (i, c) in collectors.into_iter().enumerate() {
        let holders = c.await.unwrap();
        for w in holders.windows(2) {
            if let [Some(a), Some(b)] = w {
                assert_eq!(
                    a, b,
                    "device {i} saw the lease move {a:?} -> {b:?} without a release"
                );
            }
        }
        let agent_id = agent_ids[devices[i].agent];
        let last = holders
            .last()
            .copied()
            .flatten()
            .map(|k| k.as_str().to_string());
        assert_eq!(
            last.as_ref(),
            leases.get(&agent_id),
            "device {i}'s last event matches the table"
        );
    }

    grant_latency.sort();
    all_latency.sort();
    println!(
        "[{}] lease race: {granted} granted, {held} lease_held, {no_number} no_bound_number; \
         grant latency p50 {:?} p99 {:?}; all requests p50 {:?} p99 {:?}",
        db.backend,
        percentile(&grant_latency, 0.5),
        percentile(&grant_latency, 0.99),
        percentile(&all_latency, 0.5),
        percentile(&all_latency, 0.99),
    );
}

/// R3: a mobile device without a bound number is refused with a clear reason; the PC
/// of the same agent may answer.
async fn r3_mobile_without_bound_number_cannot_answer(db: &TestDb) {
    let p = demo(db).await;
    let mobile = p.api.login("demo", "1003", "1003pass", "mobile").await;
    let pc = p.api.login("demo", "1003", "1003pass", "pc").await;
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": true}))
        .await
        .expect_error(403, "no_bound_number");
    // Turning it off is always fine.
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": false}))
        .await
        .expect(200);
    let r = p
        .api
        .put("/api/v1/me/answer", &pc.token, json!({"on": true}))
        .await
        .expect(200);
    assert_eq!(r["answer_holder"], "pc");
    // Binding a number lifts the refusal (once the PC lets go).
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let id = mobile.status.profile.agent_id;
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"bound_number": "13800000003"}),
        )
        .await
        .expect(200);
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": true}))
        .await
        .expect_error(409, "lease_held");
    p.api
        .put("/api/v1/me/answer", &pc.token, json!({"on": false}))
        .await
        .expect(200);
    p.api
        .put("/api/v1/me/answer", &mobile.token, json!({"on": true}))
        .await
        .expect(200);
    // Unbinding releases the mobile lease.
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id}"),
            &admin,
            json!({"bound_number": null}),
        )
        .await
        .expect(200);
    let me = p.api.get("/api/v1/me", &pc.token).await.expect(200);
    assert_eq!(me["answer_holder"], serde_json::Value::Null);
}
