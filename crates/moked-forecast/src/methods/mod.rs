//! Forecasting methods. Each one looks at the days before an origin and
//! forecasts whole target days on the history's grid of intervals.

mod day_total;
mod holt_winters;
mod naive;

use crate::history::Day;
use jiff::civil::{Date, Weekday};

/// A day to forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetDay {
    /// Its date (after every training day).
    pub date: Date,
    /// Whether the calendar marks it as special.
    pub special: bool,
}

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// The same weekday one week earlier (the last such day in the history).
    SeasonalNaive,
    /// The mean of the same weekday over the last eight weeks.
    WeekdayAverage,
    /// Double-seasonal Holt–Winters (Taylor 2003): daily and weekly cycles,
    /// multiplicative, with an AR(1) adjustment; parameters fitted by
    /// Nelder–Mead on the in-sample one-step squared error.
    HoltWinters,
    /// The day's total (exponentially smoothed weekday-adjusted totals ×
    /// weekday factor × special-day factor) times its intraday profile (the
    /// mean share of each interval over recent same weekdays).
    DayTotalProfile,
}

impl Method {
    /// Every method, in the order reports list them.
    pub const ALL: [Method; 4] = [
        Method::SeasonalNaive,
        Method::WeekdayAverage,
        Method::HoltWinters,
        Method::DayTotalProfile,
    ];

    /// The method's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Method::SeasonalNaive => "seasonal-naive",
            Method::WeekdayAverage => "weekday-average",
            Method::HoltWinters => "holt-winters",
            Method::DayTotalProfile => "day-total-profile",
        }
    }

    /// The method named `name`, if any.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|method| method.name() == name)
    }

    /// Forecasts each target day from the training days (oldest first), or
    /// `None` when the training is too short for this method.
    pub fn forecast(self, training: &[Day], targets: &[TargetDay]) -> Option<Vec<Vec<f64>>> {
        if training.is_empty() {
            return None;
        }
        match self {
            Method::SeasonalNaive => Some(naive::same_weekday_mean(training, targets, 1)),
            Method::WeekdayAverage => Some(naive::same_weekday_mean(
                training,
                targets,
                WEEKDAY_AVERAGE_WEEKS,
            )),
            Method::HoltWinters => holt_winters::forecast(training, targets),
            Method::DayTotalProfile => Some(day_total::forecast(training, targets)),
        }
    }
}

/// Weeks averaged by [`Method::WeekdayAverage`].
const WEEKDAY_AVERAGE_WEEKS: usize = 8;

/// The most recent `count` training days with `weekday`, newest first; when
/// the history never saw that weekday, the most recent days of any weekday.
pub(crate) fn recent_same_weekday(
    training: &[Day],
    weekday: Weekday,
    count: usize,
    skip_special: bool,
) -> Vec<&Day> {
    let usable = |day: &&Day| !(skip_special && day.special);
    let same: Vec<&Day> = training
        .iter()
        .rev()
        .filter(usable)
        .filter(|day| day.weekday() == weekday)
        .take(count)
        .collect();
    if same.is_empty() {
        training.iter().rev().filter(usable).take(count).collect()
    } else {
        same
    }
}
