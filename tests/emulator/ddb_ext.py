"""DynamoDB behaviour moto 5.2.1 lacks or gets wrong, made to follow real DynamoDB.

* patches of moto's backend (``patch_moto``): protected DeleteTable, TTL rules with
  ENABLING/DISABLING and the one-change-per-interval limit, TagResource overwrite, a new
  stream after a disabled one, CreateTable starting CREATING with its key as an ARN,
  DescribeTable shapes (TableStatus from ddb_rules, IndexStatus, Backfilling, IndexArn,
  TableId, SSEDescription, TableClassSummary, OnDemandThroughput, RestoreSummary, the
  warm throughput's status, the attribute definitions in use);
* operations answered here before moto (``front``): admission while a table is busy
  (ddb_rules.admit), CreateTable's stream and key checks, UpdateTable with DynamoDB's rules
  (ddb_rules.check_update), Describe/UpdateContributorInsights, the Kinesis destinations and
  the resource policy (ddb_features), backups, point-in-time recovery and restores
  (ddb_backup), ListTables and ListTagsOfResource with the emulator's pages;
* after moto answered a write (``after``): the items kept for point-in-time restores.

Time is the emulator clock (clock.py). Settings live in ``SETTINGS`` (ddb_common.py).
"""
from __future__ import annotations

import copy
import uuid
from typing import Any

import ddb_backup
import ddb_features
import ddb_rules
from clock import CLOCK
from ddb_common import SETTINGS, DdbError, invalid  # noqa: F401  (re-exported)
TTL_TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"
INDEX_LIMIT = ("Subscriber limit exceeded: Only 1 online index can be created or deleted "
               "simultaneously per table")


def _index_seconds() -> float:
    v = SETTINGS["index_seconds"]
    return float(v() if callable(v) else v)


# --------------------------------------------------------------------------- TTL
def settle_ttl(table) -> None:
    st = table.ttl.get("TimeToLiveStatus")
    if st in ("ENABLING", "DISABLING"):
        at = getattr(table, "_ttl_changed_at", 0.0)
        if CLOCK.time() >= at + float(SETTINGS["ttl_transition_seconds"]):
            table.ttl = ({"TimeToLiveStatus": "ENABLED", "AttributeName": table.ttl["AttributeName"]}
                         if st == "ENABLING" else {"TimeToLiveStatus": "DISABLED"})


def ttl_blocked(table) -> bool:
    """True while a new TTL change of this table would be refused."""
    at = getattr(table, "_ttl_changed_at", None)
    return at is not None and CLOCK.time() < at + float(SETTINGS["ttl_interval_seconds"])


def set_ttl(table, enabled: bool, name: str | None) -> None:
    """Start a TTL change (UpdateTimeToLive's effect)."""
    settle_ttl(table)
    table._ttl_changed_at = CLOCK.time()
    quick = float(SETTINGS["ttl_transition_seconds"]) <= 0
    if enabled:
        table.ttl = {"TimeToLiveStatus": "ENABLED" if quick else "ENABLING", "AttributeName": name}
    else:
        cur = table.ttl.get("AttributeName") or name
        table.ttl = ({"TimeToLiveStatus": "DISABLED"} if quick
                     else {"TimeToLiveStatus": "DISABLING", "AttributeName": cur})


def ttl_effective(table) -> tuple[bool, str | None]:
    """(enabled, name) counting ENABLING as enabled and DISABLING as disabled."""
    settle_ttl(table)
    st = table.ttl.get("TimeToLiveStatus", "DISABLED")
    return st in ("ENABLED", "ENABLING"), table.ttl.get("AttributeName")


# --------------------------------------------------------------------------- indexes
def settle_indexes(table) -> None:
    keep = []
    for g in table.global_indexes:
        ready = getattr(g, "_ready_at", None)
        if g.status in ("CREATING", "UPDATING", "DELETING") and ready is not None and CLOCK.time() >= ready:
            if g.status == "DELETING":
                continue
            g.status = "ACTIVE"
        keep.append(g)
    table.global_indexes = keep


def index_busy(table) -> bool:
    settle_indexes(table)
    return any(g.status in ("CREATING", "DELETING") for g in table.global_indexes)


def apply_gsi_updates(table, updates: list[dict]) -> None:
    """GlobalSecondaryIndexUpdates with DynamoDB's rules (one create/delete at a time)."""
    from moto.dynamodb.models.table import GlobalSecondaryIndex
    settle_indexes(table)
    online = [u for u in updates if u.get("Create") or u.get("Delete")]
    creating = {g.name for g in table.global_indexes if g.status == "CREATING"}
    cancel = len(online) == 1 and (online[0].get("Delete") or {}).get("IndexName") in creating
    if online and (len(online) > 1 or (index_busy(table) and not cancel)):
        raise DdbError("LimitExceededException", INDEX_LIMIT)
    by_name = {g.name: g for g in table.global_indexes}
    for u in updates:
        if u.get("Update"):
            name = u["Update"]["IndexName"]
            if name not in by_name:
                raise DdbError("ResourceNotFoundException",
                               f"Requested resource not found: Index: {name} not found")
            if u["Update"].get("ProvisionedThroughput"):
                by_name[name].throughput = dict(u["Update"]["ProvisionedThroughput"])
            if u["Update"].get("OnDemandThroughput"):
                by_name[name]._on_demand = dict(u["Update"]["OnDemandThroughput"])
        if u.get("Delete"):
            name = u["Delete"]["IndexName"]
            if name not in by_name:
                raise DdbError("ResourceNotFoundException",
                               f"Requested resource not found: Index: {name} not found")
            g = by_name[name]
            g.status, g._ready_at = "DELETING", CLOCK.time() + _index_seconds()
        if u.get("Create"):
            c = u["Create"]
            if c["IndexName"] in by_name:
                raise DdbError("ValidationException",
                               f"One or more parameter values were invalid: Index with name: "
                               f"{c['IndexName']} already exists for table: {table.name}")
            g = GlobalSecondaryIndex.create(copy.deepcopy(c), table.table_key_attrs)
            if c.get("OnDemandThroughput"):
                g._on_demand = dict(c["OnDemandThroughput"])
            g.status, g._ready_at = "CREATING", CLOCK.time() + _index_seconds()
            table.global_indexes.append(g)
            by_name[g.name] = g
    settle_indexes(table)


# --------------------------------------------------------------------------- DescribeTable
def _describe(orig):
    def describe(self, base_key: str = "TableDescription") -> dict:
        settle_indexes(self)
        settle_ttl(self)
        out = orig(self, base_key)
        d = out[base_key]
        if not hasattr(self, "_table_id"):
            self._table_id = str(uuid.uuid4())
        d["TableId"] = self._table_id
        gsis = []
        for g in self.global_indexes:
            gd = g.describe()
            gd["IndexArn"] = f"{self.table_arn}/index/{g.name}"
            gd["IndexSizeBytes"], gd["ItemCount"] = 0, 0
            if g.status == "CREATING":
                gd["Backfilling"] = True
            if getattr(g, "_on_demand", None):
                gd["OnDemandThroughput"] = g._on_demand
            gsis.append(gd)
        if gsis:
            d["GlobalSecondaryIndexes"] = gsis
        else:
            d.pop("GlobalSecondaryIndexes", None)
        if self.indexes:
            lsis = d.get("LocalSecondaryIndexes") or []
            for ld in lsis:
                ld["IndexArn"] = f"{self.table_arn}/index/{ld['IndexName']}"
                ld.setdefault("IndexSizeBytes", 0)
                ld.setdefault("ItemCount", 0)
        else:
            d.pop("LocalSecondaryIndexes", None)
        d["TableStatus"] = ddb_rules.status(self)
        restore = ddb_backup.restore_summary(self)
        if restore:
            d["RestoreSummary"] = restore
        if d.get("WarmThroughput"):
            d["WarmThroughput"] = dict(d["WarmThroughput"], Status=ddb_features.warm_status(self))
        used = ddb_rules.used_attrs(self)  # DynamoDB lists the attributes keys and indexes use
        d["AttributeDefinitions"] = [a for a in self.attr if a["AttributeName"] in used]
        if (self.billing_mode or "PROVISIONED") == "PAY_PER_REQUEST":
            d["ProvisionedThroughput"] = {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0,
                                          "WriteCapacityUnits": 0}
        if getattr(self, "_table_class", None):
            d["TableClassSummary"] = {"TableClass": self._table_class}
        if getattr(self, "_on_demand", None):
            d["OnDemandThroughput"] = self._on_demand
        if self.sse_specification and self.sse_specification.get("Enabled"):
            d["SSEDescription"] = {"Status": "ENABLED", "SSEType": "KMS",
                                   "KMSMasterKeyArn": self.sse_specification.get("KMSMasterKeyId")}
        else:
            d.pop("SSEDescription", None)
        return out
    return describe


# --------------------------------------------------------------------------- moto patches
def patch_moto() -> None:
    from moto.dynamodb import exceptions as dx
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import Table

    if getattr(Table, "_emulator_patched", False):
        return
    Table._emulator_patched = True

    # moto's server finds the backend for every request by listing its package folder
    # (backends.list_of_moto_modules: a listdir and ~50 stat calls, twice per request, under
    # the emulator's lock); the folder does not change while the emulator runs.
    import moto.backends
    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules
    Table.describe = _describe(Table.describe)

    # moto keeps the shard of a disabled stream and records every later write into it,
    # where it looks up the disabled specification's StreamViewType: PutItem answered 500
    # (KeyError) on a table whose stream was disabled. DynamoDB records nothing once a
    # stream is disabled (DG "Enabling a stream").
    orig_set_stream = Table.set_stream_specification

    def set_stream_specification(self, streams):
        orig_set_stream(self, streams)
        if not (self.stream_specification or {}).get("StreamEnabled"):
            self.stream_shard = None

    Table.set_stream_specification = set_stream_specification

    class ProtectedDelete(dx.MockValidationException):
        def __init__(self, table_name: str):
            super().__init__("Resource cannot be deleted as it is currently protected against "
                             "deletion. Disable deletion protection first.")

    def delete_table(self, name):  # real DynamoDB message (docs/aws-behaviour.md §5.4)
        table = self.get_table(name)
        if getattr(table, "deletion_protection_enabled", False):
            raise ProtectedDelete(name)
        return self.tables.pop(table.name)

    def update_time_to_live(self, table_name, ttl_spec):  # docs/aws-behaviour.md §5.3
        try:
            table = self.get_table(table_name)
        except dx.ResourceNotFoundException:
            raise dx.ResourceNotFoundException(table_name=table_name)
        name = ttl_spec.get("AttributeName")
        if "Enabled" not in ttl_spec or name is None:
            raise dx.MockValidationException(
                "1 validation error detected: Value null at 'timeToLiveSpecification' failed to "
                "satisfy constraint: Member must not be null")
        if name == "":
            raise dx.MockValidationException(
                "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' "
                "failed to satisfy constraint: Member must have length greater than or equal to 1")
        if ttl_blocked(table):  # checked first (UNCONFIRMED order; the stricter answer)
            raise dx.MockValidationException(TTL_TOO_OFTEN)
        enabled = bool(ttl_spec["Enabled"])
        on, cur_name = ttl_effective(table)
        if on and cur_name != name:
            raise dx.MockValidationException(
                f"TimeToLive is active on a different AttributeName: current AttributeName is {cur_name}")
        if enabled and on:
            raise dx.MockValidationException("TimeToLive is already enabled")
        if not enabled and not on:
            raise dx.MockValidationException("TimeToLive is already disabled")
        set_ttl(table, enabled, name)

    def describe_time_to_live(self, table_name):
        try:
            table = self.get_table(table_name)
        except dx.ResourceNotFoundException:
            raise dx.ResourceNotFoundException(table_name=table_name)
        settle_ttl(table)
        return table.ttl

    def tag_resource(self, table_arn, tags):  # TagResource overwrites existing keys
        for table in self.tables.values():
            if table.table_arn == table_arn:
                cur = {t["Key"]: t["Value"] for t in table.tags}
                for t in tags:
                    cur[t["Key"]] = t["Value"]
                table.tags = [{"Key": k, "Value": v} for k, v in cur.items()]
                return
        raise dx.ResourceNotFoundException()

    def update_table_streams(self, table, spec):
        # moto refuses any new stream once the table ever had one (it keeps the old
        # label); DynamoDB refuses only while a stream is enabled: a disabled stream can be
        # followed by a new one (DG "Enabling a stream": disable, then enable with the new
        # view type). Its ResourceInUseException stays moto's.
        enabled = bool((table.stream_specification or {}).get("StreamEnabled"))
        if (spec.get("StreamEnabled") or spec.get("StreamViewType")) and enabled:
            raise dx.StreamAlreadyEnabledException()
        table.set_stream_specification(spec)

    orig_create = DynamoDBBackend.create_table

    def create_table(self, name, **kw):
        # CREATING on the emulator clock (ddb_rules.start); the key given for encryption
        # is kept as its ARN, as DescribeTable shows it. CloudFormation's handler clears
        # the status: it reports only once the table is ACTIVE.
        sse = kw.get("sse_specification")
        if sse and sse.get("Enabled") and sse.get("KMSMasterKeyId"):
            kw["sse_specification"] = dict(sse, KMSMasterKeyId=ddb_rules.resolve_kms_key(
                sse["KMSMasterKeyId"], self.region_name, self.account_id))
        table = orig_create(self, name, **kw)
        ddb_rules.start(table, "CREATING")
        return table

    DynamoDBBackend.create_table = create_table
    DynamoDBBackend.update_table_streams = update_table_streams
    DynamoDBBackend.delete_table = delete_table
    DynamoDBBackend.update_time_to_live = update_time_to_live
    DynamoDBBackend.describe_time_to_live = describe_time_to_live
    DynamoDBBackend.tag_resource = tag_resource


# --------------------------------------------------------------------------- front
def backend(account: str, region: str):
    from moto.dynamodb.models import dynamodb_backends
    return dynamodb_backends[account][region]


def _table(be, name: str):
    if name.startswith("arn:"):
        name = name.split(":table/", 1)[-1]
    t = be.tables.get(name)
    if t is None:
        raise DdbError("ResourceNotFoundException",
                       f"Requested resource not found: Table: {name} not found")
    return t


def _ci(table, index: str | None) -> dict:
    store = table.__dict__.setdefault("_ci", {})
    rec = store.get(index)
    if rec is None:
        rec = store[index] = {"status": "DISABLED", "at": None, "mode": None}
    if rec["status"] in ("ENABLING", "DISABLING") and CLOCK.time() >= rec["at"] + _index_seconds():
        rec["status"] = "ENABLED" if rec["status"] == "ENABLING" else "DISABLED"
    return rec


def contributor_insights_on(table, index: str | None) -> bool:
    return _ci(table, index)["status"] in ("ENABLED", "ENABLING")


def set_contributor_insights(table, index: str | None, enable: bool, mode: str | None = None) -> dict:
    rec = _ci(table, index)
    rec["status"] = "ENABLING" if enable else "DISABLING"
    rec["at"] = CLOCK.time()
    rec["mode"] = (mode or "ACCESSED_AND_THROTTLED_KEYS") if enable else rec["mode"]
    return dict(rec)


def after(op: str, p: dict, account: str, region: str) -> None:
    """After moto answered a request successfully: what the emulator keeps of it (the
    items of tables with point-in-time recovery on, ddb_backup.record_write)."""
    if op in ddb_backup.WRITES:
        ddb_backup.record_write(op, p, backend(account, region))


def _tables_of(be, p: dict) -> list:
    """The existing tables a request names (TableName, a table ARN, RequestItems)."""
    names: list[str] = []
    if isinstance(p.get("TableName"), str):
        names.append(p["TableName"])
    elif isinstance(p.get("ResourceArn"), str) and ":table/" in p["ResourceArn"]:
        names.append(p["ResourceArn"].split(":table/", 1)[1].split("/", 1)[0])
    elif isinstance(p.get("RequestItems"), dict):
        names += list(p["RequestItems"])
    out = []
    for n in names:
        if n.startswith("arn:") and ":table/" in n:
            n = n.split(":table/", 1)[1].split("/", 1)[0]
        if n in be.tables:
            out.append(be.tables[n])
    return out


def _check_create(be, p: dict, region: str, account: str) -> None:
    """CreateTable's refusals moto lacks: the stream's view type, the encryption key."""
    if p.get("TableName") in be.tables:
        return  # moto answers ResourceInUseException "Table already exists"
    if p.get("StreamSpecification"):
        ddb_rules.check_stream(None, p["StreamSpecification"], creating=True)
    if p.get("SSESpecification"):
        ddb_rules.sse_target(None, p["SSESpecification"], region, account, creating=True)
    if p.get("WarmThroughput"):
        ddb_features.check_warm(None, p["WarmThroughput"], True, p.get("BillingMode"),
                                p.get("ProvisionedThroughput"))


def front(op: str, p: dict, account: str, region: str) -> dict | None:
    """Answer ``op`` here (a result dict), or None to let moto answer it."""
    be = backend(account, region)
    if op == "CreateTable":
        _check_create(be, p, region, account)
        return None
    for t in _tables_of(be, p):
        ddb_rules.admit(op, t)
    if op in ddb_backup.OPS:
        return ddb_backup.answer(op, p, be, region, account)
    if op in ddb_features.POLICY_OPS:
        arn = p["ResourceArn"]
        name = arn.split(":table/", 1)[1] if ":table/" in arn else ""
        if "/" in name or name not in be.tables:
            raise DdbError("ResourceNotFoundException",
                           f"Requested resource not found: ResourceArn: {arn} not found")
        return ddb_features.policy_answer(op, be.tables[name], p)
    if op not in ("UpdateTable", "DescribeContributorInsights", "UpdateContributorInsights",
                  "ListTables", "ListTagsOfResource") + ddb_features.KINESIS_OPS:
        return None
    pager = SETTINGS["pager"]
    if op == "ListTables":
        names = sorted(be.tables)
        start = p.get("ExclusiveStartTableName")
        if start:
            names = [n for n in names if n > start]
        limit = min(int(p.get("Limit") or 100), pager.size("dynamodb.ListTables"))
        page = names[:limit]
        out: dict = {"TableNames": page}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = page[-1]
        return out
    if op == "ListTagsOfResource":
        arn = p["ResourceArn"]
        table = next((t for t in be.tables.values() if t.table_arn == arn), None)
        if table is None:
            raise DdbError("ResourceNotFoundException",
                           f"Requested resource not found: Resourcearn: {arn} not found")
        from paging import BadToken
        try:
            tags, nxt = pager.page("dynamodb.ListTagsOfResource", p, list(table.tags), p.get("NextToken"))
        except BadToken:
            raise DdbError("ValidationException", "Invalid NextToken")  # UNCONFIRMED wording
        out = {"Tags": tags}
        if nxt:
            out["NextToken"] = nxt
        return out
    table = _table(be, p["TableName"])
    if op in ddb_features.KINESIS_OPS:
        return ddb_features.kinesis_answer(op, table, p)
    if op in ("DescribeContributorInsights", "UpdateContributorInsights"):
        idx = p.get("IndexName")
        if idx and idx not in {g.name for g in table.global_indexes}:
            raise DdbError("ResourceNotFoundException",
                           f"Requested resource not found: Index: {idx} not found")
        if op == "UpdateContributorInsights":
            rec = set_contributor_insights(table, idx, p["ContributorInsightsAction"] == "ENABLE",
                                           p.get("ContributorInsightsMode"))
            out = {"TableName": table.name, "ContributorInsightsStatus": rec["status"]}
            if idx:
                out["IndexName"] = idx
            if rec["mode"]:
                out["ContributorInsightsMode"] = rec["mode"]
            return out
        rec = _ci(table, idx)
        out = {"TableName": table.name, "ContributorInsightsStatus": rec["status"]}
        if idx:
            out["IndexName"] = idx
        if rec["at"] is not None:
            out["LastUpdateDateTime"] = round(rec["at"], 3)
        if rec["status"] in ("ENABLED", "ENABLING"):
            kind = f"{table.name}-{idx}" if idx else table.name
            out["ContributorInsightsRuleList"] = [
                f"DynamoDBContributorInsights-PKC-{kind}-{int(rec['at'] or 0)}",
                f"DynamoDBContributorInsights-PKT-{kind}-{int(rec['at'] or 0)}"]
            out["ContributorInsightsMode"] = rec["mode"]
        return out
    return update_table(table, p, region, account)


def _on_demand(cur: dict | None, given: dict) -> dict | None:
    """OnDemandThroughput after an update: -1 removes a maximum (BC OnDemandThroughput)."""
    out = dict(cur or {})
    for k, v in given.items():
        if int(v) == -1:
            out.pop(k, None)
        else:
            out[k] = int(v)
    return out or None


def update_table(table, p: dict, region: str, account: str) -> dict:
    """UpdateTable with DynamoDB's rules (ddb_rules.check_update) and effects."""
    plan = ddb_rules.check_update(table, p, region, account)
    warm = ddb_features.check_warm(table, p["WarmThroughput"], False) if p.get("WarmThroughput") else None
    gsi = p.get("GlobalSecondaryIndexUpdates") or []
    creates = [u["Create"] for u in gsi if u.get("Create")]
    new_attr = table.attr
    if creates:
        if not p.get("AttributeDefinitions"):
            raise invalid(f"AttributeDefinitions is not specified for index: {creates[0]['IndexName']}")
        new_attr = ddb_rules.merge_attr_defs(table, p["AttributeDefinitions"])
        defined = {a["AttributeName"] for a in new_attr}
        for c in creates:
            keys = [k["AttributeName"] for k in c.get("KeySchema") or []]
            if any(k not in defined for k in keys):
                raise invalid(f"Some index key attributes are not defined in AttributeDefinitions. "
                              f"Keys: [{', '.join(keys)}], AttributeDefinitions: "
                              f"[{', '.join(sorted(defined))}]")
    if gsi:
        old_attr = table.attr
        table.attr = new_attr
        try:
            apply_gsi_updates(table, gsi)
        except DdbError:
            table.attr = old_attr
            raise
    if "TableClass" in p and not plan["class_noop"]:
        table._table_class = p["TableClass"]
    if plan["sse"] != "unset":
        table.sse_specification = plan["sse"]
    if "OnDemandThroughput" in p:
        table._on_demand = _on_demand(getattr(table, "_on_demand", None), p["OnDemandThroughput"])
    if "BillingMode" in p:
        table.billing_mode = p["BillingMode"]
        if p["BillingMode"] == "PAY_PER_REQUEST":
            table.throughput = dict(table.throughput, ReadCapacityUnits=0, WriteCapacityUnits=0)
            for g in table.global_indexes:
                g.throughput = {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    if p.get("ProvisionedThroughput"):
        pt = p["ProvisionedThroughput"]
        table.throughput = dict(table.throughput, ReadCapacityUnits=int(pt["ReadCapacityUnits"]),
                                WriteCapacityUnits=int(pt["WriteCapacityUnits"]))
    if "StreamSpecification" in p:
        table.set_stream_specification(dict(p["StreamSpecification"]))
    if "DeletionProtectionEnabled" in p:
        table.deletion_protection_enabled = bool(p["DeletionProtectionEnabled"])
    if warm is not None:
        ddb_features.set_warm(table, warm)
    for kind in plan["quota"]:
        ddb_rules.record(table, kind)
    if plan["phase"]:
        ddb_rules.start(table, "UPDATING")
    return table.describe()
