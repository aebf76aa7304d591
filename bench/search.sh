#!/usr/bin/env bash
# Search side by side, in one run: the same generated tickets (Hebrew and
# English, deterministic seed) indexed by Moked (tantivy with our Hebrew
# analyzer), SQLite FTS5 (unicode61) and PostgreSQL full-text search
# ('simple', GIN index); the same query set against each; p50/p95 per engine,
# the ratios to Moked, and the recall of Hebrew words behind attached
# prefixes against the generator's ground truth.
#
#   bench/search.sh [TICKETS] [ROUNDS]      # defaults: 1000000 tickets, 5 rounds
#
# Try a small size first (bench/search.sh 20000 2). PostgreSQL is a throwaway
# server from scripts/with-postgres (installed with apt-get when missing).
# Indexes go to a temporary folder (SEARCH_BENCH_DIR to choose), deleted at
# the end. The "load moked (tantivy)" line is the reindex figure: a full
# rebuild of the index from generated tickets on 2 indexing threads.
set -euo pipefail

TICKETS="${1:-1000000}"
ROUNDS="${2:-5}"
case "$TICKETS$ROUNDS" in
    *[!0-9]*) echo "usage: bench/search.sh [TICKETS] [ROUNDS] (whole numbers)" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

cargo build --release -p moked-search --example search_bench
BIN="$ROOT/target/release/examples/search_bench"

WORK="${SEARCH_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/moked-search-bench.XXXXXX")}"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

echo "search bench: commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
scripts/with-postgres "$BIN" --dir "$WORK" --tickets "$TICKETS" --rounds "$ROUNDS"
echo "load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
