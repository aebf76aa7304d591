//! `moked staff`: evaluate a staffing level, compute the staffing that meets
//! service targets, or staff every interval of a forecast (Erlang B/C/A/X).
//!
//! Forms:
//! - `--agents N`: the metrics of N agents (one JSON object with `--json`).
//! - `--target-sl S [--max-abandon P] [--max-occupancy P] [--shrinkage P]`:
//!   the least agents meeting every target and `scheduled_agents`.
//! - `--forecast FILE.csv`: the same per interval (CSV, or JSON with `--json`).
//! - `--cases FILE.csv`: a batch of independent staffing questions, timed
//!   inside the process (used by `bench/staffing_vs_pyworkforce.py`).

use crate::cli_error::{CliError, Location, read_text};
use moked_domain::Seconds;
use moked_staffing::{
    ErlangX, IntervalPolicy, IntervalRequirement, Load, Metrics, Model, Scenario, StaffingError,
    Targets, evaluate, interval_requirement, parse_forecast, required_agents,
};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `moked staff`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Queueing model: erlang-b, erlang-c, erlang-a, or erlang-x (Erlang A with
    /// --lines, --redial-probability and --arrivals-cv).
    #[arg(long, default_value = "erlang-c")]
    model: String,
    /// Contacts per hour.
    #[arg(long)]
    arrivals_per_hour: Option<f64>,
    /// Contacts per interval (with --interval), instead of --arrivals-per-hour.
    #[arg(long)]
    arrivals: Option<f64>,
    /// Interval length for --arrivals and --forecast, e.g. 30m or 15m.
    #[arg(long, default_value = "30m")]
    interval: String,
    /// Mean handling time, e.g. 180s or 3m.
    #[arg(long)]
    aht: Option<String>,
    /// Mean patience before hanging up (erlang-a, erlang-x), e.g. 300s.
    #[arg(long)]
    patience: Option<String>,
    /// Service-level threshold: seconds (20) or a duration (20s).
    #[arg(long, default_value = "20")]
    sl_seconds: String,
    /// Evaluate this many agents.
    #[arg(long)]
    agents: Option<u32>,
    /// Target service level, a share such as 0.8.
    #[arg(long)]
    target_sl: Option<f64>,
    /// Highest acceptable abandon share, such as 0.05.
    #[arg(long)]
    max_abandon: Option<f64>,
    /// Highest acceptable occupancy, such as 0.85.
    #[arg(long)]
    max_occupancy: Option<f64>,
    /// Share of paid time off the phones, such as 0.3.
    #[arg(long, default_value_t = 0.0)]
    shrinkage: f64,
    /// erlang-x: telephone lines (agents plus waiting places).
    #[arg(long)]
    lines: Option<u32>,
    /// erlang-x: share of abandoned or blocked contacts that redial.
    #[arg(long, default_value_t = 0.0)]
    redial_probability: f64,
    /// erlang-x: coefficient of variation of the forecast arrival rate.
    #[arg(long, default_value_t = 0.0)]
    arrivals_cv: f64,
    /// A forecast CSV to staff interval by interval: interval start (any text),
    /// arrivals in the interval, AHT (180s, 3m or a number of seconds);
    /// separated by commas, semicolons or tabs; header line optional; `#` comments.
    #[arg(long, value_name = "FILE.csv")]
    forecast: Option<PathBuf>,
    /// A batch of staffing questions (model, arrivals_per_hour, aht_seconds,
    /// patience_seconds, sl_seconds, target_sl, max_occupancy, max_abandon, shrinkage).
    #[arg(long, value_name = "FILE.csv")]
    cases: Option<PathBuf>,
    /// Print JSON instead of a table (with --forecast: instead of CSV).
    #[arg(long)]
    json: bool,
}

/// Runs `moked staff`.
pub fn run(args: Args) -> Result<(), CliError> {
    if let Some(path) = &args.cases {
        return print_cases(path);
    }
    let model = model(&args)?;
    let sl_seconds = parse_sl_seconds(&args.sl_seconds)?;
    if let Some(path) = &args.forecast {
        return print_forecast(&args, path, model, sl_seconds);
    }
    let aht = duration(
        "aht",
        args.aht
            .as_deref()
            .ok_or_else(|| CliError::option("aht", "is required"))?,
    )?;
    let per_hour = arrivals_per_hour(&args)?;
    let load = Load::new(per_hour, aht).map_err(staffing_error)?;
    let scenario = Scenario::new(model, load, sl_seconds).map_err(staffing_error)?;
    let output = match args.agents {
        Some(agents) => {
            let metrics = evaluate(&scenario, agents).map_err(staffing_error)?;
            render(args.json, &metrics, None)
        }
        None => {
            let targets = targets(&args)?;
            let requirement =
                required_agents(&scenario, &targets, args.shrinkage).map_err(staffing_error)?;
            render(
                args.json,
                &requirement.metrics,
                Some(requirement.scheduled_agents),
            )
        }
    };
    print!("{output}");
    Ok(())
}

fn duration(option: &'static str, text: &str) -> Result<f64, CliError> {
    Seconds::parse(text)
        .map(Seconds::as_secs)
        .map_err(|error| CliError::option(option, error))
}

fn parse_sl_seconds(text: &str) -> Result<f64, CliError> {
    match text.trim().parse::<f64>() {
        Ok(seconds) if seconds.is_finite() && seconds >= 0.0 => Ok(seconds),
        Ok(seconds) => Err(CliError::option(
            "sl-seconds",
            format!("{seconds} is not a number of seconds ≥ 0"),
        )),
        Err(_) => duration("sl-seconds", text),
    }
}

fn model(args: &Args) -> Result<Model, CliError> {
    let patience = || -> Result<f64, CliError> {
        let text = args.patience.as_deref().ok_or_else(|| {
            CliError::option("patience", format!("is required by --model {}", args.model))
        })?;
        duration("patience", text)
    };
    let extended =
        args.lines.is_some() || args.redial_probability != 0.0 || args.arrivals_cv != 0.0;
    let model = match args.model.as_str() {
        "erlang-b" => Model::ErlangB,
        "erlang-c" => Model::ErlangC,
        "erlang-a" => Model::ErlangA {
            patience_seconds: patience()?,
        },
        "erlang-x" => Model::ErlangX(ErlangX {
            patience_seconds: patience()?,
            lines: args.lines,
            redial_probability: args.redial_probability,
            arrivals_cv: args.arrivals_cv,
        }),
        other => {
            return Err(CliError::option(
                "model",
                format!("{other:?} is not a model: use erlang-b, erlang-c, erlang-a or erlang-x"),
            ));
        }
    };
    if extended && !matches!(model, Model::ErlangX(_)) {
        return Err(CliError::option(
            "model",
            "--lines, --redial-probability and --arrivals-cv need --model erlang-x",
        ));
    }
    Ok(model)
}

fn arrivals_per_hour(args: &Args) -> Result<f64, CliError> {
    match (args.arrivals_per_hour, args.arrivals) {
        (Some(per_hour), None) => Ok(per_hour),
        (None, Some(per_interval)) => Ok(per_interval * 3600.0 / interval_seconds(args)?),
        (Some(_), Some(_)) => Err(CliError::option(
            "arrivals",
            "give either --arrivals-per-hour or --arrivals, not both",
        )),
        (None, None) => Err(CliError::option(
            "arrivals-per-hour",
            "is required (or --arrivals with --interval)",
        )),
    }
}

fn interval_seconds(args: &Args) -> Result<f64, CliError> {
    let seconds = duration("interval", &args.interval)?;
    if seconds > 0.0 {
        Ok(seconds)
    } else {
        Err(CliError::option("interval", "must be longer than 0s"))
    }
}

fn targets(args: &Args) -> Result<Targets, CliError> {
    let service_level = args
        .target_sl
        .ok_or_else(|| CliError::option("target-sl", "is required when --agents is not given"))?;
    Targets::new(service_level, args.max_abandon, args.max_occupancy).map_err(staffing_error)
}

/// The command-line option behind a parameter of the staffing crate.
fn option_of(parameter: &str) -> &'static str {
    match parameter {
        "arrivals per hour" => "arrivals-per-hour",
        "aht" => "aht",
        "patience" => "patience",
        "sl seconds" => "sl-seconds",
        "target sl" => "target-sl",
        "max abandon" => "max-abandon",
        "max occupancy" => "max-occupancy",
        "shrinkage" => "shrinkage",
        "redial probability" => "redial-probability",
        "arrivals cv" => "arrivals-cv",
        "lines" => "lines",
        _ => "agents",
    }
}

fn staffing_error(error: StaffingError) -> CliError {
    match &error {
        StaffingError::InvalidParameter { name, .. } => CliError::option(option_of(name), error),
        StaffingError::AgentsExceedLines { .. } => CliError::option("agents", error),
        StaffingError::RedialsDiverge { .. } => CliError::option("redial-probability", error),
        StaffingError::Unstable { .. } => CliError::option("agents", error),
        StaffingError::TargetUnreachable { .. } => CliError::option("target-sl", error),
    }
}

fn render(json: bool, metrics: &Metrics, scheduled: Option<u32>) -> String {
    if json {
        let mut value = serde_json::to_value(metrics).unwrap_or_default();
        if let (Some(scheduled), Some(object)) = (scheduled, value.as_object_mut()) {
            object.insert("scheduled_agents".to_owned(), scheduled.into());
        }
        return format!("{value}\n");
    }
    let mut table = String::new();
    let mut row = |label: &str, value: String| {
        let _ = writeln!(table, "{label:<20} {value}");
    };
    row("model", metrics.model.to_owned());
    row(
        "offered load",
        format!("{:.4} Erlangs", metrics.offered_erlangs),
    );
    row("agents", metrics.agents.to_string());
    if let Some(scheduled) = scheduled {
        row("scheduled agents", scheduled.to_string());
    }
    row(
        "service level",
        format!("{:.4} %", 100.0 * metrics.service_level),
    );
    row("p(wait)", format!("{:.6}", metrics.p_wait));
    row("p(abandon)", format!("{:.6}", metrics.p_abandon));
    row("p(blocked)", format!("{:.6}", metrics.p_blocked));
    row(
        "mean wait",
        format!("{:.3} s (all offered)", metrics.mean_wait_seconds),
    );
    row("ASA", format!("{:.3} s (answered)", metrics.asa_seconds));
    row("occupancy", format!("{:.4} %", 100.0 * metrics.occupancy));
    table
}

fn print_forecast(args: &Args, path: &Path, model: Model, sl_seconds: f64) -> Result<(), CliError> {
    let text = read_text(path)?;
    let at = |line: usize, field: &str| Location {
        path: path.to_owned(),
        line: Some(line),
        field: Some(field.to_owned()),
    };
    let intervals = parse_forecast(&text).map_err(|error| CliError::Input {
        location: at(error.line, error.field),
        message: error.message,
    })?;
    let policy = IntervalPolicy {
        model,
        interval_seconds: interval_seconds(args)?,
        sl_seconds,
        targets: targets(args)?,
        shrinkage: args.shrinkage,
    };
    let requirements = intervals
        .iter()
        .map(|interval| {
            interval_requirement(interval, &policy).map_err(|error| match error {
                StaffingError::InvalidParameter { name: "aht", .. } => CliError::Input {
                    location: at(interval.line, "aht"),
                    message: error.to_string(),
                },
                StaffingError::InvalidParameter {
                    name: "arrivals per hour",
                    ..
                } => CliError::Input {
                    location: at(interval.line, "arrivals"),
                    message: error.to_string(),
                },
                other => staffing_error(other),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let output = if args.json {
        format!(
            "{}\n",
            serde_json::to_string_pretty(&requirements).map_err(anyhow::Error::from)?
        )
    } else {
        requirements_csv(&requirements)
    };
    print!("{output}");
    Ok(())
}

fn requirements_csv(requirements: &[IntervalRequirement]) -> String {
    let mut out = String::from(
        "start,arrivals,aht_seconds,offered_erlangs,agents,scheduled_agents,service_level,p_wait,p_abandon,\
         p_blocked,mean_wait_seconds,asa_seconds,occupancy\n",
    );
    for requirement in requirements {
        let metrics = requirement.metrics.map_or_else(
            || ",,,,,,,".to_owned(),
            |m| {
                format!(
                    "{},{},{},{},{},{},{},{}",
                    m.offered_erlangs,
                    m.service_level,
                    m.p_wait,
                    m.p_abandon,
                    m.p_blocked,
                    m.mean_wait_seconds,
                    m.asa_seconds,
                    m.occupancy
                )
            },
        );
        // The offered load sits fourth; the other metrics follow the agents.
        let (offered, rest) = metrics.split_once(',').unwrap_or(("", ""));
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{}",
            requirement.start,
            requirement.arrivals,
            requirement.aht_seconds,
            offered,
            requirement.agents,
            requirement.scheduled_agents,
            rest
        );
    }
    out
}

/// One line of a `--cases` batch.
struct Case {
    scenario: Scenario,
    targets: Targets,
    shrinkage: f64,
}

fn parse_case(path: &Path, line: usize, text: &str) -> Result<Case, CliError> {
    const FIELDS: [&str; 9] = [
        "model",
        "arrivals_per_hour",
        "aht_seconds",
        "patience_seconds",
        "sl_seconds",
        "target_sl",
        "max_occupancy",
        "max_abandon",
        "shrinkage",
    ];
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let error = |index: usize, message: String| CliError::Input {
        location: Location {
            path: path.to_owned(),
            line: Some(line),
            field: Some(FIELDS[index].to_owned()),
        },
        message,
    };
    if fields.len() != FIELDS.len() {
        return Err(error(
            0,
            format!("expected {} fields, found {}", FIELDS.len(), fields.len()),
        ));
    }
    let number = |index: usize| -> Result<Option<f64>, CliError> {
        if fields[index].is_empty() {
            return Ok(None);
        }
        fields[index]
            .parse()
            .map(Some)
            .map_err(|_| error(index, format!("{:?} is not a number", fields[index])))
    };
    let required =
        |index: usize| number(index)?.ok_or_else(|| error(index, "is required".to_owned()));
    let model = match fields[0] {
        "erlang-b" => Model::ErlangB,
        "erlang-c" => Model::ErlangC,
        "erlang-a" => Model::ErlangA {
            patience_seconds: required(3)?,
        },
        other => {
            return Err(error(
                0,
                format!("{other:?} is not erlang-b, erlang-c or erlang-a"),
            ));
        }
    };
    let invalid = |index: usize| move |e: StaffingError| error(index, e.to_string());
    let load = Load::new(required(1)?, required(2)?).map_err(invalid(1))?;
    Ok(Case {
        scenario: Scenario::new(model, load, required(4)?).map_err(invalid(4))?,
        targets: Targets::new(required(5)?, number(7)?, number(6)?).map_err(invalid(5))?,
        shrinkage: number(8)?.unwrap_or(0.0),
    })
}

/// Staffs every case and prints `agents,scheduled_agents,microseconds`, the
/// time being measured around the computation alone.
fn print_cases(path: &Path) -> Result<(), CliError> {
    let text = read_text(path)?;
    let mut out = String::from("agents,scheduled_agents,microseconds\n");
    for (index, line) in text.lines().enumerate() {
        if index == 0 || line.trim().is_empty() {
            continue;
        }
        let case = parse_case(path, index + 1, line)?;
        let started = Instant::now();
        let requirement = required_agents(&case.scenario, &case.targets, case.shrinkage);
        let elapsed = started.elapsed().as_secs_f64() * 1e6;
        match requirement {
            Ok(requirement) => {
                let _ = writeln!(
                    out,
                    "{},{},{elapsed:.3}",
                    requirement.agents, requirement.scheduled_agents
                );
            }
            Err(error) => {
                return Err(CliError::Input {
                    location: Location {
                        path: path.to_owned(),
                        line: Some(index + 1),
                        field: None,
                    },
                    message: error.to_string(),
                });
            }
        }
    }
    print!("{out}");
    Ok(())
}
