//! Rostering keeps every hard rule, on hand-made and random cases.

use jiff::civil::date;
use moked_schedule::{
    Agent, Horizon, Roster, ShiftToStaff, Violation, build_roster, roster_violations, summarise,
};
use proptest::prelude::*;

const HOUR: u32 = 60;
const DAY: u32 = 24 * HOUR;

fn horizon(days: u32) -> Horizon {
    // 2026-11-22 is a Sunday.
    Horizon::new(date(2026, 11, 22), days, 30).unwrap()
}

fn shift(day: u32, start_hour: u32, hours: u32) -> ShiftToStaff {
    ShiftToStaff {
        start: day * DAY + start_hour * HOUR,
        end: day * DAY + (start_hour + hours) * HOUR,
        paid_minutes: hours * HOUR,
        skill: None,
        undesirable: false,
    }
}

fn agent(name: &str, max_hours: u32) -> Agent {
    Agent {
        name: name.into(),
        max_weekly_minutes: max_hours * HOUR,
        min_rest_minutes: 11 * HOUR,
        ..Agent::default()
    }
}

#[test]
fn exam_day_and_skill_decide_who_works() {
    let horizon = horizon(7);
    let mut noa = agent("נועה", 40);
    noa.unavailable_dates = vec![date(2026, 11, 24)];
    let mut itai = agent("איתי", 40);
    itai.skills = vec!["english".into()];
    let mut english_shift = shift(1, 8, 8);
    english_shift.skill = Some("english".into());
    let shifts = vec![shift(2, 8, 8), english_shift];
    let agents = vec![noa, itai];
    let roster = build_roster(&horizon, &shifts, &agents);
    // Noa has an exam on Tuesday (day 2); only Itai speaks English.
    assert_eq!(roster.assignment, vec![Some(1), Some(1)]);
    assert!(roster_violations(&horizon, &shifts, &agents, &roster).is_empty());
}

#[test]
fn rest_and_weekly_maximum_leave_shifts_unfilled_and_reported() {
    let horizon = horizon(7);
    let agents = vec![agent("יעל", 16)];
    // Evening then early morning: 9 h apart, less than 11 h rest.
    let shifts = vec![
        shift(0, 14, 8),
        shift(1, 7, 8),
        shift(2, 8, 8),
        shift(3, 8, 8),
    ];
    let roster = build_roster(&horizon, &shifts, &agents);
    assert!(roster_violations(&horizon, &shifts, &agents, &roster).is_empty());
    let summary = summarise(&horizon, &shifts, &agents, &roster);
    assert_eq!(summary.paid_minutes, vec![16 * HOUR]);
    assert_eq!(summary.unfilled.len(), 2);
}

#[test]
fn availability_windows_are_per_weekday_and_may_cross_midnight() {
    let horizon = horizon(7);
    let mut night_owl = agent("דניאל", 40);
    let mut windows: [Vec<(u32, u32)>; 7] = Default::default();
    windows[0] = vec![(22 * HOUR, 30 * HOUR)];
    night_owl.availability = Some(windows);
    let shifts = vec![shift(0, 22, 8), shift(1, 22, 8)];
    let agents = vec![night_owl];
    let roster = build_roster(&horizon, &shifts, &agents);
    assert_eq!(roster.assignment, vec![Some(0), None]);
}

#[test]
fn validator_catches_broken_rules() {
    let horizon = horizon(7);
    let mut student = agent("תמר", 10);
    student.unavailable_dates = vec![date(2026, 11, 22)];
    let mut skilled = shift(1, 7, 8);
    skilled.skill = Some("русский".into());
    let shifts = vec![shift(0, 14, 8), skilled];
    let roster = Roster {
        assignment: vec![Some(0), Some(0)],
    };
    let violations = roster_violations(&horizon, &shifts, &[student], &roster);
    assert!(violations.contains(&Violation::UnavailableDate { shift: 0, agent: 0 }));
    assert!(violations.contains(&Violation::MissingSkill { shift: 1, agent: 0 }));
    assert!(violations.contains(&Violation::InsufficientRest {
        first: 0,
        second: 1,
        agent: 0
    }));
    assert!(violations.contains(&Violation::WeeklyMaximumExceeded {
        agent: 0,
        week: 0,
        minutes: 16 * HOUR
    }));
}

#[test]
fn spreads_hours_evenly_between_equal_agents() {
    let horizon = horizon(7);
    let agents = vec![agent("נועה", 40), agent("איתי", 40), agent("מאיה", 40)];
    let shifts: Vec<ShiftToStaff> = (0..6).map(|day| shift(day, 8, 8)).collect();
    let roster = build_roster(&horizon, &shifts, &agents);
    let summary = summarise(&horizon, &shifts, &agents, &roster);
    assert_eq!(summary.paid_minutes, vec![16 * HOUR; 3]);
    assert!((summary.utilisation_fairness - 1.0).abs() < 1e-12);
}

const SKILLS: [&str; 3] = ["עברית", "english", "русский"];

fn arbitrary_agent() -> impl Strategy<Value = Agent> {
    (
        4u32..=45,
        0u32..=20,
        proptest::collection::vec(0usize..3, 0..3),
        proptest::option::of(proptest::collection::vec((0u32..20, 4u32..14), 7)),
        proptest::collection::vec(0i64..14, 0..3),
        6u32..=12,
    )
        .prop_map(
            |(max_hours, min_hours, skills, windows, exams, rest)| Agent {
                name: "סוכן".into(),
                min_weekly_minutes: min_hours.min(max_hours) * HOUR,
                max_weekly_minutes: max_hours * HOUR,
                skills: skills.into_iter().map(|s| SKILLS[s].to_string()).collect(),
                availability: windows.map(|days| {
                    let mut table: [Vec<(u32, u32)>; 7] = Default::default();
                    for (weekday, (from, length)) in days.into_iter().enumerate() {
                        table[weekday] = vec![(from * HOUR, (from + length) * HOUR)];
                    }
                    table
                }),
                unavailable_dates: exams
                    .into_iter()
                    .map(|offset| {
                        date(2026, 11, 22)
                            .checked_add(jiff::Span::new().days(offset))
                            .unwrap()
                    })
                    .collect(),
                min_rest_minutes: rest * HOUR,
            },
        )
}

fn arbitrary_shift(days: u32) -> impl Strategy<Value = ShiftToStaff> {
    (
        0..days,
        0u32..48,
        8u32..=18,
        proptest::option::of(0usize..3),
        any::<bool>(),
    )
        .prop_map(|(day, slot, half_hours, skill, undesirable)| {
            let start = day * DAY + slot * 30;
            ShiftToStaff {
                start,
                end: start + half_hours * 30,
                paid_minutes: half_hours * 30 - 30,
                skill: skill.map(|s| SKILLS[s].to_string()),
                undesirable,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn no_hard_rule_is_ever_broken(
        days in 1u32..=14,
        agents in proptest::collection::vec(arbitrary_agent(), 1..12),
        shifts in proptest::collection::vec(arbitrary_shift(14), 0..80),
    ) {
        let horizon = horizon(days);
        let shifts: Vec<ShiftToStaff> = shifts
            .into_iter()
            .filter(|shift| shift.start < days * DAY)
            .collect();
        let roster = build_roster(&horizon, &shifts, &agents);
        prop_assert_eq!(roster_violations(&horizon, &shifts, &agents, &roster), vec![]);
        let summary = summarise(&horizon, &shifts, &agents, &roster);
        let filled = roster.assignment.iter().filter(|a| a.is_some()).count();
        prop_assert_eq!(filled + summary.unfilled.len(), shifts.len());
        prop_assert!(summary.utilisation_fairness > 0.0 && summary.utilisation_fairness <= 1.0 + 1e-12);
    }
}
