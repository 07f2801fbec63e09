# Shared helpers for the end-to-end tests: each test script sources this file, calls
# e2e_init, and uses the real `terraform` CLI with the built provider installed in a
# private filesystem mirror. Servers are started on 127.0.0.1 and stopped by PID.
# shellcheck shell=bash
set -euo pipefail

E2E_SRC=${TPD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_BUILD=${TPD_BUILD_DIR:-$E2E_SRC/build}
export CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_LOG TF_LOG_PATH TF_LOG_PROVIDER

E2E_PIDS=() # servers started by this shell (its children), stopped by e2e_cleanup
E2E_FAILS=0
E2E_PASSES=0
E2E_STOP_GRACE=10 # seconds a server has to exit after SIGTERM

e2e_log() { printf '[e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# e2e_stop PID: SIGTERM, then wait for the exit (PID is a child of this shell). A process
# still running E2E_STOP_GRACE seconds later is killed, and the run fails: the servers
# here stop cleanly on SIGTERM (tests/emulator/README.md).
e2e_stop() {
  local pid=$1 killer
  kill -TERM "$pid" 2>/dev/null || return 0
  (
    trap 'kill "${s:-}" 2>/dev/null; exit 0' TERM
    sleep "$E2E_STOP_GRACE" &
    s=$!
    wait "$s"
    trap '' TERM # decided: report what happens next, even if the wait below ends now
    if kill -KILL "$pid" 2>/dev/null; then
      e2e_log "FAIL: pid $pid still ran ${E2E_STOP_GRACE} s after SIGTERM: killed"
      exit 3
    fi
  ) &
  killer=$!
  wait "$pid" 2>/dev/null || true
  kill -TERM "$killer" 2>/dev/null || true
  local st=0
  wait "$killer" || st=$? # 3: it had to kill; anything else: the process exited in time
  ((st != 3))
}

e2e_cleanup() {
  local rc=$? pid
  for pid in "${E2E_PIDS[@]:-}"; do
    [[ -n $pid ]] || continue
    e2e_stop "$pid" || rc=1
  done
  if [[ -n ${E2E_DIR:-} && -z ${E2E_KEEP:-} ]]; then rm -rf "$E2E_DIR"; fi
  exit "$rc"
}

# e2e_init: temp dir, provider installed into a mirror, CLI config exported.
e2e_init() {
  E2E_DIR=$(mktemp -d /tmp/tpd-e2e.XXXXXX)
  trap e2e_cleanup EXIT
  export TF_CLI_CONFIG_FILE
  TF_CLI_CONFIG_FILE=$("$E2E_SRC/scripts/install-provider.sh" "$E2E_BUILD" "$E2E_DIR")
  export TF_PLUGIN_CACHE_DIR=""
  unset TF_PLUGIN_CACHE_DIR
}

# e2e_start_emulator [extra server.py flags...]: sets E2E_ENDPOINT, E2E_EMU_PID, E2E_EMU_LOG
# and exports the emulator's test credentials and region for the provider.
# TPD_E2E_RATE_LIMITS ("aws", "aws,DescribeStacks:2:2"; harness.py rate_limit_flags) adds
# AWS's account-wide API rate limits; the test's own flags come after, so they win.
e2e_start_emulator() {
  E2E_EMU_LOG="$E2E_DIR/requests.jsonl"
  # The ready line is the event: read it from a FIFO (end of file if the server dies first).
  local ready="$E2E_DIR/emulator.ready" line="" part limits=()
  local -a parts=()
  IFS=, read -ra parts <<<"${TPD_E2E_RATE_LIMITS:-}"
  for part in "${parts[@]}"; do
    part=${part// /}
    [[ -n $part && $part != off ]] || continue
    if [[ $part == *:* ]]; then limits+=(--rate-limit "$part"); else limits+=(--rate-limits "$part"); fi
  done
  mkfifo "$ready"
  python3 "$E2E_SRC/tests/emulator/server.py" --port 0 --log "$E2E_EMU_LOG" "${limits[@]}" "$@" >"$ready" 2>"$E2E_DIR/emulator.err" </dev/null &
  E2E_EMU_PID=$!
  E2E_PIDS+=("$E2E_EMU_PID")
  if ! read -r -t 60 line <"$ready" || [[ $line != "EMULATOR READY "* ]]; then
    e2e_log "emulator did not start within 60 s (${line:-no ready line})"
    cat "$E2E_DIR/emulator.err" >&2
    return 1
  fi
  E2E_ENDPOINT=${line#EMULATOR READY }
  E2E_ENDPOINT=${E2E_ENDPOINT%% *}
  # Credentials the emulator accepts (tests/emulator/README.md).
  eval "$(e2e_emulator_credentials)"
  export AWS_REGION=us-east-1
  unset AWS_PROFILE AWS_DEFAULT_PROFILE
  export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
  export TF_VAR_endpoint="$E2E_ENDPOINT"
  e2e_log "emulator at $E2E_ENDPOINT (pid $E2E_EMU_PID)"
}

# e2e_emulator_credentials: export lines for the emulator's test credentials.
e2e_emulator_credentials() {
  PYTHONPATH="$E2E_SRC/tests/emulator" python3 -c 'import emulator as e; print(f"export AWS_ACCESS_KEY_ID={e.ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={e.SECRET_ACCESS_KEY}")'
}

# e2e_emu_control PATH JSON: POST to the emulator's control API.
e2e_emu_control() {
  curl -fsS -X POST -H 'Content-Type: application/json' --data "$2" "$E2E_ENDPOINT/_emulator/$1" >/dev/null
}

# e2e_count_calls OPERATION: how many logged API calls had that operation.
e2e_count_calls() {
  python3 - "$E2E_EMU_LOG" "$1" <<'PY'
import json, sys
n = 0
with open(sys.argv[1]) as f:
    for line in f:
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if r.get("operation") == sys.argv[2]:
            n += 1
print(n)
PY
}

# e2e_mutating_calls: count of logged calls that change something (anything but
# Describe*/List*/Get*/Scan/Query and the STS identity call).
e2e_mutating_calls() {
  python3 - "$E2E_EMU_LOG" <<'PY'
import json, sys
n = 0
with open(sys.argv[1]) as f:
    for line in f:
        try:
            op = json.loads(line).get("operation", "")
        except ValueError:
            continue
        if not op.startswith(("Describe", "List", "Get", "Scan", "Query")) and op not in ("",):
            n += 1
print(n)
PY
}

# e2e_workdir NAME: a fresh directory for one terraform configuration.
e2e_workdir() {
  local d="$E2E_DIR/$1"
  mkdir -p "$d"
  echo "$d"
}

# tf DIR ARGS...: run terraform in DIR, output to DIR/last.log (also echoed on failure).
tf() {
  local d=$1
  shift
  if terraform -chdir="$d" "$@" >"$d/last.log" 2>&1; then
    return 0
  else
    local rc=$?
    return $rc
  fi
}

# e2e_no_provider_left: the provider process has exited after a terraform command.
e2e_no_provider_left() {
  ! pgrep -f "$E2E_DIR/.*terraform-provider-dynamodb|$E2E_DIR/mirror" >/dev/null 2>&1
}

e2e_check() { # e2e_check "description" command...
  local what=$1
  shift
  if "$@"; then
    E2E_PASSES=$((E2E_PASSES + 1))
    e2e_log "ok: $what"
  else
    E2E_FAILS=$((E2E_FAILS + 1))
    e2e_log "FAIL: $what"
  fi
}

e2e_finish() {
  echo "$E2E_PASSES passed, $E2E_FAILS failed"
  [[ $E2E_FAILS -eq 0 ]]
}
