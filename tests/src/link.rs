//! A device's network as a TCP relay on loopback that a test can disturb:
//! - `cut`/`restore`: open connections drop and new ones are refused, so one device loses
//!   the platform while the others keep it (a phone in a tunnel);
//! - `hold_next_changes`/`release`: the answer to the next `GET /customers/changes` is
//!   held back (a slow network during a library sync), to line up a race on purpose.

use crate::Result;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The request line the hold looks for (HTTP/1.1, as the core's reqwest speaks it).
const CHANGES_REQUEST: &[u8] = b"GET /api/v1/customers/changes";

struct State {
    up: AtomicBool,
    conns: Mutex<Vec<JoinHandle<()>>>,
    hold_next: AtomicBool,
    held: AtomicUsize,
    released: watch::Sender<bool>,
}

impl State {
    fn conns(&self) -> std::sync::MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Link {
    addr: SocketAddr,
    state: Arc<State>,
    accept: JoinHandle<()>,
}

impl Link {
    /// A relay to `upstream` (the platform's address; it may come and go).
    pub async fn new(upstream: SocketAddr) -> Result<Link> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            up: AtomicBool::new(true),
            conns: Mutex::new(Vec::new()),
            hold_next: AtomicBool::new(false),
            held: AtomicUsize::new(0),
            released: watch::channel(true).0,
        });
        let st = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                // Decided under the lock `cut` takes, so no relay slips past a cut.
                let mut conns = st.conns();
                if !st.up.load(Ordering::Acquire) {
                    drop(inbound);
                    continue;
                }
                let relay = tokio::spawn(relay(inbound, upstream, st.clone()));
                conns.retain(|h| !h.is_finished());
                conns.push(relay);
            }
        });
        Ok(Link {
            addr,
            state,
            accept,
        })
    }

    /// The URL a device uses to reach the platform through this link.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Drops every open connection and refuses new ones until `restore`.
    pub fn cut(&self) {
        let mut conns = self.state.conns();
        self.state.up.store(false, Ordering::Release);
        for relay in conns.drain(..) {
            relay.abort();
        }
    }

    pub fn restore(&self) {
        self.state.up.store(true, Ordering::Release);
    }

    /// Holds back the answer to the next changes request (one only) until `release`.
    pub fn hold_next_changes(&self) {
        self.state.released.send_replace(false);
        self.state.hold_next.store(true, Ordering::Release);
    }

    /// How many answers have been held back so far.
    pub fn held(&self) -> usize {
        self.state.held.load(Ordering::Acquire)
    }

    /// Lets held answers through.
    pub fn release(&self) {
        self.state.released.send_replace(true);
    }
}

async fn relay(inbound: TcpStream, upstream: SocketAddr, st: Arc<State>) {
    let Ok(outbound) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut from_client, mut to_client) = inbound.into_split();
    let (mut from_server, mut to_server) = outbound.into_split();
    let held_here = Arc::new(AtomicBool::new(false));
    let held_up = held_here.clone();
    let st_up = st.clone();
    let up = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from_client.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let chunk = &buf[..n];
            // Marked before the request is forwarded, so before its answer can come back.
            if chunk
                .windows(CHANGES_REQUEST.len())
                .any(|w| w == CHANGES_REQUEST)
                && st_up.hold_next.swap(false, Ordering::AcqRel)
            {
                held_up.store(true, Ordering::Release);
                st_up.held.fetch_add(1, Ordering::AcqRel);
            }
            if to_server.write_all(chunk).await.is_err() {
                break;
            }
        }
        let _ = to_server.shutdown().await;
    };
    let down = async move {
        let mut released = st.released.subscribe();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match from_server.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if held_here.swap(false, Ordering::AcqRel) && released.wait_for(|r| *r).await.is_err() {
                break;
            }
            if to_client.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
        let _ = to_client.shutdown().await;
    };
    tokio::join!(up, down);
}

impl Drop for Link {
    fn drop(&mut self) {
        self.accept.abort();
        for relay in self.state.conns().drain(..) {
            relay.abort();
        }
    }
}
