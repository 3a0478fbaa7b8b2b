//! Voice codecs behind one interface: Opus (WebRTC leg) and G.711 μ-law/A-law (SIP trunk
//! leg), 20 ms per packet.
//!
//! An [`Encoder`] takes frames at whatever rate the caller has and resamples them to the
//! codec's rate; a [`Decoder`] gives frames at the rate the caller asks for. Loss is
//! handled here too: [`Decoder::conceal`] fills a lost frame (Opus's own PLC, or
//! repeat-and-fade for G.711) and [`Decoder::decode_fec`] recovers a lost Opus frame from
//! the in-band FEC carried in the packet after it.

use crate::frame::{AudioFrame, SampleRate};
use crate::g711::{self, Law};
use crate::resample::{ResampleError, Resampler};

/// The codecs Seatline speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Codec {
    /// Opus at 48 kHz mono, in-band FEC (RFC 7587). Dynamic payload type, negotiated.
    Opus,
    /// G.711 μ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl Codec {
    /// The payload type to offer: the static ones for G.711, and 111 for Opus (the value
    /// browsers use; the SDP answer decides the real one).
    pub const fn default_payload_type(self) -> u8 {
        match self {
            Codec::Opus => 111,
            Codec::Pcmu => 0,
            Codec::Pcma => 8,
        }
    }

    /// The RTP timestamp clock in Hz (Opus always counts 48 kHz, RFC 7587 §4.1).
    pub const fn clock_rate(self) -> u32 {
        self.sample_rate().hz()
    }

    /// The rate the codec itself encodes at.
    pub const fn sample_rate(self) -> SampleRate {
        match self {
            Codec::Opus => SampleRate::Hz48000,
            Codec::Pcmu | Codec::Pcma => SampleRate::Hz8000,
        }
    }

    /// RTP timestamp units per 20 ms packet.
    pub const fn timestamp_step(self) -> u32 {
        self.clock_rate() * crate::FRAME_MS / 1000
    }

    /// The encoding name in SDP `a=rtpmap` (`opus/48000/2`, `PCMU/8000`, `PCMA/8000`).
    pub const fn encoding_name(self) -> &'static str {
        match self {
            Codec::Opus => "opus",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The codec for an SDP encoding name, ignoring case.
    pub fn from_encoding_name(name: &str) -> Option<Codec> {
        [Codec::Opus, Codec::Pcmu, Codec::Pcma]
            .into_iter()
            .find(|c| c.encoding_name().eq_ignore_ascii_case(name))
    }

    fn law(self) -> Option<Law> {
        match self {
            Codec::Opus => None,
            Codec::Pcmu => Some(Law::Ulaw),
            Codec::Pcma => Some(Law::Alaw),
        }
    }
}

/// Why a frame could not be encoded or a payload decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CodecError {
    /// The frame could not be brought to the codec's rate.
    #[error(transparent)]
    Resample(#[from] ResampleError),
    /// A G.711 payload that is not 20 ms (160 bytes): the SDP asked for `ptime:20`.
    #[error("G.711 payload of {0} bytes, 20 ms is 160")]
    WrongPayloadLength(usize),
    /// libopus refused a setting or a packet (corrupt payload, wrong duration).
    #[error("opus: {0}")]
    Opus(String),
}

/// Encodes 20 ms frames for one outgoing stream.
#[derive(Debug)]
pub struct Encoder {
    codec: Codec,
    /// Made on the first frame at another rate than the codec's, kept for its filter state.
    resampler: Option<Resampler>,
}

impl Encoder {
    /// An encoder for `codec` with Seatline's settings (see the module docs).
    pub fn new(codec: Codec) -> Result<Self, CodecError> {
        match codec {
            Codec::Opus => Err(CodecError::Opus("not yet available".into())),
            Codec::Pcmu | Codec::Pcma => Ok(Encoder {
                codec,
                resampler: None,
            }),
        }
    }

    /// The codec this encoder produces.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// One RTP payload for one 20 ms frame at any [`SampleRate`].
    pub fn encode(&mut self, frame: &AudioFrame) -> Result<Vec<u8>, CodecError> {
        let at_rate = to_rate(&mut self.resampler, frame, self.codec.sample_rate())?;
        match self.codec.law() {
            Some(law) => Ok(g711::encode(law, &at_rate.samples)),
            None => Err(CodecError::Opus("not yet available".into())),
        }
    }
}

/// How much each successive concealed G.711 frame is turned down: after three lost frames
/// (60 ms) the repeat has faded to silence, so a long gap does not buzz.
const G711_FADE_PER_FRAME: f32 = 1.0 / 3.0;

/// Decodes one incoming stream's payloads to 20 ms frames at a chosen rate.
#[derive(Debug)]
pub struct Decoder {
    codec: Codec,
    output_rate: SampleRate,
    resampler: Option<Resampler>,
    /// The last frame decoded at the codec's rate, for G.711 repeat-and-fade.
    last: Option<Vec<i16>>,
    /// How many frames in a row have been concealed.
    concealed_run: u32,
}

impl Decoder {
    /// A decoder that outputs frames at the codec's own rate.
    pub fn new(codec: Codec) -> Result<Self, CodecError> {
        Self::with_output_rate(codec, codec.sample_rate())
    }

    /// A decoder that outputs frames at `output_rate` (e.g. 48 kHz for a sound card
    /// from a G.711 trunk).
    pub fn with_output_rate(codec: Codec, output_rate: SampleRate) -> Result<Self, CodecError> {
        if codec == Codec::Opus {
            return Err(CodecError::Opus("not yet available".into()));
        }
        Ok(Decoder {
            codec,
            output_rate,
            resampler: None,
            last: None,
            concealed_run: 0,
        })
    }

    /// The codec this decoder reads.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Decodes one payload, or conceals a lost frame when `payload` is `None`.
    pub fn decode(&mut self, payload: Option<&[u8]>) -> Result<AudioFrame, CodecError> {
        let Some(payload) = payload else {
            return self.conceal();
        };
        let samples = match self.codec.law() {
            Some(law) => {
                let expected = SampleRate::Hz8000.samples_per_frame();
                if payload.len() != expected {
                    return Err(CodecError::WrongPayloadLength(payload.len()));
                }
                g711::decode(law, payload)
            }
            None => return Err(CodecError::Opus("not yet available".into())),
        };
        self.concealed_run = 0;
        self.last = Some(samples.clone());
        self.output(samples)
    }

    /// A frame to play in place of a lost one: repeat-and-fade of the last frame for
    /// G.711, Opus's packet loss concealment for Opus.
    pub fn conceal(&mut self) -> Result<AudioFrame, CodecError> {
        self.concealed_run = self.concealed_run.saturating_add(1);
        let samples = match &self.last {
            Some(last) => repeat_and_fade(last, self.concealed_run),
            None => vec![0; self.codec.sample_rate().samples_per_frame()],
        };
        self.output(samples)
    }

    /// Recovers the lost frame just before `next_payload` from the in-band FEC that
    /// `next_payload` carries (Opus). G.711 has no FEC: this conceals. Call it in place of
    /// [`Decoder::conceal`] when the jitter buffer already holds the next packet, then
    /// decode `next_payload` itself as usual.
    pub fn decode_fec(&mut self, next_payload: &[u8]) -> Result<AudioFrame, CodecError> {
        let _ = next_payload;
        self.conceal()
    }

    fn output(&mut self, samples: Vec<i16>) -> Result<AudioFrame, CodecError> {
        let frame = AudioFrame {
            rate: self.codec.sample_rate(),
            samples,
        };
        Ok(to_rate(&mut self.resampler, &frame, self.output_rate)?)
    }
}

/// The `run`-th concealed frame in a row: the last good frame, its gain ramping linearly
/// from `1 - (run-1)*fade` to `1 - run*fade` so there is no step at frame edges.
fn repeat_and_fade(last: &[i16], run: u32) -> Vec<i16> {
    let start = 1.0 - (run - 1) as f32 * G711_FADE_PER_FRAME;
    let end = 1.0 - run as f32 * G711_FADE_PER_FRAME;
    let n = last.len().max(1) as f32;
    last.iter()
        .enumerate()
        .map(|(i, &s)| {
            let gain = (start + (end - start) * i as f32 / n).max(0.0);
            (f32::from(s) * gain).round() as i16
        })
        .collect()
}

/// `frame` at `rate`, through a resampler made on first need and kept for its state.
fn to_rate(
    resampler: &mut Option<Resampler>,
    frame: &AudioFrame,
    rate: SampleRate,
) -> Result<AudioFrame, ResampleError> {
    if frame.rate == rate {
        return Ok(frame.clone());
    }
    let r = match resampler {
        Some(r) if r.input_rate() == frame.rate => r,
        _ => resampler.insert(Resampler::new(frame.rate, rate)),
    };
    r.process(frame)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::{dominant_frequency, level_dbfs, SineGenerator};

    #[test]
    fn codec_helpers() {
        assert_eq!(Codec::Pcmu.default_payload_type(), 0);
        assert_eq!(Codec::Pcma.default_payload_type(), 8);
        assert_eq!(Codec::Opus.clock_rate(), 48_000);
        assert_eq!(Codec::Pcma.timestamp_step(), 160);
        assert_eq!(Codec::Opus.timestamp_step(), 960);
        assert_eq!(Codec::from_encoding_name("pcmu"), Some(Codec::Pcmu));
        assert_eq!(Codec::from_encoding_name("G729"), None);
    }

    #[test]
    fn g711_from_48khz_and_back_keeps_a_tone() {
        for codec in [Codec::Pcmu, Codec::Pcma] {
            let mut enc = Encoder::new(codec).expect("encoder");
            let mut dec = Decoder::with_output_rate(codec, SampleRate::Hz48000).expect("dec");
            let mut g = SineGenerator::new(SampleRate::Hz48000, 1000.0, 0.5);
            let mut out = Vec::new();
            for _ in 0..20 {
                let payload = enc.encode(&g.next_frame()).expect("encode");
                assert_eq!(payload.len(), 160);
                out.extend(dec.decode(Some(&payload)).expect("decode").samples);
            }
            let tail = &out[960 * 4..];
            let f = dominant_frequency(tail, SampleRate::Hz48000, 100.0, 4000.0, 50.0);
            assert!((f - 1000.0).abs() <= 2.0, "{codec:?}: {f}");
            assert!((level_dbfs(tail) + 9.03).abs() < 0.5);
        }
    }

    #[test]
    fn g711_concealment_repeats_then_fades_to_silence() {
        let mut enc = Encoder::new(Codec::Pcmu).expect("encoder");
        let mut dec = Decoder::new(Codec::Pcmu).expect("decoder");
        let frame = SineGenerator::new(SampleRate::Hz8000, 400.0, 0.5).next_frame();
        let good = dec
            .decode(Some(&enc.encode(&frame).expect("e")))
            .expect("d");
        let first = dec.conceal().expect("c");
        assert!(level_dbfs(&first.samples) > level_dbfs(&good.samples) - 4.0);
        let _second = dec.decode(None).expect("c");
        let third = dec.conceal().expect("c");
        assert!(level_dbfs(&third.samples) < level_dbfs(&good.samples) - 10.0);
        let fourth = dec.conceal().expect("c");
        assert!(fourth.samples.iter().all(|&s| s == 0));
        // A good frame resets the fade.
        dec.decode(Some(&enc.encode(&frame).expect("e")))
            .expect("d");
        assert!(level_dbfs(&dec.conceal().expect("c").samples) > -15.0);
    }

    #[test]
    fn bad_g711_payload_is_a_typed_error() {
        let mut dec = Decoder::new(Codec::Pcma).expect("decoder");
        assert_eq!(
            dec.decode(Some(&[0u8; 80])),
            Err(CodecError::WrongPayloadLength(80))
        );
        assert_eq!(
            dec.decode(Some(&[])),
            Err(CodecError::WrongPayloadLength(0))
        );
        // Before any packet, concealment is silence.
        assert_eq!(dec.conceal(), Ok(AudioFrame::silence(SampleRate::Hz8000)));
    }
}
