//! `moked staff` run as a user runs it: the issue's command lines, checked on their JSON.

use serde_json::Value;
use std::process::{Command, Output};

fn moked(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moked"))
        .args(args)
        .output()
        .expect("the moked binary runs")
}

fn json(args: &[&str]) -> Value {
    let output = moked(args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON value")
}

fn field(value: &Value, key: &str) -> f64 {
    value[key]
        .as_f64()
        .unwrap_or_else(|| panic!("no number {key} in {value}"))
}

fn assert_close(value: &Value, key: &str, expected: f64, tolerance: f64) {
    let actual = field(value, key);
    assert!(
        (actual - expected).abs() <= tolerance,
        "{key}: {actual} vs {expected}"
    );
}

fn stderr_of(args: &[&str]) -> String {
    let output = moked(args);
    assert_eq!(output.status.code(), Some(2), "{args:?} should exit with 2");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn evaluates_the_issue_erlang_a_command() {
    let value = json(&[
        "staff",
        "--model",
        "erlang-a",
        "--arrivals-per-hour",
        "200",
        "--aht",
        "180s",
        "--patience",
        "300s",
        "--sl-seconds",
        "20",
        "--agents",
        "14",
        "--json",
    ]);
    for key in [
        "model",
        "agents",
        "service_level",
        "p_wait",
        "p_abandon",
        "mean_wait_seconds",
        "asa_seconds",
        "occupancy",
    ] {
        assert!(value.get(key).is_some(), "missing {key} in {value}");
    }
    assert_eq!(value["model"], "erlang-a");
    assert_eq!(value["agents"], 14);
    assert_close(&value, "p_wait", 0.145260, 5e-7);
    assert_close(&value, "p_abandon", 0.013984, 5e-7);
    assert_close(&value, "occupancy", 0.704297, 5e-7);
    assert_close(&value, "service_level", 0.916792, 5e-7);
}

#[test]
fn evaluates_erlang_c_with_arrivals_per_interval() {
    let value = json(&[
        "staff",
        "--model",
        "erlang-c",
        "--arrivals",
        "100",
        "--interval",
        "30m",
        "--aht",
        "3m",
        "--sl-seconds",
        "20s",
        "--agents",
        "14",
        "--json",
    ]);
    assert_close(&value, "p_wait", 0.1741319, 5e-8);
    assert_close(&value, "service_level", 0.888350, 5e-7);
    assert_close(&value, "asa_seconds", 7.836, 5e-4);
}

#[test]
fn computes_the_required_staffing_with_every_target() {
    let value = json(&[
        "staff",
        "--model",
        "erlang-a",
        "--arrivals-per-hour",
        "200",
        "--aht",
        "180s",
        "--patience",
        "300s",
        "--sl-seconds",
        "20",
        "--target-sl",
        "0.8",
        "--max-abandon",
        "0.05",
        "--max-occupancy",
        "0.85",
        "--shrinkage",
        "0.3",
        "--json",
    ]);
    assert_eq!(value["agents"], 13);
    assert_eq!(value["scheduled_agents"], 19);
    assert!(field(&value, "service_level") >= 0.8 && field(&value, "occupancy") <= 0.85);
    let fewer = json(&[
        "staff",
        "--model",
        "erlang-a",
        "--arrivals-per-hour",
        "200",
        "--aht",
        "180s",
        "--patience",
        "300s",
        "--sl-seconds",
        "20",
        "--agents",
        "12",
        "--json",
    ]);
    assert!(field(&fewer, "service_level") < 0.8);
}

#[test]
fn staffs_every_interval_of_a_forecast() {
    let directory = std::env::temp_dir().join(format!("moked-staff-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    let path = directory.join("תחזית.csv");
    std::fs::write(
        &path,
        "start,arrivals,aht\n2026-11-22T08:00,100,3m\n2026-11-22T08:30,0,180\n",
    )
    .expect("write");
    let path_text = path.to_str().expect("utf-8 path");
    let value = json(&[
        "staff",
        "--forecast",
        path_text,
        "--target-sl",
        "0.8",
        "--shrinkage",
        "0.3",
        "--json",
    ]);
    let rows = value.as_array().expect("an array");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["agents"], 14);
    assert_eq!(rows[0]["scheduled_agents"], 20);
    assert_eq!(rows[1]["agents"], 0);
    let csv = moked(&["staff", "--forecast", path_text, "--target-sl", "0.8"]);
    let text = String::from_utf8(csv.stdout).expect("utf-8");
    assert!(
        text.starts_with("start,arrivals,aht_seconds,offered_erlangs,agents,scheduled_agents,")
    );
    assert!(
        text.lines()
            .nth(1)
            .is_some_and(|line| line.starts_with("2026-11-22T08:00,100,180,10,14,14,")),
        "{text}"
    );

    std::fs::write(
        &path,
        "2026-11-22T08:00,100,3m\n2026-11-22T08:30,100,soon\n",
    )
    .expect("write");
    let message = stderr_of(&["staff", "--forecast", path_text, "--target-sl", "0.8"]);
    assert!(message.contains(":2: field `aht`"), "{message}");
    std::fs::remove_dir_all(&directory).ok();
}

#[test]
fn bad_input_names_the_option_and_exits_with_2() {
    let base = ["staff", "--arrivals-per-hour", "200", "--sl-seconds", "20"];
    let with = |extra: &[&'static str]| -> Vec<&'static str> {
        base.iter().chain(extra).copied().collect()
    };
    assert!(stderr_of(&with(&["--aht", "3 minutes", "--agents", "14"])).contains("--aht"));
    assert!(stderr_of(&with(&["--aht", "180s", "--agents", "9"])).contains("unstable"));
    assert!(stderr_of(&with(&["--aht", "180s"])).contains("--target-sl"));
    assert!(
        stderr_of(&with(&[
            "--aht", "180s", "--model", "erlang-a", "--agents", "14"
        ]))
        .contains("--patience")
    );
    assert!(
        stderr_of(&with(&[
            "--aht", "180s", "--model", "erlang-q", "--agents", "14"
        ]))
        .contains("--model")
    );
    assert!(
        stderr_of(&with(&[
            "--aht",
            "180s",
            "--target-sl",
            "0.8",
            "--shrinkage",
            "1"
        ]))
        .contains("--shrinkage")
    );
    assert!(
        stderr_of(&[
            "staff",
            "--arrivals-per-hour=-5",
            "--aht",
            "180s",
            "--agents",
            "3"
        ])
        .contains("--arrivals-per-hour")
    );
}

#[test]
fn erlang_x_reports_the_load_with_redials() {
    let value = json(&[
        "staff",
        "--model",
        "erlang-x",
        "--patience",
        "2m",
        "--lines",
        "16",
        "--redial-probability",
        "0.5",
        "--arrivals-cv",
        "0.1",
        "--arrivals-per-hour",
        "200",
        "--aht",
        "180s",
        "--agents",
        "14",
        "--json",
    ]);
    assert!(field(&value, "offered_erlangs") > 10.0);
    assert!(field(&value, "p_blocked") > 0.0);
}
