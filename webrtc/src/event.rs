//! What a leg hands back to its driver: datagrams to send and events to act on.

use std::net::SocketAddr;
use std::time::Duration;

use crate::codec::AudioCodec;

/// A datagram to send from the socket bound to `local` to `remote`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The local socket it must leave from (one of `LegConfig::local_addrs`).
    pub local: SocketAddr,
    /// Where it goes.
    pub remote: SocketAddr,
    /// The bytes (STUN, DTLS or SRTP/SRTCP).
    pub data: Vec<u8>,
}

/// One received RTP packet, already decrypted. Sequence and timestamp are the sender's, so the
/// caller's jitter buffer can reorder and detect loss.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RtpPayload {
    /// Sequence number.
    pub seq: u16,
    /// RTP timestamp in the codec's clock.
    pub timestamp: u32,
    /// Marker bit (start of a talkspurt for audio, start of an event for telephone-event).
    pub marker: bool,
    /// The payload bytes.
    pub payload: Vec<u8>,
}

/// What happened on the leg.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LegEvent {
    /// ICE and DTLS are up: media can flow. Announced again when an ICE restart (ours or the
    /// peer's) has found its new path.
    Connected,
    /// Connectivity was lost; ICE may still recover, or `restart_ice` can be tried.
    Disconnected,
    /// ICE or DTLS failed for good: the leg is dead; `restart_ice` or a new leg is needed.
    Failed,
    /// The leg is closed (locally or by the peer's DTLS close).
    Closed,
    /// An audio packet in the given codec.
    Audio {
        /// Codec of the payload (by its payload type).
        codec: AudioCodec,
        /// The packet.
        packet: RtpPayload,
    },
    /// An RFC 4733 telephone-event packet (DTMF); `clock_rate` is the event's clock.
    TelephoneEvent {
        /// Clock rate of the negotiated telephone-event.
        clock_rate: u32,
        /// The packet; its payload is the 4-byte event (RFC 4733 §2.3).
        packet: RtpPayload,
    },
}

/// Counters of a leg, from `rtc`'s stats.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LegStats {
    /// RTP packets sent on the audio stream.
    pub packets_sent: u64,
    /// RTP payload bytes sent.
    pub bytes_sent: u64,
    /// RTP packets received on the audio stream.
    pub packets_received: u64,
    /// RTP payload bytes received.
    pub bytes_received: u64,
    /// Packets the remote side reported lost (RTCP receiver reports).
    pub packets_lost: i64,
    /// Round-trip time of the selected ICE candidate pair, from its STUN consent checks
    /// (every few seconds). `rtc` 0.21.1 keeps no RTT from RTCP reports, so this is the one.
    pub rtt: Option<Duration>,
}
