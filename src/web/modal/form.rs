//! The editing state of the form: validation on input (debounced) and on blur, field
//! messages tied with `aria-describedby`/`aria-invalid`, the submit button's reason why it
//! cannot submit, the secret toggle, the admin consent button, and the "discard your
//! changes?" pane.

use std::rc::Rc;

use wasm_bindgen::JsValue;

use super::super::dom::{self, flag, set, text, text_if_changed};
use super::view::{self, View};
use super::{after, focus, t, Modal, Phase, Timer, DEBOUNCE_MS};
use crate::messages::{fill, Msg};
use crate::rules::{self, Code, Field, Severity};

/// The form's raw values, as typed.
pub(super) struct Values {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub scope: String,
    pub cloud: String,
}

impl Values {
    /// The values as the rules take them.
    pub fn as_input(&self) -> rules::Input<'_> {
        rules::Input {
            tenant_id: &self.tenant_id,
            client_id: &self.client_id,
            client_secret: &self.client_secret,
            scope: &self.scope,
            cloud: &self.cloud,
        }
    }
}

/// Reads the current values of the form.
pub(super) fn input_values(view: &View) -> Values {
    Values {
        tenant_id: view.inputs[0].value(),
        client_id: view.inputs[1].value(),
        client_secret: view.inputs[2].value(),
        scope: view.inputs[3].value(),
        cloud: view.cloud_value(),
    }
}

/// Validates the current values and redraws every field message, the submit reason and
/// the consent button; emits `field_error` for each error that newly appears.
pub(super) fn refresh(modal: &Modal) {
    let values = input_values(&modal.view);
    let report = rules::validate(&values.as_input());
    drop(values);
    let mut appeared: Vec<(Field, Code)> = Vec::new();
    {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        // The position in form order is the index into the per-field state arrays (and,
        // counted here, needs no bounds check).
        for (index, (field, check)) in report.fields().into_iter().enumerate() {
            let visible = state.touched[index] || state.attempted;
            let server = state
                .server_error
                .as_ref()
                .filter(|(on, _)| *on == field)
                .map(|(_, message)| message.as_str());
            let shown = match server {
                Some(message) => Some((Severity::Error, message)),
                None if visible => check
                    .error
                    .map(|code| (Severity::Error, code))
                    .or(check.warning.map(|code| (Severity::Warning, code)))
                    .map(|(severity, code)| (severity, t(modal, Msg::Rule(code)))),
                None => None,
            };
            show_message(&modal.view, field, shown);
            let shown_error = if visible && server.is_none() {
                check.error
            } else {
                None
            };
            if shown_error != state.shown_errors[index] {
                if let Some(code) = shown_error {
                    appeared.push((field, code));
                }
                state.shown_errors[index] = shown_error;
            }
        }
        let phase = state.phase;
        state.report = report;
        if phase == Phase::Editing {
            show_submit_reason(modal, &state.report);
        }
        show_consent_state(modal, &state.report);
    }
    for (field, code) in appeared {
        modal.emit(&dom::object(&[
            ("type", "field_error".into()),
            ("field", field.js_name().into()),
            ("code", code.as_str().into()),
        ]));
    }
}

/// Shows an error or warning under a field, or clears it.
fn show_message(view: &View, field: Field, shown: Option<(Severity, &str)>) {
    let message = view.message(field);
    // A control not drawn yet has nothing to clear.
    let Some(control) = (if shown.is_some() {
        Some(view.control(field))
    } else {
        view.drawn_control(field)
    }) else {
        return;
    };
    match shown {
        Some((severity, words)) => {
            let is_error = severity == Severity::Error;
            set(
                message,
                "data-kind",
                if is_error { "error" } else { "warning" },
            );
            text_if_changed(message, words);
            set(
                control,
                "aria-invalid",
                if is_error { "true" } else { "false" },
            );
        }
        None => {
            let _ = message.remove_attribute("data-kind");
            text_if_changed(message, "");
            let _ = control.remove_attribute("aria-invalid");
        }
    }
}

/// The submit button stays focusable and says why it cannot submit yet: the labels of
/// the fields still to complete describe it (`aria-describedby`).
fn show_submit_reason(modal: &Modal, report: &rules::Report) {
    let mut fields = String::new();
    for (field, check) in report.fields() {
        if check.error.is_some() {
            if !fields.is_empty() {
                fields.push_str(t(modal, Msg::ListSeparator));
            }
            fields.push_str(t(modal, view::label(field)));
        }
    }
    let view = &modal.view;
    let blocked = !fields.is_empty();
    flag(&view.submit, "data-blocked", blocked);
    if blocked {
        set(&view.submit, "aria-disabled", "true");
        text_if_changed(
            &view.status,
            &fill(t(modal, Msg::SubmitBlocked), "fields", &fields),
        );
    } else {
        let _ = view.submit.remove_attribute("aria-disabled");
        text_if_changed(&view.status, "");
    }
}

fn consent_ready(report: &rules::Report) -> bool {
    report.tenant_id.error.is_none() && report.client_id.error.is_none()
}

fn show_consent_state(modal: &Modal, report: &rules::Report) {
    if let Some((button, note)) = &modal.view.consent {
        let ready = consent_ready(report);
        if ready {
            let _ = button.remove_attribute("aria-disabled");
            text_if_changed(note, "");
        } else {
            set(button, "aria-disabled", "true");
            text_if_changed(note, t(modal, Msg::ConsentUnavailable));
        }
    }
}

/// A keystroke: validation runs shortly after typing pauses.
pub(super) fn on_input(modal: &Modal, field: Field) {
    let Ok(mut state) = modal.state.try_borrow_mut() else {
        return;
    };
    if state
        .server_error
        .as_ref()
        .is_some_and(|(on, _)| *on == field)
    {
        state.server_error = None;
    }
    // Replacing the timer cancels the previous one.
    state.debounce = Some(after(DEBOUNCE_MS, modal.id, Timer::Debounce));
}

/// Another cloud: its default scope becomes the placeholder, and the scope is rechecked.
pub(super) fn on_cloud_change(modal: &Modal) {
    let cloud = rules::Cloud::from_name(&modal.view.cloud_value()).unwrap_or_default();
    set(&modal.view.inputs[3], "placeholder", cloud.default_scope());
    if let Ok(mut state) = modal.state.try_borrow_mut() {
        state.touched[Field::Cloud as usize] = true;
        if state
            .server_error
            .as_ref()
            .is_some_and(|(on, _)| matches!(on, Field::Cloud | Field::Scope))
        {
            state.server_error = None;
        }
    }
    refresh(modal);
}

/// A field lost focus: its findings are shown from now on.
pub(super) fn on_blur(modal: &Modal, field: Field) {
    {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        if state.phase != Phase::Editing {
            return;
        }
        state.touched[field as usize] = true;
        state.debounce = None;
    }
    refresh(modal);
}

/// Shows or masks the client secret.
pub(super) fn toggle_secret(modal: &Modal) {
    let visible = {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        state.secret_visible = !state.secret_visible;
        state.secret_visible
    };
    let view = &modal.view;
    set(
        &view.inputs[2],
        "type",
        if visible { "text" } else { "password" },
    );
    set(
        &view.toggle_secret,
        "aria-pressed",
        if visible { "true" } else { "false" },
    );
    let (label, words) = if visible {
        (Msg::HideSecretLabel, Msg::HideSecret)
    } else {
        (Msg::ShowSecretLabel, Msg::ShowSecret)
    };
    set(&view.toggle_secret, "aria-label", t(modal, label));
    text(&view.toggle_secret, t(modal, words));
}

/// Opens the admin consent URL (§5.6) for the tenant and client entered, in a new tab.
pub(super) fn open_admin_consent(modal: &Modal) {
    let (tenant_id, client_id, scope, cloud) = {
        let state = modal.state.borrow();
        if !consent_ready(&state.report) {
            drop(state);
            refresh_touching(modal, &[Field::TenantId, Field::ClientId]);
            return;
        }
        (
            state.report.tenant_id.normalized.clone(),
            state.report.client_id.normalized.clone(),
            state.report.scope.normalized.clone(),
            rules::Cloud::from_name(&state.report.cloud.normalized).unwrap_or_default(),
        )
    };
    let consent_state = super::super::transport::new_idempotency_key();
    let url = rules::admin_consent_url(cloud, &tenant_id, &client_id, &scope, None, &consent_state);
    let _ = dom::window().open_with_url_and_target_and_features(&url, "_blank", "noopener");
}

/// Marks `fields` as touched and shows their findings (consent asked too early).
fn refresh_touching(modal: &Modal, fields: &[Field]) {
    if let Ok(mut state) = modal.state.try_borrow_mut() {
        for field in fields {
            state.touched[*field as usize] = true;
        }
    }
    refresh(modal);
}

/// Makes the fields read-only while a submission is in flight, and back.
pub(super) fn set_busy(modal: &Modal, busy: bool) {
    let view = &modal.view;
    let locked = modal.config.locked;
    for (input, field) in view.inputs.iter().zip([
        Field::TenantId,
        Field::ClientId,
        Field::ClientSecret,
        Field::Scope,
    ]) {
        flag(input, "readonly", busy || locked.has(field));
    }
    if let Some(cloud) = view.drawn_control(Field::Cloud) {
        flag(cloud, "disabled", busy);
    }
    flag(&view.dialog, "aria-busy", busy);
    if busy {
        set(&view.dialog, "data-state", "submitting");
        set(&view.submit, "aria-disabled", "true");
        let _ = view.submit.remove_attribute("data-blocked");
        text(&view.submit_label, t(modal, Msg::Submitting));
        text(&view.status, "");
        text(&view.live, t(modal, Msg::Submitting));
    } else {
        let _ = view.dialog.remove_attribute("data-state");
        text(&view.status, "");
        text(&view.submit_label, t(modal, Msg::Submit));
        text(&view.live, "");
    }
}

/// Asks "discard the values you entered?" inside the dialog.
pub(super) fn show_confirm(modal: &Rc<Modal>) {
    {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        state.confirming = true;
        state.focus_before_confirm = modal.view.shadow.active_element();
    }
    let view = &modal.view;
    flag(&view.form_pane, "hidden", true);
    let keep = view.confirm_keep();
    flag(&view.confirm_pane, "hidden", false);
    dom::focus(keep);
}

/// Back to the form, focus where it was.
pub(super) fn hide_confirm(modal: &Rc<Modal>) {
    let before = {
        let Ok(mut state) = modal.state.try_borrow_mut() else {
            return;
        };
        state.confirming = false;
        state.focus_before_confirm.take()
    };
    let view = &modal.view;
    flag(&view.confirm_pane, "hidden", true);
    flag(&view.form_pane, "hidden", false);
    match before {
        Some(element) if element.is_connected() => dom::focus(&element),
        _ => focus::initial(modal),
    }
}

/// The value used for `JsValue` conversions of optional numbers.
pub(super) fn number(value: u32) -> JsValue {
    JsValue::from_f64(f64::from(value))
}
