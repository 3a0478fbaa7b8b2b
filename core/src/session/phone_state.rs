//! What the phone panel shows, and why a call may not be placed.

use seatline_proto::DeviceKind;

/// The phone state line of the console and the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneState {
    /// R2: offline; no calls either way.
    NotLoggedIn,
    /// R9: the carrier or the network broke the phone function.
    Fault,
    /// Online; the answer state (R4) says whether inbound calls are taken.
    Ready,
}

impl PhoneState {
    /// zh-CN text of the panel (R2, R9); `None` when the answer state speaks instead.
    pub const fn text_zh(self) -> Option<&'static str> {
        match self {
            PhoneState::NotLoggedIn => Some("尚未登录"),
            PhoneState::Fault => Some("电话异常"),
            PhoneState::Ready => None,
        }
    }
    pub const fn text_en(self) -> Option<&'static str> {
        match self {
            PhoneState::NotLoggedIn => Some("Not logged in"),
            PhoneState::Fault => Some("Phone fault"),
            PhoneState::Ready => None,
        }
    }
    /// R9: what opening the fault state says.
    pub const FAULT_DETAIL_ZH: &'static str = "电话功能异常，请尝试重新登录";
    pub const FAULT_DETAIL_EN: &'static str = "The phone function failed; please log in again";
}

/// Why the core refuses to place a call (R2, R3, R9, R11). Checked before any dialling
/// method (VoIP, callback, native) starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DialRefusal {
    /// R2, R11: offline.
    #[error("not logged in")]
    NotLoggedIn,
    /// R9: phone fault.
    #[error("phone function unavailable")]
    PhoneFault,
    /// R3: a mobile device without a bound number.
    #[error("no bound mobile number")]
    NoBoundNumber,
    /// R12: native calls are a mobile phone's, through its own dialer (a PC has none).
    #[error("native calls are not available on this device")]
    NativeUnavailable,
    /// R12: the phone's dialer did not place the native call.
    #[error("the phone's dialer did not place the call")]
    DialerFailed,
}

impl DialRefusal {
    pub const fn text_zh(self) -> &'static str {
        match self {
            DialRefusal::NotLoggedIn => "尚未登录",
            DialRefusal::PhoneFault => "暂无法发起呼叫，请稍后重试",
            DialRefusal::NoBoundNumber => "未绑定手机号码，无法呼叫",
            DialRefusal::NativeUnavailable => "此设备不支持本机呼叫",
            DialRefusal::DialerFailed => "本机拨号失败，请检查通话权限",
        }
    }
    pub const fn text_en(self) -> &'static str {
        match self {
            DialRefusal::NotLoggedIn => "Not logged in",
            DialRefusal::PhoneFault => "Calls cannot be placed right now; please try again later",
            DialRefusal::NoBoundNumber => {
                "No mobile number is bound to this account; calling is not possible"
            }
            DialRefusal::NativeUnavailable => "Native calls are not available on this device",
            DialRefusal::DialerFailed => {
                "The phone's dialer did not place the call; check the call permission"
            }
        }
    }
}

/// R3: on a mobile device, calling needs a bound number.
pub fn bound_number_needed(kind: DeviceKind, has_bound_number: bool) -> Result<(), DialRefusal> {
    if kind == DeviceKind::Mobile && !has_bound_number {
        Err(DialRefusal::NoBoundNumber)
    } else {
        Ok(())
    }
}
