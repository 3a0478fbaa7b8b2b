//! Tones and signal checks: a sine generator, Goertzel power at one frequency, a
//! dominant-frequency estimate, RMS level in dBFS, normalized cross-correlation with a
//! lag search (to find a known phrase in a recording and measure its delay), and the
//! hold music (R17: the customer hears music until the agent resumes).
//!
//! The checks let tests across the crate and the call tests above it verify pitch, level
//! and delay of audio that went through codecs and networks, without a full FFT.

use crate::frame::{AudioFrame, SampleRate};
use std::f64::consts::PI;
use std::time::Duration;

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

/// Where a reference phrase best lines up in a recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Samples from the start of the recording to the start of the phrase.
    pub lag: usize,
    /// Normalized cross-correlation at that lag, -1.0..=1.0 (1.0: identical shape,
    /// whatever the level). Codecs and resampling typically leave 0.6-0.99.
    pub score: f64,
}

impl Alignment {
    /// The lag as time at `rate`: the delay from reference to recording.
    pub fn delay(&self, rate: SampleRate) -> Duration {
        Duration::from_secs_f64(self.lag as f64 / f64::from(rate.hz()))
    }
}

/// Searches lags `0..=max_lag` for where `reference` best matches `recording`
/// (normalized cross-correlation, so level changes do not matter). `None` when the
/// recording is too short for any lag or either side is silent.
///
/// Cost is `reference.len() * max_lag` multiply-adds: for long searches, pass a short
/// distinctive phrase (a few hundred ms) rather than a whole call.
pub fn align(reference: &[i16], recording: &[i16], max_lag: usize) -> Option<Alignment> {
    let n = reference.len();
    if n == 0 || recording.len() < n {
        return None;
    }
    let reference: Vec<f32> = reference.iter().map(|&s| f32::from(s)).collect();
    let recording: Vec<f32> = recording.iter().map(|&s| f32::from(s)).collect();
    let ref_energy: f64 = reference.iter().map(|&x| f64::from(x * x)).sum();
    if ref_energy == 0.0 {
        return None;
    }
    let last_lag = max_lag.min(recording.len() - n);
    // Energy of the recording window, slid along instead of summed afresh at each lag.
    let mut window_energy: f64 = recording[..n].iter().map(|&x| f64::from(x * x)).sum();
    let mut best: Option<Alignment> = None;
    for lag in 0..=last_lag {
        if lag > 0 {
            let out = f64::from(recording[lag - 1]);
            let inn = f64::from(recording[lag + n - 1]);
            window_energy = (window_energy - out * out + inn * inn).max(0.0);
        }
        if window_energy <= f64::EPSILON {
            continue;
        }
        let dot: f32 = reference
            .iter()
            .zip(&recording[lag..lag + n])
            .map(|(a, b)| a * b)
            .sum();
        let score = f64::from(dot) / (ref_energy * window_energy).sqrt();
        if best.is_none_or(|b| score > b.score) {
            best = Some(Alignment { lag, score });
        }
    }
    best
}

/// One note of the hold melody: a MIDI note number and its length in eighth notes.
type Note = (u8, u32);

/// The hold melody: a calm I-vi-IV-V progression in C major as broken chords, 9 bars of
/// 4/8 at 96 beats per minute (22.5 s), then it loops. Melody over a soft bass per bar.
const MELODY: [Note; 31] = [
    (72, 2),
    (76, 2),
    (79, 2),
    (76, 2), // C
    (72, 2),
    (76, 2),
    (79, 4),
    (69, 2),
    (72, 2),
    (76, 2),
    (72, 2), // Am
    (69, 2),
    (72, 2),
    (76, 4),
    (65, 2),
    (69, 2),
    (72, 2),
    (69, 2), // F
    (65, 2),
    (69, 2),
    (72, 4),
    (67, 2),
    (71, 2),
    (74, 2),
    (71, 2), // G
    (67, 2),
    (71, 2),
    (74, 2),
    (79, 2),
    (77, 4),
    (76, 4), // a short turn back home
];
/// The bass note of each bar (every bar of `MELODY` is 8 eighths).
const BASS: [u8; 9] = [48, 48, 45, 45, 41, 41, 43, 43, 43];
const EIGHTH_SECONDS: f64 = 60.0 / 96.0 / 2.0;
/// Peak amplitude of the music, full scale = 1: about -27 dBFS RMS overall (measured), below speech and far
/// from clipping.
const MUSIC_AMPLITUDE: f64 = 0.16;

fn midi_hz(note: u8) -> f64 {
    440.0 * 2f64.powf((f64::from(note) - 69.0) / 12.0)
}

/// Synthesizes the hold music frame by frame, looping seamlessly.
#[derive(Debug, Clone)]
pub struct HoldMusic {
    rate: SampleRate,
    /// Samples since the start of the loop.
    position: u64,
    loop_len: u64,
    /// Start sample and MIDI note of each melody note, precomputed.
    notes: Vec<(u64, u64, u8)>,
}

impl HoldMusic {
    /// Music at `rate`, from the start of the loop.
    pub fn new(rate: SampleRate) -> Self {
        let sr = f64::from(rate.hz());
        let eighth = (EIGHTH_SECONDS * sr).round() as u64;
        let mut start = 0;
        let notes = MELODY
            .iter()
            .map(|&(note, eighths)| {
                let len = eighth * u64::from(eighths);
                let n = (start, len, note);
                start += len;
                n
            })
            .collect();
        HoldMusic {
            rate,
            position: 0,
            loop_len: start,
            notes,
        }
    }

    /// How long the loop lasts.
    pub fn loop_duration(&self) -> Duration {
        Duration::from_secs_f64(self.loop_len as f64 / f64::from(self.rate.hz()))
    }

    /// The next 20 ms.
    pub fn next_frame(&mut self) -> AudioFrame {
        let samples = (0..self.rate.samples_per_frame())
            .map(|_| {
                let s = self.sample_at(self.position);
                self.position = (self.position + 1) % self.loop_len.max(1);
                s
            })
            .collect();
        AudioFrame {
            rate: self.rate,
            samples,
        }
    }

    fn sample_at(&self, pos: u64) -> i16 {
        let sr = f64::from(self.rate.hz());
        let t = pos as f64 / sr;
        // The melody note sounding now (notes are in order; 32 of them).
        let idx = self
            .notes
            .partition_point(|&(start, _, _)| start <= pos)
            .saturating_sub(1);
        let (start, len, note) = self.notes[idx.min(self.notes.len() - 1)];
        let into = (pos - start) as f64 / sr;
        let left = (start + len).saturating_sub(pos) as f64 / sr;
        // Soft bell-like envelope: 10 ms attack, exponential decay, 15 ms release so
        // each note ends at zero (no clicks at note changes or at the loop point).
        let envelope = (into / 0.010).min(1.0) * (-into * 2.5).exp() * (left / 0.015).min(1.0);
        let f = midi_hz(note);
        let melody = (2.0 * PI * f * t).sin() + 0.25 * (4.0 * PI * f * t).sin();

        let bar_len = (EIGHTH_SECONDS * 8.0 * sr).round() as u64;
        let bar = (pos / bar_len) as usize;
        let bar_into = (pos % bar_len) as f64 / sr;
        let bar_left = (bar_len - pos % bar_len) as f64 / sr;
        let bass_env = (bar_into / 0.02).min(1.0) * (bar_left / 0.02).min(1.0) * 0.5;
        let bass = (2.0 * PI * midi_hz(BASS[bar.min(BASS.len() - 1)]) * t).sin() * bass_env;

        let value = (melody * envelope * 0.8 + bass * 0.6) * MUSIC_AMPLITUDE / 1.25;
        (value * f64::from(i16::MAX)).round() as i16
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

    #[test]
    fn align_finds_a_phrase_and_its_delay() {
        // A chirp-like phrase (distinctive: no periodic self-similarity).
        let phrase: Vec<i16> = (0..1600)
            .map(|i| {
                let t = f64::from(i) / 8000.0;
                ((2.0 * PI * (300.0 + 1500.0 * t) * t).sin() * 12000.0) as i16
            })
            .collect();
        // The recording: 137 ms of noise-ish silence, the phrase at half level, more.
        let delay = 1096; // 137 ms at 8 kHz
        let mut recording: Vec<i16> = (0..delay).map(|i| ((i * 7919) % 61) as i16 - 30).collect();
        recording.extend(phrase.iter().map(|&s| s / 2));
        recording.extend(std::iter::repeat_n(0, 800));
        let a = align(&phrase, &recording, 2400).expect("found");
        assert_eq!(a.lag, delay);
        assert!(a.score > 0.99, "{}", a.score);
        assert_eq!(a.delay(SampleRate::Hz8000), Duration::from_millis(137));
        assert!(align(&phrase, &phrase[..10], 100).is_none());
        assert!(align(&[0; 10], &[1; 100], 50).is_none());
    }

    #[test]
    fn align_survives_a_codec_round_trip() {
        use crate::codec::{Codec, Decoder, Encoder};
        let phrase: Vec<i16> = (0..4000)
            .map(|i| {
                let t = f64::from(i) / 8000.0;
                ((2.0 * PI * (200.0 + 900.0 * t) * t).sin() * 9000.0) as i16
            })
            .collect();
        let mut input = vec![0i16; 800]; // 100 ms lead-in
        input.extend(&phrase);
        input.resize(160 * 40, 0);
        let mut enc = Encoder::new(Codec::Pcma).expect("enc");
        let mut dec = Decoder::new(Codec::Pcma).expect("dec");
        let mut out = Vec::new();
        for chunk in input.chunks(160) {
            let frame = AudioFrame::new(SampleRate::Hz8000, chunk.to_vec()).expect("frame");
            out.extend(
                dec.decode(Some(&enc.encode(&frame).expect("e")))
                    .expect("d")
                    .samples,
            );
        }
        let a = align(&phrase, &out, 2000).expect("found");
        assert_eq!(a.lag, 800);
        assert!(a.score > 0.95, "{}", a.score);
    }

    #[test]
    fn hold_music_is_pleasant_enough_and_loops_without_clicks() {
        let mut music = HoldMusic::new(SampleRate::Hz8000);
        let loop_s = music.loop_duration().as_secs_f64();
        assert!((loop_s - 22.5).abs() < 0.01, "{loop_s}");
        let frames = (loop_s * 50.0).round() as usize;
        let mut all = Vec::new();
        for _ in 0..frames + 50 {
            all.extend(music.next_frame().samples);
        }
        let one_loop = &all[..frames * 160];
        // Audible but calm: between -30 and -15 dBFS, peaks well below full scale.
        let level = level_dbfs(one_loop);
        assert!((-30.0..=-15.0).contains(&level), "{level}");
        let peak = one_loop.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
        assert!(peak < 16_000, "{peak}");
        // No clicks: neighbouring samples never jump (a click is a large step).
        let max_step = all
            .windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max();
        assert!(max_step.unwrap_or(0) < 3_000, "{max_step:?}");
        // It loops: the second pass starts like the first.
        assert_eq!(&all[frames * 160..frames * 160 + 160], &all[..160]);
        // And it is music: the first note is C5 (523 Hz).
        let f = dominant_frequency(&all[40..1600], SampleRate::Hz8000, 100.0, 2000.0, 10.0);
        assert!((f - 523.0).abs() < 8.0, "{f}");
        // Silence never lasts more than a note's release.
        for window in all.chunks(800) {
            assert!(level_dbfs(window) > -45.0);
        }
    }
}
