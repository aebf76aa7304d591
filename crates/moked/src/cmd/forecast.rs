//! `moked forecast`: reads a history of counts per interval, forecasts the
//! intervals after it with 80% prediction intervals, or backtests methods.
//!
//! Accepted history files (CSV, comma-separated, one header line):
//! - a timestamp column named `DateTime`, `timestamp`, `start`, `interval_start`,
//!   `time` or `date_time` (any case), and a count column named `Calls`, `count`,
//!   `arrivals`, `contacts`, `volume` or `offered`; other columns (such as the
//!   `rownames` row number of `bank_calls.csv`) are ignored;
//! - without a recognised header, the columns are taken by position:
//!   `timestamp,count` or `row,timestamp,count`;
//! - timestamps `2003-03-03T07:00:00`, `2003-03-03 07:00:00` or without
//!   seconds; a trailing `Z` or UTC offset is ignored: the clock time as
//!   written is the local time of the interval's start.

use crate::cli_error::{CliError, Location, read_text};
use jiff::civil::{DateTime, Time};
use moked_calendar::{BusinessCalendar, HolidaySet, OpeningHours, WorkWeek};
use moked_domain::Seconds;
use moked_forecast::{
    BacktestReport, Forecast, History, IntervalSource, Method, MethodChoice, Observation,
};
use std::path::{Path, PathBuf};

/// The accepted history files, for `moked forecast --help`.
const ACCEPTED_FORMS: &str = "\
History files: CSV with one header line, a timestamp column named DateTime, timestamp, start,
interval_start, time or date_time and a count column named Calls, count, arrivals, contacts, volume
or offered (any case; other columns such as a row number are ignored), or without a recognised
header the columns timestamp,count or row,timestamp,count. Timestamps: 2003-03-03T07:00:00,
2003-03-03 07:00:00, or without seconds; a trailing Z or UTC offset is ignored (the clock time as
written is the local start of the interval). Counts: numbers, zero or more.

Output: CSV start,arrivals,low,high (or --json: an array of {start, arrivals, low, high}), one row
per open interval of the horizon; low/high bound the 80% prediction interval. With --aht 180s:
CSV start,arrivals,aht, ready for `moked staff --forecast`.";

/// Arguments of `moked forecast`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = ACCEPTED_FORMS)]
pub struct Args {
    /// History CSV: a timestamp column and a count column (see the accepted forms above).
    #[arg(long)]
    history: PathBuf,
    /// Interval length of the forecast, a multiple of the history's step (30m, 1h, 15m).
    #[arg(long, default_value = "30m")]
    interval: String,
    /// How far to forecast after the history's last day (14d, 1w).
    #[arg(long, default_value = "14d")]
    horizon: String,
    /// auto, seasonal-naive, weekday-average, holt-winters or day-total-profile.
    #[arg(long, default_value = "auto")]
    method: String,
    /// Work week and holidays: mon-fri (no holidays) or israel (Sunday–Thursday,
    /// short Friday, Hebrew-calendar holidays closed, eves short).
    #[arg(long, default_value = "mon-fri")]
    calendar: String,
    /// Closing time of short days (Friday and holiday eves in the Israeli calendar).
    #[arg(long, default_value = "13:00")]
    short_day_close: String,
    /// Print each method's MAPE and RMSE in a rolling-origin backtest instead of forecasting.
    #[arg(long)]
    backtest: bool,
    /// Test period of the backtest: the last N days of the history (implies --backtest).
    #[arg(long)]
    evaluate_last: Option<String>,
    /// Print JSON instead of CSV or a table.
    #[arg(long)]
    json: bool,
    /// Print CSV `start,arrivals,aht` with this handling time (180s, 3m) instead of
    /// the prediction intervals: the input of `moked staff --forecast`.
    #[arg(long, conflicts_with = "json")]
    aht: Option<String>,
}

/// Test days of `--backtest` when `--evaluate-last` is not given.
const DEFAULT_TEST_DAYS: usize = 20;
/// Days before each origin over which the automatic choice compares methods:
/// the same window as `moked forecast --method auto` uses.
const SELECTION_DAYS: usize = moked_forecast::BACKTEST_ORIGINS;

/// Runs `moked forecast`.
pub fn run(args: Args) -> Result<(), CliError> {
    let interval_seconds = whole_seconds("interval", &args.interval)?;
    let choice = parse_method(&args.method)?;
    let aht = args
        .aht
        .as_deref()
        .map(Seconds::parse)
        .transpose()
        .map_err(|error| CliError::option("aht", error))?;
    let text = read_text(&args.history)?;
    let observations = parse_history(&args.history, &text)?;
    let provisional = History::from_observations(&observations, interval_seconds, |_| false)
        .map_err(|error| CliError::option("interval", error))?;
    let calendar = build_calendar(&args, &provisional)?;
    let history = History::from_observations(&observations, interval_seconds, |date| {
        calendar.day(date).is_special()
    })
    .map_err(|error| CliError::option("interval", error))?;
    if args.backtest || args.evaluate_last.is_some() {
        if history.days().len() < 2 {
            return Err(CliError::option(
                "backtest",
                "the history needs at least two days to backtest",
            ));
        }
        let test_days = match &args.evaluate_last {
            Some(text) => usize::try_from(whole_seconds("evaluate-last", text)? / 86_400)
                .ok()
                .filter(|days| *days > 0)
                .ok_or_else(|| {
                    CliError::option("evaluate-last", "write a whole number of days, such as 40d")
                })?,
            None => DEFAULT_TEST_DAYS,
        };
        let report = moked_forecast::backtest(&history, test_days, SELECTION_DAYS);
        return print_backtest(&args, &history, test_days, &report);
    }
    let horizon_days = (whole_seconds("horizon", &args.horizon)? + 86_399) / 86_400;
    let forecast = moked_forecast::forecast(&history, &calendar, choice, horizon_days)
        .map_err(|error| CliError::option("method", error))?;
    print_forecast(&args, &forecast, aht)
}

fn whole_seconds(option: &'static str, text: &str) -> Result<i64, CliError> {
    let seconds = Seconds::parse(text)
        .map_err(|error| CliError::option(option, error))?
        .as_secs();
    if seconds < 1.0 || seconds.fract() != 0.0 || seconds > 1e9 {
        return Err(CliError::option(
            option,
            format!("{text:?} must be a positive whole number of seconds"),
        ));
    }
    Ok(seconds as i64)
}

fn parse_method(name: &str) -> Result<MethodChoice, CliError> {
    if name == "auto" {
        return Ok(MethodChoice::Auto);
    }
    Method::from_name(name)
        .map(MethodChoice::Fixed)
        .ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|method| method.name()).collect();
            CliError::option(
                "method",
                format!("unknown method {name:?}: use auto, {}", names.join(", ")),
            )
        })
}

/// The calendar named by `--calendar`, open over the history's hours of the day.
fn build_calendar(args: &Args, history: &History) -> Result<BusinessCalendar, CliError> {
    let open = history.interval_starts()[0];
    let full = OpeningHours::new(open, history.close_time())
        .map_err(|error| CliError::option("interval", error))?;
    let close: Time = args.short_day_close.parse().map_err(|_| {
        CliError::option(
            "short-day-close",
            format!("{:?} is not a time such as 13:00", args.short_day_close),
        )
    })?;
    let short = OpeningHours::new(open, close.min(full.close))
        .map_err(|error| CliError::option("short-day-close", error))?;
    match args.calendar.as_str() {
        "mon-fri" => Ok(BusinessCalendar::new(
            WorkWeek::monday_to_friday(full, short),
            HolidaySet::None,
        )),
        "israel" => Ok(BusinessCalendar::new(
            WorkWeek::israel(full, short),
            HolidaySet::Israel,
        )),
        other => Err(CliError::option(
            "calendar",
            format!("unknown calendar {other:?}: use mon-fri or israel"),
        )),
    }
}

const TIMESTAMP_HEADERS: [&str; 6] = [
    "datetime",
    "timestamp",
    "start",
    "interval_start",
    "time",
    "date_time",
];
const COUNT_HEADERS: [&str; 6] = [
    "calls", "count", "arrivals", "contacts", "volume", "offered",
];

/// Which columns hold the timestamp and the count, and whether line 1 is a header.
struct Columns {
    timestamp: usize,
    count: usize,
    timestamp_name: String,
    count_name: String,
    header: bool,
}

fn columns_of(first: &csv::StringRecord) -> Columns {
    let find = |names: &[&str]| {
        first
            .iter()
            .position(|field| names.contains(&field.trim().to_lowercase().as_str()))
    };
    match (find(&TIMESTAMP_HEADERS), find(&COUNT_HEADERS)) {
        (Some(timestamp), Some(count)) => Columns {
            timestamp,
            count,
            timestamp_name: first[timestamp].trim().to_owned(),
            count_name: first[count].trim().to_owned(),
            header: true,
        },
        _ => {
            let offset = usize::from(first.len() >= 3);
            let header = parse_timestamp(first.get(offset).unwrap_or("")).is_none();
            Columns {
                timestamp: offset,
                count: offset + 1,
                timestamp_name: "timestamp".to_owned(),
                count_name: "count".to_owned(),
                header,
            }
        }
    }
}

fn parse_history(path: &Path, text: &str) -> Result<Vec<Observation>, CliError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let at = |line: u64, field: Option<&str>| Location {
        path: path.to_owned(),
        line: Some(line as usize),
        field: field.map(str::to_owned),
    };
    let Some(first) = records.next() else {
        return Err(CliError::Input {
            location: at(1, None),
            message: "the file is empty".to_owned(),
        });
    };
    let first = first.map_err(|error| CliError::Input {
        location: at(1, None),
        message: error.to_string(),
    })?;
    let columns = columns_of(&first);
    let mut observations = Vec::new();
    let data = std::iter::once(Ok(first))
        .chain(records)
        .skip(usize::from(columns.header));
    for record in data {
        let record = record.map_err(|error| {
            let line = error.position().map_or(0, |position| position.line());
            CliError::Input {
                location: at(line, None),
                message: error.to_string(),
            }
        })?;
        let line = record.position().map_or(0, |position| position.line());
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        let timestamp_text = record.get(columns.timestamp).unwrap_or("").trim();
        let start = parse_timestamp(timestamp_text).ok_or_else(|| CliError::Input {
            location: at(line, Some(&columns.timestamp_name)),
            message: format!("{timestamp_text:?} is not a timestamp such as 2003-03-03T07:00:00"),
        })?;
        let count_text = record.get(columns.count).unwrap_or("").trim();
        let count = count_text
            .parse::<f64>()
            .ok()
            .filter(|count| count.is_finite() && *count >= 0.0)
            .ok_or_else(|| CliError::Input {
                location: at(line, Some(&columns.count_name)),
                message: format!("{count_text:?} is not a count (a number, zero or more)"),
            })?;
        observations.push(Observation { start, count });
    }
    if observations.is_empty() {
        return Err(CliError::Input {
            location: at(1, None),
            message: "the file has no data rows".to_owned(),
        });
    }
    Ok(observations)
}

/// A civil timestamp; a `Z` or numeric offset after the time is dropped.
fn parse_timestamp(text: &str) -> Option<DateTime> {
    let without_zone = text
        .strip_suffix('Z')
        .or_else(|| text.strip_suffix('z'))
        .unwrap_or(text);
    let without_offset = match without_zone
        .get(10..)
        .and_then(|time| time.rfind(['+', '-']))
    {
        Some(position) => &without_zone[..10 + position],
        None => without_zone,
    };
    without_offset.trim().parse::<DateTime>().ok()
}

fn print_forecast(args: &Args, forecast: &Forecast, aht: Option<Seconds>) -> Result<(), CliError> {
    let source = match forecast.interval_source {
        IntervalSource::BacktestQuantiles { origins } => {
            format!("empirical quantiles of a {origins}-origin backtest")
        }
        IntervalSource::Poisson => {
            "the Poisson approximation (history too short to backtest)".to_owned()
        }
    };
    eprintln!(
        "moked: forecast by {}; 80% intervals from {source}",
        forecast.method.name()
    );
    if args.json {
        let rows: Vec<serde_json::Value> = forecast
            .intervals
            .iter()
            .map(|interval| {
                serde_json::json!({
                    "start": interval.start.to_string(),
                    "arrivals": round2(interval.arrivals),
                    "low": round2(interval.low),
                    "high": round2(interval.high),
                })
            })
            .collect();
        write_stdout(&format!("{}\n", serde_json::Value::Array(rows)))
    } else if let Some(aht) = aht {
        let aht_seconds = aht.as_secs();
        let mut text = String::from("start,arrivals,aht\n");
        for interval in &forecast.intervals {
            text += &format!(
                "{},{:.2},{aht_seconds}s\n",
                interval.start, interval.arrivals
            );
        }
        write_stdout(&text)
    } else {
        let mut text = String::from("start,arrivals,low,high\n");
        for interval in &forecast.intervals {
            text += &format!(
                "{},{:.2},{:.2},{:.2}\n",
                interval.start, interval.arrivals, interval.low, interval.high
            );
        }
        write_stdout(&text)
    }
}

/// Writes to standard output; a reader that stops early (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::io(Path::new("<stdout>"), error))
        }
        _ => Ok(()),
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn print_backtest(
    args: &Args,
    history: &History,
    test_days: usize,
    report: &BacktestReport,
) -> Result<(), CliError> {
    let days = history.days();
    let first_test = days[days.len().saturating_sub(test_days).max(1)].date;
    if args.json {
        let scores: Vec<serde_json::Value> = report
            .scores
            .iter()
            .map(|score| serde_json::json!({"method": score.method, "mape": score.mape, "rmse": score.rmse, "days": score.days}))
            .collect();
        let value = serde_json::json!({
            "interval_seconds": history.interval_seconds(),
            "test_from": first_test.to_string(),
            "test_to": history.last_date().to_string(),
            "scores": scores,
            "auto_choices": report.auto_choices,
            "winner": report.winner.name(),
        });
        return write_stdout(&format!("{value}\n"));
    }
    let mut text = format!(
        "Rolling-origin backtest, one day ahead: test days {first_test} to {} (last {test_days} days of the history), \
         {} s intervals, origin at the end of each previous day; MAPE over intervals with actual > 0\n",
        history.last_date(),
        history.interval_seconds()
    );
    text += &format!(
        "{:<20} {:>8} {:>10} {:>5}\n",
        "method", "MAPE %", "RMSE", "days"
    );
    for score in &report.scores {
        text += &format!(
            "{:<20} {:>8.2} {:>10.2} {:>5}\n",
            score.method, score.mape, score.rmse, score.days
        );
    }
    let choices: Vec<String> = report
        .auto_choices
        .iter()
        .map(|(name, count)| format!("{name} {count}"))
        .collect();
    text += &format!(
        "auto picked (by MAPE over the {SELECTION_DAYS} previous days at each origin): {}\n",
        choices.join(", ")
    );
    text += &format!("winner over the test days: {}\n", report.winner.name());
    write_stdout(&text)
}
