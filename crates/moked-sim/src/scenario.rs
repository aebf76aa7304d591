//! Scenario files: the TOML a planner writes, parsed and checked into a
//! [`Scenario`] the simulator can run.
//!
//! Parsing takes text, never a path: the CLI reads the scenario and any CSV
//! of arrival counts it names, through the loader passed to [`Scenario::parse_with`].
//! Every error carries the line and the field it is about.

use crate::arrivals::ArrivalProfile;
use crate::distribution::Duration;
use moked_domain::{Channel, Seconds};
use moked_routing::{AgentSelection, EngineConfig};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// The highest skill proficiency.
pub const MAX_LEVEL: u8 = 5;
const MAX_REPLICATIONS: i64 = 100_000;
const MAX_AGENTS_PER_GROUP: i64 = 1_000_000;
const MAX_CAPACITY: i64 = 100;
/// Arrival rates above this are typing mistakes, and would make a run endless.
const MAX_PER_HOUR: f64 = 10_000_000.0;
/// Per-interval statistics are kept in memory for every interval of a run.
const MAX_INTERVALS: f64 = 2_000_000.0;
const DAY_SECONDS: f64 = 86_400.0;
/// The most skills one queue (or one widening step) can require: the routing engine's limit.
pub const MAX_REQUIRED_SKILLS: usize = moked_routing::spec::MAX_REQUIRED_SKILLS;

/// A scenario that could not be used, with where and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}field `{field}`: {message}", line.map(|line| format!("line {line}: ")).unwrap_or_default())]
pub struct ScenarioError {
    /// The 1-based line in the scenario text, when known.
    pub line: Option<usize>,
    /// The dotted path of the field, such as `queue[1].handle_time`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

/// Everything one simulation needs, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Run length, warmup, replications, seed and reporting interval.
    pub simulation: Settings,
    /// The queues, in file order.
    pub queues: Vec<QueueModel>,
    /// The agent groups, in file order.
    pub agent_groups: Vec<AgentGroupModel>,
    /// Every skill named anywhere, sorted; [`SkillLevel::skill`] indexes it.
    pub skills: Vec<String>,
    /// The routing engine's policy (`[routing]`).
    pub routing: EngineConfig,
}

/// The `[simulation]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Simulated seconds per replication, warmup included.
    pub duration: f64,
    /// Seconds at the start whose contacts are not counted.
    pub warmup: f64,
    /// Independent runs, each with its own random stream.
    pub replications: u32,
    /// Replication `i` draws from the seed `seed + i`.
    pub seed: u64,
    /// Width of the per-interval series, in seconds.
    pub interval: f64,
}

/// A skill and a proficiency level (1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SkillLevel {
    /// Index into [`Scenario::skills`].
    pub skill: usize,
    /// The level: held by an agent, or the minimum a contact requires.
    pub level: u8,
}

/// After a contact has waited `after` seconds, its required levels become `skills`.
#[derive(Debug, Clone, PartialEq)]
pub struct Widening {
    /// Seconds of waiting before the rule applies.
    pub after: f64,
    /// The relaxed requirements.
    pub skills: Vec<SkillLevel>,
}

/// After `after` seconds of waiting, a contact moves to another queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    /// Seconds of waiting before moving.
    pub after: f64,
    /// Index of the target queue in [`Scenario::queues`].
    pub to: usize,
}

/// Callers who abandoned call again with this probability after a delay.
#[derive(Debug, Clone, PartialEq)]
pub struct Redial {
    /// Chance that an abandoning caller tries again.
    pub probability: f64,
    /// Time until the new attempt.
    pub delay: Duration,
}

/// One `[[queue]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueModel {
    /// Shown in reports.
    pub name: String,
    /// The channel its contacts arrive on.
    pub channel: Channel,
    /// When contacts arrive.
    pub arrivals: ArrivalProfile,
    /// Time an agent spends on a contact.
    pub handle_time: Duration,
    /// Time a waiting customer holds before hanging up; `None` never abandons.
    pub patience: Option<Duration>,
    /// Service-level threshold in seconds.
    pub sl_seconds: f64,
    /// The share answered within the threshold the queue aims at.
    pub sl_target: f64,
    /// Base score in the routing decision.
    pub priority: i32,
    /// Score gained per second waited.
    pub aging: f64,
    /// Required skills with minimum levels, sorted by skill.
    pub skills: Vec<SkillLevel>,
    /// Relaxations over waiting time, sorted by `after`.
    pub widening: Vec<Widening>,
    /// Moving to another queue after a wait.
    pub overflow: Option<Overflow>,
    /// Seconds of after-contact work the agent does after each contact.
    pub wrap_up: f64,
    /// Abandoned callers who try again.
    pub redial: Option<Redial>,
    /// Trunk lines: contacts beyond this many in the queue (waiting or served) are blocked.
    pub lines: Option<u32>,
}

/// One `[[agent_group]]`: identical agents.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentGroupModel {
    /// Shown in reports.
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Skills held, sorted by skill.
    pub skills: Vec<SkillLevel>,
    /// Simultaneous contacts per channel, indexed by [`Channel::index`].
    pub capacity: [u8; 6],
    /// Daily windows `(start, end)` in seconds from the start of each simulated
    /// day when the group is logged in; empty means always.
    pub shifts: Vec<(f64, f64)>,
}

impl AgentGroupModel {
    /// Whether the group's skills meet every requirement in `required`.
    pub fn meets(&self, required: &[SkillLevel]) -> bool {
        required.iter().all(|need| {
            self.skills
                .iter()
                .any(|held| held.skill == need.skill && held.level >= need.level)
        })
    }

    /// Whether the group can take contacts of `queue` at some point of their wait.
    pub fn can_serve(&self, queue: &QueueModel) -> bool {
        self.capacity[queue.channel.index()] > 0
            && (self.meets(&queue.skills)
                || queue.widening.iter().any(|rule| self.meets(&rule.skills)))
    }

    /// Whether the group is logged in at `time` seconds from the start.
    pub fn on_shift(&self, time: f64) -> bool {
        self.shifts.is_empty() || {
            let time_of_day = time.rem_euclid(DAY_SECONDS);
            self.shifts.iter().any(|&(start, end)| {
                (start..end).contains(&time_of_day)
                    || (start..end).contains(&(time_of_day + DAY_SECONDS))
            })
        }
    }
}

impl std::str::FromStr for Scenario {
    type Err = ScenarioError;

    /// Parses a scenario that names no CSV file.
    fn from_str(text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::parse_with(text, |name| {
            Err(format!(
                "cannot read {name:?}: this scenario is parsed without files"
            ))
        })
    }
}

impl Scenario {
    /// Parses a scenario; `load` returns the text of a CSV file it names, or why not.
    pub fn parse_with(
        text: &str,
        mut load: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<Scenario, ScenarioError> {
        let raw: RawScenario = toml::from_str(text).map_err(|error| syntax_error(text, &error))?;
        let source = Source { text };
        let simulation = source.settings(&raw.simulation)?;
        let skills = collect_skills(&raw);
        let mut queues = Vec::with_capacity(raw.queue.len());
        for (index, queue) in raw.queue.iter().enumerate() {
            let model = source.queue(index, queue, &raw, &skills, &simulation, &mut load)?;
            queues.push(model);
        }
        let mut agent_groups = Vec::with_capacity(raw.agent_group.len());
        for (index, group) in raw.agent_group.iter().enumerate() {
            agent_groups.push(source.agent_group(index, group, &skills)?);
        }
        let scenario = Scenario {
            simulation,
            queues,
            agent_groups,
            skills,
            routing: EngineConfig {
                selection: raw.routing.agent_selection,
                ..EngineConfig::default()
            },
        };
        source.check_coverage(&scenario, &raw)?;
        Ok(scenario)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    simulation: Spanned<RawSimulation>,
    #[serde(default)]
    queue: Vec<Spanned<RawQueue>>,
    #[serde(default)]
    agent_group: Vec<Spanned<RawAgentGroup>>,
    #[serde(default)]
    routing: RawRouting,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRouting {
    #[serde(default)]
    agent_selection: AgentSelection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSimulation {
    duration: Spanned<String>,
    warmup: Option<Spanned<String>>,
    replications: Option<Spanned<i64>>,
    seed: Option<Spanned<i64>>,
    interval: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQueue {
    name: Spanned<String>,
    channel: Option<Spanned<String>>,
    arrivals: Spanned<RawArrivals>,
    handle_time: Spanned<RawDuration>,
    patience: Option<Spanned<RawDuration>>,
    sl_seconds: Option<Spanned<f64>>,
    sl_target: Option<Spanned<f64>>,
    priority: Option<Spanned<i64>>,
    aging: Option<Spanned<f64>>,
    #[serde(default = "no_entries")]
    skills: Spanned<BTreeMap<String, i64>>,
    #[serde(default)]
    widening: Vec<Spanned<RawWidening>>,
    overflow: Option<Spanned<RawOverflow>>,
    wrap_up: Option<Spanned<String>>,
    redial: Option<Spanned<RawRedial>>,
    lines: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawArrivals {
    PerHour(f64),
    PerInterval(Vec<f64>),
    Csv(String),
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum RawDuration {
    Exponential(String),
    Lognormal { mean: String, cv: f64 },
    Constant(String),
    Empirical(Vec<RawDurationValue>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawDurationValue {
    Text(String),
    Seconds(f64),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWidening {
    after: String,
    skills: BTreeMap<String, i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverflow {
    after: String,
    to: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRedial {
    probability: f64,
    delay: RawDuration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgentGroup {
    name: Spanned<String>,
    count: Spanned<i64>,
    #[serde(default = "no_entries")]
    skills: Spanned<BTreeMap<String, i64>>,
    #[serde(default = "no_entries")]
    capacity: Spanned<BTreeMap<String, i64>>,
    #[serde(default)]
    shifts: Vec<Spanned<RawShift>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShift {
    start: String,
    end: String,
}

/// An absent map, marked by an empty span so errors fall back to its table's line.
fn no_entries() -> Spanned<BTreeMap<String, i64>> {
    Spanned::new(0..0, BTreeMap::new())
}

/// `span`, or `table` when the field was absent from the file.
fn span_or(span: Range<usize>, table: Range<usize>) -> Range<usize> {
    if span.is_empty() { table } else { span }
}

/// Turns a TOML or shape error into one naming the line and the key written there.
fn syntax_error(text: &str, error: &toml::de::Error) -> ScenarioError {
    let line = error.span().map(|span| line_of(text, span.start));
    let written = line
        .and_then(|line| text.lines().nth(line - 1))
        .map(field_written_on)
        .unwrap_or_default();
    let message = error.message().trim().to_owned();
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);
    let field = match missing {
        Some(name) if written.is_empty() => name.to_owned(),
        Some(name) => format!("{written}.{name}"),
        None => written,
    };
    ScenarioError {
        line,
        field,
        message,
    }
}

/// The key assigned on a line (`handle_time` in `handle_time = {...}`) or the table it opens.
fn field_written_on(line: &str) -> String {
    let trimmed = line.trim();
    if let Some(header) = trimmed.strip_prefix('[') {
        return header
            .trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned();
    }
    trimmed
        .split_once('=')
        .map(|(key, _)| key.trim().trim_matches('"').to_owned())
        .unwrap_or_else(|| trimmed.chars().take(40).collect())
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    let end = (0..=end)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    text[..end].matches('\n').count() + 1
}

fn collect_skills(raw: &RawScenario) -> Vec<String> {
    let mut names = BTreeSet::new();
    for queue in &raw.queue {
        names.extend(queue.get_ref().skills.get_ref().keys().cloned());
        for rule in &queue.get_ref().widening {
            names.extend(rule.get_ref().skills.keys().cloned());
        }
    }
    for group in &raw.agent_group {
        names.extend(group.get_ref().skills.get_ref().keys().cloned());
    }
    names.into_iter().collect()
}

struct Source<'a> {
    text: &'a str,
}

impl Source<'_> {
    fn error(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError {
            line: Some(line_of(self.text, span.start)),
            field: field.into(),
            message: message.into(),
        }
    }

    fn duration(&self, value: &Spanned<String>, field: &str) -> Result<f64, ScenarioError> {
        Seconds::parse(value.get_ref())
            .map(Seconds::as_secs)
            .map_err(|error| self.error(value.span(), field, error.to_string()))
    }

    fn settings(&self, raw: &Spanned<RawSimulation>) -> Result<Settings, ScenarioError> {
        let table = raw.get_ref();
        let duration = self.duration(&table.duration, "simulation.duration")?;
        if duration <= 0.0 {
            return Err(self.error(
                table.duration.span(),
                "simulation.duration",
                "must be longer than zero",
            ));
        }
        let warmup = match &table.warmup {
            Some(value) => self.duration(value, "simulation.warmup")?,
            None => 0.0,
        };
        if warmup >= duration {
            let span = table.warmup.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.error(
                span,
                "simulation.warmup",
                "must be shorter than the duration",
            ));
        }
        let replications = match &table.replications {
            Some(value) if !(1..=MAX_REPLICATIONS).contains(value.get_ref()) => {
                return Err(self.error(
                    value.span(),
                    "simulation.replications",
                    format!("must be between 1 and {MAX_REPLICATIONS}"),
                ));
            }
            Some(value) => *value.get_ref() as u32,
            None => 10,
        };
        let seed = match &table.seed {
            Some(value) if *value.get_ref() < 0 => {
                return Err(self.error(value.span(), "simulation.seed", "must not be negative"));
            }
            Some(value) => *value.get_ref() as u64,
            None => 1,
        };
        let interval = match &table.interval {
            Some(value) => self.duration(value, "simulation.interval")?,
            None => 1_800.0,
        };
        if interval < 1.0 || duration / interval > MAX_INTERVALS {
            let span = table.interval.as_ref().map_or(raw.span(), Spanned::span);
            return Err(self.error(
                span,
                "simulation.interval",
                format!("must be at least one second and cut the duration into at most {MAX_INTERVALS} intervals"),
            ));
        }
        Ok(Settings {
            duration,
            warmup,
            replications,
            seed,
            interval,
        })
    }

    fn distribution(
        &self,
        raw: &RawDuration,
        span: Range<usize>,
        field: &str,
    ) -> Result<Duration, ScenarioError> {
        let seconds = |text: &str, name: &str| {
            Seconds::parse(text).map(Seconds::as_secs).map_err(|error| {
                self.error(span.clone(), format!("{field}.{name}"), error.to_string())
            })
        };
        let distribution = match raw {
            RawDuration::Exponential(mean) => Duration::Exponential {
                mean: seconds(mean, "exponential")?,
            },
            RawDuration::Constant(value) => Duration::Constant {
                value: seconds(value, "constant")?,
            },
            RawDuration::Lognormal { mean, cv } => {
                if !(cv.is_finite() && *cv > 0.0) {
                    return Err(self.error(
                        span,
                        format!("{field}.lognormal.cv"),
                        "must be above zero",
                    ));
                }
                Duration::LogNormal {
                    mean: seconds(mean, "lognormal.mean")?,
                    cv: *cv,
                }
            }
            RawDuration::Empirical(values) => {
                let mut parsed = Vec::with_capacity(values.len());
                for value in values {
                    parsed.push(match value {
                        RawDurationValue::Text(text) => seconds(text, "empirical")?,
                        RawDurationValue::Seconds(number) => {
                            Seconds::new(*number).map(Seconds::as_secs).ok_or_else(|| {
                                self.error(
                                    span.clone(),
                                    format!("{field}.empirical"),
                                    "values must not be negative",
                                )
                            })?
                        }
                    });
                }
                if parsed.is_empty() {
                    return Err(self.error(
                        span,
                        format!("{field}.empirical"),
                        "needs at least one value",
                    ));
                }
                Duration::Empirical { values: parsed }
            }
        };
        if distribution.mean() <= 0.0 {
            return Err(self.error(span, field, "the mean must be longer than zero"));
        }
        Ok(distribution)
    }

    fn skill_levels(
        &self,
        map: &BTreeMap<String, i64>,
        span: Range<usize>,
        field: &str,
        skills: &[String],
    ) -> Result<Vec<SkillLevel>, ScenarioError> {
        map.iter()
            .map(|(name, level)| {
                if !(1..=i64::from(MAX_LEVEL)).contains(level) {
                    return Err(self.error(
                        span.clone(),
                        format!("{field}.{name}"),
                        format!("level {level} is outside 1–{MAX_LEVEL}"),
                    ));
                }
                let skill = skills.binary_search(name).map_err(|_| {
                    self.error(span.clone(), format!("{field}.{name}"), "unknown skill")
                })?;
                Ok(SkillLevel {
                    skill,
                    level: *level as u8,
                })
            })
            .collect()
    }

    fn required_levels(
        &self,
        map: &BTreeMap<String, i64>,
        span: Range<usize>,
        field: &str,
        skills: &[String],
    ) -> Result<Vec<SkillLevel>, ScenarioError> {
        if map.len() > MAX_REQUIRED_SKILLS {
            return Err(self.error(
                span,
                field,
                format!(
                    "a queue can require at most {MAX_REQUIRED_SKILLS} skills, not {}",
                    map.len()
                ),
            ));
        }
        self.skill_levels(map, span, field, skills)
    }

    fn arrivals(
        &self,
        raw: &Spanned<RawArrivals>,
        field: &str,
        settings: &Settings,
        load: &mut impl FnMut(&str) -> Result<String, String>,
    ) -> Result<ArrivalProfile, ScenarioError> {
        let span = raw.span();
        let checked = |counts: Vec<f64>, name: &str| {
            if counts.is_empty() {
                return Err(self.error(
                    span.clone(),
                    format!("{field}.{name}"),
                    "needs at least one interval",
                ));
            }
            let most = MAX_PER_HOUR * settings.interval / 3_600.0;
            if let Some(bad) = counts
                .iter()
                .find(|count| !(count.is_finite() && (0.0..=most).contains(*count)))
            {
                return Err(self.error(
                    span.clone(),
                    format!("{field}.{name}"),
                    format!("{bad} is not a count of arrivals per interval between 0 and {most}"),
                ));
            }
            Ok(ArrivalProfile::per_interval(settings.interval, &counts))
        };
        match raw.get_ref() {
            RawArrivals::PerHour(rate) => {
                if !(rate.is_finite() && (0.0..=MAX_PER_HOUR).contains(rate)) {
                    return Err(self.error(
                        span,
                        format!("{field}.per_hour"),
                        format!("must lie between 0 and {MAX_PER_HOUR}"),
                    ));
                }
                Ok(ArrivalProfile::constant(*rate))
            }
            RawArrivals::PerInterval(counts) => checked(counts.clone(), "per_interval"),
            RawArrivals::Csv(name) => {
                let content = load(name)
                    .map_err(|message| self.error(span.clone(), format!("{field}.csv"), message))?;
                let counts = parse_counts_csv(&content).map_err(|message| {
                    self.error(
                        span.clone(),
                        format!("{field}.csv"),
                        format!("{name}: {message}"),
                    )
                })?;
                checked(counts, "csv")
            }
        }
    }

    fn queue(
        &self,
        index: usize,
        raw: &Spanned<RawQueue>,
        scenario: &RawScenario,
        skills: &[String],
        settings: &Settings,
        load: &mut impl FnMut(&str) -> Result<String, String>,
    ) -> Result<QueueModel, ScenarioError> {
        let queue = raw.get_ref();
        let field = |name: &str| format!("queue[{index}].{name}");
        let name = queue.name.get_ref().trim().to_owned();
        if name.is_empty() {
            return Err(self.error(queue.name.span(), field("name"), "must not be empty"));
        }
        if scenario.queue[..index]
            .iter()
            .any(|other| other.get_ref().name.get_ref().trim() == name)
        {
            return Err(self.error(
                queue.name.span(),
                field("name"),
                format!("another queue is already named {name:?}"),
            ));
        }
        let channel =
            match &queue.channel {
                Some(text) => text.get_ref().parse().map_err(
                    |error: moked_domain::channel::UnknownChannel| {
                        self.error(text.span(), field("channel"), error.to_string())
                    },
                )?,
                None => Channel::Voice,
            };
        let optional = |value: &Option<Spanned<RawDuration>>, name: &str| {
            value
                .as_ref()
                .map(|spanned| self.distribution(spanned.get_ref(), spanned.span(), &field(name)))
                .transpose()
        };
        let non_negative = |value: &Option<Spanned<f64>>, name: &str, default: f64| match value {
            Some(value) if !(value.get_ref().is_finite() && *value.get_ref() >= 0.0) => {
                Err(self.error(value.span(), field(name), "must be finite and not negative"))
            }
            Some(value) => Ok(*value.get_ref()),
            None => Ok(default),
        };
        let sl_seconds = non_negative(&queue.sl_seconds, "sl_seconds", 20.0)?;
        let sl_target = match &queue.sl_target {
            Some(value) if !(0.0..=1.0).contains(value.get_ref()) => {
                return Err(self.error(
                    value.span(),
                    field("sl_target"),
                    "must be a share between 0 and 1",
                ));
            }
            Some(value) => *value.get_ref(),
            None => 0.8,
        };
        let priority = match &queue.priority {
            Some(value) => i32::try_from(*value.get_ref())
                .map_err(|_| self.error(value.span(), field("priority"), "is too large"))?,
            None => 0,
        };
        let aging = non_negative(&queue.aging, "aging", 1.0)?;
        let lines = match &queue.lines {
            Some(value) if !(1..=i64::from(u32::MAX)).contains(value.get_ref()) => {
                return Err(self.error(value.span(), field("lines"), "must be at least 1"));
            }
            Some(value) => Some(*value.get_ref() as u32),
            None => None,
        };
        let required = self.required_levels(
            queue.skills.get_ref(),
            span_or(queue.skills.span(), raw.span()),
            &field("skills"),
            skills,
        )?;
        Ok(QueueModel {
            name,
            channel,
            arrivals: self.arrivals(&queue.arrivals, &field("arrivals"), settings, load)?,
            handle_time: self.distribution(
                queue.handle_time.get_ref(),
                queue.handle_time.span(),
                &field("handle_time"),
            )?,
            patience: optional(&queue.patience, "patience")?,
            sl_seconds,
            sl_target,
            priority,
            aging,
            widening: self.widening(index, queue, skills, &required)?,
            skills: required,
            overflow: self.overflow(index, queue, scenario)?,
            wrap_up: match &queue.wrap_up {
                Some(value) => self.duration(value, &field("wrap_up"))?,
                None => 0.0,
            },
            redial: self.redial(index, queue)?,
            lines,
        })
    }

    fn widening(
        &self,
        index: usize,
        queue: &RawQueue,
        skills: &[String],
        required: &[SkillLevel],
    ) -> Result<Vec<Widening>, ScenarioError> {
        let mut rules = Vec::with_capacity(queue.widening.len());
        for (rule_index, rule) in queue.widening.iter().enumerate() {
            let field = format!("queue[{index}].widening[{rule_index}]");
            let after = Seconds::parse(&rule.get_ref().after)
                .map(Seconds::as_secs)
                .map_err(|error| {
                    self.error(rule.span(), format!("{field}.after"), error.to_string())
                })?;
            let levels = self.required_levels(
                &rule.get_ref().skills,
                rule.span(),
                &format!("{field}.skills"),
                skills,
            )?;
            if let Some(stray) = levels.iter().find(|level| {
                !required
                    .iter()
                    .any(|need| need.skill == level.skill && need.level > level.level)
            }) {
                return Err(self.error(
                    rule.span(),
                    format!("{field}.skills.{}", skills[stray.skill]),
                    "widening lowers a level the queue requires: name a required skill and a lower level",
                ));
            }
            rules.push(Widening {
                after,
                skills: levels,
            });
        }
        rules.sort_by(|a, b| a.after.total_cmp(&b.after));
        Ok(rules)
    }

    fn overflow(
        &self,
        index: usize,
        queue: &RawQueue,
        scenario: &RawScenario,
    ) -> Result<Option<Overflow>, ScenarioError> {
        let Some(rule) = &queue.overflow else {
            return Ok(None);
        };
        let field = format!("queue[{index}].overflow");
        let after = Seconds::parse(&rule.get_ref().after)
            .map(Seconds::as_secs)
            .map_err(|error| {
                self.error(rule.span(), format!("{field}.after"), error.to_string())
            })?;
        let target = rule.get_ref().to.trim();
        let to = scenario
            .queue
            .iter()
            .position(|other| other.get_ref().name.get_ref().trim() == target)
            .ok_or_else(|| {
                self.error(
                    rule.span(),
                    format!("{field}.to"),
                    format!("no queue is named {target:?}"),
                )
            })?;
        if to == index {
            return Err(self.error(
                rule.span(),
                format!("{field}.to"),
                "a queue cannot overflow to itself",
            ));
        }
        Ok(Some(Overflow { after, to }))
    }

    fn redial(&self, index: usize, queue: &RawQueue) -> Result<Option<Redial>, ScenarioError> {
        let Some(rule) = &queue.redial else {
            return Ok(None);
        };
        let field = format!("queue[{index}].redial");
        let probability = rule.get_ref().probability;
        if !(0.0..=1.0).contains(&probability) {
            return Err(self.error(
                rule.span(),
                format!("{field}.probability"),
                "must be between 0 and 1",
            ));
        }
        let delay = self.distribution(
            &rule.get_ref().delay,
            rule.span(),
            &format!("{field}.delay"),
        )?;
        Ok(Some(Redial { probability, delay }))
    }

    fn agent_group(
        &self,
        index: usize,
        raw: &Spanned<RawAgentGroup>,
        skills: &[String],
    ) -> Result<AgentGroupModel, ScenarioError> {
        let group = raw.get_ref();
        let field = |name: &str| format!("agent_group[{index}].{name}");
        let name = group.name.get_ref().trim().to_owned();
        if name.is_empty() {
            return Err(self.error(group.name.span(), field("name"), "must not be empty"));
        }
        let count = *group.count.get_ref();
        if !(0..=MAX_AGENTS_PER_GROUP).contains(&count) {
            return Err(self.error(
                group.count.span(),
                field("count"),
                format!("must be between 0 and {MAX_AGENTS_PER_GROUP}"),
            ));
        }
        let mut capacity = [1u8; 6];
        for (channel_name, slots) in group.capacity.get_ref() {
            let channel: Channel =
                channel_name
                    .parse()
                    .map_err(|error: moked_domain::channel::UnknownChannel| {
                        self.error(
                            group.capacity.span(),
                            field(&format!("capacity.{channel_name}")),
                            error.to_string(),
                        )
                    })?;
            if !(0..=MAX_CAPACITY).contains(slots) {
                return Err(self.error(
                    group.capacity.span(),
                    field(&format!("capacity.{channel_name}")),
                    format!("must be between 0 and {MAX_CAPACITY}"),
                ));
            }
            capacity[channel.index()] = *slots as u8;
        }
        let mut shifts = Vec::with_capacity(group.shifts.len());
        for (shift_index, shift) in group.shifts.iter().enumerate() {
            let shift_field = field(&format!("shifts[{shift_index}]"));
            let parse = |text: &str, name: &str| {
                Seconds::parse(text).map(Seconds::as_secs).map_err(|error| {
                    self.error(
                        shift.span(),
                        format!("{shift_field}.{name}"),
                        error.to_string(),
                    )
                })
            };
            let start = parse(&shift.get_ref().start, "start")?;
            let end = parse(&shift.get_ref().end, "end")?;
            if start >= DAY_SECONDS || end <= start || end - start > DAY_SECONDS {
                return Err(self.error(
                    shift.span(),
                    shift_field,
                    "a shift starts within the day (before 24h) and ends after its start, at most 24h later",
                ));
            }
            shifts.push((start, end));
        }
        Ok(AgentGroupModel {
            name,
            count: count as u32,
            skills: self.skill_levels(
                group.skills.get_ref(),
                group.skills.span(),
                &field("skills"),
                skills,
            )?,
            capacity,
            shifts,
        })
    }

    /// Every queue needs agents who can serve it, and every group a queue to serve.
    fn check_coverage(&self, scenario: &Scenario, raw: &RawScenario) -> Result<(), ScenarioError> {
        if scenario.queues.is_empty() {
            return Err(self.error(
                raw.simulation.span(),
                "queue",
                "the scenario has no [[queue]]",
            ));
        }
        if scenario.agent_groups.is_empty() {
            return Err(self.error(
                raw.simulation.span(),
                "agent_group",
                "the scenario has no [[agent_group]]",
            ));
        }
        let held: BTreeSet<usize> = scenario
            .agent_groups
            .iter()
            .flat_map(|group| group.skills.iter().map(|level| level.skill))
            .collect();
        for (index, (queue, raw_queue)) in scenario.queues.iter().zip(&raw.queue).enumerate() {
            let required = queue
                .skills
                .iter()
                .chain(queue.widening.iter().flat_map(|rule| &rule.skills));
            if let Some(missing) = required.clone().find(|need| !held.contains(&need.skill)) {
                return Err(self.error(
                    raw_queue.get_ref().skills.span(),
                    format!("queue[{index}].skills.{}", scenario.skills[missing.skill]),
                    "unknown skill: no agent group has it",
                ));
            }
            let served = scenario
                .agent_groups
                .iter()
                .any(|group| group.count > 0 && group.can_serve(queue));
            if !served && queue.overflow.is_none() {
                return Err(self.error(
                    span_or(raw_queue.get_ref().skills.span(), raw_queue.span()),
                    format!("queue[{index}].skills"),
                    format!(
                        "nobody can serve queue {:?}: no agent group has these skills at these levels and capacity for {}",
                        queue.name, queue.channel
                    ),
                ));
            }
        }
        for (index, raw_queue) in raw.queue.iter().enumerate() {
            let mut visited = vec![false; scenario.queues.len()];
            let mut current = index;
            while let Some(rule) = &scenario.queues[current].overflow {
                if visited[rule.to] {
                    return Err(self.error(
                        raw_queue.span(),
                        format!("queue[{index}].overflow.to"),
                        "overflow rules form a cycle",
                    ));
                }
                visited[rule.to] = true;
                current = rule.to;
            }
        }
        for (index, (group, raw_group)) in scenario
            .agent_groups
            .iter()
            .zip(&raw.agent_group)
            .enumerate()
        {
            if !scenario.queues.iter().any(|queue| group.can_serve(queue)) {
                return Err(self.error(
                    span_or(raw_group.get_ref().skills.span(), raw_group.span()),
                    format!("agent_group[{index}].skills"),
                    format!(
                        "agent group {:?} serves no queue: its skills or capacity match none",
                        group.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Counts per interval from a CSV: the last column of each row; a first row
/// whose last column is not a number is a header.
fn parse_counts_csv(content: &str) -> Result<Vec<f64>, String> {
    let mut counts = Vec::new();
    for (index, line) in content.lines().enumerate() {
        let row = line.trim();
        if row.is_empty() {
            continue;
        }
        let cell = row
            .rsplit(',')
            .next()
            .unwrap_or(row)
            .trim()
            .trim_matches('"');
        match cell.parse::<f64>() {
            Ok(count) => counts.push(count),
            Err(_) if index == 0 => {}
            Err(_) => return Err(format!("line {}: {cell:?} is not a count", index + 1)),
        }
    }
    Ok(counts)
}
