//! Answer machine (sans-IO): what this device shows, what it asks the platform for, and
//! what it refuses before asking.
//!
//! ```text
//!            request(on)                      granted(holder)
//!  Settled ─────────────▶ Pending{on} ──────────────────────────▶ Settled
//!     ▲                        │ refused(LeaseHeld{other})            │
//!     └────────────────────────┴─────────────────── holder_changed ◀──┘ (events)
//! ```
//! The platform's lease is the only truth (invariant 1): local checks refuse what is
//! certainly wrong (offline, no bound number, a call in progress) and everything else is
//! asked. A request from a stale view is simply refused by the platform.

use super::mic_prompt::MicPrompt;
use super::state::AnswerState;
use seatline_proto::DeviceKind;
use std::collections::VecDeque;
use std::time::Instant;

/// What the shell knows about the rest of the world when asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerContext {
    pub online: bool,
    pub has_bound_number: bool,
    pub microphone_available: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AnswerRefusal {
    /// R2: offline devices do not answer.
    #[error("not logged in")]
    NotLoggedIn,
    /// R3: mobile answering needs a bound number.
    #[error("no bound mobile number")]
    NoBoundNumber,
    /// R5: the agent's other device has answering on.
    #[error("answering is on at the {} device", .0.as_str())]
    HeldByOther(DeviceKind),
    /// R31: ringing or talking locks the answer state.
    #[error("a call is in progress")]
    Locked,
    /// A previous switch is still on its way to the platform.
    #[error("a change is already in progress")]
    InProgress,
}

impl AnswerRefusal {
    pub fn text_zh(self) -> String {
        match self {
            AnswerRefusal::NotLoggedIn => "尚未登录".into(),
            AnswerRefusal::NoBoundNumber => "未绑定手机号码，无法开启接听".into(),
            AnswerRefusal::HeldByOther(d) => {
                format!("{}端已开启接听，请先在{}端关闭", d.label_zh(), d.label_zh())
            }
            AnswerRefusal::Locked => "通话中，无法切换接听状态".into(),
            AnswerRefusal::InProgress => "正在切换，请稍候".into(),
        }
    }
    pub fn text_en(self) -> String {
        match self {
            AnswerRefusal::NotLoggedIn => "Not logged in".into(),
            AnswerRefusal::NoBoundNumber => {
                "No mobile number is bound; answering cannot be turned on".into()
            }
            AnswerRefusal::HeldByOther(DeviceKind::Pc) => {
                "Answering is on at your PC (idle); switch it to busy there first".into()
            }
            AnswerRefusal::HeldByOther(DeviceKind::Mobile) => {
                "Answering is on at your mobile; turn it off there first".into()
            }
            AnswerRefusal::Locked => "A call is in progress; the answer state cannot change".into(),
            AnswerRefusal::InProgress => "A change is in progress".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerOutput {
    /// Ask the platform to switch this device's answering (`PUT /me/answer`).
    Request { on: bool },
    /// This device's shown state changed.
    Changed(AnswerState),
    /// A switch asked for was refused.
    Refused(AnswerRefusal),
    /// R10: show "请插入麦克风".
    MicPrompt,
}

pub struct AnswerMachine {
    device: DeviceKind,
    holder: Option<DeviceKind>,
    pending: Option<bool>,
    call_active: bool,
    auto_answer: bool,
    mic: MicPrompt,
    outputs: VecDeque<AnswerOutput>,
}

impl AnswerMachine {
    pub fn new(device: DeviceKind) -> Self {
        Self {
            device,
            holder: None,
            pending: None,
            call_active: false,
            auto_answer: false,
            mic: MicPrompt::default(),
            outputs: VecDeque::new(),
        }
    }

    pub fn state(&self) -> AnswerState {
        AnswerState::of(self.device, self.holder)
    }

    pub fn holder(&self) -> Option<DeviceKind> {
        self.holder
    }

    pub fn pending(&self) -> Option<bool> {
        self.pending
    }

    /// R10: after login, check the microphone once.
    pub fn on_login(&mut self, ctx: AnswerContext, now: Instant) {
        if self.mic.check(ctx.microphone_available, now) {
            self.outputs.push_back(AnswerOutput::MicPrompt);
        }
    }

    /// Forget the lease view on logout; the defaults of R4 apply at the next login.
    pub fn on_logout(&mut self) {
        self.pending = None;
        self.call_active = false;
        self.set_holder(None);
    }

    /// The agent flips the switch (R4).
    pub fn request(&mut self, on: bool, ctx: AnswerContext) -> Result<(), AnswerRefusal> {
        let refusal = if !ctx.online {
            Some(AnswerRefusal::NotLoggedIn)
        } else if self.call_active {
            Some(AnswerRefusal::Locked)
        } else if self.pending.is_some() {
            Some(AnswerRefusal::InProgress)
        } else if on && self.device == DeviceKind::Mobile && !ctx.has_bound_number {
            Some(AnswerRefusal::NoBoundNumber)
        } else {
            None
        };
        if let Some(r) = refusal {
            self.outputs.push_back(AnswerOutput::Refused(r));
            return Err(r);
        }
        self.pending = Some(on);
        self.outputs.push_back(AnswerOutput::Request { on });
        Ok(())
    }

    /// The platform answered the request.
    pub fn on_response(
        &mut self,
        result: Result<Option<DeviceKind>, AnswerRefusal>,
        ctx: AnswerContext,
        now: Instant,
    ) {
        let asked_on = self.pending.take();
        match result {
            Ok(holder) => {
                let was_on = self.state().is_on();
                self.set_holder(holder);
                // R10: switching from off to on checks the microphone.
                if asked_on == Some(true)
                    && !was_on
                    && self.state().is_on()
                    && self.mic.check(ctx.microphone_available, now)
                {
                    self.outputs.push_back(AnswerOutput::MicPrompt);
                }
            }
            Err(refusal) => {
                if let AnswerRefusal::HeldByOther(other) = refusal {
                    self.set_holder(Some(other));
                }
                self.outputs.push_back(AnswerOutput::Refused(refusal));
            }
        }
    }

    /// The lease moved (event or status snapshot).
    pub fn on_holder_changed(&mut self, holder: Option<DeviceKind>) {
        self.set_holder(holder);
    }

    /// R31: ringing and talking lock the answer state; the call machine sets this.
    pub fn set_call_active(&mut self, active: bool) {
        self.call_active = active;
    }

    /// R6: the agent ticks or unticks auto-answer. A call already offered keeps the
    /// decision taken when it was offered (`auto_answer_for_offer`).
    pub fn set_auto_answer(&mut self, on: bool) {
        self.auto_answer = on;
    }

    pub fn auto_answer(&self) -> bool {
        self.auto_answer
    }

    /// R6: decided once per inbound call, when it is offered: auto-answer is on, this is
    /// the PC, and the PC is idle.
    pub fn auto_answer_for_offer(&self) -> bool {
        self.auto_answer && self.state() == AnswerState::PcIdle
    }

    pub fn poll_output(&mut self) -> Option<AnswerOutput> {
        self.outputs.pop_front()
    }

    fn set_holder(&mut self, holder: Option<DeviceKind>) {
        let before = self.state();
        self.holder = holder;
        let after = self.state();
        if before != after {
            self.outputs.push_back(AnswerOutput::Changed(after));
        }
    }
}

#[cfg(test)]
mod tests;
