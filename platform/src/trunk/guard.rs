//! The edge check every SIP message passes before rsipstack sees it (DESIGN invariant 4).
//!
//! rsipstack drops what it cannot parse without a word, truncates UDP datagrams at its
//! 8 KiB buffer, knows no methods beyond its enum, and does not look at Max-Forwards or
//! at a request missing Call-ID until its transaction layer fails on it. [`check`] works
//! on the raw bytes, answers what can be answered (400, 483, 501, 513) straight from the
//! request's own Via/From/To/Call-ID/CSeq lines, and drops the rest with a count.
//! It is used twice: in [`GuardedUdpSocket`] (the UDP socket rsipstack reads from) and in
//! [`GuardInspector`] (TCP, on messages rsipstack's stream codec framed).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::SipMessage;
use rsipstack::transaction::endpoint::TransportEventInspector;
use rsipstack::transport::TransportEvent;

/// Counters of bad input, readable through [`super::Trunk::stats`].
#[derive(Debug, Default)]
pub struct GuardCounters {
    pub dropped: AtomicU64,
    pub answered: AtomicU64,
}

/// A snapshot of [`GuardCounters`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrunkStats {
    /// Messages dropped because they could not be answered (no request line or no Via).
    pub malformed_dropped: u64,
    /// Bad requests answered with 400, 483, 501 or 513.
    pub malformed_answered: u64,
}

impl GuardCounters {
    pub fn snapshot(&self) -> TrunkStats {
        TrunkStats {
            malformed_dropped: self.dropped.load(Ordering::Relaxed),
            malformed_answered: self.answered.load(Ordering::Relaxed),
        }
    }
}

/// What to do with one message.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// Answer with these bytes (a complete response) and do not pass the message on.
    Reply {
        status: u16,
        bytes: Vec<u8>,
    },
    Drop(&'static str),
}

const KNOWN_METHODS: [&str; 14] = [
    "ACK",
    "BYE",
    "CANCEL",
    "INFO",
    "INVITE",
    "MESSAGE",
    "NOTIFY",
    "OPTIONS",
    "PRACK",
    "PUBLISH",
    "REFER",
    "REGISTER",
    "SUBSCRIBE",
    "UPDATE",
];

/// The header lines a response needs, copied from the request as they were.
#[derive(Default)]
struct EchoHeaders<'a> {
    vias: Vec<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    call_id: Option<&'a str>,
    cseq: Option<&'a str>,
    max_forwards: Option<&'a str>,
    content_length: Option<&'a str>,
}

fn canonical_name(name: &str) -> Option<&'static str> {
    let n = name.trim();
    let pick = |long: &'static str, short: &str| {
        (n.eq_ignore_ascii_case(long) || n.eq_ignore_ascii_case(short)).then_some(long)
    };
    pick("Via", "v")
        .or_else(|| pick("From", "f"))
        .or_else(|| pick("To", "t"))
        .or_else(|| pick("Call-ID", "i"))
        .or_else(|| pick("CSeq", "CSeq"))
        .or_else(|| pick("Max-Forwards", "Max-Forwards"))
        .or_else(|| pick("Content-Length", "l"))
}

fn split_head(raw: &[u8]) -> (&[u8], &[u8]) {
    if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
        return (&raw[..i], &raw[i + 4..]);
    }
    if let Some(i) = raw.windows(2).position(|w| w == b"\n\n") {
        return (&raw[..i], &raw[i + 2..]);
    }
    (raw, &[])
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

/// Check one message. `raw` is the whole message (head and body) as received.
pub fn check(raw: &[u8], max_size: usize, server_name: &str) -> Verdict {
    let (head, body) = split_head(raw);
    let Ok(head) = std::str::from_utf8(head) else {
        return Verdict::Drop("head is not UTF-8");
    };
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start = lines.next().unwrap_or_default();
    if start.starts_with("SIP/2.0 ") {
        // A response: nobody to answer. rsipstack matches it or ignores it.
        return match SipMessage::try_from(raw) {
            Ok(_) => Verdict::Pass,
            Err(_) => Verdict::Drop("unparseable response"),
        };
    }
    let mut echo = EchoHeaders::default();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            continue; // folded continuation: the lines we echo are single-line in practice
        }
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        match canonical_name(name) {
            Some("Via") => echo.vias.push(value.trim()),
            Some("From") => echo.from = Some(value.trim()),
            Some("To") => echo.to = Some(value.trim()),
            Some("Call-ID") => echo.call_id = Some(value.trim()),
            Some("CSeq") => echo.cseq = Some(value.trim()),
            Some("Max-Forwards") => echo.max_forwards = Some(value.trim()),
            Some("Content-Length") => echo.content_length = Some(value.trim()),
            _ => {}
        }
    }
    let parts: Vec<&str> = start.split(' ').collect();
    let method = parts.first().copied().unwrap_or_default();
    let answerable = !echo.vias.is_empty() && method != "ACK";
    let reply = |status: u16, reason: &str| {
        if answerable {
            Verdict::Reply {
                status,
                bytes: build_reply(&echo, status, reason, server_name),
            }
        } else {
            Verdict::Drop("bad request that cannot be answered")
        }
    };
    if parts.len() != 3 || parts[2] != "SIP/2.0" || !is_token(method) || parts[1].is_empty() {
        return reply(400, "Bad Request Line");
    }
    if raw.len() > max_size {
        return reply(513, "Message Too Large");
    }
    if !KNOWN_METHODS.contains(&method) {
        return reply(501, "Not Implemented");
    }
    let req = match SipMessage::try_from(raw) {
        Ok(SipMessage::Request(req)) => req,
        _ => return reply(400, "Bad Request"),
    };
    // The headers a transaction needs, each typed the way rsipstack will type it later.
    let cseq_ok = req
        .cseq_header()
        .ok()
        .and_then(|c| Some((c.seq().ok()?, c.method().ok()?)))
        .is_some_and(|(_, m)| m == req.method);
    if !cseq_ok {
        return reply(400, "Bad CSeq");
    }
    if req
        .call_id_header()
        .map(|c| c.value().trim().is_empty())
        .unwrap_or(true)
    {
        return reply(400, "Missing Call-ID");
    }
    if req
        .from_header()
        .ok()
        .and_then(|h| h.typed().ok())
        .is_none()
    {
        return reply(400, "Bad From");
    }
    if req.to_header().ok().and_then(|h| h.typed().ok()).is_none() {
        return reply(400, "Bad To");
    }
    if req.via_header().ok().and_then(|h| h.typed().ok()).is_none() {
        return Verdict::Drop("bad Via");
    }
    if let Some(mf) = echo.max_forwards {
        match mf.parse::<u32>() {
            Ok(0) if method != "ACK" && method != "CANCEL" => return reply(483, "Too Many Hops"),
            Ok(_) => {}
            Err(_) => return reply(400, "Bad Max-Forwards"),
        }
    }
    if let Some(cl) = echo.content_length {
        match cl.parse::<usize>() {
            Ok(n) if n > body.len() => return reply(400, "Truncated Body"),
            Ok(_) => {}
            Err(_) => return reply(400, "Bad Content-Length"),
        }
    }
    if method == "ACK" {
        return Verdict::Pass;
    }
    Verdict::Pass
}

fn build_reply(echo: &EchoHeaders<'_>, status: u16, reason: &str, server: &str) -> Vec<u8> {
    use std::fmt::Write;
    let mut out = format!("SIP/2.0 {status} {reason}\r\n");
    for v in &echo.vias {
        let _ = write!(out, "Via: {v}\r\n");
    }
    if let Some(f) = echo.from {
        let _ = write!(out, "From: {f}\r\n");
    }
    if let Some(t) = echo.to {
        if t.contains(";tag=") {
            let _ = write!(out, "To: {t}\r\n");
        } else {
            let _ = write!(out, "To: {t};tag={:08x}\r\n", rand::random::<u32>());
        }
    }
    if let Some(c) = echo.call_id {
        let _ = write!(out, "Call-ID: {c}\r\n");
    }
    if let Some(c) = echo.cseq {
        let _ = write!(out, "CSeq: {c}\r\n");
    }
    let _ = write!(out, "Server: {server}\r\nContent-Length: 0\r\n\r\n");
    out.into_bytes()
}

/// The UDP socket rsipstack reads from: datagrams go through [`check`] first.
pub struct GuardedUdpSocket {
    pub socket: Arc<tokio::net::UdpSocket>,
    pub max_size: usize,
    pub server_name: String,
    pub counters: Arc<GuardCounters>,
}

#[async_trait::async_trait]
impl rsipstack::platform::net::UdpSocket for GuardedUdpSocket {
    async fn recv_from(&self, buf: &mut [u8]) -> rsipstack::Result<(usize, SocketAddr)> {
        // Larger than rsipstack's buffer so an oversized datagram is seen whole.
        let mut own = vec![0u8; 65_536];
        loop {
            let (len, from) = self.socket.recv_from(&mut own).await?;
            let packet = &own[..len];
            // rsipstack's keepalives (CRLF) pass as they are.
            if packet.iter().all(|b| b.is_ascii_whitespace()) {
                let n = len.min(buf.len());
                buf[..n].copy_from_slice(&packet[..n]);
                return Ok((n, from));
            }
            let max = self.max_size.min(buf.len());
            match check(packet, max, &self.server_name) {
                Verdict::Pass => {
                    buf[..len].copy_from_slice(packet);
                    return Ok((len, from));
                }
                Verdict::Reply { status, bytes } => {
                    self.counters.answered.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(status, %from, "trunk: answered a bad SIP request");
                    let _ = self.socket.send_to(&bytes, from).await;
                }
                Verdict::Drop(why) => {
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(why, %from, len, "trunk: dropped a bad SIP message");
                }
            }
        }
    }

    async fn send_to(&self, buf: &[u8], addr: SocketAddr) -> rsipstack::Result<usize> {
        Ok(self.socket.send_to(buf, addr).await?)
    }

    fn local_addr(&self) -> rsipstack::Result<SocketAddr> {
        Ok(self.socket.local_addr()?)
    }
}

/// The same check for messages rsipstack's stream transports framed (TCP).
pub struct GuardInspector {
    pub max_size: usize,
    pub server_name: String,
    pub counters: Arc<GuardCounters>,
}

#[async_trait::async_trait]
impl TransportEventInspector for GuardInspector {
    async fn handle(&self, event: TransportEvent) -> Option<TransportEvent> {
        let TransportEvent::Incoming(msg, connection, from) = event else {
            return Some(event);
        };
        if !connection.is_reliable() {
            // UDP went through GuardedUdpSocket already.
            return Some(TransportEvent::Incoming(msg, connection, from));
        }
        let raw = msg.to_string().into_bytes();
        match check(&raw, self.max_size, &self.server_name) {
            Verdict::Pass => Some(TransportEvent::Incoming(msg, connection, from)),
            Verdict::Reply { status, bytes } => {
                self.counters.answered.fetch_add(1, Ordering::Relaxed);
                tracing::info!(status, %from, "trunk: answered a bad SIP request (stream)");
                if let Ok(resp) = SipMessage::try_from(bytes.as_slice()) {
                    let _ = connection.send(resp, None).await;
                }
                None
            }
            Verdict::Drop(why) => {
                self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                tracing::info!(why, %from, "trunk: dropped a bad SIP message (stream)");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:trunk@127.0.0.1 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-1;rport\r\n\
        Max-Forwards: 70\r\n\
        From: <sip:probe@127.0.0.1>;tag=a1\r\n\
        To: <sip:trunk@127.0.0.1>\r\n\
        Call-ID: c1@127.0.0.1\r\n\
        CSeq: 1 OPTIONS\r\n\
        Content-Length: 0\r\n\r\n";

    fn status(v: &Verdict) -> Option<u16> {
        match v {
            Verdict::Reply { status, .. } => Some(*status),
            _ => None,
        }
    }

    #[test]
    fn a_good_request_passes() {
        assert_eq!(check(OPTIONS.as_bytes(), 8192, "t"), Verdict::Pass);
    }

    #[test]
    fn garbage_is_dropped() {
        assert!(matches!(
            check(b"\x00\x01hello", 8192, "t"),
            Verdict::Drop(_)
        ));
        assert!(matches!(
            check(b"GET / HTTP/1.1\r\n\r\n", 8192, "t"),
            Verdict::Drop(_)
        ));
    }

    #[test]
    fn max_forwards_zero_is_483_with_the_request_headers() {
        let m = OPTIONS.replace("Max-Forwards: 70", "Max-Forwards: 0");
        let v = check(m.as_bytes(), 8192, "t");
        assert_eq!(status(&v), Some(483));
        let Verdict::Reply { bytes, .. } = v else {
            unreachable!()
        };
        let text = String::from_utf8(bytes).expect("utf8");
        assert!(text.starts_with("SIP/2.0 483 "));
        assert!(text.contains("Call-ID: c1@127.0.0.1\r\n"));
        assert!(text.contains("CSeq: 1 OPTIONS\r\n"));
        assert!(text.contains("branch=z9hG4bK-1"));
        assert!(text.contains("To: <sip:trunk@127.0.0.1>;tag="));
        assert!(SipMessage::try_from(text.as_bytes()).is_ok());
    }

    #[test]
    fn missing_call_id_is_400() {
        let m = OPTIONS.replace("Call-ID: c1@127.0.0.1\r\n", "");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(400));
    }

    #[test]
    fn cseq_method_mismatch_is_400() {
        let m = OPTIONS.replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(400));
        let m = OPTIONS.replace("CSeq: 1 OPTIONS", "CSeq: x OPTIONS");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(400));
    }

    #[test]
    fn unknown_method_is_501() {
        let m = OPTIONS
            .replace("OPTIONS sip:", "FROBNICATE sip:")
            .replace("1 OPTIONS", "1 FROBNICATE");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(501));
    }

    #[test]
    fn oversize_is_513() {
        let pad = format!("X-Pad: {}\r\n", "a".repeat(9000));
        let m = OPTIONS.replace("Content-Length: 0", &format!("{pad}Content-Length: 0"));
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(513));
    }

    #[test]
    fn truncated_body_is_400_and_ack_is_never_answered() {
        let m = OPTIONS.replace("Content-Length: 0", "Content-Length: 50");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(400));
        let ack = OPTIONS
            .replace("OPTIONS sip:", "ACK sip:")
            .replace("1 OPTIONS", "1 ACK")
            .replace("Call-ID: c1@127.0.0.1\r\n", "");
        assert!(matches!(check(ack.as_bytes(), 8192, "t"), Verdict::Drop(_)));
    }

    #[test]
    fn bad_request_line_with_via_is_400_without_via_dropped() {
        let m = OPTIONS.replace("OPTIONS sip:trunk@127.0.0.1 SIP/2.0", "OPTIONS  SIP/3.0");
        assert_eq!(status(&check(m.as_bytes(), 8192, "t")), Some(400));
        let m = m.replace(
            "Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK-1;rport\r\n",
            "",
        );
        assert!(matches!(check(m.as_bytes(), 8192, "t"), Verdict::Drop(_)));
    }
}
