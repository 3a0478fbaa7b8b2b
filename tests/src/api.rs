//! The platform's REST API called directly (reqwest), to check from the outside what the
//! core did: another agent's view of the library, the administrator's switches.

use crate::{err, Result};
use seatline_proto::{
    paths, AdminLoginRequest, AdminLoginResponse, AgentStatus, ApiError, Customer, CustomerPage,
    CustomerQuery, DeviceId, DeviceKind, EnterpriseCode, JobNumber, LoginRequest, LoginResponse,
    Password, SetPhoneFaultRequest, Username,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

/// A plain HTTP client of one platform, with an optional bearer token.
#[derive(Clone)]
pub struct Rest {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// A refusal with the platform's typed error body, or a transport failure.
#[derive(Debug)]
pub enum RestError {
    Api { status: u16, error: ApiError },
    Other(String),
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestError::Api { status, error } => write!(f, "HTTP {status}: {error}"),
            RestError::Other(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for RestError {}

impl Rest {
    pub fn new(base: &str) -> Rest {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Rest {
            http,
            base: base.trim_end_matches('/').to_string(),
            token: None,
        }
    }

    /// The same client with `token` as its bearer token.
    pub fn with_token(&self, token: &str) -> Rest {
        Rest {
            token: Some(token.to_string()),
            ..self.clone()
        }
    }

    /// Logs an agent in on a device of `kind` with the id `device_id` (R1). Careful: a
    /// login on a kind of device the agent uses in the test replaces that session.
    pub async fn login_agent(
        &self,
        enterprise: &str,
        job: &str,
        password: &str,
        kind: DeviceKind,
        device_id: &str,
    ) -> Result<(Rest, LoginResponse)> {
        let req = LoginRequest {
            enterprise: EnterpriseCode::parse(enterprise)?,
            job_number: JobNumber::parse(job)?,
            password: Password::parse(password)?,
            device_kind: kind,
            device_id: DeviceId::parse(device_id)?,
        };
        let resp: LoginResponse = self
            .send_json(reqwest::Method::POST, paths::LOGIN, &req)
            .await?;
        Ok((self.with_token(&resp.token), resp))
    }

    /// The enterprise's administrator (`admin` / `admin123` in the demo data).
    pub async fn login_admin(&self, enterprise: &str) -> Result<Rest> {
        let req = AdminLoginRequest {
            enterprise: EnterpriseCode::parse(enterprise)?,
            username: Username::parse("admin")?,
            password: Password::parse("admin123")?,
        };
        let resp: AdminLoginResponse = self
            .send_json(reqwest::Method::POST, paths::ADMIN_LOGIN, &req)
            .await?;
        Ok(self.with_token(&resp.token))
    }

    pub async fn me(&self) -> Result<AgentStatus> {
        self.get(paths::ME).await
    }

    /// `GET /customers?q=` as the token's agent sees the library.
    pub async fn search(&self, q: &str) -> Result<CustomerPage> {
        let query = CustomerQuery {
            q: Some(q.to_string()),
            mine: false,
            limit: Some(CustomerQuery::MAX_LIMIT),
            offset: None,
        };
        let resp = self
            .request(reqwest::Method::GET, paths::CUSTOMERS)
            .query(&query)
            .send()
            .await?;
        decode(resp).await
    }

    pub async fn customer(&self, id: i64) -> Result<Customer> {
        self.get(&paths::customer(id)).await
    }

    /// The customer whose mobile number is `mobile`, if the platform has one.
    pub async fn by_mobile(&self, mobile: &str) -> Result<Option<Customer>> {
        let page = self.search(mobile).await?;
        Ok(page
            .customers
            .into_iter()
            .find(|c| c.mobile.as_str() == mobile))
    }

    /// R9: the administrator declares or clears the enterprise's phone fault.
    pub async fn set_phone_fault(&self, active: bool) -> Result<()> {
        let resp = self
            .request(reqwest::Method::PUT, paths::ADMIN_PHONE_FAULT)
            .json(&SetPhoneFaultRequest { active })
            .send()
            .await?;
        let status = resp.status().as_u16();
        if status != 204 {
            return Err(err(format!("set phone fault: HTTP {status}")));
        }
        Ok(())
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R> {
        let resp = self.request(reqwest::Method::GET, path).send().await?;
        decode(resp).await
    }

    pub async fn send_json<B: Serialize, R: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &B,
    ) -> Result<R> {
        let resp = self.request(method, path).json(body).send().await?;
        decode(resp).await
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }
}

async fn decode<R: DeserializeOwned>(resp: reqwest::Response) -> Result<R> {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await?;
    if (200..300).contains(&status) {
        return Ok(serde_json::from_slice(&bytes)?);
    }
    match serde_json::from_slice::<ApiError>(&bytes) {
        Ok(error) => Err(Box::new(RestError::Api { status, error })),
        Err(_) => Err(Box::new(RestError::Other(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&bytes)
        )))),
    }
}
