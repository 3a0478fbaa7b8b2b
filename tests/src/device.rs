//! Core clients as the apps and the console hold them: one `SeatlineClient` per device,
//! each with its own data directory, and a listener that records every `ClientEvent`.

use crate::{err, Result, WAIT};
use seatline_core::{ClientConfig, ClientEvent, ClientListener, PhoneView, SeatlineClient};
use seatline_core::{CoreError, Subscription};
use seatline_proto::DeviceKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// Every event a client emitted, with when it arrived.
pub struct Recorder {
    log: Mutex<Vec<(Instant, ClientEvent)>>,
    tick: watch::Sender<usize>,
}

impl Recorder {
    pub fn new() -> Arc<Recorder> {
        Arc::new(Recorder {
            log: Mutex::new(Vec::new()),
            tick: watch::channel(0).0,
        })
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Vec<(Instant, ClientEvent)>> {
        self.log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many events so far: pass it to `wait_for` to look only at later ones.
    pub fn mark(&self) -> usize {
        self.log().len()
    }

    pub fn events(&self) -> Vec<ClientEvent> {
        self.log().iter().map(|(_, e)| e.clone()).collect()
    }

    pub fn events_since(&self, mark: usize) -> Vec<ClientEvent> {
        self.log()
            .iter()
            .skip(mark)
            .map(|(_, e)| e.clone())
            .collect()
    }

    /// The first event at or after `mark` that `pick` accepts, with its arrival time;
    /// waits for it at most `timeout`.
    pub async fn wait_for<T>(
        &self,
        mark: usize,
        timeout: Duration,
        what: &str,
        mut pick: impl FnMut(&ClientEvent) -> Option<T>,
    ) -> Result<(Instant, T)> {
        let mut rx = self.tick.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            let found = self
                .log()
                .iter()
                .skip(mark)
                .find_map(|(at, e)| pick(e).map(|t| (*at, t)));
            if let Some(found) = found {
                return Ok(found);
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => {
                    return Err(err(format!(
                        "no event {what} within {timeout:?}; events since mark: {:?}",
                        self.events_since(mark)
                    )))
                }
            }
        }
    }

    /// Waits for a `PhoneChanged` whose view satisfies `ok`; returns that view.
    pub async fn wait_view(
        &self,
        mark: usize,
        what: &str,
        ok: impl Fn(&PhoneView) -> bool,
    ) -> Result<(Instant, PhoneView)> {
        self.wait_for(mark, WAIT, what, |e| match e {
            ClientEvent::PhoneChanged(v) if ok(v) => Some(v.clone()),
            _ => None,
        })
        .await
    }

    /// Waits for the event socket to come up (again).
    pub async fn wait_connected(&self, mark: usize, timeout: Duration) -> Result<Instant> {
        self.wait_for(mark, timeout, "Connection { up: true }", |e| {
            matches!(e, ClientEvent::Connection { up: true }).then_some(())
        })
        .await
        .map(|(at, ())| at)
    }
}

impl ClientListener for Recorder {
    fn on_event(&self, event: ClientEvent) {
        self.log().push((Instant::now(), event));
        self.tick.send_modify(|n| *n += 1);
    }
}

/// One device: its core client, its recorded events and its data directory.
pub struct Device {
    pub client: SeatlineClient,
    pub events: Arc<Recorder>,
    _subscription: Subscription,
    data_dir: PathBuf,
    /// Set when the device made its own directory (removed on drop).
    _owned_dir: Option<tempfile::TempDir>,
}

impl Device {
    /// Every customer of the device's local library, page by page.
    pub fn all_local_customers(&self) -> Result<Vec<seatline_proto::Customer>> {
        let mut all = Vec::new();
        loop {
            let page = self.client.library().search("", 200, all.len() as u32)?;
            let n = page.len();
            all.extend(page);
            if n < 200 {
                return Ok(all);
            }
        }
    }

    /// A new device with a fresh data directory, on the current tokio runtime.
    pub fn new(platform_url: &str, kind: DeviceKind) -> Result<Device> {
        let dir = data_dir(kind)?;
        let path = dir.path().to_path_buf();
        let mut d = Device::open(platform_url, kind, &path)?;
        d._owned_dir = Some(dir);
        Ok(d)
    }

    /// A device on an existing data directory (an app started again, another login on
    /// the same phone). The directory must outlive the device.
    pub fn open(platform_url: &str, kind: DeviceKind, data_dir: &Path) -> Result<Device> {
        let config = ClientConfig {
            platform_url: platform_url.to_string(),
            data_dir: data_dir.to_path_buf(),
            device_kind: kind,
        };
        let client = SeatlineClient::new(config, tokio::runtime::Handle::try_current()?, None)?;
        let events = Recorder::new();
        let subscription = client.subscribe(events.clone());
        Ok(Device {
            client,
            events,
            _subscription: subscription,
            data_dir: data_dir.to_path_buf(),
            _owned_dir: None,
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn kind(&self) -> DeviceKind {
        self.client.device_kind()
    }

    pub fn view(&self) -> PhoneView {
        self.client.phone_view()
    }

    /// Logs in and waits for the event socket to be up. The view reflects the login's
    /// status snapshot at once; the socket's `Hello` (the same snapshot, fresher) follows.
    pub async fn login(&self, enterprise: &str, job: &str, password: &str) -> Result<()> {
        let mark = self.events.mark();
        self.client.login(enterprise, job, password).await?;
        self.events.wait_connected(mark, WAIT).await?;
        Ok(())
    }

    /// Logs in as demo agent `job` with its demo password (`<job>pass`).
    pub async fn login_demo(&self, job: &str) -> Result<()> {
        self.login("demo", job, &format!("{job}pass")).await
    }

    /// Waits for every background sync to settle: a sync that pushes nothing, pulls
    /// nothing and leaves nothing queued.
    pub async fn settle_library(&self) -> Result<()> {
        let deadline = Instant::now() + WAIT;
        loop {
            let r = self.client.sync_library().await?;
            if r.interrupted.is_none() && r.pending == 0 && r.pushed + r.pulled + r.merged == 0 {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(err(format!("library did not settle: last sync {r:?}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A data directory for devices that come and go on it (an app started again, another
/// agent on the same phone). Removed when dropped.
pub fn data_dir(kind: DeviceKind) -> Result<tempfile::TempDir> {
    Ok(tempfile::Builder::new()
        .prefix(&format!("seatline-e2e-{}-", kind.as_str()))
        .tempdir()?)
}

/// The dial refusal inside a core error, if that is what it is.
pub fn dial_refusal(e: &CoreError) -> Option<seatline_core::session::DialRefusal> {
    match e {
        CoreError::Dial(r) => Some(*r),
        _ => None,
    }
}
