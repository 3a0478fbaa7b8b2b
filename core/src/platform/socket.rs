//! The device's event socket: one WebSocket per device (DESIGN "Wires"), authenticated by
//! the bearer token in the upgrade request, carrying `EventFrame`s as JSON text frames.

use futures_util::{SinkExt, StreamExt};
use seatline_proto::{paths, DeviceFrame, EventFrame};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The platform pings every 20 s; three missed pings mean the connection is dead even if
/// TCP has not noticed (a phone that changed networks keeps a half-open socket).
pub const SILENCE_LIMIT: Duration = Duration::from_secs(60);

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("connect failed: {0}")]
    Connect(String),
    #[error("the platform refused the token")]
    Unauthorized,
    /// A frame that is not an `EventFrame`: skipped, the socket stays up.
    #[error("bad frame: {0}")]
    BadFrame(String),
    #[error("socket closed: {0}")]
    Closed(String),
}

pub struct EventSocket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Opens the event socket of the session that `token` names.
pub async fn connect_events(base: &str, token: &str) -> Result<EventSocket, SocketError> {
    let ws_base = if let Some(rest) = base.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = base.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        return Err(SocketError::Connect(
            "platform URL must start with http:// or https://".into(),
        ));
    };
    let mut request = format!("{ws_base}{}", paths::EVENTS)
        .into_client_request()
        .map_err(|e| SocketError::Connect(e.to_string()))?;
    let auth = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|e| SocketError::Connect(e.to_string()))?;
    request.headers_mut().insert("Authorization", auth);
    let connect = tokio_tungstenite::connect_async(request);
    match tokio::time::timeout(Duration::from_secs(10), connect).await {
        Err(_) => Err(SocketError::Connect("timed out".into())),
        Ok(Err(tokio_tungstenite::tungstenite::Error::Http(resp)))
            if resp.status().as_u16() == 401 =>
        {
            Err(SocketError::Unauthorized)
        }
        Ok(Err(e)) => Err(SocketError::Connect(e.to_string())),
        Ok(Ok((ws, _))) => Ok(EventSocket { ws }),
    }
}

impl EventSocket {
    /// The next event frame; `Err(Closed)` when the socket is gone, `Err(BadFrame)` for a
    /// frame to skip.
    pub async fn next_frame(&mut self) -> Result<EventFrame, SocketError> {
        loop {
            let msg = match tokio::time::timeout(SILENCE_LIMIT, self.ws.next()).await {
                Err(_) => return Err(SocketError::Closed("silent for too long".into())),
                Ok(None) => return Err(SocketError::Closed("end of stream".into())),
                Ok(Some(Err(e))) => return Err(SocketError::Closed(e.to_string())),
                Ok(Some(Ok(msg))) => msg,
            };
            match msg {
                Message::Text(text) => {
                    return serde_json::from_str(&text)
                        .map_err(|e| SocketError::BadFrame(e.to_string()));
                }
                Message::Close(frame) => {
                    let why = frame.map(|f| f.reason.to_string()).unwrap_or_default();
                    return Err(SocketError::Closed(why));
                }
                // tungstenite answers pings itself; binary frames are not part of the contract.
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                Message::Binary(_) => return Err(SocketError::BadFrame("binary frame".into())),
            }
        }
    }

    /// Sends one device frame (a VoIP call's WebRTC offer) as a JSON text frame.
    pub async fn send_frame(&mut self, frame: &DeviceFrame) -> Result<(), SocketError> {
        let text =
            serde_json::to_string(frame).map_err(|e| SocketError::BadFrame(e.to_string()))?;
        self.ws
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| SocketError::Closed(e.to_string()))
    }

    pub async fn close(mut self) {
        let _ = self.ws.send(Message::Close(None)).await;
    }
}
