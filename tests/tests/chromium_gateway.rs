//! Headless Chromium as the agent's WebRTC peer of the real platform's gateway.
//!
//! The platform runs with its SIP trunk routed to a baresip customer (1 kHz tone, recording).
//! The test is the agent's PC device for signalling: it logs agent 1001 in over REST, opens the
//! event socket `GET /api/v1/events` with the bearer token (the platform takes the token from the
//! header only, which a browser WebSocket cannot set), starts a VoIP call with `POST /calls`,
//! and relays SDP between that socket and a Chromium page (`testpeers/chromium/webrtc-peer.html`),
//! which is the media peer: its microphone is a fake device playing a 440 Hz WAV.
//!
//! Asserted: the call reaches `Connected`; Chromium's `getStats()` counts inbound Opus packets
//! from the gateway and its analyser (`testpeers/chromium/webrtc-peer.html`) hears 1 kHz; the
//! customer's recording holds 440 Hz; `POST /calls/{id}/hangup` ends the
//! call (`Ended`, answered, by the agent). Loopback only; every process (platform, baresip,
//! Chromium, node) is ended by its guard on drop.

use futures_util::{SinkExt, StreamExt};
use seatline_e2e::{demo, err, CallPlatform, Rest, Result};
use seatline_media::tone::dominant_frequency;
use seatline_media::SampleRate;
use seatline_proto::events::DeviceFrame;
use seatline_proto::{paths, CallOutcome, CallPhase, DeviceKind, Event, EventFrame, Party, Signal};
use seatline_testpeers::baresip::{AnswerMode, AudioSource, Baresip, BaresipConfig, Codec};
use seatline_testpeers::chromium::{self, Chromium, ChromiumOptions, ChromiumPage};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// The customer's number (outside the demo library; the catch-all route reaches baresip).
const CUSTOMER: &str = "13900000001";
/// The bound of one page call (offer with full ICE gathering, stats).
const PAGE_CALL: Duration = Duration::from_secs(20);

/// Runs a page call without stalling the runtime's other workers.
fn page_call(page: &mut ChromiumPage, name: &str, args: Vec<Value>) -> Result<Value> {
    tokio::task::block_in_place(|| page.call(name, args, PAGE_CALL))
        .map_err(|e| err(format!("page {name}: {e:#}")))
}

/// The device's event socket: a reader task forwards the platform's events; `send` writes
/// device frames.
struct EventSocket {
    events: mpsc::Receiver<Event>,
    out: mpsc::Sender<String>,
    task: tokio::task::JoinHandle<()>,
}

impl EventSocket {
    async fn open(addr: SocketAddr, token: &str) -> Result<EventSocket> {
        let mut req = format!("ws://{addr}{}", paths::EVENTS).into_client_request()?;
        req.headers_mut()
            .insert("authorization", format!("Bearer {token}").parse()?);
        let (ws, _) = tokio::time::timeout(
            Duration::from_secs(10),
            tokio_tungstenite::connect_async(req),
        )
        .await
        .map_err(|_| err("event socket: no upgrade within 10 s"))??;
        let (mut sink, mut stream) = ws.split();
        let (ev_tx, events) = mpsc::channel(64);
        let (out, mut out_rx) = mpsc::channel::<String>(8);
        let task = tokio::spawn(async move {
            loop {
                tokio::select! {
                    frame = out_rx.recv() => match frame {
                        Some(text) => {
                            if sink.send(Message::Text(text.into())).await.is_err() {
                                return;
                            }
                        }
                        None => {
                            let _ = sink.close().await;
                            return;
                        }
                    },
                    msg = stream.next() => match msg {
                        Some(Ok(Message::Text(text))) => {
                            match serde_json::from_str::<EventFrame>(text.as_str()) {
                                Ok(frame) => {
                                    if ev_tx.send(frame.event).await.is_err() {
                                        return;
                                    }
                                }
                                Err(e) => eprintln!("event socket: not an EventFrame ({e}): {text}"),
                            }
                        }
                        Some(Ok(Message::Ping(p))) => {
                            let _ = sink.send(Message::Pong(p)).await;
                        }
                        Some(Ok(Message::Close(c))) => {
                            eprintln!("event socket closed by the platform: {c:?}");
                            return;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => {
                            eprintln!("event socket error: {e}");
                            return;
                        }
                        None => return,
                    },
                }
            }
        });
        Ok(EventSocket { events, out, task })
    }

    async fn send(&self, frame: &DeviceFrame) -> Result<()> {
        self.out
            .send(serde_json::to_string(frame)?)
            .await
            .map_err(|_| err("event socket closed"))
    }

    /// The next event for which `pick` returns `Some`, within `timeout`; others are logged.
    async fn wait<T>(
        &mut self,
        what: &str,
        timeout: Duration,
        mut pick: impl FnMut(&Event) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let ev = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .map_err(|_| err(format!("{what}: not within {timeout:?}")))?
                .ok_or_else(|| err(format!("{what}: the event socket closed")))?;
            if let Some(v) = pick(&ev) {
                return Ok(v);
            }
            eprintln!("event: {}", short(&ev));
        }
    }
}

impl Drop for EventSocket {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An event for the log, without SDP bodies.
fn short(ev: &Event) -> String {
    match ev {
        Event::CallSignal { call_id, signal } => {
            let kind = match signal {
                Signal::Offer { .. } => "offer",
                Signal::Answer { .. } => "answer",
            };
            format!("CallSignal {{ call_id: {call_id}, {kind} }}")
        }
        Event::Hello { .. } => "Hello".into(),
        other => format!("{other:?}"),
    }
}

fn progress<'a>(ev: &'a Event, id: &str) -> Option<&'a CallPhase> {
    match ev {
        Event::CallProgress { call_id, phase, .. } if call_id == id => Some(phase),
        _ => None,
    }
}

fn phone_recording(path: &Path) -> Result<Vec<i16>> {
    let frames = seatline_media::wav::read_file(path, SampleRate::Hz8000)?;
    Ok(frames.into_iter().flat_map(|f| f.samples).collect())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn chromium_talks_to_a_baresip_customer_through_the_gateway() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mut cfg = BaresipConfig::new(CUSTOMER);
    cfg.audio_source = AudioSource::Sine { hz: 1000 };
    cfg.record_to = Some(dir.path().join("customer.wav"));
    cfg.codecs = vec![Codec::Pcmu];
    cfg.answer_mode = AnswerMode::Auto;
    let customer = Baresip::start(cfg).await?;
    let platform = CallPlatform::start(&[format!("={}", customer.sip_addr())], &[]).await?;

    // Chromium with a 440 Hz microphone, and the peer page.
    let wav = dir.path().join("mic-440.wav");
    chromium::write_tone_wav(&wav, 440.0, 2.0)?;
    let browser = tokio::task::block_in_place(|| {
        Chromium::launch(ChromiumOptions {
            fake_audio: Some(wav.clone()),
            // The page's AudioContext (the analyser of the received audio) starts unprompted.
            extra_args: vec!["--autoplay-policy=no-user-gesture-required".into()],
        })
    })?;
    let mut page = tokio::task::block_in_place(|| {
        browser.open_page(&chromium::peer_dir().join("webrtc-peer.html"))
    })?;

    // Agent 1001 on a PC, its event socket, the call.
    let (rest, login) = Rest::new(&platform.url())
        .login_agent(
            demo::ENTERPRISE,
            "1001",
            &demo::password("1001"),
            DeviceKind::Pc,
            "e2e-chromium-pc",
        )
        .await?;
    let mut socket = EventSocket::open(platform.addr(), &login.token).await?;
    socket
        .wait("hello", Duration::from_secs(10), |ev| {
            matches!(ev, Event::Hello { .. }).then_some(())
        })
        .await?;
    let started: Value = rest
        .send_json(
            reqwest::Method::POST,
            paths::CALLS,
            &json!({ "method": "voip", "number": CUSTOMER }),
        )
        .await?;
    let call_id = started["call_id"]
        .as_str()
        .ok_or_else(|| err(format!("no call_id in {started}")))?
        .to_string();

    // Chromium offers; the offer goes to the platform as the device's frame.
    let offer = page_call(&mut page, "makeOffer", vec![])?;
    let offer = offer.as_str().ok_or_else(|| err("offer sdp"))?.to_string();
    assert!(offer.contains("opus/48000"), "{offer}");
    socket
        .send(&DeviceFrame::CallSignal {
            call_id: call_id.clone(),
            signal: Signal::Offer { sdp: offer },
        })
        .await?;
    let id = call_id.clone();
    let answer = socket
        .wait(
            "the gateway's answer",
            Duration::from_secs(15),
            |ev| match ev {
                Event::CallSignal {
                    call_id,
                    signal: Signal::Answer { sdp },
                } if *call_id == id => Some(sdp.clone()),
                _ => None,
            },
        )
        .await
        .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?;
    assert!(answer.contains("opus/48000"), "{answer}");
    page_call(&mut page, "acceptAnswer", vec![json!(answer)])?;

    socket
        .wait("Connected", Duration::from_secs(30), |ev| {
            let phase = progress(ev, &call_id)?;
            eprintln!("phase: {phase:?}");
            match phase {
                CallPhase::Connected => Some(Ok(())),
                CallPhase::Ended { .. } => Some(Err(format!("ended early: {phase:?}"))),
                _ => None,
            }
        })
        .await
        .map_err(|e| err(format!("{e}; platform: {}", platform.log_tail())))?
        .map_err(err)?;

    // Chromium receives Opus from the gateway (the customer's 1 kHz, transcoded).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let stats = loop {
        let stats = page_call(&mut page, "stats", vec![])?;
        let n = stats["inbound"]["packetsReceived"].as_u64().unwrap_or(0);
        if n > 50 {
            break stats;
        }
        if tokio::time::Instant::now() > deadline {
            return Err(err(format!(
                "Chromium got too few packets from the gateway: {stats}; platform: {}",
                platform.log_tail()
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    assert_eq!(
        stats["inbound"]["codec"]
            .as_str()
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("audio/opus"),
        "{stats}"
    );
    assert_eq!(stats["connectionState"], "connected", "{stats}");
    // What Chromium hears: the customer's 1 kHz (2 s of analyser frames; the customer
    // records the microphone meanwhile).
    let tone = page_call(
        &mut page,
        "remoteTone",
        vec![json!(200), json!(2000), json!(20)],
    )?;
    println!("Chromium hears: {tone}");
    let hz = tone["hz"].as_f64().unwrap_or(0.0);
    assert!((hz - 1000.0).abs() < 15.0, "Chromium heard {tone}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stats = page_call(&mut page, "stats", vec![])?;
    println!("Chromium's stats after ~5 s of talk: {stats}");

    let resp = reqwest::Client::new()
        .post(format!(
            "{}{}",
            platform.url(),
            paths::call_hangup(&call_id)
        ))
        .bearer_auth(&login.token)
        .timeout(Duration::from_secs(10))
        .send()
        .await?;
    assert_eq!(resp.status().as_u16(), 204, "hangup");
    let ended = socket
        .wait("Ended", Duration::from_secs(15), |ev| {
            match progress(ev, &call_id)? {
                p @ CallPhase::Ended { .. } => Some(p.clone()),
                _ => None,
            }
        })
        .await?;
    assert!(
        matches!(
            ended,
            CallPhase::Ended {
                outcome: CallOutcome::Answered,
                by: Some(Party::Agent),
            }
        ),
        "{ended:?}"
    );
    page_call(&mut page, "closePeer", vec![])?;

    let path = customer.save_recording(Duration::from_secs(15)).await?;
    let heard = phone_recording(&path)?;
    let n = heard.len();
    let f = dominant_frequency(
        &heard[n / 4..n * 3 / 4],
        SampleRate::Hz8000,
        200.0,
        2000.0,
        20.0,
    );
    println!(
        "the customer recorded {:.1} s, main tone {f} Hz",
        n as f64 / 8000.0
    );
    assert!((f - 440.0).abs() < 15.0, "the customer heard {f} Hz");
    drop(page);
    drop(browser);
    Ok(())
}
