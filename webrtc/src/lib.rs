//! One audio leg over WebRTC: ICE, DTLS-SRTP, Opus (in-band FEC) or PCMU, and telephone-event.
//!
//! Built on webrtc-rs's sans-IO `rtc` core with ring crypto (ADR 0007). [`AudioLeg`] is a state
//! machine: the caller feeds datagrams and timeouts with the time as an argument and polls
//! datagrams to send, the next timeout and events. It never touches a socket or a clock, so the
//! client core (offerer) and the platform's gateway (answerer) drive it the same way, and tests
//! can drive it on any clock. The optional `tokio` feature adds [`driver`], the one async loop
//! both sides use.
//!
//! This crate only moves RTP payloads: encoding and decoding are `seatline-media`'s job.

mod codec;
mod error;
mod event;
mod leg;
mod sdp;

#[cfg(feature = "tokio")]
pub mod driver;

pub use codec::AudioCodec;
pub use error::LegError;
pub use event::{LegEvent, LegStats, RtpPayload, Transmit};
pub use leg::{AudioLeg, LegConfig};
