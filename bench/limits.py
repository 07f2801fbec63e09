#!/usr/bin/env python3
"""Benchmark profile "under AWS's rate limits": the AWS-like network (HTTPS, 30 ms per
request, bench/network.py) with the emulator enforcing AWS's account-wide API rate limits
(`--rate-limits aws`, docs/aws-behaviour.md §12), this provider against hashicorp/aws
5.100.0 in the same run, one after the other on the same emulator.

Two parts, both written into docs/benchmarks.md between the bench/limits.py markers:

1. Calls per table, per operation (the emulator's request log), without rate limits so
   that they are the provider's own (no retries of throttled calls): create, a no-op
   refresh, an in-place update (a tag changed), a TTL change (enabled), destroy, of
   --count-size tables (default 10).
2. Under the limits: apply (tables with TTL enabled), no-op plan and destroy of each of
   --sizes tables (default 10, 60, 200): wall time, requests per table, throttling
   answers, failed operations (Terraform's error diagnostics and exit status), TCP
   connections, and the floor the limits put under the command: for each bucket its
   answered calls beyond the burst over its rate, the largest of them (the requests a
   command makes are what they are; the floor says how fast the account's budget lets
   them go).

    python3 bench/limits.py --build build-release [--sizes 10,60,200] [--runs 1]
                            [--count-size 10] [--latency-ms 30] [--providers this,peer]
                            [--skip-counts] [--skip-limits] [--out docs/benchmarks.md]

Raw results go to bench/out/limits-DATE.json. Nothing here is a test: no time is asserted.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from emulator import Emulator  # noqa: E402
import ratelimit  # noqa: E402

PEER_VERSION = "5.100.0"
BEGIN = "<!-- bench/limits.py: begin -->"
END = "<!-- bench/limits.py: end -->"
PROVIDERS = {"this": "this provider", "peer": f"hashicorp/aws {PEER_VERSION}"}


def log(msg):
    print(f"[limits {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def ours(n, ep, ca, prefix, ttl, tag):
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
  ttl      = {{ attribute_name = "expires_at", enabled = {str(ttl).lower()} }}
  tags     = {{ env = "{tag}" }}
  deletion_protection_enabled = false
}}
'''


def peer(n, ep, ca, prefix, ttl, tag):
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
    enabled        = {str(ttl).lower()}
  }}
  tags = {{ env = "{tag}" }}
}}
'''


CONFIGS = {"this": ours, "peer": peer}


class Runner:
    def __init__(self, args, work):
        self.args, self.work = args, work
        self.cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), args.build, work],
                                  capture_output=True, text=True, check=True).stdout.strip()

    def env(self, emu):
        env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                  "AWS_SESSION_TOKEN", "TF_PLUGIN_CACHE_DIR"):
            env.pop(k, None)
        env.update(emu.env())
        env.pop("AWS_ENDPOINT_URL", None)  # the configurations name every endpoint
        env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=self.cli,
                   AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        return env

    def workdir(self, name):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        return d

    @staticmethod
    def write(d, text):
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(text)

    def tf(self, d, env, *args, timeout=3600):
        t0 = time.monotonic()
        try:
            p = subprocess.run(["terraform", f"-chdir={d}", *args, "-input=false", "-no-color"], env=env,
                               capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=timeout)
            rc, out = p.returncode, p.stdout + p.stderr
        except subprocess.TimeoutExpired as e:
            rc, out = -1, f"timed out after {timeout} s\n{e.stdout or ''}{e.stderr or ''}"
        return time.monotonic() - t0, rc, out


def errors_in(out):
    """Terraform's error diagnostics: one "Error: ..." heading per failed operation."""
    return len(re.findall(r"^[│ ]*Error: ", out, re.M))


def per_op(records, n):
    ops = {}
    for r in records:
        ops[r["operation"]] = ops.get(r["operation"], 0) + 1
    return {op: c / n for op, c in ops.items()}


def floor_of(records, limits):
    """(seconds, bucket): the time the budget needs for the calls that were answered."""
    used = {}  # bucket -> [answered calls, its limit]
    for r in records:
        if r.get("rate_limited"):
            continue  # refused: took no token
        for name, lim in limits.buckets_for(r["service"], r["operation"]):
            used.setdefault(name, [0, lim])[0] += 1
    best = (0.0, None)
    for name, (count, lim) in used.items():
        secs = max(0.0, count - lim.burst) / lim.rate
        if secs > best[0]:
            best = (secs, name)
    return best


# --------------------------------------------------------------------------- part 1
COUNT_STEPS = (("create", "apply"), ("no-op refresh", "plan"), ("in-place update (tags)", "apply"),
               ("TTL change", "apply"), ("destroy", "destroy"))
TARGETS = {"create": 12, "in-place update (tags)": 10, "TTL change": 15, "destroy": 8, "no-op refresh": 6}


def call_counts(args, runner):
    """{provider: {step: {"ops": {op: calls/table}, "total": calls/table, "rc", "errors"}}}."""
    n = args.count_size
    emu = Emulator(log_path=os.path.join(runner.work, "counts.jsonl"),
                   extra_args=["--tls", "--latency-ms", str(args.latency_ms)]).start()
    res = {}
    try:
        env = dict(runner.env(emu), AWS_CA_BUNDLE=emu.ca_file)
        for prov in args.providers:
            log(f"calls per table: {prov}, N={n}")
            d = runner.workdir(f"counts-{prov}")
            make = CONFIGS[prov]
            prefix = f"c{prov[0]}{n}"
            res[prov] = {}
            for step, verb in COUNT_STEPS:
                ttl = step in ("TTL change", "destroy")
                tag = "a" if step in ("create", "no-op refresh") else "b"
                runner.write(d, make(n, emu.endpoint, emu.ca_file, prefix, ttl, tag))
                if step == "create":
                    runner.tf(d, env, "init")
                if step == "no-op refresh":
                    emu.advance_clock(10)  # what the create left settling has settled
                cmd = {"apply": ["apply", "-auto-approve", "-parallelism=10"],
                       "plan": ["plan", "-detailed-exitcode", "-parallelism=10"],
                       "destroy": ["destroy", "-auto-approve", "-parallelism=10"]}[verb]
                mark = emu.log_mark()
                dt, rc, out = runner.tf(d, env, *cmd)
                recs = emu.log_records_since(mark)
                if rc != 0:
                    log(f"warning: {prov} {step}: exit {rc}\n{out[-2000:]}")
                ops = per_op(recs, n)
                res[prov][step] = {"ops": ops, "total": len(recs) / n, "rc": rc, "errors": errors_in(out),
                                   "seconds": dt}
                if step == "TTL change":
                    emu.advance_clock(3601)  # past DynamoDB's one TTL change per hour
    finally:
        emu.stop()
    return res


# --------------------------------------------------------------------------- part 2
def under_limits(args, runner):
    """{(provider, n, step): [ {seconds, requests, throttled, errors, rc, connections, floor, bucket} ]}."""
    emu = Emulator(log_path=os.path.join(runner.work, "limits.jsonl"),
                   extra_args=["--tls", "--latency-ms", str(args.latency_ms), "--rate-limits", "aws"]).start()
    limits = ratelimit.RateLimits("aws")
    res = {}
    try:
        env = dict(runner.env(emu), AWS_CA_BUNDLE=emu.ca_file)
        for run in range(args.runs):
            for n in args.sizes:
                for prov in args.providers:
                    log(f"under the limits, run {run + 1}/{args.runs}: {prov}, N={n}")
                    d = runner.workdir(f"limits-{prov}-{n}-{run}")
                    runner.write(d, CONFIGS[prov](n, emu.endpoint, emu.ca_file, f"l{prov[0]}{n}r{run}", True, "a"))
                    runner.tf(d, env, "init")
                    for step, cmd in (("apply", ["apply", "-auto-approve", "-parallelism=10"]),
                                      ("no-op plan", ["plan", "-detailed-exitcode", "-parallelism=10"]),
                                      ("destroy", ["destroy", "-auto-approve", "-parallelism=10"])):
                        if step == "no-op plan":
                            emu.advance_clock(10)  # TTL ENABLING -> ENABLED, as a moment later on AWS
                        st0, mark = emu.state(), emu.log_mark()
                        dt, rc, out = runner.tf(d, env, *cmd)
                        st1 = emu.state()
                        recs = emu.log_records_since(mark)
                        throttled = sum(1 for r in recs if r.get("rate_limited"))
                        ok = rc == 0 or (rc == 2 and step != "no-op plan")
                        if not ok:
                            log(f"{prov} {step} N={n}: exit {rc}\n{out[-1500:]}")
                        fl, bucket = floor_of(recs, limits)
                        row = {"seconds": dt, "requests": len(recs), "throttled": throttled,
                               "throttled_by_emulator": st1["rate_limits"]["throttled_total"]
                               - st0["rate_limits"]["throttled_total"],
                               "errors": errors_in(out), "rc": rc,
                               "connections": st1["connections"] - st0["connections"] - 1,  # the state() call's own
                               "floor": fl, "bucket": bucket, "ops": per_op(recs, n)}
                        res.setdefault(f"{prov}|{n}|{step}", []).append(row)
    finally:
        emu.stop()
    return res


# --------------------------------------------------------------------------- report
def fmt(x, unit=""):
    if x is None or x != x:
        return "n/a"
    if abs(x) >= 100:
        return f"{x:.0f}{unit}"
    if abs(x) >= 10:
        return f"{x:.1f}{unit}"
    return f"{x:.3g}{unit}"


def counts_md(counts, n):
    provs = [p for p in ("this", "peer") if p in counts]
    steps = [s for s, _ in COUNT_STEPS]
    ops = sorted({op for p in provs for s in steps for op in counts[p][s]["ops"]})
    head = "| operation | " + " | ".join(steps) + " |"
    rows = [head, "|---|" + "---:|" * len(steps)]

    def cell(p_vals):
        return " / ".join(fmt(v) if v else "–" for v in p_vals)

    for op in ops:
        rows.append(f"| {op} | " + " | ".join(cell([counts[p][s]["ops"].get(op, 0) for p in provs])
                                               for s in steps) + " |")
    rows.append("| **total** | " + " | ".join(cell([counts[p][s]["total"] for p in provs]) for s in steps) + " |")
    if "this" in counts:
        rows.append("| target for this provider (issue 23) | " + " | ".join(f"≤ {TARGETS[s]}" for s in steps) + " |")
    bad = [f"{p} {s}: exit {counts[p][s]['rc']}" for p in provs for s in steps
           if counts[p][s]["rc"] not in (0,)]
    note = ("" if not bad else "\nCommands that did not end as expected: " + "; ".join(bad) + ".\n")
    return "\n".join(rows) + "\n" + note


def limits_md(res, sizes, provs):
    rows = ["| step | N | provider | wall s | floor s (bucket) | requests/table | throttled | failed (exit) | connections |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    for step in ("apply", "no-op plan", "destroy"):
        for n in sizes:
            for p in provs:
                runs = res.get(f"{p}|{n}|{step}", [])
                if not runs:
                    continue
                med = lambda k: statistics.median([r[k] for r in runs])  # noqa: E731
                r0 = runs[len(runs) // 2]
                bucket = (r0["bucket"] or "–").replace("cloudformation.", "cfn.").replace("dynamodb.", "ddb.")
                rcs = ",".join(str(r["rc"]) for r in runs)
                rows.append(f"| {step} | {n} | {PROVIDERS[p]} | {fmt(med('seconds'))} | {fmt(med('floor'))} ({bucket}) | "
                            f"{fmt(med('requests') / n)} | {fmt(med('throttled'))} | {fmt(med('errors'))} ({rcs}) | "
                            f"{fmt(med('connections'))} |")
    return "\n".join(rows)


def targets_md(res, sizes, provs):
    out = ["| target (issue 23) | measured | met |", "|---|---|---|"]
    fails = {n: sum(r["errors"] + (1 if r["rc"] not in (0, 2) else 0)
                    for step in ("apply", "no-op plan", "destroy") for r in res.get(f"this|{n}|{step}", []))
             for n in sizes}
    for n in sizes:
        out.append(f"| 0 failed operations, N={n} | {fails[n]} | {'yes' if fails[n] == 0 else 'no'} |")
    if 60 in sizes:
        a = res.get("this|60|no-op plan", [])
        b = res.get("peer|60|no-op plan", [])
        if a:
            t = statistics.median([r["seconds"] for r in a])
            f = statistics.median([r["floor"] for r in a])
            out.append(f"| no-op plan of 60 tables within 1.5× of its floor | {fmt(t)} s, floor {fmt(f)} s "
                       f"({fmt(t / f if f else float('nan'))}×) | {'yes' if f and t <= 1.5 * f else 'no'} |")
        if a and b:
            tb = statistics.median([r["seconds"] for r in b])
            out.append(f"| no-op plan of 60 tables below the peer's time | {fmt(t)} s vs {fmt(tb)} s | "
                       f"{'yes' if t < tb else 'no'} |")
    return "\n".join(out)


def write_section(path, section):
    try:
        with open(path) as f:
            old = f.read()
    except FileNotFoundError:
        old = "# Benchmarks\n"
    i, j = old.find(BEGIN), old.find(END)
    new = old[:i] + section.strip() + old[j + len(END):] if i >= 0 and j > i else old.rstrip() + "\n\n" + section
    with open(path, "w") as f:
        f.write(new)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build-release"))
    ap.add_argument("--sizes", default="10,60,200")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--count-size", type=int, default=10)
    ap.add_argument("--latency-ms", type=int, default=30)
    ap.add_argument("--providers", default="this,peer")
    ap.add_argument("--skip-counts", action="store_true")
    ap.add_argument("--skip-limits", action="store_true")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks.md"))
    ap.add_argument("--from", dest="from_json", metavar="JSON",
                    help="write the section from a run's saved results (bench/out/limits-*.json), run nothing")
    args = ap.parse_args()
    if args.from_json:
        with open(args.from_json) as f:
            saved = json.load(f)
        counts, res, meta = saved["counts"], saved["limits"], saved["meta"]
        for k in ("sizes", "providers", "count_size", "latency_ms", "runs"):
            setattr(args, k, saved["args"][k])
    else:
        args.sizes = [int(x) for x in args.sizes.split(",")]
        args.providers = [p for p in args.providers.split(",") if p]
        counts, res, meta = run_all(args)
    write_section(args.out, report(args, counts, res, meta))


def run_all(args):
    load0 = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix="tpd-bench-limits.")
    runner = Runner(args, work)
    counts, res = {}, {}
    try:
        if not args.skip_counts:
            counts = call_counts(args, runner)
        if not args.skip_limits:
            res = under_limits(args, runner)
    finally:
        if not os.environ.get("TPD_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    meta = {"date": time.strftime("%Y-%m-%d"), "commit": commit, "cores": os.cpu_count(),
            "load": [round(load0, 1), round(os.getloadavg()[0], 1)]}
    os.makedirs(os.path.join(ROOT, "bench", "out"), exist_ok=True)
    path = os.path.join(ROOT, "bench", "out", f"limits-{meta['date']}-{commit}.json")
    with open(path, "w") as f:
        json.dump({"counts": counts, "limits": res, "meta": meta, "args": vars(args)}, f, indent=1)
    log(f"results saved in {path} (rewrite the section from it: bench/limits.py --from {path})")
    return counts, res, meta


def report(args, counts, res, meta):
    date, commit = meta["date"], meta["commit"]
    profile = "\n".join(f"| {name} | {fmt(lim.rate)}/s | {fmt(lim.burst)} | {lim.basis} |"
                        for name, lim in sorted(ratelimit.RateLimits("aws").limits.items()) if lim)
    parts = [BEGIN, "## Under AWS's rate limits (HTTPS, 30 ms per request, `--rate-limits aws`)", ""]
    parts.append(f"Measured by `bench/limits.py` (`bench/run.sh limits`) on {date} ({meta['cores']} cores, "
                 f"load average {meta['load'][0]:g} at the start and {meta['load'][1]:g} at the end from other work "
                 f"on the machine; commit {commit}), both providers in the same run against the same emulator, one after "
                 f"the other. The emulator serves HTTPS with {args.latency_ms} ms added to every request "
                 "(bench/network.py's profile) and enforces the account-wide rate limits of "
                 "docs/aws-behaviour.md §12 (token buckets; documented, reported or assumed, as marked there):")
    parts += ["", "| bucket | rate | burst | basis |", "|---|---:|---:|---|", profile, ""]
    if counts:
        parts.append(f"### Calls per table, per operation ({args.count_size} tables, no rate limits)")
        parts.append("")
        parts.append("Requests the emulator logged during each command, divided by the number of tables, "
                     "*this provider / the peer* (– : none). Without rate limits, so no call is a retry of "
                     "a throttled one. The tables are created with TTL off and a tag; the in-place update "
                     "changes the tag; the TTL change enables TTL (the emulator keeps it ENABLING for 3 s of "
                     "its clock, and this provider waits for it); the no-op refresh is a plan after the "
                     "create, with the clock moved 10 s on. `-parallelism=10`.")
        parts.append("")
        parts.append(counts_md(counts, args.count_size))
    if res:
        parts.append("### Apply, no-op plan and destroy under the limits")
        parts.append("")
        parts.append(f"Tables with TTL enabled; `-parallelism=10`; {args.runs} run(s), medians. *requests/table* "
                     "counts every request the emulator logged, throttled ones included; *throttled* the "
                     "answers it refused (`Throttling` / `ThrottlingException`); *failed* the error "
                     "diagnostics Terraform printed, with the exit status (a plan exits 0 when it is empty, 2 "
                     "when it is not); *connections* the TCP connections the emulator accepted; *floor* the "
                     "least time the limits allow for the requests the command got answered: for each bucket "
                     "(calls − burst) / rate, the largest (its bucket named).")
        parts.append("")
        parts.append(limits_md(res, args.sizes, args.providers))
        parts.append("")
        parts.append(targets_md(res, args.sizes, args.providers))
    parts += ["", NOTES, END]
    print("\n".join(parts))
    return "\n".join(parts) + "\n"


NOTES = """Reading the section: the floor is a property of the requests a command makes and of
the account's budget, not of the machine; wall time above it is waiting (polls, backoff
after throttling, Terraform's parallelism) or CPU. The peer's times are mostly CPU: its
executable (707 MB) is started three times per command and Terraform decodes its schema
each time, which takes seconds, more on a loaded machine (a no-op plan of 10 tables:
5.6 s without limits on 2026-12-01, 51 s under them on a loaded machine on 2026-12-03).
Every figure depends on the provider version measured (commit above); rerun
`bench/run.sh limits`.

Before the provider's client-side budget (the first run of this profile, 2026-12-03,
provider at c2c0aee: standard retries with a quota of 500 tokens per client, no rate
limiter, a connection per request in flight), this provider measured: apply 13.5 / 71.6 s
at 10 / 60 tables (floors 7.0 / 47.0 s, 29 / 245 throttled answers), no-op plan 3.5 / 23.4 s
(floors 1.0 / 11.0 s, 5 / 96 throttled), destroy 8.9 / 64.3 s (floors 6.4 / 41.6 s, 35 /
323 throttled), no failure; at 200 tables the apply failed before creating anything: 135
tables "Cannot check whether the table or its stack already exist" (DescribeStacks
throttled 451 times, the retry quota spent), and the no-op plan the same (137 errors). The
peer, in that run: apply 66 / 96 / 181 s, no-op plan 51 / 48 / 70 s, destroy 82 / 71 / 114 s
at 10 / 60 / 200 tables, no failure.

How the budget got here (aws/private/aws_budget.h; this provider alone, traced on
2026-12-04). Until commit 6804ec1 a no-op plan of 10 tables took 10.4 s for a floor of
1 s (the run of commit 6640529: 10.4 / 29.7 / 75.4 s at 10 / 60 / 200 tables): the
refresh sends its ten DescribeStacks at once, the account's bucket (5 per second, burst
5) throttles five, and the budget, copying botocore's adaptive mode, cut the rate three
ways too far. (1) Every throttled answer cut it again, 0.7^5 for five: now one cut per
burst (a throttle of a request that took its token before the last cut does not cut
again; test_one_cut_per_burst). (2) Botocore's rate clock starts at the whole second, so
answers arriving in its second half measured one answer over half a second (1.6 per
second) and the cut went to 1.12 per second whatever the burst: the 60-table plan then
sent one or two DescribeStacks a second for five seconds (the emulator's request log):
now the clock starts at the half second (test_first_answers_late_in_a_second). (3) An
answer within the first half second was capped at twice 0, the 0.5/s floor: now at the
partial half second's rate (test_burst_throttled_in_first_half_second). Measured after
each, this provider alone at 10 / 60 tables: after (3) no-op plan 10.6 / 22.7 s; after (1)
1.66 / 16.5 s; after (2) 1.38 / 11.8 s (apply 8.6 / 39.5 s, destroy 6.4 / 38.4 s). The
rows above are the run of the commit named at the top of the section."""


if __name__ == "__main__":
    main()
