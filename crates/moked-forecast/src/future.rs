//! Forecasting past the end of the history, with 80% prediction intervals.
//!
//! Intervals come from the method's own recent errors: a rolling-origin
//! backtest over the last [`BACKTEST_ORIGINS`] days of the history forecasts
//! up to [`MAX_BACKTEST_LEAD`] days ahead from each origin, and the 10% and
//! 90% empirical quantiles of actual ÷ forecast at each lead (in days) scale
//! the point forecast. Leads beyond those backtested widen the last lead's
//! log-quantiles by √(lead ÷ last lead). Without enough history for that,
//! the interval is Poisson's: forecast ± 1.2816 √forecast.

use crate::ForecastError;
use crate::backtest::ErrorSums;
use crate::history::{History, second_of_day};
use crate::methods::{Method, TargetDay};
use jiff::civil::{DateTime, Time};
use moked_calendar::BusinessCalendar;

/// Origins of the recent backtest behind the automatic choice and the prediction intervals.
pub const BACKTEST_ORIGINS: usize = 40;
/// The furthest lead, in days, that the interval backtest measures.
pub const MAX_BACKTEST_LEAD: usize = 10;
/// Ratios needed at a lead before its quantiles are trusted.
const MIN_RATIOS_PER_LEAD: usize = 30;
/// The standard normal's 90% quantile, for the Poisson fallback.
const Z_90: f64 = 1.281_551_565_545;

/// How to choose the method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodChoice {
    /// The method with the lowest one-day-ahead MAPE in the recent backtest.
    Auto,
    /// This method.
    Fixed(Method),
}

/// The forecast of one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalForecast {
    /// Start of the interval, local civil time.
    pub start: DateTime,
    /// Point forecast of arrivals.
    pub arrivals: f64,
    /// Lower end of the 80% prediction interval.
    pub low: f64,
    /// Upper end of the 80% prediction interval.
    pub high: f64,
}

/// Where the prediction intervals came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntervalSource {
    /// Empirical quantiles of backtest errors over this many origins.
    BacktestQuantiles {
        /// Backtest origins used.
        origins: usize,
    },
    /// The Poisson approximation (history too short for a backtest).
    Poisson,
}

/// A forecast past the end of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The method that made it.
    pub method: Method,
    /// Every open interval of every open day in the horizon, in time order.
    pub intervals: Vec<IntervalForecast>,
    /// How the intervals were computed.
    pub interval_source: IntervalSource,
}

/// Forecasts the open intervals of the `horizon_days` calendar days after the
/// history's last date. Days the calendar closes are left out, and so are
/// intervals outside a day's opening hours (a short Friday, a holiday eve).
pub fn forecast(
    history: &History,
    calendar: &BusinessCalendar,
    choice: MethodChoice,
    horizon_days: i64,
) -> Result<Forecast, ForecastError> {
    let targets = open_targets(history, calendar, horizon_days)?;
    let methods: Vec<Method> = match choice {
        MethodChoice::Auto => Method::ALL.to_vec(),
        MethodChoice::Fixed(method) => vec![method],
    };
    let errors = lead_errors(history, &methods, targets.len().clamp(1, MAX_BACKTEST_LEAD));
    let method = match choice {
        MethodChoice::Fixed(method) => method,
        MethodChoice::Auto => best_by_day_ahead_mape(&errors).unwrap_or(Method::WeekdayAverage),
    };
    let day_forecasts = method
        .forecast(
            history.days(),
            &targets
                .iter()
                .map(|(target, _)| *target)
                .collect::<Vec<_>>(),
        )
        .ok_or(ForecastError::HistoryTooShort(method.name()))?;
    let bands = errors
        .into_iter()
        .find(|entry| entry.method == method)
        .map(|entry| entry.quantiles())
        .unwrap_or_default();
    let interval_source = if bands.is_empty() {
        IntervalSource::Poisson
    } else {
        IntervalSource::BacktestQuantiles {
            origins: BACKTEST_ORIGINS,
        }
    };
    let mut intervals = Vec::new();
    for (lead_index, ((target, open_slots), day)) in targets.iter().zip(day_forecasts).enumerate() {
        for slot in open_slots {
            let arrivals = day[*slot].max(0.0);
            let (low, high) = band(&bands, lead_index + 1, arrivals);
            let start = target.date.to_datetime(history.interval_starts()[*slot]);
            intervals.push(IntervalForecast {
                start,
                arrivals,
                low,
                high,
            });
        }
    }
    Ok(Forecast {
        method,
        intervals,
        interval_source,
    })
}

/// Open days of the horizon, each with the history intervals inside its opening hours.
fn open_targets(
    history: &History,
    calendar: &BusinessCalendar,
    horizon_days: i64,
) -> Result<Vec<(TargetDay, Vec<usize>)>, ForecastError> {
    let mut targets = Vec::new();
    let mut date = history.last_date();
    for _ in 0..horizon_days {
        date = date.tomorrow().map_err(|_| ForecastError::OutOfRange)?;
        let day = calendar.day(date);
        let Some(hours) = day.hours else { continue };
        let open_slots: Vec<usize> = history
            .interval_starts()
            .iter()
            .enumerate()
            .filter(|(_, start)| fits(**start, history.interval_seconds(), hours.open, hours.close))
            .map(|(slot, _)| slot)
            .collect();
        if !open_slots.is_empty() {
            targets.push((
                TargetDay {
                    date,
                    special: day.is_special(),
                },
                open_slots,
            ));
        }
    }
    Ok(targets)
}

/// Whether an interval lies wholly within opening hours.
fn fits(start: Time, length_seconds: i64, open: Time, close: Time) -> bool {
    let start = second_of_day(start);
    let close_second = if close == Time::MAX {
        86_400
    } else {
        second_of_day(close)
    };
    start >= second_of_day(open) && start + length_seconds <= close_second
}

/// One method's backtest ratios actual ÷ forecast by lead, and its day-ahead errors.
struct LeadErrors {
    method: Method,
    ratios_by_lead: Vec<Vec<f64>>,
    day_ahead: ErrorSums,
}

impl LeadErrors {
    /// (10%, 90%) quantiles of the ratios per lead, carrying the previous
    /// lead's forward where a lead has too few ratios; empty if lead 1 has too few.
    fn quantiles(mut self) -> Vec<(f64, f64)> {
        let mut bands: Vec<(f64, f64)> = Vec::new();
        for ratios in &mut self.ratios_by_lead {
            if ratios.len() >= MIN_RATIOS_PER_LEAD {
                ratios.sort_by(f64::total_cmp);
                bands.push((quantile(ratios, 0.1), quantile(ratios, 0.9)));
            } else if let Some(previous) = bands.last().copied() {
                bands.push(previous);
            } else {
                return Vec::new();
            }
        }
        bands
    }
}

fn lead_errors(history: &History, methods: &[Method], max_lead: usize) -> Vec<LeadErrors> {
    let days = history.days();
    let first_origin = days.len().saturating_sub(BACKTEST_ORIGINS).max(1);
    methods
        .iter()
        .map(|&method| {
            let mut entry = LeadErrors {
                method,
                ratios_by_lead: vec![Vec::new(); max_lead],
                day_ahead: ErrorSums::default(),
            };
            for origin in first_origin..days.len() {
                let ahead = &days[origin..days.len().min(origin + max_lead)];
                let targets: Vec<TargetDay> = ahead
                    .iter()
                    .map(|day| TargetDay {
                        date: day.date,
                        special: day.special,
                    })
                    .collect();
                let Some(forecasts) = method.forecast(&days[..origin], &targets) else {
                    continue;
                };
                entry.day_ahead.add(&ahead[0].counts, &forecasts[0]);
                for (lead, (day, forecast)) in ahead.iter().zip(&forecasts).enumerate() {
                    let ratios = day
                        .counts
                        .iter()
                        .zip(forecast)
                        .filter(|(_, f)| **f > 0.0)
                        .map(|(a, f)| a / f);
                    entry.ratios_by_lead[lead].extend(ratios);
                }
            }
            entry
        })
        .collect()
}

fn best_by_day_ahead_mape(errors: &[LeadErrors]) -> Option<Method> {
    errors
        .iter()
        .filter(|entry| entry.day_ahead.mape().is_finite())
        .min_by(|a, b| a.day_ahead.mape().total_cmp(&b.day_ahead.mape()))
        .map(|entry| entry.method)
}

/// Linear interpolation between order statistics of sorted `values`.
fn quantile(sorted: &[f64], probability: f64) -> f64 {
    let position = probability * (sorted.len() - 1) as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    sorted[below] + (sorted[above] - sorted[below]) * (position - below as f64)
}

/// The 80% interval around `arrivals` at `lead` days ahead; always low ≤ arrivals ≤ high.
fn band(bands: &[(f64, f64)], lead: usize, arrivals: f64) -> (f64, f64) {
    let Some(&(low_ratio, high_ratio)) = bands.get(lead - 1).or(bands.last()) else {
        let half_width = Z_90 * arrivals.sqrt();
        return ((arrivals - half_width).max(0.0), arrivals + half_width);
    };
    let widen = if lead > bands.len() {
        (lead as f64 / bands.len() as f64).sqrt()
    } else {
        1.0
    };
    let low = arrivals * (low_ratio.max(f64::MIN_POSITIVE).ln() * widen).exp();
    let high = arrivals * (high_ratio.max(f64::MIN_POSITIVE).ln() * widen).exp();
    (low.min(arrivals).max(0.0), high.max(arrivals))
}
