#![cfg(target_arch = "wasm32")]
//! The modal's lifecycle in real Chromium: the Promise settles exactly once, and every
//! close path (close and cancel buttons, Escape, backdrop, signal, success dismissal)
//! leaves the document as it was, 200 cycles each, with no growth of wasm memory.

mod modal_support;

use entra_connect::connect_js as connect;
use modal_support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;

wasm_bindgen_test_configure!(run_in_browser);

const CYCLES: u32 = 200;

/// What a closed modal must leave behind: exactly what was there before it opened.
struct PageSnapshot {
    elements: u32,
    sheets: u32,
    root_class: Option<String>,
}

impl PageSnapshot {
    fn take() -> PageSnapshot {
        PageSnapshot {
            elements: element_count(),
            sheets: document().adopted_style_sheets().length(),
            root_class: document()
                .document_element()
                .unwrap()
                .get_attribute("class"),
        }
    }

    fn assert_same(&self, path: &str) {
        let now = PageSnapshot::take();
        assert_eq!(now.elements, self.elements, "{path}: elements");
        assert_eq!(now.sheets, self.sheets, "{path}: adopted stylesheets");
        assert_eq!(now.root_class, self.root_class, "{path}: <html> class");
        assert!(host().is_none(), "{path}: host removed");
    }
}

fn memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    get(&memory.buffer(), "byteLength").as_f64().unwrap()
}

async fn cycles(path: &str, close: impl Fn(&web_sys::AbortController)) {
    let opener: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .unchecked_into();
    document().body().unwrap().append_child(&opener).unwrap();
    let events = Events::new();
    // Warm up (first open builds the shared stylesheets), then measure.
    for round in 0..(CYCLES + 10) {
        if round == 10 {
            opener.focus().unwrap();
        }
        let snapshot = PageSnapshot::take();
        let memory_before = memory_bytes();
        let controller = web_sys::AbortController::new().unwrap();
        let promise = connect(options(&[
            ("signal", controller.signal().into()),
            ("onEvent", events.callback()),
            ("requiredPermissions", strings(&["User.Read.All"])),
        ]));
        assert!(host().is_some(), "{path}: open");
        close(&controller);
        let watch = Watch::new(&promise);
        let error = rejection(promise).await;
        assert!(
            matches!(code(&error).as_str(), "cancelled" | "aborted"),
            "{path}: {}",
            code(&error)
        );
        // Yield to the event loop, as a person clicking would.
        tick().await;
        assert_eq!(watch.settled(), 1, "{path}: settles exactly once");
        snapshot.assert_same(path);
        if round >= 10 {
            assert_eq!(
                document().active_element(),
                Some(opener.clone().into()),
                "{path}: focus"
            );
            // No growth of wasm memory once warm.
            if round > 20 {
                assert_eq!(memory_bytes(), memory_before, "{path}: wasm memory grew");
            }
        }
    }
    let opens = events.of_type("open").len();
    let closes = events.of_type("close").len();
    assert_eq!(opens, closes, "{path}: every open has its close");
    console_log!(
        "{}: {} cycles, document elements back to {}, wasm memory {} bytes",
        path,
        CYCLES,
        element_count(),
        memory_bytes()
    );
    opener.remove();
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_by_the_close_button_leave_nothing_behind() {
    cycles("close button", |_| click("[data-action=close]")).await;
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_by_the_cancel_button_leave_nothing_behind() {
    cycles("cancel button", |_| click("[data-action=cancel]")).await;
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_by_escape_leave_nothing_behind() {
    cycles("Escape", |_| press("Escape")).await;
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_by_backdrop_click_leave_nothing_behind() {
    cycles("backdrop", |_| {
        let backdrop = find(".backdrop");
        backdrop
            .dispatch_event(&event("MouseEvent", "mousedown", &[]))
            .unwrap();
        backdrop.unchecked_into::<HtmlElement>().click();
    })
    .await;
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_by_signal_abort_leave_nothing_behind() {
    cycles("signal", |controller| controller.abort()).await;
}

#[wasm_bindgen_test]
async fn two_hundred_cycles_through_success_and_done_leave_nothing_behind() {
    let (_requests, restore) = stub_fetch(&["[", SUCCESS, "]"].concat());
    let snapshot = PageSnapshot::take();
    for _ in 0..CYCLES {
        let promise = connect(options(&[]));
        fill_valid();
        click("button[type=submit]");
        let connection = JsFuture::from(promise).await.expect("resolves");
        assert_eq!(
            get(&connection, "connectionId").as_string().as_deref(),
            Some("conn_1")
        );
        assert!(!find("[data-view=success]").has_attribute("hidden"));
        click("[data-action=done]");
        snapshot.assert_same("success + done");
        tick().await;
    }
    restore.call0(&JsValue::NULL).unwrap();
}
