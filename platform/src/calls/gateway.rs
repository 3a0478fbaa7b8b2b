//! The WebRTC gateway's side of a VoIP call: one answerer [`AudioLeg`] on its own UDP
//! socket from the configured media ports, run by `seatline-webrtc`'s tokio driver.

use seatline_media::{Codec, Decoder, Encoder};
use seatline_webrtc::driver::{self, LegHandle};
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegError, LegEvent};
use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::time::Instant;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub(crate) enum GatewayError {
    #[error("no free UDP port in the WebRTC media range")]
    NoPort,
    /// The offer was refused (does not parse, no audio, no common codec). Carries no SDP.
    #[error("offer refused: {0}")]
    Offer(#[from] LegError),
    #[error("the answer settled on no codec")]
    NoCodec,
}

/// A running gateway leg.
pub(crate) struct GatewayLeg {
    pub handle: LegHandle,
    pub events: mpsc::Receiver<LegEvent>,
    /// The codec we send in (the offerer's first choice among ours).
    pub codec: AudioCodec,
}

/// The codecs the gateway answers with, best first: Opus when `seatline-media` can code
/// it, PCMU always.
pub(crate) fn codecs() -> Vec<AudioCodec> {
    let opus = Encoder::new(Codec::Opus).is_ok() && Decoder::new(Codec::Opus).is_ok();
    let mut v = Vec::with_capacity(2);
    if opus {
        v.push(AudioCodec::Opus);
    }
    v.push(AudioCodec::Pcmu);
    v
}

/// The `seatline-media` codec of a WebRTC payload.
pub(crate) fn media_codec(c: AudioCodec) -> Codec {
    match c {
        AudioCodec::Opus => Codec::Opus,
        AudioCodec::Pcmu => Codec::Pcmu,
    }
}

/// Answers a device's offer on a fresh socket; returns the leg and the SDP answer.
pub(crate) async fn answer(
    ip: IpAddr,
    ports: &Range<u16>,
    offer: &str,
) -> Result<(GatewayLeg, String), GatewayError> {
    let socket = bind_in(ip, ports).await?;
    let local = socket.local_addr().map_err(|_| GatewayError::NoPort)?;
    let cfg = LegConfig::new(vec![local], codecs());
    let (leg, answer) = AudioLeg::answerer(cfg, Instant::now(), offer)?;
    let codec = leg.negotiated_codec().ok_or(GatewayError::NoCodec)?;
    let (handle, events) = driver::spawn(leg, socket);
    Ok((
        GatewayLeg {
            handle,
            events,
            codec,
        },
        answer,
    ))
}

/// The first free port of `ports`, starting at a random one so that consecutive calls do
/// not reuse a port whose old packets may still be in flight.
async fn bind_in(ip: IpAddr, ports: &Range<u16>) -> Result<UdpSocket, GatewayError> {
    let len = ports.end.saturating_sub(ports.start);
    if len == 0 {
        return Err(GatewayError::NoPort);
    }
    let first = rand::random::<u16>() % len;
    for i in 0..len {
        let port = ports.start + (first + i) % len;
        if let Ok(s) = UdpSocket::bind(SocketAddr::new(ip, port)).await {
            return Ok(s);
        }
    }
    Err(GatewayError::NoPort)
}
