//! A device that was away while things changed (R2, R5, R7): after it reconnects, the
//! `Hello` snapshot and the resync it triggers put it right, with no event replayed.

use seatline_core::answer::{AnswerRefusal, AnswerState};
use seatline_core::session::PhoneState;
use seatline_core::{ClientEvent, CoreError};
use seatline_e2e::{eventually, Device, Link, Platform, Result, WAIT};
use seatline_proto::{CardText, DeviceKind, NewCustomer, PhoneNumber};
use std::time::Duration;

/// Reconnect backoff after a short outage (core/src/backoff.rs): well under this.
const RECONNECT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_resyncs_missed_events() -> Result<()> {
    let mut platform = Platform::start().await?;
    // Device A (mobile) reaches the platform through a link the test can cut, so it stays
    // away after the restart for exactly as long as the test wants; B (PC) goes direct.
    let link = Link::new(platform.addr()).await?;
    let a = Device::new(&link.url(), DeviceKind::Mobile)?;
    let b = Device::new(&platform.url(), DeviceKind::Pc)?;
    a.login_demo("1001").await?;
    b.login_demo("1001").await?;
    a.settle_library().await?;
    assert_eq!(a.view().answer_holder, None);
    assert!(!a.view().reception_open);

    // The platform restarts (gracefully this time: SIGTERM, sockets closed with "going
    // away"); A's network is out meanwhile and stays out.
    let mark_a = a.events.mark();
    let mark_b = b.events.mark();
    link.cut();
    platform.terminate().await?;
    a.events
        .wait_for(mark_a, WAIT, "A's socket down", |e| {
            matches!(e, ClientEvent::Connection { up: false }).then_some(())
        })
        .await?;
    platform.restart().await?;
    b.events.wait_connected(mark_b, RECONNECT).await?;

    // While A is away, B takes the lease (R5), opens reception (R7) and adds a customer.
    b.client.set_answering(true).await?;
    b.client.set_reception(true).await?;
    let number = PhoneNumber::parse("13655556666")?;
    b.client.add_customer(NewCustomer {
        mobile: number.clone(),
        name: Some(CardText::parse("错过的客户")?),
        company: None,
        title: None,
        owned_by_me: false,
    })?;
    b.settle_library().await?;
    // A missed all of it: no event could reach it.
    assert_eq!(
        a.view().answer_holder,
        None,
        "A cannot have heard of the lease"
    );
    assert!(!a.view().reception_open);
    assert!(a.client.library().by_mobile(&number)?.is_none());
    assert!(!a.events.events_since(mark_a).iter().any(|e| matches!(
        e,
        ClientEvent::Connection { up: true } | ClientEvent::LibraryChanged
    )));

    // A's network returns. It reconnects on its own; Hello carries the status it missed,
    // and the resync after it pulls the customer.
    let mark = a.events.mark();
    link.restore();
    a.events.wait_connected(mark, RECONNECT).await?;
    let (_, view) = a
        .events
        .wait_view(mark, "A shows the lease at the PC", |v| {
            v.answer_holder == Some(DeviceKind::Pc) && v.reception_open
        })
        .await?;
    assert_eq!(view.phone, PhoneState::Ready);
    assert_eq!(view.answer, AnswerState::MobileOff);
    let status = a.client.status().ok_or("A is logged in")?;
    assert_eq!(status.answer_holder, Some(DeviceKind::Pc));
    assert!(status.reception_open);
    let got = eventually("the missed customer in A's library", WAIT, || async {
        Ok(a.client.library().by_mobile(&number)?)
    })
    .await?;
    assert_eq!(got.name.as_ref().map(CardText::as_str), Some("错过的客户"));

    // And A acts on the fresh view: the lease is B's (R5).
    let refused = a.client.set_answering(true).await;
    assert!(
        matches!(
            refused,
            Err(CoreError::Answer(AnswerRefusal::HeldByOther(
                DeviceKind::Pc
            )))
        ),
        "{refused:?}"
    );
    Ok(())
}
