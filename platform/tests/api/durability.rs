//! Invariant 3: nothing is acknowledged before it is durable. Clients add customers as
//! fast as they can; the platform is SIGKILLed mid-stream and restarted on the same
//! database; every customer whose POST got 201 must be there.

use crate::common::{Platform, TestDb};
use crate::demo;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

both_backends!(invariant3_acknowledged_customers_survive_sigkill);

async fn invariant3_acknowledged_customers_survive_sigkill(db: &TestDb) {
    let mut p = demo(db).await;
    let agent = p.api.login("demo", "1001", "1001pass", "mobile").await;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4u32 {
        let api = p.api.clone();
        let token = agent.token.clone();
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            let mut n = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let mobile = format!("147{w:02}{n:06}");
                n += 1;
                let req = api
                    .http
                    .post(format!("{}/api/v1/customers", api.base))
                    .bearer_auth(&token)
                    .json(&json!({ "mobile": mobile, "name": format!("压测{n}") }))
                    .send()
                    .await;
                // After the kill, requests fail: those were never acknowledged.
                let Ok(resp) = req else { break };
                if resp.status().as_u16() != 201 {
                    break;
                }
                let Ok(body) = resp.json::<serde_json::Value>().await else {
                    break;
                };
                acked.push((body["id"].as_i64().unwrap(), mobile));
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    p.kill().await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    assert!(
        acked.len() > 10,
        "the writers got going ({} acknowledged)",
        acked.len()
    );

    let p = Platform::start(db).await;
    // The session is durable too: the old token still works after the restart.
    for (id, mobile) in &acked {
        let c = p
            .api
            .get(&format!("/api/v1/customers/{id}"), &agent.token)
            .await
            .expect(200);
        assert_eq!(
            c["mobile"].as_str(),
            Some(mobile.as_str()),
            "customer {id} lost or changed"
        );
    }
    println!(
        "[{}] durability: {} acknowledged customers all survived SIGKILL",
        db.backend,
        acked.len()
    );
}
