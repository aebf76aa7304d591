//! `moked reindex`: throws the search index away and builds it again from
//! the store (every organization's customers and conversations), with a
//! progress line. The server must be stopped: it holds the index's writer.

use crate::cli_error::CliError;
use crate::cmd::serve::{StoreArgs, load_config, runtime};
use indicatif::{ProgressBar, ProgressStyle};
use moked_search::{SearchError, SearchIndex, WriterConfig};
use moked_server::search::{index_dir, rebuild};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Memory the bulk writer may fill before it writes a segment.
const BULK_WRITER_MEMORY: usize = 1 << 30;

/// Arguments of `moked reindex`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `moked reindex`.
pub fn run(args: Args) -> Result<(), CliError> {
    let config = load_config(&args.store, None, false)?;
    moked_server::init_logging(&config.log);
    let dir = index_dir(&config.data_dir);
    let index = SearchIndex::open_with(&dir, bulk_writer()).map_err(|error| match error {
        SearchError::InUse { dir } => CliError::Internal(anyhow::anyhow!(
            "the search index in {dir} is in use: stop `moked serve` first"
        )),
        other => CliError::Internal(other.into()),
    })?;
    let index = Arc::new(index);
    runtime()?.block_on(async move {
        let store = moked_server::open_store(&config).await?;
        let started = Instant::now();
        let progress = progress_line();
        let count = rebuild(store.as_ref(), &index, |done| progress.set_position(done))
            .await
            .map_err(|error| CliError::Internal(error.into()))?;
        progress.finish_and_clear();
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "Indexed {count} documents in {seconds:.1} s ({:.0} per second) into {}",
            count as f64 / seconds.max(0.001),
            dir.display()
        );
        Ok(())
    })
}

fn bulk_writer() -> WriterConfig {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    WriterConfig {
        threads: cores.clamp(1, 8),
        memory_bytes: BULK_WRITER_MEMORY,
        // Merging would compete with indexing for the cores; the server
        // merges the segments later.
        merge: false,
    }
}

fn progress_line() -> ProgressBar {
    let progress = ProgressBar::new_spinner();
    let style =
        ProgressStyle::with_template("{spinner} {pos} documents indexed ({per_sec}, {elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
    progress.set_style(style);
    progress.enable_steady_tick(Duration::from_millis(200));
    progress
}
