//! Message catalogs: every text the modal shows, in sixteen languages (SPEC §4), as plain
//! Rust (no web APIs), so the reference backend can reuse the English explanations of rule
//! and server codes ([`english`]).
//!
//! Only English is compiled into the browser build: the other fifteen catalogs cost about
//! 2 KB gzipped each, which an English form never needs. `cargo xtask build` writes each of them as an
//! ES module (`pkg/locales/de.js`, built natively from these same `match`es) that the package
//! entry imports when a modal opens in that language and hands to the wasm, which puts it
//! on top of English with [`Texts::set`].
//!
//! Each locale is a `match` over [`Msg`] with no wildcard arm (rule and server codes are
//! matched as `M::Rule(Code::TenantRequired)`, `M::Server(ServerCode::InvalidSecret)`), so
//! the compiler refuses a catalog that forgets a message, including a code added to
//! [`Code`] or [`ServerCode`]. Hosts override any text through the `messages` option,
//! keyed by [`Msg::key`]. Texts may hold placeholders (`{appName}`, `{tenant}`,
//! `{when}`, `{fields}`) that [`fill`] replaces. A count is never pluralized here: `{when}`
//! is a whole phrase ("in 2 seconds", "za 5 sekund", "خلال ثانيتين") that the browser's
//! `Intl.RelativeTimeFormat` writes in the modal's language, plural rules and grammatical
//! case included.

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
mod he;
#[cfg(not(target_arch = "wasm32"))]
mod it;
#[cfg(not(target_arch = "wasm32"))]
mod ja;
#[cfg(not(target_arch = "wasm32"))]
mod ko;
#[cfg(not(target_arch = "wasm32"))]
mod nl;
#[cfg(not(target_arch = "wasm32"))]
mod pl;
#[cfg(not(target_arch = "wasm32"))]
mod pt_br;
#[cfg(not(target_arch = "wasm32"))]
mod sv;
#[cfg(not(target_arch = "wasm32"))]
mod tr;
#[cfg(not(target_arch = "wasm32"))]
mod zh_hans;
#[cfg(not(target_arch = "wasm32"))]
mod zh_hant;

pub use crate::contract::ServerCode;
pub use crate::rules::Code;

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
    /// Portuguese (Brazil), also for other Portuguese.
    PtBr,
    /// Italian.
    It,
    /// Dutch.
    Nl,
    /// Polish.
    Pl,
    /// Swedish.
    Sv,
    /// Turkish.
    Tr,
    /// Korean.
    Ko,
    /// Chinese in simplified characters (mainland China, Singapore).
    ZhHans,
    /// Chinese in traditional characters (Taiwan, Hong Kong, Macao).
    ZhHant,
    /// Hebrew (right-to-left).
    He,
}

impl Locale {
    /// Every supported locale.
    pub const ALL: [Locale; 16] = [
        Locale::En,
        Locale::De,
        Locale::Fr,
        Locale::Es,
        Locale::Ja,
        Locale::Ar,
        Locale::PtBr,
        Locale::It,
        Locale::Nl,
        Locale::Pl,
        Locale::Sv,
        Locale::Tr,
        Locale::Ko,
        Locale::ZhHans,
        Locale::ZhHant,
        Locale::He,
    ];

    /// The BCP 47 tag (`en`, `pt-BR`, `zh-Hant`, ...), used for the `lang` attribute and
    /// as the name of the catalog module (`pkg/locales/<tag>.js`).
    pub fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
            Locale::Fr => "fr",
            Locale::Es => "es",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
            Locale::PtBr => "pt-BR",
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::Pl => "pl",
            Locale::Sv => "sv",
            Locale::Tr => "tr",
            Locale::Ko => "ko",
            Locale::ZhHans => "zh-Hans",
            Locale::ZhHant => "zh-Hant",
            Locale::He => "he",
        }
    }

    /// The locale segment of Microsoft Learn addresses (`learn.microsoft.com/pt-br/...`), so
    /// documentation links open the page in the admin's language.
    pub fn learn(self) -> &'static str {
        // Five bytes each, in `Locale::ALL` order: one string costs the browser build less
        // than a table of sixteen.
        const SEGMENTS: &str =
            "en-usde-defr-fres-esja-jpar-sapt-brit-itnl-nlpl-plsv-setr-trko-krzh-cnzh-twhe-il";
        let at = self as usize * 5;
        SEGMENTS.get(at..at + 5).unwrap_or("en-us")
    }

    /// Whether the script runs right to left (`dir="rtl"`).
    pub fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar | Locale::He)
    }
}

macro_rules! messages {
    ($($(#[$doc:meta])* $variant:ident = $key:literal,)*) => {
        /// One text of the user interface, independent of language: a text of the modal
        /// itself, the explanation of a rule code, or that of a §6.3 server code. Rule and
        /// server codes are listed once, in [`Code`] and [`ServerCode`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($(#[$doc])* $variant,)*
            /// The explanation of a rule code (its key is the code, e.g. `tenant_required`).
            Rule(Code),
            /// The explanation of a §6.3 server code (its key is the code, e.g. `invalid_secret`).
            Server(ServerCode),
        }

        impl Msg {
            /// The texts of the modal itself, in catalog order.
            const MODAL: &'static [Msg] = &[$(Msg::$variant,)*];

            /// How many messages there are.
            pub const COUNT: usize = Msg::MODAL.len() + Code::ALL.len() + ServerCode::ALL.len();

            /// The key hosts use in the `messages` option (rule and server codes are their
            /// own keys, e.g. `client_secret_is_secret_id`, `invalid_secret`).
            pub fn key(self) -> &'static str {
                unpack(&KEY_BYTES, &KEY_ENDS, self.index())
            }

            /// [`Msg::key`], by a `match` (evaluated once, at compile time, into the packed
            /// table [`Msg::key`] reads).
            const fn key_by_match(self) -> &'static str {
                match self {
                    $(Msg::$variant => $key,)*
                    Msg::Rule(code) => code.as_str(),
                    Msg::Server(code) => code.as_str(),
                }
            }

            /// The message's position in catalog order, `0..Msg::COUNT`, found in
            /// [`Msg::ALL`] by comparison: under a hundred two-byte compares, where a
            /// `match` on every variant compiles to a 0.4 KB jump table in the browser build.
            pub fn index(self) -> usize {
                Msg::ALL
                    .iter()
                    .position(|known| *known == self)
                    .unwrap_or_default()
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
    /// Status while waiting before a retry (`{when}`: "in 2 seconds" as the language says
    /// it, from `Intl.RelativeTimeFormat`).
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

    /// The backend could not be reached.
    Network = "network",
    /// `timeoutMs` elapsed.
    Timeout = "timeout",
    /// The backend failed without a code the SDK knows and without a message.
    ServerError = "server",
}

impl Msg {
    /// Every message, in catalog order: the modal's texts, then the rule codes, then the
    /// server codes. Built at compile time, so the browser build holds it as data.
    pub const ALL: [Msg; Msg::COUNT] = {
        let mut all = [Msg::Server(ServerCode::InvalidSession); Msg::COUNT];
        let mut at = 0;
        while at < Msg::MODAL.len() {
            all[at] = Msg::MODAL[at];
            at += 1;
        }
        let mut code = 0;
        while code < Code::ALL.len() {
            all[at] = Msg::Rule(Code::ALL[code]);
            at += 1;
            code += 1;
        }
        let mut code = 0;
        while code < ServerCode::ALL.len() {
            all[at] = Msg::Server(ServerCode::ALL[code]);
            at += 1;
            code += 1;
        }
        all
    };

    /// Every message, in catalog order (see [`Msg::ALL`]).
    pub fn all() -> impl Iterator<Item = Msg> {
        Msg::ALL.into_iter()
    }

    /// Parses a `messages` option key; unknown keys are `None`.
    pub fn from_key(key: &str) -> Option<Msg> {
        Msg::all().find(|msg| msg.key() == key)
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
        Locale::PtBr => pt_br::text(msg),
        Locale::It => it::text(msg),
        Locale::Nl => nl::text(msg),
        Locale::Pl => pl::text(msg),
        Locale::Sv => sv::text(msg),
        Locale::Tr => tr::text(msg),
        Locale::Ko => ko::text(msg),
        Locale::ZhHans => zh_hans::text(msg),
        Locale::ZhHant => zh_hant::text(msg),
        Locale::He => he::text(msg),
    }
}

/// The English text of `msg`, in every build (the reference backend puts the explanation
/// of a rule or server code in its §6.3 `message`).
pub fn english(msg: Msg) -> &'static str {
    unpack(&ENGLISH_BYTES, &ENGLISH_ENDS, msg.index())
}

/// Packs `$text(Msg::ALL[i])` for every message end to end at compile time, as a byte
/// string and the end offset of each text: two bytes an entry in the browser build's data
/// instead of a pointer and a length (eight), which compress poorly.
macro_rules! packed {
    ($bytes:ident, $ends:ident, $text:expr) => {
        static $bytes: [u8; {
            let mut total = 0;
            let mut at = 0;
            while at < Msg::COUNT {
                total += $text(Msg::ALL[at]).len();
                at += 1;
            }
            total
        }] = {
            let mut bytes = [0; $bytes.len()];
            let mut filled = 0;
            let mut at = 0;
            while at < Msg::COUNT {
                let text = $text(Msg::ALL[at]).as_bytes();
                let mut i = 0;
                while i < text.len() {
                    bytes[filled] = text[i];
                    filled += 1;
                    i += 1;
                }
                at += 1;
            }
            bytes
        };

        static $ends: [u16; Msg::COUNT] = {
            assert!(
                $bytes.len() <= u16::MAX as usize,
                "the texts outgrew u16 offsets"
            );
            let mut ends = [0; Msg::COUNT];
            let mut end = 0;
            let mut at = 0;
            while at < Msg::COUNT {
                end += $text(Msg::ALL[at]).len();
                ends[at] = end as u16;
                at += 1;
            }
            ends
        };
    };
}

packed!(KEY_BYTES, KEY_ENDS, Msg::key_by_match);
packed!(ENGLISH_BYTES, ENGLISH_ENDS, en::text);

/// Entry `at` of a [`packed!`] table (empty past its end).
fn unpack(bytes: &'static [u8], ends: &[u16; Msg::COUNT], at: usize) -> &'static str {
    let start = match at.checked_sub(1) {
        Some(before) => ends.get(before).copied().unwrap_or_default(),
        None => 0,
    };
    let end = ends.get(at).copied().unwrap_or_default();
    bytes
        .get(usize::from(start)..usize::from(end))
        .and_then(|text| core::str::from_utf8(text).ok())
        .unwrap_or_default()
}

/// The English explanation of a rule code (the reference backend's `validation_failed`
/// message).
pub fn english_text(code: Code) -> &'static str {
    english(Msg::Rule(code))
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
        english(msg)
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
    /// Replaced texts, indexed by [`Msg::index`] (empty until the first [`Texts::set`]).
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
            self.replaced.resize_with(Msg::COUNT, || None);
        }
        if let Some(slot) = self.replaced.get_mut(msg.index()) {
            *slot = Some(text);
        }
    }

    /// The text of `msg`: a replaced one, else the built-in one.
    pub fn get(&self, msg: Msg) -> &str {
        match self.replaced.get(msg.index()) {
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
            for msg in Msg::all() {
                assert!(
                    !text(locale, msg).trim().is_empty(),
                    "{msg:?} is empty in {locale:?}"
                );
            }
        }
    }

    #[test]
    fn every_rule_code_has_an_english_explanation_found_by_its_code() {
        for &code in Code::ALL {
            assert!(!english(Msg::Rule(code)).is_empty(), "{code:?}");
            assert_eq!(Msg::from_key(code.as_str()), Some(Msg::Rule(code)));
        }
    }

    /// The §6.3 codes as SPEC.md lists them, written out independently of [`ServerCode`].
    const SPEC_SERVER_CODES: [&str; 9] = [
        "invalid_session",
        "validation_failed",
        "tenant_not_found",
        "app_not_found",
        "invalid_secret",
        "secret_expired",
        "invalid_scope",
        "rate_limited",
        "upstream_unavailable",
    ];

    /// The first way `spec` and the catalog disagree on the server codes, if any: a code
    /// the SDK does not parse, a key that leads to another message, a missing text, or a
    /// code the SDK knows that the spec does not list.
    fn server_code_mismatch(spec: &[&str]) -> Option<String> {
        for &code in spec {
            let Some(parsed) = ServerCode::parse(code) else {
                return Some(format!("{code} is not parsed"));
            };
            if parsed.as_str() != code || Msg::from_key(code) != Some(Msg::Server(parsed)) {
                return Some(format!("{code} leads to {parsed:?}"));
            }
            if english(Msg::Server(parsed)).trim().is_empty() {
                return Some(format!("{code} has no English text"));
            }
        }
        ServerCode::ALL
            .iter()
            .find(|known| !spec.contains(&known.as_str()))
            .map(|extra| format!("{extra:?} is not in the spec"))
    }

    #[test]
    fn every_server_code_of_the_contract_has_text() {
        assert_eq!(server_code_mismatch(&SPEC_SERVER_CODES), None);
        assert_eq!(ServerCode::parse("title"), None);
        assert_eq!(ServerCode::parse("made_up"), None);
    }

    #[test]
    fn a_server_code_list_that_differs_from_the_contract_is_caught() {
        // Positive control: the check above fails for a misspelt, a missing and an
        // unknown code.
        let mut misspelt = SPEC_SERVER_CODES;
        misspelt[6] = "invalid_scopes";
        assert!(server_code_mismatch(&misspelt).is_some());
        assert!(server_code_mismatch(&SPEC_SERVER_CODES[1..]).is_some());
        let mut modal_key = SPEC_SERVER_CODES;
        modal_key[0] = "title";
        assert!(server_code_mismatch(&modal_key).is_some());
    }

    #[test]
    fn invalid_secret_text_mentions_secret_id_versus_value() {
        let english = text(Locale::En, Msg::Server(ServerCode::InvalidSecret));
        assert!(english.contains("Value") && english.contains("Secret ID"));
    }

    #[test]
    fn messages_are_indexed_by_their_catalog_position() {
        for (index, msg) in Msg::all().enumerate() {
            assert_eq!(msg.index(), index, "{msg:?}");
        }
        assert_eq!(Msg::all().count(), Msg::COUNT);
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
        for msg in Msg::all() {
            assert_eq!(Msg::from_key(msg.key()), Some(msg));
        }
        assert_eq!(Msg::from_key("no_such_key"), None);
    }

    /// The `{name}` placeholders of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut rest = text;
        while let Some((_, after)) = rest.split_once('{') {
            match after.split_once('}') {
                Some((name, tail)) if name.bytes().all(|b| b.is_ascii_alphabetic()) => {
                    found.push(name);
                    rest = tail;
                }
                _ => rest = after,
            }
        }
        found.sort_unstable();
        found
    }

    #[test]
    fn placeholders_survive_translation() {
        for locale in Locale::ALL {
            for msg in Msg::all() {
                assert_eq!(
                    placeholders(text(locale, msg)),
                    placeholders(text(Locale::En, msg)),
                    "{locale:?} {msg:?}"
                );
            }
            assert!(text(locale, Msg::Title).contains("{appName}"), "{locale:?}");
            assert!(text(locale, Msg::Retrying).contains("{when}"), "{locale:?}");
        }
        // A positive control: the check sees a misspelt placeholder.
        assert_ne!(
            placeholders("Verbinden mit {tenant}"),
            placeholders("Verbinden mit {tenat}")
        );
    }

    #[test]
    fn the_secret_toggle_names_contain_its_visible_text() {
        // WCAG 2.5.3 (label in name): speech users say what they see.
        for locale in Locale::ALL {
            for (visible, name) in [
                (Msg::ShowSecret, Msg::ShowSecretLabel),
                (Msg::HideSecret, Msg::HideSecretLabel),
            ] {
                let (visible, name) = (text(locale, visible), text(locale, name));
                assert!(
                    name.to_lowercase().contains(&visible.to_lowercase()),
                    "{locale:?}: {name:?} lacks {visible:?}"
                );
            }
        }
    }

    #[test]
    fn translations_differ_from_english() {
        for locale in Locale::ALL.into_iter().filter(|l| *l != Locale::En) {
            let same = Msg::all()
                .filter(|&msg| text(locale, msg) == text(Locale::En, msg))
                .count();
            // A few texts are legitimately identical (e.g. "Cloud", ", ").
            assert!(same <= 4, "{locale:?} has {same} untranslated texts");
        }
    }

    #[test]
    fn only_arabic_and_hebrew_run_right_to_left() {
        let rtl: Vec<Locale> = Locale::ALL.into_iter().filter(|l| l.is_rtl()).collect();
        assert_eq!(rtl, [Locale::Ar, Locale::He]);
    }

    #[test]
    fn tags_and_learn_segments_are_distinct() {
        for (index, locale) in Locale::ALL.into_iter().enumerate() {
            // `Locale::learn` indexes its string by the variant's position.
            assert_eq!(locale as usize, index, "{locale:?}");
            // The wasm finds a catalog's locale by its exact tag.
            let same_tag = Locale::ALL
                .iter()
                .filter(|l| l.tag() == locale.tag())
                .count();
            assert_eq!(same_tag, 1, "{locale:?}");
            let learn = locale.learn();
            assert!(learn.len() == 5 && learn.as_bytes()[2] == b'-', "{learn}");
            assert_eq!(learn, learn.to_ascii_lowercase());
            let same = Locale::ALL.iter().filter(|l| l.learn() == learn).count();
            assert_eq!(same, 1, "{learn}");
        }
        let expected = [
            (Locale::En, "en-us"),
            (Locale::Ar, "ar-sa"),
            (Locale::PtBr, "pt-br"),
            (Locale::ZhHans, "zh-cn"),
            (Locale::ZhHant, "zh-tw"),
            (Locale::He, "he-il"),
        ];
        for (locale, learn) in expected {
            assert_eq!(locale.learn(), learn);
        }
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
