#!/usr/bin/env bash
# Builds the tests labelled tsan (tests/aws/test_creds_concurrency.c, test_budget.c: the
# credential cache, the account guard and the request budget under many threads) with
# clang's ThreadSanitizer and runs them; any data race or lock-order problem fails it.
#   scripts/tsan.sh [BUILD_DIR]     (default build-tsan)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-tsan}
cd "$root"
jobs=$(nproc)
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTPD_TSAN=ON >/dev/null
mapfile -t targets < <(grep -l 'tpd-test-labels:.*tsan' tests/aws/test_*.c tests/unit/test_*.c 2>/dev/null |
  xargs -n1 basename | sed 's/\.c$//')
cmake --build "$build" -j"$jobs" --target "${targets[@]}"
# halt_on_error: the first report fails the test; second_deadlock_stack: both stacks of a
# lock-order inversion.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:exitcode=66"
ctest --test-dir "$build" --output-on-failure -L tsan
