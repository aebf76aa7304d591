//! Time to backtest and forecast a synthetic 30-week history of half-hours.
#![allow(missing_docs)] // criterion_group! generates an undocumented public function.

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::civil::{Date, Time, date};
use moked_calendar::{BusinessCalendar, HolidaySet, OpeningHours, WorkWeek};
use moked_forecast::{Day, History, MethodChoice, backtest, forecast};
use std::hint::black_box;

fn synthetic_history() -> History {
    let starts: Vec<Time> = (0..28)
        .map(|slot| Time::new(7 + slot / 2, (slot % 2) * 30, 0, 0).unwrap())
        .collect();
    let first: Date = date(2025, 1, 6);
    let days = (0..210)
        .filter_map(|offset| first.checked_add(jiff::Span::new().days(offset)).ok())
        .filter(|day| day.weekday().to_monday_one_offset() <= 5)
        .enumerate()
        .map(|(index, day)| Day {
            date: day,
            special: false,
            counts: (0..28)
                .map(|slot| 100.0 + 40.0 * ((slot as f64) / 4.0).sin() + (index % 7) as f64 * 3.0)
                .collect(),
        })
        .collect();
    History::from_days(1800, starts, days).unwrap()
}

fn benches(criterion: &mut Criterion) {
    let history = synthetic_history();
    let hours = OpeningHours::new(
        Time::new(7, 0, 0, 0).unwrap(),
        Time::new(21, 0, 0, 0).unwrap(),
    )
    .unwrap();
    let calendar =
        BusinessCalendar::new(WorkWeek::monday_to_friday(hours, hours), HolidaySet::None);
    criterion.bench_function("backtest 40 days, every method", |b| {
        b.iter(|| backtest(black_box(&history), 40, 20))
    });
    criterion.bench_function("auto forecast 14 days", |b| {
        b.iter(|| forecast(black_box(&history), &calendar, MethodChoice::Auto, 14).unwrap())
    });
}

criterion_group!(forecast_benches, benches);
criterion_main!(forecast_benches);
