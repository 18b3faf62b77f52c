#![cfg(not(target_arch = "wasm32"))]
//! Table-driven tests of the SPEC §5 rules: every rule, every code, and the ways people
//! paste values.

use std::collections::HashSet;

use entra_connect::rules::{
    admin_consent_url, check_client_id, check_client_secret, check_cloud, check_scope,
    check_tenant, clean, validate, Cloud, Code, Field, FieldCheck, Input, Severity, MAX_INPUT_LEN,
};

const TENANT: &str = "fc659cb7-0c66-4e32-9f96-c35c869581b6";
const CLIENT: &str = "38a6702a-fb0c-4495-976f-5e260e080751";
const SECRET: &str = "Emu8Q~ContosoSampleSecret-0123456789abcd";

/// One row: a description, the raw input, the expected error, warning and normalized value.
type Row = (
    &'static str,
    &'static str,
    Option<Code>,
    Option<Code>,
    &'static str,
);

/// Runs `rule` over `rows`; the messages name the row, never the value (secrets).
fn run_table(rule: impl Fn(&str) -> FieldCheck, rows: &[Row]) -> Vec<Code> {
    let mut seen = Vec::new();
    for &(name, input, error, warning, normalized) in rows {
        let check = rule(input);
        assert!(
            check.error == error,
            "{name}: error {:?}, expected {error:?}",
            check.error
        );
        assert!(
            check.warning == warning,
            "{name}: warning {:?}, expected {warning:?}",
            check.warning
        );
        assert!(
            check.normalized == normalized,
            "{name}: normalized value differs from the expected one"
        );
        seen.extend(check.error);
        seen.extend(check.warning);
    }
    seen
}

use Code::*;

const TENANT_ROWS: &[Row] = &[
    ("empty", "", Some(TenantRequired), None, ""),
    ("only white space", "  \n\t\r\n", Some(TenantRequired), None, ""),
    ("only invisibles", "\u{200B}\u{FEFF}\u{A0}\u{2060}", Some(TenantRequired), None, ""),
    ("guid", TENANT, None, None, TENANT),
    ("guid upper case", "FC659CB7-0C66-4E32-9F96-C35C869581B6", None, None, TENANT),
    ("guid in braces", "{fc659cb7-0c66-4e32-9f96-c35c869581b6}", None, None, TENANT),
    ("guid in braces, upper, no hyphens", "{FC659CB70C664E329F96C35C869581B6}", None, None, TENANT),
    ("guid without hyphens", "fc659cb70c664e329f96c35c869581b6", None, None, TENANT),
    ("guid with newline and spaces", "  fc659cb7-0c66-4e32-9f96-c35c869581b6\r\n", None, None, TENANT),
    ("guid with byte-order mark and zero-width space", "\u{FEFF}fc659cb7-0c66-4e32-9f96-c35c869581b6\u{200B}", None, None, TENANT),
    ("guid with non-breaking spaces", "\u{A0}fc659cb7-0c66-4e32-9f96-c35c869581b6\u{202F}\u{2007}", None, None, TENANT),
    ("guid with joiners", "\u{2060}\u{200C}fc659cb7-0c66-4e32-9f96-c35c869581b6\u{200D}", None, None, TENANT),
    ("guid with bidi marks", "\u{200F}fc659cb7-0c66-4e32-9f96-c35c869581b6\u{200E}", None, None, TENANT),
    ("guid with ideographic space", "\u{3000}fc659cb7-0c66-4e32-9f96-c35c869581b6\u{3000}", None, None, TENANT),
    ("guid with an inner zero-width space", "fc659cb7-0c66\u{200B}-4e32-9f96-c35c869581b6", None, None, TENANT),
    ("guid with typographic hyphens", "fc659cb7\u{2013}0c66\u{2011}4e32\u{2010}9f96\u{2212}c35c869581b6", None, None, TENANT),
    ("guid with a hyphen missing", "fc659cb7-0c664e32-9f96-c35c869581b6", Some(TenantInvalid), None, "fc659cb7-0c664e32-9f96-c35c869581b6"),
    ("guid with a hyphen misplaced", "fc659cb70-c66-4e32-9f96-c35c869581b6", Some(TenantInvalid), None, "fc659cb70-c66-4e32-9f96-c35c869581b6"),
    ("guid one digit short", "fc659cb7-0c66-4e32-9f96-c35c869581b", Some(TenantInvalid), None, "fc659cb7-0c66-4e32-9f96-c35c869581b"),
    ("guid one digit long", "fc659cb7-0c66-4e32-9f96-c35c869581b66", Some(TenantInvalid), None, "fc659cb7-0c66-4e32-9f96-c35c869581b66"),
    ("guid with one brace", "{fc659cb7-0c66-4e32-9f96-c35c869581b6", Some(TenantInvalid), None, "{fc659cb7-0c66-4e32-9f96-c35c869581b6"),
    ("guid with a non-hex digit", "gc659cb7-0c66-4e32-9f96-c35c869581b6", Some(TenantInvalid), None, "gc659cb7-0c66-4e32-9f96-c35c869581b6"),
    ("full-width guid", "ｆｃ６５９ｃｂ７－０ｃ６６－４ｅ３２－９ｆ９６－ｃ３５ｃ８６９５８１ｂ６", Some(TenantFullwidth), None, "ｆｃ６５９ｃｂ７－０ｃ６６－４ｅ３２－９ｆ９６－ｃ３５ｃ８６９５８１ｂ６"),
    ("guid with some full-width digits", "fc659cb7-0c66-4e32-9f96-c35c８６９５８１b6", Some(TenantFullwidth), None, "fc659cb7-0c66-4e32-9f96-c35c８６９５８１b6"),
    ("full-width guid in full-width braces", "｛ＦＣ６５９ＣＢ７０Ｃ６６４Ｅ３２９Ｆ９６Ｃ３５Ｃ８６９５８１Ｂ６｝", Some(TenantFullwidth), None, "｛ＦＣ６５９ＣＢ７０Ｃ６６４Ｅ３２９Ｆ９６Ｃ３５Ｃ８６９５８１Ｂ６｝"),
    ("full-width text that is no guid", "ｃｏｎｔｏｓｏ", Some(TenantInvalid), None, "ｃｏｎｔｏｓｏ"),
    ("domain", "contoso.onmicrosoft.com", None, None, "contoso.onmicrosoft.com"),
    ("domain in mixed case", "Contoso.OnMicrosoft.COM", None, None, "contoso.onmicrosoft.com"),
    ("domain with trailing dot", "contoso.onmicrosoft.com.", None, None, "contoso.onmicrosoft.com"),
    ("custom domain with hyphen and digits", " fabrikam-2.co.uk\n", None, None, "fabrikam-2.co.uk"),
    ("punycode domain", "xn--bcher-kva.de", None, None, "xn--bcher-kva.de"),
    ("internationalized domain", "bücher.de", Some(TenantNotAscii), None, "bücher.de"),
    ("internationalized domain with ideographic dot", "例え。テスト", Some(TenantNotAscii), None, "例え。テスト"),
    ("full-width domain", "ｃｏｎｔｏｓｏ．ｃｏｍ", Some(TenantNotAscii), None, "ｃｏｎｔｏｓｏ．ｃｏｍ"),
    ("non-ascii word", "bücher", Some(TenantInvalid), None, "bücher"),
    ("single label", "contoso", Some(TenantInvalid), None, "contoso"),
    ("label starting with a hyphen", "-contoso.com", Some(TenantInvalid), None, "-contoso.com"),
    ("label ending with a hyphen", "contoso-.com", Some(TenantInvalid), None, "contoso-.com"),
    ("underscore", "con_toso.com", Some(TenantInvalid), None, "con_toso.com"),
    ("empty label", "contoso..com", Some(TenantInvalid), None, "contoso..com"),
    ("leading dot", ".contoso.com", Some(TenantInvalid), None, ".contoso.com"),
    ("two trailing dots", "contoso.com..", Some(TenantInvalid), None, "contoso.com.."),
    ("inner space", "contoso .com", Some(TenantInvalid), None, "contoso .com"),
    ("ip address", "10.0.0.1", Some(TenantInvalid), None, "10.0.0.1"),
    ("e-mail address", "admin@contoso.com", Some(TenantInvalid), None, "admin@contoso.com"),
    ("domain with a trailing slash", "contoso.onmicrosoft.com/", Some(TenantInvalid), None, "contoso.onmicrosoft.com/"),
    ("common", "common", Some(TenantCommon), None, "common"),
    ("common upper case", " COMMON ", Some(TenantCommon), None, "common"),
    ("organizations", "Organizations", Some(TenantOrganizations), None, "organizations"),
    ("consumers", "consumers\n", Some(TenantConsumers), None, "consumers"),
    ("nil guid", "00000000-0000-0000-0000-000000000000", Some(TenantNilGuid), None, "00000000-0000-0000-0000-000000000000"),
    ("nil guid in braces without hyphens", "{00000000000000000000000000000000}", Some(TenantNilGuid), None, "00000000-0000-0000-0000-000000000000"),
    ("consumer tenant guid", "9188040d-6c67-4c5b-b112-36a304b66dad", Some(TenantConsumerGuid), None, "9188040d-6c67-4c5b-b112-36a304b66dad"),
    ("consumer tenant guid upper case in braces", "{9188040D-6C67-4C5B-B112-36A304B66DAD}", Some(TenantConsumerGuid), None, "9188040d-6c67-4c5b-b112-36a304b66dad"),
    ("token endpoint url with domain", "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", None, None, "contoso.onmicrosoft.com"),
    ("openid metadata url with guid", "https://login.microsoftonline.com/fc659cb7-0c66-4e32-9f96-c35c869581b6/v2.0/.well-known/openid-configuration", None, None, TENANT),
    ("v1 token endpoint", "https://login.microsoftonline.com/fc659cb7-0c66-4e32-9f96-c35c869581b6/oauth2/token", None, None, TENANT),
    ("url in upper case", "HTTPS://LOGIN.MICROSOFTONLINE.COM/FC659CB7-0C66-4E32-9F96-C35C869581B6/", None, None, TENANT),
    ("url pasted with spaces and a newline", "\n https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0 \n", None, None, "contoso.onmicrosoft.com"),
    ("url with only the tenant", "https://login.microsoftonline.com/contoso.onmicrosoft.com", None, None, "contoso.onmicrosoft.com"),
    ("url with a query", "https://login.microsoftonline.com/contoso.onmicrosoft.com?appid=1", None, None, "contoso.onmicrosoft.com"),
    ("url with a port", "https://login.microsoftonline.com:443/contoso.onmicrosoft.com/", None, None, "contoso.onmicrosoft.com"),
    ("url without scheme", "login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token", None, None, "contoso.onmicrosoft.com"),
    ("url with braces guid", "https://login.microsoftonline.com/{fc659cb7-0c66-4e32-9f96-c35c869581b6}/", None, None, TENANT),
    ("us government url", "https://login.microsoftonline.us/fc659cb7-0c66-4e32-9f96-c35c869581b6/oauth2/v2.0/token", None, None, TENANT),
    ("china url", "https://login.chinacloudapi.cn/fc659cb7-0c66-4e32-9f96-c35c869581b6/v2.0/.well-known/openid-configuration", None, None, TENANT),
    ("login.windows.net url", "https://login.windows.net/contoso.onmicrosoft.com/federationmetadata/2007-06/federationmetadata.xml", None, None, "contoso.onmicrosoft.com"),
    ("sts.windows.net issuer", "https://sts.windows.net/fc659cb7-0c66-4e32-9f96-c35c869581b6/", None, None, TENANT),
    ("url with common", "https://login.microsoftonline.com/common/oauth2/v2.0/token", Some(TenantCommon), None, "https://login.microsoftonline.com/common/oauth2/v2.0/token"),
    ("url with organizations", "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration", Some(TenantOrganizations), None, "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration"),
    ("url with consumers", "https://login.microsoftonline.com/consumers/", Some(TenantConsumers), None, "https://login.microsoftonline.com/consumers/"),
    ("url with the consumer tenant", "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", Some(TenantConsumerGuid), None, "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"),
    ("url with the nil guid", "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0", Some(TenantNilGuid), None, "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"),
    ("url with an internationalized domain", "https://login.microsoftonline.com/bücher.de/v2.0", Some(TenantNotAscii), None, "https://login.microsoftonline.com/bücher.de/v2.0"),
    ("url with a full-width guid", "https://login.microsoftonline.com/ｆｃ６５９ｃｂ７－０ｃ６６－４ｅ３２－９ｆ９６－ｃ３５ｃ８６９５８１ｂ６/", Some(TenantFullwidth), None, "https://login.microsoftonline.com/ｆｃ６５９ｃｂ７－０ｃ６６－４ｅ３２－９ｆ９６－ｃ３５ｃ８６９５８１ｂ６/"),
    ("login url without path", "https://login.microsoftonline.com", Some(TenantUrlWithoutTenant), None, "https://login.microsoftonline.com"),
    ("login url with empty path", "https://login.microsoftonline.com/", Some(TenantUrlWithoutTenant), None, "https://login.microsoftonline.com/"),
    ("login url without a tenant segment", "https://login.microsoftonline.com/oauth2/v2.0/token", Some(TenantUrlWithoutTenant), None, "https://login.microsoftonline.com/oauth2/v2.0/token"),
    ("login url with double slash", "https://login.microsoftonline.com//oauth2/v2.0/token", Some(TenantUrlWithoutTenant), None, "https://login.microsoftonline.com//oauth2/v2.0/token"),
    ("azure portal url", "https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Overview", Some(TenantUrlWithoutTenant), None, "https://portal.azure.com/#view/Microsoft_AAD_IAM/ActiveDirectoryMenuBlade/~/Overview"),
    ("entra admin center url", "https://entra.microsoft.com/#home", Some(TenantUrlWithoutTenant), None, "https://entra.microsoft.com/#home"),
    ("another site with a login host as user name", "https://login.microsoftonline.com@evil.example/contoso.com/", Some(TenantUrlWithoutTenant), None, "https://login.microsoftonline.com@evil.example/contoso.com/"),
    ("ftp url", "ftp://login.microsoftonline.com/contoso.onmicrosoft.com", Some(TenantUrlWithoutTenant), None, "ftp://login.microsoftonline.com/contoso.onmicrosoft.com"),
];

#[test]
fn tenant_rules_follow_the_table() {
    run_table(check_tenant, TENANT_ROWS);
}

#[test]
fn tenant_longer_than_the_limit_is_rejected_before_cleaning() {
    for raw in [
        "a".repeat(MAX_INPUT_LEN + 1),
        " ".repeat(MAX_INPUT_LEN + 1),
        "\u{200B}".repeat(MAX_INPUT_LEN / 3 + 1),
        format!("{TENANT}{}", " ".repeat(MAX_INPUT_LEN)),
    ] {
        let check = check_tenant(&raw);
        assert_eq!(check.error, Some(TenantTooLong));
        assert_eq!(check.normalized, "");
    }
    // Exactly at the limit: checked normally.
    let padded = format!("{TENANT}{}", " ".repeat(MAX_INPUT_LEN - TENANT.len()));
    assert_eq!(padded.len(), MAX_INPUT_LEN);
    assert_eq!(
        check_tenant(&padded),
        FieldCheck {
            normalized: TENANT.into(),
            error: None,
            warning: None
        }
    );
}

#[test]
fn domain_length_limits_are_enforced() {
    let label63 = "a".repeat(63);
    let label64 = "a".repeat(64);
    assert_eq!(check_tenant(&format!("{label63}.com")).error, None);
    assert_eq!(
        check_tenant(&format!("{label64}.com")).error,
        Some(TenantInvalid)
    );
    // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters.
    let name253 = format!("{label63}.{label63}.{label63}.{}", "b".repeat(61));
    assert_eq!(name253.len(), 253);
    assert_eq!(check_tenant(&name253).error, None);
    assert_eq!(check_tenant(&format!("{name253}.")).normalized, name253);
    let name254 = format!("{label63}.{label63}.{label63}.{}", "b".repeat(62));
    assert_eq!(check_tenant(&name254).error, Some(TenantInvalid));
}

const CLIENT_ROWS: &[Row] = &[
    ("empty", "", Some(ClientIdRequired), None, ""),
    (
        "only white space",
        " \r\n\u{A0}",
        Some(ClientIdRequired),
        None,
        "",
    ),
    ("guid", CLIENT, None, None, CLIENT),
    (
        "guid upper case in braces",
        "{38A6702A-FB0C-4495-976F-5E260E080751}",
        None,
        None,
        CLIENT,
    ),
    (
        "guid without hyphens",
        "38a6702afb0c4495976f5e260e080751",
        None,
        None,
        CLIENT,
    ),
    (
        "guid with invisibles around",
        "\u{FEFF}\u{200B}38a6702a-fb0c-4495-976f-5e260e080751\u{2060}\n",
        None,
        None,
        CLIENT,
    ),
    (
        "guid with non-breaking spaces",
        "\u{202F}38a6702a-fb0c-4495-976f-5e260e080751\u{A0}",
        None,
        None,
        CLIENT,
    ),
    (
        "nil guid",
        "00000000-0000-0000-0000-000000000000",
        Some(ClientIdNilGuid),
        None,
        "00000000-0000-0000-0000-000000000000",
    ),
    (
        "nil guid without hyphens",
        "00000000000000000000000000000000",
        Some(ClientIdNilGuid),
        None,
        "00000000-0000-0000-0000-000000000000",
    ),
    (
        "full-width guid",
        "３８ａ６７０２ａ－ｆｂ０ｃ－４４９５－９７６ｆ－５ｅ２６０ｅ０８０７５１",
        Some(ClientIdFullwidth),
        None,
        "３８ａ６７０２ａ－ｆｂ０ｃ－４４９５－９７６ｆ－５ｅ２６０ｅ０８０７５１",
    ),
    (
        "guid with a full-width digit",
        "38a6702a-fb0c-4495-976f-5e260e08075１",
        Some(ClientIdFullwidth),
        None,
        "38a6702a-fb0c-4495-976f-5e260e08075１",
    ),
    (
        "app name",
        "Acme CRM",
        Some(ClientIdInvalid),
        None,
        "Acme CRM",
    ),
    (
        "domain",
        "contoso.onmicrosoft.com",
        Some(ClientIdInvalid),
        None,
        "contoso.onmicrosoft.com",
    ),
    (
        "guid one digit short",
        "38a6702a-fb0c-4495-976f-5e260e08075",
        Some(ClientIdInvalid),
        None,
        "38a6702a-fb0c-4495-976f-5e260e08075",
    ),
    (
        "app id uri",
        "api://38a6702a-fb0c-4495-976f-5e260e080751",
        Some(ClientIdInvalid),
        None,
        "api://38a6702a-fb0c-4495-976f-5e260e080751",
    ),
    (
        "same as the tenant",
        TENANT,
        None,
        Some(ClientIdSameAsTenant),
        TENANT,
    ),
    (
        "same as the tenant, other spelling",
        "{FC659CB70C664E329F96C35C869581B6}",
        None,
        Some(ClientIdSameAsTenant),
        TENANT,
    ),
];

#[test]
fn client_id_rules_follow_the_table() {
    run_table(|raw| check_client_id(raw, TENANT), CLIENT_ROWS);
}

#[test]
fn client_id_same_as_tenant_needs_a_tenant_guid() {
    assert_eq!(
        check_client_id(TENANT, "contoso.onmicrosoft.com").warning,
        None
    );
    assert_eq!(check_client_id(TENANT, "").warning, None);
    // The tenant's normalized value may come in any spelling of the GUID.
    assert_eq!(
        check_client_id(TENANT, "FC659CB7-0C66-4E32-9F96-C35C869581B6").warning,
        Some(ClientIdSameAsTenant)
    );
}

#[test]
fn client_id_longer_than_the_limit_is_rejected() {
    let check = check_client_id(&" ".repeat(MAX_INPUT_LEN + 1), TENANT);
    assert_eq!(check.error, Some(ClientIdTooLong));
    assert_eq!(check.normalized, "");
}

const SECRET_ROWS: &[Row] = &[
    ("empty", "", Some(ClientSecretRequired), None, ""),
    (
        "only white space",
        "  \t\n",
        Some(ClientSecretRequired),
        None,
        "",
    ),
    ("current secret shape", SECRET, None, None, SECRET),
    (
        "older secret shape with other characters",
        "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0+/=?",
        None,
        None,
        "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0+/=?",
    ),
    (
        "trailing newline",
        "Emu8Q~ContosoSampleSecret-0123456789abcd\n",
        None,
        Some(ClientSecretWhitespace),
        SECRET,
    ),
    (
        "leading space",
        " Emu8Q~ContosoSampleSecret-0123456789abcd",
        None,
        Some(ClientSecretWhitespace),
        SECRET,
    ),
    (
        "zero-width space and byte-order mark",
        "\u{FEFF}Emu8Q~ContosoSampleSecret-0123456789abcd\u{200B}",
        None,
        Some(ClientSecretWhitespace),
        SECRET,
    ),
    (
        "non-breaking space",
        "Emu8Q~ContosoSampleSecret-0123456789abcd\u{A0}",
        None,
        Some(ClientSecretWhitespace),
        SECRET,
    ),
    (
        "secret id",
        "d1f2a9c4-3b5e-4f60-8a7b-9c0d1e2f3a4b",
        Some(ClientSecretIsSecretId),
        None,
        "d1f2a9c4-3b5e-4f60-8a7b-9c0d1e2f3a4b",
    ),
    (
        "secret id upper case in braces",
        "{D1F2A9C4-3B5E-4F60-8A7B-9C0D1E2F3A4B}",
        Some(ClientSecretIsSecretId),
        None,
        "{D1F2A9C4-3B5E-4F60-8A7B-9C0D1E2F3A4B}",
    ),
    (
        "secret id without hyphens",
        "d1f2a9c43b5e4f608a7b9c0d1e2f3a4b",
        Some(ClientSecretIsSecretId),
        None,
        "d1f2a9c43b5e4f608a7b9c0d1e2f3a4b",
    ),
    (
        "secret id with a trailing newline",
        "d1f2a9c4-3b5e-4f60-8a7b-9c0d1e2f3a4b\r\n",
        Some(ClientSecretIsSecretId),
        Some(ClientSecretWhitespace),
        "d1f2a9c4-3b5e-4f60-8a7b-9c0d1e2f3a4b",
    ),
    (
        "short",
        "abc~DEF.123",
        None,
        Some(ClientSecretShort),
        "abc~DEF.123",
    ),
    (
        "15 characters",
        "abcdefghijklmno",
        None,
        Some(ClientSecretShort),
        "abcdefghijklmno",
    ),
    (
        "16 characters",
        "abcdefghijklmnop",
        None,
        None,
        "abcdefghijklmnop",
    ),
    (
        "15 non-ascii characters are still short",
        "ééééééééééééééé",
        None,
        Some(ClientSecretShort),
        "ééééééééééééééé",
    ),
    (
        "short with white space: the white space warning wins",
        " abc~DEF.123 ",
        None,
        Some(ClientSecretWhitespace),
        "abc~DEF.123",
    ),
    (
        "inner spaces are kept",
        "Emu8Q~Contoso Sample Secret",
        None,
        None,
        "Emu8Q~Contoso Sample Secret",
    ),
];

#[test]
fn client_secret_rules_follow_the_table() {
    run_table(check_client_secret, SECRET_ROWS);
}

#[test]
fn secret_id_pasted_as_secret_is_rejected() {
    let check = check_client_secret("2a9c1f3e-4b5d-4c6e-8f70-8192a3b4c5d6");
    assert_eq!(check.error, Some(ClientSecretIsSecretId));
}

#[test]
fn client_secret_longer_than_the_limit_is_rejected() {
    let check = check_client_secret(&"x".repeat(MAX_INPUT_LEN + 1));
    assert_eq!(check.error, Some(ClientSecretTooLong));
    assert_eq!(check.warning, None);
    assert!(check.normalized.is_empty());
    let at_limit = check_client_secret(&"x".repeat(MAX_INPUT_LEN));
    assert_eq!((at_limit.error, at_limit.warning), (None, None));
}

const GRAPH: &str = "https://graph.microsoft.com/.default";
const APP_SCOPE: &str = "api://38a6702a-fb0c-4495-976f-5e260e080751/.default";

/// Scope rows for the global cloud.
const SCOPE_ROWS: &[Row] = &[
    ("empty means the default", "", None, None, GRAPH),
    (
        "white space means the default",
        " \n\u{200B}",
        None,
        None,
        GRAPH,
    ),
    ("graph", GRAPH, None, None, GRAPH),
    (
        "graph in upper case with newline",
        "  HTTPS://Graph.Microsoft.COM/.default\n",
        None,
        None,
        GRAPH,
    ),
    (
        "upper-case .default",
        "https://graph.microsoft.com/.DEFAULT",
        None,
        None,
        GRAPH,
    ),
    (
        "graph with inner zero-width space",
        "https://graph.\u{200B}microsoft.com/.default",
        None,
        None,
        GRAPH,
    ),
    (
        "azure resource manager",
        "https://management.azure.com/.default",
        None,
        None,
        "https://management.azure.com/.default",
    ),
    (
        "resource with a trailing slash",
        "https://management.core.windows.net//.default",
        None,
        None,
        "https://management.core.windows.net//.default",
    ),
    (
        "https resource with a path keeps the path case",
        "https://Contoso.com/MyApi/.default",
        None,
        None,
        "https://contoso.com/MyApi/.default",
    ),
    ("app id uri", APP_SCOPE, None, None, APP_SCOPE),
    (
        "app id uri scheme in upper case",
        "API://38a6702a-fb0c-4495-976f-5e260e080751/.default",
        None,
        None,
        APP_SCOPE,
    ),
    (
        "app id uri with a domain and path",
        "api://contoso.onmicrosoft.com/crm/.default",
        None,
        None,
        "api://contoso.onmicrosoft.com/crm/.default",
    ),
    (
        "bare app id",
        "38a6702a-fb0c-4495-976f-5e260e080751/.default",
        None,
        None,
        "38a6702a-fb0c-4495-976f-5e260e080751/.default",
    ),
    (
        "bare app id in upper case",
        "38A6702A-FB0C-4495-976F-5E260E080751/.default",
        None,
        None,
        "38a6702a-fb0c-4495-976f-5e260e080751/.default",
    ),
    (
        "trailing comma",
        "https://graph.microsoft.com/.default,",
        None,
        None,
        GRAPH,
    ),
    (
        "named scope",
        "User.Read",
        Some(ScopeNamed),
        None,
        "User.Read",
    ),
    (
        "offline_access",
        "offline_access",
        Some(ScopeNamed),
        None,
        "offline_access",
    ),
    ("openid", "openid", Some(ScopeNamed), None, "openid"),
    (
        "graph named scope",
        "https://graph.microsoft.com/User.Read.All",
        Some(ScopeNamed),
        None,
        "https://graph.microsoft.com/User.Read.All",
    ),
    (
        "app id uri named scope",
        "api://38a6702a-fb0c-4495-976f-5e260e080751/access_as_user",
        Some(ScopeNamed),
        None,
        "api://38a6702a-fb0c-4495-976f-5e260e080751/access_as_user",
    ),
    (
        "two named scopes",
        "User.Read Mail.Read",
        Some(ScopeNamed),
        None,
        "User.Read Mail.Read",
    ),
    (
        "openid and offline_access",
        "openid offline_access",
        Some(ScopeNamed),
        None,
        "openid offline_access",
    ),
    (
        ".default and a named scope",
        "https://graph.microsoft.com/.default User.Read",
        Some(ScopeMultiple),
        None,
        "https://graph.microsoft.com/.default User.Read",
    ),
    (
        "named scope and .default",
        "offline_access https://graph.microsoft.com/.default",
        Some(ScopeMultiple),
        None,
        "offline_access https://graph.microsoft.com/.default",
    ),
    (
        "two resources",
        "https://graph.microsoft.com/.default https://management.azure.com/.default",
        Some(ScopeMultiple),
        None,
        "https://graph.microsoft.com/.default https://management.azure.com/.default",
    ),
    (
        "two resources on two lines",
        "https://graph.microsoft.com/.default\napi://38a6702a-fb0c-4495-976f-5e260e080751/.default",
        Some(ScopeMultiple),
        None,
        "https://graph.microsoft.com/.default\napi://38a6702a-fb0c-4495-976f-5e260e080751/.default",
    ),
    (
        "two resources with a comma",
        "https://graph.microsoft.com/.default,https://management.azure.com/.default",
        Some(ScopeMultiple),
        None,
        "https://graph.microsoft.com/.default,https://management.azure.com/.default",
    ),
    (
        "the same resource twice",
        "https://graph.microsoft.com/.default https://graph.microsoft.com/.default",
        Some(ScopeMultiple),
        None,
        "https://graph.microsoft.com/.default https://graph.microsoft.com/.default",
    ),
    (
        "http resource",
        "http://graph.microsoft.com/.default",
        Some(ScopeInvalid),
        None,
        "http://graph.microsoft.com/.default",
    ),
    (
        "no resource",
        ".default",
        Some(ScopeInvalid),
        None,
        ".default",
    ),
    (
        "slash and .default",
        "/.default",
        Some(ScopeInvalid),
        None,
        "/.default",
    ),
    (
        "no host",
        "https:///.default",
        Some(ScopeInvalid),
        None,
        "https:///.default",
    ),
    (
        "host without scheme",
        "graph.microsoft.com/.default",
        Some(ScopeInvalid),
        None,
        "graph.microsoft.com/.default",
    ),
    (
        "host with port",
        "https://graph.microsoft.com:443/.default",
        Some(ScopeInvalid),
        None,
        "https://graph.microsoft.com:443/.default",
    ),
    (
        "resource without .default",
        "https://graph.microsoft.com",
        Some(ScopeInvalid),
        None,
        "https://graph.microsoft.com",
    ),
    (
        "resource with slash only",
        "https://graph.microsoft.com/",
        Some(ScopeInvalid),
        None,
        "https://graph.microsoft.com/",
    ),
    (
        "empty app id uri",
        "api:///.default",
        Some(ScopeInvalid),
        None,
        "api:///.default",
    ),
    (
        "single-label host",
        "https://localhost/.default",
        Some(ScopeInvalid),
        None,
        "https://localhost/.default",
    ),
    (
        "query in the resource",
        "https://graph.microsoft.com/?x=1/.default",
        Some(ScopeInvalid),
        None,
        "https://graph.microsoft.com/?x=1/.default",
    ),
    (
        "non-ascii host",
        "https://graph.micrösoft.com/.default",
        Some(ScopeInvalid),
        None,
        "https://graph.micrösoft.com/.default",
    ),
    ("only commas", ",,", Some(ScopeInvalid), None, ",,"),
    (
        "named scope and junk",
        "User.Read ???",
        Some(ScopeInvalid),
        None,
        "User.Read ???",
    ),
    (
        "graph of us government",
        "https://graph.microsoft.us/.default",
        None,
        Some(ScopeCloudMismatch),
        "https://graph.microsoft.us/.default",
    ),
    (
        "graph of china",
        "https://microsoftgraph.chinacloudapi.cn/.default",
        None,
        Some(ScopeCloudMismatch),
        "https://microsoftgraph.chinacloudapi.cn/.default",
    ),
    (
        "legacy azure ad graph is no cloud's graph",
        "https://graph.windows.net/.default",
        None,
        None,
        "https://graph.windows.net/.default",
    ),
];

#[test]
fn scope_rules_follow_the_table() {
    run_table(|raw| check_scope(raw, Cloud::Global), SCOPE_ROWS);
}

#[test]
fn empty_scope_is_the_clouds_graph_default() {
    for cloud in Cloud::ALL {
        let check = check_scope("", cloud);
        assert_eq!(
            check,
            FieldCheck {
                normalized: cloud.default_scope().into(),
                error: None,
                warning: None
            }
        );
        // The default scope is valid and matches its own cloud.
        assert_eq!(check_scope(cloud.default_scope(), cloud), check);
    }
}

#[test]
fn graph_host_of_another_cloud_is_a_warning() {
    let graph_us = "https://graph.microsoft.us/.default";
    let graph_dod = "https://dod-graph.microsoft.us/.default";
    let graph_cn = "https://microsoftgraph.chinacloudapi.cn/.default";
    let cases = [
        (GRAPH, Cloud::Global, None),
        (GRAPH, Cloud::UsGov, Some(ScopeCloudMismatch)),
        (GRAPH, Cloud::China, Some(ScopeCloudMismatch)),
        (graph_us, Cloud::Global, Some(ScopeCloudMismatch)),
        (graph_us, Cloud::UsGov, None),
        (graph_us, Cloud::UsGovDod, Some(ScopeCloudMismatch)),
        (graph_dod, Cloud::UsGov, Some(ScopeCloudMismatch)),
        (graph_dod, Cloud::UsGovDod, None),
        (graph_cn, Cloud::China, None),
        (graph_cn, Cloud::Global, Some(ScopeCloudMismatch)),
        // Not a Graph host: no opinion about the cloud.
        ("https://management.azure.com/.default", Cloud::China, None),
        (APP_SCOPE, Cloud::UsGov, None),
    ];
    for (scope, cloud, warning) in cases {
        let check = check_scope(scope, cloud);
        assert_eq!(check.error, None, "{scope} {cloud:?}");
        assert_eq!(check.warning, warning, "{scope} {cloud:?}");
    }
}

#[test]
fn scope_longer_than_the_limit_is_rejected() {
    let check = check_scope(
        &format!("{GRAPH}{}", " ".repeat(MAX_INPUT_LEN)),
        Cloud::Global,
    );
    assert_eq!(check.error, Some(ScopeTooLong));
}

#[test]
fn cloud_names_are_checked() {
    let cases = [
        ("", None, "global", Cloud::Global),
        ("global", None, "global", Cloud::Global),
        (" USGOV\n", None, "usgov", Cloud::UsGov),
        ("usgov-dod", None, "usgov-dod", Cloud::UsGovDod),
        ("China", None, "china", Cloud::China),
        ("mars", Some(CloudUnknown), "mars", Cloud::Global),
        ("usgov dod", Some(CloudUnknown), "usgov dod", Cloud::Global),
    ];
    for (raw, error, normalized, cloud) in cases {
        let (check, parsed) = check_cloud(raw);
        assert_eq!(
            (check.error, check.normalized.as_str(), parsed),
            (error, normalized, cloud),
            "{raw:?}"
        );
    }
    let (check, cloud) = check_cloud(&" ".repeat(MAX_INPUT_LEN + 1));
    assert_eq!((check.error, cloud), (Some(CloudUnknown), Cloud::Global));
}

#[test]
fn cleaning_trims_pasted_invisibles_only_at_the_ends() {
    assert_eq!(
        clean("\u{FEFF}\u{200B} a b \u{A0}\u{202F}\u{2007}\u{2060}\u{200C}\u{200D}\r\n"),
        "a b"
    );
    assert_eq!(clean("a\u{200B}b"), "a\u{200B}b");
    assert_eq!(clean(""), "");
    assert_eq!(clean("\u{3000}"), "");
}

#[test]
fn admin_consent_url_has_every_parameter_encoded() {
    let url = admin_consent_url(Cloud::Global, TENANT, CLIENT, GRAPH, None, "s1");
    assert_eq!(
        url,
        "https://login.microsoftonline.com/fc659cb7-0c66-4e32-9f96-c35c869581b6/v2.0/adminconsent\
         ?client_id=38a6702a-fb0c-4495-976f-5e260e080751\
         &scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&state=s1"
    );
    let url = admin_consent_url(
        Cloud::China,
        "contoso.partner.onmschina.cn",
        CLIENT,
        "https://microsoftgraph.chinacloudapi.cn/.default",
        Some("https://app.example/cb?x=1&y=é"),
        "a b+c/~_-.",
    );
    assert_eq!(
        url,
        "https://login.chinacloudapi.cn/contoso.partner.onmschina.cn/v2.0/adminconsent\
         ?client_id=38a6702a-fb0c-4495-976f-5e260e080751\
         &scope=https%3A%2F%2Fmicrosoftgraph.chinacloudapi.cn%2F.default\
         &redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1%26y%3D%C3%A9\
         &state=a%20b%2Bc%2F~_-."
    );
    for cloud in [Cloud::UsGov, Cloud::UsGovDod] {
        let url = admin_consent_url(cloud, TENANT, CLIENT, cloud.default_scope(), None, "x");
        assert!(
            url.starts_with("https://login.microsoftonline.us/fc659cb7-"),
            "{url}"
        );
    }
}

#[test]
fn validate_runs_every_rule_over_the_form() {
    let report = validate(&Input {
        tenant_id: " https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token ",
        client_id: "{38A6702A-FB0C-4495-976F-5E260E080751}",
        client_secret: SECRET,
        scope: "",
        cloud: "",
    });
    assert!(report.is_valid());
    assert_eq!(report.first_error(), None);
    assert_eq!(report.tenant_id.normalized, "contoso.onmicrosoft.com");
    assert_eq!(report.client_id.normalized, CLIENT);
    assert_eq!(report.scope.normalized, GRAPH);
    assert_eq!(report.cloud.normalized, "global");

    let empty = validate(&Input::default());
    assert!(!empty.is_valid());
    assert_eq!(empty.first_error(), Some((Field::TenantId, TenantRequired)));
    assert_eq!(empty.client_id.error, Some(ClientIdRequired));
    assert_eq!(empty.client_secret.error, Some(ClientSecretRequired));
    assert_eq!((empty.scope.error, empty.cloud.error), (None, None));
}

#[test]
fn validate_uses_the_chosen_cloud_for_the_scope() {
    let report = validate(&Input {
        cloud: "usgov-dod",
        ..Input::default()
    });
    assert_eq!(
        report.scope.normalized,
        "https://dod-graph.microsoft.us/.default"
    );
    let report = validate(&Input {
        cloud: "china",
        scope: GRAPH,
        ..Input::default()
    });
    assert_eq!(report.scope.warning, Some(ScopeCloudMismatch));
    // An unknown cloud is an error; the other rules assume the global cloud.
    let report = validate(&Input {
        cloud: "mars",
        ..Input::default()
    });
    assert_eq!(report.cloud.error, Some(CloudUnknown));
    assert_eq!(report.scope.normalized, GRAPH);
}

#[test]
fn validate_warns_when_the_directory_id_is_pasted_twice() {
    let report = validate(&Input {
        tenant_id: "{FC659CB7-0C66-4E32-9F96-C35C869581B6}",
        client_id: TENANT,
        client_secret: SECRET,
        ..Input::default()
    });
    assert!(report.is_valid(), "a warning does not block");
    assert_eq!(report.client_id.warning, Some(ClientIdSameAsTenant));
}

#[test]
fn every_code_is_exercised_by_a_table_and_belongs_to_its_field() {
    let mut seen: HashSet<Code> = HashSet::new();
    seen.extend(run_table(check_tenant, TENANT_ROWS));
    seen.extend(run_table(|raw| check_client_id(raw, TENANT), CLIENT_ROWS));
    seen.extend(run_table(check_client_secret, SECRET_ROWS));
    seen.extend(run_table(|raw| check_scope(raw, Cloud::Global), SCOPE_ROWS));
    let long = " ".repeat(MAX_INPUT_LEN + 1);
    seen.extend(check_tenant(&long).error);
    seen.extend(check_client_id(&long, "").error);
    seen.extend(check_client_secret(&long).error);
    seen.extend(check_scope(&long, Cloud::Global).error);
    seen.extend(check_cloud("mars").0.error);
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|code| !seen.contains(code))
        .map(|code| code.as_str())
        .collect();
    assert!(missing.is_empty(), "codes without a test row: {missing:?}");

    let rows: [(Field, &[Row]); 4] = [
        (Field::TenantId, TENANT_ROWS),
        (Field::ClientId, CLIENT_ROWS),
        (Field::ClientSecret, SECRET_ROWS),
        (Field::Scope, SCOPE_ROWS),
    ];
    for (field, table) in rows {
        for &(name, _, error, warning, _) in table {
            if let Some(code) = error {
                assert_eq!(
                    (code.field(), code.severity()),
                    (field, Severity::Error),
                    "{name}"
                );
            }
            if let Some(code) = warning {
                assert_eq!(
                    (code.field(), code.severity()),
                    (field, Severity::Warning),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn codes_have_unique_snake_case_strings() {
    let mut strings = HashSet::new();
    for &code in Code::ALL {
        let text = code.as_str();
        assert!(
            text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{text}"
        );
        assert!(strings.insert(text), "duplicate {text}");
        assert_eq!(Code::from_str(text), Some(code));
    }
}
