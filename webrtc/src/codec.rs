//! The audio codecs a leg can carry and how they are registered with `rtc`'s media engine.
//!
//! Payload types follow Chromium's offers (Opus 111, telephone-event 110/126) so that an answer
//! to our offer and our answer to a browser's offer use the same numbers; the answer always
//! uses the offerer's numbers anyway.

use rtc::peer_connection::configuration::media_engine::{
    MediaEngine, MIME_TYPE_OPUS, MIME_TYPE_PCMU, MIME_TYPE_TELEPHONE_EVENT,
};
use rtc::rtp_transceiver::rtp_sender::{RTCRtpCodec, RTCRtpCodecParameters, RtpCodecKind};

/// An audio codec the leg can negotiate. The leg only moves payloads; encoding is the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioCodec {
    /// Opus, 48 kHz RTP clock, `minptime=10;useinbandfec=1` (the receiver wants in-band FEC).
    Opus,
    /// G.711 µ-law, 8 kHz: the fallback every SIP trunk has.
    Pcmu,
}

impl AudioCodec {
    /// RTP clock rate: the unit of `samples` in `send_audio` and of RTP timestamps.
    pub fn clock_rate(self) -> u32 {
        match self {
            AudioCodec::Opus => 48_000,
            AudioCodec::Pcmu => 8_000,
        }
    }

    pub(crate) fn mime_type(self) -> &'static str {
        match self {
            AudioCodec::Opus => MIME_TYPE_OPUS,
            AudioCodec::Pcmu => MIME_TYPE_PCMU,
        }
    }

    /// Recognises the codec from a MIME type (`audio/opus`) or an SDP encoding name (`opus`).
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        let name = name.strip_prefix("audio/").unwrap_or(name);
        if name.eq_ignore_ascii_case("opus") {
            Some(AudioCodec::Opus)
        } else if name.eq_ignore_ascii_case("PCMU") {
            Some(AudioCodec::Pcmu)
        } else {
            None
        }
    }

    fn parameters(self) -> RTCRtpCodecParameters {
        let (channels, fmtp, payload_type) = match self {
            // Opus is always signalled as 2 channels (RFC 7587); we send mono in it.
            AudioCodec::Opus => (2, "minptime=10;useinbandfec=1", 111),
            AudioCodec::Pcmu => (0, "", 0),
        };
        RTCRtpCodecParameters {
            rtp_codec: RTCRtpCodec {
                mime_type: self.mime_type().to_owned(),
                clock_rate: self.clock_rate(),
                channels,
                sdp_fmtp_line: fmtp.to_owned(),
                rtcp_feedback: vec![],
            },
            payload_type,
        }
    }

    pub(crate) fn rtp_codec(self) -> RTCRtpCodec {
        self.parameters().rtp_codec
    }
}

/// `telephone-event` (RFC 4733) for one clock rate: it must match the audio codec's clock, so
/// one is registered per codec clock.
fn telephone_event(clock_rate: u32, payload_type: u8) -> RTCRtpCodecParameters {
    RTCRtpCodecParameters {
        rtp_codec: RTCRtpCodec {
            mime_type: MIME_TYPE_TELEPHONE_EVENT.to_owned(),
            clock_rate,
            channels: 0,
            sdp_fmtp_line: "0-16".to_owned(),
            rtcp_feedback: vec![],
        },
        payload_type,
    }
}

/// Our codecs in preference order, then a telephone-event per distinct clock rate.
pub(crate) fn parameters(codecs: &[AudioCodec]) -> Vec<RTCRtpCodecParameters> {
    let mut all: Vec<RTCRtpCodecParameters> = codecs.iter().map(|c| c.parameters()).collect();
    if codecs.contains(&AudioCodec::Opus) {
        all.push(telephone_event(48_000, 110));
    }
    if codecs.contains(&AudioCodec::Pcmu) {
        all.push(telephone_event(8_000, 126));
    }
    all
}

/// Registers [`parameters`] with the media engine; its order is the offer's order.
pub(crate) fn register(
    media_engine: &mut MediaEngine,
    codecs: &[AudioCodec],
) -> Result<(), rtc::shared::error::Error> {
    for p in parameters(codecs) {
        media_engine.register_codec(p, RtpCodecKind::Audio)?;
    }
    Ok(())
}

pub(crate) fn is_telephone_event(mime_type: &str) -> bool {
    mime_type.eq_ignore_ascii_case(MIME_TYPE_TELEPHONE_EVENT)
}
