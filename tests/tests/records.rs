//! Call records (R38) and native calls (R12) through real core clients and the real
//! platform: a phone places a native call through a test dialer (the OS dialer's stand-in),
//! the record is written locally before the dialer runs and reaches the platform at once,
//! or after the network comes back; the records list, a number's calls and deletion with
//! and without the administrator's permission.

use seatline_core::records::NativeDialer;
use seatline_core::session::DialRefusal;
use seatline_core::{ClientConfig, ClientEvent, CoreError, SeatlineClient, Subscription};
use seatline_e2e::{data_dir, demo, dial_refusal, eventually, Link, Platform, Recorder, WAIT};
use seatline_e2e::{Device, Result};
use seatline_proto::{CallMethod, DeviceKind, ErrorCode, RecordPage, RecordQuery};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const CUSTOMER: &str = "13700001111";

/// The OS dialer's stand-in: remembers what it was asked to dial and how many native
/// calls the core had written down by then; refuses while `refuse` is set.
#[derive(Default)]
struct TestDialer {
    dialled: Mutex<Vec<(String, usize)>>,
    refuse: Mutex<bool>,
    client: OnceLock<SeatlineClient>,
}

impl TestDialer {
    fn dialled(&self) -> Vec<(String, usize)> {
        self.dialled.lock().map(|d| d.clone()).unwrap_or_default()
    }
    fn set_refuse(&self, refuse: bool) {
        if let Ok(mut r) = self.refuse.lock() {
            *r = refuse;
        }
    }
}

impl NativeDialer for TestDialer {
    fn dial(&self, number: String) -> std::result::Result<(), String> {
        let written = self
            .client
            .get()
            .and_then(|c| c.pending_native_calls().ok())
            .unwrap_or(0);
        if let Ok(mut d) = self.dialled.lock() {
            d.push((number, written));
        }
        if self.refuse.lock().map(|r| *r).unwrap_or(false) {
            return Err("CALL_PHONE permission denied".into());
        }
        Ok(())
    }
}

/// A phone with the test dialer, on `url`.
struct Phone {
    client: SeatlineClient,
    events: Arc<Recorder>,
    dialer: Arc<TestDialer>,
    _sub: Subscription,
    _dir: tempfile::TempDir,
}

impl Phone {
    fn new(url: &str) -> Result<Phone> {
        let dir = data_dir(DeviceKind::Mobile)?;
        let config = ClientConfig {
            platform_url: url.to_string(),
            data_dir: dir.path().to_path_buf(),
            device_kind: DeviceKind::Mobile,
        };
        let dialer = Arc::new(TestDialer::default());
        let client = SeatlineClient::with_dialer(
            config,
            tokio::runtime::Handle::try_current()?,
            None,
            Some(dialer.clone()),
        )?;
        // The test dialer looks into the core while dialling (a test-only cycle).
        let _ = dialer.client.set(client.clone());
        let events = Recorder::new();
        let sub = client.subscribe(events.clone());
        Ok(Phone {
            client,
            events,
            dialer,
            _sub: sub,
            _dir: dir,
        })
    }

    async fn login(&self, job: &str) -> Result<()> {
        let mark = self.events.mark();
        self.client
            .login(demo::ENTERPRISE, job, &demo::password(job))
            .await?;
        self.events.wait_connected(mark, WAIT).await?;
        Ok(())
    }
}

async fn wait_records_changed(events: &Recorder, mark: usize) -> Result<()> {
    events
        .wait_for(mark, WAIT, "RecordsChanged", |e| {
            matches!(e, ClientEvent::RecordsChanged).then_some(())
        })
        .await?;
    Ok(())
}

async fn all(client: &SeatlineClient) -> Result<RecordPage> {
    Ok(client.records(RecordQuery::default()).await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r12_native_call_is_recorded_before_dialling_and_uploaded() -> Result<()> {
    let platform = Platform::start().await?;
    let phone = Phone::new(&platform.url())?;
    phone.login("1001").await?;
    let pc = Device::new(&platform.url(), DeviceKind::Pc)?;
    pc.login_demo("1001").await?;

    // R12: placed through the phone's dialer, written down before it ran.
    let mark = pc.events.mark();
    let client_ref = phone.client.start_native_call(CUSTOMER)?;
    assert_eq!(
        phone.dialer.dialled(),
        vec![(CUSTOMER.to_string(), 1)],
        "the dialer ran once, after the call was written down"
    );
    // Uploaded at once: every device of the agent hears of it (R38).
    wait_records_changed(&pc.events, mark).await?;
    let page = all(&pc.client).await?;
    assert_eq!(page.records.len(), 1);
    let r = &page.records[0];
    assert_eq!(r.method, CallMethod::Native);
    assert_eq!(r.device, DeviceKind::Mobile);
    assert_eq!(r.number.as_str(), CUSTOMER);
    assert_eq!(r.ended_at_ms, None);

    // The shell reports the end; it reaches the platform too.
    let ended_at = r.started_at_ms + 42_000;
    phone.client.native_call_ended(&client_ref, ended_at)?;
    let id = r.id;
    let done = eventually("the end uploaded", WAIT, || {
        let c = pc.client.clone();
        async move {
            let page = all(&c).await?;
            Ok(page
                .records
                .into_iter()
                .find(|r| r.id == id && r.ended_at_ms.is_some()))
        }
    })
    .await?;
    assert_eq!(done.ended_at_ms, Some(ended_at));
    assert_eq!(phone.client.pending_native_calls()?, 0);
    let unknown = phone.client.native_call_ended("no-such-call", ended_at);
    assert!(
        matches!(&unknown, Err(CoreError::Rejected(e)) if e.code == ErrorCode::NotFound),
        "{unknown:?}"
    );

    // R38: every call with that number, newest first; the list is the same from the phone.
    phone.client.start_native_call(CUSTOMER)?;
    let calls = eventually("the second call uploaded", WAIT, || {
        let c = phone.client.clone();
        async move {
            let page = c.records_for_number(CUSTOMER).await?;
            Ok((page.records.len() == 2).then_some(page))
        }
    })
    .await?;
    assert!(calls.records[0].id > calls.records[1].id, "newest first");
    assert!(phone
        .client
        .records_for_number("13700002222")
        .await?
        .records
        .is_empty());

    // The dialer refused (no permission): nothing is recorded.
    phone.dialer.set_refuse(true);
    let r = phone.client.start_native_call(CUSTOMER);
    assert_eq!(
        r.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::DialerFailed),
        "{r:?}"
    );
    assert_eq!(
        DialRefusal::DialerFailed.text_zh(),
        "本机拨号失败，请检查通话权限"
    );
    assert_eq!(phone.client.pending_native_calls()?, 0);
    phone.dialer.set_refuse(false);

    // R12: a PC has no native calls, even with a dialer.
    let r = pc.client.start_native_call(CUSTOMER);
    assert_eq!(
        r.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::NativeUnavailable),
        "{r:?}"
    );
    assert_eq!(all(&pc.client).await?.records.len(), 2);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r2_r3_r12_native_calls_pass_the_dial_gate() -> Result<()> {
    let platform = Platform::start().await?;
    let phone = Phone::new(&platform.url())?;
    // R2, R11: logged out.
    let r = phone.client.start_native_call(CUSTOMER);
    assert_eq!(
        r.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::NotLoggedIn)
    );
    // R3: agent 1003 has no bound number.
    phone.login("1003").await?;
    let r = phone.client.start_native_call(CUSTOMER);
    assert_eq!(
        r.as_ref().err().and_then(dial_refusal),
        Some(DialRefusal::NoBoundNumber)
    );
    // Bad input is refused as such (invariant 4).
    let r = phone.client.start_native_call("12");
    assert!(matches!(r, Err(CoreError::InvalidInput(_))), "{r:?}");
    assert!(phone.dialer.dialled().is_empty(), "the dialer never ran");
    assert_eq!(phone.client.pending_native_calls()?, 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r12_native_call_made_offline_is_uploaded_after_the_reconnect() -> Result<()> {
    let platform = Platform::start().await?;
    let link = Link::new(platform.addr()).await?;
    let phone = Phone::new(&link.url())?;
    phone.login("1001").await?;
    let rest = platform.rest();
    let (agent, _) = rest
        .login_agent(
            demo::ENTERPRISE,
            "1001",
            "1001pass",
            DeviceKind::Pc,
            "e2e-records",
        )
        .await?;

    // The network goes; the phone's own line still works (within the fault grace).
    link.cut();
    let client_ref = phone.client.start_native_call(CUSTOMER)?;
    phone
        .client
        .native_call_ended(&client_ref, seatline_e2e_now_ms() + 1)?;
    let mark = phone.events.mark();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(phone.client.pending_native_calls()?, 1, "kept for later");
    let seen: RecordPage = agent.get(seatline_proto::paths::RECORDS).await?;
    assert!(seen.records.is_empty(), "not on the platform yet");

    // Back: the reconnect uploads it, and only once however often it is retried.
    link.restore();
    phone
        .events
        .wait_connected(mark, Duration::from_secs(20))
        .await?;
    let page = eventually("uploaded after the reconnect", WAIT, || {
        let agent = agent.clone();
        async move {
            let page: RecordPage = agent.get(seatline_proto::paths::RECORDS).await?;
            Ok((!page.records.is_empty()).then_some(page))
        }
    })
    .await?;
    assert_eq!(page.records.len(), 1);
    assert!(page.records[0].ended_at_ms.is_some());
    assert_eq!(phone.client.upload_native_calls().await?, 0);
    let page: RecordPage = agent.get(seatline_proto::paths::RECORDS).await?;
    assert_eq!(page.records.len(), 1, "stored once");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r38_delete_needs_the_permission() -> Result<()> {
    let platform = Platform::start().await?;
    // 1001 may delete records (demo seed); 1002 may not.
    let allowed = Phone::new(&platform.url())?;
    allowed.login("1001").await?;
    let denied = Phone::new(&platform.url())?;
    denied.login("1002").await?;
    assert_eq!(
        allowed
            .client
            .status()
            .map(|s| s.profile.can_delete_records),
        Some(true)
    );
    allowed.client.start_native_call(CUSTOMER)?;
    denied.client.start_native_call(CUSTOMER)?;
    let mine = eventually("1001's record", WAIT, || {
        let c = allowed.client.clone();
        async move { Ok(all(&c).await?.records.pop()) }
    })
    .await?;
    let theirs = eventually("1002's record", WAIT, || {
        let c = denied.client.clone();
        async move { Ok(all(&c).await?.records.pop()) }
    })
    .await?;

    let mark = allowed.events.mark();
    allowed.client.delete_record(mine.id).await?;
    wait_records_changed(&allowed.events, mark).await?;
    assert!(all(&allowed.client).await?.records.is_empty());
    // Another agent's record is not found, exactly like a missing one.
    let r = allowed.client.delete_record(theirs.id).await;
    assert!(
        matches!(&r, Err(CoreError::Rejected(e)) if e.code == ErrorCode::NotFound),
        "{r:?}"
    );
    let r = denied.client.delete_record(theirs.id).await;
    assert!(
        matches!(&r, Err(CoreError::Rejected(e)) if e.code == ErrorCode::Forbidden),
        "{r:?}"
    );
    assert_eq!(all(&denied.client).await?.records.len(), 1);
    Ok(())
}

fn seatline_e2e_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
