"""Backups, point-in-time recovery and restores as DynamoDB documents them (moto's copy
everything at once, ignore the restore time and keep no statuses).

* Point-in-time recovery (UpdateContinuousBackups / DescribeContinuousBackups): a recovery
  period of 1-35 days (default 35); EarliestRestorableDateTime is when it was enabled or the
  start of the period, LatestRestorableDateTime five minutes before now (BC: "typically 5
  minutes before the current time"). While it is on, every successful write to the table
  keeps a copy of its items on the emulator clock (``record_write``), so a restore gets the
  items as they were at the restore time.
* On-demand backups (CreateBackup, DescribeBackup, ListBackups, DeleteBackup): the items
  and the table's description as of the request; CREATING, then AVAILABLE after
  ``--table-seconds``; they outlive their table.
* Restores (RestoreTableFromBackup, RestoreTableToPointInTime): a new table, CREATING then
  ACTIVE, with RestoreSummary; it carries the keys, indexes, capacities, billing mode and
  encryption (from the backup, or the source's current settings for a point in time), and not
  the tags, stream, TTL, point-in-time recovery, contributor insights, resource policy,
  Kinesis destinations or deletion protection (BC RestoreTableFromBackup /
  RestoreTableToPointInTime: "You must manually set up …"; docs/aws-behaviour.md §5.7).

Time is the emulator clock (clock.py).
"""
from __future__ import annotations

import copy
import datetime as _dt
import uuid
from typing import Any

import ddb_rules
from clock import CLOCK
from ddb_common import SETTINGS, DdbError

DAY = 86400.0
LATEST_LAG = 300.0   # LatestRestorableDateTime: five minutes before now (BC)
HISTORY_MAX = 5000   # copies of a table's items kept for point-in-time restores
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems",
          "ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction")
OPS = ("UpdateContinuousBackups", "DescribeContinuousBackups", "CreateBackup", "DescribeBackup",
       "ListBackups", "DeleteBackup", "RestoreTableFromBackup", "RestoreTableToPointInTime")


def _now() -> float:
    return CLOCK.time()


def _ts(t: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc)


def _store(be) -> dict:
    """Backups of a region: ARN -> record (kept on the backend object, reset with it)."""
    return be.__dict__.setdefault("_emu_backups", {})


def _table_by(be, name_or_arn: str, code: str = "TableNotFoundException"):
    name = name_or_arn.split(":table/", 1)[1].split("/", 1)[0] if ":table/" in name_or_arn else name_or_arn
    t = be.tables.get(name)
    if t is None:
        raise DdbError(code, f"Table not found: {name}")
    return t


# --------------------------------------------------------------------------- PITR
def _pitr(table) -> dict:
    return table.__dict__.setdefault("_pitr", {"on": False, "since": None, "days": 35,
                                               "history": []})


def _window(table) -> tuple[float, float]:
    p = _pitr(table)
    earliest = max(p["since"], _now() - p["days"] * DAY)
    return earliest, max(earliest, _now() - LATEST_LAG)


def describe_continuous_backups(table) -> dict:
    p = _pitr(table)
    d: dict[str, Any] = {"PointInTimeRecoveryStatus": "ENABLED" if p["on"] else "DISABLED"}
    if p["on"]:
        earliest, latest = _window(table)
        d.update(RecoveryPeriodInDays=p["days"], EarliestRestorableDateTime=_ts(earliest),
                 LatestRestorableDateTime=_ts(latest))
    return {"ContinuousBackupsStatus": "ENABLED", "PointInTimeRecoveryDescription": d}


def set_pitr(table, spec: dict) -> dict:
    """UpdateContinuousBackups's effect (also the CloudFormation handler's)."""
    p = _pitr(table)
    on = bool(spec["PointInTimeRecoveryEnabled"])
    days = spec.get("RecoveryPeriodInDays")
    if not on:
        if days is not None:
            raise DdbError("ValidationException", "Invalid Request: Cannot specify RecoveryPeriodInDays "
                                                  "when disabling point-in-time recovery.")
        p.update(on=False, since=None, history=[])
        return describe_continuous_backups(table)
    if not p["on"]:
        p.update(on=True, since=_now(), history=[(_now(), copy.deepcopy(table.items))])
    p["days"] = int(days) if days is not None else (p["days"] if p.get("days") else 35)
    return describe_continuous_backups(table)


def record_write(op: str, params: dict, be) -> None:
    """After a successful write: keep a copy of the items of each written table with
    point-in-time recovery on."""
    names: set[str] = set()
    if isinstance(params.get("TableName"), str):
        names.add(params["TableName"])
    for k in ("RequestItems",):
        if isinstance(params.get(k), dict):
            names |= set(params[k])
    for it in params.get("TransactItems") or []:
        for v in it.values():
            if isinstance(v, dict) and isinstance(v.get("TableName"), str):
                names.add(v["TableName"])
    if op in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        names |= set(be.tables)  # PartiQL: the statement names the table; copy them all
    for n in names:
        n = n.split(":table/", 1)[1] if ":table/" in n else n
        t = be.tables.get(n)
        if t is None or not _pitr(t)["on"]:
            continue
        h = _pitr(t)["history"]
        h.append((_now(), copy.deepcopy(t.items)))
        horizon = _now() - _pitr(t)["days"] * DAY
        while len(h) > 1 and (len(h) > HISTORY_MAX or h[1][0] <= horizon):
            h.pop(0)


def _items_at(table, t: float):
    best = None
    for at, items in _pitr(table)["history"]:
        if at <= t:
            best = items
        else:
            break
    return copy.deepcopy(best if best is not None else table.items)


# --------------------------------------------------------------------------- backups
def _arn(table, region: str, account: str) -> str:
    ident = f"{int(_now() * 1000):017d}-{uuid.uuid4().hex[:8]}"
    return f"arn:aws:dynamodb:{region}:{account}:table/{table.name}/backup/{ident}"


def _settings(table) -> dict:
    """What a restore carries of a table (docs/aws-behaviour.md §5.7)."""
    return {
        "schema": copy.deepcopy(table.schema), "attr": copy.deepcopy(table.attr),
        "billing_mode": table.billing_mode or "PROVISIONED",
        "throughput": {k: table.throughput.get(k, 0) for k in ("ReadCapacityUnits", "WriteCapacityUnits")},
        "lsis": [{"IndexName": i.name, "KeySchema": copy.deepcopy(i.schema),
                  "Projection": copy.deepcopy(i.projection)} for i in table.indexes],
        "gsis": [{"IndexName": g.name, "KeySchema": copy.deepcopy(g.schema),
                  "Projection": copy.deepcopy(g.projection),
                  "ProvisionedThroughput": {k: (g.throughput or {}).get(k, 0)
                                            for k in ("ReadCapacityUnits", "WriteCapacityUnits")}}
                 for g in table.global_indexes if g.status != "DELETING"],
        "sse": copy.deepcopy(table.sse_specification) if (table.sse_specification or {}).get("Enabled") else None,
        "table_class": getattr(table, "_table_class", None),
        "on_demand": copy.deepcopy(getattr(table, "_on_demand", None)),
    }


def create_backup(be, table, name: str, region: str, account: str) -> dict:
    desc = table.describe(base_key="Table")["Table"]
    rec = {"arn": _arn(table, region, account), "name": name, "at": _now(),
           "ready": _now() + float(SETTINGS["table_seconds"]), "deleted": False,
           "table_name": table.name, "table_arn": table.table_arn, "table_id": desc.get("TableId"),
           "desc": desc, "ttl": copy.deepcopy(table.ttl), "items": copy.deepcopy(table.items),
           "settings": _settings(table), "size": len(table) * 100}
    _store(be)[rec["arn"]] = rec
    return {"BackupDetails": _details(rec)}


def _status(rec) -> str:
    if rec["deleted"]:
        return "DELETED"
    return "AVAILABLE" if _now() >= rec["ready"] else "CREATING"


def _details(rec) -> dict:
    return {"BackupArn": rec["arn"], "BackupName": rec["name"], "BackupSizeBytes": rec["size"],
            "BackupStatus": _status(rec), "BackupType": "USER",
            "BackupCreationDateTime": _ts(rec["at"])}


def _description(rec) -> dict:
    d = rec["desc"]
    src = {"TableName": rec["table_name"], "TableId": rec["table_id"], "TableArn": rec["table_arn"],
           "TableSizeBytes": d.get("TableSizeBytes", 0), "KeySchema": d["KeySchema"],
           "TableCreationDateTime": d.get("CreationDateTime"), "ItemCount": d.get("ItemCount", 0),
           "BillingMode": rec["settings"]["billing_mode"],
           "ProvisionedThroughput": rec["settings"]["throughput"]}
    if rec["settings"]["on_demand"]:
        src["OnDemandThroughput"] = rec["settings"]["on_demand"]
    feat: dict[str, Any] = {}
    if rec["settings"]["lsis"]:
        feat["LocalSecondaryIndexes"] = rec["settings"]["lsis"]
    if rec["settings"]["gsis"]:
        feat["GlobalSecondaryIndexes"] = rec["settings"]["gsis"]
    if d.get("StreamSpecification", {}).get("StreamEnabled"):
        feat["StreamDescription"] = d["StreamSpecification"]
    feat["TimeToLiveDescription"] = rec["ttl"]
    if d.get("SSEDescription"):
        feat["SSEDescription"] = d["SSEDescription"]
    return {"BackupDetails": _details(rec), "SourceTableDetails": src, "SourceTableFeatureDetails": feat}


def _backup(be, arn: str) -> dict:
    rec = _store(be).get(arn)
    if rec is None or rec["deleted"]:
        raise DdbError("BackupNotFoundException", f"Backup not found: {arn}")
    return rec


def list_backups(be, p: dict) -> dict:
    recs = sorted((r for r in _store(be).values() if not r["deleted"]), key=lambda r: (r["at"], r["arn"]))
    if p.get("TableName"):
        name = p["TableName"].split(":table/", 1)[-1]
        recs = [r for r in recs if r["table_name"] == name]
    if p.get("BackupType") not in (None, "USER", "ALL"):
        recs = []
    lo, hi = p.get("TimeRangeLowerBound"), p.get("TimeRangeUpperBound")
    if lo is not None and hi is not None and float(lo) > float(hi):
        raise DdbError("ValidationException", "One or more parameter values were invalid: Time range "
                                              "lower bound must be less than or equal to upper bound")
    if lo is not None:
        recs = [r for r in recs if r["at"] >= float(lo)]
    if hi is not None:
        recs = [r for r in recs if r["at"] < float(hi)]
    start = p.get("ExclusiveStartBackupArn")
    if start:
        arns = [r["arn"] for r in recs]
        recs = recs[arns.index(start) + 1:] if start in arns else []
    limit = int(p.get("Limit") or 100)
    page = recs[:limit]
    out: dict = {"BackupSummaries": [{
        "TableName": r["table_name"], "TableId": r["table_id"], "TableArn": r["table_arn"],
        "BackupArn": r["arn"], "BackupName": r["name"], "BackupCreationDateTime": _ts(r["at"]),
        "BackupStatus": _status(r), "BackupType": "USER", "BackupSizeBytes": r["size"]} for r in page]}
    if len(recs) > limit:
        out["LastEvaluatedBackupArn"] = page[-1]["arn"]
    return out


# --------------------------------------------------------------------------- restores
def _projection(p) -> tuple:
    p = p or {}
    return (p.get("ProjectionType", "ALL"), tuple(sorted(p.get("NonKeyAttributes") or ())))


def _override(settings: dict, p: dict, region: str, account: str) -> dict:
    s = copy.deepcopy(settings)
    bm = p.get("BillingModeOverride")
    pt = p.get("ProvisionedThroughputOverride")
    if bm == "PAY_PER_REQUEST" and pt:
        raise DdbError("ValidationException", "Invalid Request: Cannot override ProvisionedThroughput if "
                                              "BillingMode is overridden to PAY_PER_REQUEST")
    if bm == "PROVISIONED" and s["billing_mode"] != "PROVISIONED" and not pt:
        raise DdbError("ValidationException", "Invalid Request: Must override ProvisionedThroughput if "
                                              "BillingMode is overridden to PROVISIONED")
    if pt and (bm or s["billing_mode"]) != "PROVISIONED":
        raise DdbError("ValidationException", "Invalid Request: Cannot override ProvisionedThroughput "
                                              "unless BillingMode is PROVISIONED")
    if bm:
        s["billing_mode"] = bm
    if pt:
        s["throughput"] = {k: int(pt[k]) for k in ("ReadCapacityUnits", "WriteCapacityUnits")}
    if s["billing_mode"] == "PAY_PER_REQUEST":
        s["throughput"] = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if p.get("OnDemandThroughputOverride"):
        s["on_demand"] = dict(p["OnDemandThroughputOverride"])
    for key, field in (("GlobalSecondaryIndexOverride", "gsis"), ("LocalSecondaryIndexOverride", "lsis")):
        if key in p:
            # "The indexes provided should match existing secondary indexes" (BC
            # RestoreTableFromBackup): an index of the source, by name, keys and projection;
            # the override only leaves indexes out (and sets a GSI's throughput).
            known = {x["IndexName"]: x for x in s[field]}
            for x in p[key]:
                src = known.get(x["IndexName"])
                if src is None or x.get("KeySchema") != src["KeySchema"] or \
                        _projection(x.get("Projection")) != _projection(src["Projection"]):
                    raise DdbError("ValidationException", (
                        f"Invalid Request: Index {x['IndexName']} does not match a secondary index that "
                        "existed in the source table and cannot be created during the restore operation"))
            s[field] = copy.deepcopy(p[key])
    if "SSESpecificationOverride" in p:
        s["sse"] = ddb_rules.sse_target(None, p["SSESpecificationOverride"], region, account, creating=True)
    return s


def _restore(be, target: str, settings: dict, items, summary: dict, region: str, account: str):
    if target in be.tables:
        raise DdbError("TableAlreadyExistsException", f"Table already exists: {target}")
    gsis = []
    for g in settings["gsis"]:
        g = dict(g)
        if settings["billing_mode"] == "PAY_PER_REQUEST":
            g.pop("ProvisionedThroughput", None)
        gsis.append(g)
    table = be.create_table(
        name=target, schema=settings["schema"], attr=settings["attr"],
        throughput=settings["throughput"] if settings["billing_mode"] == "PROVISIONED" else None,
        global_indexes=gsis, indexes=settings["lsis"], streams=None,
        billing_mode=settings["billing_mode"], sse_specification=copy.deepcopy(settings["sse"]),
        tags=[], deletion_protection_enabled=False, warm_throughput=None)
    if settings["table_class"]:
        table._table_class = settings["table_class"]
    if settings["on_demand"]:
        table._on_demand = dict(settings["on_demand"])
    table.items = items
    table._restore = dict(summary, RestoreDateTime=_ts(summary["RestoreDateTime"]))
    return table.describe(base_key="TableDescription")


def restore_from_backup(be, p: dict, region: str, account: str) -> dict:
    rec = _backup(be, p["BackupArn"])
    if _status(rec) != "AVAILABLE":
        raise DdbError("BackupInUseException", f"Backup is being created: {rec['arn']}")
    settings = _override(rec["settings"], p, region, account)
    return _restore(be, p["TargetTableName"], settings, copy.deepcopy(rec["items"]),
                    {"SourceBackupArn": rec["arn"], "SourceTableArn": rec["table_arn"],
                     "RestoreDateTime": _now()}, region, account)


def restore_to_point_in_time(be, p: dict, region: str, account: str) -> dict:
    if bool(p.get("SourceTableArn")) == bool(p.get("SourceTableName")):
        raise DdbError("ValidationException",
                       "Invalid Request: Must provide exactly one of: sourceTableArn, sourceTableName")
    if bool(p.get("UseLatestRestorableTime")) == ("RestoreDateTime" in p):
        raise DdbError("ValidationException", "Invalid Request: Either one of RestoreDateTime or "
                                              "UseLatestRestorableTime must be specified, but not both")
    source = _table_by(be, p.get("SourceTableArn") or p["SourceTableName"])
    if not _pitr(source)["on"]:
        raise DdbError("PointInTimeRecoveryUnavailableException",
                       f"Point in time recovery is not enabled for table '{source.name}'")
    if p["TargetTableName"] in be.tables:
        raise DdbError("TableAlreadyExistsException", f"Table already exists: {p['TargetTableName']}")
    earliest, latest = _window(source)
    if p.get("UseLatestRestorableTime"):
        at = latest
    else:
        v = p["RestoreDateTime"]
        at = v.timestamp() if isinstance(v, _dt.datetime) else float(v)
        if at < earliest or at > latest:
            raise DdbError("InvalidRestoreTimeException", (
                "An invalid restore time was specified. RestoreDateTime must be between "
                "EarliestRestorableDateTime and LatestRestorableDateTime."))
    settings = _override(_settings(source), p, region, account)
    return _restore(be, p["TargetTableName"], settings, _items_at(source, at),
                    {"SourceTableArn": source.table_arn, "RestoreDateTime": at}, region, account)


def restore_summary(table) -> dict | None:
    r = getattr(table, "_restore", None)
    if r is None:
        return None
    return dict(r, RestoreInProgress=ddb_rules.phase(table) == "CREATING")


# --------------------------------------------------------------------------- front
def answer(op: str, p: dict, be, region: str, account: str) -> dict:
    if op == "DescribeContinuousBackups":
        return {"ContinuousBackupsDescription": describe_continuous_backups(_table_by(be, p["TableName"]))}
    if op == "UpdateContinuousBackups":
        return {"ContinuousBackupsDescription": set_pitr(_table_by(be, p["TableName"]),
                                                         p["PointInTimeRecoverySpecification"])}
    if op == "CreateBackup":
        return create_backup(be, _table_by(be, p["TableName"]), p["BackupName"], region, account)
    if op == "DescribeBackup":
        return {"BackupDescription": _description(_backup(be, p["BackupArn"]))}
    if op == "DeleteBackup":
        rec = _backup(be, p["BackupArn"])
        rec["deleted"] = True
        return {"BackupDescription": _description(rec)}
    if op == "ListBackups":
        return list_backups(be, p)
    if op == "RestoreTableFromBackup":
        return {"TableDescription": restore_from_backup(be, p, region, account)["TableDescription"]}
    return {"TableDescription": restore_to_point_in_time(be, p, region, account)["TableDescription"]}
