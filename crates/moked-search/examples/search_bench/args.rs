//! Command-line options of the benchmark.

use std::path::PathBuf;

pub const USAGE: &str = "usage: search_bench --dir DIR [--tickets N] [--seed S] [--rounds R]
                    [--threads T] [--memory-mb M] [--no-sqlite] [--postgres-url URL]

  --dir DIR          where the indexes and the SQLite file are written (emptied first)
  --tickets N        tickets to generate (default 1000000)
  --seed S           generator seed (default 1)
  --rounds R         timed passes over the query set (default 5)
  --threads T        tantivy indexing threads (default 2)
  --memory-mb M      tantivy writer memory, all threads (default 2000)
  --no-sqlite        skip SQLite FTS5
  --postgres-url URL also PostgreSQL full-text search (default $MOKED_TEST_POSTGRES_URL)";

/// Parsed options.
#[derive(Debug)]
pub struct Args {
    pub dir: PathBuf,
    pub tickets: u64,
    pub seed: u64,
    pub rounds: usize,
    pub threads: usize,
    pub memory_mb: usize,
    pub sqlite: bool,
    pub postgres_url: Option<String>,
}

impl Args {
    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut parsed = Args {
            dir: PathBuf::new(),
            tickets: 1_000_000,
            seed: 1,
            rounds: 5,
            threads: 2,
            memory_mb: 2000,
            sqlite: true,
            postgres_url: std::env::var("MOKED_TEST_POSTGRES_URL")
                .ok()
                .filter(|url| !url.is_empty()),
        };
        while let Some(flag) = args.next() {
            let mut value = || args.next().ok_or(format!("{flag} needs a value"));
            match flag.as_str() {
                "--dir" => parsed.dir = PathBuf::from(value()?),
                "--tickets" => parsed.tickets = number(&flag, &value()?)?,
                "--seed" => parsed.seed = number(&flag, &value()?)?,
                "--rounds" => parsed.rounds = number(&flag, &value()?)?,
                "--threads" => parsed.threads = number(&flag, &value()?)?,
                "--memory-mb" => parsed.memory_mb = number(&flag, &value()?)?,
                "--postgres-url" => parsed.postgres_url = Some(value()?).filter(|u| !u.is_empty()),
                "--no-sqlite" => parsed.sqlite = false,
                other => return Err(format!("unknown option {other}")),
            }
        }
        if parsed.dir.as_os_str().is_empty() {
            return Err("--dir is required".to_owned());
        }
        if parsed.tickets == 0 || parsed.rounds == 0 || parsed.threads == 0 {
            return Err("--tickets, --rounds and --threads must be at least 1".to_owned());
        }
        Ok(parsed)
    }
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} takes a whole number, not {text:?}"))
}
