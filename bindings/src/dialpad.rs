//! R14: the core's dial pad as an object the app's keypad and text field drive.

use seatline_core::dialpad as core;
use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PadKey {
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DialPadState {
    pub text: String,
    pub cursor: u32,
    /// R14: past 12 digits the text is drawn smaller.
    pub shrink: bool,
}

#[derive(uniffi::Object)]
pub struct DialPad {
    pad: Mutex<core::DialPad>,
}

impl Default for DialPad {
    fn default() -> Self {
        Self {
            pad: Mutex::new(core::DialPad::new()),
        }
    }
}

#[uniffi::export]
impl DialPad {
    #[uniffi::constructor]
    pub fn new() -> Self {
        Self::default()
    }

    /// A digit from the keypad or the keyboard; anything else is ignored.
    pub fn press(&self, digit: String) -> DialPadState {
        self.with(|p| {
            for c in digit.chars() {
                p.press(c);
            }
        })
    }

    /// Pasted text: digits only, inserted at the cursor, 20 digits at most.
    pub fn paste(&self, text: String) -> DialPadState {
        self.with(|p| {
            p.paste(&text);
        })
    }

    pub fn key(&self, key: PadKey) -> DialPadState {
        let k = match key {
            PadKey::Backspace => core::PadKey::Backspace,
            PadKey::Delete => core::PadKey::Delete,
            PadKey::Left => core::PadKey::Left,
            PadKey::Right => core::PadKey::Right,
            PadKey::Home => core::PadKey::Home,
            PadKey::End => core::PadKey::End,
        };
        self.with(|p| {
            p.key(k);
        })
    }

    pub fn set_cursor(&self, cursor: u32) -> DialPadState {
        self.with(|p| p.set_cursor(cursor as usize))
    }

    pub fn clear(&self) -> DialPadState {
        self.with(core::DialPad::clear)
    }

    pub fn state(&self) -> DialPadState {
        self.with(|_| {})
    }

    /// Enter (R14): the number to dial, or why not.
    pub fn enter(&self) -> Result<String, crate::SeatlineError> {
        let pad = self.pad.lock().map_err(|_| crate::SeatlineError::Other {
            detail: "dial pad poisoned".into(),
        })?;
        pad.enter()
            .map(String::from)
            .map_err(|e| crate::SeatlineError::InvalidInput {
                detail: e.to_string(),
            })
    }
}

impl DialPad {
    fn with(&self, f: impl FnOnce(&mut core::DialPad)) -> DialPadState {
        let mut pad = self.pad.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut pad);
        DialPadState {
            text: pad.text().to_string(),
            cursor: pad.cursor() as u32,
            shrink: pad.shrink(),
        }
    }
}
