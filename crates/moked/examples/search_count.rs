//! Counts what a data folder's search index finds, for the reindex
//! benchmark (`bench/reindex.sh`) to show that the rebuilt index answers:
//! the documents it holds, then for each query how many of the
//! organization's documents match.
//!
//! ```text
//! cargo run --release -p moked --example search_count -- DATA_DIR ORG QUERY...
//! ```

use anyhow::{Context, bail};
use moked_search::{SearchIndex, SearchQuery};
use moked_server::search::index_dir;
use std::path::Path;
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, org, queries @ ..] = args.as_slice() else {
        bail!("usage: search_count DATA_DIR ORG QUERY...");
    };
    let org: i64 = org.parse().context("ORG must be an organization id")?;
    let index = SearchIndex::open(&index_dir(Path::new(dir)))
        .context("the index must not be in use (stop moked serve)")?;
    println!("index: {} documents", index.num_docs());
    for text in queries {
        let started = Instant::now();
        let count = index.count(org, &SearchQuery::text(text.as_str()))?;
        println!(
            "search {text:?}: {count} documents ({:.1} ms)",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
