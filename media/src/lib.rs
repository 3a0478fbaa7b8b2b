//! Seatline's audio media toolkit, shared by the client core (the agent's device) and the
//! platform (the WebRTC gateway and the SIP trunk's RTP legs).
//!
//! Everything here is sans-IO: no sockets, no clocks, no threads. Callers hand in packets
//! and PCM frames with their own timestamps; that keeps every piece testable on simulated
//! time and usable on Android, iOS and the server alike.

pub mod frame;

pub use frame::{AudioFrame, SampleRate, FRAME_MS};
