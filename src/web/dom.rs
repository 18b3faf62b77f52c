//! Small, size-conscious DOM helpers: element creation, attributes, text, and event
//! listeners that remove themselves when dropped.
//!
//! Every listener of the modal goes through [`listen`] with a plain `fn` pointer and a
//! `Copy` argument, so there is one closure type and its glue code exists once in the
//! wasm (the leptos habit of a thin wrapper instead of one copy per closure).

use js_sys::{Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{Document, Element, Event, EventTarget, HtmlElement, Window};

#[wasm_bindgen]
extern "C" {
    /// The page's `globalThis`, its window: one import, where `web_sys::window()` probes
    /// `globalThis`, `self`, `window` and `global` (four imports) and checks the type.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL: Window;
}

thread_local! {
    static DOCUMENT: Document = window()
        .document()
        .expect_throw("entra-connect needs a document");
}

/// The page's `window` (the SDK draws a modal, so it runs in a page, never in a worker).
pub(crate) fn window() -> Window {
    GLOBAL.with(Clone::clone)
}

/// The page's `document`.
pub(crate) fn document() -> Document {
    DOCUMENT.with(Clone::clone)
}

/// A new element `tag` (in the HTML namespace).
pub(crate) fn element(tag: &str) -> Element {
    document().create_element(tag).unwrap_throw()
}

/// A new element `tag` with `class` (if not empty), appended to `parent`.
pub(crate) fn child(parent: &Element, tag: &str, class: &str) -> Element {
    let node = element(tag);
    if !class.is_empty() {
        set(&node, "class", class);
    }
    let _ = parent.append_child(&node);
    node
}

/// A new element `tag` with `attributes` written `name=value;name=value` (values without
/// `;`), appended to `parent`. One call and one string per element, rather than a call per
/// attribute, keeps the modal's drawing code small (the attribute text compresses well).
pub(crate) fn node(parent: &Element, tag: &str, attributes: &str) -> Element {
    let node = element(tag);
    for attribute in attributes.split(';') {
        if let Some((name, value)) = attribute.split_once('=') {
            set(&node, name, value);
        }
    }
    let _ = parent.append_child(&node);
    node
}

/// [`node`] with its text.
pub(crate) fn text_node(parent: &Element, tag: &str, attributes: &str, words: &str) -> Element {
    let node = node(parent, tag, attributes);
    text(&node, words);
    node
}

/// Sets an attribute (never fails for the names we use).
pub(crate) fn set(node: &Element, name: &str, value: &str) {
    let _ = node.set_attribute(name, value);
}

/// Adds or removes a boolean attribute such as `hidden`.
pub(crate) fn flag(node: &Element, name: &str, on: bool) {
    if on {
        set(node, name, "");
    } else {
        let _ = node.remove_attribute(name);
    }
}

/// Replaces the text of `node` (as text, never markup).
pub(crate) fn text(node: &Element, value: &str) {
    node.set_text_content(Some(value));
}

/// Replaces the text of `node` only when it differs, so assistive technology is not
/// told about an unchanged text.
pub(crate) fn text_if_changed(node: &Element, value: &str) {
    if node.text_content().as_deref() != Some(value) {
        text(node, value);
    }
}

/// Moves focus to `node`, if it is an element that can take it.
pub(crate) fn focus(node: &Element) {
    // `focus()` is on HTMLElement, SVGElement and MathMLElement alike; on an element
    // without one the call throws, and the error is ignored.
    let _ = node.unchecked_ref::<HtmlElement>().focus();
}

/// An event listener that removes itself when dropped (the ownership of
/// `gloo_events::EventListener`). Unlike gloo's, its callback is an `Fn` closure, which
/// wasm-bindgen lets re-enter: a handler that moves focus, or a host `onEvent` callback
/// that does, may dispatch the same event type again while the handler runs, and an
/// `FnMut` closure would throw "closure invoked recursively" there.
pub(crate) struct Listener {
    target: EventTarget,
    event_type: &'static str,
    capture: bool,
    callback: Closure<dyn Fn(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.event_type,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// Listens to `event_type` on `target`, calling `handler(argument, event)` until the
/// returned [`Listener`] is dropped. The listener is not passive, so a handler may call
/// `preventDefault()`. Handlers are plain `fn`s with a small argument (the modal's `Copy`
/// event kind, the transport's `Rc` state), so every listener of one argument type shares
/// one closure type and its glue exists once in the wasm.
pub(crate) fn listen<A: Clone + 'static>(
    target: &EventTarget,
    event_type: &'static str,
    capture: bool,
    handler: fn(A, &Event),
    argument: A,
) -> Listener {
    let callback =
        Closure::<dyn Fn(Event)>::new(move |event: Event| handler(argument.clone(), &event));
    let _ = target.add_event_listener_with_callback_and_bool(
        event_type,
        callback.as_ref().unchecked_ref(),
        capture,
    );
    Listener {
        target: target.clone(),
        event_type,
        capture,
        callback,
    }
}

/// A plain JavaScript object built from `(key, value)` pairs.
pub(crate) fn object(pairs: &[(&str, JsValue)]) -> Object {
    let object = Object::new();
    for (key, value) in pairs {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object
}

/// Sets `key` on a JavaScript object.
pub(crate) fn put(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &JsValue::from_str(key), value);
}

/// A JavaScript array of strings.
pub(crate) fn string_array(items: &[String]) -> js_sys::Array {
    items.iter().map(|item| JsValue::from_str(item)).collect()
}
