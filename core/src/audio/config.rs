//! What the engine asks for when it opens the sound hardware.

use seatline_media::SampleRate;

use crate::settings::Settings;

/// The engine's format: 48 kHz, mono, 16-bit, 20 ms frames. Backends convert whatever
/// the device offers to and from this.
pub const RATE: SampleRate = SampleRate::Hz48000;
/// Samples in one 20 ms frame at [`RATE`].
pub const FRAME_SAMPLES: usize = RATE.samples_per_frame();

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamConfig {
    /// R8: the chosen microphone's id; `None` is the system default.
    pub microphone: Option<String>,
    /// R8: the chosen speaker's id; `None` is the system default.
    pub speaker: Option<String>,
    /// Open the capture side (false for a speaker test).
    pub capture: bool,
    /// Open the playback side (false for a microphone test).
    pub playback: bool,
    /// Capacity of each ring, in 20 ms frames. Only reached when the engine stops reading
    /// or writing altogether; see `max_backlog_frames` for the latency bound.
    pub ring_frames: usize,
    /// How many frames may wait in a ring before the oldest are dropped. This bounds the
    /// latency a slow engine or a fast device clock can build up (counted as overruns).
    pub max_backlog_frames: usize,
}

impl Default for StreamConfig {
    fn default() -> Self {
        Self {
            microphone: None,
            speaker: None,
            capture: true,
            playback: true,
            // 200 ms: room for the OS to deliver large bursts (some Android devices call
            // back with 40 ms or more at once).
            ring_frames: 10,
            // 60 ms of queued audio is already more than a call can afford.
            max_backlog_frames: 3,
        }
    }
}

impl StreamConfig {
    /// The devices the agent chose in the settings (R8).
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            microphone: settings.microphone.clone(),
            speaker: settings.speaker.clone(),
            ..Self::default()
        }
    }

    pub(crate) fn ring_samples(&self) -> usize {
        // At least two frames beyond the backlog bound, so trimming, not the full ring,
        // is what normally limits latency.
        self.ring_frames.max(self.max_backlog_frames + 2) * FRAME_SAMPLES
    }

    pub(crate) fn max_backlog_samples(&self) -> usize {
        self.max_backlog_frames.max(1) * FRAME_SAMPLES
    }
}
