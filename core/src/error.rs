//! The core's error type: detailed enough to log and to map onto the small public error
//! of the bindings (STYLE item 4), with the refusal texts the apps show.

use crate::answer::AnswerRefusal;
use crate::call::CallRefusal;
use crate::library::{LibraryError, RemoteError};
use crate::session::DialRefusal;
use seatline_proto::{ApiError, InvalidValue};

#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Bad input from the agent (a number, a job number, a name); nothing was changed.
    #[error("invalid input: {0}")]
    InvalidInput(#[from] InvalidValue),
    /// R2, R3, R9, R11: a call cannot be placed now.
    #[error("cannot dial: {0}")]
    Dial(#[from] DialRefusal),
    /// R2-R5, R31: the answer state cannot change.
    #[error("cannot switch answering: {0}")]
    Answer(#[from] AnswerRefusal),
    /// A call command refused before it reached the platform (one call at a time, no
    /// call, not connected, bad DTMF digits).
    #[error("call: {0}")]
    Call(#[from] CallRefusal),
    #[error("not logged in")]
    NotLoggedIn,
    /// The platform did not answer; the action can be tried again.
    #[error("platform unreachable: {0}")]
    Unreachable(String),
    /// The platform refused with its typed error.
    #[error("platform refused: {0}")]
    Rejected(ApiError),
    #[error("library: {0}")]
    Library(#[from] LibraryError),
    #[error("local storage: {0}")]
    Storage(String),
}

impl From<RemoteError> for CoreError {
    fn from(e: RemoteError) -> Self {
        match e {
            RemoteError::Unreachable(why) => CoreError::Unreachable(why),
            RemoteError::Rejected(api) => CoreError::Rejected(api),
        }
    }
}

impl From<crate::db::DbError> for CoreError {
    fn from(e: crate::db::DbError) -> Self {
        CoreError::Storage(e.to_string())
    }
}
