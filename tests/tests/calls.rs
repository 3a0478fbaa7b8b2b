//! Calls end to end (R12, R13, R16, R17): the real platform with its SIP trunk routed to
//! baresip phones, a core client whose "sound card" is the WAV backend in pull mode.
//!
//! - VoIP: the device's microphone plays 440 Hz, the customer's baresip sends 1 kHz; the
//!   device's speaker file must hold 1 kHz and baresip's recording 440 Hz.
//! - Callback (R13): the platform rings the agent's bound number (a second baresip), then
//!   the customer, and joins them; and the agent's phone never answering.
//! - Faults on the agent's side through `seatline-testpeers`' relays: 5 % loss with 60 ms
//!   jitter (the MOS estimate is printed and checked), and a 5 s outage of both the media
//!   path and the event socket that the call survives through an ICE restart.
//!
//! The platform's media ports are a block of 16 (trunk RTP below, WebRTC above); the fault
//! tests hold all WebRTC ports but one so the gateway's port is known beforehand, and the
//! device's SDP answers are rewritten to send the media through the relay. Each phone's
//! SIP user is the number it answers for.

use seatline_core::audio::{read_recording, Pacing, Repeat, WavBackend, WavInput};
use seatline_core::call::CallStage;
use seatline_core::client::{CallView, VoiceState};
use seatline_e2e::{demo, err, eventually, CallPlatform, Device, Result};
use seatline_media::tone::{dominant_frequency, SineGenerator};
use seatline_media::SampleRate;
use seatline_proto::{CallMethod, CallOutcome, DeviceKind, Party};
use seatline_testpeers::baresip::{AnswerMode, AudioSource, Baresip, BaresipConfig, Codec};
use seatline_testpeers::fault::{TcpRelay, UdpRelay};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A customer number outside the demo library (R16 is checked with a library one).
const STRANGER: &str = "13912345678";

fn tone(hz: f64, seconds: usize) -> Vec<i16> {
    SineGenerator::new(SampleRate::Hz48000, hz, 0.3).samples(48_000 * seconds)
}

/// The device's sound card: a 440 Hz microphone, a speaker recorded to `sink`.
fn wav_card(sink: &Path) -> Arc<WavBackend> {
    Arc::new(
        WavBackend::new(Pacing::Pull)
            .with_input(WavInput::Samples {
                samples: tone(440.0, 1),
                repeat: Repeat::Loop,
            })
            .record_to(sink),
    )
}

/// A phone that answers for `number`, on `port` (or a free one).
async fn phone(
    number: &str,
    hz: u32,
    record: PathBuf,
    mode: AnswerMode,
    port: Option<u16>,
) -> Result<Baresip> {
    let mut cfg = BaresipConfig::new(number);
    cfg.sip_port = port;
    cfg.audio_source = AudioSource::Sine { hz };
    cfg.record_to = Some(record);
    cfg.codecs = vec![Codec::Pcmu];
    cfg.answer_mode = mode;
    Ok(Baresip::start(cfg).await?)
}

fn route(prefix: &str, phone: &Baresip) -> String {
    format!("{prefix}={}", phone.sip_addr())
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
}

fn talking(v: &CallView) -> bool {
    v.phase == CallStage::Connected && v.voice == VoiceState::Up
}

/// The strongest tone of the middle of a recording (the ends hold setup and teardown).
fn main_tone(samples: &[i16], rate: SampleRate) -> f64 {
    let n = samples.len();
    let mid = &samples[n / 4..n * 3 / 4];
    dominant_frequency(mid, rate, 200.0, 2000.0, 20.0)
}

fn phone_recording(path: &Path) -> Result<Vec<i16>> {
    let frames = seatline_media::wav::read_file(path, SampleRate::Hz8000)?;
    Ok(frames.into_iter().flat_map(|f| f.samples).collect())
}

async fn speaker_recording(sink: &Path) -> Result<Vec<i16>> {
    eventually(
        "the speaker file is finished",
        Duration::from_secs(10),
        || {
            let r = read_recording(sink).ok().filter(|s| s.len() > 48_000);
            async move { Ok(r) }
        },
    )
    .await
}

/// R12, R16: a VoIP call to a library customer: tones both ways, the card on the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voip_call_carries_audio_both_ways() -> Result<()> {
    let dir = tempfile::tempdir()?;
    // The customer's phone answers for a library number, known only after the login.
    let port = seatline_testpeers::ports::baresip_sip_port()?;
    let platform = CallPlatform::start(&[format!("=127.0.0.1:{port}")], &[]).await?;
    let device = Device::new(&platform.url(), DeviceKind::Pc)?;
    let sink = dir.path().join("speaker.wav");
    device.client.set_audio_backend(Some(wav_card(&sink)));
    device.login_demo("1001").await?;
    device.settle_library().await?;
    let known = device
        .all_local_customers()?
        .into_iter()
        .next()
        .ok_or_else(|| err("the demo library is empty"))?;
    let customer = phone(
        known.mobile.as_str(),
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        Some(port),
    )
    .await?;

    let call_id = device
        .client
        .start_call(CallMethod::Voip, known.mobile.as_str())
        .await?;
    let view = device.client.call().ok_or_else(|| err("no call view"))?;
    assert_eq!(view.call_id.as_deref(), Some(call_id.as_str()));
    // R16: the library's card comes with the call.
    assert_eq!(view.customer.as_ref().map(|c| c.id), Some(known.id));
    wait_call(
        &device,
        "VoIP call talking",
        Duration::from_secs(30),
        talking,
    )
    .await
    .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let stats = device.client.call().and_then(|v| v.stats);
    println!("VoIP stats: {stats:?}");
    // R17: hold and resume on the way.
    device.client.set_hold(true).await?;
    wait_call(&device, "held", Duration::from_secs(10), |v| v.held).await?;
    device.client.set_hold(false).await?;
    wait_call(&device, "resumed", Duration::from_secs(10), |v| !v.held).await?;
    device.client.hang_up().await?;
    let ended = wait_call(&device, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;
    assert!(
        matches!(
            ended.phase,
            CallStage::Ended {
                outcome: CallOutcome::Answered,
                by: Some(Party::Agent),
                ..
            }
        ),
        "{:?}",
        ended.phase
    );

    let heard = speaker_recording(&sink).await?;
    let f = main_tone(&heard, SampleRate::Hz48000);
    assert!((f - 1000.0).abs() < 15.0, "the agent heard {f} Hz");
    let path = customer.save_recording(Duration::from_secs(15)).await?;
    let at_customer = phone_recording(&path)?;
    let f = main_tone(&at_customer, SampleRate::Hz8000);
    assert!((f - 440.0).abs() < 15.0, "the customer heard {f} Hz");
    Ok(())
}

/// R13: callback: the agent's phone (bound number 13800000001) rings first, then the
/// customer's, and the two hear each other; the device has no audio of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r13_callback_joins_the_agent_phone_and_the_customer() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let agent_phone = phone(
        demo::BOUND_1001,
        500,
        dir.path().join("agent.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let customer = phone(
        STRANGER,
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let routes = [route(demo::BOUND_1001, &agent_phone), route("", &customer)];
    let platform = CallPlatform::start(&routes, &[]).await?;
    let device = Device::new(&platform.url(), DeviceKind::Pc)?;
    device.login_demo("1001").await?;
    device
        .client
        .start_call(CallMethod::Callback, STRANGER)
        .await?;
    let first = device.client.call().ok_or_else(|| err("no call"))?;
    assert_eq!(first.voice, VoiceState::NoVoice);
    wait_call(
        &device,
        "callback connected",
        Duration::from_secs(30),
        |v| v.phase == CallStage::Connected,
    )
    .await
    .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    device.client.hang_up().await?;
    wait_call(&device, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;
    let heard_by_agent =
        phone_recording(&agent_phone.save_recording(Duration::from_secs(15)).await?)?;
    let heard_by_customer =
        phone_recording(&customer.save_recording(Duration::from_secs(15)).await?)?;
    let f = main_tone(&heard_by_agent, SampleRate::Hz8000);
    assert!((f - 1000.0).abs() < 15.0, "the agent's phone heard {f} Hz");
    let f = main_tone(&heard_by_customer, SampleRate::Hz8000);
    assert!((f - 500.0).abs() < 15.0, "the customer heard {f} Hz");
    Ok(())
}

/// R13: the agent's own phone never answers: the call ends AgentNoAnswer.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn r13_callback_agent_not_answering_ends_agent_no_answer() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let agent_phone = phone(
        demo::BOUND_1001,
        500,
        dir.path().join("agent.wav"),
        AnswerMode::Manual,
        None,
    )
    .await?;
    let customer = phone(
        STRANGER,
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let routes = [route(demo::BOUND_1001, &agent_phone), route("", &customer)];
    let platform = CallPlatform::start(&routes, &["--agent-ring-timeout", "3"]).await?;
    let device = Device::new(&platform.url(), DeviceKind::Pc)?;
    device.login_demo("1001").await?;
    device
        .client
        .start_call(CallMethod::Callback, STRANGER)
        .await?;
    wait_call(&device, "calling the agent", Duration::from_secs(10), |v| {
        v.phase == CallStage::CallingAgent
    })
    .await?;
    let ended = wait_call(&device, "ended", Duration::from_secs(20), |v| {
        v.phase.is_ended()
    })
    .await?;
    assert!(
        matches!(
            ended.phase,
            CallStage::Ended {
                outcome: CallOutcome::AgentNoAnswer,
                ..
            }
        ),
        "{:?}",
        ended.phase
    );
    Ok(())
}

/// Rewrites the gateway's host candidate in SDP answers to the relay's address.
fn through_relay(gateway: SocketAddr, relay: SocketAddr) -> seatline_core::voice::AnswerFilter {
    let from = format!("{} {} typ", gateway.ip(), gateway.port());
    let to = format!("{} {} typ", relay.ip(), relay.port());
    Arc::new(move |sdp: &str| sdp.replace(&from, &to))
}

/// 5 % loss and 60 ms jitter on the agent's media: the call holds, the tone comes
/// through, and the MOS estimate is printed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voip_under_loss_and_jitter_reports_mos() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let customer = phone(
        STRANGER,
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let platform = CallPlatform::start(&[route("", &customer)], &[]).await?;
    let (gateway, _held) = platform.pin_gateway_port()?;
    let relay = UdpRelay::start(gateway, 5).await?;
    // The faults are on from the first packet: the call is set up through them.
    relay.faults().set_loss_percent(5.0);
    relay
        .faults()
        .set_delay(Duration::from_millis(70), Duration::from_millis(60));
    let device = Device::new(&platform.url(), DeviceKind::Pc)?;
    let sink = dir.path().join("speaker.wav");
    device.client.set_audio_backend(Some(wav_card(&sink)));
    device
        .client
        .set_voice_answer_filter(Some(through_relay(gateway, relay.local_addr())));
    device.login_demo("1001").await?;
    device.client.start_call(CallMethod::Voip, STRANGER).await?;
    wait_call(
        &device,
        "talking through the relay",
        Duration::from_secs(30),
        talking,
    )
    .await
    .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    tokio::time::sleep(Duration::from_secs(12)).await;
    let stats = device
        .client
        .call()
        .and_then(|v| v.stats)
        .ok_or_else(|| err("no statistics"))?;
    println!(
        "5% loss, 60 ms jitter: codec {:?} loss {:.1}% effective {:.1}% jitter {:.1} ms rtt {:?} ms buffer {:.0} ms one-way {:.0} ms R {:.1} MOS {:.2}; relay {:?}",
        stats.codec,
        stats.loss_pct,
        stats.effective_loss_pct,
        stats.jitter_ms,
        stats.rtt_ms,
        stats.jitter_buffer_ms,
        stats.one_way_delay_ms,
        stats.r_factor,
        stats.mos,
        relay.faults().stats()
    );
    assert!(
        relay.faults().stats().dropped > 0,
        "the relay dropped nothing"
    );
    assert!(stats.loss_pct > 1.0, "loss seen: {}", stats.loss_pct);
    assert!(stats.jitter_ms > 5.0, "jitter seen: {}", stats.jitter_ms);
    assert!(stats.mos > 3.0, "MOS {}", stats.mos);
    device.client.hang_up().await?;
    wait_call(&device, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;
    let heard = speaker_recording(&sink).await?;
    let f = main_tone(&heard, SampleRate::Hz48000);
    assert!((f - 1000.0).abs() < 15.0, "the agent heard {f} Hz");
    Ok(())
}

/// A 5 s outage of the agent's side (media relay and event socket relay both down): the
/// socket reconnects, ICE restarts, and the call goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voip_call_survives_a_5_s_outage_of_the_agent_side() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let customer = phone(
        STRANGER,
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let platform = CallPlatform::start(&[route("", &customer)], &[]).await?;
    let (gateway, _held) = platform.pin_gateway_port()?;
    let media = UdpRelay::start(gateway, 9).await?;
    let web = TcpRelay::start(platform.addr(), 9).await?;
    let device = Device::new(&format!("http://{}", web.local_addr()), DeviceKind::Pc)?;
    let sink = dir.path().join("speaker.wav");
    device.client.set_audio_backend(Some(wav_card(&sink)));
    device
        .client
        .set_voice_answer_filter(Some(through_relay(gateway, media.local_addr())));
    device.login_demo("1001").await?;
    device.client.start_call(CallMethod::Voip, STRANGER).await?;
    let before = wait_call(&device, "talking", Duration::from_secs(30), talking)
        .await
        .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    tokio::time::sleep(Duration::from_secs(2)).await;

    media.faults().outage(Duration::from_secs(5));
    web.faults().outage(Duration::from_secs(5));
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = wait_call(&device, "talking again", Duration::from_secs(25), talking)
        .await
        .map_err(|e| {
            err(format!(
                "{e}; view {:?}; platform: {}",
                device.client.call(),
                platform.log_tail()
            ))
        })?;
    assert_eq!(after.call_id, before.call_id);
    assert_eq!(after.connected_at_ms, before.connected_at_ms);
    // Note: on loopback the gateway's own ICE checks reach the device's host candidate
    // directly, so ICE may keep (or move to) a pair that bypasses the media relay; the
    // relay's counters and the loss below say which path the media took.
    println!(
        "after the outage: loss {:?}% MOS {:?}; event socket cuts {}; media relay {:?}",
        after.stats.as_ref().map(|s| s.loss_pct),
        after.stats.as_ref().map(|s| s.mos),
        web.faults().stats().connections_cut,
        media.faults().stats()
    );
    assert!(web.faults().stats().connections_cut > 0);
    // Audio flows again: the last seconds of the speaker hold the customer's tone.
    tokio::time::sleep(Duration::from_secs(3)).await;
    device.client.hang_up().await?;
    let ended = wait_call(&device, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;
    assert!(
        matches!(
            ended.phase,
            CallStage::Ended {
                outcome: CallOutcome::Answered,
                by: Some(Party::Agent),
                ..
            }
        ),
        "{:?}",
        ended.phase
    );
    let heard = speaker_recording(&sink).await?;
    let tail = &heard[heard.len().saturating_sub(48_000 * 2)..heard.len().saturating_sub(24_000)];
    let f = dominant_frequency(tail, SampleRate::Hz48000, 200.0, 2000.0, 20.0);
    assert!(
        (f - 1000.0).abs() < 15.0,
        "after the outage the agent heard {f} Hz"
    );
    Ok(())
}

/// R12, R3: a mobile client places VoIP too (agent 1001 has a bound number): tones both
/// ways; a mobile without a bound number (1003) is refused before anything is placed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn voip_from_a_mobile_client_carries_audio_both_ways() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let customer = phone(
        "13900000001",
        1000,
        dir.path().join("customer.wav"),
        AnswerMode::Auto,
        None,
    )
    .await?;
    let platform = CallPlatform::start(&[route("139", &customer)], &[]).await?;

    let unbound = Device::new(&platform.url(), DeviceKind::Mobile)?;
    unbound.login_demo("1003").await?;
    let refused = unbound
        .client
        .start_call(CallMethod::Voip, "13900000001")
        .await;
    assert!(
        matches!(refused, Err(seatline_core::CoreError::Dial(_))),
        "R3: {refused:?}"
    );

    let mobile = Device::new(&platform.url(), DeviceKind::Mobile)?;
    let sink = dir.path().join("speaker.wav");
    mobile.client.set_audio_backend(Some(wav_card(&sink)));
    mobile.login_demo("1001").await?;
    mobile
        .client
        .start_call(CallMethod::Voip, "13900000001")
        .await?;
    wait_call(
        &mobile,
        "mobile VoIP talking",
        Duration::from_secs(30),
        talking,
    )
    .await
    .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    tokio::time::sleep(Duration::from_secs(3)).await;
    mobile.client.hang_up().await?;
    wait_call(&mobile, "ended", Duration::from_secs(15), |v| {
        v.phase.is_ended()
    })
    .await?;

    let heard = speaker_recording(&sink).await?;
    let f = main_tone(&heard, SampleRate::Hz48000);
    assert!((f - 1000.0).abs() < 15.0, "the mobile agent heard {f} Hz");
    let path = customer.save_recording(Duration::from_secs(15)).await?;
    let f = main_tone(&phone_recording(&path)?, SampleRate::Hz8000);
    assert!((f - 440.0).abs() < 15.0, "the customer heard {f} Hz");
    Ok(())
}
