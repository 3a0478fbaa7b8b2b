//! The call API of [`SeatlineClient`] (R11-R17): thin methods over the call machine
//! (`crate::call`), the voice engine (`crate::voice`) and the platform's call routes.
//!
//! The machine decides; this file carries its outputs: REST commands, the engine's
//! start/stop/ICE restart, and the WebRTC signalling over the event socket.

use super::{ClientEvent, Inner, SeatlineClient};
use crate::audio::{AudioBackend, Pacing, StreamConfig, WavBackend};
use crate::call::{CallInput, CallOutput, CallRefusal, CallStage, MediaLink};
use crate::error::CoreError;
use crate::library::RemoteError;
use crate::session::DialRefusal;
use crate::voice::{self, AnswerFilter, Levels, VoiceConfig, VoiceEvent, VoiceHandle};
use seatline_media::stats::CallStats;
use seatline_proto::{
    paths, CallMethod, Customer, DeviceFrame, DtmfRequest, ErrorCode, Event, HoldRequest,
    PhoneNumber, Signal, StartCallRequest, StartCallResponse,
};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, Notify};

/// The voice link as the call screen shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VoiceState {
    /// A callback call: the agent talks on their own phone (R13).
    NoVoice,
    Connecting,
    Up,
    /// Lost for now; ICE restarts are under way (the call survives a short outage).
    Reconnecting,
}

/// The call panel as one value: what every shell draws while dialling, talking and just
/// after the end.
#[derive(Debug, Clone, PartialEq)]
pub struct CallView {
    /// `None` until the platform has answered `POST /calls`.
    pub call_id: Option<String>,
    pub method: CallMethod,
    /// The dialled number (R14). R15: prefill "add to library" with it.
    pub number: PhoneNumber,
    pub phase: CallStage,
    pub started_at_ms: i64,
    pub connected_at_ms: Option<i64>,
    pub ended_at_ms: Option<i64>,
    /// R17: the customer hears music.
    pub held: bool,
    pub muted: bool,
    pub voice: VoiceState,
    /// VoIP: jitter, loss, RTT and MOS of the received audio, updated every second.
    pub stats: Option<CallStats>,
    /// R16: the library's card for this number, if it has one (R15: "view card");
    /// `None` offers "add to library".
    pub customer: Option<Customer>,
}

impl CallView {
    /// zh-CN label of the phase (R18 "正在接通中" before the customer answers).
    pub fn text_zh(&self) -> &'static str {
        self.phase.text_zh()
    }
    pub fn text_en(&self) -> &'static str {
        self.phase.text_en()
    }
    /// The call is being placed, rings, talks or is being hung up.
    pub fn is_active(&self) -> bool {
        !self.phase.is_ended()
    }
}

/// The shell's call state beside the machine (which lives with the others in `Machines`).
pub(crate) struct CallShell {
    wake: Arc<Notify>,
    timer: AtomicBool,
    /// Into the event socket task while it is up: WebRTC offers.
    socket_tx: Mutex<Option<mpsc::UnboundedSender<DeviceFrame>>>,
    voice: Mutex<Option<VoiceHandle>>,
    backend: Mutex<Option<Arc<dyn AudioBackend>>>,
    answer_filter: Mutex<Option<AnswerFilter>>,
    levels: Arc<Levels>,
    stats: Mutex<Option<(String, CallStats)>>,
    anchor: (Instant, i64),
}

impl Default for CallShell {
    fn default() -> Self {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Self {
            wake: Arc::new(Notify::new()),
            timer: AtomicBool::new(false),
            socket_tx: Mutex::new(None),
            voice: Mutex::new(None),
            backend: Mutex::new(None),
            answer_filter: Mutex::new(None),
            levels: Arc::new(Levels::default()),
            stats: Mutex::new(None),
            anchor: (Instant::now(), ms),
        }
    }
}

impl CallShell {
    fn wall_ms(&self, t: Instant) -> i64 {
        let (i0, ms0) = self.anchor;
        if t >= i0 {
            ms0 + t.duration_since(i0).as_millis() as i64
        } else {
            ms0 - i0.duration_since(t).as_millis() as i64
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SeatlineClient {
    /// The sound device the voice engine uses (cpal on the PC, AAudio, CoreAudio, or WAV
    /// files in tests). Without one, VoIP calls run with a silent microphone.
    pub fn set_audio_backend(&self, backend: Option<Arc<dyn AudioBackend>>) {
        *lock(&self.inner.calls.backend) = backend;
    }

    /// For tests: rewrites the gateway's SDP answers before the voice engine applies them
    /// (to route the media through a fault relay). Not for the apps.
    #[doc(hidden)]
    pub fn set_voice_answer_filter(&self, filter: Option<AnswerFilter>) {
        *lock(&self.inner.calls.answer_filter) = filter;
    }

    /// Places a VoIP or callback call to the dial pad's number (R12, R13, R14). The dial
    /// gate (R2, R3, R9, R11) comes first, then one-call-at-a-time; the platform's own
    /// refusals come back typed (R9's phone fault as `CoreError::Dial`). Returns the call id.
    pub async fn start_call(&self, method: CallMethod, dialed: &str) -> Result<String, CoreError> {
        let number = self.check_dial(dialed)?;
        let attempt = self
            .inner
            .lock()
            .call
            .start(method, number.clone(), Instant::now())?;
        self.inner.ensure_call_timer();
        self.inner.pump_call_bg();
        let inner = self.inner.clone();
        let request = StartCallRequest { method, number };
        let result: Result<StartCallResponse, RemoteError> = self
            .run(async move { inner.platform.post(paths::CALLS, &request).await })
            .await;
        match result {
            Ok(resp) => {
                self.inner.call_input(CallInput::Started {
                    attempt,
                    call_id: resp.call_id.clone(),
                });
                Ok(resp.call_id)
            }
            Err(e) => {
                self.inner.call_input(CallInput::StartFailed { attempt });
                Err(self.inner.call_error(e))
            }
        }
    }

    /// Hangs up (or cancels while placing or ringing). The platform's confirmation ends
    /// the call; without it the call ends after `call::ENDING_TIMEOUT`.
    pub async fn hang_up(&self) -> Result<(), CoreError> {
        self.inner.lock().call.hang_up(Instant::now())?;
        let remote = self.inner.pump_call();
        self.execute(remote).await
    }

    /// R17: hold (the customer hears music) or resume.
    pub async fn set_hold(&self, on: bool) -> Result<(), CoreError> {
        self.inner.lock().call.set_hold(on)?;
        let remote = self.inner.pump_call();
        self.execute(remote).await
    }

    /// DTMF digits (`0-9 * # A-D`) into the connected call.
    pub async fn send_dtmf(&self, digits: &str) -> Result<(), CoreError> {
        self.inner.lock().call.send_dtmf(digits)?;
        let remote = self.inner.pump_call();
        self.execute(remote).await
    }

    /// Mutes or unmutes the microphone of the running call (no call: nothing happens).
    pub fn set_muted(&self, on: bool) {
        if let Err(e) = self.inner.lock().call.set_muted(on) {
            tracing::debug!(error = %e, "mute without a call");
        }
        self.inner.pump_call_bg();
    }

    /// R17: call volume, a linear factor 0..=4 (1 = unchanged).
    pub fn set_output_volume(&self, v: f32) {
        self.inner.calls.levels.set_volume(v);
    }

    /// R17: microphone gain, a linear factor 0..=4 before the automatic gain control.
    pub fn set_mic_gain(&self, g: f32) {
        self.inner.calls.levels.set_mic_gain(g);
    }

    /// R17: the microphone level adapts by itself; on by default.
    pub fn set_auto_gain(&self, on: bool) {
        self.inner.calls.levels.set_agc(on);
    }

    /// The current call, or the last one until the next starts.
    pub fn call(&self) -> Option<CallView> {
        self.inner.call_view()
    }

    /// The device changed networks (the shells hear it from the OS): a VoIP call restarts
    /// ICE on the new path.
    pub fn network_changed(&self) {
        self.inner.call_input(CallInput::NetworkChanged);
    }

    async fn execute(&self, remote: Vec<CallOutput>) -> Result<(), CoreError> {
        for out in remote {
            let inner = self.inner.clone();
            let result = self
                .run(async move { inner.execute_remote(&out).await })
                .await;
            if let Err(e) = result {
                return Err(self.inner.call_error(e));
            }
        }
        Ok(())
    }
}

impl Inner {
    pub(crate) fn call_view(&self) -> Option<CallView> {
        let snap = self.lock().call.snapshot()?;
        let stats = lock(&self.calls.stats)
            .as_ref()
            .filter(|(id, _)| snap.call_id.as_deref() == Some(id.as_str()))
            .map(|(_, s)| s.clone());
        let customer = self.library.by_mobile(&snap.number).ok().flatten();
        let voice = match (snap.method, snap.media) {
            (CallMethod::Voip, MediaLink::Up) => VoiceState::Up,
            (CallMethod::Voip, MediaLink::Down { .. }) => VoiceState::Reconnecting,
            (CallMethod::Voip, _) => VoiceState::Connecting,
            _ => VoiceState::NoVoice,
        };
        Some(CallView {
            call_id: snap.call_id.clone(),
            method: snap.method,
            held: snap.held(),
            number: snap.number,
            phase: snap.stage,
            started_at_ms: self.calls.wall_ms(snap.started),
            connected_at_ms: snap.connected.map(|t| self.calls.wall_ms(t)),
            ended_at_ms: snap.ended.map(|t| self.calls.wall_ms(t)),
            muted: snap.muted,
            voice,
            stats,
            customer,
        })
    }

    pub(crate) fn call_input(&self, input: CallInput) {
        self.lock().call.handle_input(input, Instant::now());
        self.pump_call_bg();
    }

    /// Call events from the event socket.
    pub(crate) fn on_call_socket_event(&self, event: Event) {
        match event {
            Event::CallProgress { call_id, phase, .. } => {
                self.call_input(CallInput::Progress { call_id, phase })
            }
            Event::CallSignal {
                call_id,
                signal: Signal::Answer { sdp },
            } => {
                let voice = lock(&self.calls.voice);
                match voice.as_ref().filter(|v| v.call_id() == call_id) {
                    Some(v) => v.accept_answer(sdp),
                    None => tracing::debug!("SDP answer for no running engine ignored"),
                }
            }
            other => tracing::debug!(?other, "call event ignored"),
        }
    }

    /// The event socket is up: offers can go out through `tx`.
    pub(crate) fn call_socket_up(&self, tx: mpsc::UnboundedSender<DeviceFrame>) {
        *lock(&self.calls.socket_tx) = Some(tx);
        self.call_input(CallInput::SocketUp);
    }

    pub(crate) fn call_socket_down(&self) {
        *lock(&self.calls.socket_tx) = None;
        self.call_input(CallInput::SocketDown);
    }

    /// The session ended while a call may run.
    pub(crate) fn call_session_lost(&self) {
        self.call_input(CallInput::SessionLost);
    }

    /// Carries out the machine's local outputs and returns the REST commands for the
    /// caller to await; wakes the call timer.
    fn pump_call(&self) -> Vec<CallOutput> {
        let remote = self.carry_out_call();
        self.calls.wake.notify_one();
        remote
    }

    /// As `pump_call`, with the REST commands run in the background.
    fn pump_call_bg(&self) {
        let remote = self.pump_call();
        self.spawn_remote(remote);
    }

    fn spawn_remote(&self, remote: Vec<CallOutput>) {
        for out in remote {
            let weak = self.self_ref.clone();
            self.rt.spawn(async move {
                let Some(inner) = weak.upgrade() else { return };
                if let Err(e) = inner.execute_remote(&out).await {
                    tracing::info!(error = %e, "call command not carried out");
                }
            });
        }
    }

    fn carry_out_call(&self) -> Vec<CallOutput> {
        let mut remote = Vec::new();
        loop {
            let outputs: Vec<CallOutput> = {
                let mut m = self.lock();
                std::iter::from_fn(|| m.call.poll_output()).collect()
            };
            if outputs.is_empty() {
                return remote;
            }
            let mut changed = false;
            for out in outputs {
                match out {
                    // `start_call` sends the POST itself: it needs the answer.
                    CallOutput::Start { .. } => {}
                    CallOutput::HangUp { .. }
                    | CallOutput::Hold { .. }
                    | CallOutput::Dtmf { .. } => remote.push(out),
                    CallOutput::StartMedia { call_id } => self.start_voice(call_id),
                    CallOutput::StopMedia => {
                        if let Some(v) = lock(&self.calls.voice).take() {
                            v.stop();
                        }
                    }
                    CallOutput::RestartIce { call_id } => {
                        if let Some(v) = lock(&self.calls.voice)
                            .as_ref()
                            .filter(|v| v.call_id() == call_id)
                        {
                            v.restart_ice();
                        }
                    }
                    CallOutput::SetMuted(on) => self.calls.levels.set_muted(on),
                    CallOutput::Changed => changed = true,
                }
            }
            if changed {
                self.listeners.emit(&ClientEvent::CallChanged);
            }
        }
    }

    fn start_voice(&self, call_id: String) {
        let backend = lock(&self.calls.backend)
            .clone()
            .unwrap_or_else(|| Arc::new(WavBackend::new(Pacing::Realtime)));
        let stream = StreamConfig::from_settings(&self.lock().settings);
        self.calls.levels.set_muted(false);
        *lock(&self.calls.stats) = None;
        let platform = platform_host(self.platform.base());
        let weak = self.self_ref.clone();
        let id = call_id.clone();
        let cfg = VoiceConfig {
            call_id,
            backend,
            stream,
            local_ip: None,
            platform,
            codecs: vec![
                seatline_webrtc::AudioCodec::Opus,
                seatline_webrtc::AudioCodec::Pcmu,
            ],
            levels: self.calls.levels.clone(),
            answer_filter: lock(&self.calls.answer_filter).clone(),
        };
        let handle = voice::spawn(
            &self.rt,
            cfg,
            Arc::new(move |event| {
                if let Some(inner) = weak.upgrade() {
                    inner.on_voice_event(&id, event);
                }
            }),
        );
        if let Some(old) = lock(&self.calls.voice).replace(handle) {
            old.stop();
        }
    }

    fn on_voice_event(&self, call_id: &str, event: VoiceEvent) {
        match event {
            VoiceEvent::Offer(sdp) => {
                let frame = DeviceFrame::CallSignal {
                    call_id: call_id.to_string(),
                    signal: Signal::Offer { sdp },
                };
                let sent = lock(&self.calls.socket_tx)
                    .as_ref()
                    .is_some_and(|tx| tx.send(frame).is_ok());
                if !sent {
                    // The machine asks again once the socket is back.
                    tracing::debug!("offer not sent: the event socket is down");
                }
            }
            VoiceEvent::Media(event) => self.call_input(CallInput::Media {
                call_id: call_id.to_string(),
                event,
            }),
            VoiceEvent::Stats(stats) => {
                *lock(&self.calls.stats) = Some((call_id.to_string(), stats));
                self.listeners.emit(&ClientEvent::CallChanged);
            }
            VoiceEvent::AudioFailed(why) => {
                tracing::warn!(%why, "the call runs without its sound device");
            }
        }
    }

    async fn execute_remote(&self, out: &CallOutput) -> Result<(), RemoteError> {
        match out {
            CallOutput::HangUp { call_id } => {
                match self.platform.post_empty(&paths::call_hangup(call_id)).await {
                    // Already over on the platform: that is what we wanted.
                    Err(RemoteError::Rejected(e))
                        if matches!(e.code, ErrorCode::CallNotActive | ErrorCode::NotFound) =>
                    {
                        Ok(())
                    }
                    other => other,
                }
            }
            CallOutput::Hold { call_id, on } => {
                let _: serde_json::Value = self
                    .platform
                    .post(&paths::call_hold(call_id), &HoldRequest { on: *on })
                    .await?;
                self.call_input(CallInput::HoldDone {
                    call_id: call_id.clone(),
                    on: *on,
                });
                Ok(())
            }
            CallOutput::Dtmf { call_id, digits } => {
                let _: serde_json::Value = self
                    .platform
                    .post(
                        &paths::call_dtmf(call_id),
                        &DtmfRequest {
                            digits: digits.clone(),
                        },
                    )
                    .await?;
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The platform's refusal of a call command as the error the apps act on.
    fn call_error(&self, e: RemoteError) -> CoreError {
        match e {
            RemoteError::Rejected(api) => match api.code {
                ErrorCode::PhoneFault => DialRefusal::PhoneFault.into(),
                ErrorCode::NoBoundNumber => DialRefusal::NoBoundNumber.into(),
                ErrorCode::CallInProgress => CallRefusal::CallInProgress.into(),
                ErrorCode::CallNotActive => CallRefusal::NoCall.into(),
                ErrorCode::Unauthorized => {
                    self.end_session();
                    CoreError::NotLoggedIn
                }
                _ => CoreError::Rejected(api),
            },
            RemoteError::Unreachable(why) => CoreError::Unreachable(why),
        }
    }

    /// The call machine's timer: ending timeouts, media grace, ICE restart retries.
    fn ensure_call_timer(&self) {
        if self.calls.timer.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak = self.self_ref.clone();
        let wake = self.calls.wake.clone();
        self.rt.spawn(async move {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let deadline = inner.lock().call.poll_timeout();
                drop(inner);
                let notified = wake.notified();
                match deadline {
                    Some(at) => {
                        tokio::select! {
                            _ = tokio::time::sleep_until(at.into()) => {}
                            _ = notified => {}
                        }
                    }
                    None => notified.await,
                }
                let Some(inner) = weak.upgrade() else { return };
                inner.lock().call.handle_timeout(Instant::now());
                // Not `pump_call`: waking itself would spin this loop.
                let remote = inner.carry_out_call();
                inner.spawn_remote(remote);
            }
        });
    }
}

/// `host:port` of the platform's origin, for finding the local address towards it.
fn platform_host(base: &str) -> Option<String> {
    let (scheme, rest) = base.split_once("://")?;
    let authority = rest.split('/').next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if authority.is_empty() {
        return None;
    }
    let has_port = match authority.rfind(']') {
        Some(close) => authority[close..].contains(':'),
        None => authority.contains(':'),
    };
    Some(if has_port {
        authority.to_string()
    } else {
        let port = if scheme == "https" { 443 } else { 80 };
        format!("{authority}:{port}")
    })
}

#[cfg(test)]
mod tests {
    use super::platform_host;

    #[test]
    fn platform_host_adds_default_ports() {
        assert_eq!(
            platform_host("http://127.0.0.1:8080").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(
            platform_host("https://cc.example.com/").as_deref(),
            Some("cc.example.com:443")
        );
        assert_eq!(platform_host("http://[::1]").as_deref(), Some("[::1]:80"));
        assert_eq!(platform_host("nonsense"), None);
    }
}
