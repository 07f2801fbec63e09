#!/usr/bin/env bash
# Remove what an acceptance run (scripts/acceptance.sh) left in the account the
# environment's credentials reach: stacks of PREFIX (their tables retained), then tables of
# PREFIX (deletion protection switched off on those only). A dry run unless --yes.
#   usage: scripts/sweep.sh PREFIX [--yes]      (docs/testing.md "Sweeping"; scripts/sweep.py)
set -euo pipefail
exec "${PYTHON:-python3}" "$(cd "$(dirname "$0")" && pwd)/sweep.py" "$@"
