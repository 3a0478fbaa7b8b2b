//! The one async loop around an [`AudioLeg`]: a tokio UDP socket, the leg's timers, a command
//! channel in and an event channel out. The client core and the gateway both use it, so the
//! sans-IO loop is written (and tested) once.
//!
//! ```no_run
//! # async fn f(sdp_from_peer: String) -> Result<(), Box<dyn std::error::Error>> {
//! use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent, driver};
//! use std::time::Instant;
//! let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
//! let cfg = LegConfig::new(vec![socket.local_addr()?], vec![AudioCodec::Opus, AudioCodec::Pcmu]);
//! let (leg, offer) = AudioLeg::offerer(cfg, Instant::now())?;
//! let (handle, mut events) = driver::spawn(leg, socket);
//! // ... send `offer` over signalling, get the answer back ...
//! handle.accept_answer(sdp_from_peer).await?;
//! while let Some(event) = events.recv().await {
//!     if let LegEvent::Connected = event {
//!         handle.send_audio(vec![0u8; 80], 960, true)?;
//!     }
//! }
//! # Ok(()) }
//! ```

use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, oneshot};

use crate::error::LegError;
use crate::event::{LegEvent, LegStats};
use crate::leg::AudioLeg;

/// Audio events waiting for a slow consumer beyond this are dropped (a jitter buffer would
/// drop them anyway); state events are never dropped.
const EVENT_QUEUE: usize = 512;
/// Commands (mostly audio packets) queued for the loop.
const COMMAND_QUEUE: usize = 256;
/// Largest datagram we accept (above any path MTU).
const MAX_DATAGRAM: usize = 2048;

/// Why a command could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriverError {
    /// The loop has ended (leg closed, or the task was dropped).
    #[error("the leg's loop has ended")]
    Stopped,
    /// The command queue is full (audio comes faster than the loop sends it).
    #[error("the leg's command queue is full")]
    Busy,
    /// The leg refused the command.
    #[error(transparent)]
    Leg(#[from] LegError),
}

enum Command {
    Audio {
        payload: Vec<u8>,
        samples: u32,
        marker: bool,
    },
    TelephoneEvent {
        payload: Vec<u8>,
        new_event: bool,
        samples: u32,
    },
    AcceptAnswer {
        sdp: String,
        reply: oneshot::Sender<Result<(), LegError>>,
    },
    AcceptOffer {
        sdp: String,
        reply: oneshot::Sender<Result<String, LegError>>,
    },
    RemoteCandidate {
        candidate: String,
        reply: oneshot::Sender<Result<(), LegError>>,
    },
    RestartIce {
        socket: Option<UdpSocket>,
        reply: oneshot::Sender<Result<String, LegError>>,
    },
    Stats {
        reply: oneshot::Sender<LegStats>,
    },
    Close,
}

/// Controls a running leg. Cheap to clone; when the last handle is dropped the leg closes.
#[derive(Clone, Debug)]
pub struct LegHandle {
    commands: mpsc::Sender<Command>,
}

impl LegHandle {
    /// Queues one audio packet (see [`AudioLeg::send_audio`]). Never waits: a real-time
    /// producer must not block on the network loop. Packets before `Connected` are dropped.
    pub fn send_audio(
        &self,
        payload: Vec<u8>,
        samples: u32,
        marker: bool,
    ) -> Result<(), DriverError> {
        self.try_send(Command::Audio {
            payload,
            samples,
            marker,
        })
    }

    /// Queues one telephone-event packet (see [`AudioLeg::send_telephone_event`]).
    pub fn send_telephone_event(
        &self,
        payload: Vec<u8>,
        new_event: bool,
        samples: u32,
    ) -> Result<(), DriverError> {
        self.try_send(Command::TelephoneEvent {
            payload,
            new_event,
            samples,
        })
    }

    /// Applies the peer's answer (to the first offer or to an ICE restart).
    pub async fn accept_answer(&self, sdp: String) -> Result<(), DriverError> {
        self.call(|reply| Command::AcceptAnswer { sdp, reply })
            .await?
            .map_err(Into::into)
    }

    /// Answers a new offer from the peer (its ICE restart); returns our answer.
    pub async fn accept_offer(&self, sdp: String) -> Result<String, DriverError> {
        self.call(|reply| Command::AcceptOffer { sdp, reply })
            .await?
            .map_err(Into::into)
    }

    /// Adds a trickled remote candidate.
    pub async fn add_remote_candidate(&self, candidate: String) -> Result<(), DriverError> {
        self.call(|reply| Command::RemoteCandidate { candidate, reply })
            .await?
            .map_err(Into::into)
    }

    /// Restarts ICE, optionally moving to a new socket (network change). Returns the offer.
    pub async fn restart_ice(&self, socket: Option<UdpSocket>) -> Result<String, DriverError> {
        self.call(|reply| Command::RestartIce { socket, reply })
            .await?
            .map_err(Into::into)
    }

    /// Current counters and RTT.
    pub async fn stats(&self) -> Result<LegStats, DriverError> {
        self.call(|reply| Command::Stats { reply }).await
    }

    /// Closes the leg; the event stream ends with `Closed`.
    pub async fn close(&self) {
        let _ = self.commands.send(Command::Close).await;
    }

    fn try_send(&self, cmd: Command) -> Result<(), DriverError> {
        self.commands.try_send(cmd).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => DriverError::Busy,
            mpsc::error::TrySendError::Closed(_) => DriverError::Stopped,
        })
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, DriverError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| DriverError::Stopped)?;
        rx.await.map_err(|_| DriverError::Stopped)
    }
}

/// Spawns the loop on the current tokio runtime. `socket` must be the one socket named in the
/// leg's `LegConfig::local_addrs`. Returns the handle and the event stream; the stream ends
/// after `Closed`.
pub fn spawn(leg: AudioLeg, socket: UdpSocket) -> (LegHandle, mpsc::Receiver<LegEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::channel(COMMAND_QUEUE);
    let (ev_tx, ev_rx) = mpsc::channel(EVENT_QUEUE);
    tokio::spawn(run(leg, socket, cmd_rx, ev_tx));
    (LegHandle { commands: cmd_tx }, ev_rx)
}

/// The loop. Ends when the leg is closed (by a command, or because every handle was dropped).
async fn run(
    mut leg: AudioLeg,
    mut socket: UdpSocket,
    mut commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<LegEvent>,
) {
    let mut local = match socket.local_addr() {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "webrtc driver: socket has no local address");
            return;
        }
    };
    let mut buf = vec![0u8; MAX_DATAGRAM];
    let mut closed = false;
    loop {
        while let Some(t) = leg.poll_transmit() {
            if t.local != local {
                // Meant for a socket we gave up at an ICE restart.
                continue;
            }
            if let Err(e) = socket.send_to(&t.data, t.remote).await {
                // A send error (no route, e.g. mid network change) is like a lost packet: ICE
                // consent and retransmits deal with it.
                tracing::debug!(error = %e, "webrtc driver: send failed");
            }
        }
        while let Some(event) = leg.poll_event() {
            closed |= event == LegEvent::Closed;
            forward(&events, event).await;
        }
        if closed {
            break;
        }
        // `rtc` always has a timer while it runs; the fallback only bounds a wait if it has none.
        let deadline = leg
            .poll_timeout()
            .unwrap_or_else(|| Instant::now() + Duration::from_secs(1));
        tokio::select! {
            _ = tokio::time::sleep_until(tokio::time::Instant::from_std(deadline)) => {
                leg.handle_timeout(Instant::now());
            }
            r = socket.recv_from(&mut buf) => match r {
                Ok((n, remote)) => leg.handle_datagram(Instant::now(), local, remote, &buf[..n]),
                // ICMP errors surface here on Linux (e.g. port unreachable); not fatal.
                Err(e) => tracing::debug!(error = %e, "webrtc driver: recv failed"),
            },
            cmd = commands.recv() => match cmd {
                None => leg.close(),
                Some(Command::Close) => leg.close(),
                Some(cmd) => execute(&mut leg, &mut socket, &mut local, cmd),
            },
        }
    }
    // Flush the DTLS close_notify.
    while let Some(t) = leg.poll_transmit() {
        let _ = socket.send_to(&t.data, t.remote).await;
    }
}

fn execute(
    leg: &mut AudioLeg,
    socket: &mut UdpSocket,
    local: &mut std::net::SocketAddr,
    cmd: Command,
) {
    let now = Instant::now();
    match cmd {
        Command::Audio {
            payload,
            samples,
            marker,
        } => {
            if let Err(e) = leg.send_audio(now, &payload, samples, marker) {
                tracing::trace!(error = %e, "webrtc driver: audio not sent");
            }
        }
        Command::TelephoneEvent {
            payload,
            new_event,
            samples,
        } => {
            if let Err(e) = leg.send_telephone_event(now, &payload, new_event, samples) {
                tracing::debug!(error = %e, "webrtc driver: telephone-event not sent");
            }
        }
        Command::AcceptAnswer { sdp, reply } => {
            let _ = reply.send(leg.accept_answer(now, &sdp));
        }
        Command::AcceptOffer { sdp, reply } => {
            let _ = reply.send(leg.accept_offer(now, &sdp));
        }
        Command::RemoteCandidate { candidate, reply } => {
            let _ = reply.send(leg.add_remote_candidate(&candidate));
        }
        Command::RestartIce {
            socket: new_socket,
            reply,
        } => {
            let result = match new_socket {
                Some(s) => match s.local_addr() {
                    Ok(addr) => leg.restart_ice(now, vec![addr]).inspect(|_| {
                        *socket = s;
                        *local = addr;
                    }),
                    Err(_) => Err(LegError::Config("new socket has no local address")),
                },
                None => leg.restart_ice(now, vec![*local]),
            };
            let _ = reply.send(result);
        }
        Command::Stats { reply } => {
            let _ = reply.send(leg.stats(now));
        }
        Command::Close => leg.close(),
    }
}

async fn forward(events: &mpsc::Sender<LegEvent>, event: LegEvent) {
    match event {
        LegEvent::Audio { .. } | LegEvent::TelephoneEvent { .. } => {
            if events.try_send(event).is_err() {
                tracing::trace!("webrtc driver: event queue full, audio dropped");
            }
        }
        // Nobody listening is fine (the leg may be run for its sending side only).
        other => {
            let _ = events.send(other).await;
        }
    }
}
