//! The agent's settings on this device (R6, R8), kept in the core's database so they
//! survive restarts. Audio device ids are the platform audio layer's own identifiers.

use seatline_proto::values::InvalidValue;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// R8: log in with the saved session when the app starts.
    pub auto_login: bool,
    /// R8: show notifications (new task, missed call).
    pub notifications: bool,
    /// R8: chosen microphone; `None` follows the system default.
    pub microphone: Option<String>,
    /// R8: chosen speaker; `None` follows the system default.
    pub speaker: Option<String>,
    /// R8: 0..=100.
    pub microphone_volume: u8,
    /// R8: 0..=100.
    pub speaker_volume: u8,
    /// R6: PC auto-answer in idle; manual by default.
    pub auto_answer: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            auto_login: false,
            notifications: true,
            microphone: None,
            speaker: None,
            microphone_volume: 80,
            speaker_volume: 80,
            auto_answer: false,
        }
    }
}

impl Settings {
    pub const MAX_VOLUME: u8 = 100;

    pub fn validate(&self) -> Result<(), InvalidValue> {
        if self.microphone_volume > Self::MAX_VOLUME {
            return Err(InvalidValue::new("microphone_volume", "must be 0 to 100"));
        }
        if self.speaker_volume > Self::MAX_VOLUME {
            return Err(InvalidValue::new("speaker_volume", "must be 0 to 100"));
        }
        for (field, id) in [("microphone", &self.microphone), ("speaker", &self.speaker)] {
            if id.as_ref().is_some_and(|s| s.is_empty() || s.len() > 256) {
                return Err(InvalidValue::new(field, "device id must be 1 to 256 bytes"));
            }
        }
        Ok(())
    }
}

/// An audio input or output the device offers (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioDevice {
    pub id: String,
    pub name: String,
}

/// The device's audio hardware as the platform layer sees it: ALSA/cpal on the PC,
/// AVAudioSession on iOS, AudioManager on Android (implemented by the shells).
pub trait AudioDevices: Send + Sync {
    fn microphones(&self) -> Vec<AudioDevice>;
    fn speakers(&self) -> Vec<AudioDevice>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r8_defaults_and_validation() {
        let s = Settings::default();
        assert!(s.notifications && !s.auto_login && !s.auto_answer);
        assert!(s.validate().is_ok());
        let loud = Settings {
            speaker_volume: 101,
            ..Settings::default()
        };
        assert!(loud.validate().is_err());
        let empty = Settings {
            microphone: Some(String::new()),
            ..Settings::default()
        };
        assert!(empty.validate().is_err());
    }

    #[test]
    fn r8_settings_round_trip_and_tolerate_missing_fields() {
        let s: Settings = serde_json::from_str(r#"{"auto_login":true}"#).unwrap_or_default();
        assert!(s.auto_login);
        assert_eq!(s.speaker_volume, 80);
        assert!(serde_json::from_str::<Settings>(r#"{"volume":3}"#).is_err());
    }
}
