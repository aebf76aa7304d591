//! Special functions the queueing formulas need: the log-gamma function and
//! the incomplete gamma function, written in log space so that arguments in
//! the hundreds of thousands neither overflow nor lose relative precision.
//!
//! The central quantity is the scaled lower incomplete gamma function
//! `M(a, z) = a · e^z · z^(−a) · γ(a, z) = Σ_{k≥0} z^k / ((a+1)(a+2)…(a+k))`,
//! which is also the confluent hypergeometric `₁F₁(1; a+1; z)`. It is summed
//! as a series when `z ≤ a + 1` and obtained from the continued fraction of
//! the upper incomplete gamma function otherwise.

use std::f64::consts::PI;

/// Relative size below which a further term no longer changes a sum.
const SERIES_EPSILON: f64 = 1e-17;
/// A bound on series and continued-fraction iterations; never reached for
/// arguments below 10⁹, it only turns a bug into an imprecise value.
const MAX_ITERATIONS: usize = 10_000_000;
/// Below this argument, log-gamma shifts its argument up before using Stirling.
const STIRLING_THRESHOLD: f64 = 15.0;

/// The Stirling series remainder `ln Γ(a+1) − ((a+½) ln a − a + ½ ln 2π)`
/// for `a ≥ 15`, where six terms reach full double precision.
fn stirling_remainder(a: f64) -> f64 {
    let inverse = 1.0 / a;
    let inverse_sq = inverse * inverse;
    inverse
        * (1.0 / 12.0
            - inverse_sq
                * (1.0 / 360.0
                    - inverse_sq
                        * (1.0 / 1260.0
                            - inverse_sq
                                * (1.0 / 1680.0
                                    - inverse_sq
                                        * (1.0 / 1188.0 - inverse_sq * 691.0 / 360_360.0)))))
}

/// `ln Γ(a)` for `a > 0`.
pub fn ln_gamma(a: f64) -> f64 {
    if a < STIRLING_THRESHOLD {
        // Γ(a) = Γ(a + k) / (a (a+1) … (a+k−1)), with a + k past the threshold.
        let mut product = 1.0;
        let mut shifted = a;
        while shifted < STIRLING_THRESHOLD {
            product *= shifted;
            shifted += 1.0;
        }
        return ln_gamma(shifted) - product.ln();
    }
    // Γ(a) = Γ(a + 1) / a, and Stirling is written for Γ(a + 1).
    (a + 0.5) * a.ln() - a + 0.5 * (2.0 * PI).ln() + stirling_remainder(a) - a.ln()
}

/// `w − ln(1 + w)`, accurate also for small `w`.
fn w_minus_ln_1p(w: f64) -> f64 {
    if w.abs() < 0.01 {
        // Alternating series w²/2 − w³/3 + w⁴/4 − …, converging fast here.
        let mut power = w * w;
        let mut sum = 0.0;
        for k in 2..30 {
            let term = power / k as f64;
            sum += if k % 2 == 0 { term } else { -term };
            if term.abs() < 1e-18 * sum.abs() {
                break;
            }
            power *= w;
        }
        sum
    } else {
        w - w.ln_1p()
    }
}

/// `D(a, z) = ln Γ(a+1) + z − a ln z`, the log of the prefactor that links
/// `M(a, z)` to the regularized function: `P(a, z) = M(a, z) · e^(−D)`.
/// Written around `z = a` so that two large logarithms never cancel.
fn ln_prefactor(a: f64, z: f64) -> f64 {
    if a < STIRLING_THRESHOLD {
        return ln_gamma(a + 1.0) + z - a * z.ln();
    }
    let w = (z - a) / a;
    0.5 * (2.0 * PI * a).ln() + stirling_remainder(a) + a * w_minus_ln_1p(w)
}

/// `ln M(a, z)` by its power series, for `z ≤ a + 1` where the terms decrease
/// from the first one on and the sum stays below about `√a`.
fn ln_scaled_lower_series(a: f64, z: f64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut denominator = a;
    for _ in 0..MAX_ITERATIONS {
        denominator += 1.0;
        term *= z / denominator;
        sum += term;
        if term < SERIES_EPSILON * sum {
            break;
        }
    }
    sum.ln()
}

/// The continued fraction `h` with `Q(a, z) = a · h · e^(−D(a, z))`, by the
/// modified Lentz method; it converges fast for `z > a + 1`.
fn upper_continued_fraction(a: f64, z: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = z + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..MAX_ITERATIONS {
        let index = i as f64;
        let an = -index * (index - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// `ln M(a, z)` where `M(a, z) = Σ_{k≥0} z^k / ((a+1)…(a+k)) = a e^z z^(−a) γ(a, z)`,
/// for `a > 0` and `z ≥ 0`.
pub fn ln_scaled_lower_gamma(a: f64, z: f64) -> f64 {
    if z <= a + 1.0 {
        return ln_scaled_lower_series(a, z);
    }
    let ln_d = ln_prefactor(a, z);
    // M = e^D · P = e^D · (1 − Q), and Q = a h e^(−D).
    let upper = a * upper_continued_fraction(a, z) * (-ln_d).exp();
    ln_d + (-upper).ln_1p()
}

/// The regularized lower incomplete gamma function `P(a, z) = γ(a, z) / Γ(a)`.
pub fn regularized_lower_gamma(a: f64, z: f64) -> f64 {
    if z <= 0.0 {
        return 0.0;
    }
    (ln_scaled_lower_gamma(a, z) - ln_prefactor(a, z))
        .exp()
        .min(1.0)
}

/// The regularized upper incomplete gamma function `Q(a, z) = 1 − P(a, z)`,
/// computed directly (not as a difference) where it is small.
pub fn regularized_upper_gamma(a: f64, z: f64) -> f64 {
    if z <= a + 1.0 {
        return 1.0 - regularized_lower_gamma(a, z);
    }
    (a.ln() + upper_continued_fraction(a, z).ln() - ln_prefactor(a, z)).exp()
}

/// The standard normal cumulative distribution function `Φ(x)`.
pub fn standard_normal_cdf(x: f64) -> f64 {
    // Φ(x) = ½ erfc(−x/√2) and erfc(v) = Q(½, v²) for v ≥ 0.
    let v = x / std::f64::consts::SQRT_2;
    let tail = 0.5 * regularized_upper_gamma(0.5, v * v);
    if x < 0.0 { tail } else { 1.0 - tail }
}

/// The standard normal density `φ(x)`.
pub fn standard_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / (2.0 * PI).sqrt()
}

/// `ln(e^a + e^b)` without overflow.
pub fn ln_add_exp(a: f64, b: f64) -> f64 {
    let (high, low) = if a >= b { (a, b) } else { (b, a) };
    if high == f64::INFINITY {
        return f64::INFINITY;
    }
    high + (low - high).exp().ln_1p()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(actual: f64, expected: f64, relative: f64) -> bool {
        (actual - expected).abs() <= relative * expected.abs().max(1.0)
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut factorial: f64 = 1.0;
        for n in 1..30 {
            factorial *= n as f64;
            assert!(
                close(ln_gamma(n as f64 + 1.0), factorial.ln(), 1e-14),
                "n = {n}"
            );
        }
        assert!(close(ln_gamma(0.5), PI.sqrt().ln(), 1e-14));
    }

    #[test]
    fn incomplete_gamma_of_one_is_the_exponential_distribution() {
        for z in [0.01, 0.5, 1.0, 3.0, 10.0, 40.0] {
            assert!(
                close(regularized_lower_gamma(1.0, z), -(-z).exp_m1(), 1e-13),
                "z = {z}"
            );
            assert!(
                close(regularized_upper_gamma(1.0, z), (-z).exp(), 1e-13),
                "z = {z}"
            );
        }
    }

    #[test]
    fn series_and_fraction_agree_across_the_switch() {
        for a in [0.3, 5.0, 120.0, 10_000.0, 150_000.0] {
            let below = ln_scaled_lower_series(a, a + 1.0);
            let ln_d = ln_prefactor(a, a + 1.0);
            let above =
                ln_d + (-(a * upper_continued_fraction(a, a + 1.0) * (-ln_d).exp())).ln_1p();
            assert!(close(above, below, 1e-12), "a = {a}: {above} vs {below}");
        }
    }

    #[test]
    fn normal_cdf_known_values() {
        assert!(close(standard_normal_cdf(0.0), 0.5, 1e-15));
        assert!(close(
            standard_normal_cdf(1.959_963_984_540_054),
            0.975,
            1e-13
        ));
        assert!(close(
            standard_normal_cdf(-3.0),
            0.001_349_898_031_630_094_6,
            1e-12
        ));
    }
}
