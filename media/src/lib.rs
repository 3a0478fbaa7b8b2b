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
