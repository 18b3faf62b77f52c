//! `entra-connect`: an embeddable modal that lets a customer's administrator connect a
//! Microsoft Entra ID tenant to a SaaS application with app-only access (the OAuth 2.0
//! client credentials grant).
//!
//! The crate has two layers:
//! - a **pure core** with no browser dependency: the Microsoft identity platform rules
//!   ([`rules`]), the message catalogs ([`messages`]), the connection endpoint contract
//!   ([`protocol`]) and the error codes shown to JavaScript ([`error`]). The reference
//!   backend links this core natively, so browser and server can never disagree;
//! - a thin **browser shell** (compiled only for `wasm32`) that draws the modal with
//!   `web-sys`, posts the credentials with `fetch()`, and exports `connect()`,
//!   `validate()` and `preload()` to JavaScript.

#![warn(missing_docs)]

pub mod contract;
pub mod error;
pub mod messages;
pub mod protocol;
pub mod rules;

#[cfg(target_arch = "wasm32")]
mod web;

/// The `validate()` JavaScript export, reachable from Rust for the browser tests.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use web::validate::validate as validate_js;

/// The `connect()` JavaScript export without a locale catalog (English), for the browser
/// tests.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub fn connect_js(options: wasm_bindgen::JsValue) -> js_sys::Promise {
    web::api::connect(options, wasm_bindgen::JsValue::UNDEFINED)
}

/// The `connect()` JavaScript export with a locale catalog, for the browser tests.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub use web::api::connect as connect_with_catalog_js;
