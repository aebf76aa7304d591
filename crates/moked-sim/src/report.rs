//! The figures over all replications: per queue, in total, per agent group,
//! and per interval for charts.

use crate::replication::{GroupIntervalCounts, QueueCounts, ReplicationResult};
use crate::scenario::Scenario;
use crate::statistics::Estimate;
use serde::Serialize;

const DAY_SECONDS: f64 = 86_400.0;

/// What a simulation found, with 95% confidence half-widths over replications.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimulationReport {
    /// Replications run.
    pub replications: u32,
    /// The scenario's seed (replication `i` used `seed + i`).
    pub seed: u64,
    /// Simulated seconds per replication.
    pub duration_seconds: f64,
    /// Seconds at the start of each replication left out of the figures.
    pub warmup_seconds: f64,
    /// Width of the per-interval series.
    pub interval_seconds: f64,
    /// Contacts simulated over all replications, warmup and redials included.
    pub customers: u64,
    /// One entry per queue, in scenario order.
    pub queues: Vec<QueueSummary>,
    /// All queues together.
    pub total: QueueSummary,
    /// One entry per agent group, in scenario order.
    pub agent_groups: Vec<GroupSummary>,
}

/// The figures of one queue (or of all together), per replication averaged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueSummary {
    /// The queue's name, or `total`.
    pub name: String,
    /// Contacts arriving after the warmup, blocked ones included.
    pub offered: Estimate,
    /// Contacts connected to an agent.
    pub answered: Estimate,
    /// Contacts that hung up while waiting.
    pub abandoned: Estimate,
    /// Contacts refused because every trunk line was taken.
    pub blocked: Estimate,
    /// Answered within the threshold ÷ offered (abandons and blocks are misses).
    pub service_level: Estimate,
    /// Share of offered contacts not connected at once.
    pub p_wait: Estimate,
    /// Abandoned ÷ offered.
    pub p_abandon: Estimate,
    /// Blocked ÷ offered.
    pub p_blocked: Estimate,
    /// Mean wait over all offered contacts (abandoned ones until they hung up; blocked: zero).
    pub mean_wait_seconds: Estimate,
    /// Average speed of answer: mean wait of answered contacts.
    pub asa_seconds: Estimate,
    /// Redials (new attempts by callers who abandoned or were blocked), counted in `offered` too.
    pub redials: Estimate,
    /// The service-level threshold, for a single queue.
    pub sl_seconds: Option<f64>,
    /// The service-level target, for a single queue.
    pub sl_target: Option<f64>,
    /// Per interval: the run's intervals after the warmup, or, for runs
    /// longer than a day, an average day.
    pub intervals: Vec<IntervalSummary>,
}

/// One interval of the per-interval series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IntervalSummary {
    /// Start, in seconds from the start of the run (or of the day).
    pub start_seconds: f64,
    /// Mean contacts arriving in the interval.
    pub offered: f64,
    /// Time-average number of contacts waiting.
    pub waiting: f64,
    /// Share of the interval's arrivals answered within the threshold; NaN with no arrivals.
    pub service_level: f64,
}

/// The figures of one agent group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSummary {
    /// The group's name.
    pub name: String,
    /// Agents in the group.
    pub agents: u32,
    /// Time holding at least one contact ÷ time logged in, after the warmup.
    pub occupancy: Estimate,
    /// Per interval, laid out like [`QueueSummary::intervals`].
    pub intervals: Vec<OccupancyPoint>,
}

/// One interval of an agent group's occupancy series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OccupancyPoint {
    /// Start, in seconds from the start of the run (or of the day).
    pub start_seconds: f64,
    /// Mean agents logged in.
    pub staffed: f64,
    /// Busy time ÷ logged-in time; NaN when nobody was logged in.
    pub occupancy: f64,
}

/// Combines replications into the report. `results` holds one entry per replication, in order.
pub fn summarize(scenario: &Scenario, results: &[ReplicationResult]) -> SimulationReport {
    let layout = SeriesLayout::new(scenario);
    let queues: Vec<QueueSummary> = scenario
        .queues
        .iter()
        .enumerate()
        .map(|(index, queue)| {
            let per_replication: Vec<&QueueCounts> =
                results.iter().map(|r| &r.queues[index]).collect();
            let mut summary = summarize_queue(&queue.name, &per_replication, &layout);
            summary.sl_seconds = Some(queue.sl_seconds);
            summary.sl_target = Some(queue.sl_target);
            summary
        })
        .collect();
    let totals: Vec<QueueCounts> = results.iter().map(|r| add_up(&r.queues)).collect();
    let total = summarize_queue("total", &totals.iter().collect::<Vec<_>>(), &layout);
    let agent_groups = scenario
        .agent_groups
        .iter()
        .enumerate()
        .map(|(index, group)| GroupSummary {
            name: group.name.clone(),
            agents: group.count,
            occupancy: Estimate::from_samples(results.iter().map(|r| {
                let counts = &r.groups[index];
                time_share(counts.busy, counts.staffed)
            })),
            intervals: layout
                .occupancy(results.iter().map(|r| r.groups[index].intervals.as_slice())),
        })
        .collect();
    SimulationReport {
        replications: results.len() as u32,
        seed: scenario.simulation.seed,
        duration_seconds: scenario.simulation.duration,
        warmup_seconds: scenario.simulation.warmup,
        interval_seconds: scenario.simulation.interval,
        customers: results.iter().map(|r| r.customers).sum(),
        queues,
        total,
        agent_groups,
    }
}

fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { f64::NAN }
}

/// The share of `whole` seconds that `part` seconds of it fill. Busy and staffed
/// time are sums of the same spans taken in different orders, so rounding can put
/// the part a few ulps above the whole; a share of time is never above 1.
fn time_share(part: f64, whole: f64) -> f64 {
    ratio(part, whole).min(1.0)
}

fn summarize_queue(name: &str, runs: &[&QueueCounts], layout: &SeriesLayout) -> QueueSummary {
    let estimate = |measure: &dyn Fn(&QueueCounts) -> f64| {
        Estimate::from_samples(runs.iter().map(|c| measure(c)))
    };
    QueueSummary {
        name: name.to_owned(),
        offered: estimate(&|c| c.offered as f64),
        answered: estimate(&|c| c.answered as f64),
        abandoned: estimate(&|c| c.abandoned as f64),
        blocked: estimate(&|c| c.blocked as f64),
        service_level: estimate(&|c| ratio(c.answered_in_time as f64, c.offered as f64)),
        p_wait: estimate(&|c| ratio(c.delayed as f64, c.offered as f64)),
        p_abandon: estimate(&|c| ratio(c.abandoned as f64, c.offered as f64)),
        p_blocked: estimate(&|c| ratio(c.blocked as f64, c.offered as f64)),
        mean_wait_seconds: estimate(&|c| {
            ratio(c.answered_wait + c.abandoned_wait, c.offered as f64)
        }),
        asa_seconds: estimate(&|c| ratio(c.answered_wait, c.answered as f64)),
        redials: estimate(&|c| c.redials as f64),
        sl_seconds: None,
        sl_target: None,
        intervals: layout.series(runs),
    }
}

fn add_up(queues: &[QueueCounts]) -> QueueCounts {
    let mut total = QueueCounts {
        intervals: vec![Default::default(); queues.first().map_or(0, |q| q.intervals.len())],
        ..QueueCounts::default()
    };
    for queue in queues {
        total.offered += queue.offered;
        total.answered += queue.answered;
        total.answered_in_time += queue.answered_in_time;
        total.abandoned += queue.abandoned;
        total.blocked += queue.blocked;
        total.delayed += queue.delayed;
        total.answered_wait += queue.answered_wait;
        total.abandoned_wait += queue.abandoned_wait;
        total.redials += queue.redials;
        for (sum, interval) in total.intervals.iter_mut().zip(&queue.intervals) {
            sum.offered += interval.offered;
            sum.answered_in_time += interval.answered_in_time;
            sum.waiting_area += interval.waiting_area;
        }
    }
    total
}

/// Which run intervals feed which point of the series.
struct SeriesLayout {
    first: usize,
    width: f64,
    /// Points per cycle: the run's intervals, or a day's when folding by day.
    points: usize,
}

impl SeriesLayout {
    fn new(scenario: &Scenario) -> SeriesLayout {
        let settings = &scenario.simulation;
        let width = settings.interval;
        let first = (settings.warmup / width).floor() as usize;
        let total = (settings.duration / width).ceil() as usize;
        let per_day = DAY_SECONDS / width;
        let folds = settings.duration > DAY_SECONDS && per_day.fract() == 0.0;
        SeriesLayout {
            first,
            width,
            points: if folds {
                per_day as usize
            } else {
                total.saturating_sub(first)
            },
        }
    }

    fn point_of(&self, interval: usize) -> usize {
        if self.points == 0 {
            0
        } else {
            interval % self.points
        }
    }

    /// Whether run intervals fold onto a day: the run has more of them than points.
    fn folds(&self, intervals: usize) -> bool {
        intervals.saturating_sub(self.first) > self.points
    }

    fn point(&self, interval: usize, folds: bool) -> usize {
        if folds {
            self.point_of(interval)
        } else {
            interval - self.first
        }
    }

    fn start_of(&self, point: usize, folds: bool) -> f64 {
        (if folds { point } else { point + self.first }) as f64 * self.width
    }

    fn occupancy<'r>(
        &self,
        runs: impl Iterator<Item = &'r [GroupIntervalCounts]>,
    ) -> Vec<OccupancyPoint> {
        let mut busy = vec![0.0; self.points];
        let mut staffed = vec![0.0; self.points];
        let mut samples = vec![0.0; self.points];
        let mut folds = false;
        for run in runs {
            folds = self.folds(run.len());
            for (interval, counts) in run.iter().enumerate().skip(self.first) {
                let point = self.point(interval, folds);
                busy[point] += counts.busy;
                staffed[point] += counts.staffed;
                samples[point] += 1.0;
            }
        }
        (0..self.points)
            .map(|point| OccupancyPoint {
                start_seconds: self.start_of(point, folds),
                staffed: ratio(staffed[point], samples[point] * self.width),
                occupancy: time_share(busy[point], staffed[point]),
            })
            .collect()
    }

    fn series(&self, runs: &[&QueueCounts]) -> Vec<IntervalSummary> {
        let folds = runs
            .first()
            .is_some_and(|run| self.folds(run.intervals.len()));
        let mut offered = vec![0.0; self.points];
        let mut in_time = vec![0.0; self.points];
        let mut area = vec![0.0; self.points];
        let mut samples = vec![0.0; self.points];
        for run in runs {
            for (interval, counts) in run.intervals.iter().enumerate().skip(self.first) {
                let point = self.point(interval, folds);
                offered[point] += counts.offered as f64;
                in_time[point] += counts.answered_in_time as f64;
                area[point] += counts.waiting_area;
                samples[point] += 1.0;
            }
        }
        (0..self.points)
            .map(|point| IntervalSummary {
                start_seconds: self.start_of(point, folds),
                offered: ratio(offered[point], samples[point]),
                waiting: ratio(area[point], samples[point] * self.width),
                service_level: ratio(in_time[point], offered[point]),
            })
            .collect()
    }
}
