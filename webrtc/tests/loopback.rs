//! Two legs (offerer and answerer) over real UDP sockets on 127.0.0.1, each run by the tokio
//! driver: they connect, carry RTP both ways, fall back to PCMU, survive an ICE restart, and
//! carry telephone-event. Every wait is bounded.

use std::time::{Duration, Instant};

use seatline_webrtc::driver::{self, LegHandle};
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent, RtpPayload};
use tokio::net::UdpSocket;
use tokio::sync::mpsc::Receiver;
use tokio::time::timeout;

const CONNECT: Duration = Duration::from_secs(10);

struct Side {
    handle: LegHandle,
    events: Receiver<LegEvent>,
    codec: Option<AudioCodec>,
}

async fn socket() -> UdpSocket {
    UdpSocket::bind("127.0.0.1:0").await.expect("bind loopback")
}

/// Offer/answer between two fresh legs, both driven on real sockets.
async fn pair(offer_codecs: Vec<AudioCodec>, answer_codecs: Vec<AudioCodec>) -> (Side, Side) {
    let (s1, s2) = (socket().await, socket().await);
    let cfg1 = LegConfig::new(vec![s1.local_addr().expect("addr")], offer_codecs);
    let cfg2 = LegConfig::new(vec![s2.local_addr().expect("addr")], answer_codecs);
    let (offerer, offer) = AudioLeg::offerer(cfg1, Instant::now()).expect("offer");
    assert!(
        offer.contains("a=candidate:"),
        "offer carries host candidates:\n{offer}"
    );
    let (answerer, answer) = AudioLeg::answerer(cfg2, Instant::now(), &offer).expect("answer");
    let codec2 = answerer.negotiated_codec();
    let (h1, e1) = driver::spawn(offerer, s1);
    let (h2, e2) = driver::spawn(answerer, s2);
    h1.accept_answer(answer).await.expect("accept answer");
    (
        Side {
            handle: h1,
            events: e1,
            codec: None,
        },
        Side {
            handle: h2,
            events: e2,
            codec: codec2,
        },
    )
}

async fn wait_connected(side: &mut Side) {
    timeout(CONNECT, async {
        loop {
            match side.events.recv().await {
                Some(LegEvent::Connected) => return,
                Some(LegEvent::Failed) | Some(LegEvent::Closed) | None => {
                    panic!("leg ended before connecting")
                }
                Some(_) => {}
            }
        }
    })
    .await
    .expect("connected in time");
}

/// Sends `n` packets of 20 ms from `from` while collecting what `to` receives; returns the
/// received packets (codec, packet).
async fn exchange(
    from: &Side,
    to: &mut Side,
    n: u8,
    samples: u32,
    tag: u8,
) -> Vec<(AudioCodec, RtpPayload)> {
    let mut got = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let mut sent = 0u8;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while got.len() < n as usize && tokio::time::Instant::now() < deadline {
        tokio::select! {
            _ = tick.tick(), if sent < n => {
                from.handle.send_audio(vec![tag, sent, 0xAB, 0xCD], samples, sent == 0).expect("queue audio");
                sent += 1;
            }
            ev = to.events.recv() => match ev {
                Some(LegEvent::Audio { codec, packet }) => got.push((codec, packet)),
                Some(LegEvent::Failed) | Some(LegEvent::Closed) | None => panic!("leg ended during media"),
                _ => {}
            },
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
    got
}

fn check_stream(got: &[(AudioCodec, RtpPayload)], n: u8, codec: AudioCodec, samples: u32, tag: u8) {
    assert_eq!(got.len(), n as usize, "all packets arrive on loopback");
    for (i, (c, p)) in got.iter().enumerate() {
        assert_eq!(*c, codec);
        assert_eq!(
            p.payload,
            vec![tag, i as u8, 0xAB, 0xCD],
            "payload bytes of packet {i}"
        );
        if i > 0 {
            let prev = &got[i - 1].1;
            assert_eq!(
                p.seq,
                prev.seq.wrapping_add(1),
                "consecutive sequence numbers"
            );
            assert_eq!(
                p.timestamp,
                prev.timestamp.wrapping_add(samples),
                "timestamp steps by samples"
            );
        }
    }
    assert!(got[0].1.marker, "first packet has the marker");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opus_both_ways() {
    let (mut a, mut b) = pair(
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
    )
    .await;
    assert_eq!(b.codec, Some(AudioCodec::Opus));
    wait_connected(&mut a).await;
    wait_connected(&mut b).await;
    let got = exchange(&a, &mut b, 25, 960, 1).await;
    check_stream(&got, 25, AudioCodec::Opus, 960, 1);
    let got = exchange(&b, &mut a, 25, 960, 2).await;
    check_stream(&got, 25, AudioCodec::Opus, 960, 2);
    let stats = a.handle.stats().await.expect("stats");
    assert!(
        stats.packets_sent >= 25 && stats.packets_received >= 25,
        "{stats:?}"
    );
    a.handle.close().await;
    let closed = timeout(CONNECT, async {
        while let Some(e) = a.events.recv().await {
            if e == LegEvent::Closed {
                return true;
            }
        }
        false
    })
    .await
    .expect("closed in time");
    assert!(closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcmu_fallback() {
    let (mut a, mut b) = pair(
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
        vec![AudioCodec::Pcmu],
    )
    .await;
    assert_eq!(b.codec, Some(AudioCodec::Pcmu));
    wait_connected(&mut a).await;
    wait_connected(&mut b).await;
    let got = exchange(&a, &mut b, 10, 160, 3).await;
    check_stream(&got, 10, AudioCodec::Pcmu, 160, 3);
    let got = exchange(&b, &mut a, 10, 160, 4).await;
    check_stream(&got, 10, AudioCodec::Pcmu, 160, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_restart_keeps_media_flowing() {
    let (mut a, mut b) = pair(vec![AudioCodec::Opus], vec![AudioCodec::Opus]).await;
    wait_connected(&mut a).await;
    wait_connected(&mut b).await;
    let before = exchange(&a, &mut b, 10, 960, 5).await;
    check_stream(&before, 10, AudioCodec::Opus, 960, 5);

    // The offerer moves to a new socket (as after a network change) and restarts ICE.
    let offer = a
        .handle
        .restart_ice(Some(socket().await))
        .await
        .expect("restart offer");
    let answer = b.handle.accept_offer(offer).await.expect("restart answer");
    a.handle
        .accept_answer(answer)
        .await
        .expect("accept restart answer");
    // Both sides announce the new path before media is sent on it.
    wait_connected(&mut a).await;
    wait_connected(&mut b).await;

    let after = exchange(&a, &mut b, 10, 960, 6).await;
    check_stream(&after, 10, AudioCodec::Opus, 960, 6);
    // One RTP stream across the restart: the sequence continues.
    assert_eq!(after[0].1.seq, before[9].1.seq.wrapping_add(1));
    let back = exchange(&b, &mut a, 10, 960, 7).await;
    check_stream(&back, 10, AudioCodec::Opus, 960, 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn telephone_event_both_clocks() {
    for (codec, samples, clock) in [
        (AudioCodec::Opus, 960, 48_000),
        (AudioCodec::Pcmu, 160, 8_000),
    ] {
        let (mut a, mut b) = pair(vec![codec], vec![codec]).await;
        wait_connected(&mut a).await;
        wait_connected(&mut b).await;
        // RFC 4733 event "5", volume 10, durations growing; three packets of one event.
        for (i, duration) in [samples, 2 * samples, 3 * samples].into_iter().enumerate() {
            let d = (duration as u16).to_be_bytes();
            a.handle
                .send_telephone_event(vec![5, 10, d[0], d[1]], i == 0, samples)
                .expect("queue event");
        }
        let got = timeout(CONNECT, async {
            let mut got = Vec::new();
            while got.len() < 3 {
                match b.events.recv().await {
                    Some(LegEvent::TelephoneEvent { clock_rate, packet }) => {
                        got.push((clock_rate, packet))
                    }
                    None => panic!("events ended"),
                    _ => {}
                }
            }
            got
        })
        .await
        .expect("events in time");
        assert!(got.iter().all(|(c, _)| *c == clock));
        assert!(got[0].1.marker && !got[1].1.marker);
        assert!(
            got.iter().all(|(_, p)| p.timestamp == got[0].1.timestamp),
            "one event, one timestamp"
        );
        assert_eq!(got[2].1.payload[0], 5);
    }
}

#[test]
fn bad_sdp_gets_a_typed_error() {
    use seatline_webrtc::LegError;
    let addr = "127.0.0.1:9".parse().expect("addr");
    let cfg = || LegConfig::new(vec![addr], vec![AudioCodec::Opus, AudioCodec::Pcmu]);
    let (_, offer) = AudioLeg::offerer(cfg(), Instant::now()).expect("offer");

    let garbage = AudioLeg::answerer(cfg(), Instant::now(), "\u{0}not sdp at all");
    assert!(
        matches!(garbage, Err(LegError::SdpSyntax(_))),
        "{garbage:?}"
    );

    let video_only = offer.replace("m=audio", "m=video");
    assert!(matches!(
        AudioLeg::answerer(cfg(), Instant::now(), &video_only),
        Err(LegError::NoAudio)
    ));

    let pcmu_only = LegConfig::new(vec![addr], vec![AudioCodec::Pcmu]);
    let (_, pcmu_offer) = AudioLeg::offerer(pcmu_only, Instant::now()).expect("offer");
    let opus_answerer = LegConfig::new(vec![addr], vec![AudioCodec::Opus]);
    let none = AudioLeg::answerer(opus_answerer, Instant::now(), &pcmu_offer);
    assert!(
        matches!(none, Err(LegError::NoCommonCodec { .. })),
        "{none:?}"
    );

    // A bad answer leaves the offerer waiting for a good one.
    let (mut leg, _) = AudioLeg::offerer(cfg(), Instant::now()).expect("offer");
    assert!(matches!(
        leg.accept_answer(Instant::now(), "v=0\r\ngarbage"),
        Err(LegError::SdpSyntax(_))
    ));
    let (_, answer) =
        AudioLeg::answerer(cfg(), Instant::now(), &offer_of(&mut leg)).expect("answer");
    leg.accept_answer(Instant::now(), &answer)
        .expect("good answer after a bad one");
    assert_eq!(leg.negotiated_codec(), Some(AudioCodec::Opus));
    assert!(leg.telephone_event_negotiated());
    assert!(
        leg.send_audio(Instant::now(), &[1], 960, false).is_err(),
        "no media before DTLS is up"
    );
}

fn offer_of(leg: &mut AudioLeg) -> String {
    leg.local_description().expect("pending offer")
}
