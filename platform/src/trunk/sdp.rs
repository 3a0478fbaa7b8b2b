//! SDP on the trunk side: our offer (PCMA, PCMU, telephone-event, ptime 20) and the
//! carrier's answer or offer, parsed with `webrtc-sdp` into the few facts the RTP leg
//! needs. Anything else is an [`SdpError`], which the trunk answers with 488.

use std::net::{IpAddr, SocketAddr};

use seatline_media::g711::Law;
use webrtc_sdp::address::ExplicitlyTypedAddress;
use webrtc_sdp::attribute_type::SdpAttribute;
use webrtc_sdp::media_type::{SdpFormatList, SdpMediaValue};

/// The audio codec the two sides agreed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Codec {
    pub law: Law,
    pub payload_type: u8,
}

/// Media direction (RFC 3264 §6.1), from the point of view of the side that wrote the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

impl Direction {
    fn attr(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction to answer with: the mirror of the offer's.
    pub fn mirror(self) -> Direction {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            d => d,
        }
    }

    /// Whether the writer of this SDP puts us on hold (it will not receive our audio or
    /// will not send any).
    pub fn is_hold(self) -> bool {
        !matches!(self, Direction::SendRecv)
    }
}

/// What the far end's SDP says about the audio stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteMedia {
    /// Where to send RTP (until symmetric RTP latches onto the real source).
    pub addr: SocketAddr,
    pub codec: Codec,
    /// The payload type of telephone-event/8000, when offered.
    pub dtmf_pt: Option<u8>,
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SdpError {
    #[error("the SDP does not parse")]
    Unparseable,
    #[error("the SDP has no audio stream")]
    NoAudio,
    #[error("no common codec (PCMA or PCMU at 8 kHz)")]
    NoCommonCodec,
    #[error("the SDP has no usable connection address")]
    NoAddress,
}

pub const DTMF_PT: u8 = 101;

/// Our offer: PCMA, PCMU and telephone-event/8000, ptime 20.
pub fn offer(ip: IpAddr, port: u16, session_id: u64, version: u64, dir: Direction) -> String {
    let fam = if ip.is_ipv4() { "IP4" } else { "IP6" };
    format!(
        "v=0\r\no=seatline {session_id} {version} IN {fam} {ip}\r\ns=seatline\r\n\
         c=IN {fam} {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 8 0 {DTMF_PT}\r\n\
         a=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:{DTMF_PT} telephone-event/8000\r\na=fmtp:{DTMF_PT} 0-15\r\n\
         a=ptime:20\r\na={}\r\n",
        dir.attr()
    )
}

/// Our answer to an offer the far end made (re-INVITE, UPDATE): the codec in use and
/// telephone-event if it offered it.
pub fn answer(
    ip: IpAddr,
    port: u16,
    session_id: u64,
    version: u64,
    remote: &RemoteMedia,
    dir: Direction,
) -> String {
    let fam = if ip.is_ipv4() { "IP4" } else { "IP6" };
    let pt = remote.codec.payload_type;
    let name = match remote.codec.law {
        Law::Alaw => "PCMA",
        Law::Ulaw => "PCMU",
    };
    let mut s = format!(
        "v=0\r\no=seatline {session_id} {version} IN {fam} {ip}\r\ns=seatline\r\n\
         c=IN {fam} {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP {pt}{}\r\n\
         a=rtpmap:{pt} {name}/8000\r\n",
        remote.dtmf_pt.map(|d| format!(" {d}")).unwrap_or_default()
    );
    if let Some(d) = remote.dtmf_pt {
        s.push_str(&format!(
            "a=rtpmap:{d} telephone-event/8000\r\na=fmtp:{d} 0-15\r\n"
        ));
    }
    s.push_str(&format!("a=ptime:20\r\na={}\r\n", dir.attr()));
    s
}

/// Parse the far end's SDP (an answer to our offer, or its own offer) and pick the codec:
/// the first of its formats that is PCMA or PCMU.
pub fn parse_remote(body: &[u8]) -> Result<RemoteMedia, SdpError> {
    let text = std::str::from_utf8(body).map_err(|_| SdpError::Unparseable)?;
    let session = webrtc_sdp::parse_sdp(text, false).map_err(|_| SdpError::Unparseable)?;
    let media = session
        .media
        .iter()
        .find(|m| *m.get_type() == SdpMediaValue::Audio)
        .ok_or(SdpError::NoAudio)?;
    let formats: Vec<u32> = match media.get_formats() {
        SdpFormatList::Integers(v) => v.clone(),
        _ => return Err(SdpError::NoCommonCodec),
    };
    let mut rtpmaps = Vec::new();
    let mut direction = None;
    for a in media.get_attributes() {
        match a {
            SdpAttribute::Rtpmap(r) => rtpmaps.push(r.clone()),
            SdpAttribute::Sendrecv => direction = Some(Direction::SendRecv),
            SdpAttribute::Sendonly => direction = Some(Direction::SendOnly),
            SdpAttribute::Recvonly => direction = Some(Direction::RecvOnly),
            SdpAttribute::Inactive => direction = Some(Direction::Inactive),
            _ => {}
        }
    }
    if direction.is_none() {
        for a in &session.attribute {
            match a {
                SdpAttribute::Sendrecv => direction = Some(Direction::SendRecv),
                SdpAttribute::Sendonly => direction = Some(Direction::SendOnly),
                SdpAttribute::Recvonly => direction = Some(Direction::RecvOnly),
                SdpAttribute::Inactive => direction = Some(Direction::Inactive),
                _ => {}
            }
        }
    }
    let codec_of = |pt: u32| -> Option<Codec> {
        let pt8 = u8::try_from(pt).ok()?;
        match rtpmaps.iter().find(|r| u32::from(r.payload_type) == pt) {
            Some(r) if r.frequency == 8000 && r.codec_name.eq_ignore_ascii_case("PCMA") => {
                Some(Codec {
                    law: Law::Alaw,
                    payload_type: pt8,
                })
            }
            Some(r) if r.frequency == 8000 && r.codec_name.eq_ignore_ascii_case("PCMU") => {
                Some(Codec {
                    law: Law::Ulaw,
                    payload_type: pt8,
                })
            }
            Some(_) => None,
            // Static payload types need no rtpmap (RFC 3551).
            None if pt == 8 => Some(Codec {
                law: Law::Alaw,
                payload_type: 8,
            }),
            None if pt == 0 => Some(Codec {
                law: Law::Ulaw,
                payload_type: 0,
            }),
            None => None,
        }
    };
    if media.get_port() == 0 {
        return Err(SdpError::NoCommonCodec);
    }
    let codec = formats
        .iter()
        .find_map(|pt| codec_of(*pt))
        .ok_or(SdpError::NoCommonCodec)?;
    let dtmf_pt = rtpmaps
        .iter()
        .find(|r| {
            r.codec_name.eq_ignore_ascii_case("telephone-event")
                && r.frequency == 8000
                && formats.contains(&u32::from(r.payload_type))
        })
        .map(|r| r.payload_type);
    let conn = media
        .get_connection()
        .as_ref()
        .or(session.connection.as_ref())
        .ok_or(SdpError::NoAddress)?;
    let ip = match &conn.address {
        ExplicitlyTypedAddress::Ip(ip) => *ip,
        ExplicitlyTypedAddress::Fqdn { .. } => return Err(SdpError::NoAddress),
    };
    let port = u16::try_from(media.get_port()).map_err(|_| SdpError::NoAddress)?;
    let mut direction = direction.unwrap_or(Direction::SendRecv);
    // RFC 2543 hold: c=0.0.0.0.
    if ip.is_unspecified() && direction == Direction::SendRecv {
        direction = Direction::SendOnly;
    }
    Ok(RemoteMedia {
        addr: SocketAddr::new(ip, port),
        codec,
        dtmf_pt,
        direction,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_offer_parses_and_prefers_pcma() {
        let o = offer(
            "127.0.0.1".parse().expect("ip"),
            20000,
            1,
            1,
            Direction::SendRecv,
        );
        let r = parse_remote(o.as_bytes()).expect("parse");
        assert_eq!(r.codec.law, Law::Alaw);
        assert_eq!(r.dtmf_pt, Some(DTMF_PT));
        assert_eq!(
            r.addr,
            "127.0.0.1:20000".parse::<SocketAddr>().expect("addr")
        );
        assert_eq!(r.direction, Direction::SendRecv);
    }

    #[test]
    fn a_pcmu_answer_with_sendonly() {
        let a = "v=0\r\no=- 1 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
                 m=audio 4000 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=sendonly\r\n";
        let r = parse_remote(a.as_bytes()).expect("parse");
        assert_eq!(
            r.codec,
            Codec {
                law: Law::Ulaw,
                payload_type: 0
            }
        );
        assert_eq!(r.dtmf_pt, Some(96));
        assert_eq!(r.direction, Direction::SendOnly);
        let ans = answer(
            "127.0.0.1".parse().expect("ip"),
            20002,
            1,
            2,
            &r,
            r.direction.mirror(),
        );
        assert!(ans.contains("m=audio 20002 RTP/AVP 0 96\r\n"));
        assert!(ans.contains("a=recvonly"));
        assert!(parse_remote(ans.as_bytes()).is_ok());
    }

    #[test]
    fn bad_sdp_is_typed() {
        assert_eq!(parse_remote(b"hello"), Err(SdpError::Unparseable));
        assert_eq!(parse_remote(b"\xff\xfe"), Err(SdpError::Unparseable));
        let g729 = "v=0\r\no=- 1 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
                    m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
        assert_eq!(parse_remote(g729.as_bytes()), Err(SdpError::NoCommonCodec));
        let video = "v=0\r\no=- 1 2 IN IP4 10.0.0.9\r\ns=-\r\nc=IN IP4 10.0.0.9\r\nt=0 0\r\n\
                     m=video 4000 RTP/AVP 96\r\na=rtpmap:96 VP8/90000\r\n";
        assert_eq!(parse_remote(video.as_bytes()), Err(SdpError::NoAudio));
    }

    #[test]
    fn old_style_hold_is_sendonly() {
        let a = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\n\
                 m=audio 4000 RTP/AVP 8\r\n";
        assert_eq!(
            parse_remote(a.as_bytes()).expect("parse").direction,
            Direction::SendOnly
        );
    }
}
