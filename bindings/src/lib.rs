//! UniFFI bindings over `seatline-core` (STYLE item 3): newtypes, `From` conversions, one
//! public error, listener traits with cancel-on-drop handles. No logic lives here; what
//! Kotlin and Swift need to decide is decided in the core.

mod calls;
mod client;
mod dialpad;
mod error;
mod listener;
mod records;
mod runtime;
mod types;

pub use calls::{CallPhase, CallQuality, CallView, Party, VoiceLink};
pub use client::Seatline;
pub use dialpad::DialPad;
pub use error::SeatlineError;
pub use listener::{AudioDevicesProvider, EventListener, SubscriptionHandle};
pub use records::{
    CallDirection, CallMethod, CallOutcome, CallRecord, DialerError, NativeDialer, RecordPage,
};
pub use types::*;

uniffi::setup_scaffolding!();
