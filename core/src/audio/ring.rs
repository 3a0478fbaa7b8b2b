//! The lock-free rings between the OS audio callback and the engine.
//!
//! Each direction is one single-producer single-consumer ring of samples (`rtrb`): the
//! device side never blocks, never allocates and never takes a lock, whatever the engine
//! does. All the policy lives here so every backend handles xruns the same way:
//!
//! - playback underrun (the engine wrote too little): the device plays silence for the
//!   missing part and `playback_underruns` counts it;
//! - overrun (audio piles up faster than it is taken out): the oldest samples beyond the
//!   backlog bound are dropped by the side that reads, and the `*_overruns` counter counts
//!   it. The writing side cannot drop the oldest in an SPSC ring, so a ring that is
//!   completely full (the reader stopped altogether) drops the newest instead, also
//!   counted.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
#[cfg(target_os = "android")]
use std::sync::Mutex;

use rtrb::{Consumer, Producer, RingBuffer};
use seatline_media::AudioFrame;

use super::config::{StreamConfig, FRAME_SAMPLES, RATE};
use super::error::AudioError;

/// Glitch counters of one open pair of streams, for the call statistics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AudioStats {
    /// Times captured audio was dropped because the engine read too slowly.
    pub capture_overruns: u64,
    /// Device periods that played (partly) silence because the engine wrote too little.
    /// Periods before the engine's first frame are not counted.
    pub playback_underruns: u64,
    /// Times playback audio was dropped because the engine wrote too far ahead.
    pub playback_overruns: u64,
}

/// Where the device behind a pair of streams is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceState {
    Running,
    /// The device went away (headset unplugged) and the backend is opening its
    /// replacement; the streams stay valid and carry silence meanwhile.
    Reopening,
    /// The device went away for good; reading and writing still work but carry nothing.
    Lost,
}

/// What both sides share: counters and the device state, all atomics.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    capture_overruns: AtomicU64,
    playback_underruns: AtomicU64,
    playback_overruns: AtomicU64,
    state: AtomicU8,
}

impl Shared {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn stats(&self) -> AudioStats {
        AudioStats {
            capture_overruns: self.capture_overruns.load(Ordering::Relaxed),
            playback_underruns: self.playback_underruns.load(Ordering::Relaxed),
            playback_overruns: self.playback_overruns.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn state(&self) -> DeviceState {
        match self.state.load(Ordering::Acquire) {
            0 => DeviceState::Running,
            1 => DeviceState::Reopening,
            _ => DeviceState::Lost,
        }
    }

    pub(crate) fn set_state(&self, state: DeviceState) {
        let v = match state {
            DeviceState::Running => 0,
            DeviceState::Reopening => 1,
            DeviceState::Lost => 2,
        };
        self.state.store(v, Ordering::Release);
    }
}

/// The rings of one `open`: the engine's halves and the device's halves.
pub(crate) struct Pipes {
    pub shared: Arc<Shared>,
    pub capture: CaptureStream,
    pub feed: CaptureFeed,
    pub playback: PlaybackStream,
    pub drain: PlaybackDrain,
}

impl Pipes {
    pub(crate) fn new(cfg: &StreamConfig) -> Self {
        let shared = Arc::new(Shared::default());
        let (cap_tx, cap_rx) = RingBuffer::new(cfg.ring_samples());
        let (play_tx, play_rx) = RingBuffer::new(cfg.ring_samples());
        let backlog = cfg.max_backlog_samples();
        Pipes {
            capture: CaptureStream {
                rx: cap_rx,
                shared: shared.clone(),
                keep: backlog + FRAME_SAMPLES,
            },
            feed: CaptureFeed {
                tx: cap_tx,
                shared: shared.clone(),
            },
            playback: PlaybackStream {
                tx: play_tx,
                shared: shared.clone(),
            },
            drain: PlaybackDrain {
                rx: play_rx,
                shared: shared.clone(),
                max_backlog: backlog,
                short: false,
                started: false,
            },
            shared,
        }
    }
}

/// The engine's end of the microphone: 20 ms frames, oldest first.
pub struct CaptureStream {
    rx: Consumer<i16>,
    shared: Arc<Shared>,
    /// Samples left queued after trimming: the backlog bound plus the frame being read.
    keep: usize,
}

impl CaptureStream {
    /// Whole frames waiting to be read.
    pub fn available_frames(&self) -> usize {
        self.rx.slots() / FRAME_SAMPLES
    }

    /// The next 20 ms frame, or `None` when less than a frame has been captured.
    /// Never blocks. Allocates the frame; use [`CaptureStream::read_into`] to reuse one.
    pub fn read_frame(&mut self) -> Option<AudioFrame> {
        let mut frame = AudioFrame::silence(RATE);
        self.read_into(&mut frame).then_some(frame)
    }

    /// Reads the next frame into `frame` (made 48 kHz, 960 samples, reusing its buffer).
    /// Returns false, leaving `frame` unchanged, when less than a frame is waiting.
    pub fn read_into(&mut self, frame: &mut AudioFrame) -> bool {
        self.trim();
        if self.rx.slots() < FRAME_SAMPLES {
            return false;
        }
        frame.rate = RATE;
        frame.samples.resize(FRAME_SAMPLES, 0);
        // Cannot fail: a whole frame is waiting and only this half takes samples out.
        self.rx.pop_entire_slice(&mut frame.samples).is_ok()
    }

    /// Drops the oldest captured audio beyond the backlog bound, so a late engine gets
    /// recent audio instead of ever-growing delay.
    fn trim(&mut self) {
        let waiting = self.rx.slots();
        if waiting > self.keep {
            if let Ok(chunk) = self.rx.read_chunk(waiting - self.keep) {
                chunk.commit_all();
            }
            Shared::bump(&self.shared.capture_overruns);
        }
    }
}

/// The device's end of the microphone ring (realtime side).
pub(crate) struct CaptureFeed {
    tx: Producer<i16>,
    shared: Arc<Shared>,
}

impl CaptureFeed {
    /// Queues captured samples; what does not fit is dropped and counted.
    pub(crate) fn push(&mut self, samples: &[i16]) {
        let (_, rest) = self.tx.push_partial_slice(samples);
        if !rest.is_empty() {
            Shared::bump(&self.shared.capture_overruns);
        }
    }
}

/// The engine's end of the speaker: it writes 20 ms frames.
pub struct PlaybackStream {
    tx: Producer<i16>,
    shared: Arc<Shared>,
}

impl PlaybackStream {
    /// Queues one frame for playing. Never blocks. A frame that is not 48 kHz and 960
    /// samples is refused; a frame that does not fit (the device stopped taking audio) is
    /// dropped and counted as a playback overrun.
    pub fn write_frame(&mut self, frame: &AudioFrame) -> Result<(), AudioError> {
        if frame.rate != RATE || frame.samples.len() != FRAME_SAMPLES {
            return Err(AudioError::Unsupported(format!(
                "playback takes 20 ms frames at 48 kHz, got {} samples at {} Hz",
                frame.samples.len(),
                frame.rate.hz()
            )));
        }
        if self.tx.push_entire_slice(&frame.samples).is_err() {
            Shared::bump(&self.shared.playback_overruns);
        }
        Ok(())
    }

    /// Whole frames queued and not yet played: what the engine uses to pace itself in
    /// realtime mode (keep one or two queued).
    pub fn queued_frames(&self) -> usize {
        (self.tx.buffer().capacity() - self.tx.slots()) / FRAME_SAMPLES
    }
}

/// The device's end of the speaker ring (realtime side).
pub(crate) struct PlaybackDrain {
    rx: Consumer<i16>,
    shared: Arc<Shared>,
    max_backlog: usize,
    /// This period ran out of samples.
    short: bool,
    /// The engine has written something; underruns count from then on.
    started: bool,
}

impl PlaybackDrain {
    /// Call at the start of each device period: drops the oldest queued audio beyond the
    /// backlog bound (the engine ran ahead of the device clock).
    pub(crate) fn begin_period(&mut self) {
        let waiting = self.rx.slots();
        if waiting > 0 {
            self.started = true;
        }
        if waiting > self.max_backlog {
            if let Ok(chunk) = self.rx.read_chunk(waiting - self.max_backlog) {
                chunk.commit_all();
            }
            Shared::bump(&self.shared.playback_overruns);
        }
    }

    /// Fills `out` with queued samples, silence for whatever is missing.
    pub(crate) fn fill(&mut self, out: &mut [i16]) {
        let (_, rest) = self.rx.pop_partial_slice(out);
        if !rest.is_empty() {
            rest.fill(0);
            self.short = true;
        }
    }

    /// One sample, silence when none is queued (for converting callbacks).
    #[cfg_attr(
        not(any(feature = "cpal", target_os = "android", target_os = "ios")),
        allow(dead_code)
    )]
    pub(crate) fn next_sample(&mut self) -> i16 {
        self.rx.pop().unwrap_or_else(|_| {
            self.short = true;
            0
        })
    }

    /// Call at the end of each device period: counts it if it had to play silence.
    pub(crate) fn end_period(&mut self) {
        if self.short && self.started {
            Shared::bump(&self.shared.playback_underruns);
        }
        self.short = false;
    }
}

/// Hands a device-side half to whichever OS stream is current, so a backend that reopens
/// its stream (Android after a disconnect) can move the same ring half to the new
/// callback. The callback only ever `try_lock`s: one uncontended atomic, never a wait.
/// The lock is contended only while a reopen moves the half, and then the callback
/// plays silence or drops input for that period.
#[cfg(target_os = "android")]
pub(crate) struct Handoff<T>(Arc<Mutex<T>>);

#[cfg(target_os = "android")]
impl<T> Clone for Handoff<T> {
    fn clone(&self) -> Self {
        Handoff(self.0.clone())
    }
}

#[cfg(target_os = "android")]
impl<T> Handoff<T> {
    pub(crate) fn new(value: T) -> Self {
        Handoff(Arc::new(Mutex::new(value)))
    }

    /// Runs `f` on the half if it is free right now; returns `None` otherwise.
    pub(crate) fn try_with<R>(&self, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        match self.0.try_lock() {
            Ok(mut guard) => Some(f(&mut guard)),
            // A panic elsewhere poisoned it; the half itself is still consistent (ring
            // operations are atomic), so keep going.
            Err(std::sync::TryLockError::Poisoned(p)) => Some(f(&mut p.into_inner())),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}
