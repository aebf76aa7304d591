//! Evaluating one staffing level of a [`Scenario`], including the Erlang X
//! extensions: redials (a fixed point on the offered load) and an uncertain
//! forecast (an average over a discretized normal arrival rate).

use crate::erlang_b::{ErlangBTable, erlang_b};
use crate::model::{ErlangX, MAX_SERVERS, Metrics, Model, Outcome, Scenario, StaffingError};
use crate::queues;
use crate::special::standard_normal_pdf;

/// Standard-normal nodes of the forecast-uncertainty average: −4σ…4σ by σ/4.
const UNCERTAINTY_NODES: i32 = 16;
const UNCERTAINTY_STEP: f64 = 0.25;
/// The redial fixed point stops when the load moves by less than this share.
const REDIAL_TOLERANCE: f64 = 1e-12;
const REDIAL_MAX_ITERATIONS: usize = 10_000;
/// A redial load above this multiple of the fresh load is taken as divergence.
const REDIAL_DIVERGENCE_FACTOR: f64 = 1e3;

/// Evaluates staffing levels of one scenario, sharing the Erlang B recursion
/// between calls so that stepping through agent counts costs O(1) per step.
#[derive(Debug, Clone)]
pub struct Evaluator {
    scenario: Scenario,
    table: ErlangBTable,
}

impl Evaluator {
    /// An evaluator for `scenario`.
    pub fn new(scenario: Scenario) -> Evaluator {
        Evaluator {
            table: ErlangBTable::new(scenario.load().offered_erlangs()),
            scenario,
        }
    }

    /// The scenario evaluated.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Every metric of `agents` agents.
    pub fn evaluate(&mut self, agents: u32) -> Result<Metrics, StaffingError> {
        let (outcome, offered) = self.outcome(agents, true)?;
        Ok(outcome.into_metrics(&self.scenario, agents, offered))
    }

    /// The outcome in handling-time units and the offered load it was computed
    /// at; the ASA (a slower series for Erlang A) only when `with_asa`.
    pub(crate) fn outcome(
        &mut self,
        agents: u32,
        with_asa: bool,
    ) -> Result<(Outcome, f64), StaffingError> {
        if !(1..=MAX_SERVERS).contains(&agents) {
            return Err(StaffingError::InvalidParameter {
                name: "agents",
                value: f64::from(agents),
                reason: "must lie between 1 and 200,000,000",
            });
        }
        let offered = self.scenario.load().offered_erlangs();
        let threshold = self.scenario.sl_seconds() / self.scenario.load().aht_seconds();
        let aht = self.scenario.load().aht_seconds();
        match self.scenario.model() {
            Model::ErlangB => Ok((
                queues::erlang_b(offered, agents, self.table.blocking(agents)),
                offered,
            )),
            Model::ErlangC => Ok((
                queues::erlang_c(offered, agents, self.table.blocking(agents), threshold)?,
                offered,
            )),
            Model::ErlangA { patience_seconds } => {
                let blocking = self.table.blocking(agents);
                let abandonment = aht / patience_seconds;
                Ok((
                    queues::erlang_a(offered, agents, blocking, abandonment, threshold, with_asa),
                    offered,
                ))
            }
            Model::ErlangX(extension) => {
                let queue = ExtendedQueue {
                    extension,
                    agents,
                    abandonment: aht / extension.patience_seconds,
                    threshold,
                    with_asa,
                };
                queue.uncertain(offered)
            }
        }
    }
}

/// Evaluates `agents` agents of `scenario`.
pub fn evaluate(scenario: &Scenario, agents: u32) -> Result<Metrics, StaffingError> {
    Evaluator::new(*scenario).evaluate(agents)
}

/// One Erlang X evaluation: fixed agents, patience and threshold; the offered load varies.
struct ExtendedQueue {
    extension: ErlangX,
    agents: u32,
    abandonment: f64,
    threshold: f64,
    with_asa: bool,
}

impl ExtendedQueue {
    /// The queue at exactly `offered` Erlangs (attempts, redials included).
    fn at_load(&self, offered: f64) -> Result<Outcome, StaffingError> {
        let blocking = erlang_b(offered, self.agents);
        match self.extension.lines {
            Some(lines) if lines < self.agents => Err(StaffingError::AgentsExceedLines {
                agents: self.agents,
                lines,
            }),
            Some(lines) => Ok(queues::erlang_a_with_lines(
                offered,
                self.agents,
                blocking,
                self.abandonment,
                self.threshold,
                lines,
            )),
            None => Ok(queues::erlang_a(
                offered,
                self.agents,
                blocking,
                self.abandonment,
                self.threshold,
                self.with_asa,
            )),
        }
    }

    /// The fixed point `A = A₀ + r · (p_abandon + p_blocked)(A) · A` of the
    /// redial loop: lost contacts come back with probability `r`.
    fn with_redials(&self, fresh: f64) -> Result<(Outcome, f64), StaffingError> {
        let probability = self.extension.redial_probability;
        let mut offered = fresh;
        for _ in 0..REDIAL_MAX_ITERATIONS {
            let outcome = self.at_load(offered)?;
            let lost = outcome.p_abandon + outcome.p_blocked;
            let next = fresh / (1.0 - probability * lost);
            if !next.is_finite() || next > REDIAL_DIVERGENCE_FACTOR * fresh {
                return Err(StaffingError::RedialsDiverge {
                    redial_probability: probability,
                });
            }
            if (next - offered).abs() <= REDIAL_TOLERANCE * offered {
                return Ok((self.at_load(next)?, next));
            }
            offered = next;
        }
        Err(StaffingError::RedialsDiverge {
            redial_probability: probability,
        })
    }

    /// The average over a normal forecast error of coefficient of variation
    /// `cv`, truncated at ±4σ and at a zero rate; per-contact shares are
    /// weighted by offered contacts, the ASA by answered ones and the
    /// occupancy by time.
    fn uncertain(&self, forecast: f64) -> Result<(Outcome, f64), StaffingError> {
        let cv = self.extension.arrivals_cv;
        if cv == 0.0 {
            return self.with_redials(forecast);
        }
        let mut sums = Outcome::default();
        let (mut time_weight, mut contact_weight, mut answered_weight, mut offered_sum) =
            (0.0, 0.0, 0.0, 0.0);
        for node in -UNCERTAINTY_NODES..=UNCERTAINTY_NODES {
            let z = f64::from(node) * UNCERTAINTY_STEP;
            let fresh = forecast * (1.0 + cv * z);
            if fresh <= 0.0 {
                continue;
            }
            let density = standard_normal_pdf(z);
            let (outcome, offered) = self.with_redials(fresh)?;
            let contacts = density * offered;
            let answered = contacts * outcome.p_answered();
            sums.service_level += contacts * outcome.service_level;
            sums.p_wait += contacts * outcome.p_wait;
            sums.p_abandon += contacts * outcome.p_abandon;
            sums.p_blocked += contacts * outcome.p_blocked;
            sums.mean_wait += contacts * outcome.mean_wait;
            sums.asa += answered * outcome.asa;
            sums.occupancy += density * outcome.occupancy;
            time_weight += density;
            contact_weight += contacts;
            answered_weight += answered;
            offered_sum += density * offered;
        }
        let average = Outcome {
            service_level: sums.service_level / contact_weight,
            p_wait: sums.p_wait / contact_weight,
            p_abandon: sums.p_abandon / contact_weight,
            p_blocked: sums.p_blocked / contact_weight,
            mean_wait: sums.mean_wait / contact_weight,
            asa: if answered_weight > 0.0 {
                sums.asa / answered_weight
            } else {
                0.0
            },
            occupancy: sums.occupancy / time_weight,
        };
        Ok((average.clamped(), offered_sum / time_weight))
    }
}
