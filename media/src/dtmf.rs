//! RFC 4733 telephone events (DTMF digits in RTP): sending a digit as a start packet,
//! updates and three end packets that share one timestamp, and receiving them with each
//! digit reported once however many of its packets arrive.
//!
//! The events travel in the audio stream's SSRC and sequence space with their own
//! payload type (`telephone-event/8000`, usually 101), so the sender drives the same
//! [`RtpSender`] as the audio and the receiver sees them before the jitter buffer.

use crate::rtp::{RtpPacket, RtpSender};
use bytes::Bytes;

/// Why a telephone-event payload was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DtmfError {
    /// An event payload is exactly 4 bytes (several events in one packet are not used).
    #[error("telephone-event payload of {0} bytes, expected 4")]
    WrongLength(usize),
    /// An event code that is not a DTMF digit (0-15), e.g. 16 (flash) or a tone.
    #[error("telephone event {0} is not a DTMF digit")]
    NotADigit(u8),
    /// A character that is not 0-9, *, #, A-D.
    #[error("{0:?} is not a DTMF digit")]
    BadDigit(char),
}

/// One DTMF key: `0`-`9`, `*`, `#`, `A`-`D` (RFC 4733 §3.2 events 0-15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct DtmfDigit(char);

impl DtmfDigit {
    /// The digit for a key character (lowercase a-d accepted).
    pub fn new(key: char) -> Result<Self, DtmfError> {
        let key = key.to_ascii_uppercase();
        match key {
            '0'..='9' | '*' | '#' | 'A'..='D' => Ok(DtmfDigit(key)),
            other => Err(DtmfError::BadDigit(other)),
        }
    }

    /// The key character.
    pub fn key(self) -> char {
        self.0
    }

    /// The RFC 4733 event code.
    pub fn event_code(self) -> u8 {
        match self.0 {
            '*' => 10,
            '#' => 11,
            'A'..='D' => 12 + (self.0 as u8 - b'A'),
            d => d as u8 - b'0',
        }
    }

    /// The digit for an event code.
    pub fn from_event_code(code: u8) -> Result<Self, DtmfError> {
        let key = match code {
            0..=9 => char::from(b'0' + code),
            10 => '*',
            11 => '#',
            12..=15 => char::from(b'A' + code - 12),
            other => return Err(DtmfError::NotADigit(other)),
        };
        Ok(DtmfDigit(key))
    }
}

/// The 4-byte telephone-event payload (RFC 4733 §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TelephoneEvent {
    /// The key.
    pub digit: DtmfDigit,
    /// The E bit: this is (a copy of) the event's last packet.
    pub end: bool,
    /// Power level in -dBm0, 0..=63 (10 is typical).
    pub volume: u8,
    /// Duration so far, in RTP timestamp units from the event's timestamp.
    pub duration: u16,
}

impl TelephoneEvent {
    /// Parses a payload. Never panics.
    pub fn parse(payload: &[u8]) -> Result<Self, DtmfError> {
        let [code, flags, hi, lo] = payload else {
            return Err(DtmfError::WrongLength(payload.len()));
        };
        Ok(TelephoneEvent {
            digit: DtmfDigit::from_event_code(*code)?,
            end: flags & 0x80 != 0,
            volume: flags & 0x3F,
            duration: u16::from_be_bytes([*hi, *lo]),
        })
    }

    /// The payload bytes (R bit 0).
    pub fn to_bytes(&self) -> [u8; 4] {
        let [hi, lo] = self.duration.to_be_bytes();
        [
            self.digit.event_code(),
            (u8::from(self.end) << 7) | (self.volume & 0x3F),
            hi,
            lo,
        ]
    }
}

/// Copies of the end packet sent (RFC 4733 §2.5.1.4 recommends three).
pub const END_PACKETS: u32 = 3;
/// A digit's tone length if the caller has no preference.
pub const DEFAULT_DIGIT_FRAMES: u32 = 5; // 100 ms
/// Volume sent: -10 dBm0.
const VOLUME: u8 = 10;

/// Sends one digit, one packet per 20 ms tick in place of the audio frame.
#[derive(Debug, Clone)]
pub struct DtmfSender {
    digit: DtmfDigit,
    payload_type: u8,
    /// How many 20 ms frames the tone lasts.
    frames: u32,
    /// The event's timestamp: the media timestamp when it started.
    timestamp: u32,
    /// Ticks done so far.
    tick: u32,
}

impl DtmfSender {
    /// Starts `digit` now, lasting `frames` x 20 ms (at least 2), on the stream `rtp`.
    pub fn new(digit: DtmfDigit, payload_type: u8, frames: u32, rtp: &RtpSender) -> Self {
        DtmfSender {
            digit,
            payload_type,
            frames: frames.max(2),
            timestamp: rtp.next_timestamp(),
            tick: 0,
        }
    }

    /// Whether every packet has been sent.
    pub fn is_done(&self) -> bool {
        self.tick >= self.frames + END_PACKETS - 1
    }

    /// The packet for this 20 ms tick (send it instead of audio), or `None` when the
    /// digit is done and audio resumes. Each tick moves `rtp`'s media clock on one frame
    /// without an audio packet, so audio after the digit starts a new talkspurt.
    pub fn next_packet(&mut self, rtp: &mut RtpSender) -> Option<RtpPacket> {
        if self.is_done() {
            return None;
        }
        let step = rtp.timestamp_step();
        let elapsed = (self.tick + 1).min(self.frames);
        let end = self.tick + 1 >= self.frames;
        let event = TelephoneEvent {
            digit: self.digit,
            end,
            volume: VOLUME,
            duration: (elapsed * step).min(u32::from(u16::MAX)) as u16,
        };
        let marker = self.tick == 0;
        // End retransmissions go out after the tone's own frames: audio is back by then,
        // so only the tone's frames replace audio.
        if self.tick < self.frames {
            rtp.skip_frame();
        }
        self.tick += 1;
        Some(rtp.packet(
            self.payload_type,
            marker,
            self.timestamp,
            Bytes::copy_from_slice(&event.to_bytes()),
        ))
    }
}

/// A digit received, reported once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceivedDigit {
    /// The key pressed.
    pub digit: DtmfDigit,
    /// The event's RTP timestamp (its start).
    pub timestamp: u32,
}

/// Turns incoming telephone-event packets into digits, once per event.
#[derive(Debug, Clone, Default)]
pub struct DtmfReceiver {
    /// (SSRC, timestamp) of the last event reported: all its packets share them.
    last_event: Option<(u32, u32)>,
}

impl DtmfReceiver {
    /// A receiver that has seen nothing.
    pub fn new() -> Self {
        DtmfReceiver::default()
    }

    /// Feeds one telephone-event packet. Returns the digit the first time its event is
    /// seen (start, update or end packet, whichever arrives first), `None` for the rest.
    pub fn on_packet(&mut self, packet: &RtpPacket) -> Result<Option<ReceivedDigit>, DtmfError> {
        let event = TelephoneEvent::parse(&packet.payload)?;
        let key = (packet.ssrc, packet.timestamp);
        if self.last_event == Some(key) {
            return Ok(None);
        }
        self.last_event = Some(key);
        Ok(Some(ReceivedDigit {
            digit: event.digit,
            timestamp: packet.timestamp,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digit(c: char) -> DtmfDigit {
        DtmfDigit::new(c).expect("digit")
    }

    #[test]
    fn codes_round_trip() {
        for (c, code) in [
            ('0', 0),
            ('9', 9),
            ('*', 10),
            ('#', 11),
            ('A', 12),
            ('d', 15),
        ] {
            assert_eq!(digit(c).event_code(), code);
            assert_eq!(DtmfDigit::from_event_code(code), Ok(digit(c)));
        }
        assert_eq!(DtmfDigit::new('x'), Err(DtmfError::BadDigit('X')));
        assert_eq!(
            DtmfDigit::from_event_code(16),
            Err(DtmfError::NotADigit(16))
        );
    }

    #[test]
    fn a_digit_is_start_updates_and_three_ends_on_one_timestamp() {
        let mut rtp = RtpSender::new(5, 0, 8000, 100, 16_000);
        let mut tx = DtmfSender::new(digit('5'), 101, 5, &rtp);
        let packets: Vec<RtpPacket> = std::iter::from_fn(|| tx.next_packet(&mut rtp)).collect();
        assert_eq!(packets.len(), 5 + 2);
        assert!(packets
            .iter()
            .all(|p| p.timestamp == 16_000 && p.payload_type == 101));
        assert!(packets[0].marker && packets[1..].iter().all(|p| !p.marker));
        let seqs: Vec<u16> = packets.iter().map(|p| p.sequence).collect();
        assert_eq!(seqs, (100..107).collect::<Vec<_>>());
        let events: Vec<TelephoneEvent> = packets
            .iter()
            .map(|p| TelephoneEvent::parse(&p.payload).expect("event"))
            .collect();
        let durations: Vec<u16> = events.iter().map(|e| e.duration).collect();
        assert_eq!(durations, [160, 320, 480, 640, 800, 800, 800]);
        let ends = events.iter().filter(|e| e.end).count();
        assert_eq!(ends, 3);
        assert!(events[..4].iter().all(|e| !e.end));
        // The audio clock moved on by the tone's five frames; audio restarts marked.
        assert_eq!(rtp.next_timestamp(), 16_000 + 5 * 160);
        let audio = rtp.packetize(vec![0u8; 160]);
        assert!(audio.marker);
        assert_eq!(audio.sequence, 107);
    }

    #[test]
    fn receiver_reports_each_digit_once_even_with_loss_and_repeats() {
        let mut rtp = RtpSender::new(5, 0, 8000, 0, 0);
        let mut rx = DtmfReceiver::new();
        let mut got = Vec::new();
        for (i, key) in "12#".chars().enumerate() {
            let mut tx = DtmfSender::new(digit(key), 101, 4, &rtp);
            let packets: Vec<RtpPacket> = std::iter::from_fn(|| tx.next_packet(&mut rtp)).collect();
            for (j, p) in packets.iter().enumerate() {
                // Lose the first two packets of the second digit.
                if i == 1 && j < 2 {
                    continue;
                }
                got.extend(rx.on_packet(p).expect("valid"));
                // Duplicates change nothing.
                assert_eq!(rx.on_packet(p), Ok(None));
            }
            // Audio between digits.
            rtp.packetize(vec![0u8; 160]);
        }
        let keys: String = got.iter().map(|d| d.digit.key()).collect();
        assert_eq!(keys, "12#");
        // The same digit twice in a row is two events (different timestamps).
        let mut tx = DtmfSender::new(digit('#'), 101, 2, &rtp);
        let p = tx.next_packet(&mut rtp).expect("packet");
        assert!(rx.on_packet(&p).expect("valid").is_some());
    }

    #[test]
    fn bad_payloads_are_typed_errors() {
        let mut rx = DtmfReceiver::new();
        let mut p = RtpSender::new(1, 0, 8000, 0, 0).packet(101, true, 0, vec![1u8, 0, 0]);
        assert_eq!(rx.on_packet(&p), Err(DtmfError::WrongLength(3)));
        p.payload = Bytes::from_static(&[16, 0x8A, 0, 160]);
        assert_eq!(rx.on_packet(&p), Err(DtmfError::NotADigit(16)));
        p.payload = Bytes::new();
        assert_eq!(rx.on_packet(&p), Err(DtmfError::WrongLength(0)));
        let e = TelephoneEvent::parse(&[11, 0x8A, 0x03, 0x20]).expect("valid");
        assert_eq!(
            (e.digit.key(), e.end, e.volume, e.duration),
            ('#', true, 10, 800)
        );
        assert_eq!(e.to_bytes(), [11, 0x8A, 0x03, 0x20]);
    }
}
