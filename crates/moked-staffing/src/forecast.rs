//! Per-interval requirements for a forecast: reading the forecast table and
//! staffing every interval of it.
//!
//! Accepted forecast text: one interval per line, three fields — the interval
//! start (any non-empty text, kept as written, e.g. `2026-11-22T08:00`), the
//! arrivals in the interval (a number ≥ 0) and the mean handling time (a
//! duration such as `180s` or `3m`, or a bare number of seconds). Fields are
//! separated by commas, semicolons or tabs. A first line whose arrivals field
//! is not a number is a header; empty lines and lines starting with `#` are skipped.

use crate::model::{Load, Metrics, Model, Scenario, StaffingError};
use crate::staffing::{Targets, required_agents};
use moked_domain::Seconds;
use serde::Serialize;

/// One interval of a forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct IntervalForecast {
    /// The 1-based line of the forecast text it was read from (0 if built in code).
    pub line: usize,
    /// The interval's start as written in the forecast.
    pub start: String,
    /// Contacts expected in the interval.
    pub arrivals: f64,
    /// Mean handling time in seconds.
    pub aht_seconds: f64,
}

/// A forecast line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: field `{field}`: {message}")]
pub struct ForecastParseError {
    /// The 1-based line.
    pub line: usize,
    /// The field: `start`, `arrivals` or `aht`.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

fn split_fields(line: &str) -> Vec<&str> {
    let separator = [',', ';', '\t']
        .into_iter()
        .find(|c| line.contains(*c))
        .unwrap_or(',');
    line.split(separator).map(str::trim).collect()
}

fn parse_aht(text: &str) -> Result<f64, String> {
    let seconds = match text.parse::<f64>() {
        Ok(number) => number,
        Err(_) => Seconds::parse(text)
            .map_err(|error| error.to_string())?
            .as_secs(),
    };
    if seconds.is_finite() && seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(format!("{text:?} is not a positive handling time"))
    }
}

/// Reads a forecast (see the module documentation for the accepted forms).
pub fn parse_forecast(text: &str) -> Result<Vec<IntervalForecast>, ForecastParseError> {
    let mut intervals = Vec::new();
    let mut seen_data_or_header = false;
    for (index, raw) in text.lines().enumerate() {
        let line_number = index + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = split_fields(line);
        let error = |field: &'static str, message: String| ForecastParseError {
            line: line_number,
            field,
            message,
        };
        if fields.len() != 3 {
            return Err(error(
                "start",
                format!(
                    "expected 3 fields (start, arrivals, aht), found {}",
                    fields.len()
                ),
            ));
        }
        let is_first = !seen_data_or_header;
        seen_data_or_header = true;
        let arrivals = match fields[1].parse::<f64>() {
            Ok(value) => value,
            Err(_) if is_first => continue,
            Err(_) => {
                return Err(error(
                    "arrivals",
                    format!("{:?} is not a number", fields[1]),
                ));
            }
        };
        if !(arrivals.is_finite() && arrivals >= 0.0) {
            return Err(error(
                "arrivals",
                format!("{arrivals} is not a count of 0 or more"),
            ));
        }
        if fields[0].is_empty() {
            return Err(error("start", "is empty".to_owned()));
        }
        let aht_seconds = parse_aht(fields[2]).map_err(|message| error("aht", message))?;
        intervals.push(IntervalForecast {
            line: line_number,
            start: fields[0].to_owned(),
            arrivals,
            aht_seconds,
        });
    }
    Ok(intervals)
}

/// The requirement of one interval.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalRequirement {
    /// The interval's start as written in the forecast.
    pub start: String,
    /// Contacts expected in the interval.
    pub arrivals: f64,
    /// Mean handling time in seconds.
    pub aht_seconds: f64,
    /// Least agents meeting every target (0 for an interval without contacts).
    pub agents: u32,
    /// Agents to schedule after shrinkage.
    pub scheduled_agents: u32,
    /// Metrics of `agents` agents; `None` for an interval without contacts.
    pub metrics: Option<Metrics>,
}

/// How every interval is staffed: model, threshold, targets and shrinkage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalPolicy {
    /// The queueing model.
    pub model: Model,
    /// Interval length in seconds (arrivals per interval become a rate).
    pub interval_seconds: f64,
    /// Service-level threshold in seconds.
    pub sl_seconds: f64,
    /// The targets.
    pub targets: Targets,
    /// Share of paid time off the phones.
    pub shrinkage: f64,
}

/// A staffing error at the interval with this 0-based index.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("interval {index} ({start}): {source}")]
pub struct IntervalError {
    /// The interval's 0-based index in the forecast.
    pub index: usize,
    /// Its start as written.
    pub start: String,
    /// Why it cannot be staffed.
    pub source: StaffingError,
}

/// The requirement of one interval.
pub fn interval_requirement(
    interval: &IntervalForecast,
    policy: &IntervalPolicy,
) -> Result<IntervalRequirement, StaffingError> {
    let blank = IntervalRequirement {
        start: interval.start.clone(),
        arrivals: interval.arrivals,
        aht_seconds: interval.aht_seconds,
        agents: 0,
        scheduled_agents: 0,
        metrics: None,
    };
    if interval.arrivals == 0.0 {
        return Ok(blank);
    }
    let per_hour = interval.arrivals * 3600.0 / policy.interval_seconds;
    let scenario = Scenario::new(
        policy.model,
        Load::new(per_hour, interval.aht_seconds)?,
        policy.sl_seconds,
    )?;
    let requirement = required_agents(&scenario, &policy.targets, policy.shrinkage)?;
    Ok(IntervalRequirement {
        agents: requirement.agents,
        scheduled_agents: requirement.scheduled_agents,
        metrics: Some(requirement.metrics),
        ..blank
    })
}

/// The requirement of every interval, in order.
pub fn interval_requirements(
    intervals: &[IntervalForecast],
    policy: &IntervalPolicy,
) -> Result<Vec<IntervalRequirement>, IntervalError> {
    intervals
        .iter()
        .enumerate()
        .map(|(index, interval)| {
            interval_requirement(interval, policy).map_err(|source| IntervalError {
                index,
                start: interval.start.clone(),
                source,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_header_separators_and_duration_forms() {
        let text =
            "start;arrivals;aht\n# שבוע ראשון\n2026-11-22T08:00;100;3m\n\n2026-11-22T08:30;0;180\n";
        let intervals = parse_forecast(text).expect("valid forecast");
        assert_eq!(intervals.len(), 2);
        assert_eq!(intervals[0].aht_seconds, 180.0);
        assert_eq!(intervals[1].arrivals, 0.0);
    }

    #[test]
    fn names_line_and_field_of_bad_values() {
        let error = parse_forecast("08:00,100,3m\n08:30,many,3m\n").expect_err("bad arrivals");
        assert_eq!((error.line, error.field), (2, "arrivals"));
        let error = parse_forecast("08:00,100,three minutes\n").expect_err("bad aht");
        assert_eq!((error.line, error.field), (1, "aht"));
        let error = parse_forecast("08:00,100\n").expect_err("missing field");
        assert_eq!(error.line, 1);
    }
}
