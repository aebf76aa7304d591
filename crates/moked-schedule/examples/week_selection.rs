//! Times shift selection on a synthetic week: 96 quarter hours a day, 7 days,
//! a 24-hour requirement with two daily peaks, and a catalog of shifts that
//! includes overnight shifts (so the week does not split into days).
//!
//! `cargo run --release -p moked-schedule --example week_selection -- [SEEDS] [STEP_MINUTES] [24h|day]`
//! STEP_MINUTES is the spacing of shift starts: 60 gives 203 candidates a week.
//! `day` closes the center from 23:00 to 07:00 and starts shifts from 07:00 to
//! 14:30 only, so the week splits into independent days.

use jiff::civil::date;
use moked_schedule::{
    BreakPlacement, BreakRule, CoverColumn, Horizon, SelectionProblem, ShiftTemplate,
    expand_candidates, select_shifts,
};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let step: u32 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let day_only = args.next().is_some_and(|mode| mode == "day");
    let horizon = Horizon::new(date(2026, 11, 22), 7, 15).expect("valid horizon");
    let candidates = expand_candidates(&catalog(step, day_only), &horizon);
    let columns: Vec<CoverColumn> = candidates
        .iter()
        .map(|candidate| CoverColumn {
            cost: candidate.cost,
            covers: candidate.covers.clone(),
            max_count: None,
        })
        .collect();
    println!(
        "intervals {} candidates {}",
        horizon.interval_count(),
        columns.len()
    );
    let mut worst = 0.0f64;
    for seed in 1..=seeds {
        let problem = SelectionProblem {
            requirement: requirement(&horizon, seed, day_only),
            columns: columns.clone(),
            max_per_interval: None,
            under_staffing_penalty: None,
            time_limit_seconds: None,
        };
        let started = Instant::now();
        let selection = select_shifts(&problem).expect("coverable");
        let seconds = started.elapsed().as_secs_f64();
        worst = worst.max(seconds);
        println!(
            "seed {seed}: cost {:.2} proven_optimal {} parts {} dominated {} time {:.3} s",
            selection.shift_cost,
            selection.proven_optimal,
            selection.parts,
            selection.dominated_columns,
            seconds
        );
    }
    println!("worst {worst:.3} s");
}

/// Full-time 8.5 h shifts with an unpaid half-hour break after 4 hours, and
/// 4 h part-time shifts, starting every `step` minutes (part-time from 09:00 to 17:00).
fn catalog(step: u32, day_only: bool) -> Vec<ShiftTemplate> {
    let full_time_starts = if day_only {
        7 * 60..14 * 60 + 31
    } else {
        0..24 * 60
    };
    let full_time = ShiftTemplate {
        name: "משמרת מלאה".into(),
        starts: full_time_starts.step_by(step as usize).collect(),
        minutes: 8 * 60 + 30,
        breaks: vec![BreakRule {
            minutes: 30,
            paid: false,
            placement: BreakPlacement::Fixed(4 * 60),
        }],
        cost: None,
        weekdays: vec![],
        skill: None,
        undesirable: false,
    };
    let part_time = ShiftTemplate {
        name: "משמרת חלקית".into(),
        starts: (9 * 60..=17 * 60).step_by(2 * step as usize).collect(),
        minutes: 4 * 60,
        breaks: vec![],
        cost: Some(4.4),
        ..full_time.clone()
    };
    vec![full_time, part_time]
}

/// Two daily peaks (10:30 and 19:00), quiet nights, a short Friday and a
/// quiet Saturday, with deterministic noise.
fn requirement(horizon: &Horizon, seed: u64, day_only: bool) -> Vec<u32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..horizon.interval_count())
        .map(|interval| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = 0.85 + 0.3 * (state % 1000) as f64 / 1000.0;
            let day = interval / horizon.intervals_per_day();
            let hour = (interval % horizon.intervals_per_day()) as f64 / 4.0;
            let peak =
                |centre: f64, width: f64| (-(hour - centre).powi(2) / (2.0 * width * width)).exp();
            let day_factor = match day {
                5 => 0.6,
                6 => 0.35,
                _ => 1.0,
            };
            let closed = day_only && !(7.0..23.0).contains(&hour);
            let level = if closed {
                0.0
            } else {
                3.0 + 40.0 * peak(10.5, 2.0) + 30.0 * peak(19.0, 2.5)
            };
            (level * day_factor * noise).round() as u32
        })
        .collect()
}
