//! Day total × intraday profile.
//!
//! The day's volume moves from week to week while the shape of the day is
//! stable, so the two are forecast apart: the total by simple exponential
//! smoothing of weekday-adjusted day totals (the smoothing constant fitted
//! on the history's own one-step errors), the shape as the mean share of
//! each interval over the recent days of the same weekday.

use super::{TargetDay, recent_same_weekday};
use crate::history::Day;
use jiff::civil::Weekday;
use std::collections::HashMap;

/// Days looked back for the weekday factors (eight weeks of calendar days).
const WEEKDAY_FACTOR_WINDOW_DAYS: i64 = 56;
/// Same-weekday days averaged for the intraday profile.
const PROFILE_DAYS: usize = 12;
/// Candidate smoothing constants searched for the level (0.05 to 0.95).
const SMOOTHING_GRID: std::ops::RangeInclusive<u32> = 1..=19;

pub(crate) fn forecast(training: &[Day], targets: &[TargetDay]) -> Vec<Vec<f64>> {
    let factors = weekday_factors(training);
    let adjusted: Vec<Option<f64>> = training
        .iter()
        .map(|day| (!day.special).then(|| day.total() / factor_of(&factors, day.weekday())))
        .collect();
    let alpha = fitted_smoothing(&adjusted);
    let levels = smoothed_levels(&adjusted, alpha);
    let level = levels
        .last()
        .copied()
        .flatten()
        .unwrap_or_else(|| mean(training.iter().map(Day::total)));
    let special_factor = special_day_factor(training, &factors, &levels);
    targets
        .iter()
        .map(|target| {
            let special = if target.special { special_factor } else { 1.0 };
            let total = level * factor_of(&factors, target.date.weekday()) * special;
            profile(training, target)
                .into_iter()
                .map(|share| total * share)
                .collect()
        })
        .collect()
}

fn factor_of(factors: &HashMap<Weekday, f64>, weekday: Weekday) -> f64 {
    factors.get(&weekday).copied().unwrap_or(1.0)
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), value| {
        (sum + value, count + 1)
    });
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Each weekday's mean ratio of its total to the mean total of the recent window.
fn weekday_factors(training: &[Day]) -> HashMap<Weekday, f64> {
    let last = training[training.len() - 1].date;
    let window: Vec<&Day> = training
        .iter()
        .filter(|day| {
            !day.special && (last - day.date).get_days() < WEEKDAY_FACTOR_WINDOW_DAYS as i32
        })
        .collect();
    let window_mean = mean(window.iter().map(|day| day.total()));
    let mut ratios: HashMap<Weekday, Vec<f64>> = HashMap::new();
    if window_mean > 0.0 {
        for day in &window {
            ratios
                .entry(day.weekday())
                .or_default()
                .push(day.total() / window_mean);
        }
    }
    ratios
        .into_iter()
        .map(|(weekday, values)| (weekday, mean(values.into_iter())))
        .collect()
}

/// The smoothed level before each day (`None` until the first usable day).
/// Entry `i` is the level after days `..=i`.
fn smoothed_levels(adjusted: &[Option<f64>], alpha: f64) -> Vec<Option<f64>> {
    let mut level: Option<f64> = None;
    adjusted
        .iter()
        .map(|value| {
            if let Some(value) = value {
                level = Some(level.map_or(*value, |level| alpha * value + (1.0 - alpha) * level));
            }
            level
        })
        .collect()
}

/// The smoothing constant with the least mean squared relative one-step error.
fn fitted_smoothing(adjusted: &[Option<f64>]) -> f64 {
    SMOOTHING_GRID
        .map(|step| f64::from(step) / 20.0)
        .map(|alpha| (alpha, relative_one_step_error(adjusted, alpha)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(0.5, |(alpha, _)| alpha)
}

fn relative_one_step_error(adjusted: &[Option<f64>], alpha: f64) -> f64 {
    let mut level: Option<f64> = None;
    let mut squared = 0.0;
    for value in adjusted.iter().flatten() {
        if let Some(previous) = level.filter(|previous| *previous > 0.0) {
            squared += ((value - previous) / previous).powi(2);
        }
        level = Some(level.map_or(*value, |level| alpha * value + (1.0 - alpha) * level));
    }
    squared
}

/// How much special days' totals differ from what their level and weekday predicted.
fn special_day_factor(
    training: &[Day],
    factors: &HashMap<Weekday, f64>,
    levels: &[Option<f64>],
) -> f64 {
    let ratios: Vec<f64> = training
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, day)| day.special)
        .filter_map(|(index, day)| {
            let expected = levels[index - 1]? * factor_of(factors, day.weekday());
            (expected > 0.0).then(|| day.total() / expected)
        })
        .collect();
    if ratios.is_empty() {
        1.0
    } else {
        mean(ratios.into_iter())
    }
}

/// The mean share of each interval in the day over recent same-weekday days.
fn profile(training: &[Day], target: &TargetDay) -> Vec<f64> {
    let slots = training[0].counts.len();
    let days: Vec<&Day> = recent_same_weekday(training, target.date.weekday(), PROFILE_DAYS, true)
        .into_iter()
        .filter(|day| day.total() > 0.0)
        .collect();
    if days.is_empty() {
        return vec![0.0; slots];
    }
    (0..slots)
        .map(|slot| mean(days.iter().map(|day| day.counts[slot] / day.total())))
        .collect()
}
