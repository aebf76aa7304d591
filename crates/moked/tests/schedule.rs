//! `moked schedule` end to end: the built binary on the example center and on bad input.

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/schedule");

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

fn moked(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moked"))
        .args(args)
        .output()
        .expect("the moked binary runs")
}

/// A file in a fresh directory of its own under the system's temporary directory.
fn temp_file(name: &str, text: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("moked-schedule-test-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = directory.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn schedule(requirements: &str, shifts: &str, agents: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "schedule",
        "--requirements",
        requirements,
        "--shifts",
        shifts,
        "--agents",
        agents,
    ];
    args.extend_from_slice(extra);
    moked(&args)
}

fn example_json() -> Value {
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        &example("agents.toml"),
        &["--json"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn example_center_is_scheduled_without_breaking_a_rule() {
    let plan = example_json();
    assert_eq!(plan["rule_violations"], 0);
    assert_eq!(plan["selection"]["proven_optimal"], true);
    assert_eq!(plan["interval_minutes"], 30);
    let coverage = plan["coverage"].as_array().unwrap();
    // Sunday to Friday: the last row is on Friday, the center is closed on Saturday.
    assert_eq!(coverage.len(), 6 * 48);
    for interval in coverage {
        let required = interval["required"].as_i64().unwrap();
        let scheduled = interval["scheduled"].as_i64().unwrap();
        assert_eq!(
            interval["under"].as_i64().unwrap(),
            (required - scheduled).max(0)
        );
        assert_eq!(
            interval["over"].as_i64().unwrap(),
            (scheduled - required).max(0)
        );
        assert!(scheduled <= interval["selected"].as_i64().unwrap());
    }
    // Noa has an exam on Tuesday 2026-11-24 and is a student (at most 20 h).
    let noa = plan["agents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|agent| agent["name"] == "נועה")
        .unwrap();
    assert!(noa["paid_hours"].as_f64().unwrap() <= 20.0);
    for shift in noa["shifts"].as_array().unwrap() {
        assert!(!shift["start"].as_str().unwrap().starts_with("2026-11-24"));
    }
}

#[test]
fn table_lists_agents_and_coverage() {
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        &example("agents.toml"),
        &[],
    );
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("proven optimal"));
    assert!(text.contains("איתי"));
    assert!(text.contains("2026-11-22T07:00"));
    assert!(text.contains("Fairness: utilisation Jain index"));
}

#[test]
fn report_has_coverage_and_forecast_charts() {
    let report = temp_file("report.html", "");
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        &example("agents.toml"),
        &[
            "--report",
            report.to_str().unwrap(),
            "--actual",
            &example("actual.csv"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert_eq!(html.matches("<svg").count(), 2);
    assert!(html.contains(r#"<html lang="he" dir="rtl">"#));
    assert!(html.contains(r#"<h1>סידור עבודה <bdi dir="ltr">2026-11-22</bdi>"#));
    assert!(html.contains("כיסוי מול דרישה") && html.contains("נועה"));
    assert!(
        html.contains(r#"<bdi dir="ltr">18:00–22:00</bdi>"#),
        "times read left to right inside Hebrew"
    );
    assert!(!html.contains("Coverage") && !html.contains("proven optimal"));
}

#[test]
fn english_report_on_request_with_names_escaped() {
    let agents = example("agents.toml");
    let renamed = std::fs::read_to_string(&agents)
        .unwrap()
        .replace(r#"name = "נועה""#, r#"name = "<script>x</script>""#);
    let agents = temp_file("agents.toml", &renamed);
    let report = temp_file("english.html", "");
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        agents.to_str().unwrap(),
        &["--report", report.to_str().unwrap(), "--lang", "en"],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains(r#"<h1>Schedule <bdi dir="ltr">2026-11-22</bdi>"#));
    assert!(
        html.contains("Coverage against requirement")
            && html.contains(r#"Sun <bdi dir="ltr">2026-11-22</bdi>"#)
    );
    assert!(!html.contains("סידור עבודה") && !html.contains("כיסוי"));
    assert!(
        !html.contains("<script>"),
        "an agent's name is text, not markup"
    );
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
}

#[test]
fn start_option_cuts_the_horizon() {
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        &example("agents.toml"),
        &["--json", "--start", "2026-11-25"],
    );
    assert!(output.status.success());
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &plan["coverage"][0]["start"];
    assert_eq!(first, "2026-11-25T00:00");
}

fn assert_input_error(output: &Output, expected: &[&str]) {
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    for part in expected {
        assert!(message.contains(part), "`{part}` not in: {message}");
    }
    assert!(!message.contains("panicked"));
}

#[test]
fn bad_requirement_row_names_line_and_field() {
    let requirements = temp_file(
        "bad-requirements.csv",
        "start,scheduled_agents\n2026-11-22T08:00,3\n2026-11-22T08:30,three\n",
    );
    let output = schedule(
        requirements.to_str().unwrap(),
        &example("shifts.toml"),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["bad-requirements.csv:3", "scheduled_agents"]);
    let no_column = temp_file("no-column.csv", "start,calls\n2026-11-22T08:00,3\n");
    let output = schedule(
        no_column.to_str().unwrap(),
        &example("shifts.toml"),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["no-column.csv:1", "required"]);
}

#[test]
fn bad_shift_and_agent_files_name_line_and_field() {
    let shifts = std::fs::read_to_string(example("shifts.toml"))
        .unwrap()
        .replace("length = \"8h30m\"", "length = \"eight hours\"");
    let shifts = temp_file("bad-shifts.toml", &shifts);
    let output = schedule(
        &example("requirements.csv"),
        shifts.to_str().unwrap(),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["bad-shifts.toml:13", "field `length`"]);
    let agents = std::fs::read_to_string(example("agents.toml"))
        .unwrap()
        .replace("contract = \"student\"", "contract = \"intern\"");
    let agents = temp_file("bad-agents.toml", &agents);
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        agents.to_str().unwrap(),
        &[],
    );
    assert_input_error(&output, &["bad-agents.toml:15", "field `contract`"]);
}

#[test]
fn uncoverable_requirement_without_penalty_is_an_input_error() {
    let shifts = temp_file(
        "night-only.toml",
        "[[shift]]\nname = \"לילה\"\nstart = \"23:00\"\nlength = \"8h\"\n",
    );
    let output = schedule(
        &example("requirements.csv"),
        shifts.to_str().unwrap(),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["night-only.toml", "cannot cover"]);
}

#[test]
fn bad_options_are_named() {
    let output = schedule(
        &example("requirements.csv"),
        &example("shifts.toml"),
        &example("agents.toml"),
        &["--start", "next week"],
    );
    assert_input_error(&output, &["--start"]);
    let output = schedule(
        "/nonexistent/requirements.csv",
        &example("shifts.toml"),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["/nonexistent/requirements.csv"]);
}

#[test]
fn oversized_inputs_are_refused_not_attempted() {
    let requirements = temp_file(
        "two-years.csv",
        "start,required\n2026-11-22T08:00,1\n2028-11-22T08:00,1\n",
    );
    let output = schedule(
        requirements.to_str().unwrap(),
        &example("shifts.toml"),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["two-years.csv:3", "at most 400"]);
    let shifts = temp_file(
        "wide-breaks.toml",
        "[[shift]]\nname = \"גמישה\"\nstart = \"00:00\"\nevery = \"15m\"\nlast_start = \"23:45\"\n\
         length = \"12h\"\n[[shift.break]]\nlength = \"30m\"\nearliest = \"0m\"\nlatest = \"11h\"\n\
         [[shift.break]]\nlength = \"30m\"\nearliest = \"0m\"\nlatest = \"11h\"\n",
    );
    let output = schedule(
        &example("requirements.csv"),
        shifts.to_str().unwrap(),
        &example("agents.toml"),
        &[],
    );
    assert_input_error(&output, &["wide-breaks.toml", "candidate shifts"]);
}
