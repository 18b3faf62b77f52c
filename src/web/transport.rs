//! POSTs normalized credentials to the connection endpoint (SPEC §6), with retries that
//! never create a connection twice.
//!
//! It calls `fetch()` through web-sys rather than gloo-net's `Request` builder: the builder
//! re-parses the URL with `format!` and maps errors through `http::Method`, `thiserror` and
//! Debug formatting (about 4 KB gzipped of the 60 KB budget), and it hits `unreachable!`
//! (a trap, with `panic = "abort"`) if fetch rejects with anything but an `Error`, as it
//! does when a signal is aborted with a custom reason.
//!
//! Every decision (what to send, which answers are retried, how long to wait, which field
//! an error lands on) is made by the pure [`crate::protocol`] module; this file only moves
//! bytes, reads JSON members with `Reflect`, and keeps time. One [`Guard`] per submission
//! owns the `AbortController`, the `timeoutMs` deadline and the listener on the host's
//! `signal`; dropping it removes the listener and cancels the timer.

use std::cell::{Cell, RefCell};
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Poll, Waker};

use gloo_timers::callback::Timeout;
use js_sys::{Array, Object, Promise, Reflect, Uint8Array, JSON};
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, ReadableStreamDefaultReader, RequestInit, RequestRedirect, Response,
};

use super::dom::{listen, window, Listener};
use crate::protocol::{
    aborted_failure, body_fields, classify_network_error, classify_response, is_cross_origin,
    is_success, ms_to_secs_ceil, nango_url, parse_retry_after, parse_success, redirect_failure,
    request_headers, retry_delay_ms, session_token_failure, timeout_failure, uuid_v4_from_bytes,
    Body, Connection, ErrorFields, Failure, Next, Outgoing, Protocol, SuccessFields, Verdict,
    MAX_BODY_BYTES,
};

/// Where the credentials go.
pub(crate) enum Target {
    /// The §6 connection endpoint (relative or absolute URL).
    Endpoint { url: String },
    /// A Nango server (§6.4).
    Nango {
        host: String,
        provider_config_key: String,
    },
}

/// Normalized values from the rules, exactly what is sent.
pub(crate) struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
    pub cloud: String,
}

/// The host's `sessionToken` option.
pub(crate) enum SessionToken {
    /// A string: cannot be refreshed; a 401 ends in `session_expired`.
    Fixed(String),
    /// A function returning a string or a Promise of one: called for each submission,
    /// and once more after a 401 `invalid_session`.
    Provider(js_sys::Function),
}

/// One submission (one click on Connect); its retries share `idempotency_key`.
pub(crate) struct Submission<'a> {
    pub target: &'a Target,
    pub credentials: &'a Credentials,
    pub session_token: &'a SessionToken,
    /// A random v4 UUID ([`new_idempotency_key`]), the same across retries.
    pub idempotency_key: String,
    /// Budget for the whole submission, retries included.
    pub timeout_ms: u32,
    /// The host's `signal`, if any: aborts the request in flight.
    pub signal: Option<&'a web_sys::AbortSignal>,
    /// Called before each retry with the attempt number (2, 3, ...) and the delay in ms.
    pub on_retry: &'a dyn Fn(u32, u32),
}

/// A fresh Idempotency-Key for one submission (also the admin consent `state`): a v4 UUID
/// from `crypto.getRandomValues()`, which every browser has, in secure contexts and
/// others alike (`crypto.randomUUID()` exists only in secure contexts).
pub(crate) fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .crypto()
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes))
        .is_ok();
    if !filled {
        // No Web Crypto at all: the key needs uniqueness, not secrecy.
        for byte in bytes.iter_mut() {
            *byte = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    uuid_v4_from_bytes(bytes)
}

/// Sends the submission, retrying per §6.3, and returns the created connection or why not.
pub(crate) async fn submit(submission: Submission<'_>) -> Result<Connection, Failure> {
    let guard = Guard::new(submission.signal, submission.timeout_ms);
    match run(&submission, &guard).await {
        Ok(result) => result,
        Err(Stop::Aborted) => Err(aborted_failure()),
        Err(Stop::TimedOut) => Err(timeout_failure(submission.timeout_ms)),
    }
}

/// The retry loop. `Err(Stop)` when the host's signal or the deadline ended it.
async fn run(
    submission: &Submission<'_>,
    guard: &Guard,
) -> Result<Result<Connection, Failure>, Stop> {
    let protocol = match submission.target {
        Target::Endpoint { .. } => Protocol::Endpoint,
        Target::Nango { .. } => Protocol::Nango,
    };
    let Some(mut token) = token_of(guard.race(session_token(submission.session_token)).await?)
    else {
        return Ok(Err(session_token_failure()));
    };
    let mut refreshed = false;
    let mut request_number: u32 = 1;
    let mut retryable_failures: u32 = 0;
    loop {
        let (verdict, retry_after_ms) = match attempt(submission, protocol, &token, guard).await? {
            Attempt::Created(connection) => return Ok(Ok(connection)),
            Attempt::Failed(verdict, retry_after_ms) => (verdict, retry_after_ms),
        };
        match verdict.next {
            Next::Fail => return Ok(Err(verdict.failure)),
            Next::RefreshSession => {
                let SessionToken::Provider(_) = submission.session_token else {
                    return Ok(Err(verdict.failure));
                };
                if refreshed {
                    return Ok(Err(verdict.failure));
                }
                refreshed = true;
                let Some(fresh) =
                    token_of(guard.race(session_token(submission.session_token)).await?)
                else {
                    return Ok(Err(session_token_failure()));
                };
                token = fresh;
                request_number += 1;
                (submission.on_retry)(request_number, 0);
            }
            Next::Retry => {
                retryable_failures += 1;
                let delay = retry_delay_ms(
                    retryable_failures,
                    js_sys::Math::random(),
                    retry_after_ms,
                    guard.remaining_ms(),
                );
                let Some(delay) = delay else {
                    return Ok(Err(verdict.failure));
                };
                request_number += 1;
                (submission.on_retry)(request_number, delay);
                // The timer is cleared when `_wait` drops, also when the guard stops first.
                let (promise, _wait) = sleep(delay);
                let _ = guard.race(promise).await?;
            }
        }
    }
}

/// The outcome of one request that was not stopped by the guard.
enum Attempt {
    /// §6.2 success.
    Created(Connection),
    /// Anything else, with the server's `Retry-After` in ms when it sent one.
    Failed(Verdict, Option<u64>),
}

/// Sends the request once and reads (at most [`MAX_BODY_BYTES`] of) the answer.
async fn attempt(
    submission: &Submission<'_>,
    protocol: Protocol,
    token: &str,
    guard: &Guard,
) -> Result<Attempt, Stop> {
    let credentials = submission.credentials;
    let outgoing = Outgoing {
        tenant_id: &credentials.tenant_id,
        client_id: &credentials.client_id,
        client_secret: &credentials.client_secret,
        scope: &credentials.scope,
        cloud: &credentials.cloud,
    };
    let (url, cross_origin) = match submission.target {
        Target::Endpoint { url } => (url.clone(), is_cross_origin(url, &page_origin())),
        Target::Nango {
            host,
            provider_config_key,
        } => (
            nango_url(
                host,
                provider_config_key,
                token,
                &credentials.tenant_id,
                &credentials.scope,
            ),
            is_cross_origin(host, &page_origin()),
        ),
    };
    let network_failure = || Attempt::Failed(classify_network_error(protocol, cross_origin), None);

    let body = Object::new();
    for (name, value) in body_fields(protocol, &outgoing) {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&body, &JsValue::from_str(name), &JsValue::from_str(value));
    }
    let headers = Object::new();
    for (name, value) in request_headers(protocol, token, &submission.idempotency_key) {
        let _ = Reflect::set(
            &headers,
            &JsValue::from_str(name),
            &JsValue::from_str(&value),
        );
    }
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    if let Ok(body) = JSON::stringify(&body) {
        init.set_body(&body);
    }
    // Redirects are not followed: a 307/308 would re-send the secret to another address.
    init.set_redirect(RequestRedirect::Manual);
    init.set_signal(Some(&guard.controller_signal()));

    // fetch() rejects (with a TypeError) on network failures and CORS refusals alike.
    let fetched = window().fetch_with_str_and_init(&url, &init);
    let Some(response) = guard
        .race(fetched)
        .await?
        .ok()
        // fetch() resolves with a Response, always.
        .map(|response| response.unchecked_into::<Response>())
    else {
        return Ok(network_failure());
    };
    // Status 0 with `redirect: 'manual'` is the opaque answer to a redirect.
    if response.status() == 0 {
        let verdict = Verdict {
            next: Next::Fail,
            failure: redirect_failure(protocol),
        };
        return Ok(Attempt::Failed(verdict, None));
    }
    let status = response.status();
    let retry_after_ms = response
        .headers()
        .get("retry-after")
        .ok()
        .flatten()
        .and_then(|value| parse_retry_after(&value, js_sys::Date::now() as u64));

    let bytes = match read_bounded(response.body(), guard).await? {
        BodyRead::Complete(bytes) => Some(bytes),
        BodyRead::TooLarge => None,
        // The connection broke mid-body: like a network failure (the key makes a resend safe).
        BodyRead::Broken => return Ok(network_failure()),
    };
    let json = bytes
        .as_deref()
        .filter(|bytes| !bytes.is_empty())
        // JSON is UTF-8; anything else is not the contract's JSON.
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .and_then(|text| JSON::parse(text).ok())
        .filter(|json| json.is_object());

    if is_success(status) {
        let fields = json.map(|json| success_fields(protocol, &json));
        return Ok(match parse_success(protocol, status, fields, &outgoing) {
            Ok(connection) => Attempt::Created(connection),
            Err(failure) => Attempt::Failed(
                Verdict {
                    next: Next::Fail,
                    failure,
                },
                None,
            ),
        });
    }
    let body = match (&bytes, json) {
        (None, _) => Body::TooLarge,
        (Some(bytes), _) if bytes.is_empty() => Body::Empty,
        (_, Some(json)) => error_fields(&json).map_or(Body::Unrecognized, Body::Error),
        (_, None) => Body::Unrecognized,
    };
    let verdict = classify_response(protocol, status, body, retry_after_ms.map(ms_to_secs_ceil));
    Ok(Attempt::Failed(verdict, retry_after_ms))
}

/// What reading a response body gave.
enum BodyRead {
    /// The whole body, at most [`MAX_BODY_BYTES`].
    Complete(Vec<u8>),
    /// Longer than [`MAX_BODY_BYTES`]: reading stopped and the stream was cancelled.
    TooLarge,
    /// The stream failed (connection reset mid-body).
    Broken,
}

/// Reads the body through its stream reader, stopping (and cancelling the stream) past
/// [`MAX_BODY_BYTES`], so a 10 MB error page costs 64 KB.
async fn read_bounded(
    stream: Option<web_sys::ReadableStream>,
    guard: &Guard,
) -> Result<BodyRead, Stop> {
    let Some(stream) = stream else {
        return Ok(BodyRead::Complete(Vec::new()));
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let Ok(chunk) = guard.race(reader.read()).await? else {
            return Ok(BodyRead::Broken);
        };
        let done = Reflect::get(&chunk, &JsValue::from_str("done"))
            .ok()
            .and_then(|done| done.as_bool())
            .unwrap_or(true);
        if done {
            return Ok(BodyRead::Complete(bytes));
        }
        let Some(chunk) = Reflect::get(&chunk, &JsValue::from_str("value"))
            .ok()
            // A fetch body stream yields Uint8Array chunks.
            .map(|value| value.unchecked_into::<Uint8Array>())
        else {
            return Ok(BodyRead::Broken);
        };
        if bytes.len() + chunk.length() as usize > MAX_BODY_BYTES {
            // Tell the browser to drop the rest; its promise needs no waiting.
            let _ = reader.cancel();
            return Ok(BodyRead::TooLarge);
        }
        bytes.extend(chunk.to_vec());
    }
}

/// The §6.2 members (Nango: `connectionId`) of a success body.
fn success_fields(protocol: Protocol, json: &JsValue) -> SuccessFields {
    match protocol {
        Protocol::Endpoint => SuccessFields {
            connection_id: string_member(json, "connection_id"),
            tenant_id: string_member(json, "tenant_id"),
            client_id: string_member(json, "client_id"),
            cloud: string_member(json, "cloud"),
            scope: string_member(json, "scope"),
            granted_permissions: string_array_member(json, "granted_permissions"),
        },
        Protocol::Nango => SuccessFields {
            connection_id: string_member(json, "connectionId"),
            ..SuccessFields::default()
        },
    }
}

/// The §6.3 `error` object; also Nango's older `{"error": "message", "type": "code"}`.
fn error_fields(json: &JsValue) -> Option<ErrorFields> {
    let error = Reflect::get(json, &JsValue::from_str("error")).ok()?;
    if let Some(message) = error.as_string() {
        return Some(ErrorFields {
            code: string_member(json, "type"),
            message: Some(message),
            ..ErrorFields::default()
        });
    }
    if !error.is_object() {
        return None;
    }
    let details = Reflect::get(&error, &JsValue::from_str("details"))
        .ok()
        .filter(|details| !details.is_undefined() && !details.is_null())
        .and_then(|details| JSON::stringify(&details).ok())
        .and_then(|text| text.as_string());
    Some(ErrorFields {
        code: string_member(&error, "code"),
        message: string_member(&error, "message"),
        field: string_member(&error, "field"),
        details,
    })
}

fn string_member(object: &JsValue, key: &str) -> Option<String> {
    Reflect::get(object, &JsValue::from_str(key))
        .ok()?
        .as_string()
}

fn string_array_member(object: &JsValue, key: &str) -> Option<Vec<String>> {
    let value = Reflect::get(object, &JsValue::from_str(key)).ok()?;
    if !Array::is_array(&value) {
        return None;
    }
    Some(
        Array::from(&value)
            .iter()
            .filter_map(|item| item.as_string())
            .collect(),
    )
}

/// `location.origin` of the page, or empty (treated as "another origin") if unavailable.
fn page_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The token for the next request, as a Promise: the string, or what the function gives
/// (`Promise.resolve()` accepts a plain string, a Promise or any thenable alike); a function
/// that throws gives a rejected Promise. See [`token_of`].
fn session_token(session_token: &SessionToken) -> Promise {
    match session_token {
        SessionToken::Fixed(token) => Promise::resolve(&JsValue::from_str(token)),
        SessionToken::Provider(function) => match function.call0(&JsValue::UNDEFINED) {
            Ok(value) => Promise::resolve(&value),
            Err(error) => Promise::reject(&error),
        },
    }
}

/// The settled [`session_token`]: `None` when the function threw, rejected, or gave no
/// non-empty string.
fn token_of(settled: Result<JsValue, JsValue>) -> Option<String> {
    settled.ok()?.as_string().filter(|token| !token.is_empty())
}

/// A Promise that resolves after `ms` (a backoff wait), and the timer behind it, which
/// is cleared when dropped.
fn sleep(ms: u32) -> (Promise, Option<Timeout>) {
    let mut resolve = None;
    let promise = Promise::new(&mut |settle, _| resolve = Some(settle));
    let timer = resolve.map(|resolve| {
        Timeout::new(ms, move || {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        })
    });
    (promise, timer)
}

/// Why a submission stopped before the server decided.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The host's `signal` fired.
    Aborted,
    /// `timeoutMs` elapsed.
    TimedOut,
}

/// State shared with the abort listener and the deadline timer.
struct GuardState {
    controller: AbortController,
    stop: Cell<Option<Stop>>,
    waker: RefCell<Option<Waker>>,
}

impl GuardState {
    /// Records the first stop, aborts the request in flight and wakes the waiting future.
    fn trip(&self, stop: Stop) {
        if self.stop.get().is_some() {
            return;
        }
        self.stop.set(Some(stop));
        self.controller.abort();
        if let Some(waker) = self.waker.borrow_mut().take() {
            waker.wake();
        }
    }
}

/// The host's signal fired.
fn on_abort(state: Rc<GuardState>, _: &web_sys::Event) {
    state.trip(Stop::Aborted);
}

/// The abort and deadline machinery of one submission; dropping it removes the listener
/// on the host's signal and cancels the deadline.
struct Guard {
    state: Rc<GuardState>,
    started_ms: f64,
    timeout_ms: u32,
    _deadline: Timeout,
    _host_signal_listener: Option<Listener>,
}

impl Guard {
    fn new(host_signal: Option<&web_sys::AbortSignal>, timeout_ms: u32) -> Guard {
        let state = Rc::new(GuardState {
            // AbortController is available wherever fetch is.
            controller: AbortController::new().expect_throw("AbortController"),
            stop: Cell::new(None),
            waker: RefCell::new(None),
        });
        let deadline = {
            let state = Rc::clone(&state);
            Timeout::new(timeout_ms, move || state.trip(Stop::TimedOut))
        };
        let listener = host_signal.map(|signal| {
            if signal.aborted() {
                state.trip(Stop::Aborted);
            }
            listen(signal, "abort", false, on_abort, Rc::clone(&state))
        });
        Guard {
            state,
            started_ms: js_sys::Date::now(),
            timeout_ms,
            _deadline: deadline,
            _host_signal_listener: listener,
        }
    }

    /// The signal every request of this submission is sent with.
    fn controller_signal(&self) -> web_sys::AbortSignal {
        self.state.controller.signal()
    }

    /// What is left of `timeoutMs`.
    fn remaining_ms(&self) -> u64 {
        let elapsed = js_sys::Date::now() - self.started_ms;
        let remaining = f64::from(self.timeout_ms) - elapsed;
        if remaining > 0.0 {
            remaining as u64
        } else {
            0
        }
    }

    /// Waits for `promise` until it settles or the submission is stopped, whichever is
    /// first: an abort during a request, a body read or a backoff wait settles at once.
    /// Every wait of a submission is a Promise, so this exists once in the wasm (a generic
    /// version over futures was instantiated, and inlined, once per kind of wait).
    async fn race(&self, promise: Promise) -> Result<Result<JsValue, JsValue>, Stop> {
        let mut future = JsFuture::from(promise);
        poll_fn(|context| {
            if let Some(stop) = self.state.stop.get() {
                return Poll::Ready(Err(stop));
            }
            if let Poll::Ready(output) = Pin::new(&mut future).poll(context) {
                return Poll::Ready(Ok(output));
            }
            *self.state.waker.borrow_mut() = Some(context.waker().clone());
            Poll::Pending
        })
        .await
    }
}
