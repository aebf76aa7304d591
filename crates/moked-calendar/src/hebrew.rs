//! The Hebrew calendar, computed from the molad and the four postponement
//! rules (dehiyyot), and conversion between Hebrew and civil dates.
//!
//! Days are counted in "Hebrew day numbers": day 0 is the Sunday before the
//! epoch, so 1 Tishri AM 1 (molad BaHaRaD, a Monday) is day 1 and a day
//! number modulo 7 is its weekday with 0 = Sunday.

use crate::day_number;
use jiff::civil::Date;
use std::fmt;

/// Parts (halakim) in an hour.
const PARTS_PER_HOUR: i64 = 1080;
/// Parts in a day.
const PARTS_PER_DAY: i64 = 24 * PARTS_PER_HOUR;
/// The mean synodic month: 29 days, 12 hours and 793 parts.
const MONTH_PARTS: i64 = 29 * PARTS_PER_DAY + 12 * PARTS_PER_HOUR + 793;
/// Molad BaHaRaD, the molad of Tishri AM 1: day 1 (Monday), 5 hours, 204 parts
/// (hours counted from 6 pm of the evening before).
const EPOCH_MOLAD_PARTS: i64 = PARTS_PER_DAY + 5 * PARTS_PER_HOUR + 204;
/// Rata Die of the Sunday that is Hebrew day 0 (1 Tishri AM 1 is Monday
/// 7 September 3761 BCE proleptic Gregorian, Rata Die -1 373 427).
const RATA_DIE_OF_DAY_ZERO: i64 = -1_373_428;

/// Weekday numbers, counted from Sunday = 0 as the Hebrew calendar does.
const SUNDAY: i64 = 0;
const MONDAY: i64 = 1;
const TUESDAY: i64 = 2;
const WEDNESDAY: i64 = 3;
const FRIDAY: i64 = 5;

/// A month of the Hebrew year. In a common year Adar has no I/II; in a leap
/// year [`HebrewMonth::Adar`] is Adar I and [`HebrewMonth::AdarII`] follows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum HebrewMonth {
    /// תשרי, the first month of the civil year.
    Tishri,
    /// חשוון (Marcheshvan): 29 or 30 days.
    Heshvan,
    /// כסלו: 30 or 29 days.
    Kislev,
    /// טבת.
    Tevet,
    /// שבט.
    Shevat,
    /// אדר, or אדר א׳ in a leap year.
    Adar,
    /// אדר ב׳, only in leap years.
    AdarII,
    /// ניסן.
    Nisan,
    /// אייר.
    Iyar,
    /// סיוון.
    Sivan,
    /// תמוז.
    Tammuz,
    /// אב.
    Av,
    /// אלול.
    Elul,
}

impl HebrewMonth {
    /// Every month in the order of the year starting at Tishri.
    pub const ALL: [HebrewMonth; 13] = [
        HebrewMonth::Tishri,
        HebrewMonth::Heshvan,
        HebrewMonth::Kislev,
        HebrewMonth::Tevet,
        HebrewMonth::Shevat,
        HebrewMonth::Adar,
        HebrewMonth::AdarII,
        HebrewMonth::Nisan,
        HebrewMonth::Iyar,
        HebrewMonth::Sivan,
        HebrewMonth::Tammuz,
        HebrewMonth::Av,
        HebrewMonth::Elul,
    ];

    /// The month's name in Hebrew.
    pub fn hebrew_name(self) -> &'static str {
        match self {
            HebrewMonth::Tishri => "תשרי",
            HebrewMonth::Heshvan => "חשוון",
            HebrewMonth::Kislev => "כסלו",
            HebrewMonth::Tevet => "טבת",
            HebrewMonth::Shevat => "שבט",
            HebrewMonth::Adar => "אדר",
            HebrewMonth::AdarII => "אדר ב׳",
            HebrewMonth::Nisan => "ניסן",
            HebrewMonth::Iyar => "אייר",
            HebrewMonth::Sivan => "סיוון",
            HebrewMonth::Tammuz => "תמוז",
            HebrewMonth::Av => "אב",
            HebrewMonth::Elul => "אלול",
        }
    }

    /// The month's name in English transliteration.
    pub fn english_name(self) -> &'static str {
        match self {
            HebrewMonth::Tishri => "Tishri",
            HebrewMonth::Heshvan => "Heshvan",
            HebrewMonth::Kislev => "Kislev",
            HebrewMonth::Tevet => "Tevet",
            HebrewMonth::Shevat => "Shevat",
            HebrewMonth::Adar => "Adar",
            HebrewMonth::AdarII => "Adar II",
            HebrewMonth::Nisan => "Nisan",
            HebrewMonth::Iyar => "Iyar",
            HebrewMonth::Sivan => "Sivan",
            HebrewMonth::Tammuz => "Tammuz",
            HebrewMonth::Av => "Av",
            HebrewMonth::Elul => "Elul",
        }
    }
}

/// Is `year` (anno mundi) a leap year: years 3, 6, 8, 11, 14, 17 and 19 of
/// the 19-year Metonic cycle have a thirteenth month.
pub fn is_leap_year(year: i64) -> bool {
    (7 * year + 1).rem_euclid(19) < 7
}

/// Months from the epoch molad to the molad of Tishri of `year`.
fn months_before_year(year: i64) -> i64 {
    (235 * year - 234).div_euclid(19)
}

/// The molad of Tishri of `year`, in parts since the start of Hebrew day 0.
pub fn molad_of_tishri_parts(year: i64) -> i64 {
    EPOCH_MOLAD_PARTS + months_before_year(year) * MONTH_PARTS
}

/// Hebrew day number of 1 Tishri (Rosh Hashanah) of `year`, after the four
/// postponements: molad zaken (molad at or after noon), GaTaRaD (Tuesday
/// 9h 204p or later in a common year), BeTUTaKPaT (Monday 15h 589p or later
/// after a leap year) and lo ADU Rosh (never Sunday, Wednesday or Friday).
fn new_year_day(year: i64) -> i64 {
    let molad = molad_of_tishri_parts(year);
    let molad_day = molad.div_euclid(PARTS_PER_DAY);
    let time_of_day = molad.rem_euclid(PARTS_PER_DAY);
    let weekday = molad_day.rem_euclid(7);
    let molad_zaken = time_of_day >= 18 * PARTS_PER_HOUR;
    let gatarad =
        !is_leap_year(year) && weekday == TUESDAY && time_of_day >= 9 * PARTS_PER_HOUR + 204;
    let betutakpat =
        is_leap_year(year - 1) && weekday == MONDAY && time_of_day >= 15 * PARTS_PER_HOUR + 589;
    let mut day = molad_day;
    if molad_zaken || gatarad || betutakpat {
        day += 1;
    }
    if matches!(day.rem_euclid(7), SUNDAY | WEDNESDAY | FRIDAY) {
        day += 1;
    }
    day
}

/// The number of days in `year`: 353, 354 or 355 in a common year and
/// 383, 384 or 385 in a leap year.
pub fn year_length(year: i64) -> i64 {
    new_year_day(year + 1) - new_year_day(year)
}

/// The number of days of `month` in `year` (0 for Adar II in a common year).
pub fn month_length(year: i64, month: HebrewMonth) -> i64 {
    let length = year_length(year);
    match month {
        HebrewMonth::Tishri | HebrewMonth::Shevat | HebrewMonth::Nisan => 30,
        HebrewMonth::Sivan | HebrewMonth::Av => 30,
        HebrewMonth::Tevet | HebrewMonth::Iyar | HebrewMonth::Tammuz | HebrewMonth::Elul => 29,
        // A "complete" year (355/385) lengthens Heshvan, a "deficient" one (353/383) shortens Kislev.
        HebrewMonth::Heshvan => 29 + i64::from(length % 10 == 5),
        HebrewMonth::Kislev => 30 - i64::from(length % 10 == 3),
        HebrewMonth::Adar => 29 + i64::from(is_leap_year(year)),
        HebrewMonth::AdarII => 29 * i64::from(is_leap_year(year)),
    }
}

/// The months of `year`, in order from Tishri (Adar II only in leap years).
pub fn months_of_year(year: i64) -> impl Iterator<Item = HebrewMonth> {
    let leap = is_leap_year(year);
    HebrewMonth::ALL
        .into_iter()
        .filter(move |month| leap || *month != HebrewMonth::AdarII)
}

/// Hebrew years whose dates fall within the civil years jiff represents
/// (up to 9999 CE); the year arithmetic functions are exact over this range
/// and far beyond it, but overflow for years near `i64::MAX / 235`.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<i64> = 1..=13_760;

/// A date of the Hebrew calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HebrewDate {
    /// The year, anno mundi (5785 began on 2024-10-03).
    pub year: i64,
    /// The month.
    pub month: HebrewMonth,
    /// The day of the month, from 1.
    pub day: i64,
}

/// Why a Hebrew date cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HebrewDateError {
    /// The month does not exist in that year (Adar II in a common year).
    #[error("{month} does not exist in the common year {year}")]
    NoSuchMonth {
        /// The year.
        year: i64,
        /// The month's English name.
        month: &'static str,
    },
    /// The day is outside the month.
    #[error("day {day} is outside {month} {year}, which has {length} days")]
    NoSuchDay {
        /// The year.
        year: i64,
        /// The month's English name.
        month: &'static str,
        /// The requested day.
        day: i64,
        /// The month's length that year.
        length: i64,
    },
    /// The date is outside [`SUPPORTED_YEARS`] or the civil years jiff can represent (-9999..=9999).
    #[error("the date is outside the supported civil range")]
    OutOfRange,
}

impl HebrewDate {
    /// A validated Hebrew date.
    pub fn new(year: i64, month: HebrewMonth, day: i64) -> Result<HebrewDate, HebrewDateError> {
        if !SUPPORTED_YEARS.contains(&year) {
            return Err(HebrewDateError::OutOfRange);
        }
        let length = month_length(year, month);
        if length == 0 {
            return Err(HebrewDateError::NoSuchMonth {
                year,
                month: month.english_name(),
            });
        }
        if !(1..=length).contains(&day) {
            return Err(HebrewDateError::NoSuchDay {
                year,
                month: month.english_name(),
                day,
                length,
            });
        }
        Ok(HebrewDate { year, month, day })
    }

    /// The Hebrew date of a civil date (the daytime of that civil day).
    pub fn from_civil(date: Date) -> HebrewDate {
        from_hebrew_day(day_number::from_date(date) - RATA_DIE_OF_DAY_ZERO)
    }

    /// The civil date whose daytime is this Hebrew date.
    pub fn to_civil(self) -> Result<Date, HebrewDateError> {
        day_number::to_date(self.hebrew_day() + RATA_DIE_OF_DAY_ZERO)
            .ok_or(HebrewDateError::OutOfRange)
    }

    fn hebrew_day(self) -> i64 {
        let before_month: i64 = months_of_year(self.year)
            .take_while(|month| *month != self.month)
            .map(|month| month_length(self.year, month))
            .sum();
        new_year_day(self.year) + before_month + self.day - 1
    }
}

impl fmt::Display for HebrewDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            self.day,
            self.month.english_name(),
            self.year
        )
    }
}

/// Civil date of the Hebrew date, for dates known to exist.
pub(crate) fn civil_of(year: i64, month: HebrewMonth, day: i64) -> Option<Date> {
    HebrewDate::new(year, month, day).ok()?.to_civil().ok()
}

/// Mean year length in days, to estimate the year of a day number.
const MEAN_YEAR_DAYS: f64 = 235.0 * (MONTH_PARTS as f64) / (19.0 * PARTS_PER_DAY as f64);

fn from_hebrew_day(hebrew_day: i64) -> HebrewDate {
    // The estimate can be a year late or early near Rosh Hashanah; step to the right one.
    let mut year = (hebrew_day as f64 / MEAN_YEAR_DAYS).floor() as i64 + 1;
    while new_year_day(year) > hebrew_day {
        year -= 1;
    }
    while new_year_day(year + 1) <= hebrew_day {
        year += 1;
    }
    let mut remaining = hebrew_day - new_year_day(year);
    for month in months_of_year(year) {
        let length = month_length(year, month);
        if remaining < length {
            return HebrewDate {
                year,
                month,
                day: remaining + 1,
            };
        }
        remaining -= length;
    }
    unreachable!("the months of a year add up to its length")
}

/// Weekday of a civil date as the Hebrew calendar counts it (0 = Sunday).
pub(crate) fn weekday_of(date: Date) -> i64 {
    day_number::weekday_from_sunday(day_number::from_date(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_monday_seventh_of_september_3761_bce() {
        let epoch = HebrewDate::new(1, HebrewMonth::Tishri, 1)
            .unwrap()
            .to_civil()
            .unwrap();
        assert_eq!(epoch, Date::new(-3760, 9, 7).unwrap());
        assert_eq!(epoch.weekday(), jiff::civil::Weekday::Monday);
    }

    #[test]
    fn leap_years_follow_the_metonic_cycle() {
        let leaps: Vec<i64> = (5758..5777).filter(|y| is_leap_year(*y)).collect();
        assert_eq!(leaps, vec![5760, 5763, 5765, 5768, 5771, 5774, 5776]);
    }
}
