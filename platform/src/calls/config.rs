//! How the call service is set up: the trunk (if any), the media ports of the WebRTC
//! gateway and the call timers; and the `--trunk-route` syntax of the command line.

use crate::trunk::{CarrierRoute, DigestCredentials, Transport, TrunkConfig};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::Range;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct CallsConfig {
    /// The SIP trunk. `None`: no route anywhere, every call is refused with `NoRoute`.
    pub trunk: Option<TrunkConfig>,
    /// The address the gateway's WebRTC sockets bind and advertise (host candidates).
    pub media_ip: IpAddr,
    /// UDP ports for the gateway's WebRTC legs, one per VoIP call.
    pub webrtc_ports: Range<u16>,
    /// How long a VoIP call waits for the device's SDP offer on its WebSocket.
    pub offer_timeout: Duration,
    /// How long a call outlives a lost WebRTC leg (network change, tunnel, lift) before
    /// the platform hangs up; an ICE restart within it keeps the call.
    pub agent_grace: Duration,
    /// Callback (R13): how long the agent's own phone may ring.
    pub agent_ring_timeout: Duration,
}

impl Default for CallsConfig {
    fn default() -> Self {
        CallsConfig {
            trunk: None,
            media_ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            webrtc_ports: 21000..22000,
            offer_timeout: Duration::from_secs(15),
            agent_grace: Duration::from_secs(15),
            agent_ring_timeout: Duration::from_secs(30),
        }
    }
}

/// `--rtp-ports 20000-20999`: the lower half goes to the trunk's RTP legs, the upper
/// half to the gateway's WebRTC legs (each needs its own socket per call).
pub fn split_ports(range: Range<u16>) -> Option<(Range<u16>, Range<u16>)> {
    let len = range.end.checked_sub(range.start)?;
    if len < 8 {
        return None;
    }
    // Keep the trunk's half even-aligned: it uses even ports and leaves the odd ones.
    let mid = range.start + (len / 2) / 2 * 2;
    Some((range.start..mid, mid..range.end))
}

/// `A-B` (inclusive) as a port range.
pub fn parse_port_range(s: &str) -> Result<Range<u16>, RouteError> {
    let (a, b) = s.split_once('-').ok_or(RouteError::PortRange)?;
    let a: u16 = a.trim().parse().map_err(|_| RouteError::PortRange)?;
    let b: u16 = b.trim().parse().map_err(|_| RouteError::PortRange)?;
    if a == 0 || b < a || b == u16::MAX {
        return Err(RouteError::PortRange);
    }
    Ok(a..b + 1)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("a route is PREFIX=IP:PORT[/udp|/tcp][;user=U;password=P]")]
    Syntax,
    #[error("the route prefix must be digits with an optional leading +")]
    Prefix,
    #[error("the route address must be IP:PORT")]
    Address,
    #[error("the transport must be udp or tcp")]
    Transport,
    #[error("unknown route parameter (user, password)")]
    Parameter,
    #[error("a route with a user needs a password (;password= or SEATLINE_TRUNK_PASSWORD)")]
    Password,
    #[error("a port range is FIRST-LAST, e.g. 20000-20999")]
    PortRange,
}

/// Parses one `--trunk-route`: `PREFIX=IP:PORT[/udp|/tcp][;user=U;password=P]`. An empty
/// prefix is the default route. `default_password` (from the environment) is used when the
/// route names a user but no password, so the secret need not be on the command line.
pub fn parse_route(s: &str, default_password: Option<&str>) -> Result<CarrierRoute, RouteError> {
    let (prefix, rest) = s.split_once('=').ok_or(RouteError::Syntax)?;
    let prefix = prefix.trim();
    let digits = prefix.strip_prefix('+').unwrap_or(prefix);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || (prefix.starts_with('+') && digits.is_empty())
    {
        return Err(RouteError::Prefix);
    }
    let mut parts = rest.split(';');
    let target = parts.next().ok_or(RouteError::Syntax)?.trim();
    let (addr, transport) = match target.split_once('/') {
        Some((a, t)) if t.eq_ignore_ascii_case("tcp") => (a, Transport::Tcp),
        Some((a, t)) if t.eq_ignore_ascii_case("udp") => (a, Transport::Udp),
        Some(_) => return Err(RouteError::Transport),
        None => (target, Transport::Udp),
    };
    let address: SocketAddr = addr.parse().map_err(|_| RouteError::Address)?;
    let (mut user, mut password) = (None, None);
    for p in parts.filter(|p| !p.trim().is_empty()) {
        match p.trim().split_once('=') {
            Some(("user", u)) if !u.is_empty() => user = Some(u.to_string()),
            Some(("password", pw)) if !pw.is_empty() => password = Some(pw.to_string()),
            _ => return Err(RouteError::Parameter),
        }
    }
    let auth = match (user, password.or(default_password.map(str::to_string))) {
        (Some(username), Some(password)) => Some(DigestCredentials { username, password }),
        (Some(_), None) => return Err(RouteError::Password),
        (None, _) => None,
    };
    Ok(CarrierRoute {
        prefix: prefix.to_string(),
        address,
        transport,
        auth,
    })
}

/// The `serve` flags of the call service (flattened into the command line).
#[derive(Debug, Clone, clap::Args)]
pub struct CallArgs {
    /// SIP (UDP and TCP) address of the trunk; port 0 picks one.
    #[arg(long, env = "SEATLINE_SIP_LISTEN", default_value = "127.0.0.1:5070")]
    pub sip_listen: SocketAddr,
    /// The address of the platform's media: trunk RTP and WebRTC host candidates.
    #[arg(long, env = "SEATLINE_MEDIA_IP", default_value = "127.0.0.1")]
    pub media_ip: IpAddr,
    /// UDP ports for media, FIRST-LAST: the lower half for trunk RTP, the upper half
    /// for the WebRTC legs of VoIP calls.
    #[arg(long, env = "SEATLINE_RTP_PORTS", default_value = "20000-20999")]
    pub rtp_ports: String,
    /// A carrier route, `PREFIX=IP:PORT[/udp|/tcp][;user=U;password=P]` (repeatable; the
    /// longest matching prefix wins; an empty prefix is the default route). Without any,
    /// the trunk is not started and calls are refused with `no_route`.
    #[arg(long = "trunk-route")]
    pub trunk_routes: Vec<String>,
    /// The digest password of routes that name a user but no password.
    #[arg(long, env = "SEATLINE_TRUNK_PASSWORD", hide_env_values = true)]
    pub trunk_password: Option<String>,
    /// Seconds a customer's phone may ring before the call is given up (no answer).
    #[arg(long, default_value_t = 60)]
    pub ring_timeout: u64,
    /// Seconds the agent's own phone may ring for a callback (R13).
    #[arg(long, default_value_t = 30)]
    pub agent_ring_timeout: u64,
    /// Seconds a call outlives the loss of the agent's WebRTC leg.
    #[arg(long, default_value_t = 15)]
    pub call_grace: u64,
}

impl CallArgs {
    pub fn into_config(self) -> Result<CallsConfig, RouteError> {
        let (trunk_ports, webrtc_ports) =
            split_ports(parse_port_range(&self.rtp_ports)?).ok_or(RouteError::PortRange)?;
        let routes = self
            .trunk_routes
            .iter()
            .map(|r| parse_route(r, self.trunk_password.as_deref()))
            .collect::<Result<Vec<_>, _>>()?;
        let trunk = (!routes.is_empty()).then(|| {
            let mut t = TrunkConfig::new(self.sip_listen, self.media_ip, trunk_ports);
            t.routes = routes;
            t.ring_timeout = Duration::from_secs(self.ring_timeout.max(1));
            t
        });
        Ok(CallsConfig {
            trunk,
            media_ip: self.media_ip,
            webrtc_ports,
            agent_grace: Duration::from_secs(self.call_grace),
            agent_ring_timeout: Duration::from_secs(self.agent_ring_timeout.max(1)),
            ..CallsConfig::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_parse() {
        let r = parse_route("=127.0.0.1:5080", None).expect("default route");
        assert_eq!(r.prefix, "");
        assert_eq!(r.transport, Transport::Udp);
        assert!(r.auth.is_none());
        let r =
            parse_route("+86=10.0.0.1:5060/tcp;user=acme;password=s3cret", None).expect("route");
        assert_eq!(r.prefix, "+86");
        assert_eq!(r.transport, Transport::Tcp);
        assert_eq!(r.auth.as_ref().map(|a| a.password.as_str()), Some("s3cret"));
        let r = parse_route("010=10.0.0.1:5060;user=acme", Some("env")).expect("env password");
        assert_eq!(r.auth.map(|a| a.password), Some("env".to_string()));
        for bad in [
            "127.0.0.1:5060",
            "x=127.0.0.1:5060",
            "+=127.0.0.1:5060",
            "1=host:5060",
            "1=127.0.0.1:5060/tls",
            "1=127.0.0.1:5060;realm=x",
        ] {
            assert!(parse_route(bad, None).is_err(), "{bad}");
        }
        assert_eq!(
            parse_route("1=127.0.0.1:5060;user=acme", None),
            Err(RouteError::Password)
        );
    }

    #[test]
    fn port_ranges_split_in_halves() {
        let r = parse_port_range("20000-20999").expect("range");
        assert_eq!(r, 20000..21000);
        let (trunk, webrtc) = split_ports(r).expect("split");
        assert_eq!(trunk, 20000..20500);
        assert_eq!(webrtc, 20500..21000);
        assert!(parse_port_range("2000").is_err());
        assert!(parse_port_range("3000-2000").is_err());
        assert!(split_ports(20000..20004).is_none());
    }
}
