//! The `validate()` JavaScript export (SPEC §3): runs the §5 rules over a plain object of
//! form values, for hosts that build their own form.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use super::dom::put;
use crate::rules::{self, Field, FieldCheck, Input};

/// `validate({ tenantId, clientId, clientSecret, scope, cloud })`: missing, `undefined`
/// and `null` values count as empty; `cloud` defaults to `global` and an empty scope to
/// the cloud's Microsoft Graph `/.default`.
///
/// Returns `{ valid, fields: { tenantId: { error?, warning?, normalized }, ... } }`, with
/// all five fields; throws a `TypeError` naming the field when a value is not a string.
///
/// # Examples
///
/// ```js
/// const { valid, fields } = validate({ tenantId: 'common' });
/// // valid === false, fields.tenantId.error === 'tenant_common'
/// ```
#[wasm_bindgen(js_name = validate)]
pub fn validate(input: JsValue) -> Result<JsValue, JsValue> {
    if !(input.is_undefined() || input.is_null() || input.is_object()) {
        return Err(type_error("validate() expects an object", "").into());
    }
    let tenant_id = read_field(&input, Field::TenantId)?;
    let client_id = read_field(&input, Field::ClientId)?;
    let client_secret = read_field(&input, Field::ClientSecret)?;
    let scope = read_field(&input, Field::Scope)?;
    let cloud = read_field(&input, Field::Cloud)?;
    let report = rules::validate(&Input {
        tenant_id: &tenant_id,
        client_id: &client_id,
        client_secret: &client_secret,
        scope: &scope,
        cloud: &cloud,
    });

    // Setting keys on fresh plain objects cannot fail, so no error paths here.
    let fields = Object::new();
    for (field, check) in report.fields() {
        put(&fields, field.js_name(), &field_object(check));
    }
    let result = Object::new();
    put(&result, "valid", &report.is_valid().into());
    put(&result, "fields", &fields);
    Ok(result.into())
}

/// Reads one string field of the input object; absent values are empty.
fn read_field(input: &JsValue, field: Field) -> Result<String, JsValue> {
    if input.is_undefined() || input.is_null() {
        return Ok(String::new());
    }
    let value = Reflect::get(input, &field.js_name().into())?;
    if value.is_undefined() || value.is_null() {
        return Ok(String::new());
    }
    value
        .as_string()
        .ok_or_else(|| type_error("validate(): ", field.js_name()).into())
}

/// `{ error?, warning?, normalized }`; the optional keys are absent when there is none.
fn field_object(check: &FieldCheck) -> Object {
    let object = Object::new();
    if let Some(code) = check.error {
        put(&object, "error", &code.as_str().into());
    }
    if let Some(code) = check.warning {
        put(&object, "warning", &code.as_str().into());
    }
    put(&object, "normalized", &check.normalized.as_str().into());
    object
}

/// A `TypeError`: `prefix`, then the field name followed by " must be a string" when a
/// field is given.
fn type_error(prefix: &str, field: &str) -> js_sys::TypeError {
    let mut message = String::from(prefix);
    if !field.is_empty() {
        message.push_str(field);
        message.push_str(" must be a string");
    }
    js_sys::TypeError::new(&message)
}
