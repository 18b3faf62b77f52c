//! Focus management (§4): focus starts on the first empty field, Tab cycles inside the
//! dialog, and focus that escapes to the page is brought back.

use wasm_bindgen::JsCast;
use web_sys::{Element, Event, HtmlElement, KeyboardEvent};

use super::super::dom;
use super::Modal;
use crate::rules::Field;

/// Elements that can take focus with Tab, before filtering out hidden and disabled ones.
const FOCUSABLE: &str = "a[href],button,input,select,summary,[tabindex]";

/// Focuses the first empty field the administrator can edit; else the first field with
/// an error; else the submit button.
pub(super) fn initial(modal: &Modal) {
    let view = &modal.view;
    let editable = [Field::TenantId, Field::ClientId, Field::ClientSecret]
        .into_iter()
        .filter(|field| !modal.config.locked.has(*field));
    for field in editable.clone() {
        let control = view.control(field);
        // Tenant, client ID and secret are inputs.
        let empty = control
            .unchecked_ref::<web_sys::HtmlInputElement>()
            .value()
            .trim()
            .is_empty();
        if empty {
            dom::focus(control);
            return;
        }
    }
    let report_error = modal
        .state
        .try_borrow()
        .ok()
        .and_then(|state| state.report.first_error().map(|(field, _)| field));
    match report_error {
        Some(field @ (Field::TenantId | Field::ClientId | Field::ClientSecret))
            if !modal.config.locked.has(field) =>
        {
            dom::focus(view.control(field))
        }
        _ => {
            let _ = view.submit.focus();
        }
    }
}

/// The elements Tab can reach in the dialog, in order.
fn tabbable(modal: &Modal) -> Vec<HtmlElement> {
    let Ok(nodes) = modal.view.dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..nodes.length())
        .filter_map(|index| nodes.get(index))
        // Links, buttons, inputs, selects and summaries: all HTML elements.
        .map(|node| node.unchecked_into::<HtmlElement>())
        .filter(|element| {
            element.tab_index() >= 0
                && !element.matches(":disabled").unwrap_or(false)
                // Hidden panes and the closed disclosure's content have no box.
                && (element.offset_width() > 0 || element.offset_height() > 0)
        })
        .collect()
}

/// Keeps Tab and Shift+Tab inside the dialog, cycling from the last element to the
/// first and back.
pub(super) fn trap_tab(modal: &Modal, event: &KeyboardEvent) {
    let items = tabbable(modal);
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        event.prevent_default();
        return;
    };
    let active: Option<Element> = modal.view.shadow.active_element();
    let position = active.as_ref().and_then(|active| {
        items
            .iter()
            .position(|item| AsRef::<Element>::as_ref(item) == active)
    });
    let backwards = event.shift_key();
    let next = match position {
        None if backwards => Some(last),
        None => Some(first),
        Some(0) if backwards => Some(last),
        Some(index) if !backwards && index + 1 == items.len() => Some(first),
        Some(_) => None,
    };
    if let Some(next) = next {
        event.prevent_default();
        let _ = next.focus();
    }
}

/// Focus moved to the page behind the modal (a script, a click outside): bring it back.
pub(super) fn keep_inside(modal: &Modal, event: &Event) {
    let inside = event
        .target()
        .is_some_and(|target| target == *modal.view.host.unchecked_ref::<web_sys::EventTarget>());
    if !inside {
        match tabbable(modal).first() {
            Some(first) => {
                let _ = first.focus();
            }
            None => initial(modal),
        }
    }
}
