//! Seasonal naive and same-weekday average: the baselines.

use super::{TargetDay, recent_same_weekday};
use crate::history::Day;

/// Each target day as the interval-by-interval mean of the last `weeks`
/// days with its weekday (one week: the seasonal naive forecast).
pub(crate) fn same_weekday_mean(
    training: &[Day],
    targets: &[TargetDay],
    weeks: usize,
) -> Vec<Vec<f64>> {
    targets
        .iter()
        .map(|target| {
            let days = recent_same_weekday(training, target.date.weekday(), weeks, false);
            let slots = training[0].counts.len();
            (0..slots)
                .map(|slot| {
                    days.iter().map(|day| day.counts[slot]).sum::<f64>() / days.len() as f64
                })
                .collect()
        })
        .collect()
}
