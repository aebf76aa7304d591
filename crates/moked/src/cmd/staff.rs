//! `moked staff` (placeholder until its crate lands).

use crate::cli_error::CliError;

/// Arguments of `moked staff`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `moked staff`.
pub fn run(_args: Args) -> Result<(), CliError> {
    Err(CliError::option("help", "not available in this build yet"))
}
