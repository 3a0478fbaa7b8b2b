//! The TCP relay: each accepted connection gets its own upstream connection; delay and
//! outages apply, loss does not (TCP would retransmit anyway).

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::controls::{FaultControls, Verdict};
use super::MAX_IN_FLIGHT;

/// How long a relayed connection waits for the upstream to accept.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest chunk read at once.
const CHUNK: usize = 16 * 1024;
/// Most connections relayed at once; more are closed on accept.
const MAX_CONNECTIONS: usize = 256;

/// Relays TCP connections from [`TcpRelay::local_addr`] to `upstream`. While down it cuts
/// every open connection and closes new ones right after accepting them (the client sees
/// its connection end). Stops, with all its connections, when dropped.
pub struct TcpRelay {
    local: SocketAddr,
    upstream: SocketAddr,
    faults: FaultControls,
    task: JoinHandle<()>,
}

impl Drop for TcpRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TcpRelay {
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
        let listener = TcpListener::bind(listen)
            .await
            .with_context(|| format!("binding the TCP relay on {listen}"))?;
        let local = listener.local_addr()?;
        let faults = FaultControls::new(seed);
        let task = tokio::spawn(accept_loop(listener, upstream, faults.clone()));
        Ok(Self {
            local,
            upstream,
            faults,
            task,
        })
    }

    /// Where clients connect instead of the upstream (e.g. `ws://{local_addr}/...`).
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

async fn accept_loop(listener: TcpListener, upstream: SocketAddr, faults: FaultControls) {
    // Owned here so that aborting this task ends every connection too.
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                if faults.is_down() || connections.len() >= MAX_CONNECTIONS {
                    faults.count_cut();
                    drop(client);
                    continue;
                }
                connections.spawn(relay(client, upstream, faults.clone()));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

async fn relay(client: TcpStream, upstream: SocketAddr, faults: FaultControls) {
    let mut down = faults.subscribe_down();
    down.borrow_and_update();
    let Ok(Ok(server)) = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(upstream)).await
    else {
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let both = async {
        tokio::join!(
            pump(client_read, server_write, &faults),
            pump(server_read, client_write, &faults)
        )
    };
    tokio::select! {
        _ = both => {}
        // Going down: dropping the halves closes both connections.
        _ = down.changed() => faults.count_cut(),
    }
}

/// Copies one direction, holding each chunk until its due time. Due times never go
/// backwards, so the byte stream stays in order while the delay is applied.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, faults: &FaultControls) {
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(MAX_IN_FLIGHT.min(1024));
    let read_side = async move {
        let mut last_due = Instant::now();
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let Verdict::Pass(delay) = faults.judge(false) else {
                // Down: the connection is being cut.
                break;
            };
            let due = (Instant::now() + delay).max(last_due);
            last_due = due;
            if tx.send((due, buf[..n].to_vec())).await.is_err() {
                break;
            }
        }
    };
    let write_side = async move {
        while let Some((due, bytes)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&bytes).await.is_err() {
                break;
            }
            faults.count_passed();
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(read_side, write_side);
}
