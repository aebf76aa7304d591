//! `moked schedule`: from a per-interval requirement to shifts and a roster.
//!
//! Reads the requirement CSV, the shift catalog (`SHIFTS.toml`) and the agents
//! (`AGENTS.toml`); chooses how many agents start each shift (exact
//! set covering), gives the shifts to named agents under every hard rule, and
//! prints each agent's shifts and the coverage per interval (table or JSON).
//!
//! Accepted requirement files (CSV, comma-separated, one header line):
//! - an interval-start column named `start`, `interval_start`, `timestamp`,
//!   `datetime` or `time` (any case) holding `2026-11-22T08:00[:00]` or
//!   `2026-11-22 08:00`; a trailing `Z` or UTC offset is ignored;
//! - a requirement column, the first found of `scheduled_agents` (after
//!   shrinkage, as `moked staff --forecast` writes it), `required`,
//!   `required_agents` or `agents` (whole numbers; fractions are rounded up);
//! - optionally `arrivals` (the forecast), drawn against `--actual` in the report.
//!
//! The interval length is the smallest step between starts; missing intervals
//! need 0 agents. The horizon runs from `--start` (default: the first row's
//! date) to the last row's date; earlier rows are ignored.

use crate::cli_error::{CliError, Location, read_text, write_text};
use crate::i18n::{Lang, bdi, ltr};
use crate::svg::{LineChart, Series, escape, html_page};
use jiff::civil::{Date, DateTime};
use moked_schedule::horizon::format_time_of_day;
use moked_schedule::{
    Agent, Candidate, CoverColumn, Horizon, InputError, MINUTES_PER_DAY, Roster, RosterSummary,
    Selection, SelectionError, SelectionProblem, ShiftCatalog, ShiftToStaff, break_placements,
    build_roster, coverage_of, expand_candidates, parse_agents, parse_shift_catalog,
    roster_violations, select_shifts, summarise,
};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `moked schedule`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Requirement CSV: interval start and required agents (see the accepted forms above).
    #[arg(long, value_name = "REQ.csv")]
    requirements: PathBuf,
    /// The shift catalog.
    #[arg(long, value_name = "SHIFTS.toml")]
    shifts: PathBuf,
    /// The agents, their contracts, availability and skills.
    #[arg(long, value_name = "AGENTS.toml")]
    agents: PathBuf,
    /// The first day of the schedule (YYYY-MM-DD); earlier requirement rows are ignored.
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Also write an HTML report with coverage charts.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
    /// Actual arrivals CSV (start and `arrivals`/`count`/`actual`), charted against the
    /// requirement file's `arrivals` forecast in the report.
    #[arg(long, value_name = "FILE.csv")]
    actual: Option<PathBuf>,
    /// The language of the HTML report: Hebrew (right to left) or English.
    #[arg(long, value_enum, default_value = "he")]
    lang: Lang,
}

/// Runs `moked schedule`.
pub fn run(args: Args) -> Result<(), CliError> {
    let first_day = args
        .start
        .as_deref()
        .map(|text| {
            text.trim().parse::<Date>().map_err(|_| {
                CliError::option("start", format!("`{text}` is not a date YYYY-MM-DD"))
            })
        })
        .transpose()?;
    let demand = read_requirement(&args.requirements, first_day)?;
    let catalog = parse_shift_catalog(&read_text(&args.shifts)?)
        .map_err(|error| input_error(&args.shifts, error))?;
    let agents = parse_agents(&read_text(&args.agents)?)
        .map_err(|error| input_error(&args.agents, error))?;
    let plan = plan(&demand, &catalog, &agents, &args.shifts)?;
    if let Some(path) = &args.report {
        let actual = args
            .actual
            .as_deref()
            .map(|path| read_actual(path, &demand.horizon))
            .transpose()?;
        write_text(
            path,
            &report_html(&plan, &catalog, &agents, actual.as_deref(), args.lang),
        )?;
    } else if args.actual.is_some() {
        return Err(CliError::option("actual", "is only used with --report"));
    }
    let output = if args.json {
        format!("{:#}\n", plan_json(&plan, &catalog, &agents))
    } else {
        plan_table(&plan, &catalog, &agents)
    };
    print_output(&output)
}

/// Writes to standard output; a reader that closed the pipe early (`| head`) is not an error.
fn print_output(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Internal(
            anyhow::anyhow!("writing the output: {error}"),
        )),
        _ => Ok(()),
    }
}

fn input_error(path: &Path, error: InputError) -> CliError {
    CliError::Input {
        location: Location {
            path: path.to_owned(),
            line: error.line,
            field: error.field,
        },
        message: error.message,
    }
}

/// The requirement over a horizon, and the forecast arrivals when given.
struct Demand {
    horizon: Horizon,
    required: Vec<u32>,
    forecast_arrivals: Option<Vec<f64>>,
}

/// The longest horizon scheduled in one run.
const MAX_DAYS: i32 = 400;
/// The most candidate shifts (days × starts × break placements) one run expands.
const MAX_CANDIDATES: u64 = 50_000;

const START_COLUMNS: [&str; 5] = ["start", "interval_start", "timestamp", "datetime", "time"];
const REQUIRED_COLUMNS: [&str; 4] = ["scheduled_agents", "required", "required_agents", "agents"];

struct CsvRow {
    line: usize,
    start: DateTime,
    fields: csv::StringRecord,
}

/// Reads a CSV with an interval-start column; returns the header and its rows.
fn read_timed_rows(path: &Path) -> Result<(Vec<String>, Vec<CsvRow>), CliError> {
    let text = read_text(path)?;
    let at = |line: usize, field: Option<&str>| Location {
        path: path.to_owned(),
        line: Some(line),
        field: field.map(str::to_owned),
    };
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|error| CliError::Input {
            location: at(1, None),
            message: error.to_string(),
        })?
        .iter()
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let start_column = find_column(&header, &START_COLUMNS).ok_or_else(|| CliError::Input {
        location: at(1, Some("start")),
        message: format!(
            "no interval-start column (one of {})",
            START_COLUMNS.join(", ")
        ),
    })?;
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|error| CliError::Input {
            location: at(error.position().map_or(0, |p| p.line() as usize), None),
            message: error.to_string(),
        })?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let text = record.get(start_column).unwrap_or_default();
        let start = parse_timestamp(text).ok_or_else(|| CliError::Input {
            location: at(line, Some(&header[start_column])),
            message: format!("`{text}` is not a date and time like 2026-11-22T08:00"),
        })?;
        rows.push(CsvRow {
            line,
            start,
            fields: record,
        });
    }
    if rows.is_empty() {
        return Err(CliError::Input {
            location: at(1, None),
            message: "the file has no data rows".to_owned(),
        });
    }
    Ok((header, rows))
}

fn find_column(header: &[String], names: &[&str]) -> Option<usize> {
    names
        .iter()
        .find_map(|name| header.iter().position(|column| column == name))
}

/// A civil timestamp; a `Z` or numeric offset after the time is dropped.
fn parse_timestamp(text: &str) -> Option<DateTime> {
    let without_zone = text.trim().trim_end_matches(['Z', 'z']);
    let without_offset = match without_zone
        .get(10..)
        .and_then(|time| time.rfind(['+', '-']))
    {
        Some(position) => &without_zone[..10 + position],
        None => without_zone,
    };
    without_offset.trim().replacen(' ', "T", 1).parse().ok()
}

fn read_requirement(path: &Path, first_day: Option<Date>) -> Result<Demand, CliError> {
    let (header, rows) = read_timed_rows(path)?;
    let at = |line: usize, field: &str| Location {
        path: path.to_owned(),
        line: Some(line),
        field: Some(field.to_owned()),
    };
    let required_column =
        find_column(&header, &REQUIRED_COLUMNS).ok_or_else(|| CliError::Input {
            location: at(1, "required"),
            message: format!(
                "no requirement column (one of {})",
                REQUIRED_COLUMNS.join(", ")
            ),
        })?;
    let arrivals_column = find_column(&header, &["arrivals"]);
    let first_day = first_day.unwrap_or_else(|| {
        rows.iter()
            .map(|row| row.start.date())
            .min()
            .unwrap_or_default()
    });
    let rows: Vec<&CsvRow> = rows
        .iter()
        .filter(|row| row.start.date() >= first_day)
        .collect();
    let Some(last_day) = rows.iter().map(|row| row.start.date()).max() else {
        return Err(CliError::option(
            "start",
            format!("no requirement row on or after {first_day}"),
        ));
    };
    let days = first_day.until(last_day).map_or(0, |span| span.get_days()) + 1;
    if days > MAX_DAYS {
        let last_line = rows.iter().map(|row| row.line).max().unwrap_or(1);
        return Err(CliError::Input {
            location: at(last_line, "start"),
            message: format!(
                "the requirement spans {days} days; at most {MAX_DAYS} can be scheduled at once"
            ),
        });
    }
    let interval = interval_minutes(&rows).ok_or_else(|| CliError::Input {
        location: at(rows[0].line, &header[required_column]),
        message: "the interval starts do not fall on a grid that divides the day (e.g. every 15m, 30m or 1h)".to_owned(),
    })?;
    let horizon =
        Horizon::new(first_day, days as u32, interval).ok_or_else(|| CliError::Input {
            location: at(rows[0].line, "start"),
            message: format!("cannot plan {days} days of {interval}-minute intervals"),
        })?;
    let mut required = vec![0; horizon.interval_count()];
    let mut forecast_arrivals = arrivals_column.map(|_| vec![0.0; horizon.interval_count()]);
    for row in rows {
        let interval_index = interval_of(&horizon, row.start);
        let text = row.fields.get(required_column).unwrap_or_default();
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0 && *v < 1e6)
            .ok_or_else(|| CliError::Input {
                location: at(row.line, &header[required_column]),
                message: format!("`{text}` is not a number of agents"),
            })?;
        required[interval_index] = value.ceil() as u32;
        if let (Some(column), Some(arrivals)) = (arrivals_column, forecast_arrivals.as_mut()) {
            let text = row.fields.get(column).unwrap_or_default();
            arrivals[interval_index] = text
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| CliError::Input {
                    location: at(row.line, "arrivals"),
                    message: format!("`{text}` is not a number"),
                })?;
        }
    }
    Ok(Demand {
        horizon,
        required,
        forecast_arrivals,
    })
}

fn minute_of_day(start: DateTime) -> u32 {
    u32::from(start.hour() as u8) * 60 + u32::from(start.minute() as u8)
}

/// The grid step: the largest step dividing a day that every start sits on.
fn interval_minutes(rows: &[&CsvRow]) -> Option<u32> {
    let aligned_to = |step: u32| {
        rows.iter()
            .all(|row| row.start.second() == 0 && minute_of_day(row.start).is_multiple_of(step))
    };
    let origin = rows.iter().map(|row| row.start.date()).min()?;
    let mut starts: Vec<i64> = rows
        .iter()
        .map(|row| {
            let days = origin
                .until(row.start.date())
                .map_or(0, |span| span.get_days());
            i64::from(days) * i64::from(MINUTES_PER_DAY) + i64::from(minute_of_day(row.start))
        })
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let smallest_gap = starts
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .min()
        .unwrap_or(i64::from(MINUTES_PER_DAY))
        .min(i64::from(MINUTES_PER_DAY)) as u32;
    (1..=smallest_gap)
        .rev()
        .filter(|&step| MINUTES_PER_DAY.is_multiple_of(step))
        .find(|&step| aligned_to(step))
}

fn interval_of(horizon: &Horizon, start: DateTime) -> usize {
    let day = horizon.day_of_date(start.date()).unwrap_or(0);
    ((day * MINUTES_PER_DAY + minute_of_day(start)) / horizon.interval_minutes) as usize
}

/// Actual arrivals per interval of the horizon (intervals without a row are 0).
fn read_actual(path: &Path, horizon: &Horizon) -> Result<Vec<f64>, CliError> {
    let (header, rows) = read_timed_rows(path)?;
    let column =
        find_column(&header, &["arrivals", "count", "actual", "calls"]).ok_or_else(|| {
            CliError::Input {
                location: Location {
                    path: path.to_owned(),
                    line: Some(1),
                    field: Some("arrivals".to_owned()),
                },
                message: "no arrivals column (arrivals, count, actual or calls)".to_owned(),
            }
        })?;
    let mut actual = vec![0.0; horizon.interval_count()];
    for row in rows {
        if horizon.day_of_date(row.start.date()).is_none() {
            continue;
        }
        let text = row.fields.get(column).unwrap_or_default();
        let value: f64 = text
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| CliError::Input {
                location: Location {
                    path: path.to_owned(),
                    line: Some(row.line),
                    field: Some(header[column].clone()),
                },
                message: format!("`{text}` is not a number"),
            })?;
        actual[interval_of(horizon, row.start)] += value;
    }
    Ok(actual)
}

/// Everything computed: chosen shifts, the roster, coverage.
struct Plan<'a> {
    demand: &'a Demand,
    candidates: Vec<Candidate>,
    selection: Selection,
    /// For each shift to staff, its candidate.
    staffed_candidate: Vec<usize>,
    shifts: Vec<ShiftToStaff>,
    roster: Roster,
    summary: RosterSummary,
    violations: usize,
    selected_coverage: Vec<u32>,
    scheduled_coverage: Vec<u32>,
}

fn plan<'a>(
    demand: &'a Demand,
    catalog: &ShiftCatalog,
    agents: &[Agent],
    shifts_path: &Path,
) -> Result<Plan<'a>, CliError> {
    let horizon = &demand.horizon;
    let expected: u64 = catalog
        .templates
        .iter()
        .map(|template| {
            (template.starts.len() as u64 * u64::from(horizon.days))
                .saturating_mul(break_placements(template, horizon.interval_minutes))
        })
        .fold(0, u64::saturating_add);
    if expected > MAX_CANDIDATES {
        return Err(CliError::Input {
            location: Location {
                path: shifts_path.to_owned(),
                line: None,
                field: Some("shift".to_owned()),
            },
            message: format!(
                "the catalog expands into {expected} candidate shifts over {} days (at most {MAX_CANDIDATES}): use fewer starts or narrower break windows",
                horizon.days
            ),
        });
    }
    let candidates = expand_candidates(&catalog.templates, horizon);
    let columns: Vec<CoverColumn> = candidates
        .iter()
        .map(|candidate| CoverColumn {
            cost: candidate.cost,
            covers: candidate.covers.clone(),
            max_count: None,
        })
        .collect();
    let problem = SelectionProblem {
        requirement: demand.required.clone(),
        columns,
        max_per_interval: catalog.max_per_interval,
        under_staffing_penalty: catalog.under_staffing_penalty,
        time_limit_seconds: catalog.time_limit_seconds,
    };
    let selection = select_shifts(&problem).map_err(|error| match error {
        SelectionError::Infeasible { first_interval } => CliError::Input {
            location: Location {
                path: shifts_path.to_owned(),
                line: None,
                field: Some("shift".to_owned()),
            },
            message: format!(
                "the shifts cannot cover the requirement at {}; add shifts or set under_staffing_penalty for the best partial coverage",
                interval_label(horizon, first_interval)
            ),
        },
        other => CliError::Internal(anyhow::anyhow!(other)),
    })?;
    let mut staffed_candidate = Vec::new();
    for (index, &count) in selection.counts.iter().enumerate() {
        staffed_candidate.extend(std::iter::repeat_n(index, count as usize));
    }
    let shifts: Vec<ShiftToStaff> = staffed_candidate
        .iter()
        .map(|&index| {
            let candidate = &candidates[index];
            let template = &catalog.templates[candidate.template];
            ShiftToStaff {
                start: candidate.start,
                end: candidate.end,
                paid_minutes: template.paid_minutes(),
                skill: template.skill.clone(),
                undesirable: template.undesirable,
            }
        })
        .collect();
    let roster = build_roster(horizon, &shifts, agents);
    let violations = roster_violations(horizon, &shifts, agents, &roster).len();
    let summary = summarise(horizon, &shifts, agents, &roster);
    let selected_coverage = coverage_of(demand.required.len(), &problem.columns, &selection.counts);
    let mut scheduled_counts = vec![0; candidates.len()];
    for (&candidate, agent) in staffed_candidate.iter().zip(&roster.assignment) {
        scheduled_counts[candidate] += u32::from(agent.is_some());
    }
    let scheduled_coverage =
        coverage_of(demand.required.len(), &problem.columns, &scheduled_counts);
    Ok(Plan {
        demand,
        candidates,
        selection,
        staffed_candidate,
        shifts,
        roster,
        summary,
        violations,
        selected_coverage,
        scheduled_coverage,
    })
}

fn timestamp(horizon: &Horizon, minute: u32) -> String {
    let date = horizon.date_of_day(minute / MINUTES_PER_DAY);
    format!("{date}T{}", format_time_of_day(minute % MINUTES_PER_DAY))
}

fn interval_label(horizon: &Horizon, interval: usize) -> String {
    timestamp(horizon, horizon.interval_start(interval))
}

fn weekday_name(horizon: &Horizon, minute: u32) -> &'static str {
    const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    NAMES[horizon
        .weekday_of_day(minute / MINUTES_PER_DAY)
        .to_sunday_zero_offset() as usize]
}

/// The report's name of the weekday `minute` falls on.
fn weekday_in(lang: Lang, horizon: &Horizon, minute: u32) -> &'static str {
    match horizon
        .weekday_of_day(minute / MINUTES_PER_DAY)
        .to_sunday_zero_offset()
    {
        0 => lang.t("weekday.sun"),
        1 => lang.t("weekday.mon"),
        2 => lang.t("weekday.tue"),
        3 => lang.t("weekday.wed"),
        4 => lang.t("weekday.thu"),
        5 => lang.t("weekday.fri"),
        _ => lang.t("weekday.sat"),
    }
}

/// "08:00–16:00" for minutes from the start of the horizon.
fn time_range(from: u32, to: u32) -> String {
    format!(
        "{}–{}",
        format_time_of_day(from % MINUTES_PER_DAY),
        format_time_of_day(to % MINUTES_PER_DAY)
    )
}

fn shift_json(plan: &Plan, catalog: &ShiftCatalog, shift: usize) -> Value {
    let horizon = &plan.demand.horizon;
    let candidate = &plan.candidates[plan.staffed_candidate[shift]];
    json!({
        "shift": catalog.templates[candidate.template].name,
        "start": timestamp(horizon, candidate.start),
        "end": timestamp(horizon, candidate.end),
        "paid_hours": f64::from(plan.shifts[shift].paid_minutes) / 60.0,
        "breaks": candidate.breaks.iter().map(|&(from, to)| json!({
            "start": timestamp(horizon, from),
            "end": timestamp(horizon, to),
        })).collect::<Vec<_>>(),
    })
}

fn shifts_of_agent(plan: &Plan, agent: usize) -> Vec<usize> {
    let mut mine: Vec<usize> = (0..plan.shifts.len())
        .filter(|&shift| plan.roster.assignment[shift] == Some(agent))
        .collect();
    mine.sort_by_key(|&shift| plan.shifts[shift].start);
    mine
}

fn plan_json(plan: &Plan, catalog: &ShiftCatalog, agents: &[Agent]) -> Value {
    let horizon = &plan.demand.horizon;
    let selected: Vec<Value> = plan
        .selection
        .counts
        .iter()
        .enumerate()
        .filter(|(_, count)| **count > 0)
        .map(|(index, &count)| {
            let candidate = &plan.candidates[index];
            json!({
                "shift": catalog.templates[candidate.template].name,
                "start": timestamp(horizon, candidate.start),
                "end": timestamp(horizon, candidate.end),
                "agents": count,
            })
        })
        .collect();
    let agents_json: Vec<Value> = agents
        .iter()
        .enumerate()
        .map(|(index, agent)| {
            json!({
                "name": agent.name,
                "paid_hours": f64::from(plan.summary.paid_minutes[index]) / 60.0,
                "max_hours_per_week": f64::from(agent.max_weekly_minutes) / 60.0,
                "undesirable_shifts": plan.summary.undesirable_shifts[index],
                "shifts": shifts_of_agent(plan, index).into_iter().map(|shift| shift_json(plan, catalog, shift)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let coverage: Vec<Value> = (0..plan.demand.required.len())
        .map(|interval| {
            let (required, scheduled) = (
                plan.demand.required[interval],
                plan.scheduled_coverage[interval],
            );
            json!({
                "start": interval_label(horizon, interval),
                "required": required,
                "selected": plan.selected_coverage[interval],
                "scheduled": scheduled,
                "under": required.saturating_sub(scheduled),
                "over": scheduled.saturating_sub(required),
            })
        })
        .collect();
    json!({
        "interval_minutes": horizon.interval_minutes,
        "selection": {
            "cost": plan.selection.shift_cost,
            "proven_optimal": plan.selection.proven_optimal,
            "under_staffed_agent_intervals": plan.selection.under_staffed,
            "candidates": plan.candidates.len(),
            "shifts": selected,
        },
        "agents": agents_json,
        "unfilled": plan.summary.unfilled.iter().map(|&shift| shift_json(plan, catalog, shift)).collect::<Vec<_>>(),
        "contract_shortfalls": plan.summary.shortfalls.iter().map(|&(agent, week, minutes)| json!({
            "agent": agents[agent].name,
            "week": week + 1,
            "missing_hours": f64::from(minutes) / 60.0,
        })).collect::<Vec<_>>(),
        "fairness": {
            "utilisation_jain_index": plan.summary.utilisation_fairness,
            "undesirable_spread": plan.summary.undesirable_spread,
        },
        "rule_violations": plan.violations,
        "coverage": coverage,
    })
}

fn shift_line(plan: &Plan, catalog: &ShiftCatalog, shift: usize) -> String {
    let horizon = &plan.demand.horizon;
    let candidate = &plan.candidates[plan.staffed_candidate[shift]];
    let breaks: Vec<String> = candidate
        .breaks
        .iter()
        .map(|&(from, to)| time_range(from, to))
        .collect();
    format!(
        "{} {} {} {}{}",
        weekday_name(horizon, candidate.start),
        horizon.date_of_day(candidate.start / MINUTES_PER_DAY),
        time_range(candidate.start, candidate.end),
        catalog.templates[candidate.template].name,
        if breaks.is_empty() {
            String::new()
        } else {
            format!(" (break {})", breaks.join(", "))
        }
    )
}

/// A shift as a line of the HTML report, its dates and times isolated left to
/// right so a Hebrew page keeps "08:00–16:00" and the date in reading order.
fn shift_html(plan: &Plan, catalog: &ShiftCatalog, shift: usize, lang: Lang) -> String {
    let horizon = &plan.demand.horizon;
    let candidate = &plan.candidates[plan.staffed_candidate[shift]];
    let mut line = lang.html(
        "sched.shift_line",
        &[
            (
                "weekday",
                &escape(weekday_in(lang, horizon, candidate.start)),
            ),
            (
                "date",
                &ltr(&horizon
                    .date_of_day(candidate.start / MINUTES_PER_DAY)
                    .to_string()),
            ),
            ("time", &ltr(&time_range(candidate.start, candidate.end))),
            ("shift", &bdi(&catalog.templates[candidate.template].name)),
        ],
    );
    if !candidate.breaks.is_empty() {
        let breaks: Vec<String> = candidate
            .breaks
            .iter()
            .map(|&(from, to)| ltr(&time_range(from, to)))
            .collect();
        line.push(' ');
        line.push_str(&lang.html("sched.breaks", &[("times", &breaks.join(", "))]));
    }
    line
}

fn plan_table(plan: &Plan, catalog: &ShiftCatalog, agents: &[Agent]) -> String {
    let horizon = &plan.demand.horizon;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Shift selection: {} shifts, cost {:.2}, {}; {} agent-intervals under-staffed ({} candidates)",
        plan.shifts.len(),
        plan.selection.shift_cost,
        if plan.selection.proven_optimal {
            "proven optimal"
        } else {
            "best found (not proven optimal)"
        },
        plan.selection.under_staffed,
        plan.candidates.len()
    );
    let _ = writeln!(out, "\nAgents");
    for (index, agent) in agents.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {} — {:.1} h (max {:.1} h/week), {} undesirable",
            agent.name,
            f64::from(plan.summary.paid_minutes[index]) / 60.0,
            f64::from(agent.max_weekly_minutes) / 60.0,
            plan.summary.undesirable_shifts[index]
        );
        for shift in shifts_of_agent(plan, index) {
            let _ = writeln!(out, "    {}", shift_line(plan, catalog, shift));
        }
    }
    let _ = writeln!(out, "\nUnfilled shifts: {}", plan.summary.unfilled.len());
    for &shift in &plan.summary.unfilled {
        let _ = writeln!(out, "    {}", shift_line(plan, catalog, shift));
    }
    for &(agent, week, minutes) in &plan.summary.shortfalls {
        let _ = writeln!(
            out,
            "Contract minimum not met: {} week {} short by {:.1} h",
            agents[agent].name,
            week + 1,
            f64::from(minutes) / 60.0
        );
    }
    let _ = writeln!(
        out,
        "Fairness: utilisation Jain index {:.3}; undesirable shifts spread {}; rule violations {}",
        plan.summary.utilisation_fairness, plan.summary.undesirable_spread, plan.violations
    );
    let _ = writeln!(
        out,
        "\nCoverage\n{:<17} {:>8} {:>8} {:>9} {:>5} {:>5}",
        "start", "required", "selected", "scheduled", "under", "over"
    );
    for interval in 0..plan.demand.required.len() {
        let (required, scheduled) = (
            plan.demand.required[interval],
            plan.scheduled_coverage[interval],
        );
        let _ = writeln!(
            out,
            "{:<17} {:>8} {:>8} {:>9} {:>5} {:>5}",
            interval_label(horizon, interval),
            required,
            plan.selected_coverage[interval],
            scheduled,
            required.saturating_sub(scheduled),
            scheduled.saturating_sub(required)
        );
    }
    out
}

fn report_html(
    plan: &Plan,
    catalog: &ShiftCatalog,
    agents: &[Agent],
    actual: Option<&[f64]>,
    lang: Lang,
) -> String {
    let horizon = &plan.demand.horizon;
    let hours = |interval: usize| f64::from(horizon.interval_start(interval)) / 60.0;
    let steps = |values: &[u32]| -> Vec<(f64, f64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| (hours(i), f64::from(v)))
            .collect()
    };
    let day_ticks: Vec<(f64, String)> = (0..horizon.days)
        .map(|day| {
            (
                f64::from(day * 24),
                format!(
                    "{} {}",
                    weekday_in(lang, horizon, day * MINUTES_PER_DAY),
                    horizon.date_of_day(day)
                ),
            )
        })
        .collect();
    let coverage = LineChart {
        title: lang.t("sched.coverage_title").to_owned(),
        x_label: lang.t("sched.hours_axis").to_owned(),
        y_label: lang.t("sched.agents_axis").to_owned(),
        series: vec![
            Series {
                name: lang.t("sched.required").to_owned(),
                points: steps(&plan.demand.required),
                step: true,
                dashed: true,
            },
            Series {
                name: lang.t("sched.scheduled").to_owned(),
                points: steps(&plan.scheduled_coverage),
                step: true,
                dashed: false,
            },
        ],
        x_ticks: day_ticks.clone(),
        y_range: Some((0.0, 1.0)),
    };
    let optimality = if plan.selection.proven_optimal {
        lang.t("sched.proven_optimal")
    } else {
        lang.t("sched.not_proven_optimal")
    };
    let mut body = format!(
        "<h1>{}</h1>\n<p>{}</p>\n{}\n",
        lang.html(
            "sched.heading",
            &[
                ("from", &ltr(&horizon.start_date.to_string())),
                (
                    "to",
                    &ltr(&horizon.date_of_day(horizon.days - 1).to_string())
                ),
            ]
        ),
        lang.html(
            "sched.summary",
            &[
                ("shifts", &ltr(&plan.shifts.len().to_string())),
                ("cost", &ltr(&format!("{:.2}", plan.selection.shift_cost))),
                ("optimality", &escape(optimality)),
                ("unfilled", &ltr(&plan.summary.unfilled.len().to_string())),
                (
                    "jain",
                    &ltr(&format!("{:.3}", plan.summary.utilisation_fairness)),
                ),
            ]
        ),
        coverage.to_svg()
    );
    if let (Some(forecast), Some(actual)) = (&plan.demand.forecast_arrivals, actual) {
        let points = |values: &[f64]| -> Vec<(f64, f64)> {
            values
                .iter()
                .enumerate()
                .map(|(i, &v)| (hours(i), v))
                .collect()
        };
        let chart = LineChart {
            title: lang.t("sched.forecast_title").to_owned(),
            x_label: lang.t("sched.hours_axis").to_owned(),
            y_label: lang.t("sched.arrivals_axis").to_owned(),
            series: vec![
                Series {
                    name: lang.t("sched.forecast").to_owned(),
                    points: points(forecast),
                    step: true,
                    dashed: true,
                },
                Series {
                    name: lang.t("sched.actual").to_owned(),
                    points: points(actual),
                    step: true,
                    dashed: false,
                },
            ],
            x_ticks: day_ticks,
            y_range: Some((0.0, 1.0)),
        };
        body.push_str(&chart.to_svg());
    }
    let _ = write!(
        body,
        "<h2>{}</h2>\n<table>\n<tr><th>{}</th><th>{}</th><th>{}</th></tr>\n",
        lang.html("sched.agents_heading", &[]),
        lang.html("sched.col_agent", &[]),
        lang.html("sched.col_hours", &[]),
        lang.html("sched.col_shifts", &[])
    );
    for (index, agent) in agents.iter().enumerate() {
        let lines: Vec<String> = shifts_of_agent(plan, index)
            .into_iter()
            .map(|shift| shift_html(plan, catalog, shift, lang))
            .collect();
        let _ = writeln!(
            body,
            "<tr><td dir=\"auto\">{}</td><td class=\"number\">{:.1}</td><td>{}</td></tr>",
            escape(&agent.name),
            f64::from(plan.summary.paid_minutes[index]) / 60.0,
            lines.join("<br>")
        );
    }
    body.push_str("</table>\n");
    html_page(
        lang.t("sched.page_title"),
        lang.code(),
        lang.direction(),
        &body,
    )
}
