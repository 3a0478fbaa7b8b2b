//! Calls placed from this device (R11-R17): the sans-IO call machine and its refusals.
//! The voice engine (`crate::voice`) carries a VoIP call's media; the shell
//! (`crate::client`) carries the machine's outputs to the platform and the engine.

mod machine;
mod refusal;

pub use machine::{
    CallInput, CallMachine, CallOutput, CallSnapshot, CallStage, EndCause, MediaEvent, MediaLink,
    ENDING_TIMEOUT, ICE_RESTART_RETRY, MEDIA_GRACE,
};
pub use refusal::{parse_dtmf, CallRefusal};
