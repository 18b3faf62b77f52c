//! The server's configuration: the command line of SPEC §7.1 (plus `--www`, `--pkg` and
//! `--demo`), the environment (`DATABASE_URL`, `ENTRA_CONNECT_API_KEYS`,
//! `ENTRA_CONNECT_KEYS`), and the limits that only embedding code (tests, the load run)
//! changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::client_address::Cidr;

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "\
entra-connect-server: reference backend and demo server for entra-connect

USAGE: entra-connect-server [FLAGS]
       entra-connect-server rotate-key [--database-url URL] [--data-dir DIR]
                           re-seal every stored secret under the first key of
                           ENTRA_CONNECT_KEYS (idempotent, resumable, safe while serving)

  --listen ADDR            address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --data-dir DIR           SQLite file and generated encryption key (default ./data)
  --database-url URL       postgres://... to use PostgreSQL (default: env DATABASE_URL, else SQLite)
  --allowed-origin ORIGIN  another origin allowed to call the API (repeatable; the server's own
                           origin is always allowed)
  --authority-url URL      identity platform base URL for every cloud, instead of
                           https://login.microsoftonline.com and the national clouds' hosts
  --demo                   let the browser mint sessions without an API key, for the account
                           `demo` (the demo page; `cargo xtask demo` passes it)
  --entra-emulator         mount the Entra emulator at /emulator and use it as the authority
                           (only with --demo)
  --www DIR                directory served at / (default: the repository's www/)
  --pkg DIR                directory served at /pkg/ (default: the repository's pkg/)
  --ip-rate-limit N        /api/ requests a minute from one client IP address, half of them
                           at once (default 120; 0 turns the limit off)
  --upstream-timeout S     seconds to wait for the identity platform's answer (default 15)
  --claim-timeout S        seconds a request holding an Idempotency-Key may run before a retry
                           with that key takes it over, as after a crash (default 120; more than
                           --upstream-timeout)
  --header-read-timeout S  seconds a client may take to send its request headers, counted from
                           the moment it connects; then the connection is closed (default 20)
  --request-timeout S      seconds a request may take in all before 503 request_timeout
                           (default 60)
  --max-concurrent-requests N
                           requests handled at once; more get 503 overloaded with Retry-After
                           (default 512)
  --shutdown-grace S       on SIGTERM, seconds requests in flight may take to finish before the
                           server exits anyway (default 10)
  --trusted-proxy CIDR     a load balancer or proxy whose X-Forwarded-For is believed for the
                           client address (repeatable; default none: the socket peer is the client)
  -h, --help               print this text

ENVIRONMENT
  DATABASE_URL             as --database-url
  ENTRA_CONNECT_API_KEYS   API keys the SaaS backend mints sessions with (POST /api/sessions,
                           Authorization: Bearer KEY), comma-separated so a new one can be
                           added before the old is retired; each at least 32 characters.
                           Required unless --demo
  ENTRA_CONNECT_KEYS       key ring for client secrets: comma-separated ID:KEY pairs (KEY is
                           32 bytes as 64 hex characters or base64); the first seals, every
                           one opens. Required with PostgreSQL (every instance needs the
                           same keys); with SQLite a key file is generated in the data
                           directory when neither this nor ENTRA_CONNECT_KEY is set
  ENTRA_CONNECT_KEY        a single key, as ENTRA_CONNECT_KEYS=default:KEY
  RUST_LOG                 log filter (default info); logs go to stderr
";

/// A token-bucket rate: `burst` requests at once, refilled at `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// Bucket size.
    pub burst: u32,
    /// Tokens added per minute.
    pub per_minute: u32,
}

/// Request rate limits; `None` disables one (the load run does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Every `/api/` request, per client IP address.
    pub per_ip: Option<Rate>,
    /// `POST /api/entra/connections`, per session token.
    pub per_session: Option<Rate>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            per_ip: Some(Rate {
                burst: 60,
                per_minute: 120,
            }),
            per_session: Some(Rate {
                burst: 10,
                per_minute: 20,
            }),
        }
    }
}

/// Shortest accepted API key: anything shorter could be guessed.
pub const MIN_API_KEY_LEN: usize = 32;

/// Everything the server needs to start. Its `Debug` leaves out the API keys and the
/// encryption keys.
#[derive(Clone)]
pub struct Config {
    /// Address to bind.
    pub listen: SocketAddr,
    /// Directory for the SQLite file and the generated key.
    pub data_dir: PathBuf,
    /// `postgres://...` (or `sqlite:PATH`); `None` means SQLite in `data_dir`.
    pub database_url: Option<String>,
    /// Extra origins allowed to call the API (normalized `scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Identity platform base URL for every cloud (no trailing slash).
    pub authority_url: Option<String>,
    /// Mount the Entra emulator and use it as the authority.
    pub entra_emulator: bool,
    /// Let the browser mint sessions for the account `demo` without an API key.
    pub demo: bool,
    /// `ENTRA_CONNECT_API_KEYS`: keys the SaaS backend mints sessions with.
    pub api_keys: Vec<String>,
    /// `ENTRA_CONNECT_KEYS`: the key ring's text (`id:key,...`), if set.
    pub encryption_keys: Option<String>,
    /// Directory served at `/`.
    pub www_dir: PathBuf,
    /// Directory served at `/pkg/`.
    pub pkg_dir: PathBuf,
    /// Value of `ENTRA_CONNECT_KEY`, if set.
    pub encryption_key: Option<String>,
    /// Rate limits.
    pub limits: Limits,
    /// Whole-request timeout for the identity platform's token endpoint.
    pub upstream_timeout: Duration,
    /// How long a pending idempotency claim is honoured before a retry takes it over (its
    /// owner died between verification and store); longer than `upstream_timeout`.
    pub claim_timeout: Duration,
    /// Session token lifetime.
    pub session_lifetime: Duration,
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Longest a request body may take to arrive (slow-loris bodies are cut off with 408).
    pub body_timeout: Duration,
    /// The HTTP edge: timeouts, concurrency, drain, trusted proxies (SPEC §13).
    pub edge: Edge,
}

/// The HTTP edge's limits (SPEC §13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    /// A connection that has not sent its request headers in this time is closed.
    pub header_read_timeout: Duration,
    /// A request not answered in this time gets 503 `request_timeout`.
    pub request_timeout: Duration,
    /// Requests handled at once; the rest get 503 `overloaded` at once.
    pub max_concurrent_requests: usize,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<Cidr>,
}

impl Default for Edge {
    fn default() -> Edge {
        Edge {
            header_read_timeout: Duration::from_secs(20),
            request_timeout: Duration::from_secs(60),
            max_concurrent_requests: 512,
            shutdown_grace: Duration::from_secs(10),
            trusted_proxies: Vec::new(),
        }
    }
}

impl Config {
    /// Defaults for everything (SQLite in `data_dir`, the real identity platform).
    pub fn new(listen: SocketAddr, data_dir: PathBuf) -> Config {
        Config {
            listen,
            data_dir,
            database_url: None,
            allowed_origins: Vec::new(),
            authority_url: None,
            entra_emulator: false,
            demo: false,
            api_keys: Vec::new(),
            encryption_keys: None,
            www_dir: default_dir("www", Path::new(env!("CARGO_MANIFEST_DIR")).join("..")),
            pkg_dir: default_dir(
                "pkg",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pkg"),
            ),
            encryption_key: None,
            limits: Limits::default(),
            upstream_timeout: Duration::from_secs(15),
            claim_timeout: Duration::from_secs(120),
            session_lifetime: Duration::from_secs(15 * 60),
            body_limit: 16 * 1024,
            body_timeout: Duration::from_secs(10),
            edge: Edge::default(),
        }
    }

    /// Parses the command line (without the program name) and the environment.
    /// `Ok(None)` means `--help` was asked for.
    pub fn from_args<I, E>(args: I, env: E) -> Result<Option<Config>, String>
    where
        I: IntoIterator<Item = String>,
        E: Fn(&str) -> Option<String>,
    {
        let mut config = Config::new(
            SocketAddr::from(([127, 0, 0, 1], 8080)),
            PathBuf::from("./data"),
        );
        config.database_url = env("DATABASE_URL").filter(|url| !url.trim().is_empty());
        config.encryption_key = env("ENTRA_CONNECT_KEY").filter(|key| !key.trim().is_empty());
        config.encryption_keys = env("ENTRA_CONNECT_KEYS").filter(|keys| !keys.trim().is_empty());
        config.api_keys = parse_api_keys(&env("ENTRA_CONNECT_API_KEYS").unwrap_or_default())?;
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if flag.starts_with("--") => {
                    (flag.to_string(), Some(value.to_string()))
                }
                _ => (arg.clone(), None),
            };
            let mut value = |name: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| args.next())
                    .ok_or_else(|| format!("{name} needs a value"))
            };
            match flag.as_str() {
                "-h" | "--help" => return Ok(None),
                "--listen" => config.listen = parse_listen(&value("--listen")?)?,
                "--data-dir" => config.data_dir = PathBuf::from(value("--data-dir")?),
                "--database-url" => config.database_url = Some(value("--database-url")?),
                "--allowed-origin" => config
                    .allowed_origins
                    .push(parse_origin(&value("--allowed-origin")?)?),
                "--authority-url" => {
                    config.authority_url = Some(parse_authority(&value("--authority-url")?)?)
                }
                "--entra-emulator" => config.entra_emulator = true,
                "--demo" => config.demo = true,
                "--www" => config.www_dir = PathBuf::from(value("--www")?),
                "--pkg" => config.pkg_dir = PathBuf::from(value("--pkg")?),
                "--ip-rate-limit" => {
                    config.limits.per_ip = parse_ip_rate(&value("--ip-rate-limit")?)?
                }
                "--upstream-timeout" => {
                    config.upstream_timeout =
                        parse_seconds("--upstream-timeout", &value("--upstream-timeout")?)?
                }
                "--claim-timeout" => {
                    config.claim_timeout =
                        parse_seconds("--claim-timeout", &value("--claim-timeout")?)?
                }
                "--header-read-timeout" => {
                    config.edge.header_read_timeout =
                        parse_seconds("--header-read-timeout", &value("--header-read-timeout")?)?
                }
                "--request-timeout" => {
                    config.edge.request_timeout =
                        parse_seconds("--request-timeout", &value("--request-timeout")?)?
                }
                "--max-concurrent-requests" => {
                    let text = value("--max-concurrent-requests")?;
                    config.edge.max_concurrent_requests = text
                        .trim()
                        .parse()
                        .ok()
                        .filter(|count| *count > 0)
                        .ok_or_else(|| {
                            format!("--max-concurrent-requests: {text:?} is not a positive number")
                        })?
                }
                "--shutdown-grace" => {
                    config.edge.shutdown_grace =
                        parse_seconds("--shutdown-grace", &value("--shutdown-grace")?)?
                }
                "--trusted-proxy" => config
                    .edge
                    .trusted_proxies
                    .push(Cidr::parse(&value("--trusted-proxy")?)?),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(config))
    }
}

impl Config {
    /// Whether the server may serve with this configuration (SPEC §11.1): someone must be
    /// able to mint sessions, and the emulator, which accepts sample secrets, only runs
    /// beside the demo.
    pub fn check(&self) -> Result<(), String> {
        if !self.demo && self.api_keys.is_empty() {
            return Err("no API key: set ENTRA_CONNECT_API_KEYS to the key(s) your backend mints sessions with (e.g. `openssl rand -base64 32`), or pass --demo to let the browser mint demo sessions".into());
        }
        if self.entra_emulator && !self.demo {
            return Err("--entra-emulator accepts the emulator's sample secrets, so it runs only with --demo".into());
        }
        if self.claim_timeout <= self.upstream_timeout {
            return Err(format!(
                "--claim-timeout ({} s) must be longer than --upstream-timeout ({} s): a retry must never take over a request that is still verifying",
                self.claim_timeout.as_secs_f64(),
                self.upstream_timeout.as_secs_f64()
            ));
        }
        Ok(())
    }

    /// Whether `candidate` is one of the API keys, compared in constant time.
    pub fn is_api_key(&self, candidate: &str) -> bool {
        let candidate = crate::crypto::sha256(candidate.as_bytes());
        self.api_keys.iter().fold(false, |found, key| {
            found
                | crate::crypto::constant_time_eq(
                    &crate::crypto::sha256(key.as_bytes()),
                    &candidate,
                )
        })
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &self.database_url.as_ref().map(|_| "(set)"))
            .field("allowed_origins", &self.allowed_origins)
            .field("authority_url", &self.authority_url)
            .field("entra_emulator", &self.entra_emulator)
            .field("demo", &self.demo)
            .field("api_keys", &self.api_keys.len())
            .field(
                "encryption_keys",
                &self.encryption_keys.as_ref().map(|_| "(set)"),
            )
            .field(
                "encryption_key",
                &self.encryption_key.as_ref().map(|_| "(set)"),
            )
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// `ENTRA_CONNECT_API_KEYS`: comma-separated, blanks ignored, each long enough.
fn parse_api_keys(text: &str) -> Result<Vec<String>, String> {
    let keys: Vec<String> = text
        .split(',')
        .map(str::trim)
        .filter(|key| !key.is_empty())
        .map(str::to_string)
        .collect();
    if let Some(position) = keys.iter().position(|key| {
        key.len() < MIN_API_KEY_LEN || !key.bytes().all(|byte| byte.is_ascii_graphic())
    }) {
        return Err(format!(
            "ENTRA_CONNECT_API_KEYS: key {} is not at least {MIN_API_KEY_LEN} visible ASCII characters (e.g. `openssl rand -base64 32`)",
            position + 1
        ));
    }
    Ok(keys)
}

/// The repository's directory when it exists (a development build), else `./{name}`.
fn default_dir(name: &str, in_repository: PathBuf) -> PathBuf {
    if in_repository.is_dir() {
        in_repository.canonicalize().unwrap_or(in_repository)
    } else {
        PathBuf::from(name)
    }
}

/// `--ip-rate-limit N`: N a minute, N/2 at once (at least 1); 0 is no limit.
fn parse_ip_rate(text: &str) -> Result<Option<Rate>, String> {
    let per_minute: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("--ip-rate-limit: {text:?} is not a number of requests a minute"))?;
    Ok((per_minute > 0).then(|| Rate {
        burst: (per_minute / 2).max(1),
        per_minute,
    }))
}

/// A positive number of seconds, fractions allowed (`0.5`).
fn parse_seconds(flag: &str, text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0 && *seconds <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| format!("{flag}: {text:?} is not a positive number of seconds"))
}

fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let text = match text.strip_prefix("localhost:") {
        Some(port) => format!("127.0.0.1:{port}"),
        None => text.to_string(),
    };
    text.parse()
        .map_err(|_| format!("--listen: {text:?} is not an address like 127.0.0.1:8080"))
}

/// Normalizes an origin to `scheme://host[:port]` (lowercase, no path, no trailing slash).
pub fn parse_origin(text: &str) -> Result<String, String> {
    let lowered = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = lowered.split_once("://").ok_or_else(|| {
        format!("--allowed-origin: {text:?} is not an origin like https://app.example.com")
    })?;
    let valid_host = !rest.is_empty()
        && rest.bytes().all(|byte| {
            byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b':' | b'[' | b']')
        });
    if !matches!(scheme, "http" | "https") || !valid_host {
        return Err(format!(
            "--allowed-origin: {text:?} is not an origin like https://app.example.com"
        ));
    }
    Ok(lowered)
}

fn parse_authority(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let url = reqwest::Url::parse(trimmed).map_err(|error| format!("--authority-url: {error}"))?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || url.query().is_some()
    {
        return Err("--authority-url must be an http(s) URL without query".into());
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Config>, String> {
        Config::from_args(args.iter().map(|arg| arg.to_string()), |_| None)
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = parse(&[]).unwrap().unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert!(!config.entra_emulator);
        assert!(config.database_url.is_none() && config.authority_url.is_none());
    }

    #[test]
    fn every_flag_is_read() {
        let config = parse(&[
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            "/tmp/x",
            "--database-url",
            "postgres://u@h/db",
            "--allowed-origin",
            "https://App.example.com/",
            "--allowed-origin=http://localhost:3000",
            "--authority-url",
            "http://127.0.0.1:9/base/",
            "--entra-emulator",
            "--www",
            "w",
            "--pkg",
            "p",
            "--ip-rate-limit",
            "600",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(config.listen.port(), 0);
        assert_eq!(config.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(config.database_url.as_deref(), Some("postgres://u@h/db"));
        assert_eq!(
            config.allowed_origins,
            ["https://app.example.com", "http://localhost:3000"]
        );
        assert_eq!(
            config.authority_url.as_deref(),
            Some("http://127.0.0.1:9/base")
        );
        assert!(config.entra_emulator);
        assert_eq!(config.www_dir, PathBuf::from("w"));
        assert_eq!(config.pkg_dir, PathBuf::from("p"));
        assert_eq!(
            config.limits.per_ip,
            Some(Rate {
                burst: 300,
                per_minute: 600
            })
        );
        assert_eq!(
            parse(&["--ip-rate-limit=0"])
                .unwrap()
                .unwrap()
                .limits
                .per_ip,
            None
        );
        assert_eq!(
            parse(&[]).unwrap().unwrap().limits.per_ip,
            Limits::default().per_ip
        );
    }

    #[test]
    fn edge_flags_are_read_with_spec_defaults() {
        let defaults = parse(&[]).unwrap().unwrap().edge;
        assert_eq!(defaults.header_read_timeout, Duration::from_secs(20));
        assert_eq!(defaults.request_timeout, Duration::from_secs(60));
        assert_eq!(defaults.max_concurrent_requests, 512);
        assert_eq!(defaults.shutdown_grace, Duration::from_secs(10));
        assert!(defaults.trusted_proxies.is_empty());
        let edge = parse(&[
            "--header-read-timeout",
            "2.5",
            "--request-timeout=9",
            "--max-concurrent-requests",
            "4",
            "--shutdown-grace",
            "3",
            "--trusted-proxy",
            "10.0.0.0/8",
            "--trusted-proxy=::1",
        ])
        .unwrap()
        .unwrap()
        .edge;
        assert_eq!(edge.header_read_timeout, Duration::from_millis(2500));
        assert_eq!(edge.request_timeout, Duration::from_secs(9));
        assert_eq!(edge.max_concurrent_requests, 4);
        assert_eq!(edge.shutdown_grace, Duration::from_secs(3));
        assert_eq!(
            edge.trusted_proxies,
            [
                Cidr::parse("10.0.0.0/8").unwrap(),
                Cidr::parse("::1/128").unwrap()
            ]
        );
    }

    #[test]
    fn claim_timeout_must_outlast_the_upstream_timeout() {
        let config = parse(&["--upstream-timeout", "5", "--claim-timeout", "30"])
            .unwrap()
            .unwrap();
        assert_eq!(config.upstream_timeout, Duration::from_secs(5));
        assert_eq!(config.claim_timeout, Duration::from_secs(30));
        let mut demo = config.clone();
        demo.demo = true;
        assert!(demo.check().is_ok());
        demo.claim_timeout = Duration::from_secs(5);
        let refusal = demo.check().unwrap_err();
        assert!(refusal.contains("--claim-timeout"), "{refusal}");
    }

    #[test]
    fn environment_supplies_database_url_and_key() {
        let config = Config::from_args(Vec::new(), |name| match name {
            "DATABASE_URL" => Some("postgres://env/db".into()),
            "ENTRA_CONNECT_KEY" => Some("k".into()),
            _ => None,
        })
        .unwrap()
        .unwrap();
        assert_eq!(config.database_url.as_deref(), Some("postgres://env/db"));
        assert_eq!(config.encryption_key.as_deref(), Some("k"));
    }

    #[test]
    fn api_keys_and_the_key_ring_come_from_the_environment_and_never_show_in_debug() {
        let key = "k".repeat(MIN_API_KEY_LEN);
        let ring = format!("new:{},old:{}", "11".repeat(32), "22".repeat(32));
        let config = Config::from_args(vec!["--demo".to_string()], |name| match name {
            "ENTRA_CONNECT_API_KEYS" => Some(format!(" {key}, ,{key}2 ")),
            "ENTRA_CONNECT_KEYS" => Some(ring.clone()),
            _ => None,
        })
        .unwrap()
        .unwrap();
        assert!(config.demo);
        assert_eq!(config.api_keys, [key.clone(), format!("{key}2")]);
        assert!(config.is_api_key(&key) && config.is_api_key(&format!("{key}2")));
        assert!(!config.is_api_key(&format!("{key}3")) && !config.is_api_key(""));
        assert_eq!(config.encryption_keys.as_deref(), Some(ring.as_str()));
        let shown = format!("{config:?}");
        assert!(!shown.contains(&key) && !shown.contains("1111"), "{shown}");
        let short = Config::from_args(Vec::new(), |name| {
            (name == "ENTRA_CONNECT_API_KEYS").then(|| "short".to_string())
        });
        let error = short.err().unwrap();
        assert!(
            error.contains("at least 32") && !error.contains("short"),
            "{error}"
        );
    }

    #[test]
    fn serving_needs_a_key_or_demo_and_the_emulator_needs_demo() {
        let mut config = parse(&[]).unwrap().unwrap();
        assert!(config
            .check()
            .unwrap_err()
            .contains("ENTRA_CONNECT_API_KEYS"));
        config.demo = true;
        assert!(config.check().is_ok());
        config.entra_emulator = true;
        assert!(config.check().is_ok());
        config.demo = false;
        config.api_keys = vec!["k".repeat(MIN_API_KEY_LEN)];
        assert!(config.check().unwrap_err().contains("--demo"));
        config.entra_emulator = false;
        assert!(config.check().is_ok());
    }

    #[test]
    fn bad_arguments_are_refused() {
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--listen"]).is_err());
        assert!(parse(&["--listen", "nowhere"]).is_err());
        assert!(parse(&["--allowed-origin", "app.example.com"]).is_err());
        assert!(parse(&["--allowed-origin", "javascript://x"]).is_err());
        assert!(parse(&["--authority-url", "ftp://x"]).is_err());
        assert!(parse(&["--ip-rate-limit", "lots"]).is_err());
        assert!(parse(&["--ip-rate-limit", "-1"]).is_err());
        assert!(parse(&["--header-read-timeout", "0"]).is_err());
        assert!(parse(&["--request-timeout", "soon"]).is_err());
        assert!(parse(&["--max-concurrent-requests", "0"]).is_err());
        assert!(parse(&["--shutdown-grace", "-1"]).is_err());
        assert!(parse(&["--trusted-proxy", "10.0.0.0/40"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
