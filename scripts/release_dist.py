#!/usr/bin/env python3
"""Writes the release files of one executable into a dist directory (used by scripts/package.sh).

    release_dist.py --exe STAGED_EXE --version 0.1.0 --dist DIR --epoch SECONDS --protocols "6.0 5.0"

Writes, for platform linux_amd64:
  terraform-provider-dynamodb_VERSION_linux_amd64.zip   the executable as its only entry (mode 0755)
  terraform-provider-dynamodb_VERSION_manifest.json     {"version": 1, "metadata": {"protocol_versions": [...]}}
  terraform-provider-dynamodb_VERSION_SHA256SUMS        sha256sum lines of the zip and the manifest
  mirror/registry.terraform.io/firefly/dynamodb/        Terraform's provider network mirror protocol:
      index.json      {"versions": {"0.1.0": {}, ...}} for every VERSION.json in the directory
      VERSION.json    {"archives": {"linux_amd64": {"url": ZIP, "hashes": ["h1:...", "zh:..."]}}}
      the zip         (so that the directory is also a packed filesystem mirror)

Hashes as Terraform records them in .terraform.lock.hcl: "zh:" is the SHA-256 of the zip
in hex (what the registry's SHA256SUMS lists); "h1:" is Terraform's hash of the package
contents (Go's dirhash "h1": SHA-256 of the lines "<sha256 hex>  <name>\\n" of every file,
sorted by name, base64), the same for the zip and for its unpacked directory.
"""
import argparse
import base64
import hashlib
import json
import os
import shutil
import time
import zipfile

TYPE = "dynamodb"
SOURCE = ("registry.terraform.io", "firefly", TYPE)
PLATFORM = "linux_amd64"


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def h1_of_zip(path):
    lines = []
    with zipfile.ZipFile(path) as z:
        for info in sorted(z.infolist(), key=lambda i: i.filename):  # sorted by name, as dirhash does
            if info.is_dir():
                continue
            lines.append(f"{hashlib.sha256(z.read(info)).hexdigest()}  {info.filename}\n")
    summary = hashlib.sha256("".join(lines).encode()).digest()
    return "h1:" + base64.b64encode(summary).decode()


def write_zip(exe, zip_path, entry, epoch):
    # Fixed entry metadata (time from the commit, Unix mode 0755) so that the same
    # executable always gives the same zip, hence the same zh: hash.
    date_time = time.gmtime(max(int(epoch), 315532800))[:6]  # zip cannot go before 1980
    info = zipfile.ZipInfo(entry, date_time=date_time)
    info.create_system = 3  # Unix: external_attr carries the mode, which unzip restores
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    tmp = zip_path + ".tmp"
    with zipfile.ZipFile(tmp, "w") as z, open(exe, "rb") as f:
        z.writestr(info, f.read(), compresslevel=9)
    os.replace(tmp, zip_path)


def write_text(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exe", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--dist", required=True)
    ap.add_argument("--epoch", required=True, type=int)
    ap.add_argument("--protocols", required=True, help='space-separated, e.g. "6.0 5.0"')
    args = ap.parse_args()
    v = args.version
    protocols = args.protocols.split()
    if not protocols:
        raise SystemExit("release_dist.py: no protocol versions")
    os.makedirs(args.dist, exist_ok=True)
    base = f"terraform-provider-{TYPE}_{v}"
    zip_name = f"{base}_{PLATFORM}.zip"
    zip_path = os.path.join(args.dist, zip_name)
    write_zip(args.exe, zip_path, f"terraform-provider-{TYPE}_v{v}", args.epoch)

    manifest_name = f"{base}_manifest.json"
    manifest = {"version": 1, "metadata": {"protocol_versions": protocols}}
    write_text(os.path.join(args.dist, manifest_name), json.dumps(manifest, indent=2) + "\n")

    sums = "".join(f"{sha256_file(os.path.join(args.dist, n))}  {n}\n" for n in sorted([zip_name, manifest_name]))
    write_text(os.path.join(args.dist, f"{base}_SHA256SUMS"), sums)

    mirror = os.path.join(args.dist, "mirror", *SOURCE)
    os.makedirs(mirror, exist_ok=True)
    shutil.copyfile(zip_path, os.path.join(mirror, zip_name))
    hashes = [h1_of_zip(zip_path), "zh:" + sha256_file(zip_path)]
    doc = {"archives": {PLATFORM: {"url": zip_name, "hashes": hashes}}}
    write_text(os.path.join(mirror, f"{v}.json"), json.dumps(doc, indent=2) + "\n")
    versions = sorted(n[:-5] for n in os.listdir(mirror) if n.endswith(".json") and n != "index.json")
    write_text(os.path.join(mirror, "index.json"), json.dumps({"versions": {x: {} for x in versions}}, indent=2) + "\n")


if __name__ == "__main__":
    main()
