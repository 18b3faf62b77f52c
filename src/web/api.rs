//! The `connect()` JavaScript export (SPEC §3) and the plain error objects it rejects
//! with (`{ name: "ConnectError", code, message, field?, status?, retryAfter?, details? }`,
//! which the package entry turns into `ConnectError` instances).

use js_sys::{Object, Promise, JSON};
use wasm_bindgen::prelude::*;

use super::dom::{object, put};
use super::{modal, options};
use crate::error::ErrorCode;
use crate::protocol::Failure;

/// `connect(options)`: checks the options, opens the connect modal, and returns a Promise
/// that settles exactly once: it resolves with the connection the backend created, or
/// rejects with a plain `ConnectError` object (`invalid_options`, `already_open`,
/// `cancelled`, `aborted`, `session_expired`, `network`, `timeout`, `server`).
///
/// `catalog` is the `{ locale, texts }` object the package entry chose and loaded from
/// `locales/<tag>.js` (the texts in catalog order); without it the modal speaks English.
///
/// # Examples
///
/// ```js
/// const connection = await connect({ endpoint: '/api/entra/connections', sessionToken });
/// ```
#[wasm_bindgen(js_name = connect)]
pub fn connect(options: JsValue, catalog: JsValue) -> Promise {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    let Some((resolve, reject)) = settle else {
        return promise;
    };
    let rejection = if modal::is_open() {
        // The open modal is left untouched.
        Some(error_object(
            ErrorCode::AlreadyOpen,
            "Another connect() dialog is already open",
        ))
    } else {
        match options::read(&options, &catalog) {
            Err(options::OptionError(message)) => {
                Some(error_object(ErrorCode::InvalidOptions, &message))
            }
            Ok(config)
                if config
                    .signal
                    .as_ref()
                    .is_some_and(|signal| signal.aborted()) =>
            {
                Some(error_object(
                    ErrorCode::Aborted,
                    "connect() was aborted through its signal",
                ))
            }
            Ok(config) => {
                modal::open(config, resolve, reject.clone());
                None
            }
        }
    };
    if let Some(rejection) = rejection {
        let _ = reject.call1(&JsValue::NULL, &rejection);
    }
    promise
}

/// `{ name: "ConnectError", code, message }`.
pub(crate) fn error_object(code: ErrorCode, message: &str) -> Object {
    object(&[
        ("name", "ConnectError".into()),
        ("code", code.as_str().into()),
        ("message", message.into()),
    ])
}

/// The rejection for a failed submission, with its `field`, `status`, `retryAfter` and
/// `details` where known. Never contains the secret: the failure only holds the
/// backend's answer.
pub(crate) fn failure_object(failure: &Failure) -> Object {
    let error = error_object(failure.code, &failure.message);
    if let Some(field) = failure.field {
        put(&error, "field", &field.js_name().into());
    }
    if let Some(status) = failure.status {
        put(&error, "status", &JsValue::from_f64(f64::from(status)));
    }
    if let Some(seconds) = failure.retry_after {
        put(&error, "retryAfter", &JsValue::from_f64(f64::from(seconds)));
    }
    if let Some(details) = &failure.details {
        let parsed = JSON::parse(details).unwrap_or_else(|_| JsValue::from_str(details));
        put(&error, "details", &parsed);
    }
    error
}
