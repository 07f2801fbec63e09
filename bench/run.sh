#!/usr/bin/env bash
# Benchmarks against the hashicorp/aws provider: builds in Release, runs both providers
# against the same emulator and writes docs/benchmarks.md, one section per script:
#   main     bench/bench.py    timings, calls per table, wait overshoot (the report's top)
#   network  bench/network.py  the AWS-like network profile (HTTPS, 30 ms per request)
#   limits   bench/limits.py   the same under AWS's API rate limits (--rate-limits aws):
#                              10, 60 and 200 tables, calls per table per operation
#   rss      bench/rss.py      executable size and memory at 1, 10, 60 and 200 tables
#   calls    bench/calls.py    calls per table per operation and phase (refresh, plan,
#                              apply walk), beside the peer's
#
#   bench/run.sh [--runs 3] [--sizes 1,10,50] [--no-overshoot]   every section (the
#                                                               options go to bench.py)
#   bench/run.sh SECTION [options of that script]               one section
# Each script regenerates only its own section; nothing here asserts a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTPD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null

section=all
case ${1:-} in
  main | network | limits | rss | calls) section=$1 && shift ;;
esac

run_main() { python3 bench/bench.py --build build-release "$@"; }
run_network() { python3 bench/network.py --build build-release "$@"; }
run_limits() { python3 bench/limits.py --build build-release "$@"; }
run_calls() { python3 bench/calls.py --build build-release "$@"; }
run_rss() {
  # Measured as shipped: stripped (scripts/package.sh strips the release executable).
  strip -o build-release/terraform-provider-dynamodb.stripped build-release/terraform-provider-dynamodb
  python3 bench/rss.py --exe release=build-release/terraform-provider-dynamodb.stripped \
    --tables 1,10,60,200 --runs 3 --profile --write docs/benchmarks.md "$@"
}

if [[ $section == all ]]; then
  run_main "$@"
  run_network
  run_limits
  run_calls
  run_rss
else
  "run_$section" "$@"
fi
