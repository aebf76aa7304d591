//! `moked schedule` (placeholder until its crate lands).

use crate::cli_error::CliError;

/// Arguments of `moked schedule`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `moked schedule`.
pub fn run(_args: Args) -> Result<(), CliError> {
    Err(CliError::option("help", "not available in this build yet"))
}
