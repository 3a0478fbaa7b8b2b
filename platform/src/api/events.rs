//! `GET /api/v1/events`: one WebSocket per device. The bearer token is checked on the
//! upgrade request (header only: a token in a URL ends up in logs and proxies).
//!
//! The first frame is `Hello { status }`, then `EventFrame`s with increasing `seq`. The
//! server pings every `ping_interval` and re-checks the session then; a client silent for
//! three intervals is dropped. Client text frames that are not JSON get an `ApiError`
//! frame back; JSON frames are `DeviceFrame`s for the call service (the WebRTC offers of
//! VoIP calls), which ignores (logs at debug, counts) those that do not parse.

use super::auth::AgentAuth;
use super::error::{ApiResult, Failure};
use super::AppState;
use crate::hub::CloseReason;
use crate::store::now_ms;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use seatline_proto::events::SessionEndReason;
use seatline_proto::{ApiError, Event, EventFrame};
use std::time::{Duration, Instant};

/// A send that takes longer than this means the client stopped reading.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const POLICY: u16 = 1008;
    pub const TRY_AGAIN_LATER: u16 = 1013;
}

pub async fn upgrade(
    State(st): State<AppState>,
    me: AgentAuth,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let ws = ws.map_err(|_| Failure::bad_request(None, "expected a WebSocket upgrade request"))?;
    Ok(ws
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| async move {
            let agent_id = me.agent_id;
            tracing::info!(
                agent_id,
                device_kind = me.device_kind.as_str(),
                "event socket open"
            );
            run(st, me, socket).await;
            tracing::info!(agent_id, "event socket closed");
        }))
}

struct Sender {
    socket: WebSocket,
    seq: u64,
}

impl Sender {
    async fn send(&mut self, msg: Message) -> bool {
        matches!(
            tokio::time::timeout(SEND_TIMEOUT, self.socket.send(msg)).await,
            Ok(Ok(()))
        )
    }

    async fn event(&mut self, event: Event) -> bool {
        self.seq += 1;
        let frame = EventFrame {
            seq: self.seq,
            at_ms: now_ms(),
            event,
        };
        match serde_json::to_string(&frame) {
            Ok(json) => self.send(Message::Text(json.into())).await,
            Err(_) => false,
        }
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let frame = CloseFrame {
            code,
            reason: reason.into(),
        };
        let _ = self.send(Message::Close(Some(frame))).await;
    }
}

async fn run(st: AppState, me: AgentAuth, socket: WebSocket) {
    // Subscribe before reading the snapshot: an event committed after the read is then
    // queued, not lost. (One committed before it may repeat what Hello says: harmless.)
    let mut sub = st
        .hub
        .subscribe(me.enterprise_id, me.agent_id, me.session_id);
    let mut out = Sender { socket, seq: 0 };
    let status = match st.store.session_alive(me.session_id, now_ms()).await {
        Ok(true) => st.store.agent_status(me.agent_id, now_ms()).await,
        Ok(false) => {
            out.close(close_code::POLICY, "session ended").await;
            return;
        }
        Err(e) => Err(e),
    };
    let status = match status {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "event socket: status failed");
            out.close(close_code::TRY_AGAIN_LATER, "try again").await;
            return;
        }
    };
    if !out
        .event(Event::Hello {
            status: Box::new(status),
        })
        .await
    {
        return;
    }

    let ping_every = st.config.ping_interval;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut last_heard = Instant::now();
    loop {
        tokio::select! {
            event = sub.rx.recv() => match event {
                Some(event) => {
                    if !out.event(event).await {
                        return;
                    }
                }
                None => {
                    let (code, reason) = match sub.close_reason() {
                        Some(CloseReason::Lagged) => (close_code::TRY_AGAIN_LATER, "lagged: reconnect"),
                        Some(CloseReason::Shutdown) => (close_code::GOING_AWAY, "server shutting down"),
                        Some(CloseReason::SessionEnded) | None => (close_code::NORMAL, "session ended"),
                    };
                    out.close(code, reason).await;
                    return;
                }
            },
            incoming = out.socket.recv() => match incoming {
                Some(Ok(msg)) => {
                    last_heard = Instant::now();
                    match msg {
                        Message::Text(text) => {
                            if serde_json::from_str::<serde_json::Value>(text.as_str()).is_err() {
                                let err = ApiError::bad_request(None, "frames must be JSON");
                                let json = serde_json::to_string(&err).unwrap_or_default();
                                if !out.send(Message::Text(json.into())).await {
                                    return;
                                }
                            } else {
                                // A `DeviceFrame` (WebRTC signalling of a call); anything
                                // else is ignored and counted by the call service.
                                st.calls.device_frame(&me, text.as_str());
                            }
                        }
                        Message::Close(_) => return,
                        // Pongs only prove the client is alive; axum answers pings itself;
                        // binary frames carry nothing yet.
                        Message::Ping(_) | Message::Pong(_) | Message::Binary(_) => {}
                    }
                }
                Some(Err(_)) | None => return,
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > ping_every * 3 {
                    out.close(close_code::POLICY, "no pong").await;
                    return;
                }
                // The session may have ended on another node or expired.
                match st.store.session_alive(me.session_id, now_ms()).await {
                    Ok(true) => {}
                    Ok(false) => {
                        let _ = out.event(Event::SessionEnded { reason: SessionEndReason::Expired }).await;
                        out.close(close_code::NORMAL, "session ended").await;
                        return;
                    }
                    Err(e) => tracing::warn!(error = %e, "event socket: session check failed"),
                }
                if !out.send(Message::Ping(Vec::new().into())).await {
                    return;
                }
            }
        }
    }
}
