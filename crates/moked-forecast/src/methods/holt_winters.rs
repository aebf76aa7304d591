//! Double-seasonal Holt–Winters exponential smoothing (Taylor, 2003).
//!
//! The series is the history's intervals in order, open intervals only, so
//! nights, weekends and missing days are skipped rather than modelled. The
//! daily cycle is one open day's intervals; the weekly cycle is indexed by
//! (weekday, interval), so a missing day (a holiday gap) does not shift it.
//! Multiplicative level × daily × weekly, with Taylor's AR(1) adjustment of
//! the one-step error:
//!
//! ```text
//! forecast(t+k) = level(t) · daily(s) · weekly(w, s) + φ^k · e(t)
//! ```
//!
//! α, δ, ω and φ are fitted by Nelder–Mead on the in-sample sum of squared
//! one-step errors after a two-week warm-up.

use super::TargetDay;
use crate::history::Day;
use crate::optimize::nelder_mead;
use jiff::civil::Weekday;

/// Days used to initialise the seasonal indices, and skipped when fitting.
const WARM_UP_DAYS: usize = 10;
/// Evaluations allowed to the optimiser.
const MAX_EVALUATIONS: usize = 300;
/// Keeps divisions by seasonal indices finite on zero counts.
const SMALLEST_INDEX: f64 = 1e-6;

/// Smoothing parameters: level α, daily δ, weekly ω, and the AR(1) φ.
#[derive(Debug, Clone, Copy)]
struct Parameters {
    alpha: f64,
    delta: f64,
    omega: f64,
    phi: f64,
}

impl Parameters {
    /// Parameters from an unconstrained optimiser point, clamped to [0, 1].
    fn from_point(point: &[f64]) -> Parameters {
        let unit = |value: f64| value.clamp(0.0, 1.0);
        Parameters {
            alpha: unit(point[0]),
            delta: unit(point[1]),
            omega: unit(point[2]),
            phi: unit(point[3]),
        }
    }
}

/// The state after smoothing a series.
struct State {
    level: f64,
    daily: Vec<f64>,
    weekly: [Vec<f64>; 7],
    last_error: f64,
}

impl State {
    fn initial(days: &[Day]) -> State {
        let slots = days[0].counts.len();
        let warm_up = &days[..days.len().min(WARM_UP_DAYS)];
        let level = warm_up.iter().map(Day::total).sum::<f64>() / (warm_up.len() * slots) as f64;
        let level = level.max(SMALLEST_INDEX);
        let daily: Vec<f64> = (0..slots)
            .map(|slot| {
                let mean =
                    warm_up.iter().map(|day| day.counts[slot]).sum::<f64>() / warm_up.len() as f64;
                (mean / level).max(SMALLEST_INDEX)
            })
            .collect();
        let weekly = std::array::from_fn(|weekday_index| {
            let same: Vec<&Day> = warm_up
                .iter()
                .filter(|day| day.weekday().to_monday_zero_offset() as usize == weekday_index)
                .collect();
            (0..slots)
                .map(|slot| {
                    if same.is_empty() {
                        return 1.0;
                    }
                    let mean =
                        same.iter().map(|day| day.counts[slot]).sum::<f64>() / same.len() as f64;
                    (mean / (level * daily[slot])).max(SMALLEST_INDEX)
                })
                .collect()
        });
        State {
            level,
            daily,
            weekly,
            last_error: 0.0,
        }
    }

    fn base_forecast(&self, weekday: Weekday, slot: usize) -> f64 {
        self.level * self.daily[slot] * self.weekly[weekday.to_monday_zero_offset() as usize][slot]
    }

    /// Takes one observation in; returns the one-step error (with the AR term).
    fn update(&mut self, parameters: Parameters, weekday: Weekday, slot: usize, value: f64) -> f64 {
        let week = weekday.to_monday_zero_offset() as usize;
        let base = self.base_forecast(weekday, slot);
        let error = value - (base + parameters.phi * self.last_error);
        let daily = self.daily[slot];
        let weekly = self.weekly[week][slot];
        let level =
            parameters.alpha * value / (daily * weekly) + (1.0 - parameters.alpha) * self.level;
        let level = level.max(SMALLEST_INDEX);
        self.daily[slot] = (parameters.delta * value / (level * weekly)
            + (1.0 - parameters.delta) * daily)
            .max(SMALLEST_INDEX);
        self.weekly[week][slot] = (parameters.omega * value / (level * daily)
            + (1.0 - parameters.omega) * weekly)
            .max(SMALLEST_INDEX);
        self.level = level;
        self.last_error = value - base;
        error
    }
}

/// Smooths the whole training series; returns the state and the sum of
/// squared one-step errors after the warm-up.
fn smooth(days: &[Day], parameters: Parameters) -> (State, f64) {
    let mut state = State::initial(days);
    let mut squared = 0.0;
    for (index, day) in days.iter().enumerate() {
        for (slot, value) in day.counts.iter().enumerate() {
            let error = state.update(parameters, day.weekday(), slot, *value);
            if index >= WARM_UP_DAYS {
                squared += error * error;
            }
        }
    }
    (state, squared)
}

/// Forecasts the target days, or `None` with less than three weeks of days
/// (two to warm up, one to fit on).
pub(crate) fn forecast(training: &[Day], targets: &[TargetDay]) -> Option<Vec<Vec<f64>>> {
    if training.len() < WARM_UP_DAYS + 5 {
        return None;
    }
    let objective = |point: &[f64]| smooth(training, Parameters::from_point(point)).1;
    let (best, _) = nelder_mead(&objective, &[0.05, 0.1, 0.1, 0.5], 0.1, MAX_EVALUATIONS);
    let parameters = Parameters::from_point(&best);
    let (state, _) = smooth(training, parameters);
    let slots = training[0].counts.len();
    let last_date = training[training.len() - 1].date;
    Some(
        targets
            .iter()
            .map(|target| {
                let days_ahead = (target.date - last_date).get_days().max(1) as usize;
                (0..slots)
                    .map(|slot| {
                        let steps = (days_ahead - 1) * slots + slot + 1;
                        let ar = parameters.phi.powi(steps.min(i32::MAX as usize) as i32)
                            * state.last_error;
                        (state.base_forecast(target.date.weekday(), slot) + ar).max(0.0)
                    })
                    .collect()
            })
            .collect(),
    )
}
