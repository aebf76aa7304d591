//! One module per subcommand: arguments, input files, output formats.

pub mod admin;
pub mod demo;
pub mod forecast;
pub mod reindex;
pub mod schedule;
pub mod serve;
pub mod simulate;
pub mod staff;
