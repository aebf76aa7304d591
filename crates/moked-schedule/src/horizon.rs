//! The planning horizon: whole days cut into equal intervals, and times of day.
//!
//! All times inside the crate are minutes counted from midnight of the
//! horizon's first day, so a shift that crosses midnight is just a range that
//! spans two days; dates and weekdays are derived from the first date.

use jiff::civil::{Date, Weekday};

/// Minutes in one day.
pub const MINUTES_PER_DAY: u32 = 24 * 60;

/// A run of whole days starting at a date, cut into intervals of equal length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// The date of day 0.
    pub start_date: Date,
    /// How many days the horizon spans.
    pub days: u32,
    /// The length of one interval in minutes; divides a day exactly.
    pub interval_minutes: u32,
}

impl Horizon {
    /// A horizon, or `None` when the interval does not divide a day or a size is zero.
    pub fn new(start_date: Date, days: u32, interval_minutes: u32) -> Option<Horizon> {
        let divides_day = interval_minutes > 0 && MINUTES_PER_DAY.is_multiple_of(interval_minutes);
        (divides_day && days > 0).then_some(Horizon {
            start_date,
            days,
            interval_minutes,
        })
    }

    /// How many intervals one day has.
    pub fn intervals_per_day(&self) -> usize {
        (MINUTES_PER_DAY / self.interval_minutes) as usize
    }

    /// How many intervals the whole horizon has.
    pub fn interval_count(&self) -> usize {
        self.intervals_per_day() * self.days as usize
    }

    /// The horizon's length in minutes.
    pub fn total_minutes(&self) -> u32 {
        self.days * MINUTES_PER_DAY
    }

    /// The minute (from the horizon's start) at which an interval begins.
    pub fn interval_start(&self, interval: usize) -> u32 {
        interval as u32 * self.interval_minutes
    }

    /// The date of a day of the horizon (day 0 is `start_date`).
    pub fn date_of_day(&self, day: u32) -> Date {
        self.start_date
            .checked_add(jiff::Span::new().days(i64::from(day)))
            .unwrap_or(self.start_date)
    }

    /// The weekday of a day of the horizon.
    pub fn weekday_of_day(&self, day: u32) -> Weekday {
        self.date_of_day(day).weekday()
    }

    /// The day index of a date, if the date is inside the horizon.
    pub fn day_of_date(&self, date: Date) -> Option<u32> {
        let days = self.start_date.until(date).ok()?.get_days();
        u32::try_from(days).ok().filter(|day| *day < self.days)
    }
}

/// Parses a time of day `HH:MM` (hours may exceed 23 to reach past midnight, e.g. `30:00`)
/// into minutes after midnight.
pub fn parse_time_of_day(text: &str) -> Option<u32> {
    let (hours, minutes) = text.trim().split_once(':')?;
    let hours: u32 = hours.parse().ok()?;
    let minutes: u32 = minutes.parse().ok()?;
    (hours <= 48 && minutes < 60).then_some(hours * 60 + minutes)
}

/// Formats minutes after midnight as `HH:MM`.
pub fn format_time_of_day(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Parses a weekday written as its English name or three-letter abbreviation.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.trim().to_ascii_lowercase();
    let weekday = match lower.get(..3)? {
        "sun" => Weekday::Sunday,
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        _ => return None,
    };
    let full_names = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    (lower.len() == 3 || full_names.contains(&lower.as_str())).then_some(weekday)
}

/// The index of a weekday with Sunday as 0, the first day of the Israeli week.
pub fn weekday_index(weekday: Weekday) -> usize {
    weekday.to_sunday_zero_offset() as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn days_map_to_dates_and_weekdays() {
        let horizon = Horizon::new(date(2026, 11, 22), 7, 15).unwrap();
        assert_eq!(horizon.interval_count(), 672);
        assert_eq!(horizon.weekday_of_day(0), Weekday::Sunday);
        assert_eq!(horizon.date_of_day(6), date(2026, 11, 28));
        assert_eq!(horizon.day_of_date(date(2026, 11, 24)), Some(2));
        assert_eq!(horizon.day_of_date(date(2026, 11, 29)), None);
        assert_eq!(horizon.day_of_date(date(2026, 11, 21)), None);
    }

    #[test]
    fn rejects_intervals_that_do_not_divide_a_day() {
        assert!(Horizon::new(date(2026, 11, 22), 7, 7).is_none());
        assert!(Horizon::new(date(2026, 11, 22), 0, 30).is_none());
    }

    #[test]
    fn parses_times_and_weekdays() {
        assert_eq!(parse_time_of_day("07:30"), Some(450));
        assert_eq!(parse_time_of_day("30:00"), Some(1800));
        assert_eq!(parse_time_of_day("7:61"), None);
        assert_eq!(parse_time_of_day("seven"), None);
        assert_eq!(format_time_of_day(450), "07:30");
        assert_eq!(parse_weekday("Fri"), Some(Weekday::Friday));
        assert_eq!(parse_weekday("thursday"), Some(Weekday::Thursday));
        assert_eq!(parse_weekday("thurs"), None);
        assert_eq!(weekday_index(Weekday::Sunday), 0);
    }
}
