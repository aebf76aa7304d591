//! Nelder–Mead simplex minimisation: derivative-free, enough for fitting a
//! handful of smoothing parameters.

/// Minimises `objective` from `start`, with initial simplex steps of `step`
/// in each coordinate, for at most `max_evaluations` evaluations. Returns
/// the best point found and its value.
pub(crate) fn nelder_mead(
    objective: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    step: f64,
    max_evaluations: usize,
) -> (Vec<f64>, f64) {
    let dimension = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(dimension + 1);
    simplex.push((start.to_vec(), objective(start)));
    for axis in 0..dimension {
        let mut vertex = start.to_vec();
        vertex[axis] += step;
        let value = objective(&vertex);
        simplex.push((vertex, value));
    }
    let mut evaluations = dimension + 1;
    while evaluations < max_evaluations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[dimension].1;
        if (worst - best).abs() <= 1e-10 * (1.0 + best.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..dimension)
            .map(|axis| {
                simplex[..dimension]
                    .iter()
                    .map(|(v, _)| v[axis])
                    .sum::<f64>()
                    / dimension as f64
            })
            .collect();
        let toward = |factor: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[dimension].0)
                .map(|(c, w)| c + factor * (w - c))
                .collect()
        };
        let reflected = toward(-1.0);
        let reflected_value = objective(&reflected);
        evaluations += 1;
        if reflected_value < simplex[0].1 {
            let expanded = toward(-2.0);
            let expanded_value = objective(&expanded);
            evaluations += 1;
            simplex[dimension] = if expanded_value < reflected_value {
                (expanded, expanded_value)
            } else {
                (reflected, reflected_value)
            };
        } else if reflected_value < simplex[dimension - 1].1 {
            simplex[dimension] = (reflected, reflected_value);
        } else {
            let contracted = toward(0.5);
            let contracted_value = objective(&contracted);
            evaluations += 1;
            if contracted_value < worst {
                simplex[dimension] = (contracted, contracted_value);
            } else {
                let best_vertex = simplex[0].0.clone();
                for vertex in simplex.iter_mut().skip(1) {
                    let shrunk: Vec<f64> = best_vertex
                        .iter()
                        .zip(&vertex.0)
                        .map(|(b, v)| b + 0.5 * (v - b))
                        .collect();
                    vertex.1 = objective(&shrunk);
                    vertex.0 = shrunk;
                    evaluations += 1;
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_a_shifted_bowl() {
        let bowl = |x: &[f64]| (x[0] - 0.3).powi(2) + 2.0 * (x[1] + 0.7).powi(2) + 1.0;
        let (point, value) = nelder_mead(&bowl, &[0.0, 0.0], 0.5, 500);
        assert!(
            (point[0] - 0.3).abs() < 1e-3 && (point[1] + 0.7).abs() < 1e-3,
            "{point:?}"
        );
        assert!((value - 1.0).abs() < 1e-6);
    }
}
