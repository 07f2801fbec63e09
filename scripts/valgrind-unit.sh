#!/usr/bin/env bash
# Runs every unit- and aws-labelled test executable (not the moto integration test) under valgrind memcheck: no errors and no
# definite leaks allowed.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
fail=0
for t in $(ctest --test-dir "$build" -L "unit|aws" -LE moto -N | sed -n 's/^ *Test *#[0-9]*: //p'); do
  exe="$build/tests/$t"
  [[ -x $exe ]] || continue
  args=()
  # Corpus replays take their seed folder as argument (as registered in CTest).
  [[ $t == replay_* ]] && args=("$root/tests/fuzz/corpus/${t#replay_}")
  if valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
       --suppressions="$root/tests/valgrind.supp" "$exe" "${args[@]}" >"$build/valgrind-$t.log" 2>&1; then
    echo "valgrind ok: $t"
  else
    echo "valgrind FAILED: $t (see $build/valgrind-$t.log)"
    tail -40 "$build/valgrind-$t.log"
    fail=1
  fi
done
exit $fail
