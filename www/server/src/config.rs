//! The server's configuration: the command line of SPEC §7.1 (plus `--www` and `--pkg`),
//! the environment (`DATABASE_URL`, `ENTRA_CONNECT_KEY`), and the limits that only
//! embedding code (tests, the load run) changes.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Usage text for `--help` and argument errors.
pub const USAGE: &str = "\
entra-connect-server: reference backend and demo server for entra-connect

USAGE: entra-connect-server [FLAGS]

  --listen ADDR            address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --data-dir DIR           SQLite file and generated encryption key (default ./data)
  --database-url URL       postgres://... to use PostgreSQL (default: env DATABASE_URL, else SQLite)
  --allowed-origin ORIGIN  another origin allowed to call the API (repeatable; the server's own
                           origin is always allowed)
  --authority-url URL      identity platform base URL for every cloud, instead of
                           https://login.microsoftonline.com and the national clouds' hosts
  --entra-emulator         mount the Entra emulator at /emulator and use it as the authority
  --www DIR                directory served at / (default: the repository's www/)
  --pkg DIR                directory served at /pkg/ (default: the repository's pkg/)
  --ip-rate-limit N        /api/ requests a minute from one client IP address, half of them
                           at once (default 120; 0 turns the limit off)
  -h, --help               print this text

ENVIRONMENT
  DATABASE_URL             as --database-url
  ENTRA_CONNECT_KEY        AES-256 key for client secrets (64 hex characters or base64);
                           without it a key file is generated in the data directory
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

/// Everything the server needs to start.
#[derive(Clone, Debug)]
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
    /// Session token lifetime.
    pub session_lifetime: Duration,
    /// Largest accepted request body, bytes.
    pub body_limit: usize,
    /// Longest a request body may take to arrive (slow-loris bodies are cut off with 408).
    pub body_timeout: Duration,
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
            www_dir: default_dir("www", Path::new(env!("CARGO_MANIFEST_DIR")).join("..")),
            pkg_dir: default_dir(
                "pkg",
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../pkg"),
            ),
            encryption_key: None,
            limits: Limits::default(),
            upstream_timeout: Duration::from_secs(15),
            session_lifetime: Duration::from_secs(15 * 60),
            body_limit: 16 * 1024,
            body_timeout: Duration::from_secs(10),
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
                "--www" => config.www_dir = PathBuf::from(value("--www")?),
                "--pkg" => config.pkg_dir = PathBuf::from(value("--pkg")?),
                "--ip-rate-limit" => {
                    config.limits.per_ip = parse_ip_rate(&value("--ip-rate-limit")?)?
                }
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(Some(config))
    }
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
    fn bad_arguments_are_refused() {
        assert!(parse(&["--bogus"]).is_err());
        assert!(parse(&["--listen"]).is_err());
        assert!(parse(&["--listen", "nowhere"]).is_err());
        assert!(parse(&["--allowed-origin", "app.example.com"]).is_err());
        assert!(parse(&["--allowed-origin", "javascript://x"]).is_err());
        assert!(parse(&["--authority-url", "ftp://x"]).is_err());
        assert!(parse(&["--ip-rate-limit", "lots"]).is_err());
        assert!(parse(&["--ip-rate-limit", "-1"]).is_err());
        assert!(parse(&["--help"]).unwrap().is_none());
    }
}
