"""Account-wide API rate limits: token buckets per operation, as AWS throttles an account.

AWS limits the request rate of each control-plane operation per account and region, and
answers a request over the budget with a throttling error instead of running it:
CloudFormation ``Throttling`` / ``Rate exceeded`` (HTTP 400, a Sender fault, Query XML),
DynamoDB ``ThrottlingException`` / ``Rate of requests exceeds the allowed throughput.``
(HTTP 400, JSON 1.0). The rates, their sources and what is only reported or assumed are
in docs/aws-behaviour.md §12; ``PROFILES["aws"]`` below is that table.

* ``--rate-limits aws`` turns the profile on (default: off, every request is answered).
* ``--rate-limit OP:RATE[:BURST]`` (repeatable) overrides one limit on top of it, or adds
  one without a profile. ``OP`` is ``Operation`` (when only one of CloudFormation,
  DynamoDB and STS has it), ``service.Operation``, ``service.*`` (every operation of the
  service without a limit of its own gets its own bucket at that rate) or
  ``dynamodb.control-plane`` (one bucket shared by all DynamoDB control-plane
  operations). ``RATE`` is requests per second, ``N/S`` (N per S seconds) or ``off``;
  ``BURST`` the bucket's size (default: one second of the rate, at least 1).
* ``POST /_emulator/config`` ``{"rate_limits": "aws"|"off", "rate_limit": {OP: "RATE[:BURST]"|null}}``.

A request takes one token from every bucket that applies to it (its operation's, and for
a DynamoDB control-plane operation the shared one) or, when one of them is empty, none:
it is refused, and has no effect. Buckets refill on the emulator clock (clock.py), so a
test empties a bucket with a slow rate and refills it with ``POST /_emulator/clock``
instead of waiting, and a benchmark's clock moves refill what the time passed.

Ownership: one RateLimits per emulator process (server.Emulator owns it).
Threads: every method takes the instance's own lock (not the engine's: a throttled
request never waits for a stack operation).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

from clock import CLOCK

SERVICES = ("cloudformation", "dynamodb", "sts")
CONTROL_PLANE = "dynamodb.control-plane"
# DynamoDB's data plane: throttled by capacity (ProvisionedThroughputExceededException),
# not by an API rate; everything else DynamoDB serves is control plane (§12).
DATA_PLANE = frozenset({
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
    "BatchWriteItem", "TransactGetItems", "TransactWriteItems", "ExecuteStatement",
    "BatchExecuteStatement", "ExecuteTransaction"})
# What AWS answers over the budget (docs/aws-behaviour.md §1.3, §5.1).
ANSWERS = {
    "dynamodb": ("ThrottlingException", "Rate of requests exceeds the allowed throughput."),
    "cloudformation": ("Throttling", "Rate exceeded"),
    "sts": ("Throttling", "Rate exceeded"),
}


@dataclass(frozen=True)
class Limit:
    name: str     # "service.Operation", "service.*" or "dynamodb.control-plane"
    rate: float   # tokens per second
    burst: float  # bucket size
    basis: str    # documented | reported | assumed | override (docs/aws-behaviour.md §12)

    def as_dict(self) -> dict:
        return {"rate": self.rate, "burst": self.burst, "basis": self.basis}


# docs/aws-behaviour.md §12 is the source of every row.
PROFILES: dict[str, list[Limit]] = {
    "aws": [
        # DynamoDB API reference (BC documentation fields), per account.
        Limit("dynamodb.TagResource", 5, 5, "documented"),
        Limit("dynamodb.UntagResource", 5, 5, "documented"),
        Limit("dynamodb.ListTagsOfResource", 10, 10, "documented"),
        Limit("dynamodb.DescribeContinuousBackups", 10, 10, "documented"),
        Limit("dynamodb.CreateBackup", 50, 50, "documented"),
        Limit("dynamodb.DeleteBackup", 10, 10, "documented"),
        Limit("dynamodb.DescribeBackup", 10, 10, "documented"),
        Limit("dynamodb.ListBackups", 5, 5, "documented"),
        Limit("dynamodb.RestoreTableFromBackup", 10, 10, "documented"),
        Limit("dynamodb.DescribeLimits", 1 / 60, 1, "documented"),
        # DynamoDB Developer Guide, "Best practices for managing the control plane".
        Limit(CONTROL_PLANE, 2500, 2500, "documented"),
        # Throttled in public reports at a few dozen tables, no number (UNCONFIRMED).
        Limit("dynamodb.DescribeTimeToLive", 10, 10, "assumed"),
        # aws/aws-sam-cli#2671: "rate caps describe-stacks to 5 calls per second" (UNCONFIRMED).
        Limit("cloudformation.DescribeStacks", 5, 5, "reported"),
        # Every other CloudFormation operation: throttling reported, no number; the
        # DescribeStacks figure, each operation its own bucket (UNCONFIRMED).
        Limit("cloudformation.*", 5, 5, "assumed"),
    ],
}


class BadLimit(ValueError):
    """An --rate-limit / rate_limit specification the emulator cannot use."""


def _operations(service: str) -> frozenset:
    import validator  # botocore's models are the contract for operation names
    return frozenset(validator.service_model(service).operation_names)


def resolve_name(op: str) -> str:
    """'DescribeStacks' -> 'cloudformation.DescribeStacks'; checks names against the models."""
    if op == CONTROL_PLANE:
        return op
    if "." in op:
        svc, o = op.split(".", 1)
        svc = svc.lower()
        if svc not in SERVICES:
            raise BadLimit(f"{op}: the service must be one of {', '.join(SERVICES)}")
        if o != "*" and o not in _operations(svc):
            raise BadLimit(f"{op}: {svc} has no operation {o}")
        return f"{svc}.{o}"
    owners = [s for s in SERVICES if op in _operations(s)]
    if not owners:
        raise BadLimit(f"{op}: no such operation in {', '.join(SERVICES)}")
    if len(owners) > 1:
        raise BadLimit(f"{op}: ambiguous, name the service ({' or '.join(s + '.' + op for s in owners)})")
    return f"{owners[0]}.{op}"


def _rate(text: str) -> float | None:
    text = text.strip()
    if text.lower() == "off":
        return None
    try:
        if "/" in text:
            n, _, s = text.partition("/")
            value = float(n) / float(s.rstrip("s"))
        else:
            value = float(text)
    except (ValueError, ZeroDivisionError):
        raise BadLimit(f"{text!r}: a rate is requests per second, N/SECONDS or off") from None
    if not value > 0:
        raise BadLimit(f"{text!r}: a rate must be above 0 (or off)")
    return value


def parse_override(op: str, value) -> tuple[str, Limit | None]:
    """(name, limit) from OP and 'RATE[:BURST]' (or a {"rate", "burst"} object, or None = off)."""
    name = resolve_name(op)
    if value is None:
        return name, None
    if isinstance(value, dict):
        rate = _rate(str(value.get("rate", "off")))
        burst_text = value.get("burst")
    else:
        rate_text, _, burst_text = str(value).partition(":")
        rate = _rate(rate_text)
        burst_text = burst_text or None
    if rate is None:
        return name, None
    try:
        burst = max(1.0, rate) if burst_text is None else float(burst_text)
    except ValueError:
        raise BadLimit(f"{value!r}: the burst is a number") from None
    if burst < 1:
        raise BadLimit(f"{value!r}: the burst must be at least 1")
    return name, Limit(name, rate, burst, "override")


def parse_spec(spec: str) -> tuple[str, Limit | None]:
    """'OP:RATE[:BURST]' (the CLI form)."""
    op, sep, rest = spec.partition(":")
    if not sep or not rest:
        raise BadLimit(f"{spec}: expected OP:RATE[:BURST]")
    return parse_override(op, rest)


class _Bucket:
    __slots__ = ("tokens", "at")

    def __init__(self, limit: Limit, now: float):
        self.tokens, self.at = limit.burst, now

    def fill(self, limit: Limit, now: float) -> None:
        if now > self.at:
            self.tokens = min(limit.burst, self.tokens + (now - self.at) * limit.rate)
            self.at = now


class RateLimits:
    def __init__(self, profile: str | None = None, overrides: list[tuple[str, Limit | None]] | None = None):
        self._lock = threading.Lock()
        self._cli = (profile, list(overrides or []))
        self.throttled: dict[str, int] = {}  # "service.Operation" -> requests refused
        self._set(profile, overrides or [])

    # ---- configuration
    def _set(self, profile: str | None, overrides: list[tuple[str, Limit | None]]) -> None:
        if profile not in (None, "off") and profile not in PROFILES:
            raise BadLimit(f"unknown rate-limit profile {profile!r} (known: {', '.join(PROFILES)}, off)")
        self.profile = None if profile in (None, "off") else profile
        limits = {lim.name: lim for lim in PROFILES.get(self.profile, [])}
        self.overrides: dict[str, Limit | None] = {}
        for name, lim in overrides:
            self.overrides[name] = lim
        limits.update(self.overrides)  # None: explicitly unlimited (no fallback to service.*)
        self.limits: dict[str, Limit | None] = limits
        self._buckets: dict[tuple[str, str], _Bucket] = {}  # (region, bucket name) -> bucket

    def configure(self, profile=..., overrides: dict | None = None) -> None:
        """The control API: a new profile (dropping earlier overrides) and/or overrides."""
        with self._lock:
            prof = self.profile if profile is ... else profile
            keep = [] if profile is not ... else list(self.overrides.items())
            new = [parse_override(op, v) for op, v in (overrides or {}).items()]
            self._set(prof, keep + new)

    def reset(self, config: bool = True) -> None:
        """Full buckets and no counts; with config, the command line's limits again."""
        with self._lock:
            if config:
                self._set(*self._cli)
            self._buckets.clear()
            self.throttled.clear()

    @property
    def enabled(self) -> bool:
        return any(lim is not None for lim in self.limits.values())

    # ---- requests
    def buckets_for(self, service: str, op: str) -> list[tuple[str, Limit]]:
        """The buckets a request of this operation takes a token from: (name, limit)."""
        with self._lock:
            return self._applying(service, op)

    def _applying(self, service: str, op: str) -> list[tuple[str, Limit]]:
        out = []
        key = f"{service}.{op}"
        own = self.limits[key] if key in self.limits else self.limits.get(f"{service}.*")
        if own is not None:
            out.append((key, own))
        group = self.limits.get(CONTROL_PLANE) if service == "dynamodb" and op not in DATA_PLANE else None
        if group is not None:
            out.append((CONTROL_PLANE, group))
        return out

    def take(self, service: str, op: str, region: str) -> str | None:
        """None: the request may run (its tokens are taken). Else the name of the bucket
        that is empty: the request is throttled and takes nothing."""
        if service not in SERVICES or not op:
            return None
        with self._lock:
            applying = self._applying(service, op)
            if not applying:
                return None
            now = CLOCK.monotonic()
            buckets = []
            for name, lim in applying:
                b = self._buckets.get((region, name))
                if b is None:
                    b = self._buckets[(region, name)] = _Bucket(lim, now)
                b.fill(lim, now)
                if b.tokens < 1:
                    key = f"{service}.{op}"
                    self.throttled[key] = self.throttled.get(key, 0) + 1
                    return name
                buckets.append(b)
            for b in buckets:
                b.tokens -= 1
            return None

    @staticmethod
    def answer(service: str) -> tuple[str, str]:
        """(error code, message) of a throttled request of this service."""
        return ANSWERS.get(service, ANSWERS["cloudformation"])

    # ---- reports
    def config(self) -> dict:
        with self._lock:
            return {"profile": self.profile,
                    "limits": {n: lim.as_dict() for n, lim in sorted(self.limits.items()) if lim is not None},
                    "off": sorted(n for n, lim in self.limits.items() if lim is None)}

    def state(self) -> dict:
        with self._lock:
            return {"profile": self.profile, "throttled": dict(sorted(self.throttled.items())),
                    "throttled_total": sum(self.throttled.values())}


def from_args(args) -> RateLimits:
    return RateLimits(getattr(args, "rate_limits", None),
                      [parse_spec(s) for s in (getattr(args, "rate_limit", None) or [])])
