//! The tokio shell around the pure machines: the one object every app and the console
//! hold. It owns the clock, the platform client, the event socket and the local database;
//! the machines decide, the shell carries their outputs out.
//!
//! Locking: `state` is a std mutex that is never held across an `.await`; listeners are
//! called with no lock held, so they may call back in.

mod call;
mod driver;
mod events;
mod remote;
mod saved;

pub use call::{CallView, VoiceState};
pub use events::{ClientEvent, ClientListener, PhoneView, Subscription};

use crate::answer::{AnswerContext, AnswerMachine, AnswerOutput, AnswerRefusal};
use crate::db::Db;
use crate::error::CoreError;
use crate::library::{Library, LibraryError, RemoteError};
use crate::platform::PlatformClient;
use crate::session::{SessionInput, SessionMachine, SessionOutput};
use crate::settings::{AudioDevices, Settings};
use events::Listeners;
use saved::SavedSession;
use seatline_proto::{
    paths, AgentStatus, CardText, Customer, CustomerPatch, DeviceId, DeviceKind, EnterpriseCode,
    ErrorCode, FieldChange, JobNumber, LoginRequest, LoginResponse, NewContact, NewCustomer,
    Password, PhoneNumber, SetAnswerRequest, SetAnswerResponse, SetReceptionRequest,
};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use tokio::runtime::Handle;
use tokio::sync::Notify;

/// How a device's core is set up.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The platform's origin, e.g. `https://cc.example.com`.
    pub platform_url: String,
    /// Where the core keeps its database (library mirror, outbox, settings, session).
    pub data_dir: PathBuf,
    pub device_kind: DeviceKind,
}

pub(crate) struct Machines {
    pub(crate) session: SessionMachine,
    pub(crate) answer: AnswerMachine,
    pub(crate) settings: Settings,
    pub(crate) call: crate::call::CallMachine,
}

pub(crate) struct Inner {
    /// For background tasks, which must not keep a dropped client alive.
    pub(crate) self_ref: std::sync::Weak<Inner>,
    pub(crate) config: ClientConfig,
    pub(crate) rt: Handle,
    pub(crate) db: Arc<Db>,
    pub(crate) library: Arc<Library>,
    pub(crate) platform: Arc<PlatformClient>,
    pub(crate) state: Mutex<Machines>,
    pub(crate) listeners: Arc<Listeners>,
    /// Wakes the driver to re-read the session machine's timeout.
    pub(crate) wake: Arc<Notify>,
    pub(crate) socket: Mutex<Option<tokio::task::JoinHandle<()>>>,
    pub(crate) sync: driver::SyncGate,
    /// The last view sent to listeners.
    pub(crate) last_view: Mutex<Option<PhoneView>>,
    pub(crate) audio: Option<Arc<dyn AudioDevices>>,
    /// The call machine's shell side: voice engine, socket sender, levels (`call.rs`).
    pub(crate) calls: call::CallShell,
    /// R12: the OS dialer and the native calls' uploads (`crate::records`).
    pub(crate) native: crate::records::NativeCalls,
}

/// The Seatline client core of one device.
#[derive(Clone)]
pub struct SeatlineClient {
    pub(crate) inner: Arc<Inner>,
}

impl SeatlineClient {
    /// Opens (or creates) the device's database and starts the background driver on `rt`.
    pub fn new(
        config: ClientConfig,
        rt: Handle,
        audio: Option<Arc<dyn AudioDevices>>,
    ) -> Result<Self, CoreError> {
        Self::with_dialer(config, rt, audio, None)
    }

    /// As [`Self::new`], with the phone's own dialer for native calls (R12; mobile only,
    /// see `crate::records`).
    pub fn with_dialer(
        config: ClientConfig,
        rt: Handle,
        audio: Option<Arc<dyn AudioDevices>>,
        dialer: Option<Arc<dyn crate::records::NativeDialer>>,
    ) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| CoreError::Storage(format!("data dir: {e}")))?;
        let db = Arc::new(Db::open(config.data_dir.join("seatline.db"))?);
        let library = Arc::new(Library::new(db.clone()));
        let platform = Arc::new(PlatformClient::new(&config.platform_url)?);
        let settings = saved::load_settings(&db)?;
        let mut answer = AnswerMachine::new(config.device_kind);
        answer.set_auto_answer(settings.auto_answer);
        let jitter = Box::new(rand::random::<f64>);
        let inner = Arc::new_cyclic(|self_ref| Inner {
            self_ref: self_ref.clone(),
            state: Mutex::new(Machines {
                session: SessionMachine::new(config.device_kind, jitter),
                answer,
                settings,
                call: crate::call::CallMachine::new(),
            }),
            config,
            rt,
            db,
            library,
            platform,
            listeners: Arc::new(Listeners::default()),
            wake: Arc::new(Notify::new()),
            socket: Mutex::new(None),
            sync: driver::SyncGate::default(),
            last_view: Mutex::new(None),
            audio,
            calls: call::CallShell::default(),
            native: crate::records::NativeCalls::new(dialer),
        });
        driver::spawn(&inner);
        crate::records::start(&inner);
        Ok(Self { inner })
    }

    pub fn device_kind(&self) -> DeviceKind {
        self.inner.config.device_kind
    }

    /// The local customer library (R15, R16, R40): searches work offline, edits queue.
    pub fn library(&self) -> &Arc<Library> {
        &self.inner.library
    }

    pub fn subscribe(&self, listener: Arc<dyn ClientListener>) -> Subscription {
        self.inner.listeners.add(listener)
    }

    pub fn phone_view(&self) -> PhoneView {
        self.inner.phone_view(Instant::now())
    }

    /// The platform's view of this agent, while online.
    pub fn status(&self) -> Option<AgentStatus> {
        self.inner.lock().session.status().cloned()
    }

    /// R1: log in with the job number and password the administrator assigned.
    pub async fn login(
        &self,
        enterprise: &str,
        job_number: &str,
        password: &str,
    ) -> Result<AgentStatus, CoreError> {
        let request = LoginRequest {
            enterprise: EnterpriseCode::parse(enterprise)?,
            job_number: JobNumber::parse(job_number)?,
            password: Password::parse(password)?,
            device_kind: self.inner.config.device_kind,
            device_id: self.device_id()?,
        };
        // A login while a session is live replaces it (another agent on this device, or
        // the re-login R9 asks for). Log that session out first, as `logout` does: the
        // session machine ignores a login while online, so it would otherwise keep showing
        // the old agent with the new token, and the old session would stay online on the
        // platform, holding its answer lease. (Found by tests/tests/session.rs.)
        if self.inner.lock().session.is_online() {
            if let Err(e) = self.logout().await {
                tracing::info!(error = %e, "previous session not logged out on the platform");
            }
        }
        let inner = self.inner.clone();
        self.inner.input(SessionInput::LoginStarted);
        let result: Result<LoginResponse, RemoteError> = self
            .run(async move { inner.platform.post(paths::LOGIN, &request).await })
            .await;
        match result {
            Ok(resp) => {
                let saved = SavedSession {
                    token: resp.token.clone(),
                    enterprise: resp.status.profile.enterprise.to_string(),
                    agent_id: resp.status.profile.agent_id,
                };
                let _turn = self.turn_for_reset(&saved.enterprise).await?;
                self.inner.start_session(saved, resp.status.clone())?;
                Ok(resp.status)
            }
            Err(e) => {
                self.inner.input(SessionInput::LoginFailed);
                Err(e.into())
            }
        }
    }

    /// Logs in again with the session saved by the last login (R8 auto-login). `Ok(None)`
    /// when there is no saved session or the platform no longer accepts it.
    pub async fn resume(&self) -> Result<Option<AgentStatus>, CoreError> {
        let Some(saved) = saved::load_session(&self.inner.db)? else {
            return Ok(None);
        };
        self.inner.platform.set_token(Some(saved.token.clone()));
        self.inner.input(SessionInput::LoginStarted);
        let inner = self.inner.clone();
        let result: Result<AgentStatus, RemoteError> = self
            .run(async move { inner.platform.get(paths::ME).await })
            .await;
        match result {
            Ok(status) => {
                let _turn = self.turn_for_reset(&saved.enterprise).await?;
                self.inner.start_session(saved, status.clone())?;
                Ok(Some(status))
            }
            Err(RemoteError::Rejected(e)) if e.code == ErrorCode::Unauthorized => {
                self.inner.input(SessionInput::LoginFailed);
                self.inner.platform.set_token(None);
                saved::clear_session(&self.inner.db)?;
                Ok(None)
            }
            Err(e) => {
                self.inner.input(SessionInput::LoginFailed);
                self.inner.platform.set_token(None);
                Err(e.into())
            }
        }
    }

    /// Logs out on the platform (releasing this device's answer lease) and locally. The
    /// local logout happens even when the platform cannot be reached.
    pub async fn logout(&self) -> Result<(), CoreError> {
        let inner = self.inner.clone();
        let remote = self
            .run(async move { inner.platform.post_empty(paths::LOGOUT).await })
            .await;
        self.inner.end_session();
        match remote {
            Ok(()) | Err(RemoteError::Rejected(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// R4, R5: switch this device's answering on (PC idle) or off (PC busy).
    pub async fn set_answering(&self, on: bool) -> Result<PhoneView, CoreError> {
        let ctx = self.inner.answer_context();
        let asked = self.inner.lock().answer.request(on, ctx);
        self.inner.pump();
        asked?;
        let inner = self.inner.clone();
        let result: Result<SetAnswerResponse, RemoteError> = self
            .run(async move {
                inner
                    .platform
                    .put(paths::ME_ANSWER, &SetAnswerRequest { on })
                    .await
            })
            .await;
        let outcome = match &result {
            Ok(resp) => Ok(resp.answer_holder),
            Err(RemoteError::Rejected(e)) => Err(match &e.code {
                ErrorCode::LeaseHeld { holder } => AnswerRefusal::HeldByOther(*holder),
                ErrorCode::NoBoundNumber => AnswerRefusal::NoBoundNumber,
                ErrorCode::AnswerLocked => AnswerRefusal::Locked,
                _ => AnswerRefusal::NotLoggedIn,
            }),
            Err(RemoteError::Unreachable(_)) => Err(AnswerRefusal::InProgress),
        };
        {
            let now = Instant::now();
            let mut m = self.inner.lock();
            let ctx = self.inner.answer_context_locked(&m);
            match (&result, outcome) {
                // An unreachable platform leaves the state as it was: settle without change.
                (Err(RemoteError::Unreachable(_)), _) => {
                    let holder = m.answer.holder();
                    m.answer.on_response(Ok(holder), ctx, now);
                }
                (_, outcome) => {
                    m.answer.on_response(outcome, ctx, now);
                    let holder = m.answer.holder();
                    m.session.update_status(|s| s.answer_holder = holder, now);
                }
            }
        }
        self.inner.pump();
        match result {
            Ok(_) => Ok(self.phone_view()),
            Err(RemoteError::Rejected(e)) => match e.code {
                ErrorCode::LeaseHeld { holder } => Err(AnswerRefusal::HeldByOther(holder).into()),
                ErrorCode::NoBoundNumber => Err(AnswerRefusal::NoBoundNumber.into()),
                ErrorCode::AnswerLocked => Err(AnswerRefusal::Locked.into()),
                ErrorCode::Unauthorized => {
                    self.inner.end_session();
                    Err(CoreError::NotLoggedIn)
                }
                _ => Err(CoreError::Rejected(e)),
            },
            Err(e) => Err(e.into()),
        }
    }

    /// R7: open or close chat reception; needs the online-service package.
    pub async fn set_reception(&self, open: bool) -> Result<PhoneView, CoreError> {
        let status = self.status().ok_or(CoreError::NotLoggedIn)?;
        if !status.profile.has_online_service {
            return Err(CoreError::Rejected(seatline_proto::ApiError::new(
                ErrorCode::PackageMissing {
                    package: "online_service".into(),
                },
                "chat reception needs the online-service package",
            )));
        }
        let inner = self.inner.clone();
        let _: serde_json::Value = self
            .run(async move {
                inner
                    .platform
                    .put(paths::ME_RECEPTION, &SetReceptionRequest { open })
                    .await
            })
            .await?;
        let now = Instant::now();
        self.inner
            .lock()
            .session
            .update_status(|s| s.reception_open = open, now);
        self.inner.pump();
        Ok(self.phone_view())
    }

    /// R2, R3, R9, R11: whether `number` may be dialled now, as the number to dial. Every
    /// calling method goes through this gate first.
    pub fn check_dial(&self, number: &str) -> Result<PhoneNumber, CoreError> {
        let number = PhoneNumber::parse(number)?;
        self.inner.lock().session.check_dial(Instant::now())?;
        Ok(number)
    }

    pub fn settings(&self) -> Settings {
        self.inner.lock().settings.clone()
    }

    /// R6, R8: saves the settings; auto-answer applies from the next offered call.
    pub fn set_settings(&self, settings: Settings) -> Result<(), CoreError> {
        settings.validate()?;
        saved::save_settings(&self.inner.db, &settings)?;
        let mut m = self.inner.lock();
        m.answer.set_auto_answer(settings.auto_answer);
        m.settings = settings;
        Ok(())
    }

    /// R15: adds a customer to the library. It is searchable at once (offline too) and
    /// reaches the platform in the background.
    pub fn add_customer(&self, new: NewCustomer) -> Result<Customer, CoreError> {
        let c = self.inner.library.add_customer(new)?;
        driver::request_sync(&self.inner);
        Ok(c)
    }

    /// R15: adds one of the five kinds of contact method to a customer card.
    pub fn add_contact(&self, id: i64, contact: NewContact) -> Result<Customer, CoreError> {
        let c = self.inner.library.add_contact(id, contact)?;
        driver::request_sync(&self.inner);
        Ok(c)
    }

    /// Edits card fields against what this device shows now: each `Some` sets its field
    /// (an empty text clears it). The platform applies each field only if nobody changed
    /// it meanwhile (ADR 0004). The mobile number is not editable (R15).
    pub fn edit_card(
        &self,
        id: i64,
        name: Option<String>,
        company: Option<String>,
        title: Option<String>,
    ) -> Result<Customer, CoreError> {
        let current = self.inner.library.get(id)?.ok_or(LibraryError::NotFound)?;
        let patch = CustomerPatch {
            name: field_change(&current.name, name)?,
            company: field_change(&current.company, company)?,
            title: field_change(&current.title, title)?,
            owner_agent_id: None,
        };
        self.apply_patch(current, patch)
    }

    /// R15, R40: take a customer as mine, or give it back to the public pool (公海).
    pub fn set_owned_by_me(&self, id: i64, mine: bool) -> Result<Customer, CoreError> {
        let me = self
            .status()
            .ok_or(CoreError::NotLoggedIn)?
            .profile
            .agent_id;
        let current = self.inner.library.get(id)?.ok_or(LibraryError::NotFound)?;
        let to = mine.then_some(me);
        let patch = CustomerPatch {
            owner_agent_id: (current.owner_agent_id != to).then_some(FieldChange {
                from: current.owner_agent_id,
                to,
            }),
            ..CustomerPatch::default()
        };
        self.apply_patch(current, patch)
    }

    fn apply_patch(&self, current: Customer, patch: CustomerPatch) -> Result<Customer, CoreError> {
        if patch.is_empty() {
            return Ok(current);
        }
        let c = self.inner.library.edit_customer(current.id, patch)?;
        driver::request_sync(&self.inner);
        Ok(c)
    }

    /// Pushes queued library edits and pulls the platform's changes now.
    pub async fn sync_library(&self) -> Result<crate::library::SyncReport, CoreError> {
        let inner = self.inner.clone();
        self.run(async move { driver::sync_now(&inner).await })
            .await
    }

    /// When a session of `enterprise` will reset the library (it held another
    /// enterprise's customers), waits for a running sync of the previous session to
    /// finish and holds off new ones until the guard drops: otherwise that sync's answer
    /// could land after the reset and put the old enterprise's customers (and its cursor)
    /// into the new one's library. (Found by tests/tests/session.rs.)
    async fn turn_for_reset(
        &self,
        enterprise: &str,
    ) -> Result<Option<tokio::sync::MutexGuard<'_, ()>>, CoreError> {
        let previous = saved::load_identity(&self.inner.db)?;
        Ok(if previous.as_deref() == Some(enterprise) {
            None
        } else {
            Some(driver::sync_turn(&self.inner).await)
        })
    }

    fn device_id(&self) -> Result<DeviceId, CoreError> {
        saved::device_id(&self.inner.db)
    }

    /// Runs `fut` on the core's runtime: reqwest and the socket need tokio, and the
    /// caller (a Kotlin coroutine, a Swift task) may not be on it.
    pub(crate) async fn run<T: Send + 'static>(
        &self,
        fut: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        match self.inner.rt.spawn(fut).await {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }
}

/// One field of a card edit: `None` leaves it, an empty text clears it.
fn field_change(
    from: &Option<CardText>,
    to: Option<String>,
) -> Result<Option<FieldChange<Option<CardText>>>, CoreError> {
    let Some(to) = to else { return Ok(None) };
    let to = if to.trim().is_empty() {
        None
    } else {
        Some(CardText::parse(&to)?)
    };
    Ok((to != *from).then(|| FieldChange {
        from: from.clone(),
        to,
    }))
}

impl Drop for Inner {
    /// The last client handle is gone: stop the socket and let the timer task see it.
    fn drop(&mut self) {
        driver::close_socket(self);
        self.wake.notify_one();
    }
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, Machines> {
        // A panic while holding the lock leaves plain data behind; keep going with it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn microphone_available(&self) -> bool {
        // Without an audio layer (tests, headless tools) assume a microphone: the prompt
        // is for agents, not for scripts.
        self.audio
            .as_ref()
            .is_none_or(|a| !a.microphones().is_empty())
    }

    fn answer_context(&self) -> AnswerContext {
        let m = self.lock();
        self.answer_context_locked(&m)
    }

    fn answer_context_locked(&self, m: &Machines) -> AnswerContext {
        let status = m.session.status();
        AnswerContext {
            online: status.is_some(),
            has_bound_number: status.is_some_and(|s| s.profile.bound_number.is_some()),
            microphone_available: self.microphone_available(),
        }
    }

    pub(crate) fn phone_view(&self, now: Instant) -> PhoneView {
        let m = self.lock();
        let status = m.session.status();
        PhoneView {
            phone: m.session.phone_state(now),
            answer: m.answer.state(),
            answer_pending: m.answer.pending().is_some(),
            reception_open: status.is_some_and(|s| s.reception_open),
            devices_online: status.map(|s| s.devices_online.clone()).unwrap_or_default(),
            answer_holder: m.answer.holder(),
        }
    }

    pub(crate) fn input(&self, input: SessionInput) {
        self.lock().session.handle_input(input, Instant::now());
        self.pump();
    }

    fn start_session(&self, saved: SavedSession, status: AgentStatus) -> Result<(), CoreError> {
        // A device shared by two enterprises must not show one the other's customers: a
        // different enterprise starts from an empty library. Agents of one enterprise share
        // its library, so they share the mirror (and its queued edits) too.
        let previous = saved::load_identity(&self.db)?;
        if previous.as_deref() != Some(saved.enterprise.as_str()) {
            self.library.reset()?;
            saved::save_identity(&self.db, &saved.enterprise)?;
        }
        self.library.set_current_agent(Some(saved.agent_id))?;
        self.platform.set_token(Some(saved.token.clone()));
        saved::save_session(&self.db, &saved)?;
        let now = Instant::now();
        let ctx = {
            let mut m = self.lock();
            m.session
                .handle_input(SessionInput::LoggedIn(Box::new(status)), now);
            self.answer_context_locked(&m)
        };
        self.lock().answer.on_login(ctx, now);
        self.pump();
        driver::request_sync(self);
        Ok(())
    }

    pub(crate) fn end_session(&self) {
        self.platform.set_token(None);
        if let Err(e) = saved::clear_session(&self.db) {
            tracing::warn!(error = %e, "could not clear the saved session");
        }
        {
            let mut m = self.lock();
            m.session
                .handle_input(SessionInput::LoggedOut, Instant::now());
            m.answer.on_logout();
        }
        self.pump();
        self.call_session_lost();
    }

    /// Carries out the machines' outputs, then wakes the driver: an input may have moved
    /// the session machine's next timeout.
    pub(crate) fn pump(&self) {
        self.carry_out();
        self.wake.notify_one();
    }

    /// Drains both machines' outputs and carries them out, with no lock held while
    /// listeners run or tasks start. The driver calls this directly: waking itself would
    /// spin it forever.
    /// Call events from the socket. The call machinery (issue 4) takes them from here.
    fn on_call_event(&self, event: seatline_proto::Event) {
        if let seatline_proto::Event::RecordsChanged = event {
            // R38: the shells read the records again.
            self.listeners.emit(&ClientEvent::RecordsChanged);
            return;
        }
        self.on_call_socket_event(event);
    }

    pub(crate) fn carry_out(&self) {
        loop {
            let (session_out, answer_out) = {
                let mut m = self.lock();
                let s: Vec<_> = std::iter::from_fn(|| m.session.poll_output()).collect();
                // Status snapshots feed the answer machine before its outputs are read.
                for out in &s {
                    if let SessionOutput::Status(status) = out {
                        m.answer.on_holder_changed(status.answer_holder);
                    }
                    if let SessionOutput::SessionEnded(_) = out {
                        m.answer.on_logout();
                    }
                }
                let a: Vec<_> = std::iter::from_fn(|| m.answer.poll_output()).collect();
                (s, a)
            };
            if session_out.is_empty() && answer_out.is_empty() {
                break;
            }
            let mut view_changed = false;
            for out in session_out {
                match out {
                    SessionOutput::Connect => driver::open_socket(self),
                    SessionOutput::Disconnect => driver::close_socket(self),
                    SessionOutput::PhoneState(_) | SessionOutput::Status(_) => view_changed = true,
                    SessionOutput::Resync | SessionOutput::CustomersChanged { .. } => {
                        driver::request_sync(self)
                    }
                    SessionOutput::Call(event) => self.on_call_event(event),
                    SessionOutput::SessionEnded(reason) => {
                        self.platform.set_token(None);
                        if let Err(e) = saved::clear_session(&self.db) {
                            tracing::warn!(error = %e, "could not clear the saved session");
                        }
                        self.listeners.emit(&ClientEvent::SessionEnded(reason));
                        self.call_session_lost();
                        view_changed = true;
                    }
                }
            }
            for out in answer_out {
                match out {
                    AnswerOutput::Changed(_) => view_changed = true,
                    AnswerOutput::Refused(r) => self.listeners.emit(&ClientEvent::AnswerRefused(r)),
                    AnswerOutput::MicPrompt => self.listeners.emit(&ClientEvent::MicrophonePrompt),
                    // Requests are carried out inline by `set_answering`.
                    AnswerOutput::Request { .. } => {}
                }
            }
            if view_changed {
                let view = self.phone_view(Instant::now());
                // Status snapshots often repeat what is shown: tell listeners only news.
                let news = match self.last_view.lock() {
                    Ok(mut last) if last.as_ref() != Some(&view) => {
                        *last = Some(view.clone());
                        true
                    }
                    Ok(_) => false,
                    Err(_) => true,
                };
                if news {
                    self.listeners.emit(&ClientEvent::PhoneChanged(view));
                }
            }
        }
    }
}
