//! Checks a remote SDP before `rtc` sees it, so that bad input gets a precise, typed error and
//! leaves the leg untouched (DESIGN invariant 4). `rtc` would accept an offer without audio or
//! without a common codec and answer it with a rejected m-line; for a phone leg that is an error.

use std::io::Cursor;

use rtc::sdp::description::media::MediaDescription;
use rtc::sdp::description::session::SessionDescription;

use crate::codec::AudioCodec;
use crate::error::LegError;

/// Parses `sdp` and checks it describes a WebRTC audio leg we can talk to. Returns our codecs
/// that the remote side also has, in the remote side's order.
pub(crate) fn check_remote(sdp: &str, ours: &[AudioCodec]) -> Result<Vec<AudioCodec>, LegError> {
    if sdp.trim().is_empty() {
        return Err(LegError::SdpSyntax("empty".to_owned()));
    }
    let parsed = SessionDescription::unmarshal(&mut Cursor::new(sdp.as_bytes()))
        .map_err(|e| LegError::SdpSyntax(e.to_string()))?;
    let audio = parsed
        .media_descriptions
        .iter()
        // Port 0 is a rejected or disabled m-line (RFC 3264 §6).
        .find(|m| m.media_name.media == "audio" && m.media_name.port.value != 0)
        .ok_or(LegError::NoAudio)?;

    let has = |key: &str| parsed.attribute(key).is_some() || audio.attribute(key).is_some();
    if !has("ice-ufrag") || !has("ice-pwd") {
        return Err(LegError::NotWebrtc("no ICE credentials"));
    }
    if !has("fingerprint") {
        return Err(LegError::NotWebrtc(
            "no DTLS fingerprint (plain RTP is not offered)",
        ));
    }

    let remote = remote_codecs(audio);
    let common: Vec<AudioCodec> = remote
        .iter()
        .filter_map(|(name, clock)| {
            AudioCodec::from_name(name).filter(|c| c.clock_rate() == *clock && ours.contains(c))
        })
        .fold(Vec::new(), |mut acc, c| {
            if !acc.contains(&c) {
                acc.push(c);
            }
            acc
        });
    if common.is_empty() {
        return Err(LegError::NoCommonCodec {
            remote: remote.iter().map(|(n, c)| format!("{n}/{c}")).collect(),
        });
    }
    Ok(common)
}

/// `(encoding name, clock rate)` of each format of the m-line, in m-line order. Static payload
/// type 0 may come without an rtpmap (RFC 3551).
fn remote_codecs(m: &MediaDescription) -> Vec<(String, u32)> {
    let map = m.codecs();
    m.media_name
        .formats
        .iter()
        .filter_map(|f| f.parse::<u8>().ok())
        .filter_map(|pt| match map.get(&pt) {
            Some(c) if !c.name.is_empty() => Some((c.name.clone(), c.clock_rate)),
            _ if pt == 0 => Some(("PCMU".to_owned(), 8_000)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
        a=fingerprint:sha-256 AB:CD\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789012345678901\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111 0 126\r\nc=IN IP4 0.0.0.0\r\n\
        a=rtpmap:111 opus/48000/2\r\na=rtpmap:126 telephone-event/8000\r\n";

    #[test]
    fn finds_common_codecs_in_remote_order() {
        let r = check_remote(OFFER, &[AudioCodec::Pcmu, AudioCodec::Opus]).expect("valid");
        assert_eq!(r, vec![AudioCodec::Opus, AudioCodec::Pcmu]);
        let r = check_remote(OFFER, &[AudioCodec::Pcmu]).expect("valid");
        assert_eq!(r, vec![AudioCodec::Pcmu]);
    }

    #[test]
    fn typed_errors() {
        assert!(matches!(
            check_remote("", &[AudioCodec::Opus]),
            Err(LegError::SdpSyntax(_))
        ));
        assert!(matches!(
            check_remote("hello world", &[AudioCodec::Opus]),
            Err(LegError::SdpSyntax(_))
        ));
        let video = OFFER.replace("m=audio", "m=video");
        assert!(matches!(
            check_remote(&video, &[AudioCodec::Opus]),
            Err(LegError::NoAudio)
        ));
        let rejected = OFFER.replace("m=audio 9", "m=audio 0");
        assert!(matches!(
            check_remote(&rejected, &[AudioCodec::Opus]),
            Err(LegError::NoAudio)
        ));
        let opus_only = OFFER.replace(" 111 0 126", " 111 126");
        assert!(matches!(
            check_remote(&opus_only, &[AudioCodec::Pcmu]),
            Err(LegError::NoCommonCodec { .. })
        ));
        let plain = OFFER.replace("a=fingerprint:sha-256 AB:CD\r\n", "");
        assert!(matches!(
            check_remote(&plain, &[AudioCodec::Opus]),
            Err(LegError::NotWebrtc(_))
        ));
    }
}
