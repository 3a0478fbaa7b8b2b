//! The RTP leg of one trunk call: a UDP socket from the configured range, G.711 both
//! ways (codecs from `seatline-media`), RFC 4733 telephone-events both ways, and
//! symmetric RTP (we send to wherever the far end's packets come from, once they come).

use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use seatline_media::{g711, AudioFrame, RtpPacket, SampleRate};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

use super::sdp::{Codec, RemoteMedia};
use super::{TrunkError, TrunkEvent};

const SAMPLES: usize = 160;

/// Hands out even RTP ports from the configured range, round robin.
pub(crate) struct PortPool {
    ip: IpAddr,
    range: Range<u16>,
    next: AtomicU16,
}

impl PortPool {
    pub fn new(ip: IpAddr, range: Range<u16>) -> Self {
        let first = range.start + (range.start % 2);
        PortPool {
            ip,
            next: AtomicU16::new(first),
            range,
        }
    }

    /// Bind a socket on the next free even port.
    pub fn bind(&self) -> Result<UdpSocket, TrunkError> {
        let tries = self.range.len() / 2 + 1;
        for _ in 0..tries {
            let mut port = self.next.fetch_add(2, Ordering::Relaxed);
            if port < self.range.start || port >= self.range.end.saturating_sub(1) {
                let first = self.range.start + (self.range.start % 2);
                self.next.store(first + 2, Ordering::Relaxed);
                port = first;
            }
            if let Ok(s) = std::net::UdpSocket::bind(SocketAddr::new(self.ip, port)) {
                if s.set_nonblocking(true).is_ok() {
                    if let Ok(s) = UdpSocket::from_std(s) {
                        return Ok(s);
                    }
                }
            }
        }
        Err(TrunkError::NoRtpPort)
    }
}

/// Commands from the call to its RTP task.
#[derive(Debug)]
pub(crate) enum RtpCommand {
    /// New or changed remote media (answer, early media, re-INVITE).
    Remote(RemoteMedia),
    /// Send one RFC 4733 event.
    Dtmf(char),
}

pub(crate) fn dtmf_code(digit: char) -> Option<u8> {
    match digit {
        '0'..='9' => Some(digit as u8 - b'0'),
        '*' => Some(10),
        '#' => Some(11),
        'A'..='D' => Some(12 + (digit as u8 - b'A')),
        _ => None,
    }
}

fn dtmf_digit(code: u8) -> Option<char> {
    match code {
        0..=9 => Some(char::from(b'0' + code)),
        10 => Some('*'),
        11 => Some('#'),
        12..=15 => Some(char::from(b'A' + code - 12)),
        _ => None,
    }
}

/// An RFC 4733 event being sent: 100 ms of tone, then three end packets.
struct DtmfOut {
    code: u8,
    start_ts: u32,
    sent: u16,
}

const DTMF_STEPS: u16 = 5; // 5 × 20 ms = 100 ms
const DTMF_END_COPIES: u16 = 3;

struct Leg {
    socket: Arc<UdpSocket>,
    remote: Option<RemoteMedia>,
    latched: Option<SocketAddr>,
    seq: u16,
    ts: u32,
    ssrc: u32,
    last_sent: Option<Instant>,
    dtmf_out: Option<DtmfOut>,
    dtmf_queue: std::collections::VecDeque<u8>,
    last_dtmf_in: Option<u32>,
    pending_in: Vec<i16>,
    from_network: mpsc::Sender<AudioFrame>,
    events: mpsc::Sender<TrunkEvent>,
    received_packets: u64,
}

impl Leg {
    fn target(&self) -> Option<SocketAddr> {
        self.latched.or(self.remote.as_ref().map(|r| r.addr))
    }

    async fn send(&mut self, marker: bool, pt: u8, ts: u32, payload: &[u8]) {
        let Some(to) = self.target() else { return };
        let packet = RtpPacket {
            payload_type: pt,
            marker,
            sequence: self.seq,
            timestamp: ts,
            ssrc: self.ssrc,
            payload: payload.to_vec().into(),
        };
        self.seq = self.seq.wrapping_add(1);
        let _ = self.socket.send_to(&packet.to_bytes(), to).await;
    }

    async fn send_audio(&mut self, frame: AudioFrame) {
        let Some(codec) = self.remote.as_ref().map(|r| r.codec) else {
            return;
        };
        if frame.rate != SampleRate::Hz8000 || self.dtmf_out.is_some() {
            return;
        }
        let now = Instant::now();
        let mut marker = false;
        match self.last_sent {
            Some(last) => {
                let gap = now.duration_since(last);
                if gap > Duration::from_millis(60) {
                    // A pause in the talk spurt: keep the clock honest and mark the restart.
                    let samples = (gap.as_millis() as u64 * 8).min(u64::from(u32::MAX)) as u32;
                    self.ts = self.ts.wrapping_add(samples - samples % SAMPLES as u32);
                    marker = true;
                } else {
                    self.ts = self.ts.wrapping_add(SAMPLES as u32);
                }
            }
            None => marker = true,
        }
        self.last_sent = Some(now);
        let payload = g711::encode(codec.law, &frame.samples);
        let ts = self.ts;
        self.send(marker, codec.payload_type, ts, &payload).await;
    }

    /// One 20 ms step of the outgoing RFC 4733 event, if any.
    async fn dtmf_tick(&mut self) {
        if self.dtmf_out.is_none() {
            if let Some(code) = self.dtmf_queue.pop_front() {
                self.ts = self.ts.wrapping_add(SAMPLES as u32);
                self.dtmf_out = Some(DtmfOut {
                    code,
                    start_ts: self.ts,
                    sent: 0,
                });
            } else {
                return;
            }
        }
        let Some(pt) = self.remote.as_ref().and_then(|r| r.dtmf_pt) else {
            self.dtmf_out = None;
            self.dtmf_queue.clear();
            return;
        };
        let Some(out) = self.dtmf_out.as_mut() else {
            return;
        };
        out.sent += 1;
        let (code, start_ts, sent) = (out.code, out.start_ts, out.sent);
        let end = sent > DTMF_STEPS;
        let duration = (u16::min(sent, DTMF_STEPS) * SAMPLES as u16).to_be_bytes();
        let payload = [
            code,
            if end { 0x80 | 10 } else { 10 },
            duration[0],
            duration[1],
        ];
        self.send(sent == 1, pt, start_ts, &payload).await;
        if sent >= DTMF_STEPS + DTMF_END_COPIES {
            self.ts = start_ts.wrapping_add(u32::from(DTMF_STEPS) * SAMPLES as u32);
            self.last_sent = Some(Instant::now());
            self.dtmf_out = None;
        }
    }

    fn receive(&mut self, packet: &[u8], from: SocketAddr) {
        let Ok(h) = RtpPacket::parse(packet) else {
            return;
        };
        let payload: &[u8] = &h.payload;
        let Some(remote) = self.remote.as_ref() else {
            return;
        };
        let (codec, dtmf_pt): (Codec, Option<u8>) = (remote.codec, remote.dtmf_pt);
        if h.payload_type != codec.payload_type && Some(h.payload_type) != dtmf_pt {
            return;
        }
        if self.latched.is_none() {
            if Some(from) != self.remote.as_ref().map(|r| r.addr) {
                tracing::debug!(%from, "trunk rtp: latched onto the media source");
            }
            self.latched = Some(from);
        } else if self.latched != Some(from) {
            return; // not the source we latched onto
        }
        self.received_packets += 1;
        if Some(h.payload_type) == dtmf_pt {
            if payload.len() >= 4 && self.last_dtmf_in != Some(h.timestamp) {
                self.last_dtmf_in = Some(h.timestamp);
                if let Some(d) = dtmf_digit(payload[0]) {
                    let _ = self.events.try_send(TrunkEvent::Dtmf(d));
                }
            }
            return;
        }
        self.pending_in.extend(g711::decode(codec.law, payload));
        while self.pending_in.len() >= SAMPLES {
            let rest = self.pending_in.split_off(SAMPLES);
            let samples = std::mem::replace(&mut self.pending_in, rest);
            if let Some(frame) = AudioFrame::new(SampleRate::Hz8000, samples) {
                // A slow consumer loses frames rather than stalling the socket.
                let _ = self.from_network.try_send(frame);
            }
        }
    }
}

/// Run the RTP leg until `commands` closes (the call ended).
pub(crate) async fn run(
    socket: Arc<UdpSocket>,
    mut commands: mpsc::UnboundedReceiver<RtpCommand>,
    mut to_network: mpsc::Receiver<AudioFrame>,
    from_network: mpsc::Sender<AudioFrame>,
    events: mpsc::Sender<TrunkEvent>,
) {
    let mut leg = Leg {
        socket: socket.clone(),
        remote: None,
        latched: None,
        seq: rand::random(),
        ts: rand::random(),
        ssrc: rand::random(),
        last_sent: None,
        dtmf_out: None,
        dtmf_queue: Default::default(),
        last_dtmf_in: None,
        pending_in: Vec::new(),
        from_network,
        events,
        received_packets: 0,
    };
    let mut buf = vec![0u8; 2048];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut to_network_open = true;
    loop {
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, from)) = r {
                    leg.receive(&buf[..n], from);
                }
            }
            cmd = commands.recv() => match cmd {
                Some(RtpCommand::Remote(r)) => {
                    let changed = leg.remote.as_ref().map(|o| o.addr) != Some(r.addr);
                    if changed {
                        leg.latched = None;
                    }
                    leg.remote = Some(r);
                }
                Some(RtpCommand::Dtmf(d)) => {
                    if let Some(code) = dtmf_code(d) {
                        leg.dtmf_queue.push_back(code);
                    }
                }
                None => break,
            },
            f = to_network.recv(), if to_network_open => match f {
                Some(frame) => leg.send_audio(frame).await,
                None => to_network_open = false,
            },
            _ = tick.tick(), if leg.dtmf_out.is_some() || !leg.dtmf_queue.is_empty() => {
                leg.dtmf_tick().await;
            }
        }
    }
    tracing::debug!(packets = leg.received_packets, "trunk rtp: leg closed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dtmf_codes() {
        for d in "0123456789*#ABCD".chars() {
            assert_eq!(dtmf_digit(dtmf_code(d).expect("code")), Some(d));
        }
        assert_eq!(dtmf_code('x'), None);
    }

    #[test]
    fn ports_are_even_and_in_range() {
        let pool = PortPool::new("127.0.0.1".parse().expect("ip"), 31000..31010);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        rt.block_on(async {
            let mut socks = Vec::new();
            for _ in 0..5 {
                match pool.bind() {
                    Ok(s) => {
                        let port = s.local_addr().expect("addr").port();
                        assert!(port % 2 == 0 && (31000..31010).contains(&port), "{port}");
                        socks.push(s);
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            assert!(matches!(pool.bind(), Err(TrunkError::NoRtpPort)));
        });
    }
}
