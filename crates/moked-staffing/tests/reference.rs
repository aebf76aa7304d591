//! Erlang B, C and A against the 50-digit tables of `tests/data/`, made by
//! `scripts/gen-erlang-reference.py` with mpmath.

use moked_staffing::{ErlangBTable, ErlangX, Load, Model, Scenario, erlang_b, erlang_c, evaluate};

const BC_TABLE: &str = include_str!("data/erlang_bc_reference.csv");
const A_TABLE: &str = include_str!("data/erlang_a_reference.csv");

fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table.lines().skip(1).map(|line| line.split(',').collect())
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| panic!("reference value {text:?}"))
}

fn relative_error(actual: f64, expected: f64) -> f64 {
    (actual - expected).abs() / expected.abs()
}

#[test]
fn erlang_b_and_c_within_1e_12_from_001_to_100000_erlangs() {
    let mut checked = 0;
    let mut worst: f64 = 0.0;
    for row in rows(BC_TABLE) {
        let (offered, servers) = (number(row[0]), row[1].parse::<u32>().expect("servers"));
        let b = erlang_b(offered, servers);
        let error = relative_error(b, number(row[2]));
        assert!(
            error <= 1e-12,
            "B({servers}, {offered}) = {b}, reference {}: {error:e}",
            row[2]
        );
        worst = worst.max(error);
        match (erlang_c(offered, servers), row[3]) {
            (None, "") => {}
            (Some(c), reference) if !reference.is_empty() => {
                let error = relative_error(c, number(reference));
                assert!(
                    error <= 1e-12,
                    "C({servers}, {offered}) = {c}, reference {reference}: {error:e}"
                );
                worst = worst.max(error);
            }
            (computed, reference) => {
                panic!("C({servers}, {offered}): {computed:?} vs {reference:?}")
            }
        }
        checked += 1;
    }
    assert!(checked > 250, "only {checked} reference rows");
    assert!(worst < 1e-12);
}

#[test]
fn the_table_of_a_search_matches_direct_values() {
    let mut table = ErlangBTable::new(33333.3);
    for servers in [40_000, 33_000, 34_000] {
        assert_eq!(table.blocking(servers), erlang_b(33333.3, servers));
    }
}

/// A scenario with AHT 100 s reproducing the table's dimensionless inputs.
fn dimensionless(model_patience: impl Fn(f64) -> Model, row: &[&str]) -> (Scenario, u32) {
    let aht = 100.0;
    let offered = number(row[0]);
    let agents = row[1].parse().expect("agents");
    let abandonment = number(row[2]);
    let threshold = number(row[3]);
    let load = Load::new(offered * 3600.0 / aht, aht).expect("load");
    let scenario =
        Scenario::new(model_patience(aht / abandonment), load, threshold * aht).expect("scenario");
    (scenario, agents)
}

fn check_erlang_a_rows(model_patience: impl Fn(f64) -> Model, tolerance: f64) {
    for row in rows(A_TABLE) {
        let (scenario, agents) = dimensionless(&model_patience, &row);
        let metrics = evaluate(&scenario, agents).expect("valid");
        let aht = scenario.load().aht_seconds();
        let pairs = [
            ("p_wait", metrics.p_wait, number(row[4])),
            ("p_abandon", metrics.p_abandon, number(row[5])),
            ("service_level", metrics.service_level, number(row[6])),
            ("asa", metrics.asa_seconds / aht, number(row[7])),
        ];
        for (name, actual, expected) in pairs {
            assert!(
                relative_error(actual, expected) <= tolerance,
                "{row:?} {name}: {actual} vs {expected}"
            );
        }
    }
}

#[test]
fn erlang_a_closed_form_matches_the_state_sums() {
    check_erlang_a_rows(|patience_seconds| Model::ErlangA { patience_seconds }, 1e-9);
}

#[test]
fn erlang_x_with_ample_lines_matches_the_state_sums() {
    let model = |patience_seconds| {
        Model::ErlangX(ErlangX {
            patience_seconds,
            lines: Some(5000),
            redial_probability: 0.0,
            arrivals_cv: 0.0,
        })
    };
    check_erlang_a_rows(model, 1e-9);
}
