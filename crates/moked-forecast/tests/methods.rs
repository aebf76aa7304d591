//! Forecasting methods, backtests and forecasts on synthetic histories whose
//! right answer is known.

use jiff::civil::{Date, Time, date, time};
use moked_calendar::{BusinessCalendar, HolidaySet, OpeningHours, WorkWeek};
use moked_forecast::{
    Day, ForecastError, History, IntervalSource, Method, MethodChoice, Observation, TargetDay,
    backtest, forecast,
};
use proptest::prelude::*;

const SLOTS: usize = 8;

fn starts() -> Vec<Time> {
    (0..SLOTS as i8)
        .map(|slot| time(9 + slot, 0, 0, 0))
        .collect()
}

/// Weekdays from `first` for `count` days, Monday to Friday only.
fn weekdays(first: Date, count: usize) -> Vec<Date> {
    let mut dates = Vec::new();
    let mut day = first;
    while dates.len() < count {
        if day.weekday().to_monday_one_offset() <= 5 {
            dates.push(day);
        }
        day = day.tomorrow().unwrap();
    }
    dates
}

/// level × daily shape × weekday effect, with an optional deterministic wobble.
fn synthetic(count: usize, wobble: f64) -> History {
    let days = weekdays(date(2025, 1, 6), count)
        .into_iter()
        .enumerate()
        .map(|(index, day)| {
            let weekday_effect =
                [1.2, 1.0, 0.95, 0.9, 0.8][day.weekday().to_monday_zero_offset() as usize];
            let counts = (0..SLOTS)
                .map(|slot| {
                    let shape = 1.0 + 0.5 * ((slot as f64) * 0.8).sin();
                    let noise = 1.0 + wobble * (((index * 7 + slot * 3) % 11) as f64 - 5.0) / 5.0;
                    100.0 * weekday_effect * shape * noise
                })
                .collect();
            Day {
                date: day,
                special: false,
                counts,
            }
        })
        .collect();
    History::from_days(3600, starts(), days).unwrap()
}

fn mon_fri() -> BusinessCalendar {
    let hours = OpeningHours::new(time(9, 0, 0, 0), time(17, 0, 0, 0)).unwrap();
    let short = OpeningHours::new(time(9, 0, 0, 0), time(13, 0, 0, 0)).unwrap();
    BusinessCalendar::new(WorkWeek::monday_to_friday(hours, short), HolidaySet::None)
}

fn target(day: Date) -> TargetDay {
    TargetDay {
        date: day,
        special: false,
    }
}

#[test]
fn every_method_reproduces_a_noiseless_weekly_pattern() {
    let history = synthetic(60, 0.0);
    let days = history.days();
    let (training, actual) = days.split_at(55);
    for method in Method::ALL {
        let forecasts = method
            .forecast(training, &[target(actual[0].date)])
            .unwrap();
        for (forecast, expected) in forecasts[0].iter().zip(&actual[0].counts) {
            assert!(
                (forecast - expected).abs() < 0.5,
                "{}: {forecast} vs {expected}",
                method.name()
            );
        }
    }
}

#[test]
fn holt_winters_needs_three_weeks_and_the_others_one_day() {
    let history = synthetic(12, 0.0);
    let next = target(date(2025, 3, 3));
    assert!(
        Method::HoltWinters
            .forecast(history.days(), &[next])
            .is_none()
    );
    assert!(
        Method::SeasonalNaive
            .forecast(&history.days()[..1], &[next])
            .is_some()
    );
    assert!(Method::WeekdayAverage.forecast(&[], &[next]).is_none());
}

#[test]
fn special_days_scale_the_day_total() {
    let mut days = synthetic(60, 0.0).days().to_vec();
    for index in [20, 35, 50] {
        days[index].special = true;
        days[index]
            .counts
            .iter_mut()
            .for_each(|count| *count *= 1.5);
    }
    let history = History::from_days(3600, starts(), days.clone()).unwrap();
    let next = days[59]
        .date
        .tomorrow()
        .unwrap()
        .tomorrow()
        .unwrap()
        .tomorrow()
        .unwrap();
    let plain = Method::DayTotalProfile
        .forecast(history.days(), &[target(next)])
        .unwrap();
    let special = Method::DayTotalProfile
        .forecast(
            history.days(),
            &[TargetDay {
                date: next,
                special: true,
            }],
        )
        .unwrap();
    let ratio = special[0].iter().sum::<f64>() / plain[0].iter().sum::<f64>();
    assert!((ratio - 1.5).abs() < 0.01, "{ratio}");
}

#[test]
fn backtest_scores_every_method_and_the_automatic_choice() {
    let history = synthetic(80, 0.05);
    let report = backtest(&history, 20, 10);
    let names: Vec<&str> = report
        .scores
        .iter()
        .map(|score| score.method.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "seasonal-naive",
            "weekday-average",
            "holt-winters",
            "day-total-profile",
            "auto"
        ]
    );
    assert!(
        report
            .scores
            .iter()
            .all(|score| score.days == 20 && score.mape.is_finite() && score.rmse >= 0.0)
    );
    let winner = report
        .scores
        .iter()
        .find(|score| score.method == report.winner.name())
        .unwrap();
    assert!(
        report.scores[..4]
            .iter()
            .all(|score| score.mape >= winner.mape)
    );
    assert_eq!(report.auto_choices.values().sum::<usize>(), 20);
}

#[test]
fn forecast_starts_after_the_history_and_skips_closed_days() {
    let history = synthetic(60, 0.05);
    let outcome = forecast(&history, &mon_fri(), MethodChoice::Auto, 7).unwrap();
    let first = outcome.intervals[0].start;
    assert_eq!(
        first.date(),
        history
            .last_date()
            .tomorrow()
            .unwrap()
            .tomorrow()
            .unwrap()
            .tomorrow()
            .unwrap()
    );
    assert_eq!(first.time(), time(9, 0, 0, 0));
    assert_eq!(
        outcome.intervals.len(),
        5 * SLOTS,
        "five weekdays in seven days"
    );
    assert!(matches!(
        outcome.interval_source,
        IntervalSource::BacktestQuantiles { .. }
    ));
    for interval in &outcome.intervals {
        assert!(
            interval.low <= interval.arrivals && interval.arrivals <= interval.high,
            "{interval:?}"
        );
        assert!(interval.start.date().weekday().to_monday_one_offset() <= 5);
    }
}

#[test]
fn israeli_holidays_are_closed_and_eves_are_cut_short() {
    // A history ending just before Pesach 5785 (Saturday 12 April 2025 is its eve; the first day
    // is Sunday 13 April, the seventh Saturday 19 April, its eve Friday 18 April).
    let days = weekdays(date(2025, 1, 6), 80)
        .into_iter()
        .filter(|day| *day <= date(2025, 4, 10))
        .map(|day| Day {
            date: day,
            special: false,
            counts: vec![10.0; SLOTS],
        })
        .collect();
    let history = History::from_days(3600, starts(), days).unwrap();
    let full = OpeningHours::new(time(9, 0, 0, 0), time(17, 0, 0, 0)).unwrap();
    let short = OpeningHours::new(time(9, 0, 0, 0), time(13, 0, 0, 0)).unwrap();
    let calendar = BusinessCalendar::new(WorkWeek::israel(full, short), HolidaySet::Israel);
    let outcome = forecast(
        &history,
        &calendar,
        MethodChoice::Fixed(Method::WeekdayAverage),
        10,
    )
    .unwrap();
    let on = |day: Date| {
        outcome
            .intervals
            .iter()
            .filter(|interval| interval.start.date() == day)
            .count()
    };
    assert_eq!(on(date(2025, 4, 11)), 4, "Friday: 09:00 to 13:00");
    assert_eq!(on(date(2025, 4, 12)), 0, "Shabbat");
    assert_eq!(on(date(2025, 4, 13)), 0, "Pesach");
    assert_eq!(on(date(2025, 4, 14)), SLOTS, "Hol HaMoed is open");
    assert_eq!(
        on(date(2025, 4, 18)),
        4,
        "the eve of the seventh day is short"
    );
}

#[test]
fn observations_are_summed_and_partial_intervals_dropped() {
    let day = date(2025, 1, 6);
    let observations: Vec<Observation> = (0..14)
        .map(|step| Observation {
            start: day.at(7, 0, 0, 0) + jiff::Span::new().minutes(5 * step),
            count: 1.0,
        })
        .collect();
    let history = History::from_observations(&observations, 1800, |_| false).unwrap();
    assert_eq!(
        history.interval_starts(),
        [time(7, 0, 0, 0), time(7, 30, 0, 0)]
    );
    assert_eq!(
        history.days()[0].counts,
        [6.0, 6.0],
        "08:00 holds two of six steps and is left out"
    );
    assert_eq!(history.close_time(), time(8, 0, 0, 0));
    assert!(matches!(
        History::from_observations(&observations, 7 * 60, |_| false),
        Err(ForecastError::IntervalDoesNotDivideADay(_)
            | ForecastError::IntervalNotMultipleOfStep { .. })
    ));
    assert_eq!(
        History::from_observations(&[], 1800, |_| false),
        Err(ForecastError::EmptyHistory)
    );
}

#[test]
fn short_histories_fall_back_to_poisson_intervals() {
    let history = synthetic(3, 0.0);
    let outcome = forecast(
        &history,
        &mon_fri(),
        MethodChoice::Fixed(Method::SeasonalNaive),
        3,
    )
    .unwrap();
    assert_eq!(outcome.interval_source, IntervalSource::Poisson);
    let first = outcome.intervals[0];
    assert!((first.high - first.arrivals - 1.2816 * first.arrivals.sqrt()).abs() < 1e-3);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn forecasts_are_finite_non_negative_and_ordered(
        counts in proptest::collection::vec(0u32..500, SLOTS * 20),
        method in 0usize..4,
    ) {
        let days = weekdays(date(2025, 1, 6), 20)
            .into_iter()
            .zip(counts.chunks(SLOTS))
            .map(|(day, counts)| Day { date: day, special: false, counts: counts.iter().map(|c| f64::from(*c)).collect() })
            .collect();
        let history = History::from_days(3600, starts(), days).unwrap();
        let outcome = forecast(&history, &mon_fri(), MethodChoice::Fixed(Method::ALL[method]), 14);
        if let Ok(outcome) = outcome {
            for interval in outcome.intervals {
                prop_assert!(interval.arrivals.is_finite() && interval.low >= 0.0);
                prop_assert!(interval.low <= interval.arrivals && interval.arrivals <= interval.high);
            }
        }
    }
}

#[test]
fn an_interval_ending_at_midnight_is_forecast() {
    let observations: Vec<Observation> = weekdays(date(2025, 1, 6), 10)
        .into_iter()
        .flat_map(|day| {
            [time(23, 0, 0, 0), time(23, 30, 0, 0)].map(|start| Observation {
                start: day.to_datetime(start),
                count: 5.0,
            })
        })
        .collect();
    let history = History::from_observations(&observations, 1800, |_| false).unwrap();
    assert_eq!(history.close_time(), Time::MAX);
    let hours = OpeningHours::new(history.interval_starts()[0], history.close_time()).unwrap();
    let calendar =
        BusinessCalendar::new(WorkWeek::monday_to_friday(hours, hours), HolidaySet::None);
    let outcome = forecast(
        &history,
        &calendar,
        MethodChoice::Fixed(Method::WeekdayAverage),
        3,
    )
    .unwrap();
    let starts: Vec<Time> = outcome
        .intervals
        .iter()
        .map(|interval| interval.start.time())
        .collect();
    assert_eq!(starts, [time(23, 0, 0, 0), time(23, 30, 0, 0)]);
}
