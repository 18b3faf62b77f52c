//! The application: shared state, the routes, and the layers around them (request log,
//! concurrency limit, whole-request timeout, per-client rate limit, origin check and CORS for
//! the API, security headers).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use serde_json::json;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::api_error::ApiError;
use crate::client_address::ClientAddress;
use crate::config::Config;
use crate::crypto::SecretBox;
use crate::identity::IdentityPlatform;
use crate::rate_limit::RateLimiter;
use crate::store::Store;
use crate::{connections, emulator, sessions, static_files};

/// The Content-Security-Policy of every HTML page: the SDK's only allowance is
/// `'wasm-unsafe-eval'`.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'";

/// Everything a request handler may use.
pub struct AppState {
    /// The configuration the server started with.
    pub config: Config,
    /// The database.
    pub store: Store,
    /// Seals client secrets and fingerprints requests.
    pub secret_box: SecretBox,
    /// The token endpoint client.
    pub identity: IdentityPlatform,
    /// `http://{bound address}`.
    pub own_origin: String,
    /// Origins allowed to call the API (own origins included).
    pub allowed_origins: Vec<String>,
    /// Per client IP limiter for `/api/`.
    pub ip_limiter: Option<RateLimiter>,
    /// Per session limiter for connection attempts.
    pub session_limiter: Option<RateLimiter>,
}

/// The state as handlers receive it.
pub type SharedState = Arc<AppState>;

impl AppState {
    /// Builds the state for a server bound to `bound`.
    pub fn new(config: Config, store: Store, secret_box: SecretBox, bound: SocketAddr) -> AppState {
        let own_origin = format!("http://{bound}");
        let mut allowed_origins = vec![own_origin.clone()];
        if bound.ip().is_loopback() || bound.ip().is_unspecified() {
            // The same server reached by another loopback name is the same site.
            for host in ["127.0.0.1", "localhost", "[::1]"] {
                allowed_origins.push(format!("http://{host}:{}", bound.port()));
            }
        }
        allowed_origins.extend(config.allowed_origins.iter().cloned());
        allowed_origins.dedup();
        let authority = if config.entra_emulator {
            Some(format!("http://{}/emulator", loopback_for(bound)))
        } else {
            config.authority_url.clone()
        };
        AppState {
            identity: IdentityPlatform::new(authority, config.upstream_timeout),
            ip_limiter: config.limits.per_ip.map(RateLimiter::new),
            session_limiter: config.limits.per_session.map(RateLimiter::new),
            own_origin,
            allowed_origins,
            config,
            store,
            secret_box,
        }
    }

    /// Whether a browser page at `origin` may call the API.
    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|allowed| allowed == origin)
    }
}

/// The address at which the server can reach itself (for the emulator).
fn loopback_for(bound: SocketAddr) -> SocketAddr {
    let mut address = bound;
    if bound.ip().is_unspecified() {
        address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    address
}

/// The whole router.
pub fn router(state: SharedState) -> Router {
    let cors_origins: Vec<HeaderValue> = state
        .allowed_origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok())
        .collect();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(cors_origins))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            "idempotency-key".parse().unwrap(),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    let api = Router::new()
        .route("/sessions", post(sessions::create_session))
        .route(
            "/entra/connections",
            post(connections::create_connection).get(connections::list_connections),
        )
        .route(
            "/entra/connections/{connection_id}",
            get(connections::get_connection).delete(connections::delete_connection),
        )
        .route(
            "/entra/connections/{connection_id}/verify",
            post(connections::verify_connection),
        )
        .route(
            "/entra/connections/{connection_id}/credentials",
            put(connections::replace_credentials),
        )
        .route("/config", get(config_endpoint))
        .route("/health", get(health))
        .fallback(api_not_found)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            api_guard,
        ))
        .layer(cors);
    let mut app = Router::new().nest("/api", api);
    if state.config.entra_emulator {
        app = app.route(
            "/emulator/{tenant}/oauth2/v2.0/token",
            post(emulator::token_endpoint),
        );
    }
    let in_flight = Arc::new(tokio::sync::Semaphore::new(
        state.config.edge.max_concurrent_requests,
    ));
    let request_timeout = state.config.edge.request_timeout;
    app.fallback(static_files::serve)
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            within_request_timeout(request_timeout, request, next)
        }))
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            within_concurrency_limit(Arc::clone(&in_flight), request, next)
        }))
        .layer(middleware::from_fn(request_log))
        .with_state(state)
}

/// Seconds an overloaded server asks a client to wait.
const OVERLOADED_RETRY_AFTER: u64 = 1;

/// At most `--max-concurrent-requests` at once; the rest are refused at once with 503
/// `overloaded` and `Retry-After` rather than queued without bound.
async fn within_concurrency_limit(
    in_flight: Arc<tokio::sync::Semaphore>,
    request: Request,
    next: Next,
) -> Response {
    let Ok(_permit) = in_flight.try_acquire_owned() else {
        return ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "The server is handling too many requests. Wait a moment and try again.",
        )
        .with_retry_after(OVERLOADED_RETRY_AFTER)
        .into_response();
    };
    next.run(request).await
}

/// A request not answered within `--request-timeout` gets 503 `request_timeout`.
async fn within_request_timeout(limit: Duration, request: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "request_timeout",
            "The server took too long to answer. Try again.",
        )
        .with_retry_after(OVERLOADED_RETRY_AFTER)
        .into_response(),
    }
}

/// The client address the edge decided on (`--trusted-proxy`), else the socket peer.
fn request_client(request: &Request) -> Option<std::net::IpAddr> {
    let extensions = request.extensions();
    extensions
        .get::<ClientAddress>()
        .map(|ClientAddress(address)| *address)
        .or_else(|| {
            extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(address)| address.ip())
        })
}

/// Per-IP rate limit and, for state-changing requests from a browser, an allowed `Origin`.
async fn api_guard(State(state): State<SharedState>, request: Request, next: Next) -> Response {
    if let Some(limiter) = &state.ip_limiter {
        let key = request_client(&request)
            .map(crate::rate_limit::address_key)
            .unwrap_or_default();
        if let Err(retry_after) = limiter.check(&key) {
            return ApiError::rate_limited(retry_after).into_response();
        }
    }
    let safe_method = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe_method {
        if let Some(origin) = sessions::request_origin(request.headers()) {
            if !state.origin_allowed(&origin) {
                return ApiError::new(
                    StatusCode::FORBIDDEN,
                    "origin_not_allowed",
                    "This origin may not call the API. Start the server with --allowed-origin for it.",
                )
                .into_response();
            }
        }
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

async fn api_not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such API endpoint.").into_response()
}

/// `GET /api/config`: what the demo page needs to know about this server.
async fn config_endpoint(State(state): State<SharedState>) -> Response {
    let authority = if state.config.entra_emulator {
        "emulator"
    } else if state.config.authority_url.is_some() {
        "custom"
    } else {
        "microsoft"
    };
    axum::Json(json!({
        "entra_emulator": state.config.entra_emulator,
        "authority": authority,
        "sessions_endpoint": "/api/sessions",
        "connections_endpoint": "/api/entra/connections",
        "sample": if state.config.entra_emulator { emulator::sample_config() } else { serde_json::Value::Null },
    }))
    .into_response()
}

/// `GET /api/health`.
async fn health(State(state): State<SharedState>) -> Response {
    match state.store.count_connections().await {
        Ok(_) => {
            axum::Json(json!({ "status": "ok", "database": state.store.kind() })).into_response()
        }
        Err(error) => ApiError::store(&error).into_response(),
    }
}

/// `nosniff` and `no-referrer` everywhere; the strict CSP on HTML.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if is_html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// One log line per request: client address, method, path (never the query or any header),
/// status, time.
async fn request_log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let client = request_client(&request).map(|address| address.to_string());
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let response = next.run(request).await;
    tracing::info!(
        client = client.as_deref().unwrap_or("-"),
        %method,
        path = %path,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
