//! The PC's audio devices as ALSA lists them in /proc/asound/pcm (R8, R10). The voice
//! engine brings a full audio backend; listing and the microphone check need only this.

use seatline_core::settings::{AudioDevice, AudioDevices};

pub struct AlsaDevices;

impl AlsaDevices {
    fn list(direction: &str) -> Vec<AudioDevice> {
        let Ok(text) = std::fs::read_to_string("/proc/asound/pcm") else {
            return Vec::new();
        };
        parse_pcm(&text, direction)
    }
}

/// Lines look like `00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1`.
fn parse_pcm(text: &str, direction: &str) -> Vec<AudioDevice> {
    text.lines()
        .filter_map(|line| {
            let mut parts = line.split(" : ");
            let head = parts.next()?;
            let (id, name) = head.split_once(": ")?;
            let has = parts.any(|p| p.trim_start().starts_with(direction));
            has.then(|| AudioDevice {
                id: format!("hw:{}", id.trim()),
                name: name.trim().to_string(),
            })
        })
        .collect()
}

impl AudioDevices for AlsaDevices {
    fn microphones(&self) -> Vec<AudioDevice> {
        Self::list("capture")
    }
    fn speakers(&self) -> Vec<AudioDevice> {
        Self::list("playback")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_capture_and_playback_devices() {
        let text = "00-00: ALC3246 Analog : ALC3246 Analog : playback 1 : capture 1\n\
                    00-03: HDMI 0 : HDMI 0 : playback 1\n";
        let mics = parse_pcm(text, "capture");
        assert_eq!(mics.len(), 1);
        assert_eq!(mics[0].id, "hw:00-00");
        assert_eq!(parse_pcm(text, "playback").len(), 2);
        assert!(parse_pcm("", "capture").is_empty());
    }
}
