//! The PC console's sound cards through cpal (ALSA on Linux, CoreAudio on macOS, WASAPI
//! on Windows). Behind the `cpal` cargo feature.
//!
//! Devices rarely offer exactly 48 kHz mono i16: a USB headset may be 44.1 kHz stereo
//! f32. We take the closest configuration the device offers (see `choose_config`) and
//! convert in the callback (`convert`), so the engine always sees 48 kHz mono i16.

use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{
    BufferSize, ErrorKind, FromSample, SampleFormat, SizedSample, SupportedBufferSize,
    SupportedStreamConfig, SupportedStreamConfigRange,
};

use super::config::{StreamConfig, RATE};
use super::convert::{CaptureConverter, PlaybackConverter};
use super::error::AudioError;
use super::ring::{CaptureFeed, DeviceState, Pipes, PlaybackDrain, Shared};
use super::streams::{AudioBackend, AudioStreams, Device, DeviceGuard};
use crate::settings::{AudioDevice, AudioDevices};

/// How long a backend may take to bring a stream up before we call it failed.
const OPEN_TIMEOUT: Duration = Duration::from_secs(3);

/// ALSA offers plugin devices that are not sound hardware: `null` swallows playback and
/// "captures" silence, and would hide a missing microphone from the R10 check.
const PSEUDO_DEVICES: [&str; 2] = ["null", "alsa:null"];

/// cpal's default host of this OS. Holds nothing: the host is looked up on each call,
/// so the backend is `Send + Sync` on every platform.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpalBackend;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Capture,
    Playback,
}

impl CpalBackend {
    pub fn new() -> Self {
        CpalBackend
    }

    /// The devices for one direction, as (settings entry, cpal device). Devices that
    /// cannot tell their id, or that offer no configuration at all, are left out.
    fn devices(dir: Direction) -> Vec<(AudioDevice, cpal::Device)> {
        let host = cpal::default_host();
        let devices = match dir {
            Direction::Capture => host.input_devices().map(|d| d.collect::<Vec<_>>()),
            Direction::Playback => host.output_devices().map(|d| d.collect::<Vec<_>>()),
        };
        let Ok(devices) = devices else {
            // No sound system at all (no ALSA card, no server): no devices, not an error.
            return Vec::new();
        };
        devices
            .into_iter()
            .filter_map(|device| {
                let id = device.id().ok()?.to_string();
                if is_pseudo(&id) || choose(&device, dir).is_none() {
                    return None;
                }
                let name = device
                    .description()
                    .map(|d| d.name().to_string())
                    .unwrap_or_else(|_| id.clone());
                Some((AudioDevice { id, name }, device))
            })
            .collect()
    }

    /// The device for a settings id (R8), or the system default for `None`.
    fn find(
        id: Option<&str>,
        dir: Direction,
    ) -> Result<(cpal::Device, SupportedStreamConfig), AudioError> {
        let missing = || match (id, dir) {
            (Some(id), _) => AudioError::DeviceNotFound(id.to_string()),
            (None, Direction::Capture) => AudioError::NoMicrophone,
            (None, Direction::Playback) => AudioError::NoSpeaker,
        };
        let device = match id {
            Some(id) => Self::devices(dir)
                .into_iter()
                .find(|(entry, device)| matches_id(entry, device, id))
                .map(|(_, device)| device),
            None => {
                let host = cpal::default_host();
                let device = match dir {
                    Direction::Capture => host.default_input_device(),
                    Direction::Playback => host.default_output_device(),
                };
                device.filter(|d| d.id().map_or(true, |i| !is_pseudo(&i.to_string())))
            }
        }
        .ok_or_else(missing)?;
        // A default device that offers no configuration (ALSA's "default" with no card
        // behind it) is as good as no device.
        let config = choose(&device, dir).ok_or_else(missing)?;
        Ok((device, config))
    }
}

fn is_pseudo(id: &str) -> bool {
    PSEUDO_DEVICES.contains(&id)
}

/// Settings may hold cpal's full id ("alsa:hw:0,0"), the id within the host ("hw:0,0")
/// or, from older builds, the name.
fn matches_id(entry: &AudioDevice, device: &cpal::Device, wanted: &str) -> bool {
    entry.id == wanted || entry.name == wanted || device.id().is_ok_and(|i| i.id() == wanted)
}

fn choose(device: &cpal::Device, dir: Direction) -> Option<SupportedStreamConfig> {
    let ranges: Vec<SupportedStreamConfigRange> = match dir {
        Direction::Capture => device.supported_input_configs().ok()?.collect(),
        Direction::Playback => device.supported_output_configs().ok()?.collect(),
    };
    choose_config(&ranges)
}

/// Picks the configuration that needs the least conversion: 48 kHz if offered (else
/// 44.1 kHz, else the rate nearest 48 kHz), then a sample format we convert (f32 or
/// i16 first), then the fewest channels.
fn choose_config(ranges: &[SupportedStreamConfigRange]) -> Option<SupportedStreamConfig> {
    let target = RATE.hz();
    ranges
        .iter()
        .filter(|r| format_rank(r.sample_format()).is_some())
        .map(|r| {
            let rate = if r.contains_rate(target) {
                target
            } else if r.contains_rate(44_100) {
                44_100
            } else {
                target.clamp(r.min_sample_rate(), r.max_sample_rate())
            };
            let rate_rank = match rate {
                r if r == target => 0,
                44_100 => 1,
                r => 2 + r.abs_diff(target),
            };
            let key = (
                rate_rank,
                format_rank(r.sample_format()).unwrap_or(u8::MAX),
                r.channels(),
            );
            (key, *r, rate)
        })
        .filter(|(_, r, _)| r.channels() > 0)
        .min_by_key(|(key, _, _)| *key)
        .and_then(|(_, r, rate)| r.try_with_sample_rate(rate))
}

fn format_rank(f: SampleFormat) -> Option<u8> {
    match f {
        SampleFormat::F32 => Some(0),
        SampleFormat::I16 => Some(1),
        SampleFormat::I32 => Some(2),
        SampleFormat::U16 => Some(3),
        SampleFormat::F64 => Some(4),
        SampleFormat::I8 => Some(5),
        SampleFormat::U8 => Some(6),
        _ => None,
    }
}

/// 10 ms periods when the device lets us choose: half a frame, so a 20 ms frame is
/// ready within 10 ms of being complete without waking the CPU too often.
fn buffer_size(config: &SupportedStreamConfig) -> BufferSize {
    let want = config.sample_rate() / 100;
    match *config.buffer_size() {
        SupportedBufferSize::Range { min, max } if (min..=max).contains(&want) => {
            BufferSize::Fixed(want)
        }
        _ => BufferSize::Default,
    }
}

fn map_build_error(e: &cpal::Error, id: Option<&str>, dir: Direction) -> AudioError {
    match e.kind() {
        ErrorKind::DeviceNotAvailable | ErrorKind::HostUnavailable => match (id, dir) {
            (Some(id), _) => AudioError::DeviceNotFound(id.to_string()),
            (None, Direction::Capture) => AudioError::NoMicrophone,
            (None, Direction::Playback) => AudioError::NoSpeaker,
        },
        ErrorKind::UnsupportedConfig | ErrorKind::UnsupportedOperation => {
            AudioError::Unsupported(e.to_string())
        }
        _ => AudioError::Backend(e.to_string()),
    }
}

/// The error callback: a device that went away ends the streams' life.
fn on_stream_error(shared: &Arc<Shared>) -> impl FnMut(cpal::Error) + Send + 'static {
    let shared = shared.clone();
    move |e| match e.kind() {
        ErrorKind::DeviceNotAvailable | ErrorKind::StreamInvalidated => {
            tracing::warn!(error = %e, "audio device lost");
            shared.set_state(DeviceState::Lost);
        }
        // OS-level xruns show up in our own counters as well; a reroute to the new
        // default device needs nothing from us.
        ErrorKind::Xrun | ErrorKind::DeviceChanged => {}
        _ => tracing::warn!(error = %e, "audio stream error"),
    }
}

fn build_input<T>(
    device: &cpal::Device,
    config: &SupportedStreamConfig,
    mut feed: CaptureFeed,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + Send + 'static,
    f32: FromSample<T>,
{
    let mut conv = CaptureConverter::new(config.sample_rate(), usize::from(config.channels()));
    let stream_config = cpal::StreamConfig {
        channels: config.channels(),
        sample_rate: config.sample_rate(),
        buffer_size: buffer_size(config),
    };
    device.build_input_stream::<T, _, _>(
        stream_config,
        move |data: &[T], _| conv.process(data, |s| s.to_sample::<f32>(), &mut feed),
        on_stream_error(shared),
        Some(OPEN_TIMEOUT),
    )
}

fn build_output<T>(
    device: &cpal::Device,
    config: &SupportedStreamConfig,
    mut drain: PlaybackDrain,
    shared: &Arc<Shared>,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + FromSample<f32> + Send + 'static,
{
    let mut conv = PlaybackConverter::new(config.sample_rate(), usize::from(config.channels()));
    let stream_config = cpal::StreamConfig {
        channels: config.channels(),
        sample_rate: config.sample_rate(),
        buffer_size: buffer_size(config),
    };
    device.build_output_stream::<T, _, _>(
        stream_config,
        move |data: &mut [T], _| conv.render(data, T::from_sample, &mut drain),
        on_stream_error(shared),
        Some(OPEN_TIMEOUT),
    )
}

/// Dispatches on the device's sample format to the typed stream builders.
macro_rules! by_format {
    ($fmt:expr, $build:ident, $($arg:expr),*) => {
        match $fmt {
            SampleFormat::F32 => $build::<f32>($($arg),*),
            SampleFormat::I16 => $build::<i16>($($arg),*),
            SampleFormat::I32 => $build::<i32>($($arg),*),
            SampleFormat::U16 => $build::<u16>($($arg),*),
            SampleFormat::F64 => $build::<f64>($($arg),*),
            SampleFormat::I8 => $build::<i8>($($arg),*),
            SampleFormat::U8 => $build::<u8>($($arg),*),
            other => Err(cpal::Error::with_message(
                ErrorKind::UnsupportedConfig,
                format!("sample format {other} is not converted"),
            )),
        }
    };
}

/// Keeps the cpal streams running; closing pauses and drops them.
struct CpalStreams(Vec<cpal::Stream>);

impl DeviceGuard for CpalStreams {
    fn close(self: Box<Self>) -> Result<(), AudioError> {
        for stream in &self.0 {
            // Dropping stops the stream anyway; a failed pause changes nothing.
            let _ = stream.pause();
        }
        Ok(())
    }
}

impl AudioBackend for CpalBackend {
    fn name(&self) -> &str {
        "cpal"
    }

    fn open(&self, cfg: &StreamConfig) -> Result<AudioStreams, AudioError> {
        // Find both devices before building anything, so a missing microphone is
        // reported as such even when the speaker is missing too.
        let mic = match cfg.capture {
            true => Some(Self::find(cfg.microphone.as_deref(), Direction::Capture)?),
            false => None,
        };
        let speaker = match cfg.playback {
            true => Some(Self::find(cfg.speaker.as_deref(), Direction::Playback)?),
            false => None,
        };
        let pipes = Pipes::new(cfg);
        let mut streams = Vec::new();
        if let Some((device, config)) = mic {
            let id = cfg.microphone.as_deref();
            let stream = by_format!(
                config.sample_format(),
                build_input,
                &device,
                &config,
                pipes.feed,
                &pipes.shared
            )
            .map_err(|e| map_build_error(&e, id, Direction::Capture))?;
            streams.push(stream);
        }
        if let Some((device, config)) = speaker {
            let id = cfg.speaker.as_deref();
            let stream = by_format!(
                config.sample_format(),
                build_output,
                &device,
                &config,
                pipes.drain,
                &pipes.shared
            )
            .map_err(|e| map_build_error(&e, id, Direction::Playback))?;
            streams.push(stream);
        }
        for stream in &streams {
            stream
                .play()
                .map_err(|e| map_build_error(&e, None, Direction::Capture))?;
        }
        Ok(AudioStreams::new(
            pipes.capture,
            pipes.playback,
            pipes.shared,
            Device::Realtime(Box::new(CpalStreams(streams))),
        ))
    }
}

/// R8 device lists. A PC without any sound card lists nothing.
impl AudioDevices for CpalBackend {
    fn microphones(&self) -> Vec<AudioDevice> {
        Self::devices(Direction::Capture)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }

    fn speakers(&self) -> Vec<AudioDevice> {
        Self::devices(Direction::Playback)
            .into_iter()
            .map(|(d, _)| d)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(ch: u16, min: u32, max: u32, f: SampleFormat) -> SupportedStreamConfigRange {
        SupportedStreamConfigRange::new(ch, min, max, SupportedBufferSize::Unknown, f)
    }

    #[test]
    fn prefers_48k_then_f32_then_fewest_channels() {
        let picked = choose_config(&[
            range(2, 44_100, 44_100, SampleFormat::F32),
            range(2, 8_000, 192_000, SampleFormat::I16),
            range(1, 8_000, 192_000, SampleFormat::I16),
            range(2, 48_000, 48_000, SampleFormat::F32),
        ])
        .expect("a config");
        assert_eq!(picked.sample_rate(), 48_000);
        assert_eq!(picked.sample_format(), SampleFormat::F32);
        assert_eq!(picked.channels(), 2);

        let cd_only = choose_config(&[range(2, 44_100, 44_100, SampleFormat::I16)]);
        assert_eq!(cd_only.map(|c| c.sample_rate()), Some(44_100));

        let odd = choose_config(&[range(1, 96_000, 96_000, SampleFormat::I32)]);
        assert_eq!(odd.map(|c| c.sample_rate()), Some(96_000));

        assert!(choose_config(&[range(2, 48_000, 48_000, SampleFormat::U64)]).is_none());
        assert!(choose_config(&[]).is_none());
    }

    #[test]
    fn ten_ms_periods_when_the_device_allows() {
        let config = SupportedStreamConfigRange::new(
            1,
            48_000,
            48_000,
            SupportedBufferSize::Range { min: 64, max: 4096 },
            SampleFormat::F32,
        )
        .with_sample_rate(48_000);
        assert_eq!(buffer_size(&config), BufferSize::Fixed(480));
        let unknown = range(1, 48_000, 48_000, SampleFormat::F32).with_sample_rate(48_000);
        assert_eq!(buffer_size(&unknown), BufferSize::Default);
    }

    /// This build machine has no sound card: listing gives nothing, opening gives the
    /// typed errors the shells turn into prompts (R10). On a PC with a card this test
    /// only checks that listing and opening do not panic.
    #[test]
    fn no_sound_card_lists_nothing_and_opens_with_a_typed_error() {
        let backend = CpalBackend::new();
        let mics = backend.microphones();
        let speakers = backend.speakers();
        let has_card = std::fs::read_to_string("/proc/asound/cards")
            .is_ok_and(|t| t.lines().any(|l| l.contains('[')));
        if has_card || !cfg!(target_os = "linux") {
            let _ = backend
                .open(&StreamConfig::default())
                .map(AudioStreams::close);
            return;
        }
        assert!(mics.is_empty(), "{mics:?}");
        assert!(speakers.is_empty(), "{speakers:?}");
        assert!(matches!(
            backend.open(&StreamConfig::default()),
            Err(AudioError::NoMicrophone)
        ));
        let speaker_only = StreamConfig {
            capture: false,
            ..StreamConfig::default()
        };
        assert!(matches!(
            backend.open(&speaker_only),
            Err(AudioError::NoSpeaker)
        ));
        let chosen = StreamConfig {
            microphone: Some("alsa:hw:7,0".into()),
            ..StreamConfig::default()
        };
        assert_eq!(
            backend.open(&chosen).err(),
            Some(AudioError::DeviceNotFound("alsa:hw:7,0".into()))
        );
        assert_eq!(
            super::super::mic_test(&backend, &StreamConfig::default(), 5),
            Err(AudioError::NoMicrophone)
        );
    }
}
