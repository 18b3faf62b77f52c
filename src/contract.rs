//! The §6.3 error codes of the connection endpoint, defined once: each code's wire text,
//! the form field it concerns and its HTTP status where the contract fixes them. The
//! reference backend emits errors from this type and the SDK classifies answers with it,
//! so the two sides cannot disagree; the English text of each code is its entry in the
//! English catalog ([`ServerCode::english`]).

use crate::messages::{english, Msg};
use crate::rules::Field;

macro_rules! server_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal, $field:expr, $status:expr;)*) => {
        /// A §6.3 error code the SDK understands and shows on its field.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum ServerCode {
            $($(#[$doc])* $variant,)*
        }

        impl ServerCode {
            /// Every code, in contract order.
            pub const ALL: &'static [ServerCode] = &[$(ServerCode::$variant,)*];

            /// The `error.code` text on the wire.
            pub const fn as_str(self) -> &'static str {
                match self { $(ServerCode::$variant => $text,)* }
            }

            /// The form field an error with this code concerns, when the code names one
            /// (`validation_failed` names the field of the rule that failed, in `field`).
            pub fn field(self) -> Option<Field> {
                match self { $(ServerCode::$variant => $field,)* }
            }

            /// The HTTP status the contract fixes for the code (`upstream_unavailable` is
            /// 502, 503 or 504 as the upstream failure was).
            pub fn status(self) -> Option<u16> {
                match self { $(ServerCode::$variant => $status,)* }
            }
        }
    };
}

server_codes! {
    /// The session token is missing, unknown or expired.
    InvalidSession = "invalid_session", None, Some(401);
    /// A §5 rule refused a value (the rule code is in `details.rule`).
    ValidationFailed = "validation_failed", None, Some(422);
    /// AADSTS90002 / 900023: Microsoft knows no such tenant.
    TenantNotFound = "tenant_not_found", Some(Field::TenantId), Some(422);
    /// AADSTS700016: the application is not registered in the tenant.
    AppNotFound = "app_not_found", Some(Field::ClientId), Some(422);
    /// AADSTS7000215: the secret is wrong (most often its Secret ID was pasted).
    InvalidSecret = "invalid_secret", Some(Field::ClientSecret), Some(422);
    /// AADSTS7000222: the secret has expired.
    SecretExpired = "secret_expired", Some(Field::ClientSecret), Some(422);
    /// AADSTS70011 / 1002012 / 500011: the scope was refused.
    InvalidScope = "invalid_scope", Some(Field::Scope), Some(422);
    /// Too many requests (`Retry-After` says how long to wait).
    RateLimited = "rate_limited", None, Some(429);
    /// The identity platform could not be reached or failed.
    UpstreamUnavailable = "upstream_unavailable", None, None;
}

impl ServerCode {
    /// Parses an `error.code`; codes outside the contract are `None`.
    pub fn parse(text: &str) -> Option<ServerCode> {
        // Through the message keys (a server code is its own key): one search in the
        // browser build instead of two.
        match Msg::from_key(text) {
            Some(Msg::Server(code)) => Some(code),
            _ => None,
        }
    }

    /// The English explanation, the `message` the reference backend sends.
    pub fn english(self) -> &'static str {
        english(Msg::Server(self))
    }
}
