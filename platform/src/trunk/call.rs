//! One outbound call: the INVITE (digest auth, 422 retry, ring timeout, CANCEL), then
//! the confirmed dialog (far-end re-INVITE/UPDATE, hold, RFC 4028 session timers, BYE).
//!
//! Each call is one task owning its dialog; [`CallControl`] talks to it over a channel,
//! and the RTP leg is a second task fed by [`RtpCommand`]s.

use std::sync::Arc;
use std::time::Duration;

use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{
    DialogState, DialogStateReceiver, TerminatedReason, TransactionHandle,
};
use rsipstack::dialog::invitation::{InviteAsyncResult, InviteOption};
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::sip::{Header, Method, Request, Response, StatusCode};
use rsipstack::transport::SipAddr;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::config::PhoneNumber;
use super::rtp::{self, RtpCommand};
use super::sdp::{self, Direction};
use super::{
    CallFailure, CarrierRoute, Dial, EndReason, Party, Transport, TrunkCall, TrunkError,
    TrunkEvent, TrunkInner, TrunkMedia,
};

enum Ctl {
    Hangup(oneshot::Sender<()>),
    Hold(bool, oneshot::Sender<Result<(), TrunkError>>),
    Dtmf(char, oneshot::Sender<Result<(), TrunkError>>),
}

/// Controls one call; cheap to clone. When every clone is dropped the call hangs up.
#[derive(Clone)]
pub struct CallControl {
    tx: mpsc::Sender<Ctl>,
    call_id: Arc<str>,
}

impl std::fmt::Debug for CallControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallControl")
            .field("call_id", &self.call_id)
            .finish()
    }
}

impl CallControl {
    /// CANCEL before the answer, BYE after. Returns once the request is sent (or the call
    /// had already ended).
    pub async fn hangup(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Ctl::Hangup(ack)).await.is_ok() {
            let _ = done.await;
        }
    }

    /// Put the far end on hold (`a=sendonly`) or take it off (`a=sendrecv`), by re-INVITE.
    pub async fn hold(&self, on: bool) -> Result<(), TrunkError> {
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Ctl::Hold(on, ack))
            .await
            .map_err(|_| TrunkError::CallEnded)?;
        done.await.map_err(|_| TrunkError::CallEnded)?
    }

    /// Send one RFC 4733 event (0-9, *, #, A-D) on the media stream.
    pub async fn send_dtmf(&self, digit: char) -> Result<(), TrunkError> {
        if rtp::dtmf_code(digit).is_none() {
            return Err(TrunkError::InvalidNumber);
        }
        let (ack, done) = oneshot::channel();
        self.tx
            .send(Ctl::Dtmf(digit, ack))
            .await
            .map_err(|_| TrunkError::CallEnded)?;
        done.await.map_err(|_| TrunkError::CallEnded)?
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }
}

/// `Session-Expires: 1800;refresher=uac` → (1800 s, Some(true if uac)).
pub(crate) fn parse_session_expires(v: &str) -> Option<(Duration, Option<Refresher>)> {
    let mut parts = v.split(';');
    let secs: u64 = parts.next()?.trim().parse().ok()?;
    let mut refresher = None;
    for p in parts {
        if let Some((k, val)) = p.split_once('=') {
            if k.trim().eq_ignore_ascii_case("refresher") {
                refresher = match val.trim().to_ascii_lowercase().as_str() {
                    "uac" => Some(Refresher::Uac),
                    "uas" => Some(Refresher::Uas),
                    _ => None,
                };
            }
        }
    }
    Some((Duration::from_secs(secs), refresher))
}

fn parse_min_se(v: &str) -> Option<Duration> {
    v.split(';')
        .next()?
        .trim()
        .parse()
        .ok()
        .map(Duration::from_secs)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refresher {
    Uac,
    Uas,
}

fn header_value<'a>(headers: &'a rsipstack::sip::Headers, name: &str) -> Option<&'a str> {
    headers.iter().find_map(|h| match (h, name) {
        (Header::SessionExpires(v), "Session-Expires") => Some(v.value()),
        (Header::MinSE(v), "Min-SE") => Some(v.value()),
        (Header::Other(n, v), _) if n.eq_ignore_ascii_case(name) => Some(v.as_str()),
        (Header::Other(n, v), "Session-Expires") if n == "x" => Some(v.as_str()),
        _ => None,
    })
}

/// When the session timer fires next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionTimer {
    Off,
    /// We refresh at this instant.
    Refresh(Instant),
    /// The far end must have refreshed by this instant.
    Expire(Instant, Duration),
}

impl SessionTimer {
    /// RFC 4028 §10: the refresher refreshes at half the interval; the other side ends
    /// the session at the interval minus min(32 s, interval/3) without a refresh.
    pub fn start(now: Instant, interval: Duration, we_refresh: bool) -> SessionTimer {
        if we_refresh {
            SessionTimer::Refresh(now + interval / 2)
        } else {
            let grace = Duration::from_secs(32).min(interval / 3);
            SessionTimer::Expire(now + interval - grace, interval)
        }
    }

    fn deadline(self) -> Option<Instant> {
        match self {
            SessionTimer::Off => None,
            SessionTimer::Refresh(t) | SessionTimer::Expire(t, _) => Some(t),
        }
    }
}

struct CallTask {
    inner: Arc<TrunkInner>,
    call_id: String,
    route: CarrierRoute,
    caller: PhoneNumber,
    callee: PhoneNumber,
    rtp: mpsc::UnboundedSender<RtpCommand>,
    rtp_port: u16,
    events: mpsc::Sender<TrunkEvent>,
    sdp_session: u64,
    sdp_version: u64,
    local_hold: bool,
    remote_hold: bool,
    remote: Option<sdp::RemoteMedia>,
    session_expires: Duration,
    min_se: Duration,
    ring_timeout: Duration,
}

type Invite = (
    InviteDialog,
    JoinHandle<InviteAsyncResult>,
    DialogStateReceiver,
);

pub(crate) async fn dial(inner: Arc<TrunkInner>, d: Dial) -> Result<TrunkCall, TrunkError> {
    let caller = PhoneNumber::parse(&d.caller_id)?;
    let callee = PhoneNumber::parse(&d.callee)?;
    let route = inner
        .cfg
        .route_for(&callee)
        .cloned()
        .ok_or(TrunkError::NoRoute)?;
    let socket = Arc::new(inner.ports.bind()?);
    let rtp_port = socket
        .local_addr()
        .map_err(|_| TrunkError::NoRtpPort)?
        .port();
    let (ev_tx, ev_rx) = mpsc::channel(64);
    let (to_net_tx, to_net_rx) = mpsc::channel(50);
    let (from_net_tx, from_net_rx) = mpsc::channel(50);
    let (rtp_tx, rtp_rx) = mpsc::unbounded_channel();
    let (ctl_tx, ctl_rx) = mpsc::channel(8);
    let call_id = format!("{:032x}", rand::random::<u128>());
    let mut task = CallTask {
        session_expires: inner.cfg.session_expires,
        min_se: inner.cfg.min_se,
        ring_timeout: d.ring_timeout.unwrap_or(inner.cfg.ring_timeout),
        inner,
        call_id: call_id.clone(),
        route,
        caller,
        callee,
        rtp: rtp_tx,
        rtp_port,
        events: ev_tx.clone(),
        sdp_session: u64::from(rand::random::<u32>()),
        sdp_version: 1,
        local_hold: false,
        remote_hold: false,
        remote: None,
    };
    let first = task.invite()?;
    tracing::info!(call_id = %call_id, "trunk: dialing");
    tokio::spawn(rtp::run(socket, rtp_rx, to_net_rx, from_net_tx, ev_tx));
    tokio::spawn(task.run(ctl_rx, first));
    Ok(TrunkCall {
        events: ev_rx,
        media: TrunkMedia {
            to_network: to_net_tx,
            from_network: from_net_rx,
        },
        control: CallControl {
            tx: ctl_tx,
            call_id: call_id.into(),
        },
    })
}

impl CallTask {
    fn local_ip(&self) -> std::net::IpAddr {
        let ip = self.inner.sip_addr.ip();
        if ip.is_unspecified() {
            self.inner.cfg.rtp_ip
        } else {
            ip
        }
    }

    fn timer_headers(&self) -> Vec<Header> {
        vec![
            Header::SessionExpires(
                format!("{};refresher=uac", self.session_expires.as_secs()).into(),
            ),
            Header::MinSE(self.min_se.as_secs().to_string().into()),
            Header::Supported("timer".into()),
        ]
    }

    fn our_direction(&self) -> Direction {
        let base = self
            .remote
            .as_ref()
            .map(|r| r.direction.mirror())
            .unwrap_or(Direction::SendRecv);
        match (self.local_hold, base) {
            (false, d) => d,
            (true, Direction::SendRecv) => Direction::SendOnly,
            (true, Direction::RecvOnly) => Direction::Inactive,
            (true, d) => d,
        }
    }

    fn send_event(&self, e: TrunkEvent) {
        if self.events.try_send(e).is_err() {
            tracing::debug!(call_id = %self.call_id, "trunk: event dropped (receiver full or gone)");
        }
    }

    /// Send the INVITE (again after a 422).
    fn invite(&mut self) -> Result<Invite, TrunkError> {
        let sip = self.inner.sip_addr;
        let ip = self.local_ip();
        let tp = match self.route.transport {
            Transport::Udp => "",
            Transport::Tcp => ";transport=tcp",
        };
        let uri = |s: String| {
            rsipstack::sip::Uri::try_from(s)
                .map_err(|e| TrunkError::from(rsipstack::Error::from(e)))
        };
        let caller = uri(format!(
            "sip:{}@{}",
            self.caller.as_str(),
            fmt_host(ip, sip.port())
        ))?;
        let callee = uri(format!(
            "sip:{}@{}{tp}",
            self.callee.as_str(),
            self.route.address
        ))?;
        let contact = uri(format!(
            "sip:{}@{}{tp}",
            self.caller.as_str(),
            fmt_host(ip, sip.port())
        ))?;
        let mut headers = vec![Header::PAssertedIdentity(
            format!("<sip:{}@{}>", self.caller.as_str(), ip).into(),
        )];
        headers.extend(self.timer_headers());
        headers.push(Header::Allow(
            "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, INFO".into(),
        ));
        let offer = sdp::offer(
            self.inner.cfg.rtp_ip,
            self.rtp_port,
            self.sdp_session,
            self.sdp_version,
            Direction::SendRecv,
        );
        let opt = InviteOption {
            caller,
            callee,
            contact,
            destination: Some(SipAddr {
                r#type: Some(match self.route.transport {
                    Transport::Udp => rsipstack::sip::Transport::Udp,
                    Transport::Tcp => rsipstack::sip::Transport::Tcp,
                }),
                addr: self.route.address.into(),
            }),
            content_type: Some("application/sdp".to_string()),
            offer: Some(offer.into_bytes()),
            credential: self.route.auth.as_ref().map(|a| Credential {
                username: a.username.clone(),
                password: a.password.clone(),
                realm: None,
                auth_username: None,
            }),
            headers: Some(headers),
            call_id: Some(self.call_id.clone()),
            ..Default::default()
        };
        let (state_tx, state_rx) = self.inner.dialogs.new_dialog_state_channel();
        let (dialog, join) = self.inner.dialogs.do_invite_async(opt, state_tx)?;
        Ok((dialog, join, state_rx))
    }

    async fn run(mut self, mut ctl: mpsc::Receiver<Ctl>, first: Invite) {
        let cancel = self.inner.cancel.clone();
        let Some((dialog, states, answer)) = self.setup(&mut ctl, first).await else {
            return;
        };
        let remote = match sdp::parse_remote(answer.body()) {
            Ok(r) => r,
            Err(e) => {
                tracing::info!(call_id = %self.call_id, error = %e, "trunk: unusable SDP answer, hanging up");
                let _ = dialog.bye().await;
                self.inner.dialogs.remove_dialog(&dialog.id());
                self.send_event(TrunkEvent::Failed(CallFailure::Other(488)));
                return;
            }
        };
        self.remote = Some(remote.clone());
        let _ = self.rtp.send(RtpCommand::Remote(remote));
        tracing::info!(call_id = %self.call_id, "trunk: answered");
        self.send_event(TrunkEvent::Answered);
        let timer = match header_value(&answer.headers, "Session-Expires")
            .and_then(parse_session_expires)
        {
            Some((interval, refresher)) => {
                self.session_expires = interval;
                SessionTimer::start(Instant::now(), interval, refresher != Some(Refresher::Uas))
            }
            None => SessionTimer::Off,
        };
        let (by, reason) = self
            .confirmed(&mut ctl, &dialog, states, timer, cancel)
            .await;
        self.inner.dialogs.remove_dialog(&dialog.id());
        tracing::info!(call_id = %self.call_id, ?by, ?reason, "trunk: call ended");
        self.send_event(TrunkEvent::Ended { by, reason });
    }

    /// From the INVITE to the final response. `Some` with the 2xx when answered; `None`
    /// when the call failed or was cancelled (its event already sent).
    async fn setup(
        &mut self,
        ctl: &mut mpsc::Receiver<Ctl>,
        first: Invite,
    ) -> Option<(InviteDialog, DialogStateReceiver, Response)> {
        let (mut dialog, mut join, mut states) = first;
        let ring_deadline = Instant::now() + self.ring_timeout;
        let mut cancelled = false;
        let mut timed_out = false;
        let mut provisional = false;
        let mut states_open = true;
        let mut ctl_open = true;
        let mut retries_422 = 0;
        let mut hangup_acks: Vec<oneshot::Sender<()>> = Vec::new();
        let failure = loop {
            tokio::select! {
                st = states.recv(), if states_open => match st {
                    Some(DialogState::Early(_, resp)) => {
                        provisional = true;
                        self.on_provisional(&resp);
                    }
                    Some(DialogState::Trying(_)) => provisional = true,
                    Some(_) => {}
                    None => states_open = false,
                },
                r = &mut join => {
                    let resp = match r {
                        Ok(Ok((_, Some(resp)))) => resp,
                        Ok(Ok((_, None))) => {
                            break if cancelled { None } else if provisional { Some(CallFailure::NoAnswer) } else { Some(CallFailure::Unavailable) };
                        }
                        Ok(Err(e)) => {
                            let e = TrunkError::from(e);
                            tracing::info!(call_id = %self.call_id, error = %e, "trunk: INVITE failed");
                            break if cancelled { None } else { Some(CallFailure::Unavailable) };
                        }
                        Err(_) => break Some(CallFailure::Unavailable),
                    };
                    let code = resp.status_code.code();
                    if (200..300).contains(&code) {
                        if cancelled || timed_out {
                            // The 200 crossed our CANCEL: rsipstack ACKs and BYEs it.
                            break if cancelled { None } else { Some(CallFailure::NoAnswer) };
                        }
                        for a in hangup_acks.drain(..) {
                            let _ = a.send(());
                        }
                        return Some((dialog, states, resp));
                    }
                    if code == 422 && retries_422 < 2 && !cancelled && !timed_out {
                        retries_422 += 1;
                        if let Some(min) = header_value(&resp.headers, "Min-SE").and_then(parse_min_se) {
                            self.min_se = self.min_se.max(min);
                            self.session_expires = self.session_expires.max(min);
                        }
                        tracing::info!(call_id = %self.call_id, secs = self.session_expires.as_secs(), "trunk: 422, retrying with a longer Session-Expires");
                        match self.invite() {
                            Ok((d, j, s)) => {
                                dialog = d;
                                join = j;
                                states = s;
                                states_open = true;
                                continue;
                            }
                            Err(_) => break Some(CallFailure::Unavailable),
                        }
                    }
                    tracing::info!(call_id = %self.call_id, code, "trunk: call failed");
                    break if cancelled {
                        None
                    } else if timed_out {
                        Some(CallFailure::NoAnswer)
                    } else {
                        Some(CallFailure::from_status(code))
                    };
                }
                c = ctl.recv(), if ctl_open => match c {
                    Some(Ctl::Hangup(ack)) => {
                        if !cancelled {
                            cancelled = true;
                            if let Err(e) = dialog.cancel().await {
                                let _ = TrunkError::from(e);
                            }
                        }
                        hangup_acks.push(ack);
                    }
                    None => {
                        ctl_open = false;
                        if !cancelled {
                            cancelled = true;
                            let _ = dialog.cancel().await;
                        }
                    }
                    Some(Ctl::Hold(_, ack)) => {
                        let _ = ack.send(Err(TrunkError::CallEnded));
                    }
                    Some(Ctl::Dtmf(d, ack)) => {
                        let _ = self.rtp.send(RtpCommand::Dtmf(d));
                        let _ = ack.send(Ok(()));
                    }
                },
                _ = tokio::time::sleep_until(ring_deadline), if !cancelled && !timed_out => {
                    tracing::info!(call_id = %self.call_id, "trunk: ring timeout, cancelling");
                    timed_out = true;
                    let _ = dialog.cancel().await;
                }
            }
        };
        match failure {
            Some(f) => self.send_event(TrunkEvent::Failed(f)),
            None => self.send_event(TrunkEvent::Ended {
                by: Party::Local,
                reason: EndReason::Cancelled,
            }),
        }
        for a in hangup_acks {
            let _ = a.send(());
        }
        None
    }

    fn on_provisional(&mut self, resp: &Response) {
        let code = resp.status_code.code();
        let mut early_media = false;
        if !resp.body().is_empty() {
            if let Ok(r) = sdp::parse_remote(resp.body()) {
                early_media = true;
                self.remote = Some(r.clone());
                let _ = self.rtp.send(RtpCommand::Remote(r));
            }
        }
        if code == 180 || code == 183 || early_media {
            self.send_event(TrunkEvent::Ringing { early_media });
        }
    }

    async fn confirmed(
        &mut self,
        ctl: &mut mpsc::Receiver<Ctl>,
        dialog: &InviteDialog,
        mut states: DialogStateReceiver,
        mut timer: SessionTimer,
        cancel: rsipstack::platform::CancellationToken,
    ) -> (Party, EndReason) {
        loop {
            let deadline = timer.deadline();
            tokio::select! {
                st = states.recv() => match st {
                    Some(DialogState::Updated(_, req, handle)) => {
                        if let Some(t) = self.on_remote_offer(req, handle).await {
                            timer = t;
                        }
                    }
                    Some(DialogState::Options(_, _, handle)) => {
                        let _ = handle.reply(StatusCode::OK).await;
                    }
                    Some(DialogState::Info(_, req, handle)) => {
                        self.on_info(&req);
                        let _ = handle.reply(StatusCode::OK).await;
                    }
                    Some(DialogState::Notify(_, _, handle)) | Some(DialogState::Message(_, _, handle)) | Some(DialogState::Refer(_, _, handle)) => {
                        let _ = handle.reply(StatusCode::MethodNotAllowed).await;
                    }
                    Some(DialogState::Terminated(_, reason)) => {
                        return match reason {
                            TerminatedReason::UasBye => (Party::Remote, EndReason::Hangup),
                            TerminatedReason::UacBye => (Party::Local, EndReason::Hangup),
                            _ => (Party::Remote, EndReason::Other),
                        };
                    }
                    Some(_) => {}
                    None => return (Party::Local, EndReason::Other),
                },
                c = ctl.recv() => match c {
                    Some(Ctl::Hangup(ack)) => {
                        let _ = dialog.bye().await;
                        let _ = ack.send(());
                        return (Party::Local, EndReason::Hangup);
                    }
                    None => {
                        let _ = dialog.bye().await;
                        return (Party::Local, EndReason::Hangup);
                    }
                    Some(Ctl::Hold(on, ack)) => {
                        let r = self.hold(dialog, on).await;
                        let _ = ack.send(r);
                    }
                    Some(Ctl::Dtmf(d, ack)) => {
                        let _ = self.rtp.send(RtpCommand::Dtmf(d));
                        let _ = ack.send(Ok(()));
                    }
                },
                _ = sleep_until_opt(deadline) => match timer {
                    SessionTimer::Refresh(_) => match self.refresh(dialog).await {
                        Some(t) => timer = t,
                        None => {
                            let _ = dialog.bye().await;
                            return (Party::Local, EndReason::SessionTimer);
                        }
                    },
                    SessionTimer::Expire(..) => {
                        tracing::info!(call_id = %self.call_id, "trunk: the far end did not refresh the session");
                        let _ = dialog.bye().await;
                        return (Party::Local, EndReason::SessionTimer);
                    }
                    SessionTimer::Off => {}
                },
                _ = cancel.cancelled() => {
                    let _ = tokio::time::timeout(Duration::from_secs(1), dialog.bye()).await;
                    return (Party::Local, EndReason::Shutdown);
                }
            }
        }
    }

    fn local_sdp(&mut self, bump: bool) -> Vec<u8> {
        if bump {
            self.sdp_version += 1;
        }
        let dir = self.our_direction();
        match &self.remote {
            Some(r) => sdp::answer(
                self.inner.cfg.rtp_ip,
                self.rtp_port,
                self.sdp_session,
                self.sdp_version,
                r,
                dir,
            ),
            None => sdp::offer(
                self.inner.cfg.rtp_ip,
                self.rtp_port,
                self.sdp_session,
                self.sdp_version,
                dir,
            ),
        }
        .into_bytes()
    }

    /// Our re-INVITE for hold/resume. The answer may move the far end's media.
    async fn hold(&mut self, dialog: &InviteDialog, on: bool) -> Result<(), TrunkError> {
        self.local_hold = on;
        let body = self.offer_for_reinvite();
        let mut headers = vec![Header::ContentType("application/sdp".into())];
        headers.extend(self.timer_headers());
        let resp = dialog.reinvite(Some(headers), Some(body)).await?;
        match resp {
            Some(r) if r.status_code.kind() == rsipstack::sip::StatusCodeKind::Successful => {
                if let Ok(m) = sdp::parse_remote(r.body()) {
                    self.remote = Some(m.clone());
                    let _ = self.rtp.send(RtpCommand::Remote(m));
                }
                Ok(())
            }
            Some(r) => {
                tracing::info!(call_id = %self.call_id, code = r.status_code.code(), "trunk: hold re-INVITE refused");
                Err(TrunkError::Stack {
                    layer: super::StackLayer::Dialog,
                })
            }
            None => Err(TrunkError::CallEnded),
        }
    }

    /// A full offer (all our codecs) with our current direction: used for our re-INVITEs.
    fn offer_for_reinvite(&mut self) -> Vec<u8> {
        self.sdp_version += 1;
        let dir = if self.local_hold {
            Direction::SendOnly
        } else {
            Direction::SendRecv
        };
        sdp::offer(
            self.inner.cfg.rtp_ip,
            self.rtp_port,
            self.sdp_session,
            self.sdp_version,
            dir,
        )
        .into_bytes()
    }

    /// RFC 4028 refresh by re-INVITE. `None`: the refresh failed, end the call.
    async fn refresh(&mut self, dialog: &InviteDialog) -> Option<SessionTimer> {
        for _ in 0..2 {
            let body = self.local_sdp(false);
            let mut headers = vec![Header::ContentType("application/sdp".into())];
            headers.extend(self.timer_headers());
            tracing::debug!(call_id = %self.call_id, "trunk: session refresh");
            let resp = match dialog.reinvite(Some(headers), Some(body)).await {
                Ok(Some(r)) => r,
                Ok(None) | Err(_) => {
                    tracing::info!(call_id = %self.call_id, "trunk: session refresh got no answer");
                    return None;
                }
            };
            let code = resp.status_code.code();
            if (200..300).contains(&code) {
                let (interval, refresher) = header_value(&resp.headers, "Session-Expires")
                    .and_then(parse_session_expires)
                    .unwrap_or((self.session_expires, Some(Refresher::Uac)));
                self.session_expires = interval;
                return Some(SessionTimer::start(
                    Instant::now(),
                    interval,
                    refresher != Some(Refresher::Uas),
                ));
            }
            if code == 422 {
                if let Some(min) = header_value(&resp.headers, "Min-SE").and_then(parse_min_se) {
                    self.min_se = self.min_se.max(min);
                    self.session_expires = self.session_expires.max(min);
                    continue;
                }
            }
            tracing::info!(call_id = %self.call_id, code, "trunk: session refresh refused");
            return None;
        }
        None
    }

    /// A re-INVITE or UPDATE from the far end: answer with our SDP, keep the call.
    async fn on_remote_offer(
        &mut self,
        req: Request,
        handle: TransactionHandle,
    ) -> Option<SessionTimer> {
        let is_invite = req.method == Method::Invite;
        let mut headers = Vec::new();
        let timer;
        if !req.body.is_empty() {
            match sdp::parse_remote(&req.body) {
                Ok(r) => {
                    let hold = r.direction.is_hold();
                    if hold != self.remote_hold {
                        self.remote_hold = hold;
                        self.send_event(TrunkEvent::RemoteHold(hold));
                    }
                    self.remote = Some(r.clone());
                    let _ = self.rtp.send(RtpCommand::Remote(r));
                }
                Err(e) => {
                    tracing::info!(call_id = %self.call_id, error = %e, "trunk: refused a re-offer");
                    let _ = handle.reply(StatusCode::NotAcceptableHere).await;
                    return None;
                }
            }
        }
        // RFC 4028 §9: a refresh from the far end; echo its interval and say who refreshes.
        if let Some((interval, refresher)) =
            header_value(&req.headers, "Session-Expires").and_then(parse_session_expires)
        {
            if interval < self.min_se {
                let _ = handle
                    .respond(
                        StatusCode::SessionIntervalTooSmall,
                        Some(vec![Header::MinSE(
                            self.min_se.as_secs().to_string().into(),
                        )]),
                        None,
                    )
                    .await;
                return None;
            }
            let refresher = refresher.unwrap_or(Refresher::Uas);
            let label = match refresher {
                Refresher::Uac => "uac",
                Refresher::Uas => "uas",
            };
            headers.push(Header::SessionExpires(
                format!("{};refresher={label}", interval.as_secs()).into(),
            ));
            if refresher == Refresher::Uac {
                headers.push(Header::Require("timer".into()));
            }
            // In this transaction the far end is the UAC: "uas" means we refresh.
            timer = Some(SessionTimer::start(
                Instant::now(),
                interval,
                refresher == Refresher::Uas,
            ));
            self.session_expires = interval;
        } else {
            // A target refresh without Session-Expires still proves the far end is there.
            timer = Some(SessionTimer::start(
                Instant::now(),
                self.session_expires,
                true,
            ));
        }
        let body = if !req.body.is_empty() {
            Some(self.local_sdp(true))
        } else if is_invite {
            Some(self.offer_for_reinvite())
        } else {
            None
        };
        if body.is_some() {
            headers.push(Header::ContentType("application/sdp".into()));
        }
        headers.push(Header::Supported("timer".into()));
        let _ = handle.respond(StatusCode::OK, Some(headers), body).await;
        timer
    }

    /// SIP INFO with application/dtmf-relay (`Signal=5`).
    fn on_info(&self, req: &Request) {
        let Ok(text) = std::str::from_utf8(&req.body) else {
            return;
        };
        for line in text.lines() {
            if let Some((k, v)) = line.split_once('=') {
                if k.trim().eq_ignore_ascii_case("signal") {
                    if let Some(c) = v.trim().chars().next() {
                        if rtp::dtmf_code(c.to_ascii_uppercase()).is_some() {
                            self.send_event(TrunkEvent::Dtmf(c.to_ascii_uppercase()));
                        }
                    }
                }
            }
        }
    }
}

fn fmt_host(ip: std::net::IpAddr, port: u16) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => format!("{v4}:{port}"),
        std::net::IpAddr::V6(v6) => format!("[{v6}]:{port}"),
    }
}

async fn sleep_until_opt(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_expires_values() {
        assert_eq!(
            parse_session_expires("1800;refresher=uac"),
            Some((Duration::from_secs(1800), Some(Refresher::Uac)))
        );
        assert_eq!(
            parse_session_expires(" 90 ; refresher = UAS"),
            Some((Duration::from_secs(90), Some(Refresher::Uas)))
        );
        assert_eq!(
            parse_session_expires("90"),
            Some((Duration::from_secs(90), None))
        );
        assert_eq!(parse_session_expires("soon"), None);
        assert_eq!(parse_min_se("120;x=y"), Some(Duration::from_secs(120)));
    }

    #[test]
    fn refresher_refreshes_at_half_and_the_other_side_expires_before_the_end() {
        let now = Instant::now();
        assert_eq!(
            SessionTimer::start(now, Duration::from_secs(1800), true),
            SessionTimer::Refresh(now + Duration::from_secs(900))
        );
        assert_eq!(
            SessionTimer::start(now, Duration::from_secs(1800), false),
            SessionTimer::Expire(now + Duration::from_secs(1768), Duration::from_secs(1800))
        );
        assert_eq!(
            SessionTimer::start(now, Duration::from_secs(90), false),
            SessionTimer::Expire(now + Duration::from_secs(60), Duration::from_secs(90))
        );
    }

    #[test]
    fn failures_map_like_the_brief_says() {
        assert_eq!(CallFailure::from_status(486), CallFailure::Busy);
        assert_eq!(CallFailure::from_status(600), CallFailure::Busy);
        assert_eq!(CallFailure::from_status(487), CallFailure::NoAnswer);
        assert_eq!(CallFailure::from_status(480), CallFailure::NoAnswer);
        assert_eq!(CallFailure::from_status(403), CallFailure::Rejected);
        assert_eq!(CallFailure::from_status(603), CallFailure::Rejected);
        assert_eq!(CallFailure::from_status(503), CallFailure::Unavailable);
        assert_eq!(CallFailure::from_status(488), CallFailure::Other(488));
    }
}
