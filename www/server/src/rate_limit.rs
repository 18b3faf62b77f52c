//! Token-bucket rate limiting keyed by client address or session, in memory, per instance
//! (SPEC §13). The bucket map has a hard cap: at the cap, full (idle) buckets go first, then
//! the stalest tenth, so a flood of new addresses costs bounded memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::config::Rate;

/// The most buckets one limiter holds.
pub const MAX_BUCKETS: usize = 10_000;

/// The bucket key of a client address: IPv4 as is, IPv6 by its /64 (one customer's
/// network gets one allocation of that size, and holds 2^64 addresses to rotate through).
pub fn address_key(address: IpAddr) -> String {
    match crate::client_address::canonical(address) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & (u128::MAX << 64);
            format!("{}/64", std::net::Ipv6Addr::from(network))
        }
    }
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// A set of token buckets sharing one rate.
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter allowing `rate.burst` at once and `rate.per_minute` sustained.
    pub fn new(rate: Rate) -> RateLimiter {
        RateLimiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for `key`, or says how many whole seconds until one is free.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let burst = f64::from(self.rate.burst.max(1));
        let per_second = f64::from(self.rate.per_minute.max(1)) / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, bucket| {
                bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second
                    < burst
            });
            if buckets.len() >= MAX_BUCKETS {
                evict_stalest(&mut buckets, MAX_BUCKETS / 10);
            }
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            updated: now,
        });
        let refilled =
            bucket.tokens + now.duration_since(bucket.updated).as_secs_f64() * per_second;
        bucket.tokens = refilled.min(burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64)
        }
    }
}

/// Removes the `count` least recently used buckets (at least one).
fn evict_stalest(buckets: &mut HashMap<String, Bucket>, count: usize) {
    let mut updated: Vec<Instant> = buckets.values().map(|bucket| bucket.updated).collect();
    let index = count.clamp(1, updated.len()) - 1;
    let (_, cutoff, _) = updated.select_nth_unstable(index);
    let cutoff = *cutoff;
    buckets.retain(|_, bucket| bucket.updated > cutoff);
}

impl RateLimiter {
    /// How many buckets are held (tests check the cap).
    pub fn bucket_count(&self) -> usize {
        self.buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill() {
        let limiter = RateLimiter::new(Rate {
            burst: 2,
            per_minute: 60,
        });
        let start = Instant::now();
        assert!(limiter.check_at("a", start).is_ok());
        assert!(limiter.check_at("a", start).is_ok());
        assert_eq!(limiter.check_at("a", start), Err(1));
        assert!(limiter.check_at("b", start).is_ok(), "keys are independent");
        assert!(limiter
            .check_at("a", start + Duration::from_millis(1100))
            .is_ok());
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        let key = |text: &str| address_key(text.parse().unwrap());
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:192.0.2.1"), "192.0.2.1");
        assert_eq!(key("192.0.2.1"), "192.0.2.1");
    }

    #[test]
    fn bucket_map_is_capped_and_evicts_the_stalest() {
        let limiter = RateLimiter::new(Rate {
            burst: 5,
            per_minute: 1,
        });
        let start = Instant::now();
        // Every bucket stays in use (not full), so pruning alone would free nothing.
        for n in 0..MAX_BUCKETS * 2 {
            let at = start + Duration::from_millis(n as u64);
            assert!(limiter.check_at(&n.to_string(), at).is_ok());
            assert!(limiter.bucket_count() <= MAX_BUCKETS);
        }
        let at = start + Duration::from_millis(MAX_BUCKETS as u64 * 2);
        assert!(limiter.bucket_count() <= MAX_BUCKETS);
        let buckets = limiter.buckets.lock().unwrap();
        assert!(!buckets.contains_key("0"), "the stalest bucket went first");
        assert!(buckets.contains_key(&(MAX_BUCKETS * 2 - 1).to_string()));
        drop(buckets);
        assert!(limiter.check_at("fresh", at).is_ok());
    }
}
