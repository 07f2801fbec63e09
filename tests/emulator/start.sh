#!/usr/bin/env bash
# Start the emulator in the background on a free loopback port.
#   usage: tests/emulator/start.sh LOGFILE [server.py flags...]
#   prints: PORT PID        (stop it with: kill -TERM PID)
#           PORT PID CAFILE with --tls
# The server's stderr goes to LOGFILE.stderr.
set -euo pipefail
log=${1:?usage: start.sh LOGFILE [flags...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-python3}
fifo=$(mktemp -u "${TMPDIR:-/tmp}/emulator-ready.XXXXXX")
mkfifo "$fifo"
trap 'rm -f "$fifo"' EXIT
"$py" "$here/server.py" --port 0 --log "$log" "$@" >"$fifo" 2>"$log.stderr" </dev/null &
bgpid=$!
if ! read -r -t 60 line <"$fifo"; then
  kill -TERM "$bgpid" 2>/dev/null || true
  echo "emulator did not start; see $log.stderr" >&2
  exit 1
fi
case "$line" in
  "EMULATOR READY http://127.0.0.1:"* | "EMULATOR READY https://127.0.0.1:"*) ;;
  *) kill -TERM "$bgpid" 2>/dev/null || true; echo "unexpected: $line" >&2; exit 1 ;;
esac
url=${line#EMULATOR READY }
url=${url%% *}
port=${url##*:}
pid=${line##*pid=}
pid=${pid%% *}
case "$line" in
  *" ca="*) ca=${line##* ca=}; echo "$port $pid $ca" ;;
  *) echo "$port $pid" ;;
esac
