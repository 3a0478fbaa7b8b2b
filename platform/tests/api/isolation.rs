//! Two enterprises: nothing of one is reachable from the other, by id, search, the
//! changes feed, administration or events.

use crate::common::{events, wait_for, TestDb};
use crate::demo;
use seatline_proto::Event;
use serde_json::json;
use std::time::Duration;

both_backends!(enterprises_cannot_reach_each_other);

async fn enterprises_cannot_reach_each_other(db: &TestDb) {
    let p = demo(db).await;
    let demo_agent = p.api.login("demo", "1001", "1001pass", "pc").await;
    let acme_agent = p.api.login("acme", "2001", "2001pass", "pc").await;
    let demo_admin = p.api.admin_login("demo", "admin", "admin123").await;
    let acme_admin = p.api.admin_login("acme", "admin", "admin123").await;

    // A demo customer, seen from acme.
    let page = p
        .api
        .get("/api/v1/customers?limit=1", &demo_agent.token)
        .await
        .expect(200);
    let theirs = &page["customers"][0];
    let id = theirs["id"].as_i64().unwrap();
    let mobile = theirs["mobile"].as_str().unwrap().to_string();
    let t = &acme_agent.token;
    p.api
        .get(&format!("/api/v1/customers/{id}"), t)
        .await
        .expect_error(404, "not_found");
    let patch = json!({"name": {"from": theirs["name"], "to": "改名"}});
    p.api
        .patch(&format!("/api/v1/customers/{id}"), t, patch)
        .await
        .expect_error(404, "not_found");
    let contact = json!({"kind": "qq", "value": "123456"});
    p.api
        .post(&format!("/api/v1/customers/{id}/contacts"), t, contact)
        .await
        .expect_error(404, "not_found");
    let found = p
        .api
        .get(&format!("/api/v1/customers?q={mobile}"), t)
        .await
        .expect(200);
    assert_eq!(found["total"], 0, "search stays in the enterprise");
    let acme_page = p
        .api
        .get("/api/v1/customers?limit=200", t)
        .await
        .expect(200);
    let acme_ids: Vec<i64> = acme_page["customers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(acme_page["total"], 20);
    let feed = p
        .api
        .get("/api/v1/customers/changes?since=0&limit=200", t)
        .await
        .expect(200);
    for c in feed["customers"].as_array().unwrap() {
        assert!(
            acme_ids.contains(&c["id"].as_i64().unwrap()),
            "the feed leaks {c}"
        );
    }
    assert_eq!(feed["customers"].as_array().unwrap().len(), 20);
    // Creating the same number in acme is a different customer (per-enterprise key).
    let created = p
        .api
        .post("/api/v1/customers", t, json!({"mobile": mobile}))
        .await
        .expect(201);
    assert_ne!(created["id"].as_i64().unwrap(), id);
    let still = p
        .api
        .get(&format!("/api/v1/customers/{id}"), &demo_agent.token)
        .await
        .expect(200);
    assert_eq!(still["name"], theirs["name"]);

    // Administration: acme's administrator sees and changes only acme's agents.
    let acme_agents = p
        .api
        .get("/api/v1/admin/agents", &acme_admin)
        .await
        .expect(200);
    let jobs: Vec<&str> = acme_agents
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["job_number"].as_str().unwrap())
        .collect();
    assert_eq!(jobs, vec!["2001"]);
    let demo_1001 = p.api.agent_id(&demo_admin, "1001").await;
    let path = format!("/api/v1/admin/agents/{demo_1001}");
    p.api
        .patch(&path, &acme_admin, json!({"disabled": true}))
        .await
        .expect_error(404, "not_found");
    p.api.get("/api/v1/me", &demo_agent.token).await.expect(200);

    // Events: a demo customer change reaches demo's sockets, never acme's.
    let (mut demo_ws, _) = events(&p.base, &demo_agent.token).await;
    let (mut acme_ws, _) = events(&p.base, &acme_agent.token).await;
    let c = p
        .api
        .post(
            "/api/v1/customers",
            &demo_agent.token,
            json!({"mobile": "13712340000"}),
        )
        .await
        .expect(201);
    let seq = c["change_seq"].as_i64().unwrap();
    let got = wait_for(&mut demo_ws, Duration::from_secs(1), |e| {
        matches!(e, Event::CustomersChanged { .. })
    })
    .await;
    assert_eq!(
        got.map(|f| f.event),
        Some(Event::CustomersChanged { change_seq: seq })
    );
    let leaked = wait_for(&mut acme_ws, Duration::from_millis(700), |e| {
        !matches!(e, Event::Hello { .. })
    })
    .await;
    assert!(leaked.is_none(), "acme saw {leaked:?}");
}
