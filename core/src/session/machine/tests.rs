//! Session machine on simulated time.
#![allow(clippy::unwrap_used)]

use super::*;
use seatline_proto::{AgentProfile, EnterpriseCode, JobNumber, PhoneNumber};

pub(crate) fn status(bound: bool) -> AgentStatus {
    AgentStatus {
        profile: AgentProfile {
            agent_id: 7,
            enterprise: EnterpriseCode::parse("demo").unwrap(),
            enterprise_name: "Demo".into(),
            job_number: JobNumber::parse("1001").unwrap(),
            display_name: "Agent".into(),
            bound_number: bound.then(|| PhoneNumber::parse("13800000001").unwrap()),
            has_online_service: true,
            can_delete_records: false,
        },
        answer_holder: None,
        reception_open: false,
        devices_online: vec![DeviceKind::Pc],
        phone_fault: false,
    }
}

fn machine(kind: DeviceKind) -> SessionMachine {
    SessionMachine::new(kind, Box::new(|| 1.0))
}

fn drain(m: &mut SessionMachine) -> Vec<SessionOutput> {
    std::iter::from_fn(|| m.poll_output()).collect()
}

fn online(kind: DeviceKind, bound: bool, t0: Instant) -> SessionMachine {
    let mut m = machine(kind);
    m.handle_input(SessionInput::LoginStarted, t0);
    m.handle_input(SessionInput::LoggedIn(Box::new(status(bound))), t0);
    m.handle_input(SessionInput::SocketUp, t0);
    drain(&mut m);
    m
}

#[test]
fn r2_logged_out_reads_not_logged_in_and_refuses_dialling() {
    let t0 = Instant::now();
    let m = machine(DeviceKind::Pc);
    assert_eq!(m.phone_state(t0), PhoneState::NotLoggedIn);
    assert_eq!(PhoneState::NotLoggedIn.text_zh(), Some("尚未登录"));
    // R11: outbound needs the agent online.
    assert_eq!(m.check_dial(t0), Err(DialRefusal::NotLoggedIn));
}

#[test]
fn r1_login_goes_online_and_asks_for_the_socket() {
    let t0 = Instant::now();
    let mut m = machine(DeviceKind::Pc);
    m.handle_input(SessionInput::LoginStarted, t0);
    assert_eq!(m.phone_state(t0), PhoneState::NotLoggedIn);
    m.handle_input(SessionInput::LoggedIn(Box::new(status(true))), t0);
    let out = drain(&mut m);
    assert!(out.contains(&SessionOutput::Connect));
    assert!(out.contains(&SessionOutput::PhoneState(PhoneState::Ready)));
    assert_eq!(m.check_dial(t0), Ok(()));
}

#[test]
fn r1_failed_login_stays_logged_out() {
    let t0 = Instant::now();
    let mut m = machine(DeviceKind::Pc);
    m.handle_input(SessionInput::LoginStarted, t0);
    m.handle_input(SessionInput::LoginFailed, t0);
    assert!(!m.is_online());
    assert_eq!(m.check_dial(t0), Err(DialRefusal::NotLoggedIn));
}

#[test]
fn r3_mobile_without_bound_number_cannot_dial() {
    let t0 = Instant::now();
    let m = online(DeviceKind::Mobile, false, t0);
    assert_eq!(m.check_dial(t0), Err(DialRefusal::NoBoundNumber));
    let m = online(DeviceKind::Mobile, true, t0);
    assert_eq!(m.check_dial(t0), Ok(()));
    // The PC does not need a bound number for VoIP.
    let m = online(DeviceKind::Pc, false, t0);
    assert_eq!(m.check_dial(t0), Ok(()));
}

#[test]
fn r9_platform_fault_shows_fault_and_dial_pad_text() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Pc, true, t0);
    m.handle_input(SessionInput::Event(Event::PhoneFault { active: true }), t0);
    assert!(drain(&mut m).contains(&SessionOutput::PhoneState(PhoneState::Fault)));
    assert_eq!(m.check_dial(t0), Err(DialRefusal::PhoneFault));
    assert_eq!(
        DialRefusal::PhoneFault.text_zh(),
        "暂无法发起呼叫，请稍后重试"
    );
    assert_eq!(PhoneState::FAULT_DETAIL_ZH, "电话功能异常，请尝试重新登录");
    assert_eq!(PhoneState::Fault.text_zh(), Some("电话异常"));
    m.handle_input(SessionInput::Event(Event::PhoneFault { active: false }), t0);
    assert_eq!(m.check_dial(t0), Ok(()));
}

#[test]
fn r9_network_loss_becomes_a_fault_after_the_grace_and_clears_on_reconnect() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Pc, true, t0);
    m.handle_input(SessionInput::SocketDown, t0);
    // A blip is not a fault.
    assert_eq!(
        m.phone_state(t0 + Duration::from_secs(1)),
        PhoneState::Ready
    );
    // The machine asks to be woken for the first retry (0.5 s with jitter 1.0).
    let wake = m.poll_timeout().unwrap();
    assert_eq!(wake, t0 + Duration::from_millis(500));
    m.handle_timeout(wake);
    assert_eq!(drain(&mut m), vec![SessionOutput::Connect]);
    // The attempt fails: the next retry is later, the fault grace still counts from t0.
    m.handle_input(SessionInput::SocketDown, wake);
    let t3 = t0 + FAULT_GRACE;
    m.handle_timeout(t3);
    let out = drain(&mut m);
    assert!(
        out.contains(&SessionOutput::PhoneState(PhoneState::Fault)),
        "{out:?}"
    );
    assert_eq!(m.check_dial(t3), Err(DialRefusal::PhoneFault));
    m.handle_input(SessionInput::SocketUp, t3);
    assert!(drain(&mut m).contains(&SessionOutput::PhoneState(PhoneState::Ready)));
}

#[test]
fn reconnect_backoff_grows_while_the_platform_stays_away() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Pc, true, t0);
    let mut now = t0;
    let mut gaps = Vec::new();
    m.handle_input(SessionInput::SocketDown, now);
    for _ in 0..8 {
        let wake = m.poll_timeout().unwrap();
        // Skip wake-ups that only flip the fault display.
        m.handle_timeout(wake);
        if drain(&mut m).contains(&SessionOutput::Connect) {
            gaps.push(wake - now);
            now = wake;
            m.handle_input(SessionInput::SocketDown, now);
        }
    }
    assert!(gaps.windows(2).all(|w| w[1] >= w[0]), "{gaps:?}");
    assert!(gaps.iter().all(|g| *g <= Duration::from_secs(30)));
}

#[test]
fn second_hello_after_a_reconnect_asks_for_a_resync() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Pc, true, t0);
    let hello = || Event::Hello {
        status: Box::new(status(true)),
    };
    m.handle_input(SessionInput::Event(hello()), t0);
    assert!(!drain(&mut m).contains(&SessionOutput::Resync));
    m.handle_input(SessionInput::SocketDown, t0);
    m.handle_input(SessionInput::SocketUp, t0);
    let mut changed = status(true);
    changed.answer_holder = Some(DeviceKind::Mobile);
    m.handle_input(
        SessionInput::Event(Event::Hello {
            status: Box::new(changed),
        }),
        t0,
    );
    let out = drain(&mut m);
    assert!(out.contains(&SessionOutput::Resync));
    assert_eq!(m.status().unwrap().answer_holder, Some(DeviceKind::Mobile));
}

#[test]
fn r5_answer_events_update_the_status() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Pc, true, t0);
    m.handle_input(
        SessionInput::Event(Event::AnswerChanged {
            holder: Some(DeviceKind::Mobile),
        }),
        t0,
    );
    assert_eq!(m.status().unwrap().answer_holder, Some(DeviceKind::Mobile));
}

#[test]
fn session_ended_by_the_platform_logs_out() {
    let t0 = Instant::now();
    let mut m = online(DeviceKind::Mobile, true, t0);
    m.handle_input(
        SessionInput::Event(Event::SessionEnded {
            reason: SessionEndReason::ReplacedByNewLogin,
        }),
        t0,
    );
    let out = drain(&mut m);
    assert!(out.contains(&SessionOutput::SessionEnded(
        SessionEndReason::ReplacedByNewLogin
    )));
    assert!(out.contains(&SessionOutput::PhoneState(PhoneState::NotLoggedIn)));
    assert_eq!(m.check_dial(t0), Err(DialRefusal::NotLoggedIn));
    // A late socket event after that changes nothing.
    m.handle_input(SessionInput::SocketUp, t0);
    assert!(!m.is_online());
}
