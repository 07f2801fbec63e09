"""DynamoDB's rules for a table's life and its table-level changes, which moto lacks.

* Status on the emulator clock: a table is ``CREATING`` after CreateTable (and a
  restore), ``UPDATING`` after an UpdateTable that changes throughput, billing mode,
  stream, table class or an index's capacity, for ``SETTINGS["table_seconds"]``; what
  DynamoDB admits meanwhile (``admit``).
* UpdateTable's refusals (``check_update``): nothing to change, one concern per request,
  the billing mode and its capacities, an unchanged capacity, the stream, encryption,
  the table class, and the switch quotas over 24 hours / 30 days (``QUOTAS``).
* KMS keys must exist, be enabled and not pending deletion (``resolve_kms_key``).

Every rule and wording has its source in docs/aws-behaviour.md §5.5 (what is only
reported is marked UNCONFIRMED there). Time is the emulator clock (clock.py), so tests
move past a window with ``POST /_emulator/clock``.
"""
from __future__ import annotations

import datetime as _dt
import uuid
from typing import Any

from clock import CLOCK
from ddb_common import SETTINGS, DdbError, invalid

DAY = 86400.0
AT_LEAST_ONE = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, "
                "MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, "
                "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is "
                "required")
UPDATABLE = ("ProvisionedThroughput", "BillingMode", "StreamSpecification",
             "GlobalSecondaryIndexUpdates", "SSESpecification", "ReplicaUpdates",
             "DeletionProtectionEnabled", "OnDemandThroughput", "WarmThroughput", "TableClass",
             "MultiRegionConsistency", "GlobalTableWitnessUpdates")
# Members that must travel alone, in the order DynamoDB names them (ack-api-quirks
# DDB-TABLE-382/433, UNCONFIRMED): SSE > TableClass > DeletionProtection > WarmThroughput.
SOLO = (("SSESpecification", "Server-Side Encryption modification must be the only operation in "
         "the request"),
        ("TableClass", "TableClass modification must be the only operation in the request"),
        ("DeletionProtectionEnabled", "DeletionProtection modification must be the only "
         "operation in the request"),
        ("WarmThroughput", "WarmThroughput must be the only operation in the request"))
# Quotas per table: (events allowed, window seconds).
QUOTAS = {
    "on_demand": (4, DAY),        # PROVISIONED -> PAY_PER_REQUEST (DG switching.capacitymode)
    "table_class": (2, 30 * DAY),  # table class updates (DG WorkingWithTables.tableclasses)
    "sse": (4, DAY),              # encryption changes (ack-api-quirks DDB-TABLE-120, UNCONFIRMED)
}
SSE_SPACING = 21600.0  # after 4 encryption changes: one per 6 hours (same source)


def _now() -> float:
    return CLOCK.time()


def _java_date(t: float) -> str:
    """The timestamp form of DynamoDB's quota messages ("Sat Feb 23 03:07:45 UTC 2019")."""
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def _iso(t: float) -> str:
    return _dt.datetime.fromtimestamp(t, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def in_use(message: str) -> DdbError:
    return DdbError("ResourceInUseException",
                    f"Attempt to change a resource which is still in use: {message}")


# --------------------------------------------------------------------------- status
def start(table, status: str) -> None:
    """The table is CREATING or UPDATING for SETTINGS["table_seconds"] of emulator time."""
    secs = float(SETTINGS["table_seconds"])
    table._phase = (status, _now() + secs) if secs > 0 else None


def clear(table) -> None:
    """ACTIVE at once (CloudFormation's handler waits for ACTIVE before it reports)."""
    table._phase = None


def phase(table) -> str | None:
    """CREATING / UPDATING while the table's own change runs, else None."""
    p = getattr(table, "_phase", None)
    if p is None:
        return None
    if _now() >= p[1]:
        table._phase = None
        return None
    return p[0]


def _index_busy(table) -> bool:
    import ddb_ext
    return ddb_ext.index_busy(table)


def status(table) -> str:
    return phase(table) or ("UPDATING" if _index_busy(table) else "ACTIVE")


# --------------------------------------------------------------------------- admission
DATA_PLANE = ("PutItem", "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
              "BatchWriteItem", "TransactGetItems", "TransactWriteItems")
TAGGING = ("TagResource", "UntagResource", "ListTagsOfResource")


def admit(op: str, table) -> None:
    """Refuse what DynamoDB refuses while the table is CREATING / UPDATING (UpdateTable's
    own rules are in check_update)."""
    ph = phase(table)
    name = table.name
    if ph == "CREATING":
        if op == "DescribeTimeToLive":
            raise DdbError("ValidationException", "Cannot describe time to live while table is in "
                           "CREATING state: Current table state is CREATING")
        if op == "UpdateTimeToLive":
            raise in_use(f"Table {name} is being created")
        if op in ("DeleteTable", "UpdateTable"):
            raise in_use(f"Table is being created: {name}")
        if op in DATA_PLANE:
            raise DdbError("ResourceNotFoundException", "Requested resource not found")
        if op in TAGGING:
            raise DdbError("ResourceNotFoundException",
                           f"Requested resource not found: ResourceArn: {table.table_arn} not found")
        if op in ("CreateBackup", "UpdateContinuousBackups"):
            raise DdbError("TableNotFoundException", f"Table not found: {name}")
        if op == "UpdateContributorInsights":
            raise DdbError("ValidationException", "Table or Index is not in a valid state to update "
                           "Key Access Insights: TableStatus must be ACTIVE to enable "
                           "ContributorInsights.")
        if op in ("EnableKinesisStreamingDestination", "UpdateKinesisStreamingDestination"):
            raise in_use(f"Table is being created: {name}")
    if op == "DeleteTable":
        if ph == "UPDATING":
            raise in_use(f"Table: {name} is in the process of being updated.")
        if _index_busy(table):
            raise in_use("Cannot delete table while indexes are being created, updated, or deleted.")


# --------------------------------------------------------------------------- quotas
def _events(table, kind: str) -> list[float]:
    store = table.__dict__.setdefault("_quota", {})
    n, window = QUOTAS[kind]
    ev = [t for t in store.get(kind, []) if t > _now() - window]
    store[kind] = ev
    return ev


def record(table, kind: str) -> None:
    _events(table, kind).append(_now())


def check_quota(table, kind: str) -> None:
    """LimitExceededException when one more change of this kind would exceed the quota."""
    ev = _events(table, kind)
    n, window = QUOTAS[kind]
    if kind == "on_demand" and len(ev) >= n:
        raise DdbError("LimitExceededException", (
            f"Subscriber limit exceeded: Update to PayPerRequest mode are limited to {n} times in "
            f"1 day(s). Last update at {_java_date(ev[-1])}. Next update can be made at "
            f"{_java_date(ev[0] + window)}"))
    if kind == "table_class" and len(ev) >= n:
        raise DdbError("LimitExceededException",
                       "Subscriber limit exceeded: Updates to TableClass are limited to 2 times in "
                       "30 day(s).")
    if kind == "sse" and len(ev) >= n and _now() < ev[-1] + SSE_SPACING:
        raise DdbError("LimitExceededException", (
            f"Subscriber limit exceeded: Encryption mode changes are limited in the 24h window "
            f"ending at {_iso(_now())}. After the first {n} change, each subsequent change in the "
            f"same window can be performed at most once every {int(SSE_SPACING)} seconds. Number "
            f"of updates today: {len(ev)}. Last change at {_iso(ev[-1])}. Next changes can be "
            f"made at {_iso(ev[-1] + SSE_SPACING)}."))


# --------------------------------------------------------------------------- KMS
def _kms_error(kind: str, text: str) -> DdbError:
    exc = {"NotFoundException": "KMS validation error", "DisabledException": "KMS key disabled error",
           "KMSInvalidStateException": "KMS validation error"}[kind]
    return DdbError("ValidationException", (
        f"{exc}: com.amazonaws.services.kms.model.{kind}: {text} (Service: AWSKMS; Status Code: "
        f"400; Error Code: {kind}; Request ID: {uuid.uuid4()}; Proxy: null)"))


def managed_key_arn(table_or_none, region: str, account: str) -> str:
    """The AWS managed key aws/dynamodb (made in moto's KMS on first use, as AWS does)."""
    from moto.dynamodb.models.table import Table
    return Table._get_default_encryption_key(table_or_none, account, region)  # type: ignore[arg-type]


def resolve_kms_key(key: str, region: str, account: str) -> str:
    """The ARN of a key given by id, ARN, alias name or alias ARN; ValidationException when
    the key does not exist in this account and region, is disabled or pending deletion."""
    from moto.kms.models import kms_backends
    if key in ("alias/aws/dynamodb", f"arn:aws:kms:{region}:{account}:alias/aws/dynamodb"):
        return managed_key_arn(None, region, account)
    kms = kms_backends[account][region]
    is_alias = key.startswith("alias/") or ":alias/" in key
    if key.startswith("arn:"):
        parts = key.split(":")
        if len(parts) < 6 or parts[3] != region or parts[4] != account:
            raise _kms_error("NotFoundException", f"Invalid arn {parts[3] if len(parts) > 3 else key}")
    try:
        k = kms.describe_key(key)
    except Exception:
        k = None
    if k is None:
        shown = key if key.startswith("arn:") else (
            f"arn:aws:kms:{region}:{account}:{key}" if is_alias else f"arn:aws:kms:{region}:{account}:key/{key}")
        raise _kms_error("NotFoundException", f"Alias {shown} is not found." if is_alias
                         else f"Key '{shown}' does not exist")
    if k.key_state == "Disabled":
        raise _kms_error("DisabledException", f"{k.arn} is disabled.")
    if k.key_state == "PendingDeletion":
        raise _kms_error("KMSInvalidStateException", f"{k.arn} is pending deletion.")
    return k.arn


def current_sse_key(table) -> str | None:
    s = table.sse_specification
    return s.get("KMSMasterKeyId") if s and s.get("Enabled") else None


def sse_target(table, spec: dict, region: str, account: str, creating: bool = False) -> dict | None:
    """What an SSESpecification asks for: None (AWS owned key) or {Enabled, SSEType,
    KMSMasterKeyId: ARN}; refusals of DynamoDB for it."""
    enabled = spec.get("Enabled")
    if enabled is None and spec.get("SSEType") == "KMS":
        enabled = True  # {SSEType: KMS} alone enables (ack-api-quirks, UNCONFIRMED)
    if not enabled:
        if spec.get("SSEType"):
            raise invalid("SSEType can not be specified if Enabled is false")
        if spec.get("KMSMasterKeyId"):
            raise invalid("KMSMasterKeyId can not be specified if Enabled is false")
        if not creating and current_sse_key(table) is None:
            raise invalid("Table is already encrypted by default")
        return None
    if spec.get("SSEType") == "AES256":
        raise invalid("SSEType AES256 is not supported")
    key = spec.get("KMSMasterKeyId")
    if key and spec.get("SSEType") != "KMS":
        raise invalid("SSEType KMS is required if KMSMasterKeyId is specified")
    arn = resolve_kms_key(key, region, account) if key else managed_key_arn(None, region, account)
    if not creating and key and key == current_sse_key(table):
        raise invalid("Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId "
                      "parameter if you want to change Master Key")
    return {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": arn}


# --------------------------------------------------------------------------- streams
def stream_enabled(table) -> bool:
    return bool((table.stream_specification or {}).get("StreamEnabled"))


def check_stream(table, spec: dict, creating: bool = False) -> None:
    on, view = spec.get("StreamEnabled"), spec.get("StreamViewType")
    if creating:
        if on and not view:
            raise invalid("Table is being created with a stream enabled, UpdateViewType is required")
        if not on and view:
            raise invalid("Table is being created with a stream disabled, UpdateViewType should not "
                          "be specified")
        return
    if on:
        if not view:
            raise invalid("If stream is being enabled then UpdateViewType is required")
        if stream_enabled(table):  # BC UpdateTable: ValidationException (also another view type)
            raise DdbError("ValidationException", f"Table already has an enabled stream: TableName: "
                           f"{table.name}")
    else:
        if view:
            raise invalid("If stream is being disabled, then UpdateViewType must not be specified")
        if not stream_enabled(table):
            raise DdbError("ValidationException", f"Table has no stream to disable: TableName: "
                           f"{table.name}")


# --------------------------------------------------------------------------- UpdateTable
def _pt(d: dict | None) -> tuple[int, int] | None:
    if not d:
        return None
    return int(d.get("ReadCapacityUnits") or 0), int(d.get("WriteCapacityUnits") or 0)


def unchanged_pt(kind: str, cur: tuple[int, int]) -> DdbError:
    return DdbError("ValidationException", (
        f"The provisioned throughput for the {kind} will not change. The requested value equals "
        f"the current value. Current ReadCapacityUnits provisioned for the {kind}: {cur[0]}. "
        f"Requested ReadCapacityUnits: {cur[0]}. Current WriteCapacityUnits provisioned for the "
        f"{kind}: {cur[1]}. Requested WriteCapacityUnits: {cur[1]}. Refer to the Amazon DynamoDB "
        f"Developer Guide for current limits and how to request higher limits."))


def check_update(table, p: dict, region: str, account: str) -> dict:
    """Refuse an UpdateTable as DynamoDB does, before anything changes. Returns what the
    request changes: {"phase": bool (UPDATING follows), "sse": target or "unset",
    "quota": [kinds to record], "class_noop": bool}."""
    name = table.name
    members = [k for k in UPDATABLE if k in p]
    if not members:
        raise DdbError("ValidationException", AT_LEAST_ONE)
    ph = phase(table)
    if ph == "CREATING":
        raise in_use(f"Table is being created: {name}")
    for m, msg in SOLO:
        if m in p and len(members) > 1:
            raise invalid(msg)
    gsi_updates = p.get("GlobalSecondaryIndexUpdates") or []
    online = [u for u in gsi_updates if u.get("Create") or u.get("Delete")]
    cur_mode = table.billing_mode or "PROVISIONED"
    new_mode = p.get("BillingMode") or cur_mode
    if "OnDemandThroughput" in p and any(m not in ("OnDemandThroughput", "BillingMode") for m in members):
        raise invalid("OnDemandThroughput can only be combined with BillingMode in an UpdateTable "
                      "request")
    iops = "ProvisionedThroughput" in p or p.get("BillingMode") == "PROVISIONED"
    if "StreamSpecification" in p and iops:
        raise invalid("You cannot modify stream status while updating table IOPS")
    if online and iops:
        raise invalid("You cannot create or delete index while updating table IOPS")
    if online and "StreamSpecification" in p:
        raise invalid("You cannot create or delete index while changing stream status")
    table_level = [m for m in members if m not in ("DeletionProtectionEnabled", "SSESpecification",
                                                   "WarmThroughput")]
    if ph == "UPDATING" and table_level:
        raise in_use(f"Table: {name} is in the process of being updated.")
    out: dict[str, Any] = {"phase": False, "sse": "unset", "quota": [], "class_noop": False}
    # billing mode and capacities
    pt = _pt(p.get("ProvisionedThroughput"))
    if new_mode == "PAY_PER_REQUEST" and pt:
        raise invalid("Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                      "BillingMode is PAY_PER_REQUEST")
    switching = new_mode != cur_mode
    gsi_pt = {u["Update"]["IndexName"]: _pt(u["Update"].get("ProvisionedThroughput"))
              for u in gsi_updates if u.get("Update")}
    if switching and new_mode == "PROVISIONED":
        if not pt:
            raise invalid("ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
        for g in table.global_indexes:
            if not gsi_pt.get(g.name) and g.status != "DELETING":
                raise invalid(f"ProvisionedThroughput must be specified for index: {g.name}")
    if new_mode == "PAY_PER_REQUEST":
        for idx, v in gsi_pt.items():
            if v:
                raise invalid(f"Neither ReadCapacityUnits nor WriteCapacityUnits can be specified "
                              f"for index: {idx} when BillingMode is PAY_PER_REQUEST")
    if pt and not switching:
        cur = _pt(table.throughput) or (0, 0)
        if pt == cur:
            raise unchanged_pt("table", cur)
    if not switching and new_mode == "PROVISIONED":
        by_name = {g.name: g for g in table.global_indexes}
        for idx, v in gsi_pt.items():
            g = by_name.get(idx)
            if g is not None and v and v == _pt(g.throughput):
                raise unchanged_pt(f"index {idx}", v)
    if switching and new_mode == "PAY_PER_REQUEST":
        check_quota(table, "on_demand")
        out["quota"].append("on_demand")
    if pt or switching or gsi_pt or "OnDemandThroughput" in p:
        out["phase"] = bool(pt or switching or gsi_pt)
    # stream
    if "StreamSpecification" in p:
        check_stream(table, p["StreamSpecification"])
        out["phase"] = True
    # table class
    if "TableClass" in p:
        cur_class = getattr(table, "_table_class", None) or "STANDARD"
        if p["TableClass"] == cur_class:
            if len(_events(table, "table_class")) >= QUOTAS["table_class"][0]:
                check_quota(table, "table_class")
            out["class_noop"] = True
        else:
            check_quota(table, "table_class")
            out["quota"].append("table_class")
            out["phase"] = True
    # encryption
    if "SSESpecification" in p:
        target = sse_target(table, p["SSESpecification"], region, account)
        check_quota(table, "sse")
        out["sse"] = target
        out["quota"].append("sse")
    return out


def merge_attr_defs(table, given: list[dict]) -> list[dict]:
    """UpdateTable's AttributeDefinitions add to the table's: DynamoDB keeps the
    definitions of the keys it has (a new index's request lists only what it needs)."""
    merged = {a["AttributeName"]: dict(a) for a in table.attr}
    for a in given:
        merged.setdefault(a["AttributeName"], dict(a))
    return list(merged.values())


def used_attrs(table) -> set[str]:
    names = {k["AttributeName"] for k in table.schema}
    for idx in list(table.indexes) + list(table.global_indexes):
        names |= {k["AttributeName"] for k in idx.schema}
    return names
