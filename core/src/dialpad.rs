//! The dial pad (R14): digits by click, keyboard or paste, inserted at the cursor; pasted
//! text keeps only its digits; at most 20 digits, more are not taken; past 12 digits the
//! text shrinks; Enter dials.
//!
//! Decisions:
//! - The pad takes the digits 0-9 only. `*` and `#` are DTMF keys of a call in progress,
//!   which is another keypad (the call's), and a [`PhoneNumber`] cannot carry them; the
//!   platform dials numbers, not service codes. `+` is not taken either: R14 says digits.
//! - Full-width digits (０-９, from Chinese input methods) count as the ASCII digits.
//! - A value type with no I/O: the shells render `text()`, `cursor()` and `shrink()`.

use seatline_proto::{PhoneNumber, MAX_NUMBER_DIGITS, MIN_NUMBER_DIGITS};

/// Past this many digits the shells draw the text smaller (R14).
pub const SHRINK_AFTER_DIGITS: usize = 12;

/// A keyboard key the pad understands. Other keys do not reach it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadKey {
    /// A typed character; anything but a digit is ignored.
    Char(char),
    Backspace,
    Delete,
    Left,
    Right,
    Home,
    End,
    Enter,
}

/// What a key did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyOutcome {
    /// The text or the cursor changed.
    Changed,
    /// Nothing changed (not a digit, pad full, cursor already at the edge...).
    Ignored,
    /// Enter with a dialable number: dial it (R14).
    Dial(PhoneNumber),
    /// Enter with nothing dialable.
    Refused(DialPadError),
}

/// Why Enter did not dial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DialPadError {
    #[error("no number entered")]
    Empty,
    #[error("the number is shorter than {min} digits")]
    TooShort { min: usize },
}

/// The dial pad's text and cursor. The text holds ASCII digits only; the cursor is an
/// index in `0..=len` (digits are one byte each, so bytes and characters agree).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct DialPad {
    text: String,
    cursor: usize,
}

impl std::fmt::Debug for DialPad {
    /// The text is a phone number: only its length is shown (invariant 5).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "DialPad(<{} digits>, cursor {})",
            self.text.len(),
            self.cursor
        )
    }
}

/// Maps a character to the ASCII digit it stands for, if any.
fn digit_of(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        // U+FF10..U+FF19 FULLWIDTH DIGIT ZERO..NINE.
        '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32),
        _ => None,
    }
}

impl DialPad {
    pub fn new() -> Self {
        Self::default()
    }

    /// A pad prefilled from outside text (a callback number, a record), digits only,
    /// cursor at the end.
    pub fn with_text(text: &str) -> Self {
        let mut pad = Self::new();
        pad.paste(text);
        pad
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn cursor(&self) -> usize {
        self.cursor
    }

    pub fn len(&self) -> usize {
        self.text.len()
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// True when the shells should draw the text smaller: more than 12 digits (R14).
    pub fn shrink(&self) -> bool {
        self.text.len() > SHRINK_AFTER_DIGITS
    }

    /// Puts the cursor at `pos` (a click in the text), clamped to the text.
    pub fn set_cursor(&mut self, pos: usize) {
        self.cursor = pos.min(self.text.len());
    }

    /// A pad button or a typed digit: inserted at the cursor. Returns whether it was
    /// taken (not a digit, or the pad already holds 20 digits: not taken).
    pub fn press(&mut self, c: char) -> bool {
        match digit_of(c) {
            Some(d) if self.text.len() < MAX_NUMBER_DIGITS => {
                self.text.insert(self.cursor, d);
                self.cursor += 1;
                true
            }
            _ => false,
        }
    }

    /// Pasted text: its digits are inserted at the cursor, everything else is dropped,
    /// and digits past the 20-digit limit are not taken. Returns how many were taken.
    pub fn paste(&mut self, pasted: &str) -> usize {
        let room = MAX_NUMBER_DIGITS - self.text.len();
        let digits: String = pasted.chars().filter_map(digit_of).take(room).collect();
        self.text.insert_str(self.cursor, &digits);
        self.cursor += digits.len();
        digits.len()
    }

    /// Keyboard input.
    pub fn key(&mut self, key: PadKey) -> KeyOutcome {
        let changed = match key {
            PadKey::Char(c) => self.press(c),
            PadKey::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.text.remove(self.cursor);
                true
            }
            PadKey::Delete if self.cursor < self.text.len() => {
                self.text.remove(self.cursor);
                true
            }
            PadKey::Left if self.cursor > 0 => {
                self.cursor -= 1;
                true
            }
            PadKey::Right if self.cursor < self.text.len() => {
                self.cursor += 1;
                true
            }
            PadKey::Home if self.cursor > 0 => {
                self.cursor = 0;
                true
            }
            PadKey::End if self.cursor < self.text.len() => {
                self.cursor = self.text.len();
                true
            }
            PadKey::Enter => {
                return match self.enter() {
                    Ok(n) => KeyOutcome::Dial(n),
                    Err(e) => KeyOutcome::Refused(e),
                }
            }
            _ => false,
        };
        if changed {
            KeyOutcome::Changed
        } else {
            KeyOutcome::Ignored
        }
    }

    /// Enter (R14): the number to dial. The pad keeps its text; the shell clears it when
    /// the call has started.
    pub fn enter(&self) -> Result<PhoneNumber, DialPadError> {
        if self.text.is_empty() {
            return Err(DialPadError::Empty);
        }
        // The text is 1..=20 ASCII digits, so the only way to fail parsing is length.
        PhoneNumber::parse(&self.text).map_err(|_| DialPadError::TooShort {
            min: MIN_NUMBER_DIGITS,
        })
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn typed(s: &str) -> DialPad {
        let mut pad = DialPad::new();
        for c in s.chars() {
            pad.press(c);
        }
        pad
    }

    #[test]
    fn r14_clicked_digits_go_in_at_the_cursor() {
        let mut pad = typed("1389");
        pad.set_cursor(3);
        assert!(pad.press('0'));
        assert_eq!(pad.text(), "13809");
        assert_eq!(pad.cursor(), 4);
    }

    #[test]
    fn r14_keyboard_digits_and_editing_keys() {
        let mut pad = DialPad::new();
        for c in "1380".chars() {
            assert_eq!(pad.key(PadKey::Char(c)), KeyOutcome::Changed);
        }
        assert_eq!(pad.key(PadKey::Char('a')), KeyOutcome::Ignored);
        assert_eq!(pad.key(PadKey::Left), KeyOutcome::Changed);
        assert_eq!(pad.key(PadKey::Backspace), KeyOutcome::Changed);
        assert_eq!(pad.text(), "130");
        assert_eq!(pad.cursor(), 2);
        assert_eq!(pad.key(PadKey::Delete), KeyOutcome::Changed);
        assert_eq!(pad.text(), "13");
        assert_eq!(
            pad.key(PadKey::Delete),
            KeyOutcome::Ignored,
            "nothing right of the cursor"
        );
        assert_eq!(pad.key(PadKey::Home), KeyOutcome::Changed);
        assert_eq!(
            pad.key(PadKey::Backspace),
            KeyOutcome::Ignored,
            "nothing left of the cursor"
        );
        assert_eq!(pad.key(PadKey::Left), KeyOutcome::Ignored);
        assert_eq!(pad.key(PadKey::Right), KeyOutcome::Changed);
        assert_eq!(pad.cursor(), 1);
        assert_eq!(pad.key(PadKey::End), KeyOutcome::Changed);
        assert_eq!(pad.cursor(), 2);
        assert_eq!(pad.key(PadKey::Right), KeyOutcome::Ignored);
    }

    #[test]
    fn r14_star_hash_and_plus_are_not_taken() {
        let mut pad = DialPad::new();
        assert!(!pad.press('*'));
        assert!(!pad.press('#'));
        assert!(!pad.press('+'));
        assert!(pad.is_empty());
    }

    #[test]
    fn r14_paste_keeps_only_digits_at_the_cursor() {
        let mut pad = typed("10");
        pad.set_cursor(1);
        let taken = pad.paste("+86 (138)-0013\t8000 abc");
        assert_eq!(taken, 13);
        assert_eq!(
            pad.text(),
            "186138001380000",
            "digits of the paste between 1 and 0"
        );
        assert_eq!(pad.cursor(), 14);
    }

    #[test]
    fn r14_full_width_digits_are_digits() {
        let mut pad = DialPad::new();
        assert_eq!(pad.paste("１３８００１３８０００"), 11);
        assert_eq!(pad.text(), "13800138000");
        assert!(pad.press('９'));
        assert_eq!(pad.text(), "138001380009");
    }

    #[test]
    fn r14_at_most_twenty_digits_and_the_rest_is_not_taken() {
        let mut pad = typed(&"1".repeat(18));
        assert_eq!(pad.paste("23456"), 2, "only two fit");
        assert_eq!(pad.text(), format!("{}23", "1".repeat(18)));
        assert_eq!(pad.len(), 20);
        assert!(!pad.press('9'));
        assert_eq!(pad.key(PadKey::Char('9')), KeyOutcome::Ignored);
        pad.set_cursor(0);
        assert_eq!(pad.paste("7"), 0, "no room at the cursor either");
        assert_eq!(pad.len(), 20);
        assert!(pad.enter().is_ok(), "20 digits are a valid number");
    }

    #[test]
    fn r14_text_shrinks_past_twelve_digits() {
        let mut pad = typed(&"1".repeat(12));
        assert!(!pad.shrink());
        pad.press('2');
        assert!(pad.shrink());
        pad.key(PadKey::Backspace);
        assert!(!pad.shrink());
    }

    #[test]
    fn r14_enter_dials_or_says_why_not() {
        let mut pad = DialPad::new();
        assert_eq!(pad.enter(), Err(DialPadError::Empty));
        assert_eq!(
            pad.key(PadKey::Enter),
            KeyOutcome::Refused(DialPadError::Empty)
        );
        pad.paste("12");
        assert_eq!(pad.enter(), Err(DialPadError::TooShort { min: 3 }));
        pad.paste("345");
        let n = PhoneNumber::parse("12345").unwrap();
        assert_eq!(pad.key(PadKey::Enter), KeyOutcome::Dial(n.clone()));
        assert_eq!(pad.enter(), Ok(n));
        assert_eq!(
            pad.text(),
            "12345",
            "Enter leaves the text for the call screen"
        );
        pad.clear();
        assert!(pad.is_empty());
        assert_eq!(pad.cursor(), 0);
    }

    #[test]
    fn debug_does_not_show_the_number() {
        let pad = DialPad::with_text("13800138000");
        assert!(!format!("{pad:?}").contains("138"));
    }
}
