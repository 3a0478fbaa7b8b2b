//! The trunk's errors: what a caller of [`super::Trunk`] can act on.
//!
//! rsipstack reports everything as `rsipstack::Error` with `String` payloads (which can
//! hold URIs, so phone numbers). They are turned into [`TrunkError::Stack`] at the one
//! conversion point below, which logs the detail at debug level only (DESIGN invariant 5).

use std::net::SocketAddr;

use super::CallFailure;

/// Where in rsipstack an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StackLayer {
    Transport,
    Transaction,
    Dialog,
    Parse,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum TrunkError {
    #[error("cannot bind the {what} socket on {addr}: {source}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid trunk configuration: {0}")]
    Config(&'static str),
    /// The dial string or caller id is not a phone number (digits, optional leading +).
    #[error("not a phone number")]
    InvalidNumber,
    /// No carrier route matches the number and there is no default route.
    #[error("no carrier route for the number")]
    NoRoute,
    /// Every port of the RTP range is in use.
    #[error("no free RTP port in the configured range")]
    NoRtpPort,
    /// The call has already ended; the request was not sent.
    #[error("the call has ended")]
    CallEnded,
    #[error("the trunk has shut down")]
    ShutDown,
    /// rsipstack failed; the detail is logged at debug level only.
    #[error("SIP stack error ({layer:?})")]
    Stack { layer: StackLayer },
}

impl TrunkError {
    /// How a failed dial attempt should be recorded, when it is a call failure at all.
    pub fn as_call_failure(&self) -> Option<CallFailure> {
        match self {
            TrunkError::NoRoute | TrunkError::NoRtpPort => Some(CallFailure::Unavailable),
            TrunkError::Stack {
                layer: StackLayer::Transport | StackLayer::Transaction,
            } => Some(CallFailure::Unavailable),
            _ => None,
        }
    }
}

impl From<rsipstack::Error> for TrunkError {
    fn from(e: rsipstack::Error) -> Self {
        use rsipstack::Error as E;
        let layer = match &e {
            E::TransportLayerError(..) => StackLayer::Transport,
            E::TransactionError(..) => StackLayer::Transaction,
            E::DialogError(..) => StackLayer::Dialog,
            E::SipMessageError(..) => StackLayer::Parse,
            E::IoError(..) | E::DnsResolutionError(..) => StackLayer::Transport,
            _ => StackLayer::Other,
        };
        tracing::debug!(?layer, error = %e, "rsipstack error");
        TrunkError::Stack { layer }
    }
}
