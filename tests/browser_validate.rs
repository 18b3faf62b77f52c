#![cfg(target_arch = "wasm32")]
//! The `validate()` export, called with JavaScript objects in real Chromium: the §3
//! result shape, defaults, and `TypeError`s for non-string values.

use entra_connect::validate_js as validate;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIELDS: [&str; 5] = ["tenantId", "clientId", "clientSecret", "scope", "cloud"];

/// A JS object from string pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &(*key).into(), value).unwrap();
    }
    object.into()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &key.into()).unwrap()
}

fn field(result: &JsValue, name: &str) -> JsValue {
    get(&get(result, "fields"), name)
}

/// The own keys of a JS object, sorted.
fn keys(value: &JsValue) -> Vec<String> {
    let mut keys: Vec<String> = Object::keys(value.unchecked_ref::<Object>())
        .iter()
        .map(|key| key.as_string().unwrap())
        .collect();
    keys.sort();
    keys
}

#[wasm_bindgen_test]
fn valid_input_has_the_documented_shape() {
    let result = validate(object(&[
        (
            "tenantId",
            " {FC659CB7-0C66-4E32-9F96-C35C869581B6}\n".into(),
        ),
        ("clientId", "38a6702a-fb0c-4495-976f-5e260e080751".into()),
        (
            "clientSecret",
            "Emu8Q~ContosoSampleSecret-0123456789abcd".into(),
        ),
    ]))
    .unwrap();
    assert_eq!(keys(&result), ["fields", "valid"]);
    assert_eq!(get(&result, "valid"), JsValue::TRUE);
    let mut expected: Vec<&str> = FIELDS.to_vec();
    expected.sort();
    assert_eq!(keys(&get(&result, "fields")), expected);
    for name in FIELDS {
        // No error or warning: only `normalized`, always a string.
        assert_eq!(keys(&field(&result, name)), ["normalized"], "{name}");
    }
    assert_eq!(
        get(&field(&result, "tenantId"), "normalized"),
        "fc659cb7-0c66-4e32-9f96-c35c869581b6"
    );
    assert_eq!(
        get(&field(&result, "scope"), "normalized"),
        "https://graph.microsoft.com/.default"
    );
    assert_eq!(get(&field(&result, "cloud"), "normalized"), "global");
}

#[wasm_bindgen_test]
fn errors_and_warnings_are_codes_on_their_field() {
    let result = validate(object(&[
        (
            "tenantId",
            "https://login.microsoftonline.com/common/oauth2/v2.0/token".into(),
        ),
        ("clientId", "38a6702a-fb0c-4495-976f-5e260e080751".into()),
        (
            "clientSecret",
            "d1f2a9c4-3b5e-4f60-8a7b-9c0d1e2f3a4b\n".into(),
        ),
        ("scope", "User.Read".into()),
        ("cloud", "usgov".into()),
    ]))
    .unwrap();
    assert_eq!(get(&result, "valid"), JsValue::FALSE);
    assert_eq!(get(&field(&result, "tenantId"), "error"), "tenant_common");
    let secret = field(&result, "clientSecret");
    assert_eq!(get(&secret, "error"), "client_secret_is_secret_id");
    assert_eq!(get(&secret, "warning"), "client_secret_whitespace");
    assert_eq!(keys(&secret), ["error", "normalized", "warning"]);
    assert_eq!(get(&field(&result, "scope"), "error"), "scope_named");
    assert_eq!(get(&field(&result, "cloud"), "normalized"), "usgov");
    assert_eq!(keys(&field(&result, "clientId")), ["normalized"]);
}

#[wasm_bindgen_test]
fn warnings_alone_leave_the_form_valid() {
    let result = validate(object(&[
        ("tenantId", "fc659cb7-0c66-4e32-9f96-c35c869581b6".into()),
        ("clientId", "fc659cb7-0c66-4e32-9f96-c35c869581b6".into()),
        (
            "clientSecret",
            "Emu8Q~ContosoSampleSecret-0123456789abcd".into(),
        ),
        ("scope", "https://graph.microsoft.us/.default".into()),
    ]))
    .unwrap();
    assert_eq!(get(&result, "valid"), JsValue::TRUE);
    assert_eq!(
        get(&field(&result, "clientId"), "warning"),
        "client_id_same_as_tenant"
    );
    assert_eq!(
        get(&field(&result, "scope"), "warning"),
        "scope_cloud_mismatch"
    );
    assert!(get(&field(&result, "scope"), "error").is_undefined());
}

#[wasm_bindgen_test]
fn missing_undefined_and_null_fields_count_as_empty() {
    let with_nulls = object(&[
        ("tenantId", JsValue::NULL),
        ("clientId", JsValue::UNDEFINED),
        ("cloud", JsValue::NULL),
    ]);
    for input in [
        JsValue::UNDEFINED,
        JsValue::NULL,
        Object::new().into(),
        with_nulls,
    ] {
        let result = validate(input).unwrap();
        assert_eq!(get(&result, "valid"), JsValue::FALSE);
        assert_eq!(get(&field(&result, "tenantId"), "error"), "tenant_required");
        assert_eq!(
            get(&field(&result, "clientId"), "error"),
            "client_id_required"
        );
        assert_eq!(
            get(&field(&result, "clientSecret"), "error"),
            "client_secret_required"
        );
        assert_eq!(
            get(&field(&result, "scope"), "normalized"),
            "https://graph.microsoft.com/.default"
        );
        assert_eq!(keys(&field(&result, "cloud")), ["normalized"]);
    }
    let result = validate(object(&[("cloud", "china".into())])).unwrap();
    assert_eq!(
        get(&field(&result, "scope"), "normalized"),
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
}

#[wasm_bindgen_test]
fn non_string_values_throw_a_type_error_naming_the_field() {
    let cases: [(&str, JsValue); 4] = [
        ("tenantId", JsValue::from_f64(42.0)),
        ("clientSecret", Object::new().into()),
        ("scope", Array::new().into()),
        ("cloud", JsValue::TRUE),
    ];
    for (name, value) in cases {
        let error = validate(object(&[(name, value)])).unwrap_err();
        assert!(error.is_instance_of::<js_sys::TypeError>(), "{name}");
        let message = get(&error, "message").as_string().unwrap();
        assert!(message.contains(name), "{message}");
    }
    let error = validate("tenant".into()).unwrap_err();
    assert!(error.is_instance_of::<js_sys::TypeError>());
}

#[wasm_bindgen_test]
fn inputs_beyond_the_limit_get_too_long_codes() {
    let long = "a".repeat(5000);
    let result = validate(object(&[
        ("tenantId", long.as_str().into()),
        ("clientId", long.as_str().into()),
        ("clientSecret", long.as_str().into()),
        ("scope", long.as_str().into()),
    ]))
    .unwrap();
    assert_eq!(get(&field(&result, "tenantId"), "error"), "tenant_too_long");
    assert_eq!(
        get(&field(&result, "clientId"), "error"),
        "client_id_too_long"
    );
    assert_eq!(
        get(&field(&result, "clientSecret"), "error"),
        "client_secret_too_long"
    );
    assert_eq!(get(&field(&result, "scope"), "error"), "scope_too_long");
}
