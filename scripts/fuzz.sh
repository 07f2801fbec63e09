#!/usr/bin/env bash
# Runs every libFuzzer harness (tests/fuzz/fuzz_*.c) for a fixed time, starting from its
# seed corpus (tests/fuzz/corpus/<name>/). New inputs go to a scratch corpus, never into
# the tree; a crash leaves its reproducer and the target's log in the build directory.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 20; the test command uses 20, a long run e.g. 600)
#   TPD_FUZZ_JOBS=N      targets fuzzed at the same time (default 1)
#   TPD_SAN_BUILD=DIR    the build (default build-san): clang with ASan+UBSan and TPD_FUZZ=ON,
#                        the build scripts/test.sh also runs its unit, aws and e2e tests in,
#                        so one clang build serves both (configured here when missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-20}
jobs=${TPD_FUZZ_JOBS:-1}
build=${TPD_SAN_BUILD:-build-san}
cd "$root"
if ! grep -qs '^TPD_FUZZ:BOOL=ON$' "$build/CMakeCache.txt"; then
  CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTPD_SANITIZE=ON -DTPD_FUZZ=ON >/dev/null
fi
targets=()
for src in tests/fuzz/fuzz_*.c; do
  targets+=("$(basename "$src" .c)")
done
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}" >/dev/null
scratch=$(mktemp -d /tmp/tpd-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT

one() {  # one target; its status in $scratch/NAME.rc
  local t=$1 stem=${1#fuzz_} log=$build/$1.log rc=0
  mkdir -p "$scratch/$stem"
  (cd "$build" && "./tests/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$scratch/$stem" "$root/tests/fuzz/corpus/$stem") >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    echo "fuzz ok: $t ($(sed -n 's/^stat::number_of_executed_units: *//p' "$log") executions in ${secs}s)"
  else
    echo "fuzz FAILED: $t (see $log)"
    tail -30 "$log"
  fi
  echo "$rc" >"$scratch/$t.rc"
}

running=0
for t in "${targets[@]}"; do
  one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
fail=0
for t in "${targets[@]}"; do
  [[ $(cat "$scratch/$t.rc" 2>/dev/null) == 0 ]] || fail=1
done
exit $fail
