//! The SIP trunk against real peers on loopback: baresip (a customer's phone) and SIPp
//! (carrier behaviours), plus raw UDP for malformed input. Every wait is bounded.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use seatline_media::{AudioFrame, SampleRate};
use seatline_platform::trunk::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};
use tokio::time::{timeout, Instant};

const LOCAL: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const MAIN_NUMBER: &str = "+861085550100";
const CUSTOMER: &str = "+8613800138000";

/// Port blocks per test: distinct for each trunk and peer of this process.
fn port_block(len: u16) -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 33_000 + (std::process::id() % 40) as u16 * 600;
    base + NEXT.fetch_add(len, Ordering::SeqCst)
}

fn free_port() -> u16 {
    for _ in 0..50 {
        let Ok(u) = std::net::UdpSocket::bind((LOCAL, 0)) else {
            continue;
        };
        let Ok(addr) = u.local_addr() else { continue };
        if std::net::TcpListener::bind((LOCAL, addr.port())).is_ok()
            && std::net::TcpListener::bind((LOCAL, addr.port() + 1)).is_ok()
            && std::net::TcpListener::bind((LOCAL, addr.port() + 2)).is_ok()
        {
            return addr.port();
        }
    }
    panic!("no free port");
}

fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

fn config(routes: Vec<CarrierRoute>) -> TrunkConfig {
    init_tracing();
    let start = port_block(40);
    let mut cfg = TrunkConfig::new(SocketAddr::new(LOCAL, 0), LOCAL, start..start + 40);
    cfg.routes = routes;
    cfg.ring_timeout = Duration::from_secs(10);
    cfg.numbers = vec![MAIN_NUMBER.to_string()];
    cfg
}

fn route(addr: SocketAddr, auth: Option<DigestCredentials>) -> CarrierRoute {
    CarrierRoute {
        prefix: String::new(),
        address: addr,
        transport: Transport::Udp,
        auth,
    }
}

async fn next_event(call: &mut TrunkCall, within: Duration) -> TrunkEvent {
    match timeout(within, call.events.recv()).await {
        Ok(Some(e)) => e,
        Ok(None) => panic!("event channel closed"),
        Err(_) => panic!("no event within {within:?}"),
    }
}

/// Wait for an event matching `pred`, skipping others (Ringing, ...).
async fn wait_event(
    call: &mut TrunkCall,
    within: Duration,
    pred: impl Fn(&TrunkEvent) -> bool,
) -> TrunkEvent {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let e = next_event(call, left).await;
        if pred(&e) {
            return e;
        }
    }
}

fn goertzel(samples: &[f64], rate: f64, f: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f / rate;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0, 0.0);
    for x in samples {
        let s0 = x + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    s1 * s1 + s2 * s2 - c * s1 * s2
}

/// The strongest frequency among 100..3500 Hz in 20 Hz steps.
fn dominant(samples: &[f64], rate: f64) -> f64 {
    let mut best = (0.0, 0.0);
    let mut f = 100.0;
    while f < 3500.0 {
        let p = goertzel(samples, rate, f);
        if p > best.1 {
            best = (f, p);
        }
        f += 20.0;
    }
    best.0
}

fn rms(samples: &[f64]) -> f64 {
    (samples.iter().map(|x| x * x).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

// ---------------------------------------------------------------- baresip

struct Baresip {
    child: Child,
    dir: tempfile::TempDir,
    sip: SocketAddr,
    ctrl: SocketAddr,
}

impl Baresip {
    /// A phone that answers at once, plays a 1 kHz sine and records what it hears.
    async fn start(codec: &str) -> Baresip {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = free_port();
        let rtp = port_block(20);
        let rec = dir.path().join("rec.wav");
        let cfg = format!(
            "sip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\n\
             audio_player aufile,{}\naudio_source ausine,1000\naudio_alert aufile,/dev/null\n\
             ausrc_srate 48000\nausrc_channels 2\nmodule_path /usr/lib/baresip/modules\n\
             module g711.so\nmodule ausine.so\nmodule aufile.so\nmodule sndfile.so\nsnd_path {}\nmodule_app account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n\
             ctrl_tcp_listen 127.0.0.1:{}\nanswermode auto\nrtp_ports {rtp}-{}\n",
            rec.display(),
            dir.path().display(),
            port + 2,
            rtp + 19
        );
        std::fs::write(dir.path().join("config"), cfg).expect("config");
        std::fs::write(
            dir.path().join("accounts"),
            format!(
                "<sip:{CUSTOMER}@127.0.0.1:{port}>;regint=0;answermode=auto;audio_codecs={codec}\n"
            ),
        )
        .expect("accounts");
        std::fs::write(dir.path().join("contacts"), "").expect("contacts");
        let child = Command::new("baresip")
            .arg("-f")
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(dir.path().join("stdout.log")).expect("log"))
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("baresip (apt install baresip-core)");
        let ctrl = SocketAddr::new(LOCAL, port + 2);
        let b = Baresip {
            child,
            dir,
            sip: SocketAddr::new(LOCAL, port),
            ctrl,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(ctrl).await.is_err() {
            assert!(
                Instant::now() < deadline,
                "baresip did not start: {}",
                b.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        b
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stdout.log")).unwrap_or_default()
    }

    /// What baresip decoded from the network (sndfile's `dump-*-dec.wav`).
    fn recording(&self) -> PathBuf {
        std::fs::read_dir(self.dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with("-dec.wav"))
            .unwrap_or_else(|| panic!("no sndfile recording; baresip log:\n{}", self.log()))
    }

    /// A ctrl_tcp command (netstring-framed JSON).
    async fn command(&self, cmd: &str) {
        let mut s = tokio::net::TcpStream::connect(self.ctrl)
            .await
            .expect("ctrl");
        let json = format!(r#"{{"command":"{cmd}","params":"","token":"t1"}}"#);
        s.write_all(format!("{}:{},", json.len(), json).as_bytes())
            .await
            .expect("ctrl write");
        let mut buf = [0u8; 512];
        let _ = timeout(Duration::from_secs(2), s.read(&mut buf)).await;
    }

    async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = timeout(Duration::from_secs(3), self.child.wait()).await;
    }
}

fn read_wav(path: &Path) -> (f64, Vec<f64>) {
    let reader = hound::WavReader::open(path).expect("baresip recording");
    let spec = reader.spec();
    let ch = usize::from(spec.channels);
    let all: Vec<f64> = reader
        .into_samples::<i16>()
        .map_while(Result::ok)
        .map(f64::from)
        .collect();
    let mono: Vec<f64> = all.chunks(ch).map(|c| c[0]).collect();
    (f64::from(spec.sample_rate), mono)
}

/// Feed a 440 Hz tone for `dur`, collect what comes back, return the received samples.
async fn exchange_audio(call: &mut TrunkCall, dur: Duration) -> Vec<f64> {
    let mut phase = 0.0f64;
    let step = 2.0 * std::f64::consts::PI * 440.0 / 8000.0;
    let mut received = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    let end = Instant::now() + dur;
    while Instant::now() < end {
        tick.tick().await;
        let samples: Vec<i16> = (0..160)
            .map(|_| {
                phase += step;
                (phase.sin() * 8000.0) as i16
            })
            .collect();
        let frame = AudioFrame::new(SampleRate::Hz8000, samples).expect("frame");
        let _ = call.media.to_network.try_send(frame);
        while let Ok(f) = call.media.from_network.try_recv() {
            received.extend(f.samples.iter().map(|s| f64::from(*s)));
        }
    }
    received
}

async fn baresip_call(codec: &str, local_hangup: bool) {
    let phone = Baresip::start(codec).await;
    let trunk = Trunk::start(
        config(vec![route(phone.sip, None)]),
        Arc::new(RejectAllInbound),
    )
    .await
    .expect("trunk");
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let ev = wait_event(&mut call, Duration::from_secs(10), |e| {
        matches!(e, TrunkEvent::Answered | TrunkEvent::Failed(_))
    })
    .await;
    assert_eq!(ev, TrunkEvent::Answered, "baresip log:\n{}", phone.log());
    let received = exchange_audio(&mut call, Duration::from_millis(2500)).await;
    // Skip the first 300 ms (start-up) and look at the rest.
    let tail = &received[received.len().min(2400)..];
    assert!(
        tail.len() >= 8000,
        "received only {} samples",
        received.len()
    );
    let f = dominant(tail, 8000.0);
    assert!(
        (f - 1000.0).abs() <= 20.0,
        "dominant {f} Hz, rms {}",
        rms(tail)
    );
    if local_hangup {
        call.hangup().await;
        let ev = next_event(&mut call, Duration::from_secs(5)).await;
        assert_eq!(
            ev,
            TrunkEvent::Ended {
                by: Party::Local,
                reason: EndReason::Hangup
            }
        );
    } else {
        phone.command("hangup").await;
        let ev = wait_event(&mut call, Duration::from_secs(5), |e| {
            matches!(e, TrunkEvent::Ended { .. })
        })
        .await;
        assert_eq!(
            ev,
            TrunkEvent::Ended {
                by: Party::Remote,
                reason: EndReason::Hangup
            }
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rate, rec) = read_wav(&phone.recording());
    let skip = (rate * 0.5) as usize;
    let rec = &rec[rec.len().min(skip)..];
    assert!(
        rec.len() as f64 >= rate,
        "recording too short: {}",
        rec.len()
    );
    let f = dominant(rec, rate);
    assert!((f - 440.0).abs() <= 20.0, "baresip heard {f} Hz");
    trunk.shutdown().await;
    phone.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcmu_call_with_baresip_both_ways_local_hangup() {
    baresip_call("PCMU", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pcma_call_with_baresip_both_ways_remote_hangup() {
    baresip_call("PCMA", false).await;
}

// ---------------------------------------------------------------- SIPp

struct Sipp {
    child: Child,
    dir: tempfile::TempDir,
    addr: SocketAddr,
}

impl Sipp {
    /// A SIPp UAS running `platform/tests/sipp/<scenario>` for one call.
    async fn uas(scenario: &str, vars: &[(&str, &str)]) -> Sipp {
        let dir = tempfile::tempdir().expect("tempdir");
        // Scenario files carry @@name@@ placeholders where SIPp cannot take a variable
        // (status codes, regular expressions).
        let src = format!("{}/tests/sipp/{scenario}", env!("CARGO_MANIFEST_DIR"));
        let mut text = std::fs::read_to_string(&src).expect("scenario");
        for (k, v) in vars {
            text = text.replace(&format!("@@{k}@@"), v);
        }
        let path = dir.path().join(scenario);
        std::fs::write(&path, text).expect("scenario copy");
        let path = path.display().to_string();
        // A free port can be taken again before SIPp binds it (the suites run in
        // parallel): when SIPp exits at once, try another port, a bounded few times.
        for _attempt in 0..4 {
            let port = free_port();
            let mut cmd = Command::new("sipp");
            cmd.args(["-sf", &path, "-i", "127.0.0.1", "-p", &port.to_string()])
                .args(["-mp", &port_block(4).to_string()])
                .args(["-m", "1", "-timeout", "30s", "-timeout_error", "-nostdin"])
                .arg("-trace_msg")
                .arg("-message_file")
                .arg(dir.path().join("msg.log"))
                .arg("-trace_screen")
                .arg("-screen_file")
                .arg(dir.path().join("screen.log"))
                .arg("-trace_err")
                .arg("-error_file")
                .arg(dir.path().join("err.log"));
            let mut child = cmd
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("sipp (apt install sip-tester)");
            let addr = SocketAddr::new(LOCAL, port);
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if std::net::UdpSocket::bind(addr).is_err() {
                    return Sipp { child, dir, addr };
                }
                if child.try_wait().ok().flatten().is_some() || Instant::now() >= deadline {
                    let _ = child.kill().await;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        panic!("sipp did not start");
    }

    fn trace(&self) -> String {
        let msg = std::fs::read_to_string(self.dir.path().join("msg.log")).unwrap_or_default();
        let err = std::fs::read_to_string(self.dir.path().join("err.log")).unwrap_or_default();
        let screen =
            std::fs::read_to_string(self.dir.path().join("screen.log")).unwrap_or_default();
        format!("{msg}\n--- errors ---\n{err}\n--- screen ---\n{screen}")
    }

    /// Wait for SIPp to finish its call; `true` when the scenario succeeded.
    async fn finish(mut self, within: Duration) -> (bool, String) {
        let ok = match timeout(within, self.child.wait()).await {
            Ok(Ok(status)) => status.success(),
            _ => {
                let _ = self.child.start_kill();
                false
            }
        };
        (ok, self.trace())
    }
}

async fn trunk_to(sipp: &Sipp, auth: Option<DigestCredentials>) -> Trunk {
    Trunk::start(
        config(vec![route(sipp.addr, auth)]),
        Arc::new(RejectAllInbound),
    )
    .await
    .expect("trunk")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn digest_challenge_is_answered_and_verified_by_sipp() {
    let sipp = Sipp::uas("uas_auth.xml", &[]).await;
    let creds = DigestCredentials {
        username: "acme".into(),
        password: "s3cret".into(),
    };
    let trunk = trunk_to(&sipp, Some(creds)).await;
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let ev = wait_event(&mut call, Duration::from_secs(10), |e| {
        matches!(e, TrunkEvent::Answered | TrunkEvent::Failed(_))
    })
    .await;
    assert_eq!(ev, TrunkEvent::Answered, "{}", sipp.trace());
    call.hangup().await;
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    // The retry carries the credentials in a new transaction with a higher CSeq.
    assert!(trace.contains("CSeq: 2 INVITE"), "{trace}");
    trunk.shutdown().await;
}

async fn rejected_with(code: &str) -> TrunkEvent {
    let sipp = Sipp::uas("uas_reject.xml", &[("code", code)]).await;
    let trunk = trunk_to(&sipp, None).await;
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let ev = next_event(&mut call, Duration::from_secs(10)).await;
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    trunk.shutdown().await;
    ev
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_unavailable_and_rejected_map_to_call_failures() {
    assert_eq!(
        rejected_with("486").await,
        TrunkEvent::Failed(CallFailure::Busy)
    );
    assert_eq!(
        rejected_with("503").await,
        TrunkEvent::Failed(CallFailure::Unavailable)
    );
    assert_eq!(
        rejected_with("603").await,
        TrunkEvent::Failed(CallFailure::Rejected)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_answer_times_out_with_cancel() {
    let sipp = Sipp::uas("uas_ring_cancel.xml", &[]).await;
    let trunk = trunk_to(&sipp, None).await;
    let mut dial = Dial::new(MAIN_NUMBER, CUSTOMER);
    dial.ring_timeout = Some(Duration::from_millis(1500));
    let started = Instant::now();
    let mut call = trunk.dial(dial).await.expect("dial");
    assert_eq!(
        next_event(&mut call, Duration::from_secs(5)).await,
        TrunkEvent::Ringing { early_media: false }
    );
    assert_eq!(
        next_event(&mut call, Duration::from_secs(10)).await,
        TrunkEvent::Failed(CallFailure::NoAnswer)
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(5),
        "{took:?}"
    );
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    trunk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hangup_before_answer_sends_cancel() {
    let sipp = Sipp::uas("uas_ring_cancel.xml", &[]).await;
    let trunk = trunk_to(&sipp, None).await;
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    assert_eq!(
        next_event(&mut call, Duration::from_secs(5)).await,
        TrunkEvent::Ringing { early_media: false }
    );
    call.hangup().await;
    assert_eq!(
        next_event(&mut call, Duration::from_secs(10)).await,
        TrunkEvent::Ended {
            by: Party::Local,
            reason: EndReason::Cancelled
        }
    );
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    trunk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_timer_refreshes_at_half_the_interval() {
    // Session-Expires of 2 s (Min-SE lowered to 1 s for the test): the trunk, as
    // refresher, must re-INVITE about every second.
    let sipp = Sipp::uas("uas_answer.xml", &[("se", "2")]).await;
    let mut cfg = config(vec![route(sipp.addr, None)]);
    cfg.session_expires = Duration::from_secs(2);
    cfg.min_se = Duration::from_secs(1);
    let trunk = Trunk::start(cfg, Arc::new(RejectAllInbound))
        .await
        .expect("trunk");
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let ev = wait_event(&mut call, Duration::from_secs(10), |e| {
        matches!(e, TrunkEvent::Answered | TrunkEvent::Failed(_))
    })
    .await;
    assert_eq!(ev, TrunkEvent::Answered);
    // No event (the call stays up) for 3.5 s: about three refreshes.
    assert!(timeout(Duration::from_millis(3500), call.events.recv())
        .await
        .is_err());
    call.hangup().await;
    assert_eq!(
        next_event(&mut call, Duration::from_secs(5)).await,
        TrunkEvent::Ended {
            by: Party::Local,
            reason: EndReason::Hangup
        }
    );
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    let refreshes = trace
        .lines()
        .filter(|l| l.starts_with("INVITE sip:"))
        .count()
        .saturating_sub(1);
    assert!(
        (2..=5).contains(&refreshes),
        "{refreshes} refreshes:\n{trace}"
    );
    assert!(
        trace.contains("Session-Expires: 2;refresher=uac"),
        "{trace}"
    );
    trunk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_interval_too_small_is_retried_with_the_carriers_min_se() {
    let sipp = Sipp::uas("uas_422.xml", &[("minse", "1900")]).await;
    let trunk = trunk_to(&sipp, None).await;
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let ev = wait_event(&mut call, Duration::from_secs(10), |e| {
        matches!(e, TrunkEvent::Answered | TrunkEvent::Failed(_))
    })
    .await;
    assert_eq!(ev, TrunkEvent::Answered, "{}", sipp.trace());
    call.hangup().await;
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    trunk.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn far_end_hold_by_reinvite_keeps_the_call_up() {
    let sipp = Sipp::uas("uas_hold.xml", &[]).await;
    let trunk = trunk_to(&sipp, None).await;
    let mut call = trunk
        .dial(Dial::new(MAIN_NUMBER, CUSTOMER))
        .await
        .expect("dial");
    let mut seen = Vec::new();
    loop {
        let e = next_event(&mut call, Duration::from_secs(10)).await;
        let end = matches!(e, TrunkEvent::Ended { .. } | TrunkEvent::Failed(_));
        seen.push(e);
        if end {
            break;
        }
    }
    assert_eq!(
        seen,
        vec![
            TrunkEvent::Answered,
            TrunkEvent::RemoteHold(true),
            TrunkEvent::RemoteHold(false),
            TrunkEvent::Ended {
                by: Party::Remote,
                reason: EndReason::Hangup
            }
        ],
        "{}",
        sipp.trace()
    );
    let (ok, trace) = sipp.finish(Duration::from_secs(10)).await;
    assert!(ok, "sipp failed:\n{trace}");
    trunk.shutdown().await;
}

// ---------------------------------------------------------------- bad input

fn request(method: &str, ruri_user: &str, extra: &str, body: &str, port: u16) -> String {
    format!(
        "{method} sip:{ruri_user}@127.0.0.1 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK-{}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:probe@127.0.0.1>;tag=p1\r\n\
         To: <sip:{ruri_user}@127.0.0.1>\r\n\
         Call-ID: {}@127.0.0.1\r\n\
         CSeq: 1 {method}\r\n{extra}\
         Content-Length: {}\r\n\r\n{body}",
        rand_token(),
        rand_token(),
        body.len()
    )
}

fn rand_token() -> String {
    static N: AtomicU16 = AtomicU16::new(1);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Send one datagram and return the status code of the answer, if one comes.
async fn ask(sock: &tokio::net::UdpSocket, to: SocketAddr, msg: &[u8]) -> Option<u16> {
    sock.send_to(msg, to).await.expect("send");
    let mut buf = vec![0u8; 65_536];
    let deadline = Instant::now() + Duration::from_millis(1500);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let (n, _) = timeout(left, sock.recv_from(&mut buf)).await.ok()?.ok()?;
        let text = String::from_utf8_lossy(&buf[..n]);
        let code: Option<u16> = text
            .strip_prefix("SIP/2.0 ")
            .and_then(|r| r.get(..3))
            .and_then(|c| c.parse().ok());
        // Skip provisional answers (100 Trying to an INVITE).
        match code {
            Some(c) if c < 200 => continue,
            other => return other,
        }
    }
}

const GOOD_SDP: &str = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
                        m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_gets_typed_answers_and_the_trunk_keeps_serving() {
    let trunk = Trunk::start(config(vec![]), Arc::new(RejectAllInbound))
        .await
        .expect("trunk");
    let to = trunk.sip_addr();
    let sock = tokio::net::UdpSocket::bind((LOCAL, 0)).await.expect("udp");
    let port = sock.local_addr().expect("addr").port();

    // Garbage cannot be answered: dropped and counted.
    assert_eq!(ask(&sock, to, b"\x00\x01\x02garbage\r\n\r\n").await, None);
    assert_eq!(trunk.stats().malformed_dropped, 1);

    let options = request("OPTIONS", "trunk", "", "", port);
    let no_call_id: String = options
        .lines()
        .filter(|l| !l.starts_with("Call-ID"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    assert_eq!(ask(&sock, to, no_call_id.as_bytes()).await, Some(400));
    let mf0 = options.replace("Max-Forwards: 70", "Max-Forwards: 0");
    assert_eq!(ask(&sock, to, mf0.as_bytes()).await, Some(483));
    let unknown = request("FROBNICATE", "trunk", "", "", port);
    assert_eq!(ask(&sock, to, unknown.as_bytes()).await, Some(501));
    let big = request(
        "OPTIONS",
        "trunk",
        &format!("X-Pad: {}\r\n", "a".repeat(9000)),
        "",
        port,
    );
    assert_eq!(ask(&sock, to, big.as_bytes()).await, Some(513));
    let register = request("REGISTER", "trunk", "", "", port);
    assert_eq!(ask(&sock, to, register.as_bytes()).await, Some(405));
    let stray_bye = request("BYE", "trunk", "", "", port);
    assert_eq!(ask(&sock, to, stray_bye.as_bytes()).await, Some(481));

    // INVITEs: bad SDP, no common codec, unknown number, and a good one (480 for now).
    let ct = "Content-Type: application/sdp\r\n";
    let bad_sdp = request("INVITE", MAIN_NUMBER, ct, "this is not sdp", port);
    assert_eq!(ask(&sock, to, bad_sdp.as_bytes()).await, Some(488));
    let g729 = GOOD_SDP.replace(
        "RTP/AVP 0\r\na=rtpmap:0 PCMU/8000",
        "RTP/AVP 18\r\na=rtpmap:18 G729/8000",
    );
    let no_codec = request("INVITE", MAIN_NUMBER, ct, &g729, port);
    assert_eq!(ask(&sock, to, no_codec.as_bytes()).await, Some(488));
    let unknown_number = request("INVITE", "+15550000000", ct, GOOD_SDP, port);
    assert_eq!(ask(&sock, to, unknown_number.as_bytes()).await, Some(404));
    let inbound = request("INVITE", MAIN_NUMBER, ct, GOOD_SDP, port);
    assert_eq!(ask(&sock, to, inbound.as_bytes()).await, Some(480));

    // Oversize over TCP as well.
    let mut tcp = tokio::net::TcpStream::connect(to).await.expect("tcp");
    let big_tcp = big.replace("SIP/2.0/UDP", "SIP/2.0/TCP");
    tcp.write_all(big_tcp.as_bytes()).await.expect("tcp write");
    let mut buf = vec![0u8; 4096];
    let n = timeout(Duration::from_secs(2), tcp.read(&mut buf))
        .await
        .expect("tcp answer in time")
        .expect("tcp read");
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("SIP/2.0 513 "),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );

    // And the trunk still answers a keepalive.
    assert_eq!(ask(&sock, to, options.as_bytes()).await, Some(200));
    assert_eq!(trunk.stats().malformed_answered, 5);
    trunk.shutdown().await;
}
