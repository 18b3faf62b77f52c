//! The HTTP edge (SPEC §13) as clients meet it: slow clients are cut off while normal
//! requests stay fast, a concurrency limit answers 503 with `Retry-After`, a request that
//! takes too long is answered 503, a shutdown drains for a bounded time, and the client
//! address comes from `X-Forwarded-For` only behind a trusted proxy (IPv6 by /64).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::{Duration, Instant};

use common::{server_command, spawn_ready, temp_dir, test_config, TestServer};
use entra_connect_server::client_address::Cidr;
use entra_connect_server::config::Rate;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Times `count` sequential `GET /api/health`; sorted, in milliseconds.
async fn health_latencies(http: &reqwest::Client, url: &str, count: usize) -> Vec<f64> {
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        let started = Instant::now();
        let status = http
            .get(format!("{url}/api/health"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    times
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// How a slow client misbehaves.
#[derive(Clone, Copy)]
enum Slow {
    /// Connects and sends nothing.
    Silent,
    /// Sends half a request head, then nothing.
    HalfHeader,
    /// Sends a header line one byte a second, never ending it.
    Trickle,
}

/// Reads until the server closes the connection; the time from `opened` it took.
async fn until_closed(mut stream: TcpStream, kind: Slow, opened: Instant) -> Duration {
    let mut buffer = [0u8; 512];
    match kind {
        Slow::Silent => {}
        Slow::HalfHeader => {
            let _ = stream
                .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
                .await;
        }
        Slow::Trickle => {
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nX-Slow: ").await;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tokio::select! {
                    _ = tick.tick() => {
                        if stream.write_all(b"a").await.is_err() {
                            return opened.elapsed();
                        }
                    }
                    read = stream.read(&mut buffer) => {
                        if !matches!(read, Ok(n) if n > 0) {
                            return opened.elapsed();
                        }
                    }
                }
            }
        }
    }
    while matches!(stream.read(&mut buffer).await, Ok(n) if n > 0) {}
    opened.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_slow_clients_are_cut_off_while_a_normal_request_stays_fast() {
    const SLOW: usize = 5000;
    // The shipped default header-read timeout: no flag.
    let (mut command, _) = server_command("edge-slow");
    command.args(["--demo", "--ip-rate-limit", "0"]);
    let (_server, url) = spawn_ready(command).await;
    let address = url.strip_prefix("http://").unwrap().to_string();
    let http = client();
    let before = health_latencies(&http, &url, 50).await;

    let mut sockets = tokio::task::JoinSet::new();
    for index in 0..SLOW {
        let kind = match index % 50 {
            0 => Slow::Trickle,
            odd if odd % 2 == 1 => Slow::HalfHeader,
            _ => Slow::Silent,
        };
        let stream = TcpStream::connect(&address).await.unwrap();
        let opened = Instant::now();
        sockets.spawn(async move {
            tokio::time::timeout(Duration::from_secs(45), until_closed(stream, kind, opened)).await
        });
    }
    let opened_all = Instant::now();
    let during = health_latencies(&http, &url, 50).await;
    let measured_within = opened_all.elapsed();

    let mut longest = Duration::ZERO;
    let mut still_open = 0;
    while let Some(result) = sockets.join_next().await {
        match result.unwrap() {
            Ok(took) => longest = longest.max(took),
            Err(_) => still_open += 1,
        }
    }
    let all_closed = opened_all.elapsed();
    eprintln!(
        "edge: {SLOW} slow sockets (silent, half a header, one byte a second); the last cut {:.1} s after it opened; \
         GET /api/health median {:.2} ms before, {:.2} ms while they were open (p95 {:.2} vs {:.2} ms, all 50 within {:.2} s of the last connect); \
         every socket closed {:.1} s after the last connect",
        longest.as_secs_f64(),
        percentile(&before, 0.5),
        percentile(&during, 0.5),
        percentile(&before, 0.95),
        percentile(&during, 0.95),
        measured_within.as_secs_f64(),
        all_closed.as_secs_f64(),
    );
    assert_eq!(still_open, 0, "sockets still open after 45 s");
    assert!(
        longest <= Duration::from_secs(30),
        "a slow socket stayed open {longest:?}"
    );
    assert!(
        percentile(&during, 0.5) <= percentile(&before, 0.5) + 100.0,
        "normal requests slowed down: {before:?} -> {during:?}"
    );
}

/// A connection request whose head is complete and whose body is still on its way: it
/// holds a place in the server until the socket is dropped.
async fn request_in_flight(server: &TestServer) -> TcpStream {
    let token = server.session().await;
    let address = server.server.url.strip_prefix("http://").unwrap();
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/entra/connections HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Asks `GET /api/health` until it answers `status` (each other answer must be the other
/// of 200 and 503 `overloaded`); fails after 20 s.
async fn health_until(server: &TestServer, status: u16) -> common::Answer {
    let ask = async {
        loop {
            let answer = server
                .send(server.client.get(server.url("/api/health")))
                .await;
            if answer.status == status {
                return answer;
            }
            assert!(
                answer.status == 200 || answer.code() == "overloaded",
                "{}",
                answer.body
            );
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), ask)
        .await
        .unwrap_or_else(|_| panic!("no {status} within 20 s"))
}

#[tokio::test]
async fn beyond_the_concurrency_limit_requests_get_503_with_retry_after() {
    let mut config = test_config(&temp_dir("edge-limit"));
    config.edge.max_concurrent_requests = 2;
    config.body_timeout = Duration::from_secs(30);
    let server = TestServer::start(config).await;
    let held = [
        request_in_flight(&server).await,
        request_in_flight(&server).await,
    ];
    // The two held requests take their places as soon as their heads are read.
    let refused = health_until(&server, 503).await;
    assert_eq!(refused.code(), "overloaded");
    assert_eq!(refused.header("retry-after"), Some("1"));
    drop(held);
    // Their places free up when they go.
    health_until(&server, 200).await;
    server.stop().await;
}

#[tokio::test]
async fn a_request_that_takes_too_long_is_answered_503() {
    let mut config = test_config(&temp_dir("edge-timeout"));
    config.edge.request_timeout = Duration::from_secs(1);
    config.body_timeout = Duration::from_secs(30);
    let server = TestServer::start(config).await;
    let mut stream = request_in_flight(&server).await;
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    // Read the whole answer (the server closes a connection whose body it never read).
    while let Ok(n) = stream.read(&mut buffer).await {
        if n == 0 {
            break;
        }
        answer.extend_from_slice(&buffer[..n]);
        if answer.windows(17).any(|w| w == b"request_timeout\"") {
            break;
        }
    }
    let took = started.elapsed();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"code\":\"request_timeout\""), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("retry-after: 1"),
        "{text}"
    );
    assert!(took < Duration::from_secs(10), "answered after {took:?}");
    server.stop().await;
}

#[tokio::test]
async fn shutdown_waits_for_requests_in_flight_at_most_the_grace() {
    let mut config = test_config(&temp_dir("edge-drain"));
    config.edge.shutdown_grace = Duration::from_secs(1);
    config.body_timeout = Duration::from_secs(60);
    let server = TestServer::start(config).await;
    // A request that will not finish on its own within the grace.
    let _held = request_in_flight(&server).await;
    let health = server
        .send(server.client.get(server.url("/api/health")))
        .await;
    assert_eq!(health.status, 200);
    let started = Instant::now();
    server.stop().await;
    let took = started.elapsed();
    eprintln!(
        "edge: shutdown with a request held open returned after {} ms (grace 1 s)",
        took.as_millis()
    );
    assert!(took >= Duration::from_millis(900), "it did wait: {took:?}");
    assert!(took < Duration::from_secs(5), "bounded: {took:?}");
}

/// Sends `GET /api/health` with `forwarded` as `X-Forwarded-For`; the status.
async fn health_from(server: &TestServer, forwarded: &str) -> u16 {
    server
        .send(
            server
                .client
                .get(server.url("/api/health"))
                .header("x-forwarded-for", forwarded),
        )
        .await
        .status
}

fn rate_limited_config(label: &str, trusted: &[&str]) -> entra_connect_server::Config {
    let mut config = test_config(&temp_dir(label));
    config.limits.per_ip = Some(Rate {
        burst: 2,
        per_minute: 1,
    });
    config.edge.trusted_proxies = trusted
        .iter()
        .map(|cidr| Cidr::parse(cidr).unwrap())
        .collect();
    config
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_bucket_and_ipv6_goes_by_64() {
    let server = TestServer::start(rate_limited_config("edge-proxy", &["127.0.0.0/8"])).await;
    for _ in 0..2 {
        assert_eq!(health_from(&server, "203.0.113.1").await, 200);
    }
    assert_eq!(health_from(&server, "203.0.113.1").await, 429);
    assert_eq!(
        health_from(&server, "203.0.113.2").await,
        200,
        "another client"
    );
    // A client cannot pick a fresh address by prepending one: the proxy's entry counts.
    assert_eq!(health_from(&server, "198.51.100.9, 203.0.113.1").await, 429);
    // IPv6: one /64 is one client, whichever of its addresses it uses.
    assert_eq!(health_from(&server, "2001:db8:1:2::1").await, 200);
    assert_eq!(health_from(&server, "2001:db8:1:2:ffff::9").await, 200);
    assert_eq!(health_from(&server, "2001:db8:1:2::abcd").await, 429);
    assert_eq!(
        health_from(&server, "2001:db8:1:3::1").await,
        200,
        "the next /64"
    );
    server.stop().await;
}

#[tokio::test]
async fn without_a_trusted_proxy_x_forwarded_for_is_ignored() {
    let server = TestServer::start(rate_limited_config("edge-no-proxy", &[])).await;
    assert_eq!(health_from(&server, "203.0.113.1").await, 200);
    assert_eq!(health_from(&server, "203.0.113.2").await, 200);
    // Both came from 127.0.0.1, whatever they claimed.
    assert_eq!(health_from(&server, "203.0.113.3").await, 429);
    server.stop().await;
}
