//! The agent session: logged out or online (R2), the event socket's health, and the phone
//! fault it implies (R9). `machine` is pure; the tokio shell in `crate::client` feeds it.

mod machine;
mod phone_state;

pub use machine::{SessionInput, SessionMachine, SessionOutput, FAULT_GRACE};
pub use phone_state::{DialRefusal, PhoneState};
