#!/usr/bin/env bash
# `moked reindex` from the store: a data folder seeded with generated tickets
# (Hebrew and English, each with its email conversation, a quarter as many
# customers; crates/moked/examples/seed_tickets.rs writes them through the
# store's bulk import), then the search index rebuilt from the store with the
# real command, timed. Target (issue 5): 1,000,000 tickets in at most 60 s.
#
#   bench/reindex.sh [TICKETS]          # default 1000000
#
# The seeded folder is kept in REINDEX_BENCH_DIR (default a temporary folder,
# deleted at the end); seeding a million tickets takes about ten minutes and
# is not part of the figure. After the run the rebuilt index is opened and
# searched (crates/moked/examples/search_count.rs): it must hold one document
# per ticket and per customer, and a Hebrew word must find tickets.
set -euo pipefail

TICKETS="${1:-1000000}"
case "$TICKETS" in
    ''|*[!0-9]*) echo "usage: bench/reindex.sh [TICKETS] (a whole number)" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
cargo build --release -p moked --bin moked --example seed_tickets --example search_count

WORK="${REINDEX_BENCH_DIR:-}"
if [ -z "$WORK" ]; then
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/moked-reindex-bench.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
fi

echo "reindex bench: commit $(git rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if [ ! -e "$WORK/.seeded-$TICKETS" ]; then
    rm -rf "${WORK:?}"/*
    target/release/examples/seed_tickets "$WORK" "$TICKETS"
    touch "$WORK/.seeded-$TICKETS"
fi
echo "store: $(du -sh "$WORK" | cut -f1)"
started=$(date +%s.%N)
target/release/moked reindex --data "$WORK"
ended=$(date +%s.%N)
echo "moked reindex of $TICKETS tickets: $(echo "$ended - $started" | bc) s wall (target 60 s for 1,000,000)"
echo "index: $(du -sh "$WORK/search" | cut -f1); load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# The seeder's organization is the store's first; a quarter as many
# customers as tickets, rounded up.
EXPECTED=$((TICKETS + (TICKETS + 3) / 4))
found="$(target/release/examples/search_count "$WORK" 1 "חשבונית" "תשלום")"
echo "$found"
documents="$(echo "$found" | sed -n 's/^index: \([0-9]*\) documents$/\1/p')"
if [ "$documents" != "$EXPECTED" ]; then
    echo "reindex bench: the index holds ${documents:-no} documents, expected $EXPECTED" >&2
    exit 1
fi
if echo "$found" | grep -q '": 0 documents'; then
    echo "reindex bench: a search found nothing" >&2
    exit 1
fi
