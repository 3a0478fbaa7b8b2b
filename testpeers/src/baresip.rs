//! A headless baresip 1.0 phone on loopback, driven over `ctrl_tcp`.
//!
//! Each instance gets its own config directory in a tempdir and its own ports. What it
//! sends comes from `ausine` (a tone) or `aufile` (a WAV); what it hears is recorded by the
//! `sndfile` filter, which in baresip 1.0 is the only way to write received audio to a file
//! (its `aufile` module can only play). The player is `aubridge` with nobody listening, so
//! no sound device is needed.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use std::time::Duration;
//! use seatline_testpeers::baresip::{AudioSource, Baresip, BaresipConfig, EventKind};
//! let agent = Baresip::start(BaresipConfig::new("agent")).await?;
//! let customer = Baresip::start(BaresipConfig {
//!     audio_source: AudioSource::Sine { hz: 1000 },
//!     ..BaresipConfig::new("customer")
//! })
//! .await?;
//! customer.dial(&agent.sip_uri()).await?;
//! customer.wait_for(EventKind::CallEstablished, Duration::from_secs(5)).await?;
//! customer.hangup().await?;
//! agent.wait_for(EventKind::CallClosed, Duration::from_secs(5)).await?;
//! # Ok(()) }
//! ```

use std::fmt::Write as _;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use tempfile::TempDir;
use tokio::net::TcpStream;

use crate::ctrl::Ctrl;
pub use crate::ctrl::{Event, EventKind};
use crate::ports;
use crate::process::{require_binary, PeerProcess};

/// How long `start` waits for baresip's control port.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between DTMF digits: baresip drops digits sent back to back.
const DTMF_GAP: Duration = Duration::from_millis(250);
/// A WAV source is repeated to at least this long, because baresip 1.0's `aufile` ends the
/// call when its file ends.
const MIN_FILE_SOURCE: Duration = Duration::from_secs(120);

/// Where Debian puts baresip's modules (the first that exists is used).
const MODULE_PATHS: [&str; 2] = [
    "/usr/lib/baresip/modules",
    "/usr/lib/x86_64-linux-gnu/baresip/modules",
];

/// Whether incoming calls are answered by baresip itself or by [`Baresip::accept`].
///
/// baresip 1.0 sends `CALL_INCOMING` only in manual mode; an automatic answer shows as
/// `CALL_ESTABLISHED` directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AnswerMode {
    #[default]
    Auto,
    Manual,
}

/// What the phone sends as its microphone.
#[derive(Debug, Clone, PartialEq)]
pub enum AudioSource {
    /// A sine tone (`ausine`, 10..=20000 Hz).
    Sine { hz: u32 },
    /// A 16-bit PCM WAV (`aufile`), repeated to at least two minutes.
    File(PathBuf),
}

/// Audio codecs, offered in the order given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Pcmu,
    Pcma,
    Opus,
}

impl Codec {
    fn sdp_name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::Opus => "opus",
        }
    }
}

/// How to start a baresip instance. `BaresipConfig::new("customer")` gives a PCMU/PCMA
/// phone that answers automatically and sends a 440 Hz tone.
#[derive(Debug, Clone)]
pub struct BaresipConfig {
    /// SIP port on 127.0.0.1; `None` picks a free one (with the spacing baresip needs).
    pub sip_port: Option<u16>,
    /// The user part of its address, e.g. "customer".
    pub user: String,
    pub answer_mode: AnswerMode,
    pub audio_source: AudioSource,
    /// Where [`Baresip::save_recording`] writes a WAV of what this phone heard (the decoded
    /// stream, e.g. 8 kHz mono for G.711). baresip 1.0's `sndfile` stops receiving audio
    /// after a hold, so record before holding.
    pub record_to: Option<PathBuf>,
    pub codecs: Vec<Codec>,
    /// Digest credentials `(user, password)` for servers that challenge.
    pub auth: Option<(String, String)>,
    /// More `;key=value` account parameters, e.g. `outbound="sip:127.0.0.1:5070"`.
    pub extra_account_params: Vec<String>,
    /// More lines for baresip's `config` file.
    pub extra_config: Vec<String>,
    /// Start baresip with `-s` (SIP trace in its output).
    pub sip_trace: bool,
}

impl BaresipConfig {
    pub fn new(user: &str) -> Self {
        Self {
            sip_port: None,
            user: user.to_owned(),
            answer_mode: AnswerMode::Auto,
            audio_source: AudioSource::Sine { hz: 440 },
            record_to: None,
            codecs: vec![Codec::Pcmu, Codec::Pcma],
            auth: None,
            extra_account_params: Vec::new(),
            extra_config: Vec::new(),
            sip_trace: false,
        }
    }
}

/// A running baresip. Dropping it ends the process (SIGTERM first, so calls are hung up
/// and recordings closed).
pub struct Baresip {
    ctrl: Ctrl,
    // Field order matters: the process ends before its directory is removed.
    process: PeerProcess,
    sip_port: u16,
    user: String,
    record_dir: PathBuf,
    record_to: Option<PathBuf>,
    dir: TempDir,
}

impl Baresip {
    /// Writes a config directory, starts baresip and connects to its control port.
    pub async fn start(config: BaresipConfig) -> Result<Self> {
        let binary = require_binary("baresip", "baresip-core")?;
        let module_path = MODULE_PATHS
            .iter()
            .map(Path::new)
            .find(|p| p.is_dir())
            .context("baresip's module directory is missing: run `make setup-apt`")?;
        let dir = tempfile::Builder::new()
            .prefix("seatline-baresip-")
            .tempdir()
            .context("creating baresip's config dir")?;
        let sip_port = match config.sip_port {
            Some(port) => port,
            None => ports::baresip_sip_port()?,
        };
        let ctrl_port = ports::free_port()?;
        let record_dir = dir.path().join("recordings");
        std::fs::create_dir_all(&record_dir).context("creating the recordings dir")?;

        let source = source_lines(&config.audio_source, dir.path())?;
        let config_text = config_file(
            &config,
            module_path,
            sip_port,
            ctrl_port,
            &source,
            &record_dir,
        );
        std::fs::write(dir.path().join("config"), config_text).context("writing config")?;
        std::fs::write(
            dir.path().join("accounts"),
            account_line(&config, sip_port) + "\n",
        )
        .context("writing accounts")?;
        // An empty contacts file keeps baresip from writing a default one with examples.
        std::fs::write(dir.path().join("contacts"), "").context("writing contacts")?;

        let mut command = Command::new(binary);
        command.arg("-f").arg(dir.path());
        if config.sip_trace {
            command.arg("-s");
        }
        let name = format!("baresip-{}", config.user);
        let mut process = PeerProcess::spawn(&name, command, dir.path())?;
        let ctrl_addr = SocketAddr::from((Ipv4Addr::LOCALHOST, ctrl_port));
        let stream = connect_ctrl(&mut process, ctrl_addr).await?;
        tracing::debug!(peer = %name, sip_port, ctrl_port, "baresip ready");
        Ok(Self {
            ctrl: Ctrl::new(stream),
            process,
            sip_port,
            user: config.user,
            record_dir,
            record_to: config.record_to,
            dir,
        })
    }

    /// `sip:<user>@127.0.0.1:<port>`: what another peer dials to reach this phone.
    pub fn sip_uri(&self) -> String {
        format!("sip:{}@127.0.0.1:{}", self.user, self.sip_port)
    }

    /// The SIP listening address (UDP and TCP).
    pub fn sip_addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.sip_port))
    }

    /// Places a call to `uri` (e.g. another phone's [`Baresip::sip_uri`]).
    pub async fn dial(&self, uri: &str) -> Result<()> {
        if !is_loopback_uri(uri) {
            bail!("test phones only call loopback peers, not {uri}");
        }
        self.ctrl.command("dial", Some(uri)).await.map(drop)
    }

    /// Answers the ringing call (with [`AnswerMode::Manual`]).
    pub async fn accept(&self) -> Result<()> {
        self.ctrl.command("accept", None).await.map(drop)
    }

    /// Ends the current call (BYE, or CANCEL while it rings, or a reject when incoming).
    pub async fn hangup(&self) -> Result<()> {
        self.ctrl.command("hangup", None).await.map(drop)
    }

    /// Puts the current call on hold (re-INVITE with `sendonly`).
    pub async fn hold(&self) -> Result<()> {
        self.ctrl.command("hold", None).await.map(drop)
    }

    /// Takes the current call off hold.
    pub async fn resume(&self) -> Result<()> {
        self.ctrl.command("resume", None).await.map(drop)
    }

    /// Sends DTMF digits (RFC 4733 events in the RTP stream), one at a time.
    pub async fn send_dtmf(&self, digits: &str) -> Result<()> {
        for (i, digit) in digits.chars().enumerate() {
            if !matches!(digit, '0'..='9' | '*' | '#' | 'A'..='D') {
                bail!("`{digit}` is not a DTMF digit");
            }
            if i > 0 {
                tokio::time::sleep(DTMF_GAP).await;
            }
            self.ctrl
                .command("sndcode", Some(&digit.to_string()))
                .await?;
        }
        Ok(())
    }

    /// Any other `ctrl_tcp` command (e.g. `listcalls`); returns baresip's response text.
    pub async fn command(&self, command: &str, params: Option<&str>) -> Result<String> {
        self.ctrl.command(command, params).await
    }

    /// The first event of `kind` not returned by an earlier wait (events are kept from
    /// start, so waiting after the fact works).
    pub async fn wait_for(&self, kind: EventKind, timeout: Duration) -> Result<Event> {
        self.ctrl
            .wait_for(kind, timeout)
            .await
            .with_context(|| format!("{} at {}", self.process.name(), self.sip_port))
    }

    /// The first not yet returned event matching `pred`.
    pub async fn wait_for_match(
        &self,
        pred: impl Fn(&Event) -> bool,
        timeout: Duration,
    ) -> Result<Event> {
        self.ctrl.wait_for_match(pred, timeout).await
    }

    /// Waits for the DTMF digit `digit` to arrive.
    pub async fn wait_for_dtmf(&self, digit: char, timeout: Duration) -> Result<Event> {
        let digit = digit.to_string();
        self.ctrl
            .wait_for_match(
                |e| e.kind == EventKind::DtmfStart && e.param.as_deref() == Some(&digit),
                timeout,
            )
            .await
            .with_context(|| format!("waiting for DTMF {digit}"))
    }

    /// Every event so far.
    pub fn events(&self) -> Vec<Event> {
        self.ctrl.events()
    }

    /// After the call closed: copies the WAV of what this phone heard in its latest call to
    /// `record_to` and returns that path. The file is complete only once baresip closed it
    /// at the end of the call, so call this after [`EventKind::CallClosed`].
    pub async fn save_recording(&self, timeout: Duration) -> Result<PathBuf> {
        let target = self
            .record_to
            .clone()
            .context("this baresip was started without record_to")?;
        let deadline = Instant::now() + timeout;
        let mut last_size = None;
        let mut problem = String::from("no *-dec.wav yet");
        loop {
            if let Some(path) = largest_recording(&self.record_dir)? {
                let size = std::fs::metadata(&path).map(|m| m.len()).ok();
                let readable = match hound::WavReader::open(&path) {
                    Ok(r) if r.duration() > 0 => true,
                    Ok(_) => {
                        problem = format!("{} has no samples", path.display());
                        false
                    }
                    Err(e) => {
                        problem = format!("{}: {e}", path.display());
                        false
                    }
                };
                if readable && size.is_some() && size == last_size {
                    std::fs::copy(&path, &target).with_context(|| {
                        format!("copying the recording to {}", target.display())
                    })?;
                    return Ok(target);
                }
                last_size = size;
            }
            if Instant::now() >= deadline {
                bail!("no complete recording after {timeout:?} (has the call ended?): {problem}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The process guard (pid, output).
    pub fn process(&self) -> &PeerProcess {
        &self.process
    }

    /// The config directory (config, accounts, output files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

/// Whether a SIP URI's host is loopback (`sip:user@127.0.0.1:5060`, `sip:localhost`).
fn is_loopback_uri(uri: &str) -> bool {
    let rest = uri.strip_prefix("sip:").unwrap_or(uri);
    let host = rest.rsplit('@').next().unwrap_or(rest);
    ["127.0.0.1", "localhost", "[::1]"].iter().any(|h| {
        host.strip_prefix(h)
            .is_some_and(|after| after.is_empty() || after.starts_with([':', ';', '>']))
    })
}

async fn connect_ctrl(process: &mut PeerProcess, addr: SocketAddr) -> Result<TcpStream> {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Some(status) = process.try_wait()? {
            process.dump_logs();
            bail!("baresip exited while starting ({status}); its output is above");
        }
        if let Ok(stream) = TcpStream::connect(addr).await {
            return Ok(stream);
        }
        if Instant::now() >= deadline {
            process.dump_logs();
            bail!("baresip's ctrl_tcp did not listen on {addr} within {START_TIMEOUT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The largest `*-dec.wav` (what was received) that `sndfile` wrote.
///
/// The largest, not the newest: baresip 1.0 may start a new, short file when a re-INVITE
/// (hold, resume) rebuilds the audio pipeline.
fn largest_recording(dir: &Path) -> Result<Option<PathBuf>> {
    let mut newest: Option<(u64, PathBuf)> = None;
    for entry in std::fs::read_dir(dir).with_context(|| format!("listing {}", dir.display()))? {
        let path = entry?.path();
        if !path.to_string_lossy().ends_with("-dec.wav") {
            continue;
        }
        let size = std::fs::metadata(&path)?.len();
        if newest.as_ref().is_none_or(|(t, _)| size >= *t) {
            newest = Some((size, path));
        }
    }
    Ok(newest.map(|(_, p)| p))
}

/// `audio_source` and the source's sample format lines.
fn source_lines(source: &AudioSource, dir: &Path) -> Result<String> {
    match source {
        AudioSource::Sine { hz } => {
            if !(10..=20_000).contains(hz) {
                bail!("ausine plays 10..=20000 Hz, not {hz}");
            }
            // ausine only runs at 48 kHz stereo.
            Ok(format!(
                "audio_source ausine,{hz}\nausrc_srate 48000\nausrc_channels 2\n"
            ))
        }
        AudioSource::File(path) => {
            let looped = dir.join("source.wav");
            let spec = repeat_wav(path, &looped, MIN_FILE_SOURCE)?;
            Ok(format!(
                "audio_source aufile,{}\nausrc_srate {}\nausrc_channels {}\n",
                looped.display(),
                spec.sample_rate,
                spec.channels
            ))
        }
    }
}

/// Copies a 16-bit PCM WAV to `to`, repeated until it lasts at least `min`.
fn repeat_wav(from: &Path, to: &Path, min: Duration) -> Result<hound::WavSpec> {
    let mut reader = hound::WavReader::open(from)
        .with_context(|| format!("reading the audio source {}", from.display()))?;
    let spec = reader.spec();
    if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        bail!("{}: aufile plays 16-bit PCM WAVs only", from.display());
    }
    let samples: Vec<i16> = reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .with_context(|| format!("decoding {}", from.display()))?;
    if samples.is_empty() {
        bail!("{} has no samples", from.display());
    }
    let per_second = u64::from(spec.sample_rate) * u64::from(spec.channels);
    let wanted = usize::try_from(per_second * min.as_secs()).unwrap_or(usize::MAX);
    let repeats = wanted.div_ceil(samples.len()).clamp(1, 10_000);
    let mut writer =
        hound::WavWriter::create(to, spec).with_context(|| format!("writing {}", to.display()))?;
    for _ in 0..repeats {
        for &s in &samples {
            writer.write_sample(s)?;
        }
    }
    writer.finalize()?;
    Ok(spec)
}

fn config_file(
    config: &BaresipConfig,
    module_path: &Path,
    sip_port: u16,
    ctrl_port: u16,
    source: &str,
    record_dir: &Path,
) -> String {
    let mut text = String::new();
    // `net_interface lo` fails on some machines ("could not get IPv4 address"); the address
    // works everywhere and still keeps other interfaces out of the SDP.
    let _ = writeln!(text, "poll_method epoll");
    let _ = writeln!(text, "sip_listen 127.0.0.1:{sip_port}");
    let _ = writeln!(text, "net_interface 127.0.0.1");
    let _ = writeln!(text, "audio_player aubridge,nil");
    let _ = writeln!(text, "audio_alert aubridge,nil");
    text.push_str(source);
    let _ = writeln!(text, "module_path {}", module_path.display());
    let _ = writeln!(text, "module g711.so");
    if config.codecs.contains(&Codec::Opus) {
        let _ = writeln!(text, "module opus.so");
    }
    let _ = writeln!(text, "module ausine.so");
    let _ = writeln!(text, "module aufile.so");
    let _ = writeln!(text, "module aubridge.so");
    if config.record_to.is_some() {
        let _ = writeln!(text, "module sndfile.so");
        let _ = writeln!(text, "snd_path {}", record_dir.display());
    }
    // No stdio.so: it wants a terminal (and listens on port+1).
    let _ = writeln!(text, "module_app account.so");
    let _ = writeln!(text, "module_app menu.so");
    let _ = writeln!(text, "module_app ctrl_tcp.so");
    let _ = writeln!(text, "ctrl_tcp_listen 127.0.0.1:{ctrl_port}");
    for line in &config.extra_config {
        let _ = writeln!(text, "{line}");
    }
    text
}

fn account_line(config: &BaresipConfig, sip_port: u16) -> String {
    let answer = match config.answer_mode {
        AnswerMode::Auto => "auto",
        AnswerMode::Manual => "manual",
    };
    let codecs: Vec<&str> = config.codecs.iter().map(|c| c.sdp_name()).collect();
    let mut line = format!(
        "<sip:{}@127.0.0.1:{sip_port}>;regint=0;answermode={answer};audio_codecs={}",
        config.user,
        codecs.join(",")
    );
    if let Some((user, password)) = &config.auth {
        let _ = write!(line, ";auth_user={user};auth_pass={password}");
    }
    for param in &config.extra_account_params {
        let _ = write!(line, ";{param}");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_line_has_no_registration_and_the_codecs() {
        let mut config = BaresipConfig::new("customer");
        config.codecs = vec![Codec::Pcma, Codec::Opus];
        config.auth = Some(("alice".into(), "secret".into()));
        config.answer_mode = AnswerMode::Manual;
        assert_eq!(
            account_line(&config, 20000),
            "<sip:customer@127.0.0.1:20000>;regint=0;answermode=manual;\
             audio_codecs=PCMA,opus;auth_user=alice;auth_pass=secret"
        );
    }

    #[test]
    fn config_loads_sndfile_only_when_recording() {
        let config = BaresipConfig::new("a");
        let text = config_file(&config, Path::new("/m"), 1, 2, "", Path::new("/r"));
        assert!(!text.contains("sndfile"));
        assert!(!text.contains("stdio"));
        assert!(text.contains("ctrl_tcp_listen 127.0.0.1:2"));
        let config = BaresipConfig {
            record_to: Some("/x.wav".into()),
            ..config
        };
        let text = config_file(&config, Path::new("/m"), 1, 2, "", Path::new("/r"));
        assert!(text.contains("snd_path /r"));
    }

    #[test]
    fn only_loopback_uris_are_dialled() {
        assert!(is_loopback_uri("sip:agent@127.0.0.1:20000"));
        assert!(is_loopback_uri("sip:localhost;transport=udp"));
        assert!(is_loopback_uri("sip:a@[::1]:5060"));
        assert!(!is_loopback_uri("sip:agent@192.0.2.7:5060"));
        assert!(!is_loopback_uri("sip:agent@127.0.0.10:5060"));
        assert!(!is_loopback_uri("sip:agent@localhost.example.com"));
    }

    #[test]
    fn a_wav_source_is_repeated() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.wav");
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&short, spec).unwrap();
        for i in 0..8000 {
            w.write_sample((i % 100) as i16).unwrap();
        }
        w.finalize().unwrap();
        let long = dir.path().join("long.wav");
        repeat_wav(&short, &long, Duration::from_secs(3)).unwrap();
        assert_eq!(hound::WavReader::open(&long).unwrap().duration(), 3 * 8000);
    }
}
