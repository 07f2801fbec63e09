#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan) and runs each one for a fixed
# time, starting from its seed corpus (tests/fuzz/corpus/<name>/). New inputs go to a
# scratch corpus, never into the tree; a crash leaves its reproducer in build-fuzz/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 20; CI uses 20, a long run e.g. 600)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
cd "$root"
CC=clang cmake -S . -B build-fuzz -DTPD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
targets=()
for src in tests/fuzz/fuzz_*.c; do
  targets+=("$(basename "$src" .c)")
done
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]}" >/dev/null
scratch=$(mktemp -d /tmp/tpd-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
fail=0
for t in "${targets[@]}"; do
  stem=${t#fuzz_}
  mkdir -p "$scratch/$stem"
  log="build-fuzz/$t.log"
  if (cd build-fuzz && "./tests/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        "$scratch/$stem" "$root/tests/fuzz/corpus/$stem") >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz ok: $t ($runs executions in ${secs}s)"
  else
    echo "fuzz FAILED: $t (see $log)"
    tail -30 "$log"
    fail=1
  fi
done
exit $fail
