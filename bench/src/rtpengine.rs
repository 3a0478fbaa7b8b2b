//! The relay baseline: rtpengine (userspace, `--table=-1`) relaying N calls, driven over
//! its ng control protocol (bencoded dictionaries over UDP, each message prefixed with a
//! cookie). Each call: an `offer` with the caller's SDP, an `answer` with the callee's;
//! then both sides send 20 ms PCMU packets (50 pps) to the ports rtpengine gave them, for
//! `--secs` seconds, and rtpengine's CPU is read over that time. `delete` at the end.

use crate::{cpu, Args};
use anyhow::{bail, Context, Result};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;

/// A bencoded value: what the ng protocol uses.
#[derive(Debug, Clone)]
pub enum Benc {
    Int(i64),
    Str(Vec<u8>),
    List(Vec<Benc>),
    Dict(BTreeMap<Vec<u8>, Benc>),
}

impl Benc {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Benc::Int(i) => out.extend_from_slice(format!("i{i}e").as_bytes()),
            Benc::Str(s) => {
                out.extend_from_slice(format!("{}:", s.len()).as_bytes());
                out.extend_from_slice(s);
            }
            Benc::List(l) => {
                out.push(b'l');
                for v in l {
                    v.encode(out);
                }
                out.push(b'e');
            }
            Benc::Dict(d) => {
                // Keys in sorted order (BTreeMap), as bencoding requires.
                out.push(b'd');
                for (k, v) in d {
                    Benc::Str(k.clone()).encode(out);
                    v.encode(out);
                }
                out.push(b'e');
            }
        }
    }

    /// Decodes one value from the front of `input`; returns it and the rest.
    pub fn decode(input: &[u8]) -> Result<(Benc, &[u8])> {
        let Some(&first) = input.first() else {
            bail!("bencode: unexpected end");
        };
        match first {
            b'i' => {
                let end = input
                    .iter()
                    .position(|&c| c == b'e')
                    .context("bencode: unterminated integer")?;
                let n = std::str::from_utf8(&input[1..end])?.parse()?;
                Ok((Benc::Int(n), &input[end + 1..]))
            }
            b'l' => {
                let mut rest = &input[1..];
                let mut items = Vec::new();
                while rest.first() != Some(&b'e') {
                    let (v, r) = Benc::decode(rest)?;
                    items.push(v);
                    rest = r;
                }
                Ok((Benc::List(items), &rest[1..]))
            }
            b'd' => {
                let mut rest = &input[1..];
                let mut map = BTreeMap::new();
                while rest.first() != Some(&b'e') {
                    let (k, r) = Benc::decode(rest)?;
                    let Benc::Str(k) = k else {
                        bail!("bencode: a dictionary key is not a string");
                    };
                    let (v, r) = Benc::decode(r)?;
                    map.insert(k, v);
                    rest = r;
                }
                Ok((Benc::Dict(map), &rest[1..]))
            }
            b'0'..=b'9' => {
                let colon = input
                    .iter()
                    .position(|&c| c == b':')
                    .context("bencode: string without length")?;
                let len: usize = std::str::from_utf8(&input[..colon])?.parse()?;
                let start = colon + 1;
                let s = input
                    .get(start..start + len)
                    .context("bencode: string past the end")?;
                Ok((Benc::Str(s.to_vec()), &input[start + len..]))
            }
            c => bail!("bencode: unexpected byte {c}"),
        }
    }

    fn get(&self, key: &str) -> Option<&Benc> {
        match self {
            Benc::Dict(d) => d.get(key.as_bytes()),
            _ => None,
        }
    }

    fn text(&self, key: &str) -> Option<String> {
        match self.get(key)? {
            Benc::Str(s) => Some(String::from_utf8_lossy(s).into_owned()),
            _ => None,
        }
    }
}

fn dict(pairs: &[(&str, Benc)]) -> Benc {
    Benc::Dict(
        pairs
            .iter()
            .map(|(k, v)| (k.as_bytes().to_vec(), v.clone()))
            .collect(),
    )
}

fn s(v: &str) -> Benc {
    Benc::Str(v.as_bytes().to_vec())
}

/// An ng control client: one request at a time, answered by cookie.
pub struct Ng {
    sock: UdpSocket,
    to: SocketAddr,
    next: u64,
}

impl Ng {
    pub async fn new(to: SocketAddr) -> Result<Ng> {
        let sock = UdpSocket::bind("127.0.0.1:0").await?;
        Ok(Ng { sock, to, next: 0 })
    }

    pub async fn request(&mut self, msg: &Benc) -> Result<Benc> {
        self.next += 1;
        let cookie = format!("{}_{}", std::process::id(), self.next);
        let mut out = format!("{cookie} ").into_bytes();
        msg.encode(&mut out);
        for _attempt in 0..3 {
            self.sock.send_to(&out, self.to).await?;
            let mut buf = vec![0u8; 65536];
            let got =
                tokio::time::timeout(Duration::from_secs(2), self.sock.recv_from(&mut buf)).await;
            let Ok(Ok((n, _))) = got else { continue };
            let reply = &buf[..n];
            let Some(sp) = reply.iter().position(|&c| c == b' ') else {
                continue;
            };
            if &reply[..sp] != cookie.as_bytes() {
                continue;
            }
            let (v, _) = Benc::decode(&reply[sp + 1..])?;
            if !matches!(v.text("result").as_deref(), Some("ok" | "pong")) {
                bail!(
                    "rtpengine: {} ({})",
                    v.text("result").unwrap_or_default(),
                    v.text("error-reason").unwrap_or_default()
                );
            }
            return Ok(v);
        }
        bail!("rtpengine did not answer on {}", self.to)
    }
}

fn sdp(port: u16, session: u64) -> String {
    format!(
        "v=0\r\no=bench {session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\na=sendrecv\r\n"
    )
}

/// The address an SDP body sends media to (session-level `c=` and the first `m=audio`).
pub fn media_addr(sdp: &str) -> Result<SocketAddr> {
    let mut ip = None;
    let mut port = None;
    for line in sdp.lines() {
        let line = line.trim();
        if let Some(c) = line.strip_prefix("c=IN IP4 ") {
            ip.get_or_insert(c.trim().to_string());
        }
        if let Some(m) = line.strip_prefix("m=audio ") {
            port = m
                .split_whitespace()
                .next()
                .and_then(|p| p.parse::<u16>().ok());
        }
    }
    match (ip, port) {
        (Some(ip), Some(port)) => Ok(format!("{ip}:{port}").parse()?),
        _ => bail!("no audio address in the SDP: {sdp}"),
    }
}

/// One RTP stream: a socket, where it sends, what it received.
struct Stream {
    sock: Arc<UdpSocket>,
    to: SocketAddr,
    ssrc: u32,
}

fn rtp_packet(seq: u16, ts: u32, ssrc: u32) -> Vec<u8> {
    let mut p = Vec::with_capacity(172);
    p.extend_from_slice(&[0x80, 0x00]);
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&ts.to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    // 20 ms of PCMU silence.
    p.resize(172, 0xff);
    p
}

/// Sends one packet per stream every 20 ms for `secs`, counting what comes back.
async fn pump(streams: &[Stream], secs: f64, received: &Arc<AtomicU64>) -> Result<u64> {
    let mut recv_tasks = Vec::new();
    for st in streams {
        let sock = st.sock.clone();
        let received = received.clone();
        recv_tasks.push(tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            while sock.recv_from(&mut buf).await.is_ok() {
                received.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let frames = (secs * 50.0).round() as u64;
    let mut sent = 0u64;
    for n in 0..frames {
        tick.tick().await;
        for st in streams {
            let p = rtp_packet(n as u16, (n as u32).wrapping_mul(160), st.ssrc);
            if st.sock.send_to(&p, st.to).await.is_ok() {
                sent += 1;
            }
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    for t in recv_tasks {
        t.abort();
    }
    Ok(sent)
}

/// `rtpengine --ng ADDR --pid PID --calls N --secs T`.
pub async fn run(args: &Args) -> Result<()> {
    let ng_addr: SocketAddr = args.str("ng")?.parse()?;
    let pid: u32 = args.num("pid", 0)?;
    let calls: usize = args.num("calls", 50)?;
    let secs: f64 = args.num("secs", 20.0)?;
    let mut ng = Ng::new(ng_addr).await?;
    ng.request(&dict(&[("command", s("ping"))]))
        .await
        .context("ng ping")?;
    let mut streams = Vec::new();
    let mut ids = Vec::new();
    for i in 0..calls {
        let a = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let b = Arc::new(UdpSocket::bind("127.0.0.1:0").await?);
        let call_id = format!("bench-{}-{i}", std::process::id());
        let offer = ng
            .request(&dict(&[
                ("command", s("offer")),
                ("call-id", s(&call_id)),
                ("from-tag", s("a")),
                ("sdp", s(&sdp(a.local_addr()?.port(), i as u64))),
                (
                    "replace",
                    Benc::List(vec![s("origin"), s("session-connection")]),
                ),
            ]))
            .await?;
        let to_b = offer.text("sdp").context("offer without sdp")?;
        let answer = ng
            .request(&dict(&[
                ("command", s("answer")),
                ("call-id", s(&call_id)),
                ("from-tag", s("a")),
                ("to-tag", s("b")),
                ("sdp", s(&sdp(b.local_addr()?.port(), 1000 + i as u64))),
                (
                    "replace",
                    Benc::List(vec![s("origin"), s("session-connection")]),
                ),
            ]))
            .await?;
        let to_a = answer.text("sdp").context("answer without sdp")?;
        // The caller sends where the answer (as rewritten for it) says, the callee where
        // the offer (as rewritten for it) says.
        streams.push(Stream {
            sock: a,
            to: media_addr(&to_a)?,
            ssrc: 0x1000 + i as u32,
        });
        streams.push(Stream {
            sock: b,
            to: media_addr(&to_b)?,
            ssrc: 0x2000 + i as u32,
        });
        ids.push(call_id);
    }
    let received = Arc::new(AtomicU64::new(0));
    // One second to settle, then the measured span.
    pump(&streams, 1.0, &received).await?;
    received.store(0, Ordering::Relaxed);
    let load = cpu::load();
    let span = cpu::Span::start(&[pid]);
    let sent = pump(&streams, secs, &received).await?;
    let (cpu_s, wall) = span.stop();
    for id in &ids {
        let _ = ng
            .request(&dict(&[("command", s("delete")), ("call-id", s(id))]))
            .await;
    }
    let got = received.load(Ordering::Relaxed);
    println!(
        "RESULT rtpengine calls={calls} secs={wall:.1} sent={sent} relayed={got} cpu_s={cpu_s:.3} \
         cpu_ms_per_call_min={:.1} load={load}",
        cpu_s * 1000.0 / calls as f64 * 60.0 / wall
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bencode_round_trip() -> Result<()> {
        let d = dict(&[("command", s("ping")), ("n", Benc::Int(-3))]);
        let mut out = Vec::new();
        d.encode(&mut out);
        assert_eq!(out, b"d7:command4:ping1:ni-3ee");
        let (back, rest) = Benc::decode(&out)?;
        assert!(rest.is_empty());
        assert_eq!(back.text("command").as_deref(), Some("ping"));
        Ok(())
    }

    #[test]
    fn sdp_address() -> Result<()> {
        let a = media_addr(&sdp(4000, 1))?;
        assert_eq!(a, "127.0.0.1:4000".parse::<SocketAddr>()?);
        Ok(())
    }
}
