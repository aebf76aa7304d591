//! The business calendar: open days, hours, and business-time arithmetic.

use jiff::civil::{Weekday, date, time};
use moked_calendar::{BusinessCalendar, BusinessTimeError, HolidaySet, OpeningHours, WorkWeek};
use proptest::prelude::*;

fn hours(open: i8, close: i8) -> OpeningHours {
    OpeningHours::new(time(open, 0, 0, 0), time(close, 0, 0, 0)).unwrap()
}

fn israel() -> BusinessCalendar {
    BusinessCalendar::new(
        WorkWeek::israel(hours(8, 17), hours(8, 13)),
        HolidaySet::Israel,
    )
}

#[test]
fn israeli_week_is_sunday_to_thursday_with_a_short_friday() {
    let calendar = israel();
    assert_eq!(
        calendar.opening_hours(date(2024, 11, 3)),
        Some(hours(8, 17)),
        "Sunday"
    );
    assert_eq!(
        calendar.opening_hours(date(2024, 11, 8)),
        Some(hours(8, 13)),
        "Friday"
    );
    assert!(!calendar.is_open(date(2024, 11, 9)), "Shabbat");
    assert_eq!(
        calendar.week().open_weekdays(),
        vec![
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
            Weekday::Friday,
            Weekday::Sunday
        ]
    );
}

#[test]
fn holidays_close_eves_shorten_and_special_days_stay_open() {
    let calendar = israel();
    assert!(!calendar.is_open(date(2024, 10, 3)), "Rosh Hashanah");
    let eve = calendar.day(date(2024, 10, 2));
    assert!(eve.is_short());
    assert_eq!(eve.hours, Some(hours(8, 13)));
    assert_eq!(eve.holiday.unwrap().hebrew_name(), "ערב ראש השנה");
    let hol_hamoed = calendar.day(date(2024, 10, 20));
    assert!(hol_hamoed.is_special());
    assert_eq!(hol_hamoed.hours, Some(hours(8, 17)));
}

#[test]
fn other_countries_weeks_ignore_hebrew_holidays() {
    let calendar = BusinessCalendar::new(
        WorkWeek::monday_to_friday(hours(9, 17), hours(9, 13)),
        HolidaySet::None,
    );
    assert!(calendar.is_open(date(2024, 10, 3)));
    assert!(!calendar.is_open(date(2024, 11, 3)), "Sunday");
    assert_eq!(calendar.holiday(date(2024, 10, 3)), None);
}

#[test]
fn business_seconds_skip_nights_weekends_and_holidays() {
    let calendar = israel();
    let start = date(2024, 10, 1).at(16, 0, 0, 0); // Tuesday
    let end = calendar.add_business_seconds(start, 2 * 3600).unwrap();
    assert_eq!(
        end,
        date(2024, 10, 2).at(9, 0, 0, 0),
        "Tuesday 1 h, then the short eve from 08:00"
    );
    let after_holiday = calendar
        .add_business_seconds(date(2024, 10, 2).at(12, 0, 0, 0), 2 * 3600)
        .unwrap();
    // 1 h left on the eve (closes 13:00), Rosh Hashanah Thu+Fri closed, Shabbat closed.
    assert_eq!(after_holiday, date(2024, 10, 6).at(9, 0, 0, 0));
    assert_eq!(
        calendar.business_seconds_between(date(2024, 10, 2).at(12, 0, 0, 0), after_holiday),
        2 * 3600
    );
}

#[test]
fn a_calendar_without_open_days_reports_it() {
    let calendar = BusinessCalendar::new(WorkWeek::new([None; 7], hours(8, 13)), HolidaySet::None);
    assert_eq!(
        calendar.add_business_seconds(date(2024, 1, 1).at(0, 0, 0, 0), 60),
        Err(BusinessTimeError::NeverOpen)
    );
    assert_eq!(
        calendar.add_business_seconds(date(2024, 1, 1).at(0, 0, 0, 0), -1),
        Err(BusinessTimeError::Negative(-1))
    );
}

proptest! {
    #[test]
    fn adding_then_measuring_gives_back_the_seconds(day in 0i64..700, minute in 0i64..1440, seconds in 0i64..2_000_000) {
        let calendar = israel();
        let start = date(2024, 1, 1).at(0, 0, 0, 0)
            .checked_add(jiff::Span::new().days(day).minutes(minute)).unwrap();
        let end = calendar.add_business_seconds(start, seconds).unwrap();
        prop_assert!(end >= start);
        prop_assert_eq!(calendar.business_seconds_between(start, end), seconds);
    }
}

#[test]
fn zoned_instants_use_their_own_time_zone() {
    let calendar = israel();
    let Ok(start) = "2024-10-02T12:00:00+03:00[Asia/Jerusalem]".parse::<jiff::Zoned>() else {
        println!("skipped: no Asia/Jerusalem in the system zoneinfo");
        return;
    };
    let deadline = calendar
        .add_business_seconds_zoned(&start, 2 * 3600)
        .unwrap();
    assert_eq!(deadline.datetime(), date(2024, 10, 6).at(9, 0, 0, 0));
    assert_eq!(deadline.time_zone(), start.time_zone());
    let same_instant_in_utc = deadline.with_time_zone(jiff::tz::TimeZone::UTC);
    assert_eq!(
        calendar.business_seconds_between_zoned(&start, &same_instant_in_utc),
        2 * 3600
    );
}
