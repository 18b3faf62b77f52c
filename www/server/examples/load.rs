//! A bounded load run on loopback: starts the reference backend in-process with the Entra
//! emulator on 127.0.0.1:0 and creates N connections (default 500) with C concurrent
//! clients (default 32), each submission with its own Idempotency-Key. Prints throughput,
//! p50/p99 latency, and rows created vs requests (which must be equal).
//!
//! `cargo run --release -p entra-connect-server --example load -- [--requests N]
//! [--concurrency C] [--database-url postgres://...]`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use entra_connect_server::config::Limits;
use entra_connect_server::emulator::{SAMPLE_APPS, SAMPLE_TENANT_DOMAIN};
use entra_connect_server::{start, Config};
use serde_json::json;

struct Options {
    requests: usize,
    concurrency: usize,
    database_url: Option<String>,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        requests: 500,
        concurrency: 32,
        database_url: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--requests" | "-n" => {
                options.requests = value()?.parse().map_err(|_| "--requests: a number")?
            }
            "--concurrency" | "-c" => {
                options.concurrency = value()?.parse().map_err(|_| "--concurrency: a number")?
            }
            "--database-url" => options.database_url = Some(value()?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if options.requests == 0 || options.concurrency == 0 {
        return Err("--requests and --concurrency must be at least 1".into());
    }
    Ok(options)
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    let index = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[index]
}

#[tokio::main]
async fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("load: {message}");
            std::process::exit(2);
        }
    };
    let data_dir = std::env::temp_dir().join(format!(
        "entra-connect-load-{}",
        entra_connect_server::crypto::random_uuid()
    ));
    let mut config = Config::new("127.0.0.1:0".parse().unwrap(), data_dir.clone());
    config.demo = true;
    config.entra_emulator = true;
    config.database_url = options.database_url.clone();
    config.limits = Limits {
        per_ip: None,
        per_session: None,
    };
    let server = start(config).await.unwrap_or_else(|message| {
        eprintln!("load: cannot start the server: {message}");
        std::process::exit(1);
    });
    let rows_before = server.state.store.count_connections().await.unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(options.concurrency)
        .build()
        .unwrap();
    let body = json!({
        "tenant_id": SAMPLE_TENANT_DOMAIN,
        "client_id": SAMPLE_APPS[0].client_id,
        "client_secret": SAMPLE_APPS[0].client_secret,
        "scope": "https://graph.microsoft.com/.default",
        "cloud": "global",
    });
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..options.concurrency.min(options.requests) {
        let (client, body, next, failures) = (
            client.clone(),
            body.clone(),
            Arc::clone(&next),
            Arc::clone(&failures),
        );
        let url = server.url.clone();
        let total = options.requests;
        workers.push(tokio::spawn(async move {
            let token: serde_json::Value = client
                .post(format!("{url}/api/sessions"))
                .send()
                .await
                .expect("session request")
                .json()
                .await
                .expect("session answer");
            let token = token["token"].as_str().expect("token").to_string();
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                let sent = Instant::now();
                let status = client
                    .post(format!("{url}/api/entra/connections"))
                    .bearer_auth(&token)
                    .header(
                        "Idempotency-Key",
                        entra_connect_server::crypto::random_uuid(),
                    )
                    .json(&body)
                    .send()
                    .await
                    .map(|response| response.status().as_u16())
                    .unwrap_or(0);
                latencies.push(sent.elapsed());
                if status != 201 {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::with_capacity(options.requests);
    for worker in workers {
        latencies.extend(worker.await.expect("worker"));
    }
    let elapsed = started.elapsed();
    latencies.sort_unstable();
    let rows = server.state.store.count_connections().await.unwrap() - rows_before;
    let failed = failures.load(Ordering::Relaxed);
    println!(
        "load run: {} requests, concurrency {}, {} storage",
        options.requests,
        options.concurrency,
        server.state.store.kind()
    );
    println!("  elapsed     {:.3} s", elapsed.as_secs_f64());
    println!(
        "  throughput  {:.1} connections/s",
        options.requests as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  latency p50 {:.2} ms",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0
    );
    println!(
        "  latency p99 {:.2} ms",
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    println!(
        "  rows created {rows} / requests {} (non-201 answers: {failed})",
        options.requests
    );
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    if rows != options.requests as i64 || failed != 0 {
        eprintln!("load: rows created differ from requests");
        std::process::exit(1);
    }
}
