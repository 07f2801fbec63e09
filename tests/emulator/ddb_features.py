"""A table's resource policy, Kinesis Data Streams destinations and warm throughput, as
DynamoDB answers them (moto keeps a bare policy, has no destinations, and takes any warm
throughput); the CloudFormation handler (emu_cfn.py) uses the same functions.

* Resource policy (Put/Get/DeleteResourcePolicy): a JSON document of at most 20,480 bytes
  with statements; a revision id per version; ExpectedRevisionId must match;
  PolicyNotFoundException when there is none.
* Kinesis destinations (Enable/Disable/Update/DescribeKinesisStreamingDestination):
  ENABLING -> ACTIVE, DISABLING -> DISABLED, UPDATING -> ACTIVE after
  ``SETTINGS["table_seconds"]``; the timestamp precision (MILLISECOND by default); the state
  rules of each call. The stream itself is not checked (UNCONFIRMED what AWS answers for one
  that does not exist).
* Warm throughput: never decreased; at creation at least the on-demand initial values
  (12,000 reads / 4,000 writes per second) or the provisioned capacities; an increase is
  UPDATING for a while (the table stays ACTIVE).

Wordings and sources: docs/aws-behaviour.md §5.8.
"""
from __future__ import annotations

import json
import uuid

from clock import CLOCK
from ddb_common import SETTINGS, DdbError, invalid

POLICY_MAX = 20480
WARM_ON_DEMAND = {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000}
KINESIS_OPS = ("EnableKinesisStreamingDestination", "DisableKinesisStreamingDestination",
               "UpdateKinesisStreamingDestination", "DescribeKinesisStreamingDestination")
POLICY_OPS = ("PutResourcePolicy", "GetResourcePolicy", "DeleteResourcePolicy")


def _later() -> float:
    return CLOCK.time() + float(SETTINGS["table_seconds"])


# --------------------------------------------------------------------------- resource policy
def _no_policy(arn: str) -> DdbError:
    return DdbError("PolicyNotFoundException",
                    f"Resource-based policy not found for the provided ResourceArn: {arn}")


def check_policy(doc: str) -> None:
    if len(doc.encode()) > POLICY_MAX:
        raise invalid(f"Maximum policy size of {POLICY_MAX} bytes exceeded")
    try:
        pol = json.loads(doc)
    except ValueError:
        raise invalid("Invalid policy document: This policy contains invalid Json")
    st = pol.get("Statement") if isinstance(pol, dict) else None
    if not st:
        raise invalid("Invalid policy document: Could not parse the policy: Statement is empty!")


def put_policy(table, doc: str, expected: str | None = None) -> str:
    cur = getattr(table, "_policy", None)
    if expected == "NO_POLICY" and cur is not None:
        raise DdbError("PolicyNotFoundException", (
            f"Resource-based policy not found for the provided ResourceArn: Requested policy update "
            f"expecting none to be present for table {table.name}, but a policy exists with revision id "
            f"{cur[1]}."))
    if expected not in (None, "NO_POLICY") and (cur is None or cur[1] != expected):
        raise _no_policy(table.table_arn)
    check_policy(doc)
    if cur is not None and cur[0] == doc:
        return cur[1]
    rev = str(int(CLOCK.time() * 1000)) + uuid.uuid4().hex[:6]
    table._policy = (doc, rev)
    return rev


def get_policy(table) -> tuple[str, str] | None:
    return getattr(table, "_policy", None)


def delete_policy(table, expected: str | None = None) -> str:
    cur = getattr(table, "_policy", None)
    if cur is None or (expected and cur[1] != expected):
        raise _no_policy(table.table_arn)
    table._policy = None
    return cur[1]


def policy_answer(op: str, table, p: dict) -> dict:
    if op == "PutResourcePolicy":
        return {"RevisionId": put_policy(table, p["Policy"], p.get("ExpectedRevisionId"))}
    if op == "GetResourcePolicy":
        cur = get_policy(table)
        if cur is None:
            raise _no_policy(p["ResourceArn"])
        return {"Policy": cur[0], "RevisionId": cur[1]}
    return {"RevisionId": delete_policy(table, p.get("ExpectedRevisionId"))}


# --------------------------------------------------------------------------- Kinesis
def _dests(table) -> dict:
    """StreamArn -> {"status", "until", "precision"} (settled when read)."""
    dests = table.__dict__.setdefault("_kinesis", {})
    for d in dests.values():
        if d["status"] in ("ENABLING", "UPDATING", "DISABLING") and CLOCK.time() >= d["until"]:
            d["status"] = "DISABLED" if d["status"] == "DISABLING" else "ACTIVE"
    return dests


def kinesis_active(table) -> dict:
    """Destinations that are not DISABLED: StreamArn -> precision."""
    return {a: d["precision"] for a, d in _dests(table).items() if d["status"] != "DISABLED"}


def enable_kinesis(table, arn: str, precision: str | None, at_once: bool = False) -> dict:
    d = _dests(table).get(arn)
    if d is not None and d["status"] not in ("DISABLED", "ENABLE_FAILED"):
        raise DdbError("ValidationException", (
            "Table is not in a valid state to enable Kinesis Streaming Destination: "
            "EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE "
            "operation."))
    _dests(table)[arn] = {"status": "ACTIVE" if at_once else "ENABLING", "until": _later(),
                          "precision": precision or "MILLISECOND"}
    return _dests(table)[arn]


def disable_kinesis(table, arn: str, at_once: bool = False) -> dict:
    d = _dests(table).get(arn)
    if d is None or d["status"] != "ACTIVE":
        raise DdbError("ValidationException", (
            "Table is not in a valid state to enable Kinesis Streaming Destination: "
            "KinesisStreamingDestination must be ACTIVE to perform DISABLE operation."))
    d.update(status="DISABLED" if at_once else "DISABLING", until=_later())
    return d


def update_kinesis(table, arn: str, precision: str | None, at_once: bool = False) -> dict:
    if not precision:
        raise DdbError("ValidationException", (
            "Streaming destination cannot be updated with given parameters: "
            "UpdateKinesisStreamingConfiguration cannot be null or contain only null values"))
    d = _dests(table).get(arn)
    if d is None or d["status"] != "ACTIVE":
        raise DdbError("ValidationException", (
            "Table is not in a valid state to enable Kinesis Streaming Destination: Kinesis streaming "
            f"is not in ACTIVE state. Updates are only allowed in ACTIVE state. TableName: {table.name}, "
            f"kdsArn: {arn}"))
    if d["precision"] == precision:
        raise DdbError("ValidationException", (
            f"Invalid Request: Precision is already set to the desired value of {precision} for "
            f"tableId: {getattr(table, '_table_id', '')}, kdsArn: {arn}"))
    d.update(precision=precision, status="ACTIVE" if at_once else "UPDATING", until=_later())
    return d


def kinesis_answer(op: str, table, p: dict) -> dict:
    if op == "DescribeKinesisStreamingDestination":
        return {"TableName": table.name, "KinesisDataStreamDestinations": [
            {"StreamArn": a, "DestinationStatus": d["status"],
             "ApproximateCreationDateTimePrecision": d["precision"]} for a, d in _dests(table).items()]}
    arn = p["StreamArn"]
    out = {"TableName": table.name, "StreamArn": arn}
    if op == "EnableKinesisStreamingDestination":
        cfg = p.get("EnableKinesisStreamingConfiguration") or {}
        d = enable_kinesis(table, arn, cfg.get("ApproximateCreationDateTimePrecision"))
        if cfg:
            out["EnableKinesisStreamingConfiguration"] = cfg
    elif op == "DisableKinesisStreamingDestination":
        d = disable_kinesis(table, arn)
        if p.get("EnableKinesisStreamingConfiguration"):
            out["EnableKinesisStreamingConfiguration"] = p["EnableKinesisStreamingConfiguration"]
    else:
        cfg = p.get("UpdateKinesisStreamingConfiguration") or {}
        d = update_kinesis(table, arn, cfg.get("ApproximateCreationDateTimePrecision"))
        out["UpdateKinesisStreamingConfiguration"] = cfg
    out["DestinationStatus"] = d["status"]
    return out


# --------------------------------------------------------------------------- warm throughput
def _warm_msg(what: str, unit: str) -> DdbError:
    return invalid(f"Requested {unit} for WarmThroughput for table is lower than {what}")


def check_warm(table, warm: dict, creating: bool, billing_mode: str | None = None,
               throughput: dict | None = None) -> dict:
    """The warm throughput after a request (CreateTable, UpdateTable, the handler), or the
    refusal: lower than the current one; at creation, lower than the on-demand initial values
    or the provisioned capacities."""
    units = {"ReadUnitsPerSecond": "ReadCapacityUnits", "WriteUnitsPerSecond": "WriteCapacityUnits"}
    if creating:
        for u, cap in units.items():
            if u not in warm:
                continue
            if (billing_mode or "PROVISIONED") == "PAY_PER_REQUEST" and int(warm[u]) < WARM_ON_DEMAND[u]:
                raise _warm_msg("initial throughput for OnDemand", u)
            if (billing_mode or "PROVISIONED") == "PROVISIONED" and throughput and \
                    int(warm[u]) < int(throughput.get(cap) or 0):
                raise _warm_msg(f"{cap} of ProvisionedThroughput", u)
        return {u: int(warm[u]) for u in units if u in warm}
    cur = table.warm_throughput or {}
    for u in units:
        if u in warm and int(warm[u]) < int(cur.get(u) or 0):
            raise _warm_msg("current WarmThroughput, decreasing WarmThroughput is not supported", u)
    return {u: int(warm.get(u, cur.get(u) or 0)) for u in units}


def set_warm(table, values: dict, at_once: bool = False) -> None:
    before = {k: v for k, v in (table.warm_throughput or {}).items() if k != "Status"}
    table.warm_throughput = dict(before, **values, Status="ACTIVE")
    if not at_once and values != before:
        table._warm_until = _later()


def warm_status(table) -> str:
    return "UPDATING" if CLOCK.time() < getattr(table, "_warm_until", 0.0) else "ACTIVE"
