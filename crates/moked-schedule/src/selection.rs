//! Shift selection: how many agents start each candidate shift.
//!
//! A weighted set-covering integer program: minimise the cost of the chosen
//! shifts (plus, optionally, a penalty per missing agent-interval) such that
//! every interval has at least its required agents. It is solved exactly with
//! `microlp` (pure-Rust branch and bound), after two transformations that keep the optimum:
//!
//! - decomposition: intervals linked by no shift (for example the closed
//!   night between two days of day shifts) form independent problems, each
//!   solved to optimality on its own; the sum of optima is the optimum;
//! - presolve: a shift that covers a subset of another shift's intervals at
//!   no lower cost is never needed and is dropped, and an interval whose
//!   covering shifts include all those of a busier interval needs no row of
//!   its own (only when no upper bound on a shift or an interval and no
//!   penalty is set, since those break the argument).
//!
//! microlp's branch and bound alone wanders on round-the-clock weeks: unpaid
//! breaks split each shift's coverage into two blocks, and the LP bound sits
//! a few shifts below the optimum. So, when no upper bound is set, the model
//! is strengthened before branching:
//! - zero-half (Chvátal–Gomory) cuts from [`crate::cuts`], separated over a
//!   few LP rounds, lift the bound (without a penalty only);
//! - when every cost is a multiple of a common step `g` (0.4 for costs 8.0
//!   and 4.4), a greedy covering costing `U` is the first incumbent, a row caps
//!   the objective at `U`, and nodes whose bound is within `g` of the
//!   incumbent are pruned (microlp's relative prune tolerance `0.99 g / U`).
//!   Every schedule's cost is a multiple of `g`, so a pruned node cannot hold
//!   a cheaper schedule, and a finished search is still a proof of optimality.
//!
//! The model is built with microlp's own API (the solver `good_lp` drives)
//! because `good_lp` does not expose that prune tolerance.

use microlp::{
    ComparisonOp, LinearExpr, OptimizationDirection, Problem, SolveOptions, TerminationReason,
    Variable,
};
use std::collections::HashMap;
use std::time::Duration;

/// One column of the covering problem: a shift someone can start.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverColumn {
    /// The cost of one agent on it; must be finite and not negative.
    pub cost: f64,
    /// The intervals one agent on it covers.
    pub covers: Vec<usize>,
    /// At most this many agents may start it.
    pub max_count: Option<u32>,
}

/// A shift-selection problem.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectionProblem {
    /// Agents required in each interval.
    pub requirement: Vec<u32>,
    /// The shifts to choose from.
    pub columns: Vec<CoverColumn>,
    /// At most this many agents in any interval.
    pub max_per_interval: Option<u32>,
    /// Cost of one missing agent in one interval; `None` makes coverage a hard rule.
    /// With a penalty, a catalog that cannot cover every interval still gets its
    /// cheapest best partial coverage instead of an error.
    pub under_staffing_penalty: Option<f64>,
    /// Stop after this many seconds with the best schedule found (not proven optimal).
    pub time_limit_seconds: Option<f64>,
}

/// The chosen number of agents per column.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// Agents starting each column, in the problem's column order.
    pub counts: Vec<u32>,
    /// The cost of the chosen shifts.
    pub shift_cost: f64,
    /// Missing agent-intervals (only with an under-staffing penalty).
    pub under_staffed: u64,
    /// Whether the solver proved every part optimal.
    pub proven_optimal: bool,
    /// How many independent parts the problem split into.
    pub parts: usize,
    /// How many columns the presolve dropped as dominated.
    pub dominated_columns: usize,
}

/// Why no selection could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SelectionError {
    /// A column or the penalty is not a usable number, or an interval is out of range.
    #[error("invalid selection problem: {0}")]
    Invalid(String),
    /// Some interval cannot get its required agents from the catalog.
    #[error(
        "the shifts cannot cover the requirement (first uncoverable part starts at interval {first_interval}); set an under-staffing penalty to get the best partial coverage"
    )]
    Infeasible {
        /// The first interval of the part that failed.
        first_interval: usize,
    },
    /// The time limit ran out before any schedule was found.
    #[error("the solver stopped before finding any schedule: {0}")]
    Solver(String),
}

/// Solves a shift-selection problem.
pub fn select_shifts(problem: &SelectionProblem) -> Result<Selection, SelectionError> {
    validate(problem)?;
    let relevant = relevant_intervals(problem);
    let parts = split_into_parts(problem, &relevant);
    let mut selection = Selection {
        counts: vec![0; problem.columns.len()],
        shift_cost: 0.0,
        under_staffed: 0,
        proven_optimal: true,
        parts: parts.len(),
        dominated_columns: 0,
    };
    for part in parts {
        let kept = drop_dominated(problem, &relevant, &part.columns);
        selection.dominated_columns += part.columns.len() - kept.len();
        let rows = binding_rows(problem, &kept, &part.intervals);
        let outcome = solve_part(problem, &kept, &rows)?;
        for (&column, &count) in kept.iter().zip(&outcome.counts) {
            selection.counts[column] = count;
        }
        selection.proven_optimal &= outcome.proven_optimal;
    }
    let coverage = coverage_of(
        problem.requirement.len(),
        &problem.columns,
        &selection.counts,
    );
    selection.under_staffed = problem
        .requirement
        .iter()
        .zip(&coverage)
        .map(|(&required, &covered)| u64::from(required.saturating_sub(covered)))
        .sum();
    selection.shift_cost = problem
        .columns
        .iter()
        .zip(&selection.counts)
        .map(|(column, &count)| column.cost * f64::from(count))
        .sum();
    Ok(selection)
}

fn validate(problem: &SelectionProblem) -> Result<(), SelectionError> {
    let intervals = problem.requirement.len();
    for (index, column) in problem.columns.iter().enumerate() {
        if !column.cost.is_finite() || column.cost < 0.0 {
            return Err(SelectionError::Invalid(format!(
                "column {index} has cost {}",
                column.cost
            )));
        }
        if let Some(&interval) = column.covers.iter().find(|&&i| i >= intervals) {
            return Err(SelectionError::Invalid(format!(
                "column {index} covers interval {interval} of {intervals}"
            )));
        }
    }
    match problem.under_staffing_penalty {
        Some(penalty) if !penalty.is_finite() || penalty <= 0.0 => Err(SelectionError::Invalid(
            format!("under-staffing penalty {penalty}"),
        )),
        _ => Ok(()),
    }
}

/// Intervals that take part in the model: those with a requirement, or all of
/// them when an interval cap makes over-coverage matter.
fn relevant_intervals(problem: &SelectionProblem) -> Vec<bool> {
    problem
        .requirement
        .iter()
        .map(|&required| required > 0 || problem.max_per_interval.is_some())
        .collect()
}

struct Part {
    intervals: Vec<usize>,
    columns: Vec<usize>,
}

/// Groups intervals linked through shared columns (union-find); each group
/// and its columns is an independent covering problem.
fn split_into_parts(problem: &SelectionProblem, relevant: &[bool]) -> Vec<Part> {
    let mut parent: Vec<usize> = (0..relevant.len()).collect();
    for column in &problem.columns {
        let mut linked = column.covers.iter().filter(|&&i| relevant[i]);
        if let Some(&first) = linked.next() {
            for &other in linked {
                let (a, b) = (find_root(&mut parent, first), find_root(&mut parent, other));
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut part_of_root = vec![usize::MAX; relevant.len()];
    let mut parts: Vec<Part> = Vec::new();
    for interval in (0..relevant.len()).filter(|&i| relevant[i]) {
        let root = find_root(&mut parent, interval);
        if part_of_root[root] == usize::MAX {
            part_of_root[root] = parts.len();
            parts.push(Part {
                intervals: Vec::new(),
                columns: Vec::new(),
            });
        }
        parts[part_of_root[root]].intervals.push(interval);
    }
    for (index, column) in problem.columns.iter().enumerate() {
        if let Some(&interval) = column.covers.iter().find(|&&i| relevant[i]) {
            let root = find_root(&mut parent, interval);
            parts[part_of_root[root]].columns.push(index);
        }
    }
    parts
}

fn find_root(parent: &mut [usize], mut node: usize) -> usize {
    while parent[node] != node {
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

/// Drops columns another column makes useless: one covering a superset of
/// its intervals at a cost no higher. Ties keep the lower index, so the
/// relation is a strict order and every dropped column has a kept dominator.
fn drop_dominated(problem: &SelectionProblem, relevant: &[bool], columns: &[usize]) -> Vec<usize> {
    let bounded = problem.max_per_interval.is_some()
        || columns
            .iter()
            .any(|&c| problem.columns[c].max_count.is_some());
    if bounded {
        return columns.to_vec();
    }
    let covers: Vec<Vec<usize>> = columns
        .iter()
        .map(|&c| {
            let mut set: Vec<usize> = problem.columns[c]
                .covers
                .iter()
                .copied()
                .filter(|&i| relevant[i])
                .collect();
            set.sort_unstable();
            set.dedup();
            set
        })
        .collect();
    let dominates = |b: usize, a: usize| {
        let (cost_a, cost_b) = (
            problem.columns[columns[a]].cost,
            problem.columns[columns[b]].cost,
        );
        let strictly_better = cost_b < cost_a || covers[b].len() > covers[a].len() || b < a;
        cost_b <= cost_a && strictly_better && is_subset(&covers[a], &covers[b])
    };
    (0..columns.len())
        .filter(|&a| !(0..columns.len()).any(|b| b != a && dominates(b, a)))
        .map(|a| columns[a])
        .collect()
}

/// The intervals whose covering rows are not implied by another row: row `i`
/// follows from row `j` when every shift covering `j` also covers `i` and `j`
/// needs at least as many agents. Only without a penalty or an interval cap,
/// where every row's own slack or bound matters.
fn binding_rows(problem: &SelectionProblem, columns: &[usize], intervals: &[usize]) -> Vec<usize> {
    if problem.under_staffing_penalty.is_some() || problem.max_per_interval.is_some() {
        return intervals.to_vec();
    }
    let position: HashMap<usize, usize> = intervals
        .iter()
        .enumerate()
        .map(|(position, &interval)| (interval, position))
        .collect();
    let mut covering: Vec<Vec<usize>> = vec![Vec::new(); intervals.len()];
    for (column_position, &column) in columns.iter().enumerate() {
        for interval in &problem.columns[column].covers {
            if let Some(&row) = position.get(interval) {
                covering[row].push(column_position);
            }
        }
    }
    for set in &mut covering {
        set.sort_unstable();
        set.dedup();
    }
    let need = |row: usize| problem.requirement[intervals[row]];
    let implies = |j: usize, i: usize| {
        let stronger = need(j) > need(i) || covering[j].len() < covering[i].len() || j < i;
        need(j) >= need(i) && stronger && is_subset(&covering[j], &covering[i])
    };
    (0..intervals.len())
        .filter(|&i| !(0..intervals.len()).any(|j| j != i && implies(j, i)))
        .map(|i| intervals[i])
        .collect()
}

fn is_subset(small: &[usize], large: &[usize]) -> bool {
    if small.len() > large.len() {
        return false;
    }
    let mut rest = large.iter();
    small
        .iter()
        .all(|item| rest.by_ref().any(|candidate| candidate == item))
}

struct PartOutcome {
    counts: Vec<u32>,
    proven_optimal: bool,
}

fn solve_part(
    problem: &SelectionProblem,
    columns: &[usize],
    intervals: &[usize],
) -> Result<PartOutcome, SelectionError> {
    let mut model = Problem::new(OptimizationDirection::Minimize);
    let counts: Vec<Variable> = columns
        .iter()
        .map(|&c| {
            let column = &problem.columns[c];
            let max = column
                .max_count
                .map_or(i32::MAX, |max| i32::try_from(max).unwrap_or(i32::MAX));
            model.add_integer_var(column.cost, (0, max))
        })
        .collect();
    let penalty = problem.under_staffing_penalty;
    let mut rows: Vec<LinearExpr> = intervals.iter().map(|_| LinearExpr::empty()).collect();
    let row_of: HashMap<usize, usize> = intervals
        .iter()
        .enumerate()
        .map(|(row, &interval)| (interval, row))
        .collect();
    for (&c, &count) in columns.iter().zip(&counts) {
        for interval in &problem.columns[c].covers {
            if let Some(&row) = row_of.get(interval) {
                rows[row].add(count, 1.0);
            }
        }
    }
    let mut objective_row = LinearExpr::empty();
    for (&c, &count) in columns.iter().zip(&counts) {
        objective_row.add(count, problem.columns[c].cost);
    }
    for (row, &interval) in rows.into_iter().zip(intervals) {
        if let Some(max) = problem.max_per_interval {
            model.add_constraint(row.clone(), ComparisonOp::Le, f64::from(max));
        }
        let required = problem.requirement[interval];
        if required > 0 {
            let mut covered = row;
            if let Some(penalty) = penalty {
                let slack = model.add_var(penalty, (0.0, f64::INFINITY));
                covered.add(slack, 1.0);
                objective_row.add(slack, penalty);
            }
            model.add_constraint(covered, ComparisonOp::Ge, f64::from(required));
        }
    }
    if unbounded_and_hard(problem, columns) {
        add_zero_half_cuts(&mut model, problem, columns, intervals, &counts);
    }
    let mut options = SolveOptions::default();
    options.time_limit = problem.time_limit_seconds.map(Duration::from_secs_f64);
    let unbounded = problem.max_per_interval.is_none()
        && columns
            .iter()
            .all(|&c| problem.columns[c].max_count.is_none());
    if let (true, Some(step)) = (unbounded, objective_step(problem, columns)) {
        let greedy = greedy_cover(problem, columns, intervals);
        let cap = part_objective(problem, columns, intervals, &greedy);
        // See the module's documentation: the cap keeps every incumbent at or
        // below `cap`, so the relative tolerance never exceeds 0.99 step.
        model.add_constraint(objective_row, ComparisonOp::Le, cap + 1e-6 * cap.max(1.0));
        options.tolerances.prune_epsilon = 0.99 * step / cap.max(step);
        options.warm_start = Some(
            counts
                .iter()
                .zip(&greedy)
                .map(|(&count, &value)| (count, f64::from(value)))
                .collect(),
        );
    }
    let outcome = model.solve_with(options).map_err(|error| match error {
        microlp::Error::Infeasible => SelectionError::Infeasible {
            first_interval: intervals[0],
        },
        other => SelectionError::Solver(other.to_string()),
    })?;
    let proven_optimal = outcome.termination_reason() == TerminationReason::ProvenOptimal;
    let solution = outcome
        .into_solution()
        .map_err(|_| SelectionError::Solver("time limit reached before any schedule".into()))?;
    Ok(PartOutcome {
        counts: counts
            .iter()
            .map(|&count| solution.var_value(count).round().max(0.0) as u32)
            .collect(),
        proven_optimal,
    })
}

fn unbounded_and_hard(problem: &SelectionProblem, columns: &[usize]) -> bool {
    problem.under_staffing_penalty.is_none()
        && problem.max_per_interval.is_none()
        && columns
            .iter()
            .all(|&c| problem.columns[c].max_count.is_none())
}

fn add_zero_half_cuts(
    model: &mut Problem,
    problem: &SelectionProblem,
    columns: &[usize],
    intervals: &[usize],
    counts: &[Variable],
) {
    let row_of: HashMap<usize, usize> = intervals
        .iter()
        .enumerate()
        .map(|(row, &interval)| (interval, row))
        .collect();
    let costs: Vec<f64> = columns.iter().map(|&c| problem.columns[c].cost).collect();
    let covers: Vec<Vec<usize>> = columns
        .iter()
        .map(|&c| {
            problem.columns[c]
                .covers
                .iter()
                .filter_map(|interval| row_of.get(interval).copied())
                .collect()
        })
        .collect();
    let required: Vec<u32> = intervals.iter().map(|&i| problem.requirement[i]).collect();
    for cut in crate::cuts::zero_half_cuts(&costs, &covers, &required) {
        let mut expression = LinearExpr::empty();
        for (position, coefficient) in cut.terms {
            expression.add(counts[position], coefficient);
        }
        model.add_constraint(expression, ComparisonOp::Ge, cut.right_side);
    }
}

/// The cost of a choice within a part, missing agents priced at the penalty.
fn part_objective(
    problem: &SelectionProblem,
    columns: &[usize],
    intervals: &[usize],
    counts: &[u32],
) -> f64 {
    let deficit = remaining_deficit(problem, columns, intervals, counts);
    let shifts: f64 = columns
        .iter()
        .zip(counts)
        .map(|(&c, &count)| problem.columns[c].cost * f64::from(count))
        .sum();
    let missing: u32 = deficit.iter().sum();
    shifts + problem.under_staffing_penalty.unwrap_or(0.0) * f64::from(missing)
}

/// Missing agents per interval of the part (indexed by interval number).
fn remaining_deficit(
    problem: &SelectionProblem,
    columns: &[usize],
    intervals: &[usize],
    counts: &[u32],
) -> Vec<u32> {
    let mut deficit = vec![0u32; problem.requirement.len()];
    for &interval in intervals {
        deficit[interval] = problem.requirement[interval];
    }
    for (&c, &count) in columns.iter().zip(counts) {
        for &interval in &problem.columns[c].covers {
            deficit[interval] = deficit[interval].saturating_sub(count);
        }
    }
    deficit
}

/// A feasible covering built greedily: repeatedly add the shift with the
/// lowest cost per still-missing interval it covers, then drop copies that
/// turned out redundant. With a penalty, a shift is only added while it is
/// cheaper than the penalties it saves.
fn greedy_cover(problem: &SelectionProblem, columns: &[usize], intervals: &[usize]) -> Vec<u32> {
    let mut counts = vec![0u32; columns.len()];
    let mut deficit = remaining_deficit(problem, columns, intervals, &counts);
    let penalty = problem.under_staffing_penalty;
    loop {
        let best = columns
            .iter()
            .enumerate()
            .filter_map(|(position, &c)| {
                let column = &problem.columns[c];
                let gained = column.covers.iter().filter(|&&i| deficit[i] > 0).count();
                let worth_it = penalty.is_none_or(|p| p * gained as f64 > column.cost);
                (gained > 0 && worth_it).then(|| (position, column.cost / gained as f64))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        let Some((position, _)) = best else { break };
        counts[position] += 1;
        for &interval in &problem.columns[columns[position]].covers {
            deficit[interval] = deficit[interval].saturating_sub(1);
        }
    }
    drop_redundant_copies(problem, columns, &mut counts);
    counts
}

/// Removes copies of the most expensive shifts first while every interval
/// they cover stays at or above its requirement.
fn drop_redundant_copies(problem: &SelectionProblem, columns: &[usize], counts: &mut [u32]) {
    let coverage_columns: Vec<CoverColumn> = columns
        .iter()
        .map(|&c| problem.columns[c].clone())
        .collect();
    let mut coverage = coverage_of(problem.requirement.len(), &coverage_columns, counts);
    let mut order: Vec<usize> = (0..columns.len()).collect();
    order.sort_by(|&a, &b| {
        coverage_columns[b]
            .cost
            .total_cmp(&coverage_columns[a].cost)
    });
    for position in order {
        let covers = &coverage_columns[position].covers;
        while counts[position] > 0 && covers.iter().all(|&i| coverage[i] > problem.requirement[i]) {
            counts[position] -= 1;
            for &interval in covers {
                coverage[interval] -= 1;
            }
        }
    }
}

/// The largest step every possible objective value is a multiple of, when
/// the costs (and penalty) are multiples of 10^-4; `None` otherwise.
fn objective_step(problem: &SelectionProblem, columns: &[usize]) -> Option<f64> {
    let values: Vec<f64> = columns
        .iter()
        .map(|&c| problem.columns[c].cost)
        .chain(problem.under_staffing_penalty)
        .collect();
    [1.0, 10.0, 100.0, 1000.0, 10000.0]
        .into_iter()
        .find_map(|scale: f64| {
            let scaled: Option<Vec<u64>> = values
                .iter()
                .map(|value| {
                    let scaled = value * scale;
                    ((scaled - scaled.round()).abs() < 1e-6 && scaled < 1e12)
                        .then_some(scaled.round() as u64)
                })
                .collect();
            let divisor = scaled?.into_iter().fold(0, greatest_common_divisor);
            (divisor > 0).then(|| divisor as f64 / scale)
        })
}

fn greatest_common_divisor(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        greatest_common_divisor(b, a % b)
    }
}

/// Agents on duty in each interval when each column is started `counts` times.
pub fn coverage_of(requirement_len: usize, columns: &[CoverColumn], counts: &[u32]) -> Vec<u32> {
    let mut coverage = vec![0; requirement_len];
    for (column, &count) in columns.iter().zip(counts) {
        for &interval in &column.covers {
            coverage[interval] += count;
        }
    }
    coverage
}
