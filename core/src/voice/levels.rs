//! The call's volume controls (R17): output volume, microphone gain, mute, and the
//! automatic gain control that makes "the microphone level adapt by itself".
//!
//! `Levels` is shared between the client (the agent's sliders) and the engine's audio
//! path as atomics, so moving a slider never waits for the audio.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// Output volume and microphone gain are linear factors up to this (1 = unchanged,
/// 4 = +12 dB). Volume 0 is silent; the microphone's gain bottoms out at -20 dB (mute is
/// the way to silence it).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
