//! Store tests, each run on SQLite and on PostgreSQL (see `common` for how PostgreSQL
//! is found). They call the store directly, concurrently where the rule is about races.
#![allow(clippy::unwrap_used)]

#[macro_use]
mod common;

use common::TestDb;
use seatline_platform::store::{
    now_ms, AgentChanges, CustomerRecord, CustomerSearch, LoginScope, NewSession, Store, StoreError,
};
use seatline_proto::{
    CardText, ContactKind, CustomerPatch, DeviceKind, EnterpriseCode, ErrorCode, FieldChange,
    JobNumber, PhoneNumber,
};
use std::collections::HashSet;

both_backends!(
    placeholders_work_on_both_engines,
    r5_concurrent_grants_have_exactly_one_winner,
    r5_mixed_on_off_never_leaves_two_holders,
    r3_mobile_needs_a_bound_number,
    sessions_replace_and_release_their_lease,
    admin_disable_and_unbind_release,
    r15_duplicate_mobile_race_has_one_winner,
    changes_feed_covers_every_write_once,
    search_treats_sql_metacharacters_as_text,
    three_way_patch_reports_conflicts,
    contacts_are_idempotent,
    enterprises_are_isolated,
    throttle_counts_persist,
);

async fn enterprise(store: &Store, code: &str) -> i64 {
    let code = EnterpriseCode::parse(code).unwrap();
    store
        .create_enterprise(&code, "测试企业", true, "admin", "x", now_ms())
        .await
        .unwrap()
}

async fn agent(store: &Store, enterprise_id: i64, job: &str, bound: Option<&str>) -> i64 {
    let bound = bound.map(|b| PhoneNumber::parse(b).unwrap());
    store
        .create_agent(
            enterprise_id,
            &JobNumber::parse(job).unwrap(),
            "坐席",
            "x",
            bound.as_ref(),
            now_ms(),
        )
        .await
        .unwrap()
}

async fn session(store: &Store, agent_id: i64, kind: DeviceKind) -> i64 {
    let hash = format!("{agent_id}-{}-{}", kind.as_str(), rand::random::<u64>());
    let new = NewSession {
        token_hash: &hash,
        now_ms: now_ms(),
        expires_at_ms: now_ms() + 3_600_000,
    };
    store
        .start_agent_session(agent_id, kind, "dev", &new)
        .await
        .unwrap()
        .0
}

fn customer(mobile: &str, name: Option<&str>) -> CustomerRecord {
    CustomerRecord {
        mobile: PhoneNumber::parse(mobile).unwrap(),
        name: name.map(|n| CardText::parse(n).unwrap()),
        company: None,
        title: None,
        owner_agent_id: None,
        contacts: Vec::new(),
    }
}

fn refused(e: StoreError) -> ErrorCode {
    match e {
        StoreError::Refused(code) => code,
        other => panic!("expected a refusal, got {other}"),
    }
}

/// ADR 0003: both engines take `$N` placeholders, including one used twice.
async fn placeholders_work_on_both_engines(db: &TestDb) {
    let _ = db.store().await; // creates / migrates
    let sql = "SELECT $1 + $1, $2";
    let (sum, text): (i64, String) = if db.backend == "sqlite" {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query_as(sql)
            .bind(20_i64)
            .bind("x")
            .fetch_one(&pool)
            .await
            .unwrap()
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query_as("SELECT $1::BIGINT + $1::BIGINT, $2::TEXT")
            .bind(20_i64)
            .bind("x")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!((sum, text.as_str()), (40, "x"));
}

/// R5, invariant 1: many concurrent "on" requests from both devices: every success is
/// the same device, every refusal names it.
async fn r5_concurrent_grants_have_exactly_one_winner(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "race").await;
    let a = agent(&store, e, "1001", Some("13800000001")).await;
    let pc = session(&store, a, DeviceKind::Pc).await;
    let mobile = session(&store, a, DeviceKind::Mobile).await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let store = store.clone();
        let (sid, kind) = if i % 2 == 0 {
            (pc, DeviceKind::Pc)
        } else {
            (mobile, DeviceKind::Mobile)
        };
        tasks.push(tokio::spawn(async move {
            (kind, store.set_answer(a, sid, kind, true, now_ms()).await)
        }));
    }
    let mut winners = HashSet::new();
    let mut refused_naming = HashSet::new();
    for t in tasks {
        match t.await.unwrap() {
            (kind, Ok((holder, _))) => {
                assert_eq!(holder, Some(kind));
                winners.insert(kind);
            }
            (kind, Err(e)) => match refused(e) {
                ErrorCode::LeaseHeld { holder } => {
                    assert_eq!(
                        holder,
                        kind.other(),
                        "R5: the refusal names the other device"
                    );
                    refused_naming.insert(holder);
                }
                other => panic!("unexpected refusal {other:?}"),
            },
        }
    }
    assert_eq!(winners.len(), 1, "exactly one device won: {winners:?}");
    assert!(refused_naming.is_subset(&winners));
    let leases = store.all_leases().await.unwrap();
    assert_eq!(leases.len(), 1);
}

/// R5: a mixed storm of on/off from both devices; afterwards one row at most, naming the
/// device whose last successful change left it on.
async fn r5_mixed_on_off_never_leaves_two_holders(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "mixed").await;
    let a = agent(&store, e, "1001", Some("13800000001")).await;
    let pc = session(&store, a, DeviceKind::Pc).await;
    let mobile = session(&store, a, DeviceKind::Mobile).await;
    let mut tasks = Vec::new();
    for i in 0..120u32 {
        let store = store.clone();
        let (sid, kind) = if i % 2 == 0 {
            (pc, DeviceKind::Pc)
        } else {
            (mobile, DeviceKind::Mobile)
        };
        let on = i % 3 != 0;
        tasks.push(tokio::spawn(async move {
            store.set_answer(a, sid, kind, on, now_ms()).await
        }));
    }
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => {}
            Err(e) => assert!(matches!(refused(e), ErrorCode::LeaseHeld { .. })),
        }
    }
    let leases = store.all_leases().await.unwrap();
    assert!(leases.len() <= 1);
    let status = store.agent_status(a, now_ms()).await.unwrap();
    assert_eq!(
        status.answer_holder.map(|k| k.as_str().to_string()),
        leases.first().map(|l| l.1.clone())
    );
}

/// R3: a mobile device of an agent without a bound number cannot turn answering on.
async fn r3_mobile_needs_a_bound_number(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "r3").await;
    let a = agent(&store, e, "1003", None).await;
    let mobile = session(&store, a, DeviceKind::Mobile).await;
    let pc = session(&store, a, DeviceKind::Pc).await;
    let err = store
        .set_answer(a, mobile, DeviceKind::Mobile, true, now_ms())
        .await
        .unwrap_err();
    assert_eq!(refused(err), ErrorCode::NoBoundNumber);
    let (holder, _) = store
        .set_answer(a, pc, DeviceKind::Pc, true, now_ms())
        .await
        .unwrap();
    assert_eq!(holder, Some(DeviceKind::Pc));
    // R9: the enterprise's phone-fault flag shows in the status.
    assert!(!store.agent_status(a, now_ms()).await.unwrap().phone_fault);
    store.set_phone_fault(e, true).await.unwrap();
    assert!(store.agent_status(a, now_ms()).await.unwrap().phone_fault);
}

/// One session per (agent, device kind); a replaced or ended session releases its lease.
async fn sessions_replace_and_release_their_lease(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "sess").await;
    let a = agent(&store, e, "1001", Some("13800000001")).await;
    let pc1 = session(&store, a, DeviceKind::Pc).await;
    store
        .set_answer(a, pc1, DeviceKind::Pc, true, now_ms())
        .await
        .unwrap();
    let new = NewSession {
        token_hash: "second",
        now_ms: now_ms(),
        expires_at_ms: now_ms() + 60_000,
    };
    let (pc2, delta) = store
        .start_agent_session(a, DeviceKind::Pc, "pc-2", &new)
        .await
        .unwrap();
    assert_eq!(
        delta.ended,
        vec![(
            pc1,
            seatline_proto::events::SessionEndReason::ReplacedByNewLogin
        )]
    );
    assert_eq!(
        delta.lease,
        Some(None),
        "the replaced session's lease is released"
    );
    assert!(store.all_leases().await.unwrap().is_empty());
    assert!(store
        .session_by_token("second", now_ms())
        .await
        .unwrap()
        .is_some());
    store
        .set_answer(a, pc2, DeviceKind::Pc, true, now_ms())
        .await
        .unwrap();
    let delta = store.end_session(pc2, now_ms()).await.unwrap().unwrap();
    assert_eq!(delta.lease, Some(None));
    assert_eq!(delta.devices, Some(vec![]));
    // Expired sessions stop counting and lose their lease at the next change.
    let old = NewSession {
        token_hash: "old",
        now_ms: now_ms(),
        expires_at_ms: now_ms() + 50,
    };
    let (m, _) = store
        .start_agent_session(a, DeviceKind::Mobile, "m", &old)
        .await
        .unwrap();
    store
        .set_answer(a, m, DeviceKind::Mobile, true, now_ms())
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(80)).await;
    assert!(store
        .session_by_token("old", now_ms())
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.agent_status(a, now_ms()).await.unwrap().answer_holder,
        None
    );
    let pc3 = session(&store, a, DeviceKind::Pc).await;
    let (holder, _) = store
        .set_answer(a, pc3, DeviceKind::Pc, true, now_ms())
        .await
        .unwrap();
    assert_eq!(holder, Some(DeviceKind::Pc));
}

async fn admin_disable_and_unbind_release(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "adm").await;
    let a = agent(&store, e, "1001", Some("13800000001")).await;
    let m = session(&store, a, DeviceKind::Mobile).await;
    store
        .set_answer(a, m, DeviceKind::Mobile, true, now_ms())
        .await
        .unwrap();
    let unbind = AgentChanges {
        bound_number: Some(None),
        ..AgentChanges::default()
    };
    let delta = store.update_agent(e, a, &unbind, now_ms()).await.unwrap();
    assert_eq!(
        delta.lease,
        Some(None),
        "R3: unbinding releases the mobile lease"
    );
    let disable = AgentChanges {
        disabled: Some(true),
        ..AgentChanges::default()
    };
    let delta = store.update_agent(e, a, &disable, now_ms()).await.unwrap();
    assert_eq!(delta.ended.len(), 1);
    assert_eq!(
        delta.ended[0].1,
        seatline_proto::events::SessionEndReason::AccountDisabled
    );
    // Another enterprise's administrator cannot touch the agent.
    let other = enterprise(&store, "other").await;
    let err = store
        .update_agent(other, a, &AgentChanges::default(), now_ms())
        .await
        .unwrap_err();
    assert_eq!(refused(err), ErrorCode::NotFound);
}

/// R15: the mobile number is the unique key; racing adds of one number: one winner, the
/// rest told its id.
async fn r15_duplicate_mobile_race_has_one_winner(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "dup").await;
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .create_customer(e, &customer("13912345678", Some("赵六")), now_ms())
                .await
        }));
    }
    let mut ids = Vec::new();
    let mut existing = HashSet::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(c) => ids.push(c.id),
            Err(err) => match refused(err) {
                ErrorCode::DuplicateCustomer { existing_id } => {
                    existing.insert(existing_id);
                }
                other => panic!("unexpected {other:?}"),
            },
        }
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(existing, HashSet::from([ids[0]]));
    // R16: the number finds the customer.
    let mobile = PhoneNumber::parse("13912345678").unwrap();
    assert_eq!(
        store.customer_id_by_mobile(e, &mobile).await.unwrap(),
        Some(ids[0])
    );
}

/// Concurrent writes: the feed, read page by page, returns every customer exactly once,
/// in strictly increasing change order.
async fn changes_feed_covers_every_write_once(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "feed").await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .create_customer(e, &customer(&format!("1370000{i:04}"), None), now_ms())
                .await
                .unwrap()
        }));
    }
    let mut created = HashSet::new();
    for t in tasks {
        created.insert(t.await.unwrap().id);
    }
    let (mut since, mut seen, mut last) = (0, Vec::new(), 0);
    loop {
        let page = store.customer_changes(e, since, 7).await.unwrap();
        for c in &page.customers {
            assert!(c.change_seq > last);
            last = c.change_seq;
            seen.push(c.id);
        }
        since = page.next;
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), 40);
    assert_eq!(seen.into_iter().collect::<HashSet<_>>(), created);
}

/// Invariant 4: `%`, `_`, `\` and quotes in a search are text, not SQL.
async fn search_treats_sql_metacharacters_as_text(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "like").await;
    store
        .create_customer(e, &customer("13600000001", Some("百分百%纯")), now_ms())
        .await
        .unwrap();
    store
        .create_customer(e, &customer("13600000002", Some("a_b")), now_ms())
        .await
        .unwrap();
    store
        .create_customer(e, &customer("13600000003", Some("Zhang O'Brien")), now_ms())
        .await
        .unwrap();
    store
        .create_customer(e, &customer("13600000004", Some("plain")), now_ms())
        .await
        .unwrap();
    let search = |q: &str| CustomerSearch {
        q: Some(q.to_string()),
        owner: None,
        limit: 50,
        offset: 0,
    };
    let total = |q: &'static str| {
        let store = store.clone();
        let s = search(q);
        async move { store.search_customers(e, &s).await.unwrap().total }
    };
    assert_eq!(total("%").await, 1);
    assert_eq!(total("_").await, 1);
    assert_eq!(total("\\").await, 0);
    assert_eq!(total("' OR 1=1 --").await, 0);
    assert_eq!(
        total("o'brien").await,
        1,
        "case-insensitive, quotes are text"
    );
    assert_eq!(total("0000").await, 4, "any part of the number");
    assert_eq!(
        total("136 0000-0004").await,
        1,
        "numbers written with spaces and dashes"
    );
    assert_eq!(total("PLAIN").await, 1);
}

/// The three-way rule: a field changes only if it still holds `from`.
async fn three_way_patch_reports_conflicts(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "patch").await;
    let c = store
        .create_customer(e, &customer("13500000001", Some("旧名")), now_ms())
        .await
        .unwrap();
    let t = |s: &str| Some(CardText::parse(s).unwrap());
    let patch = CustomerPatch {
        name: Some(FieldChange {
            from: t("旧名"),
            to: t("新名"),
        }),
        company: Some(FieldChange {
            from: t("别人以为的公司"),
            to: t("我的公司"),
        }),
        ..CustomerPatch::default()
    };
    let (out, changed) = store
        .patch_customer(e, c.id, &patch, now_ms())
        .await
        .unwrap();
    assert!(changed);
    assert_eq!(out.customer.name, t("新名"));
    assert_eq!(out.customer.company, None, "the platform's value is kept");
    assert_eq!(out.conflicts.len(), 1);
    assert_eq!(out.conflicts[0].field, "company");
    assert!(out.customer.change_seq > c.change_seq);
    // A patch that changes nothing writes nothing.
    let stale = CustomerPatch {
        name: Some(FieldChange {
            from: t("旧名"),
            to: t("另一个"),
        }),
        ..CustomerPatch::default()
    };
    let (out2, changed) = store
        .patch_customer(e, c.id, &stale, now_ms())
        .await
        .unwrap();
    assert!(!changed);
    assert_eq!(out2.customer.change_seq, out.customer.change_seq);
    assert_eq!(out2.conflicts.len(), 1);
}

async fn contacts_are_idempotent(db: &TestDb) {
    let store = db.store().await;
    let e = enterprise(&store, "contact").await;
    let c = store
        .create_customer(e, &customer("13400000001", None), now_ms())
        .await
        .unwrap();
    let (c1, added) = store
        .add_contact(e, c.id, ContactKind::Email, "a@b.cn", now_ms())
        .await
        .unwrap();
    assert!(added);
    let (c2, added) = store
        .add_contact(e, c.id, ContactKind::Email, "a@b.cn", now_ms())
        .await
        .unwrap();
    assert!(!added);
    assert_eq!(c1.change_seq, c2.change_seq);
    assert_eq!(c2.contacts.len(), 1);
}

async fn enterprises_are_isolated(db: &TestDb) {
    let store = db.store().await;
    let a = enterprise(&store, "ent-a").await;
    let b = enterprise(&store, "ent-b").await;
    let c = store
        .create_customer(a, &customer("13300000001", Some("甲")), now_ms())
        .await
        .unwrap();
    // The same number is a different customer in another enterprise.
    store
        .create_customer(b, &customer("13300000001", Some("乙")), now_ms())
        .await
        .unwrap();
    assert!(store.customer(b, c.id).await.unwrap().is_none());
    let patch = CustomerPatch::default();
    assert_eq!(
        refused(
            store
                .patch_customer(b, c.id, &patch, now_ms())
                .await
                .unwrap_err()
        ),
        ErrorCode::NotFound
    );
    let err = store
        .add_contact(b, c.id, ContactKind::Qq, "12345", now_ms())
        .await
        .unwrap_err();
    assert_eq!(refused(err), ErrorCode::NotFound);
    let changes = store.customer_changes(b, 0, 100).await.unwrap();
    assert!(changes.customers.iter().all(|x| x.id != c.id));
}

async fn throttle_counts_persist(db: &TestDb) {
    let store = db.store().await;
    for _ in 0..6 {
        store
            .record_login_failure(LoginScope::Agent, "demo", "1001", 1_000, |n| n * 10)
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .login_locked_until(LoginScope::Agent, "demo", "1001")
            .await
            .unwrap(),
        Some(1_060)
    );
    assert_eq!(
        store
            .login_locked_until(LoginScope::Admin, "demo", "1001")
            .await
            .unwrap(),
        None
    );
    store
        .clear_login_failures(LoginScope::Agent, "demo", "1001")
        .await
        .unwrap();
    assert_eq!(
        store
            .login_locked_until(LoginScope::Agent, "demo", "1001")
            .await
            .unwrap(),
        None
    );
}
