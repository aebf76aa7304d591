//! Rostering: giving each selected shift to a named agent.
//!
//! Hard rules, never broken (checked by [`roster_violations`]): the agent has
//! the shift's skill; the shift lies inside one of the agent's availability
//! windows of its start weekday; it touches none of the agent's unavailable
//! dates; the agent's paid hours in each planning week (7 days from the
//! horizon's first day) stay within the contract's maximum; two shifts of one
//! agent never overlap and are at least the agent's minimum rest apart.
//!
//! The contract's minimum weekly hours is a goal, not a hard rule (there may
//! not be enough shifts); shortfalls are reported. A shift no agent can take
//! stays unfilled and is reported.
//!
//! The method is a deterministic heuristic: shifts with the fewest eligible
//! agents are placed first, each with the eligible agent furthest below their
//! contract; unfilled shifts are retried by moving one blocking shift to
//! another agent; then a local search moves and swaps shifts between agents
//! while that evens out hours (relative to each contract's maximum) and
//! undesirable shifts, never breaking a hard rule.

use crate::horizon::{Horizon, MINUTES_PER_DAY, weekday_index};
use jiff::civil::Date;

/// A named agent and their contract.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Agent {
    /// The agent's name, e.g. "נועה".
    pub name: String,
    /// The contract's minimum paid minutes per planning week (a goal).
    pub min_weekly_minutes: u32,
    /// The contract's maximum paid minutes per planning week (a hard rule).
    pub max_weekly_minutes: u32,
    /// Skills the agent has.
    pub skills: Vec<String>,
    /// Availability per weekday (Sunday first) as `(from, to)` minutes after
    /// that day's midnight; `to` may pass 1440 for a window into the next day.
    /// `None` means available at any time.
    pub availability: Option<[Vec<(u32, u32)>; 7]>,
    /// Dates the agent cannot work at all (exams, leave).
    pub unavailable_dates: Vec<Date>,
    /// The least rest between the end of one shift and the start of the next, in minutes.
    pub min_rest_minutes: u32,
}

/// A concrete shift that needs one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftToStaff {
    /// Its start, in minutes from the horizon's start.
    pub start: u32,
    /// Its end (exclusive), in minutes from the horizon's start.
    pub end: u32,
    /// The minutes that count toward contract hours.
    pub paid_minutes: u32,
    /// The skill it needs, if any.
    pub skill: Option<String>,
    /// Whether agents dislike it.
    pub undesirable: bool,
}

impl ShiftToStaff {
    fn start_day(&self) -> u32 {
        self.start / MINUTES_PER_DAY
    }

    fn week(&self) -> usize {
        (self.start_day() / 7) as usize
    }
}

/// Who works which shift.
#[derive(Debug, Clone, PartialEq)]
pub struct Roster {
    /// For each shift, the index of its agent, or `None` when unfilled.
    pub assignment: Vec<Option<usize>>,
}

/// A broken hard rule, as found by [`roster_violations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// The agent lacks the shift's skill.
    MissingSkill {
        /// The shift.
        shift: usize,
        /// The agent.
        agent: usize,
    },
    /// The shift is outside the agent's availability windows.
    OutsideAvailability {
        /// The shift.
        shift: usize,
        /// The agent.
        agent: usize,
    },
    /// The shift touches a date the agent cannot work.
    UnavailableDate {
        /// The shift.
        shift: usize,
        /// The agent.
        agent: usize,
    },
    /// Two shifts of one agent overlap or are closer than the minimum rest.
    InsufficientRest {
        /// The earlier shift.
        first: usize,
        /// The later shift.
        second: usize,
        /// The agent.
        agent: usize,
    },
    /// An agent's paid minutes in a planning week exceed the contract's maximum.
    WeeklyMaximumExceeded {
        /// The agent.
        agent: usize,
        /// The planning week (0 is the horizon's first 7 days).
        week: usize,
        /// The paid minutes rostered that week.
        minutes: u32,
    },
}

/// Whether an agent may work a shift at all, ignoring their other shifts.
pub fn is_eligible(horizon: &Horizon, agent: &Agent, shift: &ShiftToStaff) -> bool {
    let has_skill = shift
        .skill
        .as_ref()
        .is_none_or(|skill| agent.skills.contains(skill));
    has_skill
        && shift.paid_minutes <= agent.max_weekly_minutes
        && is_available(horizon, agent, shift)
        && !touches_unavailable_date(horizon, agent, shift)
}

fn is_available(horizon: &Horizon, agent: &Agent, shift: &ShiftToStaff) -> bool {
    let Some(windows) = &agent.availability else {
        return true;
    };
    let day = shift.start_day();
    let weekday = weekday_index(horizon.weekday_of_day(day));
    let from = shift.start - day * MINUTES_PER_DAY;
    let to = shift.end - day * MINUTES_PER_DAY;
    windows[weekday]
        .iter()
        .any(|&(window_from, window_to)| window_from <= from && to <= window_to)
}

fn touches_unavailable_date(horizon: &Horizon, agent: &Agent, shift: &ShiftToStaff) -> bool {
    let last_day = (shift.end.max(shift.start + 1) - 1) / MINUTES_PER_DAY;
    (shift.start_day()..=last_day)
        .any(|day| agent.unavailable_dates.contains(&horizon.date_of_day(day)))
}

fn rest_ok(agent: &Agent, first: &ShiftToStaff, second: &ShiftToStaff) -> bool {
    let (earlier, later) = if first.start <= second.start {
        (first, second)
    } else {
        (second, first)
    };
    later.start >= earlier.end + agent.min_rest_minutes
}

/// Every hard rule the roster breaks; empty for a valid roster.
pub fn roster_violations(
    horizon: &Horizon,
    shifts: &[ShiftToStaff],
    agents: &[Agent],
    roster: &Roster,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    for (shift_index, (shift, agent_index)) in shifts.iter().zip(&roster.assignment).enumerate() {
        let Some(agent_index) = *agent_index else {
            continue;
        };
        let agent = &agents[agent_index];
        let agent_id = agent_index;
        if shift
            .skill
            .as_ref()
            .is_some_and(|skill| !agent.skills.contains(skill))
        {
            violations.push(Violation::MissingSkill {
                shift: shift_index,
                agent: agent_id,
            });
        }
        if !is_available(horizon, agent, shift) {
            violations.push(Violation::OutsideAvailability {
                shift: shift_index,
                agent: agent_id,
            });
        }
        if touches_unavailable_date(horizon, agent, shift) {
            violations.push(Violation::UnavailableDate {
                shift: shift_index,
                agent: agent_id,
            });
        }
    }
    for (agent_index, agent) in agents.iter().enumerate() {
        let mine = shifts_of(roster, agent_index);
        for (position, &first) in mine.iter().enumerate() {
            for &second in &mine[position + 1..] {
                if !rest_ok(agent, &shifts[first], &shifts[second]) {
                    violations.push(Violation::InsufficientRest {
                        first: first.min(second),
                        second: first.max(second),
                        agent: agent_index,
                    });
                }
            }
        }
        for (week, minutes) in weekly_minutes(horizon, shifts, &mine)
            .into_iter()
            .enumerate()
        {
            if minutes > agent.max_weekly_minutes {
                violations.push(Violation::WeeklyMaximumExceeded {
                    agent: agent_index,
                    week,
                    minutes,
                });
            }
        }
    }
    violations
}

fn shifts_of(roster: &Roster, agent: usize) -> Vec<usize> {
    roster
        .assignment
        .iter()
        .enumerate()
        .filter(|(_, assigned)| **assigned == Some(agent))
        .map(|(shift, _)| shift)
        .collect()
}

/// Planning weeks in the horizon (the last one may be short).
pub fn week_count(horizon: &Horizon) -> usize {
    horizon.days.div_ceil(7) as usize
}

fn weekly_minutes(horizon: &Horizon, shifts: &[ShiftToStaff], mine: &[usize]) -> Vec<u32> {
    let mut minutes = vec![0; week_count(horizon)];
    for &shift in mine {
        minutes[shifts[shift].week()] += shifts[shift].paid_minutes;
    }
    minutes
}

/// Per-agent totals and the fairness of a roster.
#[derive(Debug, Clone, PartialEq)]
pub struct RosterSummary {
    /// Paid minutes per agent over the horizon.
    pub paid_minutes: Vec<u32>,
    /// Undesirable shifts per agent.
    pub undesirable_shifts: Vec<u32>,
    /// Shifts no agent could take.
    pub unfilled: Vec<usize>,
    /// `(agent, week, missing minutes)` where an agent is below the contract's minimum.
    pub shortfalls: Vec<(usize, usize, u32)>,
    /// Jain's fairness index of the agents' utilisation (paid hours over their
    /// contract's maximum): 1 when all are equally loaded, 1/n at worst.
    pub utilisation_fairness: f64,
    /// Most minus fewest undesirable shifts among agents eligible for any.
    pub undesirable_spread: u32,
}

/// Summarises a roster: hours, undesirable shifts, gaps and fairness.
pub fn summarise(
    horizon: &Horizon,
    shifts: &[ShiftToStaff],
    agents: &[Agent],
    roster: &Roster,
) -> RosterSummary {
    let mut paid_minutes = vec![0; agents.len()];
    let mut undesirable_shifts = vec![0; agents.len()];
    let mut unfilled = Vec::new();
    for (index, (shift, assigned)) in shifts.iter().zip(&roster.assignment).enumerate() {
        match assigned {
            Some(agent) => {
                paid_minutes[*agent] += shift.paid_minutes;
                undesirable_shifts[*agent] += u32::from(shift.undesirable);
            }
            None => unfilled.push(index),
        }
    }
    let mut shortfalls = Vec::new();
    for (agent_index, agent) in agents.iter().enumerate() {
        let mine = shifts_of(roster, agent_index);
        for (week, minutes) in weekly_minutes(horizon, shifts, &mine)
            .into_iter()
            .enumerate()
        {
            if minutes < agent.min_weekly_minutes {
                shortfalls.push((agent_index, week, agent.min_weekly_minutes - minutes));
            }
        }
    }
    let utilisation = utilisations(horizon, agents, &paid_minutes);
    let takers: Vec<u32> = agents
        .iter()
        .enumerate()
        .filter(|(_, agent)| {
            shifts
                .iter()
                .any(|shift| shift.undesirable && is_eligible(horizon, agent, shift))
        })
        .map(|(index, _)| undesirable_shifts[index])
        .collect();
    let undesirable_spread = match (takers.iter().max(), takers.iter().min()) {
        (Some(most), Some(fewest)) => most - fewest,
        _ => 0,
    };
    RosterSummary {
        paid_minutes,
        undesirable_shifts,
        unfilled,
        shortfalls,
        utilisation_fairness: jain_index(&utilisation),
        undesirable_spread,
    }
}

fn utilisations(horizon: &Horizon, agents: &[Agent], paid_minutes: &[u32]) -> Vec<f64> {
    let weeks = week_count(horizon) as f64;
    agents
        .iter()
        .zip(paid_minutes)
        .map(|(agent, &minutes)| {
            let capacity = f64::from(agent.max_weekly_minutes.max(1)) * weeks;
            f64::from(minutes) / capacity
        })
        .collect()
}

fn jain_index(values: &[f64]) -> f64 {
    let sum: f64 = values.iter().sum();
    let squares: f64 = values.iter().map(|value| value * value).sum();
    if squares == 0.0 {
        1.0
    } else {
        sum * sum / (values.len() as f64 * squares)
    }
}

/// Builds a roster that keeps every hard rule; see the module's documentation.
pub fn build_roster(horizon: &Horizon, shifts: &[ShiftToStaff], agents: &[Agent]) -> Roster {
    let mut state = State::new(horizon, shifts, agents);
    let mut order: Vec<usize> = (0..shifts.len()).collect();
    order.sort_by_key(|&shift| (state.eligible[shift].len(), shifts[shift].start));
    for &shift in &order {
        if let Some(agent) = state.best_taker(shift) {
            state.assign(shift, agent);
        }
    }
    for &shift in &order {
        if state.assignment[shift].is_none() {
            state.place_by_moving_one(shift);
        }
    }
    state.balance();
    Roster {
        assignment: state.assignment,
    }
}

struct State<'a> {
    horizon: &'a Horizon,
    shifts: &'a [ShiftToStaff],
    agents: &'a [Agent],
    eligible: Vec<Vec<usize>>,
    assignment: Vec<Option<usize>>,
    mine: Vec<Vec<usize>>,
    week_minutes: Vec<Vec<u32>>,
    total_minutes: Vec<u32>,
    undesirable: Vec<u32>,
}

/// Passes of the balancing local search; each pass is a full sweep, and the
/// search stops early when a sweep changes nothing.
const BALANCE_PASSES: usize = 6;

impl<'a> State<'a> {
    fn new(horizon: &'a Horizon, shifts: &'a [ShiftToStaff], agents: &'a [Agent]) -> State<'a> {
        let eligible = shifts
            .iter()
            .map(|shift| {
                (0..agents.len())
                    .filter(|&agent| is_eligible(horizon, &agents[agent], shift))
                    .collect()
            })
            .collect();
        State {
            horizon,
            shifts,
            agents,
            eligible,
            assignment: vec![None; shifts.len()],
            mine: vec![Vec::new(); agents.len()],
            week_minutes: vec![vec![0; week_count(horizon)]; agents.len()],
            total_minutes: vec![0; agents.len()],
            undesirable: vec![0; agents.len()],
        }
    }

    /// Whether the agent can take the shift given their other shifts
    /// (`ignoring` one of them, for moves and swaps).
    fn can_take(&self, agent: usize, shift: usize, ignoring: Option<usize>) -> bool {
        let candidate = &self.shifts[shift];
        let person = &self.agents[agent];
        let week = candidate.week();
        let freed = ignoring
            .filter(|&other| self.shifts[other].week() == week)
            .map_or(0, |other| self.shifts[other].paid_minutes);
        self.week_minutes[agent][week] - freed + candidate.paid_minutes <= person.max_weekly_minutes
            && self.mine[agent]
                .iter()
                .filter(|&&other| Some(other) != ignoring && other != shift)
                .all(|&other| rest_ok(person, candidate, &self.shifts[other]))
    }

    fn assign(&mut self, shift: usize, agent: usize) {
        let details = &self.shifts[shift];
        self.assignment[shift] = Some(agent);
        self.mine[agent].push(shift);
        self.week_minutes[agent][details.week()] += details.paid_minutes;
        self.total_minutes[agent] += details.paid_minutes;
        self.undesirable[agent] += u32::from(details.undesirable);
    }

    fn unassign(&mut self, shift: usize) {
        let Some(agent) = self.assignment[shift].take() else {
            return;
        };
        let details = &self.shifts[shift];
        self.mine[agent].retain(|&other| other != shift);
        self.week_minutes[agent][details.week()] -= details.paid_minutes;
        self.total_minutes[agent] -= details.paid_minutes;
        self.undesirable[agent] -= u32::from(details.undesirable);
    }

    fn utilisation(&self, agent: usize, extra: i64) -> f64 {
        let weeks = week_count(self.horizon) as f64;
        let capacity = f64::from(self.agents[agent].max_weekly_minutes.max(1)) * weeks;
        (i64::from(self.total_minutes[agent]) + extra) as f64 / capacity
    }

    /// The feasible agent this shift suits best: one still below the weekly
    /// minimum first, then the least utilised, then the fewest undesirable shifts.
    fn best_taker(&self, shift: usize) -> Option<usize> {
        let week = self.shifts[shift].week();
        self.eligible[shift]
            .iter()
            .copied()
            .filter(|&agent| self.can_take(agent, shift, None))
            .min_by(|&a, &b| {
                let below = |agent: usize| {
                    self.week_minutes[agent][week] >= self.agents[agent].min_weekly_minutes
                };
                below(a)
                    .cmp(&below(b))
                    .then(self.utilisation(a, 0).total_cmp(&self.utilisation(b, 0)))
                    .then(self.undesirable[a].cmp(&self.undesirable[b]))
                    .then(a.cmp(&b))
            })
    }

    /// Places an unfilled shift with an eligible agent by handing one of that
    /// agent's shifts that blocks it to someone else.
    fn place_by_moving_one(&mut self, shift: usize) {
        for agent in self.eligible[shift].clone() {
            for blocker in self.mine[agent].clone() {
                if !self.can_take(agent, shift, Some(blocker)) {
                    continue;
                }
                let taker = self.eligible[blocker]
                    .iter()
                    .copied()
                    .find(|&other| other != agent && self.can_take(other, blocker, None));
                if let Some(taker) = taker {
                    self.unassign(blocker);
                    self.assign(blocker, taker);
                    self.assign(shift, agent);
                    return;
                }
            }
        }
    }

    /// The balance objective: squared deviations of utilisation and of
    /// undesirable shifts from their means; lower is fairer.
    fn imbalance(&self) -> f64 {
        let count = self.agents.len().max(1) as f64;
        let utilisation: Vec<f64> = (0..self.agents.len())
            .map(|agent| self.utilisation(agent, 0))
            .collect();
        let mean_utilisation = utilisation.iter().sum::<f64>() / count;
        let mean_undesirable = self.undesirable.iter().sum::<u32>() as f64 / count;
        let hours: f64 = utilisation
            .iter()
            .map(|value| (value - mean_utilisation).powi(2))
            .sum();
        let disliked: f64 = self
            .undesirable
            .iter()
            .map(|&value| (f64::from(value) - mean_undesirable).powi(2))
            .sum();
        100.0 * hours + disliked
    }

    fn balance(&mut self) {
        for _ in 0..BALANCE_PASSES {
            let mut improved = false;
            for shift in 0..self.shifts.len() {
                improved |= self.try_move(shift);
            }
            if !improved {
                break;
            }
        }
    }

    /// Moves a shift to another eligible agent when that lowers the imbalance
    /// and keeps every agent's weekly minimum goal at least as well met.
    fn try_move(&mut self, shift: usize) -> bool {
        let Some(from) = self.assignment[shift] else {
            return false;
        };
        let week = self.shifts[shift].week();
        let paid = self.shifts[shift].paid_minutes;
        if self.week_minutes[from][week] - paid < self.agents[from].min_weekly_minutes {
            return false;
        }
        let before = self.imbalance();
        for to in self.eligible[shift].clone() {
            if to == from || !self.can_take(to, shift, None) {
                continue;
            }
            self.unassign(shift);
            self.assign(shift, to);
            if self.imbalance() < before - 1e-9 {
                return true;
            }
            self.unassign(shift);
            self.assign(shift, from);
        }
        false
    }
}
