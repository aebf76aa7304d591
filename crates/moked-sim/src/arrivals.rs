//! Poisson arrivals whose rate changes from one interval to the next.
//!
//! A day's profile (say 48 half-hour rates) repeats for as long as the
//! simulation runs, so one profile describes a week or a year.

use rand::Rng;
use rand_distr::{Distribution as _, Exp1};

/// A piecewise-constant arrival rate, repeating after its last interval.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalProfile {
    interval_seconds: f64,
    rates_per_second: Vec<f64>,
}

impl ArrivalProfile {
    /// A profile with the same rate at all times.
    pub fn constant(per_hour: f64) -> ArrivalProfile {
        ArrivalProfile {
            interval_seconds: 3_600.0,
            rates_per_second: vec![per_hour / 3_600.0],
        }
    }

    /// A profile from expected arrivals per interval of `interval_seconds`.
    ///
    /// `interval_seconds` must be positive and `per_interval` not empty; the
    /// scenario parser checks both.
    pub fn per_interval(interval_seconds: f64, per_interval: &[f64]) -> ArrivalProfile {
        ArrivalProfile {
            interval_seconds,
            rates_per_second: per_interval
                .iter()
                .map(|count| count / interval_seconds)
                .collect(),
        }
    }

    /// The expected number of arrivals per hour, averaged over the profile.
    pub fn mean_per_hour(&self) -> f64 {
        let mean = self.rates_per_second.iter().sum::<f64>() / self.rates_per_second.len() as f64;
        mean * 3_600.0
    }

    /// The rate in force during the interval numbered `interval_index` from the start.
    fn rate_at(&self, interval_index: u64) -> f64 {
        self.rates_per_second[(interval_index % self.rates_per_second.len() as u64) as usize]
    }

    /// The time of the first arrival after `time`, or `None` if the profile never has arrivals.
    ///
    /// Crossing into an interval with another rate restarts the draw there,
    /// which is exact because exponential gaps are memoryless.
    pub fn next_after<R: Rng + ?Sized>(&self, time: f64, rng: &mut R) -> Option<f64> {
        if self.rates_per_second.iter().all(|rate| *rate <= 0.0) {
            return None;
        }
        let mut now = time;
        loop {
            let interval_index = (now / self.interval_seconds).floor() as u64;
            let interval_end = (interval_index + 1) as f64 * self.interval_seconds;
            let rate = self.rate_at(interval_index);
            if rate > 0.0 {
                let gap: f64 = Exp1.sample(rng);
                let candidate = now + gap / rate;
                if candidate < interval_end {
                    return Some(candidate);
                }
            }
            now = interval_end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn count_per_interval(profile: &ArrivalProfile, intervals: usize, width: f64) -> Vec<usize> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let mut counts = vec![0; intervals];
        let mut time = 0.0;
        while let Some(next) = profile.next_after(time, &mut rng) {
            let index = (next / width) as usize;
            if index >= intervals {
                break;
            }
            counts[index] += 1;
            time = next;
        }
        counts
    }

    #[test]
    fn a_constant_rate_gives_its_mean_count() {
        let profile = ArrivalProfile::constant(200.0);
        let total: usize = count_per_interval(&profile, 1_000, 3_600.0).iter().sum();
        assert!((total as f64 / 1_000.0 - 200.0).abs() < 2.0, "{total}");
        assert_eq!(profile.mean_per_hour(), 200.0);
    }

    #[test]
    fn each_interval_gets_its_own_rate_and_the_profile_repeats() {
        let profile = ArrivalProfile::per_interval(1_800.0, &[10.0, 0.0, 90.0]);
        let counts = count_per_interval(&profile, 3_000, 1_800.0);
        let mean_of =
            |phase: usize| counts.iter().skip(phase).step_by(3).sum::<usize>() as f64 / 1_000.0;
        assert!((mean_of(0) - 10.0).abs() < 0.5, "{}", mean_of(0));
        assert_eq!(mean_of(1), 0.0);
        assert!((mean_of(2) - 90.0).abs() < 1.5, "{}", mean_of(2));
    }

    #[test]
    fn a_profile_without_arrivals_ends() {
        let profile = ArrivalProfile::per_interval(60.0, &[0.0, 0.0]);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        assert_eq!(profile.next_after(0.0, &mut rng), None);
    }
}
