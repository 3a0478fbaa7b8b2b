//! DESIGN invariant 5, STYLE item 10: no phone number, name, password or token appears in
//! the logs above debug level. A capturing subscriber records everything the process logs
//! at INFO and above while the core logs in, syncs, adds and edits customers, merges a
//! duplicate, goes offline and back, and loses its session; then the capture (and the
//! platform's own log files) are searched for every piece of personal data involved.
//!
//! One test in this file: the capture is the process's global subscriber.

use seatline_core::session::PhoneState;
use seatline_core::ClientEvent;
use seatline_e2e::logs::{leaks, LogCapture};
use seatline_e2e::{demo, eventually, Device, Link, Platform, Result, WAIT};
use seatline_proto::PhoneNumber;
use seatline_proto::{CardText, ContactKind, Customer, DeviceKind, NewContact, NewCustomer};
use std::time::Duration;

const RECONNECT: Duration = Duration::from_secs(20);

/// The token of the device's saved session (what the core keeps for auto-login).
fn saved_token(dev: &Device) -> Result<String> {
    let json = dev
        .client
        .library()
        .db()
        .get_kv("session")?
        .ok_or("no saved session")?;
    let v: serde_json::Value = serde_json::from_str(&json)?;
    Ok(v["token"].as_str().ok_or("no token")?.to_string())
}

/// Every piece of personal data on a card.
fn card_secrets(c: &Customer, out: &mut Vec<String>) {
    out.push(c.mobile.as_str().to_string());
    for t in [&c.name, &c.company].into_iter().flatten() {
        out.push(t.as_str().to_string());
    }
    out.extend(c.contacts.iter().map(|m| m.value.clone()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_personal_data_in_core_logs() -> Result<()> {
    let capture = LogCapture::install();
    let mut secrets: Vec<String> = vec![
        "1001pass".into(),
        "1002pass".into(),
        "wrong-password-xyz".into(),
        demo::BOUND_1001.into(),
        demo::BOUND_1002.into(),
        "张晓明".into(),
        "李静".into(),
    ];

    let mut platform = Platform::start().await?;
    // The PC goes through a link the test can cut, to merge a duplicate made offline.
    let link = Link::new(platform.addr()).await?;
    let pc = Device::new(&link.url(), DeviceKind::Pc)?;
    let other = Device::new(&platform.url(), DeviceKind::Mobile)?;

    // A failed login, then the real ones.
    let refused = pc.client.login("demo", "1001", "wrong-password-xyz").await;
    assert!(refused.is_err());
    pc.login_demo("1001").await?;
    other.login_demo("1002").await?;
    secrets.push(saved_token(&pc)?);
    secrets.push(saved_token(&other)?);
    pc.settle_library().await?;
    other.settle_library().await?;
    for c in pc.all_local_customers()? {
        card_secrets(&c, &mut secrets);
    }

    // Online: add, extend, edit, claim.
    let added = pc.client.add_customer(NewCustomer {
        mobile: PhoneNumber::parse("13512340001")?,
        name: Some(CardText::parse("日志检查甲")?),
        company: Some(CardText::parse("隐私保护有限公司")?),
        title: Some(CardText::parse("采购经理")?),
        owned_by_me: false,
    })?;
    pc.client.add_contact(
        added.id,
        NewContact {
            kind: ContactKind::Email,
            value: "privacy.check@example.cn".into(),
        },
    )?;
    pc.client.add_contact(
        added.id,
        NewContact {
            kind: ContactKind::Wechat,
            value: "wx_privacy_check".into(),
        },
    )?;
    pc.settle_library().await?;
    let added = pc
        .client
        .library()
        .by_mobile(&PhoneNumber::parse("13512340001")?)?
        .ok_or("added customer")?;
    pc.client
        .edit_card(added.id, Some("日志检查乙".into()), None, None)?;
    pc.client.set_owned_by_me(added.id, true)?;
    pc.settle_library().await?;
    secrets.extend(
        [
            "13512340001",
            "日志检查甲",
            "日志检查乙",
            "隐私保护有限公司",
            "privacy.check@example.cn",
            "wx_privacy_check",
        ]
        .map(String::from),
    );

    // The PC's network drops; meanwhile the other device adds a customer the PC then adds
    // too (offline): on its return, the create meets the duplicate and merges, with a
    // conflict on the name.
    let mark = pc.events.mark();
    link.cut();
    pc.events
        .wait_for(mark, WAIT, "PC socket down", |e| {
            matches!(e, ClientEvent::Connection { up: false }).then_some(())
        })
        .await?;
    other.client.add_customer(NewCustomer {
        mobile: PhoneNumber::parse("13512340002")?,
        name: Some(CardText::parse("并发客户丙")?),
        company: None,
        title: None,
        owned_by_me: true,
    })?;
    other.settle_library().await?;
    pc.client.add_customer(NewCustomer {
        mobile: PhoneNumber::parse("13512340002")?,
        name: Some(CardText::parse("离线客户丁")?),
        company: Some(CardText::parse("合并测试有限公司")?),
        title: None,
        owned_by_me: true,
    })?;
    pc.events
        .wait_view(mark, "fault while away", |v| v.phone == PhoneState::Fault)
        .await?;
    secrets.extend(
        [
            "13512340002",
            "并发客户丙",
            "离线客户丁",
            "合并测试有限公司",
        ]
        .map(String::from),
    );
    let mark = pc.events.mark();
    link.restore();
    pc.events.wait_connected(mark, RECONNECT).await?;
    eventually("the offline create merged", WAIT, || async {
        Ok((pc.client.library().pending()? == 0).then_some(()))
    })
    .await?;
    assert!(
        !pc.client.library().conflicts()?.is_empty(),
        "the merge kept the platform's name and recorded a conflict"
    );

    // The platform itself dies and returns.
    let mark = pc.events.mark();
    platform.kill().await?;
    pc.events
        .wait_for(mark, WAIT, "socket down", |e| {
            matches!(e, ClientEvent::Connection { up: false }).then_some(())
        })
        .await?;
    pc.client.add_customer(NewCustomer {
        mobile: PhoneNumber::parse("13512340003")?,
        name: Some(CardText::parse("停机客户戊")?),
        company: None,
        title: None,
        owned_by_me: false,
    })?;
    let _ = pc.client.sync_library().await?;
    let _ = pc.client.set_answering(true).await;
    secrets.extend(["13512340003", "停机客户戊"].map(String::from));
    tokio::time::sleep(Duration::from_millis(1500)).await; // a few reconnect attempts
    platform.restart().await?;
    pc.events.wait_connected(mark, RECONNECT).await?;
    eventually("the offline create pushed", WAIT, || async {
        Ok((pc.client.library().pending()? == 0).then_some(()))
    })
    .await?;

    // The session ends by a login elsewhere; then the other device logs out.
    let mark = pc.events.mark();
    let elsewhere = Device::new(&platform.url(), DeviceKind::Pc)?;
    elsewhere.login_demo("1001").await?;
    secrets.push(saved_token(&elsewhere)?);
    pc.events
        .wait_for(mark, WAIT, "SessionEnded", |e| {
            matches!(e, ClientEvent::SessionEnded(_)).then_some(())
        })
        .await?;
    other.client.logout().await?;
    drop((pc, other, elsewhere));
    tokio::time::sleep(Duration::from_millis(200)).await;

    let text = capture.text();
    let lines = text.lines().count();
    println!(
        "captured {lines} log lines at INFO and above, {} secrets checked",
        secrets.len()
    );
    // The capture saw the core at work, so an empty result means something.
    for expected in ["customer library synced", "event socket"] {
        assert!(
            text.contains(expected),
            "no {expected:?} in the capture:\n{text}"
        );
    }
    let found = leaks(&text, secrets.iter().map(String::as_str));
    assert!(
        found.is_empty(),
        "personal data in the core's logs: {} items (first: {:?})",
        found.len(),
        found.first().map(|s| s.chars().count())
    );

    // The platform's log files of the same run, at its default INFO level.
    let platform_logs = platform.logs();
    assert!(platform_logs.contains("agent logged in"));
    let found = leaks(&platform_logs, secrets.iter().map(String::as_str));
    assert!(
        found.is_empty(),
        "personal data in the platform's logs: {} items",
        found.len()
    );
    Ok(())
}
