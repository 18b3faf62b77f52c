//! The one error type of the HTTP boundary: every failure answers
//! `{"error":{"code","message","field"?,"details"?}}` (SPEC §6.3) with its status, and
//! `Retry-After` where waiting helps.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use entra_connect::rules::Field;
use serde_json::{json, Value};

/// A failed API request, ready to be answered.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code (§6.3 codes where one applies).
    pub code: &'static str,
    /// English explanation for the developer and the admin.
    pub message: String,
    /// The form field concerned, as its JavaScript name.
    pub field: Option<Field>,
    /// Structured extra facts (rule codes, AADSTS code, trace IDs).
    pub details: Option<Value>,
    /// Seconds to wait before retrying.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error without field, details or `Retry-After`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            details: None,
            retry_after: None,
        }
    }

    /// Sets the field the error concerns.
    pub fn with_field(mut self, field: Field) -> ApiError {
        self.field = Some(field);
        self
    }

    /// Sets the details object.
    pub fn with_details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    /// Sets `Retry-After` (seconds).
    pub fn with_retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    /// 401 `invalid_session`.
    pub fn invalid_session(message: &str) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "invalid_session", message)
    }

    /// 500 `internal_error`; the cause goes to the log only.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "The server could not complete the request. Try again later.",
        )
    }

    /// 429 `rate_limited` for this server's own limits.
    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "Too many requests. Wait a moment and try again.",
        )
        .with_retry_after(retry_after)
        .with_details(json!({ "source": "server" }))
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut error = json!({ "code": self.code, "message": self.message });
        if let Some(field) = self.field {
            error["field"] = Value::from(field.js_name());
        }
        if let Some(details) = &self.details {
            error["details"] = details.clone();
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
