//! Reading the shift catalog (`SHIFTS.toml`) and the agents (`AGENTS.toml`) from text.
//!
//! Errors carry the 1-based line and the field, so the command line can point
//! at the exact place. Durations are written `8h30m`, `30m`; times of day
//! `07:30` (hours past 24 reach into the next day); weekdays `sun`..`sat`.

use crate::catalog::{BreakPlacement, BreakRule, ShiftTemplate};
use crate::horizon::{parse_time_of_day, parse_weekday, weekday_index};
use crate::roster::Agent;
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A mistake in an input file, with its place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The field (key or dotted path), when known.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The shift catalog and the options of shift selection.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftCatalog {
    /// The shift templates.
    pub templates: Vec<ShiftTemplate>,
    /// Cost of one missing agent in one interval; `None` makes coverage a hard rule.
    pub under_staffing_penalty: Option<f64>,
    /// At most this many agents on duty in any interval.
    pub max_per_interval: Option<u32>,
    /// Stop shift selection after this many seconds.
    pub time_limit_seconds: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    under_staffing_penalty: Option<Spanned<f64>>,
    max_per_interval: Option<u32>,
    time_limit: Option<Spanned<String>>,
    #[serde(default)]
    shift: Vec<RawShift>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShift {
    name: Spanned<String>,
    start: Option<Spanned<String>>,
    #[serde(default)]
    starts: Vec<Spanned<String>>,
    every: Option<Spanned<String>>,
    last_start: Option<Spanned<String>>,
    length: Spanned<String>,
    cost: Option<Spanned<f64>>,
    #[serde(default)]
    days: Vec<Spanned<String>>,
    skill: Option<String>,
    #[serde(default)]
    undesirable: bool,
    #[serde(default, rename = "break")]
    breaks: Vec<RawBreak>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBreak {
    length: Spanned<String>,
    #[serde(default)]
    paid: bool,
    at: Option<Spanned<String>>,
    earliest: Option<Spanned<String>>,
    latest: Option<Spanned<String>>,
}

/// The longest shift accepted: one day.
pub const MAX_SHIFT_MINUTES: u32 = 24 * 60;

/// Parses a `SHIFTS.toml` text.
pub fn parse_shift_catalog(text: &str) -> Result<ShiftCatalog, InputError> {
    let raw: RawCatalog = toml::from_str(text).map_err(|error| syntax_error(text, &error))?;
    let place = Place { text };
    if raw.shift.is_empty() {
        return Err(InputError {
            line: None,
            field: Some("shift".into()),
            message: "the catalog has no [[shift]]".into(),
        });
    }
    let templates = raw
        .shift
        .iter()
        .map(|shift| place.template(shift))
        .collect::<Result<_, _>>()?;
    let under_staffing_penalty = match raw.under_staffing_penalty {
        Some(penalty) if !(penalty.get_ref().is_finite() && *penalty.get_ref() > 0.0) => {
            return Err(place.error(
                &penalty,
                "under_staffing_penalty",
                "must be a positive number",
            ));
        }
        penalty => penalty.map(Spanned::into_inner),
    };
    let time_limit_seconds = raw
        .time_limit
        .as_ref()
        .map(|limit| {
            place
                .minutes(limit, "time_limit")
                .map(|m| f64::from(m) * 60.0)
        })
        .transpose()?;
    Ok(ShiftCatalog {
        templates,
        under_staffing_penalty,
        max_per_interval: raw.max_per_interval,
        time_limit_seconds,
    })
}

/// Where spans point: turns byte offsets into lines.
struct Place<'a> {
    text: &'a str,
}

impl Place<'_> {
    fn error<T>(&self, value: &Spanned<T>, field: &str, message: impl Into<String>) -> InputError {
        InputError {
            line: Some(line_of(self.text, value.span().start)),
            field: Some(field.into()),
            message: message.into(),
        }
    }

    fn minutes(&self, value: &Spanned<String>, field: &str) -> Result<u32, InputError> {
        let seconds = moked_domain::Seconds::parse(value.get_ref())
            .map_err(|error| self.error(value, field, error.to_string()))?
            .as_secs();
        if seconds % 60.0 != 0.0 || seconds > f64::from(u32::MAX) {
            return Err(self.error(value, field, "must be whole minutes"));
        }
        Ok((seconds / 60.0) as u32)
    }

    fn time_of_day(&self, value: &Spanned<String>, field: &str) -> Result<u32, InputError> {
        parse_time_of_day(value.get_ref()).ok_or_else(|| {
            self.error(
                value,
                field,
                format!("`{}` is not a time HH:MM", value.get_ref()),
            )
        })
    }

    fn template(&self, raw: &RawShift) -> Result<ShiftTemplate, InputError> {
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(self.error(&raw.name, "name", "must not be empty"));
        }
        let minutes = self.minutes(&raw.length, "length")?;
        if minutes == 0 || minutes > MAX_SHIFT_MINUTES {
            return Err(self.error(
                &raw.length,
                "length",
                "must be longer than zero and at most 24h",
            ));
        }
        let starts = self.starts(raw)?;
        let breaks = raw
            .breaks
            .iter()
            .map(|rule| self.break_rule(rule, minutes))
            .collect::<Result<Vec<_>, _>>()?;
        let cost = match &raw.cost {
            Some(cost) if !(cost.get_ref().is_finite() && *cost.get_ref() >= 0.0) => {
                return Err(self.error(cost, "cost", "must be a number at least 0"));
            }
            cost => cost.as_ref().map(|cost| *cost.get_ref()),
        };
        let weekdays = raw
            .days
            .iter()
            .map(|day| {
                parse_weekday(day.get_ref()).ok_or_else(|| {
                    self.error(day, "days", format!("`{}` is not a weekday", day.get_ref()))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(ShiftTemplate {
            name,
            starts,
            minutes,
            breaks,
            cost,
            weekdays,
            skill: raw.skill.clone(),
            undesirable: raw.undesirable,
        })
    }

    /// `start`, a list `starts`, or `start` + `every` + `last_start` for a range.
    fn starts(&self, raw: &RawShift) -> Result<Vec<u32>, InputError> {
        let mut starts = raw
            .starts
            .iter()
            .map(|start| self.time_of_day(start, "starts"))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(first) = &raw.start {
            let first_minute = self.time_of_day(first, "start")?;
            match (&raw.every, &raw.last_start) {
                (Some(every), Some(last)) => {
                    let step = self.minutes(every, "every")?;
                    let last_minute = self.time_of_day(last, "last_start")?;
                    if step == 0 || last_minute < first_minute {
                        return Err(self.error(
                            every,
                            "every",
                            "needs a positive step and last_start not before start",
                        ));
                    }
                    starts.extend((first_minute..=last_minute).step_by(step as usize));
                }
                (None, None) => starts.push(first_minute),
                (Some(every), None) => {
                    return Err(self.error(every, "last_start", "`every` needs `last_start`"));
                }
                (None, Some(last)) => {
                    return Err(self.error(last, "every", "`last_start` needs `every`"));
                }
            }
        }
        if starts.is_empty() {
            return Err(self.error(&raw.name, "start", "a shift needs `start` or `starts`"));
        }
        if let Some(late) = starts.iter().find(|&&start| start >= 24 * 60) {
            return Err(self.error(
                &raw.name,
                "start",
                format!("start {late} minutes is not within the day"),
            ));
        }
        starts.sort_unstable();
        starts.dedup();
        Ok(starts)
    }

    fn break_rule(&self, raw: &RawBreak, shift_minutes: u32) -> Result<BreakRule, InputError> {
        let minutes = self.minutes(&raw.length, "break.length")?;
        let placement = match (&raw.at, &raw.earliest, &raw.latest) {
            (Some(at), None, None) => BreakPlacement::Fixed(self.minutes(at, "break.at")?),
            (None, Some(earliest), Some(latest)) => BreakPlacement::Window {
                earliest: self.minutes(earliest, "break.earliest")?,
                latest: self.minutes(latest, "break.latest")?,
            },
            _ => {
                return Err(self.error(
                    &raw.length,
                    "break",
                    "a break needs either `at` or both `earliest` and `latest`",
                ));
            }
        };
        let last_offset = match placement {
            BreakPlacement::Fixed(at) => at,
            BreakPlacement::Window { earliest, latest } if earliest <= latest => latest,
            BreakPlacement::Window { .. } => {
                return Err(self.error(&raw.length, "break.latest", "is before `earliest`"));
            }
        };
        if minutes == 0 || last_offset + minutes > shift_minutes {
            return Err(self.error(&raw.length, "break", "the break must lie inside the shift"));
        }
        Ok(BreakRule {
            minutes,
            paid: raw.paid,
            placement,
        })
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn syntax_error(text: &str, error: &toml::de::Error) -> InputError {
    let message = error.message().to_string();
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains('`'))
        .map(str::to_string);
    InputError {
        line: error.span().map(|span| line_of(text, span.start)),
        field,
        message,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgents {
    min_rest: Option<Spanned<String>>,
    #[serde(default)]
    contract: BTreeMap<String, RawContract>,
    #[serde(default)]
    agent: Vec<RawAgent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContract {
    min_hours: Option<Spanned<f64>>,
    max_hours: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgent {
    name: Spanned<String>,
    contract: Option<Spanned<String>>,
    min_hours: Option<Spanned<f64>>,
    max_hours: Option<Spanned<f64>>,
    #[serde(default)]
    skills: Vec<String>,
    #[serde(default)]
    unavailable: Vec<Spanned<toml::Value>>,
    min_rest: Option<Spanned<String>>,
    availability: Option<BTreeMap<String, Vec<Spanned<String>>>>,
}

/// The least rest between shifts when `AGENTS.toml` names none: 11 hours,
/// the usual daily rest in labour law.
pub const DEFAULT_MIN_REST_MINUTES: u32 = 11 * 60;

/// Parses an `AGENTS.toml` text.
pub fn parse_agents(text: &str) -> Result<Vec<Agent>, InputError> {
    let raw: RawAgents = toml::from_str(text).map_err(|error| syntax_error(text, &error))?;
    let place = Place { text };
    if raw.agent.is_empty() {
        return Err(InputError {
            line: None,
            field: Some("agent".into()),
            message: "the file has no [[agent]]".into(),
        });
    }
    let default_rest = raw
        .min_rest
        .as_ref()
        .map(|rest| place.minutes(rest, "min_rest"))
        .transpose()?
        .unwrap_or(DEFAULT_MIN_REST_MINUTES);
    raw.agent
        .iter()
        .map(|agent| place.agent(agent, &raw.contract, default_rest))
        .collect()
}

impl Place<'_> {
    fn agent(
        &self,
        raw: &RawAgent,
        contracts: &BTreeMap<String, RawContract>,
        default_rest: u32,
    ) -> Result<Agent, InputError> {
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(self.error(&raw.name, "name", "must not be empty"));
        }
        let contract = match &raw.contract {
            Some(key) => Some(contracts.get(key.get_ref()).ok_or_else(|| {
                self.error(
                    key,
                    "contract",
                    format!("no [contract.{}] is defined", key.get_ref()),
                )
            })?),
            None => None,
        };
        let max_hours = raw
            .max_hours
            .as_ref()
            .or(contract.map(|c| &c.max_hours))
            .ok_or_else(|| {
                self.error(&raw.name, "max_hours", "needs `max_hours` or a `contract`")
            })?;
        let min_hours = raw
            .min_hours
            .as_ref()
            .or(contract.and_then(|c| c.min_hours.as_ref()));
        let max_weekly_minutes = self.hours(max_hours, "max_hours")?;
        let min_weekly_minutes = min_hours
            .map(|hours| self.hours(hours, "min_hours"))
            .transpose()?
            .unwrap_or(0);
        if min_weekly_minutes > max_weekly_minutes {
            return Err(self.error(max_hours, "min_hours", "is above max_hours"));
        }
        Ok(Agent {
            name,
            min_weekly_minutes,
            max_weekly_minutes,
            skills: raw.skills.clone(),
            availability: raw
                .availability
                .as_ref()
                .map(|table| self.availability(table))
                .transpose()?,
            unavailable_dates: raw
                .unavailable
                .iter()
                .map(|value| self.date(value))
                .collect::<Result<_, _>>()?,
            min_rest_minutes: raw
                .min_rest
                .as_ref()
                .map(|rest| self.minutes(rest, "min_rest"))
                .transpose()?
                .unwrap_or(default_rest),
        })
    }

    fn hours(&self, value: &Spanned<f64>, field: &str) -> Result<u32, InputError> {
        let hours = *value.get_ref();
        if !(hours.is_finite() && (0.0..=168.0).contains(&hours)) {
            return Err(self.error(value, field, "must be between 0 and 168 hours"));
        }
        Ok((hours * 60.0).round() as u32)
    }

    fn date(&self, value: &Spanned<toml::Value>) -> Result<Date, InputError> {
        let text = match value.get_ref() {
            toml::Value::String(text) => text.clone(),
            toml::Value::Datetime(datetime) => datetime.to_string(),
            other => other.to_string(),
        };
        text.parse::<Date>().map_err(|_| {
            self.error(
                value,
                "unavailable",
                format!("`{text}` is not a date YYYY-MM-DD"),
            )
        })
    }

    fn availability(
        &self,
        table: &BTreeMap<String, Vec<Spanned<String>>>,
    ) -> Result<[Vec<(u32, u32)>; 7], InputError> {
        let mut windows: [Vec<(u32, u32)>; 7] = Default::default();
        for (day, ranges) in table {
            let field = format!("availability.{day}");
            let weekday = parse_weekday(day).ok_or_else(|| InputError {
                line: ranges
                    .first()
                    .map(|range| line_of(self.text, range.span().start)),
                field: Some(field.clone()),
                message: format!("`{day}` is not a weekday"),
            })?;
            for range in ranges {
                windows[weekday_index(weekday)].push(self.window(range, &field)?);
            }
        }
        Ok(windows)
    }

    /// `HH:MM-HH:MM`; an end at or before the start reaches into the next day.
    fn window(&self, range: &Spanned<String>, field: &str) -> Result<(u32, u32), InputError> {
        let parsed = range
            .get_ref()
            .split_once('-')
            .and_then(|(from, to)| Some((parse_time_of_day(from)?, parse_time_of_day(to)?)));
        match parsed {
            Some((from, to)) if from < 24 * 60 => {
                Ok((from, if to <= from { to + 24 * 60 } else { to }))
            }
            _ => Err(self.error(
                range,
                field,
                format!("`{}` is not a window HH:MM-HH:MM", range.get_ref()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIFTS: &str = r#"
under_staffing_penalty = 50.0

[[shift]]
name = "בוקר"
start = "07:00"
every = "30m"
last_start = "08:00"
length = "8h30m"
days = ["sun", "mon", "tue", "wed", "thu"]

[[shift.break]]
length = "30m"
earliest = "3h"
latest = "5h"

[[shift]]
name = "לילה"
starts = ["23:00"]
length = "8h"
cost = 12.5
undesirable = true
"#;

    #[test]
    fn reads_a_catalog() {
        let catalog = parse_shift_catalog(SHIFTS).unwrap();
        assert_eq!(catalog.under_staffing_penalty, Some(50.0));
        let morning = &catalog.templates[0];
        assert_eq!(morning.starts, vec![420, 450, 480]);
        assert_eq!(morning.minutes, 510);
        assert_eq!(morning.weekdays.len(), 5);
        assert_eq!(morning.paid_minutes(), 480);
        assert_eq!(
            morning.breaks[0].placement,
            BreakPlacement::Window {
                earliest: 180,
                latest: 300
            }
        );
        assert!(catalog.templates[1].undesirable);
        assert_eq!(catalog.templates[1].cost(), 12.5);
    }

    #[test]
    fn points_at_the_bad_line_and_field() {
        let bad = SHIFTS.replace("length = \"8h\"", "length = \"8 hours\"");
        let error = parse_shift_catalog(&bad).unwrap_err();
        assert_eq!(error.line, Some(20));
        assert_eq!(error.field.as_deref(), Some("length"));
        let unknown = SHIFTS.replace("undesirable = true", "undesireable = true");
        let error = parse_shift_catalog(&unknown).unwrap_err();
        assert_eq!(error.line, Some(22));
        assert_eq!(error.field.as_deref(), Some("undesireable"));
    }

    const AGENTS: &str = r#"
min_rest = "11h"

[contract.student]
min_hours = 8
max_hours = 20

[[agent]]
name = "נועה"
contract = "student"
skills = ["english"]
unavailable = [2026-11-24, "2026-11-26"]

[agent.availability]
sun = ["08:00-16:00", "18:00-02:00"]

[[agent]]
name = "איתי"
max_hours = 42
min_rest = "12h"
"#;

    #[test]
    fn reads_agents_with_contracts_and_availability() {
        let agents = parse_agents(AGENTS).unwrap();
        let noa = &agents[0];
        assert_eq!(
            (noa.min_weekly_minutes, noa.max_weekly_minutes),
            (480, 1200)
        );
        assert_eq!(noa.unavailable_dates.len(), 2);
        let windows = noa.availability.as_ref().unwrap();
        assert_eq!(windows[0], vec![(480, 960), (1080, 1560)]);
        assert!(windows[1].is_empty());
        assert_eq!(noa.min_rest_minutes, 660);
        assert_eq!(agents[1].min_rest_minutes, 720);
        assert!(agents[1].availability.is_none());
    }

    #[test]
    fn names_a_missing_contract() {
        let bad = AGENTS.replace("contract = \"student\"", "contract = \"intern\"");
        let error = parse_agents(&bad).unwrap_err();
        assert_eq!(error.line, Some(10));
        assert_eq!(error.field.as_deref(), Some("contract"));
    }
}
