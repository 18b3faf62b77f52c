//! The retry policy: exponential backoff with jitter within the submission's budget,
//! honouring the server's `Retry-After`.

use super::http_date::parse_imf_fixdate;

/// Attempts per submission, the first included (three retries, the Azure SDKs' default).
pub const MAX_ATTEMPTS: u32 = 4;
/// The first backoff step; each retry doubles it.
pub const BASE_DELAY_MS: u32 = 500;
/// No computed backoff step exceeds this.
pub const MAX_DELAY_MS: u32 = 8_000;
/// The whole-submission budget when the host sets no `timeoutMs`.
pub const DEFAULT_TIMEOUT_MS: u32 = 30_000;

/// How long to wait before the next attempt, or `None` to stop and report the last failure.
///
/// `failed_attempt` is the number (1, 2, ...) of the attempt that just failed; `jitter`
/// is a random number in `[0, 1)`; `retry_after_ms` is the server's `Retry-After`;
/// `remaining_ms` is what is left of `timeoutMs`.
///
/// The step doubles from [`BASE_DELAY_MS`] up to [`MAX_DELAY_MS`], with "equal jitter"
/// (half fixed, half random) so retries after a 5xx are never fast and clients spread out.
/// A `Retry-After` is honoured as a minimum, as Microsoft's throttling guidance asks.
/// No retry after [`MAX_ATTEMPTS`] attempts, nor when the wait would not fit in the budget.
pub fn retry_delay_ms(
    failed_attempt: u32,
    jitter: f64,
    retry_after_ms: Option<u64>,
    remaining_ms: u64,
) -> Option<u32> {
    if failed_attempt == 0 || failed_attempt >= MAX_ATTEMPTS {
        return None;
    }
    let step = BASE_DELAY_MS
        .saturating_mul(1u32 << (failed_attempt - 1).min(16))
        .min(MAX_DELAY_MS);
    let jitter = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let half = step / 2;
    // jitter < 1, so the random half stays below `half`; the cast truncates toward zero.
    let backoff = u64::from(half) + (f64::from(half) * jitter) as u64;
    let delay = backoff.max(retry_after_ms.unwrap_or(0));
    if delay > remaining_ms {
        return None;
    }
    u32::try_from(delay).ok()
}

/// Parses a `Retry-After` header into milliseconds from `now_ms` (Unix time in ms).
///
/// Accepts delta-seconds (`120`) and the IMF-fixdate form of an HTTP date
/// (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7); a date in the past means 0.
/// Anything else is `None`.
pub fn parse_retry_after(value: &str, now_ms: u64) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        let mut seconds: u64 = 0;
        for byte in value.bytes() {
            seconds = seconds
                .saturating_mul(10)
                .saturating_add(u64::from(byte - b'0'));
        }
        return Some(seconds.saturating_mul(1000));
    }
    let at_ms = parse_imf_fixdate(value)?;
    Some(at_ms.saturating_sub(now_ms))
}

/// Rounds milliseconds up to whole seconds, for `ConnectError.retryAfter`.
pub fn ms_to_secs_ceil(ms: u64) -> u32 {
    u32::try_from(ms.div_ceil(1000)).unwrap_or(u32::MAX)
}
