//! WAV files as sound hardware, for tests and the demo: the "microphone" plays a file
//! and the "speaker" records into one (48 kHz mono 16-bit).
//!
//! Two pacings: [`Pacing::Pull`] runs a period only when the engine calls
//! [`AudioStreams::step`], so tests are deterministic; [`Pacing::Realtime`] runs one
//! every 20 ms on its own thread, like a sound card, for the demo. Both go through the
//! same rings as the real backends, so the xrun handling under test is the real one.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::config::{StreamConfig, FRAME_SAMPLES, RATE};
use super::convert::{downmix, mono_to_engine_rate};
use super::error::AudioError;
use super::ring::{CaptureFeed, DeviceState, Pipes, PlaybackDrain, Shared};
use super::streams::{AudioBackend, AudioStreams, Device, DeviceGuard, Pacing, PullDevice};

/// What the file "microphone" does when the file ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// Start over.
    Loop,
    /// Silence from then on.
    Once,
}

/// What the "microphone" is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WavInput {
    /// No microphone: opening with capture fails with `NoMicrophone` (the R10 case).
    None,
    /// A microphone that hears nothing.
    Silence,
    /// A WAV file (any rate, channels, 16/24/32-bit int or float; converted on open).
    File { path: PathBuf, repeat: Repeat },
    /// Samples already at 48 kHz mono.
    Samples { samples: Vec<i16>, repeat: Repeat },
}

#[derive(Debug, Clone)]
pub struct WavBackend {
    input: WavInput,
    output: Option<PathBuf>,
    pacing: Pacing,
}

impl WavBackend {
    /// A silent microphone and a speaker that discards, paced as asked.
    pub fn new(pacing: Pacing) -> Self {
        Self {
            input: WavInput::Silence,
            output: None,
            pacing,
        }
    }

    /// The "microphone" plays this.
    pub fn with_input(mut self, input: WavInput) -> Self {
        self.input = input;
        self
    }

    /// The "speaker" records into this file (created or overwritten on each open).
    pub fn record_to(mut self, path: impl Into<PathBuf>) -> Self {
        self.output = Some(path.into());
        self
    }
}

impl AudioBackend for WavBackend {
    fn name(&self) -> &str {
        "wav"
    }

    fn open(&self, cfg: &StreamConfig) -> Result<AudioStreams, AudioError> {
        let source = if cfg.capture {
            Some(Source::open(&self.input)?)
        } else {
            None
        };
        let sink = match (&self.output, cfg.playback) {
            (Some(path), true) => Some(Sink::create(path)?),
            _ => None,
        };
        let pipes = Pipes::new(cfg);
        let device = WavDevice {
            source,
            sink,
            playback: cfg.playback,
            feed: pipes.feed,
            drain: pipes.drain,
            buf: vec![0; FRAME_SAMPLES],
        };
        let device = match self.pacing {
            Pacing::Pull => Device::Pull(Box::new(device)),
            Pacing::Realtime => {
                Device::Realtime(Box::new(Clocked::start(device, pipes.shared.clone())?))
            }
        };
        Ok(AudioStreams::new(
            pipes.capture,
            pipes.playback,
            pipes.shared,
            device,
        ))
    }
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> AudioError {
    AudioError::File {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// The "microphone": the whole input at 48 kHz mono, and where it is.
struct Source {
    samples: Vec<i16>,
    pos: usize,
    repeat: Repeat,
}

impl Source {
    fn open(input: &WavInput) -> Result<Self, AudioError> {
        let (samples, repeat) = match input {
            WavInput::None => return Err(AudioError::NoMicrophone),
            WavInput::Silence => (Vec::new(), Repeat::Once),
            WavInput::Samples { samples, repeat } => (samples.clone(), *repeat),
            WavInput::File { path, repeat } => (read_wav(path)?, *repeat),
        };
        Ok(Source {
            samples,
            pos: 0,
            repeat,
        })
    }

    fn fill(&mut self, out: &mut [i16]) {
        for s in out.iter_mut() {
            if self.pos >= self.samples.len() && self.repeat == Repeat::Loop {
                self.pos = 0;
            }
            *s = self.samples.get(self.pos).copied().unwrap_or(0);
            self.pos += 1;
        }
    }
}

/// Reads a WAV file into 48 kHz mono i16.
fn read_wav(path: &Path) -> Result<Vec<i16>, AudioError> {
    let mut reader = hound::WavReader::open(path).map_err(|e| file_error(path, e))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(|e| file_error(path, e))?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(|e| file_error(path, e))?
        }
    };
    let mono: Vec<f32> = interleaved.chunks(channels).map(downmix).collect();
    Ok(mono_to_engine_rate(&mono, spec.sample_rate))
}

/// The "speaker": a 48 kHz mono 16-bit WAV file being written.
struct Sink {
    path: PathBuf,
    writer: hound::WavWriter<BufWriter<File>>,
}

impl Sink {
    fn create(path: &Path) -> Result<Self, AudioError> {
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: RATE.hz(),
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| file_error(path, e))?;
        Ok(Sink {
            path: path.to_path_buf(),
            writer,
        })
    }

    fn write(&mut self, samples: &[i16]) -> Result<(), AudioError> {
        let mut w = self.writer.get_i16_writer(samples.len() as u32);
        for &s in samples {
            w.write_sample(s);
        }
        w.flush().map_err(|e| file_error(&self.path, e))
    }

    fn finish(self) -> Result<(), AudioError> {
        let path = self.path;
        self.writer.finalize().map_err(|e| file_error(&path, e))
    }
}

/// The file device: one period moves one frame in each direction.
struct WavDevice {
    source: Option<Source>,
    sink: Option<Sink>,
    playback: bool,
    feed: CaptureFeed,
    drain: PlaybackDrain,
    buf: Vec<i16>,
}

impl PullDevice for WavDevice {
    fn period(&mut self) -> Result<(), AudioError> {
        if let Some(source) = self.source.as_mut() {
            source.fill(&mut self.buf);
            self.feed.push(&self.buf);
        }
        if self.playback {
            self.drain.begin_period();
            self.drain.fill(&mut self.buf);
            self.drain.end_period();
            if let Some(sink) = self.sink.as_mut() {
                sink.write(&self.buf)?;
            }
        }
        Ok(())
    }

    fn close(self: Box<Self>) -> Result<(), AudioError> {
        match self.sink {
            Some(sink) => sink.finish(),
            None => Ok(()),
        }
    }
}

/// The file device on a 20 ms clock of its own thread, like a sound card.
struct Clocked {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Result<(), AudioError>>>,
}

impl Clocked {
    fn start(mut device: WavDevice, shared: Arc<Shared>) -> Result<Self, AudioError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("seatline-wav-audio".into())
            .spawn(move || {
                let period = Duration::from_millis(u64::from(seatline_media::FRAME_MS));
                // Sleep to absolute deadlines so the clock does not drift with the work.
                let mut deadline = Instant::now();
                while !stopped.load(Ordering::Acquire) {
                    if let Err(e) = device.period() {
                        shared.set_state(DeviceState::Lost);
                        return Err(e);
                    }
                    deadline += period;
                    let now = Instant::now();
                    if deadline > now {
                        std::thread::sleep(deadline - now);
                    } else {
                        deadline = now;
                    }
                }
                Box::new(device).close()
            })
            .map_err(|e| AudioError::Backend(format!("starting the WAV clock thread: {e}")))?;
        Ok(Clocked {
            stop,
            thread: Some(thread),
        })
    }
}

impl DeviceGuard for Clocked {
    fn close(mut self: Box<Self>) -> Result<(), AudioError> {
        self.stop.store(true, Ordering::Release);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(AudioError::Backend("the WAV clock thread panicked".into())),
            None => Ok(()),
        }
    }
}

/// Reads a 48 kHz mono 16-bit WAV file as the WAV backend writes it (for tests and tools
/// that check what was played).
pub fn read_recording(path: &Path) -> Result<Vec<i16>, AudioError> {
    read_wav(path)
}
