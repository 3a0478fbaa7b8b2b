//! Answer machine on simulated time.
#![allow(clippy::unwrap_used)]

use super::*;
use crate::answer::{MIC_PROMPT_WINDOW, MIC_PROMPT_ZH};
use std::time::Duration;

const CTX: AnswerContext = AnswerContext {
    online: true,
    has_bound_number: true,
    microphone_available: true,
};
const NO_MIC: AnswerContext = AnswerContext {
    online: true,
    has_bound_number: true,
    microphone_available: false,
};

fn drain(m: &mut AnswerMachine) -> Vec<AnswerOutput> {
    std::iter::from_fn(|| m.poll_output()).collect()
}

#[test]
fn r4_defaults_after_login_are_busy_and_answer_off() {
    let pc = AnswerMachine::new(DeviceKind::Pc);
    assert_eq!(pc.state(), AnswerState::PcBusy);
    assert_eq!(pc.state().text_zh(), "忙碌");
    let mobile = AnswerMachine::new(DeviceKind::Mobile);
    assert_eq!(mobile.state(), AnswerState::MobileOff);
    assert_eq!(mobile.state().text_zh(), "关闭接听");
}

#[test]
fn r4_switching_by_hand_asks_the_platform_and_shows_its_answer() {
    let t0 = Instant::now();
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.request(true, CTX).unwrap();
    assert_eq!(drain(&mut pc), vec![AnswerOutput::Request { on: true }]);
    // Nothing is shown until the platform grants it.
    assert_eq!(pc.state(), AnswerState::PcBusy);
    pc.on_response(Ok(Some(DeviceKind::Pc)), CTX, t0);
    assert_eq!(
        drain(&mut pc),
        vec![AnswerOutput::Changed(AnswerState::PcIdle)]
    );
    assert_eq!(pc.state().text_zh(), "空闲");
    pc.request(false, CTX).unwrap();
    pc.on_response(Ok(None), CTX, t0);
    assert_eq!(pc.state(), AnswerState::PcBusy);
}

#[test]
fn r5_refusal_names_the_other_device_and_shows_its_hold() {
    let t0 = Instant::now();
    let mut mobile = AnswerMachine::new(DeviceKind::Mobile);
    mobile.request(true, CTX).unwrap();
    drain(&mut mobile);
    mobile.on_response(Err(AnswerRefusal::HeldByOther(DeviceKind::Pc)), CTX, t0);
    let out = drain(&mut mobile);
    assert_eq!(
        out,
        vec![AnswerOutput::Refused(AnswerRefusal::HeldByOther(
            DeviceKind::Pc
        ))]
    );
    assert_eq!(mobile.state(), AnswerState::MobileOff);
    assert_eq!(mobile.holder(), Some(DeviceKind::Pc));
    assert!(AnswerRefusal::HeldByOther(DeviceKind::Pc)
        .text_zh()
        .contains("电脑"));
    assert!(AnswerRefusal::HeldByOther(DeviceKind::Mobile)
        .text_zh()
        .contains("手机"));
}

#[test]
fn r5_lease_events_move_the_state() {
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.on_holder_changed(Some(DeviceKind::Pc));
    assert_eq!(pc.state(), AnswerState::PcIdle);
    pc.on_holder_changed(Some(DeviceKind::Mobile));
    assert_eq!(pc.state(), AnswerState::PcBusy);
    assert_eq!(
        drain(&mut pc),
        vec![
            AnswerOutput::Changed(AnswerState::PcIdle),
            AnswerOutput::Changed(AnswerState::PcBusy)
        ]
    );
}

#[test]
fn r3_mobile_without_bound_number_cannot_turn_answering_on() {
    let mut mobile = AnswerMachine::new(DeviceKind::Mobile);
    let ctx = AnswerContext {
        has_bound_number: false,
        ..CTX
    };
    assert_eq!(mobile.request(true, ctx), Err(AnswerRefusal::NoBoundNumber));
    assert_eq!(
        drain(&mut mobile),
        vec![AnswerOutput::Refused(AnswerRefusal::NoBoundNumber)]
    );
    // Turning it off is always allowed.
    assert_eq!(mobile.request(false, ctx), Ok(()));
}

#[test]
fn r2_offline_devices_cannot_switch() {
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    let ctx = AnswerContext {
        online: false,
        ..CTX
    };
    assert_eq!(pc.request(true, ctx), Err(AnswerRefusal::NotLoggedIn));
}

#[test]
fn r31_a_call_in_progress_locks_the_answer_state() {
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.on_holder_changed(Some(DeviceKind::Pc));
    pc.set_call_active(true);
    assert_eq!(pc.request(false, CTX), Err(AnswerRefusal::Locked));
    pc.set_call_active(false);
    assert_eq!(pc.request(false, CTX), Ok(()));
}

#[test]
fn one_switch_at_a_time() {
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.request(true, CTX).unwrap();
    assert_eq!(pc.request(false, CTX), Err(AnswerRefusal::InProgress));
}

#[test]
fn r6_auto_answer_only_in_idle_and_decided_per_offer() {
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    assert!(!pc.auto_answer(), "R6: manual by default");
    pc.set_auto_answer(true);
    // Busy: auto-answer does not apply.
    assert!(!pc.auto_answer_for_offer());
    pc.on_holder_changed(Some(DeviceKind::Pc));
    let offered_call_auto = pc.auto_answer_for_offer();
    assert!(offered_call_auto);
    // Unticking during that call leaves the decision already taken for it; the next
    // offer sees the new setting.
    pc.set_auto_answer(false);
    assert!(offered_call_auto);
    assert!(!pc.auto_answer_for_offer());
    // The mobile never auto-answers.
    let mut mobile = AnswerMachine::new(DeviceKind::Mobile);
    mobile.set_auto_answer(true);
    mobile.on_holder_changed(Some(DeviceKind::Mobile));
    assert!(!mobile.auto_answer_for_offer());
}

#[test]
fn r10_microphone_prompt_on_login_and_on_switching_on_but_not_twice_in_a_row() {
    let t0 = Instant::now();
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.on_login(NO_MIC, t0);
    assert_eq!(drain(&mut pc), vec![AnswerOutput::MicPrompt]);
    assert_eq!(MIC_PROMPT_ZH, "请插入麦克风");
    // Switched on right after login: within the window, no second prompt.
    let t1 = t0 + Duration::from_secs(5);
    pc.request(true, NO_MIC).unwrap();
    pc.on_response(Ok(Some(DeviceKind::Pc)), NO_MIC, t1);
    assert!(!drain(&mut pc).contains(&AnswerOutput::MicPrompt));
    // Off and on again after the window: prompted again.
    pc.request(false, NO_MIC).unwrap();
    pc.on_response(Ok(None), NO_MIC, t1);
    let t2 = t1 + MIC_PROMPT_WINDOW;
    pc.request(true, NO_MIC).unwrap();
    pc.on_response(Ok(Some(DeviceKind::Pc)), NO_MIC, t2);
    assert!(drain(&mut pc).contains(&AnswerOutput::MicPrompt));
    // With a microphone there is never a prompt.
    let mut other = AnswerMachine::new(DeviceKind::Pc);
    other.on_login(CTX, t0);
    assert!(drain(&mut other).is_empty());
}

#[test]
fn r10_switching_off_does_not_prompt() {
    let t0 = Instant::now();
    let mut pc = AnswerMachine::new(DeviceKind::Pc);
    pc.on_holder_changed(Some(DeviceKind::Pc));
    drain(&mut pc);
    pc.request(false, NO_MIC).unwrap();
    pc.on_response(Ok(None), NO_MIC, t0);
    assert!(!drain(&mut pc).contains(&AnswerOutput::MicPrompt));
}
