//! The core's sound hardware layer: the microphone and speaker of the PC, the Android
//! phone or the iPhone, as 48 kHz mono 20 ms [`AudioFrame`](seatline_media::AudioFrame)s
//! for the voice engine (ADR 0009).
//!
//! The engine opens an [`AudioBackend`] with a [`StreamConfig`] (the devices chosen in
//! the settings, R8) and gets [`AudioStreams`]: a capture side to read frames from and a
//! playback side to write frames to. Between them and the OS audio callback sit
//! lock-free single-producer single-consumer rings (module `ring`), so the realtime thread
//! never blocks or allocates; underruns play silence and overruns drop the oldest audio,
//! both counted in [`AudioStats`].
//!
//! Backends: [`WavBackend`] (files; pull-paced for deterministic tests, or realtime for
//! the demo), `CpalBackend` (PC, cargo feature `cpal`), AAudio on Android and the
//! VoiceProcessingIO unit on iOS (platform echo cancellation on both phones).

// AAudio callbacks get raw buffers and user-data pointers: unsafe is allowed in this
// module alone, with a SAFETY comment on each block.
#[cfg(target_os = "android")]
#[allow(unsafe_code)]
mod android;
mod check;
mod config;
mod convert;
#[cfg(feature = "cpal")]
mod cpal_backend;
mod error;
#[cfg(target_os = "ios")]
mod ios;
mod ring;
mod streams;
mod wav;

#[cfg(target_os = "android")]
pub use android::AaudioBackend;
pub use check::{mic_test, test_sound, LevelMeter, MicLevel, Tone};
pub use config::{StreamConfig, FRAME_SAMPLES, RATE};
#[cfg(feature = "cpal")]
pub use cpal_backend::CpalBackend;
pub use error::AudioError;
#[cfg(target_os = "ios")]
pub use ios::CoreAudioBackend;
pub use ring::{AudioStats, CaptureStream, DeviceState, PlaybackStream};
pub use streams::{AudioBackend, AudioStreams, Pacing};
pub use wav::{read_recording, Repeat, WavBackend, WavInput};

#[cfg(test)]
mod tests;
