#!/usr/bin/env bash
# Moked's staffing against pyworkforce, side by side in one run (see staffing_vs_pyworkforce.py).
# PYTHON=/path/to/python overrides the interpreter of bench/setup-python (which needs Python >= 3.12
# for pyworkforce 0.5.4).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p moked --quiet
python=${PYTHON:-$(bench/setup-python)}
exec "$python" bench/staffing_vs_pyworkforce.py target/release/moked
