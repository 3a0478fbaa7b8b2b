//! A fault-injecting relay for UDP (SIP, RTP) and TCP (WebSocket, HTTP) on loopback.
//!
//! `tc netem` is not available on the build machines, so loss, delay, jitter and outages
//! come from this relay instead: a test points a client at the relay's address and the
//! relay forwards to the real server, applying the faults set at runtime through
//! [`FaultControls`]. Loss and jitter come from a seeded generator, so a run is repeatable
//! for a given seed and packet order.
//!
//! ```no_run
//! # async fn demo(rtp_server: std::net::SocketAddr) -> anyhow::Result<()> {
//! use std::time::Duration;
//! use seatline_testpeers::fault::UdpRelay;
//! let relay = UdpRelay::start(rtp_server, 42).await?;
//! // Point the client at relay.local_addr() instead of rtp_server.
//! relay.faults().set_loss_percent(5.0);
//! relay.faults().set_delay(Duration::from_millis(60), Duration::from_millis(20));
//! relay.faults().outage(Duration::from_secs(2));
//! let stats = relay.faults().stats();
//! # let _ = stats; Ok(()) }
//! ```

mod controls;
mod tcp;
mod udp;

pub use controls::{FaultControls, FaultStats};
pub use tcp::TcpRelay;
pub use udp::UdpRelay;

/// Most datagrams or chunks a relay holds back for delay at once; more are dropped (and
/// counted), which keeps a misconfigured delay from growing memory without bound.
pub const MAX_IN_FLIGHT: usize = 10_000;
