//! A client for baresip's `ctrl_tcp` module: netstring-framed JSON commands and events.
//!
//! Commands are `{"command","params","token"}`; baresip answers with
//! `{"response":true,"ok","data","token"}` and pushes `{"event":true,"type",...}` events on
//! the same connection. A reader task keeps every event, so a test can wait for an event
//! that arrived before it started waiting.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// Longest netstring accepted from baresip; anything longer is a framing error.
const MAX_FRAME: usize = 1 << 20;
/// How long a command waits for its response.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// Events kept per connection; older ones are dropped (a test never needs more).
const MAX_EVENTS: usize = 10_000;

/// The kind of a baresip event (`type` in its JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EventKind {
    CallIncoming,
    CallRinging,
    CallProgress,
    CallEstablished,
    CallClosed,
    /// A DTMF digit started arriving (the digit is in [`Event::param`]).
    DtmfStart,
    DtmfEnd,
    /// Any other type, e.g. `CALL_RTPESTAB`, `CALL_LOCAL_SDP`, `AUDIO_ERROR`.
    Other(String),
}

impl EventKind {
    fn parse(kind: &str) -> Self {
        match kind {
            "CALL_INCOMING" => Self::CallIncoming,
            "CALL_RINGING" => Self::CallRinging,
            "CALL_PROGRESS" => Self::CallProgress,
            "CALL_ESTABLISHED" => Self::CallEstablished,
            "CALL_CLOSED" => Self::CallClosed,
            "CALL_DTMF_START" => Self::DtmfStart,
            "CALL_DTMF_END" => Self::DtmfEnd,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// One event from baresip.
#[derive(Debug, Clone)]
pub struct Event {
    pub kind: EventKind,
    /// baresip's call id (`id`), when the event belongs to a call.
    pub call_id: Option<String>,
    /// The remote party's URI (`peeruri`).
    pub peer_uri: Option<String>,
    /// `param`: the reason for `CALL_CLOSED`, the digit for `CALL_DTMF_START`.
    pub param: Option<String>,
    /// The whole event as baresip sent it.
    pub raw: Value,
}

impl Event {
    fn from_json(raw: Value) -> Self {
        let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
        Self {
            kind: EventKind::parse(raw.get("type").and_then(Value::as_str).unwrap_or("")),
            call_id: text("id"),
            peer_uri: text("peeruri"),
            param: text("param"),
            raw,
        }
    }

    /// The reason text of a `CALL_CLOSED` event (e.g. "Connection reset by peer", "486 Busy Here").
    pub fn reason(&self) -> Option<&str> {
        self.param.as_deref()
    }
}

#[derive(Default)]
struct State {
    /// Events in arrival order, with whether a `wait_for` already returned them.
    events: Vec<(Event, bool)>,
    responses: HashMap<String, Value>,
    /// Set when the connection ended, with why.
    closed: Option<String>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    notify: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A connected `ctrl_tcp` session.
pub struct Ctrl {
    writer: tokio::sync::Mutex<OwnedWriteHalf>,
    shared: Arc<Shared>,
    next_token: AtomicU64,
    reader: JoinHandle<()>,
}

impl Drop for Ctrl {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Ctrl {
    /// Wraps a connected stream and starts reading events from it.
    pub fn new(stream: TcpStream) -> Self {
        let (read, write) = stream.into_split();
        let shared = Arc::new(Shared::default());
        let reader = tokio::spawn(read_loop(read, Arc::clone(&shared)));
        Self {
            writer: tokio::sync::Mutex::new(write),
            shared,
            next_token: AtomicU64::new(1),
            reader,
        }
    }

    /// Runs a long command (`dial`, `accept`, `hangup`, `hold`, `resume`, `sndcode`, ...) and
    /// returns its response text; fails when baresip says it failed or does not answer.
    pub async fn command(&self, command: &str, params: Option<&str>) -> Result<String> {
        let token = self.next_token.fetch_add(1, Ordering::Relaxed).to_string();
        let mut body = json!({ "command": command, "token": token });
        if let Some(params) = params {
            body["params"] = Value::from(params);
        }
        let payload = body.to_string();
        let frame = format!("{}:{payload},", payload.len());
        {
            let mut writer = self.writer.lock().await;
            tokio::time::timeout(COMMAND_TIMEOUT, writer.write_all(frame.as_bytes()))
                .await
                .map_err(|_| anyhow!("sending `{command}` to baresip timed out"))?
                .with_context(|| format!("sending `{command}` to baresip"))?;
        }
        let response = self
            .wait(COMMAND_TIMEOUT, |state| state.responses.remove(&token))
            .await
            .with_context(|| format!("waiting for baresip's response to `{command}`"))?;
        let data = response
            .get("data")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if response.get("ok").and_then(Value::as_bool) != Some(true) {
            bail!("baresip refused `{command}`: {data}");
        }
        Ok(data)
    }

    /// The first event of `kind` that no earlier wait returned, waiting at most `timeout`.
    pub async fn wait_for(&self, kind: EventKind, timeout: Duration) -> Result<Event> {
        let wanted = kind.clone();
        self.wait_for_match(move |e| e.kind == wanted, timeout)
            .await
            .with_context(|| format!("waiting for baresip event {kind:?}"))
    }

    /// The first event matching `pred` that no earlier wait returned.
    pub async fn wait_for_match(
        &self,
        pred: impl Fn(&Event) -> bool,
        timeout: Duration,
    ) -> Result<Event> {
        let found = self
            .wait(timeout, |state| {
                let (event, taken) = state.events.iter_mut().find(|(e, t)| !*t && pred(e))?;
                *taken = true;
                Some(event.clone())
            })
            .await;
        found.map_err(|e| {
            let seen: Vec<String> = self
                .events()
                .iter()
                .map(|e| format!("{:?}({})", e.kind, e.param.as_deref().unwrap_or("")))
                .collect();
            anyhow!("{e}; events so far: [{}]", seen.join(", "))
        })
    }

    /// Every event received so far.
    pub fn events(&self) -> Vec<Event> {
        self.shared
            .lock()
            .events
            .iter()
            .map(|(e, _)| e.clone())
            .collect()
    }

    async fn wait<T>(
        &self,
        timeout: Duration,
        mut take: impl FnMut(&mut State) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.notify.notified();
            {
                let mut state = self.shared.lock();
                if let Some(found) = take(&mut state) {
                    return Ok(found);
                }
                if let Some(why) = &state.closed {
                    bail!("baresip's control connection ended: {why}");
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                bail!("timed out after {timeout:?}");
            }
        }
    }
}

async fn read_loop(mut read: tokio::net::tcp::OwnedReadHalf, shared: Arc<Shared>) {
    let mut buf = Vec::with_capacity(4096);
    let why = loop {
        match take_frame(&mut buf) {
            Ok(Some(frame)) => {
                deliver(&shared, &frame);
                continue;
            }
            Ok(None) => {}
            Err(e) => break e.to_string(),
        }
        let mut chunk = [0u8; 4096];
        match read.read(&mut chunk).await {
            Ok(0) => break "closed by baresip".to_owned(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => break format!("read error: {e}"),
        }
    };
    shared.lock().closed = Some(why);
    shared.notify.notify_waiters();
}

fn deliver(shared: &Shared, frame: &[u8]) {
    let Ok(value) = serde_json::from_slice::<Value>(frame) else {
        tracing::warn!(len = frame.len(), "baresip sent a frame that is not JSON");
        return;
    };
    {
        let mut state = shared.lock();
        if value.get("response").and_then(Value::as_bool) == Some(true) {
            let token = value
                .get("token")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            state.responses.insert(token, value);
        } else if value.get("event").and_then(Value::as_bool) == Some(true) {
            let event = Event::from_json(value);
            tracing::debug!(kind = ?event.kind, "baresip event");
            if state.events.len() >= MAX_EVENTS {
                state.events.remove(0);
            }
            state.events.push((event, false));
        }
    }
    shared.notify.notify_waiters();
}

/// Takes one complete netstring (`<len>:<payload>,`) off the front of `buf`.
pub(crate) fn take_frame(buf: &mut Vec<u8>) -> Result<Option<Vec<u8>>> {
    let Some(colon) = buf.iter().take(12).position(|&b| b == b':') else {
        if buf.len() >= 12 {
            bail!("netstring length prefix is too long");
        }
        return Ok(None);
    };
    let len: usize = std::str::from_utf8(&buf[..colon])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow!("netstring length prefix is not a number"))?;
    if len > MAX_FRAME {
        bail!("netstring of {len} bytes exceeds {MAX_FRAME}");
    }
    let end = colon + 1 + len;
    if buf.len() <= end {
        return Ok(None);
    }
    if buf[end] != b',' {
        bail!("netstring does not end with ','");
    }
    let payload = buf[colon + 1..end].to_vec();
    buf.drain(..=end);
    Ok(Some(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netstrings_are_split_and_partial_ones_wait() {
        let mut buf = b"3:abc,2:xy,4:pa".to_vec();
        assert_eq!(take_frame(&mut buf).unwrap().unwrap(), b"abc");
        assert_eq!(take_frame(&mut buf).unwrap().unwrap(), b"xy");
        assert!(take_frame(&mut buf).unwrap().is_none());
        buf.extend_from_slice(b"rt,");
        assert_eq!(take_frame(&mut buf).unwrap().unwrap(), b"part");
        assert!(buf.is_empty());
    }

    #[test]
    fn bad_netstrings_are_errors() {
        assert!(take_frame(&mut b"x:abc,".to_vec()).is_err());
        assert!(take_frame(&mut b"3:abc;".to_vec()).is_err());
        assert!(take_frame(&mut b"1234567890123".to_vec()).is_err());
    }

    #[tokio::test]
    async fn events_and_responses_are_routed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let ev = r#"{"event":true,"type":"CALL_CLOSED","id":"c1","param":"486 Busy Here"}"#;
            sock.write_all(format!("{}:{ev},", ev.len()).as_bytes())
                .await
                .unwrap();
            let mut buf = vec![0u8; 256];
            let n = sock.read(&mut buf).await.unwrap();
            let mut frame = buf[..n].to_vec();
            let req: Value =
                serde_json::from_slice(&take_frame(&mut frame).unwrap().unwrap()).unwrap();
            assert_eq!(req["command"], "dial");
            let resp = json!({"response": true, "ok": true, "data": "", "token": req["token"]})
                .to_string();
            sock.write_all(format!("{}:{resp},", resp.len()).as_bytes())
                .await
                .unwrap();
            sock
        });
        let ctrl = Ctrl::new(TcpStream::connect(addr).await.unwrap());
        ctrl.command("dial", Some("sip:x@127.0.0.1")).await.unwrap();
        let closed = ctrl
            .wait_for(EventKind::CallClosed, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(closed.reason(), Some("486 Busy Here"));
        assert_eq!(closed.call_id.as_deref(), Some("c1"));
        // Already returned once: a second wait does not see it again.
        assert!(ctrl
            .wait_for(EventKind::CallClosed, Duration::from_millis(50))
            .await
            .is_err());
        drop(server.await.unwrap());
    }
}
