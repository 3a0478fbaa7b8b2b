//! The settings page's device checks (R8) on top of any [`AudioBackend`]: "test the
//! microphone" (how loud is it) and "test the speaker" (play a short tone).
//!
//! Both block until done (a second or two): call them from a worker thread
//! (`tokio::task::spawn_blocking`), never from the UI thread or an async task.

use std::time::{Duration, Instant};

use seatline_media::{AudioFrame, FRAME_MS};

use super::config::{StreamConfig, FRAME_SAMPLES, RATE};
use super::error::AudioError;
use super::streams::{AudioBackend, AudioStreams, Pacing};

/// How often a realtime check looks at the rings: a quarter of a frame.
const POLL: Duration = Duration::from_millis(5);
/// Slack for a realtime device to start delivering before the check gives up.
const START_SLACK: Duration = Duration::from_secs(2);

/// Level of a stretch of microphone audio, in dB relative to full scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MicLevel {
    pub frames: usize,
    pub rms_dbfs: f32,
    pub peak_dbfs: f32,
}

impl MicLevel {
    /// Below this peak a microphone is taken to hear nothing (muted, unplugged jack).
    pub const SILENT_PEAK_DBFS: f32 = -60.0;

    pub fn hears_something(&self) -> bool {
        self.peak_dbfs > Self::SILENT_PEAK_DBFS
    }
}

/// Accumulates the level of frames (also usable for a live input meter).
#[derive(Debug, Clone, Default)]
pub struct LevelMeter {
    frames: usize,
    samples: u64,
    sum_sq: f64,
    peak: u16,
}

impl LevelMeter {
    pub fn add(&mut self, frame: &AudioFrame) {
        self.frames += 1;
        for &s in &frame.samples {
            self.samples += 1;
            self.sum_sq += f64::from(s) * f64::from(s);
            self.peak = self.peak.max(s.unsigned_abs());
        }
    }

    pub fn level(&self) -> MicLevel {
        let rms = if self.samples == 0 {
            0.0
        } else {
            (self.sum_sq / self.samples as f64).sqrt()
        };
        MicLevel {
            frames: self.frames,
            rms_dbfs: dbfs(rms),
            peak_dbfs: dbfs(f64::from(self.peak)),
        }
    }
}

/// dB relative to a full-scale 16-bit sample; silence is -120 dB, not minus infinity.
fn dbfs(amplitude: f64) -> f32 {
    if amplitude < 1e-3 {
        return -120.0;
    }
    (20.0 * (amplitude / 32768.0).log10()) as f32
}

/// R8 "test the microphone": opens the chosen microphone alone and measures `frames`
/// frames (50 frames is one second).
pub fn mic_test(
    backend: &dyn AudioBackend,
    cfg: &StreamConfig,
    frames: usize,
) -> Result<MicLevel, AudioError> {
    let cfg = StreamConfig {
        capture: true,
        playback: false,
        ..cfg.clone()
    };
    let mut streams = backend.open(&cfg)?;
    let mut meter = LevelMeter::default();
    let mut frame = AudioFrame::silence(RATE);
    let deadline = Instant::now() + frame_time(frames) + START_SLACK;
    while meter.frames < frames {
        if streams.pacing() == Pacing::Pull {
            streams.step()?;
        }
        while meter.frames < frames && streams.capture.read_into(&mut frame) {
            meter.add(&frame);
        }
        if streams.pacing() == Pacing::Realtime && meter.frames < frames {
            wait_realtime(&streams, deadline, "no audio came from the microphone")?;
        }
    }
    streams.close()?;
    Ok(meter.level())
}

/// A sine tone for the speaker test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tone {
    pub hz: f32,
    /// 0.0..=1.0 of full scale.
    pub amplitude: f32,
    pub duration: Duration,
}

impl Default for Tone {
    /// 440 Hz at -12 dBFS for one second: clearly audible, not startling in a headset.
    fn default() -> Self {
        Tone {
            hz: 440.0,
            amplitude: 0.25,
            duration: Duration::from_secs(1),
        }
    }
}

impl Tone {
    /// The tone as 20 ms frames at 48 kHz (rounded up to whole frames).
    pub fn frames(&self) -> Vec<AudioFrame> {
        let count = frames_in(self.duration);
        let step = std::f64::consts::TAU * f64::from(self.hz) / f64::from(RATE.hz());
        let amp = f64::from(self.amplitude.clamp(0.0, 1.0)) * 32767.0;
        (0..count)
            .map(|f| AudioFrame {
                rate: RATE,
                samples: (0..FRAME_SAMPLES)
                    .map(|i| ((((f * FRAME_SAMPLES + i) as f64) * step).sin() * amp) as i16)
                    .collect(),
            })
            .collect()
    }
}

/// R8 "test the speaker": plays `tone` on the chosen speaker alone and returns when it
/// has been played out.
pub fn test_sound(
    backend: &dyn AudioBackend,
    cfg: &StreamConfig,
    tone: &Tone,
) -> Result<(), AudioError> {
    let cfg = StreamConfig {
        capture: false,
        playback: true,
        ..cfg.clone()
    };
    let mut streams = backend.open(&cfg)?;
    let frames = tone.frames();
    let deadline = Instant::now() + frame_time(frames.len()) + START_SLACK;
    match streams.pacing() {
        Pacing::Pull => {
            for frame in &frames {
                streams.playback.write_frame(frame)?;
                streams.step()?;
            }
        }
        Pacing::Realtime => {
            for frame in &frames {
                // Keep two frames queued: enough against scheduling jitter, and far
                // from the backlog bound that would drop audio.
                while streams.playback.queued_frames() >= 2 {
                    wait_realtime(&streams, deadline, "the speaker does not play")?;
                }
                streams.playback.write_frame(frame)?;
            }
            while streams.playback.queued_frames() > 0 {
                wait_realtime(&streams, deadline, "the speaker does not play")?;
            }
            // The last frame left the ring; give the device a period to play it.
            std::thread::sleep(frame_time(1));
        }
    }
    streams.close()
}

fn frame_time(frames: usize) -> Duration {
    Duration::from_millis(u64::from(FRAME_MS) * frames as u64)
}

fn frames_in(d: Duration) -> usize {
    (d.as_millis() as usize).div_ceil(FRAME_MS as usize)
}

/// One poll interval of a realtime check, failing once the device is lost or too slow.
fn wait_realtime(streams: &AudioStreams, deadline: Instant, what: &str) -> Result<(), AudioError> {
    streams.check()?;
    if Instant::now() > deadline {
        return Err(AudioError::Backend(what.into()));
    }
    std::thread::sleep(POLL);
    Ok(())
}
