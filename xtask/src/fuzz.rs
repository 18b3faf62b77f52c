//! `cargo xtask fuzz`: the property tests that fuzz the code hostile input reaches, run in
//! release mode at high case counts, with the number of executions added up at the end.
//!
//! - the §5 rules (`tests/rules_props.rs`: every rule on any text) and the protocol's
//!   parsing of what a server sends back (`tests/protocol.rs`: `Retry-After`, backoff);
//! - the reference backend's request handling (`www/server/tests/fuzz_requests.rs`:
//!   arbitrary bodies and headers through the router in-process).
//!
//! Each property runs exactly `PROPTEST_CASES` successful cases, so a passing property test
//! executed that many; the backend test prints the requests it sent.

use std::time::Instant;

use crate::test::cargo_counts;
use crate::util::{self, fail, Result};

const USAGE: &str = "usage: cargo xtask fuzz [--cases N] [--requests M]
  --cases N      cases per property of the rules and protocol tests (default 1500000)
  --requests M   requests sent to the backend's router (default 500000)";

/// The protocol properties (tests/protocol.rs also holds example-based tests).
const PROTOCOL_PROPERTIES: &[&str] = &[
    "backoff_is_bounded_and_fits_the_budget",
    "retry_after_parsing_never_panics",
];

/// `cargo xtask fuzz [--cases N] [--requests M]`.
pub fn run_task(args: &[String]) -> Result {
    let mut cases: u64 = 1_500_000;
    let mut requests: u64 = 500_000;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let target = match flag {
            "--cases" => &mut cases,
            "--requests" => &mut requests,
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return Ok(());
            }
            other => return fail(format!("unknown argument `{other}`\n{USAGE}")),
        };
        let value = inline.or_else(|| args.next().cloned()).unwrap_or_default();
        *target = match value.replace('_', "").parse::<u64>() {
            Ok(number) if number > 0 => number,
            _ => return fail(format!("{flag} needs a positive number\n{USAGE}")),
        };
    }

    let started = Instant::now();
    util::header(&format!("rules properties: {cases} cases each (release)"));
    let rules = properties(
        util::cargo()
            .args([
                "test",
                "--release",
                "-p",
                "entra-connect",
                "--test",
                "rules_props",
            ])
            .env("PROPTEST_CASES", cases.to_string()),
        "rules_props",
    )?;

    util::header(&format!(
        "protocol properties: {cases} cases each (release)"
    ));
    let mut protocol_command = util::cargo();
    protocol_command
        .args([
            "test",
            "--release",
            "-p",
            "entra-connect",
            "--test",
            "protocol",
            "--",
            "--exact",
        ])
        .args(PROTOCOL_PROPERTIES)
        .env("PROPTEST_CASES", cases.to_string());
    let protocol = properties(&mut protocol_command, "protocol")?;
    if protocol != PROTOCOL_PROPERTIES.len() as u64 {
        return fail(format!(
            "expected {} protocol properties to run, {protocol} did: were they renamed?",
            PROTOCOL_PROPERTIES.len()
        ));
    }

    util::header(&format!(
        "backend request properties: {requests} requests (release)"
    ));
    let (status, output) = util::run_teed(
        util::cargo()
            .args([
                "test",
                "--release",
                "-p",
                "entra-connect-server",
                "--test",
                "fuzz_requests",
                "--",
                "--nocapture",
            ])
            .env("PROPTEST_CASES", requests.to_string()),
    )?;
    if !status.success() {
        return fail("the backend request properties failed; the output is above");
    }
    let sent = executed_requests(&output).ok_or_else(|| {
        util::Failure("the backend test printed no `executed N requests` line".into())
    })?;

    let rules_runs = rules * cases;
    let protocol_runs = protocol * cases;
    let total = rules_runs + protocol_runs + sent;
    eprintln!();
    eprintln!("==> fuzz summary ({})", util::seconds(started.elapsed()));
    eprintln!("    rules      {rules} properties x {cases} cases = {rules_runs} executions");
    eprintln!("    protocol   {protocol} properties x {cases} cases = {protocol_runs} executions");
    eprintln!("    backend    {sent} requests through the router");
    eprintln!("    total      {total} executions, no failure");
    Ok(())
}

/// Runs a property test binary; returns how many property tests passed.
fn properties(command: &mut std::process::Command, name: &str) -> Result<u64> {
    let (status, output) = util::run_teed(command)?;
    let counts = cargo_counts(&output);
    if !status.success() || counts.failed > 0 {
        return fail(format!("the {name} properties failed; the output is above"));
    }
    if counts.passed == 0 {
        return fail(format!("no {name} property test ran"));
    }
    Ok(counts.passed)
}

/// Reads `fuzz_requests: executed N requests` from the backend test's output.
fn executed_requests(output: &str) -> Option<u64> {
    output.lines().find_map(|line| {
        let rest = line.split("fuzz_requests: executed ").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executed_requests_are_read_from_the_summary_line() {
        let output = "running 1 test\nfuzz_requests: executed 20000 requests (20000 cases asked), 3 connections created; statuses 201: 3\ntest result: ok. 1 passed";
        assert_eq!(executed_requests(output), Some(20000));
        assert_eq!(executed_requests("test result: ok. 1 passed"), None);
    }
}
