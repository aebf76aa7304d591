//! The contact-center simulator: a discrete-event simulation that drives the
//! real routing engine ([`moked_routing::Engine`]) with random arrivals, handle
//! times and patience described in a scenario, and reports service level,
//! waits, abandonment and occupancy with confidence intervals over replications.
//!
//! The crate does no IO: scenarios are parsed from text, CSV files come in
//! through a loader, progress goes to a callback. Replication `i` uses the
//! seed `seed + i`, so the same scenario always gives the same report, however
//! the caller spreads replications over threads.

pub mod arrivals;
pub mod calendar;
pub mod distribution;
pub mod replication;
pub mod report;
pub mod scenario;
pub mod statistics;

pub use replication::{ReplicationResult, SimulationError, run_replication};
pub use report::{SimulationReport, summarize};
pub use scenario::{Scenario, ScenarioError};
pub use statistics::Estimate;

/// Runs every replication in order, calling `progress(done, total)` after each,
/// and combines them.
pub fn simulate(
    scenario: &Scenario,
    mut progress: impl FnMut(u32, u32),
) -> Result<SimulationReport, SimulationError> {
    let total = scenario.simulation.replications;
    let mut results = Vec::with_capacity(total as usize);
    for index in 0..total {
        results.push(run_replication(scenario, index)?);
        progress(index + 1, total);
    }
    Ok(summarize(scenario, &results))
}

/// The engine's events of replication `index` as Asterisk `queue_log` lines,
/// dated as if the simulation began `start` after the Unix epoch (simulated
/// time starts at zero; `queue_log` readers expect real dates).
pub fn queue_log(
    scenario: &Scenario,
    index: u32,
    start: moked_routing::Span,
) -> Result<String, SimulationError> {
    let mut events = Vec::new();
    let (_, engine) = replication::run_recording(scenario, index, &mut events)?;
    for event in &mut events {
        event.at += start;
    }
    Ok(moked_routing::queue_log::format_events(&events, &engine))
}
