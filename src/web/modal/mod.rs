//! The connect modal's lifecycle (SPEC §3, §4): one open at a time, owned by a
//! thread-local slot; every node, listener, timer and stylesheet it adds belongs to the
//! one [`Modal`] value, and closing tears them all down and drops it.
//!
//! Listeners and timers capture no reference to the modal, only a small `Copy` value; they
//! look the open modal up in the slot. So there is no reference cycle to leak, and a late
//! callback of a closed modal finds nothing to act on.

mod focus;
mod form;
mod styles;
mod submit;
mod view;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{AbortController, Element, Event, EventTarget, KeyboardEvent};

use super::api;
use super::dom::{self, document, listen, Listener};
use super::options::Config;
use crate::error::ErrorCode;
use crate::messages::Msg;
use crate::protocol::Failure;
use crate::rules::{self, Code, Field, Report};
use view::View;

/// How long the success view stays before closing by itself.
const SUCCESS_DISMISS_MS: u32 = 6_000;
/// Validation on input waits this long after the last keystroke.
const DEBOUNCE_MS: u32 = 150;

/// Where the modal is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The form can be edited and submitted.
    Editing,
    /// A submission is in flight: fields are read-only.
    Submitting,
    /// The connection was created; the success view is shown.
    Success,
}

/// Why the modal closes: decides how the Promise settles.
enum Outcome {
    /// Closed by the administrator before a success.
    Cancelled,
    /// The success view was dismissed (the Promise already resolved).
    Dismissed,
    /// The host's `signal` fired.
    Aborted,
    /// A failure that ends the modal at once (`session_expired`, `aborted`).
    Failed(Failure),
}

/// What changes while the modal is open.
struct State {
    phase: Phase,
    /// The "discard your changes?" pane is shown.
    confirming: bool,
    /// Fields that lost focus once: their findings are shown.
    touched: [bool; 5],
    /// A submit was attempted: every finding is shown.
    attempted: bool,
    /// The rule error shown on each field (for `field_error` events).
    shown_errors: [Option<Code>; 5],
    /// A server error shown on a field until it is edited.
    server_error: Option<(Field, String)>,
    /// The rules' verdict on the current values.
    report: Report,
    /// The pending debounced validation.
    debounce: Option<Timeout>,
    /// The success view's automatic dismissal.
    dismiss: Option<Timeout>,
    /// The last failed submission, for the rejection if the modal is closed.
    last_failure: Option<Failure>,
    /// The secret is shown in clear text.
    secret_visible: bool,
    /// The last mouse press started on the backdrop (a drag from an input does not close).
    backdrop_pressed: bool,
    /// Where focus was when the confirmation opened.
    focus_before_confirm: Option<Element>,
}

/// The open modal. Dropping it (after [`Modal::teardown`]) leaves the page as it was.
pub(crate) struct Modal {
    /// Distinguishes this modal from a later one, for late async callbacks.
    id: u32,
    config: Rc<Config>,
    view: View,
    state: RefCell<State>,
    listeners: RefCell<Vec<Listener>>,
    /// The element focused before opening; focus returns to it.
    opener: Option<Element>,
    /// The Promise's `resolve` and `reject`, taken when it settles.
    settle: RefCell<Option<(Function, Function)>>,
    /// Aborts the submission in flight when the modal closes.
    abort: AbortController,
    closed: Cell<bool>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Modal>>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Whether a modal is open (a second `connect()` is then `already_open`).
pub(crate) fn is_open() -> bool {
    CURRENT.with(|slot| slot.try_borrow().map_or(true, |modal| modal.is_some()))
}

fn current() -> Option<Rc<Modal>> {
    CURRENT.with(|slot| slot.try_borrow().ok().and_then(|modal| modal.clone()))
}

fn current_with_id(id: u32) -> Option<Rc<Modal>> {
    current().filter(|modal| modal.id == id)
}

/// The DOM events the modal listens to.
#[derive(Clone, Copy)]
enum On {
    Click,
    MouseDown,
    Input,
    Change,
    FocusOut,
    Submit,
    KeyDown,
    FocusIn,
    PointerMove,
    Abort,
    Toggle,
}

/// The modal's timers.
#[derive(Clone, Copy)]
enum Timer {
    Debounce,
    Dismiss,
}

fn after(ms: u32, id: u32, timer: Timer) -> Timeout {
    Timeout::new(ms, move || on_timer(id, timer))
}

/// Draws the modal for `config` and settles the Promise through `resolve`/`reject`.
pub(crate) fn open(config: Config, resolve: Function, reject: Function) {
    let config = Rc::new(config);
    let document = document();
    let opener = document.active_element();
    let view = view::build(&config);
    styles::adopt(&view.shadow, &config.appearance);
    let parent: Element = match &config.container {
        Some(container) => container.clone(),
        None => document
            .body()
            .map_or_else(|| document.document_element().unwrap_throw(), Into::into),
    };
    let modal_mode = config.container.is_none();
    if modal_mode {
        styles::lock_page();
    }
    let _ = parent.append_child(&view.host);

    let report = rules::validate(&form::input_values(&view).as_input());
    let id = NEXT_ID.with(|next| next.replace(next.get().wrapping_add(1)));
    let prefilled = [
        !config.tenant_id.trim().is_empty(),
        !config.client_id.trim().is_empty(),
        false,
        !config.scope.trim().is_empty(),
        false,
    ];
    let modal = Rc::new(Modal {
        id,
        config: config.clone(),
        view,
        state: RefCell::new(State {
            phase: Phase::Editing,
            confirming: false,
            // Prefilled values are validated and shown like typed ones.
            touched: prefilled,
            attempted: false,
            shown_errors: [None; 5],
            server_error: None,
            report,
            debounce: None,
            dismiss: None,
            last_failure: None,
            secret_visible: false,
            backdrop_pressed: false,
            focus_before_confirm: None,
        }),
        listeners: RefCell::new(Vec::new()),
        opener,
        settle: RefCell::new(Some((resolve, reject))),
        abort: AbortController::new().unwrap_throw(),
        closed: Cell::new(false),
    });
    CURRENT.with(|slot| *slot.borrow_mut() = Some(modal.clone()));

    let shadow: &EventTarget = modal.view.shadow.as_ref();
    let mut listeners = vec![
        listen(shadow, "click", false, handle, On::Click),
        listen(shadow, "input", false, handle, On::Input),
        listen(shadow, "change", false, handle, On::Change),
        listen(shadow, "focusout", false, handle, On::FocusOut),
        listen(shadow, "submit", false, handle, On::Submit),
        // `toggle` does not bubble: caught on its way down.
        listen(shadow, "toggle", true, handle, On::Toggle),
        listen(
            modal.view.dialog.as_ref(),
            "pointermove",
            false,
            handle,
            On::PointerMove,
        ),
    ];
    if let Some(backdrop) = &modal.view.backdrop {
        listeners.push(listen(backdrop, "mousedown", false, handle, On::MouseDown));
        // At the document, in the capture phase: Escape and Tab are seen even when focus
        // is not inside the dialog, and before the page's own handlers.
        listeners.push(listen(&document, "keydown", true, handle, On::KeyDown));
        listeners.push(listen(&document, "focusin", false, handle, On::FocusIn));
    } else {
        listeners.push(listen(shadow, "keydown", false, handle, On::KeyDown));
    }
    if let Some(signal) = &config.signal {
        listeners.push(listen(signal, "abort", false, handle, On::Abort));
    }
    *modal.listeners.borrow_mut() = listeners;

    form::refresh(&modal);
    focus::initial(&modal);
    modal.emit(&dom::object(&[("type", "open".into())]));
}

impl Modal {
    /// Calls the host's `onEvent` with `event`; an exception it throws is swallowed so
    /// that analytics can never break the modal.
    fn emit(&self, event: &js_sys::Object) {
        if let Some(on_event) = &self.config.on_event {
            let _ = on_event.call1(&JsValue::NULL, event);
        }
    }

    /// Whether a value differs from what the modal opened with.
    fn is_edited(&self) -> bool {
        let values = form::input_values(&self.view);
        values.tenant_id != self.config.tenant_id
            || values.client_id != self.config.client_id
            || !values.client_secret.is_empty()
            || values.scope != self.config.scope
            || values.cloud != self.config.cloud.name()
    }

    /// Whether the modal is a dialog over the page (not inline in a container).
    fn is_modal(&self) -> bool {
        self.view.backdrop.is_some()
    }

    /// Removes everything the modal added to the page and returns focus to the opener.
    fn teardown(&self) {
        self.listeners.borrow_mut().clear();
        if let Ok(mut state) = self.state.try_borrow_mut() {
            state.debounce = None;
            state.dismiss = None;
        }
        self.abort.abort();
        // Hygiene (§4): the secret lives in the input only while the modal is open.
        self.view.inputs[2].set_value("");
        self.view.host.remove();
        if self.is_modal() {
            styles::unlock_page();
        }
        if let Some(opener) = &self.opener {
            if opener.is_connected() {
                dom::focus(opener);
            }
        }
    }
}

impl Drop for Modal {
    fn drop(&mut self) {
        if !self.closed.replace(true) {
            self.teardown();
        }
    }
}

/// Closes the modal: tears it down, settles the Promise if it is still pending, and
/// tells the host (`close` event). The first close wins; later calls do nothing.
fn close(modal: &Rc<Modal>, outcome: Outcome) {
    if modal.closed.replace(true) {
        return;
    }
    CURRENT.with(|slot| {
        if let Ok(mut slot) = slot.try_borrow_mut() {
            if slot.as_ref().is_some_and(|open| Rc::ptr_eq(open, modal)) {
                *slot = None;
            }
        }
    });
    modal.teardown();
    let settle = modal.settle.borrow_mut().take();
    if let Some((_, reject)) = settle {
        let last_failure = modal
            .state
            .try_borrow_mut()
            .ok()
            .and_then(|mut state| state.last_failure.take());
        let error = match outcome {
            Outcome::Aborted => api::error_object(
                ErrorCode::Aborted,
                "connect() was aborted through its signal",
            ),
            Outcome::Failed(failure) => api::failure_object(&failure),
            Outcome::Cancelled | Outcome::Dismissed => match last_failure {
                Some(failure) => api::failure_object(&failure),
                None => api::error_object(
                    ErrorCode::Cancelled,
                    "The dialog was closed before a connection was made",
                ),
            },
        };
        let _ = reject.call1(&JsValue::NULL, &error);
    }
    modal.emit(&dom::object(&[("type", "close".into())]));
}

/// Closes on an explicit request (close or cancel button).
fn close_now(modal: &Rc<Modal>) {
    let phase = modal.state.borrow().phase;
    let outcome = if phase == Phase::Success {
        Outcome::Dismissed
    } else {
        Outcome::Cancelled
    };
    close(modal, outcome);
}

/// Closes on a request that may be accidental (Escape, backdrop): asks first when the
/// form has been edited.
fn request_close(modal: &Rc<Modal>) {
    let (phase, confirming) = {
        let state = modal.state.borrow();
        (state.phase, state.confirming)
    };
    if phase == Phase::Success {
        close(modal, Outcome::Dismissed);
    } else if confirming {
        form::hide_confirm(modal);
    } else if modal.is_edited() {
        form::show_confirm(modal);
    } else {
        close(modal, Outcome::Cancelled);
    }
}

fn target_element(event: &Event) -> Option<Element> {
    event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
}

/// The form field an event comes from, by the control's `name`.
fn field_of(event: &Event) -> Option<Field> {
    let name = target_element(event)?.get_attribute("name")?;
    Field::from_name(&name)
}

/// The one handler behind every listener.
fn handle(on: On, event: &Event) {
    let Some(modal) = current() else { return };
    match on {
        On::Click => on_click(&modal, event),
        On::MouseDown => {
            let on_backdrop = target_element(event) == modal.view.backdrop;
            if on_backdrop {
                // Keeps focus in the dialog.
                event.prevent_default();
            }
            modal.state.borrow_mut().backdrop_pressed = on_backdrop;
        }
        On::Input => {
            if let Some(field) = field_of(event) {
                form::on_input(&modal, field);
            }
        }
        On::Change => {
            if field_of(event) == Some(Field::Cloud) {
                form::on_cloud_change(&modal);
            }
        }
        On::FocusOut => {
            if let Some(field) = field_of(event) {
                form::on_blur(&modal, field);
            }
        }
        On::Submit => {
            event.prevent_default();
            submit::start(&modal);
        }
        On::KeyDown => {
            // Only keydown listeners get here: the event is a KeyboardEvent.
            on_key(&modal, event.unchecked_ref::<KeyboardEvent>());
        }
        On::FocusIn => focus::keep_inside(&modal, event),
        On::PointerMove => stop_auto_dismiss(&modal),
        On::Abort => close(&modal, Outcome::Aborted),
        // The disclosure opened without its summary (a script set `open`): its fields are
        // drawn now, one task later.
        On::Toggle => modal.view.draw_advanced(),
    }
}

fn on_timer(id: u32, timer: Timer) {
    let Some(modal) = current_with_id(id) else {
        return;
    };
    match timer {
        Timer::Debounce => {
            if let Ok(mut state) = modal.state.try_borrow_mut() {
                state.debounce = None;
            }
            form::refresh(&modal);
        }
        Timer::Dismiss => close(&modal, Outcome::Dismissed),
    }
}

fn on_click(modal: &Rc<Modal>, event: &Event) {
    let Some(target) = target_element(event) else {
        return;
    };
    if modal.view.backdrop.as_ref() == Some(&target) {
        let pressed = std::mem::take(&mut modal.state.borrow_mut().backdrop_pressed);
        if pressed {
            request_close(modal);
        }
        return;
    }
    if target.closest("summary").ok().flatten().is_some() {
        // The Advanced disclosure is about to open: its fields are drawn before it shows,
        // in this same task (the mouse, Enter and Space, and assistive technology's
        // expand action all click the summary).
        modal.view.draw_advanced();
        return;
    }
    let Some(button) = target.closest("[data-action]").ok().flatten() else {
        return;
    };
    match button.get_attribute("data-action").as_deref() {
        Some("close" | "cancel") => close_now(modal),
        Some("toggle-secret") => form::toggle_secret(modal),
        Some("consent") => form::open_admin_consent(modal),
        Some("keep") => form::hide_confirm(modal),
        Some("discard") => close(modal, Outcome::Cancelled),
        Some("done") => close(modal, Outcome::Dismissed),
        _ => {}
    }
}

fn on_key(modal: &Rc<Modal>, event: &KeyboardEvent) {
    stop_auto_dismiss(modal);
    match event.key().as_str() {
        "Escape" => {
            let confirming = modal.state.borrow().confirming;
            if modal.is_modal() || confirming {
                event.prevent_default();
                event.stop_propagation();
                request_close(modal);
            }
        }
        "Tab" if modal.is_modal() => focus::trap_tab(modal, event),
        _ => {}
    }
}

/// The administrator is looking at the success view: it no longer closes by itself.
fn stop_auto_dismiss(modal: &Modal) {
    if let Ok(mut state) = modal.state.try_borrow_mut() {
        if state.phase == Phase::Success {
            state.dismiss = None;
        }
    }
}

/// The text of a message in the modal's language (with the host's overrides).
fn t(modal: &Modal, msg: Msg) -> &str {
    modal.config.texts.get(msg)
}
