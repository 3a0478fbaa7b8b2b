//! Every failure leaves as the proto `ApiError` JSON with the status its code implies,
//! including the ones axum would otherwise answer in plain text: malformed or oversized
//! bodies, bad query strings and path parameters, unknown routes.

use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use seatline_proto::{ApiError, ErrorCode};
use serde::de::DeserializeOwned;

/// A handler's error: the proto error body (axum's `IntoResponse` cannot be implemented
/// for the proto type itself here).
#[derive(Debug)]
pub struct Failure(pub ApiError);

pub type ApiResult<T> = Result<T, Failure>;

impl Failure {
    pub fn code(code: ErrorCode) -> Failure {
        let message = default_message(&code);
        Failure(ApiError::new(code, message))
    }
    pub fn bad_request(field: Option<&str>, message: impl Into<String>) -> Failure {
        Failure(ApiError::bad_request(field, message))
    }
    pub fn internal() -> Failure {
        Failure::code(ErrorCode::Internal)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure(e)
    }
}

impl From<seatline_proto::InvalidValue> for Failure {
    fn from(e: seatline_proto::InvalidValue) -> Self {
        Failure(e.into())
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(code) => Failure::code(code),
            other => {
                // Store errors name tables and constraints, never bound values.
                tracing::error!(error = %other, "store failure");
                Failure::internal()
            }
        }
    }
}

impl From<crate::auth::password::PasswordError> for Failure {
    fn from(e: crate::auth::password::PasswordError) -> Self {
        tracing::error!(error = %e, "password hashing failure");
        Failure::internal()
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.code.http_status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

/// English messages for engineers; the apps show their own text per code.
pub fn default_message(code: &ErrorCode) -> String {
    match code {
        ErrorCode::BadRequest { field: Some(f) } => format!("invalid value for {f}"),
        ErrorCode::BadRequest { field: None } => "bad request".into(),
        ErrorCode::PayloadTooLarge => "request body too large".into(),
        ErrorCode::Unauthorized => "missing, unknown or expired token".into(),
        ErrorCode::Forbidden => "not allowed for this account".into(),
        ErrorCode::UnknownJobNumber => "no agent with that job number".into(),
        ErrorCode::WrongPassword => "wrong password".into(),
        ErrorCode::AccountDisabled => "account disabled".into(),
        ErrorCode::TooManyAttempts { retry_after_s } => {
            format!("too many failed logins; retry after {retry_after_s} s")
        }
        ErrorCode::LeaseHeld { holder } => {
            format!("answering is on at the agent's {} device", holder.as_str())
        }
        ErrorCode::NoBoundNumber => "the account has no bound mobile number".into(),
        ErrorCode::AnswerLocked => "answer state is locked while a call rings or talks".into(),
        ErrorCode::PackageMissing { package } => format!("needs the {package} package"),
        ErrorCode::DuplicateCustomer { .. } => "that mobile number is already a customer".into(),
        ErrorCode::NotFound => "not found".into(),
        ErrorCode::PhoneFault => "the phone function is broken; try again later".into(),
        ErrorCode::CallInProgress => "the agent already has a call going".into(),
        ErrorCode::CallNotActive => "the call is over".into(),
        ErrorCode::NoRoute => "no trunk route for that number".into(),
        ErrorCode::Internal => "internal error; nothing was changed".into(),
    }
}

/// A JSON body parsed into a proto type. Unlike `axum::Json` it ignores the content
/// type, maps every parse error to 400 `bad_request` naming the field, and an
/// oversized body to 413 `payload_too_large`.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = Failure;

    async fn from_request(req: Request, state: &S) -> Result<Self, Failure> {
        let bytes = Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Failure::code(ErrorCode::PayloadTooLarge)
            } else {
                Failure::bad_request(None, "could not read the request body")
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses a JSON document strictly: one value, nothing after it, typed values checked by
/// their parsers (invariant 4).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = (path != "." && !path.is_empty()).then_some(path);
        Failure::bad_request(field.as_deref(), e.inner().to_string())
    })?;
    de.end()
        .map_err(|e| Failure::bad_request(None, e.to_string()))?;
    Ok(value)
}

/// A query string parsed into a proto type; errors are 400 `bad_request`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Failure> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(ApiQuery)
            .map_err(|e| Failure::bad_request(None, format!("query: {e}")))
    }
}

/// A path parameter; a malformed one is 400 `bad_request` naming `field`.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Failure> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|_| Failure::bad_request(Some("id"), "path parameter must be an integer id"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatline_proto::NewCustomer;

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<NewCustomer>(br#"{"mobile":"abc"}"#).expect_err("refused");
        assert_eq!(
            e.0.code,
            ErrorCode::BadRequest {
                field: Some("mobile".into())
            }
        );
        let e = parse_json::<NewCustomer>(br#"{"mobile":"13800000000","x":1}"#).err();
        assert!(matches!(
            e.expect("refused").0.code,
            ErrorCode::BadRequest { .. }
        ));
        let e = parse_json::<NewCustomer>(br#"{"mobile":"13800000000"} trailing"#).err();
        assert!(e.is_some());
        assert!(parse_json::<NewCustomer>(br#"{"mobile":"13800000000"}"#).is_ok());
    }
}
