//! Origins of URLs, compared to tell whether a failed request may be a CORS refusal.

use crate::rules::{before_ascii, rsplit_once_ascii};

/// Whether `endpoint` is on another origin than the page (`page_origin`, e.g.
/// `https://app.example.com`), so that a failed request may be a CORS refusal.
/// Relative endpoints are same-origin; default ports compare equal to none.
pub fn is_cross_origin(endpoint: &str, page_origin: &str) -> bool {
    let endpoint = endpoint.trim();
    let absolute = if let Some(rest) = endpoint.strip_prefix("//") {
        // Scheme-relative: inherits the page's scheme.
        let scheme = split_around(page_origin, "//").map_or("", |(scheme, _)| scheme);
        let mut url = String::from(scheme);
        url.push_str("//");
        url.push_str(rest);
        url
    } else if has_http_scheme(endpoint) {
        String::from(endpoint)
    } else {
        return false;
    };
    match (origin_of(&absolute), origin_of(page_origin)) {
        (Some(a), Some(b)) => a != b,
        _ => true,
    }
}

/// `text` split around the first `needle`. Written out because `str::split_once` with a
/// `&str` needle pulls the two-way searcher and panic formatting into the wasm (~5 KB).
pub(super) fn split_around<'a>(text: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = text
        .as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())?;
    Some((text.get(..at)?, text.get(at + needle.len()..)?))
}

fn has_http_scheme(url: &str) -> bool {
    split_around(url, "://").is_some_and(|(scheme, _)| {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    })
}

/// `(scheme, host, port)` of an absolute http(s) URL, lowercased, with the default port filled in.
fn origin_of(url: &str) -> Option<(String, String, u16)> {
    let (scheme, rest) = split_around(url, "://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    let authority = before_ascii(rest, b"/?#");
    let host_port = rsplit_once_ascii(authority, b'@').map_or(authority, |(_, host)| host);
    // A port follows the last ':' unless that ':' is inside an IPv6 literal.
    let (host, port) = match rsplit_once_ascii(host_port, b':') {
        Some((host, port)) if !port.contains(']') => (host, port.parse::<u16>().ok()?),
        _ => (host_port, default_port),
    };
    if host.is_empty() {
        return None;
    }
    Some((scheme, host.to_ascii_lowercase(), port))
}
