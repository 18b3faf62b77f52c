//! Helpers shared by the modal's browser tests: building option objects, finding the
//! modal's elements in its shadow root, dispatching real DOM events, stubbing `fetch`.
#![allow(dead_code)]

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, ShadowRoot};

pub const TENANT: &str = "fc659cb7-0c66-4e32-9f96-c35c869581b6";
pub const CLIENT: &str = "38a6702a-fb0c-4495-976f-5e260e080751";
pub const SECRET: &str = "Emu8Q~ContosoSampleSecret-0123456789abcd";

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn global() -> JsValue {
    js_sys::global().into()
}

/// A JS object from pairs.
pub fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

pub fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn set(value: &JsValue, key: &str, to: &JsValue) {
    Reflect::set(value, &key.into(), to).unwrap();
}

/// Valid minimal options plus `extra` (an `undefined` value removes a key).
pub fn options(extra: &[(&str, JsValue)]) -> JsValue {
    let options = object(&[
        ("endpoint", "/api/entra/connections".into()),
        ("sessionToken", "session-token".into()),
    ]);
    for (key, value) in extra {
        if value.is_undefined() {
            Reflect::delete_property(options.unchecked_ref::<Object>(), &(*key).into()).unwrap();
        } else {
            set(&options, key, value);
        }
    }
    options
}

/// A JavaScript function from source (tests only; the SDK never evaluates code).
pub fn function(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

/// An array of strings.
pub fn strings(items: &[&str]) -> JsValue {
    items
        .iter()
        .map(|item| JsValue::from_str(item))
        .collect::<Array>()
        .into()
}

pub fn host() -> Option<Element> {
    document().query_selector("[data-entra-connect]").unwrap()
}

pub fn shadow() -> ShadowRoot {
    host()
        .expect("the modal is open")
        .shadow_root()
        .expect("an open shadow root")
}

/// An element inside the modal's shadow root.
pub fn find(selector: &str) -> Element {
    shadow()
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector} in the modal"))
}

pub fn try_find(selector: &str) -> Option<Element> {
    host()?.shadow_root()?.query_selector(selector).unwrap()
}

pub fn input(name: &str) -> HtmlInputElement {
    let mut selector = String::from("[name=\"");
    selector.push_str(name);
    selector.push_str("\"]");
    find(&selector).unchecked_into()
}

pub fn text_of(selector: &str) -> String {
    find(selector).text_content().unwrap_or_default()
}

/// The element focused inside the modal, by its `name`, `data-action` or tag.
pub fn focused() -> String {
    let Some(active) = shadow().active_element() else {
        return String::from("(nothing)");
    };
    active
        .get_attribute("name")
        .or_else(|| active.get_attribute("data-action"))
        .or_else(|| active.get_attribute("type"))
        .unwrap_or_else(|| active.tag_name())
}

/// `new Ctor(type, init)` for a DOM event class.
pub fn event(class: &str, event_type: &str, init: &[(&str, JsValue)]) -> web_sys::Event {
    let constructor: Function = get(&global(), class).unchecked_into();
    let mut all = vec![
        ("bubbles", JsValue::TRUE),
        ("composed", JsValue::TRUE),
        ("cancelable", JsValue::TRUE),
    ];
    all.extend_from_slice(init);
    let arguments = Array::of2(&event_type.into(), &object(&all));
    Reflect::construct(&constructor, &arguments)
        .unwrap()
        .unchecked_into()
}

pub fn key(target: &Element, key: &str, shift: bool) -> bool {
    target
        .dispatch_event(&event(
            "KeyboardEvent",
            "keydown",
            &[("key", key.into()), ("shiftKey", shift.into())],
        ))
        .unwrap()
}

/// Presses a key on whatever has focus (the focused element in the modal, else body).
pub fn press(key_name: &str) {
    let target: Element = shadow_active().unwrap_or_else(|| document().body().unwrap().into());
    key(&target, key_name, false);
}

pub fn shadow_active() -> Option<Element> {
    host()?.shadow_root()?.active_element()
}

pub fn click(selector: &str) {
    find(selector).unchecked_into::<HtmlElement>().click();
}

/// Types `value` into a field as a person would: focus, value, `input` event.
pub fn type_into(name: &str, value: &str) {
    let field = input(name);
    field.focus().unwrap();
    field.set_value(value);
    field
        .dispatch_event(&event("InputEvent", "input", &[]))
        .unwrap();
}

/// Leaves a field (`focusout`, as when Tab moves on).
pub fn blur(name: &str) {
    let field = input(name);
    field
        .dispatch_event(&event("FocusEvent", "focusout", &[]))
        .unwrap();
}

pub async fn sleep(ms: i32) {
    gloo_timers::future::TimeoutFuture::new(ms as u32).await;
}

/// Lets pending promise reactions and zero-delay timers run.
pub async fn tick() {
    sleep(0).await;
}

/// Awaits a `connect()` Promise that must reject, returning the error object.
pub async fn rejection(promise: Promise) -> JsValue {
    match JsFuture::from(promise).await {
        Ok(value) => panic!("expected a rejection, got {value:?}"),
        Err(error) => error,
    }
}

pub fn code(error: &JsValue) -> String {
    get(error, "code").as_string().unwrap_or_default()
}

pub fn message(error: &JsValue) -> String {
    get(error, "message").as_string().unwrap_or_default()
}

/// Whether a Promise has settled, checked without awaiting it.
pub struct Watch {
    state: JsValue,
}

impl Watch {
    pub fn new(promise: &Promise) -> Watch {
        let state = object(&[("settled", 0.into())]);
        function(
            "promise, state",
            "promise.then((v) => { state.settled += 1; state.kind = 'resolved'; state.value = v; }, \
             (e) => { state.settled += 1; state.kind = 'rejected'; state.value = e; });",
        )
        .call2(&JsValue::NULL, promise, &state)
        .unwrap();
        Watch { state }
    }
    pub fn settled(&self) -> u32 {
        get(&self.state, "settled").as_f64().unwrap_or(0.0) as u32
    }
    pub fn kind(&self) -> String {
        get(&self.state, "kind").as_string().unwrap_or_default()
    }
    pub fn value(&self) -> JsValue {
        get(&self.state, "value")
    }
}

/// Collects the events passed to `onEvent`.
pub struct Events {
    pub list: Array,
}

impl Events {
    pub fn new() -> Events {
        Events { list: Array::new() }
    }
    /// The `onEvent` function.
    pub fn callback(&self) -> JsValue {
        function("list", "return (event) => { list.push(event); };")
            .call1(&JsValue::NULL, &self.list)
            .unwrap()
    }
    pub fn types(&self) -> Vec<String> {
        self.list
            .iter()
            .map(|event| get(&event, "type").as_string().unwrap_or_default())
            .collect()
    }
    pub fn of_type(&self, event_type: &str) -> Vec<JsValue> {
        self.list
            .iter()
            .filter(|event| get(event, "type").as_string().as_deref() == Some(event_type))
            .collect()
    }
    pub fn json(&self) -> String {
        js_sys::JSON::stringify(&self.list)
            .unwrap()
            .as_string()
            .unwrap()
    }
}

/// Replaces `window.fetch` with a function answering from `responses` (an array of
/// `[status, body, headers?]`, used in order, the last one repeated), recording each
/// request's URL, headers and body in `requests`. Returns the restore function.
pub fn stub_fetch(responses: &str) -> (Array, Function) {
    let requests = Array::new();
    let install = function(
        "requests",
        &[
            "const original = globalThis.fetch;",
            "const answers = ",
            responses,
            ";",
            "let index = 0;",
            "globalThis.fetch = async (input, init) => {",
            "  const request = new Request(input, init);",
            "  const body = await request.text();",
            "  const headers = {}; request.headers.forEach((v, k) => { headers[k] = v; });",
            "  requests.push({ url: request.url, method: request.method, headers, body });",
            "  const answer = answers[Math.min(index++, answers.length - 1)];",
            "  if (answer === 'network') throw new TypeError('Failed to fetch');",
            "  if (answer === 'hang') return new Promise((_, reject) => {",
            "    request.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));",
            "  });",
            "  return new Response(typeof answer[1] === 'string' ? answer[1] : JSON.stringify(answer[1]),",
            "    { status: answer[0], headers: Object.assign({ 'content-type': 'application/json' }, answer[2] || {}) });",
            "};",
            "return () => { globalThis.fetch = original; };",
        ]
        .concat(),
    );
    let restore: Function = install
        .call1(&JsValue::NULL, &requests)
        .unwrap()
        .unchecked_into();
    (requests, restore)
}

/// A §6.2 success body.
pub const SUCCESS: &str = r#"[201, {"connection_id":"conn_1","tenant_id":"fc659cb7-0c66-4e32-9f96-c35c869581b6","client_id":"38a6702a-fb0c-4495-976f-5e260e080751","cloud":"global","scope":"https://graph.microsoft.com/.default","granted_permissions":["User.Read.All"]}]"#;

/// Fills the form with valid values.
pub fn fill_valid() {
    type_into("tenantId", TENANT);
    type_into("clientId", CLIENT);
    type_into("clientSecret", SECRET);
}

/// Counts every element of the document (the modal's shadow content is in its host).
pub fn element_count() -> u32 {
    document().get_elements_by_tag_name("*").length()
}
