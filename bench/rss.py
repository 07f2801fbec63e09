#!/usr/bin/env python3
"""Peak RSS of the provider process, measured on its own (a focused companion of bench.py).

For each executable given, Terraform runs a small configuration (one table) against the
local emulator: apply, then no-op plans. The executable is installed in a private
filesystem mirror behind a one-line wrapper that runs it under GNU time
(`/usr/bin/time -f %M`), so every provider process Terraform starts (schema, validate,
plan, apply: several per command) reports its own maximum resident set size in KiB; the
figure per command is the largest of its provider processes, the figure per executable
the median over runs. Terraform talks to the provider exactly as without the wrapper
(same stdin/stdout/environment; the wrapper execs time, time forks the provider).

With --profile, a sampler also reads /proc/PID/smaps of the provider processes while the
plans run and prints, for the sample with the highest RSS, where the resident pages are
(per mapped file, heap, anonymous, stack).

    python3 bench/rss.py --exe build-release/terraform-provider-dynamodb [--exe LABEL=PATH ...]
                         [--runs 5] [--profile]

Nothing here is a test: no figure is asserted.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from emulator import Emulator  # noqa: E402

VERSION = "0.1.0"
CONFIG = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "us-east-1"
  endpoints {
    dynamodb       = "%(endpoint)s"
    cloudformation = "%(endpoint)s"
    sts            = "%(endpoint)s"
  }
}
resource "dynamodb_ttl_table" "t" {
  name     = "%(name)s"
  hash_key = { name = "id", type = "S" }
  ttl      = { attribute_name = "expires_at", enabled = true }
  deletion_protection_enabled = false
}
'''


def log(msg):
    print(f"[rss {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class SmapsSampler:
    """Samples /proc/PID/smaps of processes running `exe`; keeps the highest-RSS sample."""

    def __init__(self, exe):
        self.exe = os.path.realpath(exe)
        self.best_kb = 0
        self.best = {}
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _sample(self, pid):
        with open(f"/proc/{pid}/smaps") as f:
            lines = f.read().splitlines()
        by_name, key, total = {}, None, 0
        for line in lines:
            head = line.split()
            if not head:
                continue
            if "-" in head[0] and not head[0].endswith(":"):
                key = (head[5] if len(head) > 5 else "[anonymous]", head[1])
            elif head[0] == "Rss:":
                kb = int(head[1])
                by_name[key] = by_name.get(key, 0) + kb
                total += kb
        if total > self.best_kb:
            self.best_kb, self.best = total, by_name

    def _run(self):
        while not self._stop.is_set():
            for pid in os.listdir("/proc"):
                if not pid.isdigit():
                    continue
                try:
                    if os.readlink(f"/proc/{pid}/exe") == self.exe:
                        self._sample(pid)
                except OSError:
                    pass
            self._stop.wait(0.005)

    def __enter__(self):
        self._t.start()
        return self

    def __exit__(self, *a):
        self._stop.set()
        self._t.join()

    def report(self):
        files = {}
        for (name, perm), kb in self.best.items():
            files.setdefault(name, {})
            files[name][perm] = files[name].get(perm, 0) + kb
        rows = sorted(files.items(), key=lambda kv: -sum(kv[1].values()))
        out = [f"  highest sampled RSS: {self.best_kb} KiB (by mapping: total, then per permission)"]
        for name, perms in rows:
            kb = sum(perms.values())
            if kb > 0:
                detail = ", ".join(f"{p} {v}" for p, v in sorted(perms.items(), key=lambda pv: -pv[1]) if v)
                out.append(f"  {kb:>7} KiB  {name}  ({detail})")
        return "\n".join(out)


class Run:
    def __init__(self, label, exe, emu, work):
        self.label, self.exe = label, os.path.abspath(exe)
        self.dir = os.path.join(work, label)
        self.times = os.path.join(self.dir, "maxrss.txt")
        pkg = os.path.join(self.dir, "mirror/registry.terraform.io/firefly/dynamodb", VERSION, "linux_amd64")
        os.makedirs(pkg)
        wrapper = os.path.join(pkg, f"terraform-provider-dynamodb_v{VERSION}")
        with open(wrapper, "w") as f:
            f.write(f"#!/bin/sh\nexec /usr/bin/time -f %M -a -o '{self.times}' '{self.exe}' \"$@\"\n")
        os.chmod(wrapper, 0o755)
        rc = os.path.join(self.dir, "terraform.rc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  filesystem_mirror {\n'
                    f'    path = "{self.dir}/mirror"\n    include = ["registry.terraform.io/firefly/dynamodb"]\n'
                    '  }\n  direct { exclude = ["registry.terraform.io/firefly/dynamodb"] }\n}\n')
        self.tfdir = os.path.join(self.dir, "tf")
        os.makedirs(self.tfdir)
        with open(os.path.join(self.tfdir, "main.tf"), "w") as f:
            f.write(CONFIG % {"endpoint": emu.endpoint, "name": f"rss-{label}"})
        self.env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=rc,
                        AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null", **emu.env())
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "AWS_PROFILE", "TF_PLUGIN_CACHE_DIR"):
            self.env.pop(k, None)

    def tf(self, *args):
        open(self.times, "w").close()
        p = subprocess.run(["terraform", f"-chdir={self.tfdir}", *args, "-no-color"], env=self.env,
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if p.returncode not in (0, 2):
            raise RuntimeError(f"{self.label}: terraform {' '.join(args)} failed:\n{p.stdout[-3000:]}{p.stderr[-3000:]}")
        with open(self.times) as f:
            kbs = [int(x) for x in f.read().split() if x.isdigit()]
        return max(kbs) if kbs else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--exe", action="append", required=True, help="PATH or LABEL=PATH (repeatable)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="print where the resident pages of a plan are")
    args = ap.parse_args()
    if not os.access("/usr/bin/time", os.X_OK):
        sys.exit("rss.py needs GNU time (/usr/bin/time, Debian package time)")
    work = tempfile.mkdtemp(prefix="tpd-rss.")
    emu = Emulator(log_path=os.path.join(work, "requests.jsonl")).start()
    try:
        for i, spec in enumerate(args.exe):
            label, _, path = spec.rpartition("=")
            label = label or f"exe{i}"
            run = Run(label, path, emu, work)
            run.tf("init", "-input=false")
            applies = [run.tf("apply", "-auto-approve", "-input=false")]
            sampler = SmapsSampler(run.exe) if args.profile else None
            if sampler:
                sampler.__enter__()
            plans = [run.tf("plan", "-input=false", "-detailed-exitcode") for _ in range(args.runs)]
            if sampler:
                sampler.__exit__()
            run.tf("destroy", "-auto-approve", "-input=false")
            size = os.path.getsize(run.exe)
            print(f"{label}: {path}: size {size / 1e6:.2f} MB; peak RSS apply {applies[0] / 1024:.1f} MiB, "
                  f"plan median {statistics.median(plans) / 1024:.1f} MiB "
                  f"(min {min(plans) / 1024:.1f}, max {max(plans) / 1024:.1f}, {len(plans)} plans)")
            if sampler:
                print(sampler.report())
    finally:
        emu.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
