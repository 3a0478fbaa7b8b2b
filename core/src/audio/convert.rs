//! Turns what a device offers (any rate, any channel count, i16 or f32) into the engine's
//! 48 kHz mono i16 and back, inside the audio callback: no allocation, fixed state.
//!
//! Resampling is linear interpolation. For speech between 44.1 and 48 kHz (the rates
//! sound cards actually offer) its error sits far below what Opus keeps; a device that
//! only runs at an unusual rate still works, with some aliasing. Equal rates bypass it,
//! so 48 kHz devices and 48 kHz WAV files pass bit-exact.

use super::config::RATE;
use super::ring::{CaptureFeed, PlaybackDrain};

pub(crate) fn i16_to_f32(s: i16) -> f32 {
    f32::from(s) / 32768.0
}

pub(crate) fn f32_to_i16(x: f32) -> i16 {
    // The inverse of `i16_to_f32`, so 16-bit audio survives a round trip bit-exact.
    // `as` saturates (+1.0 becomes 32767) and maps NaN to 0.
    (x * 32768.0).round() as i16
}

/// A streaming linear-interpolation resampler with one sample of delay.
#[derive(Debug, Clone)]
pub(crate) struct Resampler {
    /// Input samples per output sample.
    step: f64,
    /// Position of the next output sample after `prev`, in input samples.
    frac: f64,
    prev: f32,
    cur: f32,
}

impl Resampler {
    /// `None` when the rates match (no resampling needed) or one of them is zero.
    pub(crate) fn new(from_hz: u32, to_hz: u32) -> Option<Self> {
        (from_hz != to_hz && from_hz > 0 && to_hz > 0).then(|| Resampler {
            step: f64::from(from_hz) / f64::from(to_hz),
            frac: 0.0,
            prev: 0.0,
            cur: 0.0,
        })
    }

    /// Push one input sample; `emit` gets the output samples it completes (0, 1 or more).
    pub(crate) fn push(&mut self, x: f32, mut emit: impl FnMut(f32)) {
        self.prev = self.cur;
        self.cur = x;
        while self.frac < 1.0 {
            emit(self.lerp());
            self.frac += self.step;
        }
        self.frac -= 1.0;
    }

    /// One output sample, taking input samples from `next` as needed.
    pub(crate) fn pull(&mut self, mut next: impl FnMut() -> f32) -> f32 {
        while self.frac >= 1.0 {
            self.prev = self.cur;
            self.cur = next();
            self.frac -= 1.0;
        }
        let out = self.lerp();
        self.frac += self.step;
        out
    }

    fn lerp(&self) -> f32 {
        self.prev + (self.cur - self.prev) * self.frac as f32
    }
}

/// Resamples a whole mono signal to 48 kHz i16 (for WAV files, not for callbacks).
pub(crate) fn mono_to_engine_rate(mono: &[f32], rate_hz: u32) -> Vec<i16> {
    match Resampler::new(rate_hz, RATE.hz()) {
        None => mono.iter().map(|&x| f32_to_i16(x)).collect(),
        Some(mut rs) => {
            let mut out =
                Vec::with_capacity(mono.len() * RATE.hz() as usize / rate_hz.max(1) as usize + 2);
            for &x in mono {
                rs.push(x, |y| out.push(f32_to_i16(y)));
            }
            out
        }
    }
}

/// Averages interleaved frames of `channels` samples to mono.
pub(crate) fn downmix(frame: &[f32]) -> f32 {
    if frame.is_empty() {
        return 0.0;
    }
    frame.iter().sum::<f32>() / frame.len() as f32
}

/// Samples gathered before each push into the ring: one push per ~5 ms at 48 kHz, not
/// one per sample.
const SCRATCH: usize = 256;

/// Device input (interleaved, device rate) → capture ring (48 kHz mono i16).
#[cfg_attr(
    not(any(feature = "cpal", target_os = "android", target_os = "ios")),
    allow(dead_code)
)]
pub(crate) struct CaptureConverter {
    channels: usize,
    resampler: Option<Resampler>,
    scratch: [i16; SCRATCH],
    len: usize,
}

#[cfg_attr(
    not(any(feature = "cpal", target_os = "android", target_os = "ios")),
    allow(dead_code)
)]
impl CaptureConverter {
    pub(crate) fn new(device_rate_hz: u32, channels: usize) -> Self {
        Self {
            channels: channels.max(1),
            resampler: Resampler::new(device_rate_hz, RATE.hz()),
            scratch: [0; SCRATCH],
            len: 0,
        }
    }

    /// Converts one callback's interleaved input and queues it.
    pub(crate) fn process<T: Copy>(
        &mut self,
        input: &[T],
        to_f32: impl Fn(T) -> f32,
        feed: &mut CaptureFeed,
    ) {
        let Self {
            channels,
            resampler,
            scratch,
            len,
        } = self;
        let mut emit = |y: f32| {
            scratch[*len] = f32_to_i16(y);
            *len += 1;
            if *len == SCRATCH {
                feed.push(&scratch[..]);
                *len = 0;
            }
        };
        let mut frame = [0f32; 8];
        for chunk in input.chunks(*channels) {
            // Up to 8 channels are averaged; more than that (rare) uses the first 8.
            let n = chunk.len().min(frame.len());
            for (dst, &src) in frame[..n].iter_mut().zip(chunk) {
                *dst = to_f32(src);
            }
            let mono = downmix(&frame[..n]);
            match resampler {
                Some(rs) => rs.push(mono, &mut emit),
                None => emit(mono),
            }
        }
        if *len > 0 {
            feed.push(&scratch[..*len]);
            *len = 0;
        }
    }
}

/// Playback ring (48 kHz mono i16) → device output (interleaved, device rate).
#[cfg_attr(
    not(any(feature = "cpal", target_os = "android", target_os = "ios")),
    allow(dead_code)
)]
pub(crate) struct PlaybackConverter {
    channels: usize,
    resampler: Option<Resampler>,
}

#[cfg_attr(
    not(any(feature = "cpal", target_os = "android", target_os = "ios")),
    allow(dead_code)
)]
impl PlaybackConverter {
    pub(crate) fn new(device_rate_hz: u32, channels: usize) -> Self {
        Self {
            channels: channels.max(1),
            resampler: Resampler::new(RATE.hz(), device_rate_hz),
        }
    }

    /// Fills one callback's interleaved output; silence where the engine wrote too little.
    pub(crate) fn render<T: Copy>(
        &mut self,
        out: &mut [T],
        from_f32: impl Fn(f32) -> T,
        drain: &mut PlaybackDrain,
    ) {
        drain.begin_period();
        for frame in out.chunks_mut(self.channels) {
            let y = match self.resampler.as_mut() {
                Some(rs) => rs.pull(|| i16_to_f32(drain.next_sample())),
                None => i16_to_f32(drain.next_sample()),
            };
            frame.fill(from_f32(y));
        }
        drain.end_period();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_rates_bypass_the_resampler() {
        assert!(Resampler::new(48_000, 48_000).is_none());
        let pcm: Vec<f32> = (0..100).map(|i| i16_to_f32(i * 100)).collect();
        let out = mono_to_engine_rate(&pcm, 48_000);
        assert_eq!(out, (0..100).map(|i| i * 100).collect::<Vec<i16>>());
    }

    #[test]
    fn resampling_keeps_duration_and_a_tone() {
        // 1 s of 1 kHz at 44.1 kHz becomes 1 s at 48 kHz with the same frequency.
        let tone: Vec<f32> = (0..44_100)
            .map(|i| 0.5 * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 44_100.0).sin())
            .collect();
        let out = mono_to_engine_rate(&tone, 44_100);
        assert!((out.len() as i64 - 48_000).abs() <= 2, "{}", out.len());
        // Zero crossings upward: 1000 per second.
        let ups = out.windows(2).filter(|w| w[0] < 0 && w[1] >= 0).count();
        assert!((999..=1001).contains(&ups), "{ups}");
        let peak = out.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!((15_500..=16_500).contains(&peak), "{peak}");
    }

    #[test]
    fn pull_resampler_produces_the_ratio() {
        let mut rs = Resampler::new(48_000, 44_100).expect("different rates");
        let mut taken = 0;
        for _ in 0..44_100 {
            rs.pull(|| {
                taken += 1;
                0.0
            });
        }
        assert!((47_998..=48_001).contains(&taken), "{taken}");
    }

    #[test]
    fn sample_conversion_saturates() {
        assert_eq!(f32_to_i16(2.0), i16::MAX);
        assert_eq!(f32_to_i16(-2.0), i16::MIN);
        assert_eq!(f32_to_i16(f32::NAN), 0);
        assert_eq!(f32_to_i16(i16_to_f32(-1234)), -1234);
        assert_eq!(downmix(&[0.5, -0.5]), 0.0);
    }
}
