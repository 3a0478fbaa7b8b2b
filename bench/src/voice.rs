//! Mouth-to-ear delay and CPU per call-minute, Seatline's core beside baresip, both
//! calling a SIPp UAS that echoes RTP (`-rtp_echo`) on loopback.
//!
//! The source is the same for both: a 300 ms chirp (300 Hz to 3 kHz, inside the
//! telephone band) every 2 s, silence in between. The delay is found by normalized
//! cross-correlation (`seatline_media::tone::align`) at 8 kHz, once per period in the
//! middle of the call; the median is reported.
//!
//! - Core (`core-echo`): a `SeatlineClient` (this process) whose sound card is the WAV
//!   backend in realtime pacing: microphone and speaker run on one device clock from one
//!   start, so sample n of the speaker recording is played when sample n of the source is
//!   captured, and the lag between them is the round trip: core → WebRTC (Opus, SRTP) →
//!   platform process → trunk (PCMU) → SIPp echo → and back.
//! - baresip (`baresip-echo`): baresip 1.0 has no file player on its own clock; its
//!   `sndfile` filter writes what is encoded (`-enc.wav`) and what is decoded (`-dec.wav`)
//!   as frames pass. The round trip is the time between the first data in each file
//!   (polled every 1 ms on this clock) plus the lag of the decoded stream behind the
//!   encoded one (correlation). That covers encode → network → echo → jitter buffer →
//!   decode; unlike the core's figure it leaves out baresip's source and player buffers.

use crate::{cpu, Args};
use anyhow::{bail, Context, Result};
use seatline_core::audio::{Pacing, Repeat, WavBackend, WavInput};
use seatline_core::call::CallStage;
use seatline_core::client::{CallView, VoiceState};
use seatline_e2e::{eventually, Device};
use seatline_media::tone::align;
use seatline_media::{AudioFrame, SampleRate};
use seatline_proto::{CallMethod, DeviceKind};
use seatline_testpeers::baresip::{AnswerMode, AudioSource, Baresip, BaresipConfig, Codec};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// One period of the source: 2 s.
const PERIOD_S: usize = 2;
/// The chirp at the start of each period: 300 ms.
const CHIRP_MS: usize = 300;
/// A number outside the demo library, routed to the echo.
const NUMBER: &str = "13912345678";

/// One period of the source at `rate` Hz.
fn period(rate: usize) -> Vec<i16> {
    let n = rate * PERIOD_S;
    let chirp = rate * CHIRP_MS / 1000;
    let (f0, f1) = (300.0f64, 3000.0f64);
    let dur = CHIRP_MS as f64 / 1000.0;
    (0..n)
        .map(|i| {
            if i >= chirp {
                return 0;
            }
            let t = i as f64 / rate as f64;
            // Linear chirp, with 10 ms fades at both ends.
            let phase = 2.0 * std::f64::consts::PI * (f0 * t + (f1 - f0) * t * t / (2.0 * dur));
            let fade = (t / 0.01).min((dur - t) / 0.01).clamp(0.0, 1.0);
            (phase.sin() * fade * 0.5 * f64::from(i16::MAX)) as i16
        })
        .collect()
}

/// The source as a 48 kHz WAV of `seconds` (for baresip's `aufile`).
fn write_source(path: &Path, seconds: usize) -> Result<()> {
    let one = period(48_000);
    let samples: Vec<i16> = one.iter().copied().cycle().take(48_000 * seconds).collect();
    let frames: Vec<AudioFrame> = samples
        .chunks(960)
        .filter_map(|c| AudioFrame::new(SampleRate::Hz48000, c.to_vec()))
        .collect();
    seatline_media::wav::write_file(path, &frames)?;
    Ok(())
}

fn read_8k(path: &Path) -> Result<Vec<i16>> {
    let frames = seatline_media::wav::read_file(path, SampleRate::Hz8000)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(frames.into_iter().flat_map(|f| f.samples).collect())
}

/// Lags (in samples at 8 kHz, in -P/2..P/2) of `recording` behind `source`, one per
/// period from `first` on whose correlation scores at least 0.5. `source` is periodic.
fn lags(source: &[i16], recording: &[i16], first: usize) -> Vec<(i64, f64)> {
    let p = 8000 * PERIOD_S;
    let mut out = Vec::new();
    let mut k = first;
    while (k + 2) * p <= recording.len().min(source.len()) {
        // A whole period of the source (one chirp somewhere in it) against two periods
        // of the recording.
        let reference = &source[k * p..(k + 1) * p];
        let window = &recording[k * p..(k + 2) * p];
        if let Some(a) = align(reference, window, p - 1) {
            if a.score >= 0.5 {
                let mut lag = a.lag as i64;
                if lag > p as i64 / 2 {
                    lag -= p as i64;
                }
                out.push((lag, a.score));
            }
        }
        k += 1;
    }
    out
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    Some(v[v.len() / 2])
}

// --- baresip -----------------------------------------------------------------------------

/// When a file in `dir` ending in `suffix` first holds more than its header.
fn first_data(dir: &Path, suffix: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok()).any(|e| {
                e.file_name().to_string_lossy().ends_with(suffix)
                    && e.metadata().map(|m| m.len() > 200).unwrap_or(false)
            })
        })
        .unwrap_or(false)
}

fn find(dir: &Path, suffix: &str) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .max_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
}

/// `baresip-echo --uri sip:echo@127.0.0.1:PORT --secs T --codec opus|pcmu`.
pub async fn baresip_echo(args: &Args) -> Result<()> {
    let uri = args.str("uri")?;
    let secs: u64 = args.num("secs", 20)?;
    let codec = match args.opt("codec").as_deref() {
        Some("pcmu") => Codec::Pcmu,
        _ => Codec::Opus,
    };
    let work = tempfile::Builder::new().prefix("voice-bench-").tempdir()?;
    let source = work.path().join("source.wav");
    write_source(&source, 20)?;
    let mut cfg = BaresipConfig::new("bench");
    cfg.audio_source = AudioSource::File(source);
    cfg.record_to = Some(work.path().join("heard.wav"));
    cfg.codecs = vec![codec];
    cfg.answer_mode = AnswerMode::Manual;
    let phone = Baresip::start(cfg).await?;
    let rec_dir = phone.dir().join("recordings");
    // First data in each file, on this clock.
    let poll_dir = rec_dir.clone();
    let poller = std::thread::spawn(move || {
        let t0 = Instant::now();
        let (mut enc, mut dec) = (None, None);
        while t0.elapsed() < Duration::from_secs(30) && (enc.is_none() || dec.is_none()) {
            if enc.is_none() && first_data(&poll_dir, "-enc.wav") {
                enc = Some(Instant::now());
            }
            if dec.is_none() && first_data(&poll_dir, "-dec.wav") {
                dec = Some(Instant::now());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        (enc, dec)
    });
    phone.dial(&uri).await?;
    phone
        .wait_for(
            seatline_testpeers::ctrl::EventKind::CallEstablished,
            Duration::from_secs(15),
        )
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let pid = phone.process().pid();
    let load = cpu::load();
    let span = cpu::Span::start(&[pid]);
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (cpu_s, wall) = span.stop();
    phone.hangup().await?;
    let (enc_t, dec_t) = tokio::task::spawn_blocking(move || poller.join())
        .await?
        .map_err(|_| anyhow::anyhow!("the file poller panicked"))?;
    let dec_path = phone.save_recording(Duration::from_secs(15)).await?;
    let enc_path = find(&rec_dir, "-enc.wav").context("no -enc.wav from sndfile")?;
    let enc = read_8k(&enc_path)?;
    let dec = read_8k(&dec_path)?;
    let found = lags(&enc, &dec, 1);
    let lag_ms = median(found.iter().map(|(l, _)| *l as f64 / 8.0).collect());
    let start_ms = match (enc_t, dec_t) {
        (Some(e), Some(d)) => Some(d.saturating_duration_since(e).as_secs_f64() * 1000.0),
        _ => None,
    };
    let codec_name = if codec == Codec::Opus { "opus" } else { "pcmu" };
    match (lag_ms, start_ms) {
        (Some(lag), Some(start)) => {
            let rt = start + lag;
            println!(
                "RESULT baresip-echo codec={codec_name} round_trip_ms={rt:.1} one_way_ms={:.1} \
                 first_data_gap_ms={start:.1} lag_ms={lag:.1} periods={} cpu_s={cpu_s:.3} \
                 secs={wall:.1} cpu_ms_per_call_min={:.1} load={load}",
                rt / 2.0,
                found.len(),
                cpu_s * 1000.0 * 60.0 / wall
            );
        }
        _ => println!(
            "RESULT baresip-echo codec={codec_name} round_trip_ms=none periods={} first_data={start_ms:?} \
             cpu_s={cpu_s:.3} secs={wall:.1} cpu_ms_per_call_min={:.1} load={load}",
            found.len(),
            cpu_s * 1000.0 * 60.0 / wall
        ),
    }
    drop(phone);
    Ok(())
}

// --- core --------------------------------------------------------------------------------

/// The platform binary serving with one trunk route to the echo.
struct Platform {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Platform {
    async fn start(bin: &Path, echo: SocketAddr) -> Result<Platform> {
        let dir = tempfile::Builder::new()
            .prefix("voice-bench-platform-")
            .tempdir()?;
        let db = format!("sqlite://{}", dir.path().join("platform.db").display());
        let out = tokio::process::Command::new(bin)
            .args(["seed-demo", "--db", &db])
            .env("RUST_LOG", "warn")
            .output()
            .await?;
        if !out.status.success() {
            bail!("seed-demo: {}", String::from_utf8_lossy(&out.stderr));
        }
        let media = seatline_testpeers::ports::free_block(16)?;
        let log = std::fs::File::create(dir.path().join("platform.log"))?;
        let mut child = Command::new(bin)
            .args([
                "serve",
                "--db",
                &db,
                "--listen",
                "127.0.0.1:0",
                "--sip-listen",
                "127.0.0.1:0",
                "--rtp-ports",
                &format!("{}-{}", media, media + 15),
                "--trunk-route",
                &format!("={echo}"),
            ])
            .env("RUST_LOG", "warn,rsipstack=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let found = tokio::task::spawn_blocking(move || {
            for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
                if let Some(a) = line.trim().strip_prefix("listening on http://") {
                    return a.parse::<SocketAddr>().ok();
                }
            }
            None
        });
        let addr = tokio::time::timeout(Duration::from_secs(60), found).await;
        let mut platform = Platform {
            child,
            url: String::new(),
            _dir: dir,
        };
        match addr {
            Ok(Ok(Some(a))) => {
                platform.url = format!("http://{a}");
                Ok(platform)
            }
            _ => bail!("the platform did not start"),
        }
    }
}

impl Drop for Platform {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_call(
    device: &Device,
    what: &str,
    timeout: Duration,
    check: impl Fn(&CallView) -> bool,
) -> Result<CallView> {
    eventually(what, timeout, || {
        let view = device.client.call().filter(|v| check(v));
        async move { Ok(view) }
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// `core-echo --echo IP:PORT --secs T` (platform binary from SEATLINE_PLATFORM_BIN).
pub async fn core_echo(args: &Args) -> Result<()> {
    let echo: SocketAddr = args.str("echo")?.parse()?;
    let secs: u64 = args.num("secs", 20)?;
    let bin = seatline_e2e::platform_bin().map_err(|e| anyhow::anyhow!("{e}"))?;
    let platform = Platform::start(&bin, echo).await?;
    let work = tempfile::Builder::new().prefix("voice-bench-").tempdir()?;
    let sink = work.path().join("speaker.wav");
    let device = Device::new(&platform.url, DeviceKind::Pc).map_err(|e| anyhow::anyhow!("{e}"))?;
    device.client.set_audio_backend(Some(Arc::new(
        WavBackend::new(Pacing::Realtime)
            .with_input(WavInput::Samples {
                samples: period(48_000),
                repeat: Repeat::Loop,
            })
            .record_to(&sink),
    )));
    device
        .login_demo("1001")
        .await
        .map_err(|e| anyhow::anyhow!("login: {e}"))?;
    device.client.start_call(CallMethod::Voip, NUMBER).await?;
    wait_call(&device, "VoIP call talking", Duration::from_secs(30), |v| {
        v.phase == CallStage::Connected && v.voice == VoiceState::Up
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let load = cpu::load();
    let me = std::process::id();
    let span = cpu::Span::start(&[me]);
    let platform_span = cpu::Span::start(&[platform.child.id()]);
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let (cpu_s, wall) = span.stop();
    let (platform_cpu_s, _) = platform_span.stop();
    let stats = device.client.call().and_then(|v| v.stats);
    device.client.hang_up().await?;
    wait_call(&device, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;
    // The speaker file is finished when the backend closes.
    let heard = {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match read_8k(&sink) {
                Ok(s) if s.len() > 8000 * 4 => break s,
                _ if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => bail!("no speaker recording: {:?}", other.err()),
            }
        }
    };
    let one = period(8000);
    let source: Vec<i16> = one
        .iter()
        .copied()
        .cycle()
        .take(heard.len() + one.len())
        .collect();
    // Skip the first periods (call setup: the microphone starts before the call).
    let skip = (heard.len() / (8000 * PERIOD_S)).saturating_sub(secs as usize / PERIOD_S);
    let found = lags(&source, &heard, skip);
    let rt = median(found.iter().map(|(l, _)| *l as f64 / 8.0).collect());
    let mos = stats.map(|s| format!("{:.2}", s.mos)).unwrap_or_default();
    println!(
        "RESULT core-echo codec=opus+srtp(core-platform)/pcmu(trunk) round_trip_ms={} one_way_ms={} \
         periods={} cpu_s={cpu_s:.3} secs={wall:.1} cpu_ms_per_call_min={:.1} \
         platform_cpu_s={platform_cpu_s:.3} mos={mos} load={load}",
        rt.map(|r| format!("{r:.1}")).unwrap_or_else(|| "none".into()),
        rt.map(|r| format!("{:.1}", r / 2.0))
            .unwrap_or_else(|| "none".into()),
        found.len(),
        cpu_s * 1000.0 * 60.0 / wall
    );
    drop(device);
    drop(platform);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delayed_copy_is_found() {
        let one = period(8000);
        let src: Vec<i16> = one.iter().copied().cycle().take(8000 * 12).collect();
        let mut rec = vec![0i16; 1234];
        rec.extend_from_slice(&src);
        let found = lags(&src, &rec, 1);
        assert!(!found.is_empty());
        assert!(found.iter().all(|(l, _)| *l == 1234), "{found:?}");
    }
}
