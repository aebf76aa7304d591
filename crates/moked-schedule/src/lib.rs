//! Shift scheduling and rostering for Moked (pure: no IO, no clock).
//!
//! The pipeline: a per-interval requirement over a [`Horizon`] and a catalog of
//! [`ShiftTemplate`]s are expanded into candidate shifts
//! ([`expand_candidates`]); [`select_shifts`] chooses how many agents start
//! each candidate (an exact set-covering integer program); [`build_roster`]
//! gives each chosen shift to a named agent under every hard rule, and
//! [`roster_violations`] checks a roster against those rules.

pub mod catalog;
pub mod cuts;
pub mod horizon;
pub mod input;
pub mod roster;
pub mod selection;

pub use catalog::{
    BreakPlacement, BreakRule, Candidate, ShiftTemplate, break_placements, expand_candidates,
};
pub use horizon::{Horizon, MINUTES_PER_DAY};
pub use input::{InputError, ShiftCatalog, parse_agents, parse_shift_catalog};
pub use roster::{
    Agent, Roster, RosterSummary, ShiftToStaff, Violation, build_roster, roster_violations,
    summarise,
};
pub use selection::{
    CoverColumn, Selection, SelectionError, SelectionProblem, coverage_of, select_shifts,
};
