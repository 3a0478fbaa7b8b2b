//! iOS: the VoiceProcessingIO audio unit (Apple's echo canceller, noise suppressor and
//! automatic gain for calls) through coreaudio-rs, one unit for microphone and speaker.
//!
//! cpal's iOS backend opens RemoteIO, which has no echo cancellation: an agent on the
//! iPhone's speaker would send the customer their own voice back. VoiceProcessingIO
//! cancels what the unit itself plays from what the microphone hears, so both directions
//! must go through this one unit.
//!
//! What the Swift shell must do (Rust cannot, without Objective-C):
//! - `AVAudioSession.sharedInstance().setCategory(.playAndRecord, mode: .voiceChat,
//!   options: [.allowBluetooth])` before a call (voiceChat is the mode made for the
//!   voice-processing unit);
//! - with CallKit, open the streams only in `provider(_:didActivate:)` (CallKit activates
//!   the session) and close them in `didDeactivate`; never activate the session itself;
//! - R8 device choice: apply it with `setPreferredInput` (port UID) and
//!   `overrideOutputAudioPort(.speaker)`; the unit follows the session's route, so the
//!   ids in `StreamConfig` are not used here;
//! - after an interruption or a media-services reset, close and reopen the streams.
//!
//! The callbacks run on CoreAudio's realtime thread and only touch the rings (the
//! unit's input callback allocates once if iOS changes its buffer size, inside
//! coreaudio-rs; iOS does that on route changes, not during steady playback).

use std::sync::mpsc::{sync_channel, Receiver};
use std::thread::JoinHandle;

use coreaudio::audio_unit::audio_format::LinearPcmFlags;
use coreaudio::audio_unit::render_callback::{self, data};
use coreaudio::audio_unit::{
    audio_session_get_property, AudioUnit, Element, IOType, SampleFormat, Scope, StreamFormat,
};

use super::config::{StreamConfig, RATE};
use super::convert::{f32_to_i16, i16_to_f32, CaptureConverter, PlaybackConverter};
use super::error::AudioError;
use super::ring::{CaptureFeed, Pipes, PlaybackDrain};
use super::streams::{AudioBackend, AudioStreams, Device, DeviceGuard};

/// `kAudioOutputUnitProperty_EnableIO` (AudioUnitProperties.h).
const ENABLE_IO: u32 = 2003;
/// `kAudioSessionProperty_AudioInputAvailable` ('aiav', AudioSession.h).
const INPUT_AVAILABLE: u32 = 0x6169_6176;

type Args = render_callback::Args<data::Interleaved<i16>>;

/// The iPhone's voice-processing audio unit.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoreAudioBackend;

impl CoreAudioBackend {
    pub fn new() -> Self {
        CoreAudioBackend
    }
}

fn backend_error(what: &str, e: coreaudio::Error) -> AudioError {
    AudioError::Backend(format!("CoreAudio {what}: {e}"))
}

/// 48 kHz mono 16-bit interleaved: the unit converts to and from its own rate.
fn engine_format() -> StreamFormat {
    StreamFormat {
        sample_rate: f64::from(RATE.hz()),
        sample_format: SampleFormat::I16,
        flags: LinearPcmFlags::IS_SIGNED_INTEGER | LinearPcmFlags::IS_PACKED,
        channels: 1,
    }
}

/// Builds and starts the unit. Runs on the thread that keeps it: `AudioUnit` is not
/// `Send`.
fn start_unit(
    cfg: &StreamConfig,
    feed: CaptureFeed,
    drain: PlaybackDrain,
) -> Result<AudioUnit, AudioError> {
    if cfg.capture {
        // Best effort: if the (old) session API cannot answer, let the unit try.
        if let Ok(0u32) = audio_session_get_property::<u32>(INPUT_AVAILABLE) {
            return Err(AudioError::NoMicrophone);
        }
    }
    let mut unit = AudioUnit::new_uninitialized(IOType::VoiceProcessingIO)
        .map_err(|e| backend_error("creating VoiceProcessingIO", e))?;
    // Bus 1 is the microphone, bus 0 the speaker; input is off until enabled.
    let on = |b: bool| u32::from(b);
    unit.set_property(
        ENABLE_IO,
        Scope::Input,
        Element::Input,
        Some(&on(cfg.capture)),
    )
    .map_err(|e| backend_error("enabling the microphone", e))?;
    unit.set_property(
        ENABLE_IO,
        Scope::Output,
        Element::Output,
        Some(&on(cfg.playback)),
    )
    .map_err(|e| backend_error("enabling the speaker", e))?;
    if cfg.capture {
        unit.set_stream_format(engine_format(), Scope::Output, Element::Input)
            .map_err(|e| backend_error("setting the microphone format", e))?;
        let format = unit
            .input_stream_format()
            .map_err(|e| backend_error("reading the microphone format", e))?;
        let mut feed = feed;
        let mut conv = CaptureConverter::new(format.sample_rate as u32, format.channels as usize);
        unit.set_input_callback(move |args: Args| {
            conv.process(args.data.buffer, i16_to_f32, &mut feed);
            Ok(())
        })
        .map_err(|e| backend_error("setting the microphone callback", e))?;
    }
    if cfg.playback {
        unit.set_stream_format(engine_format(), Scope::Input, Element::Output)
            .map_err(|e| backend_error("setting the speaker format", e))?;
        let format = unit
            .output_stream_format()
            .map_err(|e| backend_error("reading the speaker format", e))?;
        let mut drain = drain;
        let mut conv = PlaybackConverter::new(format.sample_rate as u32, format.channels as usize);
        unit.set_render_callback(move |args: Args| {
            conv.render(args.data.buffer, f32_to_i16, &mut drain);
            Ok(())
        })
        .map_err(|e| backend_error("setting the speaker callback", e))?;
    }
    unit.initialize()
        .map_err(|e| backend_error("initializing VoiceProcessingIO", e))?;
    unit.start()
        .map_err(|e| backend_error("starting VoiceProcessingIO", e))?;
    Ok(unit)
}

/// Keeps the unit's thread alive; closing ends it, which stops and disposes the unit.
struct UnitThread {
    stop: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DeviceGuard for UnitThread {
    fn close(mut self: Box<Self>) -> Result<(), AudioError> {
        drop(self.stop.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Err(_)) => Err(AudioError::Backend("the CoreAudio thread panicked".into())),
            _ => Ok(()),
        }
    }
}

impl AudioBackend for CoreAudioBackend {
    fn name(&self) -> &str {
        "coreaudio-vpio"
    }

    fn open(&self, cfg: &StreamConfig) -> Result<AudioStreams, AudioError> {
        let pipes = Pipes::new(cfg);
        let (ready_tx, ready_rx) = sync_channel::<Result<(), AudioError>>(1);
        let (stop_tx, stop_rx): (_, Receiver<()>) = sync_channel(0);
        let (feed, drain, unit_cfg) = (pipes.feed, pipes.drain, cfg.clone());
        let thread = std::thread::Builder::new()
            .name("seatline-coreaudio".into())
            .spawn(move || match start_unit(&unit_cfg, feed, drain) {
                Ok(unit) => {
                    let _ = ready_tx.send(Ok(()));
                    // Returns when the guard drops its sender; then the unit drops.
                    let _ = stop_rx.recv();
                    drop(unit);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| AudioError::Backend(format!("starting the CoreAudio thread: {e}")))?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(AudioError::Backend("the CoreAudio thread ended".into())));
        if let Err(e) = ready {
            let _ = thread.join();
            return Err(e);
        }
        Ok(AudioStreams::new(
            pipes.capture,
            pipes.playback,
            pipes.shared,
            Device::Realtime(Box::new(UnitThread {
                stop: Some(stop_tx),
                thread: Some(thread),
            })),
        ))
    }
}
