//! A history of counts arranged as days × intervals of the day.
//!
//! Observations come at a base step (5 minutes in `bank_calls.csv`) and are
//! summed into intervals of the requested length. An interval of the day is
//! kept only when the history covers all of its base steps: `bank_calls.csv`
//! ends at 21:05, so the 21:00 half-hour holds only one of its six
//! five-minute counts and is left out rather than forecast as a small one.

use crate::ForecastError;
use jiff::civil::{Date, DateTime, Time, Weekday};
use std::collections::{BTreeMap, BTreeSet};

/// One count: the arrivals in the interval that starts at `start` (local time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    /// Start of the interval, local civil time.
    pub start: DateTime,
    /// Arrivals counted in it.
    pub count: f64,
}

/// The counts of one day, one per interval of the day's grid.
#[derive(Debug, Clone, PartialEq)]
pub struct Day {
    /// The date.
    pub date: Date,
    /// Whether the calendar marks it as a special day (a model input).
    pub special: bool,
    /// Counts per interval, aligned with [`History::interval_starts`].
    pub counts: Vec<f64>,
}

impl Day {
    /// The day's weekday.
    pub fn weekday(&self) -> Weekday {
        self.date.weekday()
    }

    /// The day's total count.
    pub fn total(&self) -> f64 {
        self.counts.iter().sum()
    }
}

/// Days of counts on a common grid of intervals, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct History {
    interval_seconds: i64,
    interval_starts: Vec<Time>,
    days: Vec<Day>,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl History {
    /// Sums observations into intervals of `interval_seconds`, which must be
    /// a multiple of the observations' own step and divide a day.
    /// `is_special` marks the days the calendar calls special.
    pub fn from_observations(
        observations: &[Observation],
        interval_seconds: i64,
        is_special: impl Fn(Date) -> bool,
    ) -> Result<History, ForecastError> {
        if interval_seconds <= 0 || SECONDS_PER_DAY % interval_seconds != 0 {
            return Err(ForecastError::IntervalDoesNotDivideADay(interval_seconds));
        }
        if observations.is_empty() {
            return Err(ForecastError::EmptyHistory);
        }
        let step = base_step(observations);
        if interval_seconds % step != 0 {
            return Err(ForecastError::IntervalNotMultipleOfStep {
                interval_seconds,
                step_seconds: step,
            });
        }
        let mut seen_steps: BTreeMap<i64, BTreeSet<i64>> = BTreeMap::new();
        let mut sums: BTreeMap<Date, BTreeMap<i64, f64>> = BTreeMap::new();
        for observation in observations {
            if !observation.count.is_finite() || observation.count < 0.0 {
                return Err(ForecastError::BadCount(observation.start));
            }
            let second = second_of_day(observation.start.time());
            let slot = second / interval_seconds;
            seen_steps.entry(slot).or_default().insert(second);
            *sums
                .entry(observation.start.date())
                .or_default()
                .entry(slot)
                .or_insert(0.0) += observation.count;
        }
        let steps_per_interval = (interval_seconds / step) as usize;
        let slots: Vec<i64> = seen_steps
            .iter()
            .filter(|(_, steps)| steps.len() == steps_per_interval)
            .map(|(slot, _)| *slot)
            .collect();
        if slots.is_empty() {
            return Err(ForecastError::NoCompleteInterval);
        }
        let interval_starts = slots
            .iter()
            .map(|slot| time_of_second(slot * interval_seconds))
            .collect();
        let days = sums
            .into_iter()
            .map(|(date, by_slot)| Day {
                date,
                special: is_special(date),
                counts: slots
                    .iter()
                    .map(|slot| by_slot.get(slot).copied().unwrap_or(0.0))
                    .collect(),
            })
            .collect();
        Ok(History {
            interval_seconds,
            interval_starts,
            days,
        })
    }

    /// A history built directly from days on a grid (for tests and callers
    /// that already aggregated). Every day must have one count per interval.
    pub fn from_days(
        interval_seconds: i64,
        interval_starts: Vec<Time>,
        mut days: Vec<Day>,
    ) -> Result<History, ForecastError> {
        if interval_starts.is_empty() || days.is_empty() {
            return Err(ForecastError::EmptyHistory);
        }
        if let Some(day) = days
            .iter()
            .find(|day| day.counts.len() != interval_starts.len())
        {
            return Err(ForecastError::RaggedDay(day.date));
        }
        days.sort_by_key(|day| day.date);
        Ok(History {
            interval_seconds,
            interval_starts,
            days,
        })
    }

    /// Length of an interval in seconds.
    pub fn interval_seconds(&self) -> i64 {
        self.interval_seconds
    }

    /// Start time of each interval of the day.
    pub fn interval_starts(&self) -> &[Time] {
        &self.interval_starts
    }

    /// The days, in date order.
    pub fn days(&self) -> &[Day] {
        &self.days
    }

    /// The last date of the history.
    pub fn last_date(&self) -> Date {
        self.days[self.days.len() - 1].date
    }

    /// The end of the day's grid (the end of its last interval).
    pub fn close_time(&self) -> Time {
        let last = self.interval_starts[self.interval_starts.len() - 1];
        time_of_second(second_of_day(last) + self.interval_seconds)
    }
}

/// The observations' step: the greatest common divisor of the gaps between starts on one day
/// (a whole day when each day has a single observation).
fn base_step(observations: &[Observation]) -> i64 {
    let mut starts: Vec<DateTime> = observations.iter().map(|o| o.start).collect();
    starts.sort();
    starts
        .windows(2)
        .filter(|pair| pair[0].date() == pair[1].date() && pair[0] != pair[1])
        .map(|pair| second_of_day(pair[1].time()) - second_of_day(pair[0].time()))
        .fold(None, |gcd: Option<i64>, gap| {
            Some(gcd.map_or(gap, |g| greatest_common_divisor(g, gap)))
        })
        .unwrap_or(SECONDS_PER_DAY)
}

fn greatest_common_divisor(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        greatest_common_divisor(b, a % b)
    }
}

/// Seconds since midnight.
pub(crate) fn second_of_day(time: Time) -> i64 {
    i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second())
}

/// The time `seconds` after midnight; the end of the day (the end of a
/// day's last interval, midnight of the next) is [`Time::MAX`].
pub(crate) fn time_of_second(seconds: i64) -> Time {
    if seconds >= SECONDS_PER_DAY {
        return Time::MAX;
    }
    let clamped = seconds.max(0);
    Time::new(
        (clamped / 3600) as i8,
        (clamped / 60 % 60) as i8,
        (clamped % 60) as i8,
        0,
    )
    .unwrap_or(Time::MAX)
}
