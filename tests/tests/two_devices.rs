//! Two devices of one agent (R4, R5, R7, R15): what one does, the other sees, through the
//! real platform and its event sockets.

use seatline_core::answer::{AnswerRefusal, AnswerState};
use seatline_core::{ClientEvent, CoreError};
use seatline_e2e::{eventually, Device, Platform, Result, WAIT};
use seatline_proto::{CardText, DeviceKind, NewCustomer, PhoneNumber};
use std::time::{Duration, Instant};

/// R5: the lease and its changes reach the other device within a second.
const PROPAGATION: Duration = Duration::from_secs(1);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r5_lease_and_state_changes_reach_the_other_device_within_a_second() -> Result<()> {
    let platform = Platform::start().await?;
    let pc = Device::new(&platform.url(), DeviceKind::Pc)?;
    let mobile = Device::new(&platform.url(), DeviceKind::Mobile)?;
    pc.login_demo("1001").await?;
    mobile.login_demo("1001").await?;

    // R4 defaults after login: PC busy, mobile answer-off; both see both devices online.
    assert_eq!(pc.view().answer, AnswerState::PcBusy);
    assert_eq!(mobile.view().answer, AnswerState::MobileOff);
    eventually("both devices online on the PC", WAIT, || async {
        Ok((pc.view().devices_online.len() == 2).then_some(()))
    })
    .await?;

    // R5: PC idle; the mobile learns the holder from its socket within a second.
    let mark = mobile.events.mark();
    let asked = Instant::now();
    let view = pc.client.set_answering(true).await?;
    assert_eq!(view.answer, AnswerState::PcIdle);
    assert_eq!(view.answer_holder, Some(DeviceKind::Pc));
    let (seen, mview) = mobile
        .events
        .wait_view(mark, "holder = Pc on the mobile", |v| {
            v.answer_holder == Some(DeviceKind::Pc)
        })
        .await?;
    let took = seen.duration_since(asked);
    println!("R5 lease reached the other device in {took:?}");
    assert!(
        took < PROPAGATION,
        "R5 lease took {took:?} to reach the mobile"
    );
    assert_eq!(mview.answer, AnswerState::MobileOff);

    // R5: turning on while the other device has it is refused, naming the other device.
    let mark = mobile.events.mark();
    let refused = mobile.client.set_answering(true).await;
    assert!(
        matches!(
            refused,
            Err(CoreError::Answer(AnswerRefusal::HeldByOther(
                DeviceKind::Pc
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(
        AnswerRefusal::HeldByOther(DeviceKind::Pc).text_zh(),
        "电脑端已开启接听，请先在电脑端关闭"
    );
    mobile
        .events
        .wait_for(mark, WAIT, "AnswerRefused(HeldByOther(Pc))", |e| {
            matches!(
                e,
                ClientEvent::AnswerRefused(AnswerRefusal::HeldByOther(DeviceKind::Pc))
            )
            .then_some(())
        })
        .await?;
    assert_eq!(mobile.view().answer_holder, Some(DeviceKind::Pc));
    assert_eq!(
        pc.view().answer,
        AnswerState::PcIdle,
        "the refusal changed nothing"
    );

    // The PC goes busy: the lease is free, the mobile sees it and can take it.
    let mark = mobile.events.mark();
    let asked = Instant::now();
    pc.client.set_answering(false).await?;
    let (seen, _) = mobile
        .events
        .wait_view(mark, "holder = None on the mobile", |v| {
            v.answer_holder.is_none()
        })
        .await?;
    assert!(seen.duration_since(asked) < PROPAGATION);
    let mark = pc.events.mark();
    let view = mobile.client.set_answering(true).await?;
    assert_eq!(view.answer, AnswerState::MobileOn);
    pc.events
        .wait_view(mark, "holder = Mobile on the PC", |v| {
            v.answer_holder == Some(DeviceKind::Mobile)
        })
        .await?;
    let refused = pc.client.set_answering(true).await;
    assert!(
        matches!(
            refused,
            Err(CoreError::Answer(AnswerRefusal::HeldByOther(
                DeviceKind::Mobile
            )))
        ),
        "{refused:?}"
    );

    // R7: reception is independent of the answer state and reaches the other device.
    assert!(!pc.view().reception_open, "R7: closed by default");
    let mark = mobile.events.mark();
    let asked = Instant::now();
    pc.client.set_reception(true).await?;
    let (seen, mview) = mobile
        .events
        .wait_view(mark, "reception open on the mobile", |v| v.reception_open)
        .await?;
    let took = seen.duration_since(asked);
    println!("R7 reception reached the other device in {took:?}");
    assert!(took < PROPAGATION, "R7 reception took {took:?}");
    assert_eq!(
        mview.answer,
        AnswerState::MobileOn,
        "R7: answer state untouched"
    );
    let mark = pc.events.mark();
    mobile.client.set_reception(false).await?;
    pc.events
        .wait_view(mark, "reception closed on the PC", |v| !v.reception_open)
        .await?;

    // R15: a customer added on the PC reaches the mobile's local library
    // (CustomersChanged → background sync), with no manual sync on the mobile.
    mobile.settle_library().await?;
    let number = PhoneNumber::parse("13911112222")?;
    let added_at = Instant::now();
    let added = pc.client.add_customer(NewCustomer {
        mobile: number.clone(),
        name: Some(CardText::parse("两端同步客户")?),
        company: Some(CardText::parse("同步测试有限公司")?),
        title: None,
        owned_by_me: true,
    })?;
    assert!(seatline_core::library::Library::is_provisional(added.id));
    let found = eventually("the customer in the mobile's library", WAIT, || async {
        Ok(mobile.client.library().by_mobile(&number)?)
    })
    .await?;
    println!(
        "R15 customer reached the other device's library in {:?}",
        added_at.elapsed()
    );
    assert!(found.id > 0, "the platform's id, not a provisional one");
    assert_eq!(
        found.name.as_ref().map(CardText::as_str),
        Some("两端同步客户")
    );
    assert_eq!(
        found.owner_agent_id,
        pc.client.status().map(|s| s.profile.agent_id)
    );
    let by_company = mobile.client.library().search("同步测试", 10, 0)?;
    assert!(by_company.iter().any(|c| c.mobile == number));
    Ok(())
}
