#!/usr/bin/env bash
# Moked's simulator vs simpy 4.1.2 and ciw 3.2.7 on the M/M/14+M model, in one run.
# Usage: bench/sim_vs_python.sh [extra arguments for sim_vs_python.py]
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bench/setup-python)
cargo build --release --quiet -p moked-sim --example throughput
exec "$python" bench/sim_vs_python.py target/release/examples/throughput "$@"
