#!/usr/bin/env bash
# The verdict of scripts/test.sh comes from its record of steps (build/test-logs/steps);
# `scripts/test.sh summary DIR` reads a record as the end of a run does. A record that is
# missing, unreadable or empty must fail the run: a run whose checkout was deleted under
# it once printed "all tests passed" with no step recorded.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
expect() {  # WANTED_STATUS WHAT DIR
  local want=$1 what=$2 dir=$3 out rc
  out=$(bash "$root/scripts/test.sh" summary "$dir" 2>&1)
  rc=$?
  if [[ $rc != "$want" ]]; then
    echo "FAIL: $what: exit $rc, wanted $want; output:"
    echo "$out" | sed 's/^/    /'
    fails=$((fails + 1))
  else
    echo "ok: $what (exit $rc)"
  fi
}

mkdir -p "$work/passed" "$work/failed" "$work/empty" "$work/garbled"
printf 'build 0 60 90\nunit-aws 0 30 40\n' >"$work/passed/steps"
printf 'build 0 60 90\nsan-tests 8 600 900\n' >"$work/failed/steps"
: >"$work/empty/steps"
printf 'build\n' >"$work/garbled/steps"

expect 0 "every recorded step passed" "$work/passed"
expect 1 "one recorded step failed" "$work/failed"
expect 1 "the record is empty" "$work/empty"
expect 1 "the record is missing" "$work/missing"
expect 1 "a record line without its status" "$work/garbled"
if [[ $(id -u) != 0 ]]; then  # root reads a file whatever its mode
  mkdir -p "$work/unreadable" && cp "$work/passed/steps" "$work/unreadable/steps" && chmod 000 "$work/unreadable/steps"
  expect 1 "the record cannot be read" "$work/unreadable"
fi
((fails == 0)) || { echo "$fails case(s) failed"; exit 1; }
echo "all cases passed"
