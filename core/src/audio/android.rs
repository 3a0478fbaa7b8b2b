//! Android: AAudio (API 26+) on the platform's voice-call path.
//!
//! Streams are opened with usage VOICE_COMMUNICATION, content type SPEECH and input
//! preset VOICE_COMMUNICATION: that preset is what switches on the device's own echo
//! canceller, noise suppressor and gain control (the same path Oboe's VoiceCommunication
//! preset and the Java `AudioRecord(VOICE_COMMUNICATION)` take). Low-latency performance
//! mode, shared mode, data callbacks feeding the rings.
//!
//! Why not Oboe: `oboe-sys` compiles Oboe's C++ against the NDK's headers, so the core
//! would no longer pass `make check-mobile` (no NDK here, ADR 0002/0007), and Oboe adds
//! nothing we need on API 26+: its AAudio path is what this module does.
//!
//! Why `ndk-sys` rather than the `ndk` crate's safe `AudioStreamBuilder`: the usage,
//! content-type and input-preset setters arrived in API 28, and `ndk` only offers them
//! with its `api-level-28` feature, which links them directly. Android's linker resolves
//! every symbol when the library loads, so on Android 8.0/8.1 (minSdk is 26) the whole
//! core library would fail to load. Here they are looked up at run time (`dlsym`) and
//! skipped where missing; Android 8 then gets AAudio's default preset (no platform AEC
//! on that path; the shell's `MODE_IN_COMMUNICATION` still routes for a call).
//!
//! What the Kotlin shell must do: hold RECORD_AUDIO before a call; set
//! `AudioManager.mode = MODE_IN_COMMUNICATION` for the call and back to `MODE_NORMAL`
//! after; pass `AudioDeviceInfo.id` (as a decimal string) for a chosen device (R8).
//!
//! Disconnects (headset unplugged, Bluetooth gone): AAudio's error callback wakes the
//! supervisor thread, which closes the dead stream and opens a new one on the default
//! device; the rings (and so the engine's `AudioStreams`) stay the same, and carry
//! silence meanwhile (`DeviceState::Reopening`).

// bindgen gives AAudio's constants per-architecture types (some i32, some u32), so the
// `as i32` below is a no-op on some targets and needed on others.
#![allow(clippy::unnecessary_cast)]

use std::ffi::{c_void, CStr};
use std::ptr::{self, NonNull};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use ndk_sys as ffi;

use super::config::{StreamConfig, RATE};
use super::convert::{f32_to_i16, i16_to_f32, CaptureConverter, PlaybackConverter};
use super::error::AudioError;
use super::ring::{CaptureFeed, DeviceState, Handoff, Pipes, PlaybackDrain, Shared};
use super::streams::{AudioBackend, AudioStreams, Device, DeviceGuard};

const OK: i32 = ffi::AAUDIO_OK as i32;
const DIRECTION_OUTPUT: i32 = ffi::AAUDIO_DIRECTION_OUTPUT as i32;
const DIRECTION_INPUT: i32 = ffi::AAUDIO_DIRECTION_INPUT as i32;
const FORMAT_I16: i32 = ffi::AAUDIO_FORMAT_PCM_I16 as i32;
const FORMAT_F32: i32 = ffi::AAUDIO_FORMAT_PCM_FLOAT as i32;
const SHARING_SHARED: i32 = ffi::AAUDIO_SHARING_MODE_SHARED as i32;
const PERFORMANCE_LOW_LATENCY: i32 = ffi::AAUDIO_PERFORMANCE_MODE_LOW_LATENCY as i32;
const USAGE_VOICE_COMMUNICATION: i32 = ffi::AAUDIO_USAGE_VOICE_COMMUNICATION as i32;
const CONTENT_TYPE_SPEECH: i32 = ffi::AAUDIO_CONTENT_TYPE_SPEECH as i32;
const INPUT_PRESET_VOICE_COMMUNICATION: i32 = ffi::AAUDIO_INPUT_PRESET_VOICE_COMMUNICATION as i32;
const CALLBACK_CONTINUE: i32 = ffi::AAUDIO_CALLBACK_RESULT_CONTINUE as i32;
const ERROR_UNAVAILABLE: i32 = ffi::AAUDIO_ERROR_UNAVAILABLE as i32;
const ERROR_DISCONNECTED: i32 = ffi::AAUDIO_ERROR_DISCONNECTED as i32;
const ERROR_NO_SERVICE: i32 = ffi::AAUDIO_ERROR_NO_SERVICE as i32;
const ERROR_INVALID_FORMAT: i32 = ffi::AAUDIO_ERROR_INVALID_FORMAT as i32;
const ERROR_INVALID_RATE: i32 = ffi::AAUDIO_ERROR_INVALID_RATE as i32;
const ERROR_ILLEGAL_ARGUMENT: i32 = ffi::AAUDIO_ERROR_ILLEGAL_ARGUMENT as i32;
const ERROR_UNIMPLEMENTED: i32 = ffi::AAUDIO_ERROR_UNIMPLEMENTED as i32;
const ERROR_INTERNAL: i32 = ffi::AAUDIO_ERROR_INTERNAL as i32;

/// Reopen attempts after a disconnect, with this pause before each.
const REOPEN_DELAYS_MS: [u64; 4] = [50, 200, 500, 1000];

/// AAudio on this phone. `open` starts a supervisor thread that owns the streams.
#[derive(Debug, Clone, Copy, Default)]
pub struct AaudioBackend;

impl AaudioBackend {
    pub fn new() -> Self {
        AaudioBackend
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Capture,
    Playback,
}

/// What the supervisor thread is told.
enum Event {
    /// A stream's error callback fired (with AAudio's code), for the stream of this
    /// generation.
    Failed {
        dir: Dir,
        generation: u64,
        code: i32,
    },
    Close,
}

/// A settings id (R8) is `AudioDeviceInfo.getId()` as text; `None` is 0, the default.
fn device_id(id: Option<&str>) -> Result<i32, AudioError> {
    match id {
        None => Ok(0),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| AudioError::DeviceNotFound(text.to_string())),
    }
}

fn result_text(code: i32) -> String {
    // SAFETY: AAudio_convertResultToText returns a pointer to a static NUL-terminated
    // string for any code (unknown codes get a generic text), never null.
    let text = unsafe { CStr::from_ptr(ffi::AAudio_convertResultToText(code)) };
    format!("AAudio: {} ({code})", text.to_string_lossy())
}

fn open_error(code: i32, dir: Dir, id: Option<&str>) -> AudioError {
    match (code, dir, id) {
        (ERROR_UNAVAILABLE | ERROR_DISCONNECTED | ERROR_NO_SERVICE, _, Some(id)) => {
            AudioError::DeviceNotFound(id.to_string())
        }
        (ERROR_UNAVAILABLE | ERROR_DISCONNECTED | ERROR_NO_SERVICE, Dir::Capture, None) => {
            AudioError::NoMicrophone
        }
        (ERROR_UNAVAILABLE | ERROR_DISCONNECTED | ERROR_NO_SERVICE, Dir::Playback, None) => {
            AudioError::NoSpeaker
        }
        _ => AudioError::Backend(result_text(code)),
    }
}

type IntSetter = unsafe extern "C" fn(*mut ffi::AAudioStreamBuilder, i32);

/// An API 28 builder setter, if this Android has it.
fn api28_setter(name: &CStr) -> Option<IntSetter> {
    // SAFETY: dlsym with RTLD_DEFAULT and a NUL-terminated name only looks the symbol up
    // among the libraries already loaded (libaaudio is, we link it).
    let sym = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
    if sym.is_null() {
        return None;
    }
    // SAFETY: the three symbols looked up here are declared in AAudio.h as
    // `void f(AAudioStreamBuilder*, int32_t)`, which is exactly `IntSetter`.
    Some(unsafe { std::mem::transmute::<*mut c_void, IntSetter>(sym) })
}

/// Deletes the builder however `open_once` leaves.
struct Builder(NonNull<ffi::AAudioStreamBuilder>);

impl Drop for Builder {
    fn drop(&mut self) {
        // SAFETY: the pointer came from AAudio_createStreamBuilder and is deleted once.
        unsafe {
            ffi::AAudioStreamBuilder_delete(self.0.as_ptr());
        }
    }
}

/// The sample type the stream ended up with.
#[derive(Debug, Clone, Copy)]
enum Format {
    I16,
    F32,
}

/// What a capture callback works with; lives in a box AAudio holds a pointer to.
struct CaptureCb {
    feed: Handoff<CaptureFeed>,
    conv: CaptureConverter,
    format: Format,
    channels: usize,
}

struct PlaybackCb {
    drain: Handoff<PlaybackDrain>,
    conv: PlaybackConverter,
    format: Format,
    channels: usize,
}

/// What the error callback needs: where to report, and which stream it was.
struct ErrorCtx {
    tx: SyncSender<Event>,
    dir: Dir,
    generation: u64,
}

/// The ring half a new stream of each direction takes.
#[derive(Clone)]
enum Half {
    Capture(Handoff<CaptureFeed>),
    Playback(Handoff<PlaybackDrain>),
}

impl Half {
    fn dir(&self) -> Dir {
        match self {
            Half::Capture(_) => Dir::Capture,
            Half::Playback(_) => Dir::Playback,
        }
    }
}

/// The callback box, as the raw pointer AAudio holds.
enum CbPtr {
    Capture(*mut CaptureCb),
    Playback(*mut PlaybackCb),
}

/// One open AAudio stream and the boxes its callbacks point into. Created, used and
/// dropped on the supervisor thread only.
struct Stream {
    raw: NonNull<ffi::AAudioStream>,
    data: CbPtr,
    error: *mut ErrorCtx,
}

impl Drop for Stream {
    fn drop(&mut self) {
        // SAFETY: `raw` is an open stream owned by this value. After AAudioStream_close
        // returns AAudio makes no more callbacks, so the boxes can be freed; each box was
        // made by Box::into_raw in `open_once` and is freed exactly once, here.
        unsafe {
            ffi::AAudioStream_requestStop(self.raw.as_ptr());
            ffi::AAudioStream_close(self.raw.as_ptr());
            match self.data {
                CbPtr::Capture(p) => drop(Box::from_raw(p)),
                CbPtr::Playback(p) => drop(Box::from_raw(p)),
            }
            drop(Box::from_raw(self.error));
        }
    }
}

unsafe extern "C" fn capture_callback(
    _stream: *mut ffi::AAudioStream,
    user: *mut c_void,
    data: *mut c_void,
    frames: i32,
) -> ffi::aaudio_data_callback_result_t {
    // SAFETY: `user` is the CaptureCb box of this stream, alive until the stream is
    // closed; AAudio never runs two callbacks of one stream at once, so this is the only
    // reference while it runs.
    let cb = unsafe { &mut *user.cast::<CaptureCb>() };
    let n = usize::try_from(frames).unwrap_or(0) * cb.channels;
    let CaptureCb {
        feed, conv, format, ..
    } = cb;
    match format {
        Format::I16 => {
            // SAFETY: AAudio hands `frames` frames of `channels` i16 samples (the format
            // the stream was opened with), valid for the duration of the callback.
            let input = unsafe { std::slice::from_raw_parts(data.cast::<i16>(), n) };
            // A busy handoff (only while a reopen moves it) drops this input.
            feed.try_with(|f| conv.process(input, i16_to_f32, f));
        }
        Format::F32 => {
            // SAFETY: as above, with f32 samples.
            let input = unsafe { std::slice::from_raw_parts(data.cast::<f32>(), n) };
            feed.try_with(|f| conv.process(input, |x| x, f));
        }
    }
    CALLBACK_CONTINUE
}

unsafe extern "C" fn playback_callback(
    _stream: *mut ffi::AAudioStream,
    user: *mut c_void,
    data: *mut c_void,
    frames: i32,
) -> ffi::aaudio_data_callback_result_t {
    // SAFETY: as in `capture_callback`, for the PlaybackCb box.
    let cb = unsafe { &mut *user.cast::<PlaybackCb>() };
    let n = usize::try_from(frames).unwrap_or(0) * cb.channels;
    let PlaybackCb {
        drain,
        conv,
        format,
        ..
    } = cb;
    match format {
        Format::I16 => {
            // SAFETY: AAudio hands a writable buffer of `frames` frames of `channels`
            // i16 samples, valid for the duration of the callback.
            let out = unsafe { std::slice::from_raw_parts_mut(data.cast::<i16>(), n) };
            if drain
                .try_with(|d| conv.render(out, f32_to_i16, d))
                .is_none()
            {
                out.fill(0);
            }
        }
        Format::F32 => {
            // SAFETY: as above, with f32 samples.
            let out = unsafe { std::slice::from_raw_parts_mut(data.cast::<f32>(), n) };
            if drain.try_with(|d| conv.render(out, |x| x, d)).is_none() {
                out.fill(0.0);
            }
        }
    }
    CALLBACK_CONTINUE
}

unsafe extern "C" fn error_callback(
    _stream: *mut ffi::AAudioStream,
    user: *mut c_void,
    code: ffi::aaudio_result_t,
) {
    // SAFETY: `user` is the ErrorCtx box of this stream, alive until it is closed; the
    // callback only reads it.
    let ctx = unsafe { &*user.cast::<ErrorCtx>() };
    // Never block here and never close the stream from here (AAudio's rules): tell the
    // supervisor. A full queue means a reopen is already pending.
    let _ = ctx.tx.try_send(Event::Failed {
        dir: ctx.dir,
        generation: ctx.generation,
        code,
    });
}

/// Opens and starts a stream of `half`'s direction on `device` (0 = default): first as
/// 48 kHz mono i16, and if the device refuses that, in whatever rate and channel count
/// it offers (converted in the callback).
fn open_stream(
    half: &Half,
    device: i32,
    tx: &SyncSender<Event>,
    generation: u64,
) -> Result<Stream, i32> {
    match open_once(half, device, tx, generation, true) {
        Ok(s) => Ok(s),
        Err(
            ERROR_INVALID_FORMAT
            | ERROR_INVALID_RATE
            | ERROR_ILLEGAL_ARGUMENT
            | ERROR_UNIMPLEMENTED,
        ) => open_once(half, device, tx, generation, false),
        Err(code) => Err(code),
    }
}

fn open_once(
    half: &Half,
    device: i32,
    tx: &SyncSender<Event>,
    generation: u64,
    exact: bool,
) -> Result<Stream, i32> {
    let mut raw_builder = ptr::null_mut();
    // SAFETY: AAudio writes a new builder pointer on success.
    let rc = unsafe { ffi::AAudio_createStreamBuilder(&mut raw_builder) };
    let builder = match NonNull::new(raw_builder) {
        Some(b) if rc == OK => Builder(b),
        _ => return Err(rc),
    };
    let b = builder.0.as_ptr();
    let dir = half.dir();
    // SAFETY: `b` is a live builder; these setters only store values in it.
    unsafe {
        ffi::AAudioStreamBuilder_setDirection(
            b,
            match dir {
                Dir::Capture => DIRECTION_INPUT,
                Dir::Playback => DIRECTION_OUTPUT,
            },
        );
        ffi::AAudioStreamBuilder_setDeviceId(b, device);
        ffi::AAudioStreamBuilder_setSharingMode(b, SHARING_SHARED);
        ffi::AAudioStreamBuilder_setPerformanceMode(b, PERFORMANCE_LOW_LATENCY);
        ffi::AAudioStreamBuilder_setFormat(b, FORMAT_I16);
        if exact {
            ffi::AAudioStreamBuilder_setSampleRate(b, RATE.hz() as i32);
            ffi::AAudioStreamBuilder_setChannelCount(b, 1);
        }
    }
    let voice: [(&CStr, i32, bool); 3] = [
        (
            c"AAudioStreamBuilder_setUsage",
            USAGE_VOICE_COMMUNICATION,
            true,
        ),
        (
            c"AAudioStreamBuilder_setContentType",
            CONTENT_TYPE_SPEECH,
            true,
        ),
        (
            c"AAudioStreamBuilder_setInputPreset",
            INPUT_PRESET_VOICE_COMMUNICATION,
            dir == Dir::Capture,
        ),
    ];
    for (name, value, wanted) in voice {
        if let (true, Some(set)) = (wanted, api28_setter(name)) {
            // SAFETY: `set` has the setter's exact signature (see `api28_setter`) and
            // `b` is a live builder.
            unsafe { set(b, value) };
        }
    }

    // The callback boxes must exist before the stream opens (AAudio takes their
    // pointers now); the converters are set once the real format is known, before the
    // stream starts, so no callback sees the placeholder.
    let error = Box::into_raw(Box::new(ErrorCtx {
        tx: tx.clone(),
        dir,
        generation,
    }));
    let data = match half {
        Half::Capture(feed) => CbPtr::Capture(Box::into_raw(Box::new(CaptureCb {
            feed: feed.clone(),
            conv: CaptureConverter::new(RATE.hz(), 1),
            format: Format::I16,
            channels: 1,
        }))),
        Half::Playback(drain) => CbPtr::Playback(Box::into_raw(Box::new(PlaybackCb {
            drain: drain.clone(),
            conv: PlaybackConverter::new(RATE.hz(), 1),
            format: Format::I16,
            channels: 1,
        }))),
    };
    // SAFETY: the callbacks match AAudio's prototypes; their user pointers are the boxes
    // above, which outlive the stream (freed in Stream::drop after close, or below).
    unsafe {
        match data {
            CbPtr::Capture(p) => {
                ffi::AAudioStreamBuilder_setDataCallback(b, Some(capture_callback), p.cast())
            }
            CbPtr::Playback(p) => {
                ffi::AAudioStreamBuilder_setDataCallback(b, Some(playback_callback), p.cast())
            }
        }
        ffi::AAudioStreamBuilder_setErrorCallback(b, Some(error_callback), error.cast());
    }
    let mut raw_stream = ptr::null_mut();
    // SAFETY: `b` is a live, configured builder; AAudio writes the stream on success.
    let rc = unsafe { ffi::AAudioStreamBuilder_openStream(b, &mut raw_stream) };
    let Some(raw) = NonNull::new(raw_stream).filter(|_| rc == OK) else {
        // SAFETY: no stream was opened, so nothing else holds these boxes.
        unsafe {
            match data {
                CbPtr::Capture(p) => drop(Box::from_raw(p)),
                CbPtr::Playback(p) => drop(Box::from_raw(p)),
            }
            drop(Box::from_raw(error));
        }
        return Err(if rc == OK { ERROR_INTERNAL } else { rc });
    };
    // From here on the boxes belong to `stream` (freed when it drops).
    let stream = Stream { raw, data, error };
    // SAFETY: `raw` is open; getters only read it.
    let (rate, channels, format) = unsafe {
        (
            ffi::AAudioStream_getSampleRate(raw.as_ptr()),
            ffi::AAudioStream_getChannelCount(raw.as_ptr()),
            ffi::AAudioStream_getFormat(raw.as_ptr()),
        )
    };
    let format = match format {
        FORMAT_I16 => Format::I16,
        FORMAT_F32 => Format::F32,
        _ => return Err(ERROR_INVALID_FORMAT),
    };
    let rate = u32::try_from(rate).unwrap_or(RATE.hz());
    let channels = usize::try_from(channels).unwrap_or(1).max(1);
    // SAFETY: the stream is not started, so no callback runs and these are the only
    // references to the boxes.
    unsafe {
        match stream.data {
            CbPtr::Capture(p) => {
                let cb = &mut *p;
                cb.conv = CaptureConverter::new(rate, channels);
                cb.format = format;
                cb.channels = channels;
            }
            CbPtr::Playback(p) => {
                let cb = &mut *p;
                cb.conv = PlaybackConverter::new(rate, channels);
                cb.format = format;
                cb.channels = channels;
            }
        }
    }
    // SAFETY: `raw` is an open stream.
    let rc = unsafe { ffi::AAudioStream_requestStart(raw.as_ptr()) };
    if rc != OK {
        return Err(rc);
    }
    Ok(stream)
}

/// The supervisor: owns the streams, reopens them after a disconnect, closes them.
struct Supervisor {
    shared: Arc<Shared>,
    tx: SyncSender<Event>,
    halves: [Option<Half>; 2],
    streams: [Option<Stream>; 2],
    generation: [u64; 2],
}

fn slot(dir: Dir) -> usize {
    match dir {
        Dir::Capture => 0,
        Dir::Playback => 1,
    }
}

impl Supervisor {
    fn run(mut self, rx: Receiver<Event>) {
        while let Ok(event) = rx.recv() {
            match event {
                Event::Close => break,
                Event::Failed {
                    dir,
                    generation,
                    code,
                } => {
                    // An event of a stream already replaced is stale.
                    if generation == self.generation[slot(dir)] {
                        tracing::warn!(?dir, error = %result_text(code), "audio stream failed, reopening");
                        self.reopen(dir);
                    }
                }
            }
        }
        // Dropping the streams stops and closes them.
        self.streams = [None, None];
    }

    fn reopen(&mut self, dir: Dir) {
        let i = slot(dir);
        let Some(half) = self.halves[i].clone() else {
            return;
        };
        self.shared.set_state(DeviceState::Reopening);
        self.streams[i] = None;
        for delay in REOPEN_DELAYS_MS {
            std::thread::sleep(Duration::from_millis(delay));
            self.generation[i] += 1;
            // The chosen device is what went away: follow the system's default now.
            match open_stream(&half, 0, &self.tx, self.generation[i]) {
                Ok(stream) => {
                    self.streams[i] = Some(stream);
                    self.shared.set_state(DeviceState::Running);
                    return;
                }
                Err(code) => {
                    tracing::warn!(?dir, error = %result_text(code), "reopening the audio stream failed")
                }
            }
        }
        self.shared.set_state(DeviceState::Lost);
    }
}

struct AaudioGuard {
    tx: SyncSender<Event>,
    thread: Option<JoinHandle<()>>,
}

impl DeviceGuard for AaudioGuard {
    fn close(mut self: Box<Self>) -> Result<(), AudioError> {
        // Blocks until there is room: the supervisor drains the queue promptly.
        let _ = self.tx.send(Event::Close);
        match self.thread.take().map(JoinHandle::join) {
            Some(Err(_)) => Err(AudioError::Backend(
                "the AAudio supervisor thread panicked".into(),
            )),
            _ => Ok(()),
        }
    }
}

impl AudioBackend for AaudioBackend {
    fn name(&self) -> &str {
        "aaudio"
    }

    fn open(&self, cfg: &StreamConfig) -> Result<AudioStreams, AudioError> {
        let mic = device_id(cfg.microphone.as_deref())?;
        let speaker = device_id(cfg.speaker.as_deref())?;
        let pipes = Pipes::new(cfg);
        let capture = cfg.capture.then(|| Half::Capture(Handoff::new(pipes.feed)));
        let playback = cfg
            .playback
            .then(|| Half::Playback(Handoff::new(pipes.drain)));
        let (tx, rx) = sync_channel::<Event>(8);
        let (ready_tx, ready_rx) = sync_channel::<Result<(), AudioError>>(1);
        let shared = pipes.shared.clone();
        let thread_tx = tx.clone();
        let ids = (cfg.microphone.clone(), cfg.speaker.clone());
        // The streams live on this thread from open to close: AAudio handles are not
        // `Send`, and reopening needs a thread that may block anyway.
        let thread = std::thread::Builder::new()
            .name("seatline-aaudio".into())
            .spawn(move || {
                let mut sup = Supervisor {
                    shared,
                    tx: thread_tx,
                    halves: [capture, playback],
                    streams: [None, None],
                    generation: [0, 0],
                };
                for (i, device, id) in [(0, mic, &ids.0), (1, speaker, &ids.1)] {
                    let Some(half) = sup.halves[i].clone() else {
                        continue;
                    };
                    match open_stream(&half, device, &sup.tx, 0) {
                        Ok(stream) => sup.streams[i] = Some(stream),
                        Err(code) => {
                            let _ = ready_tx.send(Err(open_error(code, half.dir(), id.as_deref())));
                            return;
                        }
                    }
                }
                let _ = ready_tx.send(Ok(()));
                sup.run(rx);
            })
            .map_err(|e| AudioError::Backend(format!("starting the AAudio thread: {e}")))?;
        let ready = ready_rx
            .recv()
            .unwrap_or_else(|_| Err(AudioError::Backend("the AAudio thread ended".into())));
        if let Err(e) = ready {
            let _ = thread.join();
            return Err(e);
        }
        Ok(AudioStreams::new(
            pipes.capture,
            pipes.playback,
            pipes.shared,
            Device::Realtime(Box::new(AaudioGuard {
                tx,
                thread: Some(thread),
            })),
        ))
    }
}
