//! Seatline's audio media toolkit, shared by the client core (the agent's device) and the
//! platform (the WebRTC gateway and the SIP trunk's RTP legs).
//!
//! Everything here is sans-IO: no sockets, no clocks, no threads. Callers hand in packets
//! and PCM frames with their own timestamps; that keeps every piece testable on simulated
//! time and usable on Android, iOS and the server alike.
//!
//! | module | what |
//! | --- | --- |
//! | [`frame`] | [`AudioFrame`]: 20 ms of mono PCM at 8 or 48 kHz |
//! | [`codec`] | [`Encoder`]/[`Decoder`] for Opus and G.711, concealment and FEC |
//! | [`dtmf`] | RFC 4733 telephone events: [`DtmfSender`], [`DtmfReceiver`] |
//! | [`g711`] | μ-law / A-law sample coding |
//! | [`resample`] | 8 <-> 48 kHz polyphase FIR |
//! | [`gain`] | [`OutputVolume`], [`Microphone`] gain/mute/AGC, limiter |
//! | [`jitter`] | adaptive [`JitterBuffer`]: reorder, conceal, late/duplicate |
//! | [`rtp`] | RTP packets and [`RtpSender`] |
//! | [`stats`] | RFC 3550 jitter/loss, RTT, E-model MOS, [`CallStats`] |
//! | [`tone`] | sine, Goertzel, dominant frequency, levels, alignment, hold music |
//! | [`wav`] | WAV files to and from frames (any rate, mono/stereo) |
//!
//! One direction of a call, end to end:
//!
//! ```
//! use seatline_media::{Codec, Decoder, Encoder, JitterBuffer, JitterConfig, Playout};
//! use seatline_media::{RtpPacket, RtpSender, SampleRate, tone::SineGenerator};
//! use std::time::Duration;
//!
//! let codec = Codec::Pcma;
//! let mut mic = SineGenerator::new(SampleRate::Hz48000, 440.0, 0.3);
//! let mut encoder = Encoder::new(codec)?; // resamples 48 kHz to 8 kHz itself
//! let mut sender = RtpSender::new(0x5EA7, codec.default_payload_type(), codec.clock_rate(), 1, 0);
//! let mut buffer = JitterBuffer::new(JitterConfig::new(codec.clock_rate()));
//! let mut decoder = Decoder::with_output_rate(codec, SampleRate::Hz48000)?;
//!
//! for tick in 0..10u32 {
//!     let now = Duration::from_millis(20 * u64::from(tick));
//!     let wire = sender.packetize(encoder.encode(&mic.next_frame())?).to_bytes();
//!     buffer.push(&RtpPacket::parse(&wire)?, now); // the network: instant here
//!     let frame = match buffer.pop(now) {
//!         Playout::Packet { payload, .. } => decoder.decode(Some(&payload))?,
//!         Playout::Lost { next: Some(next) } => decoder.decode_fec(&next)?,
//!         Playout::Lost { next: None } => decoder.conceal()?,
//!         Playout::Empty => seatline_media::AudioFrame::silence(SampleRate::Hz48000),
//!     };
//!     assert_eq!(frame.samples.len(), 960);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

pub mod codec;
pub mod dtmf;
pub mod frame;
pub mod g711;
pub mod gain;
pub mod jitter;
pub mod resample;
pub mod rtp;
pub mod stats;
pub mod tone;
pub mod wav;

pub use codec::{Codec, CodecError, Decoder, Encoder};
pub use dtmf::{DtmfDigit, DtmfError, DtmfReceiver, DtmfSender};
pub use frame::{AudioFrame, SampleRate, FRAME_MS};
pub use gain::{AgcConfig, Microphone, OutputVolume};
pub use jitter::{JitterBuffer, JitterConfig, JitterStats, Playout, Push};
pub use resample::{ResampleError, Resampler};
pub use rtp::{RtpError, RtpPacket, RtpSender};
pub use stats::{CallStats, QualityInputs, ReceiveStats};
pub use wav::WavError;
