//! The SIP trunk: the platform's user agent towards the telephone network, and the RTP
//! legs of its calls (ADR 0007, ADR 0010).
//!
//! [`Trunk::start`] listens on UDP and TCP; [`Trunk::dial`] places an outbound call on the
//! carrier route that matches the number and returns a [`TrunkCall`]: its events
//! (ringing, answered, failed, ended, DTMF), its media (8 kHz, 20 ms [`AudioFrame`]s both
//! ways) and its control (hang up, hold, DTMF). The call orchestration bridges a
//! `TrunkCall` to an agent's WebRTC leg (VoIP) or to another `TrunkCall` (callback).
//!
//! ```no_run
//! # async fn demo() -> Result<(), seatline_platform::trunk::TrunkError> {
//! use std::sync::Arc;
//! use seatline_platform::trunk::*;
//! let mut cfg = TrunkConfig::new("0.0.0.0:5060".parse().unwrap(), "192.0.2.10".parse().unwrap(), 20000..30000);
//! cfg.routes.push(CarrierRoute {
//!     prefix: String::new(),
//!     address: "198.51.100.1:5060".parse().unwrap(),
//!     transport: Transport::Udp,
//!     auth: Some(DigestCredentials { username: "acme".into(), password: "secret".into() }),
//! });
//! let trunk = Trunk::start(cfg, Arc::new(RejectAllInbound)).await?;
//! let mut call = trunk.dial(Dial::new("+861085550100", "+8613800138000")).await?;
//! while let Some(ev) = call.events.recv().await {
//!     match ev {
//!         TrunkEvent::Answered => { /* bridge call.media */ }
//!         TrunkEvent::Failed(_) | TrunkEvent::Ended { .. } => break,
//!         _ => {}
//!     }
//! }
//! trunk.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Logs carry the SIP Call-ID, never a phone number (DESIGN invariant 5). rsipstack
//! itself logs whole messages at info level: run the platform with `rsipstack=warn`.

mod call;
mod config;
mod error;
mod guard;
mod rtp;
pub mod sdp;
mod server;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::transaction::Endpoint;
use rsipstack::transport::{SipConnection, TcpListenerConnection, TransportLayer};
use rsipstack::EndpointBuilder;
use seatline_media::AudioFrame;
use tokio::sync::mpsc;
use tokio_util_token::CancellationToken;

pub use call::CallControl;
pub use config::{CarrierRoute, DigestCredentials, PhoneNumber, Transport, TrunkConfig};
pub use error::{StackLayer, TrunkError};
pub use guard::TrunkStats;

mod tokio_util_token {
    pub use rsipstack::platform::CancellationToken;
}

/// One outbound call to place.
#[derive(Debug, Clone)]
pub struct Dial {
    /// The enterprise's main number: goes in From and P-Asserted-Identity.
    pub caller_id: String,
    /// The number to call.
    pub callee: String,
    /// Overrides [`TrunkConfig::ring_timeout`].
    pub ring_timeout: Option<Duration>,
}

impl Dial {
    pub fn new(caller_id: impl Into<String>, callee: impl Into<String>) -> Self {
        Dial {
            caller_id: caller_id.into(),
            callee: callee.into(),
            ring_timeout: None,
        }
    }
}

/// Why an outbound call did not connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallFailure {
    /// 486, 600.
    Busy,
    /// 408, 480, 487 (not ours), or our ring timeout.
    NoAnswer,
    /// 403, 404, 603 and the like: the network refuses this number.
    Rejected,
    /// 503, 500, no response from the carrier, no route.
    Unavailable,
    /// Any other final status (401/407 after our credentials, 488, ...).
    Other(u16),
}

impl CallFailure {
    pub fn from_status(code: u16) -> CallFailure {
        match code {
            486 | 600 => CallFailure::Busy,
            408 | 480 | 487 => CallFailure::NoAnswer,
            403 | 404 | 410 | 484 | 603 | 604 => CallFailure::Rejected,
            500 | 502 | 503 | 504 => CallFailure::Unavailable,
            c => CallFailure::Other(c),
        }
    }
}

/// Who ended an established (or cancelled) call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Local,
    Remote,
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// BYE (either side).
    Hangup,
    /// We hung up before the answer (CANCEL; also when a 200 crossed the CANCEL: ACK+BYE).
    Cancelled,
    /// An RFC 4028 refresh failed, or the far end's refresh did not come.
    SessionTimer,
    /// The trunk shut down.
    Shutdown,
    /// The dialog ended for another reason (transaction timeout, ...).
    Other,
}

/// What happens on a call, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrunkEvent {
    /// 180 or 183; `early_media` when the response carried SDP (its audio then flows).
    Ringing {
        early_media: bool,
    },
    Answered,
    Failed(CallFailure),
    Ended {
        by: Party,
        reason: EndReason,
    },
    /// The far end put us on hold (`true`) or resumed (`false`) with a re-INVITE or UPDATE.
    RemoteHold(bool),
    /// An RFC 4733 event (or SIP INFO dtmf-relay) from the far end.
    Dtmf(char),
}

/// The audio of a call: 8 kHz mono, 20 ms frames, both ways.
#[derive(Debug)]
pub struct TrunkMedia {
    pub to_network: mpsc::Sender<AudioFrame>,
    pub from_network: mpsc::Receiver<AudioFrame>,
}

/// An outbound call. Dropping every [`CallControl`] (this one included) hangs up.
#[derive(Debug)]
pub struct TrunkCall {
    pub events: mpsc::Receiver<TrunkEvent>,
    pub media: TrunkMedia,
    pub control: CallControl,
}

impl TrunkCall {
    /// CANCEL before the answer, BYE after; nothing once the call has ended.
    pub async fn hangup(&self) {
        self.control.hangup().await
    }

    /// Re-INVITE with `a=sendonly` (on) or `a=sendrecv` (off).
    pub async fn hold(&self, on: bool) -> Result<(), TrunkError> {
        self.control.hold(on).await
    }

    /// Send one RFC 4733 event (0-9, *, #, A-D).
    pub async fn send_dtmf(&self, digit: char) -> Result<(), TrunkError> {
        self.control.send_dtmf(digit).await
    }

    /// The SIP Call-ID (for logs and records).
    pub fn call_id(&self) -> &str {
        self.control.call_id()
    }
}

/// An inbound INVITE that passed the edge checks.
#[derive(Debug, Clone)]
pub struct InboundOffer {
    /// The number called (Request-URI user part).
    pub to: PhoneNumber,
    /// The caller's number, when the From user part is a number.
    pub from: Option<PhoneNumber>,
}

/// How to answer an inbound INVITE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboundDecision {
    /// 480 Temporarily Unavailable.
    Unavailable,
    /// 486 Busy Here.
    Busy,
    /// 603 Decline.
    Decline,
}

/// The platform's side of inbound calls. Until inbound calls are implemented every
/// offer is answered 480.
pub trait InboundCalls: Send + Sync {
    fn offer(&self, _offer: &InboundOffer) -> InboundDecision {
        InboundDecision::Unavailable
    }
}

/// Rejects every inbound call with 480.
#[derive(Debug, Default, Clone, Copy)]
pub struct RejectAllInbound;
impl InboundCalls for RejectAllInbound {}

pub(crate) struct TrunkInner {
    pub cfg: TrunkConfig,
    pub sip_addr: SocketAddr,
    pub endpoint: Endpoint,
    pub dialogs: Arc<DialogLayer>,
    pub ports: rtp::PortPool,
    pub counters: Arc<guard::GuardCounters>,
    pub inbound: Arc<dyn InboundCalls>,
    pub cancel: CancellationToken,
    pub tasks: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// The trunk: a cheap-to-clone handle.
#[derive(Clone)]
pub struct Trunk {
    inner: Arc<TrunkInner>,
}

impl std::fmt::Debug for Trunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trunk")
            .field("sip_addr", &self.inner.sip_addr)
            .finish()
    }
}

impl Trunk {
    /// Bind UDP and TCP on `cfg.sip_listen` and start serving.
    pub async fn start(
        cfg: TrunkConfig,
        inbound: Arc<dyn InboundCalls>,
    ) -> Result<Trunk, TrunkError> {
        cfg.validate()?;
        let cancel = CancellationToken::new();
        let counters = Arc::new(guard::GuardCounters::default());
        // UDP and TCP on the same port: bind UDP first (port 0 picks one), then TCP.
        let mut last_err = None;
        let mut bound = None;
        for _ in 0..10 {
            let udp = tokio::net::UdpSocket::bind(cfg.sip_listen)
                .await
                .map_err(|source| TrunkError::Bind {
                    what: "SIP UDP",
                    addr: cfg.sip_listen,
                    source,
                })?;
            let addr = udp.local_addr().map_err(|source| TrunkError::Bind {
                what: "SIP UDP",
                addr: cfg.sip_listen,
                source,
            })?;
            match TcpListenerConnection::new(addr, None).await {
                Ok(tcp) => {
                    bound = Some((udp, tcp, addr));
                    break;
                }
                Err(e) => {
                    last_err = Some(TrunkError::from(e));
                    if cfg.sip_listen.port() != 0 {
                        break;
                    }
                }
            }
        }
        let Some((udp, tcp, sip_addr)) = bound else {
            return Err(last_err.unwrap_or(TrunkError::Config("cannot bind SIP")));
        };
        let guarded = guard::GuardedUdpSocket {
            socket: Arc::new(udp),
            max_size: cfg.max_message_size,
            server_name: cfg.user_agent.clone(),
            counters: counters.clone(),
        };
        let udp = rsipstack::transport::udp::UdpConnection::from_socket(
            Arc::new(guarded),
            None,
            Some(cancel.child_token()),
        )
        .await?;
        let transport_layer = TransportLayer::new(cancel.clone());
        transport_layer.add_transport(SipConnection::from(udp));
        transport_layer.add_transport(SipConnection::from(tcp));
        let endpoint = EndpointBuilder::new()
            .with_user_agent(&cfg.user_agent)
            .with_cancel_token(cancel.clone())
            .with_transport_layer(transport_layer)
            .with_transport_inspector(Box::new(guard::GuardInspector {
                max_size: cfg.max_message_size,
                server_name: cfg.user_agent.clone(),
                counters: counters.clone(),
            }))
            .build();
        let incoming = endpoint.incoming_transactions()?;
        let dialogs = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let ports = rtp::PortPool::new(cfg.rtp_ip, cfg.rtp_ports.clone());
        let inner = Arc::new(TrunkInner {
            cfg,
            sip_addr,
            endpoint,
            dialogs,
            ports,
            counters,
            inbound,
            cancel,
            tasks: Default::default(),
        });
        let serve = {
            let ep = inner.endpoint.inner.clone();
            tokio::spawn(async move {
                let _ = ep.serve().await;
            })
        };
        let requests = tokio::spawn(server::serve_requests(
            Arc::downgrade(&inner),
            incoming,
            inner.cancel.clone(),
        ));
        if let Ok(mut t) = inner.tasks.lock() {
            t.push(serve);
            t.push(requests);
        }
        tracing::info!(%sip_addr, "trunk: SIP listening on UDP and TCP");
        Ok(Trunk { inner })
    }

    /// Place a call. Returns once the INVITE is on its way; progress comes as events.
    pub async fn dial(&self, d: Dial) -> Result<TrunkCall, TrunkError> {
        if self.inner.cancel.is_cancelled() {
            return Err(TrunkError::ShutDown);
        }
        call::dial(self.inner.clone(), d).await
    }

    /// The address SIP listens on (UDP and TCP).
    pub fn sip_addr(&self) -> SocketAddr {
        self.inner.sip_addr
    }

    /// Counters of malformed input.
    pub fn stats(&self) -> TrunkStats {
        self.inner.counters.snapshot()
    }

    /// Stop serving. Calls still up are ended locally (their BYE may not leave).
    pub async fn shutdown(self) {
        self.inner.cancel.cancel();
        let tasks = self
            .inner
            .tasks
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for t in tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
    }
}
