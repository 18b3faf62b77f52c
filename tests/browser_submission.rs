#![cfg(target_arch = "wasm32")]
//! Submissions in real Chromium, with `fetch` answered by a stub: success (the Promise
//! resolves at once, the success view stays until dismissed or ~6 s), a server error on
//! its field, an alert, retries shown as "Retrying in N s…", session expiry, timeout,
//! no double submit, abort during a submission.

mod modal_support;

use entra_connect::connect_js as connect;
use js_sys::{Array, Promise};
use modal_support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Submits valid values and waits until the submission has ended (the form is editable
/// again or the success view is shown).
async fn submit_and_settle() {
    click("button[type=submit]");
    for _ in 0..200 {
        sleep(10).await;
        let busy = try_find("[data-state=submitting]").is_some();
        if !busy {
            return;
        }
    }
    panic!("the submission did not end");
}

#[wasm_bindgen_test]
async fn success_resolves_at_once_lists_permissions_and_sends_the_contract() {
    let (requests, restore) = stub_fetch(&["[", SUCCESS, "]"].concat());
    let events = Events::new();
    let promise = connect(options(&[
        (
            "requiredPermissions",
            strings(&["User.Read.All", "Mail.Read"]),
        ),
        ("onEvent", events.callback()),
    ]));
    let watch = Watch::new(&promise);
    type_into(
        "tenantId",
        &[" ", &TENANT.to_uppercase(), "\u{200b}"].concat(),
    );
    type_into("clientId", CLIENT);
    type_into("clientSecret", SECRET);
    submit_and_settle().await;
    tick().await;
    assert_eq!(
        watch.kind(),
        "resolved",
        "resolved before the view is dismissed"
    );
    let connection = watch.value();
    assert_eq!(
        get(&connection, "tenantId").as_string().as_deref(),
        Some(TENANT)
    );
    assert_eq!(
        get(&connection, "clientId").as_string().as_deref(),
        Some(CLIENT)
    );
    assert_eq!(
        get(&connection, "cloud").as_string().as_deref(),
        Some("global")
    );
    let granted = Array::from(&get(&connection, "grantedPermissions"));
    assert_eq!(granted.to_vec(), vec![JsValue::from_str("User.Read.All")]);
    let missing = Array::from(&get(&connection, "missingPermissions"));
    assert_eq!(missing.to_vec(), vec![JsValue::from_str("Mail.Read")]);
    assert!(get(&connection, "clientSecret").is_undefined());

    // The request: normalized values, bearer token, an idempotency key.
    assert_eq!(requests.length(), 1);
    let request = requests.get(0);
    let headers = get(&request, "headers");
    assert_eq!(
        get(&headers, "authorization").as_string().as_deref(),
        Some("Bearer session-token")
    );
    assert_eq!(
        get(&headers, "idempotency-key").as_string().unwrap().len(),
        36
    );
    let body = js_sys::JSON::parse(&get(&request, "body").as_string().unwrap()).unwrap();
    assert_eq!(get(&body, "tenant_id").as_string().as_deref(), Some(TENANT));
    assert_eq!(
        get(&body, "client_secret").as_string().as_deref(),
        Some(SECRET)
    );

    // The success view names the tenant and both lists; focus is on Done.
    let success = find("[data-view=success]");
    assert!(!success.has_attribute("hidden"));
    let words = success.text_content().unwrap();
    assert!(words.contains(TENANT), "{words}");
    assert!(
        words.contains("User.Read.All") && words.contains("Mail.Read"),
        "{words}"
    );
    assert_eq!(focused(), "done");
    assert_eq!(
        input("clientSecret").value(),
        "",
        "secret cleared after success"
    );
    // The tenant ID is isolated from the sentence's direction (a GUID read in Arabic).
    assert_eq!(text_of("#success-text bdi"), TENANT);
    // Missing permissions come with the admin consent button, which opens the consent URL.
    let opened = Array::new();
    let restore_open = function(
        "opened",
        "const original = window.open; window.open = (...args) => { opened.push(args); return null; }; return () => { window.open = original; };",
    )
    .call1(&JsValue::NULL, &opened)
    .unwrap();
    click("[data-view=success] button[data-action=consent]");
    restore_open
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .unwrap();
    assert_eq!(opened.length(), 1);
    let url = Array::from(&opened.get(0)).get(0).as_string().unwrap();
    assert!(
        url.contains("/v2.0/adminconsent?client_id=") && url.contains(CLIENT),
        "{url}"
    );
    assert!(host().is_some(), "the success view stays open");

    // Events: no secret anywhere.
    assert_eq!(events.types(), ["open", "submit", "success"]);
    assert!(!events.json().contains(SECRET));
    assert_eq!(
        get(&events.of_type("success")[0], "connectionId")
            .as_string()
            .as_deref(),
        Some("conn_1")
    );

    click("[data-action=done]");
    assert!(host().is_none());
    tick().await;
    assert_eq!(watch.settled(), 1);
    assert_eq!(events.types().last().map(String::as_str), Some("close"));
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn the_success_view_closes_by_itself_after_a_few_seconds() {
    let (_requests, restore) = stub_fetch(&["[", SUCCESS, "]"].concat());
    let promise = connect(options(&[]));
    fill_valid();
    submit_and_settle().await;
    JsFuture::from(promise).await.unwrap();
    assert!(
        try_find("[data-view=success] [data-action=consent]").is_none(),
        "no consent button when no permission is missing"
    );
    sleep(4000).await;
    assert!(host().is_some(), "still shown after 4 s");
    sleep(2600).await;
    assert!(host().is_none(), "dismissed after ~6 s");
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_server_error_with_a_field_is_shown_on_that_field_and_a_retry_succeeds() {
    let (requests, restore) = stub_fetch(
        &[
            r#"[[400, {"error":{"code":"invalid_secret","message":"AADSTS7000215: Invalid client secret provided.","field":"client_secret"}}], "#,
            SUCCESS,
            "]",
        ]
        .concat(),
    );
    let events = Events::new();
    let promise = connect(options(&[("onEvent", events.callback())]));
    let watch = Watch::new(&promise);
    fill_valid();
    submit_and_settle().await;
    let message = text_of("#clientSecret-message");
    assert!(message.contains("Secret ID"), "{message}");
    assert_eq!(
        input("clientSecret")
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert_eq!(input("tenantId").value(), TENANT, "values are kept");
    assert_eq!(input("clientSecret").value(), SECRET);
    assert!(!input("clientSecret").read_only());
    assert_eq!(focused(), "clientSecret");
    let error = &events.of_type("error")[0];
    assert_eq!(get(error, "code").as_string().as_deref(), Some("server"));
    assert_eq!(
        get(error, "field").as_string().as_deref(),
        Some("clientSecret")
    );
    assert_eq!(get(error, "status").as_f64(), Some(400.0));
    tick().await;
    assert_eq!(watch.settled(), 0, "a failure does not settle");

    // Editing the field clears the server's error; a new click is a new submission.
    type_into("clientSecret", &[SECRET, "x"].concat());
    sleep(200).await;
    assert!(!text_of("#clientSecret-message").contains("Secret ID"));
    submit_and_settle().await;
    tick().await;
    assert_eq!(watch.kind(), "resolved");
    let key = |index: u32| get(&get(&requests.get(index), "headers"), "idempotency-key");
    assert_ne!(key(0), key(1));
    click("[data-action=done]");
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_failure_without_a_field_goes_to_the_alert_and_closing_rejects_with_it() {
    let (_requests, restore) =
        stub_fetch(r#"[[500, "<html>Internal error</html>", {"content-type":"text/html"}]]"#);
    let promise = connect(options(&[]));
    fill_valid();
    submit_and_settle().await;
    let alert = text_of("[role=alert]");
    assert!(alert.contains("could not complete"), "{alert}");
    click("[data-action=close]");
    let error = rejection(promise).await;
    assert_eq!(code(&error), "server");
    assert_eq!(get(&error, "status").as_f64(), Some(500.0));
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_server_message_is_shown_as_text_never_as_markup() {
    let (_requests, restore) = stub_fetch(
        r#"[[409, {"error":{"code":"conflict_elsewhere","message":"<img src=x onerror=alert(1)>Already connected"}}]]"#,
    );
    let promise = connect(options(&[]));
    fill_valid();
    submit_and_settle().await;
    assert_eq!(
        text_of("[role=alert]"),
        "<img src=x onerror=alert(1)>Already connected"
    );
    assert!(shadow().query_selector("img").unwrap().is_none());
    click("[data-action=close]");
    let _ = rejection(promise).await;
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn network_failures_are_retried_with_the_same_key_and_shown_as_retrying() {
    let (requests, restore) = stub_fetch(&[r#"["network", "network", "#, SUCCESS, "]"].concat());
    let events = Events::new();
    let promise = connect(options(&[("onEvent", events.callback())]));
    fill_valid();
    click("button[type=submit]");
    let mut saw_retrying = false;
    for _ in 0..400 {
        sleep(10).await;
        let submitting = try_find("[data-state=submitting]").is_some();
        if submitting && text_of("#submit-status").contains("Retrying in") {
            saw_retrying = true;
            assert!(input("tenantId").read_only(), "read-only while submitting");
        }
        if try_find("[data-state=submitting]").is_none() {
            break;
        }
    }
    assert!(saw_retrying, "the status said Retrying in N s…");
    let connection = JsFuture::from(promise)
        .await
        .expect("succeeds on the third try");
    assert_eq!(
        get(&connection, "connectionId").as_string().as_deref(),
        Some("conn_1")
    );
    assert_eq!(requests.length(), 3);
    let key = |index: u32| get(&get(&requests.get(index), "headers"), "idempotency-key");
    assert_eq!(key(0), key(1));
    assert_eq!(key(1), key(2));
    let retries = events.of_type("retry");
    assert_eq!(retries.len(), 2);
    assert_eq!(get(&retries[0], "attempt").as_f64(), Some(2.0));
    assert!(get(&retries[0], "delay").as_f64().unwrap() > 0.0);
    click("[data-action=done]");
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_rejected_string_session_token_closes_at_once_with_session_expired() {
    let (_requests, restore) =
        stub_fetch(r#"[[401, {"error":{"code":"invalid_session","message":"Session expired"}}]]"#);
    let promise = connect(options(&[]));
    fill_valid();
    click("button[type=submit]");
    let error = rejection(promise).await;
    assert_eq!(code(&error), "session_expired");
    assert!(host().is_none());
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_second_submit_while_one_is_in_flight_is_ignored_and_closing_aborts_it() {
    let (requests, restore) = stub_fetch(r#"["hang"]"#);
    let promise = connect(options(&[]));
    fill_valid();
    click("button[type=submit]");
    sleep(50).await;
    click("button[type=submit]");
    press("Enter");
    sleep(50).await;
    assert_eq!(requests.length(), 1, "no double submit");
    assert!(find("button[type=submit]")
        .text_content()
        .unwrap()
        .contains("Connecting"));
    click("[data-action=close]");
    assert_eq!(code(&rejection(promise).await), "cancelled");
    assert!(host().is_none());
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn a_submission_that_outlives_timeout_ms_fails_with_timeout() {
    let (_requests, restore) = stub_fetch(r#"["hang"]"#);
    let promise = connect(options(&[("timeoutMs", 300.into())]));
    fill_valid();
    submit_and_settle().await;
    assert!(text_of("[role=alert]").contains("too long"));
    assert!(!input("tenantId").read_only(), "editable again");
    press("Escape");
    // Edited form: Escape asks first.
    click("[data-action=discard]");
    let error = rejection(promise).await;
    assert_eq!(code(&error), "timeout");
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn abort_during_submission_closes_and_rejects_aborted() {
    let (_requests, restore) = stub_fetch(r#"["hang"]"#);
    let controller = web_sys::AbortController::new().unwrap();
    let promise: Promise = connect(options(&[("signal", controller.signal().into())]));
    fill_valid();
    click("button[type=submit]");
    sleep(30).await;
    controller.abort();
    assert!(host().is_none());
    assert_eq!(code(&rejection(promise).await), "aborted");
    restore.call0(&JsValue::NULL).unwrap();
}

#[wasm_bindgen_test]
async fn the_wait_before_a_retry_is_said_in_the_modal_language() {
    // Intl writes the phrase, its plural and its case: no plural rule is written here.
    // A catalog with no texts keeps English words around the duration, which shows
    // that the duration alone follows the language.
    for (lang, expected) in [
        ("en", "Retrying in 5 seconds…"),
        ("pl", "za 5 sekund"),
        ("de", "in 5 Sekunden"),
        ("ar", "خلال 5 ثوان"),
    ] {
        let (_, restore) = stub_fetch(r#"[[503, {"error":"unavailable"}, {"retry-after": "5"}]]"#);
        let controller = web_sys::AbortController::new().unwrap();
        let catalog = object(&[("locale", lang.into()), ("texts", Array::new().into())]);
        let promise = entra_connect::connect_with_catalog_js(
            options(&[("signal", controller.signal().into())]),
            catalog,
        );
        fill_valid();
        click("button[type=submit]");
        let mut status = String::new();
        for _ in 0..200 {
            status = text_of("#submit-status");
            if !status.is_empty() && status != "Connecting…" {
                break;
            }
            tick().await;
            sleep(5).await;
        }
        assert!(status.contains(expected), "{lang}: {status}");
        controller.abort();
        let error = rejection(promise).await;
        assert_eq!(code(&error), "aborted");
        restore.call0(&JsValue::NULL).unwrap();
    }
}
