//! The one thing the engine reads from the gateway's SDP answer itself: which codec to
//! encode with (the answer's first format on the audio m-line, RFC 3264 §6.1).

use seatline_media::Codec;

/// The codec the answer puts first on its audio m-line; `None` if the answer has no
/// usable audio line or names a codec the engine does not speak.
pub fn answered_codec(sdp: &str) -> Option<Codec> {
    let lines: Vec<&str> = sdp.lines().map(str::trim).collect();
    let start = lines.iter().position(|l| l.starts_with("m=audio "))?;
    let mline: Vec<&str> = lines[start].split_whitespace().collect();
    // m=audio <port> <proto> <fmt>...
    if mline.get(1) == Some(&"0") {
        return None;
    }
    let first: u8 = mline.get(3)?.parse().ok()?;
    let section = lines[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("m="));
    for line in section {
        let Some(rest) = line.strip_prefix("a=rtpmap:") else {
            continue;
        };
        let mut parts = rest.split_whitespace();
        if parts.next().and_then(|pt| pt.parse::<u8>().ok()) != Some(first) {
            continue;
        }
        let name = parts.next()?.split('/').next()?;
        return match Codec::from_encoding_name(name) {
            // The leg negotiates Opus and PCMU only.
            Some(c @ (Codec::Opus | Codec::Pcmu)) => Some(c),
            _ => None,
        };
    }
    // Static payload type without an rtpmap (RFC 3551).
    (first == 0).then_some(Codec::Pcmu)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_first_format_of_the_audio_line() {
        let opus = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111 0 126\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n";
        assert_eq!(answered_codec(opus), Some(Codec::Opus));
        let pcmu =
            "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";
        assert_eq!(answered_codec(pcmu), Some(Codec::Pcmu));
        assert_eq!(answered_codec("v=0\r\nm=audio 0 RTP/AVP 0\r\n"), None);
        assert_eq!(answered_codec("garbage"), None);
        let g722 = "m=audio 9 RTP/AVP 9\r\na=rtpmap:9 G722/8000\r\n";
        assert_eq!(answered_codec(g722), None);
    }
}
