//! Reads the options object of `connect()` (SPEC §3) with `Reflect` and checks every
//! option before anything is drawn. A bad option is an `invalid_options` error whose
//! message names it; a good object becomes a [`Config`] the modal draws from.

use js_sys::{Array, Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortSignal, Element};

use super::dom::window;
use crate::messages::{Locale, Msg, Texts};
use crate::protocol::DEFAULT_TIMEOUT_MS;
use crate::rules::{self, Cloud, Field};
use crate::web::transport::{SessionToken, Target};

/// The longest `timeoutMs` accepted: ten minutes.
const MAX_TIMEOUT_MS: f64 = 600_000.0;
/// The most `requiredPermissions` entries listed.
const MAX_PERMISSIONS: u32 = 64;

/// How the modal looks: `theme`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    /// Follows `prefers-color-scheme`.
    Auto,
    /// Light colours.
    Light,
    /// Dark colours.
    Dark,
}

impl Theme {
    /// The value of the host's `data-theme` attribute.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// The checked `appearance` option; each value is safe to put in a CSS custom property.
#[derive(Default)]
pub(crate) struct Appearance {
    /// `--ec-accent`: a colour.
    pub accent: Option<String>,
    /// `--ec-radius`: a length.
    pub radius: Option<String>,
    /// `--ec-font`: a font family list.
    pub font_family: Option<String>,
}

impl Appearance {
    /// Whether any value was given (else no per-open stylesheet is needed).
    pub(crate) fn is_empty(&self) -> bool {
        self.accent.is_none() && self.radius.is_none() && self.font_family.is_none()
    }
}

/// Everything `connect()` was asked for, checked.
pub(crate) struct Config {
    /// Where the credentials go.
    pub target: Target,
    /// The session token or its provider.
    pub session_token: SessionToken,
    /// The initially selected cloud.
    pub cloud: Cloud,
    /// Initial field values: tenant, client ID, scope.
    pub tenant_id: String,
    /// Initial client ID.
    pub client_id: String,
    /// Initial scope (prefill, else the `scope` option, else empty for the cloud default).
    pub scope: String,
    /// Fields the administrator cannot change.
    pub locked: Locked,
    /// Application permissions to list with the admin consent button.
    pub required_permissions: Vec<String>,
    /// The host application's name for the title.
    pub app_name: Option<String>,
    /// Texts in the catalog's locale, with the host's overrides.
    pub texts: Texts,
    /// Light, dark or auto.
    pub theme: Theme,
    /// Accent, radius, font.
    pub appearance: Appearance,
    /// Inline mode: the element to render into.
    pub container: Option<Element>,
    /// The host's abort signal.
    pub signal: Option<AbortSignal>,
    /// Budget per submission.
    pub timeout_ms: u32,
    /// The host's event callback.
    pub on_event: Option<Function>,
}

/// Which fields are locked.
#[derive(Clone, Copy, Default)]
pub(crate) struct Locked {
    /// The tenant field is read-only.
    pub tenant_id: bool,
    /// The client ID field is read-only.
    pub client_id: bool,
    /// The scope field is read-only.
    pub scope: bool,
}

impl Locked {
    /// Whether `field` is locked.
    pub(crate) fn has(self, field: Field) -> bool {
        match field {
            Field::TenantId => self.tenant_id,
            Field::ClientId => self.client_id,
            Field::Scope => self.scope,
            Field::ClientSecret | Field::Cloud => false,
        }
    }
}

/// Why the options were refused: the `invalid_options` message, naming the option.
pub(crate) struct OptionError(pub String);

fn fail<T>(parts: &[&str]) -> Result<T, OptionError> {
    // A loop rather than `concat()`, whose overflow checks bring in a panic path.
    let mut message = String::new();
    for part in parts {
        message.push_str(part);
    }
    Err(OptionError(message))
}

fn get(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn is_absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// An optional string option; `name` is how the error names it.
fn opt_string(object: &JsValue, key: &str, name: &str) -> Result<Option<String>, OptionError> {
    let value = get(object, key);
    if is_absent(&value) {
        return Ok(None);
    }
    match value.as_string() {
        Some(text) => Ok(Some(text)),
        None => fail(&[name, " must be a string"]),
    }
}

/// An optional plain object option.
fn opt_object(object: &JsValue, key: &str) -> Result<Option<JsValue>, OptionError> {
    let value = get(object, key);
    if is_absent(&value) {
        return Ok(None);
    }
    if !value.is_object() || value.is_function() || Array::is_array(&value) {
        return fail(&[key, " must be an object"]);
    }
    Ok(Some(value))
}

/// Reads and checks the options object; `catalog` holds the texts of a locale other than
/// English (see [`read_texts`]).
pub(crate) fn read(options: &JsValue, catalog: &JsValue) -> Result<Config, OptionError> {
    if !options.is_object() || options.is_function() {
        return fail(&["options must be an object"]);
    }
    let target = read_target(options)?;
    let session_token = read_session_token(options)?;

    let cloud = match opt_string(options, "cloud", "cloud")? {
        None => Cloud::Global,
        Some(name) => match Cloud::from_name(&name) {
            Some(cloud) => cloud,
            None => {
                return fail(&[
                    "cloud must be one of global, usgov, usgov-dod, china (got \"",
                    &shorten(&name),
                    "\")",
                ])
            }
        },
    };

    let scope_option = opt_string(options, "scope", "scope")?;
    if let Some(scope) = &scope_option {
        if let Some(code) = rules::check_scope(scope, cloud).error {
            return fail(&[
                "scope is malformed (",
                code.as_str(),
                "): ",
                crate::messages::english(Msg::Rule(code)),
            ]);
        }
    }

    let (tenant_id, client_id, prefill_scope) = match opt_object(options, "prefill")? {
        None => (String::new(), String::new(), None),
        Some(prefill) => (
            opt_string(&prefill, "tenantId", "prefill.tenantId")?.unwrap_or_default(),
            opt_string(&prefill, "clientId", "prefill.clientId")?.unwrap_or_default(),
            opt_string(&prefill, "scope", "prefill.scope")?,
        ),
    };
    let scope = prefill_scope.or(scope_option).unwrap_or_default();

    let locked = read_locked(options)?;
    check_locked(locked, &tenant_id, &client_id, &scope, cloud)?;

    let required_permissions = read_permissions(options)?;

    let app_name = match opt_string(options, "appName", "appName")? {
        None => None,
        Some(name) => {
            let name = name.trim();
            // Characters, counted as the bytes that start one (`chars().count()` brings
            // in a 1 KB vectorised counter).
            let characters = name.bytes().filter(|b| (b & 0xC0) != 0x80).count();
            if name.is_empty() || characters > 100 {
                return fail(&["appName must be a non-empty string of at most 100 characters"]);
            }
            Some(name.to_string())
        }
    };

    let texts = read_texts(options, catalog)?;

    let theme = match opt_string(options, "theme", "theme")?.as_deref() {
        None | Some("auto") => Theme::Auto,
        Some("light") => Theme::Light,
        Some("dark") => Theme::Dark,
        Some(other) => {
            return fail(&[
                "theme must be \"auto\", \"light\" or \"dark\" (got \"",
                &shorten(other),
                "\")",
            ])
        }
    };

    let appearance = read_appearance(options)?;

    let container = {
        let value = get(options, "container");
        if is_absent(&value) {
            None
        } else {
            match value.dyn_into::<Element>() {
                Ok(element) if element.is_connected() => Some(element),
                Ok(_) => return fail(&["container must be an element in the document"]),
                Err(_) => return fail(&["container must be a DOM element"]),
            }
        }
    };

    let signal = {
        let value = get(options, "signal");
        if is_absent(&value) {
            None
        } else {
            match value.dyn_into::<AbortSignal>() {
                Ok(signal) => Some(signal),
                Err(_) => return fail(&["signal must be an AbortSignal"]),
            }
        }
    };

    let timeout_ms = {
        let value = get(options, "timeoutMs");
        if is_absent(&value) {
            DEFAULT_TIMEOUT_MS
        } else {
            match value.as_f64() {
                Some(ms) if (1.0..=MAX_TIMEOUT_MS).contains(&ms) => ms as u32,
                _ => return fail(&["timeoutMs must be a number of milliseconds from 1 to 600000"]),
            }
        }
    };

    let on_event = {
        let value = get(options, "onEvent");
        if is_absent(&value) {
            None
        } else {
            match value.dyn_into::<Function>() {
                Ok(function) => Some(function),
                Err(_) => return fail(&["onEvent must be a function"]),
            }
        }
    };

    Ok(Config {
        target,
        session_token,
        cloud,
        tenant_id,
        client_id,
        scope,
        locked,
        required_permissions,
        app_name,
        texts,
        theme,
        appearance,
        container,
        signal,
        timeout_ms,
        on_event,
    })
}

fn read_target(options: &JsValue) -> Result<Target, OptionError> {
    match opt_string(options, "protocol", "protocol")?.as_deref() {
        None => {
            let Some(url) = opt_string(options, "endpoint", "endpoint")? else {
                return fail(&["endpoint is required: the URL the credentials are POSTed to"]);
            };
            check_url("endpoint", &url, page_is_https())?;
            Ok(Target::Endpoint { url })
        }
        Some("nango") => {
            let Some(host) = opt_string(options, "host", "host")? else {
                return fail(&["host is required with protocol 'nango' (the Nango server's URL)"]);
            };
            check_url("host", &host, page_is_https())?;
            let key =
                opt_string(options, "providerConfigKey", "providerConfigKey")?.unwrap_or_default();
            let key_ok = !key.is_empty()
                && key.len() <= 255
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !key_ok {
                return fail(&[
                    "providerConfigKey is required with protocol 'nango' (letters, digits, '-', '_', '.')",
                ]);
            }
            Ok(Target::Nango {
                host,
                provider_config_key: key,
            })
        }
        Some(other) => fail(&[
            "protocol must be 'nango' or left out (got \"",
            &shorten(other),
            "\")",
        ]),
    }
}

fn read_session_token(options: &JsValue) -> Result<SessionToken, OptionError> {
    let value = get(options, "sessionToken");
    if let Some(token) = value.as_string() {
        if token.trim().is_empty() {
            return fail(&["sessionToken must not be empty"]);
        }
        return Ok(SessionToken::Fixed(token));
    }
    match value.dyn_into::<Function>() {
        Ok(provider) => Ok(SessionToken::Provider(provider)),
        Err(_) => {
            fail(&["sessionToken is required: a string, or a function returning a Promise of one"])
        }
    }
}

fn page_is_https() -> bool {
    let location = get(&window(), "location");
    get(&location, "protocol").as_string().as_deref() == Some("https:")
}

/// Accepts relative URLs and `https:`; `http:` only for a loopback host (`localhost`,
/// `127.0.0.1`, `[::1]`), so credentials never cross a network in clear text.
pub(crate) fn check_url(name: &str, url: &str, page_is_https: bool) -> Result<(), OptionError> {
    if url.trim().is_empty() {
        return fail(&[name, " must not be empty"]);
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail(&[name, " must be a URL without spaces or control characters"]);
    }
    let scheme_end = crate::rules::find_ascii(url, b":/?#");
    let rest = match scheme_end {
        Some(index) if url.as_bytes().get(index) == Some(&b':') => {
            let scheme = url.get(..index).unwrap_or("");
            let rest = url.get(index + 1..).unwrap_or("");
            if scheme.eq_ignore_ascii_case("https") {
                return Ok(());
            }
            if !scheme.eq_ignore_ascii_case("http") {
                return fail(&[name, " must be a relative URL or an https: URL"]);
            }
            rest
        }
        // Protocol-relative (`//host/path`): the page's scheme applies.
        _ if url.starts_with("//") || url.starts_with("\\\\") => {
            if page_is_https {
                return Ok(());
            }
            url
        }
        _ => return Ok(()),
    };
    let authority = rest
        .strip_prefix("//")
        .map(|after| crate::rules::before_ascii(after, b"/\\?#"));
    let host = authority.map(|authority| {
        let host_port = crate::rules::rsplit_once_ascii(authority, b'@')
            .map_or(authority, |(_, host_port)| host_port);
        if host_port.starts_with('[') {
            host_port.split_inclusive(']').next().unwrap_or("")
        } else {
            host_port.split(':').next().unwrap_or("")
        }
    });
    match host {
        Some(host)
            if host.eq_ignore_ascii_case("localhost")
                || host == "127.0.0.1"
                || host == "[::1]" =>
        {
            Ok(())
        }
        _ => fail(&[
            name,
            " uses http: with a host that is not loopback; use https: (http: is only allowed for localhost, 127.0.0.1 and [::1])",
        ]),
    }
}

fn read_locked(options: &JsValue) -> Result<Locked, OptionError> {
    let value = get(options, "locked");
    let mut locked = Locked::default();
    if is_absent(&value) {
        return Ok(locked);
    }
    if !Array::is_array(&value) {
        return fail(&["locked must be an array of field names"]);
    }
    for item in Array::from(&value).iter() {
        match item.as_string().as_deref() {
            Some("tenantId") => locked.tenant_id = true,
            Some("clientId") => locked.client_id = true,
            Some("scope") => locked.scope = true,
            _ => return fail(&["locked may only hold \"tenantId\", \"clientId\" and \"scope\""]),
        }
    }
    Ok(locked)
}

fn check_locked(
    locked: Locked,
    tenant_id: &str,
    client_id: &str,
    scope: &str,
    cloud: Cloud,
) -> Result<(), OptionError> {
    let report = rules::validate(&rules::Input {
        tenant_id,
        client_id,
        client_secret: "",
        scope,
        cloud: cloud.name(),
    });
    for (field, check) in [
        (Field::TenantId, &report.tenant_id),
        (Field::ClientId, &report.client_id),
        (Field::Scope, &report.scope),
    ] {
        if locked.has(field) {
            if field == Field::Scope && scope.trim().is_empty() {
                return fail(&["locked field scope needs a prefill.scope value"]);
            }
            if let Some(code) = check.error {
                return fail(&[
                    "locked field ",
                    field.js_name(),
                    " needs a valid prefill.",
                    field.js_name(),
                    " (",
                    code.as_str(),
                    ")",
                ]);
            }
        }
    }
    Ok(())
}

fn read_permissions(options: &JsValue) -> Result<Vec<String>, OptionError> {
    let value = get(options, "requiredPermissions");
    if is_absent(&value) {
        return Ok(Vec::new());
    }
    if !Array::is_array(&value) {
        return fail(&["requiredPermissions must be an array of permission names"]);
    }
    let array = Array::from(&value);
    if array.length() > MAX_PERMISSIONS {
        return fail(&["requiredPermissions lists too many permissions (64 at most)"]);
    }
    let mut permissions: Vec<String> = Vec::new();
    for item in array.iter() {
        let name = item.as_string().unwrap_or_default();
        let name_ok = !name.is_empty()
            && name.len() <= 120
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
        if !name_ok {
            return fail(&[
                "requiredPermissions must hold permission names such as \"User.Read.All\"",
            ]);
        }
        if !permissions
            .iter()
            .any(|known| known.eq_ignore_ascii_case(&name))
        {
            permissions.push(name);
        }
    }
    Ok(permissions)
}

/// The texts: English, or the `catalog` the package entry chose and loaded
/// (`{ locale: "de", texts: [...] }`, the texts in [`Msg::ALL`] order) on top of it, then
/// the host's `messages`. The entry negotiates the language once (the `locale` option,
/// else `navigator.languages`); here the option is only type-checked. Without a catalog,
/// or with one naming no supported locale, the modal speaks English and says so in its
/// `lang`; a text a catalog lacks stays English.
fn read_texts(options: &JsValue, catalog: &JsValue) -> Result<Texts, OptionError> {
    opt_string(options, "locale", "locale")?;
    let tag = get(catalog, "locale").as_string().unwrap_or_default();
    let locale = Locale::ALL
        .into_iter()
        .find(|locale| locale.tag() == tag)
        .unwrap_or_default();
    let mut texts = Texts::new(locale);
    if locale != Locale::En {
        let catalog_texts = get(catalog, "texts");
        if catalog_texts.is_object() {
            let catalog_texts: &Array = catalog_texts.unchecked_ref();
            for (at, msg) in (0..).zip(Msg::all()) {
                if let Some(text) = catalog_texts.get(at).as_string() {
                    texts.set(msg, text);
                }
            }
        }
    }
    let Some(messages) = opt_object(options, "messages")? else {
        return Ok(texts);
    };
    // Each known key is read; unknown keys are ignored (a newer host may know texts this
    // version lacks), and so is a key whose value is `undefined`.
    for msg in Msg::all() {
        let key = msg.key();
        let value = get(&messages, key);
        if value.is_undefined() {
            continue;
        }
        match value.as_string() {
            Some(text) if text.len() <= 2000 => texts.set(msg, text),
            _ => return fail(&["messages.", key, " must be a string (2000 bytes at most)"]),
        }
    }
    Ok(texts)
}

fn read_appearance(options: &JsValue) -> Result<Appearance, OptionError> {
    let Some(appearance) = opt_object(options, "appearance")? else {
        return Ok(Appearance::default());
    };
    let accent = opt_string(&appearance, "accent", "appearance.accent")?;
    if let Some(accent) = &accent {
        if !is_safe_color(accent) {
            return fail(&[
                "appearance.accent must be a CSS colour such as #0b5cad, rgb(11 92 173) or a colour name",
            ]);
        }
    }
    let radius = opt_string(&appearance, "radius", "appearance.radius")?;
    if let Some(radius) = &radius {
        if !is_safe_length(radius) {
            return fail(&["appearance.radius must be a length such as 8px, 0.5rem or 0"]);
        }
    }
    let font_family = opt_string(&appearance, "fontFamily", "appearance.fontFamily")?;
    if let Some(font) = &font_family {
        if !is_safe_font_list(font) {
            return fail(&[
                "appearance.fontFamily must be a font list such as Inter, \"Segoe UI\", sans-serif",
            ]);
        }
    }
    Ok(Appearance {
        accent: accent.map(|v| v.trim().to_string()),
        radius: radius.map(|v| v.trim().to_string()),
        font_family: font_family.map(|v| v.trim().to_string()),
    })
}

/// A colour of a shape that cannot carry anything but a colour into CSS: `#hex`, a
/// colour name, or a colour function with numeric arguments (no nested functions, quotes,
/// semicolons, braces or backslashes).
pub(crate) fn is_safe_color(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.len() > 64 {
        return false;
    }
    if let Some(hex) = value.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if value.bytes().all(|b| b.is_ascii_alphabetic()) {
        return value.len() >= 3;
    }
    let Some((name, rest)) = value.split_once('(') else {
        return false;
    };
    let Some(arguments) = rest.strip_suffix(')') else {
        return false;
    };
    let known = [
        "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch",
    ]
    .iter()
    .any(|known| name.eq_ignore_ascii_case(known));
    known
        && !arguments.trim().is_empty()
        && arguments.bytes().all(|b| {
            b.is_ascii_digit()
                || b.is_ascii_lowercase()
                || matches!(b, b'.' | b'%' | b',' | b'/' | b'+' | b'-' | b' ')
        })
}

/// A non-negative length in `px`, `rem` or `em`, or `0`.
pub(crate) fn is_safe_length(value: &str) -> bool {
    let value = value.trim();
    if value == "0" {
        return true;
    }
    let unit_at = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let (number, unit) = value.split_at_checked(unit_at).unwrap_or((value, ""));
    let mut parts = number.split('.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    parts.next().is_none()
        && !whole.is_empty()
        && whole.len() <= 3
        && fraction.is_none_or(|f| !f.is_empty() && f.len() <= 3)
        && matches!(unit, "px" | "rem" | "em")
}

/// A comma-separated font family list of plain names, quoted or not.
pub(crate) fn is_safe_font_list(value: &str) -> bool {
    let value = value.trim();
    if value.is_empty() || value.len() > 200 {
        return false;
    }
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_');
    value.split(',').all(|family| {
        let family = family.trim();
        let quoted = |quote: char| {
            family
                .strip_prefix(quote)
                .and_then(|inner| inner.strip_suffix(quote))
                .filter(|inner| {
                    !inner.is_empty() && inner.bytes().all(|b| name_byte(b) || b == b'.')
                })
                .is_some()
        };
        quoted('"')
            || quoted('\'')
            || (!family.is_empty()
                && family.bytes().all(name_byte)
                && !family.as_bytes().first().is_some_and(u8::is_ascii_digit))
    })
}

/// At most 40 characters of a value quoted back in an error message.
fn shorten(value: &str) -> String {
    value.chars().take(40).collect()
}
