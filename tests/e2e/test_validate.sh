#!/usr/bin/env bash
# End to end (issue 2): the real terraform CLI installs the provider from a
# filesystem mirror, `terraform validate` passes on every example and fails on bad
# configurations with the attribute path in the message, TF_LOG=trace shows the
# handshake with TLS, and no provider process is left after each command.
source "$(dirname "$0")/lib.sh"
e2e_init

validate_dir() {
  local d=$1
  tf "$d" init -input=false -no-color && tf "$d" validate -no-color
}

for ex in "$E2E_SRC"/examples/*/; do
  name=$(basename "$ex")
  d=$(e2e_workdir "ex-$name")
  cp "$ex"/*.tf "$d/"
  e2e_check "validate passes on examples/$name" validate_dir "$d"
  e2e_check "no provider process left after validate ($name)" e2e_no_provider_left
done

# A bad configuration: each error names its attribute path.
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
  name           = "x y"
  hash_key       = { name = "id", type = "Q" }
  billing_mode   = "ON_DEMAND"
  ttl            = { attribute_name = "" }
  timeouts       = { create = "soon" }
}
TF
bad_fails() {
  tf "$bad" init -input=false -no-color || return 1
  if tf "$bad" validate -no-color; then return 1; fi
  local log="$bad/last.log"
  grep -q 'Invalid table name' "$log" &&
    grep -q 'name           = "x y"' "$log" &&
    grep -q 'Invalid key type' "$log" &&
    grep -q 'Invalid billing mode' "$log" &&
    grep -q 'Invalid TTL attribute name' "$log" &&
    grep -q 'Invalid duration' "$log"
}
e2e_check "validate fails on a bad configuration with attribute paths" bad_fails
if [[ $E2E_FAILS -gt 0 ]]; then cat "$bad/last.log" >&2; fi

# Attribute paths as Terraform renders them for nested attributes (hash_key.type).
paths_shown() {
  TF_LOG=off terraform -chdir="$bad" validate -json >"$bad/validate.json" 2>/dev/null || true
  python3 - "$bad/validate.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {"Invalid key type", "Invalid table name", "Invalid billing mode", "Invalid TTL attribute name", "Invalid duration"}
got = {x["summary"] for x in d["diagnostics"] if x["severity"] == "error" and x.get("range")}
missing = want - got
if missing:
    print("diagnostics without a source range:", missing, file=sys.stderr)
    sys.exit(1)
PY
}
e2e_check "each validation error points at its attribute in the source" paths_shown

# The handshake over AutoMTLS, seen in Terraform's own trace log.
tls_handshake() {
  local d
  d=$(e2e_workdir "ex-registration-keys")
  TF_LOG=trace terraform -chdir="$d" validate -no-color >"$d/trace.log" 2>&1 || return 1
  grep -q 'configuring client automatic mTLS' "$d/trace.log" &&
    grep -Eq 'serving protocol 6 on [^ ]+/plugin.sock \(mTLS\)' "$d/trace.log" &&
    grep -q 'using plugin: version=6' "$d/trace.log" &&
    grep -q 'plugin process exited' "$d/trace.log" &&
    ! grep -q 'plugin failed to exit gracefully' "$d/trace.log"
}
e2e_check "TF_LOG=trace shows the protocol 6 handshake over TLS and a clean exit" tls_handshake
e2e_check "no provider process left after trace run" e2e_no_provider_left

# Run by hand without the magic cookie: a clear message and exit 1, not a hang.
by_hand() {
  local out rc
  out=$(timeout 5 "$E2E_BUILD/terraform-provider-dynamodb" 2>&1 </dev/null) && rc=0 || rc=$?
  [[ $rc -eq 1 ]] && grep -qi 'plugin' <<<"$out"
}
e2e_check "running the binary by hand explains itself and exits 1" by_hand

e2e_finish
