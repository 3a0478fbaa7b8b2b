//! Tones and signal checks: a sine generator, Goertzel power at one frequency, a
//! dominant-frequency estimate, RMS level in dBFS. Tests across the crate (and the call
//! tests above it) use these to check that audio came through with the right pitch and
//! level, without a full FFT.

use crate::frame::{AudioFrame, SampleRate};
use std::f64::consts::PI;

/// A phase-continuous sine generator: consecutive frames join without clicks.
#[derive(Debug, Clone)]
pub struct SineGenerator {
    rate: SampleRate,
    frequency_hz: f64,
    amplitude: f64,
    phase: f64,
}

impl SineGenerator {
    /// A sine at `frequency_hz` with peak `amplitude` in 0.0..=1.0 of full scale.
    pub fn new(rate: SampleRate, frequency_hz: f64, amplitude: f64) -> Self {
        SineGenerator {
            rate,
            frequency_hz,
            amplitude: amplitude.clamp(0.0, 1.0),
            phase: 0.0,
        }
    }

    /// The next `count` samples.
    pub fn samples(&mut self, count: usize) -> Vec<i16> {
        let step = 2.0 * PI * self.frequency_hz / f64::from(self.rate.hz());
        (0..count)
            .map(|_| {
                let value = self.phase.sin() * self.amplitude * f64::from(i16::MAX);
                self.phase = (self.phase + step) % (2.0 * PI);
                value.round() as i16
            })
            .collect()
    }

    /// The next 20 ms frame.
    pub fn next_frame(&mut self) -> AudioFrame {
        AudioFrame {
            rate: self.rate,
            samples: self.samples(self.rate.samples_per_frame()),
        }
    }
}

/// Power of `samples` at `frequency_hz` (Goertzel), normalized so that a full-scale sine
/// at exactly that frequency gives about 0.25 whatever the length (amplitude^2 / 4).
pub fn goertzel_power(samples: &[i16], rate: SampleRate, frequency_hz: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let coeff = 2.0 * (2.0 * PI * frequency_hz / f64::from(rate.hz())).cos();
    let (mut s1, mut s2) = (0.0_f64, 0.0_f64);
    for &sample in samples {
        let s0 = f64::from(sample) / 32768.0 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
    let n = samples.len() as f64;
    power / (n * n)
}

/// The strongest frequency in `samples` between `min_hz` and `max_hz`, searched in
/// `step_hz` steps with Goertzel, then refined to 1 Hz around the best step.
pub fn dominant_frequency(
    samples: &[i16],
    rate: SampleRate,
    min_hz: f64,
    max_hz: f64,
    step_hz: f64,
) -> f64 {
    let best_in = |lo: f64, hi: f64, step: f64| {
        let mut best = (lo, f64::MIN);
        let mut f = lo;
        while f <= hi {
            let p = goertzel_power(samples, rate, f);
            if p > best.1 {
                best = (f, p);
            }
            f += step;
        }
        best.0
    };
    let coarse = best_in(min_hz, max_hz, step_hz.max(1.0));
    best_in(
        (coarse - step_hz).max(min_hz),
        (coarse + step_hz).min(max_hz),
        1.0,
    )
}

/// Root mean square of `samples`, 0.0..=1.0 of full scale.
pub fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples
        .iter()
        .map(|&s| {
            let x = f64::from(s) / 32768.0;
            x * x
        })
        .sum();
    (sum / samples.len() as f64).sqrt()
}

/// RMS level in dB relative to full scale (a full-scale sine is about -3 dBFS); silence is
/// clamped to -120 dBFS rather than minus infinity so that callers can compare and print it.
pub fn level_dbfs(samples: &[i16]) -> f64 {
    let r = rms(samples);
    if r <= 1e-6 {
        -120.0
    } else {
        20.0 * r.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goertzel_finds_the_tone_and_not_another() {
        let mut g = SineGenerator::new(SampleRate::Hz8000, 1000.0, 1.0);
        let s = g.samples(800);
        let at = goertzel_power(&s, SampleRate::Hz8000, 1000.0);
        let off = goertzel_power(&s, SampleRate::Hz8000, 2000.0);
        assert!((at - 0.25).abs() < 0.01, "{at}");
        assert!(off < 1e-4, "{off}");
        let f = dominant_frequency(&s, SampleRate::Hz8000, 100.0, 3900.0, 50.0);
        assert!((f - 1000.0).abs() <= 2.0, "{f}");
    }

    #[test]
    fn levels_of_full_scale_sine_and_silence() {
        let mut g = SineGenerator::new(SampleRate::Hz48000, 440.0, 1.0);
        let s = g.samples(4800);
        assert!((level_dbfs(&s) + 3.01).abs() < 0.1);
        assert_eq!(level_dbfs(&[0; 10]), -120.0);
        assert_eq!(rms(&[]), 0.0);
    }
}
