//! Invariant 4: bad input gets a typed 4xx and changes nothing (row counts before and
//! after are equal).

use crate::common::{events, next_incoming, send_text, Incoming, TestDb};
use crate::demo;
use seatline_proto::Event;
use serde_json::json;
use std::time::Duration;

both_backends!(bad_input_is_refused_and_changes_nothing);

async fn bad_input_is_refused_and_changes_nothing(db: &TestDb) {
    let p = demo(db).await;
    let agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let admin = p.api.admin_login("demo", "admin", "admin123").await;
    let t = agent.token.as_str();
    let store = db.store().await;
    let before = store.row_counts().await.unwrap();
    let page = p.api.get("/api/v1/customers?limit=1", t).await.expect(200);
    let id = page["customers"][0]["id"].as_i64().unwrap();

    let raw = |method: &'static str, path: String, token: Option<String>, body: Vec<u8>| {
        let api = p.api.clone();
        async move { api.raw(method, &path, token.as_deref(), Some(body)).await }
    };
    let tok = Some(agent.token.clone());

    // Malformed JSON, trailing garbage, wrong types, unknown fields.
    for body in [
        &b"{"[..],
        b"not json",
        b"{\"mobile\":\"13800000009\"} x",
        b"",
        b"[]",
    ] {
        raw(
            "POST",
            "/api/v1/customers".into(),
            tok.clone(),
            body.to_vec(),
        )
        .await
        .expect_error(400, "bad_request");
    }
    raw(
        "POST",
        "/api/v1/auth/login".into(),
        None,
        b"{\"enterprise\":".to_vec(),
    )
    .await
    .expect_error(400, "bad_request");
    p.api
        .put("/api/v1/me/answer", t, json!({"on": "yes"}))
        .await
        .expect_error(400, "bad_request");
    p.api
        .put("/api/v1/me/answer", t, json!({"on": true, "force": true}))
        .await
        .expect_error(400, "bad_request");
    p.api
        .put("/api/v1/me/reception", t, json!({}))
        .await
        .expect_error(400, "bad_request");
    let r = p
        .api
        .post(
            "/api/v1/customers",
            t,
            json!({"mobile": "13800000009", "owner_agent_id": 5}),
        )
        .await;
    r.expect_error(400, "bad_request");
    let r = p
        .api
        .patch(
            &format!("/api/v1/customers/{id}"),
            t,
            json!({"mobile": {"from": "1", "to": "2"}}),
        )
        .await;
    r.expect_error(400, "bad_request");
    let login = json!({"enterprise": "demo", "job_number": "1001", "password": "1001pass",
                       "device_kind": "tablet", "device_id": "x"});
    p.api
        .send("POST", "/api/v1/auth/login", None, Some(login))
        .await
        .expect_error(400, "bad_request");

    // Oversized body: 413.
    let big = format!(
        "{{\"mobile\":\"13800000009\",\"name\":\"{}\"}}",
        "字".repeat(40_000)
    );
    raw(
        "POST",
        "/api/v1/customers".into(),
        tok.clone(),
        big.into_bytes(),
    )
    .await
    .expect_error(413, "payload_too_large");

    // Invalid phone numbers and card text name their field.
    for mobile in [
        "12",
        "abc",
        "1' OR 1=1 --",
        "138-0013-8000",
        "+",
        &"1".repeat(21),
    ] {
        let r = p
            .api
            .post("/api/v1/customers", t, json!({ "mobile": mobile }))
            .await;
        r.expect_error(400, "bad_request");
        assert_eq!(r.body["field"], "mobile", "{}", r.body);
    }
    let r = p
        .api
        .post(
            "/api/v1/customers",
            t,
            json!({"mobile": "13800000009", "name": "a\u{0}b"}),
        )
        .await;
    assert_eq!((r.status, r.body["field"].as_str()), (400, Some("name")));
    let r = p
        .api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            t,
            json!({"kind": "email", "value": "nope"}),
        )
        .await;
    r.expect_error(400, "bad_request");
    let r = p
        .api
        .post(
            &format!("/api/v1/customers/{id}/contacts"),
            t,
            json!({"kind": "fax", "value": "1"}),
        )
        .await;
    r.expect_error(400, "bad_request");
    let body = json!({"job_number": "bad job", "display_name": "x", "password": "x"});
    p.api
        .post("/api/v1/admin/agents", &admin, body)
        .await
        .expect_error(400, "bad_request");
    let body = json!({"job_number": "1001", "display_name": "dup", "password": "x"});
    let r = p.api.post("/api/v1/admin/agents", &admin, body).await;
    assert_eq!(
        (r.status, r.body["field"].as_str()),
        (400, Some("job_number"))
    );

    // SQL metacharacters in q are only text: no match, no error, nothing changed.
    // (Seeded WeChat ids contain `_`, so `_` matches those and only those.)
    let metas = [
        ("%25", "%"),
        ("_", "_"),
        ("%27%20OR%201%3D1%20--", "' or 1=1 --"),
        ("%5C", "\\"),
        (
            "%22%3B%20DROP%20TABLE%20customers%3B%20--",
            "\"; drop table customers; --",
        ),
    ];
    for (encoded, literal) in metas {
        let r = p
            .api
            .get(&format!("/api/v1/customers?q={encoded}&limit=200"), t)
            .await
            .expect(200);
        let total = r["total"].as_i64().unwrap();
        assert!(total < 300, "q={literal:?} matched everything");
        for c in r["customers"].as_array().unwrap() {
            assert!(
                c.to_string().to_lowercase().contains(literal),
                "q={literal:?} matched {c}"
            );
        }
        if literal != "_" {
            assert_eq!(total, 0, "q={literal:?}");
        }
    }
    // Query parameters are typed and bounded.
    let long_q = "a".repeat(65);
    for query in [
        "limit=201",
        "limit=0",
        "limit=abc",
        "mine=maybe",
        "offset=-1",
        "colour=red",
        &format!("q={long_q}"),
    ] {
        p.api
            .get(&format!("/api/v1/customers?{query}"), t)
            .await
            .expect_error(400, "bad_request");
    }
    for query in [
        "",
        "since=-1",
        "since=abc",
        "since=0&limit=1001",
        "since=0&limit=0",
    ] {
        p.api
            .get(&format!("/api/v1/customers/changes?{query}"), t)
            .await
            .expect_error(400, "bad_request");
    }
    p.api
        .get("/api/v1/customers/abc", t)
        .await
        .expect_error(400, "bad_request");
    p.api
        .get("/api/v1/customers/999999999", t)
        .await
        .expect_error(404, "not_found");

    // Bad or missing tokens.
    let fake = "0".repeat(64);
    for token in [
        None,
        Some("garbage"),
        Some(fake.as_str()),
        Some("' OR 1=1 --"),
    ] {
        let r = p.api.send("GET", "/api/v1/me", token, None).await;
        r.expect_error(401, "unauthorized");
        let r = p
            .api
            .send(
                "POST",
                "/api/v1/customers",
                token,
                Some(json!({"mobile": "13800000009"})),
            )
            .await;
        r.expect_error(401, "unauthorized");
    }
    let r = p
        .api
        .http
        .get(format!("{}/api/v1/me", p.base))
        .header("authorization", format!("Basic {t}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(
        crate::common::try_events(&p.base, &fake).await.is_err(),
        "socket needs a live token"
    );

    // Unknown routes and methods: JSON 404.
    p.api
        .send("GET", "/api/v1/nope", Some(t), None)
        .await
        .expect_error(404, "not_found");
    p.api
        .send("DELETE", "/api/v1/customers", Some(t), None)
        .await
        .expect_error(404, "not_found");

    // Junk on the event socket gets an error frame; the socket keeps working.
    let (mut ws, _) = events(&p.base, t).await;
    send_text(&mut ws, "{not json").await;
    match next_incoming(&mut ws, Duration::from_secs(2)).await {
        Incoming::Other(v) => assert_eq!(v["code"], "bad_request"),
        other => panic!("expected an error frame, got {other:?}"),
    }
    send_text(&mut ws, "{\"type\":\"whatever\"}").await;
    p.api
        .put("/api/v1/me/reception", t, json!({"open": false}))
        .await
        .expect(200);
    p.api
        .put("/api/v1/me/answer", t, json!({"on": false}))
        .await
        .expect(200);
    let (mut other, _) = events(&p.base, t).await;
    let _ = other.close(None).await;

    let after = store.row_counts().await.unwrap();
    assert_eq!(before, after, "bad input changed rows");
    // The socket survived all of it.
    p.api
        .put("/api/v1/me/answer", t, json!({"on": true}))
        .await
        .expect(200);
    let got = crate::common::wait_for(&mut ws, Duration::from_secs(1), |e| {
        matches!(e, Event::AnswerChanged { .. })
    })
    .await;
    assert!(got.is_some());
}
