#!/usr/bin/env python3
"""Benchmark profile "AWS-like network": both providers against the emulator served over
HTTPS on loopback (a generated CA) with a latency added to every request, so that round
trips and connection setup cost what they cost on a network. N tables, no-op plan, apply
and destroy, this provider against hashicorp/aws 5.100.0 in the same run; the TCP
connections each command opened (counted by the emulator) and the requests it sent.

    python3 bench/network.py --build build-release [--runs 3] [--sizes 1,10,50] [--latency-ms 30]
                             [--system-cas] [--providers this,peer] [--out FILE]

Writes its own section of docs/benchmarks.md (between the bench/network.py markers; the
rest of the file is left as it is). This provider trusts the CA through
`custom_ca_bundle`, the peer through AWS_CA_BUNDLE. With --system-cas both trust the
system's bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) plus the test CA,
as a user without a custom bundle trusts the system's: reading the CAs then costs what it
costs on a real machine. Nothing here is a test.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from emulator import Emulator  # noqa: E402

PEER_VERSION = "5.100.0"
BEGIN = "<!-- bench/network.py: begin -->"
END = "<!-- bench/network.py: end -->"


def log(msg):
    print(f"[network {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def ours(n, ep, ca, prefix):
    return f'''
terraform {{
  required_providers {{
    dynamodb = {{ source = "registry.terraform.io/firefly/dynamodb" }}
  }}
}}
provider "dynamodb" {{
  region           = "us-east-1"
  custom_ca_bundle = "{ca}"
  endpoints {{
    dynamodb       = "{ep}"
    cloudformation = "{ep}"
    sts            = "{ep}"
  }}
}}
resource "dynamodb_ttl_table" "t" {{
  count    = {n}
  name     = "{prefix}-${{count.index}}"
  hash_key = {{ name = "id", type = "S" }}
  ttl      = {{ attribute_name = "expires_at" }}
  deletion_protection_enabled = false
}}
'''


def peer(n, ep, ca, prefix):
    return f'''
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "{PEER_VERSION}" }}
  }}
}}
provider "aws" {{
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
    dynamodb       = "{ep}"
    cloudformation = "{ep}"
    sts            = "{ep}"
  }}
}}
resource "aws_dynamodb_table" "t" {{
  count        = {n}
  name         = "{prefix}-${{count.index}}"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {{
    name = "id"
    type = "S"
  }}
  ttl {{
    attribute_name = "expires_at"
    enabled        = true
  }}
}}
'''


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x, unit=""):
    if x != x:
        return "n/a"
    return f"{x:.3g}{unit}" if abs(x) < 100 else f"{x:.0f}{unit}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="1,10,50")
    ap.add_argument("--latency-ms", type=int, default=30)
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--providers", default="this,peer",
                    help="which providers to run (this, peer); e.g. 'this' to compare two builds")
    ap.add_argument("--system-cas", action="store_true",
                    help="trust the system's CA bundle plus the test CA (both providers)")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="tpd-bench-net.")
    cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), args.build, work],
                         capture_output=True, text=True, check=True).stdout.strip()
    emu = Emulator(log_path=os.path.join(work, "requests.jsonl"),
                   extra_args=["--tls", "--latency-ms", str(args.latency_ms)])
    emu.start()
    ca_file = emu.ca_file
    if args.system_cas:
        ca_file = os.path.join(work, "system-and-test-cas.pem")
        with open("/etc/ssl/certs/ca-certificates.crt") as a, open(emu.ca_file) as b, \
                open(ca_file, "w") as out:
            out.write(a.read() + b.read())
    env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cli, TF_IN_AUTOMATION="1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ACCESS_KEY_ID=emu.access_key_id,
               AWS_SECRET_ACCESS_KEY=emu.secret_access_key, AWS_CA_BUNDLE=ca_file)
    for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "AWS_PROFILE"):
        env.pop(k, None)
    res = {}  # (provider, n, step, metric) -> [values]
    try:
        for run in range(args.runs):
            for n in [int(x) for x in args.sizes.split(",")]:
                for prov, make in (("this", ours), ("peer", peer)):
                    if prov not in args.providers.split(","):
                        continue
                    log(f"run {run + 1}/{args.runs}: {prov}, N={n}")
                    d = os.path.join(work, f"{prov}-{n}-{run}")
                    os.makedirs(d)
                    with open(os.path.join(d, "main.tf"), "w") as f:
                        f.write(make(n, emu.endpoint, ca_file, f"n{prov[0]}{n}r{run}"))
                    subprocess.run(["terraform", f"-chdir={d}", "init", "-input=false", "-no-color"],
                                   env=env, capture_output=True, check=True)
                    for step, cmd in (("apply", ["apply", "-auto-approve", "-parallelism=10"]),
                                      ("no-op plan", ["plan", "-detailed-exitcode", "-parallelism=10"]),
                                      ("destroy", ["destroy", "-auto-approve", "-parallelism=10"])):
                        if step == "no-op plan":
                            emu.advance_clock(10)  # TTL ENABLING -> ENABLED, as a moment later on AWS
                        c0, m0 = emu.state()["connections"], emu.log_mark()
                        t0 = time.monotonic()
                        p = subprocess.run(["terraform", f"-chdir={d}", *cmd, "-input=false", "-no-color"],
                                           env=env, capture_output=True, text=True)
                        dt = time.monotonic() - t0
                        if p.returncode not in (0, 2) or (step == "no-op plan" and p.returncode != 0):
                            log(f"warning: {prov} {step} N={n} exit {p.returncode}:\n{p.stdout[-1500:]}{p.stderr[-1500:]}")
                        # the state() call itself opens one connection: not the provider's
                        conns = emu.state()["connections"] - c0 - 1
                        reqs = len(emu.log_records_since(m0))
                        for metric, v in (("s", dt), ("connections", conns), ("requests", reqs)):
                            res.setdefault((prov, n, step, metric), []).append(v)
    finally:
        emu.stop()
    rows = ["| step | N | this provider: s | peer: s | ratio peer/this | this: connections (requests) | peer: connections (requests) |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for step in ("apply", "no-op plan", "destroy"):
        for n in [int(x) for x in args.sizes.split(",")]:
            a = median(res.get(("this", n, step, "s"), []))
            b = median(res.get(("peer", n, step, "s"), []))
            rows.append(
                f"| {step} | {n} | {fmt(a)} | {fmt(b)} | {fmt(b / a if a else float('nan'), '×')} | "
                f"{fmt(median(res.get(('this', n, step, 'connections'), [])))} "
                f"({fmt(median(res.get(('this', n, step, 'requests'), [])))}) | "
                f"{fmt(median(res.get(('peer', n, step, 'connections'), [])))} "
                f"({fmt(median(res.get(('peer', n, step, 'requests'), [])))}) |")
    n_max = max(int(x) for x in args.sizes.split(","))
    a = median(res.get(("this", n_max, "no-op plan", "s"), []))
    b = median(res.get(("peer", n_max, "no-op plan", "s"), []))
    targets = [
        "| target | measured | met |", "|---|---|---|",
        f"| no-op plan of {n_max} tables <= 0.6 s | {fmt(a, ' s')} | {'yes' if a <= 0.6 else 'no'} |",
        f"| no-op plan of {n_max} tables >= 10x faster than the peer | {fmt(b / a, 'x')} | "
        f"{'yes' if b / a >= 10 else 'no'} |",
    ]
    cas = "the system's CA bundle plus it" if args.system_cas else "it alone"
    section = f"""{BEGIN}
## AWS-like network (HTTPS, {args.latency_ms} ms per request)

Measured by `bench/network.py` on {time.strftime('%Y-%m-%d')} ({os.cpu_count()} cores): the emulator over HTTPS on
127.0.0.1 with a generated CA (this provider trusts {cas} through `custom_ca_bundle`, the peer through
`AWS_CA_BUNDLE`) and {args.latency_ms} ms added to every request without holding a lock, so concurrent
requests overlap as on a network; each answer leaves in one write (tests/emulator/httpd.py). {args.runs} runs, medians; `-parallelism=10`. Connections are the TCP
connections the emulator accepted during the command (every provider process Terraform starts for it,
plus Terraform's own, included); requests are the API calls it logged.

{chr(10).join(rows)}

{chr(10).join(targets)}

Where the no-op plan's time goes: Terraform starts the provider three times (schema, validate, plan); the
plan process refreshes every table with its six reads issued at once (`cloud_read`, one round trip of
{args.latency_ms} ms), ten tables at a time (`-parallelism=10`): 60 reads at once, over at most 10 kept-alive
connections (`max_pool_connections`, one endpoint here), the others waiting for one, so each round of ten
tables is about six request latencies. The rest is CPU on a machine
shared by Terraform, the provider and the emulator (a Python process, which answers one request at a
time): for the 50-table plan about 0.25 s each for Terraform and the emulator and 0.15 s for the
provider.
{END}
"""
    try:
        with open(args.out) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmarks\n"
    i, j = old.find(BEGIN), old.find(END)
    new = old[:i] + section.strip() + old[j + len(END):] if i >= 0 and j > i else old.rstrip() + "\n\n" + section
    with open(args.out, "w") as f:
        f.write(new)
    print(section)


if __name__ == "__main__":
    main()
