//! The call's volume controls (R17): output volume, microphone gain, mute, and the
//! automatic gain control that makes "the microphone level adapt by itself".
//!
//! `Levels` is shared between the client (the agent's sliders) and the engine's audio
//! path as atomics, so moving a slider never waits for the audio.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Output volume and microphone gain are linear factors in this range (0 = silent,
/// 1 = unchanged, 4 = +12 dB).
pub const MAX_LEVEL: f32 = 4.0;

#[derive(Debug)]
pub struct Levels {
    volume: AtomicU32,
    mic_gain: AtomicU32,
    muted: AtomicBool,
    agc: AtomicBool,
}

impl Default for Levels {
    fn default() -> Self {
        Self {
            volume: AtomicU32::new(1.0f32.to_bits()),
            mic_gain: AtomicU32::new(1.0f32.to_bits()),
            muted: AtomicBool::new(false),
            agc: AtomicBool::new(true),
        }
    }
}

fn clamp_level(v: f32) -> f32 {
    if v.is_finite() {
        v.clamp(0.0, MAX_LEVEL)
    } else {
        1.0
    }
}

impl Levels {
    pub fn volume(&self) -> f32 {
        f32::from_bits(self.volume.load(Ordering::Relaxed))
    }
    pub fn set_volume(&self, v: f32) {
        self.volume
            .store(clamp_level(v).to_bits(), Ordering::Relaxed);
    }
    pub fn mic_gain(&self) -> f32 {
        f32::from_bits(self.mic_gain.load(Ordering::Relaxed))
    }
    pub fn set_mic_gain(&self, g: f32) {
        self.mic_gain
            .store(clamp_level(g).to_bits(), Ordering::Relaxed);
    }
    pub fn muted(&self) -> bool {
        self.muted.load(Ordering::Relaxed)
    }
    pub fn set_muted(&self, on: bool) {
        self.muted.store(on, Ordering::Relaxed);
    }
    pub fn agc(&self) -> bool {
        self.agc.load(Ordering::Relaxed)
    }
    pub fn set_agc(&self, on: bool) {
        self.agc.store(on, Ordering::Relaxed);
    }
}

/// Multiplies `samples` by `gain`, saturating.
pub fn apply_gain(samples: &mut [i16], gain: f32) {
    if (gain - 1.0).abs() < 1e-4 {
        return;
    }
    for s in samples.iter_mut() {
        *s = (f32::from(*s) * gain)
            .round()
            .clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16;
    }
}

/// Level the AGC steers speech towards: -20 dBFS RMS, a usual telephony speech level.
const AGC_TARGET_RMS: f32 = 3277.0;
/// Below this RMS (-50 dBFS) a frame is noise: the gain is left alone.
const AGC_GATE_RMS: f32 = 104.0;
/// The AGC's own range: -6 dB .. +18 dB.
const AGC_MIN: f32 = 0.5;
const AGC_MAX: f32 = 8.0;
/// Per-frame smoothing: quick to turn down (loud onsets), slow to turn up (no pumping).
const AGC_ATTACK: f32 = 0.3;
const AGC_RELEASE: f32 = 0.02;

/// A slow automatic gain control for the microphone (R17). Pure: frames in, frames out.
#[derive(Debug, Clone)]
pub struct Agc {
    gain: f32,
}

impl Default for Agc {
    fn default() -> Self {
        Self { gain: 1.0 }
    }
}

impl Agc {
    pub fn gain(&self) -> f32 {
        self.gain
    }

    /// Adapts to this frame (already scaled by the agent's microphone gain) and applies
    /// the result; peaks that would clip are limited by turning the gain down at once.
    pub fn process(&mut self, samples: &mut [i16]) {
        if samples.is_empty() {
            return;
        }
        let energy: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
        let rms = (energy / samples.len() as f64).sqrt() as f32;
        if rms > AGC_GATE_RMS {
            let wanted = (AGC_TARGET_RMS / rms).clamp(AGC_MIN, AGC_MAX);
            let rate = if wanted < self.gain {
                AGC_ATTACK
            } else {
                AGC_RELEASE
            };
            self.gain += (wanted - self.gain) * rate;
        }
        let peak = samples
            .iter()
            .map(|&s| f32::from(s).abs())
            .fold(0.0f32, f32::max);
        if peak * self.gain > f32::from(i16::MAX) {
            self.gain = (f32::from(i16::MAX) / peak).max(AGC_MIN.min(1.0));
        }
        apply_gain(samples, self.gain);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatline_media::tone::{rms, SineGenerator};
    use seatline_media::SampleRate;

    #[test]
    fn r17_levels_clamp_and_default_to_unity() {
        let l = Levels::default();
        assert_eq!(l.volume(), 1.0);
        l.set_volume(9.0);
        assert_eq!(l.volume(), MAX_LEVEL);
        l.set_mic_gain(-1.0);
        assert_eq!(l.mic_gain(), 0.0);
        l.set_volume(f32::NAN);
        assert_eq!(l.volume(), 1.0);
    }

    #[test]
    fn r17_agc_brings_a_quiet_and_a_loud_talker_towards_the_same_level() {
        let run = |amplitude: f64| {
            let mut agc = Agc::default();
            let mut tone = SineGenerator::new(SampleRate::Hz48000, 300.0, amplitude);
            let mut last = 0.0;
            for _ in 0..400 {
                let mut f = tone.next_frame();
                agc.process(&mut f.samples);
                last = rms(&f.samples) * 32768.0;
            }
            last
        };
        let quiet = run(0.02);
        let loud = run(0.25);
        // Both end within 3 dB of the target (-20 dBFS RMS): the quiet one (-37 dBFS)
        // near the +18 dB limit, the loud one (-15 dBFS) turned down.
        for level in [quiet, loud] {
            let target = f64::from(AGC_TARGET_RMS);
            assert!(
                (level / target).log10().abs() * 20.0 < 3.0,
                "{level} vs {target}"
            );
        }
    }

    #[test]
    fn agc_leaves_noise_alone_and_never_clips() {
        let mut agc = Agc::default();
        let mut noise = vec![50i16; 960];
        agc.process(&mut noise);
        assert_eq!(agc.gain(), 1.0);
        let mut peak = vec![i16::MAX; 960];
        agc.process(&mut peak);
        // Full scale in, no wrap-around out.
        assert!(peak.iter().all(|&s| s > 16_000));
    }
}
