//! Interop with headless Chromium (the browser's WebRTC stack is the reference peer): our leg
//! answers Chromium's offer (the gateway's role, full ICE and ICE-lite) and offers to Chromium
//! (the client's role). Chromium's microphone is a fake device playing a WAV tone. The test
//! asserts that our leg receives Opus RTP from Chromium and that Chromium's `getStats()` counts
//! inbound audio packets from us. Loopback only; Chromium and node are ended on drop.

use std::time::{Duration, Instant};

use seatline_testpeers::chromium::{self, Chromium, ChromiumOptions, ChromiumPage};
use seatline_webrtc::driver::{self, LegHandle};
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};
use serde_json::{json, Value};
use tokio::net::UdpSocket;
use tokio::sync::mpsc::Receiver;
use tokio::time::timeout;

const CALL: Duration = Duration::from_secs(20);
/// 20 ms of Opus silence (TOC 0xF8: CELT fullband 20 ms mono, one frame), a valid packet
/// Chromium's decoder accepts.
const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];

/// Runs a page call without stalling the runtime's other worker (the leg's driver).
fn call(page: &mut ChromiumPage, name: &str, args: Vec<Value>) -> Value {
    tokio::task::block_in_place(|| page.call(name, args, CALL))
        .unwrap_or_else(|e| panic!("page {name}: {e:#}"))
}

struct Leg {
    handle: LegHandle,
    events: Receiver<LegEvent>,
}

async fn wait_connected(leg: &mut Leg) {
    timeout(CALL, async {
        loop {
            match leg.events.recv().await {
                Some(LegEvent::Connected) => return,
                Some(LegEvent::Failed) | Some(LegEvent::Closed) | None => {
                    panic!("leg ended before connecting")
                }
                _ => {}
            }
        }
    })
    .await
    .expect("connected to Chromium in time");
}

/// Sends Opus silence every 20 ms while counting Opus packets from Chromium, until both ways
/// have carried enough: ours counted by Chromium's getStats, Chromium's by our events.
async fn media_both_ways(leg: &mut Leg, page: &mut ChromiumPage, what: &str) {
    let mut received = 0u32;
    let mut last_seq: Option<u16> = None;
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let start = tokio::time::Instant::now();
    let mut chromium_in = 0u64;
    let mut n = 0u32;
    while start.elapsed() < CALL {
        tokio::select! {
            _ = tick.tick() => {
                leg.handle.send_audio(OPUS_SILENCE.to_vec(), 960, n == 0).expect("queue audio");
                n += 1;
                if n.is_multiple_of(25) {
                    let stats = call(page, "stats", vec![]);
                    chromium_in = stats["inbound"]["packetsReceived"].as_u64().unwrap_or(0);
                    if let Some(codec) = stats["inbound"]["codec"].as_str() {
                        assert_eq!(codec.to_ascii_lowercase(), "audio/opus", "{what}: {stats}");
                    }
                    if chromium_in >= 50 && received >= 50 {
                        eprintln!("{what}: Chromium got {chromium_in} packets from us, we got {received}; {stats}");
                        return;
                    }
                }
            }
            ev = leg.events.recv() => match ev {
                Some(LegEvent::Audio { codec, packet }) => {
                    assert_eq!(codec, AudioCodec::Opus, "{what}");
                    assert!(!packet.payload.is_empty());
                    if let Some(prev) = last_seq {
                        // Loopback: in order, nothing lost (allow nothing else).
                        assert_eq!(packet.seq, prev.wrapping_add(1), "{what}: sequence");
                    }
                    last_seq = Some(packet.seq);
                    received += 1;
                }
                Some(LegEvent::Failed) | Some(LegEvent::Closed) | None => panic!("{what}: leg ended during media"),
                _ => {}
            },
        }
    }
    panic!("{what}: not enough media in {CALL:?}: Chromium got {chromium_in}, we got {received}");
}

async fn socket() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.expect("bind loopback")
}

/// The gateway's role: Chromium offers, our leg answers.
async fn chromium_offers(page: &mut ChromiumPage, ice_lite: bool) {
    let offer = call(page, "makeOffer", vec![]);
    let offer = offer.as_str().expect("offer sdp");
    let s = socket().await;
    let mut cfg = LegConfig::new(
        vec![s.local_addr().expect("addr")],
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
    );
    cfg.ice_lite = ice_lite;
    let (leg, answer) =
        AudioLeg::answerer(cfg, Instant::now(), offer).expect("answer Chromium's offer");
    assert_eq!(leg.negotiated_codec(), Some(AudioCodec::Opus));
    assert!(
        leg.telephone_event_negotiated(),
        "Chromium offers telephone-event/48000"
    );
    if ice_lite {
        assert!(answer.contains("a=ice-lite"), "{answer}");
    }
    // Our answerer is the DTLS client (ADR 0007, note 1).
    assert!(answer.contains("a=setup:active"), "{answer}");
    let (handle, events) = driver::spawn(leg, s);
    let mut leg = Leg { handle, events };
    call(page, "acceptAnswer", vec![json!(answer)]);
    wait_connected(&mut leg).await;
    media_both_ways(
        &mut leg,
        page,
        if ice_lite {
            "answerer, ICE-lite"
        } else {
            "answerer"
        },
    )
    .await;
    let stats = leg.handle.stats().await.expect("stats");
    eprintln!("our stats: {stats:?}");
    leg.handle.close().await;
    call(page, "closePeer", vec![]);
}

/// The client's role: our leg offers, Chromium answers.
async fn we_offer(page: &mut ChromiumPage) {
    let s = socket().await;
    let cfg = LegConfig::new(
        vec![s.local_addr().expect("addr")],
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
    );
    let (leg, offer) = AudioLeg::offerer(cfg, Instant::now()).expect("offer");
    let (handle, events) = driver::spawn(leg, s);
    let mut leg = Leg { handle, events };
    let answer = call(page, "acceptOffer", vec![json!(offer)]);
    let answer = answer.as_str().expect("answer sdp").to_owned();
    assert!(
        answer.contains("useinbandfec=1"),
        "Chromium keeps in-band FEC: {answer}"
    );
    // Chromium as answerer is the DTLS client; our offerer is the server (ADR 0007, note 1).
    assert!(answer.contains("a=setup:active"), "{answer}");
    leg.handle
        .accept_answer(answer)
        .await
        .expect("accept Chromium's answer");
    wait_connected(&mut leg).await;
    media_both_ways(&mut leg, page, "offerer").await;

    // A network change on our side: new socket, ICE restart, media again.
    let offer = leg
        .handle
        .restart_ice(Some(socket().await))
        .await
        .expect("restart offer");
    let answer = call(page, "acceptRestart", vec![json!(offer)]);
    leg.handle
        .accept_answer(answer.as_str().expect("sdp").to_owned())
        .await
        .expect("accept restart answer");
    wait_connected(&mut leg).await;
    media_both_ways(&mut leg, page, "offerer after ICE restart").await;
    leg.handle.close().await;
    call(page, "closePeer", vec![]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interop_with_headless_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let wav = dir.path().join("mic.wav");
    chromium::write_tone_wav(&wav, 440.0, 2.0).expect("wav");
    let browser = tokio::task::block_in_place(|| {
        Chromium::launch(ChromiumOptions {
            fake_audio: Some(wav.clone()),
            ..Default::default()
        })
    })
    .expect("launch chromium");
    let mut page = tokio::task::block_in_place(|| {
        browser.open_page(&chromium::peer_dir().join("webrtc-peer.html"))
    })
    .expect("open page");

    chromium_offers(&mut page, false).await;
    chromium_offers(&mut page, true).await;
    we_offer(&mut page).await;
}
