//! Fixed day numbers (Rata Die: 0001-01-01 proleptic Gregorian is day 1).
//!
//! The Hebrew arithmetic counts days, and converting through jiff spans for
//! every day would be slow in the round-trip tests, so the Gregorian
//! conversion is done here with integer arithmetic and checked against jiff.

use jiff::civil::Date;

/// Days since the proleptic Gregorian day before 0001-01-01 (Rata Die).
pub(crate) fn from_date(date: Date) -> i64 {
    from_ymd(
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    )
}

/// The civil date of a Rata Die day number, if jiff can represent it.
pub(crate) fn to_date(fixed: i64) -> Option<Date> {
    let year = year_of(fixed);
    let prior_days = fixed - from_ymd(year, 1, 1);
    let correction = if fixed < from_ymd(year, 3, 1) {
        0
    } else if is_gregorian_leap(year) {
        1
    } else {
        2
    };
    let month = (12 * (prior_days + correction) + 373).div_euclid(367);
    let day = fixed - from_ymd(year, month, 1) + 1;
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

fn from_ymd(year: i64, month: i64, day: i64) -> i64 {
    let prior = year - 1;
    let leap_correction = if month <= 2 {
        0
    } else if is_gregorian_leap(year) {
        -1
    } else {
        -2
    };
    365 * prior + prior.div_euclid(4) - prior.div_euclid(100)
        + prior.div_euclid(400)
        + (367 * month - 362).div_euclid(12)
        + leap_correction
        + day
}

fn year_of(fixed: i64) -> i64 {
    let d0 = fixed - 1;
    let n400 = d0.div_euclid(146_097);
    let d1 = d0.rem_euclid(146_097);
    let n100 = d1.div_euclid(36_524);
    let d2 = d1.rem_euclid(36_524);
    let n4 = d2.div_euclid(1_461);
    let d3 = d2.rem_euclid(1_461);
    let n1 = d3.div_euclid(365);
    let year = 400 * n400 + 100 * n100 + 4 * n4 + n1;
    if n100 == 4 || n1 == 4 { year } else { year + 1 }
}

fn is_gregorian_leap(year: i64) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

/// Day of the week of a day number, 0 = Sunday … 6 = Saturday.
pub(crate) fn weekday_from_sunday(fixed: i64) -> i64 {
    fixed.rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;

    #[test]
    fn agrees_with_jiff_day_by_day_over_centuries() {
        let mut date = Date::new(1600, 1, 1).unwrap();
        let mut fixed = from_date(date);
        let end = Date::new(2400, 12, 31).unwrap();
        while date <= end {
            assert_eq!(from_date(date), fixed, "{date}");
            assert_eq!(to_date(fixed), Some(date));
            date = date.checked_add(1.day()).unwrap();
            fixed += 1;
        }
    }

    #[test]
    fn weekday_matches_jiff() {
        let date = Date::new(2024, 10, 3).unwrap();
        assert_eq!(
            weekday_from_sunday(from_date(date)),
            i64::from(date.weekday().to_sunday_zero_offset())
        );
    }
}
