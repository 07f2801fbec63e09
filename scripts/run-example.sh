#!/usr/bin/env bash
# The main job: set up, build, start the local AWS emulator, apply an example, show
# its outputs, and stop the emulator.
#   scripts/run-example.sh [registration-keys|processing-results|adopt-existing|orders-with-indexes|
#                           migrate-from-aws-provider|restore]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
example=${1:-registration-keys}
cd "$root"
[[ -d examples/$example ]] || { echo "no such example: $example (see examples/)" >&2; exit 2; }
bash scripts/setup.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DTPD_TESTS=OFF >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
echo "built build-release/terraform-provider-dynamodb"

work=$(mktemp -d /tmp/tpd-example.XXXXXX)
emu_pid=""
cleanup() {
  if [[ -n $emu_pid ]]; then
    kill -TERM "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

export CHECKPOINT_DISABLE=1
export TF_CLI_CONFIG_FILE
TF_CLI_CONFIG_FILE=$(scripts/install-provider.sh build-release "$work")

python3 tests/emulator/server.py --port 0 --log "$work/requests.jsonl" >"$work/emu.out" 2>"$work/emu.err" &
emu_pid=$!
for _ in $(seq 1 300); do
  grep -q '^EMULATOR READY ' "$work/emu.out" 2>/dev/null && break
  kill -0 "$emu_pid" 2>/dev/null || break
  sleep 0.1
done
endpoint=$(sed -n 's/^EMULATOR READY \([^ ]*\).*/\1/p' "$work/emu.out")
[[ -n $endpoint ]] || { cat "$work/emu.err" >&2; exit 1; }
# The emulator's test credentials (tests/emulator/README.md).
eval "$(PYTHONPATH=tests/emulator python3 -c 'import emulator as e; print(f"export AWS_ACCESS_KEY_ID={e.ACCESS_KEY_ID} AWS_SECRET_ACCESS_KEY={e.SECRET_ACCESS_KEY}")')"
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true TF_VAR_endpoint="$endpoint"
echo "emulator running at $endpoint (pid $emu_pid)"

count_items() {
  python3 -c '
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
print(ddb.scan(TableName=sys.argv[2], Select="COUNT")["Count"])' "$endpoint" "$1"
}

cp "examples/$example"/*.tf "$work/"
if [[ $example == adopt-existing ]]; then
  python3 -c '
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
ddb.create_table(TableName="firefly-legacy-sessions", BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
                 KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}])
for i in range(5):
    ddb.put_item(TableName="firefly-legacy-sessions",
                 Item={"session_id": {"S": "session-%d" % i}, "expires_at": {"N": str(4102444800 + i)}})' "$endpoint"
  echo "created table firefly-legacy-sessions outside Terraform with $(count_items firefly-legacy-sessions) items"
fi
if [[ $example == migrate-from-aws-provider ]]; then
  # The starting point: the table as hashicorp/aws manages it, with items (README.md).
  mkdir -p "$work/before"
  cp "examples/$example/before/main.tf" "$work/before/"
  terraform -chdir="$work/before" init -input=false -no-color >/dev/null
  terraform -chdir="$work/before" apply -input=false -auto-approve -no-color | tail -1
  python3 -c '
import sys, boto3
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
for i in range(10):
    ddb.put_item(TableName="firefly-orders-migrated",
                 Item={"customer_id": {"S": "c%d" % (i % 3)}, "order_id": {"S": "o%03d" % i},
                       "status": {"S": "open"}, "total": {"N": str(10 * i)}})' "$endpoint"
  echo "hashicorp/aws made firefly-orders-migrated; $(count_items firefly-orders-migrated) items written"
  cp "$work/before/terraform.tfstate" "$work/"
fi
if [[ $example == restore ]]; then
  # The source: a table with items and an on-demand backup of it (main.tf).
  TF_VAR_backup_arn=$(python3 -c '
import sys, time, boto3
ddb = boto3.client("dynamodb", endpoint_url=sys.argv[1], region_name="us-east-1")
ddb.create_table(TableName="firefly-orders-live", BillingMode="PAY_PER_REQUEST",
                 AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                       for a in ("order_id", "status", "customer_id")],
                 KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                 GlobalSecondaryIndexes=[
                     {"IndexName": i, "KeySchema": [{"AttributeName": a, "KeyType": "HASH"}],
                      "Projection": {"ProjectionType": p}}
                     for i, a, p in (("by_status", "status", "KEYS_ONLY"),
                                     ("by_customer", "customer_id", "ALL"))])
ddb.get_waiter("table_exists").wait(TableName="firefly-orders-live", WaiterConfig={"Delay": 1})
for i in range(10):
    ddb.put_item(TableName="firefly-orders-live",
                 Item={"order_id": {"S": "o%03d" % i}, "status": {"S": "open"},
                       "customer_id": {"S": "c%d" % (i % 3)}})
arn = ddb.create_backup(TableName="firefly-orders-live", BackupName="nightly")["BackupDetails"]["BackupArn"]
while ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] != "AVAILABLE":
    time.sleep(0.2)
print(arn)' "$endpoint")
  export TF_VAR_backup_arn
  echo "firefly-orders-live has $(count_items firefly-orders-live) items; backup $TF_VAR_backup_arn"
fi
terraform -chdir="$work" init -input=false -no-color >/dev/null
terraform -chdir="$work" apply -input=false -auto-approve -no-color
terraform -chdir="$work" output -no-color
if [[ $example == adopt-existing ]]; then
  echo "items in the adopted table after apply: $(count_items firefly-legacy-sessions)"
fi
if [[ $example == migrate-from-aws-provider ]]; then
  echo "items in the moved table after apply: $(count_items firefly-orders-migrated)"
  echo "state: $(terraform -chdir="$work" state list | tr '\n' ' ')"
fi
if [[ $example == restore ]]; then
  echo "items in the restored table after apply: $(count_items firefly-orders-restored)"
fi
echo "second plan (expect no changes):"
terraform -chdir="$work" plan -input=false -no-color -detailed-exitcode | tail -3
