//! The errors a caller can act on. `rtc`'s own error is kept as the source of [`LegError::Webrtc`]
//! so logs keep the detail, but callers match on our variants only.

/// What went wrong with a leg. Bad input (SDP, candidates) never changes the leg's state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LegError {
    /// The configuration cannot make a leg (no codec, no local address).
    #[error("invalid leg configuration: {0}")]
    Config(&'static str),
    /// The SDP does not parse.
    #[error("SDP does not parse: {0}")]
    SdpSyntax(String),
    /// The SDP parses but has no usable audio m-line.
    #[error("SDP has no audio m-line")]
    NoAudio,
    /// The remote audio m-line and our codec list have nothing in common.
    #[error("no common audio codec (remote offers {remote:?})")]
    NoCommonCodec {
        /// The remote side's codecs as `name/clock`, for the log.
        remote: Vec<String>,
    },
    /// The SDP lacks what WebRTC requires (ICE credentials, DTLS fingerprint).
    #[error("SDP is not a WebRTC description: {0}")]
    NotWebrtc(&'static str),
    /// An ICE candidate line does not parse.
    #[error("bad ICE candidate: {0}")]
    Candidate(String),
    /// The call does not fit the leg's state (e.g. an answer without an offer, media before
    /// DTLS is up, anything after `close`).
    #[error("not allowed now: {0}")]
    State(&'static str),
    /// `rtc` refused the operation.
    #[error("webrtc: {0}")]
    Webrtc(#[from] rtc::shared::error::Error),
}
