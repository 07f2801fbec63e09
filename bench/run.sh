#!/usr/bin/env bash
# Benchmarks against the hashicorp/aws provider (see bench/bench.py): builds in
# Release, runs both providers against the same emulator, writes docs/benchmarks.md.
#   bench/run.sh [--runs 3] [--sizes 1,10,50] [--no-overshoot]
# then bench/network.py (the AWS-like network profile); bench/rss.py measures memory.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTPD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
python3 bench/bench.py --build build-release "$@"
# The AWS-like network profile (HTTPS, 30 ms per request): its own section of the report.
python3 bench/network.py --build build-release
