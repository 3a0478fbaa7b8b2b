//! Call records (R38) and native calls (R12) on the device.
//!
//! - [`SeatlineClient::records`], [`SeatlineClient::records_for_number`],
//!   [`SeatlineClient::delete_record`]: the agent's records as the platform keeps them
//!   (it writes them for VoIP and callback calls, and enforces the delete permission). The
//!   platform announces every change with `Event::RecordsChanged`, which the client passes
//!   on as `ClientEvent::RecordsChanged`: the shells read the list again then.
//! - [`SeatlineClient::start_native_call`]: a call over the phone's own line through the
//!   OS dialer, a [`NativeDialer`] the shell hands to the client at construction (Android
//!   `TelecomManager.placeCall` / `ACTION_CALL`, iOS a `tel:` URL; a PC has none). The
//!   call passes the dial gate first (R2, R3, R9, R11), is written to the core's database
//!   before the dialer runs (invariant 3), and is uploaded at once; uploads that fail are
//!   retried whenever the event socket comes up again. [`SeatlineClient::native_call_ended`]
//!   adds the end the shell learns from the OS.

mod store;
mod texts;
mod upload;

pub use store::PendingNativeCall;
pub use texts::{direction_text, method_text, outcome_text, OutcomeText};

use crate::client::SeatlineClient;
use crate::error::CoreError;
use crate::session::DialRefusal;
use seatline_proto::{paths, ErrorCode, PhoneNumber, RecordPage, RecordQuery};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

/// The phone's own dialer (R12), implemented by the shell. `dial` asks the OS to place the
/// call to `number` (digits, maybe a leading `+`) and returns once it has been handed
/// over; `Err` says why the OS refused (no permission, no SIM, ...).
pub trait NativeDialer: Send + Sync {
    fn dial(&self, number: String) -> Result<(), String>;
}

/// Page size of [`SeatlineClient::records_for_number`], and how many pages it reads at
/// most (R38: every call with the number; a thousand is far more than a screen shows).
const NUMBER_PAGE: u32 = 200;
const NUMBER_PAGES: usize = 5;

/// The native-call side of a client: the dialer and the upload gate.
pub(crate) struct NativeCalls {
    dialer: Option<Arc<dyn NativeDialer>>,
    /// One upload pass at a time; a pass reads the pending rows after taking it.
    uploading: tokio::sync::Mutex<()>,
    /// A pass is waiting for `uploading`: further requests are covered by it.
    queued: AtomicBool,
    /// Retries after every reconnect (an internal listener of the client's events).
    pub(crate) reconnect: OnceLock<crate::client::Subscription>,
}

impl NativeCalls {
    pub(crate) fn new(dialer: Option<Arc<dyn NativeDialer>>) -> Self {
        NativeCalls {
            dialer,
            uploading: tokio::sync::Mutex::new(()),
            queued: AtomicBool::new(false),
            reconnect: OnceLock::new(),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A fresh `client_ref`: the time and 64 random bits, in `[0-9a-f-]`.
fn new_client_ref() -> String {
    format!("n{:x}-{:016x}", now_ms(), rand::random::<u64>())
}

impl SeatlineClient {
    /// R38: the agent's call records, newest first, a page at a time (`before` is the
    /// last page's `next_before`). Each record carries the library's name for its number
    /// (R16), looked up by the platform.
    pub async fn records(&self, query: RecordQuery) -> Result<RecordPage, CoreError> {
        let inner = self.inner.clone();
        self.session_call(async move { inner.platform.get_query(paths::RECORDS, &query).await })
            .await
    }

    /// R38: every call with `number` (what opening a record shows), newest first.
    pub async fn records_for_number(&self, number: &str) -> Result<RecordPage, CoreError> {
        let number = PhoneNumber::parse(number)?;
        let mut all = Vec::new();
        let mut before = None;
        for _ in 0..NUMBER_PAGES {
            let page = self
                .records(RecordQuery {
                    number: Some(number.clone()),
                    before,
                    limit: Some(NUMBER_PAGE),
                })
                .await?;
            all.extend(page.records);
            before = page.next_before;
            if before.is_none() {
                break;
            }
        }
        Ok(RecordPage {
            records: all,
            next_before: before,
        })
    }

    /// R38: deletes one of the agent's records, if the administrator allows it (the
    /// platform decides: `Rejected` with `Forbidden` otherwise).
    pub async fn delete_record(&self, id: i64) -> Result<(), CoreError> {
        let inner = self.inner.clone();
        self.session_call(async move { inner.platform.delete(&paths::record(id)).await })
            .await
    }

    /// R12: places a native call to the number on the dial pad through the phone's own
    /// dialer; returns the call's `client_ref` for [`Self::native_call_ended`].
    ///
    /// Refused like every call by the dial gate (R2, R3, R9, R11), and with
    /// `DialRefusal::NativeUnavailable` on a PC or without a dialer; `DialerFailed` when
    /// the OS refused to place it (then nothing is recorded).
    pub fn start_native_call(&self, dialpad_number: &str) -> Result<String, CoreError> {
        let dialer = match (&self.inner.native.dialer, self.device_kind()) {
            (Some(d), seatline_proto::DeviceKind::Mobile) => d.clone(),
            _ => return Err(DialRefusal::NativeUnavailable.into()),
        };
        let number = self.check_dial(dialpad_number)?;
        let agent_id = self
            .status()
            .ok_or(CoreError::NotLoggedIn)?
            .profile
            .agent_id;
        let client_ref = new_client_ref();
        // Durable before the dialer runs: a placed call always has its record.
        store::insert(&self.inner.db, agent_id, &client_ref, &number, now_ms())?;
        if let Err(why) = dialer.dial(number.to_string()) {
            tracing::info!("the phone's dialer did not place a native call");
            tracing::debug!(%why, "dialer refusal");
            store::remove(&self.inner.db, &client_ref)?;
            return Err(DialRefusal::DialerFailed.into());
        }
        tracing::info!("native call placed");
        upload::request(&self.inner);
        Ok(client_ref)
    }

    /// R12: the shell learnt from the OS that a native call ended at `ended_at_ms` (Unix
    /// milliseconds). The first end counts; an unknown `client_ref` is `NotFound`.
    pub fn native_call_ended(&self, client_ref: &str, ended_at_ms: i64) -> Result<(), CoreError> {
        if !store::set_ended(&self.inner.db, client_ref, ended_at_ms)? {
            return Err(CoreError::Rejected(seatline_proto::ApiError::new(
                ErrorCode::NotFound,
                "no native call with that client_ref is waiting for its end",
            )));
        }
        upload::request(&self.inner);
        Ok(())
    }

    /// Uploads the native calls still waiting for the platform now (the core also does
    /// it by itself after every reconnect); returns how many are left waiting.
    pub async fn upload_native_calls(&self) -> Result<usize, CoreError> {
        let inner = self.inner.clone();
        self.run(async move { upload::pass(&inner).await }).await?;
        self.pending_native_calls()
    }

    /// How many native calls (of any agent of this device) wait for the platform.
    pub fn pending_native_calls(&self) -> Result<usize, CoreError> {
        Ok(store::pending_count(&self.inner.db)?)
    }

    /// A platform call of the logged-in session: `NotLoggedIn` without one, and a
    /// session the platform no longer knows ends here too.
    async fn session_call<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = Result<T, crate::platform::RemoteError>> + Send + 'static,
    ) -> Result<T, CoreError> {
        if self.inner.platform.token().is_none() {
            return Err(CoreError::NotLoggedIn);
        }
        match self.run(fut).await {
            Ok(v) => Ok(v),
            Err(crate::platform::RemoteError::Rejected(e)) if e.code == ErrorCode::Unauthorized => {
                self.inner.end_session();
                Err(CoreError::NotLoggedIn)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// After construction: retry the uploads whenever the event socket comes up (a login, a
/// reconnect after the network or the platform was away).
pub(crate) fn start(inner: &Arc<crate::client::Inner>) {
    struct OnConnect(std::sync::Weak<crate::client::Inner>);
    impl crate::client::ClientListener for OnConnect {
        fn on_event(&self, event: crate::client::ClientEvent) {
            if let crate::client::ClientEvent::Connection { up: true } = event {
                if let Some(inner) = self.0.upgrade() {
                    upload::request(&inner);
                }
            }
        }
    }
    let sub = inner
        .listeners
        .add(Arc::new(OnConnect(Arc::downgrade(inner))));
    // Set once, right after construction.
    let _ = inner.native.reconnect.set(sub);
}

impl NativeCalls {
    fn take_queue(&self) -> bool {
        self.queued.swap(true, Ordering::AcqRel)
    }
    fn clear_queue(&self) {
        self.queued.store(false, Ordering::Release);
    }
}
