//! The four answer states of R4 and their texts.

use seatline_proto::DeviceKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnswerState {
    /// PC 忙碌: the default after login; outbound only.
    PcBusy,
    /// PC 空闲: inbound and outbound; counts as answering on (R5).
    PcIdle,
    /// Mobile 关闭接听: the default.
    MobileOff,
    /// Mobile 开启接听.
    MobileOn,
}

impl AnswerState {
    /// The state of `device` given who holds the lease.
    pub fn of(device: DeviceKind, holder: Option<DeviceKind>) -> Self {
        let on = holder == Some(device);
        match (device, on) {
            (DeviceKind::Pc, false) => AnswerState::PcBusy,
            (DeviceKind::Pc, true) => AnswerState::PcIdle,
            (DeviceKind::Mobile, false) => AnswerState::MobileOff,
            (DeviceKind::Mobile, true) => AnswerState::MobileOn,
        }
    }

    pub fn is_on(self) -> bool {
        matches!(self, AnswerState::PcIdle | AnswerState::MobileOn)
    }

    pub const fn text_zh(self) -> &'static str {
        match self {
            AnswerState::PcBusy => "忙碌",
            AnswerState::PcIdle => "空闲",
            AnswerState::MobileOff => "关闭接听",
            AnswerState::MobileOn => "开启接听",
        }
    }

    pub const fn text_en(self) -> &'static str {
        match self {
            AnswerState::PcBusy => "Busy",
            AnswerState::PcIdle => "Idle",
            AnswerState::MobileOff => "Answering off",
            AnswerState::MobileOn => "Answering on",
        }
    }
}
