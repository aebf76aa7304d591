//! The inputs of a staffing question (load, model, threshold), its answer
//! (the metrics of one staffing level) and the errors that invalid inputs get.

use serde::Serialize;

/// Why a staffing question cannot be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StaffingError {
    /// A parameter is out of its domain (not positive, not finite, not a probability…).
    #[error("{name} = {value}: {reason}")]
    InvalidParameter {
        /// The parameter's name as the user knows it.
        name: &'static str,
        /// The rejected value.
        value: f64,
        /// What the value must be.
        reason: &'static str,
    },
    /// Erlang C with no more agents than Erlangs: every contact waits
    /// (`p_wait = 1`) and the queue, hence the wait, grows without bound.
    #[error(
        "unstable queue: {agents} agents cannot carry {offered_erlangs:.4} Erlangs without abandonment \
         (every contact waits, p_wait = 1, and the mean wait is infinite); add agents or use erlang-a"
    )]
    Unstable {
        /// The offered load.
        offered_erlangs: f64,
        /// The agents evaluated.
        agents: u32,
    },
    /// More agents than telephone lines: the extra agents could never take a call.
    #[error("{agents} agents exceed the {lines} lines: at most one agent per line can be busy")]
    AgentsExceedLines {
        /// The agents evaluated.
        agents: u32,
        /// The lines configured.
        lines: u32,
    },
    /// The redial loop feeds back more than it loses: the offered load diverges.
    #[error(
        "redials make the offered load diverge (redial probability {redial_probability}); lower it or add agents"
    )]
    RedialsDiverge {
        /// The redial probability.
        redial_probability: f64,
    },
    /// No number of agents up to the search limit meets every target.
    #[error("no staffing up to {searched_up_to} agents meets every target: {reason}")]
    TargetUnreachable {
        /// The largest number of agents tried.
        searched_up_to: u32,
        /// Which target is out of reach, and why.
        reason: String,
    },
}

/// The largest offered load accepted: a hundred times the largest contact
/// centers, and a bound on the memory of the Erlang B table (8 bytes per agent).
pub const MAX_OFFERED_ERLANGS: f64 = 1e7;
/// The largest number of agents or lines accepted.
pub const MAX_SERVERS: u32 = 200_000_000;

/// Checks that `value` is finite and positive.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64, StaffingError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(StaffingError::InvalidParameter {
            name,
            value,
            reason: "must be a finite number above 0",
        })
    }
}

/// Checks that `value` lies in `[0, 1)` (or `[0, 1]` when `one_allowed`).
pub(crate) fn fraction(
    name: &'static str,
    value: f64,
    one_allowed: bool,
) -> Result<f64, StaffingError> {
    let in_range = value >= 0.0 && (value < 1.0 || (one_allowed && value <= 1.0));
    if in_range {
        Ok(value)
    } else {
        let reason = if one_allowed {
            "must lie between 0 and 1"
        } else {
            "must lie in [0, 1)"
        };
        Err(StaffingError::InvalidParameter {
            name,
            value,
            reason,
        })
    }
}

/// Offered traffic: how many contacts arrive and how long each keeps an agent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Load {
    arrivals_per_hour: f64,
    aht_seconds: f64,
}

impl Load {
    /// A load of `arrivals_per_hour` contacts with a mean handling time of
    /// `aht_seconds`, at most [`MAX_OFFERED_ERLANGS`].
    pub fn new(arrivals_per_hour: f64, aht_seconds: f64) -> Result<Load, StaffingError> {
        let load = Load {
            arrivals_per_hour: positive("arrivals per hour", arrivals_per_hour)?,
            aht_seconds: positive("aht", aht_seconds)?,
        };
        if load.offered_erlangs() > MAX_OFFERED_ERLANGS {
            return Err(StaffingError::InvalidParameter {
                name: "arrivals per hour",
                value: arrivals_per_hour,
                reason: "with this aht the offered load exceeds 10,000,000 Erlangs",
            });
        }
        Ok(load)
    }

    /// Contacts per hour.
    pub fn arrivals_per_hour(self) -> f64 {
        self.arrivals_per_hour
    }

    /// Mean handling time in seconds.
    pub fn aht_seconds(self) -> f64 {
        self.aht_seconds
    }

    /// The offered load `A = λ · AHT` in Erlangs.
    pub fn offered_erlangs(self) -> f64 {
        self.arrivals_per_hour / 3600.0 * self.aht_seconds
    }
}

/// Erlang X–style extensions of Erlang A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangX {
    /// Mean patience (exponential) in seconds.
    pub patience_seconds: f64,
    /// Telephone lines (agents plus waiting places); `None` for unlimited.
    pub lines: Option<u32>,
    /// Share of abandoned or blocked contacts that try again (in `[0, 1)`).
    pub redial_probability: f64,
    /// Coefficient of variation of the forecast arrival rate (0 for a sure forecast).
    pub arrivals_cv: f64,
}

/// A queueing model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Model {
    /// M/M/n/n: no waiting room, a contact finding every agent busy is lost.
    ErlangB,
    /// M/M/n: contacts wait without limit and never hang up.
    ErlangC,
    /// M/M/n+M: contacts hang up after an exponential patience.
    ErlangA {
        /// Mean patience in seconds.
        patience_seconds: f64,
    },
    /// Erlang A with redials, finite lines and an uncertain forecast.
    ErlangX(ErlangX),
}

impl Model {
    /// The model's name as the CLI writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Model::ErlangB => "erlang-b",
            Model::ErlangC => "erlang-c",
            Model::ErlangA { .. } => "erlang-a",
            Model::ErlangX(_) => "erlang-x",
        }
    }

    fn validate(self) -> Result<Model, StaffingError> {
        match self {
            Model::ErlangB | Model::ErlangC => {}
            Model::ErlangA { patience_seconds } => {
                positive("patience", patience_seconds)?;
            }
            Model::ErlangX(extension) => {
                positive("patience", extension.patience_seconds)?;
                fraction("redial probability", extension.redial_probability, false)?;
                if !(extension.arrivals_cv.is_finite()
                    && (0.0..=1.0).contains(&extension.arrivals_cv))
                {
                    return Err(StaffingError::InvalidParameter {
                        name: "arrivals cv",
                        value: extension.arrivals_cv,
                        reason: "must lie between 0 and 1",
                    });
                }
                if let Some(lines) = extension.lines
                    && !(1..=MAX_SERVERS).contains(&lines)
                {
                    return Err(StaffingError::InvalidParameter {
                        name: "lines",
                        value: f64::from(lines),
                        reason: "must lie between 1 and 200,000,000",
                    });
                }
            }
        }
        Ok(self)
    }
}

/// One staffing question: a model, a load and the service-level threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scenario {
    model: Model,
    load: Load,
    sl_seconds: f64,
}

impl Scenario {
    /// Validates the model's parameters and the threshold (≥ 0 seconds).
    pub fn new(model: Model, load: Load, sl_seconds: f64) -> Result<Scenario, StaffingError> {
        if !(sl_seconds.is_finite() && sl_seconds >= 0.0) {
            return Err(StaffingError::InvalidParameter {
                name: "sl seconds",
                value: sl_seconds,
                reason: "must be a finite number of seconds, 0 or more",
            });
        }
        Ok(Scenario {
            model: model.validate()?,
            load,
            sl_seconds,
        })
    }

    /// The model.
    pub fn model(&self) -> Model {
        self.model
    }

    /// The load.
    pub fn load(&self) -> Load {
        self.load
    }

    /// The service-level threshold in seconds.
    pub fn sl_seconds(&self) -> f64 {
        self.sl_seconds
    }

    /// The same question for another load.
    pub fn with_load(&self, load: Load) -> Scenario {
        Scenario { load, ..*self }
    }
}

/// The performance of one staffing level. Definitions (fixed):
/// shares are of offered contacts unless said otherwise; times are in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// The model's name.
    pub model: &'static str,
    /// Agents on the phones.
    pub agents: u32,
    /// Offered load in Erlangs (with redials, the load including them).
    pub offered_erlangs: f64,
    /// Share of offered contacts answered within the threshold; abandoned and
    /// blocked contacts count as misses.
    pub service_level: f64,
    /// Share of offered contacts that wait at all (are neither answered at once nor blocked).
    pub p_wait: f64,
    /// Share of offered contacts that hang up before being answered.
    pub p_abandon: f64,
    /// Share of offered contacts refused because every agent (Erlang B) or line is busy.
    pub p_blocked: f64,
    /// Mean wait over all offered contacts (zero for those answered at once or blocked).
    pub mean_wait_seconds: f64,
    /// Mean wait of answered contacts (average speed of answer).
    pub asa_seconds: f64,
    /// Busy agent time over staffed agent time.
    pub occupancy: f64,
}

/// Queue performance in units of the handling time, before naming.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Outcome {
    pub service_level: f64,
    pub p_wait: f64,
    pub p_abandon: f64,
    pub p_blocked: f64,
    /// Mean wait over offered contacts, in handling times.
    pub mean_wait: f64,
    /// Mean wait over answered contacts, in handling times.
    pub asa: f64,
    pub occupancy: f64,
}

impl Outcome {
    /// Share of offered contacts that are answered.
    pub fn p_answered(&self) -> f64 {
        (1.0 - self.p_abandon - self.p_blocked).max(0.0)
    }

    /// Clamps probabilities into `[0, 1]` against rounding.
    pub fn clamped(self) -> Outcome {
        let unit = |value: f64| value.clamp(0.0, 1.0);
        Outcome {
            service_level: unit(self.service_level),
            p_wait: unit(self.p_wait),
            p_abandon: unit(self.p_abandon),
            p_blocked: unit(self.p_blocked),
            mean_wait: self.mean_wait.max(0.0),
            asa: self.asa.max(0.0),
            occupancy: unit(self.occupancy),
        }
    }

    /// Names the outcome for `agents` agents of `scenario` at `offered_erlangs`.
    pub fn into_metrics(self, scenario: &Scenario, agents: u32, offered_erlangs: f64) -> Metrics {
        let aht = scenario.load.aht_seconds();
        Metrics {
            model: scenario.model.name(),
            agents,
            offered_erlangs,
            service_level: self.service_level,
            p_wait: self.p_wait,
            p_abandon: self.p_abandon,
            p_blocked: self.p_blocked,
            mean_wait_seconds: self.mean_wait * aht,
            asa_seconds: self.asa * aht,
            occupancy: self.occupancy,
        }
    }
}
