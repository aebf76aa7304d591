//! `moked forecast` end to end: the built binary on generated histories and
//! on `bank_calls.csv`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn moked(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moked"))
        .args(args)
        .output()
        .expect("the moked binary runs")
}

/// A file in a fresh directory of its own under the system's temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("moked-forecast-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Five weeks of weekdays from Monday 2025-01-06, 15-minute rows 09:00–16:45,
/// with a row-number column and `Z` timestamps like `bank_calls.csv`.
fn generated_history() -> String {
    let mut text = String::from("rownames,DateTime,Calls\n");
    let mut row = 1;
    for day_offset in 0..35 {
        let day = jiff::civil::date(2025, 1, 6) + jiff::Span::new().days(day_offset);
        if day.weekday().to_monday_one_offset() > 5 {
            continue;
        }
        for quarter in 0..32 {
            let (hour, minute) = (9 + quarter / 4, (quarter % 4) * 15);
            let count = 20 + (quarter % 7) * 3 + day.weekday().to_monday_one_offset() as i32;
            text += &format!("{row},{day}T{hour:02}:{minute:02}:00Z,{count}\n");
            row += 1;
        }
    }
    text
}

fn json_of(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn forecasts_the_week_after_a_generated_history_as_json() {
    let path = temp_file("history.csv", &generated_history());
    let output = moked(&[
        "forecast",
        "--history",
        path.to_str().unwrap(),
        "--interval",
        "30m",
        "--horizon",
        "7d",
        "--json",
    ]);
    let rows = json_of(&output);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 5 * 16, "five weekdays of sixteen half-hours");
    assert_eq!(
        rows[0]["start"], "2025-02-10T09:00:00",
        "the first interval after the history"
    );
    assert_eq!(rows[15]["start"], "2025-02-10T16:30:00");
    for row in rows {
        let (low, arrivals, high) = (
            row["low"].as_f64().unwrap(),
            row["arrivals"].as_f64().unwrap(),
            row["high"].as_f64().unwrap(),
        );
        assert!(0.0 <= low && low <= arrivals && arrivals <= high, "{row}");
    }
    let monday: f64 = rows[..16]
        .iter()
        .map(|row| row["arrivals"].as_f64().unwrap())
        .sum();
    let expected: f64 = (0..16)
        .map(|half| f64::from(2 * 20 + ((2 * half) % 7 + (2 * half + 1) % 7) * 3 + 2))
        .sum();
    assert!(
        (monday - expected).abs() / expected < 0.02,
        "{monday} vs {expected}"
    );
}

#[test]
fn reads_a_moked_export_and_a_headerless_file_and_prints_csv() {
    let export = "start,arrivals\n".to_owned()
        + &generated_history()
            .lines()
            .skip(1)
            .map(|line| {
                let fields: Vec<&str> = line.split(',').collect();
                format!(
                    "{},{}\n",
                    fields[1].trim_end_matches('Z').replace('T', " "),
                    fields[2]
                )
            })
            .collect::<String>();
    let headerless: String = export
        .lines()
        .skip(1)
        .map(|line| format!("{line}\n"))
        .collect();
    for (name, text) in [("export.csv", export), ("headerless.csv", headerless)] {
        let path = temp_file(name, &text);
        let output = moked(&[
            "forecast",
            "--history",
            path.to_str().unwrap(),
            "--horizon",
            "3d",
            "--method",
            "weekday-average",
        ]);
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], "start,arrivals,low,high", "{name}");
        assert_eq!(
            lines.len(),
            1 + 16,
            "{name}: the weekend is closed, Monday has 16 half-hours"
        );
        assert!(
            lines[1].starts_with("2025-02-10T09:00:00,"),
            "{name}: {}",
            lines[1]
        );
    }
}

#[test]
fn a_bad_row_names_the_file_line_and_field_and_exits_2() {
    let mut text = generated_history();
    text += "999,2025-02-10T09:00:00Z,many\n";
    let path = temp_file("bad-count.csv", &text);
    let output = moked(&["forecast", "--history", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = text.lines().count();
    assert!(
        stderr.contains(&format!("bad-count.csv:{line}: field `Calls`")),
        "{stderr}"
    );

    let path = temp_file(
        "bad-time.csv",
        "rownames,DateTime,Calls\n1,yesterday at noon,5\n",
    );
    let output = moked(&["forecast", "--history", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("bad-time.csv:2: field `DateTime`"));
}

#[test]
fn bad_options_are_named_and_exit_2() {
    let path = temp_file("options.csv", &generated_history());
    let path = path.to_str().unwrap();
    for (args, option) in [
        (vec!["--interval", "7m"], "--interval"),
        (vec!["--method", "crystal-ball"], "--method"),
        (vec!["--calendar", "mars"], "--calendar"),
        (vec!["--horizon", "soon"], "--horizon"),
        (vec!["--evaluate-last", "0d"], "--evaluate-last"),
    ] {
        let output = moked(&[&["forecast", "--history", path], args.as_slice()].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(option),
            "{args:?}"
        );
    }
    let output = moked(&["forecast", "--history", "/nonexistent/history.csv"]);
    assert_eq!(output.status.code(), Some(2));
}

fn bank_calls() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/bank_calls.csv");
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} is absent", path.display());
        None
    }
}

#[test]
fn bank_calls_day_ahead_half_hours_over_the_last_40_weekdays_reach_7_percent() {
    let Some(path) = bank_calls() else { return };
    let output = moked(&[
        "forecast",
        "--history",
        path.to_str().unwrap(),
        "--interval",
        "30m",
        "--evaluate-last",
        "40d",
        "--json",
    ]);
    let report = json_of(&output);
    let mape = |method: &str| {
        report["scores"]
            .as_array()
            .unwrap()
            .iter()
            .find(|score| score["method"] == method)
            .unwrap()["mape"]
            .as_f64()
            .unwrap()
    };
    // The README's baselines, reproduced to the published precision.
    assert!((mape("seasonal-naive") - 10.2).abs() < 0.05);
    assert!((mape("weekday-average") - 8.0).abs() < 0.05);
    assert!(mape("day-total-profile") <= 7.0, "{report}");
    assert!(mape("auto") <= 7.0, "{report}");
    assert_eq!(report["test_from"], "2003-08-28");
    assert_eq!(report["test_to"], "2003-10-24");
}

#[test]
fn bank_calls_forecast_starts_the_monday_after_and_skips_the_weekend() {
    let Some(path) = bank_calls() else { return };
    let output = moked(&[
        "forecast",
        "--history",
        path.to_str().unwrap(),
        "--interval",
        "30m",
        "--horizon",
        "14d",
        "--json",
    ]);
    let rows = json_of(&output);
    let rows = rows.as_array().unwrap();
    assert_eq!(
        rows.len(),
        10 * 28,
        "ten weekdays of 07:00–21:00 half-hours"
    );
    assert_eq!(rows[0]["start"], "2003-10-27T07:00:00");
    assert_eq!(rows[27]["start"], "2003-10-27T20:30:00");
    assert_eq!(rows[28]["start"], "2003-10-28T07:00:00");
}

/// Sunday–Friday quarter-hours 09:00–17:00 (Fridays until 13:00) from
/// Sunday 2025-02-02 to Thursday 2025-04-10, the week before Pesach 5785.
fn israeli_history() -> String {
    let mut text = String::from("timestamp,count\n");
    let mut day = jiff::civil::date(2025, 2, 2);
    while day <= jiff::civil::date(2025, 4, 10) {
        let quarters = match day.weekday() {
            jiff::civil::Weekday::Saturday => 0,
            jiff::civil::Weekday::Friday => 16,
            _ => 32,
        };
        for quarter in 0..quarters {
            let (hour, minute) = (9 + quarter / 4, (quarter % 4) * 15);
            text += &format!("{day}T{hour:02}:{minute:02}:00,{}\n", 30 + quarter % 5);
        }
        day = day.tomorrow().unwrap();
    }
    text
}

#[test]
fn the_israeli_calendar_closes_shabbat_and_pesach_and_shortens_friday() {
    let path = temp_file("israel.csv", &israeli_history());
    let output = moked(&[
        "forecast",
        "--history",
        path.to_str().unwrap(),
        "--calendar",
        "israel",
        "--horizon",
        "5d",
        "--json",
    ]);
    let rows = json_of(&output);
    let per_day = |day: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .filter(|row| row["start"].as_str().unwrap().starts_with(day))
            .count()
    };
    assert_eq!(per_day("2025-04-11"), 8, "Friday closes at 13:00");
    assert_eq!(per_day("2025-04-12"), 0, "Shabbat");
    assert_eq!(per_day("2025-04-13"), 0, "the first day of Pesach");
    assert_eq!(per_day("2025-04-14"), 16, "Hol HaMoed is open");
    assert_eq!(per_day("2025-04-15"), 16);
}

#[test]
fn odd_files_never_crash_the_command() {
    let files = [
        "",
        "\n\n",
        "start,count\n",
        "start,count\n2025-01-06T09:00:00,-3\n",
        "start,count\n2025-01-06T09:00:00,1e400\n",
        "start,count\n2025-01-06T09:00:00,NaN\n",
        "start,count\n2025-01-06T09:00:00+02:00,4\n2025-01-06T09:30:00Z,5\n",
        "שעה,שיחות\nאתמול,חמש\n",
        "a,b,c,d\n1,2,3,4\n",
        "start,count\n2025-01-06T09:00:00,1\n2025-01-06T09:00:00,1\n",
        "start,count\n2025-01-06T09:07:00,1\n2025-01-06T09:00:00,1\n",
        "start,count\n\"2025-01-06T09:00:00,1\n",
    ];
    for (index, text) in files.iter().enumerate() {
        let path = temp_file(&format!("odd-{index}.csv"), text);
        for extra in [
            &[][..],
            &["--backtest"][..],
            &["--interval", "1h", "--json"][..],
        ] {
            let output =
                moked(&[&["forecast", "--history", path.to_str().unwrap()], extra].concat());
            assert!(
                matches!(output.status.code(), Some(0 | 2)),
                "{text:?} {extra:?}: {output:?}"
            );
        }
    }
}

#[test]
fn with_aht_the_csv_is_the_input_of_moked_staff() {
    let path = temp_file("aht.csv", &generated_history());
    let output = moked(&[
        "forecast",
        "--history",
        path.to_str().unwrap(),
        "--horizon",
        "3d",
        "--aht",
        "3m",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "start,arrivals,aht");
    assert_eq!(lines.len(), 1 + 16);
    assert!(
        lines[1].starts_with("2025-02-10T09:00:00,") && lines[1].ends_with(",180s"),
        "{}",
        lines[1]
    );
    let forecast_file = temp_file("aht-forecast.csv", &stdout);
    let staffed = moked(&[
        "staff",
        "--forecast",
        forecast_file.to_str().unwrap(),
        "--model",
        "erlang-c",
        "--target-sl",
        "0.8",
    ]);
    assert!(
        staffed.status.success(),
        "{}",
        String::from_utf8_lossy(&staffed.stderr)
    );
}
