#!/usr/bin/env bash
# The opt-in acceptance run (docs/testing.md "Acceptance run"): the e2e scenarios of
# tests/e2e/acceptance.list against whatever AWS the environment's credentials reach.
#
#   TPD_ACC=1 TPD_ACC_ACCOUNT=123456789012 AWS_REGION=eu-west-1 scripts/acceptance.sh [BUILD_DIR]
#
# It refuses to start without TPD_ACC=1 (before any AWS call), and against an account
# other than TPD_ACC_ACCOUNT (STS GetCallerIdentity, before anything is created). Every
# table and stack it makes is named TPD_ACC_PREFIX (default tpdacc-<8 random>-) + a
# scenario's name; every table is PAY_PER_REQUEST. It prints an estimate of the cost, runs
# the scenarios, then removes what is left of the prefix (scripts/sweep.sh PREFIX --yes)
# and checks nothing is (TPD_ACC_KEEP=1 leaves it, for scripts/sweep.sh later).
#
#   TPD_ACC_EMULATOR=1   start tests/emulator on 127.0.0.1 over TLS with AWS's API rate
#                        limits on (every other strict behaviour is on by default) and run
#                        against it: its credentials, endpoint and CA, its account id
#                        (123456789012) as TPD_ACC_ACCOUNT unless set. What CI runs
#                        (tests/e2e/test_acceptance.py); nothing leaves the machine.
#   TPD_ACC_SCENARIOS    ids or parts of ids of acceptance.list to run (default: all)
#   TPD_ACC_KEEP=1       do not sweep at the end
# Exit status: 0 all scenarios passed and nothing is left; 1 a scenario failed or
# something is left; 2 refused.
set -euo pipefail
# The whole run is one function, read before it starts: bash reads a script as it runs it, so
# an edit of this file during a run would otherwise change the rest of that run.
main() {
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" 2>/dev/null && pwd) || { echo "acceptance.sh: no build directory ${1:-$root/build}" >&2; exit 2; }
py=${PYTHON:-python3}
list=$root/tests/e2e/acceptance.list

say() { printf 'acceptance: %s\n' "$*"; }
refuse() {
  printf 'acceptance: REFUSED: %s\n' "$1" >&2
  shift
  local l
  for l in "$@"; do printf '  %s\n' "$l" >&2; done
  exit 2
}

# ---- 1. opted in? (nothing has been contacted yet)
if [[ ${TPD_ACC:-} != 1 ]]; then
  refuse "TPD_ACC=1 is not set." \
    "This run creates DynamoDB tables (PAY_PER_REQUEST) and CloudFormation stacks in the AWS" \
    "account your credentials reach, and deletes them at the end (docs/testing.md)." \
    "To run it: TPD_ACC=1 TPD_ACC_ACCOUNT=<the 12-digit account id you mean> $0" \
    "Against the local emulator instead: TPD_ACC=1 TPD_ACC_EMULATOR=1 $0"
fi
[[ -x $build/terraform-provider-dynamodb ]] || refuse "no provider in $build (build it first: README.md)"
command -v terraform >/dev/null || refuse "terraform is not on PATH"
"$py" -c 'import boto3' 2>/dev/null || refuse "python3 cannot import boto3 (the scenarios and the sweeper use it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/tpd-acc.XXXXXX")
emu_pid=""
prefix=""
started=0 swept=0
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  local rc=$?
  if [[ -n $emu_pid ]]; then
    kill -TERM "$emu_pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$emu_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
  if ((started && !swept)) && [[ ${TPD_ACC_KEEP:-} != 1 ]]; then
    printf 'acceptance: stopped before the sweep; to list what the run made, and remove it: scripts/sweep.sh %s [--yes]\n' "$prefix" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
# Ctrl-C or SIGTERM: stop. While the scenarios run, the signal reaches them too (the
# terminal's process group); the run then stops without sweeping and says how to.
interrupted=0
# shellcheck disable=SC2317  # run by the INT and TERM traps
on_signal() {
  interrupted=1
  if ((!started || swept)); then exit 130; fi
}
trap on_signal INT TERM

# ---- 2. the emulator mode: the same run, against tests/emulator over TLS
if [[ ${TPD_ACC_EMULATOR:-} == 1 ]]; then
  read -r port emu_pid ca < <("$root/tests/emulator/start.sh" "$work/requests.jsonl" --tls --rate-limits aws) ||
    refuse "the emulator did not start (see $work/requests.jsonl.stderr)"
  [[ -n ${ca:-} ]] || refuse "the emulator printed no CA file"
  unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_DYNAMODB \
    AWS_ENDPOINT_URL_CLOUDFORMATION AWS_ENDPOINT_URL_STS
  export AWS_ACCESS_KEY_ID=AKIAEMULATORTEST0001 AWS_SECRET_ACCESS_KEY=EmulatorTestSecretKey0000000000000000000 \
    AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="https://127.0.0.1:$port" \
    AWS_CA_BUNDLE="$ca" AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null \
    AWS_SHARED_CREDENTIALS_FILE=/dev/null TPD_E2E_EMULATOR_LOG="$work/requests.jsonl"
  : "${TPD_ACC_ACCOUNT:=123456789012}" # the emulator's account (tests/emulator/README.md)
  say "emulator mode: tests/emulator at $AWS_ENDPOINT_URL (pid $emu_pid, TLS, strict, AWS's API rate limits)"
fi
# The scenarios run with AWS_EC2_METADATA_DISABLED=true (tests/e2e/harness.py, as every
# test here): the account check and the sweeper use the same credentials, so they too.
export AWS_EC2_METADATA_DISABLED=true
# One region for all: the provider reads AWS_REGION, boto3 AWS_DEFAULT_REGION.
export AWS_REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
export AWS_DEFAULT_REGION=$AWS_REGION

# ---- 3. the account: the one named, checked before anything is created
[[ ${TPD_ACC_ACCOUNT:-} =~ ^[0-9]{12}$ ]] ||
  refuse "TPD_ACC_ACCOUNT must name the 12-digit AWS account this run may use (it is '${TPD_ACC_ACCOUNT:-}')." \
    "Find the one your credentials reach: aws sts get-caller-identity --query Account"
ident=$("$py" -c '
import sys, boto3
try:
    r = boto3.client("sts", region_name=sys.argv[1]).get_caller_identity()
except Exception as e:
    print("ERROR", str(e).replace("\n", " "))
    sys.exit(0)
print(r["Account"], r["Arn"])' "$AWS_REGION") || refuse "STS GetCallerIdentity could not be run"
read -r account arn <<<"$ident"
[[ $account != ERROR ]] || refuse "STS GetCallerIdentity failed: $arn" "Nothing was created."
if [[ $account != "$TPD_ACC_ACCOUNT" ]]; then
  refuse "the credentials reach account $account ($arn), not TPD_ACC_ACCOUNT=$TPD_ACC_ACCOUNT." \
    "Nothing was created. If $account is an account this run may use:" \
    "TPD_ACC_ACCOUNT=$account"
fi

# ---- 4. the prefix, the scenarios, the estimate
prefix=${TPD_ACC_PREFIX:-tpdacc-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')-}
[[ $prefix =~ ^tpdacc-[a-z0-9]{4,32}-$ ]] || refuse "TPD_ACC_PREFIX must be tpdacc-, 4 to 32 of a-z 0-9, then - (it is '$prefix')"
ids=() tables=0 writes=0 reads=0
while read -r id t w r; do
  [[ -z $id || $id == \#* ]] && continue
  if [[ -n ${TPD_ACC_SCENARIOS:-} ]]; then
    hit=0
    for s in ${TPD_ACC_SCENARIOS//,/ }; do [[ $id == *"$s"* ]] && hit=1; done
    ((hit)) || continue
  fi
  ids+=("$id")
  tables=$((tables + t)) writes=$((writes + w)) reads=$((reads + r))
done <"$list"
((${#ids[@]})) || refuse "no scenario of tests/e2e/acceptance.list matches TPD_ACC_SCENARIOS='${TPD_ACC_SCENARIOS:-}'"

say "account $account ($arn), region $AWS_REGION, prefix $prefix"
say "${#ids[@]} scenarios; they create $tables DynamoDB tables (PAY_PER_REQUEST) and their CloudFormation stacks, all named ${prefix}*"
# The prices are docs/testing.md's ("What it costs"): on-demand requests per million
# units, storage per GB-month; the tables live minutes and hold kilobytes.
awk -v t="$tables" -v w="$writes" -v r="$reads" 'BEGIN {
  req = w * 0.625e-6 + r * 0.125e-6          # on-demand write / read request units
  sto = t * 0.001 * (0.25 + 0.20) / 720      # 1 MB per table for an hour: storage + PITR
  printf "acceptance: estimated cost: about $%.6f (%d write and %d read request units: $%.6f; storage,\n", req + sto, w, r, req
  printf "acceptance:   point-in-time recovery and streams for the run'"'"'s minutes: under $%.4f; CloudFormation and STS: no charge),\n", sto + 0.00005
  printf "acceptance:   at us-east-1 on-demand prices; other regions cost up to about twice that%s.\n",
    (2 * (req + sto + 0.00005) < 0.01) ? ": under one cent" : "" }'

# ---- 5. run, then sweep
rc=0
started=1 # before the line that says so: a stop after it leaves something to sweep
say "running: ${ids[*]}"
(
  cd "$root/tests/e2e"
  TPD_E2E_TARGET=external TPD_E2E_PREFIX=$prefix TPD_SOURCE_DIR=$root TPD_BUILD_DIR=$build \
    CHECKPOINT_DISABLE=1 "$py" -m unittest -v "${ids[@]}"
) || rc=1
if ((interrupted)); then
  say "interrupted"
  exit 130
fi
if [[ ${TPD_ACC_KEEP:-} == 1 ]]; then
  say "TPD_ACC_KEEP=1: left as it is; remove it with: scripts/sweep.sh $prefix --yes"
else
  say "sweeping $prefix"
  swept=1
  "$root/scripts/sweep.sh" "$prefix" --yes || rc=1
  # The proof: a dry run finds nothing of the prefix.
  if "$root/scripts/sweep.sh" "$prefix" >"$work/check.out" 2>&1; then
    say "nothing of $prefix is left"
  else
    cat "$work/check.out"
    say "LEFT in account $account: see above; scripts/sweep.sh $prefix --yes"
    rc=1
  fi
fi
if ((rc == 0)); then
  say "PASSED: ${#ids[@]} scenarios against account $account, region $AWS_REGION, prefix $prefix"
else
  say "FAILED (prefix $prefix)"
fi
exit "$rc"
}
main "$@"
