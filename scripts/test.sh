#!/usr/bin/env bash
# Sets up, builds and runs every test: format and static-analysis checks, the plain build
# (unit, aws, emulator, e2e, safety), the release (scripts/package.sh's output installed from
# mirrors, the registry docs), then a clang build's unit tests, the unit, aws and e2e
# tests again in an ASan+UBSan build, valgrind, and every fuzz target for a short time.
#   scripts/test.sh            everything
#   TPD_TEST_QUICK=1 scripts/test.sh   plain build only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
jobs=$(nproc)

echo "== format (clang-format --dry-run --Werror)"
bash scripts/check-format.sh

echo "== build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"

echo "== static analysis (clang-tidy 14, .clang-tidy; about a minute on 2 cores)"
bash scripts/tidy.sh build

echo "== tests: unit, aws, emulator, e2e, safety"
ctest --test-dir build --output-on-failure -j"$jobs" -L 'unit|aws|emulator'
ctest --test-dir build --output-on-failure -L e2e
ctest --test-dir build --output-on-failure -j"$jobs" -L safety

echo "== release: package (Release build), install from mirrors, registry docs up to date"
ctest --test-dir build --output-on-failure -L release

if [[ -z ${TPD_TEST_QUICK:-} ]]; then
  echo "== clang build (warnings as errors): unit tests"
  CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug >/dev/null
  cmake --build build-clang -j"$jobs"
  ctest --test-dir build-clang --output-on-failure -j"$jobs" -L unit

  echo "== sanitizer build (ASan+UBSan): unit, aws and e2e tests"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DTPD_SANITIZE=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  # gRPC keeps some process-lifetime allocations; LeakSanitizer would report them at exit.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -L 'unit|aws'
  ctest --test-dir build-asan --output-on-failure -L e2e

  echo "== valgrind (memcheck) on the unit and aws tests"
  bash scripts/valgrind-unit.sh build

  echo "== fuzzing: every libFuzzer target for a short fixed time"
  bash scripts/fuzz.sh 20
fi
echo "== all tests passed"
