//! A business calendar: a work week plus holidays, and arithmetic on
//! business time (for SLA timers: "respond within 8 business hours").

use crate::holidays::{DayKind, Holiday, holiday_on};
use crate::week::{OpeningHours, WorkWeek};
use jiff::Zoned;
use jiff::civil::{Date, DateTime};

/// Which holidays a business calendar observes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum HolidaySet {
    /// No holidays: only the work week.
    None,
    /// The holidays of the Hebrew calendar as observed in Israel.
    Israel,
}

/// What a business calendar says about one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessDay {
    /// The date.
    pub date: Date,
    /// Its opening hours, or `None` when closed.
    pub hours: Option<OpeningHours>,
    /// The holiday on it, if any.
    pub holiday: Option<Holiday>,
}

impl BusinessDay {
    /// Whether the holiday on this day makes it special (open, unusual demand).
    pub fn is_special(&self) -> bool {
        self.holiday
            .is_some_and(|holiday| holiday.kind() == DayKind::Special)
    }

    /// Whether this day is a short day (a holiday eve).
    pub fn is_short(&self) -> bool {
        self.holiday
            .is_some_and(|holiday| holiday.kind() == DayKind::Short)
    }
}

/// Why business-time arithmetic failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BusinessTimeError {
    /// The calendar has no open day at all, so business time never passes.
    #[error("the calendar has no open day")]
    NeverOpen,
    /// The result is outside the dates jiff can represent.
    #[error("the result is outside the supported date range")]
    OutOfRange,
    /// A negative amount of business time was asked for.
    #[error("business seconds must not be negative, got {0}")]
    Negative(i64),
}

/// A work week and a set of holidays: answers whether a date is open, its
/// hours and its holiday, and adds or measures business time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    week: WorkWeek,
    holidays: HolidaySet,
}

impl BusinessCalendar {
    /// A calendar from a work week and the holidays it observes.
    pub fn new(week: WorkWeek, holidays: HolidaySet) -> BusinessCalendar {
        BusinessCalendar { week, holidays }
    }

    /// The work week.
    pub fn week(&self) -> &WorkWeek {
        &self.week
    }

    /// The holiday on `date`, if this calendar observes holidays.
    pub fn holiday(&self, date: Date) -> Option<Holiday> {
        match self.holidays {
            HolidaySet::None => None,
            HolidaySet::Israel => holiday_on(date),
        }
    }

    /// Everything the calendar knows about `date`.
    pub fn day(&self, date: Date) -> BusinessDay {
        let holiday = self.holiday(date);
        BusinessDay {
            date,
            hours: self.hours_with(date, holiday),
            holiday,
        }
    }

    /// The opening hours of `date`, or `None` when it is closed.
    pub fn opening_hours(&self, date: Date) -> Option<OpeningHours> {
        self.hours_with(date, self.holiday(date))
    }

    /// Whether the business opens at all on `date`.
    pub fn is_open(&self, date: Date) -> bool {
        self.opening_hours(date).is_some()
    }

    fn hours_with(&self, date: Date, holiday: Option<Holiday>) -> Option<OpeningHours> {
        let regular = self.week.hours(date.weekday())?;
        match holiday.map(|holiday| holiday.kind()) {
            Some(DayKind::Closed) => None,
            Some(DayKind::Short) => {
                let short = self.week.short_day_hours();
                OpeningHours::new(regular.open.max(short.open), regular.close.min(short.close)).ok()
            }
            Some(DayKind::Special) | None => Some(regular),
        }
    }

    /// The instant `seconds` of business time after `start`. Time outside
    /// opening hours does not count; a result that lands exactly on a
    /// closing time is that closing time.
    pub fn add_business_seconds(
        &self,
        start: DateTime,
        seconds: i64,
    ) -> Result<DateTime, BusinessTimeError> {
        if seconds < 0 {
            return Err(BusinessTimeError::Negative(seconds));
        }
        let mut remaining = seconds;
        let mut date = start.date();
        let mut closed_days_in_a_row = 0;
        loop {
            if let Some(hours) = self.opening_hours(date) {
                closed_days_in_a_row = 0;
                let from = if date == start.date() {
                    start.time().max(hours.open)
                } else {
                    hours.open
                };
                if from < hours.close {
                    let available = hours.close.duration_since(from).as_secs();
                    if remaining <= available {
                        let end = from
                            .checked_add(jiff::SignedDuration::from_secs(remaining))
                            .map_err(|_| BusinessTimeError::OutOfRange)?;
                        return Ok(date.to_datetime(end));
                    }
                    remaining -= available;
                }
            } else {
                closed_days_in_a_row += 1;
                // A year and a half of closed days means the week has no open day at all.
                if closed_days_in_a_row > 550 {
                    return Err(BusinessTimeError::NeverOpen);
                }
            }
            date = date.tomorrow().map_err(|_| BusinessTimeError::OutOfRange)?;
        }
    }

    /// [`BusinessCalendar::add_business_seconds`] for a zoned instant: the
    /// opening hours are read in the instant's own time zone, and the result
    /// is in that zone (an SLA deadline for a ticket opened at `start`).
    pub fn add_business_seconds_zoned(
        &self,
        start: &Zoned,
        seconds: i64,
    ) -> Result<Zoned, BusinessTimeError> {
        let end = self.add_business_seconds(start.datetime(), seconds)?;
        end.to_zoned(start.time_zone().clone())
            .map_err(|_| BusinessTimeError::OutOfRange)
    }

    /// [`BusinessCalendar::business_seconds_between`] for zoned instants, both
    /// read in the time zone of `start`.
    pub fn business_seconds_between_zoned(&self, start: &Zoned, end: &Zoned) -> i64 {
        let end_local = end.with_time_zone(start.time_zone().clone()).datetime();
        self.business_seconds_between(start.datetime(), end_local)
    }

    /// Business seconds between two instants (negative when `end` is before `start`).
    pub fn business_seconds_between(&self, start: DateTime, end: DateTime) -> i64 {
        if end < start {
            return -self.business_seconds_between(end, start);
        }
        let mut total = 0;
        let mut date = start.date();
        while date <= end.date() {
            if let Some(hours) = self.opening_hours(date) {
                let from = if date == start.date() {
                    start.time().max(hours.open)
                } else {
                    hours.open
                };
                let to = if date == end.date() {
                    end.time().min(hours.close)
                } else {
                    hours.close
                };
                if from < to {
                    total += to.duration_since(from).as_secs();
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }
}
