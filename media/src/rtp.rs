//! RTP (RFC 3550) packets: building them for a stream we send, parsing what arrives.
//!
//! The wire format is `rtc-rtp`'s (webrtc-rs, ADR 0007/0008); this module adds what a
//! voice stream needs on top: a sender that numbers packets and advances the media
//! timestamp one frame at a time, the marker bit at the start of each talkspurt, and
//! parsing that checks the version and padding and reports a typed error.

use bytes::Bytes;
use rtc_rtp::header::Header;
use rtc_rtp::packet::Packet;
// rtc-rtp does not re-export its marshal traits and error; they live in `rtc-shared`.
use rtc_shared::marshal::{Marshal, Unmarshal};

/// Why bytes are not an RTP packet we can use.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RtpError {
    /// Fewer bytes than the fixed header plus its CSRC list.
    #[error("packet shorter than its RTP header")]
    Truncated,
    /// The header extension runs past the end of the packet.
    #[error("RTP header extension runs past the end of the packet")]
    TruncatedExtension,
    /// The version bits are not 2 (e.g. a STUN or DTLS packet on the same port).
    #[error("RTP version {0}, expected 2")]
    BadVersion(u8),
    /// The padding count is zero or longer than the payload.
    #[error("bad RTP padding")]
    BadPadding,
    /// Anything else the parser refused.
    #[error("malformed RTP packet: {0}")]
    Malformed(String),
}

impl From<rtc_shared::error::Error> for RtpError {
    fn from(e: rtc_shared::error::Error) -> Self {
        use rtc_shared::error::Error as E;
        match e {
            E::ErrHeaderSizeInsufficient => RtpError::Truncated,
            E::ErrHeaderSizeInsufficientForExtension => RtpError::TruncatedExtension,
            E::ErrShortPacket => RtpError::BadPadding,
            other => RtpError::Malformed(other.to_string()),
        }
    }
}

/// The fields of an RTP packet a voice stream uses. CSRCs and header extensions are
/// accepted when parsing but not kept: nothing in Seatline mixes or reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPacket {
    /// RTP payload type (0 PCMU, 8 PCMA, dynamic for Opus and telephone events).
    pub payload_type: u8,
    /// Set on the first packet of a talkspurt (RFC 3551 §4.1) or of a DTMF event.
    pub marker: bool,
    /// Sequence number, +1 per packet sent (wraps).
    pub sequence: u16,
    /// Media timestamp in the codec's clock (8 kHz for G.711, 48 kHz for Opus).
    pub timestamp: u32,
    /// The stream's synchronization source.
    pub ssrc: u32,
    /// The codec payload, padding removed.
    pub payload: Bytes,
}

/// RTP's version number, the top two bits of every packet.
const RTP_VERSION: u8 = 2;

impl RtpPacket {
    /// Parses one datagram. Never panics; every refusal is a typed [`RtpError`].
    pub fn parse(bytes: &[u8]) -> Result<Self, RtpError> {
        let Some(&first) = bytes.first() else {
            return Err(RtpError::Truncated);
        };
        let version = first >> 6;
        if version != RTP_VERSION {
            return Err(RtpError::BadVersion(version));
        }
        // rtc-rtp accepts a padding count of 0, which RFC 3550 §5.1 rules out (the count
        // includes itself).
        let padded = first & 0x20 != 0;
        if padded && bytes.last() == Some(&0) {
            return Err(RtpError::BadPadding);
        }
        let mut buf = bytes;
        let packet = Packet::unmarshal(&mut buf)?;
        Ok(RtpPacket {
            payload_type: packet.header.payload_type,
            marker: packet.header.marker,
            sequence: packet.header.sequence_number,
            timestamp: packet.header.timestamp,
            ssrc: packet.header.ssrc,
            payload: packet.payload,
        })
    }

    /// The packet on the wire: a 12-byte header and the payload.
    pub fn to_bytes(&self) -> Vec<u8> {
        let packet = Packet {
            header: Header {
                version: RTP_VERSION,
                marker: self.marker,
                payload_type: self.payload_type & 0x7F,
                sequence_number: self.sequence,
                timestamp: self.timestamp,
                ssrc: self.ssrc,
                ..Header::default()
            },
            payload: self.payload.clone(),
        };
        match packet.marshal() {
            Ok(bytes) => bytes.to_vec(),
            // Marshal only fails on a too-small buffer, which `marshal` sizes itself;
            // fall back to writing the plain header by hand rather than panicking.
            Err(_) => self.to_bytes_by_hand(),
        }
    }

    fn to_bytes_by_hand(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.payload.len());
        out.push(RTP_VERSION << 6);
        out.push((u8::from(self.marker) << 7) | (self.payload_type & 0x7F));
        out.extend_from_slice(&self.sequence.to_be_bytes());
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        out.extend_from_slice(&self.payload);
        out
    }
}

/// Numbers and stamps the packets of one outgoing stream (one SSRC).
///
/// The caller picks the SSRC and the random initial sequence number and timestamp
/// (RFC 3550 §5.1 wants them random; this crate has no randomness of its own).
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: u32,
    payload_type: u8,
    /// Timestamp units per 20 ms frame: 160 at 8 kHz, 960 at 48 kHz.
    timestamp_step: u32,
    next_sequence: u16,
    next_timestamp: u32,
    /// The next media packet starts a talkspurt and carries the marker bit.
    talkspurt_start: bool,
}

impl RtpSender {
    /// A sender for `payload_type` at `clock_rate` Hz, starting at the given sequence
    /// number and timestamp.
    pub fn new(
        ssrc: u32,
        payload_type: u8,
        clock_rate: u32,
        first_sequence: u16,
        first_timestamp: u32,
    ) -> Self {
        RtpSender {
            ssrc,
            payload_type,
            timestamp_step: clock_rate * crate::FRAME_MS / 1000,
            next_sequence: first_sequence,
            next_timestamp: first_timestamp,
            talkspurt_start: true,
        }
    }

    /// The stream's SSRC.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The timestamp the next frame will carry.
    pub fn next_timestamp(&self) -> u32 {
        self.next_timestamp
    }

    /// Timestamp units per 20 ms frame.
    pub fn timestamp_step(&self) -> u32 {
        self.timestamp_step
    }

    /// Wraps one frame's encoded payload and advances sequence and timestamp.
    pub fn packetize(&mut self, payload: impl Into<Bytes>) -> RtpPacket {
        let marker = std::mem::take(&mut self.talkspurt_start);
        let packet = self.packet(self.payload_type, marker, self.next_timestamp, payload);
        self.next_timestamp = self.next_timestamp.wrapping_add(self.timestamp_step);
        packet
    }

    /// A frame that is not sent (silence suppression, mute, hold): the timestamp moves on,
    /// the sequence does not (RFC 3550 §5.1), and the next packet starts a talkspurt.
    pub fn skip_frame(&mut self) {
        self.next_timestamp = self.next_timestamp.wrapping_add(self.timestamp_step);
        self.talkspurt_start = true;
    }

    /// Another payload type in the same stream (RFC 4733 telephone events): takes the next
    /// sequence number, but the caller chooses marker and timestamp, and the media
    /// timestamp does not advance.
    pub fn packet(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: impl Into<Bytes>,
    ) -> RtpPacket {
        let sequence = self.next_sequence;
        self.next_sequence = self.next_sequence.wrapping_add(1);
        RtpPacket {
            payload_type,
            marker,
            sequence,
            timestamp,
            ssrc: self.ssrc,
            payload: payload.into(),
        }
    }

    /// Moves the media clock on by `frames` without sending (e.g. while DTMF events
    /// replaced the audio).
    pub fn advance(&mut self, frames: u32) {
        self.next_timestamp = self
            .next_timestamp
            .wrapping_add(self.timestamp_step.wrapping_mul(frames));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn sender_numbers_stamps_and_marks() {
        let mut s = RtpSender::new(0x1234_5678, 0, 8000, 65535, u32::MAX - 100);
        let a = s.packetize(vec![1u8; 160]);
        let b = s.packetize(vec![2u8; 160]);
        assert!(a.marker && !b.marker);
        assert_eq!((a.sequence, b.sequence), (65535, 0)); // wraps
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160)); // wraps too
        s.skip_frame();
        let c = s.packetize(vec![3u8; 160]);
        assert!(c.marker, "a new talkspurt after silence is marked");
        assert_eq!(c.sequence, 1, "skipped frames use no sequence number");
        assert_eq!(c.timestamp, b.timestamp.wrapping_add(320));
        let opus = RtpSender::new(1, 111, 48000, 0, 0);
        assert_eq!(opus.timestamp_step(), 960);
    }

    #[test]
    fn packets_round_trip_through_bytes() {
        let mut s = RtpSender::new(42, 8, 8000, 7, 1000);
        let p = s.packetize(vec![0xD5u8; 160]);
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), 12 + 160);
        assert_eq!(bytes[0], 0x80);
        assert_eq!(bytes[1], 0x80 | 8);
        assert_eq!(RtpPacket::parse(&bytes), Ok(p.clone()));
        assert_eq!(bytes, p.to_bytes_by_hand());
    }

    #[test]
    fn parses_csrcs_extension_and_padding() {
        // V=2 P=1 X=1 CC=1, PT 0, seq 1, ts 2, ssrc 3, one CSRC, RFC 3550 extension of
        // one word, payload [9, 9], then 2 bytes of padding.
        let mut b = vec![0xB1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        b.extend([0, 0, 0, 4]); // CSRC
        b.extend([0x12, 0x34, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD]); // extension
        b.extend([9, 9, 0, 2]); // payload + padding
        let p = RtpPacket::parse(&b).expect("valid");
        assert_eq!((p.sequence, p.timestamp, p.ssrc), (1, 2, 3));
        assert_eq!(&p.payload[..], &[9, 9]);
    }

    #[test]
    fn malformed_packets_are_typed_errors() {
        assert_eq!(RtpPacket::parse(&[]), Err(RtpError::Truncated));
        assert_eq!(RtpPacket::parse(&[0x80, 0, 0, 1]), Err(RtpError::Truncated));
        // CC says 15 CSRCs but none follow.
        let mut b = vec![0x8F, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        assert_eq!(RtpPacket::parse(&b), Err(RtpError::Truncated));
        // Extension bit with no extension header.
        b[0] = 0x90;
        assert_eq!(RtpPacket::parse(&b), Err(RtpError::TruncatedExtension));
        // Extension claims 100 words.
        b.extend([0xBE, 0xDE, 0, 100]);
        assert_eq!(RtpPacket::parse(&b), Err(RtpError::TruncatedExtension));
        // Version 0 (a STUN binding request starts with 0x00 0x01).
        assert_eq!(
            RtpPacket::parse(&[0x00, 0x01, 0, 0, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0]),
            Err(RtpError::BadVersion(0))
        );
        // Padding count longer than the payload, and a zero padding count.
        let mut p = vec![0xA0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 200];
        assert_eq!(RtpPacket::parse(&p), Err(RtpError::BadPadding));
        p[13] = 0;
        assert_eq!(RtpPacket::parse(&p), Err(RtpError::BadPadding));
        // Padding flag with no payload at all.
        assert!(RtpPacket::parse(&p[..12]).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3550);
        let mut valid = RtpSender::new(9, 0, 8000, 0, 0)
            .packetize(vec![0u8; 20])
            .to_bytes();
        for round in 0..20_000 {
            let len = rng.gen_range(0..64);
            let bytes: Vec<u8> = if round % 2 == 0 {
                (0..len).map(|_| rng.gen()).collect()
            } else {
                // Mostly valid, a few bits flipped and maybe truncated: reaches deeper.
                let i = rng.gen_range(0..valid.len());
                valid[i] ^= 1 << rng.gen_range(0..8);
                valid[0] = (valid[0] & 0x3F) | 0x80;
                valid[..len.min(valid.len())].to_vec()
            };
            let _ = RtpPacket::parse(&bytes);
        }
        valid.clear();
    }
}
