//! The PC's sound for calls (R8, R10, R17): the sound card through cpal when the PC has a
//! microphone and a speaker, WAV files otherwise (a server, CI, the demo). cpal also lists
//! the devices for the settings, with the same ids the voice engine opens.

use seatline_core::audio::{AudioBackend, CpalBackend, Pacing, Repeat, WavBackend, WavInput};
use seatline_core::settings::AudioDevices;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The devices the settings list (R8) and the microphone check (R10) use.
pub fn devices() -> Arc<dyn AudioDevices> {
    Arc::new(CpalBackend::new())
}

/// Where a call's sound comes from and goes to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AudioChoice {
    /// The sound card when the PC has a microphone and a speaker, else WAV files.
    Auto,
    /// The sound card (cpal); fails at call time without one.
    Device,
    /// WAV files: `--play` is the microphone, `--record` (default `<data-dir>/last-call.wav`)
    /// what the agent hears. For machines without a sound card, scripts and the demo.
    Files,
}

/// The voice engine's audio backend for this console, and a line saying which it is.
pub fn voice_backend(
    choice: AudioChoice,
    play: Option<&Path>,
    record: Option<&Path>,
    data_dir: &Path,
) -> (Arc<dyn AudioBackend>, String) {
    let cards = CpalBackend::new();
    let has_card = !cards.microphones().is_empty() && !cards.speakers().is_empty();
    if choice == AudioChoice::Device || (choice == AudioChoice::Auto && has_card && play.is_none())
    {
        return (Arc::new(cards), "声卡 / sound card".into());
    }
    let input = match play {
        Some(path) => WavInput::File {
            path: path.to_path_buf(),
            repeat: Repeat::Loop,
        },
        None => WavInput::Silence,
    };
    let out: PathBuf = record
        .map(Path::to_path_buf)
        .unwrap_or_else(|| data_dir.join("last-call.wav"));
    let text = format!(
        "无声卡，录音到 / no sound card, recording to {}{}",
        out.display(),
        play.map(|p| format!(" (麦克风 / microphone: {})", p.display()))
            .unwrap_or_default()
    );
    let backend = WavBackend::new(Pacing::Realtime)
        .with_input(input)
        .record_to(out);
    (Arc::new(backend), text)
}
