//! Side-by-side search benchmark: the same generated tickets in Moked's
//! tantivy index, SQLite FTS5 (unicode61) and PostgreSQL full-text search
//! ('simple'), the same queries against each, latency percentiles and the
//! recall of Hebrew words written behind attached prefixes.
//!
//! Run by `bench/search.sh`, which provides PostgreSQL; see `--help`.

mod args;
mod engines;
mod queries;
mod report;

use args::Args;
use engines::{Engine, Postgres, Sqlite, Tantivy};
use moked_search::generator::{Generator, probe_words};
use queries::{BenchQuery, query_set};
use report::{Latencies, print_groups, print_latencies, print_recall};
use std::time::Instant;

/// The organization all generated tickets belong to.
const ORG: i64 = 1;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("search_bench: {message}\n\n{}", args::USAGE);
            std::process::exit(2);
        }
    };
    if let Err(message) = run(&args).await {
        eprintln!("search_bench: {message}");
        std::process::exit(1);
    }
}

async fn run(args: &Args) -> Result<(), String> {
    let generator = Generator::new(args.seed, ORG);
    println!(
        "# {} tickets, seed {}, {} query rounds",
        args.tickets, args.seed, args.rounds
    );
    let truth = ground_truth(&generator, args.tickets);
    let mut engines = vec![Engine::Tantivy(Box::new(Tantivy::build(args, &generator)?))];
    if args.sqlite {
        engines.push(Engine::Sqlite(Sqlite::build(args, &generator).await?));
    }
    if let Some(url) = &args.postgres_url {
        engines.push(Engine::Postgres(
            Postgres::build(url, args, &generator).await?,
        ));
    }
    let queries = query_set(&generator, args.tickets);
    let mut latencies = Vec::new();
    for engine in &engines {
        latencies.push(measure(engine, &queries, args.rounds).await?);
    }
    print_latencies(&latencies);
    print_groups(&latencies, &queries::GROUPS);
    let mut found = Vec::new();
    for engine in &engines {
        found.push((engine.name(), recall_counts(engine).await?));
    }
    print_recall(&truth, &found);
    Ok(())
}

/// How many tickets contain each probe word in any form.
fn ground_truth(generator: &Generator, tickets: u64) -> Vec<(&'static str, u64)> {
    let started = Instant::now();
    let mut counts: Vec<(&'static str, u64)> = probe_words().iter().map(|&p| (p, 0)).collect();
    for n in 0..tickets {
        for probe in generator.ticket(n).probes {
            if let Some(entry) = counts.iter_mut().find(|(p, _)| *p == probe) {
                entry.1 += 1;
            }
        }
    }
    println!(
        "generate only: {tickets} tickets in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    counts
}

/// Every query once untimed (caches warm as in a running server), then
/// `rounds` timed passes.
async fn measure(
    engine: &Engine,
    queries: &[BenchQuery],
    rounds: usize,
) -> Result<Latencies, String> {
    for query in queries {
        engine.top(query).await?;
    }
    let mut samples = Vec::with_capacity(queries.len() * rounds);
    for _ in 0..rounds {
        for query in queries {
            let started = Instant::now();
            let hits = engine.top(query).await?;
            samples.push((query.group, started.elapsed()));
            std::hint::black_box(hits);
        }
    }
    Ok(Latencies::new(engine.name(), samples))
}

async fn recall_counts(engine: &Engine) -> Result<Vec<u64>, String> {
    let mut counts = Vec::new();
    for probe in probe_words() {
        counts.push(engine.count(probe).await?);
    }
    Ok(counts)
}
