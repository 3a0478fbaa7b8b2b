//! Why the core refuses a call command before asking the platform, with the texts the
//! apps show.

/// A call command the machine refuses. The dial gate's own refusals (R2, R3, R9, R11)
/// are [`crate::session::DialRefusal`]; these come after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallRefusal {
    /// One call at a time: a call is already being placed or talked on.
    #[error("a call is already in progress")]
    CallInProgress,
    /// Hang-up, hold, mute or DTMF without a running call.
    #[error("no call in progress")]
    NoCall,
    /// Hold and DTMF need the customer on the line (R17).
    #[error("the call is not connected")]
    NotConnected,
    /// DTMF digits other than `0-9 * # A-D`, or more than 32.
    #[error("DTMF digits must be 0-9, *, #, A-D (at most 32)")]
    BadDigits,
    /// R12: a native call goes through the phone's dialer, not through the platform.
    #[error("this calling method is not placed through the platform")]
    MethodNotPlaced,
}

impl CallRefusal {
    pub const fn text_zh(self) -> &'static str {
        match self {
            CallRefusal::CallInProgress => "正在通话中，请先挂断当前通话",
            CallRefusal::NoCall => "当前没有通话",
            CallRefusal::NotConnected => "通话尚未接通",
            CallRefusal::BadDigits => "按键只能是 0-9、*、#",
            CallRefusal::MethodNotPlaced => "该呼叫方式不经过平台",
        }
    }
    pub const fn text_en(self) -> &'static str {
        match self {
            CallRefusal::CallInProgress => "A call is in progress; hang it up first",
            CallRefusal::NoCall => "No call in progress",
            CallRefusal::NotConnected => "The call is not connected yet",
            CallRefusal::BadDigits => "Keys can only be 0-9, * and #",
            CallRefusal::MethodNotPlaced => "This calling method does not go through the platform",
        }
    }
}

/// The digits of a DTMF request (`0-9 * # A-D`, 1 to 32 of them), upper-cased.
pub fn parse_dtmf(digits: &str) -> Result<String, CallRefusal> {
    let d: String = digits.trim().to_ascii_uppercase();
    let ok = !d.is_empty()
        && d.chars().count() <= 32
        && d.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'));
    if ok {
        Ok(d)
    } else {
        Err(CallRefusal::BadDigits)
    }
}
