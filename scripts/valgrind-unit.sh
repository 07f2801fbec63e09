#!/usr/bin/env bash
# Runs every unit- and aws-labelled test executable (not the moto integration test) under
# valgrind memcheck: no errors and no definite leaks allowed.
#   scripts/valgrind-unit.sh [BUILD_DIR]     default: build
#   TPD_VALGRIND_JOBS=N                      tests under valgrind at the same time (default: nproc)
# The corpus replays (replay_*) take the longest under valgrind, so they start first;
# they cut each seed at every 8th length, not every one (TPD_REPLAY_PREFIX_STEP,
# tests/fuzz/replay_main.c): every cut took 262 of the run's 350 CPU seconds, and the
# ASan+UBSan and plain builds replay every cut anyway. TPD_REPLAY_PREFIX_STEP=1 for all.
set -euo pipefail
export TPD_REPLAY_PREFIX_STEP=${TPD_REPLAY_PREFIX_STEP:-8}
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${TPD_VALGRIND_JOBS:-$(nproc)}
mapfile -t tests < <(ctest --test-dir "$build" -L "unit|aws" -LE moto -N | sed -n 's/^ *Test *#[0-9]*: //p' |
  sort -s -t_ -k1,1)  # replay_* before test_*
status=$(mktemp -d)
trap 'rm -rf "$status"' EXIT

one() {
  local t=$1 exe=$build/tests/$1 args=()
  [[ -x $exe ]] || return 0
  # Corpus replays take their seed folder as argument (as registered in CTest).
  [[ $t == replay_* ]] && args=("$root/tests/fuzz/corpus/${t#replay_}")
  if valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --suppressions="$root/tests/valgrind.supp" "$exe" "${args[@]}" >"$build/valgrind-$t.log" 2>&1; then
    echo "valgrind ok: $t"
  else
    echo "valgrind FAILED: $t (see $build/valgrind-$t.log)"
    tail -40 "$build/valgrind-$t.log"
    touch "$status/failed"
  fi
}

running=0
for t in "${tests[@]}"; do
  one "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
[[ ! -e $status/failed ]]
