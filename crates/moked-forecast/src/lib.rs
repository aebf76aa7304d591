//! Forecasting contact arrivals per interval, with prediction intervals.
//!
//! Input: counts per interval at local civil times ([`Observation`]),
//! arranged by [`History`] into days × intervals of the day. Methods
//! ([`Method`]): seasonal naive, same-weekday average, double-seasonal
//! Holt–Winters (Taylor 2003) and day total × intraday profile; the
//! automatic choice takes the best by rolling-origin backtest. [`forecast`]
//! forecasts the open intervals after the history ends (closed days and
//! hours from a [`moked_calendar::BusinessCalendar`] are left out; its
//! special days are a model input) with 80% prediction intervals from the
//! backtest's empirical error quantiles; [`backtest`] scores every method.
//!
//! Pure and deterministic: no IO, no clock.

mod backtest;
mod future;
mod history;
mod methods;
mod optimize;

pub use backtest::{BacktestReport, MethodScore, backtest};
pub use future::{
    BACKTEST_ORIGINS, Forecast, IntervalForecast, IntervalSource, MAX_BACKTEST_LEAD, MethodChoice,
    forecast,
};
pub use history::{Day, History, Observation};
pub use methods::{Method, TargetDay};

use jiff::civil::{Date, DateTime};

/// Why a history cannot be used or a forecast cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// No observations at all.
    #[error("the history is empty")]
    EmptyHistory,
    /// The interval length does not divide a day into whole intervals.
    #[error("an interval of {0} s does not divide a day")]
    IntervalDoesNotDivideADay(i64),
    /// The interval is not a whole number of the observations' steps.
    #[error(
        "an interval of {interval_seconds} s is not a multiple of the history's step of {step_seconds} s"
    )]
    IntervalNotMultipleOfStep {
        /// The requested interval.
        interval_seconds: i64,
        /// The observations' step.
        step_seconds: i64,
    },
    /// No interval of the day is fully covered by the observations.
    #[error("no interval of the day is fully covered by the history")]
    NoCompleteInterval,
    /// A count is negative or not a number.
    #[error("the count at {0} is negative or not a number")]
    BadCount(DateTime),
    /// A day does not have one count per interval.
    #[error("the day {0} does not have one count per interval")]
    RaggedDay(Date),
    /// The method needs more history than there is.
    #[error("the history is too short for the method {0}")]
    HistoryTooShort(&'static str),
    /// The horizon runs past the dates that can be represented.
    #[error("the horizon runs past the supported dates")]
    OutOfRange,
}
