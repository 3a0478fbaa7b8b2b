//! `customer-phone`: a baresip customer phone for the demo and the Kotlin binding tests.
//! It answers every call by itself, plays a WAV (or a tone) into it, and keeps a WAV of
//! what it heard per call. It prints `customer-phone sip 127.0.0.1:PORT` once ready, a
//! line per call, and ends (with baresip) on SIGTERM or Ctrl-C.
//!
//! ```text
//! customer-phone [--number N] [--play FILE.wav | --tone HZ] [--record-dir DIR] [--port PORT]
//! ```
//!
//! `--number` (default 13900000001) is the phone's number: the user part of the Request-URI
//! it answers; calls to other numbers get 404, as from a carrier.

use anyhow::{bail, Context, Result};
use seatline_testpeers::baresip::{AudioSource, Baresip, BaresipConfig, EventKind};
use std::path::PathBuf;
use std::time::Duration;

struct Args {
    number: String,
    source: AudioSource,
    record_dir: Option<PathBuf>,
    port: Option<u16>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        number: "13900000001".into(),
        source: AudioSource::Sine { hz: 1000 },
        record_dir: None,
        port: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().with_context(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--number" => args.number = value()?,
            "--play" => args.source = AudioSource::File(PathBuf::from(value()?)),
            "--tone" => {
                args.source = AudioSource::Sine {
                    hz: value()?.parse().context("--tone HZ")?,
                }
            }
            "--record-dir" => args.record_dir = Some(PathBuf::from(value()?)),
            "--port" => args.port = Some(value()?.parse().context("--port PORT")?),
            other => bail!("unknown argument {other}; see the file's doc comment"),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let mut config = BaresipConfig::new(&args.number);
    config.sip_port = args.port;
    config.audio_source = args.source;
    if let Some(dir) = &args.record_dir {
        std::fs::create_dir_all(dir)?;
        config.record_to = Some(dir.join("customer-heard.wav"));
    }
    // baresip's aufile plays a file at its own rate; speech synthesizers write 22.05 kHz,
    // which baresip 1.0 cannot convert for G.711. Hand it 48 kHz mono instead.
    let scratch = tempfile::tempdir()?;
    if let AudioSource::File(path) = &config.audio_source {
        let frames = seatline_media::wav::read_file(path, seatline_media::SampleRate::Hz48000)
            .with_context(|| format!("reading {}", path.display()))?;
        let converted = scratch.path().join("play-48k.wav");
        seatline_media::wav::write_file(&converted, &frames)?;
        config.audio_source = AudioSource::File(converted);
    }
    let phone = Baresip::start(config).await?;
    println!("customer-phone sip {}", phone.sip_addr());

    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut calls = 0u32;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
            established = phone.wait_for(EventKind::CallEstablished, Duration::from_secs(3600)) => {
                if established.is_err() { continue; }
                calls += 1;
                println!("customer-phone call {calls} answered");
                if phone.wait_for(EventKind::CallClosed, Duration::from_secs(3600)).await.is_ok() {
                    println!("customer-phone call {calls} ended");
                    if let (Some(dir), Ok(wav)) = (&args.record_dir, phone.save_recording(Duration::from_secs(5)).await) {
                        let keep = dir.join(format!("call-{calls}.wav"));
                        if std::fs::rename(&wav, &keep).is_ok() {
                            println!("customer-phone heard {}", keep.display());
                        }
                    }
                }
            }
        }
    }
    drop(phone);
    Ok(())
}
