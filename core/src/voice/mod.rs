//! The VoIP engine: one tokio task per call that owns the call's media (DESIGN "Wires":
//! WebRTC between the core and the platform's gateway, Opus with PCMU as fallback).
//!
//! ```text
//!  microphone ─▶ capture ring ─▶ mic gain · AGC · mute ─▶ encode (Opus FEC | PCMU) ─▶ AudioLeg ─▶ UDP
//!  speaker ◀── playback ring ◀── output volume ◀── decode / PLC / FEC ◀── jitter buffer ◀── AudioLeg ◀─┘
//! ```
//!
//! The engine offers (the gateway answers over the event socket), reports the leg's state
//! to the call machine, restarts ICE when asked (a new offer, on a new socket if the
//! device's address changed), and computes the call's statistics every second (jitter,
//! loss, RTT, E-model MOS), feeding the loss it sees back to the Opus encoder so FEC
//! grows with it. It decides nothing about the call: the machine does.

mod engine;
mod levels;
mod path;
mod sdp;

pub use engine::{local_ip_towards, spawn, AnswerFilter, VoiceConfig, VoiceEvent, VoiceHandle};
pub use levels::{Levels, MAX_LEVEL};
pub use path::AudioPath;
pub use sdp::answered_codec;

#[cfg(test)]
mod tests;
