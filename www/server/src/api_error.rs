//! The one error type of the HTTP boundary: every failure answers
//! `{"error":{"code","message","field"?,"details"?}}` (SPEC §6.3) with its status, and
//! `Retry-After` where waiting helps.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use entra_connect::contract::ServerCode;
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

    /// An error with a §6.3 code: its status, field and English text are the core's
    /// ([`ServerCode`]), so the SDK reads back exactly what is sent. `upstream_unavailable`
    /// starts as 502; set `status` to 503 or 504 where that is what happened.
    pub fn contract(code: ServerCode) -> ApiError {
        let status = code
            .status()
            .and_then(|status| StatusCode::from_u16(status).ok())
            .unwrap_or(StatusCode::BAD_GATEWAY);
        ApiError {
            status,
            code: code.as_str(),
            message: code.english().to_string(),
            field: code.field(),
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

    /// 401 `invalid_session`, with the contract's text; `reason` (for the developer) goes
    /// in `details.reason`.
    pub fn invalid_session(reason: &str) -> ApiError {
        ApiError::contract(ServerCode::InvalidSession).with_details(json!({ "reason": reason }))
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

    /// 503 `database_unavailable` (with `Retry-After`) when the database cannot be reached,
    /// else 500 `internal_error`; the cause goes to the log only.
    pub fn store(cause: &crate::store::StoreError) -> ApiError {
        if !cause.is_unavailable() {
            return ApiError::internal(cause);
        }
        tracing::warn!(%cause, "database unavailable");
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "The server cannot reach its database right now. Try again in a few seconds.",
        )
        .with_retry_after(2)
    }

    /// 429 `rate_limited` for this server's own limits.
    pub fn rate_limited(retry_after: u64) -> ApiError {
        ApiError::contract(ServerCode::RateLimited)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_errors_carry_the_cores_code_field_status_and_text() {
        for &code in ServerCode::ALL {
            let error = ApiError::contract(code);
            assert_eq!(error.code, code.as_str());
            assert_eq!(error.field, code.field());
            assert_eq!(error.message, code.english());
            if let Some(status) = code.status() {
                assert_eq!(error.status.as_u16(), status, "{code:?}");
            }
            let body = error.body();
            assert_eq!(
                ServerCode::parse(body["error"]["code"].as_str().unwrap()),
                Some(code)
            );
        }
    }
}
