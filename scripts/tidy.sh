#!/usr/bin/env bash
# Static analysis: clang-tidy 14 over every C file of the project that a build compiles
# (aws/, provider/, tests/), with the checks of .clang-tidy and the build's compile
# commands. The protobuf-c code generated into the build directory is left out (it is
# protoc-c's, not ours). Fails on any finding (.clang-tidy: WarningsAsErrors).
#   scripts/tidy.sh [BUILD_DIR]        default: build (configured if it does not exist)
#   TPD_TIDY_JOBS=N scripts/tidy.sh    parallel clang-tidy processes (default: nproc)
# Any configured build works (gcc or clang): clang-tidy reads only the flags.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
case $build in /*) ;; *) build=$root/$build ;; esac

tidy=
for t in clang-tidy-14 clang-tidy; do
  if command -v "$t" >/dev/null && "$t" --version | grep -q 'version 14\.'; then
    tidy=$t
    break
  fi
done
if [[ -z $tidy ]]; then
  echo "tidy: clang-tidy 14 not found (scripts/setup.sh installs clang-tidy)" >&2
  exit 2
fi

if [[ ! -f $build/compile_commands.json ]]; then
  cmake -S . -B "$build" >/dev/null
fi
# The generated protobuf headers must exist for the files that include them.
cmake --build "$build" --target tpd_proto -j"$(nproc)" >/dev/null

# One entry per source file of ours (a file compiled into several targets, such as
# tests/fuzz/replay_main.c, is analysed once).
mapfile -t files < <(python3 - "$build/compile_commands.json" "$root" "$build" <<'EOF'
import json, os, sys
db, root, build = sys.argv[1], os.path.realpath(sys.argv[2]), os.path.realpath(sys.argv[3])
seen = set()
for e in json.load(open(db)):
    f = os.path.realpath(os.path.join(e["directory"], e["file"]))
    if f.startswith(build + os.sep) or not f.startswith(root + os.sep) or f in seen:
        continue
    # tests/layering/: files that must not compile (a header out of a layer's reach) and
    # their trivial control; the build's layering_* tests are their check.
    if f.startswith(os.path.join(root, "tests", "layering") + os.sep):
        continue
    seen.add(f)
    print(f)
EOF
)
if ((${#files[@]} == 0)); then
  echo "tidy: no source files in $build/compile_commands.json" >&2
  exit 2
fi

jobs=${TPD_TIDY_JOBS:-$(nproc)}
start=$(date +%s)
status=0
printf '%s\n' "${files[@]}" |
  xargs -P "$jobs" -n 4 "$tidy" -p "$build" --quiet 2> >(grep -v '^[0-9]* warnings\? \(and [0-9]* errors\? \)\?generated\.$' >&2) ||
  status=$?
echo "tidy: ${#files[@]} files, $(($(date +%s) - start)) s, $([[ $status == 0 ]] && echo clean || echo FINDINGS)"
exit $((status == 0 ? 0 : 1))
