//! Random durations: handle times, patience, wrap-up and redial delays.
//!
//! Every distribution is described by what a planner knows (a mean, a
//! coefficient of variation, a list of observed values), and samples seconds.

use rand::Rng;
use rand_distr::{Distribution as _, Exp1, StandardNormal};

/// A distribution of non-negative durations, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub enum Duration {
    /// Memoryless, with this mean.
    Exponential {
        /// The mean, in seconds.
        mean: f64,
    },
    /// Log-normal with this mean and coefficient of variation (standard deviation / mean).
    LogNormal {
        /// The mean, in seconds.
        mean: f64,
        /// The coefficient of variation, above zero.
        cv: f64,
    },
    /// Always the same value.
    Constant {
        /// The value, in seconds.
        value: f64,
    },
    /// One of the observed values, each equally likely.
    Empirical {
        /// The observations, in seconds; never empty.
        values: Vec<f64>,
    },
}

impl Duration {
    /// The expected value, in seconds.
    pub fn mean(&self) -> f64 {
        match self {
            Duration::Exponential { mean } | Duration::LogNormal { mean, .. } => *mean,
            Duration::Constant { value } => *value,
            Duration::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// Prepares the distribution for fast repeated sampling.
    pub fn sampler(&self) -> Sampler {
        match self {
            Duration::Exponential { mean } => Sampler::Exponential { mean: *mean },
            Duration::LogNormal { mean, cv } => {
                let sigma_squared = (1.0 + cv * cv).ln();
                Sampler::LogNormal {
                    mu: mean.ln() - sigma_squared / 2.0,
                    sigma: sigma_squared.sqrt(),
                }
            }
            Duration::Constant { value } => Sampler::Constant { value: *value },
            Duration::Empirical { values } => Sampler::Empirical {
                values: values.clone(),
            },
        }
    }
}

/// A [`Duration`] with its parameters in the form sampling needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Sampler {
    /// Exponential with this mean.
    Exponential {
        /// The mean, in seconds.
        mean: f64,
    },
    /// `exp(mu + sigma * Z)` for a standard normal `Z`.
    LogNormal {
        /// The mean of the logarithm.
        mu: f64,
        /// The standard deviation of the logarithm.
        sigma: f64,
    },
    /// A fixed value.
    Constant {
        /// The value, in seconds.
        value: f64,
    },
    /// A uniform pick among observations.
    Empirical {
        /// The observations, in seconds; never empty.
        values: Vec<f64>,
    },
}

impl Sampler {
    /// Draws one duration, in seconds.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exponential { mean } => {
                let unit: f64 = Exp1.sample(rng);
                mean * unit
            }
            Sampler::LogNormal { mu, sigma } => {
                let normal: f64 = StandardNormal.sample(rng);
                (mu + sigma * normal).exp()
            }
            Sampler::Constant { value } => *value,
            Sampler::Empirical { values } => values[rng.random_range(0..values.len())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sample_moments(duration: &Duration, draws: usize) -> (f64, f64) {
        let sampler = duration.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        let values: Vec<f64> = (0..draws).map(|_| sampler.sample(&mut rng)).collect();
        let mean = values.iter().sum::<f64>() / draws as f64;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (draws - 1) as f64;
        (mean, variance.sqrt() / mean)
    }

    #[test]
    fn exponential_has_its_mean_and_unit_cv() {
        let (mean, cv) = sample_moments(&Duration::Exponential { mean: 180.0 }, 200_000);
        assert!((mean - 180.0).abs() < 2.0, "{mean}");
        assert!((cv - 1.0).abs() < 0.02, "{cv}");
    }

    #[test]
    fn lognormal_matches_the_requested_mean_and_cv() {
        let duration = Duration::LogNormal {
            mean: 240.0,
            cv: 0.8,
        };
        let (mean, cv) = sample_moments(&duration, 400_000);
        assert!((mean - 240.0).abs() < 2.0, "{mean}");
        assert!((cv - 0.8).abs() < 0.03, "{cv}");
        assert_eq!(duration.mean(), 240.0);
    }

    #[test]
    fn empirical_draws_only_observed_values() {
        let duration = Duration::Empirical {
            values: vec![60.0, 120.0, 300.0],
        };
        let sampler = duration.sampler();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..1000 {
            assert!([60.0, 120.0, 300.0].contains(&sampler.sample(&mut rng)));
        }
        assert_eq!(duration.mean(), 160.0);
        let constant = Duration::Constant { value: 30.0 }.sampler();
        assert_eq!(constant.sample(&mut rng), 30.0);
    }
}
