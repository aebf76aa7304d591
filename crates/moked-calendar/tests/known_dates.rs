//! Holidays against published civil dates, and invariants of the Hebrew
//! calendar over thousands of years.

use jiff::civil::{Date, Weekday, date};
use moked_calendar::{
    DayKind, HebrewDate, HebrewMonth, HolidayId, holiday_on, holidays_of_civil_year,
    holidays_of_hebrew_year, is_leap_year, month_length, months_of_year, year_length,
};
use proptest::prelude::*;

/// (holiday, Hebrew year, civil date of its daytime) as published in Israeli calendars.
const KNOWN: &[(HolidayId, i64, (i16, i8, i8))] = &[
    (HolidayId::RoshHashanah1, 5760, (1999, 9, 11)),
    (HolidayId::RoshHashanah1, 5774, (2013, 9, 5)),
    (HolidayId::RoshHashanah1, 5775, (2014, 9, 25)),
    (HolidayId::RoshHashanah1, 5776, (2015, 9, 14)),
    (HolidayId::RoshHashanah1, 5777, (2016, 10, 3)),
    (HolidayId::RoshHashanah1, 5778, (2017, 9, 21)),
    (HolidayId::RoshHashanah1, 5779, (2018, 9, 10)),
    (HolidayId::RoshHashanah1, 5780, (2019, 9, 30)),
    (HolidayId::RoshHashanah1, 5781, (2020, 9, 19)),
    (HolidayId::RoshHashanah1, 5782, (2021, 9, 7)),
    (HolidayId::RoshHashanah1, 5783, (2022, 9, 26)),
    (HolidayId::RoshHashanah1, 5784, (2023, 9, 16)),
    (HolidayId::RoshHashanah1, 5785, (2024, 10, 3)),
    (HolidayId::RoshHashanah2, 5785, (2024, 10, 4)),
    (HolidayId::RoshHashanah1, 5786, (2025, 9, 23)),
    (HolidayId::RoshHashanah1, 5787, (2026, 9, 12)),
    (HolidayId::ErevRoshHashanah, 5784, (2024, 10, 2)),
    (HolidayId::YomKippur, 5784, (2023, 9, 25)),
    (HolidayId::YomKippur, 5785, (2024, 10, 12)),
    (HolidayId::YomKippur, 5786, (2025, 10, 2)),
    (HolidayId::ErevYomKippur, 5786, (2025, 10, 1)),
    (HolidayId::Sukkot, 5785, (2024, 10, 17)),
    (HolidayId::SheminiAtzeret, 5784, (2023, 10, 7)),
    (HolidayId::SheminiAtzeret, 5785, (2024, 10, 24)),
    (HolidayId::Hanukkah, 5784, (2023, 12, 8)),
    (HolidayId::Hanukkah, 5785, (2024, 12, 26)),
    (HolidayId::Hanukkah, 5786, (2025, 12, 15)),
    (HolidayId::Purim, 5783, (2023, 3, 7)),
    (HolidayId::Purim, 5784, (2024, 3, 24)),
    (HolidayId::Purim, 5785, (2025, 3, 14)),
    (HolidayId::Pesach, 5779, (2019, 4, 20)),
    (HolidayId::Pesach, 5780, (2020, 4, 9)),
    (HolidayId::Pesach, 5781, (2021, 3, 28)),
    (HolidayId::Pesach, 5782, (2022, 4, 16)),
    (HolidayId::Pesach, 5783, (2023, 4, 6)),
    (HolidayId::Pesach, 5784, (2024, 4, 23)),
    (HolidayId::Pesach, 5785, (2025, 4, 13)),
    (HolidayId::Pesach, 5786, (2026, 4, 2)),
    (HolidayId::SeventhDayOfPesach, 5784, (2024, 4, 29)),
    (HolidayId::YomHaShoah, 5783, (2023, 4, 18)),
    (HolidayId::YomHaShoah, 5784, (2024, 5, 6)),
    (HolidayId::YomHaShoah, 5785, (2025, 4, 24)),
    (HolidayId::YomHaZikaron, 5784, (2024, 5, 13)),
    (HolidayId::YomHaZikaron, 5785, (2025, 4, 30)),
    (HolidayId::YomHaAtzmaut, 5777, (2017, 5, 2)),
    (HolidayId::YomHaAtzmaut, 5779, (2019, 5, 9)),
    (HolidayId::YomHaAtzmaut, 5780, (2020, 4, 29)),
    (HolidayId::YomHaAtzmaut, 5781, (2021, 4, 15)),
    (HolidayId::YomHaAtzmaut, 5782, (2022, 5, 5)),
    (HolidayId::YomHaAtzmaut, 5783, (2023, 4, 26)),
    (HolidayId::YomHaAtzmaut, 5784, (2024, 5, 14)),
    (HolidayId::YomHaAtzmaut, 5785, (2025, 5, 1)),
    (HolidayId::YomHaAtzmaut, 5786, (2026, 4, 22)),
    (HolidayId::Shavuot, 5783, (2023, 5, 26)),
    (HolidayId::Shavuot, 5784, (2024, 6, 12)),
    (HolidayId::Shavuot, 5785, (2025, 6, 2)),
    (HolidayId::TishaBAv, 5782, (2022, 8, 7)),
    (HolidayId::TishaBAv, 5784, (2024, 8, 13)),
    (HolidayId::TishaBAv, 5785, (2025, 8, 3)),
];

#[test]
fn holidays_fall_on_their_published_dates() {
    for &(id, year, (y, m, d)) in KNOWN {
        let expected = date(y, m, d);
        let found = holidays_of_hebrew_year(year)
            .into_iter()
            .find(|holiday| holiday.id == id)
            .map(|h| h.date);
        assert_eq!(found, Some(expected), "{} {year}", id.english_name());
        assert_eq!(holiday_on(expected).map(|h| h.id), Some(id), "{expected}");
    }
}

#[test]
fn each_holiday_has_names_and_a_kind() {
    let yom_kippur = holiday_on(date(2025, 10, 2)).unwrap();
    assert_eq!(yom_kippur.hebrew_name(), "יום כיפור");
    assert_eq!(yom_kippur.english_name(), "Yom Kippur");
    assert_eq!(yom_kippur.kind(), DayKind::Closed);
    assert_eq!(
        holiday_on(date(2025, 10, 1)).unwrap().kind(),
        DayKind::Short
    );
    assert_eq!(
        holiday_on(date(2024, 12, 27)).unwrap().hebrew_name(),
        "חנוכה"
    );
    assert_eq!(
        holiday_on(date(2024, 12, 27)).unwrap().kind(),
        DayKind::Special
    );
    assert_eq!(holiday_on(date(2024, 11, 5)), None);
}

#[test]
fn hanukkah_lasts_eight_days_and_holidays_never_overlap() {
    for year in 5600..5900 {
        let holidays = holidays_of_hebrew_year(year);
        assert_eq!(
            holidays
                .iter()
                .filter(|h| h.id == HolidayId::Hanukkah)
                .count(),
            8
        );
        for pair in holidays.windows(2) {
            assert!(pair[0].date < pair[1].date, "{year}: {pair:?}");
        }
    }
}

#[test]
fn civil_year_listing_covers_both_hebrew_years() {
    let names: Vec<_> = holidays_of_civil_year(2024).iter().map(|h| h.id).collect();
    assert!(names.contains(&HolidayId::Pesach));
    assert!(names.contains(&HolidayId::RoshHashanah1));
    assert!(
        holidays_of_civil_year(2024)
            .iter()
            .all(|h| h.date.year() == 2024)
    );
}

#[test]
fn moved_days_avoid_shabbat_as_the_rules_require() {
    for year in 5720..6000 {
        let holidays = holidays_of_hebrew_year(year);
        let on = |id: HolidayId| holidays.iter().find(|h| h.id == id).unwrap().date.weekday();
        assert!(!matches!(
            on(HolidayId::YomHaAtzmaut),
            Weekday::Friday | Weekday::Saturday | Weekday::Monday
        ));
        assert!(!matches!(
            on(HolidayId::YomHaZikaron),
            Weekday::Saturday | Weekday::Sunday | Weekday::Thursday
        ));
        assert!(!matches!(
            on(HolidayId::YomHaShoah),
            Weekday::Friday | Weekday::Saturday | Weekday::Sunday
        ));
        assert_ne!(on(HolidayId::TishaBAv), Weekday::Saturday);
        // Lo ADU Rosh, and so lo BaDU Pesach.
        assert!(!matches!(
            on(HolidayId::RoshHashanah1),
            Weekday::Sunday | Weekday::Wednesday | Weekday::Friday
        ));
        assert!(!matches!(
            on(HolidayId::Pesach),
            Weekday::Monday | Weekday::Wednesday | Weekday::Friday
        ));
    }
}

#[test]
fn year_lengths_are_the_six_allowed_values() {
    for year in 1..9000 {
        let length = year_length(year);
        let allowed: &[i64] = if is_leap_year(year) {
            &[383, 384, 385]
        } else {
            &[353, 354, 355]
        };
        assert!(allowed.contains(&length), "{year}: {length}");
        let sum: i64 = months_of_year(year)
            .map(|month| month_length(year, month))
            .sum();
        assert_eq!(sum, length);
    }
}

/// Walk every civil day across five thousand years: each Hebrew date is
/// the day after the previous one, and converts back to the same civil date.
#[test]
fn every_day_for_five_thousand_years_round_trips() {
    let mut civil = date(-2760, 1, 1);
    let end = date(2240, 12, 31);
    let mut previous = HebrewDate::from_civil(civil);
    let mut days = 0;
    while civil < end {
        civil = civil.tomorrow().unwrap();
        let hebrew = HebrewDate::from_civil(civil);
        assert_eq!(hebrew.to_civil(), Ok(civil));
        assert!(
            is_next_day(previous, hebrew),
            "{previous} then {hebrew} at {civil}"
        );
        previous = hebrew;
        days += 1;
    }
    assert!(days > 5000 * 365);
}

fn is_next_day(before: HebrewDate, after: HebrewDate) -> bool {
    if after.day > 1 {
        return after.year == before.year
            && after.month == before.month
            && after.day == before.day + 1;
    }
    let last_day = before.day == month_length(before.year, before.month);
    let next_month = months_of_year(before.year)
        .skip_while(|m| *m != before.month)
        .nth(1);
    last_day
        && match next_month {
            Some(month) => after.year == before.year && after.month == month,
            None => after.year == before.year + 1 && after.month == HebrewMonth::Tishri,
        }
}

proptest! {
    #[test]
    fn hebrew_dates_round_trip(year in 2000i64..7500, month_index in 0usize..13, day in 1i64..=30) {
        let month = HebrewMonth::ALL[month_index];
        if let Ok(hebrew) = HebrewDate::new(year, month, day) {
            let civil: Date = hebrew.to_civil().unwrap();
            prop_assert_eq!(HebrewDate::from_civil(civil), hebrew);
        }
    }
}

#[test]
fn holidays_sit_on_their_hebrew_dates_for_four_centuries() {
    for year in 5600..6000 {
        let holidays = holidays_of_hebrew_year(year);
        let hebrew_of = |id: HolidayId| {
            let holiday = holidays.iter().find(|h| h.id == id).unwrap();
            let hebrew = HebrewDate::from_civil(holiday.date);
            (hebrew.month, hebrew.day)
        };
        assert_eq!(
            hebrew_of(HolidayId::RoshHashanah1),
            (HebrewMonth::Tishri, 1)
        );
        assert_eq!(hebrew_of(HolidayId::YomKippur), (HebrewMonth::Tishri, 10));
        assert_eq!(hebrew_of(HolidayId::Pesach), (HebrewMonth::Nisan, 15));
        assert_eq!(hebrew_of(HolidayId::Shavuot), (HebrewMonth::Sivan, 6));
        let purim_month = if is_leap_year(year) {
            HebrewMonth::AdarII
        } else {
            HebrewMonth::Adar
        };
        assert_eq!(hebrew_of(HolidayId::Purim), (purim_month, 14));
        let yom_kippur = holidays
            .iter()
            .find(|h| h.id == HolidayId::YomKippur)
            .unwrap()
            .date;
        assert!(
            !matches!(yom_kippur.weekday(), Weekday::Friday | Weekday::Sunday),
            "{year}"
        );
    }
}
