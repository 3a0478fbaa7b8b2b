//! One call, owned by one task: a small state machine over `(phase, input)`.
//!
//! ```text
//! VoIP      AwaitingOffer ──offer: answer, dial──▶ CallingCustomer ──180──▶ Ringing
//!                                                        └───────200───────┬──┘
//! Callback  CallingAgent ──agent 200: dial customer──▶ CallingCustomer …   ▼
//!                                                                      Connected ⇄ Held
//! any phase ── hang-up / BYE / failure / timer ──▶ finish: legs down once, record, Ended
//! ```
//!
//! Inputs: REST commands and the device's offers (one channel), the customer's trunk
//! events, the agent's leg events (WebRTC, or a trunk leg for a callback), and one timer
//! (waiting for the offer, or the grace period after the agent's WebRTC leg was lost).

use super::bridge::{AgentMedia, AgentPacket, Bridge};
use super::gateway::{self, GatewayLeg};
use super::{CallError, Env};
use crate::store::now_ms;
use crate::trunk::{
    CallControl, CallFailure, Dial, EndReason, Party as TrunkParty, TrunkCall, TrunkEvent,
    TrunkMedia,
};
use seatline_proto::calls::{CallMethod, CallOutcome, CallPhase, Party, Signal};
use seatline_proto::{Event, PhoneNumber};
use seatline_webrtc::LegEvent;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// Packets from the agent's leg waiting for the bridge (a few ticks' worth).
const BRIDGE_QUEUE: usize = 64;
/// A leg's hang-up (CANCEL or BYE) may take this long before we stop waiting.
const HANGUP_WAIT: Duration = Duration::from_secs(3);

/// What the service hands a new call's task.
pub(crate) struct CallSpec {
    pub call_id: String,
    pub agent_id: i64,
    pub session_id: i64,
    pub method: CallMethod,
    /// The customer's number.
    pub number: PhoneNumber,
    /// The enterprise's main number: the caller id of every leg (R12).
    pub main_number: String,
    /// Callback: the agent's bound number (R13).
    pub agent_number: Option<PhoneNumber>,
}

/// What REST and the device's socket ask of a call.
#[derive(Debug)]
pub(crate) enum Command {
    Hangup,
    Hold {
        on: bool,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    Dtmf {
        digits: Vec<char>,
        reply: oneshot::Sender<Result<(), CallError>>,
    },
    Signal(Signal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// VoIP: waiting for the device's SDP offer.
    AwaitingOffer,
    /// Callback: the agent's own phone rings.
    CallingAgent,
    CallingCustomer,
    Ringing,
    Connected,
    Held,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Timer {
    OfferWait,
    AgentGrace,
}

#[derive(Debug)]
enum Input {
    Command(Command),
    Customer(Option<TrunkEvent>),
    AgentTrunk(Option<TrunkEvent>),
    AgentLeg(Option<LegEvent>),
    Timer(Timer),
}

/// How a transition leaves the call.
enum Step {
    Stay,
    End(CallOutcome, Option<Party>),
}

/// A trunk call with its media taken out for the bridge once answered.
struct TrunkLeg {
    events: mpsc::Receiver<TrunkEvent>,
    control: CallControl,
    media: Option<TrunkMedia>,
}

impl From<TrunkCall> for TrunkLeg {
    fn from(c: TrunkCall) -> Self {
        TrunkLeg {
            events: c.events,
            control: c.control,
            media: Some(c.media),
        }
    }
}

struct Call {
    env: Env,
    spec: CallSpec,
    phase: Phase,
    commands: mpsc::Receiver<Command>,
    customer: Option<TrunkLeg>,
    /// Callback: the agent's phone.
    agent_trunk: Option<TrunkLeg>,
    /// VoIP: the gateway's WebRTC leg.
    agent_rtc: Option<GatewayLeg>,
    to_bridge: Option<mpsc::Sender<AgentPacket>>,
    bridge: Option<Bridge>,
    timer: Option<(Instant, Timer)>,
    answered: bool,
}

/// The call's task: runs the machine to its end, then tears everything down once.
pub(crate) async fn run(env: Env, spec: CallSpec, commands: mpsc::Receiver<Command>) {
    let mut call = Call {
        env,
        spec,
        phase: Phase::AwaitingOffer,
        commands,
        customer: None,
        agent_trunk: None,
        agent_rtc: None,
        to_bridge: None,
        bridge: None,
        timer: None,
        answered: false,
    };
    let (outcome, by) = match call.begin().await {
        Step::End(o, b) => (o, b),
        Step::Stay => loop {
            let input = call.next_input().await;
            if let Step::End(o, b) = call.handle(input).await {
                break (o, b);
            }
        },
    };
    call.finish(outcome, by).await;
}

async fn recv_opt<T>(rx: Option<&mut mpsc::Receiver<T>>) -> Option<T> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

async fn sleep_opt(timer: Option<(Instant, Timer)>) -> Timer {
    match timer {
        Some((at, t)) => {
            tokio::time::sleep_until(at).await;
            t
        }
        None => std::future::pending().await,
    }
}

/// The record's outcome for a failed trunk leg to the customer.
fn customer_outcome(f: CallFailure) -> CallOutcome {
    match f {
        CallFailure::Busy => CallOutcome::Busy,
        CallFailure::NoAnswer => CallOutcome::NoAnswer,
        CallFailure::Rejected => CallOutcome::Rejected,
        CallFailure::Unavailable | CallFailure::Other(_) => CallOutcome::Failed,
    }
}

impl Call {
    async fn begin(&mut self) -> Step {
        match self.spec.method {
            CallMethod::Callback => {
                let Some(agent_number) = self.spec.agent_number.clone() else {
                    return Step::End(CallOutcome::Failed, Some(Party::Platform));
                };
                self.phase = Phase::CallingAgent;
                self.progress(CallPhase::CallingAgent);
                let dial = Dial {
                    ring_timeout: Some(self.env.cfg.agent_ring_timeout),
                    ..Dial::new(&self.spec.main_number, agent_number.as_str())
                };
                match self.dial(dial).await {
                    Ok(leg) => {
                        self.agent_trunk = Some(leg);
                        Step::Stay
                    }
                    Err(step) => step,
                }
            }
            _ => {
                self.phase = Phase::AwaitingOffer;
                // The device shows "正在接通中" (R18) from here.
                self.progress(CallPhase::CallingCustomer);
                self.timer = Some((
                    Instant::now() + self.env.cfg.offer_timeout,
                    Timer::OfferWait,
                ));
                Step::Stay
            }
        }
    }

    async fn next_input(&mut self) -> Input {
        let timer = self.timer;
        tokio::select! {
            c = self.commands.recv() => match c {
                Some(c) => Input::Command(c),
                // The service keeps a sender while the call is registered: only a
                // shutdown gets here.
                None => Input::Command(Command::Hangup),
            },
            e = recv_opt(self.customer.as_mut().map(|l| &mut l.events)) => Input::Customer(e),
            e = recv_opt(self.agent_trunk.as_mut().map(|l| &mut l.events)) => Input::AgentTrunk(e),
            e = recv_opt(self.agent_rtc.as_mut().map(|l| &mut l.events)) => Input::AgentLeg(e),
            t = sleep_opt(timer) => Input::Timer(t),
        }
    }

    /// Who hung up decides the outcome only through whether the customer had answered.
    fn ended(&self, by: Party) -> Step {
        let outcome = if self.answered {
            CallOutcome::Answered
        } else {
            CallOutcome::NoAnswer
        };
        Step::End(outcome, Some(by))
    }

    async fn handle(&mut self, input: Input) -> Step {
        use Phase::*;
        match (self.phase, input) {
            // ---------------------------------------------------------- commands
            (_, Input::Command(Command::Hangup)) => self.ended(Party::Agent),
            (Connected | Held, Input::Command(Command::Hold { on, reply })) => {
                if let Some(b) = &self.bridge {
                    b.hold(on);
                }
                self.phase = if on { Held } else { Connected };
                self.progress(if on {
                    CallPhase::Held
                } else {
                    CallPhase::Connected
                });
                let _ = reply.send(Ok(()));
                Step::Stay
            }
            (_, Input::Command(Command::Hold { reply, .. })) => {
                let _ = reply.send(Err(CallError::NotActive));
                Step::Stay
            }
            (_, Input::Command(Command::Dtmf { digits, reply })) => {
                let result = match &self.customer {
                    Some(c) => send_dtmf(&c.control, &digits).await,
                    None => Err(CallError::NotActive),
                };
                let _ = reply.send(result);
                Step::Stay
            }
            (AwaitingOffer, Input::Command(Command::Signal(Signal::Offer { sdp }))) => {
                self.first_offer(&sdp).await
            }
            (_, Input::Command(Command::Signal(Signal::Offer { sdp }))) => {
                self.new_offer(sdp).await;
                Step::Stay
            }
            (_, Input::Command(Command::Signal(Signal::Answer { .. }))) => Step::Stay,

            // ---------------------------------------------------------- timers
            (AwaitingOffer, Input::Timer(Timer::OfferWait)) => {
                tracing::info!(call_id = %self.spec.call_id, "no offer from the device in time");
                Step::End(CallOutcome::Failed, Some(Party::Platform))
            }
            (_, Input::Timer(Timer::AgentGrace)) => {
                tracing::info!(call_id = %self.spec.call_id, "agent's leg did not come back");
                let outcome = if self.answered {
                    CallOutcome::Answered
                } else {
                    CallOutcome::Failed
                };
                Step::End(outcome, Some(Party::Platform))
            }
            (_, Input::Timer(Timer::OfferWait)) => {
                self.timer = None;
                Step::Stay
            }

            // ---------------------------------------------------------- callback: agent leg
            (CallingAgent, Input::AgentTrunk(Some(TrunkEvent::Answered))) => {
                let dial = Dial::new(&self.spec.main_number, self.spec.number.as_str());
                match self.dial(dial).await {
                    Ok(leg) => {
                        self.customer = Some(leg);
                        self.phase = CallingCustomer;
                        self.progress(CallPhase::CallingCustomer);
                        Step::Stay
                    }
                    Err(step) => step,
                }
            }
            (CallingAgent, Input::AgentTrunk(Some(TrunkEvent::Failed(f)))) => {
                let outcome = match f {
                    CallFailure::Busy | CallFailure::NoAnswer | CallFailure::Rejected => {
                        CallOutcome::AgentNoAnswer
                    }
                    CallFailure::Unavailable | CallFailure::Other(_) => CallOutcome::Failed,
                };
                self.agent_trunk = None;
                Step::End(outcome, Some(Party::Agent))
            }
            (_, Input::AgentTrunk(Some(TrunkEvent::Ended { by, reason }))) => {
                self.agent_trunk = None;
                self.ended(trunk_party(Party::Agent, by, reason))
            }
            (_, Input::AgentTrunk(Some(TrunkEvent::Failed(_)))) => {
                self.agent_trunk = None;
                self.ended(Party::Agent)
            }
            (_, Input::AgentTrunk(None)) => {
                self.agent_trunk = None;
                self.ended(Party::Agent)
            }
            (_, Input::AgentTrunk(Some(_))) => Step::Stay,

            // ---------------------------------------------------------- customer leg
            (CallingCustomer, Input::Customer(Some(TrunkEvent::Ringing { .. }))) => {
                self.phase = Ringing;
                self.progress(CallPhase::Ringing);
                Step::Stay
            }
            (CallingCustomer | Ringing, Input::Customer(Some(TrunkEvent::Answered))) => {
                self.connected().await
            }
            (CallingCustomer | Ringing, Input::Customer(Some(TrunkEvent::Failed(f)))) => {
                self.customer = None;
                Step::End(customer_outcome(f), Some(Party::Customer))
            }
            (_, Input::Customer(Some(TrunkEvent::Ended { by, reason }))) => {
                self.customer = None;
                self.ended(trunk_party(Party::Customer, by, reason))
            }
            (_, Input::Customer(None)) => {
                self.customer = None;
                self.ended(Party::Customer)
            }
            (_, Input::Customer(Some(e))) => {
                tracing::debug!(call_id = %self.spec.call_id, event = ?e, "customer leg event");
                Step::Stay
            }

            // ---------------------------------------------------------- agent's WebRTC leg
            (_, Input::AgentLeg(Some(LegEvent::Audio { codec, packet }))) => {
                if let Some(tx) = &self.to_bridge {
                    let _ = tx.try_send(AgentPacket { codec, packet });
                }
                Step::Stay
            }
            (_, Input::AgentLeg(Some(LegEvent::Connected))) => {
                if matches!(self.timer, Some((_, Timer::AgentGrace))) {
                    tracing::info!(call_id = %self.spec.call_id, "agent's leg is back");
                    self.timer = None;
                }
                Step::Stay
            }
            (_, Input::AgentLeg(Some(LegEvent::Disconnected | LegEvent::Failed))) => {
                if self.timer.is_none() {
                    tracing::info!(call_id = %self.spec.call_id, "agent's leg lost; waiting for it");
                    self.timer =
                        Some((Instant::now() + self.env.cfg.agent_grace, Timer::AgentGrace));
                }
                Step::Stay
            }
            (_, Input::AgentLeg(Some(LegEvent::Closed) | None)) => {
                self.agent_rtc = None;
                self.ended(Party::Agent)
            }
            (_, Input::AgentLeg(Some(_))) => Step::Stay,
        }
    }

    /// VoIP: the device's first offer. A bad offer changes nothing (the device may send
    /// another until the offer timer runs out).
    async fn first_offer(&mut self, sdp: &str) -> Step {
        let cfg = self.env.cfg.clone();
        let (leg, answer) = match gateway::answer(cfg.media_ip, &cfg.webrtc_ports, sdp).await {
            Ok(x) => x,
            Err(e) => {
                tracing::debug!(call_id = %self.spec.call_id, error = %e, "offer refused");
                return Step::Stay;
            }
        };
        tracing::debug!(call_id = %self.spec.call_id, codec = ?leg.codec, "agent leg answered");
        self.agent_rtc = Some(leg);
        self.timer = None;
        self.signal(Signal::Answer { sdp: answer });
        let dial = Dial::new(&self.spec.main_number, self.spec.number.as_str());
        match self.dial(dial).await {
            Ok(leg) => {
                self.customer = Some(leg);
                self.phase = Phase::CallingCustomer;
                Step::Stay
            }
            Err(step) => step,
        }
    }

    /// An offer on a running leg: an ICE restart (network change, reconnect). The trunk
    /// leg stays up; the grace timer stops when the leg reports `Connected` again.
    async fn new_offer(&mut self, sdp: String) {
        let Some(leg) = &self.agent_rtc else {
            return;
        };
        match leg.handle.accept_offer(sdp).await {
            Ok(answer) => {
                tracing::info!(call_id = %self.spec.call_id, "ICE restart answered");
                self.signal(Signal::Answer { sdp: answer });
            }
            Err(e) => {
                tracing::debug!(call_id = %self.spec.call_id, error = %e, "new offer refused")
            }
        }
    }

    async fn dial(&self, dial: Dial) -> Result<TrunkLeg, Step> {
        let Some(trunk) = &self.env.trunk else {
            return Err(Step::End(CallOutcome::Failed, Some(Party::Platform)));
        };
        match trunk.dial(dial).await {
            Ok(c) => Ok(c.into()),
            Err(e) => {
                tracing::warn!(call_id = %self.spec.call_id, error = %e, "dial failed");
                Err(Step::End(CallOutcome::Failed, Some(Party::Platform)))
            }
        }
    }

    /// The customer answered: record it, bridge the media, tell the device.
    async fn connected(&mut self) -> Step {
        self.answered = true;
        self.phase = Phase::Connected;
        let at = now_ms();
        match self
            .env
            .store
            .record_call_answered(&self.spec.call_id, at)
            .await
        {
            Ok(_) => self
                .env
                .hub
                .to_agent(self.spec.agent_id, Event::RecordsChanged),
            Err(e) => {
                tracing::error!(call_id = %self.spec.call_id, error = %e, "record answered failed")
            }
        }
        let customer_media = self.customer.as_mut().and_then(|c| c.media.take());
        let agent_media = if let Some(leg) = &self.agent_rtc {
            let (tx, rx) = mpsc::channel(BRIDGE_QUEUE);
            self.to_bridge = Some(tx);
            Some(AgentMedia::Webrtc {
                leg: leg.handle.clone(),
                codec: leg.codec,
                packets: rx,
            })
        } else {
            self.agent_trunk
                .as_mut()
                .and_then(|a| a.media.take())
                .map(AgentMedia::Trunk)
        };
        match (agent_media, customer_media) {
            (Some(agent), Some(customer)) => match Bridge::start(agent, customer) {
                Ok(b) => self.bridge = Some(b),
                Err(e) => {
                    tracing::error!(call_id = %self.spec.call_id, error = %e, "bridge failed");
                    return Step::End(CallOutcome::Failed, Some(Party::Platform));
                }
            },
            _ => return Step::End(CallOutcome::Failed, Some(Party::Platform)),
        }
        self.progress(CallPhase::Connected);
        Step::Stay
    }

    /// Both legs down once, the outcome recorded, the device told, the agent freed.
    async fn finish(mut self, outcome: CallOutcome, by: Option<Party>) {
        if let Some(b) = self.bridge.take() {
            let s = b.stop().await;
            tracing::info!(
                call_id = %self.spec.call_id,
                ticks = s.ticks,
                late_ticks = s.late_ticks,
                max_lateness_us = s.max_lateness_us,
                agent_frames = s.agent_frames,
                customer_frames = s.customer_frames,
                concealed = s.concealed,
                hold_frames = s.hold_frames,
                "bridge stopped"
            );
        }
        self.to_bridge = None;
        let customer = self.customer.take().map(|c| c.control);
        let agent = self.agent_trunk.take().map(|c| c.control);
        let hangups = async {
            tokio::join!(hang_up(customer), hang_up(agent));
        };
        if tokio::time::timeout(HANGUP_WAIT, hangups).await.is_err() {
            tracing::warn!(call_id = %self.spec.call_id, "a leg's hang-up did not finish in time");
        }
        if let Some(leg) = self.agent_rtc.take() {
            leg.handle.close().await;
        }
        match self
            .env
            .store
            .record_call_ended(&self.spec.call_id, now_ms(), outcome)
            .await
        {
            Ok(_) => self
                .env
                .hub
                .to_agent(self.spec.agent_id, Event::RecordsChanged),
            Err(e) => {
                tracing::error!(call_id = %self.spec.call_id, error = %e, "record ended failed")
            }
        }
        self.env
            .registry
            .release(self.spec.agent_id, &self.spec.call_id);
        tracing::info!(call_id = %self.spec.call_id, ?outcome, ?by, "call ended");
        self.progress(CallPhase::Ended { outcome, by });
    }

    fn progress(&self, phase: CallPhase) {
        self.env.hub.to_session(
            self.spec.session_id,
            Event::CallProgress {
                call_id: self.spec.call_id.clone(),
                method: self.spec.method,
                number: self.spec.number.clone(),
                phase,
            },
        );
    }

    fn signal(&self, signal: Signal) {
        self.env.hub.to_session(
            self.spec.session_id,
            Event::CallSignal {
                call_id: self.spec.call_id.clone(),
                signal,
            },
        );
    }
}

async fn hang_up(control: Option<CallControl>) {
    if let Some(c) = control {
        c.hangup().await;
    }
}

async fn send_dtmf(control: &CallControl, digits: &[char]) -> Result<(), CallError> {
    for d in digits {
        control.send_dtmf(*d).await?;
    }
    Ok(())
}

/// Who ended a trunk leg, as the device is told: the far end is `side`; a session-timer
/// failure or a shutdown is the platform's doing.
fn trunk_party(side: Party, by: TrunkParty, reason: EndReason) -> Party {
    match (by, reason) {
        (_, EndReason::SessionTimer | EndReason::Shutdown) => Party::Platform,
        (TrunkParty::Remote, _) => side,
        (TrunkParty::Local, _) => Party::Platform,
    }
}
