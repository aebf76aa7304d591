//! The exact stationary performance of the four queues, in units of the mean
//! handling time (service rate μ = 1, so the arrival rate equals the offered
//! load `A`, the abandonment rate is `θ = AHT / patience` and the threshold is
//! `t = threshold / AHT`).
//!
//! Every queue reuses the Erlang B value `E = B(n, A)`: below `n` busy agents
//! the states of all four chains are proportional to those of M/M/n/n, so
//! `Σ_{j<n} π_j / π_n = (1 − E) / E`.
//!
//! Erlang A (Palm; Mandelbaum and Zeltyn) with `x = n/θ`, `y = A/θ`,
//! `u = e^(−θt)`, `ρ = A/n` and `M` the scaled incomplete gamma function of
//! [`crate::special`]:
//! - `J = M(x, y)` is `Σ_{k≥0} π_{n+k} / π_n`, so `π_n = 1 / ((1−E)/E + J)`;
//! - `p_wait = π_n J`; `p_abandon = π_n (J − (J − 1)/ρ)` (flow balance);
//! - answered after more than `t`: `π_n · x/(x+1) · e^{y(1−u) − (n+θ)t} · M(x+1, y u)`;
//! - mean wait over offered = `p_abandon / θ` (Little's law on the queue);
//! - a contact finding `k` others waiting has a virtual wait that is a sum of
//!   exponentials of rates `n + jθ`, `j = 0…k`: the answered share of it is
//!   `x / (x+k+1)` and its mean wait when answered `H_k/θ`, `H_k = Σ_{j≤k} 1/(x+1+j)`,
//!   which gives the ASA; with finite lines the same per-state formulas are
//!   summed over the finitely many states, and the answered-within-`t` share
//!   of a state is `x/(x+k+1) · I_{1−u}(k+1, x+1)` (regularized incomplete beta).

use crate::model::{Outcome, StaffingError};
use crate::special::{ln_add_exp, ln_scaled_lower_gamma};

/// Once a summed term is this small relative to the sum, the sum is exact in `f64`.
const TAIL_EPSILON: f64 = 1e-17;
/// Terms are rescaled by this factor when they grow past it, to avoid overflow.
const RESCALE: f64 = 1e200;

/// Erlang B: a contact finding every agent busy is lost.
pub(crate) fn erlang_b(offered: f64, agents: u32, blocking: f64) -> Outcome {
    Outcome {
        service_level: 1.0 - blocking,
        p_blocked: blocking,
        occupancy: offered * (1.0 - blocking) / f64::from(agents),
        ..Outcome::default()
    }
    .clamped()
}

/// Erlang C: contacts wait as long as needed; unstable when `A ≥ n`.
pub(crate) fn erlang_c(
    offered: f64,
    agents: u32,
    blocking: f64,
    threshold: f64,
) -> Result<Outcome, StaffingError> {
    let n = f64::from(agents);
    if offered >= n {
        return Err(StaffingError::Unstable {
            offered_erlangs: offered,
            agents,
        });
    }
    let p_wait = crate::erlang_b::erlang_c_from_b(offered, agents, blocking);
    let mean_wait = p_wait / (n - offered);
    Ok(Outcome {
        service_level: 1.0 - p_wait * (-(n - offered) * threshold).exp(),
        p_wait,
        mean_wait,
        asa: mean_wait,
        occupancy: offered / n,
        ..Outcome::default()
    }
    .clamped())
}

/// `ln((1 − E)/E)`: the weight of the states with an idle agent relative to `π_n`.
/// An Erlang B value that underflowed to 0 is read as the smallest positive
/// one: the idle states then outweigh the queue by `e^708`, which is exact in `f64`.
fn ln_idle_weight(blocking: f64) -> f64 {
    let blocking = blocking.max(f64::MIN_POSITIVE);
    (-blocking).ln_1p() - blocking.ln()
}

/// Erlang A (M/M/n+M) in closed form; the ASA, which needs a series over the
/// queue states, is only computed when `with_asa` is set.
pub(crate) fn erlang_a(
    offered: f64,
    agents: u32,
    blocking: f64,
    abandonment: f64,
    threshold: f64,
    with_asa: bool,
) -> Outcome {
    let n = f64::from(agents);
    let x = n / abandonment;
    let y = offered / abandonment;
    let rho = offered / n;
    let ln_j = ln_scaled_lower_gamma(x, y);
    let ln_pi_n = -ln_add_exp(ln_idle_weight(blocking), ln_j);
    let p_wait = (ln_pi_n + ln_j).exp();
    // π_n (J − (J − 1)/ρ) = p_wait · (ρ − 1 + 1/J) / ρ.
    let p_abandon = (p_wait * (rho - 1.0 + (-ln_j).exp()) / rho).max(0.0);
    let decay = abandonment * threshold;
    let ln_late = ln_pi_n + (x / (x + 1.0)).ln() + y * -(-decay).exp_m1()
        - (n + abandonment) * threshold
        + ln_scaled_lower_gamma(x + 1.0, y * (-decay).exp());
    let asa = if with_asa {
        let p_answered = 1.0 - p_abandon;
        let (ln_scale, sum) = answered_wait_series(x, y);
        if p_answered > 0.0 {
            (ln_pi_n + ln_scale).exp() * sum / abandonment / p_answered
        } else {
            0.0
        }
    } else {
        0.0
    };
    Outcome {
        service_level: 1.0 - p_abandon - ln_late.exp(),
        p_wait,
        p_abandon,
        mean_wait: p_abandon / abandonment,
        asa,
        occupancy: offered * (1.0 - p_abandon) / n,
        ..Outcome::default()
    }
    .clamped()
}

/// `Σ_{k≥0} t_k · x/(x+k+1) · H_k` with `t_k = y^k / ((x+1)…(x+k))`, as
/// `(ln scale, sum)` where the value is `sum · e^(ln scale)`.
fn answered_wait_series(x: f64, y: f64) -> (f64, f64) {
    let mut term = 1.0;
    let mut ln_scale = 0.0;
    // 1/(x+k+1) serves the answered share, the next term and the next harmonic
    // step alike: one division per term.
    let mut reciprocal = 1.0 / (x + 1.0);
    let mut harmonic = reciprocal;
    let mut sum = 0.0;
    let mut k = 0.0;
    loop {
        let contribution = term * x * reciprocal * harmonic;
        sum += contribution;
        let past_peak = k > y - x;
        if past_peak && contribution <= TAIL_EPSILON * sum {
            return (ln_scale, sum);
        }
        term *= y * reciprocal;
        k += 1.0;
        reciprocal = 1.0 / (x + k + 1.0);
        harmonic += reciprocal;
        if term > RESCALE {
            term /= RESCALE;
            sum /= RESCALE;
            ln_scale += RESCALE.ln();
        }
    }
}

/// Erlang A with `lines ≥ agents` lines: at most `lines − agents` contacts
/// wait and a contact arriving when every line is taken is blocked.
pub(crate) fn erlang_a_with_lines(
    offered: f64,
    agents: u32,
    blocking: f64,
    abandonment: f64,
    threshold: f64,
    lines: u32,
) -> Outcome {
    let n = f64::from(agents);
    let x = n / abandonment;
    let y = offered / abandonment;
    let places = (lines - agents) as usize;
    // ln t_k for k = 0..=places, t_k = π_{n+k} / π_n.
    let mut ln_terms = Vec::with_capacity(places + 1);
    let mut ln_term = 0.0;
    ln_terms.push(ln_term);
    for k in 1..=places {
        ln_term += (y / (x + k as f64)).ln();
        ln_terms.push(ln_term);
    }
    let ln_idle = ln_idle_weight(blocking);
    let peak = ln_terms.iter().copied().fold(ln_idle, f64::max);
    let weight = |ln_value: f64| (ln_value - peak).exp();
    let idle = weight(ln_idle);
    let queue_weights: Vec<f64> = ln_terms.iter().map(|&value| weight(value)).collect();
    let total = idle + queue_weights.iter().sum::<f64>();

    let p_blocked = queue_weights[places] / total;
    let waiting = &queue_weights[..places];
    let p_wait = waiting.iter().sum::<f64>() / total;
    let queue_length: f64 = queue_weights
        .iter()
        .enumerate()
        .map(|(k, w)| k as f64 * w)
        .sum::<f64>()
        / total;
    let p_abandon = queue_length / y;

    let p = -(-abandonment * threshold).exp_m1();
    let b = x + 1.0;
    let mut within = 0.0;
    let mut answered_wait = 0.0;
    let mut harmonic = 0.0;
    // I_p(1, b) = 1 − (1−p)^b; I_p(s+1, b) = I_p(s, b) − d_s with
    // ln d_1 = ln p + b ln(1−p) + ln b and d_{s+1} = d_s · p (s+b)/(s+1).
    let mut beta = -(-b * abandonment * threshold).exp_m1();
    let mut ln_decrement = p.ln() - b * abandonment * threshold + b.ln();
    for (k, w) in waiting.iter().enumerate() {
        let k = k as f64;
        let answered_share = x / (x + k + 1.0);
        harmonic += 1.0 / (x + 1.0 + k);
        within += w * answered_share * beta.max(0.0);
        answered_wait += w * answered_share * harmonic;
        beta -= ln_decrement.exp();
        ln_decrement += p.ln() + ((k + 1.0 + b) / (k + 2.0)).ln();
    }
    let p_answered = 1.0 - p_blocked - p_abandon;
    Outcome {
        service_level: (idle + within) / total,
        p_wait,
        p_abandon,
        p_blocked,
        mean_wait: p_abandon / abandonment,
        asa: if p_answered > 0.0 {
            answered_wait / total / abandonment / p_answered
        } else {
            0.0
        },
        occupancy: offered * p_answered / n,
    }
    .clamped()
}
