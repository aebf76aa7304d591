//! Time for the live center: read through a [`Clock`] so tests control it.
//!
//! The actor also sleeps through the clock until the routing engine's next
//! deadline (an offer's ring timeout, a wrap-up's end): [`SystemClock`]
//! sleeps on tokio's timer, [`ManualClock`] wakes its sleepers when a test
//! moves it past their deadline.

use jiff::{SignedDuration, Timestamp};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use tokio::sync::watch;

/// A future that completes at a moment of a clock.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the live center reads the time.
pub trait Clock: Send + Sync + 'static {
    /// The current instant.
    fn now(&self) -> Timestamp;

    /// Completes once [`Clock::now`] has reached `at`. The default sleeps
    /// on tokio's timer for the difference, which suits a real clock.
    fn sleep_until(&self, at: Timestamp) -> Sleep {
        let wait = at.duration_since(self.now()).max(SignedDuration::ZERO);
        let wait = wait.unsigned_abs();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// The computer's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told: for tests and replays. Moving it
/// wakes the sleepers whose deadline has come.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
    changed: watch::Sender<Timestamp>,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn new(start: Timestamp) -> ManualClock {
        ManualClock {
            now: Mutex::new(start),
            changed: watch::Sender::new(start),
        }
    }

    /// Sets the time (it may go back, as a real clock stepped by NTP can).
    pub fn set(&self, at: Timestamp) {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = at;
        self.changed.send_replace(at);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: SignedDuration) {
        let next = self.now().saturating_add(by).unwrap_or(Timestamp::MAX);
        self.set(next);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sleep_until(&self, at: Timestamp) -> Sleep {
        let mut changed = self.changed.subscribe();
        Box::pin(async move {
            // `wait_for` checks the current value first, so a deadline
            // already passed completes at once.
            let _ = changed.wait_for(|now| *now >= at).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleeper_wakes_when_the_clock_passes_its_deadline() {
        let start = Timestamp::from_second(1_700_000_000).unwrap();
        let clock = std::sync::Arc::new(ManualClock::new(start));
        let deadline = start + SignedDuration::from_secs(30);
        let sleeper = tokio::spawn(clock.sleep_until(deadline));
        clock.advance(SignedDuration::from_secs(10));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(SignedDuration::from_secs(20));
        sleeper.await.unwrap();
        assert_eq!(clock.now(), deadline);
    }
}
