//! G.711 μ-law (PCMU) and A-law (PCMA), the telephone network's codecs: one byte per
//! sample at 8 kHz. The per-sample tables come from `audio-codec-algorithms` (ADR 0008);
//! this module only maps whole buffers.

use audio_codec_algorithms::{decode_alaw, decode_ulaw, encode_alaw, encode_ulaw};

/// The two G.711 companding laws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Law {
    /// μ-law, RTP payload type 0 (PCMU): North America and Japan.
    Ulaw,
    /// A-law, RTP payload type 8 (PCMA): Europe, China and most trunks elsewhere.
    Alaw,
}

/// Encodes linear 16-bit samples, one byte each.
pub fn encode(law: Law, samples: &[i16]) -> Vec<u8> {
    match law {
        Law::Ulaw => samples.iter().map(|&s| encode_ulaw(s)).collect(),
        Law::Alaw => samples.iter().map(|&s| encode_alaw(s)).collect(),
    }
}

/// Decodes G.711 bytes to linear 16-bit samples. Every byte value is a valid code, so
/// this cannot fail.
pub fn decode(law: Law, bytes: &[u8]) -> Vec<i16> {
    match law {
        Law::Ulaw => bytes.iter().map(|&b| decode_ulaw(b)).collect(),
        Law::Alaw => bytes.iter().map(|&b| decode_alaw(b)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known values from ITU-T G.711 (Tables 1a/2a) as produced by the reference
    // implementation (G.191 g711.c): silence codes, full-scale codes and their decodes.
    #[test]
    fn ulaw_known_values() {
        assert_eq!(encode(Law::Ulaw, &[0]), [0xFF]);
        assert_eq!(encode(Law::Ulaw, &[-1]), [0x7F]);
        assert_eq!(encode(Law::Ulaw, &[i16::MAX]), [0x80]);
        assert_eq!(encode(Law::Ulaw, &[i16::MIN]), [0x00]);
        assert_eq!(
            decode(Law::Ulaw, &[0xFF, 0x7F, 0x80, 0x00]),
            [0, 0, 32124, -32124]
        );
        assert_eq!(decode(Law::Ulaw, &[0xEF]), [132]);
    }

    #[test]
    fn alaw_known_values() {
        assert_eq!(encode(Law::Alaw, &[0]), [0xD5]);
        assert_eq!(encode(Law::Alaw, &[-1]), [0x55]);
        assert_eq!(encode(Law::Alaw, &[i16::MAX]), [0xAA]);
        assert_eq!(encode(Law::Alaw, &[i16::MIN]), [0x2A]);
        assert_eq!(
            decode(Law::Alaw, &[0xD5, 0x55, 0xAA, 0x2A]),
            [8, -8, 32256, -32256]
        );
    }

    #[test]
    fn round_trip_error_stays_within_the_segment_step() {
        for law in [Law::Ulaw, Law::Alaw] {
            for s in (i16::MIN..=i16::MAX).step_by(7) {
                let back = decode(law, &encode(law, &[s]))[0];
                // The largest quantization step of G.711 is 1024 (top segment): half of it
                // plus the bias is the worst error.
                let err = (i32::from(back) - i32::from(s)).abs();
                let allowed = (i32::from(s).abs() / 16).max(16);
                assert!(err <= allowed, "{law:?} {s} -> {back}");
            }
        }
    }
}
