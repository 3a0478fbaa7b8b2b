//! The trait the engine talks to and the pair of streams it gets back.

use std::sync::Arc;

use super::config::StreamConfig;
use super::error::AudioError;
use super::ring::{AudioStats, CaptureStream, DeviceState, PlaybackStream, Shared};

/// A source of sound hardware: the PC's sound cards (cpal), AAudio, CoreAudio, or WAV
/// files for tests and the demo. Listing devices for R8 is the separate
/// [`crate::settings::AudioDevices`] trait, which the device backends also implement.
pub trait AudioBackend: Send + Sync {
    /// Opens the microphone and the speaker in the engine's format (48 kHz mono i16,
    /// 20 ms frames). Fails with [`AudioError::NoMicrophone`] when there is none to open.
    fn open(&self, cfg: &StreamConfig) -> Result<AudioStreams, AudioError>;
    /// A short name for logs ("wav", "cpal/ALSA", "aaudio", "coreaudio").
    fn name(&self) -> &str;
}

/// Who decides when a 20 ms period happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// A device clock runs the periods on its own thread; the engine polls the capture
    /// side (every 5-10 ms, or on its own 20 ms timer) and keeps the playback side fed.
    Realtime,
    /// Nothing happens until the engine calls [`AudioStreams::step`]: one call is one
    /// device period. Deterministic, for tests.
    Pull,
}

/// A backend's own device in pull mode: one call runs one 20 ms period.
pub(crate) trait PullDevice: Send {
    fn period(&mut self) -> Result<(), AudioError>;
    /// Stops and flushes (e.g. finishes the WAV file).
    fn close(self: Box<Self>) -> Result<(), AudioError>;
}

/// What keeps a realtime device running; dropping or closing it stops the device.
pub(crate) trait DeviceGuard: Send {
    fn close(self: Box<Self>) -> Result<(), AudioError>;
}

pub(crate) enum Device {
    Pull(Box<dyn PullDevice>),
    Realtime(Box<dyn DeviceGuard>),
}

/// An open microphone and speaker. The engine reads from `capture` and writes to
/// `playback`; both sides are non-blocking. Dropping it stops the device; [`close`]
/// does the same and reports errors (e.g. a WAV file that could not be finished).
///
/// [`close`]: AudioStreams::close
pub struct AudioStreams {
    pub capture: CaptureStream,
    pub playback: PlaybackStream,
    shared: Arc<Shared>,
    device: Option<Device>,
}

impl AudioStreams {
    pub(crate) fn new(
        capture: CaptureStream,
        playback: PlaybackStream,
        shared: Arc<Shared>,
        device: Device,
    ) -> Self {
        Self {
            capture,
            playback,
            shared,
            device: Some(device),
        }
    }

    pub fn pacing(&self) -> Pacing {
        match self.device {
            Some(Device::Pull(_)) => Pacing::Pull,
            _ => Pacing::Realtime,
        }
    }

    /// Pull mode: runs one 20 ms device period now (one frame captured, one frame
    /// played). Realtime streams refuse with `Unsupported`.
    pub fn step(&mut self) -> Result<(), AudioError> {
        match self.device.as_mut() {
            Some(Device::Pull(dev)) => dev.period(),
            _ => Err(AudioError::Unsupported(
                "step() is for pull-paced streams; a device clock paces this one".into(),
            )),
        }
    }

    pub fn stats(&self) -> AudioStats {
        self.shared.stats()
    }

    pub fn device_state(&self) -> DeviceState {
        self.shared.state()
    }

    /// `Err(DeviceLost)` once the device is gone for good; the engine then ends the
    /// audio path or opens another device.
    pub fn check(&self) -> Result<(), AudioError> {
        match self.shared.state() {
            DeviceState::Lost => Err(AudioError::DeviceLost),
            _ => Ok(()),
        }
    }

    /// Stops the device and reports what went wrong finishing it.
    pub fn close(mut self) -> Result<(), AudioError> {
        match self.device.take() {
            Some(Device::Pull(dev)) => dev.close(),
            Some(Device::Realtime(guard)) => guard.close(),
            None => Ok(()),
        }
    }
}

impl Drop for AudioStreams {
    fn drop(&mut self) {
        let result = match self.device.take() {
            Some(Device::Pull(dev)) => dev.close(),
            Some(Device::Realtime(guard)) => guard.close(),
            None => Ok(()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "closing the audio device failed");
        }
    }
}
