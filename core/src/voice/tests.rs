//! The engine against a gateway stand-in: an answering `AudioLeg` on loopback, sending a
//! 1 kHz tone while the engine's WAV "microphone" plays 440 Hz. The AudioPath alone on
//! simulated time with loss and jitter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::audio::{read_recording, Pacing, Repeat, StreamConfig, WavBackend, WavInput};
use crate::call::MediaEvent;
use seatline_media::tone::{dominant_frequency, SineGenerator};
use seatline_media::{AudioFrame, Codec, Decoder, Encoder, SampleRate};
use seatline_webrtc::driver;
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio::time::timeout;

fn tone_samples(hz: f64, seconds: usize) -> Vec<i16> {
    let mut g = SineGenerator::new(SampleRate::Hz48000, hz, 0.3);
    g.samples(48_000 * seconds)
}

fn config(call_id: &str, backend: WavBackend, levels: Arc<Levels>) -> VoiceConfig {
    VoiceConfig {
        call_id: call_id.into(),
        backend: Arc::new(backend),
        stream: StreamConfig::default(),
        local_ip: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        platform: None,
        codecs: vec![AudioCodec::Opus, AudioCodec::Pcmu],
        levels,
        answer_filter: None,
    }
}

async fn next_offer(rx: &mut mpsc::UnboundedReceiver<VoiceEvent>) -> String {
    timeout(Duration::from_secs(10), async {
        loop {
            if let Some(VoiceEvent::Offer(sdp)) = rx.recv().await {
                return sdp;
            }
        }
    })
    .await
    .expect("an offer in time")
}

async fn wait_media(rx: &mut mpsc::UnboundedReceiver<VoiceEvent>, want: MediaEvent) {
    timeout(Duration::from_secs(15), async {
        loop {
            match rx.recv().await {
                Some(VoiceEvent::Media(m)) if m == want => return,
                Some(_) => {}
                None => panic!("engine gone"),
            }
        }
    })
    .await
    .expect("media event in time")
}

/// The gateway's side: answers, sends `hz` for `frames` frames, returns what it heard.
async fn gateway_exchange(
    handle: &driver::LegHandle,
    events: &mut mpsc::Receiver<LegEvent>,
    codec: Codec,
    hz: f64,
    frames: usize,
) -> Vec<i16> {
    let mut enc = Encoder::new(codec).unwrap();
    let mut dec = Decoder::with_output_rate(codec, SampleRate::Hz48000).unwrap();
    let mut tone = SineGenerator::new(SampleRate::Hz48000, hz, 0.3);
    let mut heard = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for i in 0..frames {
        tick.tick().await;
        let frame: AudioFrame = tone.next_frame();
        let payload = enc.encode(&frame).unwrap();
        handle
            .send_audio(payload, codec.timestamp_step(), i == 0)
            .unwrap();
        while let Ok(ev) = events.try_recv() {
            if let LegEvent::Audio { packet, .. } = ev {
                if let Ok(f) = dec.decode(Some(&packet.payload)) {
                    heard.extend_from_slice(&f.samples);
                }
            }
        }
    }
    heard
}

async fn run_call(gateway_codecs: Vec<AudioCodec>, expect: Codec) {
    let dir = tempfile::tempdir().unwrap();
    let sink = dir.path().join("speaker.wav");
    let backend = WavBackend::new(Pacing::Pull)
        .with_input(WavInput::Samples {
            samples: tone_samples(440.0, 1),
            repeat: Repeat::Loop,
        })
        .record_to(&sink);
    let levels = Arc::new(Levels::default());
    // The test tone is already at a good level; keep the AGC from moving it.
    levels.set_agc(false);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let voice = spawn(
        &tokio::runtime::Handle::current(),
        config("c1", backend, levels),
        Arc::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    let offer = next_offer(&mut rx).await;
    let gw_socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let cfg = LegConfig::new(vec![gw_socket.local_addr().unwrap()], gateway_codecs);
    let (gw, answer) = AudioLeg::answerer(cfg, Instant::now(), &offer).unwrap();
    let (gw, mut gw_events) = driver::spawn(gw, gw_socket);
    voice.accept_answer(answer);
    wait_media(&mut rx, MediaEvent::Connected).await;
    let heard = gateway_exchange(&gw, &mut gw_events, expect, 1000.0, 100).await;
    // Statistics arrive every second once audio flows.
    let stats = timeout(Duration::from_secs(5), async {
        loop {
            if let Some(VoiceEvent::Stats(s)) = rx.recv().await {
                if s.packets_received > 10 {
                    return s;
                }
            }
        }
    })
    .await
    .expect("stats");
    assert_eq!(stats.codec, expect);
    assert!(stats.mos > 4.0, "clean loopback MOS {}", stats.mos);

    voice.stop();
    gw.close().await;
    // The WAV sink is finished when the engine closes the device.
    let recorded = timeout(Duration::from_secs(5), async {
        loop {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if voice.is_finished() {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if let Ok(r) = read_recording(&sink) {
                    return r;
                }
            }
        }
    })
    .await
    .expect("recording finished");

    assert!(
        heard.len() > 48_000 / 2,
        "gateway heard {} samples",
        heard.len()
    );
    let tail = &heard[heard.len() - 9600..];
    let f = dominant_frequency(tail, SampleRate::Hz48000, 200.0, 2000.0, 20.0);
    assert!((f - 440.0).abs() < 10.0, "gateway heard {f} Hz");
    assert!(
        recorded.len() > 48_000,
        "speaker got {} samples",
        recorded.len()
    );
    let tail = &recorded[recorded.len() - 24_000..recorded.len() - 4800];
    let f = dominant_frequency(tail, SampleRate::Hz48000, 200.0, 2000.0, 20.0);
    assert!((f - 1000.0).abs() < 10.0, "speaker played {f} Hz");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_both_ways_through_a_gateway_leg() {
    run_call(vec![AudioCodec::Opus, AudioCodec::Pcmu], Codec::Opus).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcmu_when_the_gateway_has_no_opus() {
    run_call(vec![AudioCodec::Pcmu], Codec::Pcmu).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_restart_gives_a_new_offer_and_the_leg_stays_up() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let levels = Arc::new(Levels::default());
    let voice = spawn(
        &tokio::runtime::Handle::current(),
        config("c2", WavBackend::new(Pacing::Pull), levels),
        Arc::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    let offer = next_offer(&mut rx).await;
    // Asked before any answer: the same offer again (it may have been lost).
    voice.restart_ice();
    assert_eq!(next_offer(&mut rx).await, offer);
    let gw_socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let cfg = LegConfig::new(
        vec![gw_socket.local_addr().unwrap()],
        vec![AudioCodec::Opus],
    );
    let (gw, answer) = AudioLeg::answerer(cfg, Instant::now(), &offer).unwrap();
    let (gw, mut gw_events) = driver::spawn(gw, gw_socket);
    voice.accept_answer(answer);
    wait_media(&mut rx, MediaEvent::Connected).await;
    voice.restart_ice();
    let restart = next_offer(&mut rx).await;
    assert_ne!(restart, offer);
    let answer = gw.accept_offer(restart).await.unwrap();
    voice.accept_answer(answer);
    // Audio still arrives at the gateway after the restart.
    let heard = gateway_exchange(&gw, &mut gw_events, Codec::Opus, 1000.0, 50).await;
    assert!(!heard.is_empty());
    voice.stop();
}

/// The receive path alone on simulated time: 5 % random loss and 60 ms of jitter, Opus
/// with FEC: the tone still comes through and the MOS estimate says "fair" or better.
#[test]
fn audio_path_under_loss_and_jitter_on_simulated_time() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let levels = Arc::new(Levels::default());
    let mut rx_path = AudioPath::new(Codec::Opus, levels.clone()).unwrap();
    let mut enc = Encoder::new(Codec::Opus).unwrap();
    enc.set_packet_loss_perc(10).unwrap();
    let mut tone = SineGenerator::new(SampleRate::Hz48000, 1000.0, 0.3);
    // Packets sent every 20 ms, delayed 40..100 ms, 5 % dropped.
    let mut arrivals = Vec::new();
    for i in 0..1500u32 {
        let payload = enc.encode(&tone.next_frame()).unwrap();
        if rng.gen_bool(0.05) {
            continue;
        }
        let sent = Duration::from_millis(u64::from(i) * 20);
        let at = sent + Duration::from_millis(rng.gen_range(40..100));
        arrivals.push((at, i, payload));
    }
    arrivals.sort_by_key(|a| a.0);
    let mut played = Vec::new();
    let mut next = arrivals.into_iter().peekable();
    for tick in 0..1550u64 {
        let now = Duration::from_millis(tick * 20);
        while let Some((at, i, payload)) = next.next_if(|a| a.0 <= now) {
            let _ = at;
            rx_path.receive(i as u16, i * 960, i == 0, payload, at);
        }
        played.extend(rx_path.playout(now).samples);
    }
    let stats = rx_path.stats();
    println!(
        "simulated 5% loss, 60 ms jitter: loss {:.1}% effective {:.1}% jitter {:.1} ms buffer {:.0} ms MOS {:.2} (FEC {})",
        stats.loss_pct, stats.effective_loss_pct, stats.jitter_ms, stats.jitter_buffer_ms, stats.mos, stats.fec_recovered
    );
    assert!((3.0..7.0).contains(&stats.loss_pct), "{}", stats.loss_pct);
    assert!(stats.fec_recovered > 0);
    assert!(stats.mos > 3.5, "MOS {}", stats.mos);
    let tail = &played[played.len() - 48_000..];
    let f = dominant_frequency(tail, SampleRate::Hz48000, 200.0, 2000.0, 20.0);
    assert!((f - 1000.0).abs() < 10.0, "{f}");
}

#[test]
fn r17_mute_sends_silence_and_volume_scales_the_speaker() {
    let levels = Arc::new(Levels::default());
    levels.set_agc(false);
    let mut path = AudioPath::new(Codec::Pcmu, levels.clone()).unwrap();
    let mut dec = Decoder::new(Codec::Pcmu).unwrap();
    let mut tone = SineGenerator::new(SampleRate::Hz48000, 440.0, 0.3);
    levels.set_muted(true);
    let mut f = tone.next_frame();
    let payload = path.capture(&mut f).unwrap();
    let out = dec.decode(Some(&payload)).unwrap();
    assert!(
        out.samples.iter().all(|s| s.abs() < 16),
        "muted frame is silent"
    );
    levels.set_muted(false);
    let mut f = tone.next_frame();
    let payload = path.capture(&mut f).unwrap();
    assert!(dec
        .decode(Some(&payload))
        .unwrap()
        .samples
        .iter()
        .any(|s| s.abs() > 1000));

    // Volume: the same packets played at 1.0 and at 0.5.
    let mut enc = Encoder::new(Codec::Pcmu).unwrap();
    let mut loud = AudioPath::new(Codec::Pcmu, Arc::new(Levels::default())).unwrap();
    let half = Arc::new(Levels::default());
    half.set_volume(0.5);
    let mut quiet = AudioPath::new(Codec::Pcmu, half).unwrap();
    let mut peak = (0i16, 0i16);
    for i in 0..20u32 {
        let p = enc.encode(&tone.next_frame()).unwrap();
        let at = Duration::from_millis(u64::from(i) * 20);
        loud.receive(i as u16, i * 160, false, p.clone(), at);
        quiet.receive(i as u16, i * 160, false, p, at);
        let a = loud.playout(at);
        let b = quiet.playout(at);
        peak.0 = peak.0.max(a.samples.iter().copied().max().unwrap_or(0));
        peak.1 = peak.1.max(b.samples.iter().copied().max().unwrap_or(0));
    }
    assert!(peak.0 > 5000);
    let ratio = f64::from(peak.1) / f64::from(peak.0);
    assert!((0.45..0.55).contains(&ratio), "{ratio}");
}
