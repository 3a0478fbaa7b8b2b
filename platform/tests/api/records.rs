//! Call records (R38), the library's names in them (R16), native call uploads (R12), the
//! main number (R12), and invariants 3 (durable before acknowledged) and 4 (bad input
//! changes nothing). Calls' records are written through the store as the call service
//! writes them; native ones through `POST /records` as the core uploads them.

use crate::common::{events, wait_for, Platform, TestDb};
use crate::demo;
use seatline_platform::store::{NewCallRecord, Store};
use seatline_proto::{
    CallDirection, CallMethod, CallOutcome, DeviceKind, EnterpriseCode, Event, PhoneNumber,
};
use serde_json::{json, Value};
use std::time::Duration;

both_backends!(
    r38_r16_records_newest_first_paged_by_number_with_library_names,
    r38_agents_see_only_their_own_records,
    r38_delete_needs_the_permission,
    r12_native_upload_is_idempotent_and_mobile_only,
    invariant4_bad_record_input_changes_nothing,
    invariant3_records_survive_a_platform_restart,
    r12_main_number_is_set_by_the_administrator,
);

const OTHER: &str = "13700001111";
const T0: i64 = 1_780_000_000_000;

async fn enterprise(store: &Store, code: &str) -> i64 {
    store
        .enterprise_id(&EnterpriseCode::parse(code).unwrap())
        .await
        .unwrap()
        .unwrap()
}

fn call(enterprise_id: i64, agent_id: i64, n: i64, number: &str) -> NewCallRecord {
    NewCallRecord {
        enterprise_id,
        agent_id: Some(agent_id),
        call_id: format!("call-{enterprise_id}-{agent_id}-{n}"),
        direction: if n % 2 == 0 {
            CallDirection::Outbound
        } else {
            CallDirection::Inbound
        },
        method: CallMethod::Voip,
        device: DeviceKind::Pc,
        number: PhoneNumber::parse(number).unwrap(),
        started_at_ms: T0 + n * 1000,
    }
}

/// A named customer of the agent's library: (mobile, name).
async fn named_customer(p: &Platform, token: &str) -> (String, String) {
    let page = p
        .api
        .get("/api/v1/customers?limit=50", token)
        .await
        .expect(200);
    page["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].is_string())
        .map(|c| {
            (
                c["mobile"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
            )
        })
        .unwrap()
}

fn ids(page: &Value) -> Vec<i64> {
    page["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

async fn r38_r16_records_newest_first_paged_by_number_with_library_names(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let me = agent.status.profile.agent_id;
    let t = agent.token.as_str();
    let (mobile, name) = named_customer(&p, t).await;

    // Seven calls, alternating between the library customer and an unknown number.
    let mut written = Vec::new();
    for n in 0..7 {
        let number = if n % 2 == 0 { mobile.as_str() } else { OTHER };
        written.push(
            store
                .record_call_started(&call(demo_id, me, n, number))
                .await
                .unwrap(),
        );
    }
    // Starting the same call again is the same record.
    let again = store
        .record_call_started(&call(demo_id, me, 6, &mobile))
        .await
        .unwrap();
    assert_eq!(again, written[6]);
    // The newest is answered, then ends; a late second end does not overwrite the first.
    let last = format!("call-{demo_id}-{me}-6");
    store.record_call_answered(&last, T0 + 6500).await.unwrap();
    store
        .record_call_ended(&last, T0 + 9000, CallOutcome::Answered)
        .await
        .unwrap();
    store
        .record_call_ended(&last, T0 + 9999, CallOutcome::Failed)
        .await
        .unwrap();
    store.record_call_answered(&last, T0 + 9999).await.unwrap();
    let missed = format!("call-{demo_id}-{me}-5");
    store
        .record_call_ended(&missed, T0 + 5500, CallOutcome::Missed)
        .await
        .unwrap();

    // All of them, newest first, three at a time.
    let mut seen = Vec::new();
    let mut path = "/api/v1/records?limit=3".to_string();
    loop {
        let page = p.api.get(&path, t).await.expect(200);
        let got = ids(&page);
        assert!(got.len() <= 3);
        seen.extend(got);
        match page["next_before"].as_i64() {
            Some(b) => path = format!("/api/v1/records?limit=3&before={b}"),
            None => break,
        }
    }
    let mut newest_first = written.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first, "every record once, newest first");

    let first = p.api.get("/api/v1/records", t).await.expect(200);
    let top = &first["records"][0];
    assert_eq!(top["id"].as_i64(), Some(written[6]));
    assert_eq!(top["answered_at_ms"].as_i64(), Some(T0 + 6500));
    assert_eq!(
        top["ended_at_ms"].as_i64(),
        Some(T0 + 9000),
        "first end wins"
    );
    assert_eq!(top["outcome"], "answered");
    assert_eq!(top["direction"], "outbound");
    assert_eq!(top["method"], "voip");
    assert_eq!(top["device"], "pc");
    let second = &first["records"][1];
    assert_eq!(second["outcome"], "missed");
    assert_eq!(second["direction"], "inbound");
    assert!(second["answered_at_ms"].is_null());
    assert!(first["records"][2]["outcome"].is_null(), "still going");

    // R38: every call with that number; R16: with the library's name.
    let page = p
        .api
        .get(&format!("/api/v1/records?number={mobile}"), t)
        .await
        .expect(200);
    assert_eq!(
        ids(&page),
        vec![written[6], written[4], written[2], written[0]]
    );
    for r in page["records"].as_array().unwrap() {
        assert_eq!(r["number"], mobile.as_str());
        assert_eq!(r["customer_name"], name.as_str());
    }
    let page = p
        .api
        .get(&format!("/api/v1/records?number={OTHER}&limit=2"), t)
        .await
        .expect(200);
    assert_eq!(ids(&page), vec![written[5], written[3]]);
    assert!(page["records"][0]["customer_name"].is_null());
    let b = page["next_before"].as_i64().unwrap();
    let page = p
        .api
        .get(&format!("/api/v1/records?number={OTHER}&before={b}"), t)
        .await
        .expect(200);
    assert_eq!(ids(&page), vec![written[1]]);
    assert!(page["next_before"].is_null());

    // R16: a number added to the library later shows its name at once.
    p.api
        .post(
            "/api/v1/customers",
            t,
            json!({ "mobile": OTHER, "name": "新客户" }),
        )
        .await
        .expect(201);
    let page = p
        .api
        .get(&format!("/api/v1/records?number={OTHER}"), t)
        .await
        .expect(200);
    assert_eq!(page["records"][0]["customer_name"], "新客户");
}

async fn r38_agents_see_only_their_own_records(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let acme_id = enterprise(&store, "acme").await;
    let a1001 = p.api.login("demo", "1001", "1001pass", "pc").await;
    let a1002 = p.api.login("demo", "1002", "1002pass", "pc").await;
    let a2001 = p.api.login("acme", "2001", "2001pass", "pc").await;
    let id_1001 = a1001.status.profile.agent_id;
    let id_1002 = a1002.status.profile.agent_id;
    let id_2001 = a2001.status.profile.agent_id;
    let mine = store
        .record_call_started(&call(demo_id, id_1001, 1, OTHER))
        .await
        .unwrap();
    let colleague = store
        .record_call_started(&call(demo_id, id_1002, 1, OTHER))
        .await
        .unwrap();
    let foreign = store
        .record_call_started(&call(acme_id, id_2001, 1, OTHER))
        .await
        .unwrap();

    for (token, expected) in [
        (&a1001.token, mine),
        (&a1002.token, colleague),
        (&a2001.token, foreign),
    ] {
        for path in [
            "/api/v1/records".to_string(),
            format!("/api/v1/records?number={OTHER}"),
        ] {
            let page = p.api.get(&path, token).await.expect(200);
            assert_eq!(ids(&page), vec![expected], "{path}");
        }
    }
    // 1001 may delete records, but not a colleague's or another enterprise's: those are
    // not found, exactly like a missing id.
    for id in [colleague, foreign, foreign + 1000] {
        p.api
            .send(
                "DELETE",
                &format!("/api/v1/records/{id}"),
                Some(&a1001.token),
                None,
            )
            .await
            .expect_error(404, "not_found");
    }
    assert_eq!(
        ids(&p.api.get("/api/v1/records", &a1002.token).await.expect(200)),
        vec![colleague]
    );
    assert_eq!(
        ids(&p.api.get("/api/v1/records", &a2001.token).await.expect(200)),
        vec![foreign]
    );
    // An administrator token is not an agent's.
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    p.api
        .get("/api/v1/records", &admin)
        .await
        .expect_error(403, "forbidden");
}

async fn r38_delete_needs_the_permission(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let a1001 = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let a1002 = p.api.login("demo", "1002", "1002pass", "pc").await;
    assert!(a1001.status.profile.can_delete_records, "seeded with it");
    assert!(!a1002.status.profile.can_delete_records);
    let id_1001 = a1001.status.profile.agent_id;
    let id_1002 = a1002.status.profile.agent_id;
    let r1 = store
        .record_call_started(&call(demo_id, id_1001, 1, OTHER))
        .await
        .unwrap();
    let r2 = store
        .record_call_started(&call(demo_id, id_1002, 1, OTHER))
        .await
        .unwrap();

    // With the permission: deleted, and the agent's devices hear of it.
    let (mut ws, _) = events(&p.base, &a1001.token).await;
    p.api
        .send(
            "DELETE",
            &format!("/api/v1/records/{r1}"),
            Some(&a1001.token),
            None,
        )
        .await
        .expect(204);
    let heard = wait_for(&mut ws, Duration::from_secs(5), |e| {
        matches!(e, Event::RecordsChanged)
    })
    .await;
    assert!(heard.is_some(), "RecordsChanged after the delete");
    let page = p.api.get("/api/v1/records", &a1001.token).await.expect(200);
    assert!(ids(&page).is_empty());
    p.api
        .send(
            "DELETE",
            &format!("/api/v1/records/{r1}"),
            Some(&a1001.token),
            None,
        )
        .await
        .expect_error(404, "not_found");

    // Without it: refused, and the record stays.
    let path = format!("/api/v1/records/{r2}");
    p.api
        .send("DELETE", &path, Some(&a1002.token), None)
        .await
        .expect_error(403, "forbidden");
    assert_eq!(
        ids(&p.api.get("/api/v1/records", &a1002.token).await.expect(200)),
        vec![r2]
    );
    // The administrator grants it; then it works.
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let summary = p
        .api
        .patch(
            &format!("/api/v1/admin/agents/{id_1002}"),
            &admin,
            json!({ "can_delete_records": true }),
        )
        .await
        .expect(200);
    assert_eq!(summary["can_delete_records"], true);
    let me = p.api.get("/api/v1/me", &a1002.token).await.expect(200);
    assert_eq!(me["profile"]["can_delete_records"], true);
    p.api
        .send("DELETE", &path, Some(&a1002.token), None)
        .await
        .expect(204);
    // And taken back.
    p.api
        .patch(
            &format!("/api/v1/admin/agents/{id_1002}"),
            &admin,
            json!({ "can_delete_records": false }),
        )
        .await
        .expect(200);
    let r3 = store
        .record_call_started(&call(demo_id, id_1002, 2, OTHER))
        .await
        .unwrap();
    p.api
        .send(
            "DELETE",
            &format!("/api/v1/records/{r3}"),
            Some(&a1002.token),
            None,
        )
        .await
        .expect_error(403, "forbidden");
}

async fn r12_native_upload_is_idempotent_and_mobile_only(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let pc = p.api.login("demo", "1001", "1001pass", "pc").await;
    let (mut ws, _) = events(&p.base, &pc.token).await;

    let upload = json!({ "client_ref": "n-1", "number": OTHER, "started_at_ms": T0 });
    let first = p
        .api
        .post("/api/v1/records", &mobile.token, upload.clone())
        .await
        .expect(201);
    assert_eq!(first["method"], "native");
    assert_eq!(first["direction"], "outbound");
    assert_eq!(first["device"], "mobile");
    assert_eq!(first["number"], OTHER);
    assert!(first["ended_at_ms"].is_null());
    assert!(first["outcome"].is_null());
    let heard = wait_for(&mut ws, Duration::from_secs(5), |e| {
        matches!(e, Event::RecordsChanged)
    })
    .await;
    assert!(heard.is_some(), "every device of the agent hears of it");

    // The same upload again (a retry): the same record.
    let again = p
        .api
        .post("/api/v1/records", &mobile.token, upload)
        .await
        .expect(201);
    assert_eq!(again["id"], first["id"]);
    // A retry that knows the end fills it in; the number cannot be changed by one.
    let ended = json!({ "client_ref": "n-1", "number": "13700009999",
                        "started_at_ms": T0, "ended_at_ms": T0 + 60_000 });
    let done = p
        .api
        .post("/api/v1/records", &mobile.token, ended.clone())
        .await
        .expect(201);
    assert_eq!(done["id"], first["id"]);
    assert_eq!(done["ended_at_ms"].as_i64(), Some(T0 + 60_000));
    assert_eq!(done["number"], OTHER);
    let later = json!({ "client_ref": "n-1", "number": OTHER,
                        "started_at_ms": T0, "ended_at_ms": T0 + 99_000 });
    let done = p
        .api
        .post("/api/v1/records", &mobile.token, later)
        .await
        .expect(201);
    assert_eq!(
        done["ended_at_ms"].as_i64(),
        Some(T0 + 60_000),
        "the first end wins"
    );
    let page = p.api.get("/api/v1/records", &pc.token).await.expect(200);
    assert_eq!(ids(&page), vec![first["id"].as_i64().unwrap()]);

    // R12: a PC makes no native calls.
    let before = store.row_counts().await.unwrap();
    let r = p
        .api
        .post(
            "/api/v1/records",
            &pc.token,
            json!({ "client_ref": "pc-1", "number": OTHER, "started_at_ms": T0 }),
        )
        .await;
    r.expect_error(403, "forbidden");
    assert_eq!(store.row_counts().await.unwrap(), before);

    // Another agent's upload with the same client_ref is its own record.
    let other = p.api.login("demo", "1002", "1002pass", "mobile").await;
    let theirs = p
        .api
        .post("/api/v1/records", &other.token, ended)
        .await
        .expect(201);
    assert_ne!(theirs["id"], first["id"]);
    let page = p.api.get("/api/v1/records", &pc.token).await.expect(200);
    assert_eq!(ids(&page).len(), 1);
}

async fn invariant4_bad_record_input_changes_nothing(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let t = mobile.token.as_str();
    let kept = store
        .record_call_started(&call(demo_id, mobile.status.profile.agent_id, 1, OTHER))
        .await
        .unwrap();
    let before = store.row_counts().await.unwrap();

    for query in [
        "limit=abc",
        "limit=0",
        "limit=201",
        "limit=-1",
        "before=0",
        "before=-5",
        "before=x",
        "number=12",
        "number=abc",
        "number=%E5%8F%B7%E7%A0%81",
        "unknown=1",
    ] {
        let r = p.api.get(&format!("/api/v1/records?{query}"), t).await;
        r.expect_error(400, "bad_request");
    }
    for body in [
        &b"{"[..],
        b"",
        b"[]",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\",\"started_at_ms\":1} x",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\",\"started_at_ms\":1,\"x\":1}",
        b"{\"client_ref\":\"a\",\"number\":\"12\",\"started_at_ms\":1}",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\",\"started_at_ms\":\"now\"}",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\"}",
        b"{\"client_ref\":\"\",\"number\":\"13700001111\",\"started_at_ms\":1}",
        b"{\"client_ref\":\"a b\",\"number\":\"13700001111\",\"started_at_ms\":1}",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\",\"started_at_ms\":0}",
        b"{\"client_ref\":\"a\",\"number\":\"13700001111\",\"started_at_ms\":9,\"ended_at_ms\":8}",
    ] {
        p.api
            .raw("POST", "/api/v1/records", Some(t), Some(body.to_vec()))
            .await
            .expect_error(400, "bad_request");
    }
    let long_ref = json!({ "client_ref": "x".repeat(65), "number": OTHER, "started_at_ms": 1 });
    p.api
        .post("/api/v1/records", t, long_ref)
        .await
        .expect_error(400, "bad_request");
    for id in ["abc", "1.5", "-"] {
        p.api
            .send("DELETE", &format!("/api/v1/records/{id}"), Some(t), None)
            .await
            .expect_error(400, "bad_request");
    }
    for body in [
        json!({ "number": "12" }),
        json!({ "number": null }),
        json!({}),
        json!({ "number": "4008001001", "x": 1 }),
    ] {
        p.api
            .put("/api/v1/admin/main-number", &admin, body)
            .await
            .expect_error(400, "bad_request");
    }
    // An agent cannot set the main number.
    p.api
        .put(
            "/api/v1/admin/main-number",
            t,
            json!({ "number": "4008001999" }),
        )
        .await
        .expect_error(403, "forbidden");
    // Nor grant itself the permission through the agent API: there is none.
    assert_eq!(store.row_counts().await.unwrap(), before);
    assert_eq!(
        store.enterprise_main_number(demo_id).await.unwrap(),
        Some(PhoneNumber::parse("4008001001").unwrap())
    );
    assert_eq!(
        ids(&p.api.get("/api/v1/records", t).await.expect(200)),
        vec![kept]
    );
}

async fn invariant3_records_survive_a_platform_restart(db: &TestDb) {
    let mut p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let mobile = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let me = mobile.status.profile.agent_id;
    let started = store
        .record_call_started(&call(demo_id, me, 1, OTHER))
        .await
        .unwrap();
    store
        .record_call_ended(
            &format!("call-{demo_id}-{me}-1"),
            T0 + 3000,
            CallOutcome::Busy,
        )
        .await
        .unwrap();
    let native = p
        .api
        .post(
            "/api/v1/records",
            &mobile.token,
            json!({ "client_ref": "durable-1", "number": OTHER, "started_at_ms": T0 + 5000,
                    "ended_at_ms": T0 + 8000 }),
        )
        .await
        .expect(201);
    store.close().await;
    // SIGKILL right after the acknowledgements: no shutdown code runs.
    p.kill().await;
    let p = Platform::start(db).await;
    let page = p
        .api
        .get("/api/v1/records", &mobile.token)
        .await
        .expect(200);
    assert_eq!(
        ids(&page),
        vec![native["id"].as_i64().unwrap(), started],
        "both records are there after the restart"
    );
    assert_eq!(page["records"][0]["ended_at_ms"].as_i64(), Some(T0 + 8000));
    assert_eq!(page["records"][1]["outcome"], "busy");
}

async fn r12_main_number_is_set_by_the_administrator(db: &TestDb) {
    let p = demo(db).await;
    let store = db.store().await;
    let demo_id = enterprise(&store, "demo").await;
    let acme_id = enterprise(&store, "acme").await;
    // The demo seed.
    assert_eq!(
        store.enterprise_main_number(demo_id).await.unwrap(),
        Some(PhoneNumber::parse("4008001001").unwrap())
    );
    assert_eq!(
        store.enterprise_main_number(acme_id).await.unwrap(),
        Some(PhoneNumber::parse("4008002002").unwrap())
    );
    assert_eq!(store.enterprise_main_number(-1).await.unwrap(), None);
    let admin = p.api.admin_login("acme", "admin", "admin123").await;
    p.api
        .put(
            "/api/v1/admin/main-number",
            &admin,
            json!({ "number": "4008002999" }),
        )
        .await
        .expect(204);
    assert_eq!(
        store.enterprise_main_number(acme_id).await.unwrap(),
        Some(PhoneNumber::parse("4008002999").unwrap())
    );
    // Only the administrator's own enterprise changed.
    assert_eq!(
        store.enterprise_main_number(demo_id).await.unwrap(),
        Some(PhoneNumber::parse("4008001001").unwrap())
    );
}
