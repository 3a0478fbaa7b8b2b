//! Call machine on simulated time: every race named in the outbound-call issue.
#![allow(clippy::unwrap_used)]

use super::*;

const ID: &str = "call-1";

fn number() -> PhoneNumber {
    PhoneNumber::parse("13800138000").unwrap()
}

fn drain(m: &mut CallMachine) -> Vec<CallOutput> {
    std::iter::from_fn(|| m.poll_output()).collect()
}

fn progress(phase: CallPhase) -> CallInput {
    CallInput::Progress {
        call_id: ID.into(),
        phase,
    }
}

fn media(event: MediaEvent) -> CallInput {
    CallInput::Media {
        call_id: ID.into(),
        event,
    }
}

fn ended(outcome: CallOutcome, by: Option<Party>) -> CallPhase {
    CallPhase::Ended { outcome, by }
}

fn stage(m: &CallMachine) -> CallStage {
    m.snapshot().unwrap().stage
}

/// Runs timeouts up to `until`, as the shell's timer would.
fn advance(m: &mut CallMachine, until: Instant) {
    while let Some(at) = m.poll_timeout() {
        if at > until {
            break;
        }
        m.handle_timeout(at);
    }
}

/// A VoIP call placed and given its id; outputs drained.
fn placed(method: CallMethod, t0: Instant) -> CallMachine {
    let mut m = CallMachine::new();
    let attempt = m.start(method, number(), t0).unwrap();
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: ID.into(),
        },
        t0,
    );
    drain(&mut m);
    m
}

/// A VoIP call that is connected with its media up at `t0`.
fn talking(t0: Instant) -> CallMachine {
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(media(MediaEvent::Connected), t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    m.handle_input(progress(CallPhase::Connected), t0);
    drain(&mut m);
    m
}

#[test]
fn r12_voip_call_posts_then_starts_media_and_follows_progress() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    assert_eq!(stage(&m), CallStage::Placing);
    assert_eq!(
        drain(&mut m),
        vec![
            CallOutput::Start {
                attempt,
                method: CallMethod::Voip,
                number: number()
            },
            CallOutput::Changed
        ]
    );
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: ID.into(),
        },
        t0,
    );
    assert_eq!(stage(&m), CallStage::CallingCustomer);
    assert!(drain(&mut m).contains(&CallOutput::StartMedia { call_id: ID.into() }));
    m.handle_input(media(MediaEvent::Connected), t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    assert_eq!(stage(&m), CallStage::Ringing);
    let t1 = t0 + Duration::from_secs(4);
    m.handle_input(progress(CallPhase::Connected), t1);
    let snap = m.snapshot().unwrap();
    assert_eq!(snap.stage, CallStage::Connected);
    assert_eq!(snap.connected, Some(t1));
    assert_eq!(snap.media, MediaLink::Up);
    assert_eq!(snap.call_id.as_deref(), Some(ID));
    // The customer hangs up.
    m.handle_input(
        progress(ended(CallOutcome::Answered, Some(Party::Customer))),
        t1,
    );
    assert_eq!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::Answered,
            by: Some(Party::Customer),
            cause: EndCause::Reported
        }
    );
    assert!(drain(&mut m).contains(&CallOutput::StopMedia));
    assert!(!m.in_call());
}

#[test]
fn r13_callback_calls_the_agent_first_and_has_no_media() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Callback, number(), t0).unwrap();
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: ID.into(),
        },
        t0,
    );
    assert_eq!(stage(&m), CallStage::CallingAgent);
    let out = drain(&mut m);
    assert!(!out
        .iter()
        .any(|o| matches!(o, CallOutput::StartMedia { .. })));
    m.handle_input(progress(CallPhase::CallingCustomer), t0);
    m.handle_input(progress(CallPhase::Connected), t0);
    assert_eq!(stage(&m), CallStage::Connected);
    assert_eq!(m.snapshot().unwrap().media, MediaLink::None);
    // No media to lose: a long socket outage does not end a callback call.
    m.handle_input(CallInput::SocketDown, t0);
    advance(&mut m, t0 + Duration::from_secs(120));
    assert_eq!(stage(&m), CallStage::Connected);
    m.handle_input(CallInput::SocketUp, t0 + Duration::from_secs(120));
    assert!(!drain(&mut m)
        .iter()
        .any(|o| matches!(o, CallOutput::RestartIce { .. })));
}

#[test]
fn r13_callback_agent_leg_never_answering_ends_agent_no_answer() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Callback, t0);
    assert_eq!(stage(&m), CallStage::CallingAgent);
    m.handle_input(
        progress(ended(CallOutcome::AgentNoAnswer, Some(Party::Platform))),
        t0 + Duration::from_secs(60),
    );
    let snap = m.snapshot().unwrap();
    assert_eq!(
        snap.stage,
        CallStage::Ended {
            outcome: CallOutcome::AgentNoAnswer,
            by: Some(Party::Platform),
            cause: EndCause::Reported
        }
    );
    assert_eq!(snap.stage.text_zh(), "您的手机未接听");
    assert_eq!(snap.connected, None);
}

#[test]
fn customer_busy_ends_busy() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(
        progress(ended(CallOutcome::Busy, Some(Party::Customer))),
        t0,
    );
    assert_eq!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::Busy,
            by: Some(Party::Customer),
            cause: EndCause::Reported
        }
    );
    assert!(drain(&mut m).contains(&CallOutput::StopMedia));
}

#[test]
fn carrier_503_ends_failed() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::CallingCustomer), t0);
    m.handle_input(
        progress(ended(CallOutcome::Failed, Some(Party::Platform))),
        t0,
    );
    let s = stage(&m);
    assert!(matches!(
        s,
        CallStage::Ended {
            outcome: CallOutcome::Failed,
            ..
        }
    ));
    assert_eq!(s.text_zh(), "呼叫失败");
}

#[test]
fn hang_up_while_ringing_cancels_and_waits_for_the_platform() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    drain(&mut m);
    m.hang_up(t0).unwrap();
    assert_eq!(stage(&m), CallStage::Ending);
    let out = drain(&mut m);
    assert!(out.contains(&CallOutput::HangUp { call_id: ID.into() }));
    assert!(out.contains(&CallOutput::StopMedia));
    // A second click is harmless.
    m.hang_up(t0).unwrap();
    assert!(!drain(&mut m)
        .iter()
        .any(|o| matches!(o, CallOutput::HangUp { .. })));
    m.handle_input(
        progress(ended(CallOutcome::NoAnswer, Some(Party::Agent))),
        t0,
    );
    assert_eq!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::NoAnswer,
            by: Some(Party::Agent),
            cause: EndCause::Reported
        }
    );
    // The engine was stopped once, at the hang-up.
    assert!(!drain(&mut m).contains(&CallOutput::StopMedia));
}

#[test]
fn hang_up_racing_the_customer_answering_stays_hung_up() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    m.hang_up(t0).unwrap();
    drain(&mut m);
    // The customer answered just before the platform saw the hang-up.
    m.handle_input(progress(CallPhase::Connected), t0);
    assert_eq!(stage(&m), CallStage::Ending);
    assert!(!drain(&mut m).contains(&CallOutput::StartMedia { call_id: ID.into() }));
    m.handle_input(
        progress(ended(CallOutcome::Answered, Some(Party::Agent))),
        t0,
    );
    assert!(matches!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::Answered,
            by: Some(Party::Agent),
            ..
        }
    ));
}

#[test]
fn hang_up_with_the_platform_silent_ends_locally_after_the_timeout() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    m.hang_up(t0).unwrap();
    m.handle_input(progress(CallPhase::Connected), t0);
    assert_eq!(m.poll_timeout(), Some(t0 + ENDING_TIMEOUT));
    advance(&mut m, t0 + ENDING_TIMEOUT);
    // It had connected meanwhile: answered, hung up by the agent.
    assert_eq!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::Answered,
            by: Some(Party::Agent),
            cause: EndCause::HungUp
        }
    );
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn hang_up_before_the_call_id_hangs_it_up_when_the_id_arrives() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    drain(&mut m);
    m.hang_up(t0).unwrap();
    assert_eq!(stage(&m), CallStage::Ending);
    assert!(!drain(&mut m)
        .iter()
        .any(|o| matches!(o, CallOutput::HangUp { .. } | CallOutput::StopMedia)));
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: ID.into(),
        },
        t0,
    );
    let out = drain(&mut m);
    assert!(out.contains(&CallOutput::HangUp { call_id: ID.into() }));
    assert!(!out
        .iter()
        .any(|o| matches!(o, CallOutput::StartMedia { .. })));
    m.handle_input(
        progress(ended(CallOutcome::NoAnswer, Some(Party::Agent))),
        t0,
    );
    assert!(!m.in_call());
}

#[test]
fn hang_up_before_a_failed_start_ends_without_a_call() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    m.hang_up(t0).unwrap();
    m.handle_input(CallInput::StartFailed { attempt }, t0);
    assert!(matches!(
        stage(&m),
        CallStage::Ended {
            cause: EndCause::HungUp,
            ..
        }
    ));
}

#[test]
fn refused_start_leaves_no_call() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    m.handle_input(CallInput::StartFailed { attempt }, t0);
    assert!(m.snapshot().is_none());
    assert!(!m.in_call());
    assert!(m.start(CallMethod::Voip, number(), t0).is_ok());
}

#[test]
fn a_late_id_of_an_old_attempt_is_hung_up_not_adopted() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let first = m.start(CallMethod::Voip, number(), t0).unwrap();
    // The first POST timed out on the device's side.
    m.handle_input(CallInput::StartFailed { attempt: first }, t0);
    let second = m.start(CallMethod::Voip, number(), t0).unwrap();
    drain(&mut m);
    m.handle_input(
        CallInput::Started {
            attempt: first,
            call_id: "old".into(),
        },
        t0,
    );
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::HangUp {
            call_id: "old".into()
        }]
    );
    assert_eq!(stage(&m), CallStage::Placing);
    m.handle_input(
        CallInput::Started {
            attempt: second,
            call_id: ID.into(),
        },
        t0,
    );
    assert_eq!(m.snapshot().unwrap().call_id.as_deref(), Some(ID));
}

#[test]
fn hang_up_during_hold_ends_the_call() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.set_hold(true).unwrap();
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::Hold {
            call_id: ID.into(),
            on: true
        }]
    );
    m.handle_input(
        CallInput::HoldDone {
            call_id: ID.into(),
            on: true,
        },
        t0,
    );
    assert_eq!(stage(&m), CallStage::Held);
    assert!(m.snapshot().unwrap().held());
    m.hang_up(t0).unwrap();
    let out = drain(&mut m);
    assert!(out.contains(&CallOutput::HangUp { call_id: ID.into() }));
    // The platform's `Held` echo arriving late does not take the call back.
    m.handle_input(progress(CallPhase::Held), t0);
    assert_eq!(stage(&m), CallStage::Ending);
    m.handle_input(
        progress(ended(CallOutcome::Answered, Some(Party::Agent))),
        t0,
    );
    assert!(!m.in_call());
}

#[test]
fn r17_hold_and_resume_follow_the_platform_too() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(progress(CallPhase::Held), t0);
    assert_eq!(stage(&m), CallStage::Held);
    // Resuming is allowed from Held; holding again is a no-op.
    m.set_hold(true).unwrap();
    assert!(drain(&mut m)
        .iter()
        .all(|o| !matches!(o, CallOutput::Hold { .. })));
    m.set_hold(false).unwrap();
    assert!(drain(&mut m).contains(&CallOutput::Hold {
        call_id: ID.into(),
        on: false
    }));
    m.handle_input(progress(CallPhase::Connected), t0);
    assert_eq!(stage(&m), CallStage::Connected);
    // The connect time is the first one, not the resume.
    assert_eq!(m.snapshot().unwrap().connected, Some(t0));
}

#[test]
fn hold_and_dtmf_need_a_connected_call() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    assert_eq!(m.set_hold(true), Err(CallRefusal::NoCall));
    assert_eq!(m.send_dtmf("1"), Err(CallRefusal::NoCall));
    assert_eq!(m.hang_up(t0), Err(CallRefusal::NoCall));
    assert_eq!(m.set_muted(true), Err(CallRefusal::NoCall));
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    assert_eq!(m.set_hold(true), Err(CallRefusal::NotConnected));
    assert_eq!(m.send_dtmf("1"), Err(CallRefusal::NotConnected));
    m.handle_input(progress(CallPhase::Connected), t0);
    drain(&mut m);
    assert_eq!(m.send_dtmf("12x"), Err(CallRefusal::BadDigits));
    assert_eq!(m.send_dtmf(&"1".repeat(33)), Err(CallRefusal::BadDigits));
    m.send_dtmf("1*#a").unwrap();
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::Dtmf {
            call_id: ID.into(),
            digits: "1*#A".into()
        }]
    );
}

#[test]
fn mute_goes_to_the_engine_and_into_the_snapshot() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.set_muted(true).unwrap();
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::SetMuted(true), CallOutput::Changed]
    );
    assert!(m.snapshot().unwrap().muted);
    // Same value again: nothing.
    m.set_muted(true).unwrap();
    assert!(drain(&mut m).is_empty());
}

#[test]
fn a_second_start_while_a_call_runs_is_refused() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    assert_eq!(
        m.start(CallMethod::Voip, number(), t0),
        Err(CallRefusal::CallInProgress)
    );
    assert_eq!(
        m.start(CallMethod::Callback, number(), t0),
        Err(CallRefusal::CallInProgress)
    );
    // Still the same call.
    assert_eq!(stage(&m), CallStage::Connected);
    // Placing counts as running too.
    let mut m = CallMachine::new();
    m.start(CallMethod::Voip, number(), t0).unwrap();
    assert_eq!(
        m.start(CallMethod::Voip, number(), t0),
        Err(CallRefusal::CallInProgress)
    );
    // After the end, a new call may start.
    let mut m = talking(t0);
    m.handle_input(
        progress(ended(CallOutcome::Answered, Some(Party::Customer))),
        t0,
    );
    assert!(m.start(CallMethod::Voip, number(), t0).is_ok());
    assert_eq!(stage(&m), CallStage::Placing);
}

#[test]
fn r12_native_calls_are_not_placed_through_the_platform() {
    let mut m = CallMachine::new();
    assert_eq!(
        m.start(CallMethod::Native, number(), Instant::now()),
        Err(CallRefusal::MethodNotPlaced)
    );
}

#[test]
fn progress_of_an_unknown_or_old_call_is_ignored() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(
        CallInput::Progress {
            call_id: "other".into(),
            phase: ended(CallOutcome::Busy, Some(Party::Customer)),
        },
        t0,
    );
    assert_eq!(stage(&m), CallStage::Connected);
    assert!(drain(&mut m).is_empty());
    // Media events of another call's engine too.
    m.handle_input(
        CallInput::Media {
            call_id: "other".into(),
            event: MediaEvent::Failed,
        },
        t0,
    );
    assert_eq!(m.snapshot().unwrap().media, MediaLink::Up);
    // The finished call's late events do not touch the next one.
    m.handle_input(
        progress(ended(CallOutcome::Answered, Some(Party::Customer))),
        t0,
    );
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: "call-2".into(),
        },
        t0,
    );
    m.handle_input(progress(CallPhase::Connected), t0);
    m.handle_input(progress(ended(CallOutcome::Busy, None)), t0);
    assert_eq!(stage(&m), CallStage::CallingCustomer);
    // No call at all: ignored without panic.
    let mut m = CallMachine::new();
    m.handle_input(progress(CallPhase::Connected), t0);
    assert!(m.snapshot().is_none());
}

#[test]
fn progress_never_goes_back() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    m.handle_input(progress(CallPhase::CallingCustomer), t0);
    assert_eq!(stage(&m), CallStage::Connected);
}

#[test]
fn progress_before_the_post_answers_is_replayed_for_its_call() {
    let t0 = Instant::now();
    let mut m = CallMachine::new();
    let attempt = m.start(CallMethod::Voip, number(), t0).unwrap();
    // The platform pushed faster than its HTTP reply came back.
    m.handle_input(
        CallInput::Progress {
            call_id: "stale".into(),
            phase: ended(CallOutcome::Busy, None),
        },
        t0,
    );
    m.handle_input(progress(CallPhase::Ringing), t0);
    assert_eq!(stage(&m), CallStage::Placing);
    m.handle_input(
        CallInput::Started {
            attempt,
            call_id: ID.into(),
        },
        t0,
    );
    assert_eq!(stage(&m), CallStage::Ringing);
}

#[test]
fn media_drop_short_of_the_grace_restarts_ice_and_the_call_survives() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    let t1 = t0 + Duration::from_secs(30);
    // Network change: the leg loses connectivity; the socket is still up.
    m.handle_input(media(MediaEvent::Disconnected), t1);
    assert_eq!(m.snapshot().unwrap().media, MediaLink::Down { since: t1 });
    assert_eq!(
        drain(&mut m),
        vec![
            CallOutput::RestartIce { call_id: ID.into() },
            CallOutput::Changed
        ]
    );
    // Not recovered after the retry interval: another restart.
    advance(&mut m, t1 + ICE_RESTART_RETRY);
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::RestartIce { call_id: ID.into() }]
    );
    // Back after 5 s.
    m.handle_input(media(MediaEvent::Connected), t1 + Duration::from_secs(5));
    advance(&mut m, t1 + Duration::from_secs(120));
    assert_eq!(stage(&m), CallStage::Connected);
    assert_eq!(m.snapshot().unwrap().media, MediaLink::Up);
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn socket_outage_restarts_ice_after_the_reconnect_and_the_call_survives_5_s() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    // Both the socket and the media path go down (the agent's network is gone).
    m.handle_input(CallInput::SocketDown, t0);
    m.handle_input(media(MediaEvent::Disconnected), t0 + Duration::from_secs(2));
    // No restart while the offer could not be sent.
    assert!(!drain(&mut m)
        .iter()
        .any(|o| matches!(o, CallOutput::RestartIce { .. })));
    advance(&mut m, t0 + Duration::from_secs(6));
    assert!(drain(&mut m).is_empty());
    // The socket is back after its backoff: restart ICE now.
    m.handle_input(CallInput::SocketUp, t0 + Duration::from_secs(7));
    assert!(drain(&mut m).contains(&CallOutput::RestartIce { call_id: ID.into() }));
    m.handle_input(media(MediaEvent::Connected), t0 + Duration::from_secs(8));
    advance(&mut m, t0 + Duration::from_secs(60));
    assert_eq!(stage(&m), CallStage::Connected);
}

#[test]
fn socket_reconnect_restarts_ice_even_when_the_leg_did_not_notice() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(CallInput::SocketDown, t0);
    m.handle_input(CallInput::SocketUp, t0 + Duration::from_secs(1));
    assert_eq!(
        drain(&mut m),
        vec![CallOutput::RestartIce { call_id: ID.into() }]
    );
    // The link never went down: no retry timer, no end.
    assert_eq!(m.poll_timeout(), None);
}

#[test]
fn network_change_restarts_ice_once_the_socket_can_carry_the_offer() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(CallInput::NetworkChanged, t0);
    assert!(drain(&mut m).contains(&CallOutput::RestartIce { call_id: ID.into() }));
    m.handle_input(CallInput::SocketDown, t0);
    m.handle_input(CallInput::NetworkChanged, t0);
    assert!(drain(&mut m).is_empty());
    m.handle_input(CallInput::SocketUp, t0);
    assert_eq!(
        drain(&mut m)
            .iter()
            .filter(|o| matches!(o, CallOutput::RestartIce { .. }))
            .count(),
        1
    );
}

#[test]
fn media_down_longer_than_the_grace_ends_the_call_media_lost() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    let t1 = t0 + Duration::from_secs(10);
    m.handle_input(CallInput::SocketDown, t1);
    m.handle_input(media(MediaEvent::Failed), t1);
    assert_eq!(m.poll_timeout(), Some(t1 + MEDIA_GRACE));
    advance(&mut m, t1 + MEDIA_GRACE - Duration::from_millis(1));
    assert_eq!(stage(&m), CallStage::Connected);
    advance(&mut m, t1 + MEDIA_GRACE);
    assert_eq!(
        stage(&m),
        CallStage::Ended {
            outcome: CallOutcome::Answered,
            by: None,
            cause: EndCause::MediaLost
        }
    );
    let out = drain(&mut m);
    assert!(out.contains(&CallOutput::HangUp { call_id: ID.into() }));
    assert!(out.contains(&CallOutput::StopMedia));
    // The leg coming back afterwards changes nothing.
    m.handle_input(media(MediaEvent::Connected), t1 + MEDIA_GRACE);
    assert!(!m.in_call());
}

#[test]
fn media_never_connecting_ends_the_call_once_the_customer_answers() {
    let t0 = Instant::now();
    let mut m = placed(CallMethod::Voip, t0);
    m.handle_input(progress(CallPhase::Ringing), t0);
    // Ringing can take long: no media deadline before the customer is on the line.
    advance(&mut m, t0 + Duration::from_secs(40));
    assert_eq!(stage(&m), CallStage::Ringing);
    let t1 = t0 + Duration::from_secs(40);
    m.handle_input(progress(CallPhase::Connected), t1);
    assert_eq!(m.poll_timeout(), Some(t1 + MEDIA_GRACE));
    advance(&mut m, t1 + MEDIA_GRACE);
    assert!(matches!(
        stage(&m),
        CallStage::Ended {
            cause: EndCause::MediaLost,
            ..
        }
    ));
}

#[test]
fn r17_a_drop_while_held_counts_too_and_recovers() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(progress(CallPhase::Held), t0);
    m.handle_input(media(MediaEvent::Disconnected), t0);
    m.handle_input(media(MediaEvent::Connected), t0 + Duration::from_secs(4));
    advance(&mut m, t0 + Duration::from_secs(60));
    assert_eq!(stage(&m), CallStage::Held);
}

#[test]
fn r2_losing_the_session_ends_the_call() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(CallInput::SessionLost, t0);
    assert!(matches!(
        stage(&m),
        CallStage::Ended {
            cause: EndCause::SessionLost,
            outcome: CallOutcome::Answered,
            ..
        }
    ));
    assert!(drain(&mut m).contains(&CallOutput::StopMedia));
}

#[test]
fn outputs_say_changed_only_on_news() {
    let t0 = Instant::now();
    let mut m = talking(t0);
    m.handle_input(progress(CallPhase::Connected), t0);
    assert!(drain(&mut m).is_empty());
}

#[test]
fn dtmf_digits_are_parsed_at_the_edge() {
    assert_eq!(parse_dtmf(" 12#*ab "), Ok("12#*AB".into()));
    assert_eq!(parse_dtmf(""), Err(CallRefusal::BadDigits));
    assert_eq!(parse_dtmf("1E"), Err(CallRefusal::BadDigits));
}
