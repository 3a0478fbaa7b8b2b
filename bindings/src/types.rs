//! Records and enums as the apps see them, each with its `From` conversion.

use seatline_core::answer as core_answer;
use seatline_core::session as core_session;
use seatline_proto as proto;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DeviceKind {
    Pc,
    Mobile,
}

impl From<proto::DeviceKind> for DeviceKind {
    fn from(d: proto::DeviceKind) -> Self {
        match d {
            proto::DeviceKind::Pc => DeviceKind::Pc,
            proto::DeviceKind::Mobile => DeviceKind::Mobile,
        }
    }
}

impl From<DeviceKind> for proto::DeviceKind {
    fn from(d: DeviceKind) -> Self {
        match d {
            DeviceKind::Pc => proto::DeviceKind::Pc,
            DeviceKind::Mobile => proto::DeviceKind::Mobile,
        }
    }
}

/// R2, R9: the phone panel's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PhoneState {
    NotLoggedIn,
    Fault,
    Ready,
}

impl From<core_session::PhoneState> for PhoneState {
    fn from(s: core_session::PhoneState) -> Self {
        match s {
            core_session::PhoneState::NotLoggedIn => PhoneState::NotLoggedIn,
            core_session::PhoneState::Fault => PhoneState::Fault,
            core_session::PhoneState::Ready => PhoneState::Ready,
        }
    }
}

/// R4: the device's answer state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AnswerState {
    PcBusy,
    PcIdle,
    MobileOff,
    MobileOn,
}

impl From<core_answer::AnswerState> for AnswerState {
    fn from(s: core_answer::AnswerState) -> Self {
        match s {
            core_answer::AnswerState::PcBusy => AnswerState::PcBusy,
            core_answer::AnswerState::PcIdle => AnswerState::PcIdle,
            core_answer::AnswerState::MobileOff => AnswerState::MobileOff,
            core_answer::AnswerState::MobileOn => AnswerState::MobileOn,
        }
    }
}

/// The phone panel, with its texts in zh-CN and English.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PhoneView {
    pub phone: PhoneState,
    pub answer: AnswerState,
    pub answer_on: bool,
    pub answer_pending: bool,
    pub answer_holder: Option<DeviceKind>,
    pub reception_open: bool,
    pub devices_online: Vec<DeviceKind>,
    pub text_zh: String,
    pub text_en: String,
    /// R9: what opening the fault state says (empty unless `phone` is `Fault`).
    pub fault_detail_zh: String,
    pub fault_detail_en: String,
}

impl From<seatline_core::PhoneView> for PhoneView {
    fn from(v: seatline_core::PhoneView) -> Self {
        let fault = v.phone == core_session::PhoneState::Fault;
        let detail = |s: &str| if fault { s.to_string() } else { String::new() };
        Self {
            phone: v.phone.into(),
            answer: v.answer.into(),
            answer_on: v.answer.is_on(),
            answer_pending: v.answer_pending,
            answer_holder: v.answer_holder.map(Into::into),
            reception_open: v.reception_open,
            devices_online: v.devices_online.iter().map(|d| (*d).into()).collect(),
            text_zh: v.text_zh().to_string(),
            text_en: v.text_en().to_string(),
            fault_detail_zh: detail(core_session::PhoneState::FAULT_DETAIL_ZH),
            fault_detail_en: detail(core_session::PhoneState::FAULT_DETAIL_EN),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AgentProfile {
    pub agent_id: i64,
    pub enterprise: String,
    pub enterprise_name: String,
    pub job_number: String,
    pub display_name: String,
    pub bound_number: Option<String>,
    pub has_online_service: bool,
    /// R38: this agent may delete call records.
    pub can_delete_records: bool,
}

impl From<proto::AgentStatus> for AgentProfile {
    fn from(s: proto::AgentStatus) -> Self {
        let p = s.profile;
        Self {
            agent_id: p.agent_id,
            enterprise: p.enterprise.to_string(),
            enterprise_name: p.enterprise_name,
            job_number: p.job_number.to_string(),
            display_name: p.display_name,
            bound_number: p.bound_number.map(|n| n.to_string()),
            has_online_service: p.has_online_service,
            can_delete_records: p.can_delete_records,
        }
    }
}

/// R15: the five kinds of contact method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ContactKind {
    Mobile,
    Landline,
    Email,
    Wechat,
    Qq,
}

impl From<proto::ContactKind> for ContactKind {
    fn from(k: proto::ContactKind) -> Self {
        match k {
            proto::ContactKind::Mobile => ContactKind::Mobile,
            proto::ContactKind::Landline => ContactKind::Landline,
            proto::ContactKind::Email => ContactKind::Email,
            proto::ContactKind::Wechat => ContactKind::Wechat,
            proto::ContactKind::Qq => ContactKind::Qq,
        }
    }
}

impl From<ContactKind> for proto::ContactKind {
    fn from(k: ContactKind) -> Self {
        match k {
            ContactKind::Mobile => proto::ContactKind::Mobile,
            ContactKind::Landline => proto::ContactKind::Landline,
            ContactKind::Email => proto::ContactKind::Email,
            ContactKind::Wechat => proto::ContactKind::Wechat,
            ContactKind::Qq => proto::ContactKind::Qq,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ContactMethod {
    pub kind: ContactKind,
    /// zh-CN name of the kind (手机, 座机, 邮箱, 微信, QQ).
    pub kind_zh: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Customer {
    pub id: i64,
    pub mobile: String,
    pub name: Option<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    /// `None`: in the public pool 公海.
    pub owner_agent_id: Option<i64>,
    pub contacts: Vec<ContactMethod>,
    /// Not yet on the platform (added offline).
    pub pending_sync: bool,
}

impl From<proto::Customer> for Customer {
    fn from(c: proto::Customer) -> Self {
        let text = |t: Option<proto::CardText>| t.map(String::from);
        Self {
            id: c.id,
            pending_sync: seatline_core::library::Library::is_provisional(c.id),
            mobile: c.mobile.to_string(),
            name: text(c.name),
            company: text(c.company),
            title: text(c.title),
            owner_agent_id: c.owner_agent_id,
            contacts: c
                .contacts
                .into_iter()
                .map(|m| ContactMethod {
                    kind: m.kind.into(),
                    kind_zh: m.kind.label_zh().to_string(),
                    value: m.value,
                })
                .collect(),
        }
    }
}

/// R6, R8.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Settings {
    pub auto_login: bool,
    pub notifications: bool,
    pub microphone: Option<String>,
    pub speaker: Option<String>,
    pub microphone_volume: u8,
    pub speaker_volume: u8,
    pub auto_answer: bool,
}

impl From<seatline_core::settings::Settings> for Settings {
    fn from(s: seatline_core::settings::Settings) -> Self {
        Self {
            auto_login: s.auto_login,
            notifications: s.notifications,
            microphone: s.microphone,
            speaker: s.speaker,
            microphone_volume: s.microphone_volume,
            speaker_volume: s.speaker_volume,
            auto_answer: s.auto_answer,
        }
    }
}

impl From<Settings> for seatline_core::settings::Settings {
    fn from(s: Settings) -> Self {
        Self {
            auto_login: s.auto_login,
            notifications: s.notifications,
            microphone: s.microphone,
            speaker: s.speaker,
            microphone_volume: s.microphone_volume,
            speaker_volume: s.speaker_volume,
            auto_answer: s.auto_answer,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncReport {
    pub pushed: u32,
    pub merged: u32,
    pub conflicts: u32,
    pub rejected: u32,
    pub pulled: u32,
    /// Edits still waiting for the platform.
    pub pending: u32,
    /// Why the sync stopped early (platform unreachable), if it did.
    pub interrupted: Option<String>,
}

impl From<seatline_core::library::SyncReport> for SyncReport {
    fn from(r: seatline_core::library::SyncReport) -> Self {
        Self {
            pushed: r.pushed,
            merged: r.merged,
            conflicts: r.conflicts,
            rejected: r.rejected,
            pulled: r.pulled,
            pending: r.pending,
            interrupted: r.interrupted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AudioDeviceInfo {
    pub id: String,
    pub name: String,
}

/// Why the session ended on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SessionEndReason {
    LoggedOut,
    ReplacedByNewLogin,
    AccountDisabled,
    PasswordChanged,
    Expired,
}

impl From<proto::events::SessionEndReason> for SessionEndReason {
    fn from(r: proto::events::SessionEndReason) -> Self {
        use proto::events::SessionEndReason as R;
        match r {
            R::LoggedOut => SessionEndReason::LoggedOut,
            R::ReplacedByNewLogin => SessionEndReason::ReplacedByNewLogin,
            R::AccountDisabled => SessionEndReason::AccountDisabled,
            R::PasswordChanged => SessionEndReason::PasswordChanged,
            R::Expired => SessionEndReason::Expired,
        }
    }
}

/// What the core tells the app.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ClientEvent {
    PhoneChanged {
        view: PhoneView,
    },
    /// R3, R5, R31: a switch of answering was refused.
    AnswerRefused {
        holder: Option<DeviceKind>,
        text_zh: String,
        text_en: String,
    },
    /// R10: "请插入麦克风".
    MicrophonePrompt {
        text_zh: String,
        text_en: String,
    },
    LibraryChanged,
    SessionEnded {
        reason: SessionEndReason,
    },
    Connection {
        up: bool,
    },
    /// R38: the call records changed; read them again.
    RecordsChanged,
    /// The call panel changed (phase, hold, mute, voice link, quality every second):
    /// read `Seatline.call()`.
    CallChanged,
}

impl From<seatline_core::ClientEvent> for ClientEvent {
    fn from(e: seatline_core::ClientEvent) -> Self {
        use seatline_core::ClientEvent as E;
        match e {
            E::PhoneChanged(v) => ClientEvent::PhoneChanged { view: v.into() },
            E::AnswerRefused(r) => ClientEvent::AnswerRefused {
                holder: match r {
                    core_answer::AnswerRefusal::HeldByOther(d) => Some(d.into()),
                    _ => None,
                },
                text_zh: r.text_zh(),
                text_en: r.text_en(),
            },
            E::MicrophonePrompt => ClientEvent::MicrophonePrompt {
                text_zh: core_answer::MIC_PROMPT_ZH.into(),
                text_en: core_answer::MIC_PROMPT_EN.into(),
            },
            E::LibraryChanged => ClientEvent::LibraryChanged,
            E::SessionEnded(r) => ClientEvent::SessionEnded { reason: r.into() },
            E::Connection { up } => ClientEvent::Connection { up },
            E::RecordsChanged => ClientEvent::RecordsChanged,
            E::CallChanged => ClientEvent::CallChanged,
        }
    }
}
