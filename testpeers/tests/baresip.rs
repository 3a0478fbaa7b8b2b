//! Two real baresip phones call each other on loopback; each records what it hears.

use std::path::Path;
use std::time::Duration;

use seatline_testpeers::baresip::{AnswerMode, AudioSource, Baresip, BaresipConfig, EventKind};

const T: Duration = Duration::from_secs(10);

/// Power of `hz` in `samples` (Goertzel).
fn goertzel(samples: &[f64], rate: f64, hz: f64) -> f64 {
    let coeff = 2.0 * (2.0 * std::f64::consts::PI * hz / rate).cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &x in samples {
        let s0 = x + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - coeff * s1 * s2
}

/// The strongest frequency (10 Hz steps, 100..3900 Hz) in the middle half of a WAV.
fn dominant_hz(path: &Path) -> f64 {
    let mut reader = hound::WavReader::open(path).expect("recording is a WAV");
    let spec = reader.spec();
    let all: Vec<f64> = reader
        .samples::<i16>()
        .step_by(usize::from(spec.channels))
        .map(|s| f64::from(s.expect("16-bit sample")))
        .collect();
    assert!(
        all.len() > spec.sample_rate as usize,
        "recording {} is shorter than a second ({} samples)",
        path.display(),
        all.len()
    );
    let middle = &all[all.len() / 4..all.len() * 3 / 4];
    let rate = f64::from(spec.sample_rate);
    (10..390)
        .map(|step| f64::from(step) * 10.0)
        .max_by(|a, b| goertzel(middle, rate, *a).total_cmp(&goertzel(middle, rate, *b)))
        .expect("a non-empty range")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_phones_hear_each_others_tone() {
    let dir = tempfile::tempdir().unwrap();
    let agent = Baresip::start(BaresipConfig {
        audio_source: AudioSource::Sine { hz: 440 },
        record_to: Some(dir.path().join("agent-heard.wav")),
        ..BaresipConfig::new("agent")
    })
    .await
    .unwrap();
    let customer = Baresip::start(BaresipConfig {
        audio_source: AudioSource::Sine { hz: 1000 },
        record_to: Some(dir.path().join("customer-heard.wav")),
        ..BaresipConfig::new("customer")
    })
    .await
    .unwrap();

    customer.dial(&agent.sip_uri()).await.unwrap();
    // baresip 1.0 sends no CALL_INCOMING when it answers by itself.
    customer
        .wait_for(EventKind::CallEstablished, T)
        .await
        .unwrap();
    agent.wait_for(EventKind::CallEstablished, T).await.unwrap();

    tokio::time::sleep(Duration::from_secs(2)).await;
    customer.send_dtmf("5").await.unwrap();
    agent.wait_for_dtmf('5', T).await.unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;

    customer.hangup().await.unwrap();
    let closed = agent.wait_for(EventKind::CallClosed, T).await.unwrap();
    assert!(closed.reason().is_some());
    customer.wait_for(EventKind::CallClosed, T).await.unwrap();

    let agent_heard = agent.save_recording(T).await.unwrap();
    let customer_heard = customer.save_recording(T).await.unwrap();
    let a = dominant_hz(&agent_heard);
    let c = dominant_hz(&customer_heard);
    assert!(
        (a - 1000.0).abs() <= 20.0,
        "agent heard {a} Hz, not the customer's 1000 Hz"
    );
    assert!(
        (c - 440.0).abs() <= 20.0,
        "customer heard {c} Hz, not the agent's 440 Hz"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_answer_hold_resume_and_a_wav_source() {
    let dir = tempfile::tempdir().unwrap();
    // A one-second 700 Hz WAV at 8 kHz: the launcher repeats it so the call outlives it.
    let wav = dir.path().join("700.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..8000 {
        let x = (2.0 * std::f64::consts::PI * 700.0 * f64::from(i) / 8000.0).sin();
        w.write_sample((x * 8000.0) as i16).unwrap();
    }
    w.finalize().unwrap();

    let agent = Baresip::start(BaresipConfig {
        answer_mode: AnswerMode::Manual,
        record_to: Some(dir.path().join("agent-heard.wav")),
        ..BaresipConfig::new("agent")
    })
    .await
    .unwrap();
    let customer = Baresip::start(BaresipConfig {
        audio_source: AudioSource::File(wav),
        ..BaresipConfig::new("customer")
    })
    .await
    .unwrap();

    customer.dial(&agent.sip_uri()).await.unwrap();
    agent.wait_for(EventKind::CallIncoming, T).await.unwrap();
    customer.wait_for(EventKind::CallRinging, T).await.unwrap();
    agent.accept().await.unwrap();
    customer
        .wait_for(EventKind::CallEstablished, T)
        .await
        .unwrap();
    agent.wait_for(EventKind::CallEstablished, T).await.unwrap();

    // Record first: baresip 1.0's sndfile stops getting audio after a hold.
    tokio::time::sleep(Duration::from_secs(2)).await;
    agent.hold().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    agent.resume().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let calls = agent.command("listcalls", None).await.unwrap();
    assert!(calls.contains("ESTABLISHED"), "after resume: {calls}");

    agent.hangup().await.unwrap();
    customer.wait_for(EventKind::CallClosed, T).await.unwrap();
    agent.wait_for(EventKind::CallClosed, T).await.unwrap();
    let heard = agent.save_recording(T).await.unwrap();
    let hz = dominant_hz(&heard);
    assert!(
        (hz - 700.0).abs() <= 20.0,
        "agent heard {hz} Hz, not the WAV's 700 Hz"
    );
}
