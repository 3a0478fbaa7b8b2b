//! The contract between the Seatline core (on every device) and the platform.
//!
//! Everything that crosses the wire is defined here once: request and response bodies,
//! WebSocket event frames, the typed error body, and the validated values (job numbers,
//! phone numbers, customer fields) that every edge parses outside input into. The platform
//! serves these as JSON under [`paths`]; the core's platform client consumes them.
//!
//! No I/O, no async: this crate compiles for every target the core does.

pub mod api;
pub mod calls;
pub mod error;
pub mod events;
pub mod paths;
pub mod search;
pub mod values;

pub use api::*;
pub use calls::*;
pub use error::{ApiError, ErrorCode};
pub use events::{DeviceFrame, Event, EventFrame};
pub use values::*;
