#!/usr/bin/env bash
# Benchmarks against the hashicorp/aws provider (see bench/bench.py): builds in
# Release, runs both providers against the same emulator, writes docs/benchmarks.md.
#   bench/run.sh [--runs 3] [--sizes 1,10,50] [--no-overshoot]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTPD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
exec python3 bench/bench.py --build build-release "$@"
