//! The unit of audio that moves between the pieces: 20 ms of mono 16-bit PCM.

use serde::{Deserialize, Serialize};

/// Every frame in Seatline is 20 ms long: the packet time of Opus and of G.711 on trunks.
pub const FRAME_MS: u32 = 20;

/// The two sample rates the media paths use: 48 kHz (Opus, sound cards) and 8 kHz
/// (G.711 on the telephone network).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SampleRate {
    /// 8 kHz: narrowband telephony (G.711).
    Hz8000,
    /// 48 kHz: Opus and sound cards.
    Hz48000,
}

impl SampleRate {
    /// The rate in samples per second.
    pub const fn hz(self) -> u32 {
        match self {
            SampleRate::Hz8000 => 8_000,
            SampleRate::Hz48000 => 48_000,
        }
    }

    /// Samples in one 20 ms mono frame at this rate.
    pub const fn samples_per_frame(self) -> usize {
        (self.hz() * FRAME_MS / 1000) as usize
    }
}

/// 20 ms of mono PCM. `samples.len()` is always `rate.samples_per_frame()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioFrame {
    /// The sample rate.
    pub rate: SampleRate,
    /// The 20 ms of samples.
    pub samples: Vec<i16>,
}

impl AudioFrame {
    /// 20 ms of digital silence.
    pub fn silence(rate: SampleRate) -> Self {
        AudioFrame {
            rate,
            samples: vec![0; rate.samples_per_frame()],
        }
    }

    /// A frame from samples; `None` unless there are exactly one frame's worth.
    pub fn new(rate: SampleRate, samples: Vec<i16>) -> Option<Self> {
        (samples.len() == rate.samples_per_frame()).then_some(AudioFrame { rate, samples })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_sizes_are_20_ms() {
        assert_eq!(SampleRate::Hz8000.samples_per_frame(), 160);
        assert_eq!(SampleRate::Hz48000.samples_per_frame(), 960);
        assert!(AudioFrame::new(SampleRate::Hz8000, vec![0; 159]).is_none());
        assert_eq!(AudioFrame::silence(SampleRate::Hz48000).samples.len(), 960);
    }
}
