//! §5.4 Scope: the client credentials grant takes exactly one `{resource}/.default`
//! scope, which asks for every application permission granted to the app on that
//! resource.

use super::domain::is_domain;
use super::text::{clean_all, is_space};
use super::{guid, Cloud, Code, FieldCheck, MAX_INPUT_LEN};

/// Checks a scope for `cloud`; empty means the cloud's default scope.
pub fn check_scope(raw: &str, cloud: Cloud) -> FieldCheck {
    if raw.len() > MAX_INPUT_LEN {
        return FieldCheck::rejected(String::new(), Code::ScopeTooLong);
    }
    let cleaned = clean_all(raw);
    if cleaned.is_empty() {
        return FieldCheck::ok(cloud.default_scope());
    }
    // Scopes are separated by spaces; commas are a common slip for the same thing.
    let mut tokens = cleaned
        .split(|c: char| is_space(c) || c == ',')
        .filter(|token| !token.is_empty());
    let Some(first) = tokens.next() else {
        return FieldCheck::rejected(cleaned, Code::ScopeInvalid);
    };
    if tokens.next().is_none() {
        return match classify(first) {
            Token::Default(scope) => {
                let mut check = FieldCheck::ok(scope);
                if graph_of_other_cloud(&check.normalized, cloud) {
                    check.warning = Some(Code::ScopeCloudMismatch);
                }
                check
            }
            // AADSTS1002012: "The provided value for scope ... is not valid. Client
            // credential flows must have a scope value with /.default suffixed".
            Token::Named => FieldCheck::rejected(cleaned, Code::ScopeNamed),
            Token::MalformedDefault | Token::Invalid => {
                FieldCheck::rejected(cleaned, Code::ScopeInvalid)
            }
        };
    }
    let mut any_default = false;
    let mut all_named = true;
    for token in cleaned
        .split(|c: char| is_space(c) || c == ',')
        .filter(|token| !token.is_empty())
    {
        match classify(token) {
            Token::Default(_) | Token::MalformedDefault => any_default = true,
            Token::Named => {}
            Token::Invalid => all_named = false,
        }
        if any_default {
            break;
        }
    }
    let code = if any_default {
        // AADSTS70011: "The provided value for the input parameter 'scope' is not valid":
        // `.default` cannot be combined with other scopes or a second resource.
        Code::ScopeMultiple
    } else if all_named {
        Code::ScopeNamed
    } else {
        Code::ScopeInvalid
    };
    FieldCheck::rejected(cleaned, code)
}

/// What one space-separated scope token is.
enum Token {
    /// `{resource}/.default` with a well-formed resource: its normalized form.
    Default(String),
    /// Ends in `/.default`, but the resource is malformed (`http://`, no host, ...).
    MalformedDefault,
    /// A named (delegated) scope: `User.Read`, `openid`, `{resource}/Files.Read`.
    Named,
    /// Anything else.
    Invalid,
}

fn classify(token: &str) -> Token {
    let Some((resource, name)) = super::text::rsplit_once_ascii(token, b'/') else {
        return if is_scope_name(token) {
            Token::Named
        } else {
            Token::Invalid
        };
    };
    if name.eq_ignore_ascii_case(".default") {
        match normalize_resource(resource) {
            Some(mut scope) => {
                scope.push_str("/.default");
                Token::Default(scope)
            }
            None => Token::MalformedDefault,
        }
    } else if is_scope_name(name) && normalize_resource(resource).is_some() {
        Token::Named
    } else {
        Token::Invalid
    }
}

/// A permission name: `User.Read.All`, `offline_access`, `access_as_user`.
fn is_scope_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Normalizes a resource: `https://{host}[/path]` (scheme and host lowercased), an App ID
/// URI `api://{...}`, or a bare application ID GUID (canonical form). `None` when it is
/// none of these.
fn normalize_resource(resource: &str) -> Option<String> {
    if let Some(rest) = strip_prefix_ignore_case(resource, "https://") {
        let (host, path) = match rest.find('/') {
            Some(end) => rest.split_at_checked(end)?,
            None => (rest, ""),
        };
        let host = host.to_ascii_lowercase();
        // `https://management.core.windows.net/` is a resource with a trailing slash,
        // hence the scope `https://management.core.windows.net//.default`.
        let path_ok =
            path.is_empty() || path == "/" || path.strip_prefix('/').is_some_and(is_segments);
        if !is_domain(&host) || !path_ok {
            return None;
        }
        let mut normalized = String::with_capacity(resource.len());
        normalized.push_str("https://");
        normalized.push_str(&host);
        normalized.push_str(path);
        Some(normalized)
    } else if let Some(rest) = strip_prefix_ignore_case(resource, "api://") {
        if !is_segments(rest) {
            return None;
        }
        let mut normalized = String::with_capacity(resource.len());
        normalized.push_str("api://");
        normalized.push_str(rest);
        Some(normalized)
    } else {
        guid::parse(resource)
    }
}

/// One or more non-empty URI path segments, optionally ending with a slash.
fn is_segments(text: &str) -> bool {
    let text = text.strip_suffix('/').unwrap_or(text);
    !text.is_empty()
        && text.split('/').all(|segment| {
            !segment.is_empty()
                && segment.bytes().all(|b| {
                    b.is_ascii_alphanumeric()
                        || matches!(
                            b,
                            b'-' | b'.'
                                | b'_'
                                | b'~'
                                | b'!'
                                | b'$'
                                | b'&'
                                | b'\''
                                | b'('
                                | b')'
                                | b'*'
                                | b'+'
                                | b';'
                                | b'='
                                | b':'
                                | b'@'
                        )
                })
        })
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        text.get(prefix.len()..)
    } else {
        None
    }
}

/// True when a normalized `https://` scope names the Microsoft Graph of another cloud
/// than `cloud` (its token would be refused by this cloud's Graph).
fn graph_of_other_cloud(scope: &str, cloud: Cloud) -> bool {
    let Some(rest) = scope.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or(rest);
    Cloud::ALL
        .iter()
        .any(|&other| other != cloud && other.graph_host() == host)
}
