#!/usr/bin/env bash
# The main job: set up, build, start the local AWS emulator, apply an example, show
# its outputs, and stop the emulator.
#   scripts/run-example.sh [registration-keys|processing-results|adopt-existing]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
example=${1:-registration-keys}
cd "$root"
bash scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTPD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
echo "built build-release/terraform-provider-dynamodb"

work=$(mktemp -d /tmp/tpd-example.XXXXXX)
emu_pid=""
cleanup() {
  [[ -n $emu_pid ]] && kill -TERM "$emu_pid" 2>/dev/null && wait "$emu_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export CHECKPOINT_DISABLE=1
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE=$(scripts/install-provider.sh build-release "$work")

python3 tests/emulator/server.py --port 0 --log "$work/requests.jsonl" >"$work/emu.out" 2>"$work/emu.err" &
emu_pid=$!
for _ in $(seq 1 150); do grep -q '^EMULATOR READY ' "$work/emu.out" 2>/dev/null && break; sleep 0.1; done
endpoint=$(sed -n 's/^EMULATOR READY \([^ ]*\).*/\1/p' "$work/emu.out")
[[ -n $endpoint ]] || { cat "$work/emu.err" >&2; exit 1; }
eval "$(python3 tests/emulator/emulator.py --print-env)"
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true TF_VAR_endpoint="$endpoint"
echo "emulator running at $endpoint (pid $emu_pid)"

cp "examples/$example"/*.tf "$work/"
if [[ $example == adopt-existing ]]; then
  echo "creating table firefly-legacy-sessions outside Terraform, with items"
  python3 tests/emulator/emulator.py --endpoint "$endpoint" --create-table firefly-legacy-sessions:session_id:S --put-items 5
fi
terraform -chdir="$work" init -input=false -no-color >/dev/null
terraform -chdir="$work" apply -input=false -auto-approve -no-color
terraform -chdir="$work" output -no-color
echo "second plan (expect no changes):"
terraform -chdir="$work" plan -input=false -no-color -detailed-exitcode | tail -3
