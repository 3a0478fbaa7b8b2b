//! The one public error (STYLE item 4): variants an app can act on, with the texts to show.
//! `From<CoreError>` is the single conversion point, and it logs.

use crate::types::DeviceKind;
use seatline_core::answer::AnswerRefusal;
use seatline_core::library::LibraryError;
use seatline_core::CoreError;
use seatline_proto::ErrorCode;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SeatlineError {
    /// Bad input; nothing changed. `detail` names the field.
    #[error("invalid input: {detail}")]
    InvalidInput { detail: String },
    /// R1: unknown job number, wrong password, disabled account, or too many attempts.
    #[error("login failed: {text_en}")]
    LoginFailed {
        reason: LoginFailure,
        retry_after_s: Option<u64>,
        text_zh: String,
        text_en: String,
    },
    /// R2: not logged in (or the session ended).
    #[error("not logged in")]
    NotLoggedIn,
    /// R2, R3, R9, R11: no call can be placed now.
    #[error("cannot dial: {text_en}")]
    DialRefused { text_zh: String, text_en: String },
    /// R3, R5, R31: answering cannot be switched.
    #[error("cannot switch answering: {text_en}")]
    AnswerRefused {
        holder: Option<DeviceKind>,
        text_zh: String,
        text_en: String,
    },
    /// R15: the mobile number is already in the library.
    #[error("customer exists: {existing_id}")]
    DuplicateCustomer { existing_id: i64 },
    #[error("not found")]
    NotFound,
    /// R7: the enterprise lacks the package this needs.
    #[error("package missing: {package}")]
    PackageMissing { package: String },
    /// The platform cannot be reached; try again.
    #[error("offline: {detail}")]
    Offline { detail: String },
    /// Anything else the platform refused, or a local failure.
    #[error("{detail}")]
    Other { detail: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum LoginFailure {
    UnknownJobNumber,
    WrongPassword,
    AccountDisabled,
    TooManyAttempts,
}

impl From<CoreError> for SeatlineError {
    fn from(e: CoreError) -> Self {
        tracing::debug!(error = %e, "core error crossing the FFI");
        match e {
            CoreError::InvalidInput(v) => SeatlineError::InvalidInput {
                detail: v.to_string(),
            },
            CoreError::Dial(r) => SeatlineError::DialRefused {
                text_zh: r.text_zh().into(),
                text_en: r.text_en().into(),
            },
            CoreError::Answer(r) => answer(r),
            CoreError::NotLoggedIn => SeatlineError::NotLoggedIn,
            CoreError::Unreachable(message) => SeatlineError::Offline { detail: message },
            CoreError::Rejected(api) => {
                let login = |reason, retry_after_s, zh: &str| SeatlineError::LoginFailed {
                    reason,
                    retry_after_s,
                    text_zh: zh.into(),
                    text_en: api.message.clone(),
                };
                match &api.code {
                    ErrorCode::UnknownJobNumber => {
                        login(LoginFailure::UnknownJobNumber, None, "工号不存在")
                    }
                    ErrorCode::WrongPassword => {
                        login(LoginFailure::WrongPassword, None, "密码错误")
                    }
                    ErrorCode::AccountDisabled => {
                        login(LoginFailure::AccountDisabled, None, "账号已停用")
                    }
                    ErrorCode::TooManyAttempts { retry_after_s } => login(
                        LoginFailure::TooManyAttempts,
                        Some(*retry_after_s),
                        "尝试次数过多，请稍后再试",
                    ),
                    ErrorCode::Unauthorized => SeatlineError::NotLoggedIn,
                    ErrorCode::LeaseHeld { holder } => answer(AnswerRefusal::HeldByOther(*holder)),
                    ErrorCode::NoBoundNumber => answer(AnswerRefusal::NoBoundNumber),
                    ErrorCode::AnswerLocked => answer(AnswerRefusal::Locked),
                    ErrorCode::DuplicateCustomer { existing_id } => {
                        SeatlineError::DuplicateCustomer {
                            existing_id: *existing_id,
                        }
                    }
                    ErrorCode::NotFound => SeatlineError::NotFound,
                    ErrorCode::PackageMissing { package } => SeatlineError::PackageMissing {
                        package: package.clone(),
                    },
                    _ => SeatlineError::Other {
                        detail: api.message.clone(),
                    },
                }
            }
            CoreError::Library(LibraryError::NotFound) => SeatlineError::NotFound,
            CoreError::Library(LibraryError::Duplicate { existing_id }) => {
                SeatlineError::DuplicateCustomer { existing_id }
            }
            CoreError::Library(LibraryError::InvalidInput(v)) => SeatlineError::InvalidInput {
                detail: v.to_string(),
            },
            other => SeatlineError::Other {
                detail: other.to_string(),
            },
        }
    }
}

impl From<LibraryError> for SeatlineError {
    fn from(e: LibraryError) -> Self {
        CoreError::from(e).into()
    }
}

impl From<seatline_proto::InvalidValue> for SeatlineError {
    fn from(v: seatline_proto::InvalidValue) -> Self {
        SeatlineError::InvalidInput {
            detail: v.to_string(),
        }
    }
}

fn answer(r: AnswerRefusal) -> SeatlineError {
    SeatlineError::AnswerRefused {
        holder: match r {
            AnswerRefusal::HeldByOther(d) => Some(d.into()),
            _ => None,
        },
        text_zh: r.text_zh(),
        text_en: r.text_en(),
    }
}
