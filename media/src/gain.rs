//! Level controls: the call's output volume, the microphone's manual gain and mute, and
//! an automatic gain control for the microphone (R17: "the microphone level adapts by
//! itself").
//!
//! Every gain change is ramped across a frame so it never clicks, and every output is
//! limited below full scale so it never clips: a gain that would push a frame's peak
//! over [`PEAK_LIMIT`] is cut for that frame at once.

use crate::frame::AudioFrame;

/// The highest peak any stage here lets through: -1 dBFS.
pub const PEAK_LIMIT: f32 = 0.891 * 32767.0;

/// Converts decibels to a linear factor.
pub fn db_to_linear(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Applies a gain ramp from `from` to `to` over the frame, limited so no sample exceeds
/// [`PEAK_LIMIT`]. Returns the gain reached at the end (lower than `to` if the limiter
/// had to act).
fn apply_ramp(frame: &mut AudioFrame, from: f32, to: f32) -> f32 {
    let peak = frame
        .samples
        .iter()
        .map(|s| f32::from(s.unsigned_abs()))
        .fold(0.0, f32::max);
    let ceiling = if peak > 0.0 {
        PEAK_LIMIT / peak
    } else {
        f32::MAX
    };
    let from = from.min(ceiling);
    let to = to.min(ceiling);
    let n = frame.samples.len().max(1) as f32;
    for (i, s) in frame.samples.iter_mut().enumerate() {
        let g = from + (to - from) * (i as f32 + 1.0) / n;
        *s = (f32::from(*s) * g).round().clamp(-PEAK_LIMIT, PEAK_LIMIT) as i16;
    }
    to
}

/// The listener's volume for the call (the speaker or earpiece path).
#[derive(Debug, Clone)]
pub struct OutputVolume {
    target: f32,
    current: f32,
}

impl Default for OutputVolume {
    fn default() -> Self {
        OutputVolume {
            target: 1.0,
            current: 1.0,
        }
    }
}

impl OutputVolume {
    /// Unity volume.
    pub fn new() -> Self {
        OutputVolume::default()
    }

    /// Sets the volume as a linear factor, 0.0 (silent) to 4.0 (+12 dB).
    pub fn set(&mut self, factor: f32) {
        self.target = if factor.is_finite() {
            factor.clamp(0.0, 4.0)
        } else {
            1.0
        };
    }

    /// The volume last set.
    pub fn get(&self) -> f32 {
        self.target
    }

    /// Scales one frame, moving smoothly to a newly set volume.
    pub fn apply(&mut self, frame: &mut AudioFrame) {
        self.current = apply_ramp(frame, self.current, self.target);
    }
}

/// AGC settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AgcConfig {
    /// The speech level the AGC steers to, RMS dBFS.
    pub target_dbfs: f32,
    /// Most it will amplify, dB.
    pub max_gain_db: f32,
    /// Most it will attenuate, dB (negative).
    pub min_gain_db: f32,
    /// Frames quieter than this are not speech: the gain holds (noise is not pumped up).
    pub gate_dbfs: f32,
    /// How fast the gain may rise, dB per second (slow: no breathing).
    pub rise_db_per_s: f32,
    /// How fast it falls when speech gets louder, dB per second (fast: no blasting).
    pub fall_db_per_s: f32,
}

impl Default for AgcConfig {
    fn default() -> Self {
        AgcConfig {
            target_dbfs: -20.0,
            max_gain_db: 24.0,
            min_gain_db: -12.0,
            gate_dbfs: -55.0,
            rise_db_per_s: 6.0,
            fall_db_per_s: 60.0,
        }
    }
}

/// The microphone path: manual gain, mute, and optional AGC.
#[derive(Debug, Clone)]
pub struct Microphone {
    manual_gain: f32,
    muted: bool,
    agc: Option<AgcConfig>,
    /// AGC's gain now, dB.
    agc_gain_db: f32,
    /// The linear gain applied at the end of the last frame (ramps start here).
    current: f32,
}

impl Default for Microphone {
    fn default() -> Self {
        Microphone::new()
    }
}

impl Microphone {
    /// Unity gain, not muted, AGC on with [`AgcConfig::default`].
    pub fn new() -> Self {
        Microphone {
            manual_gain: 1.0,
            muted: false,
            agc: Some(AgcConfig::default()),
            agc_gain_db: 0.0,
            current: 1.0,
        }
    }

    /// Sets a manual gain in dB (-20..=+20), applied on top of the AGC.
    pub fn set_gain_db(&mut self, db: f32) {
        self.manual_gain = if db.is_finite() {
            db_to_linear(db.clamp(-20.0, 20.0))
        } else {
            1.0
        };
    }

    /// Mutes or unmutes: a muted microphone sends digital silence.
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
    }

    /// Whether the microphone is muted.
    pub fn is_muted(&self) -> bool {
        self.muted
    }

    /// Turns the AGC on (with `config`) or off (`None`: manual gain only).
    pub fn set_agc(&mut self, config: Option<AgcConfig>) {
        self.agc = config;
        if self.agc.is_none() {
            self.agc_gain_db = 0.0;
        }
    }

    /// The AGC's current gain in dB (0 when off).
    pub fn agc_gain_db(&self) -> f32 {
        self.agc_gain_db
    }

    /// Processes one captured frame in place.
    pub fn process(&mut self, frame: &mut AudioFrame) {
        if self.muted {
            frame.samples.fill(0);
            // Unmuting starts from silence and ramps up.
            self.current = 0.0;
            return;
        }
        if let Some(agc) = &self.agc {
            let level = crate::tone::level_dbfs(&frame.samples) as f32;
            if level > agc.gate_dbfs {
                let frame_s = crate::FRAME_MS as f32 / 1000.0;
                let wanted = (agc.target_dbfs - level).clamp(agc.min_gain_db, agc.max_gain_db);
                let delta = wanted - self.agc_gain_db;
                let step = if delta > 0.0 {
                    delta.min(agc.rise_db_per_s * frame_s)
                } else {
                    delta.max(-agc.fall_db_per_s * frame_s)
                };
                self.agc_gain_db += step;
            }
        }
        let target = self.manual_gain * db_to_linear(self.agc_gain_db);
        let reached = apply_ramp(frame, self.current, target);
        if reached < target && self.agc.is_some() {
            // The limiter had to act: the AGC was too high for this speech; back off
            // so the next frames do not lean on the limiter.
            let over_db = 20.0 * (target / reached.max(1e-6)).log10();
            self.agc_gain_db -= over_db;
        }
        self.current = reached;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::SampleRate;
    use crate::tone::{level_dbfs, SineGenerator};

    /// Speech-like test input: a 200 Hz buzz with syllables (on 200 ms, off 100 ms).
    fn talk(amplitude: f64, frames: usize) -> Vec<AudioFrame> {
        let mut g = SineGenerator::new(SampleRate::Hz8000, 200.0, amplitude);
        (0..frames)
            .map(|i| {
                let mut f = g.next_frame();
                if i % 15 >= 10 {
                    f.samples.fill(0);
                }
                f
            })
            .collect()
    }

    fn max_abs(frames: &[AudioFrame]) -> i16 {
        frames
            .iter()
            .flat_map(|f| f.samples.iter().map(|s| s.saturating_abs()))
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn agc_brings_a_quiet_voice_up() {
        let mut mic = Microphone::new();
        // -43 dBFS while talking (amplitude 1 % of full scale).
        let mut frames = talk(0.01, 50 * 8);
        for f in &mut frames {
            mic.process(f);
        }
        let last: Vec<i16> = frames[frames.len() - 100..]
            .iter()
            .filter(|f| f.samples.iter().any(|&s| s != 0))
            .flat_map(|f| f.samples.clone())
            .collect();
        let level = level_dbfs(&last);
        assert!(
            (level + 20.0).abs() < 3.0,
            "after 8 s: {level} dBFS, gain {}",
            mic.agc_gain_db()
        );
        // Not at once: after 1 s it has risen by only about 6 dB.
        let mut early = Microphone::new();
        for f in &mut talk(0.01, 50) {
            early.process(f);
        }
        assert!(early.agc_gain_db() < 8.0, "{}", early.agc_gain_db());
    }

    #[test]
    fn agc_never_clips_even_when_a_shout_follows_a_whisper() {
        let mut mic = Microphone::new();
        let mut frames = talk(0.005, 50 * 10); // gain climbs to its maximum
        frames.extend(talk(0.99, 50 * 2)); // then a shout at full scale
        for f in &mut frames {
            mic.process(f);
        }
        assert!(f32::from(max_abs(&frames)) <= PEAK_LIMIT);
        // And the shout is brought down towards the target quickly.
        let tail: Vec<i16> = frames[frames.len() - 10..]
            .iter()
            .flat_map(|f| f.samples.clone())
            .collect();
        assert!(level_dbfs(&tail) < -10.0, "{}", level_dbfs(&tail));
    }

    #[test]
    fn agc_does_not_pump_up_background_noise() {
        let mut mic = Microphone::new();
        let mut frames = talk(0.0005, 50 * 5); // -69 dBFS: below the gate
        for f in &mut frames {
            mic.process(f);
        }
        assert_eq!(mic.agc_gain_db(), 0.0);
    }

    #[test]
    fn mute_and_manual_gain() {
        let mut mic = Microphone::new();
        mic.set_agc(None);
        mic.set_gain_db(-6.0);
        let mut frames = talk(0.5, 3);
        for f in &mut frames {
            mic.process(f);
        }
        // After the first frame's ramp, -6 dB: half-scale sine at -9 becomes -15 dBFS.
        assert!((level_dbfs(&frames[1].samples) + 15.05).abs() < 0.2);
        mic.set_muted(true);
        assert!(mic.is_muted());
        let mut f = talk(0.5, 1).remove(0);
        mic.process(&mut f);
        assert!(f.samples.iter().all(|&s| s == 0));
        // Unmuting ramps up from silence: the first sample is tiny, not a click.
        mic.set_muted(false);
        let mut f = SineGenerator::new(SampleRate::Hz8000, 200.0, 0.5).next_frame();
        f.samples.iter_mut().for_each(|s| *s = 10_000);
        mic.process(&mut f);
        assert!(f.samples[0] < 200, "{}", f.samples[0]);
    }

    #[test]
    fn output_volume_ramps_and_limits() {
        let mut vol = OutputVolume::new();
        let mut g = SineGenerator::new(SampleRate::Hz8000, 300.0, 0.5);
        vol.set(0.5);
        let mut first = g.next_frame();
        vol.apply(&mut first);
        let mut second = g.next_frame();
        vol.apply(&mut second);
        assert!((level_dbfs(&second.samples) + 15.05).abs() < 0.2);
        // The change was spread over the first frame: its start is still near full.
        assert!(level_dbfs(&first.samples[..20]) > level_dbfs(&second.samples[..20]));
        // +12 dB on a half-scale sine would clip: the limiter holds it at -1 dBFS peak.
        vol.set(4.0);
        let mut loud: Vec<AudioFrame> = (0..5).map(|_| g.next_frame()).collect();
        for f in &mut loud {
            vol.apply(f);
        }
        assert!(f32::from(max_abs(&loud)) <= PEAK_LIMIT);
        vol.set(f32::NAN);
        assert_eq!(vol.get(), 1.0);
        vol.set(0.0);
        let mut f = g.next_frame();
        vol.apply(&mut f);
        let mut f = g.next_frame();
        vol.apply(&mut f);
        assert!(f.samples.iter().all(|&s| s == 0));
    }
}
