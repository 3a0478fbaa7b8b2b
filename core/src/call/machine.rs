//! Call machine (sans-IO): one outbound VoIP or callback call of this device, from the
//! dial to its end (R11-R17).
//!
//! ```text
//!          start()            Started{id}                 Progress(Ringing)
//!  Idle ──────────▶ Placing ─────────────▶ CallingCustomer ─────────────────▶ Ringing
//!   ▲                 │  │   (callback)     CallingAgent ──▶ CallingCustomer ──┘ │
//!   │ StartFailed ◀───┘  │                                                        │ Progress(Connected)
//!   │                    │ hang_up() (id not known yet: hang up when it arrives)  ▼
//!   │                    └──────────────────────────────▶ Ending ◀── hang_up() ─ Connected{since}
//!   │                                                       │                     ▲  │ hold(on)
//!   │                                                       │                     │  ▼
//!   │                                                       │                     Held
//!   │  start()                                              │ Progress(Ended) or ENDING_TIMEOUT
//!   └───────────── Ended{outcome, by, cause} ◀──────────────┘
//!                     ▲ Progress(Ended) from any stage; media gap > MEDIA_GRACE; session lost
//! ```
//!
//! A VoIP call has a media link beside the stage: `Setting → Up ⇄ Down{since}`. A drop
//! (the leg reports Disconnected/Failed, the device changed networks, or the event socket
//! came back after an outage) asks the engine for an ICE restart, whose offer goes over
//! the event socket, so it waits for the socket to be up. While the customer is on the
//! line, a link that stays down for [`MEDIA_GRACE`] ends the call with
//! [`EndCause::MediaLost`].
//!
//! The platform is the truth about the call: its `CallProgress` events move the stage
//! forward (never back, except Connected ⇄ Held), an `Ended` phase ends it with the
//! platform's outcome, and events for another call id are ignored. Events that arrive
//! before `POST /calls` has answered (the platform may push faster than its HTTP reply)
//! are kept and replayed once the call id is known.

use super::refusal::{parse_dtmf, CallRefusal};
use seatline_proto::{CallMethod, CallOutcome, CallPhase, Party, PhoneNumber};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How long the customer may be on the line while the media link is down before the call
/// is given up. Counted from when the leg *reports* the loss, which already lags the real
/// outage by a few seconds (ICE consent), and the ICE restart has to wait for the event
/// socket's reconnect backoff: 10 s here lets a 5 s outage of both heal with room to spare.
pub const MEDIA_GRACE: Duration = Duration::from_secs(10);
/// After the agent hangs up, how long to wait for the platform's `Ended` before ending the
/// call locally (the platform may be unreachable).
pub const ENDING_TIMEOUT: Duration = Duration::from_secs(5);
/// While the link stays down with the socket up, how often to try another ICE restart.
pub const ICE_RESTART_RETRY: Duration = Duration::from_secs(3);
/// Progress events for a not yet known call id kept while `POST /calls` runs.
const EARLY_EVENTS: usize = 8;

/// Where the call is, as the shells show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallStage {
    /// `POST /calls` is on its way.
    Placing,
    /// R13: the platform rings the agent's own phone (callback).
    CallingAgent,
    /// The customer's side is being set up ("正在接通中", R18).
    CallingCustomer,
    /// The customer's phone rings.
    Ringing,
    /// Both sides talk.
    Connected,
    /// R17: the customer hears music.
    Held,
    /// The agent hung up; waiting for the platform to confirm.
    Ending,
    /// Over. `outcome` is the platform's when it said so, else the device's best guess.
    Ended {
        outcome: CallOutcome,
        by: Option<Party>,
        cause: EndCause,
    },
}

impl CallStage {
    /// Running: neither over nor being placed for the first time.
    pub fn is_ended(self) -> bool {
        matches!(self, CallStage::Ended { .. })
    }

    /// zh-CN label of the call panel.
    pub fn text_zh(self) -> &'static str {
        match self {
            CallStage::Placing | CallStage::CallingCustomer => "正在接通中",
            CallStage::CallingAgent => "正在呼叫您的手机",
            CallStage::Ringing => "对方振铃中",
            CallStage::Connected => "通话中",
            CallStage::Held => "保持中",
            CallStage::Ending => "正在挂断",
            CallStage::Ended { outcome, .. } => match outcome {
                CallOutcome::Answered => "通话结束",
                CallOutcome::Busy => "对方忙",
                CallOutcome::NoAnswer => "无人接听",
                CallOutcome::Rejected => "呼叫被拒绝",
                CallOutcome::Failed => "呼叫失败",
                CallOutcome::AgentNoAnswer => "您的手机未接听",
                CallOutcome::Missed => "未接来电",
            },
        }
    }
    pub fn text_en(self) -> &'static str {
        match self {
            CallStage::Placing | CallStage::CallingCustomer => "Connecting",
            CallStage::CallingAgent => "Calling your phone",
            CallStage::Ringing => "Ringing",
            CallStage::Connected => "Talking",
            CallStage::Held => "On hold",
            CallStage::Ending => "Hanging up",
            CallStage::Ended { outcome, .. } => match outcome {
                CallOutcome::Answered => "Call ended",
                CallOutcome::Busy => "Busy",
                CallOutcome::NoAnswer => "No answer",
                CallOutcome::Rejected => "Call rejected",
                CallOutcome::Failed => "Call failed",
                CallOutcome::AgentNoAnswer => "Your phone did not answer",
                CallOutcome::Missed => "Missed call",
            },
        }
    }

    /// How far a call has come, so progress never goes back (Connected and Held share a
    /// rank: they alternate).
    fn rank(self) -> u8 {
        match self {
            CallStage::Placing => 0,
            CallStage::CallingAgent => 1,
            CallStage::CallingCustomer => 2,
            CallStage::Ringing => 3,
            CallStage::Connected | CallStage::Held => 4,
            CallStage::Ending => 5,
            CallStage::Ended { .. } => 6,
        }
    }
}

/// Who or what ended the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndCause {
    /// The platform reported the end (its outcome and party are in the stage).
    Reported,
    /// The agent hung up and the platform did not confirm within [`ENDING_TIMEOUT`].
    HungUp,
    /// The voice link stayed down for longer than [`MEDIA_GRACE`].
    MediaLost,
    /// The session ended (logged out, replaced, expired) while the call ran.
    SessionLost,
}

/// The voice link of a VoIP call (callback calls have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaLink {
    None,
    /// The engine is making its offer / connecting.
    Setting {
        since: Instant,
    },
    Up,
    Down {
        since: Instant,
    },
}

/// What the voice engine reports about the leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaEvent {
    Connected,
    Disconnected,
    /// Failed or closed: ICE gave up, or the gateway closed DTLS. An ICE restart may still
    /// bring it back while the call lasts.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallInput {
    /// `POST /calls` answered: the call of attempt `attempt` has this id.
    Started {
        attempt: u64,
        call_id: String,
    },
    /// `POST /calls` of attempt `attempt` was refused or never answered; no call exists.
    StartFailed {
        attempt: u64,
    },
    /// `POST /calls/{id}/hold` was accepted.
    HoldDone {
        call_id: String,
        on: bool,
    },
    /// `Event::CallProgress` from the socket.
    Progress {
        call_id: String,
        phase: CallPhase,
    },
    /// The voice engine of call `call_id` reports on its leg.
    Media {
        call_id: String,
        event: MediaEvent,
    },
    /// The event socket connected (again).
    SocketUp,
    SocketDown,
    /// The device changed networks (Wi-Fi ↔ cellular, a new address).
    NetworkChanged,
    /// The session is gone: logged out, replaced, expired.
    SessionLost,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutput {
    /// `POST /calls`; answer with `Started`/`StartFailed` carrying `attempt`.
    Start {
        attempt: u64,
        method: CallMethod,
        number: PhoneNumber,
    },
    /// `POST /calls/{id}/hangup`.
    HangUp { call_id: String },
    /// `POST /calls/{id}/hold`; answer with `HoldDone`.
    Hold { call_id: String, on: bool },
    /// `POST /calls/{id}/dtmf`.
    Dtmf { call_id: String, digits: String },
    /// Start the voice engine of this VoIP call: offer, then the gateway's answer.
    StartMedia { call_id: String },
    /// Restart ICE (or re-send the first offer if it was never answered): the offer goes
    /// over the event socket, which is up now.
    RestartIce { call_id: String },
    /// Stop the voice engine.
    StopMedia,
    /// Mute or unmute the microphone in the engine.
    SetMuted(bool),
    /// The snapshot changed: redraw.
    Changed,
}

/// Everything the shells show about the call, at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSnapshot {
    pub call_id: Option<String>,
    pub method: CallMethod,
    pub number: PhoneNumber,
    pub stage: CallStage,
    pub started: Instant,
    pub connected: Option<Instant>,
    pub ended: Option<Instant>,
    pub muted: bool,
    pub media: MediaLink,
}

impl CallSnapshot {
    pub fn held(&self) -> bool {
        self.stage == CallStage::Held
    }
}

#[derive(Debug, Clone)]
struct Call {
    attempt: u64,
    call_id: Option<String>,
    method: CallMethod,
    number: PhoneNumber,
    stage: CallStage,
    started: Instant,
    connected: Option<Instant>,
    ended: Option<Instant>,
    muted: bool,
    media: MediaLink,
    /// When `Ending` gives up waiting for the platform.
    ending_deadline: Option<Instant>,
    /// An ICE restart is wanted but the socket is down: do it on `SocketUp`.
    restart_pending: bool,
    /// Next ICE restart while the link stays down with the socket up.
    restart_retry: Option<Instant>,
    /// Progress that came before the call id was known.
    early: VecDeque<(String, CallPhase)>,
}

impl Call {
    fn snapshot(&self) -> CallSnapshot {
        CallSnapshot {
            call_id: self.call_id.clone(),
            method: self.method,
            number: self.number.clone(),
            stage: self.stage,
            started: self.started,
            connected: self.connected,
            ended: self.ended,
            muted: self.muted,
            media: self.media,
        }
    }

    fn running(&self) -> bool {
        !matches!(self.stage, CallStage::Ending | CallStage::Ended { .. })
    }

    /// A VoIP call whose engine was started (the platform gave it an id).
    fn has_media(&self) -> bool {
        self.method == CallMethod::Voip && self.call_id.is_some()
    }

    /// When a media gap with the customer on the line runs out of grace.
    fn media_deadline(&self) -> Option<Instant> {
        if !matches!(self.stage, CallStage::Connected | CallStage::Held) {
            return None;
        }
        let gap_since = match self.media {
            MediaLink::Setting { since } | MediaLink::Down { since } => since,
            MediaLink::None | MediaLink::Up => return None,
        };
        let since = self.connected.map_or(gap_since, |c| c.max(gap_since));
        Some(since + MEDIA_GRACE)
    }
}

/// The one call of this device (one at a time), or none.
#[derive(Debug)]
pub struct CallMachine {
    call: Option<Call>,
    attempts: u64,
    socket_up: bool,
    outputs: VecDeque<CallOutput>,
}

impl Default for CallMachine {
    fn default() -> Self {
        Self::new()
    }
}

impl CallMachine {
    pub fn new() -> Self {
        Self {
            call: None,
            attempts: 0,
            socket_up: true,
            outputs: VecDeque::new(),
        }
    }

    /// The current or last call.
    pub fn snapshot(&self) -> Option<CallSnapshot> {
        self.call.as_ref().map(Call::snapshot)
    }

    /// A call is being placed, rings, talks or is being hung up.
    pub fn in_call(&self) -> bool {
        self.call.as_ref().is_some_and(|c| !c.stage.is_ended())
    }

    /// Starts placing a call (after the dial gate, R2/R3/R9/R11, passed). One call at a
    /// time; a native call (R12) is the phone dialer's, not the platform's.
    pub fn start(
        &mut self,
        method: CallMethod,
        number: PhoneNumber,
        now: Instant,
    ) -> Result<u64, CallRefusal> {
        if method == CallMethod::Native {
            return Err(CallRefusal::MethodNotPlaced);
        }
        if self.in_call() {
            return Err(CallRefusal::CallInProgress);
        }
        self.attempts += 1;
        let attempt = self.attempts;
        self.call = Some(Call {
            attempt,
            call_id: None,
            method,
            number: number.clone(),
            stage: CallStage::Placing,
            started: now,
            connected: None,
            ended: None,
            muted: false,
            media: MediaLink::None,
            ending_deadline: None,
            restart_pending: false,
            restart_retry: None,
            early: VecDeque::new(),
        });
        self.outputs.push_back(CallOutput::Start {
            attempt,
            method,
            number,
        });
        self.outputs.push_back(CallOutput::Changed);
        Ok(attempt)
    }

    /// The agent hangs up (or cancels while it is being placed or rings).
    pub fn hang_up(&mut self, now: Instant) -> Result<(), CallRefusal> {
        let before = self.snapshot();
        let Some(call) = self.call.as_mut() else {
            return Err(CallRefusal::NoCall);
        };
        match call.stage {
            CallStage::Ended { .. } => return Err(CallRefusal::NoCall),
            // Already on its way.
            CallStage::Ending => return Ok(()),
            _ => {}
        }
        call.stage = CallStage::Ending;
        call.ending_deadline = Some(now + ENDING_TIMEOUT);
        call.restart_retry = None;
        call.restart_pending = false;
        // Without an id the platform has not answered `POST /calls` yet: the hang-up goes
        // out when `Started` brings the id.
        if let Some(id) = call.call_id.clone() {
            self.outputs.push_back(CallOutput::HangUp { call_id: id });
        }
        if call.has_media() {
            self.outputs.push_back(CallOutput::StopMedia);
        }
        self.changed(before);
        Ok(())
    }

    /// R17: put the customer on hold (music) or take them back.
    pub fn set_hold(&mut self, on: bool) -> Result<(), CallRefusal> {
        let call = self.call.as_ref().ok_or(CallRefusal::NoCall)?;
        let id = call.call_id.clone();
        match (call.stage, on, id) {
            (CallStage::Connected, false, _) | (CallStage::Held, true, _) => Ok(()),
            (CallStage::Connected | CallStage::Held, _, Some(call_id)) => {
                self.outputs.push_back(CallOutput::Hold { call_id, on });
                Ok(())
            }
            (CallStage::Ending | CallStage::Ended { .. }, _, _) => Err(CallRefusal::NoCall),
            _ => Err(CallRefusal::NotConnected),
        }
    }

    /// DTMF digits into the connected call (an IVR on the customer's side).
    pub fn send_dtmf(&mut self, digits: &str) -> Result<(), CallRefusal> {
        let call = self.call.as_ref().ok_or(CallRefusal::NoCall)?;
        match (call.stage, call.call_id.clone()) {
            (CallStage::Connected, Some(call_id)) => {
                let digits = parse_dtmf(digits)?;
                self.outputs.push_back(CallOutput::Dtmf { call_id, digits });
                Ok(())
            }
            (CallStage::Ending | CallStage::Ended { .. }, _) => Err(CallRefusal::NoCall),
            _ => Err(CallRefusal::NotConnected),
        }
    }

    /// Mutes or unmutes the microphone of the running call.
    pub fn set_muted(&mut self, on: bool) -> Result<(), CallRefusal> {
        let before = self.snapshot();
        let call = self.call.as_mut().ok_or(CallRefusal::NoCall)?;
        if !call.running() {
            return Err(CallRefusal::NoCall);
        }
        if call.muted != on {
            call.muted = on;
            self.outputs.push_back(CallOutput::SetMuted(on));
            self.changed(before);
        }
        Ok(())
    }

    pub fn handle_input(&mut self, input: CallInput, now: Instant) {
        let before = self.snapshot();
        match input {
            CallInput::SocketUp => {
                self.socket_up = true;
                if let Some(call) = self.call.as_mut() {
                    // A reconnect may mean a new network: restart ICE whatever the leg
                    // says (the requirement: a WebSocket reconnect restarts ICE).
                    if call.running() && call.has_media() {
                        call.restart_pending = true;
                    }
                }
                self.restart_if_wanted(now);
            }
            CallInput::SocketDown => self.socket_up = false,
            CallInput::NetworkChanged => {
                if let Some(call) = self.call.as_mut() {
                    if call.running() && call.has_media() {
                        call.restart_pending = true;
                    }
                }
                self.restart_if_wanted(now);
            }
            CallInput::SessionLost => {
                if let Some(call) = self.call.as_mut() {
                    if !call.stage.is_ended() {
                        let outcome = guessed_outcome(call);
                        Self::end(
                            &mut self.outputs,
                            call,
                            outcome,
                            None,
                            EndCause::SessionLost,
                            now,
                        );
                    }
                }
            }
            CallInput::Started { attempt, call_id } => self.on_started(attempt, call_id, now),
            CallInput::StartFailed { attempt } => {
                if let Some(call) = self.call.as_mut() {
                    if call.attempt == attempt && call.call_id.is_none() && !call.stage.is_ended() {
                        if call.stage == CallStage::Ending {
                            // Cancelled while placing, and the call never came to be.
                            Self::end(
                                &mut self.outputs,
                                call,
                                CallOutcome::NoAnswer,
                                Some(Party::Agent),
                                EndCause::HungUp,
                                now,
                            );
                        } else {
                            self.call = None;
                        }
                    }
                }
            }
            CallInput::HoldDone { call_id, on } => {
                if let Some(call) = self.call.as_mut() {
                    if call.call_id.as_deref() == Some(call_id.as_str()) {
                        call.stage = match (call.stage, on) {
                            (CallStage::Connected, true) => CallStage::Held,
                            (CallStage::Held, false) => CallStage::Connected,
                            (stage, _) => stage,
                        };
                    }
                }
            }
            CallInput::Progress { call_id, phase } => self.on_progress(call_id, phase, now),
            CallInput::Media { call_id, event } => self.on_media(call_id, event, now),
        }
        self.changed(before);
    }

    fn on_started(&mut self, attempt: u64, call_id: String, now: Instant) {
        let Some(call) = self
            .call
            .as_mut()
            .filter(|c| c.attempt == attempt && c.call_id.is_none())
        else {
            // A call we no longer track (an old attempt answered late): the platform must
            // not keep ringing anyone for it.
            self.outputs.push_back(CallOutput::HangUp { call_id });
            return;
        };
        call.call_id = Some(call_id.clone());
        match call.stage {
            CallStage::Placing => {
                call.stage = match call.method {
                    CallMethod::Callback => CallStage::CallingAgent,
                    _ => CallStage::CallingCustomer,
                };
                if call.method == CallMethod::Voip {
                    call.media = MediaLink::Setting { since: now };
                    self.outputs.push_back(CallOutput::StartMedia {
                        call_id: call_id.clone(),
                    });
                }
                let early: Vec<_> = call.early.drain(..).collect();
                for (id, phase) in early {
                    if id == call_id {
                        self.on_progress(id, phase, now);
                    }
                }
            }
            // Hung up before the id came: hang it up now.
            CallStage::Ending | CallStage::Ended { .. } => {
                call.early.clear();
                self.outputs.push_back(CallOutput::HangUp { call_id });
            }
            _ => {}
        }
    }

    fn on_progress(&mut self, call_id: String, phase: CallPhase, now: Instant) {
        let Some(call) = self.call.as_mut() else {
            tracing::debug!("progress without a call ignored");
            return;
        };
        match &call.call_id {
            None if call.stage == CallStage::Placing || call.stage == CallStage::Ending => {
                if call.early.len() == EARLY_EVENTS {
                    call.early.pop_front();
                }
                call.early.push_back((call_id, phase));
                return;
            }
            Some(id) if *id == call_id => {}
            _ => {
                tracing::debug!("progress of another call ignored");
                return;
            }
        }
        let next = match phase {
            CallPhase::CallingAgent => CallStage::CallingAgent,
            CallPhase::CallingCustomer => CallStage::CallingCustomer,
            CallPhase::Ringing => CallStage::Ringing,
            CallPhase::Connected => CallStage::Connected,
            CallPhase::Held => CallStage::Held,
            CallPhase::Ended { outcome, by } => {
                if !call.stage.is_ended() {
                    Self::end(
                        &mut self.outputs,
                        call,
                        outcome,
                        by,
                        EndCause::Reported,
                        now,
                    );
                }
                return;
            }
        };
        match (call.stage, next) {
            // Hanging up: the customer answering meanwhile changes nothing here, but the
            // outcome guess (if the platform never confirms) should know they talked.
            (CallStage::Ending, CallStage::Connected | CallStage::Held) => {
                call.connected.get_or_insert(now);
            }
            (CallStage::Ending | CallStage::Ended { .. }, _) => {}
            (current, next) if next.rank() >= current.rank() => {
                if matches!(next, CallStage::Connected | CallStage::Held) {
                    call.connected.get_or_insert(now);
                }
                call.stage = next;
            }
            _ => tracing::debug!(?phase, "progress going back ignored"),
        }
    }

    fn on_media(&mut self, call_id: String, event: MediaEvent, now: Instant) {
        let Some(call) = self
            .call
            .as_mut()
            .filter(|c| c.call_id.as_deref() == Some(call_id.as_str()) && c.running())
        else {
            return;
        };
        if !call.has_media() {
            return;
        }
        match event {
            MediaEvent::Connected => {
                call.media = MediaLink::Up;
                call.restart_retry = None;
                call.restart_pending = false;
            }
            MediaEvent::Disconnected | MediaEvent::Failed => {
                let since = match call.media {
                    MediaLink::Down { since } => since,
                    _ => now,
                };
                let was_down = matches!(call.media, MediaLink::Down { .. });
                call.media = MediaLink::Down { since };
                // One restart per drop (then the retry timer); Failed after Disconnected
                // of the same drop asks once more.
                if !was_down || event == MediaEvent::Failed {
                    call.restart_pending = true;
                }
            }
        }
        self.restart_if_wanted(now);
    }

    /// Sends a wanted ICE restart if the socket can carry its offer.
    fn restart_if_wanted(&mut self, now: Instant) {
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if !call.restart_pending || !self.socket_up || !call.running() {
            return;
        }
        let Some(call_id) = call.call_id.clone() else {
            return;
        };
        call.restart_pending = false;
        call.restart_retry = match call.media {
            MediaLink::Down { .. } => Some(now + ICE_RESTART_RETRY),
            _ => None,
        };
        self.outputs.push_back(CallOutput::RestartIce { call_id });
    }

    /// When `handle_timeout` wants to run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let call = self.call.as_ref()?;
        [
            call.ending_deadline
                .filter(|_| call.stage == CallStage::Ending),
            call.media_deadline(),
            call.restart_retry
                .filter(|_| self.socket_up && call.running()),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    pub fn handle_timeout(&mut self, now: Instant) {
        let before = self.snapshot();
        let Some(call) = self.call.as_mut() else {
            return;
        };
        if call.stage == CallStage::Ending && call.ending_deadline.is_some_and(|d| now >= d) {
            let outcome = if call.connected.is_some() {
                CallOutcome::Answered
            } else {
                CallOutcome::NoAnswer
            };
            Self::end(
                &mut self.outputs,
                call,
                outcome,
                Some(Party::Agent),
                EndCause::HungUp,
                now,
            );
        }
        if call.media_deadline().is_some_and(|d| now >= d) {
            if let Some(call_id) = call.call_id.clone() {
                self.outputs.push_back(CallOutput::HangUp { call_id });
            }
            Self::end(
                &mut self.outputs,
                call,
                CallOutcome::Answered,
                None,
                EndCause::MediaLost,
                now,
            );
        }
        if call.running() && call.restart_retry.is_some_and(|d| now >= d) {
            call.restart_retry = None;
            call.restart_pending = true;
        }
        self.restart_if_wanted(now);
        self.changed(before);
    }

    pub fn poll_output(&mut self) -> Option<CallOutput> {
        self.outputs.pop_front()
    }

    fn end(
        outputs: &mut VecDeque<CallOutput>,
        call: &mut Call,
        outcome: CallOutcome,
        by: Option<Party>,
        cause: EndCause,
        now: Instant,
    ) {
        // Ending already stopped the engine.
        if call.has_media() && call.stage != CallStage::Ending {
            outputs.push_back(CallOutput::StopMedia);
        }
        call.stage = CallStage::Ended { outcome, by, cause };
        call.ended = Some(now);
        call.ending_deadline = None;
        call.restart_retry = None;
        call.restart_pending = false;
        call.early.clear();
    }

    fn changed(&mut self, before: Option<CallSnapshot>) {
        if self.snapshot() != before {
            self.outputs.push_back(CallOutput::Changed);
        }
    }
}

/// The outcome of a call that ends without the platform saying how.
fn guessed_outcome(call: &Call) -> CallOutcome {
    if call.connected.is_some() {
        CallOutcome::Answered
    } else {
        CallOutcome::Failed
    }
}

#[cfg(test)]
mod tests;
