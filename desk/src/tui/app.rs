//! The console's screen state and key handling, without I/O: keys in, `Action`s out, so
//! the behaviour is testable without a terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use seatline_core::client::CallView;
use seatline_core::dialpad::{DialPad, KeyOutcome, PadKey};
use seatline_core::PhoneView;
use seatline_proto::{CallMethod, Customer, PhoneNumber};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Pad,
    Search,
}

/// The login form shown while logged out.
#[derive(Debug, Clone, Default)]
pub struct LoginForm {
    pub enterprise: String,
    pub job: String,
    pub password: String,
    pub field: usize,
}

/// "加入客户库" (R15): phone prefilled with the current number, name optional.
#[derive(Debug, Clone, Default)]
pub struct AddForm {
    pub mobile: String,
    pub name: String,
    pub field: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    Login {
        enterprise: String,
        job: String,
        password: String,
    },
    ToggleAnswer,
    ToggleReception,
    Dial(PhoneNumber, CallMethod),
    HangUp,
    /// R17: hold (`true`) or resume.
    Hold(bool),
    Mute(bool),
    Dtmf(char),
    Search(String),
    AddCustomer {
        mobile: String,
        name: String,
    },
    Sync,
    Logout,
    Quit,
}

pub struct App {
    pub focus: Focus,
    pub pad: DialPad,
    pub query: String,
    pub results: Vec<Customer>,
    pub selected: usize,
    pub login: Option<LoginForm>,
    pub add: Option<AddForm>,
    pub view: PhoneView,
    pub message: String,
    pub agent: String,
    /// The call panel, from the core on every `CallChanged`.
    pub call: Option<CallView>,
    /// R12: how Enter places a call (F4 switches): VoIP is recommended.
    pub method: CallMethod,
}

impl App {
    pub fn new(view: PhoneView) -> Self {
        Self {
            focus: Focus::Pad,
            pad: DialPad::new(),
            query: String::new(),
            results: Vec::new(),
            selected: 0,
            login: None,
            add: None,
            view,
            message: "Enter 拨号 dial · F4 语音/回拨 VoIP/callback · F2 接听 answering · F3 接待 reception · F5 同步 sync · F6 加入客户库 add · Tab 切换 focus · F10 退出 quit".into(),
            agent: String::new(),
            call: None,
            method: CallMethod::Voip,
        }
    }

    /// While a call runs: F8 hangs up, F7 holds or resumes (R17), F9 mutes, digits and
    /// `*`/`#` go to the customer as DTMF once connected.
    fn call_key(&mut self, key: KeyEvent) -> Option<Action> {
        let call = self.call.as_ref().filter(|c| c.is_active())?;
        let connected = call.connected_at_ms.is_some();
        match key.code {
            KeyCode::F(8) => Some(Action::HangUp),
            KeyCode::F(7) if connected => Some(Action::Hold(!call.held)),
            KeyCode::F(9) => Some(Action::Mute(!call.muted)),
            KeyCode::Char(c) if connected && (c.is_ascii_digit() || c == '*' || c == '#') => {
                Some(Action::Dtmf(c))
            }
            _ => None,
        }
    }

    pub fn selected_customer(&self) -> Option<&Customer> {
        self.results.get(self.selected)
    }

    pub fn on_paste(&mut self, text: &str) -> Action {
        if let Some(form) = &mut self.add {
            field_of_add(form).push_str(text.trim());
            return Action::None;
        }
        match self.focus {
            // R14: pasted text keeps its digits only, inserted at the cursor.
            Focus::Pad => {
                self.pad.paste(text);
                Action::None
            }
            Focus::Search => {
                self.query.push_str(text.trim());
                Action::Search(self.query.clone())
            }
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Action {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('q'))
            || key.code == KeyCode::F(10)
        {
            return Action::Quit;
        }
        if let Some(form) = &mut self.login {
            return login_key(form, key);
        }
        if let Some(form) = &mut self.add {
            return match add_key(form, key) {
                Some(action) => {
                    self.add = None;
                    action
                }
                None => Action::None,
            };
        }
        if let Some(action) = self.call_key(key) {
            return action;
        }
        match key.code {
            KeyCode::F(4) => {
                self.method = match self.method {
                    CallMethod::Voip => CallMethod::Callback,
                    _ => CallMethod::Voip,
                };
                self.message = match self.method {
                    CallMethod::Callback => {
                        "回拨：平台先呼叫您的手机 / Callback: the platform rings your phone first"
                            .into()
                    }
                    _ => "网络电话 (推荐) / VoIP (recommended)".into(),
                };
                return Action::None;
            }
            KeyCode::F(2) => return Action::ToggleAnswer,
            KeyCode::F(3) => return Action::ToggleReception,
            KeyCode::F(5) => return Action::Sync,
            KeyCode::F(6) => {
                // R15: the phone is prefilled with the number being dialled or talked to.
                let number = match &self.call {
                    Some(call) if call.is_active() => call.number.to_string(),
                    _ => self.pad.text().to_string(),
                };
                self.add = Some(AddForm {
                    mobile: number,
                    ..AddForm::default()
                });
                return Action::None;
            }
            KeyCode::F(9) => return Action::Logout,
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = match self.focus {
                    Focus::Pad => Focus::Search,
                    Focus::Search => Focus::Pad,
                };
                return Action::None;
            }
            _ => {}
        }
        match self.focus {
            Focus::Pad => self.pad_key(key),
            Focus::Search => self.search_key(key),
        }
    }

    fn pad_key(&mut self, key: KeyEvent) -> Action {
        let pad_key = match key.code {
            KeyCode::Char(c) => PadKey::Char(c),
            KeyCode::Backspace => PadKey::Backspace,
            KeyCode::Delete => PadKey::Delete,
            KeyCode::Left => PadKey::Left,
            KeyCode::Right => PadKey::Right,
            KeyCode::Home => PadKey::Home,
            KeyCode::End => PadKey::End,
            KeyCode::Enter => PadKey::Enter,
            KeyCode::Esc => {
                self.pad.clear();
                return Action::None;
            }
            _ => return Action::None,
        };
        match self.pad.key(pad_key) {
            KeyOutcome::Dial(number) => Action::Dial(number, self.method),
            KeyOutcome::Refused(e) => {
                self.message = format!("无法拨号 / Cannot dial: {e}");
                Action::None
            }
            KeyOutcome::Changed | KeyOutcome::Ignored => Action::None,
        }
    }

    fn search_key(&mut self, key: KeyEvent) -> Action {
        match key.code {
            KeyCode::Char(c) => {
                self.query.push(c);
                Action::Search(self.query.clone())
            }
            KeyCode::Backspace => {
                self.query.pop();
                Action::Search(self.query.clone())
            }
            KeyCode::Esc => {
                self.query.clear();
                Action::Search(String::new())
            }
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Action::None
            }
            KeyCode::Down => {
                if self.selected + 1 < self.results.len() {
                    self.selected += 1;
                }
                Action::None
            }
            // Enter on a customer puts the number on the pad, ready to dial.
            KeyCode::Enter => {
                if let Some(c) = self.selected_customer() {
                    let number = c.mobile.to_string();
                    self.pad.clear();
                    self.pad.paste(&number);
                    self.focus = Focus::Pad;
                }
                Action::None
            }
            _ => Action::None,
        }
    }
}

fn login_key(form: &mut LoginForm, key: KeyEvent) -> Action {
    let field = match form.field {
        0 => &mut form.enterprise,
        1 => &mut form.job,
        _ => &mut form.password,
    };
    match key.code {
        KeyCode::Char(c) => field.push(c),
        KeyCode::Backspace => {
            field.pop();
        }
        KeyCode::Tab | KeyCode::Down => form.field = (form.field + 1) % 3,
        KeyCode::BackTab | KeyCode::Up => form.field = (form.field + 2) % 3,
        KeyCode::Enter if form.field < 2 => form.field += 1,
        KeyCode::Enter => {
            return Action::Login {
                enterprise: form.enterprise.clone(),
                job: form.job.clone(),
                password: form.password.clone(),
            }
        }
        _ => {}
    }
    Action::None
}

fn field_of_add(form: &mut AddForm) -> &mut String {
    if form.field == 0 {
        &mut form.mobile
    } else {
        &mut form.name
    }
}

/// `Some(action)` closes the form.
fn add_key(form: &mut AddForm, key: KeyEvent) -> Option<Action> {
    match key.code {
        KeyCode::Esc => return Some(Action::None),
        KeyCode::Char(c) => field_of_add(form).push(c),
        KeyCode::Backspace => {
            field_of_add(form).pop();
        }
        KeyCode::Tab | KeyCode::Up | KeyCode::Down => form.field = 1 - form.field.min(1),
        KeyCode::Enter if form.field == 0 => form.field = 1,
        KeyCode::Enter => {
            return Some(Action::AddCustomer {
                mobile: form.mobile.clone(),
                name: form.name.clone(),
            })
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use seatline_core::answer::AnswerState;
    use seatline_core::session::PhoneState;

    fn app() -> App {
        App::new(PhoneView {
            phone: PhoneState::Ready,
            answer: AnswerState::PcBusy,
            answer_pending: false,
            reception_open: false,
            devices_online: vec![],
            answer_holder: None,
        })
    }

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn r14_typing_pasting_and_enter_dial_the_pad_number() {
        let mut a = app();
        for c in "138".chars() {
            a.on_key(key(KeyCode::Char(c)));
        }
        a.on_paste("0013-8000 ");
        assert_eq!(a.pad.text(), "13800138000");
        assert_eq!(
            a.on_key(key(KeyCode::Enter)),
            Action::Dial(PhoneNumber::parse("13800138000").unwrap(), CallMethod::Voip)
        );
    }

    #[test]
    fn r15_add_to_library_prefills_the_dialled_number() {
        let mut a = app();
        a.on_paste("13800138000");
        a.on_key(key(KeyCode::F(6)));
        a.on_key(key(KeyCode::Enter));
        for c in "王五".chars() {
            a.on_key(key(KeyCode::Char(c)));
        }
        let action = a.on_key(key(KeyCode::Enter));
        assert_eq!(
            action,
            Action::AddCustomer {
                mobile: "13800138000".into(),
                name: "王五".into()
            }
        );
        assert!(a.add.is_none());
    }

    #[test]
    fn search_focus_types_into_the_query() {
        let mut a = app();
        a.on_key(key(KeyCode::Tab));
        assert_eq!(
            a.on_key(key(KeyCode::Char('张'))),
            Action::Search("张".into())
        );
        assert_eq!(a.on_key(key(KeyCode::F(2))), Action::ToggleAnswer);
    }

    fn call(stage: seatline_core::call::CallStage, connected: bool) -> CallView {
        CallView {
            call_id: Some("c1".into()),
            method: CallMethod::Voip,
            number: PhoneNumber::parse("13900000001").unwrap(),
            phase: stage,
            started_at_ms: 1_000,
            connected_at_ms: connected.then_some(2_000),
            ended_at_ms: None,
            held: false,
            muted: false,
            voice: seatline_core::client::VoiceState::Up,
            stats: None,
            customer: None,
        }
    }

    #[test]
    fn r12_f4_switches_between_voip_and_callback_for_enter() {
        let mut app = app();
        app.on_paste("139 0000 0001");
        app.on_key(key(KeyCode::F(4)));
        assert_eq!(
            app.on_key(key(KeyCode::Enter)),
            Action::Dial(
                PhoneNumber::parse("13900000001").unwrap(),
                CallMethod::Callback
            )
        );
    }

    #[test]
    fn r17_keys_act_on_the_running_call() {
        use seatline_core::call::CallStage;
        let mut app = app();
        app.call = Some(call(CallStage::Ringing, false));
        // Before the customer answers: digits still edit nothing on the call, F7 is not hold.
        assert_eq!(app.on_key(key(KeyCode::F(7))), Action::None);
        assert_eq!(app.on_key(key(KeyCode::F(8))), Action::HangUp);
        app.call = Some(call(CallStage::Connected, true));
        assert_eq!(app.on_key(key(KeyCode::F(7))), Action::Hold(true));
        assert_eq!(app.on_key(key(KeyCode::Char('5'))), Action::Dtmf('5'));
        assert_eq!(app.on_key(key(KeyCode::Char('#'))), Action::Dtmf('#'));
        assert_eq!(app.on_key(key(KeyCode::F(9))), Action::Mute(true));
    }

    #[test]
    fn r15_add_to_library_during_a_call_prefills_the_callers_number() {
        use seatline_core::call::CallStage;
        let mut app = app();
        app.call = Some(call(CallStage::Connected, true));
        app.on_key(key(KeyCode::F(6)));
        assert_eq!(app.add.as_ref().unwrap().mobile, "13900000001");
    }
}
