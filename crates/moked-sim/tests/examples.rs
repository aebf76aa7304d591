//! The scenarios shipped under `examples/` parse, and the small ones run.

use moked_sim::{Scenario, simulate};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn load(name: &str) -> Scenario {
    let folder = examples();
    let text = std::fs::read_to_string(folder.join(name)).unwrap();
    Scenario::parse_with(&text, |csv| {
        std::fs::read_to_string(folder.join(csv)).map_err(|error| error.to_string())
    })
    .unwrap_or_else(|error| panic!("{name}: {error}"))
}

#[test]
fn every_example_parses() {
    let mut names: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    for name in [
        "billing-erlang-a.toml",
        "billing-mm14.toml",
        "cellular-center.toml",
        "year-1000-agents.toml",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    for name in &names {
        load(name);
    }
    let year = load("year-1000-agents.toml");
    assert_eq!(year.simulation.duration, 365.0 * 86_400.0);
    assert_eq!(year.queues.len(), 20);
    assert_eq!(
        year.agent_groups
            .iter()
            .map(|group| group.count)
            .sum::<u32>(),
        1_000
    );
}

#[test]
fn the_cellular_center_runs_a_plausible_day() {
    let mut scenario = load("cellular-center.toml");
    scenario.simulation.replications = 2;
    let report = simulate(&scenario, |_, _| {}).unwrap();
    let billing = &report.queues[0];
    assert_eq!(billing.name, "חיובים");
    assert!(
        (billing.offered.mean - 2_400.0).abs() < 250.0,
        "the CSV's day: {:?}",
        billing.offered
    );
    assert_eq!(billing.intervals.len(), 48);
    assert!(report.total.service_level.mean > 0.6);
    for group in &report.agent_groups {
        assert!(
            group.occupancy.mean > 0.1 && group.occupancy.mean <= 1.0,
            "{}: {:?}",
            group.name,
            group.occupancy
        );
    }
}
