//! What can go wrong with the sound hardware, as the engine and the shells see it.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AudioError {
    /// No microphone at all (none plugged in, or the OS offers no capture device). The
    /// shells show the R10 prompt "请插入麦克风" for this one.
    #[error("no microphone: 请插入麦克风")]
    NoMicrophone,
    /// No speaker or headset to play to.
    #[error("no speaker")]
    NoSpeaker,
    /// The device chosen in the settings (R8) is not there any more. The caller decides
    /// whether to fall back to the system default (open again with `None`).
    #[error("audio device not found: {0}")]
    DeviceNotFound(String),
    /// A running stream lost its device (headset unplugged, USB card removed) and could
    /// not be reopened.
    #[error("audio device lost")]
    DeviceLost,
    /// The device or the request cannot be served: no usable sample format, a frame that
    /// is not 48 kHz, an operation the stream's pacing does not have.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A WAV file could not be read or written (the file backend).
    #[error("audio file {path}: {reason}")]
    File { path: String, reason: String },
    /// The platform's audio API failed; its own message.
    #[error("audio backend: {0}")]
    Backend(String),
}
