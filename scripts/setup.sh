#!/usr/bin/env bash
# Installs everything the build, the tests and the benchmarks need on Debian 12.
# Idempotent: packages already present are left alone. Needs root (or sudo).
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libgrpc-dev protobuf-c-compiler libprotobuf-c-dev
  libmsgpack-dev libcurl4-openssl-dev libssl-dev
  libcmocka-dev libjansson-dev libexpat1-dev libyaml-dev
  clang clang-format clang-tidy libclang-rt-14-dev valgrind
  gnuplot-nox time procps
  gpg gpg-agent
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Python side of the test emulator. PyPI may not be reachable here, so check and explain.
if ! python3 - <<'PY' 2>/dev/null
import moto, boto3, botocore, cfnlint, cryptography  # noqa: F401
from moto.server import ThreadedMotoServer  # noqa: F401
PY
then
  cat >&2 <<'MSG'
setup: the test emulator needs Python 3 with moto 5.2 (server extras), boto3, botocore and cfn-lint.
       Install them with:  python3 -m pip install 'moto[server]==5.2.1' boto3 cfn-lint
MSG
  exit 1
fi

if ! command -v terraform >/dev/null 2>&1; then
  echo "setup: terraform 1.11 must be on PATH (https://developer.hashicorp.com/terraform/install)" >&2
  exit 1
fi
echo "setup: ok" >&2
