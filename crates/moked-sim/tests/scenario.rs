//! Scenario parsing: the issue's example, every documented error, and no panics on mangled input.

use moked_domain::Channel;
use moked_sim::distribution::Duration;
use moked_sim::{Scenario, ScenarioError};
use proptest::prelude::*;

const ISSUE_EXAMPLE: &str = r#"
[simulation]
duration = "8h"      # simulated time per replication
warmup = "30m"
replications = 20
seed = 42
[[queue]]
name = "billing"
channel = "voice"
arrivals = { per_hour = 200 }
handle_time = { exponential = "180s" }
patience = { exponential = "300s" }
sl_seconds = 20
skills = { billing = 1 }
[[agent_group]]
name = "tier1"
count = 14
skills = { billing = 3 }
"#;

fn error_of(text: &str) -> ScenarioError {
    match text.parse::<Scenario>() {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(error) => error,
    }
}

#[test]
fn the_issue_example_parses() {
    let scenario: Scenario = ISSUE_EXAMPLE.parse().unwrap();
    assert_eq!(scenario.simulation.duration, 8.0 * 3600.0);
    assert_eq!(scenario.simulation.warmup, 1800.0);
    assert_eq!(scenario.simulation.replications, 20);
    assert_eq!(scenario.simulation.seed, 42);
    assert_eq!(scenario.simulation.interval, 1800.0);
    let queue = &scenario.queues[0];
    assert_eq!(queue.name, "billing");
    assert_eq!(queue.channel, Channel::Voice);
    assert_eq!(queue.arrivals.mean_per_hour(), 200.0);
    assert_eq!(queue.handle_time, Duration::Exponential { mean: 180.0 });
    assert_eq!(queue.patience, Some(Duration::Exponential { mean: 300.0 }));
    assert_eq!(scenario.skills, vec!["billing".to_owned()]);
    assert_eq!(scenario.agent_groups[0].count, 14);
    assert!(scenario.agent_groups[0].can_serve(queue));
}

#[test]
fn hebrew_names_lognormal_empirical_and_csv_arrivals() {
    let text = r#"
[simulation]
duration = "1d"
interval = "1h"
[[queue]]
name = "חיובים"
arrivals = { csv = "חיובים.csv" }
handle_time = { lognormal = { mean = "4m", cv = 1.2 } }
wrap_up = "15s"
skills = { "חיובים" = 4 }
widening = [{ after = "60s", skills = { "חיובים" = 2 } }]
[[queue]]
name = "צ'אט"
channel = "chat"
arrivals = { per_interval = [5, 10.5, 0] }
handle_time = { empirical = ["3m", 240, 400.5] }
skills = { "צ'אט" = 1 }
[[agent_group]]
name = "מוקדנים"
count = 5
skills = { "חיובים" = 2, "צ'אט" = 3 }
capacity = { chat = 3 }
shifts = [{ start = "8h", end = "17h" }, { start = "22h", end = "30h" }]
"#;
    let scenario = Scenario::parse_with(text, |name| {
        assert_eq!(name, "חיובים.csv");
        Ok("interval,count\n08:00,12\n08:30,30\n".to_owned())
    })
    .unwrap();
    assert_eq!(scenario.queues[0].arrivals.mean_per_hour(), 21.0);
    assert_eq!(scenario.queues[0].wrap_up, 15.0);
    assert_eq!(scenario.queues[0].widening[0].after, 60.0);
    assert_eq!(scenario.queues[1].channel, Channel::Chat);
    assert_eq!(
        scenario.queues[1].handle_time,
        Duration::Empirical {
            values: vec![180.0, 240.0, 400.5]
        }
    );
    let group = &scenario.agent_groups[0];
    assert_eq!(group.capacity[Channel::Chat.index()], 3);
    assert!(group.on_shift(9.0 * 3600.0) && !group.on_shift(20.0 * 3600.0));
    assert!(
        group.on_shift(86_400.0 + 3.0 * 3600.0),
        "overnight shift wraps"
    );
    assert!(text.parse::<Scenario>().is_err(), "a CSV needs a loader");
}

#[test]
fn errors_name_the_line_and_the_field() {
    let cases: [(&str, &str, usize, &str); 10] = [
        (
            "sl_seconds = 20",
            "sl_seconds = -1",
            13,
            "queue[0].sl_seconds",
        ),
        (
            "{ per_hour = 200 }",
            "{ per_hour = -5 }",
            10,
            "queue[0].arrivals.per_hour",
        ),
        (
            "{ exponential = \"180s\" }",
            "{ lognormal = { mean = \"3m\", cv = 0 } }",
            11,
            "queue[0].handle_time.lognormal.cv",
        ),
        (
            "skills = { billing = 1 }",
            "skills = { billing = 1, sales = 2 }",
            14,
            "queue[0].skills.sales",
        ),
        (
            "skills = { billing = 3 }",
            "skills = { tech = 3 }",
            14,
            "queue[0].skills.billing",
        ),
        ("count = 14", "count = -2", 17, "agent_group[0].count"),
        (
            "duration = \"8h\"",
            "duration = \"8 hours\"",
            3,
            "simulation.duration",
        ),
        (
            "channel = \"voice\"",
            "channel = \"fax\"",
            9,
            "queue[0].channel",
        ),
        ("seed = 42", "seed = 42\nbogus = 1", 7, "bogus"),
        (
            "patience = { exponential = \"300s\" }",
            "patience = { exponential = 300 }",
            12,
            "patience",
        ),
    ];
    for (find, replace, line, field) in cases {
        let text = ISSUE_EXAMPLE.replacen(find, replace, 1);
        let error = error_of(&text);
        assert_eq!(error.line, Some(line), "{replace}: {error}");
        assert_eq!(error.field, field, "{replace}: {error}");
    }
}

#[test]
fn a_group_serving_nothing_and_a_queue_nobody_serves_are_refused() {
    let idle_group = format!(
        "{ISSUE_EXAMPLE}[[agent_group]]\nname = \"idle\"\ncount = 2\nskills = {{ billing = 3 }}\ncapacity = {{ voice = 0 }}\n"
    );
    let error = error_of(&idle_group);
    assert_eq!(error.field, "agent_group[1].skills");
    assert_eq!(error.line, Some(22));
    let unserved = ISSUE_EXAMPLE.replace("skills = { billing = 1 }", "skills = { billing = 4 }");
    assert_eq!(error_of(&unserved).field, "queue[0].skills");
    let no_agents = ISSUE_EXAMPLE.replace("count = 14", "count = 0");
    assert_eq!(error_of(&no_agents).field, "queue[0].skills");
}

#[test]
fn rules_are_checked() {
    let warmup = ISSUE_EXAMPLE.replace("warmup = \"30m\"", "warmup = \"9h\"");
    assert_eq!(error_of(&warmup).field, "simulation.warmup");
    let replications = ISSUE_EXAMPLE.replace("replications = 20", "replications = 0");
    assert_eq!(error_of(&replications).field, "simulation.replications");
    let overflow_self = ISSUE_EXAMPLE.replace(
        "sl_seconds = 20",
        "sl_seconds = 20\noverflow = { after = \"2m\", to = \"billing\" }",
    );
    assert_eq!(error_of(&overflow_self).field, "queue[0].overflow.to");
    let widening_up = ISSUE_EXAMPLE.replace(
        "sl_seconds = 20",
        "sl_seconds = 20\nwidening = [{ after = \"1m\", skills = { billing = 2 } }]",
    );
    assert_eq!(
        error_of(&widening_up).field,
        "queue[0].widening[0].skills.billing"
    );
    let redial = ISSUE_EXAMPLE.replace(
        "sl_seconds = 20",
        "sl_seconds = 20\nredial = { probability = 1.5, delay = { exponential = \"10m\" } }",
    );
    assert_eq!(error_of(&redial).field, "queue[0].redial.probability");
    let lines = ISSUE_EXAMPLE.replace("sl_seconds = 20", "sl_seconds = 20\nlines = 0");
    assert_eq!(error_of(&lines).field, "queue[0].lines");
    let empty = ISSUE_EXAMPLE.replace("{ per_hour = 200 }", "{ per_interval = [] }");
    assert_eq!(error_of(&empty).field, "queue[0].arrivals.per_interval");
    let shift = format!("{ISSUE_EXAMPLE}shifts = [{{ start = \"20h\", end = \"8h\" }}]\n");
    assert_eq!(error_of(&shift).field, "agent_group[0].shifts[0]");
}

#[test]
fn a_bad_csv_names_its_row() {
    let text = ISSUE_EXAMPLE.replace("{ per_hour = 200 }", "{ csv = \"counts.csv\" }");
    let error = Scenario::parse_with(&text, |_| Ok("count\n10\nmany\n".to_owned())).unwrap_err();
    assert_eq!(error.field, "queue[0].arrivals.csv");
    assert!(error.message.contains("counts.csv: line 3"), "{error}");
    let missing = Scenario::parse_with(&text, |_| Err("no such file".to_owned())).unwrap_err();
    assert!(missing.message.contains("no such file"));
}

fn mangle(text: &str, cut: usize, insert: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = cut % (chars.len() + 1);
    chars.splice(at..at, insert.chars());
    chars.into_iter().collect()
}

proptest! {
    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = text.parse::<Scenario>();
    }

    #[test]
    fn mangled_scenarios_never_panic(cut in 0usize..600, insert in "[\\[\\]{}=\"#,.a-z0-9 \\n-]{0,12}") {
        let text = mangle(ISSUE_EXAMPLE, cut, &insert);
        if let Err(error) = text.parse::<Scenario>() {
            prop_assert!(!error.field.is_empty() || error.line.is_some(), "{error}");
        }
    }

    #[test]
    fn numbers_anywhere_never_panic(number in prop_oneof![Just("-1e309".to_owned()), Just("nan".to_owned()), Just("inf".to_owned()), "-?[0-9]{1,20}(\\.[0-9]{1,3})?"]) {
        for key in ["per_hour = 200", "count = 14", "seed = 42", "sl_seconds = 20", "replications = 20"] {
            let (name, _) = key.split_once(" = ").unwrap();
            let text = ISSUE_EXAMPLE.replace(key, &format!("{name} = {number}"));
            let _ = text.parse::<Scenario>();
        }
    }
}

#[test]
fn missing_fields_are_named() {
    let error = error_of(&ISSUE_EXAMPLE.replace("handle_time = { exponential = \"180s\" }\n", ""));
    assert_eq!(error.field, "queue.handle_time");
    assert_eq!(error.line, Some(7));
    assert_eq!(error_of("").field, "simulation");
}

#[test]
fn runs_that_would_never_end_or_fill_memory_are_refused() {
    let rate = ISSUE_EXAMPLE.replace("per_hour = 200", "per_hour = 1e300");
    assert_eq!(error_of(&rate).field, "queue[0].arrivals.per_hour");
    let intervals = ISSUE_EXAMPLE
        .replace("warmup = \"30m\"", "warmup = \"30m\"\ninterval = \"1s\"")
        .replace("duration = \"8h\"", "duration = \"1000d\"");
    assert_eq!(error_of(&intervals).field, "simulation.interval");
}
