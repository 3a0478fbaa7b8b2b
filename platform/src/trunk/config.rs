//! Trunk configuration, carrier routes and the phone numbers that go on the wire.

use std::net::{IpAddr, SocketAddr};
use std::ops::Range;
use std::time::Duration;

use super::TrunkError;

/// The transport of a carrier route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Udp,
    Tcp,
}

/// Digest credentials a carrier gives for its trunk (RFC 3261 §22, 401 and 407).
#[derive(Clone, PartialEq, Eq)]
pub struct DigestCredentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for DigestCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// One outbound route, chosen like a PBX does: the longest number prefix that matches;
/// the prefix `""` is the default route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierRoute {
    pub prefix: String,
    pub address: SocketAddr,
    pub transport: Transport,
    pub auth: Option<DigestCredentials>,
}

#[derive(Debug, Clone)]
pub struct TrunkConfig {
    /// SIP is served on UDP and TCP on this address (port 0: one free port for both).
    pub sip_listen: SocketAddr,
    /// The address put in SDP and bound by the RTP sockets.
    pub rtp_ip: IpAddr,
    /// RTP ports, one even port per call (its odd neighbour is left for RTCP).
    pub rtp_ports: Range<u16>,
    pub routes: Vec<CarrierRoute>,
    /// RFC 4028 session interval asked for on outbound calls (e.g. 1800 s).
    pub session_expires: Duration,
    /// RFC 4028 Min-SE we send and accept (at least 90 s on the wire unless
    /// [`TrunkConfig::min_se`] is lowered for tests).
    pub min_se: Duration,
    /// An outbound call not answered within this time is cancelled (`NoAnswer`).
    pub ring_timeout: Duration,
    /// The enterprise's own numbers (DIDs). An inbound INVITE to another number gets 404.
    /// Empty: every number is offered to [`super::InboundCalls`].
    pub numbers: Vec<String>,
    /// Requests larger than this get 513 (UDP and TCP). At most 8192 on UDP (rsipstack's
    /// receive buffer).
    pub max_message_size: usize,
    /// User-Agent / Server header value.
    pub user_agent: String,
}

impl TrunkConfig {
    /// A configuration with the usual values: Session-Expires 1800 s, Min-SE 90 s, ring
    /// timeout 60 s, 8 KiB messages.
    pub fn new(sip_listen: SocketAddr, rtp_ip: IpAddr, rtp_ports: Range<u16>) -> Self {
        TrunkConfig {
            sip_listen,
            rtp_ip,
            rtp_ports,
            routes: Vec::new(),
            session_expires: Duration::from_secs(1800),
            min_se: Duration::from_secs(90),
            ring_timeout: Duration::from_secs(60),
            numbers: Vec::new(),
            max_message_size: 8192,
            user_agent: "Seatline-Trunk".to_string(),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), TrunkError> {
        if self.rtp_ports.start >= self.rtp_ports.end || self.rtp_ports.len() < 2 {
            return Err(TrunkError::Config(
                "the RTP port range needs at least 2 ports",
            ));
        }
        if self.session_expires < self.min_se {
            return Err(TrunkError::Config("session_expires is below min_se"));
        }
        if self.min_se < Duration::from_secs(1) {
            return Err(TrunkError::Config("min_se must be at least 1 s"));
        }
        if self.max_message_size < 1024 || self.max_message_size > 8192 {
            return Err(TrunkError::Config("max_message_size must be 1024..=8192"));
        }
        for r in &self.routes {
            if !r.prefix.is_empty() && PhoneNumber::parse(&r.prefix).is_err() {
                return Err(TrunkError::Config("a route prefix is not a number prefix"));
            }
        }
        Ok(())
    }

    /// The route for `number`: longest matching prefix, `""` as the default.
    pub fn route_for(&self, number: &PhoneNumber) -> Option<&CarrierRoute> {
        self.routes
            .iter()
            .filter(|r| number.as_str().starts_with(&r.prefix))
            .max_by_key(|r| r.prefix.len())
    }
}

/// A phone number as it goes into a SIP URI user part: digits with an optional leading
/// `+`, 1..=32 characters. Parsed once at the edge; never logged above debug.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<Self, TrunkError> {
        let digits = s.strip_prefix('+').unwrap_or(s);
        if digits.is_empty() || s.len() > 32 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TrunkError::InvalidNumber);
        }
        Ok(PhoneNumber(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Debug output lands in logs; keep only a hint.
        write!(f, "PhoneNumber(…{} digits)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(prefix: &str, port: u16) -> CarrierRoute {
        CarrierRoute {
            prefix: prefix.to_string(),
            address: SocketAddr::from(([127, 0, 0, 1], port)),
            transport: Transport::Udp,
            auth: None,
        }
    }

    #[test]
    fn longest_prefix_wins_and_empty_is_default() {
        let mut cfg = TrunkConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            "127.0.0.1".parse().expect("ip"),
            20000..20100,
        );
        cfg.routes = vec![route("", 1), route("+86", 2), route("+8610", 3)];
        let n = |s: &str| PhoneNumber::parse(s).expect("number");
        assert_eq!(
            cfg.route_for(&n("+861012345")).map(|r| r.address.port()),
            Some(3)
        );
        assert_eq!(
            cfg.route_for(&n("+862012345")).map(|r| r.address.port()),
            Some(2)
        );
        assert_eq!(
            cfg.route_for(&n("4155550100")).map(|r| r.address.port()),
            Some(1)
        );
        cfg.routes = vec![route("+86", 2)];
        assert!(cfg.route_for(&n("4155550100")).is_none());
    }

    #[test]
    fn numbers_are_digits_with_optional_plus() {
        assert!(PhoneNumber::parse("+8613800138000").is_ok());
        assert!(PhoneNumber::parse("010").is_ok());
        for bad in ["", "+", "12a", "1 2", "sip:1@x", "1@evil", &"9".repeat(33)] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad:?}");
        }
        let dbg = format!("{:?}", PhoneNumber::parse("+8613800138000").expect("n"));
        assert!(!dbg.contains("138"), "{dbg}");
    }

    #[test]
    fn config_is_checked() {
        let mut cfg = TrunkConfig::new(
            "127.0.0.1:0".parse().expect("addr"),
            "127.0.0.1".parse().expect("ip"),
            20000..20100,
        );
        assert!(cfg.validate().is_ok());
        cfg.session_expires = Duration::from_secs(30);
        assert!(cfg.validate().is_err());
    }
}
