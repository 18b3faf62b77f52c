//! Serves the demo page (`www/` at `/`) and the built package (`pkg/` at `/pkg/`) with
//! explicit content types, refusing anything outside those directories: parent segments,
//! hidden files, symlinks that leave the root, the backend's own sources and the data
//! directory (which holds the encryption key).

use std::path::{Path, PathBuf};

use axum::extract::State;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use percent_encoding::percent_decode_str;

use crate::app::SharedState;

/// The `Content-Type` of a file, by extension.
pub fn content_type(path: &Path) -> &'static str {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let extension = name
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase());
    match extension.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json" | "map") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("woff2") => "font/woff2",
        Some("txt" | "ts") => "text/plain; charset=utf-8",
        Some("md") => "text/markdown; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes the URL path into safe relative segments, or `None` if it tries to escape.
fn safe_segments(raw_path: &str) -> Option<Vec<String>> {
    let decoded = percent_decode_str(raw_path).decode_utf8().ok()?;
    let mut segments = Vec::new();
    for segment in decoded.split('/').filter(|segment| !segment.is_empty()) {
        let forbidden = segment.starts_with('.')
            || segment.contains('\\')
            || segment.contains('\0')
            || segment.contains(':');
        if forbidden {
            return None;
        }
        segments.push(segment.to_string());
    }
    Some(segments)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not found\n",
    )
        .into_response()
}

/// The fallback handler: every `GET`/`HEAD` that no API route took.
pub async fn serve(State(state): State<SharedState>, method: Method, uri: Uri) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, "GET, HEAD")],
        )
            .into_response();
    }
    let Some(mut segments) = safe_segments(uri.path()) else {
        return not_found();
    };
    let root = if segments.first().map(String::as_str) == Some("pkg") {
        segments.remove(0);
        &state.config.pkg_dir
    } else {
        // www/server is the backend's source tree, not part of the site.
        if segments.first().map(String::as_str) == Some("server") {
            return not_found();
        }
        &state.config.www_dir
    };
    let mut path: PathBuf = root.clone();
    path.extend(&segments);
    let Ok(root) = tokio::fs::canonicalize(root).await else {
        return not_found();
    };
    let Ok(mut resolved) = tokio::fs::canonicalize(&path).await else {
        return not_found();
    };
    if resolved.is_dir() {
        if !uri.path().ends_with('/') {
            let location = format!("{}/", uri.path());
            return (
                StatusCode::PERMANENT_REDIRECT,
                [(header::LOCATION, location)],
            )
                .into_response();
        }
        resolved = resolved.join("index.html");
    }
    let inside_data_dir = match tokio::fs::canonicalize(&state.config.data_dir).await {
        Ok(data_dir) => resolved.starts_with(data_dir),
        Err(_) => false,
    };
    if !resolved.starts_with(&root) || inside_data_dir {
        return not_found();
    }
    match tokio::fs::read(&resolved).await {
        Ok(contents) => {
            let mut response = contents.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&resolved)),
            );
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            response
        }
        Err(_) => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_explicit() {
        assert_eq!(
            content_type(Path::new("a/entra_connect_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type(Path::new("index.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.d.ts")),
            "text/plain; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
    }

    #[test]
    fn escaping_paths_are_refused() {
        for path in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/a/%2E%2E/b",
            "/.git/config",
            "/a\\..\\b",
            "/%00",
            "/c:/x",
        ] {
            assert_eq!(safe_segments(path), None, "{path}");
        }
        assert_eq!(safe_segments("/pkg/index.js").unwrap(), ["pkg", "index.js"]);
        assert_eq!(safe_segments("/").unwrap(), Vec::<String>::new());
    }
}
