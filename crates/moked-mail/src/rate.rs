//! A per-sender rate limit on automatic answers, the last guard against
//! mail loops with responders that send no `Auto-Submitted` header.
//!
//! Pure: the caller passes the time of each message. A sender who wrote
//! more than `max_messages` within `window` gets no automatic answer until
//! the window has room again; the message itself is still accepted.

use jiff::{SignedDuration, Timestamp};
use moked_domain::EmailAddress;
use std::collections::{HashMap, VecDeque};

/// Senders remembered at most; beyond it, senders idle for a whole window
/// are forgotten so a flood of forged senders cannot grow memory forever.
const MAX_TRACKED_SENDERS: usize = 100_000;

/// Whether an automatic answer may go to a sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the limit.
    Allowed,
    /// Over the limit: answer nothing automatically.
    Limited,
}

/// Counts messages per sender over a sliding window.
#[derive(Debug, Clone)]
pub struct SenderRateLimiter {
    max_messages: usize,
    window: SignedDuration,
    seen: HashMap<EmailAddress, VecDeque<Timestamp>>,
}

impl SenderRateLimiter {
    /// At most `max_messages` per sender within `window`.
    pub fn new(max_messages: usize, window: SignedDuration) -> Self {
        SenderRateLimiter {
            max_messages,
            window,
            seen: HashMap::new(),
        }
    }

    /// Records a message from `sender` at `now` and says whether it may be
    /// answered automatically.
    pub fn record(&mut self, sender: &EmailAddress, now: Timestamp) -> Verdict {
        if self.seen.len() >= MAX_TRACKED_SENDERS && !self.seen.contains_key(sender) {
            self.forget_idle(now);
        }
        let times = self.seen.entry(sender.clone()).or_default();
        while times
            .front()
            .is_some_and(|first| now.duration_since(*first) >= self.window)
        {
            times.pop_front();
        }
        times.push_back(now);
        if times.len() > self.max_messages {
            // Only the window's worth is needed to decide later messages.
            times.pop_front();
            Verdict::Limited
        } else {
            Verdict::Allowed
        }
    }

    fn forget_idle(&mut self, now: Timestamp) {
        let window = self.window;
        self.seen.retain(|_, times| {
            times
                .back()
                .is_some_and(|last| now.duration_since(*last) < window)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_795_000_000 + second).unwrap()
    }

    #[test]
    fn a_sender_over_the_limit_is_limited_until_the_window_moves_on() {
        let mut limiter = SenderRateLimiter::new(3, SignedDuration::from_mins(10));
        let loop_bot = EmailAddress::parse("אוטומט@x.example").unwrap();
        let person = EmailAddress::parse("dana@x.example").unwrap();
        for second in 0..3 {
            assert_eq!(limiter.record(&loop_bot, at(second)), Verdict::Allowed);
        }
        assert_eq!(limiter.record(&loop_bot, at(3)), Verdict::Limited);
        assert_eq!(limiter.record(&person, at(4)), Verdict::Allowed);
        assert_eq!(limiter.record(&loop_bot, at(599)), Verdict::Limited);
        assert_eq!(limiter.record(&loop_bot, at(1_300)), Verdict::Allowed);
    }
}
