//! Submitting (§4): one submission at a time with fields read-only, "Retrying in N s…"
//! while the transport waits, then the success view (the Promise resolves at once) or
//! the failure shown on its field or in the alert region, values kept for a retry.

use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::super::dom::{self, child, flag, node, set, string_array, text, text_node};
use super::super::transport::{self, Credentials, Submission};
use super::form::{self, number};
use super::{after, close, current_with_id, t, Modal, Outcome, Phase, Timer, SUCCESS_DISMISS_MS};
use crate::error::ErrorCode;
use crate::messages::{fill, split_at_placeholder, Msg, ServerCode};
use crate::protocol::{ms_to_secs_ceil, Connection, Failure};
use crate::rules::Field;

/// The administrator submitted the form (button or Enter).
pub(super) fn start(modal: &Rc<Modal>) {
    {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        // No double submit: a submission in flight or a finished one ignores this.
        if state.phase != Phase::Editing || state.confirming {
            return;
        }
        state.attempted = true;
        state.debounce = None;
    }
    form::refresh(modal);
    let (credentials, first_error) = {
        let state = modal.state.borrow();
        let report = &state.report;
        let credentials = Credentials {
            tenant_id: report.tenant_id.normalized.clone(),
            client_id: report.client_id.normalized.clone(),
            client_secret: report.client_secret.normalized.clone(),
            scope: report.scope.normalized.clone(),
            cloud: report.cloud.normalized.clone(),
        };
        (credentials, report.first_error())
    };
    if let Some((field, _)) = first_error {
        drop(credentials);
        if matches!(field, Field::Scope | Field::Cloud) {
            modal.view.open_advanced();
        }
        dom::focus(modal.view.control(field));
        return;
    }
    {
        let mut state = modal.state.borrow_mut();
        state.phase = Phase::Submitting;
        state.server_error = None;
    }
    text(&modal.view.alert, "");
    form::set_busy(modal, true);
    modal.emit(&dom::object(&[("type", "submit".into())]));
    // One Idempotency-Key per click, shared by the transport's retries.
    let idempotency_key = transport::new_idempotency_key();
    let id = modal.id;
    let config = modal.config.clone();
    let signal = modal.abort.signal();
    wasm_bindgen_futures::spawn_local(async move {
        let on_retry = move |attempt: u32, delay_ms: u32| retrying(id, attempt, delay_ms);
        let result = transport::submit(Submission {
            target: &config.target,
            credentials: &credentials,
            session_token: &config.session_token,
            idempotency_key,
            timeout_ms: config.timeout_ms,
            signal: Some(&signal),
            on_retry: &on_retry,
        })
        .await;
        drop(credentials);
        // The modal may have been closed (and this submission aborted) meanwhile.
        let Some(modal) = current_with_id(id) else {
            return;
        };
        match result {
            Ok(connection) => succeed(&modal, connection),
            Err(failure) => fail(&modal, failure),
        }
    });
}

/// "in `seconds` seconds" as the modal's language says it ("in 1 second", "za 5 sekund",
/// "خلال ثانيتين", "5 秒後"): `Intl.RelativeTimeFormat`, so the plural rules, the
/// grammatical case and the digits are the browser's.
fn in_seconds(modal: &Modal, seconds: u32) -> String {
    RelativeTimeFormat::new(modal.config.texts.locale().tag()).format(f64::from(seconds), "second")
}

#[wasm_bindgen]
extern "C" {
    /// `Intl.RelativeTimeFormat`, bound by hand: one language tag in, a phrase out.
    #[wasm_bindgen(js_namespace = Intl)]
    type RelativeTimeFormat;

    #[wasm_bindgen(constructor, js_namespace = Intl)]
    fn new(lang: &str) -> RelativeTimeFormat;

    #[wasm_bindgen(method)]
    fn format(this: &RelativeTimeFormat, value: f64, unit: &str) -> String;
}

/// The transport waits `delay_ms` before attempt `attempt`.
fn retrying(id: u32, attempt: u32, delay_ms: u32) {
    let Some(modal) = current_with_id(id) else {
        return;
    };
    if delay_ms == 0 {
        // An immediate retry (a refreshed session token): still "Connecting…".
        text(&modal.view.status, "");
    } else {
        let when = in_seconds(&modal, ms_to_secs_ceil(u64::from(delay_ms)));
        let words = fill(t(&modal, Msg::Retrying), "when", &when);
        text(&modal.view.status, &words);
        text(&modal.view.live, &words);
    }
    modal.emit(&dom::object(&[
        ("type", "retry".into()),
        ("attempt", number(attempt)),
        ("delay", number(delay_ms)),
    ]));
}

/// The connection was created: resolve at once, then show who is connected.
fn succeed(modal: &Rc<Modal>, connection: Connection) {
    let missing: Vec<String> = modal
        .config
        .required_permissions
        .iter()
        .filter(|needed| {
            !connection
                .granted_permissions
                .iter()
                .any(|granted| granted.eq_ignore_ascii_case(needed))
        })
        .cloned()
        .collect();
    let result = dom::object(&[
        ("connectionId", connection.connection_id.as_str().into()),
        ("tenantId", connection.tenant_id.as_str().into()),
        ("clientId", connection.client_id.as_str().into()),
        ("cloud", connection.cloud.as_str().into()),
        ("scope", connection.scope.as_str().into()),
        (
            "grantedPermissions",
            string_array(&connection.granted_permissions).into(),
        ),
        ("missingPermissions", string_array(&missing).into()),
    ]);
    let settle = modal.settle.borrow_mut().take();
    if let Some((resolve, _)) = settle {
        let _ = resolve.call1(&JsValue::NULL, &result);
    }
    {
        let mut state = modal.state.borrow_mut();
        state.phase = Phase::Success;
        state.confirming = false;
        state.last_failure = None;
        state.server_error = None;
        state.debounce = None;
        state.dismiss = Some(after(SUCCESS_DISMISS_MS, modal.id, Timer::Dismiss));
    }
    // The secret is not needed any more.
    modal.view.inputs[2].set_value("");
    modal.emit(&dom::object(&[
        ("type", "success".into()),
        ("connectionId", connection.connection_id.as_str().into()),
    ]));
    show_success(modal, &connection, &missing);
}

fn show_success(modal: &Modal, connection: &Connection, missing: &[String]) {
    let view = &modal.view;
    let pane = &view.success_pane;
    pane.set_text_content(None);
    node(pane, "div", "class=check;aria-hidden=true");
    text_node(pane, "h2", "id=success-title", t(modal, Msg::SuccessTitle));
    let sentence = node(pane, "p", "class=lead;id=success-text");
    let template = t(modal, Msg::SuccessText);
    match split_at_placeholder(template, "tenant") {
        // The tenant ID in a <bdi>: in a right-to-left sentence a GUID's hyphen-separated
        // groups would otherwise be reordered by the bidirectional algorithm.
        Some((before, after)) => {
            text(&sentence, before);
            text(&child(&sentence, "bdi", ""), &connection.tenant_id);
            let _ = sentence.append_with_str_1(after);
        }
        None => text(&sentence, template),
    }
    let lists = child(pane, "div", "lists");
    let granted = &connection.granted_permissions;
    text(&child(&lists, "h3", ""), t(modal, Msg::GrantedTitle));
    if granted.is_empty() {
        text(&child(&lists, "p", "note"), t(modal, Msg::NoneGranted));
    } else {
        permission_list(&lists, granted, "chips");
    }
    if !missing.is_empty() {
        text(&child(&lists, "h3", ""), t(modal, Msg::MissingTitle));
        permission_list(&lists, missing, "chips missing");
        text(&child(&lists, "p", "note"), t(modal, Msg::MissingHint));
        // The way to grant them, as in the form (same action, same consent URL).
        text_node(
            &lists,
            "button",
            "class=btn;type=button;data-action=consent",
            t(modal, Msg::ConsentButton),
        );
    }
    let buttons = node(pane, "div", "class=buttons");
    let done = text_node(
        &buttons,
        "button",
        "class=btn primary;type=button;data-action=done;aria-describedby=success-title success-text",
        t(modal, Msg::Done),
    );

    form::set_busy(modal, false);
    flag(&view.form_pane, "hidden", true);
    flag(&view.confirm_pane, "hidden", true);
    flag(pane, "hidden", false);
    set(&view.dialog, "data-state", "success");
    set(&view.dialog, "aria-describedby", "success-text");
    dom::focus(&done);
}

fn permission_list(parent: &web_sys::Element, names: &[String], class: &str) {
    let list = child(parent, "ul", class);
    for name in names {
        text(&child(&list, "li", ""), name);
    }
}

/// The localized explanation of a failure: the text of a known §6.3 code, else the
/// SDK's own text for network and timeout failures, else the server's message (shown as
/// text, never markup).
fn failure_text(modal: &Modal, failure: &Failure) -> String {
    if let Some(msg) = failure
        .server_code
        .as_deref()
        .and_then(ServerCode::parse)
        .map(Msg::Server)
    {
        return t(modal, msg).to_string();
    }
    match failure.code {
        ErrorCode::Network => t(modal, Msg::Network).to_string(),
        ErrorCode::Timeout => t(modal, Msg::Timeout).to_string(),
        _ if failure.server_code.is_some() && !failure.message.trim().is_empty() => {
            failure.message.chars().take(500).collect()
        }
        _ => t(modal, Msg::ServerError).to_string(),
    }
}

/// The submission failed: session and abort failures end the modal; anything else is
/// shown, and the administrator can correct and retry.
fn fail(modal: &Rc<Modal>, failure: Failure) {
    if matches!(failure.code, ErrorCode::SessionExpired | ErrorCode::Aborted) {
        close(modal, Outcome::Failed(failure));
        return;
    }
    let words = failure_text(modal, &failure);
    let field = failure.field;
    let mut event = vec![("type", JsValue::from_str("error"))];
    event.push(("code", failure.code.as_str().into()));
    if let Some(status) = failure.status {
        event.push(("status", number(u32::from(status))));
    }
    if let Some(field) = field {
        event.push(("field", field.js_name().into()));
    }
    {
        let mut state = modal.state.borrow_mut();
        state.phase = Phase::Editing;
        state.last_failure = Some(failure);
        state.server_error = field.map(|field| (field, words.clone()));
    }
    form::set_busy(modal, false);
    if field.is_none() {
        text(&modal.view.alert, &words);
    }
    form::refresh(modal);
    modal.emit(&dom::object(&event));
    if let Some(field) = field {
        if matches!(field, Field::Scope | Field::Cloud) {
            modal.view.open_advanced();
        }
        dom::focus(modal.view.control(field));
    }
}
