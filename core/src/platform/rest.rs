//! REST calls. Every failure becomes a `RemoteError` that says whether trying again later
//! can help (`Unreachable`) or not (`Rejected` with the platform's typed error).

use seatline_proto::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::RwLock;
use std::time::Duration;

/// Shared with the library's sync: one error type for every platform call.
pub use crate::library::RemoteError;

pub struct PlatformClient {
    http: reqwest::Client,
    base: String,
    token: RwLock<Option<String>>,
}

impl PlatformClient {
    /// `base` is the platform's origin, e.g. `https://cc.example.com` or
    /// `http://127.0.0.1:8080` on loopback.
    pub fn new(base: &str) -> Result<Self, RemoteError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("seatline-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| RemoteError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: RwLock::new(None),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn set_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.token.write() {
            *t = token;
        }
    }

    pub fn token(&self) -> Option<String> {
        self.token.read().ok().and_then(|t| t.clone())
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, RemoteError> {
        self.send(self.http.get(self.url(path))).await
    }

    pub async fn get_query<Q: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        query: &Q,
    ) -> Result<R, RemoteError> {
        self.send(self.http.get(self.url(path)).query(query)).await
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, RemoteError> {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    pub async fn put<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, RemoteError> {
        self.send(self.http.put(self.url(path)).json(body)).await
    }

    pub async fn patch_json<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<R, RemoteError> {
        self.send(self.http.patch(self.url(path)).json(body)).await
    }

    /// `DELETE`; the answer's body is not of interest.
    pub async fn delete(&self, path: &str) -> Result<(), RemoteError> {
        let _: serde_json::Value = self.send(self.http.delete(self.url(path))).await?;
        Ok(())
    }

    /// `POST` with no response body of interest (logout).
    pub async fn post_empty(&self, path: &str) -> Result<(), RemoteError> {
        let _: serde_json::Value = self.send(self.http.post(self.url(path))).await?;
        Ok(())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn send<R: DeserializeOwned>(
        &self,
        mut req: reqwest::RequestBuilder,
    ) -> Result<R, RemoteError> {
        if let Some(token) = self.token() {
            req = req.bearer_auth(token);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| RemoteError::Unreachable(e.to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| RemoteError::Unreachable(e.to_string()))?;
        if status.is_success() {
            let body = if bytes.is_empty() {
                &b"null"[..]
            } else {
                &bytes[..]
            };
            return serde_json::from_slice(body).map_err(|e| {
                RemoteError::Rejected(ApiError::new(
                    ErrorCode::Internal,
                    format!("unexpected response body: {e}"),
                ))
            });
        }
        // A proxy in front of the platform may answer 502/503 without our error body:
        // that is "unreachable" (try later), not a refusal.
        match serde_json::from_slice::<ApiError>(&bytes) {
            Ok(err) => Err(RemoteError::Rejected(err)),
            Err(_) if status.is_server_error() => {
                Err(RemoteError::Unreachable(format!("HTTP {status}")))
            }
            Err(_) => Err(RemoteError::Rejected(ApiError::new(
                ErrorCode::Internal,
                format!("HTTP {status} without an error body"),
            ))),
        }
    }
}
