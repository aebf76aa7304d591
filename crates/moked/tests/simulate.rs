//! `moked simulate` as a user runs it: the built binary on scenario files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENARIO: &str = r#"
[simulation]
duration = "4h"
warmup = "30m"
replications = 4
seed = 3

[[queue]]
name = "חיובים"
arrivals = { per_hour = 200 }
handle_time = { exponential = "180s" }
patience = { exponential = "300s" }
sl_seconds = 20
skills = { billing = 1 }

[[queue]]
name = "צ'אט"
channel = "chat"
arrivals = { csv = "chat.csv" }
handle_time = { lognormal = { mean = "10m", cv = 0.8 } }
skills = { chat = 1 }

[[agent_group]]
name = "נציגים"
count = 14
skills = { billing = 3 }

[[agent_group]]
name = "צ'אט"
count = 4
skills = { chat = 2 }
capacity = { chat = 3, voice = 0 }
"#;

/// A fresh folder holding the scenario and its CSV.
fn workspace(name: &str, scenario: &str) -> PathBuf {
    let folder = std::env::temp_dir().join(format!("moked-simulate-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("scenario.toml"), scenario).unwrap();
    std::fs::write(
        folder.join("chat.csv"),
        "interval,count\n00:00,20\n00:30,30\n",
    )
    .unwrap();
    folder
}

fn moked(folder: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moked"))
        .arg("simulate")
        .args(args)
        .current_dir(folder)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "moked failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn prints_a_table_per_queue_and_group() {
    let folder = workspace("table", SCENARIO);
    let text = stdout(&moked(&folder, &["scenario.toml", "--quiet"]));
    assert!(text.contains("4 replications of 4h"), "{text}");
    for needle in [
        "חיובים",
        "צ'אט",
        "total",
        "נציגים",
        "service level",
        "occupancy",
        " ± ",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
fn json_has_the_stable_keys_and_reruns_identically() {
    let folder = workspace("json", SCENARIO);
    let first = stdout(&moked(
        &folder,
        &[
            "scenario.toml",
            "--json",
            "--replications",
            "3",
            "--seed",
            "9",
        ],
    ));
    let report: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(report["replications"], 3);
    assert_eq!(report["seed"], 9);
    let queue = &report["queues"][0];
    assert_eq!(queue["name"], "חיובים");
    for key in [
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "p_wait",
        "p_abandon",
        "mean_wait_seconds",
        "asa_seconds",
    ] {
        assert!(queue[key]["mean"].is_number(), "{key}");
        assert!(queue[key]["half_width"].is_number(), "{key}");
        assert!(report["total"][key]["mean"].is_number(), "total {key}");
    }
    let occupancy = report["agent_groups"][0]["occupancy"]["mean"]
        .as_f64()
        .unwrap();
    assert!(occupancy > 0.5 && occupancy < 0.9, "{occupancy}");
    let serial = stdout(&moked(
        &folder,
        &[
            "scenario.toml",
            "--json",
            "--replications",
            "3",
            "--seed",
            "9",
            "--threads",
            "1",
        ],
    ));
    assert_eq!(first, serial, "threads must not change the results");
}

#[test]
fn writes_an_html_report_and_a_queue_log() {
    let folder = workspace("report", SCENARIO);
    let output = moked(
        &folder,
        &[
            "scenario.toml",
            "--quiet",
            "--report",
            "out.html",
            "--queue-log",
            "queue_log",
            "--start",
            "2026-11-22T08:00",
        ],
    );
    stdout(&output);
    let html = std::fs::read_to_string(folder.join("out.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "waiting, service level, occupancy"
    );
    assert!(html.contains("חיובים") && html.contains("נציגים"));
    assert!(
        html.contains(r#"<html lang="he" dir="rtl">"#),
        "Hebrew is the default"
    );
    assert!(html.contains("<h1>סימולציה של <bdi>scenario.toml</bdi></h1>"));
    assert!(html.contains("רמת שירות") && !html.contains("Service level"));
    let log = std::fs::read_to_string(folder.join("queue_log")).unwrap();
    assert!(
        log.lines()
            .any(|line| line.contains("|חיובים|") && line.contains("|ENTERQUEUE|")),
        "{log:.300}"
    );
    assert!(log.lines().any(|line| line.contains("|CONNECT|")));
    // 08:00 in Jerusalem on 2026-11-22 (winter time, UTC+2) is 06:00 UTC.
    let first_epoch: u64 = log.split('|').next().unwrap().parse().unwrap();
    assert!(
        (1_795_327_200..1_795_327_200 + 86_400).contains(&first_epoch),
        "{first_epoch}"
    );
}

#[test]
fn a_bad_queue_log_start_names_the_option() {
    let folder = workspace("bad-start", SCENARIO);
    let output = moked(
        &folder,
        &[
            "scenario.toml",
            "--quiet",
            "--queue-log",
            "log",
            "--start",
            "yesterday",
        ],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--start"));
}

#[test]
fn english_report_on_request_with_names_escaped() {
    let folder = workspace(
        "english",
        &SCENARIO.replace(
            r#"name = "חיובים""#,
            r#"name = "<script>alert(1)</script>""#,
        ),
    );
    let output = moked(
        &folder,
        &[
            "scenario.toml",
            "--quiet",
            "--lang",
            "en",
            "--report",
            "en.html",
        ],
    );
    stdout(&output);
    let html = std::fs::read_to_string(folder.join("en.html")).unwrap();
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains("<h1>Simulation of <bdi>scenario.toml</bdi></h1>"));
    assert!(html.contains("Service level per <bdi>30 min</bdi>"));
    assert!(!html.contains("סימולציה") && !html.contains("רמת שירות"));
    assert!(
        !html.contains("<script>"),
        "a queue's name is text, not markup"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));

    let output = moked(&folder, &["scenario.toml", "--lang", "fr"]);
    assert_eq!(
        output.status.code(),
        Some(2),
        "an unknown language is refused"
    );
}

#[test]
fn service_level_line_breaks_where_a_queue_had_no_contacts() {
    let scenario = r#"
[simulation]
duration = "2h"
warmup = "0s"
replications = 2
seed = 5
interval = "30m"

[[queue]]
name = "closed at 00:30"
arrivals = { per_interval = [40, 0, 0, 40] }
handle_time = { exponential = "60s" }
sl_seconds = 20
skills = { a = 1 }

[[agent_group]]
name = "agents"
count = 4
skills = { a = 1 }
"#;
    let folder = workspace("gap", scenario);
    let output = moked(
        &folder,
        &["scenario.toml", "--quiet", "--report", "gap.html"],
    );
    stdout(&output);
    let html = std::fs::read_to_string(folder.join("gap.html")).unwrap();
    let service_level = html.split("<svg").nth(2).unwrap();
    let path = service_level
        .split(r#"<path d=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert_eq!(path.matches('M').count(), 2, "a gap, not a 0: {path}");
}

#[test]
fn bad_input_exits_2_naming_file_line_and_field() {
    let folder = workspace("bad", &SCENARIO.replace("cv = 0.8", "cv = -1"));
    let output = moked(&folder, &["scenario.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("scenario.toml:20"), "{message}");
    assert!(
        message.contains("queue[1].handle_time.lognormal.cv"),
        "{message}"
    );

    let syntax = workspace(
        "syntax",
        &SCENARIO.replace("count = 14", "count = fourteen"),
    );
    let output = moked(&syntax, &["scenario.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("scenario.toml:25") && message.contains("count"),
        "{message}"
    );

    let missing_csv = workspace("csv", SCENARIO);
    std::fs::remove_file(missing_csv.join("chat.csv")).unwrap();
    let output = moked(&missing_csv, &["scenario.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("queue[1].arrivals.csv"));

    let output = moked(&folder, &["no-such-file.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let output = moked(
        &workspace("option", SCENARIO),
        &["scenario.toml", "--replications", "0"],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--replications"));
}
