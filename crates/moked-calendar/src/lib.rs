//! Calendars for a contact center: the Hebrew calendar computed from the
//! molad and the postponement rules, the Israeli holidays derived from it,
//! work weeks of any country, and a [`BusinessCalendar`] that answers "is
//! this date open, when, which holiday is it" and does business-time
//! arithmetic for SLA timers.
//!
//! Pure: civil dates and times (`jiff::civil`) in, answers out; no clock.
//!
//! ```
//! use moked_calendar::{BusinessCalendar, HolidaySet, OpeningHours, WorkWeek, HebrewDate};
//! use jiff::civil::{date, time};
//!
//! let week = WorkWeek::israel(
//!     OpeningHours::new(time(8, 0, 0, 0), time(17, 0, 0, 0)).unwrap(),
//!     OpeningHours::new(time(8, 0, 0, 0), time(13, 0, 0, 0)).unwrap(),
//! );
//! let calendar = BusinessCalendar::new(week, HolidaySet::Israel);
//! let yom_kippur = date(2025, 10, 2);
//! assert!(!calendar.is_open(yom_kippur));
//! assert_eq!(calendar.holiday(yom_kippur).unwrap().hebrew_name(), "יום כיפור");
//! assert_eq!(HebrewDate::from_civil(yom_kippur).to_string(), "10 Tishri 5786");
//! ```

mod business;
mod day_number;
mod hebrew;
mod holidays;
mod week;

pub use business::{BusinessCalendar, BusinessDay, BusinessTimeError, HolidaySet};
pub use hebrew::{
    HebrewDate, HebrewDateError, HebrewMonth, SUPPORTED_YEARS, is_leap_year, molad_of_tishri_parts,
    month_length, months_of_year, year_length,
};
pub use holidays::{
    DayKind, Holiday, HolidayId, holiday_on, holidays_of_civil_year, holidays_of_hebrew_year,
};
pub use week::{OpeningHours, OpeningHoursError, WorkWeek};
