#![cfg(target_arch = "wasm32")]
//! The connect modal in real Chromium: option checking, the DOM contract, accessibility
//! wiring, languages, focus and the validation states.

mod modal_support;

use entra_connect::connect_js as connect;
use entra_connect::connect_with_catalog_js as connect_with_catalog;
use js_sys::{Array, Promise};
use modal_support::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

/// Closes whatever modal a test left open and waits for its Promise.
async fn close_open_modal(promise: Promise) {
    if try_find("[data-action=close]").is_some() {
        click("[data-action=close]");
    }
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

async fn invalid(extra: &[(&str, JsValue)], names: &str) {
    let error = rejection(connect(options(extra))).await;
    assert_eq!(
        code(&error),
        "invalid_options",
        "{names}: {}",
        message(&error)
    );
    assert_eq!(
        get(&error, "name").as_string().as_deref(),
        Some("ConnectError")
    );
    assert!(
        message(&error).contains(names),
        "message {:?} should name {names}",
        message(&error)
    );
    assert!(
        host().is_none(),
        "nothing is drawn for bad options ({names})"
    );
}

#[wasm_bindgen_test]
async fn bad_options_reject_with_invalid_options_naming_the_option() {
    invalid(&[("endpoint", JsValue::UNDEFINED)], "endpoint").await;
    invalid(&[("endpoint", "".into())], "endpoint").await;
    invalid(&[("endpoint", 42.into())], "endpoint").await;
    invalid(&[("endpoint", "http://example.com/api".into())], "endpoint").await;
    invalid(
        &[("endpoint", "http://localhost.evil.com/api".into())],
        "endpoint",
    )
    .await;
    invalid(
        &[("endpoint", "http://localhost@evil.com/api".into())],
        "endpoint",
    )
    .await;
    invalid(&[("endpoint", "javascript:alert(1)".into())], "endpoint").await;
    invalid(&[("endpoint", "/api/x y".into())], "endpoint").await;
    invalid(&[("sessionToken", JsValue::UNDEFINED)], "sessionToken").await;
    invalid(&[("sessionToken", 7.into())], "sessionToken").await;
    invalid(&[("sessionToken", "".into())], "sessionToken").await;
    invalid(&[("cloud", "mars".into())], "cloud").await;
    invalid(&[("scope", "User.Read".into())], "scope").await;
    invalid(
        &[(
            "scope",
            "https://graph.microsoft.com/.default User.Read".into(),
        )],
        "scope",
    )
    .await;
    invalid(&[("locked", strings(&["tenantId"]))], "tenantId").await;
    invalid(
        &[
            ("locked", strings(&["tenantId"])),
            ("prefill", object(&[("tenantId", "common".into())])),
        ],
        "tenantId",
    )
    .await;
    invalid(&[("locked", strings(&["clientSecret"]))], "locked").await;
    invalid(&[("locked", "tenantId".into())], "locked").await;
    invalid(&[("prefill", "x".into())], "prefill").await;
    invalid(
        &[("prefill", object(&[("clientId", 5.into())]))],
        "prefill.clientId",
    )
    .await;
    invalid(
        &[("requiredPermissions", "User.Read.All".into())],
        "requiredPermissions",
    )
    .await;
    invalid(
        &[("requiredPermissions", strings(&["<img>"]))],
        "requiredPermissions",
    )
    .await;
    invalid(&[("appName", 3.into())], "appName").await;
    invalid(&[("appName", "  ".into())], "appName").await;
    invalid(&[("locale", JsValue::TRUE)], "locale").await;
    invalid(
        &[("messages", object(&[("submit", 1.into())]))],
        "messages.submit",
    )
    .await;
    invalid(&[("theme", "neon".into())], "theme").await;
    invalid(
        &[(
            "appearance",
            object(&[("accent", "red;}*{color:red".into())]),
        )],
        "appearance.accent",
    )
    .await;
    invalid(
        &[(
            "appearance",
            object(&[("accent", "url(https://x/y)".into())]),
        )],
        "appearance.accent",
    )
    .await;
    invalid(
        &[("appearance", object(&[("accent", "var(--x)".into())]))],
        "appearance.accent",
    )
    .await;
    invalid(
        &[("appearance", object(&[("radius", "8px;color:red".into())]))],
        "appearance.radius",
    )
    .await;
    invalid(
        &[("appearance", object(&[("radius", "-4px".into())]))],
        "appearance.radius",
    )
    .await;
    invalid(
        &[(
            "appearance",
            object(&[("fontFamily", "Inter}body{x".into())]),
        )],
        "appearance.fontFamily",
    )
    .await;
    invalid(
        &[("appearance", object(&[("fontFamily", "\"a\\\"b\"".into())]))],
        "appearance.fontFamily",
    )
    .await;
    invalid(&[("container", "#root".into())], "container").await;
    invalid(
        &[(
            "container",
            document().create_element("div").unwrap().into(),
        )],
        "container",
    )
    .await;
    invalid(&[("signal", object(&[]))], "signal").await;
    invalid(&[("timeoutMs", (-1).into())], "timeoutMs").await;
    invalid(&[("timeoutMs", "30000".into())], "timeoutMs").await;
    invalid(&[("onEvent", "track".into())], "onEvent").await;
    invalid(&[("protocol", "soap".into())], "protocol").await;
    invalid(
        &[
            ("protocol", "nango".into()),
            ("host", "https://api.nango.dev".into()),
        ],
        "providerConfigKey",
    )
    .await;
    invalid(
        &[
            ("protocol", "nango".into()),
            ("providerConfigKey", "ms".into()),
        ],
        "host",
    )
    .await;

    let error = rejection(connect(JsValue::NULL)).await;
    assert_eq!(code(&error), "invalid_options");
    let error = rejection(connect("endpoint".into())).await;
    assert_eq!(code(&error), "invalid_options");
}

#[wasm_bindgen_test]
async fn good_option_shapes_open_the_modal() {
    let shapes: [&[(&str, JsValue)]; 6] = [
        &[("endpoint", "http://127.0.0.1:8080/api".into())],
        &[("endpoint", "http://[::1]/api".into())],
        &[("endpoint", "https://api.example.com/connections".into())],
        &[(
            "appearance",
            object(&[
                ("accent", "oklch(55% 0.2 260)".into()),
                ("radius", "0.5rem".into()),
                ("fontFamily", "Inter, \"Segoe UI\", sans-serif".into()),
            ]),
        )],
        &[
            ("protocol", "nango".into()),
            ("host", "https://api.nango.dev".into()),
            ("providerConfigKey", "microsoft-oauth2-cc".into()),
            ("endpoint", JsValue::UNDEFINED),
        ],
        &[(
            "sessionToken",
            function("", "return Promise.resolve('t')").into(),
        )],
    ];
    for shape in shapes {
        let promise = connect(options(shape));
        assert!(host().is_some(), "opened");
        click("[data-action=close]");
        assert_eq!(code(&rejection(promise).await), "cancelled");
    }
}

#[wasm_bindgen_test]
async fn the_dialog_follows_the_dom_contract() {
    let promise = connect(options(&[
        ("appName", "Acme CRM".into()),
        (
            "requiredPermissions",
            strings(&["User.Read.All", "Mail.Read"]),
        ),
        ("locale", "en".into()),
    ]));
    let host = host().unwrap();
    assert!(host.has_attribute("data-entra-connect"));
    assert_eq!(host.parent_element(), document().body().map(Into::into));
    let dialog = find("[role=dialog]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    let title = shadow().get_element_by_id(&title_id).unwrap();
    assert_eq!(
        title.text_content().unwrap(),
        "Connect Acme CRM to Microsoft Entra ID"
    );
    // Cloud and scope are inside the Advanced disclosure, drawn when it first opens.
    assert!(try_find("input[name=scope]").is_none());
    click("details summary");
    for name in ["tenantId", "clientId", "clientSecret", "scope"] {
        let field = input(name);
        assert_eq!(field.get_attribute("autocomplete").as_deref(), Some("off"));
        let described = field.get_attribute("aria-describedby").unwrap();
        let mut message_id = name.to_string();
        message_id.push_str("-message");
        assert!(described.contains(&message_id), "{name}: {described}");
        assert!(shadow().get_element_by_id(&message_id).is_some());
        let label = find(&["label[for=", name, "]"].concat());
        assert!(!label.text_content().unwrap().is_empty());
    }
    assert_eq!(input("clientSecret").type_(), "password");
    find("details select[name=cloud]");
    find("details input[name=scope]");
    // Fields in §4 order.
    let names: Vec<String> = {
        let nodes = shadow().query_selector_all("input,select").unwrap();
        (0..nodes.length())
            .map(|i| {
                nodes
                    .get(i)
                    .unwrap()
                    .unchecked_into::<web_sys::Element>()
                    .get_attribute("name")
                    .unwrap()
            })
            .collect()
    };
    assert_eq!(
        names,
        ["tenantId", "clientId", "clientSecret", "cloud", "scope"]
    );
    // Documentation links open Microsoft Learn safely in a new tab.
    let links = shadow().query_selector_all("a.doc").unwrap();
    assert_eq!(links.length(), 5);
    for index in 0..links.length() {
        let link: web_sys::Element = links.get(index).unwrap().unchecked_into();
        assert!(link
            .get_attribute("href")
            .unwrap()
            .starts_with("https://learn.microsoft.com/"));
        assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
        assert_eq!(
            link.get_attribute("rel").as_deref(),
            Some("noopener noreferrer")
        );
    }
    find("button[type=submit]");
    find("button[data-action=close]");
    find("button[data-action=toggle-secret]");
    find("button[data-action=consent]");
    find("[role=alert]");
    assert!(text_of(".perms").contains("User.Read.All"));
    assert!(text_of(".perms").contains("Mail.Read"));
    assert!(find("[data-view=success]").has_attribute("hidden"));
    // No inline styles and no <style> text: everything comes from adopted sheets.
    assert!(shadow().query_selector("[style]").unwrap().is_none());
    assert!(shadow().query_selector("style").unwrap().is_none());
    assert!(shadow().adopted_style_sheets().length() >= 1);
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn the_static_stylesheet_is_built_once_and_appearance_goes_through_cssom() {
    let promise = connect(options(&[]));
    let first = shadow().adopted_style_sheets().get(0);
    assert_eq!(shadow().adopted_style_sheets().length(), 1);
    close_open_modal(promise).await;
    let promise = connect(options(&[(
        "appearance",
        object(&[("accent", "#0b5cad".into()), ("radius", "4px".into())]),
    )]));
    let sheets = shadow().adopted_style_sheets();
    assert_eq!(sheets.length(), 2);
    assert_eq!(sheets.get(0), first, "the static sheet is reused");
    let rule = get(&get(&sheets.get(1), "cssRules"), "0");
    let style = get(&rule, "style");
    let value = function("style", "return style.getPropertyValue('--ec-accent')")
        .call1(&JsValue::NULL, &style)
        .unwrap();
    assert_eq!(value.as_string().as_deref(), Some("#0b5cad"));
    assert_eq!(
        get(&rule, "selectorText").as_string().as_deref(),
        Some(":host")
    );
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn a_second_connect_is_already_open_and_leaves_the_first_untouched() {
    let first = connect(options(&[]));
    type_into("tenantId", "contoso.onmicrosoft.com");
    let error = rejection(connect(options(&[]))).await;
    assert_eq!(code(&error), "already_open");
    assert_eq!(input("tenantId").value(), "contoso.onmicrosoft.com");
    assert_eq!(
        document()
            .query_selector_all("[data-entra-connect]")
            .unwrap()
            .length(),
        1
    );
    close_open_modal(first).await;
}

#[wasm_bindgen_test]
async fn an_aborted_signal_rejects_without_drawing_and_a_later_abort_closes() {
    let controller = web_sys::AbortController::new().unwrap();
    controller.abort();
    let error = rejection(connect(options(&[("signal", controller.signal().into())]))).await;
    assert_eq!(code(&error), "aborted");
    assert!(host().is_none());

    let controller = web_sys::AbortController::new().unwrap();
    let promise = connect(options(&[("signal", controller.signal().into())]));
    type_into("tenantId", "contoso.onmicrosoft.com");
    controller.abort();
    assert!(host().is_none(), "abort closes at once, even with edits");
    assert_eq!(code(&rejection(promise).await), "aborted");
}

#[wasm_bindgen_test]
async fn prefilled_and_locked_fields_are_shown_read_only_and_focus_goes_to_the_first_empty_field() {
    let promise = connect(options(&[
        (
            "prefill",
            object(&[("tenantId", TENANT.into()), ("clientId", CLIENT.into())]),
        ),
        ("locked", strings(&["tenantId"])),
    ]));
    assert_eq!(input("tenantId").value(), TENANT);
    assert!(input("tenantId").read_only());
    assert_eq!(input("clientId").value(), CLIENT);
    assert!(!input("clientId").read_only());
    assert_eq!(focused(), "clientSecret");
    close_open_modal(promise).await;

    let promise = connect(options(&[]));
    assert_eq!(focused(), "tenantId");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn a_prefilled_value_is_validated_like_a_typed_one() {
    let promise = connect(options(&[(
        "prefill",
        object(&[("tenantId", "common".into())]),
    )]));
    assert!(text_of("#tenantId-message").contains("common"));
    assert_eq!(
        input("tenantId").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn messages_override_texts_and_unknown_keys_are_ignored() {
    let promise = connect(options(&[
        ("appName", "Acme".into()),
        (
            "messages",
            object(&[
                ("submit", "Link tenant".into()),
                ("title", "Link {appName} now".into()),
                ("no_such_key", "ignored".into()),
            ]),
        ),
    ]));
    assert_eq!(text_of("button[type=submit]"), "Link tenant");
    assert_eq!(text_of("#title"), "Link Acme now");
    close_open_modal(promise).await;
}

// The translated catalogs, compiled into this test from the SDK's sources: the wasm has
// English only, and the package entry passes the other catalogs (`pkg/locales/*.js`,
// generated from the same files) to `connect`, as these tests do. (`use super::Msg` in
// each catalog resolves to the import below.)
use entra_connect::messages::{Code, Msg, ServerCode};
#[path = "../src/messages/ar.rs"]
mod ar;
#[path = "../src/messages/de.rs"]
mod de;
#[path = "../src/messages/es.rs"]
mod es;
#[path = "../src/messages/fr.rs"]
mod fr;
#[path = "../src/messages/ja.rs"]
mod ja;

/// The `{ locale, texts }` object of a language tag, as `locales/<tag>.js` exports it.
fn catalog(tag: &str) -> JsValue {
    let text: fn(Msg) -> &'static str = match tag {
        "ar" => ar::text,
        "de" => de::text,
        "es" => es::text,
        "fr" => fr::text,
        "ja" => ja::text,
        _ => return JsValue::UNDEFINED,
    };
    let texts: Array = Msg::all().map(|msg| JsValue::from(text(msg))).collect();
    object(&[("locale", tag.into()), ("texts", texts.into())])
}

#[wasm_bindgen_test]
async fn the_catalog_names_the_language_direction_and_texts() {
    // The package entry negotiates (tests/e2e/modal.test.mjs has the table); the wasm
    // speaks the catalog it is given, whatever the `locale` option says.
    for (locale_option, lang, title_start, dir) in [
        ("de-AT", "de", "Mit Microsoft Entra ID verbinden", "ltr"),
        ("fr", "fr", "Se connecter", "ltr"),
        ("es-MX", "es", "Conectar con", "ltr"),
        ("ja-JP", "ja", "Microsoft Entra ID に接続", "ltr"),
        ("ar-EG", "ar", "الربط", "rtl"),
    ] {
        let options = options(&[("locale", locale_option.into())]);
        let promise = connect_with_catalog(options, catalog(lang));
        let host = host().unwrap();
        assert_eq!(host.get_attribute("lang").as_deref(), Some(lang), "{lang}");
        assert_eq!(host.get_attribute("dir").as_deref(), Some(dir), "{lang}");
        assert!(
            text_of("#title").starts_with(title_start),
            "{lang}: {}",
            text_of("#title")
        );
        close_open_modal(promise).await;
    }
}

#[wasm_bindgen_test]
async fn a_catalog_naming_no_supported_locale_is_english() {
    // A region the catalogs do not name, no locale at all, a bare string.
    let german = catalog("de");
    set(&german, "locale", &"de-AT".into());
    for catalog in [
        german,
        object(&[("texts", Array::new().into())]),
        "de".into(),
    ] {
        let promise = connect_with_catalog(options(&[]), catalog);
        assert_eq!(host().unwrap().get_attribute("lang").as_deref(), Some("en"));
        assert!(
            text_of("#title").starts_with("Connect"),
            "{}",
            text_of("#title")
        );
        close_open_modal(promise).await;
    }
}

#[wasm_bindgen_test]
async fn without_its_catalog_a_locale_falls_back_to_english_and_says_so() {
    // A host using the wasm without the package entry, or a catalog chunk that failed to load.
    let promise = connect(options(&[("locale", "de".into())]));
    let host = host().unwrap();
    assert_eq!(host.get_attribute("lang").as_deref(), Some("en"));
    assert!(
        text_of("#title").starts_with("Connect"),
        "{}",
        text_of("#title")
    );
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn a_partial_catalog_keeps_english_for_the_texts_it_lacks() {
    // Texts past the end of a short list, and entries that are not strings, stay English.
    let submit = Msg::all().position(|msg| msg == Msg::Submit).unwrap();
    let texts = Array::new();
    for _ in 0..submit {
        texts.push(&JsValue::NULL);
    }
    texts.push(&"Verbinden".into());
    let catalog = object(&[("locale", "de".into()), ("texts", texts.into())]);
    let promise = connect_with_catalog(options(&[("locale", "de".into())]), catalog);
    assert_eq!(host().unwrap().get_attribute("lang").as_deref(), Some("de"));
    assert_eq!(text_of("button[type=submit]"), "Verbinden");
    assert_eq!(text_of("button[data-action=cancel]"), "Cancel");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn escape_without_edits_closes_cancelled_and_restores_focus_to_the_opener() {
    let opener: HtmlElement = document()
        .create_element("button")
        .unwrap()
        .unchecked_into();
    opener.set_text_content(Some("Connect Entra"));
    document().body().unwrap().append_child(&opener).unwrap();
    opener.focus().unwrap();
    let promise = connect(options(&[]));
    assert_eq!(focused(), "tenantId");
    press("Escape");
    assert!(host().is_none());
    assert_eq!(code(&rejection(promise).await), "cancelled");
    assert_eq!(
        document().active_element(),
        Some(opener.clone().into()),
        "focus is back on the opener"
    );
    opener.remove();
}

#[wasm_bindgen_test]
async fn escape_after_edits_asks_inside_the_dialog_before_discarding() {
    let promise = connect(options(&[]));
    let watch = Watch::new(&promise);
    type_into("tenantId", "contoso.onmicrosoft.com");
    press("Escape");
    assert!(host().is_some(), "not closed yet");
    let confirm = find(".confirm");
    assert!(!confirm.has_attribute("hidden"));
    assert!(find("[data-view=form]").has_attribute("hidden"));
    assert_eq!(focused(), "keep");
    // Escape again keeps editing, values intact.
    press("Escape");
    assert!(find(".confirm").has_attribute("hidden"));
    assert_eq!(input("tenantId").value(), "contoso.onmicrosoft.com");
    assert_eq!(focused(), "tenantId");
    // Keep editing button.
    press("Escape");
    click("[data-action=keep]");
    assert!(find(".confirm").has_attribute("hidden"));
    tick().await;
    assert_eq!(watch.settled(), 0);
    // Discard closes.
    press("Escape");
    click("[data-action=discard]");
    assert!(host().is_none());
    assert_eq!(code(&rejection(promise).await), "cancelled");
}

#[wasm_bindgen_test]
async fn the_close_button_and_backdrop_close_but_a_click_inside_does_not() {
    let promise = connect(options(&[]));
    let inside = find(".intro");
    inside
        .dispatch_event(&event("MouseEvent", "mousedown", &[]))
        .unwrap();
    inside.unchecked_ref::<HtmlElement>().click();
    assert!(host().is_some());
    let backdrop = find(".backdrop");
    backdrop
        .dispatch_event(&event("MouseEvent", "mousedown", &[]))
        .unwrap();
    backdrop.unchecked_ref::<HtmlElement>().click();
    assert!(host().is_none());
    assert_eq!(code(&rejection(promise).await), "cancelled");

    // A drag that starts in a field and ends on the backdrop does not close.
    let promise = connect(options(&[]));
    input("tenantId")
        .dispatch_event(&event("MouseEvent", "mousedown", &[]))
        .unwrap();
    find(".backdrop").unchecked_into::<HtmlElement>().click();
    assert!(host().is_some());
    click("[data-action=close]");
    assert_eq!(code(&rejection(promise).await), "cancelled");
}

#[wasm_bindgen_test]
async fn tab_cycles_inside_the_dialog() {
    let promise = connect(options(&[]));
    // Shift+Tab from the first field goes to the last tabbable element (submit).
    find("[data-action=close]")
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
    press_shift_tab();
    assert_eq!(focused(), "submit");
    press("Tab");
    assert_eq!(focused(), "close");
    close_open_modal(promise).await;
}

fn press_shift_tab() {
    let target = shadow_active().unwrap();
    key(&target, "Tab", true);
}

#[wasm_bindgen_test]
async fn errors_show_after_blur_not_while_typing_and_field_error_events_carry_no_value() {
    let events = Events::new();
    let promise = connect(options(&[("onEvent", events.callback())]));
    type_into("tenantId", "common");
    sleep(250).await;
    assert_eq!(text_of("#tenantId-message"), "", "not touched yet");
    blur("tenantId");
    assert!(text_of("#tenantId-message").contains("common"));
    assert_eq!(
        input("tenantId").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let errors = events.of_type("field_error");
    assert_eq!(errors.len(), 1);
    assert_eq!(
        get(&errors[0], "field").as_string().as_deref(),
        Some("tenantId")
    );
    assert_eq!(
        get(&errors[0], "code").as_string().as_deref(),
        Some("tenant_common")
    );
    // Fixing the value clears the error after the debounce.
    type_into("tenantId", "contoso.onmicrosoft.com");
    sleep(250).await;
    assert_eq!(text_of("#tenantId-message"), "");
    assert!(input("tenantId").get_attribute("aria-invalid").is_none());
    // A secret ID pasted as the secret is explained.
    type_into("clientSecret", "3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    blur("clientSecret");
    assert!(text_of("#clientSecret-message").contains("Secret ID"));
    assert!(!events.json().contains("3f2504e0"), "no value in events");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn submitting_an_incomplete_form_says_why_and_focuses_the_first_problem() {
    let promise = connect(options(&[]));
    let submit = find("button[type=submit]");
    assert_eq!(
        submit.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    let reason = text_of("#submit-status");
    assert!(reason.contains("Directory (tenant) ID"), "{reason}");
    assert!(reason.contains("Client secret"), "{reason}");
    assert_eq!(
        submit.get_attribute("aria-describedby").as_deref(),
        Some("submit-status")
    );
    type_into("clientId", CLIENT);
    submit.unchecked_ref::<HtmlElement>().click();
    assert!(host().is_some());
    assert_eq!(focused(), "tenantId");
    assert!(!text_of("#tenantId-message").is_empty());
    assert!(!text_of("#clientSecret-message").is_empty());
    // A scope error opens the Advanced disclosure.
    type_into("tenantId", TENANT);
    type_into("clientSecret", SECRET);
    click("details summary");
    type_into("scope", "User.Read");
    click("details summary");
    assert!(!find("details").has_attribute("open"));
    sleep(200).await;
    click("button[type=submit]");
    assert!(find("details").has_attribute("open"));
    assert_eq!(focused(), "scope");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn the_secret_toggle_shows_and_masks_the_secret() {
    let promise = connect(options(&[]));
    let toggle = find("[data-action=toggle-secret]");
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("false")
    );
    click("[data-action=toggle-secret]");
    assert_eq!(input("clientSecret").type_(), "text");
    assert_eq!(
        toggle.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        toggle.get_attribute("aria-label").as_deref(),
        Some("Hide client secret")
    );
    click("[data-action=toggle-secret]");
    assert_eq!(input("clientSecret").type_(), "password");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn the_secret_input_is_cleared_when_the_modal_closes() {
    let promise = connect(options(&[]));
    let secret = input("clientSecret");
    type_into("clientSecret", SECRET);
    click("[data-action=close]");
    assert_eq!(secret.value(), "");
    let _ = rejection(promise).await;
}

#[wasm_bindgen_test]
async fn admin_consent_opens_the_consent_url_once_tenant_and_client_are_valid() {
    let opened = Array::new();
    let restore = function(
        "opened",
        "const original = window.open; window.open = (...args) => { opened.push(args); return null; }; return () => { window.open = original; };",
    )
    .call1(&JsValue::NULL, &opened)
    .unwrap();
    let promise = connect(options(&[(
        "requiredPermissions",
        strings(&["User.Read.All"]),
    )]));
    let consent = find("[data-action=consent]");
    assert_eq!(
        consent.get_attribute("aria-disabled").as_deref(),
        Some("true")
    );
    assert!(!text_of("#consent-note").is_empty());
    click("[data-action=consent]");
    assert_eq!(opened.length(), 0, "nothing opens before the IDs are valid");
    type_into("tenantId", TENANT);
    type_into("clientId", CLIENT);
    sleep(200).await;
    assert!(consent.get_attribute("aria-disabled").is_none());
    click("[data-action=consent]");
    assert_eq!(opened.length(), 1);
    let args = Array::from(&opened.get(0));
    let url = args.get(0).as_string().unwrap();
    let mut prefix = String::from("https://login.microsoftonline.com/");
    prefix.push_str(TENANT);
    prefix.push_str("/v2.0/adminconsent?client_id=");
    prefix.push_str(CLIENT);
    assert!(url.starts_with(&prefix), "{url}");
    assert!(url.contains("&state="), "{url}");
    assert_eq!(args.get(1).as_string().as_deref(), Some("_blank"));
    assert_eq!(args.get(2).as_string().as_deref(), Some("noopener"));
    restore
        .unchecked_ref::<js_sys::Function>()
        .call0(&JsValue::NULL)
        .unwrap();
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn an_exception_in_on_event_does_not_break_the_modal() {
    let promise = connect(options(&[(
        "onEvent",
        function("event", "throw new Error('analytics down: ' + event.type)").into(),
    )]));
    assert!(host().is_some());
    type_into("tenantId", "common");
    blur("tenantId");
    assert!(text_of("#tenantId-message").contains("common"));
    click("[data-action=close]");
    assert!(host().is_none());
    assert_eq!(code(&rejection(promise).await), "cancelled");
}

#[wasm_bindgen_test]
async fn theme_and_inline_container_are_applied() {
    let promise = connect(options(&[("theme", "dark".into())]));
    assert_eq!(
        host().unwrap().get_attribute("data-theme").as_deref(),
        Some("dark")
    );
    close_open_modal(promise).await;

    let container = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&container).unwrap();
    let promise = connect(options(&[("container", container.clone().into())]));
    let host = host().unwrap();
    assert_eq!(host.parent_element(), Some(container.clone()));
    assert!(find("[role=dialog]").get_attribute("aria-modal").is_none());
    assert!(shadow().query_selector(".backdrop").unwrap().is_none());
    let root = document().document_element().unwrap();
    assert!(
        !root.class_list().contains("entra-connect-open"),
        "inline does not lock scrolling"
    );
    close_open_modal(promise).await;
    assert_eq!(container.child_element_count(), 0);
    container.remove();
}

#[wasm_bindgen_test]
async fn the_page_behind_does_not_scroll_while_open() {
    let root = document().document_element().unwrap();
    let sheets_before = document().adopted_style_sheets().length();
    let promise = connect(options(&[]));
    assert!(root.class_list().contains("entra-connect-open"));
    assert_eq!(
        document().adopted_style_sheets().length(),
        sheets_before + 1
    );
    let overflow = web_sys::window()
        .unwrap()
        .get_computed_style(&root)
        .unwrap()
        .unwrap()
        .get_property_value("overflow")
        .unwrap();
    assert_eq!(overflow, "hidden");
    close_open_modal(promise).await;
    assert!(!root.class_list().contains("entra-connect-open"));
    assert_eq!(document().adopted_style_sheets().length(), sheets_before);
}

#[wasm_bindgen_test]
async fn the_advanced_fields_are_drawn_when_the_disclosure_first_opens() {
    let promise = connect(options(&[
        ("cloud", "usgov".into()),
        ("prefill", object(&[("scope", "User.Read".into())])),
    ]));
    // Not in the document at open.
    assert!(try_find("select[name=cloud]").is_none());
    assert!(try_find("input[name=scope]").is_none());
    // Opening the disclosure with its summary draws them, before the disclosure shows,
    // with the configured cloud and the prefilled scope and its finding.
    click("details summary");
    assert!(find("details").has_attribute("open"));
    assert_eq!(input("scope").value(), "User.Read");
    assert_eq!(
        input("scope").placeholder(),
        "https://graph.microsoft.us/.default"
    );
    assert!(!text_of("#scope-message").is_empty());
    assert_eq!(
        input("scope").get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    let select: HtmlSelectElement = find("details select[name=cloud]").unchecked_into();
    assert_eq!(select.value(), "usgov");
    let label = find("label[for=cloud]");
    assert!(!label.text_content().unwrap().is_empty());
    assert!(select
        .get_attribute("aria-describedby")
        .unwrap()
        .contains("cloud-message"));
    assert_eq!(shadow().query_selector_all("select").unwrap().length(), 1);
    // Closing and opening again keeps the one select and its value.
    click("details summary");
    click("details summary");
    assert_eq!(shadow().query_selector_all("select").unwrap().length(), 1);
    close_open_modal(promise).await;

    // Opened without its summary (a script sets `open`): drawn on the `toggle` event.
    let promise = connect(options(&[]));
    find("details").set_attribute("open", "").unwrap();
    sleep(50).await;
    let select: HtmlSelectElement = find("details select[name=cloud]").unchecked_into();
    assert_eq!(select.value(), "global");
    input("scope");
    close_open_modal(promise).await;
}

#[wasm_bindgen_test]
async fn the_cloud_select_updates_the_scope_placeholder() {
    let promise = connect(options(&[("cloud", "usgov".into())]));
    click("details summary");
    let select: HtmlSelectElement = find("select[name=cloud]").unchecked_into();
    assert_eq!(select.value(), "usgov");
    assert_eq!(
        input("scope").placeholder(),
        "https://graph.microsoft.us/.default"
    );
    select.set_value("china");
    select
        .dispatch_event(&event("Event", "change", &[]))
        .unwrap();
    assert_eq!(
        input("scope").placeholder(),
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
    close_open_modal(promise).await;
}
