#!/usr/bin/env bash
# The test tiers (README.md "Tests", docs/design.md "Tests"):
#
#   scripts/test.sh quick     for every edit (about a minute): the format check, an
#                             incremental build in build/, the unit and aws tests (no
#                             emulator, no terraform)
#   scripts/test.sh           everything, what .ci/run runs (from a clean checkout about
#                             20 to 22 minutes on 2 cores, README.md): see below
#   scripts/test.sh soak N    N minutes of the safety walk with new random seeds
#                             (scripts/safety.sh) beside N minutes of fuzzing every target
#                             (scripts/fuzz.sh); reproductions in tests/safety/results/
#   scripts/test.sh summary [DIR]  the step table and verdict of the last run again, from
#                             its record DIR/steps (default build/test-logs); exit status 0
#                             only when the record holds steps and every one passed
#
# The full run: setup and the format check, then the clang build with ASan+UBSan and the
# libFuzzer targets (build-san/; clang, warnings as errors), then two lanes at the same
# time, since most tests wait on terraform and the emulator far more than they compute:
#
#   san      build-san's unit, aws, fuzz-replay and e2e tests (ctest -j, the e2e files
#            side by side), while every fuzz target runs for 20 s, one after the other
#   plain    the plain build (gcc, RelWithDebInfo, the static executable), then at once:
#              every test of it except e2e and safety, whatever its label (unit, aws,
#              fuzz-replay, emulator, release: the packaged release, which also runs
#              the static executable end to end),
#              the safety walk's tests (fixed seeds, every reproduction, the oracle),
#              the tsan tests under ThreadSanitizer (scripts/tsan.sh, build-tsan/), then
#              clang-tidy, then valgrind over the unit and aws tests (at a lower
#              priority: they only compute, and no test waits for them)
#
# The e2e tests run once, in the sanitizer build. Tests are chosen by label, so a new
# test file (tests/CMakeLists.txt globs them) runs without touching this script. Each
# step's output goes to build/test-logs/STEP.log; a failed step prints its log's end; the
# end is a table of every step's wall-clock and CPU time. Exit status 0 when every step
# passed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-full}
[[ -n ${TPD_TEST_QUICK:-} && $mode == full ]] && mode=quick  # the old switch
ncpu=$(nproc)

build_plain() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j"$ncpu"
}
build_san() {  # the one clang build: scripts/fuzz.sh fuzzes in it too
  CC=clang cmake -S . -B build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTPD_SANITIZE=ON -DTPD_FUZZ=ON >/dev/null
  cmake --build build-san -j"$ncpu"
}

# ---- steps: STEP NAME COMMAND... runs COMMAND with its output in build/test-logs/NAME.log
logs=$root/build/test-logs
start=$SECONDS
stamp() { printf '%2d:%02d' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }
mmss() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
cpu_seconds() {  # FILE: the children's user+system time in the output of `times`
  sed -n 2p "$1" | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", u[1] * 60 + u[2] + s[1] * 60 + s[2] + 0.5 }'
}
step() {
  local name=$1 t0=$SECONDS rc=0
  shift
  echo "$(stamp)  $name: started"
  (
    rc=0
    "$@" >"$logs/$name.log" 2>&1 || rc=$?
    times >"$logs/$name.cpu"  # in this subshell: a pipeline would fork one with no children
    cpu_seconds "$logs/$name.cpu" >"$logs/$name.cpu.s" && mv "$logs/$name.cpu.s" "$logs/$name.cpu"
    exit $rc
  ) || rc=$?
  local took=$((SECONDS - t0))
  # The verdict is read back from this record (summary): a step whose record cannot be
  # written counts as failed there, since summary then finds the file short or missing.
  echo "$name $rc $took $(cat "$logs/$name.cpu" 2>/dev/null || echo 0)" >>"$logs/steps" || rc=1
  if ((rc == 0)); then
    echo "$(stamp)  $name: ok ($(mmss $took))"
  else
    echo "$(stamp)  $name: FAILED, exit $rc ($(mmss $took)); the end of build/test-logs/$name.log:"
    tail -n 80 "$logs/$name.log" | sed 's/^/    /'
  fi
  return $rc
}
# The run's verdict: 0 only when the record holds at least one step and every step in it
# passed. A record that cannot be read (its checkout deleted under the run, a full disk)
# or holds no step is a failure, never "all tests passed".
summary() {
  echo "== step times${lanes:+ (the lanes run at the same time)}: wall clock, and the CPU time its processes used"
  local name rc took cpu failed=0 steps=0
  if [[ -r $logs/steps ]]; then
    while read -r name rc took cpu; do
      printf '   %-11s %6s %6s  %s\n' "$name" "$(mmss "${took:-0}")" "$(mmss "${cpu:-0}")" \
        "$( [[ $rc == 0 ]] && echo ok || echo "FAILED (exit $rc)")"
      [[ $rc == 0 ]] || failed=1
      steps=$((steps + 1))
    done <"$logs/steps" || failed=1
  fi
  if ((steps == 0)); then
    echo "   no step recorded in $logs/steps (missing, unreadable or empty): the run counts as failed"
    failed=1
  fi
  [[ $mode == summary ]] ||
    echo "   total       $(mmss $((SECONDS - start)))  (load average now: $(cut -d' ' -f1-3 /proc/loadavg))"
  return $failed
}
new_logs() {
  mkdir -p "$logs"
  rm -f "$logs"/*.log "$logs"/*.cpu "$logs/steps"
  touch "$logs/steps"
}

# ---- summary [DIR] ----------------------------------------------------------------------
if [[ $mode == summary ]]; then
  logs=${2:-$logs}
  if summary; then exit 0; fi  # called as the full run calls it (no errexit inside)
  exit 1
fi

# ---- quick ------------------------------------------------------------------------------
if [[ $mode == quick ]]; then
  mkdir -p build
  new_logs
  step format bash scripts/check-format.sh || true
  step build build_plain && step unit-aws ctest --test-dir build --output-on-failure -j"$ncpu" -L 'unit|aws' || true
  summary
  exit
fi

# ---- soak N -----------------------------------------------------------------------------
if [[ $mode == soak ]]; then
  minutes=${2:-}
  [[ $minutes =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/test.sh soak MINUTES (a whole number, 1 or more)" >&2; exit 2; }
  bash scripts/setup.sh
  mkdir -p build
  new_logs
  ntargets=$(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | wc -l)
  step build build_plain && step build-san build_san || { summary; exit 1; }
  # The walk and the fuzzers side by side, one core each, for the same N minutes.
  step safety bash scripts/safety.sh $((minutes * 60)) &
  step fuzz bash scripts/fuzz.sh $(((minutes * 60 + ntargets - 1) / ntargets)) &
  wait
  echo "   reproductions (if any): tests/safety/results/; fuzz logs: build-san/fuzz_*.log"
  summary
  exit
fi

[[ $mode == full ]] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }

# ---- everything -------------------------------------------------------------------------
lanes=1
bash scripts/setup.sh
mkdir -p build
new_logs
# A lane's later steps need its earlier ones; the lanes are independent, so one lane's
# failure does not stop the others (every failure is reported at the end).
step format bash scripts/check-format.sh || true
# The sanitizer build first: its e2e tests are the longest chain.
san_built=0
step build-san build_san && san_built=1

# The sanitizer runtime: gRPC keeps some process-lifetime allocations, which LeakSanitizer
# would report at exit; any other finding aborts the process (and fails its test).
lane_san() {
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # Fuzzing (one target at a time) fills a core the e2e tests leave idle while they wait
  # on terraform and the emulator.
  step fuzz env TPD_FUZZ_JOBS=1 bash scripts/fuzz.sh 20 &
  step san-tests ctest --test-dir build-san --output-on-failure -j$((4 * ncpu)) -L 'unit|aws|e2e' || true
  wait $! || true
}
lane_plain() {
  step build build_plain || return
  step plain-tests ctest --test-dir build --output-on-failure -j$((2 * ncpu)) -LE 'e2e|safety' &
  step safety ctest --test-dir build --output-on-failure -j$((2 * ncpu)) -L safety &
  # clang-tidy and valgrind only compute, and no test waits for them: at a lower priority
  # they use what the tests leave idle instead of slowing them.
  {
    # The credential cache, the account guard and the request budget under many threads,
    # built with ThreadSanitizer (build-tsan/, the tests labelled tsan).
    step tsan nice -n 10 bash scripts/tsan.sh build-tsan || true
    step tidy nice -n 10 env TPD_TIDY_JOBS="$ncpu" bash scripts/tidy.sh build || true
    step valgrind nice -n 10 env TPD_VALGRIND_JOBS="$ncpu" bash scripts/valgrind-unit.sh build
  } &
  wait
}

# An interrupted run (SIGTERM from CI; a terminal's Ctrl-C reaches every process anyway)
# stops every process it started, by PID.
kill_tree() {
  local c
  for c in $(pgrep -P "$1"); do
    kill_tree "$c"
  done
  kill -TERM "$1" 2>/dev/null || true
}
trap 'for c in $(pgrep -P $$); do kill_tree "$c"; done; exit 130' INT TERM
((san_built)) && lane_san &
lane_plain &
wait
trap - INT TERM
if summary; then
  echo "== all tests passed"
else
  echo "== FAILED: see the steps above and build/test-logs/"
  exit 1
fi
