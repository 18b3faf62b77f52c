#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the SPEC §5 rules: any input, of any length or content, gets an
//! answer (no panic, no hang), and the answers are consistent.
//!
//! The number of cases per property comes from `PROPTEST_CASES` (proptest's default
//! configuration reads it; 256 when unset). `cargo xtask fuzz` runs millions in release.

use entra_connect::rules::{
    check_client_id, check_client_secret, check_cloud, check_scope, check_tenant, clean, validate,
    Cloud, Code, Field, FieldCheck, Input, Severity, MAX_INPUT_LEN,
};
use proptest::prelude::*;

/// Fragments that steer inputs towards the interesting parts of the rules.
const PIECES: &[&str] = &[
    "0",
    "9",
    "a",
    "F",
    "g",
    "-",
    "{",
    "}",
    ".",
    "/",
    ":",
    ",",
    " ",
    "\n",
    "\t",
    "@",
    "?",
    "#",
    "\u{200B}",
    "\u{200C}",
    "\u{200D}",
    "\u{2060}",
    "\u{FEFF}",
    "\u{A0}",
    "\u{202F}",
    "\u{2007}",
    "\u{3000}",
    "\u{2013}",
    "\u{200F}",
    "\u{AD}",
    "\u{3002}",
    "ü",
    "例",
    "０",
    "ａ",
    "－",
    "｛",
    "．",
    "fc659cb7-0c66-4e32-9f96-c35c869581b6",
    "00000000-0000-0000-0000-000000000000",
    "9188040d-6c67-4c5b-b112-36a304b66dad",
    "FC659CB70C664E329F96C35C869581B6",
    "８１ｂ６",
    "https://",
    "HTTPS://",
    "http://",
    "api://",
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
    "sts.windows.net",
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
    "management.azure.com",
    "/.default",
    ".default",
    "/oauth2/v2.0/token",
    "/v2.0/.well-known/openid-configuration",
    "common",
    "organizations",
    "consumers",
    "contoso",
    "onmicrosoft",
    "com",
    "xn--",
    "User.Read",
    "offline_access",
    "openid",
    "Q~",
    "global",
    "usgov",
    "usgov-dod",
    "china",
];

/// Strings built from [`PIECES`].
fn pieces() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..24).prop_map(|parts| parts.concat())
}

/// What pasting adds around a value.
const BLANKS: &[&str] = &[
    " ", "\n", "\r\n", "\t", "\u{A0}", "\u{202F}", "\u{2007}", "\u{200B}", "\u{200C}", "\u{200D}",
    "\u{2060}", "\u{FEFF}", "\u{3000}", "\u{200E}",
];

/// Values of the right shape (GUIDs in their spellings, domains, login URLs, scopes),
/// with pasted blanks around them: most are valid, so the fixed-point properties bite.
fn pasted() -> impl Strategy<Value = String> {
    let blanks = || {
        prop::collection::vec(prop::sample::select(BLANKS), 0..4).prop_map(|parts| parts.concat())
    };
    let guid = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
    let domain = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?(\\.[a-zA-Z][a-zA-Z0-9-]{0,8}[a-zA-Z0-9]){1,3}\\.?";
    let core = prop_oneof![
        guid.prop_map(|guid| guid),
        guid.prop_map(|guid| format!("{{{}}}", guid.replace('-', ""))),
        domain.prop_map(|domain| domain),
        (
            prop::sample::select(vec![
                "login.microsoftonline.com",
                "sts.windows.net",
                "LOGIN.MICROSOFTONLINE.US"
            ]),
            guid,
            prop::sample::select(vec![
                "",
                "/",
                "/oauth2/v2.0/token",
                "/v2.0/.well-known/openid-configuration"
            ])
        )
            .prop_map(|(host, guid, tail)| format!("https://{host}/{guid}{tail}")),
        (
            prop::sample::select(vec!["https://", "HTTPS://", "api://", ""]),
            prop_oneof![guid.prop_map(|g| g), domain.prop_map(|d| d)],
            prop::sample::select(vec![
                "/.default",
                "/.DEFAULT",
                "/User.Read",
                "//.default",
                "/api/.default"
            ])
        )
            .prop_map(|(scheme, resource, tail)| format!("{scheme}{resource}{tail}")),
    ];
    (blanks(), core, blanks()).prop_map(|(head, core, tail)| format!("{head}{core}{tail}"))
}

/// Arbitrary text: any Unicode, interesting fragments, and strings around and far beyond
/// [`MAX_INPUT_LEN`].
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        4 => pieces(),
        4 => pasted(),
        1 => prop::collection::vec(any::<char>(), 0..3000).prop_map(String::from_iter),
        1 => (prop::sample::select(PIECES), MAX_INPUT_LEN - 40..MAX_INPUT_LEN + 40)
            .prop_map(|(piece, len)| {
                let mut text = piece.repeat(len / piece.len().max(1) + 1);
                while text.len() > len {
                    text.pop();
                }
                text
            }),
        1 => prop::collection::vec(prop::sample::select(PIECES), 0..4000)
            .prop_map(|parts| parts.concat()),
    ]
}

fn cloud() -> impl Strategy<Value = Cloud> {
    prop::sample::select(Cloud::ALL.to_vec())
}

/// What every check must satisfy, whatever the input.
fn assert_well_formed(check: &FieldCheck, field: Field) -> Result<(), TestCaseError> {
    if let Some(code) = check.error {
        prop_assert_eq!((code.field(), code.severity()), (field, Severity::Error));
    }
    if let Some(code) = check.warning {
        prop_assert_eq!((code.field(), code.severity()), (field, Severity::Warning));
    }
    prop_assert!(
        clean(&check.normalized) == check.normalized,
        "normalized value of {:?} is not clean",
        field
    );
    prop_assert!(check.normalized.len() <= MAX_INPUT_LEN);
    Ok(())
}

/// The error a too-long input must get, or `None` when it is within the limit.
fn too_long(raw: &str, code: Code) -> Option<Code> {
    (raw.len() > MAX_INPUT_LEN).then_some(code)
}

/// True when `text` contains a character no ID, domain or scope may keep.
fn has_invisible(text: &str) -> bool {
    text.chars().any(|c| {
        matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
        )
    })
}

proptest! {
    #[test]
    fn tenant_rule_answers_any_input(raw in text()) {
        let check = check_tenant(&raw);
        assert_well_formed(&check, Field::TenantId)?;
        prop_assert_eq!(check.warning, None);
        if let Some(code) = too_long(&raw, Code::TenantTooLong) {
            prop_assert_eq!(check.error, Some(code));
            return Ok(());
        }
        prop_assert!(!has_invisible(&check.normalized));
        let again = check_tenant(&check.normalized);
        if check.error.is_none() {
            // Valid: lowercase ASCII, and a fixed point of the rule.
            prop_assert!(check.normalized.bytes().all(|b| b.is_ascii_lowercase()
                || b.is_ascii_digit() || b == b'-' || b == b'.'));
            prop_assert_eq!(&again, &check);
        } else {
            prop_assert_eq!(again.error, check.error);
        }
        prop_assert_eq!(check_tenant(&raw), check, "deterministic");
    }

    #[test]
    fn client_id_rule_answers_any_input(raw in text(), tenant in text()) {
        let tenant = check_tenant(&tenant).normalized;
        let check = check_client_id(&raw, &tenant);
        assert_well_formed(&check, Field::ClientId)?;
        if let Some(code) = too_long(&raw, Code::ClientIdTooLong) {
            prop_assert_eq!(check.error, Some(code));
            return Ok(());
        }
        prop_assert!(!has_invisible(&check.normalized));
        let again = check_client_id(&check.normalized, &tenant);
        if check.error.is_none() {
            prop_assert_eq!(check.normalized.len(), 36);
            prop_assert!(check.normalized.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase() || b == b'-'));
            prop_assert_eq!(&again, &check);
        } else {
            prop_assert_eq!(again.error, check.error);
        }
        if check.warning == Some(Code::ClientIdSameAsTenant) {
            prop_assert_eq!(&check.normalized, &tenant);
        }
    }

    #[test]
    fn client_secret_rule_answers_any_input(raw in text()) {
        let check = check_client_secret(&raw);
        // No secret in failure messages: compare without printing values.
        assert_well_formed(&check, Field::ClientSecret)?;
        if let Some(code) = too_long(&raw, Code::ClientSecretTooLong) {
            prop_assert_eq!(check.error, Some(code));
            return Ok(());
        }
        prop_assert!(check.normalized == clean(&raw), "secret is only trimmed");
        if check.warning == Some(Code::ClientSecretWhitespace) {
            prop_assert!(check.normalized.len() < raw.len());
        }
        let again = check_client_secret(&check.normalized);
        prop_assert!(again.normalized == check.normalized, "trimming is idempotent");
        prop_assert_eq!(again.error, check.error);
        prop_assert_ne!(again.warning, Some(Code::ClientSecretWhitespace));
    }

    #[test]
    fn scope_rule_answers_any_input(raw in text(), cloud in cloud()) {
        let check = check_scope(&raw, cloud);
        assert_well_formed(&check, Field::Scope)?;
        if let Some(code) = too_long(&raw, Code::ScopeTooLong) {
            prop_assert_eq!(check.error, Some(code));
            return Ok(());
        }
        prop_assert!(!has_invisible(&check.normalized));
        let again = check_scope(&check.normalized, cloud);
        if check.error.is_none() {
            prop_assert!(check.normalized.ends_with("/.default"));
            prop_assert!(check.normalized.is_ascii());
            prop_assert_eq!(&again, &check);
        } else {
            prop_assert_eq!(again.error, check.error);
        }
    }

    #[test]
    fn cloud_rule_answers_any_input(raw in text()) {
        let (check, cloud) = check_cloud(&raw);
        assert_well_formed(&check, Field::Cloud)?;
        if check.error.is_none() {
            prop_assert_eq!(check.normalized.as_str(), cloud.name());
            prop_assert_eq!(check_cloud(&check.normalized), (check, cloud));
        } else {
            prop_assert_eq!(cloud, Cloud::Global);
        }
    }

    #[test]
    fn validate_is_deterministic_and_field_bound(
        tenant_id in text(),
        client_id in text(),
        client_secret in text(),
        scope in text(),
        cloud in text(),
    ) {
        let input = Input {
            tenant_id: &tenant_id,
            client_id: &client_id,
            client_secret: &client_secret,
            scope: &scope,
            cloud: &cloud,
        };
        let report = validate(&input);
        prop_assert!(report == validate(&input), "validate is deterministic");
        for (field, check) in report.fields() {
            assert_well_formed(check, field)?;
        }
        prop_assert_eq!(report.is_valid(), report.first_error().is_none());
        if report.is_valid() {
            // The normalized form (what is sent) passes again, unchanged.
            let normalized = Input {
                tenant_id: &report.tenant_id.normalized,
                client_id: &report.client_id.normalized,
                client_secret: &report.client_secret.normalized,
                scope: &report.scope.normalized,
                cloud: &report.cloud.normalized,
            };
            let again = validate(&normalized);
            prop_assert!(again.is_valid());
            for ((_, first), (_, second)) in report.fields().into_iter().zip(again.fields()) {
                prop_assert!(first.normalized == second.normalized, "normalized form is a fixed point");
            }
        }
    }
}
