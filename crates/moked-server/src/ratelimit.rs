//! An in-process token-bucket rate limiter for the public endpoints (login,
//! widget chat creation, widget messages).
//!
//! Each key (client address and login, client address, chat) has a bucket
//! holding up to `burst` tokens, refilled at `per_minute / 60` tokens a
//! second; a request takes one token or is refused with the seconds until
//! one is back. Full buckets carry no information, so the map is pruned of
//! them every [`PRUNE_EVERY`] checks, which bounds its memory by the number
//! of clients active in the last minute.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many checks between two prunings of the map.
pub const PRUNE_EVERY: u64 = 1024;

/// A keyed token-bucket limiter.
#[derive(Debug)]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    state: Mutex<Buckets>,
}

#[derive(Debug, Default)]
struct Buckets {
    map: HashMap<String, Bucket>,
    checks: u64,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    /// A limiter allowing `per_minute` requests a minute per key, all at
    /// once if they come in a burst.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        let per_minute = f64::from(per_minute.max(1));
        RateLimiter {
            burst: per_minute,
            per_second: per_minute / 60.0,
            state: Mutex::new(Buckets::default()),
        }
    }

    /// Takes a token for `key` at `now`: `Ok` if allowed, otherwise the
    /// whole seconds (at least 1) until a token is back.
    pub fn check_at(&self, key: &str, now: Instant) -> Result<(), u64> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        state.checks += 1;
        if state.checks.is_multiple_of(PRUNE_EVERY) {
            self.prune(&mut state.map, now);
        }
        let bucket = state.map.entry(key.to_owned()).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        bucket.tokens = self.refilled(bucket, now);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.per_second;
            Err((wait.ceil() as u64).max(1))
        }
    }

    /// [`RateLimiter::check_at`] now.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        self.check_at(key, Instant::now())
    }

    fn refilled(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.updated);
        (bucket.tokens + elapsed.as_secs_f64() * self.per_second).min(self.burst)
    }

    fn prune(&self, map: &mut HashMap<String, Bucket>, now: Instant) {
        map.retain(|_, bucket| self.refilled(bucket, now) < self.burst);
    }

    /// How many keys are tracked (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.state
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .map
            .len()
    }
}

/// Seconds, as a `Duration`, for tests that move time.
pub fn seconds(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refusal_then_refill() {
        let limiter = RateLimiter::per_minute(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at("10.0.0.1|דנה", start), Ok(()));
        }
        assert_eq!(limiter.check_at("10.0.0.1|דנה", start), Err(20));
        assert_eq!(
            limiter.check_at("10.0.0.2|דנה", start),
            Ok(()),
            "keys are apart"
        );
        assert_eq!(
            limiter.check_at("10.0.0.1|דנה", start + seconds(20)),
            Ok(())
        );
        assert!(
            limiter
                .check_at("10.0.0.1|דנה", start + seconds(21))
                .is_err()
        );
    }

    #[test]
    fn full_buckets_are_pruned() {
        let limiter = RateLimiter::per_minute(60);
        let start = Instant::now();
        for i in 0..PRUNE_EVERY - 1 {
            limiter.check_at(&format!("client-{i}"), start).unwrap();
        }
        assert_eq!(limiter.tracked() as u64, PRUNE_EVERY - 1);
        limiter.check_at("late", start + seconds(120)).unwrap();
        assert_eq!(limiter.tracked(), 1, "only the fresh key is left");
    }
}
