//! Message catalogs: every text the modal shows, in English, German, French, Spanish,
//! Japanese and Arabic, as plain Rust (no web APIs), so the reference backend can reuse the
//! English explanations of rule codes ([`english_text`]).
//!
//! Only English is compiled into the browser build: the other catalogs cost about 10 KB
//! gzipped that an English form never needs. `cargo xtask build` writes each of them as an
//! ES module (`pkg/locales/de.js`, built natively from these same `match`es) that the package
//! entry imports when a modal opens in that language and hands to the wasm, which puts it
//! on top of English with [`Texts::set`].
//!
//! Each locale is a `match` over [`Msg`] with no wildcard arm, so the compiler refuses a
//! catalog that forgets a message. Hosts override any text through the `messages` option,
//! keyed by [`Msg::key`]. Texts may hold placeholders (`{appName}`, `{tenant}`,
//! `{seconds}`, `{fields}`) that [`fill`] replaces.

#[cfg(not(target_arch = "wasm32"))]
mod ar;
#[cfg(not(target_arch = "wasm32"))]
mod de;
mod en;
#[cfg(not(target_arch = "wasm32"))]
mod es;
#[cfg(not(target_arch = "wasm32"))]
mod fr;
#[cfg(not(target_arch = "wasm32"))]
mod ja;

use crate::rules::Code;

/// A language the modal is translated into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Locale {
    /// English (the fallback).
    #[default]
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
    /// Japanese.
    Ja,
    /// Arabic (right-to-left).
    Ar,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 6] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Es,
        Locale::Ja,
        Locale::Ar,
    ];

    /// The BCP 47 primary language subtag (`en`, `de`, ...), used for the `lang` attribute.
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
        }
    }

    /// Whether the script runs right to left (`dir="rtl"`).
    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar)
    }

    /// The supported locale for a language tag, by its primary subtag (`de-AT` → German);
    /// `None` when the language is not translated (`pt-BR`).
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let primary = crate::rules::before_ascii(tag, b"-_");
        Locale::ALL
            .into_iter()
            .find(|locale| primary.eq_ignore_ascii_case(locale.tag()))
    }

    /// The first supported locale among `tags` in preference order, else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Locale {
        tags.into_iter()
            .find_map(Locale::from_tag)
            .unwrap_or_default()
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $variant:ident = $key:literal,)*) => {
        /// One text of the user interface, independent of language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $variant,)*
        }

        impl Msg {
            /// Every message, in catalog order.
            pub const ALL: &'static [Msg] = &[$(Msg::$variant,)*];

            /// The key hosts use in the `messages` option (rule and server codes are their
            /// own keys, e.g. `client_secret_is_secret_id`, `invalid_secret`).
            pub fn key(self) -> &'static str {
                match self { $(Msg::$variant => $key,)* }
            }
        }
    };
}

messages! {
    /// Dialog title with the host application's name.
    Title = "title",
    /// Dialog title when no `appName` was given.
    TitleGeneric = "title_generic",
    /// One sentence under the title.
    Intro = "intro",
    /// Accessible name of the close button.
    Close = "close",
    /// Tenant field label.
    TenantIdLabel = "tenant_id_label",
    /// Where to find the tenant ID.
    TenantIdHint = "tenant_id_hint",
    /// Text of the tenant documentation link.
    TenantIdDoc = "tenant_id_doc",
    /// Client ID field label.
    ClientIdLabel = "client_id_label",
    /// Where to find the client ID.
    ClientIdHint = "client_id_hint",
    /// Text of the client ID documentation link.
    ClientIdDoc = "client_id_doc",
    /// Client secret field label.
    ClientSecretLabel = "client_secret_label",
    /// Where to find the client secret Value.
    ClientSecretHint = "client_secret_hint",
    /// Text of the client secret documentation link.
    ClientSecretDoc = "client_secret_doc",
    /// Visible text of the toggle while the secret is masked.
    ShowSecret = "show_secret",
    /// Visible text of the toggle while the secret is shown.
    HideSecret = "hide_secret",
    /// Accessible name of the toggle while the secret is masked.
    ShowSecretLabel = "show_secret_label",
    /// Accessible name of the toggle while the secret is shown.
    HideSecretLabel = "hide_secret_label",
    /// Summary of the disclosure holding cloud and scope.
    Advanced = "advanced",
    /// Cloud field label.
    CloudLabel = "cloud_label",
    /// When to change the cloud.
    CloudHint = "cloud_hint",
    /// Text of the national clouds documentation link.
    CloudDoc = "cloud_doc",
    /// The global cloud's name in the select.
    CloudGlobal = "cloud_global",
    /// The US Government (GCC High) cloud's name.
    CloudUsGov = "cloud_usgov",
    /// The US Government (DoD) cloud's name.
    CloudUsGovDod = "cloud_usgov_dod",
    /// The China (21Vianet) cloud's name.
    CloudChina = "cloud_china",
    /// Scope field label.
    ScopeLabel = "scope_label",
    /// What to put in the scope field.
    ScopeHint = "scope_hint",
    /// Text of the `.default` scope documentation link.
    ScopeDoc = "scope_doc",
    /// Hint on a field the host locked.
    LockedHint = "locked_hint",
    /// Announced after links that open a new tab.
    NewTab = "new_tab",
    /// Heading of the required permissions box.
    PermissionsTitle = "permissions_title",
    /// Sentence before the list of required permissions.
    PermissionsIntro = "permissions_intro",
    /// The admin consent button.
    ConsentButton = "consent_button",
    /// Why the admin consent button cannot be used yet.
    ConsentUnavailable = "consent_unavailable",
    /// The submit button.
    Submit = "submit",
    /// The submit button while submitting.
    Submitting = "submitting",
    /// Status while waiting before a retry (`{seconds}`).
    Retrying = "retrying",
    /// Why the form cannot be submitted yet (`{fields}`: the field labels).
    SubmitBlocked = "submit_blocked",
    /// Separator between field labels in [`Msg::SubmitBlocked`].
    ListSeparator = "list_separator",
    /// The cancel button.
    Cancel = "cancel",
    /// Question before closing an edited form.
    ConfirmTitle = "confirm_title",
    /// What is lost by closing.
    ConfirmText = "confirm_text",
    /// Keep the form open.
    ConfirmKeep = "confirm_keep",
    /// Close and lose the values.
    ConfirmDiscard = "confirm_discard",
    /// Heading of the success view.
    SuccessTitle = "success_title",
    /// Sentence naming the connected tenant (`{tenant}`).
    SuccessText = "success_text",
    /// Heading of the granted permissions list.
    GrantedTitle = "granted_title",
    /// Heading of the missing permissions list.
    MissingTitle = "missing_title",
    /// What to do about missing permissions.
    MissingHint = "missing_hint",
    /// Shown when the token carries no application permission.
    NoneGranted = "none_granted",
    /// Dismisses the success view.
    Done = "done",

    /// Rule code `tenant_required`.
    TenantRequired = "tenant_required",
    /// Rule code `tenant_too_long`.
    TenantTooLong = "tenant_too_long",
    /// Rule code `tenant_common`.
    TenantCommon = "tenant_common",
    /// Rule code `tenant_organizations`.
    TenantOrganizations = "tenant_organizations",
    /// Rule code `tenant_consumers`.
    TenantConsumers = "tenant_consumers",
    /// Rule code `tenant_nil_guid`.
    TenantNilGuid = "tenant_nil_guid",
    /// Rule code `tenant_consumer_guid`.
    TenantConsumerGuid = "tenant_consumer_guid",
    /// Rule code `tenant_fullwidth`.
    TenantFullwidth = "tenant_fullwidth",
    /// Rule code `tenant_not_ascii`.
    TenantNotAscii = "tenant_not_ascii",
    /// Rule code `tenant_url_without_tenant`.
    TenantUrlWithoutTenant = "tenant_url_without_tenant",
    /// Rule code `tenant_invalid`.
    TenantInvalid = "tenant_invalid",
    /// Rule code `client_id_required`.
    ClientIdRequired = "client_id_required",
    /// Rule code `client_id_too_long`.
    ClientIdTooLong = "client_id_too_long",
    /// Rule code `client_id_fullwidth`.
    ClientIdFullwidth = "client_id_fullwidth",
    /// Rule code `client_id_invalid`.
    ClientIdInvalid = "client_id_invalid",
    /// Rule code `client_id_nil_guid`.
    ClientIdNilGuid = "client_id_nil_guid",
    /// Rule code `client_id_same_as_tenant`.
    ClientIdSameAsTenant = "client_id_same_as_tenant",
    /// Rule code `client_secret_required`.
    ClientSecretRequired = "client_secret_required",
    /// Rule code `client_secret_too_long`.
    ClientSecretTooLong = "client_secret_too_long",
    /// Rule code `client_secret_is_secret_id`.
    ClientSecretIsSecretId = "client_secret_is_secret_id",
    /// Rule code `client_secret_whitespace`.
    ClientSecretWhitespace = "client_secret_whitespace",
    /// Rule code `client_secret_short`.
    ClientSecretShort = "client_secret_short",
    /// Rule code `scope_too_long`.
    ScopeTooLong = "scope_too_long",
    /// Rule code `scope_named`.
    ScopeNamed = "scope_named",
    /// Rule code `scope_multiple`.
    ScopeMultiple = "scope_multiple",
    /// Rule code `scope_invalid`.
    ScopeInvalid = "scope_invalid",
    /// Rule code `scope_cloud_mismatch`.
    ScopeCloudMismatch = "scope_cloud_mismatch",
    /// Rule code `cloud_unknown`.
    CloudUnknown = "cloud_unknown",

    /// Server code `invalid_session` (§6.3).
    InvalidSession = "invalid_session",
    /// Server code `validation_failed`.
    ValidationFailed = "validation_failed",
    /// Server code `tenant_not_found`.
    TenantNotFound = "tenant_not_found",
    /// Server code `app_not_found`.
    AppNotFound = "app_not_found",
    /// Server code `invalid_secret` (AADSTS7000215).
    InvalidSecret = "invalid_secret",
    /// Server code `secret_expired` (AADSTS7000222).
    SecretExpired = "secret_expired",
    /// Server code `invalid_scope`.
    InvalidScope = "invalid_scope",
    /// Server code `rate_limited`.
    RateLimited = "rate_limited",
    /// Server code `upstream_unavailable`.
    UpstreamUnavailable = "upstream_unavailable",

    /// The backend could not be reached.
    Network = "network",
    /// `timeoutMs` elapsed.
    Timeout = "timeout",
    /// The backend failed without a code the SDK knows and without a message.
    ServerError = "server",
}

/// The server codes of §6.3 that have their own text.
const SERVER_CODES: [Msg; 9] = [
    Msg::InvalidSession,
    Msg::ValidationFailed,
    Msg::TenantNotFound,
    Msg::AppNotFound,
    Msg::InvalidSecret,
    Msg::SecretExpired,
    Msg::InvalidScope,
    Msg::RateLimited,
    Msg::UpstreamUnavailable,
];

impl Msg {
    /// Parses a `messages` option key; unknown keys are `None`.
    pub fn from_key(key: &str) -> Option<Msg> {
        Msg::ALL.iter().copied().find(|msg| msg.key() == key)
    }

    /// The explanation of a rule code.
    pub fn for_code(code: Code) -> Msg {
        match code {
            Code::TenantRequired => Msg::TenantRequired,
            Code::TenantTooLong => Msg::TenantTooLong,
            Code::TenantCommon => Msg::TenantCommon,
            Code::TenantOrganizations => Msg::TenantOrganizations,
            Code::TenantConsumers => Msg::TenantConsumers,
            Code::TenantNilGuid => Msg::TenantNilGuid,
            Code::TenantConsumerGuid => Msg::TenantConsumerGuid,
            Code::TenantFullwidth => Msg::TenantFullwidth,
            Code::TenantNotAscii => Msg::TenantNotAscii,
            Code::TenantUrlWithoutTenant => Msg::TenantUrlWithoutTenant,
            Code::TenantInvalid => Msg::TenantInvalid,
            Code::ClientIdRequired => Msg::ClientIdRequired,
            Code::ClientIdTooLong => Msg::ClientIdTooLong,
            Code::ClientIdFullwidth => Msg::ClientIdFullwidth,
            Code::ClientIdInvalid => Msg::ClientIdInvalid,
            Code::ClientIdNilGuid => Msg::ClientIdNilGuid,
            Code::ClientIdSameAsTenant => Msg::ClientIdSameAsTenant,
            Code::ClientSecretRequired => Msg::ClientSecretRequired,
            Code::ClientSecretTooLong => Msg::ClientSecretTooLong,
            Code::ClientSecretIsSecretId => Msg::ClientSecretIsSecretId,
            Code::ClientSecretWhitespace => Msg::ClientSecretWhitespace,
            Code::ClientSecretShort => Msg::ClientSecretShort,
            Code::ScopeTooLong => Msg::ScopeTooLong,
            Code::ScopeNamed => Msg::ScopeNamed,
            Code::ScopeMultiple => Msg::ScopeMultiple,
            Code::ScopeInvalid => Msg::ScopeInvalid,
            Code::ScopeCloudMismatch => Msg::ScopeCloudMismatch,
            Code::CloudUnknown => Msg::CloudUnknown,
        }
    }

    /// The text of a §6.3 server error code, when the SDK knows the code.
    pub fn for_server_code(code: &str) -> Option<Msg> {
        SERVER_CODES.into_iter().find(|msg| msg.key() == code)
    }
}

/// The text of `msg` in `locale` (native builds only: the browser build has English only,
/// see the module documentation).
#[cfg(not(target_arch = "wasm32"))]
pub fn text(locale: Locale, msg: Msg) -> &'static str {
    match locale {
        Locale::En => en::text(msg),
        Locale::De => de::text(msg),
        Locale::Fr => fr::text(msg),
        Locale::Es => es::text(msg),
        Locale::Ja => ja::text(msg),
        Locale::Ar => ar::text(msg),
    }
}

/// The English explanation of a rule code (the reference backend puts it in its §6.3
/// `message`).
pub fn english_text(code: Code) -> &'static str {
    en::text(Msg::for_code(code))
}

/// `template` with every `{name}` replaced by `value` (other braces are kept as they are).
pub fn fill(template: &str, name: &str, value: &str) -> String {
    let mut out = String::with_capacity(template.len() + value.len());
    let mut rest = template;
    while let Some((before, after_brace)) = rest.split_once('{') {
        out.push_str(before);
        match after_brace
            .strip_prefix(name)
            .and_then(|tail| tail.strip_prefix('}'))
        {
            Some(tail) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after_brace;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The built-in text of `msg`: the locale's own natively, English in the browser build
/// (where [`Texts`] receives the other catalogs through [`Texts::set`]).
fn built_in(locale: Locale, msg: Msg) -> &'static str {
    #[cfg(not(target_arch = "wasm32"))]
    return text(locale, msg);
    #[cfg(target_arch = "wasm32")]
    {
        let _ = locale;
        en::text(msg)
    }
}

/// `template` split around its first `{name}` placeholder, for a value that goes into an
/// element of its own (a `<bdi>`); `None` when the template has no such placeholder.
pub fn split_at_placeholder<'a>(template: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let mut searched = 0;
    while let Some(brace) = template.get(searched..)?.find('{') {
        let at = searched + brace;
        let after = template.get(at + 1..)?;
        if let Some(rest) = after
            .strip_prefix(name)
            .and_then(|tail| tail.strip_prefix('}'))
        {
            return Some((template.get(..at)?, rest));
        }
        searched = at + 1;
    }
    None
}

/// The texts of one modal: a locale's catalog with the host's `messages` overrides on top.
#[derive(Clone, Debug, Default)]
pub struct Texts {
    locale: Locale,
    /// Replaced texts, indexed by `Msg as usize` (empty until the first [`Texts::set`]).
    replaced: Vec<Option<String>>,
}

impl Texts {
    /// The built-in catalog of `locale`, without overrides.
    pub fn new(locale: Locale) -> Texts {
        Texts {
            locale,
            replaced: Vec::new(),
        }
    }

    /// The locale the texts are in.
    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// Replaces the text of `msg` (a later text for the same message wins).
    pub fn set(&mut self, msg: Msg, text: String) {
        if self.replaced.is_empty() {
            self.replaced.resize_with(Msg::ALL.len(), || None);
        }
        if let Some(slot) = self.replaced.get_mut(msg as usize) {
            *slot = Some(text);
        }
    }

    /// The text of `msg`: a replaced one, else the built-in one.
    pub fn get(&self, msg: Msg) -> &str {
        match self.replaced.get(msg as usize) {
            Some(Some(text)) => text,
            _ => built_in(self.locale, msg),
        }
    }
}

// The translated catalogs are native only, and so are their tests.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_text_in_every_locale() {
        for locale in Locale::ALL {
            for &msg in Msg::ALL {
                assert!(
                    !text(locale, msg).trim().is_empty(),
                    "{msg:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn every_rule_code_has_an_english_explanation_keyed_by_its_code() {
        for &code in Code::ALL {
            assert!(!english_text(code).is_empty());
            assert_eq!(Msg::for_code(code).key(), code.as_str());
        }
    }

    #[test]
    fn every_server_code_of_the_contract_has_text() {
        for code in [
            "invalid_session",
            "validation_failed",
            "tenant_not_found",
            "app_not_found",
            "invalid_secret",
            "secret_expired",
            "invalid_scope",
            "rate_limited",
            "upstream_unavailable",
        ] {
            let msg = Msg::for_server_code(code).expect(code);
            assert_eq!(msg.key(), code);
        }
        assert_eq!(Msg::for_server_code("title"), None);
        assert_eq!(Msg::for_server_code("made_up"), None);
    }

    #[test]
    fn invalid_secret_text_mentions_secret_id_versus_value() {
        let english = text(Locale::En, Msg::InvalidSecret);
        assert!(english.contains("Value") && english.contains("Secret ID"));
    }

    #[test]
    fn messages_are_indexed_by_their_catalog_position() {
        for (index, &msg) in Msg::ALL.iter().enumerate() {
            assert_eq!(msg as usize, index, "{msg:?}");
        }
    }

    #[test]
    fn set_texts_replace_the_built_in_ones_and_the_rest_stay() {
        // What the browser build does with a catalog loaded from pkg/locales/.
        let mut texts = Texts::new(Locale::Fr);
        assert_eq!(texts.get(Msg::Cancel), text(Locale::Fr, Msg::Cancel));
        texts.set(Msg::Submit, "Connecter".to_string());
        assert_eq!(texts.get(Msg::Submit), "Connecter");
        assert_eq!(texts.get(Msg::Done), text(Locale::Fr, Msg::Done));
    }

    #[test]
    fn keys_are_unique_and_parse_back() {
        for &msg in Msg::ALL {
            assert_eq!(Msg::from_key(msg.key()), Some(msg));
        }
        assert_eq!(Msg::from_key("no_such_key"), None);
    }

    #[test]
    fn placeholders_survive_translation() {
        for locale in Locale::ALL {
            assert!(text(locale, Msg::Title).contains("{appName}"), "{locale:?}");
            assert!(
                text(locale, Msg::SuccessText).contains("{tenant}"),
                "{locale:?}"
            );
            assert!(
                text(locale, Msg::Retrying).contains("{seconds}"),
                "{locale:?}"
            );
            assert!(
                text(locale, Msg::SubmitBlocked).contains("{fields}"),
                "{locale:?}"
            );
        }
    }

    #[test]
    fn translations_differ_from_english() {
        for locale in [Locale::De, Locale::Fr, Locale::Es, Locale::Ja, Locale::Ar] {
            let same = Msg::ALL
                .iter()
                .filter(|&&msg| text(locale, msg) == text(Locale::En, msg))
                .count();
            // A few texts are legitimately identical (e.g. "Cloud", ", ").
            assert!(same <= 4, "{locale:?} has {same} untranslated texts");
        }
    }

    #[test]
    fn locale_negotiation_uses_primary_subtags_in_order() {
        assert_eq!(Locale::negotiate(["de-AT"]), Locale::De);
        assert_eq!(Locale::negotiate(["pt-BR"]), Locale::En);
        assert_eq!(Locale::negotiate(["pt-BR", "fr-CA"]), Locale::Fr);
        assert_eq!(Locale::negotiate(["JA_jp"]), Locale::Ja);
        assert_eq!(Locale::negotiate(["ar-EG"]), Locale::Ar);
        assert_eq!(Locale::negotiate([""]), Locale::En);
        assert_eq!(Locale::negotiate(Vec::<&str>::new()), Locale::En);
        assert!(Locale::Ar.is_rtl() && !Locale::De.is_rtl());
    }

    #[test]
    fn fill_replaces_only_the_named_placeholder() {
        assert_eq!(
            fill("Connect {appName} now", "appName", "Acme"),
            "Connect Acme now"
        );
        assert_eq!(fill("{a}{b}{a}", "a", "x"), "x{b}x");
        assert_eq!(fill("no braces", "a", "x"), "no braces");
        assert_eq!(fill("open { only", "a", "x"), "open { only");
        assert_eq!(fill("{appName", "appName", "x"), "{appName");
        assert_eq!(fill("ends with {", "a", "x"), "ends with {");
    }
    #[test]
    fn split_at_placeholder_finds_only_the_named_placeholder() {
        assert_eq!(
            split_at_placeholder("Connected to {tenant}.", "tenant"),
            Some(("Connected to ", "."))
        );
        assert_eq!(
            split_at_placeholder("{x} {tenant}", "tenant"),
            Some(("{x} ", ""))
        );
        assert_eq!(
            split_at_placeholder("تم الربط بـ {tenant}", "tenant"),
            Some(("تم الربط بـ ", ""))
        );
        assert_eq!(split_at_placeholder("{tenant", "tenant"), None);
        assert_eq!(split_at_placeholder("no placeholder", "tenant"), None);
    }

    #[test]
    fn overrides_replace_only_their_key() {
        let mut texts = Texts::new(Locale::De);
        texts.set(Msg::Submit, "Los".to_string());
        texts.set(Msg::Submit, "Jetzt verbinden".to_string());
        assert_eq!(texts.get(Msg::Submit), "Jetzt verbinden");
        assert_eq!(texts.get(Msg::Cancel), "Abbrechen");
        assert_eq!(texts.locale(), Locale::De);
    }
}
