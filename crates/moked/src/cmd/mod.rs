//! One module per subcommand: arguments, input files, output formats.

pub mod forecast;
pub mod schedule;
pub mod simulate;
pub mod staff;
