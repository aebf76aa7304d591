//! The `moked` command: one binary, one subcommand per capability.
//!
//! This crate is the edge: it reads files and arguments, calls the pure
//! crates, and prints tables, JSON or HTML. Errors in the user's input exit
//! with code 2 and name the file, line and field (or the option).

mod cli_error;
mod cmd;
mod i18n;
mod svg;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

// glibc's malloc spent a sixth of `moked reindex` consolidating blocks freed
// on another thread than the one that allocated them (store rows read on one
// task, indexed on another); mimalloc frees them where they came from.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Moked (מוקד): a self-hosted contact-center platform.
#[derive(Debug, Parser)]
#[command(name = "moked", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a discrete-event simulation of a contact center described in a scenario file.
    Simulate(cmd::simulate::Args),
    /// Evaluate a staffing level, or compute the staffing a service target needs (Erlang B/C/A).
    Staff(cmd::staff::Args),
    /// Forecast arrivals per interval from a history of counts.
    Forecast(cmd::forecast::Args),
    /// Build shifts that cover per-interval requirements and roster them to agents.
    Schedule(cmd::schedule::Args),
    /// Run the contact-center server: HTTP API, web UI, live chat routing.
    Serve(cmd::serve::Args),
    /// Run the server with a living Hebrew demo center (simulated customers and agents).
    Demo(cmd::demo::Args),
    /// Set up organizations and users, and issue API tokens.
    Admin(cmd::admin::Args),
    /// Rebuild the search index from the store (with the server stopped).
    Reindex(cmd::reindex::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::Staff(args) => cmd::staff::run(args),
        Command::Forecast(args) => cmd::forecast::run(args),
        Command::Schedule(args) => cmd::schedule::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Admin(args) => cmd::admin::run(args),
        Command::Reindex(args) => cmd::reindex::run(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("moked: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}
