#!/usr/bin/env bash
# Builds a release of terraform-provider-dynamodb and writes it to dist/ in the form the
# Terraform registry and its mirrors use (docs/install.md):
#
#   dist/terraform-provider-dynamodb_VERSION_linux_amd64.zip    one file: terraform-provider-dynamodb_vVERSION
#   dist/terraform-provider-dynamodb_VERSION_SHA256SUMS          sha256sum lines of the zip and the manifest
#   dist/terraform-provider-dynamodb_VERSION_SHA256SUMS.sig      detached GPG signature (with --gpg-key)
#   dist/terraform-provider-dynamodb_VERSION_manifest.json       protocol versions
#   dist/terraform-provider-dynamodb_vVERSION.debug              debug information of the stripped executable
#   dist/mirror/registry.terraform.io/firefly/dynamodb/          network mirror (index.json, VERSION.json, zip),
#                                                                also a packed filesystem mirror
#
#   scripts/package.sh [--dist DIR] [--build-dir DIR] [--gpg-key KEY]
#
# VERSION is CMakeLists.txt's project(VERSION); the executable reports it, with the git
# commit, in `--version`. The build is CMake's Release type with static dependencies
# (TPD_STATIC_DEPS) and debug information, which goes to the .debug file; the executable in
# the zip is stripped and points to it (.gnu_debuglink). The zip is reproducible: its entry
# carries the commit's time (or SOURCE_DATE_EPOCH), and paths of the build machine are
# mapped away from the debug information.
# KEY (or TPD_GPG_KEY) is a key ID, fingerprint or user ID in gpg's keyring (GNUPGHOME).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/dist
build=$root/build-package
gpg_key=${TPD_GPG_KEY:-}
while (($#)); do
  case $1 in
    --dist) dist=${2:?--dist DIR}; shift 2 ;;
    --build-dir) build=${2:?--build-dir DIR}; shift 2 ;;
    --gpg-key) gpg_key=${2:?--gpg-key KEY}; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
for tool in cmake objcopy python3; do
  command -v $tool >/dev/null || { echo "package.sh: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done
if [[ -n $gpg_key ]] && ! command -v gpg >/dev/null; then
  echo "package.sh: --gpg-key needs gpg (scripts/setup.sh)" >&2
  exit 1
fi

echo "== package: Release build in $build" >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTPD_STATIC_DEPS=ON -DTPD_TESTS=OFF \
  -DTPD_SANITIZE=OFF -DTPD_FUZZ=OFF \
  "-DCMAKE_C_FLAGS=-g -ffile-prefix-map=$root=. -ffile-prefix-map=$build=build" >/dev/null
cmake --build "$build" -j"$(nproc)" --target terraform-provider-dynamodb >/dev/null
exe=$build/terraform-provider-dynamodb
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:[A-Z]*=//p' "$build/CMakeCache.txt")
reported=$("$exe" --version)
if [[ $(sed -n '1s/^terraform-provider-dynamodb //p' <<<"$reported") != "$version" ]]; then
  echo "package.sh: the executable reports \"$(head -1 <<<"$reported")\", CMake's version is $version" >&2
  exit 1
fi
if grep -q -- '-dirty$' <<<"$reported"; then
  echo "package.sh: warning: built from a tree with uncommitted changes ($(sed -n 2p <<<"$reported"))" >&2
fi

name=terraform-provider-dynamodb_v$version
stage=$build/package
rm -rf "$stage"
mkdir -p "$stage" "$dist"
objcopy --only-keep-debug "$exe" "$stage/$name.debug"
chmod 0644 "$stage/$name.debug"
# --add-gnu-debuglink records the debug file's name and CRC in the stripped executable.
(cd "$stage" && objcopy --strip-all --add-gnu-debuglink="$name.debug" "$exe" "$name")
chmod 0755 "$stage/$name"

epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 315532800)}
python3 "$root/scripts/release_dist.py" --exe "$stage/$name" --version "$version" --dist "$dist" \
  --epoch "$epoch" --protocols "$(sed -n 's/^protocol versions //p' <<<"$reported")"
cp "$stage/$name.debug" "$dist/$name.debug"

sums=$dist/terraform-provider-dynamodb_${version}_SHA256SUMS
rm -f "$sums.sig"
if [[ -n $gpg_key ]]; then
  # The registry wants a binary (not armored) detached signature of the SUMS file.
  gpg --batch --yes --local-user "$gpg_key" --output "$sums.sig" --detach-sign "$sums"
  gpg --batch --verify "$sums.sig" "$sums" 2>/dev/null
fi
echo "== package: $(head -1 <<<"$reported") ($(sed -n 's/^commit //p' <<<"$reported")) in $dist" >&2
(cd "$dist" && ls -1 terraform-provider-dynamodb_"$version"_* "$name.debug" mirror/registry.terraform.io/firefly/dynamodb/*)
