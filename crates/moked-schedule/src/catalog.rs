//! The shift catalog and its expansion into concrete candidate shifts.
//!
//! A template names a shift kind (start times, length, breaks, cost, days).
//! Expansion makes one candidate per day, start time and break placement; a
//! break window becomes one candidate per grid position of the break, which
//! keeps the covering model exact (the solver picks the placement).

use crate::horizon::{Horizon, MINUTES_PER_DAY};
use jiff::civil::Weekday;

/// Where a break sits inside its shift, in minutes from the shift's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakPlacement {
    /// Always at this offset.
    Fixed(u32),
    /// Anywhere from `earliest` to `latest` (inclusive), on the interval grid.
    Window {
        /// The earliest offset.
        earliest: u32,
        /// The latest offset.
        latest: u32,
    },
}

/// A break inside a shift: the agent is on duty but not available to customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakRule {
    /// Its length in minutes.
    pub minutes: u32,
    /// Whether the break's time is paid (counts toward contract hours).
    pub paid: bool,
    /// Where it may sit.
    pub placement: BreakPlacement,
}

/// A kind of shift agents can work.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftTemplate {
    /// The name shown in rosters, e.g. "בוקר".
    pub name: String,
    /// Start times in minutes after midnight.
    pub starts: Vec<u32>,
    /// Length from start to end, breaks included, in minutes.
    pub minutes: u32,
    /// Breaks inside the shift.
    pub breaks: Vec<BreakRule>,
    /// The cost of one agent working it; `None` means its paid hours.
    pub cost: Option<f64>,
    /// The weekdays it can start on; empty means every day.
    pub weekdays: Vec<Weekday>,
    /// The skill an agent needs to work it.
    pub skill: Option<String>,
    /// Whether agents dislike it (nights, Fridays): rostering spreads these evenly.
    pub undesirable: bool,
}

impl ShiftTemplate {
    /// The paid minutes of one shift: its length less its unpaid breaks.
    pub fn paid_minutes(&self) -> u32 {
        let unpaid: u32 = self
            .breaks
            .iter()
            .filter(|rule| !rule.paid)
            .map(|rule| rule.minutes)
            .sum();
        self.minutes.saturating_sub(unpaid)
    }

    /// The cost of one agent working it.
    pub fn cost(&self) -> f64 {
        self.cost
            .unwrap_or_else(|| f64::from(self.paid_minutes()) / 60.0)
    }

    fn runs_on(&self, weekday: Weekday) -> bool {
        self.weekdays.is_empty() || self.weekdays.contains(&weekday)
    }
}

/// One concrete shift: a template on a day at a start time with placed breaks.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The index of its template in the catalog.
    pub template: usize,
    /// The day it starts on.
    pub day: u32,
    /// Its start, in minutes from the horizon's start.
    pub start: u32,
    /// Its end (exclusive), in minutes from the horizon's start.
    pub end: u32,
    /// Its breaks as `(start, end)` minutes from the horizon's start.
    pub breaks: Vec<(u32, u32)>,
    /// The intervals it covers: wholly inside the shift and outside every break.
    pub covers: Vec<usize>,
    /// The cost of one agent working it.
    pub cost: f64,
}

/// Expands every template over the horizon into candidate shifts.
///
/// An interval counts as covered only when it lies wholly inside the shift
/// and touches no break, so a shift off the grid never overstates coverage.
/// Intervals past the horizon's end are not part of the model.
pub fn expand_candidates(templates: &[ShiftTemplate], horizon: &Horizon) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (index, template) in templates.iter().enumerate() {
        for day in 0..horizon.days {
            if !template.runs_on(horizon.weekday_of_day(day)) {
                continue;
            }
            for &start_of_day in &template.starts {
                let start = day * MINUTES_PER_DAY + start_of_day;
                for offsets in break_offset_choices(template, horizon.interval_minutes) {
                    candidates.push(candidate(index, template, day, start, &offsets, horizon));
                }
            }
        }
    }
    candidates
}

fn candidate(
    template_index: usize,
    template: &ShiftTemplate,
    day: u32,
    start: u32,
    offsets: &[u32],
    horizon: &Horizon,
) -> Candidate {
    let end = start + template.minutes;
    let breaks: Vec<(u32, u32)> = template
        .breaks
        .iter()
        .zip(offsets)
        .map(|(rule, offset)| (start + offset, start + offset + rule.minutes))
        .collect();
    let step = horizon.interval_minutes;
    let first = start.div_ceil(step) as usize;
    let past_last = ((end / step) as usize).min(horizon.interval_count());
    let covers = (first..past_last.max(first))
        .filter(|&interval| {
            let from = horizon.interval_start(interval);
            let to = from + horizon.interval_minutes;
            from >= start
                && to <= end
                && breaks
                    .iter()
                    .all(|&(break_from, break_to)| to <= break_from || from >= break_to)
        })
        .collect();
    Candidate {
        template: template_index,
        day,
        start,
        end,
        breaks,
        covers,
        cost: template.cost(),
    }
}

/// How many break placements one start of the template expands into.
pub fn break_placements(template: &ShiftTemplate, interval_minutes: u32) -> u64 {
    template
        .breaks
        .iter()
        .map(|rule| match rule.placement {
            BreakPlacement::Fixed(_) => 1,
            BreakPlacement::Window { earliest, latest } => {
                u64::from(latest.saturating_sub(earliest) / interval_minutes.max(1)) + 1
            }
        })
        .fold(1u64, u64::saturating_mul)
}

/// Every combination of break offsets the template allows, on the interval grid.
fn break_offset_choices(template: &ShiftTemplate, step: u32) -> Vec<Vec<u32>> {
    let mut combinations = vec![Vec::new()];
    for rule in &template.breaks {
        let offsets: Vec<u32> = match rule.placement {
            BreakPlacement::Fixed(offset) => vec![offset],
            BreakPlacement::Window { earliest, latest } => {
                (earliest..=latest).step_by(step as usize).collect()
            }
        };
        combinations = combinations
            .into_iter()
            .flat_map(|prefix| {
                offsets.iter().map(move |&offset| {
                    let mut next = prefix.clone();
                    next.push(offset);
                    next
                })
            })
            .collect();
    }
    combinations
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn morning() -> ShiftTemplate {
        ShiftTemplate {
            name: "בוקר".into(),
            starts: vec![8 * 60],
            minutes: 8 * 60,
            breaks: vec![BreakRule {
                minutes: 30,
                paid: false,
                placement: BreakPlacement::Window {
                    earliest: 3 * 60,
                    latest: 4 * 60,
                },
            }],
            cost: None,
            weekdays: vec![Weekday::Sunday, Weekday::Monday],
            skill: None,
            undesirable: false,
        }
    }

    #[test]
    fn expands_days_starts_and_break_positions() {
        let horizon = Horizon::new(date(2026, 11, 22), 7, 30).unwrap();
        let candidates = expand_candidates(&[morning()], &horizon);
        // Sunday and Monday only, three break positions each.
        assert_eq!(candidates.len(), 6);
        let first = &candidates[0];
        assert_eq!((first.day, first.start, first.end), (0, 480, 960));
        assert_eq!(first.breaks, vec![(660, 690)]);
        // 16 half hours less the one on break.
        assert_eq!(first.covers.len(), 15);
        assert!(!first.covers.contains(&22));
        assert_eq!(candidates[3].day, 1);
        assert!((first.cost - 7.5).abs() < 1e-12);
    }

    #[test]
    fn counts_break_placements() {
        assert_eq!(break_placements(&morning(), 30), 3);
        assert_eq!(break_placements(&morning(), 60), 2);
    }

    #[test]
    fn overnight_shift_covers_the_next_morning_and_stops_at_the_horizon() {
        let horizon = Horizon::new(date(2026, 11, 22), 2, 60).unwrap();
        let night = ShiftTemplate {
            name: "לילה".into(),
            starts: vec![22 * 60],
            minutes: 8 * 60,
            breaks: vec![],
            cost: Some(10.0),
            weekdays: vec![],
            skill: None,
            undesirable: true,
        };
        let candidates = expand_candidates(&[night], &horizon);
        assert_eq!(candidates[0].covers, (22..30).collect::<Vec<_>>());
        assert_eq!(candidates[1].covers, vec![46, 47]);
    }
}
