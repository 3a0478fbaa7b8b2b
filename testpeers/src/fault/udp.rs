//! The UDP relay: one client side, one upstream, faults applied in both directions.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::net::UdpSocket;
use tokio::task::{JoinHandle, JoinSet};

use super::controls::{FaultControls, Verdict};
use super::MAX_IN_FLIGHT;

/// Largest datagram relayed.
const MAX_DATAGRAM: usize = 65_535;

/// Relays datagrams between the last client that sent to [`UdpRelay::local_addr`] and
/// `upstream`. The upstream sees the relay's own outgoing socket as the sender, which
/// suits symmetric RTP and SIP over `rport`; a SIP peer that answers to the `Via` address
/// instead bypasses the relay on the way back. Stops when dropped.
pub struct UdpRelay {
    local: SocketAddr,
    upstream: SocketAddr,
    faults: FaultControls,
    task: JoinHandle<()>,
}

impl Drop for UdpRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl UdpRelay {
    /// A relay on a free loopback port in front of `upstream`.
    pub async fn start(upstream: SocketAddr, seed: u64) -> Result<Self> {
        Self::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), upstream, seed).await
    }

    /// A relay listening on `listen` (loopback only) in front of `upstream`.
    pub async fn bind(listen: SocketAddr, upstream: SocketAddr, seed: u64) -> Result<Self> {
        anyhow::ensure!(
            listen.ip().is_loopback() && upstream.ip().is_loopback(),
            "the fault relay only runs on loopback"
        );
        let front = UdpSocket::bind(listen)
            .await
            .with_context(|| format!("binding the UDP relay on {listen}"))?;
        let back = UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
            .await
            .context("binding the UDP relay's upstream socket")?;
        back.connect(upstream)
            .await
            .with_context(|| format!("connecting the UDP relay to {upstream}"))?;
        let local = front.local_addr()?;
        let faults = FaultControls::new(seed);
        let task = tokio::spawn(run(Arc::new(front), Arc::new(back), faults.clone()));
        Ok(Self {
            local,
            upstream,
            faults,
            task,
        })
    }

    /// Where clients send instead of the upstream.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The real server.
    pub fn upstream_addr(&self) -> SocketAddr {
        self.upstream
    }

    /// Faults and counters.
    pub fn faults(&self) -> &FaultControls {
        &self.faults
    }
}

#[derive(Clone, Copy)]
enum Dest {
    Upstream,
    Client(SocketAddr),
}

async fn run(front: Arc<UdpSocket>, back: Arc<UdpSocket>, faults: FaultControls) {
    let mut client: Option<SocketAddr> = None;
    let mut delayed = JoinSet::new();
    let mut from_client = vec![0u8; MAX_DATAGRAM];
    let mut from_upstream = vec![0u8; MAX_DATAGRAM];
    loop {
        tokio::select! {
            received = front.recv_from(&mut from_client) => {
                // Errors here are ICMP reports about earlier sends: keep relaying.
                let Ok((n, from)) = received else { continue };
                client = Some(from);
                let data = from_client[..n].to_vec();
                forward(&front, &back, Dest::Upstream, data, &faults, &mut delayed);
            }
            received = back.recv(&mut from_upstream) => {
                let Ok(n) = received else { continue };
                match client {
                    Some(c) => {
                        let data = from_upstream[..n].to_vec();
                        forward(&front, &back, Dest::Client(c), data, &faults, &mut delayed);
                    }
                    // Nobody to send it to yet.
                    None => faults.count_dropped(),
                }
            }
            Some(_) = delayed.join_next(), if !delayed.is_empty() => {}
        }
    }
}

fn forward(
    front: &Arc<UdpSocket>,
    back: &Arc<UdpSocket>,
    dest: Dest,
    data: Vec<u8>,
    faults: &FaultControls,
    delayed: &mut JoinSet<()>,
) {
    let delay = match faults.judge(true) {
        Verdict::Drop => {
            faults.count_dropped();
            return;
        }
        Verdict::Pass(delay) => delay,
    };
    if delayed.len() >= MAX_IN_FLIGHT {
        faults.count_dropped();
        return;
    }
    faults.count_passed();
    let front = Arc::clone(front);
    let back = Arc::clone(back);
    // Each datagram waits on its own timer, so one with less jitter overtakes an earlier
    // one with more: the reordering real jitter causes.
    delayed.spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let _ = match dest {
            Dest::Upstream => back.send(&data).await,
            Dest::Client(c) => front.send_to(&data, c).await,
        };
    });
}
