//! The call service end to end, on loopback: the real platform binary with its SIP trunk
//! routed to baresip phones (and SIPp for a busy line), and a `seatline-webrtc` offerer in
//! the test playing the agent's device (Opus or PCMU, encoded with `seatline-media`).
//! Audio is checked by pitch (Goertzel) at each far end; records through `GET /records`.
//! Every wait is bounded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Api, Platform, TestDb};
use futures_util::{SinkExt, StreamExt};
use seatline_media::tone::SineGenerator;
use seatline_media::{Codec, Decoder, Encoder, SampleRate};
use seatline_proto::calls::{CallOutcome, CallPhase, Party, Signal};
use seatline_proto::events::DeviceFrame;
use seatline_proto::{Event, EventFrame};
use seatline_testpeers::baresip::{AnswerMode, AudioSource, Baresip, BaresipConfig, EventKind};
use seatline_webrtc::driver::{self, LegHandle};
use seatline_webrtc::{AudioCodec, AudioLeg, LegConfig, LegEvent};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// The customer's number in these tests, and the demo agent 1001's bound number.
const CUSTOMER: &str = "13912345678";
const AGENT_PHONE: &str = "13800000001";
const AGENT_TONE: f64 = 440.0;
const CUSTOMER_TONE: u32 = 1000;
/// The hold music's notes (`calls::bridge::HOLD_NOTES_HZ`).
const HOLD_NOTES: [f64; 3] = [523.25, 659.25, 783.99];

// ------------------------------------------------------------------ the platform

struct Lab {
    _db: TestDb,
    platform: Platform,
}

/// A seeded platform whose trunk has `routes` (`PREFIX=IP:PORT`), a 64-port media range,
/// short ring timeouts.
async fn lab(routes: &[String], extra: &[&str]) -> Lab {
    lab_logged(routes, extra, None).await
}

/// As [`lab`]; with `log`, the platform logs at info into that file.
async fn lab_logged(routes: &[String], extra: &[&str], log: Option<&Path>) -> Lab {
    let db = TestDb::sqlite();
    common::seed(&db).await;
    let first = seatline_testpeers::ports::free_block(64).unwrap();
    let ports = format!("{first}-{}", first + 63);
    let mut args: Vec<String> = vec![
        "--sip-listen".into(),
        "127.0.0.1:0".into(),
        "--media-ip".into(),
        "127.0.0.1".into(),
        "--rtp-ports".into(),
        ports,
        "--ring-timeout".into(),
        "8".into(),
        "--agent-ring-timeout".into(),
        "3".into(),
    ];
    for r in routes {
        args.push("--trunk-route".into());
        args.push(r.clone());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let level = std::env::var("SEATLINE_TEST_LOG")
        .unwrap_or_else(|_| "warn,seatline_platform::calls=info,rsipstack=warn".into());
    let platform = match log {
        Some(path) => {
            let file = std::fs::File::create(path).unwrap();
            Platform::start_args(&db, "info,rsipstack=warn", Stdio::from(file), &args).await
        }
        None => Platform::start_args(&db, &level, Stdio::inherit(), &args).await,
    };
    Lab { _db: db, platform }
}

fn route(prefix: &str, phone: &Baresip) -> String {
    format!("{prefix}={}", phone.sip_addr())
}

impl Lab {
    fn api(&self) -> &Api {
        &self.platform.api
    }

    async fn login(&self, job: &str, kind: &str) -> (String, Device) {
        let login = self
            .api()
            .login("demo", job, &format!("{job}pass"), kind)
            .await;
        let (ws, _hello) = common::events(&self.platform.base, &login.token).await;
        (login.token, Device::new(ws))
    }

    async fn place(&self, token: &str, method: &str, number: &str) -> common::Reply {
        self.api()
            .post(
                "/api/v1/calls",
                token,
                json!({ "method": method, "number": number }),
            )
            .await
    }

    async fn record(&self, token: &str, call_id: &str) -> Value {
        let page = self.api().get("/api/v1/records", token).await.expect(200);
        page["records"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["call_id"] == call_id)
            .cloned()
            .unwrap_or_else(|| panic!("no record of {call_id}: {page}"))
    }
}

// ------------------------------------------------------------------ the device's socket

/// The agent's device socket: events in on a channel, frames out on another.
struct Device {
    events: mpsc::UnboundedReceiver<Event>,
    out: mpsc::UnboundedSender<String>,
    /// Every call phase seen, in order.
    phases: Vec<CallPhase>,
    records_changed: usize,
}

impl Device {
    fn new(ws: common::Ws) -> Device {
        let (ev_tx, events) = mpsc::unbounded_channel();
        let (out, mut out_rx) = mpsc::unbounded_channel::<String>();
        let (mut sink, mut stream) = ws.split();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    m = stream.next() => match m {
                        Some(Ok(Message::Text(t))) => {
                            if let Ok(f) = serde_json::from_str::<EventFrame>(t.as_str()) {
                                let _ = ev_tx.send(f.event);
                            }
                        }
                        Some(Ok(_)) => {}
                        _ => break,
                    },
                    t = out_rx.recv() => match t {
                        Some(t) => { let _ = sink.send(Message::Text(t.into())).await; }
                        None => break,
                    },
                }
            }
        });
        Device {
            events,
            out,
            phases: Vec::new(),
            records_changed: 0,
        }
    }

    fn send(&self, frame: &DeviceFrame) {
        self.out
            .send(serde_json::to_string(frame).unwrap())
            .unwrap();
    }

    fn send_raw(&self, text: &str) {
        self.out.send(text.to_string()).unwrap();
    }

    /// The next event satisfying `want` (phases and record notices are remembered).
    async fn wait(&mut self, within: Duration, want: impl Fn(&Event) -> bool) -> Event {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let e = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("no matching event in {within:?}; phases {:?}", self.phases)
                })
                .expect("event socket closed");
            match &e {
                Event::CallProgress { phase, .. } => self.phases.push(phase.clone()),
                Event::RecordsChanged => self.records_changed += 1,
                _ => {}
            }
            if want(&e) {
                return e;
            }
        }
    }

    async fn phase(
        &mut self,
        call: &str,
        within: Duration,
        want: fn(&CallPhase) -> bool,
    ) -> CallPhase {
        match self
            .wait(within, |e| matches!(e, Event::CallProgress { call_id, phase, .. } if call_id == call && want(phase)))
            .await
        {
            Event::CallProgress { phase, .. } => phase,
            _ => unreachable!(),
        }
    }

    async fn ended(&mut self, call: &str, within: Duration) -> (CallOutcome, Option<Party>) {
        match self
            .phase(call, within, |p| matches!(p, CallPhase::Ended { .. }))
            .await
        {
            CallPhase::Ended { outcome, by } => (outcome, by),
            _ => unreachable!(),
        }
    }
}

// ------------------------------------------------------------------ the agent's WebRTC leg

struct WebrtcAgent {
    handle: LegHandle,
    events: mpsc::Receiver<LegEvent>,
    codec: AudioCodec,
}

/// Offers a WebRTC leg for `call_id` on the device's socket and applies the gateway's
/// answer.
async fn offer(dev: &mut Device, call_id: &str) -> WebrtcAgent {
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let cfg = LegConfig::new(
        vec![socket.local_addr().unwrap()],
        vec![AudioCodec::Opus, AudioCodec::Pcmu],
    );
    let (leg, sdp) = AudioLeg::offerer(cfg, Instant::now()).unwrap();
    dev.send(&DeviceFrame::CallSignal {
        call_id: call_id.to_string(),
        signal: Signal::Offer { sdp },
    });
    let answer = match dev
        .wait(Duration::from_secs(5), |e| {
            matches!(e, Event::CallSignal { call_id: c, signal: Signal::Answer { .. } } if c == call_id)
        })
        .await
    {
        Event::CallSignal {
            signal: Signal::Answer { sdp },
            ..
        } => sdp,
        _ => unreachable!(),
    };
    let codec = if answer.to_ascii_lowercase().contains("opus/48000") {
        AudioCodec::Opus
    } else {
        AudioCodec::Pcmu
    };
    let (handle, events) = driver::spawn(leg, socket);
    handle.accept_answer(answer).await.unwrap();
    WebrtcAgent {
        handle,
        events,
        codec,
    }
}

fn media_codec(c: AudioCodec) -> Codec {
    match c {
        AudioCodec::Opus => Codec::Opus,
        AudioCodec::Pcmu => Codec::Pcmu,
    }
}

impl WebrtcAgent {
    /// Sends a tone for `dur` and returns what came back, at 8 kHz.
    async fn talk(&mut self, dur: Duration, hz: f64) -> Vec<i16> {
        let mut tone = SineGenerator::new(SampleRate::Hz48000, hz, 0.3);
        let mut enc = Encoder::new(media_codec(self.codec)).unwrap();
        let mut dec =
            Decoder::with_output_rate(media_codec(self.codec), SampleRate::Hz8000).unwrap();
        let samples = self.codec.clock_rate() / 50;
        let mut heard = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        let end = tokio::time::Instant::now() + dur;
        let mut first = true;
        while tokio::time::Instant::now() < end {
            tokio::select! {
                _ = tick.tick() => {
                    let payload = enc.encode(&tone.next_frame()).unwrap();
                    let _ = self.handle.send_audio(payload, samples, std::mem::take(&mut first));
                }
                e = self.events.recv() => match e {
                    Some(LegEvent::Audio { packet, .. }) => {
                        if let Ok(f) = dec.decode(Some(&packet.payload)) {
                            heard.extend(f.samples);
                        }
                    }
                    Some(_) => {}
                    None => break,
                },
            }
        }
        heard
    }
}

// ------------------------------------------------------------------ audio checks

/// Goertzel power of `f` in `x` (normalised by length).
fn power(x: &[f64], rate: f64, f: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f / rate;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for &v in x {
        let s = v + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.len().max(1) as f64).powi(2)
}

/// The strongest frequency in 100..3500 Hz (10 Hz steps).
fn dominant(x: &[f64], rate: f64) -> f64 {
    let mut best = (0.0, 0.0);
    let mut f = 100.0;
    while f < 3500.0 {
        let p = power(x, rate, f);
        if p > best.1 {
            best = (f, p);
        }
        f += 10.0;
    }
    best.0
}

fn to_f64(x: &[i16]) -> Vec<f64> {
    x.iter().map(|s| f64::from(*s)).collect()
}

/// A recording as mono samples and its rate.
fn read_wav(path: &Path) -> (f64, Vec<f64>) {
    let reader = hound::WavReader::open(path).expect("recording");
    let spec = reader.spec();
    let ch = usize::from(spec.channels).max(1);
    let all: Vec<f64> = reader
        .into_samples::<i16>()
        .map_while(Result::ok)
        .map(f64::from)
        .collect();
    (
        f64::from(spec.sample_rate),
        all.chunks(ch).map(|c| c[0]).collect(),
    )
}

/// What each 100 ms window of a recording mostly is: `A` the agent's tone, `M` hold
/// music, `.` neither (silence, start-up).
fn windows(x: &[f64], rate: f64) -> String {
    let n = (rate / 10.0) as usize;
    x.chunks(n)
        .filter(|w| w.len() == n)
        .map(|w| {
            let energy = w.iter().map(|v| v * v).sum::<f64>() / n as f64;
            if energy.sqrt() < 200.0 {
                return '.';
            }
            let a = power(w, rate, AGENT_TONE);
            let m = HOLD_NOTES
                .iter()
                .map(|f| power(w, rate, *f))
                .fold(0.0, f64::max);
            if a > 4.0 * m {
                'A'
            } else if m > 4.0 * a {
                'M'
            } else {
                '.'
            }
        })
        .collect()
}

async fn phone(user: &str, tone: u32, answer: AnswerMode, dir: &Path) -> Baresip {
    Baresip::start(BaresipConfig {
        audio_source: AudioSource::Sine { hz: tone },
        answer_mode: answer,
        record_to: Some(dir.join(format!("{user}.wav"))),
        ..BaresipConfig::new(user)
    })
    .await
    .expect("baresip (apt install baresip-core)")
}

const SECS: fn(u64) -> Duration = Duration::from_secs;

// ------------------------------------------------------------------ VoIP

/// VoIP end to end: the offer/answer on the socket, the customer's phone rings and
/// answers, the tones cross both ways (agent 440 Hz → customer, customer 1 kHz → agent),
/// DTMF reaches the customer, hold gives the customer music instead of the agent, the
/// agent's hang-up ends both legs, and the record has started/answered/ended/answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voip_call_bridges_tones_both_ways_with_hold_music_dtmf_and_record() {
    let dir = tempfile::tempdir().unwrap();
    let customer = phone(CUSTOMER, CUSTOMER_TONE, AnswerMode::Auto, dir.path()).await;
    let lab = lab(&[route("", &customer)], &[]).await;
    let (token, mut dev) = lab.login("1001", "pc").await;

    // Frames that are not DeviceFrames are ignored; the socket stays up.
    dev.send_raw(r#"{"type":"call_signal","call_id":"x"}"#);
    dev.send_raw(r#"{"hello":1}"#);

    let call = lab.place(&token, "voip", CUSTOMER).await.expect(200);
    let call_id = call["call_id"].as_str().unwrap().to_string();
    // Invariant 3: the record exists when the 200 arrives.
    let rec = lab.record(&token, &call_id).await;
    assert_eq!(rec["method"], "voip");
    assert_eq!(rec["outcome"], Value::Null);
    assert_eq!(rec["answered_at_ms"], Value::Null);

    dev.phase(&call_id, SECS(5), |p| *p == CallPhase::CallingCustomer)
        .await;
    let mut agent = offer(&mut dev, &call_id).await;
    dev.phase(&call_id, SECS(10), |p| *p == CallPhase::Connected)
        .await;
    customer
        .wait_for(EventKind::CallEstablished, SECS(5))
        .await
        .unwrap();

    eprintln!("agent leg codec: {:?}", agent.codec);
    let t0 = Instant::now();
    let heard = agent.talk(SECS(3), AGENT_TONE).await;
    let tail = to_f64(&heard[heard.len().min(8000)..]);
    assert!(
        tail.len() >= 8000,
        "the agent heard only {} samples",
        heard.len()
    );
    let f = dominant(&tail, 8000.0);
    assert!(
        (f - f64::from(CUSTOMER_TONE)).abs() <= 20.0,
        "agent heard {f} Hz ({:?})",
        agent.codec
    );

    // DTMF to the customer (RFC 4733 on the trunk leg).
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/dtmf"),
            &token,
            json!({ "digits": "5#" }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    customer.wait_for_dtmf('5', SECS(5)).await.unwrap();
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/dtmf"),
            &token,
            json!({ "digits": "5x" }),
        )
        .await;
    r.expect_error(400, "bad_request");

    // Hold: music for the customer, silence for the agent; then resume.
    let hold_at = t0.elapsed();
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/hold"),
            &token,
            json!({ "on": true }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    dev.phase(&call_id, SECS(2), |p| *p == CallPhase::Held)
        .await;
    let held = agent.talk(SECS(2), AGENT_TONE).await;
    let held_tail = to_f64(&held[held.len().min(2400)..]);
    let rms = (held_tail.iter().map(|v| v * v).sum::<f64>() / held_tail.len().max(1) as f64).sqrt();
    assert!(rms < 300.0, "the agent hears silence on hold, rms {rms}");
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/hold"),
            &token,
            json!({ "on": false }),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    dev.phase(&call_id, SECS(2), |p| *p == CallPhase::Connected)
        .await;
    let resumed = agent.talk(SECS(2), AGENT_TONE).await;
    let resumed_tail = to_f64(&resumed[resumed.len().min(4000)..]);
    let f = dominant(&resumed_tail, 8000.0);
    assert!(
        (f - f64::from(CUSTOMER_TONE)).abs() <= 20.0,
        "after resume the agent heard {f} Hz"
    );

    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/hangup"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let (outcome, by) = dev.ended(&call_id, SECS(5)).await;
    assert_eq!((outcome, by), (CallOutcome::Answered, Some(Party::Agent)));
    customer
        .wait_for(EventKind::CallClosed, SECS(5))
        .await
        .unwrap();
    let phases: Vec<&CallPhase> = dev.phases.iter().collect();
    assert_eq!(
        phases.first(),
        Some(&&CallPhase::CallingCustomer),
        "phases {phases:?}"
    );

    // Commands on an ended call.
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/hold"),
            &token,
            json!({ "on": true }),
        )
        .await;
    r.expect_error(409, "call_not_active");

    // The record: started, answered, ended, answered.
    let rec = lab.record(&token, &call_id).await;
    assert_eq!(rec["outcome"], "answered", "{rec}");
    let (s, a, e) = (
        rec["started_at_ms"].as_i64().unwrap(),
        rec["answered_at_ms"].as_i64().unwrap(),
        rec["ended_at_ms"].as_i64().unwrap(),
    );
    assert!(s <= a && a <= e, "{rec}");
    assert!(
        dev.records_changed >= 2,
        "records_changed seen {}",
        dev.records_changed
    );

    // The customer heard the agent's tone, then music (not the agent), then the agent.
    let wav = customer.save_recording(SECS(5)).await.unwrap();
    let (rate, rec) = read_wav(&wav);
    let w = windows(&rec, rate);
    eprintln!("customer's recording, 100 ms windows (hold at {hold_at:?}): {w}");
    let first_m = w.find('M').expect("hold music in the customer's recording");
    let last_m = w.rfind('M').unwrap();
    let music = w.matches('M').count();
    assert!(music >= 12, "at least 1.2 s of music: {w}");
    assert!(
        w[..first_m].matches('A').count() >= 15,
        "the agent's tone before hold: {w}"
    );
    assert!(
        w[last_m..].matches('A').count() >= 8,
        "the agent's tone after resume: {w}"
    );
    assert!(
        w[first_m..=last_m].matches('A').count() <= 2,
        "no agent tone during hold: {w}"
    );
}

// ------------------------------------------------------------------ callback (R13)

/// R13: the platform rings the agent's own phone first, then the customer, and joins the
/// two trunk legs: each phone hears the other's tone; no WebRTC offer is involved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_rings_the_agent_then_the_customer_and_joins_them() {
    let dir = tempfile::tempdir().unwrap();
    let agent_phone = phone(AGENT_PHONE, 440, AnswerMode::Auto, dir.path()).await;
    let customer = phone(CUSTOMER, CUSTOMER_TONE, AnswerMode::Auto, dir.path()).await;
    let log = dir.path().join("platform.log");
    let lab = lab_logged(
        &[route(AGENT_PHONE, &agent_phone), route("", &customer)],
        &[],
        Some(&log),
    )
    .await;
    let (token, mut dev) = lab.login("1001", "pc").await;
    let call_id = lab.place(&token, "callback", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    dev.phase(&call_id, SECS(5), |p| *p == CallPhase::CallingAgent)
        .await;
    dev.phase(&call_id, SECS(10), |p| *p == CallPhase::CallingCustomer)
        .await;
    dev.phase(&call_id, SECS(10), |p| *p == CallPhase::Connected)
        .await;
    tokio::time::sleep(SECS(3)).await;
    // The customer hangs up.
    customer.hangup().await.unwrap();
    let (outcome, by) = dev.ended(&call_id, SECS(5)).await;
    assert_eq!(
        (outcome, by),
        (CallOutcome::Answered, Some(Party::Customer))
    );
    agent_phone
        .wait_for(EventKind::CallClosed, SECS(5))
        .await
        .unwrap();
    assert!(
        !dev.phases.iter().any(|p| matches!(p, CallPhase::Held)),
        "{:?}",
        dev.phases
    );
    let rec = lab.record(&token, &call_id).await;
    assert_eq!(
        (rec["method"].as_str(), rec["outcome"].as_str()),
        (Some("callback"), Some("answered"))
    );
    assert!(rec["answered_at_ms"].is_i64(), "{rec}");

    for (phone, want, who) in [
        (&agent_phone, f64::from(CUSTOMER_TONE), "agent"),
        (&customer, 440.0, "customer"),
    ] {
        let (rate, x) = read_wav(&phone.save_recording(SECS(5)).await.unwrap());
        let tail = &x[x.len().min(rate as usize)..];
        assert!(
            tail.len() as f64 >= rate,
            "{who}'s recording is short: {}",
            x.len()
        );
        let f = dominant(tail, rate);
        assert!(
            (f - want).abs() <= 20.0,
            "the {who} heard {f} Hz, wanted {want}"
        );
    }

    // Invariant 5: the platform's info log names calls by id, never by number.
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains(&call_id), "the log names the call");
    for number in [CUSTOMER, AGENT_PHONE, "4008001001"] {
        assert!(
            !text.contains(number),
            "a phone number in the platform's log"
        );
    }
}

/// R13: the agent's phone does not answer: the customer is never called.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_agent_no_answer_never_calls_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let agent_phone = phone(AGENT_PHONE, 440, AnswerMode::Manual, dir.path()).await;
    let customer = phone(CUSTOMER, CUSTOMER_TONE, AnswerMode::Auto, dir.path()).await;
    let lab = lab(
        &[route(AGENT_PHONE, &agent_phone), route("", &customer)],
        &[],
    )
    .await;
    let (token, mut dev) = lab.login("1001", "pc").await;
    let call_id = lab.place(&token, "callback", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    agent_phone
        .wait_for(EventKind::CallIncoming, SECS(5))
        .await
        .unwrap();
    let (outcome, by) = dev.ended(&call_id, SECS(10)).await;
    assert_eq!(
        (outcome, by),
        (CallOutcome::AgentNoAnswer, Some(Party::Agent))
    );
    assert!(
        customer
            .events()
            .iter()
            .all(|e| e.kind != EventKind::CallIncoming),
        "the customer was called"
    );
    let rec = lab.record(&token, &call_id).await;
    assert_eq!(rec["outcome"], "agent_no_answer", "{rec}");
    assert_eq!(rec["answered_at_ms"], Value::Null);
}

// ------------------------------------------------------------------ busy (SIPp 486)

const BUSY_UAS: &str = r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="486 busy UAS">
  <recv request="INVITE" />
  <send>
    <![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" />
</scenario>
"#;

struct Sipp {
    child: tokio::process::Child,
    addr: std::net::SocketAddr,
}

async fn sipp_busy(dir: &Path) -> Sipp {
    let file = dir.join("busy.xml");
    std::fs::write(&file, BUSY_UAS).unwrap();
    let port = seatline_testpeers::ports::free_block(2).unwrap();
    let child = tokio::process::Command::new("sipp")
        .arg("-sf")
        .arg(&file)
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-m",
            "1",
            "-nostdin",
        ])
        .args(["-timeout", "30s"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("sipp (apt install sip-tester)");
    tokio::time::sleep(Duration::from_millis(300)).await;
    Sipp {
        child,
        addr: ([127, 0, 0, 1], port).into(),
    }
}

/// R13: the customer's line is busy: the call ends `busy` and the agent's phone, which
/// had answered, is hung up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callback_customer_busy_hangs_up_the_agent() {
    let dir = tempfile::tempdir().unwrap();
    let agent_phone = phone(AGENT_PHONE, 440, AnswerMode::Auto, dir.path()).await;
    let mut busy = sipp_busy(dir.path()).await;
    let lab = lab(
        &[route(AGENT_PHONE, &agent_phone), format!("={}", busy.addr)],
        &[],
    )
    .await;
    let (token, mut dev) = lab.login("1001", "pc").await;
    let call_id = lab.place(&token, "callback", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    agent_phone
        .wait_for(EventKind::CallEstablished, SECS(5))
        .await
        .unwrap();
    let (outcome, by) = dev.ended(&call_id, SECS(10)).await;
    assert_eq!((outcome, by), (CallOutcome::Busy, Some(Party::Customer)));
    agent_phone
        .wait_for(EventKind::CallClosed, SECS(5))
        .await
        .unwrap();
    assert_eq!(lab.record(&token, &call_id).await["outcome"], "busy");
    let status = tokio::time::timeout(SECS(10), busy.child.wait()).await;
    assert!(
        matches!(status, Ok(Ok(s)) if s.success()),
        "sipp saw its scenario through: {status:?}"
    );
}

/// VoIP to a busy line: the agent's device hears `busy`, the record says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voip_customer_busy() {
    let dir = tempfile::tempdir().unwrap();
    let busy = sipp_busy(dir.path()).await;
    let lab = lab(&[format!("={}", busy.addr)], &[]).await;
    let (token, mut dev) = lab.login("1001", "pc").await;
    let call_id = lab.place(&token, "voip", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    let agent = offer(&mut dev, &call_id).await;
    let (outcome, by) = dev.ended(&call_id, SECS(10)).await;
    assert_eq!((outcome, by), (CallOutcome::Busy, Some(Party::Customer)));
    // The device closes its leg when it hears the end.
    agent.handle.close().await;
    assert_eq!(lab.record(&token, &call_id).await["outcome"], "busy");
}

// ------------------------------------------------------------------ refusals

/// R9 phone fault, R3 no bound number (mobile; callback from any device), one call at a
/// time, native calls are not placed here, another agent cannot touch the call, and
/// hanging up before the offer ends it `no_answer`. Refusals write no record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_and_early_ends() {
    // The route points at a port nobody answers: these calls never reach it.
    let dead = seatline_testpeers::ports::free_port().unwrap();
    let lab = lab(&[format!("=127.0.0.1:{dead}")], &[]).await;
    let api = lab.api();
    let admin = api.admin_login("demo", "admin", "admin123").await;

    // R3: a mobile device without a bound number.
    let (mobile_1003, _dev3) = lab.login("1003", "mobile").await;
    lab.place(&mobile_1003, "voip", CUSTOMER)
        .await
        .expect_error(403, "no_bound_number");
    // Callback needs the bound number from a PC too.
    let (pc_1003, _dev3pc) = lab.login("1003", "pc").await;
    lab.place(&pc_1003, "callback", CUSTOMER)
        .await
        .expect_error(403, "no_bound_number");
    lab.place(&pc_1003, "native", CUSTOMER)
        .await
        .expect_error(400, "bad_request");
    lab.place(&pc_1003, "voip", "12ab")
        .await
        .expect_error(400, "bad_request");

    // One call at a time; the first waits for its offer.
    let (token, mut dev) = lab.login("1001", "pc").await;
    let first = lab.place(&token, "voip", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    lab.place(&token, "voip", CUSTOMER)
        .await
        .expect_error(409, "call_in_progress");
    lab.place(&token, "callback", CUSTOMER)
        .await
        .expect_error(409, "call_in_progress");
    // Another agent's token cannot touch it.
    let r = api
        .post(
            &format!("/api/v1/calls/{first}/hangup"),
            &pc_1003,
            json!({}),
        )
        .await;
    r.expect_error(409, "call_not_active");
    let r = api
        .post("/api/v1/calls/not-a-call/hangup", &token, json!({}))
        .await;
    r.expect_error(400, "bad_request");
    let r = api
        .post(&format!("/api/v1/calls/{first}/hangup"), &token, json!({}))
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let (outcome, by) = dev.ended(&first, SECS(5)).await;
    assert_eq!((outcome, by), (CallOutcome::NoAnswer, Some(Party::Agent)));
    assert_eq!(lab.record(&token, &first).await["outcome"], "no_answer");

    // R9: the enterprise's phone fault.
    api.put(
        "/api/v1/admin/phone-fault",
        &admin,
        json!({ "active": true }),
    )
    .await
    .expect(204);
    lab.place(&token, "voip", CUSTOMER)
        .await
        .expect_error(503, "phone_fault");
    api.put(
        "/api/v1/admin/phone-fault",
        &admin,
        json!({ "active": false }),
    )
    .await
    .expect(204);
    // No record was written for the refusals.
    let page = api.get("/api/v1/records", &token).await.expect(200);
    assert_eq!(page["records"].as_array().unwrap().len(), 1, "{page}");
    let page = api.get("/api/v1/records", &pc_1003).await.expect(200);
    assert_eq!(page["records"].as_array().unwrap().len(), 0, "{page}");
}

/// Without any trunk route the calls API answers `no_route` and writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_trunk_route_is_no_route() {
    let lab = lab(&[], &[]).await;
    let (token, _dev) = lab.login("1001", "pc").await;
    for method in ["voip", "callback"] {
        lab.place(&token, method, CUSTOMER)
            .await
            .expect_error(503, "no_route");
    }
    let page = lab.api().get("/api/v1/records", &token).await.expect(200);
    assert_eq!(page["records"].as_array().unwrap().len(), 0, "{page}");
}

/// A network change mid-call: the device restarts ICE from a new socket and offers again
/// on its socket; the gateway answers on the same leg, the customer's trunk leg stays up,
/// and the audio flows again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voip_ice_restart_keeps_the_customer_leg() {
    let dir = tempfile::tempdir().unwrap();
    let customer = phone(CUSTOMER, CUSTOMER_TONE, AnswerMode::Auto, dir.path()).await;
    let lab = lab(&[route("", &customer)], &[]).await;
    let (token, mut dev) = lab.login("1001", "pc").await;
    let call_id = lab.place(&token, "voip", CUSTOMER).await.expect(200)["call_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut agent = offer(&mut dev, &call_id).await;
    dev.phase(&call_id, SECS(10), |p| *p == CallPhase::Connected)
        .await;
    let before = agent.talk(SECS(1), AGENT_TONE).await;
    assert!(before.len() >= 4000, "audio before the restart");

    // The "new network": a new socket, a new ICE offer through the device's socket.
    let socket = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let sdp = agent.handle.restart_ice(Some(socket)).await.unwrap();
    dev.send(&DeviceFrame::CallSignal {
        call_id: call_id.clone(),
        signal: Signal::Offer { sdp },
    });
    let answer = match dev
        .wait(SECS(5), |e| {
            matches!(
                e,
                Event::CallSignal {
                    signal: Signal::Answer { .. },
                    ..
                }
            )
        })
        .await
    {
        Event::CallSignal {
            signal: Signal::Answer { sdp },
            ..
        } => sdp,
        _ => unreachable!(),
    };
    agent.handle.accept_answer(answer).await.unwrap();
    let after = agent.talk(SECS(3), AGENT_TONE).await;
    let tail = to_f64(&after[after.len().min(8000)..]);
    assert!(
        tail.len() >= 8000,
        "audio after the restart: {} samples",
        after.len()
    );
    let f = dominant(&tail, 8000.0);
    assert!(
        (f - f64::from(CUSTOMER_TONE)).abs() <= 20.0,
        "after the restart the agent heard {f} Hz"
    );
    assert!(
        customer
            .events()
            .iter()
            .all(|e| e.kind != EventKind::CallClosed),
        "the customer's leg stayed up"
    );
    assert!(!dev
        .phases
        .iter()
        .any(|p| matches!(p, CallPhase::Ended { .. })));
    let r = lab
        .api()
        .post(
            &format!("/api/v1/calls/{call_id}/hangup"),
            &token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(dev.ended(&call_id, SECS(5)).await.0, CallOutcome::Answered);
}
