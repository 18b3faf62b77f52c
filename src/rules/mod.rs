//! The Microsoft identity platform rules of SPEC §5: one pure Rust implementation used by
//! the browser (compiled to wasm) and by the reference backend (compiled natively).
//!
//! Every rule takes the raw text a person typed or pasted and returns a [`FieldCheck`]:
//! the normalized value that is sent, and at most one error (blocks submission) and one
//! warning (shown, does not block), each a stable [`Code`]. No input panics or hangs.

mod client_id;
mod client_secret;
mod cloud;
mod consent;
mod domain;
mod guid;
mod scope;
mod tenant;
mod text;

use core::fmt;

pub use client_id::check_client_id;
pub use client_secret::check_client_secret;
pub use cloud::{check_cloud, Cloud};
pub use consent::admin_consent_url;
pub use scope::check_scope;
pub use tenant::check_tenant;
pub use text::clean;

/// True for a domain name as the tenant rule accepts it once normalized (lowercase labels
/// of ASCII letters, digits and hyphens, a top-level label that is not all digits).
pub use domain::is_domain;

/// True for a GUID in the canonical form the rules normalize to: lowercase, hyphenated
/// 8-4-4-4-12 (`fc659cb7-0c66-4e32-9f96-c35c869581b6`).
pub fn is_canonical_guid(text: &str) -> bool {
    guid::parse(text).as_deref() == Some(text)
}
#[cfg(target_arch = "wasm32")]
pub(crate) use text::find_ascii;
pub(crate) use text::{before_ascii, push_percent_encoded, rsplit_once_ascii};

/// Inputs longer than this many bytes are rejected with a `*_too_long` code before any
/// other work, so no rule ever works on unbounded text.
pub const MAX_INPUT_LEN: usize = 2048;

/// A field of the connection form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Directory (tenant) ID.
    TenantId,
    /// Application (client) ID.
    ClientId,
    /// Client secret (its Value, not its Secret ID).
    ClientSecret,
    /// The `{resource}/.default` scope requested with the client credentials grant.
    Scope,
    /// The national cloud (§5.5).
    Cloud,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 5] = [
        Field::TenantId,
        Field::ClientId,
        Field::ClientSecret,
        Field::Scope,
        Field::Cloud,
    ];

    /// The JavaScript name (`tenantId`), used in `validate()` results, events and errors.
    pub fn js_name(self) -> &'static str {
        match self {
            Field::TenantId => "tenantId",
            Field::ClientId => "clientId",
            Field::ClientSecret => "clientSecret",
            Field::Scope => "scope",
            Field::Cloud => "cloud",
        }
    }

    /// The wire name (`tenant_id`), used in the connection endpoint's JSON (§6).
    pub fn wire_name(self) -> &'static str {
        match self {
            Field::TenantId => "tenant_id",
            Field::ClientId => "client_id",
            Field::ClientSecret => "client_secret",
            Field::Scope => "scope",
            Field::Cloud => "cloud",
        }
    }

    /// Parses either the JavaScript or the wire name; anything else is `None`.
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| field.js_name() == name || field.wire_name() == name)
    }
}

/// Whether a finding blocks submission.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Blocks submission.
    Error,
    /// Shown to the admin, does not block submission.
    Warning,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $field:ident, $severity:ident;)*) => {
        /// A stable rule code: what is wrong with a value, independent of language.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in catalog order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The stable snake_case code seen by JavaScript, events and the backend.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The field the code is about.
            pub fn field(self) -> Field {
                match self { $(Code::$variant => Field::$field,)* }
            }

            /// Whether the code blocks submission.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// Parses a code string; unknown strings are `None`.
            // Not `FromStr`: an `Option` is all callers need, and no error type ships.
            #[allow(clippy::should_implement_trait)]
            pub fn from_str(text: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|code| code.as_str() == text)
            }
        }
    };
}

codes! {
    /// The tenant field is empty.
    TenantRequired = "tenant_required", TenantId, Error;
    /// The tenant input is longer than [`MAX_INPUT_LEN`].
    TenantTooLong = "tenant_too_long", TenantId, Error;
    /// `common` is an endpoint alias, not a tenant: client credentials need the organisation's own tenant.
    TenantCommon = "tenant_common", TenantId, Error;
    /// `organizations` is an endpoint alias, not a tenant.
    TenantOrganizations = "tenant_organizations", TenantId, Error;
    /// `consumers` is the personal Microsoft account alias, not a tenant.
    TenantConsumers = "tenant_consumers", TenantId, Error;
    /// `00000000-0000-0000-0000-000000000000`.
    TenantNilGuid = "tenant_nil_guid", TenantId, Error;
    /// `9188040d-6c67-4c5b-b112-36a304b66dad`, the Microsoft consumer (MSA) tenant.
    TenantConsumerGuid = "tenant_consumer_guid", TenantId, Error;
    /// Full-width digits or letters (common with Japanese input methods) are not a GUID.
    TenantFullwidth = "tenant_fullwidth", TenantId, Error;
    /// A non-ASCII (internationalized) domain: the punycode `xn--` form is required.
    TenantNotAscii = "tenant_not_ascii", TenantId, Error;
    /// A URL was pasted, but it does not contain a tenant (e.g. a portal link).
    TenantUrlWithoutTenant = "tenant_url_without_tenant", TenantId, Error;
    /// Neither a GUID nor a valid domain name.
    TenantInvalid = "tenant_invalid", TenantId, Error;
    /// The client ID field is empty.
    ClientIdRequired = "client_id_required", ClientId, Error;
    /// The client ID input is longer than [`MAX_INPUT_LEN`].
    ClientIdTooLong = "client_id_too_long", ClientId, Error;
    /// Full-width characters are not a GUID.
    ClientIdFullwidth = "client_id_fullwidth", ClientId, Error;
    /// Not a GUID.
    ClientIdInvalid = "client_id_invalid", ClientId, Error;
    /// The nil GUID.
    ClientIdNilGuid = "client_id_nil_guid", ClientId, Error;
    /// Warning: the client ID equals the tenant GUID (the Directory ID pasted twice).
    ClientIdSameAsTenant = "client_id_same_as_tenant", ClientId, Warning;
    /// The client secret field is empty.
    ClientSecretRequired = "client_secret_required", ClientSecret, Error;
    /// The client secret input is longer than [`MAX_INPUT_LEN`].
    ClientSecretTooLong = "client_secret_too_long", ClientSecret, Error;
    /// A GUID was pasted: that is the secret's Secret ID, not its Value (AADSTS7000215).
    ClientSecretIsSecretId = "client_secret_is_secret_id", ClientSecret, Error;
    /// Warning: leading or trailing whitespace was trimmed.
    ClientSecretWhitespace = "client_secret_whitespace", ClientSecret, Warning;
    /// Warning: shorter than 16 characters; current secrets have 40.
    ClientSecretShort = "client_secret_short", ClientSecret, Warning;
    /// The scope input is longer than [`MAX_INPUT_LEN`].
    ScopeTooLong = "scope_too_long", Scope, Error;
    /// A named (delegated) scope such as `User.Read`: client credentials only take `/.default` (AADSTS1002012).
    ScopeNamed = "scope_named", Scope, Error;
    /// `.default` combined with other scopes, or two resources (AADSTS70011).
    ScopeMultiple = "scope_multiple", Scope, Error;
    /// Not of the form `{resource}/.default`.
    ScopeInvalid = "scope_invalid", Scope, Error;
    /// Warning: a Microsoft Graph resource of another cloud than the chosen one.
    ScopeCloudMismatch = "scope_cloud_mismatch", Scope, Warning;
    /// Not one of `global`, `usgov`, `usgov-dod`, `china`.
    CloudUnknown = "cloud_unknown", Cloud, Error;
}

/// The outcome of one rule on one field.
///
/// Its `Debug` shows the codes and the normalized value's length, never the value: a
/// `FieldCheck` does not know whether it holds a tenant or a client secret.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct FieldCheck {
    /// The cleaned, normalized value: what is shown back and what is sent.
    pub normalized: String,
    /// A finding that blocks submission.
    pub error: Option<Code>,
    /// A finding that is shown but does not block submission.
    pub warning: Option<Code>,
}

impl FieldCheck {
    /// A value that passed the rule.
    pub(crate) fn ok(normalized: impl Into<String>) -> FieldCheck {
        FieldCheck {
            normalized: normalized.into(),
            error: None,
            warning: None,
        }
    }

    /// A value that failed the rule with `code`.
    pub(crate) fn rejected(normalized: impl Into<String>, code: Code) -> FieldCheck {
        FieldCheck {
            normalized: normalized.into(),
            error: Some(code),
            warning: None,
        }
    }
}

/// The raw form values, as typed or pasted; missing fields are empty strings.
///
/// Its `Debug` redacts the client secret.
#[derive(Clone, Copy, Default)]
pub struct Input<'a> {
    /// Directory (tenant) ID, domain, or a pasted login URL.
    pub tenant_id: &'a str,
    /// Application (client) ID.
    pub client_id: &'a str,
    /// Client secret Value.
    pub client_secret: &'a str,
    /// Scope; empty means the cloud's Microsoft Graph `/.default`.
    pub scope: &'a str,
    /// Cloud name; empty means `global`.
    pub cloud: &'a str,
}

/// The result of running every rule over a whole form.
///
/// Its `Debug` shows every field's value except the client secret's.
#[derive(Clone, PartialEq, Eq)]
pub struct Report {
    /// Tenant rule outcome.
    pub tenant_id: FieldCheck,
    /// Client ID rule outcome.
    pub client_id: FieldCheck,
    /// Client secret rule outcome.
    pub client_secret: FieldCheck,
    /// Scope rule outcome.
    pub scope: FieldCheck,
    /// Cloud rule outcome.
    pub cloud: FieldCheck,
}

impl Report {
    /// True when no field has an error (warnings do not count).
    pub fn is_valid(&self) -> bool {
        self.fields().iter().all(|(_, check)| check.error.is_none())
    }

    /// The outcome of each field, in form order.
    pub fn fields(&self) -> [(Field, &FieldCheck); 5] {
        [
            (Field::TenantId, &self.tenant_id),
            (Field::ClientId, &self.client_id),
            (Field::ClientSecret, &self.client_secret),
            (Field::Scope, &self.scope),
            (Field::Cloud, &self.cloud),
        ]
    }

    /// The first error in form order, if any.
    pub fn first_error(&self) -> Option<(Field, Code)> {
        self.fields()
            .into_iter()
            .find_map(|(field, check)| check.error.map(|code| (field, code)))
    }
}

/// Stands in for a client secret in `Debug` output (SPEC §4: the secret is never logged).
const REDACTED: &str = "<redacted>";

/// Debug-prints a [`FieldCheck`] whose value is not secret, like the derive would.
struct PublicCheck<'a>(&'a FieldCheck);

impl fmt::Debug for PublicCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldCheck")
            .field("normalized", &self.0.normalized)
            .field("error", &self.0.error)
            .field("warning", &self.0.warning)
            .finish()
    }
}

/// Debug-prints a [`FieldCheck`] with its value replaced by its length.
struct SecretCheck<'a>(&'a FieldCheck);

impl fmt::Debug for SecretCheck<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldCheck")
            .field(
                "normalized",
                &format_args!("{REDACTED} ({} bytes)", self.0.normalized.len()),
            )
            .field("error", &self.0.error)
            .field("warning", &self.0.warning)
            .finish()
    }
}

impl fmt::Debug for FieldCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        SecretCheck(self).fmt(f)
    }
}

impl fmt::Debug for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Input")
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &format_args!("{REDACTED} ({} bytes)", self.client_secret.len()),
            )
            .field("scope", &self.scope)
            .field("cloud", &self.cloud)
            .finish()
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Report")
            .field("tenant_id", &PublicCheck(&self.tenant_id))
            .field("client_id", &PublicCheck(&self.client_id))
            .field("client_secret", &SecretCheck(&self.client_secret))
            .field("scope", &PublicCheck(&self.scope))
            .field("cloud", &PublicCheck(&self.cloud))
            .finish()
    }
}

/// Runs every rule over a whole form, the way `validate()` and the backend do.
pub fn validate(input: &Input) -> Report {
    let (cloud, cloud_name) = check_cloud(input.cloud);
    let tenant_id = check_tenant(input.tenant_id);
    let client_id = check_client_id(input.client_id, &tenant_id.normalized);
    Report {
        client_secret: check_client_secret(input.client_secret),
        scope: check_scope(input.scope, cloud_name),
        tenant_id,
        client_id,
        cloud,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Dbg8Q~UniqueDebugSecret-0123456789abcdefg";

    #[test]
    fn debug_output_never_contains_the_client_secret() {
        let input = Input {
            tenant_id: "contoso.onmicrosoft.com",
            client_id: "38a6702a-fb0c-4495-976f-5e260e080751",
            client_secret: SECRET,
            scope: "",
            cloud: "global",
        };
        let report = validate(&input);
        assert_eq!(report.client_secret.normalized, SECRET);
        for text in [
            format!("{input:?}"),
            format!("{input:#?}"),
            format!("{report:?}"),
            format!("{report:#?}"),
            format!("{:?}", report.client_secret),
            format!("{:?}", check_client_secret(SECRET)),
            format!("{:?}", check_client_secret(&format!("  {SECRET}  "))),
        ] {
            assert!(!text.contains(SECRET), "{}", text.replace(SECRET, "LEAK"));
            assert!(!text.contains("UniqueDebugSecret"));
            assert!(text.contains(REDACTED));
        }
    }

    #[test]
    fn debug_output_keeps_the_other_fields() {
        let input = Input {
            tenant_id: "contoso.onmicrosoft.com",
            client_id: "38a6702a-fb0c-4495-976f-5e260e080751",
            client_secret: SECRET,
            scope: "User.Read",
            cloud: "global",
        };
        let report = format!("{:?}", validate(&input));
        assert!(report.contains("contoso.onmicrosoft.com"));
        assert!(report.contains("38a6702a-fb0c-4495-976f-5e260e080751"));
        assert!(report.contains("ScopeNamed"));
        assert!(report.contains("\"global\""));
        let input = format!("{input:?}");
        assert!(input.contains("contoso.onmicrosoft.com") && input.contains("User.Read"));
        let check = format!("{:?}", check_tenant("common"));
        assert!(check.contains("TenantCommon"));
    }
}
