//! The modal's constructed stylesheets (`adoptedStyleSheets`), so it works under a strict
//! `style-src 'self'` Content-Security-Policy: no `<style>` text, no `style` attributes.
//!
//! - the static sheet (`styles.css`) is parsed once per page and shared by every open;
//! - a tiny per-open sheet holds the host's `appearance` values, set with CSSOM
//!   `setProperty` on a `:host` rule (a value can never end the declaration);
//! - a page-level sheet holds the scroll lock, switched on by a class on `<html>`.

use std::cell::OnceCell;

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue, UnwrapThrowExt};
use web_sys::{CssStyleRule, CssStyleSheet, ShadowRoot};

use super::super::dom::document;
use super::super::options::Appearance;

/// The class on `<html>` while a modal is open: the page behind does not scroll.
pub(crate) const LOCK_CLASS: &str = "entra-connect-open";
/// Added with [`LOCK_CLASS`] when the page had a scrollbar, so hiding it shifts nothing.
const GUTTER_CLASS: &str = "entra-connect-gutter";

const PAGE_CSS: &str = "html.entra-connect-open{overflow:hidden!important}\
html.entra-connect-gutter{scrollbar-gutter:stable!important}";

thread_local! {
    static STATIC_SHEET: OnceCell<CssStyleSheet> = const { OnceCell::new() };
    static PAGE_SHEET: OnceCell<CssStyleSheet> = const { OnceCell::new() };
}

fn sheet(css: &str) -> CssStyleSheet {
    let sheet = CssStyleSheet::new().unwrap_throw();
    let _ = sheet.replace_sync(css);
    sheet
}

fn static_sheet() -> CssStyleSheet {
    STATIC_SHEET.with(|cell| {
        cell.get_or_init(|| sheet(include_str!("../styles.css")))
            .clone()
    })
}

fn page_sheet() -> CssStyleSheet {
    PAGE_SHEET.with(|cell| cell.get_or_init(|| sheet(PAGE_CSS)).clone())
}

/// Gives the shadow root the static sheet and, when the host set `appearance`, a sheet
/// with its values as custom properties.
pub(super) fn adopt(shadow: &ShadowRoot, appearance: &Appearance) {
    let sheets = Array::new();
    sheets.push(&static_sheet());
    if !appearance.is_empty() {
        let custom = sheet(":host{}");
        if let Some(rule) = custom
            .css_rules()
            .ok()
            .and_then(|rules| rules.get(0))
            // The sheet holds the one `:host{}` style rule.
            .map(|rule| rule.unchecked_into::<CssStyleRule>())
        {
            let style = rule.style();
            for (name, value) in [
                ("--ec-accent", &appearance.accent),
                ("--ec-radius", &appearance.radius),
                ("--ec-font", &appearance.font_family),
            ] {
                if let Some(value) = value {
                    let _ = style.set_property(name, value);
                }
            }
        }
        sheets.push(&custom);
    }
    shadow.set_adopted_style_sheets(&sheets);
}

/// Stops the page behind the modal from scrolling.
pub(super) fn lock_page() {
    let document = document();
    let root = document.document_element();
    // Measured before anything changes: the page's layout is still clean, so reading it
    // costs nothing, where after the sheet below it would force a style pass of the page.
    let had_scrollbar = root.as_ref().is_some_and(|root| {
        super::super::dom::window()
            .inner_width()
            .ok()
            .and_then(|width| width.as_f64())
            .is_some_and(|width| width > f64::from(root.client_width()))
    });
    let sheets = document.adopted_style_sheets();
    let page = page_sheet();
    if !sheets.includes(&page, 0) {
        sheets.push(&page);
        document.set_adopted_style_sheets(&sheets);
    }
    if let Some(root) = root {
        let classes = root.class_list();
        let _ = classes.add_1(LOCK_CLASS);
        if had_scrollbar {
            let _ = classes.add_1(GUTTER_CLASS);
        }
    }
}

/// Undoes [`lock_page`]: removes the class and the page-level sheet.
pub(super) fn unlock_page() {
    let document = document();
    if let Some(root) = document.document_element() {
        let _ = root.class_list().remove_2(LOCK_CLASS, GUTTER_CLASS);
        if root.get_attribute("class").as_deref() == Some("") {
            let _ = root.remove_attribute("class");
        }
    }
    let page = page_sheet();
    let sheets = document.adopted_style_sheets();
    if sheets.includes(&page, 0) {
        let page: &JsValue = page.as_ref();
        let kept: Array = sheets.iter().filter(|sheet| sheet != page).collect();
        document.set_adopted_style_sheets(&kept);
    }
}
