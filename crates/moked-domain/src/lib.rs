//! Domain vocabulary shared by every Moked crate: validated newtypes that
//! carry no IO and no clock.
//!
//! Everything here parses untrusted text into a value that is valid by
//! construction, and reports what was wrong with a typed error.

pub mod channel;
pub mod duration;

pub use channel::Channel;
pub use duration::{DurationParseError, Seconds};
