//! Means over replications and their 95% confidence half-widths (Student t).

use serde::Serialize;

/// A mean over replications with its 95% confidence half-width.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// The mean over replications.
    pub mean: f64,
    /// Half the width of the 95% confidence interval (zero with one replication).
    pub half_width: f64,
}

impl Estimate {
    /// The estimate from one value per replication; replications whose value is
    /// undefined (NaN, such as the answer speed of a queue that answered no one)
    /// are left out. With no defined value the mean is NaN.
    pub fn from_samples(samples: impl IntoIterator<Item = f64>) -> Estimate {
        let values: Vec<f64> = samples.into_iter().filter(|v| !v.is_nan()).collect();
        let count = values.len();
        if count == 0 {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
            };
        }
        let mean = values.iter().sum::<f64>() / count as f64;
        if count == 1 {
            return Estimate {
                mean,
                half_width: 0.0,
            };
        }
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1) as f64;
        Estimate {
            mean,
            half_width: student_t_quantile_975(count - 1) * (variance / count as f64).sqrt(),
        }
    }

    /// Whether `value` lies within the confidence interval.
    pub fn covers(&self, value: f64) -> bool {
        (self.mean - value).abs() <= self.half_width
    }
}

/// The 97.5% quantile of Student's t with `degrees` degrees of freedom: the
/// factor of a two-sided 95% interval.
pub fn student_t_quantile_975(degrees: usize) -> f64 {
    let (mut low, mut high) = (0.0_f64, 20.0_f64);
    while t_two_sided_mass(high, degrees) < 0.95 {
        high *= 2.0;
    }
    for _ in 0..100 {
        let middle = (low + high) / 2.0;
        if t_two_sided_mass(middle, degrees) < 0.95 {
            low = middle;
        } else {
            high = middle;
        }
    }
    (low + high) / 2.0
}

/// P(|T| < t) for integer degrees of freedom, by the finite series of
/// Abramowitz & Stegun 26.7.3–4, exact for every degree.
fn t_two_sided_mass(t: f64, degrees: usize) -> f64 {
    let nu = degrees.max(1) as f64;
    let theta = (t / nu.sqrt()).atan();
    let (sin, cos) = theta.sin_cos();
    let cos_squared = cos * cos;
    if degrees % 2 == 1 {
        let mut term = cos;
        let mut sum = if degrees > 1 { cos } else { 0.0 };
        let mut k = 3;
        while k < degrees {
            term *= cos_squared * (k - 1) as f64 / k as f64;
            sum += term;
            k += 2;
        }
        2.0 / std::f64::consts::PI * (theta + sin * sum)
    } else {
        let mut term = 1.0;
        let mut sum = 1.0;
        let mut k = 2;
        while k < degrees {
            term *= cos_squared * (k - 1) as f64 / k as f64;
            sum += term;
            k += 2;
        }
        sin * sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_the_tables() {
        let table = [
            (1, 12.7062),
            (2, 4.3027),
            (3, 3.1824),
            (4, 2.7764),
            (5, 2.5706),
            (10, 2.2281),
            (19, 2.0930),
            (30, 2.0423),
            (120, 1.9799),
        ];
        for (degrees, expected) in table {
            let quantile = student_t_quantile_975(degrees);
            assert!((quantile - expected).abs() < 5e-4, "{degrees}: {quantile}");
        }
        assert!((student_t_quantile_975(100_000) - 1.95996).abs() < 1e-3);
    }

    #[test]
    fn estimates_skip_undefined_replications() {
        let estimate = Estimate::from_samples([1.0, 2.0, 3.0, f64::NAN]);
        assert_eq!(estimate.mean, 2.0);
        let expected = 4.3027 * (1.0_f64 / 3.0).sqrt();
        assert!((estimate.half_width - expected).abs() < 1e-3);
        assert!(estimate.covers(3.1) && !estimate.covers(4.5));
        assert_eq!(Estimate::from_samples([5.0]).half_width, 0.0);
        assert!(Estimate::from_samples([f64::NAN]).mean.is_nan());
    }
}
