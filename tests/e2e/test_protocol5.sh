#!/usr/bin/env bash
# End to end: plugin protocol 5 (provider/rpc5.c) with the real terraform CLI.
# Terraform 1.x speaks 5 and 6 and so gets 6 from us; TPD_PLUGIN_MAX_PROTOCOL=5 (a
# testing aid read by provider/main.c, inherited from terraform's environment) caps
# what we offer, so terraform talks protocol 5. Checked: the handshake line carries the
# negotiated version, `terraform init` + `validate` pass on every example over 5 (nested
# attributes become object-typed attributes there), errors keep their attribute paths,
# and create / no-change plan / destroy work against the emulator over 5.
source "$(dirname "$0")/lib.sh"
e2e_init

# The handshake line's second field is the negotiated version (plaintext: no client
# certificate). The binary keeps serving after the line: once the line is read it is
# stopped by its PID (SIGTERM: clean shutdown). The read's timeout only keeps a binary
# that never prints the line from hanging the test.
handshake_version() { # handshake_version HOST_VERSIONS [CAP]
  local line=""
  coproc HS {
    TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
      PLUGIN_PROTOCOL_VERSIONS=$1 TPD_PLUGIN_MAX_PROTOCOL=${2:-} \
      exec "$E2E_BUILD/terraform-provider-dynamodb" </dev/null 2>/dev/null
  }
  local pid=$HS_PID
  IFS= read -r -t 60 -u "${HS[0]}" line || true
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cut -d'|' -f1,2 <<<"$line"
}
negotiation() {
  [[ $(handshake_version 5,6) == "1|6" ]] &&
    [[ $(handshake_version 5) == "1|5" ]] &&
    [[ $(handshake_version 6) == "1|6" ]] &&
    [[ $(handshake_version 5,6 5) == "1|5" ]]
}
e2e_check "handshake: highest common version, capped by TPD_PLUGIN_MAX_PROTOCOL" negotiation

bad_cap() {
  local out rc
  out=$(TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 \
    PLUGIN_PROTOCOL_VERSIONS=5,6 TPD_PLUGIN_MAX_PROTOCOL=4 \
    timeout 5 "$E2E_BUILD/terraform-provider-dynamodb" 2>&1 </dev/null) && rc=0 || rc=$?
  [[ $rc -eq 1 ]] && grep -q 'TPD_PLUGIN_MAX_PROTOCOL' <<<"$out"
}
e2e_check "TPD_PLUGIN_MAX_PROTOCOL below every version we speak fails clearly" bad_cap

export TPD_PLUGIN_MAX_PROTOCOL=5

validate_dir() {
  local d=$1
  tf "$d" init -input=false -no-color && tf "$d" validate -no-color
}
for ex in "$E2E_SRC"/examples/*/; do
  name=$(basename "$ex")
  d=$(e2e_workdir "ex-$name")
  cp "$ex"/*.tf "$d/"
  e2e_check "protocol 5: validate passes on examples/$name" validate_dir "$d"
done

trace_v5() {
  local d
  d=$(e2e_workdir "ex-registration-keys")
  TF_LOG=trace terraform -chdir="$d" validate -no-color >"$d/trace.log" 2>&1 || return 1
  grep -q 'using plugin: version=5' "$d/trace.log" &&
    grep -Eq 'serving protocol 5 on [^ ]+/plugin.sock \(mTLS\)' "$d/trace.log" &&
    ! grep -q 'using plugin: version=6' "$d/trace.log" &&
    grep -q 'plugin process exited' "$d/trace.log"
}
e2e_check "TF_LOG=trace shows 'using plugin: version=5' over mTLS" trace_v5
e2e_check "no provider process left after the protocol 5 runs" e2e_no_provider_left

# Bad configuration: the errors come back over protocol 5 with their attribute paths
# (Terraform shows a source range only when the path resolves, nested ones included).
bad=$(e2e_workdir bad)
cat >"$bad/main.tf" <<'TF'
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "us-east-1"
}
resource "dynamodb_ttl_table" "bad" {
  name         = "x y"
  hash_key     = { name = "id", type = "Q" }
  billing_mode = "ON_DEMAND"
  ttl          = { attribute_name = "" }
  timeouts     = { create = "soon" }
  global_secondary_indexes = [
    { name = "by_a", hash_key = { name = "a", type = "S" } },
    { name = "by_b", hash_key = { name = "b", type = "S" }, projection_type = "WRONG" },
  ]
}
TF
bad_paths() {
  tf "$bad" init -input=false -no-color || return 1
  TF_LOG=off terraform -chdir="$bad" validate -json >"$bad/validate.json" 2>/dev/null && return 1
  python3 - "$bad/validate.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {"Invalid key type", "Invalid table name", "Invalid billing mode", "Invalid TTL attribute name", "Invalid duration",
        "Invalid projection type"}
got = {x["summary"] for x in d["diagnostics"] if x["severity"] == "error" and x.get("range")}
missing = want - got
if missing:
    print("missing or without a source range:", missing, file=sys.stderr)
    sys.exit(1)
# An index's error points at that element of the list (the second one, on line 17).
proj = [x for x in d["diagnostics"] if x["summary"] == "Invalid projection type"]
if proj[0]["range"]["start"]["line"] != 17:
    print("index error not on its element:", proj[0]["range"], file=sys.stderr)
    sys.exit(1)
PY
}
e2e_check "protocol 5: validate errors carry their attribute paths" bad_paths

# Create, no-change plan and destroy against the emulator, all over protocol 5.
e2e_start_emulator
app=$(e2e_workdir app)
cat >"$app/main.tf" <<'TF'
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
variable "endpoint" {
  type = string
}
provider "dynamodb" {
  region = "us-east-1"
  endpoints {
    dynamodb       = var.endpoint
    cloudformation = var.endpoint
    sts            = var.endpoint
  }
}
resource "dynamodb_ttl_table" "t" {
  name                        = "tpd-protocol5"
  hash_key                    = { name = "id", type = "S" }
  range_key                   = { name = "at", type = "N" }
  ttl                         = { attribute_name = "expires_at" } # enabled left out: null means true
  deletion_protection_enabled = false
  tags                        = { app = "protocol5" }
  timeouts                    = { create = "5m" }
  # Lists of objects with nested objects and optional attributes left out (null: the
  # defaults), as object types over protocol 5.
  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" } },
    { name = "by_owner", hash_key = { name = "owner", type = "S" }, range_key = { name = "at", type = "N" },
      projection_type = "INCLUDE", non_key_attributes = ["total"] },
  ]
  local_secondary_indexes = [{ name = "by_size", range_key = { name = "size", type = "N" } }]
  stream                  = { view_type = "KEYS_ONLY" }
  server_side_encryption  = { kms_key_arn = null }
}
TF
lifecycle_v5() {
  tf "$app" init -input=false -no-color || return 1
  TF_LOG=trace terraform -chdir="$app" apply -auto-approve -input=false -no-color >"$app/apply.log" 2>&1 || return 1
  grep -q 'using plugin: version=5' "$app/apply.log" || return 1
  [[ $(e2e_mutating_calls) -ge 1 ]] || return 1
  tf "$app" plan -detailed-exitcode -input=false -no-color || return 1
  tf "$app" destroy -auto-approve -input=false -no-color || return 1
  grep -q 'Destroy complete! Resources: 1 destroyed.' "$app/last.log"
}
e2e_check "protocol 5: apply, no-change plan and destroy against the emulator" lifecycle_v5
if [[ $E2E_FAILS -gt 0 ]]; then tail -n 40 "$app/last.log" >&2 || true; fi
e2e_check "no provider process left after the emulator runs" e2e_no_provider_left

e2e_finish
