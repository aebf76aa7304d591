//! Required staffing: the least number of agents meeting every target, the
//! square-root (Halfin–Whitt) estimate that seeds its search, and shrinkage.
//!
//! Each target is monotone in the number of agents (service level rises,
//! abandonment and occupancy fall), so the set of feasible staffing levels is
//! an up-set and a galloping search followed by bisection finds its least
//! element with O(log n) evaluations; the Erlang B recursion behind every
//! evaluation is shared, so the whole search costs O(n) arithmetic.

use crate::evaluate::Evaluator;
use crate::model::{MAX_SERVERS, Metrics, Model, Outcome, Scenario, StaffingError, fraction};
use crate::special::{standard_normal_cdf, standard_normal_pdf};
use serde::Serialize;

/// Staffing levels are searched up to this many agents beyond ten times the load.
const SEARCH_MARGIN: f64 = 1000.0;
/// The Halfin–Whitt β is searched in `[0, MAX_BETA]`.
const MAX_BETA: f64 = 12.0;

/// The service targets a staffing level must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    service_level: f64,
    max_abandon: Option<f64>,
    max_occupancy: Option<f64>,
    /// The Halfin–Whitt β for a delay probability of `1 − service_level`,
    /// computed once here because it seeds every search with these targets.
    seed_beta: f64,
}

impl Targets {
    /// A service-level target (share answered within the threshold) and
    /// optional caps on the abandon share and on occupancy.
    pub fn new(
        service_level: f64,
        max_abandon: Option<f64>,
        max_occupancy: Option<f64>,
    ) -> Result<Targets, StaffingError> {
        fraction("target sl", service_level, true)?;
        if let Some(cap) = max_abandon {
            fraction("max abandon", cap, true)?;
        }
        if let Some(cap) = max_occupancy
            && !(cap > 0.0 && cap <= 1.0)
        {
            return Err(StaffingError::InvalidParameter {
                name: "max occupancy",
                value: cap,
                reason: "must lie in (0, 1]",
            });
        }
        let seed_beta = halfin_whitt_beta((1.0 - service_level).max(1e-9));
        Ok(Targets {
            service_level,
            max_abandon,
            max_occupancy,
            seed_beta,
        })
    }

    fn met_by(&self, outcome: &Outcome) -> bool {
        outcome.service_level >= self.service_level
            && self.max_abandon.is_none_or(|cap| outcome.p_abandon <= cap)
            && self
                .max_occupancy
                .is_none_or(|cap| outcome.occupancy <= cap)
    }
}

/// The answer to "how many agents": on the phones and on the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Requirement {
    /// The least number of agents on the phones meeting every target
    /// (serialized once, as the metrics' `agents`).
    #[serde(skip)]
    pub agents: u32,
    /// Agents to schedule so that `agents` remain after shrinkage.
    pub scheduled_agents: u32,
    /// The metrics of `agents` agents.
    #[serde(flatten)]
    pub metrics: Metrics,
}

/// `ceil(agents / (1 − shrinkage))`, computed so that a quotient that is an
/// integer in exact arithmetic is not pushed up by a rounding error
/// (14 / 0.7 is 20.000000000000004 in floating point, and 20 agents suffice).
pub fn scheduled_agents(agents: u32, shrinkage: f64) -> u32 {
    let available = 1.0 - shrinkage;
    let quotient = f64::from(agents) / available;
    let rounded = quotient.round();
    if (quotient - rounded).abs() <= 1e-9 * quotient.max(1.0) {
        rounded as u32
    } else {
        quotient.ceil() as u32
    }
}

/// The Halfin–Whitt approximation of the Erlang C delay probability at
/// `n = A + β√A`: `(1 + β Φ(β) / φ(β))⁻¹`.
pub fn halfin_whitt_delay_probability(beta: f64) -> f64 {
    1.0 / (1.0 + beta * standard_normal_cdf(beta) / standard_normal_pdf(beta))
}

/// Square-root staffing: `ceil(A + β√A)` with β such that the Halfin–Whitt
/// delay probability equals `target_p_wait` (a quick estimate, not exact).
pub fn square_root_staffing(offered_erlangs: f64, target_p_wait: f64) -> u32 {
    square_root_agents(offered_erlangs, halfin_whitt_beta(target_p_wait))
}

fn square_root_agents(offered_erlangs: f64, beta: f64) -> u32 {
    (offered_erlangs + beta * offered_erlangs.sqrt())
        .ceil()
        .max(1.0) as u32
}

/// The β at which the Halfin–Whitt delay probability equals `target_p_wait`.
fn halfin_whitt_beta(target_p_wait: f64) -> f64 {
    let (mut low, mut high) = (0.0, MAX_BETA);
    for _ in 0..60 {
        let middle = 0.5 * (low + high);
        if halfin_whitt_delay_probability(middle) > target_p_wait {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

/// The least number of agents meeting every target, its metrics, and the
/// agents to schedule given `shrinkage` (the share of paid time off the phones).
pub fn required_agents(
    scenario: &Scenario,
    targets: &Targets,
    shrinkage: f64,
) -> Result<Requirement, StaffingError> {
    fraction("shrinkage", shrinkage, false)?;
    let mut search = Search {
        evaluator: Evaluator::new(*scenario),
        targets: *targets,
    };
    let agents = search.least_feasible()?;
    let metrics = search.evaluator.evaluate(agents)?;
    Ok(Requirement {
        agents,
        scheduled_agents: scheduled_agents(agents, shrinkage),
        metrics,
    })
}

struct Search {
    evaluator: Evaluator,
    targets: Targets,
}

impl Search {
    /// Whether `agents` meet every target; an unstable or diverging queue does not.
    fn feasible(&mut self, agents: u32) -> Result<bool, StaffingError> {
        match self.evaluator.outcome(agents, false) {
            Ok((outcome, _)) => Ok(self.targets.met_by(&outcome)),
            Err(StaffingError::Unstable { .. } | StaffingError::RedialsDiverge { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    fn limit(&self) -> u32 {
        let scenario = self.evaluator.scenario();
        let by_load = (10.0 * scenario.load().offered_erlangs() + SEARCH_MARGIN)
            .min(f64::from(MAX_SERVERS)) as u32;
        match scenario.model() {
            Model::ErlangX(extension) => {
                extension.lines.map_or(by_load, |lines| lines.min(by_load))
            }
            _ => by_load,
        }
    }

    /// A number of agents no larger than the least feasible one. Erlang C needs
    /// `n > A` and `n ≥ A / max occupancy`; in the other models an agent
    /// answers at most its share of the load, so the service level is at most
    /// `n / A` (Erlang X: the forecast average may shift the load, hence a margin).
    fn lower_bound(&self, offered: f64) -> u32 {
        let below = |agents: f64| (agents * (1.0 - 1e-9)).floor().max(1.0) as u32;
        match self.evaluator.scenario().model() {
            Model::ErlangC => {
                let stable = (offered.floor() as u32).saturating_add(1);
                let occupancy = self
                    .targets
                    .max_occupancy
                    .map_or(1, |cap| below(offered / cap));
                stable.max(occupancy)
            }
            Model::ErlangX(_) => below(0.9 * self.targets.service_level * offered),
            Model::ErlangB | Model::ErlangA { .. } => below(self.targets.service_level * offered),
        }
    }

    /// Where the search starts: the square-root estimate for Erlang B and C;
    /// for the models with abandonment (whose evaluations cost more) the exact
    /// Erlang C staffing for the service level, raised to the load over the
    /// occupancy cap, which is usually within an agent or two of the answer.
    fn guess(&self, offered: f64) -> Result<u32, StaffingError> {
        let scenario = *self.evaluator.scenario();
        match scenario.model() {
            Model::ErlangB | Model::ErlangC => {
                Ok(square_root_agents(offered, self.targets.seed_beta))
            }
            Model::ErlangA { .. } | Model::ErlangX(_) => {
                let erlang_c =
                    Scenario::new(Model::ErlangC, scenario.load(), scenario.sl_seconds())?;
                let targets = Targets {
                    max_abandon: None,
                    ..self.targets
                };
                Search {
                    evaluator: Evaluator::new(erlang_c),
                    targets,
                }
                .least_feasible()
            }
        }
    }

    /// Galloping from the guess (down while feasible, up while not) brackets
    /// the answer in a few evaluations when the guess is close; bisection ends it.
    fn least_feasible(&mut self) -> Result<u32, StaffingError> {
        let offered = self.evaluator.scenario().load().offered_erlangs();
        let limit = self.limit();
        let mut low = self.lower_bound(offered).min(limit);
        let mut high = self.guess(offered)?.clamp(low, limit);
        let mut step = 1u32;
        if self.feasible(high)? {
            while high > low {
                let probe = high.saturating_sub(step).max(low);
                if !self.feasible(probe)? {
                    low = probe + 1;
                    break;
                }
                high = probe;
                step = step.saturating_mul(2);
            }
        } else {
            loop {
                if high >= limit {
                    return Err(self.unreachable(limit));
                }
                low = high + 1;
                high = high.saturating_add(step).min(limit);
                step = step.saturating_mul(2);
                if self.feasible(high)? {
                    break;
                }
            }
        }
        while low < high {
            let middle = low + (high - low) / 2;
            if self.feasible(middle)? {
                high = middle;
            } else {
                low = middle + 1;
            }
        }
        Ok(high)
    }

    fn unreachable(&mut self, limit: u32) -> StaffingError {
        let reason = match self.evaluator.outcome(limit, false) {
            Ok((outcome, _)) => format!(
                "at {limit} agents the service level is {:.6}, abandonment {:.6} and occupancy {:.6}",
                outcome.service_level, outcome.p_abandon, outcome.occupancy
            ),
            Err(error) => error.to_string(),
        };
        StaffingError::TargetUnreachable {
            searched_up_to: limit,
            reason,
        }
    }
}
