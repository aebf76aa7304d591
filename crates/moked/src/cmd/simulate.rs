//! `moked simulate SCENARIO.toml`: runs the contact-center simulator and
//! prints a table, JSON, an HTML report and optionally a `queue_log`.
//!
//! The scenario and any CSV of arrival counts it names are read here (CSV
//! paths are relative to the scenario's folder); the simulation itself is the
//! pure `moked-sim` crate. Replications run on threads, and the report is
//! identical to a sequential run because each replication has its own seed.

use crate::cli_error::{CliError, Location, read_text, write_text};
use crate::i18n::{Lang, bdi, ltr};
use crate::svg::{LineChart, Series, escape, html_page};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use moked_sim::report::{GroupSummary, QueueSummary};
use moked_sim::{
    Estimate, ReplicationResult, Scenario, SimulationReport, run_replication, summarize,
};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Arguments of `moked simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (TOML; see examples/scenarios.md).
    pub scenario: PathBuf,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write a self-contained HTML report with charts to this file.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Replications to run, instead of the scenario's.
    #[arg(long, value_name = "N")]
    pub replications: Option<u32>,
    /// Seed, instead of the scenario's (replication i uses seed + i).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Write the routing engine's events of the first replication as Asterisk queue_log lines.
    #[arg(long, value_name = "FILE")]
    pub queue_log: Option<PathBuf>,
    /// When the simulated day begins, for the dates of the queue_log: a local date and time
    /// such as 2026-11-22T08:00 (in --tz), or an instant with an offset (default: today 00:00).
    #[arg(long, value_name = "DATETIME", requires = "queue_log")]
    pub start: Option<String>,
    /// The time zone of --start and of the default start.
    #[arg(long, value_name = "ZONE", default_value = "Asia/Jerusalem")]
    pub tz: String,
    /// Threads to run replications on (default: the machine's cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// The language of the HTML report: Hebrew (right to left) or English.
    #[arg(long, value_enum, default_value = "he")]
    pub lang: Lang,
}

/// Runs `moked simulate`.
pub fn run(args: Args) -> Result<(), CliError> {
    let mut scenario = load_scenario(&args.scenario)?;
    if let Some(replications) = args.replications {
        if !(1..=100_000).contains(&replications) {
            return Err(CliError::option(
                "replications",
                "must be between 1 and 100000",
            ));
        }
        scenario.simulation.replications = replications;
    }
    if let Some(seed) = args.seed {
        scenario.simulation.seed = seed;
    }
    let threads = match args.threads {
        Some(0) => return Err(CliError::option("threads", "must be at least 1")),
        Some(threads) => threads,
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    let progress = progress_bar(scenario.simulation.replications, args.quiet);
    let results = run_parallel(&scenario, threads, &progress)?;
    progress.finish_and_clear();
    let report = summarize(&scenario, &results);
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?;
        println!("{json}");
    } else {
        print!("{}", table(&report));
    }
    if let Some(path) = &args.report {
        write_text(path, &html_report(&args.scenario, &report, args.lang))?;
    }
    if let Some(path) = &args.queue_log {
        let start = queue_log_start(args.start.as_deref(), &args.tz)?;
        let lines = moked_sim::queue_log(&scenario, 0, start).map_err(anyhow::Error::from)?;
        write_text(path, &lines)?;
    }
    Ok(())
}

/// The instant the simulated time zero stands for, as a span since the Unix epoch.
fn queue_log_start(start: Option<&str>, zone: &str) -> Result<moked_routing::Span, CliError> {
    let zone = jiff::tz::TimeZone::get(zone)
        .map_err(|error| CliError::option("tz", format!("{zone:?}: {error}")))?;
    let instant = match start {
        None => jiff::Timestamp::now()
            .to_zoned(zone)
            .start_of_day()
            .map_err(|error| CliError::option("start", error))?
            .timestamp(),
        Some(text) => match text.parse::<jiff::Timestamp>() {
            Ok(instant) => instant,
            Err(_) => text
                .parse::<jiff::civil::DateTime>()
                .and_then(|local| local.to_zoned(zone))
                .map_err(|error| {
                    CliError::option(
                        "start",
                        format!(
                            "{text:?} is not a date and time such as 2026-11-22T08:00: {error}"
                        ),
                    )
                })?
                .timestamp(),
        },
    };
    let seconds = u64::try_from(instant.as_second())
        .map_err(|_| CliError::option("start", "must not be before 1970"))?;
    Ok(moked_routing::Span::from_secs(seconds))
}

fn load_scenario(path: &Path) -> Result<Scenario, CliError> {
    let text = read_text(path)?;
    let folder = path.parent().unwrap_or(Path::new("")).to_owned();
    let load = |name: &str| {
        let csv = folder.join(name);
        std::fs::read_to_string(&csv)
            .map_err(|error| format!("cannot read {}: {error}", csv.display()))
    };
    Scenario::parse_with(&text, load).map_err(|error| CliError::Input {
        location: Location {
            path: path.to_owned(),
            line: error.line,
            field: Some(error.field),
        },
        message: error.message,
    })
}

fn progress_bar(replications: u32, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar =
        ProgressBar::with_draw_target(Some(u64::from(replications)), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "simulating {bar:40} {pos}/{len} replications, {elapsed} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

/// Runs every replication, spread over `threads`; results come back in replication order.
fn run_parallel(
    scenario: &Scenario,
    threads: usize,
    progress: &ProgressBar,
) -> Result<Vec<ReplicationResult>, CliError> {
    let total = scenario.simulation.replications;
    let next = AtomicU32::new(0);
    let slots: Mutex<Vec<Option<ReplicationResult>>> = Mutex::new(vec![None; total as usize]);
    let failure: Mutex<Option<moked_sim::SimulationError>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..threads.min(total as usize) {
            scope.spawn(|| {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= total {
                        break;
                    }
                    match run_replication(scenario, index) {
                        Ok(result) => {
                            if let Ok(mut slots) = slots.lock() {
                                slots[index as usize] = Some(result);
                            }
                            progress.inc(1);
                        }
                        Err(error) => {
                            if let Ok(mut failure) = failure.lock() {
                                failure.get_or_insert(error);
                            }
                            next.store(total, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().ok().flatten() {
        return Err(anyhow::Error::from(error).into());
    }
    let slots = slots
        .into_inner()
        .map_err(|_| anyhow::anyhow!("a replication thread panicked"))?;
    slots
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| anyhow::anyhow!("a replication did not finish").into())
}

fn format_duration(seconds: f64) -> String {
    moked_domain::Seconds::new(seconds).map_or_else(|| format!("{seconds}s"), |s| s.to_string())
}

/// "value ± half-width" with `decimals` digits; "—" when undefined.
fn cell(estimate: Estimate, decimals: usize) -> String {
    if estimate.mean.is_nan() {
        return "—".to_owned();
    }
    format!(
        "{:.decimals$} ± {:.decimals$}",
        estimate.mean, estimate.half_width
    )
}

const QUEUE_COLUMNS: [&str; 10] = [
    "queue",
    "offered",
    "answered",
    "abandoned",
    "blocked",
    "service level",
    "p(wait)",
    "p(abandon)",
    "mean wait s",
    "ASA s",
];

fn queue_row(queue: &QueueSummary) -> Vec<String> {
    vec![
        queue.name.clone(),
        cell(queue.offered, 1),
        cell(queue.answered, 1),
        cell(queue.abandoned, 1),
        cell(queue.blocked, 1),
        cell(queue.service_level, 4),
        cell(queue.p_wait, 4),
        cell(queue.p_abandon, 4),
        cell(queue.mean_wait_seconds, 2),
        cell(queue.asa_seconds, 2),
    ]
}

fn group_row(group: &GroupSummary) -> Vec<String> {
    vec![
        group.name.clone(),
        group.agents.to_string(),
        cell(group.occupancy, 4),
    ]
}

/// Lays out rows as aligned columns: text left, numbers right.
fn columns(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|column| {
            rows.iter()
                .map(|row| row[column].chars().count())
                .chain([header[column].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let header_row: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header_row).chain(rows) {
        let mut line = String::new();
        for (column, text) in row.iter().enumerate() {
            let pad = widths[column] - text.chars().count();
            if column == 0 {
                let _ = write!(line, "{text}{}", " ".repeat(pad));
            } else {
                let _ = write!(line, "  {}{text}", " ".repeat(pad));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn table(report: &SimulationReport) -> String {
    let mut out = format!(
        "{} replication{} of {} (warmup {}), seed {}, {} simulated contacts; means ± 95% half-width per replication\n\n",
        report.replications,
        if report.replications == 1 { "" } else { "s" },
        format_duration(report.duration_seconds),
        format_duration(report.warmup_seconds),
        report.seed,
        report.customers
    );
    let mut rows: Vec<Vec<String>> = report.queues.iter().map(queue_row).collect();
    if report.queues.len() > 1 {
        rows.push(queue_row(&report.total));
    }
    out.push_str(&columns(&QUEUE_COLUMNS, &rows));
    out.push('\n');
    let groups: Vec<Vec<String>> = report.agent_groups.iter().map(group_row).collect();
    out.push_str(&columns(&["agent group", "agents", "occupancy"], &groups));
    out
}

/// At most this many points per chart line; longer series are averaged in runs.
const MAX_POINTS: usize = 600;

fn hours(seconds: f64) -> f64 {
    seconds / 3_600.0
}

fn thin(points: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let step = points.len().div_ceil(MAX_POINTS).max(1);
    points
        .chunks(step)
        .map(|chunk| {
            let defined: Vec<f64> = chunk
                .iter()
                .map(|p| p.1)
                .filter(|y| y.is_finite())
                .collect();
            let y = if defined.is_empty() {
                f64::NAN
            } else {
                defined.iter().sum::<f64>() / defined.len() as f64
            };
            (chunk[0].0, y)
        })
        .collect()
}

fn chart(
    title: &str,
    y_label: &str,
    series: Vec<Series>,
    y_range: Option<(f64, f64)>,
    x_label: &str,
) -> String {
    LineChart {
        title: title.to_owned(),
        x_label: x_label.to_owned(),
        y_label: y_label.to_owned(),
        series,
        x_ticks: Vec::new(),
        y_range,
    }
    .to_svg()
}

fn html_report(scenario_path: &Path, report: &SimulationReport, lang: Lang) -> String {
    let folded = report.duration_seconds > 86_400.0
        && report
            .queues
            .first()
            .is_some_and(|q| (q.intervals.len() as f64) * report.interval_seconds <= 86_400.0);
    let x_label = if folded {
        lang.t("sim.hour_of_day")
    } else {
        lang.t("sim.hours_from_start")
    };
    let queue_series = |value: fn(&moked_sim::report::IntervalSummary) -> f64| -> Vec<Series> {
        report
            .queues
            .iter()
            .map(|queue| Series {
                name: queue.name.clone(),
                points: thin(
                    queue
                        .intervals
                        .iter()
                        .map(|i| (hours(i.start_seconds), value(i)))
                        .collect(),
                ),
                step: true,
                dashed: false,
            })
            .collect()
    };
    // An interval without offered contacts has no service level: a gap in the
    // line, not a drop to 0 that would read as a failure of a closed queue.
    // Decided here from `offered`, so the chart does not hang on how the
    // summary happens to encode "no arrivals".
    let mut service_level = queue_series(|i| {
        if i.offered > 0.0 {
            i.service_level
        } else {
            f64::NAN
        }
    });
    if let [queue] = report.queues.as_slice()
        && let (Some(target), Some(last)) = (queue.sl_target, queue.intervals.last())
    {
        service_level.push(Series {
            name: lang.t("sim.target").to_owned(),
            points: vec![
                (hours(queue.intervals[0].start_seconds), target),
                (hours(last.start_seconds), target),
            ],
            step: false,
            dashed: true,
        });
    }
    let occupancy: Vec<Series> = report
        .agent_groups
        .iter()
        .map(|group| Series {
            name: group.name.clone(),
            points: thin(
                group
                    .intervals
                    .iter()
                    .map(|i| (hours(i.start_seconds), i.occupancy))
                    .collect(),
            ),
            step: true,
            dashed: false,
        })
        .collect();
    let mut body = format!(
        "<h1>{}</h1>\n<p class=\"muted\">{}</p>\n",
        lang.html(
            "sim.heading",
            &[("scenario", &bdi(&scenario_path.display().to_string()))]
        ),
        lang.html(
            "sim.summary",
            &[
                ("replications", &ltr(&report.replications.to_string())),
                ("duration", &bdi(&lang.duration(report.duration_seconds))),
                ("warmup", &bdi(&lang.duration(report.warmup_seconds))),
                ("seed", &ltr(&report.seed.to_string())),
                ("customers", &ltr(&report.customers.to_string())),
            ]
        )
    );
    let queue_columns = [
        lang.t("sim.col_queue"),
        lang.t("sim.col_offered"),
        lang.t("sim.col_answered"),
        lang.t("sim.col_abandoned"),
        lang.t("sim.col_blocked"),
        lang.t("sim.col_service_level"),
        lang.t("sim.col_p_wait"),
        lang.t("sim.col_p_abandon"),
        lang.t("sim.col_mean_wait"),
        lang.t("sim.col_asa"),
    ];
    let mut total = queue_row(&report.total);
    total[0] = lang.t("sim.total").to_owned();
    body.push_str(&html_table(
        &queue_columns,
        &report
            .queues
            .iter()
            .map(queue_row)
            .chain(std::iter::once(total))
            .collect::<Vec<_>>(),
    ));
    body.push_str(&html_table(
        &[
            lang.t("sim.col_group"),
            lang.t("sim.col_agents"),
            lang.t("sim.col_occupancy"),
        ],
        &report
            .agent_groups
            .iter()
            .map(group_row)
            .collect::<Vec<_>>(),
    ));
    let interval = bdi(&lang.duration(report.interval_seconds));
    let _ = writeln!(
        body,
        "<h2>{}</h2>",
        lang.html("sim.waiting_heading", &[("interval", &interval)])
    );
    body.push_str(&chart(
        lang.t("sim.waiting_title"),
        lang.t("sim.waiting_axis"),
        queue_series(|i| i.waiting),
        None,
        x_label,
    ));
    let _ = writeln!(
        body,
        "<h2>{}</h2>",
        lang.html("sim.service_heading", &[("interval", &interval)])
    );
    body.push_str(&chart(
        lang.t("sim.service_title"),
        lang.t("sim.share_axis"),
        service_level,
        Some((0.0, 1.0)),
        x_label,
    ));
    let _ = writeln!(body, "<h2>{}</h2>", lang.html("sim.occupancy_heading", &[]));
    body.push_str(&chart(
        lang.t("sim.occupancy_title"),
        lang.t("sim.share_axis"),
        occupancy,
        Some((0.0, 1.0)),
        x_label,
    ));
    html_page(
        lang.t("sim.page_title"),
        lang.code(),
        lang.direction(),
        &body,
    )
}

fn html_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut html = String::from("<table>\n<tr>");
    for title in header {
        let _ = write!(html, "<th>{}</th>", escape(title));
    }
    html.push_str("</tr>\n");
    for row in rows {
        html.push_str("<tr>");
        for (column, text) in row.iter().enumerate() {
            if column == 0 {
                let _ = write!(html, "<td dir=\"auto\">{}</td>", escape(text));
            } else {
                // A no-break space keeps "± 0.0075" together, so a narrow
                // column wraps between the mean and its half-width only.
                let text = text.replace(" ± ", " ±\u{a0}");
                let _ = write!(html, "<td class=\"number\">{}</td>", escape(&text));
            }
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
    html
}
