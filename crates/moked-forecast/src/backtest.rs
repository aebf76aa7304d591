//! Rolling-origin evaluation: for each test day, train on every day before
//! it (the origin is the end of the previous day in the history) and
//! forecast it. Scores every method, and the automatic choice, which at each
//! origin takes the method with the lowest MAPE over the preceding
//! `selection_days` origins — so it never looks at the day it forecasts.

use crate::history::History;
use crate::methods::{Method, TargetDay};
use std::collections::BTreeMap;

/// The score of one method over the test days.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodScore {
    /// The method's name (`auto` for the automatic choice).
    pub method: String,
    /// Mean absolute percentage error, in percent, over intervals with a non-zero actual.
    pub mape: f64,
    /// Root mean squared error over all intervals.
    pub rmse: f64,
    /// How many test days it was scored on.
    pub days: usize,
}

/// What a backtest found.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestReport {
    /// One score per method, then `auto`.
    pub scores: Vec<MethodScore>,
    /// How often the automatic choice picked each method over the test days.
    pub auto_choices: BTreeMap<&'static str, usize>,
    /// The method with the lowest MAPE over the whole test period.
    pub winner: Method,
}

/// One-day-ahead forecasts of the history's day `index`, trained on the days before it.
pub(crate) fn day_ahead(history: &History, method: Method, index: usize) -> Option<Vec<f64>> {
    let days = history.days();
    let target = TargetDay {
        date: days[index].date,
        special: days[index].special,
    };
    method
        .forecast(&days[..index], &[target])
        .and_then(|mut forecasts| forecasts.pop())
}

/// Error sums for MAPE and RMSE.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ErrorSums {
    absolute_percentage: f64,
    percentage_count: usize,
    squared: f64,
    count: usize,
}

impl ErrorSums {
    pub(crate) fn add(&mut self, actual: &[f64], forecast: &[f64]) {
        for (actual, forecast) in actual.iter().zip(forecast) {
            if *actual > 0.0 {
                self.absolute_percentage += (actual - forecast).abs() / actual;
                self.percentage_count += 1;
            }
            self.squared += (actual - forecast).powi(2);
            self.count += 1;
        }
    }

    pub(crate) fn mape(&self) -> f64 {
        if self.percentage_count == 0 {
            f64::INFINITY
        } else {
            100.0 * self.absolute_percentage / self.percentage_count as f64
        }
    }

    fn rmse(&self) -> f64 {
        if self.count == 0 {
            f64::INFINITY
        } else {
            (self.squared / self.count as f64).sqrt()
        }
    }
}

/// Scores every method, one day ahead, on the last `test_days` days of the
/// history, with the automatic choice selecting over `selection_days`.
pub fn backtest(history: &History, test_days: usize, selection_days: usize) -> BacktestReport {
    let days = history.days();
    let test_start = days.len().saturating_sub(test_days).max(1);
    let first_origin = test_start.saturating_sub(selection_days).max(1);
    let forecasts: BTreeMap<Method, Vec<Option<Vec<f64>>>> = Method::ALL
        .into_iter()
        .map(|method| {
            (
                method,
                (first_origin..days.len())
                    .map(|index| day_ahead(history, method, index))
                    .collect(),
            )
        })
        .collect();
    let forecast_of =
        |method: Method, index: usize| forecasts[&method][index - first_origin].as_deref();
    let mut scores = Vec::new();
    let mut winner = (Method::WeekdayAverage, f64::INFINITY);
    for method in Method::ALL {
        let mut sums = ErrorSums::default();
        let mut scored = 0;
        for (index, day) in days.iter().enumerate().skip(test_start) {
            if let Some(forecast) = forecast_of(method, index) {
                sums.add(&day.counts, forecast);
                scored += 1;
            }
        }
        if scored > 0 && sums.mape() < winner.1 {
            winner = (method, sums.mape());
        }
        scores.push(MethodScore {
            method: method.name().to_owned(),
            mape: sums.mape(),
            rmse: sums.rmse(),
            days: scored,
        });
    }
    let mut auto_sums = ErrorSums::default();
    let mut auto_choices = BTreeMap::new();
    let mut auto_days = 0;
    for (index, day) in days.iter().enumerate().skip(test_start) {
        let choice = choose(
            &forecast_of,
            history,
            index.saturating_sub(selection_days).max(first_origin)..index,
        );
        if let Some(forecast) = forecast_of(choice, index) {
            auto_sums.add(&day.counts, forecast);
            *auto_choices.entry(choice.name()).or_insert(0) += 1;
            auto_days += 1;
        }
    }
    scores.push(MethodScore {
        method: "auto".to_owned(),
        mape: auto_sums.mape(),
        rmse: auto_sums.rmse(),
        days: auto_days,
    });
    BacktestReport {
        scores,
        auto_choices,
        winner: winner.0,
    }
}

/// The method with the lowest MAPE over the origins in `window` (the
/// weekday average when the window is empty or no method could forecast).
fn choose<'a>(
    forecast_of: &dyn Fn(Method, usize) -> Option<&'a [f64]>,
    history: &History,
    window: std::ops::Range<usize>,
) -> Method {
    Method::ALL
        .into_iter()
        .filter_map(|method| {
            let mut sums = ErrorSums::default();
            for index in window.clone() {
                sums.add(&history.days()[index].counts, forecast_of(method, index)?);
            }
            sums.mape().is_finite().then_some((method, sums.mape()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(Method::WeekdayAverage, |(method, _)| method)
}
