//! Israeli holidays derived from the Hebrew calendar, with the rules that
//! move Yom HaAtzmaut, Yom HaZikaron, Yom HaShoah and Tisha B'Av away from
//! Shabbat.
//!
//! A holiday is placed on the civil day of its daytime; its evening start
//! is expressed by the preceding eve (erev chag), a short working day.

use crate::hebrew::{HebrewDate, HebrewMonth, civil_of, is_leap_year, weekday_of};
use jiff::civil::Date;

/// How a holiday affects a business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum DayKind {
    /// A rest day: businesses are closed.
    Closed,
    /// A working day that ends early (the eve of a holiday).
    Short,
    /// A working day with unusual demand (Hol HaMoed, Hanukkah, memorial days).
    Special,
}

/// Which holiday a day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HolidayId {
    /// ערב ראש השנה.
    ErevRoshHashanah,
    /// ראש השנה, first day.
    RoshHashanah1,
    /// ראש השנה, second day.
    RoshHashanah2,
    /// ערב יום כיפור.
    ErevYomKippur,
    /// יום כיפור.
    YomKippur,
    /// ערב סוכות.
    ErevSukkot,
    /// סוכות, the first day.
    Sukkot,
    /// חול המועד סוכות.
    SukkotHolHaMoed,
    /// הושענא רבה, the eve of Shemini Atzeret.
    HoshanaRabbah,
    /// שמיני עצרת / שמחת תורה.
    SheminiAtzeret,
    /// חנוכה (eight days).
    Hanukkah,
    /// פורים.
    Purim,
    /// ערב פסח.
    ErevPesach,
    /// פסח, the first day.
    Pesach,
    /// חול המועד פסח.
    PesachHolHaMoed,
    /// ערב שביעי של פסח.
    ErevSeventhDayOfPesach,
    /// שביעי של פסח.
    SeventhDayOfPesach,
    /// יום השואה.
    YomHaShoah,
    /// יום הזיכרון, the eve of Yom HaAtzmaut.
    YomHaZikaron,
    /// יום העצמאות.
    YomHaAtzmaut,
    /// ערב שבועות.
    ErevShavuot,
    /// שבועות.
    Shavuot,
    /// תשעה באב.
    TishaBAv,
}

impl HolidayId {
    /// The holiday's Hebrew name.
    pub fn hebrew_name(self) -> &'static str {
        match self {
            HolidayId::ErevRoshHashanah => "ערב ראש השנה",
            HolidayId::RoshHashanah1 => "ראש השנה א׳",
            HolidayId::RoshHashanah2 => "ראש השנה ב׳",
            HolidayId::ErevYomKippur => "ערב יום כיפור",
            HolidayId::YomKippur => "יום כיפור",
            HolidayId::ErevSukkot => "ערב סוכות",
            HolidayId::Sukkot => "סוכות",
            HolidayId::SukkotHolHaMoed => "חול המועד סוכות",
            HolidayId::HoshanaRabbah => "הושענא רבה",
            HolidayId::SheminiAtzeret => "שמיני עצרת / שמחת תורה",
            HolidayId::Hanukkah => "חנוכה",
            HolidayId::Purim => "פורים",
            HolidayId::ErevPesach => "ערב פסח",
            HolidayId::Pesach => "פסח",
            HolidayId::PesachHolHaMoed => "חול המועד פסח",
            HolidayId::ErevSeventhDayOfPesach => "ערב שביעי של פסח",
            HolidayId::SeventhDayOfPesach => "שביעי של פסח",
            HolidayId::YomHaShoah => "יום השואה",
            HolidayId::YomHaZikaron => "יום הזיכרון",
            HolidayId::YomHaAtzmaut => "יום העצמאות",
            HolidayId::ErevShavuot => "ערב שבועות",
            HolidayId::Shavuot => "שבועות",
            HolidayId::TishaBAv => "תשעה באב",
        }
    }

    /// The holiday's English name.
    pub fn english_name(self) -> &'static str {
        match self {
            HolidayId::ErevRoshHashanah => "Erev Rosh Hashanah",
            HolidayId::RoshHashanah1 => "Rosh Hashanah (day 1)",
            HolidayId::RoshHashanah2 => "Rosh Hashanah (day 2)",
            HolidayId::ErevYomKippur => "Erev Yom Kippur",
            HolidayId::YomKippur => "Yom Kippur",
            HolidayId::ErevSukkot => "Erev Sukkot",
            HolidayId::Sukkot => "Sukkot",
            HolidayId::SukkotHolHaMoed => "Sukkot (Hol HaMoed)",
            HolidayId::HoshanaRabbah => "Hoshana Rabbah",
            HolidayId::SheminiAtzeret => "Shemini Atzeret / Simchat Torah",
            HolidayId::Hanukkah => "Hanukkah",
            HolidayId::Purim => "Purim",
            HolidayId::ErevPesach => "Erev Pesach",
            HolidayId::Pesach => "Pesach",
            HolidayId::PesachHolHaMoed => "Pesach (Hol HaMoed)",
            HolidayId::ErevSeventhDayOfPesach => "Erev Seventh Day of Pesach",
            HolidayId::SeventhDayOfPesach => "Seventh Day of Pesach",
            HolidayId::YomHaShoah => "Yom HaShoah",
            HolidayId::YomHaZikaron => "Yom HaZikaron",
            HolidayId::YomHaAtzmaut => "Yom HaAtzmaut",
            HolidayId::ErevShavuot => "Erev Shavuot",
            HolidayId::Shavuot => "Shavuot",
            HolidayId::TishaBAv => "Tisha B'Av",
        }
    }

    /// Whether the day is closed, short or special for a business.
    pub fn kind(self) -> DayKind {
        match self {
            HolidayId::RoshHashanah1
            | HolidayId::RoshHashanah2
            | HolidayId::YomKippur
            | HolidayId::Sukkot
            | HolidayId::SheminiAtzeret
            | HolidayId::Pesach
            | HolidayId::SeventhDayOfPesach
            | HolidayId::YomHaAtzmaut
            | HolidayId::Shavuot => DayKind::Closed,
            HolidayId::ErevRoshHashanah
            | HolidayId::ErevYomKippur
            | HolidayId::ErevSukkot
            | HolidayId::HoshanaRabbah
            | HolidayId::ErevPesach
            | HolidayId::ErevSeventhDayOfPesach
            | HolidayId::YomHaZikaron
            | HolidayId::ErevShavuot => DayKind::Short,
            HolidayId::SukkotHolHaMoed
            | HolidayId::Hanukkah
            | HolidayId::Purim
            | HolidayId::PesachHolHaMoed
            | HolidayId::YomHaShoah
            | HolidayId::TishaBAv => DayKind::Special,
        }
    }
}

/// A holiday on a civil date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Holiday {
    /// Which holiday.
    pub id: HolidayId,
    /// The civil date of its daytime.
    pub date: Date,
}

impl Holiday {
    /// The holiday's Hebrew name.
    pub fn hebrew_name(&self) -> &'static str {
        self.id.hebrew_name()
    }

    /// The holiday's English name.
    pub fn english_name(&self) -> &'static str {
        self.id.english_name()
    }

    /// Whether the day is closed, short or special.
    pub fn kind(&self) -> DayKind {
        self.id.kind()
    }
}

/// The Hebrew year in which the State of Israel was founded (Yom HaAtzmaut
/// and Yom HaZikaron exist from then on).
const FIRST_YEAR_OF_THE_STATE: i64 = 5708;
/// The Hebrew year Yom HaShoah was first held on 27 Nisan.
const FIRST_YEAR_OF_YOM_HASHOAH: i64 = 5711;

const FRIDAY: i64 = 5;
const SATURDAY: i64 = 6;
const SUNDAY: i64 = 0;
const MONDAY: i64 = 1;

/// Every holiday of Hebrew `year` (Tishri to Elul), in date order.
pub fn holidays_of_hebrew_year(year: i64) -> Vec<Holiday> {
    use HebrewMonth::{Av, Elul, Nisan, Sivan, Tishri};
    let mut days: Vec<Holiday> = Vec::new();
    let mut push = |id: HolidayId, month: HebrewMonth, day: i64| {
        if let Some(date) = civil_of(year, month, day) {
            days.push(Holiday { id, date });
        }
    };
    push(HolidayId::RoshHashanah1, Tishri, 1);
    push(HolidayId::RoshHashanah2, Tishri, 2);
    push(HolidayId::ErevYomKippur, Tishri, 9);
    push(HolidayId::YomKippur, Tishri, 10);
    push(HolidayId::ErevSukkot, Tishri, 14);
    push(HolidayId::Sukkot, Tishri, 15);
    for day in 16..=20 {
        push(HolidayId::SukkotHolHaMoed, Tishri, day);
    }
    push(HolidayId::HoshanaRabbah, Tishri, 21);
    push(HolidayId::SheminiAtzeret, Tishri, 22);
    push(HolidayId::Purim, purim_month(year), 14);
    push(HolidayId::ErevPesach, Nisan, 14);
    push(HolidayId::Pesach, Nisan, 15);
    for day in 16..=19 {
        push(HolidayId::PesachHolHaMoed, Nisan, day);
    }
    push(HolidayId::ErevSeventhDayOfPesach, Nisan, 20);
    push(HolidayId::SeventhDayOfPesach, Nisan, 21);
    push(HolidayId::ErevShavuot, Sivan, 5);
    push(HolidayId::Shavuot, Sivan, 6);
    push(HolidayId::TishaBAv, Av, tisha_b_av_day(year));
    push(HolidayId::ErevRoshHashanah, Elul, 29);
    days.extend(hanukkah(year));
    if year >= FIRST_YEAR_OF_YOM_HASHOAH {
        days.extend(yom_hashoah(year));
    }
    if year >= FIRST_YEAR_OF_THE_STATE {
        days.extend(independence_and_memorial_days(year));
    }
    days.sort_by_key(|holiday| holiday.date);
    days
}

/// Purim is in Adar II in a leap year.
fn purim_month(year: i64) -> HebrewMonth {
    if is_leap_year(year) {
        HebrewMonth::AdarII
    } else {
        HebrewMonth::Adar
    }
}

/// 9 Av, postponed to Sunday 10 Av when it falls on Shabbat.
fn tisha_b_av_day(year: i64) -> i64 {
    match civil_of(year, HebrewMonth::Av, 9) {
        Some(date) if weekday_of(date) == SATURDAY => 10,
        _ => 9,
    }
}

/// Eight days from 25 Kislev, running into Tevet (whose start depends on
/// Kislev's length, so the days are counted on the civil calendar).
fn hanukkah(year: i64) -> Vec<Holiday> {
    let Some(first) = civil_of(year, HebrewMonth::Kislev, 25) else {
        return Vec::new();
    };
    (0..8)
        .filter_map(|offset| first.checked_add(jiff::Span::new().days(offset)).ok())
        .map(|date| Holiday {
            id: HolidayId::Hanukkah,
            date,
        })
        .collect()
}

/// 27 Nisan; moved to Thursday when it falls on Friday, and to Monday when
/// it falls on Sunday (so that it does not touch Shabbat).
fn yom_hashoah(year: i64) -> Option<Holiday> {
    let nominal = civil_of(year, HebrewMonth::Nisan, 27)?;
    let day = match weekday_of(nominal) {
        FRIDAY => 26,
        SUNDAY => 28,
        _ => 27,
    };
    Some(Holiday {
        id: HolidayId::YomHaShoah,
        date: civil_of(year, HebrewMonth::Nisan, day)?,
    })
}

/// Yom HaAtzmaut is 5 Iyar, moved to Thursday when 5 Iyar is Friday (4 Iyar)
/// or Shabbat (3 Iyar), and to Tuesday 6 Iyar when it is Monday, so that
/// Yom HaZikaron, the day before, never follows Shabbat directly.
fn independence_and_memorial_days(year: i64) -> Vec<Holiday> {
    let Some(nominal) = civil_of(year, HebrewMonth::Iyar, 5) else {
        return Vec::new();
    };
    let day = match weekday_of(nominal) {
        FRIDAY => 4,
        SATURDAY => 3,
        MONDAY => 6,
        _ => 5,
    };
    let mut days = Vec::new();
    if let Some(date) = civil_of(year, HebrewMonth::Iyar, day) {
        days.push(Holiday {
            id: HolidayId::YomHaZikaron,
            date: date.yesterday().unwrap_or(date),
        });
        days.push(Holiday {
            id: HolidayId::YomHaAtzmaut,
            date,
        });
    }
    days
}

/// The holiday on a civil date, if any (holidays never overlap).
pub fn holiday_on(date: Date) -> Option<Holiday> {
    let year = HebrewDate::from_civil(date).year;
    holidays_of_hebrew_year(year)
        .into_iter()
        .find(|holiday| holiday.date == date)
}

/// Every holiday whose date lies in the civil year `year`, in date order.
pub fn holidays_of_civil_year(year: i16) -> Vec<Holiday> {
    let hebrew_year = i64::from(year) + 3760;
    let mut days: Vec<Holiday> = (hebrew_year..=hebrew_year + 1)
        .flat_map(holidays_of_hebrew_year)
        .filter(|holiday| holiday.date.year() == year)
        .collect();
    days.sort_by_key(|holiday| holiday.date);
    days
}
