//! A token bucket per source address, so one flooding host cannot starve
//! the others: requests over its rate are dropped before any work.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use tokio::time::Instant;

/// Sources tracked before idle ones are forgotten.
const MAX_SOURCES: usize = 10_000;

/// Per-source token buckets: `rate` a second, bursts of twice that.
pub(crate) struct RateLimit {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimit {
    pub(crate) fn new(per_second: u32) -> RateLimit {
        let rate = f64::from(per_second.max(1));
        RateLimit {
            rate,
            burst: rate * 2.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `source`; `false` when it has none left.
    pub(crate) fn allow(&self, source: IpAddr, now: Instant) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_SOURCES && !buckets.contains_key(&source) {
            let (rate, burst) = (self.rate, self.burst);
            // A bucket that has refilled completely holds no history worth keeping.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(source).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_flood_is_cut_and_the_bucket_refills() {
        let limit = RateLimit::new(5);
        let start = Instant::now();
        let flooder: IpAddr = [10, 0, 0, 1].into();
        let allowed = (0..100).filter(|_| limit.allow(flooder, start)).count();
        assert_eq!(allowed, 10);
        assert!(limit.allow([10, 0, 0, 2].into(), start));
        assert!(limit.allow(flooder, start + Duration::from_secs(1)));
    }
}
