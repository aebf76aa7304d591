//! Engine time: the engine has no clock, every call is told the time.
//!
//! [`Time`] is an instant in whole microseconds since an epoch of the caller's
//! choice; [`Span`] is a non-negative length of time in microseconds. Integer
//! microseconds keep decisions deterministic and comparisons exact.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

const MICROS_PER_SECOND: f64 = 1_000_000.0;

/// An instant, in microseconds since an epoch chosen by the caller.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Time(pub u64);

/// A non-negative length of time in microseconds.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Span(pub u64);

/// Converts seconds to whole microseconds, rounding to nearest; negative and
/// non-finite values become zero because a time cannot lie before the epoch.
fn micros_from_secs(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        (seconds * MICROS_PER_SECOND).round() as u64
    } else {
        0
    }
}

impl Time {
    /// The epoch itself.
    pub const ZERO: Time = Time(0);

    /// The instant `seconds` after the epoch (negative or non-finite: the epoch).
    pub fn from_secs_f64(seconds: f64) -> Time {
        Time(micros_from_secs(seconds))
    }

    /// Seconds since the epoch.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND
    }

    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn since(self, earlier: Time) -> Span {
        Span(self.0.saturating_sub(earlier.0))
    }
}

impl Span {
    /// No time at all.
    pub const ZERO: Span = Span(0);

    /// A span of `seconds` (negative or non-finite: zero).
    pub fn from_secs_f64(seconds: f64) -> Span {
        Span(micros_from_secs(seconds))
    }

    /// A span of whole seconds.
    pub const fn from_secs(seconds: u64) -> Span {
        Span(seconds * 1_000_000)
    }

    /// The span in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / MICROS_PER_SECOND
    }

    /// The span in whole milliseconds, rounded down.
    pub fn as_millis(self) -> u64 {
        self.0 / 1_000
    }
}

impl From<moked_domain::Seconds> for Span {
    fn from(seconds: moked_domain::Seconds) -> Span {
        Span::from_secs_f64(seconds.as_secs())
    }
}

impl Add<Span> for Time {
    type Output = Time;
    fn add(self, span: Span) -> Time {
        Time(self.0.saturating_add(span.0))
    }
}

impl AddAssign<Span> for Time {
    fn add_assign(&mut self, span: Span) {
        *self = *self + span;
    }
}

impl Sub<Time> for Time {
    type Output = Span;
    /// Saturating: an earlier minus a later time is zero.
    fn sub(self, earlier: Time) -> Span {
        self.since(earlier)
    }
}

impl Add for Span {
    type Output = Span;
    fn add(self, other: Span) -> Span {
        Span(self.0.saturating_add(other.0))
    }
}

impl AddAssign for Span {
    fn add_assign(&mut self, other: Span) {
        *self = *self + other;
    }
}

impl fmt::Display for Time {
    /// Seconds since the epoch with microsecond precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

impl fmt::Display for Span {
    /// Seconds with microsecond precision.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}s", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_subtracts() {
        let start = Time::from_secs_f64(10.5);
        assert_eq!(start, Time(10_500_000));
        assert_eq!((start + Span::from_secs(60)).as_secs_f64(), 70.5);
        assert_eq!(Time(5) - Time(9), Span::ZERO);
        assert_eq!(Time::from_secs_f64(-3.0), Time::ZERO);
        assert_eq!(Span::from_secs_f64(1.2345).as_millis(), 1234);
        assert_eq!(Time(1_000_042).to_string(), "1.000042");
    }
}
