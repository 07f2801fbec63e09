#!/usr/bin/env bash
# Runs the safety walk (tests/safety/walk.py, see tests/safety/README.md) with new
# random seeds for as long as asked, and keeps every failing seed's reproduction
# (seed-N.json, replayable with walk.py --replay) and its log under tests/safety/results/.
#
#   scripts/safety.sh SECONDS            e.g. scripts/safety.sh 3600
#   STEPS=60 JOBS=2 scripts/safety.sh 600
#
# A seed that is running when the time is up finishes (and shrinks, at most 300 s).
# Exits 1 when a seed found a violation, 2 when the walk itself failed, else 0.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:?usage: scripts/safety.sh SECONDS}
steps=${STEPS:-40}
jobs=${JOBS:-1}
build=${TPD_BUILD_DIR:-$root/build}
results=$root/tests/safety/results
mkdir -p "$results"
export CHECKPOINT_DISABLE=1 AWS_EC2_METADATA_DISABLED=true TPD_SOURCE_DIR=$root TPD_BUILD_DIR=$build

if [[ ! -x $build/terraform-provider-dynamodb ]]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build" -j2 --target terraform-provider-dynamodb
fi

end=$((SECONDS + seconds))
status=$(mktemp -d)
trap 'rm -rf "$status"' EXIT

one() {  # one seed; its log is kept only when it failed
  local seed=$1 left=$2 log=$results/seed-$1.log rc=0
  local shrink=$((left < 300 ? (left > 30 ? left : 30) : 300))
  python3 "$root/tests/safety/walk.py" --seed "$seed" --steps "$steps" --out "$results" \
    --shrink-seconds "$shrink" >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    rm -f "$log"
    echo "seed $seed: no violation"
  else
    echo "seed $seed: exit $rc ($( ((rc == 1)) && echo violation || echo 'walk error')): $log"
    grep -m3 "VIOLATION R" "$log" | sed 's/^ */    /' || true
  fi
  echo "$rc" >"$status/$seed"
}

runs=0
while ((SECONDS < end)); do
  for ((j = 0; j < jobs && SECONDS < end; j++)); do
    seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    one "$seed" $((end - SECONDS)) &
    runs=$((runs + 1))
  done
  wait
done

fails=$( (grep -lx 1 "$status"/* 2>/dev/null || true) | wc -l)
errors=$( (grep -Lx '[01]' "$status"/* 2>/dev/null || true) | wc -l)
echo "safety: $runs seeds of $steps steps in ${seconds}s: $fails with a violation, $errors walk errors"
echo "        reproductions in $results"
((fails == 0)) || exit 1
((errors == 0)) || exit 2
