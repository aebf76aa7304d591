//! Latency percentiles, ratios and recall, printed as Markdown tables.

use std::time::Duration;

/// The timed searches of one engine.
pub struct Latencies {
    name: &'static str,
    sorted: Vec<Duration>,
    /// Every sample with its query group, for the per-group table.
    grouped: Vec<(&'static str, Duration)>,
}

impl Latencies {
    pub fn new(name: &'static str, grouped: Vec<(&'static str, Duration)>) -> Latencies {
        let mut sorted: Vec<Duration> = grouped.iter().map(|&(_, d)| d).collect();
        sorted.sort_unstable();
        Latencies {
            name,
            sorted,
            grouped,
        }
    }

    fn percentile(&self, p: f64) -> Duration {
        percentile(&self.sorted, p)
    }

    fn group_percentile(&self, group: &str, p: f64) -> Duration {
        let mut samples: Vec<Duration> = self
            .grouped
            .iter()
            .filter(|(g, _)| *g == group)
            .map(|&(_, d)| d)
            .collect();
        samples.sort_unstable();
        percentile(&samples, p)
    }

    fn mean(&self) -> Duration {
        self.sorted.iter().sum::<Duration>() / self.sorted.len() as u32
    }
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted
        .get(rank.clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

pub fn print_latencies(all: &[Latencies]) {
    let ours = &all[0];
    println!(
        "\n| engine | searches | p50 ms | p95 ms | p99 ms | mean ms | p50 vs ours | p95 vs ours |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for engine in all {
        let ratio = |p| engine.percentile(p).as_secs_f64() / ours.percentile(p).as_secs_f64();
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1}x | {:.1}x |",
            engine.name,
            engine.sorted.len(),
            ms(engine.percentile(50.0)),
            ms(engine.percentile(95.0)),
            ms(engine.percentile(99.0)),
            ms(engine.mean()),
            ratio(50.0),
            ratio(95.0)
        );
    }
}

pub fn print_groups(all: &[Latencies], groups: &[&'static str]) {
    let names: Vec<&str> = all.iter().map(|l| l.name).collect();
    println!("\np50 / p95 in ms by query group:\n");
    println!("| group | {} |", names.join(" | "));
    println!("|---|{}", "---:|".repeat(names.len()));
    for group in groups {
        let cells: Vec<String> = all
            .iter()
            .map(|l| {
                format!(
                    "{} / {}",
                    ms(l.group_percentile(group, 50.0)),
                    ms(l.group_percentile(group, 95.0))
                )
            })
            .collect();
        println!("| {group} | {} |", cells.join(" | "));
    }
}

pub fn print_recall(truth: &[(&'static str, u64)], found: &[(&'static str, Vec<u64>)]) {
    let names: Vec<&str> = found.iter().map(|(name, _)| *name).collect();
    println!(
        "\nRecall of Hebrew words written bare or behind prefixes (tickets found / tickets containing the word):\n"
    );
    println!("| word | tickets | {} |", names.join(" | "));
    println!("|---|---:|{}", "---:|".repeat(names.len()));
    for (i, (word, relevant)) in truth.iter().enumerate() {
        let cells: Vec<String> = found
            .iter()
            .map(|(_, counts)| counts[i].to_string())
            .collect();
        println!("| {word} | {relevant} | {} |", cells.join(" | "));
    }
    let relevant: u64 = truth.iter().map(|(_, n)| n).sum();
    let recalls: Vec<String> = found
        .iter()
        .map(|(_, counts)| {
            format!(
                "{:.1}%",
                100.0 * counts.iter().sum::<u64>() as f64 / relevant as f64
            )
        })
        .collect();
    println!("| **all** | {relevant} | {} |", recalls.join(" | "));
}
