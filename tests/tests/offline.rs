//! The platform goes away and comes back (R9, R11, R15, ADR 0004): the local library keeps
//! working offline, the phone reads 电话异常 after the grace, and the core reconnects by
//! itself, resynchronises and delivers the edits made meanwhile.

use seatline_core::answer::AnswerState;
use seatline_core::session::{DialRefusal, PhoneState, FAULT_GRACE};
use seatline_core::{ClientEvent, CoreError};
use seatline_e2e::{dial_refusal, eventually, Device, Platform, Result, WAIT};
use seatline_proto::{CardText, ContactKind, DeviceKind, NewContact, NewCustomer, PhoneNumber};
use std::time::{Duration, Instant};

/// The longest the core's reconnect backoff can leave a short outage unnoticed: attempts
/// after 0.5, 1, 2, 4, 8 s windows (core/src/backoff.rs), so an outage of a few seconds
/// is over within about twice its length. Bounded well above that.
const RECONNECT: Duration = Duration::from_secs(20);

fn text(t: &Option<CardText>) -> Option<&str> {
    t.as_ref().map(CardText::as_str)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offline_library_search_and_edits_sync_after_platform_returns() -> Result<()> {
    let mut platform = Platform::start().await?;
    let pc = Device::new(&platform.url(), DeviceKind::Pc)?;
    pc.login_demo("1001").await?;
    pc.settle_library().await?;
    let local = pc.all_local_customers()?;
    assert_eq!(
        local.len(),
        seatline_e2e::demo::DEMO_CUSTOMERS,
        "the whole library synced"
    );

    // Three seeded customers with full cards: one to find, one to edit, one to extend.
    let mut full = local
        .iter()
        .filter(|c| c.name.is_some() && c.company.is_some() && c.contacts.is_empty());
    let (found, edited, extended) = match (full.next(), full.next(), full.next()) {
        (Some(a), Some(b), Some(c)) => (a.clone(), b.clone(), c.clone()),
        _ => return Err(seatline_e2e::err("the demo data has full cards")),
    };

    // The platform dies (SIGKILL): the socket drops at once.
    let mark_kill = pc.events.mark();
    platform.kill().await?;
    let down_at = pc
        .events
        .wait_for(mark_kill, WAIT, "Connection { up: false }", |e| {
            matches!(e, ClientEvent::Connection { up: false }).then_some(())
        })
        .await?
        .0;
    // A blip is not a fault yet: the grace of R9 lets a handover pass unseen.
    let early = pc.client.check_dial("13700001111");
    if down_at.elapsed() < FAULT_GRACE - Duration::from_millis(500) {
        assert!(
            early.is_ok(),
            "dialling refused within the grace: {early:?}"
        );
        assert_eq!(pc.view().phone, PhoneState::Ready);
    }

    // Offline reads: by a name's first characters, by company, by any part of a number.
    let lib = pc.client.library();
    let name = text(&found.name).unwrap_or_default();
    let prefix: String = name.chars().take(2).collect();
    assert!(
        lib.search(&prefix, 200, 0)?
            .iter()
            .any(|c| c.id == found.id),
        "offline search by name prefix"
    );
    let company = text(&found.company).unwrap_or_default();
    assert!(
        lib.search(company, 50, 0)?.iter().any(|c| c.id == found.id),
        "offline search by company"
    );
    let middle = &found.mobile.as_str()[3..9];
    assert!(
        lib.search(middle, 50, 0)?.iter().any(|c| c.id == found.id),
        "offline search by a part of the number"
    );
    assert_eq!(
        lib.by_mobile(&found.mobile)?.map(|c| c.id),
        Some(found.id),
        "R16"
    );

    // Offline writes (R15): a new customer, a card edit, a contact method. All are local
    // at once and queued.
    let new_number = PhoneNumber::parse("13722223333")?;
    let added = pc.client.add_customer(NewCustomer {
        mobile: new_number.clone(),
        name: Some(CardText::parse("离线新增客户")?),
        company: Some(CardText::parse("离线贸易有限公司")?),
        title: None,
        owned_by_me: false,
    })?;
    assert!(
        added.id < 0,
        "a provisional id until the platform accepts it"
    );
    assert!(lib
        .search("离线新增", 10, 0)?
        .iter()
        .any(|c| c.id == added.id));
    let edited_local = pc
        .client
        .edit_card(edited.id, None, None, Some("离线改的职位".into()))?;
    assert_eq!(text(&edited_local.title), Some("离线改的职位"));
    pc.client.add_contact(
        extended.id,
        NewContact {
            kind: ContactKind::Email,
            value: "offline.added@example.cn".into(),
        },
    )?;
    assert_eq!(lib.pending()?, 3, "three edits queued");

    // R9: after the grace the phone reads 电话异常 and the dial pad refuses.
    let (fault_at, view) = pc
        .events
        .wait_view(mark_kill, "PhoneState::Fault", |v| {
            v.phone == PhoneState::Fault
        })
        .await?;
    let after = fault_at.saturating_duration_since(down_at);
    println!("R9 fault shown {after:?} after the socket went down");
    assert!(
        after >= FAULT_GRACE - Duration::from_millis(100) && after < FAULT_GRACE * 2,
        "fault shown {after:?} after the loss, grace is {FAULT_GRACE:?}"
    );
    assert_eq!(view.text_zh(), "电话异常");
    assert_eq!(PhoneState::FAULT_DETAIL_ZH, "电话功能异常，请尝试重新登录");
    let refused = pc.client.check_dial("13700001111");
    let refusal = refused.as_ref().err().and_then(dial_refusal);
    assert_eq!(refusal, Some(DialRefusal::PhoneFault), "{refused:?}");
    assert_eq!(
        DialRefusal::PhoneFault.text_zh(),
        "暂无法发起呼叫，请稍后重试"
    );
    // R11: no answering switch either while the platform is away; nothing changes.
    let switched = pc.client.set_answering(true).await;
    assert!(
        matches!(switched, Err(CoreError::Unreachable(_))),
        "{switched:?}"
    );
    assert_eq!(pc.view().answer, AnswerState::PcBusy);
    assert!(!pc.view().answer_pending);
    assert_eq!(lib.pending()?, 3, "nothing could be sent");

    // The platform comes back on the same port and database. Nobody calls anything on
    // the client: it reconnects with its backoff, gets Hello, resyncs, and pushes.
    let mark = pc.events.mark();
    let restarted = Instant::now();
    platform.restart().await?;
    let up_at = pc.events.wait_connected(mark, RECONNECT).await?;
    println!(
        "reconnected {:?} after the restart",
        up_at.duration_since(restarted)
    );
    pc.events
        .wait_view(mark, "PhoneState::Ready again", |v| {
            v.phone == PhoneState::Ready
        })
        .await?;
    assert!(pc.client.check_dial("13700001111").is_ok());
    // Hello → Resync → library sync: the sync that reports the change follows the
    // reconnect (the syncs tried offline changed nothing, so they reported nothing).
    let (synced_at, ()) = pc
        .events
        .wait_for(mark, WAIT, "LibraryChanged after the reconnect", |e| {
            matches!(e, ClientEvent::LibraryChanged).then_some(())
        })
        .await?;
    assert!(
        synced_at >= up_at,
        "a library sync only after the reconnect"
    );
    eventually("the offline edits pushed", WAIT, || async {
        Ok((lib.pending()? == 0).then_some(()))
    })
    .await?;
    assert!(lib.conflicts()?.is_empty() && lib.rejections()?.is_empty());
    let mine = lib
        .by_mobile(&new_number)?
        .ok_or("the new customer vanished")?;
    assert!(
        mine.id > 0,
        "the provisional id was replaced by the platform's"
    );

    // Another agent of the enterprise sees the offline edits on the platform...
    let (other, _) = platform
        .rest()
        .login_agent("demo", "1002", "1002pass", DeviceKind::Pc, "e2e-rest-1002")
        .await?;
    let created = other
        .by_mobile(new_number.as_str())
        .await?
        .ok_or("the offline customer is not on the platform")?;
    assert_eq!(text(&created.name), Some("离线新增客户"));
    assert_eq!(text(&created.company), Some("离线贸易有限公司"));
    assert_eq!(created.owner_agent_id, None, "R15: no owner, public pool");
    let card = other.customer(edited.id).await?;
    assert_eq!(text(&card.title), Some("离线改的职位"));
    assert_eq!(card.name, edited.name, "only the edited field changed");
    let card = other.customer(extended.id).await?;
    assert!(card
        .contacts
        .iter()
        .any(|m| m.kind == ContactKind::Email && m.value == "offline.added@example.cn"));

    // ...and so does a second device's library after its own sync.
    let second = Device::new(&platform.url(), DeviceKind::Mobile)?;
    second.login_demo("1002").await?;
    second.settle_library().await?;
    let seen = second
        .client
        .library()
        .by_mobile(&new_number)?
        .ok_or("the second device lacks the offline customer")?;
    assert_eq!(seen.id, created.id);
    let seen = second
        .client
        .library()
        .get(edited.id)?
        .ok_or("edited customer missing")?;
    assert_eq!(text(&seen.title), Some("离线改的职位"));
    Ok(())
}
