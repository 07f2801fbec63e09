#!/usr/bin/env python3
"""A randomized walk that hunts for data loss (tests/safety/README.md).

It drives the real `terraform` CLI and the built provider against the local AWS
emulator (tests/emulator) through random sequences of configurations, changes made
outside Terraform, imports, state surgery, faults and clock moves, and after every
step an oracle checks that no data was lost and nothing foreign was touched:

  R1  no item is missing from any table, unless the step explicitly destroyed or
      replaced that table with protection off and retain off;
  R2  no foreign stack or table (made outside Terraform, never imported) changed;
  R3  after a successful apply AWS matches the configuration and
      `terraform plan -detailed-exitcode` exits 0; a refused step said why;
  R4  no plan, refresh or import made a mutating call;
  R5  no table protected against deletion vanished.

    walk.py --seed N --steps M [--keep]     a walk; on a violation: report, shrink, exit 1
    walk.py --replay FILE                   replay the steps of a reproduction file

Steps are plain data generated from the seed alone (never from what the provider
did), so a seed names the same sequence on every provider version, and a
reproduction is a list of steps that can be replayed and shrunk (delta debugging).
New configuration attributes, outside changes and faults are one entry each in the
tables KNOBS, OUTSIDE and FAULTS below.
"""
from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from emulator import Emulator  # noqa: E402

TF_TIMEOUT = 240          # seconds a terraform command may take before it counts as hung
ITEMS_PER_TABLE = 3       # items written into every table the walk sees for the first time
TTL_TRANSITION = 600      # emulator seconds a TTL change stays ENABLING/DISABLING (clock steps end it)
PLANFILE = "walk.tfplan"
RESOURCE = "dynamodb_ttl_table"

# ---- name pools: small on purpose, so that names collide ----------------------------
TABLE_NAMES = ["walk-a", "walk-b", "walk_c.d"]          # names configurations use
EXTRA_TABLES = ["ext-t1", "ext-t2"]                     # names only foreign stacks use
CONFIG_STACKS = ["stk-1", "stk-2", "walk-b"]            # explicit stack_name values
FOREIGN_STACKS = ["walk-a", "stk-2", "walk-c-d", "ext-s1"]  # stacks made outside Terraform
SLOTS = ["r0", "r1", "r2"]                              # resource addresses


def derived_stack(table: str) -> str:
    """The provider's default stack name (docs/resource.md: `_` and `.` become `-`,
    `t-` in front of a name that does not start with a letter)."""
    s = "".join("-" if c in "_." else c for c in table)
    return s if s[:1].isalpha() else "t-" + s


ALL_STACKS = sorted(set(CONFIG_STACKS + FOREIGN_STACKS + [derived_stack(t) for t in TABLE_NAMES]))
ALL_TABLES = TABLE_NAMES + EXTRA_TABLES

# ---- KNOBS: every attribute of dynamodb_ttl_table ------------------------------------
# One entry per knob: its name, how often edits pick it, the values it takes (each a
# dict of HCL attributes; {} leaves them out), what AWS must show for a slot's
# attributes after a successful apply (facts, see World.facts), and whether changing
# it replaces the table (docs/resource.md). A new attribute is one more entry.


def _keys_of(a):
    k = [[a["hash_key"]["name"], a["hash_key"]["type"]]]
    if a.get("range_key"):
        k.append([a["range_key"]["name"], a["range_key"]["type"]])
    return k


def _billing_of(a):
    if a.get("billing_mode") == "PROVISIONED":
        return ["PROVISIONED", a.get("read_capacity"), a.get("write_capacity")]
    return ["PAY_PER_REQUEST"]


def _ttl_of(a):
    t = a.get("ttl")
    if not t or t.get("enabled") is False:
        return ["DISABLED"]
    return ["ENABLED", t["attribute_name"]]


def effective_stack(a, state=None):
    """stack_name is optional and computed: left out, Terraform keeps the value in
    state (the derived default for a new resource)."""
    return a.get("stack_name") or (state or {}).get("stack_name") or derived_stack(a["name"])


class Knob:
    """name; weight (how often edits pick it); values (dicts of HCL attributes, the first
    is the simplest); expect(attrs, state) -> facts AWS must show after a successful
    apply; force_new(attrs) -> what a change of which replaces the table (None: an
    in-place update); computed: left out, Terraform keeps the value in state."""

    def __init__(self, name, weight, values, expect, force_new=None, computed=False):
        self.name, self.weight, self.values, self.expect = name, weight, values, expect
        self.force_new, self.computed = force_new, computed


KNOBS = [
    Knob("name", 2, [{"name": n} for n in TABLE_NAMES], lambda a, st: {}, force_new=lambda a: a["name"]),
    Knob("stack_name", 3, [{}, {}] + [{"stack_name": s} for s in CONFIG_STACKS],
         lambda a, st: {"stack": effective_stack(a, st)}, force_new=effective_stack, computed=True),
    Knob("keys", 1, [{"hash_key": {"name": "id", "type": "S"}},
                     {"hash_key": {"name": "id", "type": "S"}},
                     {"hash_key": {"name": "id", "type": "S"}, "range_key": {"name": "sk", "type": "S"}},
                     {"hash_key": {"name": "pk", "type": "N"}}],
         lambda a, st: {"keys": _keys_of(a)}, force_new=_keys_of),
    Knob("billing", 2, [{}, {"billing_mode": "PAY_PER_REQUEST"},
                        {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5},
                        {"billing_mode": "PROVISIONED", "read_capacity": 2, "write_capacity": 9}],
         lambda a, st: {"billing": _billing_of(a)}),
    Knob("ttl", 3, [{}, {"ttl": {"attribute_name": "expires_at"}},
                    {"ttl": {"attribute_name": "expires_at", "enabled": True}},
                    {"ttl": {"attribute_name": "expires_at", "enabled": False}},
                    {"ttl": {"attribute_name": "valid_until"}}],
         lambda a, st: {"ttl": _ttl_of(a)}),
    Knob("deletion_protection_enabled", 4,
         [{}, {"deletion_protection_enabled": True}, {"deletion_protection_enabled": False},
          {"deletion_protection_enabled": False}],
         lambda a, st: {"protection": a.get("deletion_protection_enabled", True)}),
    Knob("point_in_time_recovery", 2, [{}, {"point_in_time_recovery": True}, {"point_in_time_recovery": False}],
         lambda a, st: {"pitr": a.get("point_in_time_recovery", False)}),
    Knob("retain_on_destroy", 3, [{}, {"retain_on_destroy": True}, {"retain_on_destroy": False}],
         lambda a, st: {"retain": a.get("retain_on_destroy", False)}),
    Knob("tags", 2, [{}, {}, {"tags": {}}, {"tags": {"team": "walk"}}, {"tags": {"team": "walk"}},
                     {"tags": {"team": "other", "cost": "7"}}, {"tags": {"team": "walk", "note": ""}}],
         lambda a, st: {"tags": a.get("tags") or {}}),
    Knob("timeouts", 1, [{}, {"timeouts": {"create": "10m", "update": "10m", "delete": "10m"}}],
         lambda a, st: {}),
]
KNOB = {k.name: k for k in KNOBS}


def slot_attrs(knobs: dict) -> dict:
    a = {}
    for k in KNOBS:
        a.update(knobs.get(k.name, {}))
    return a


def replaces(old: dict, new: dict) -> bool:
    """Whether going from configuration old to new changes a force-new attribute (a
    computed one left out keeps its value)."""
    a, b = slot_attrs(old), slot_attrs(new)
    return any(k.force_new(a) != k.force_new(b) for k in KNOBS
               if k.force_new and not (k.computed and not new.get(k.name)))


def hcl(v, indent=2) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, dict):
        if not v:
            return "{}"
        pad = " " * (indent + 2)
        return "{\n" + "".join(f"{pad}{json.dumps(k)} = {hcl(x, indent + 2)}\n" for k, x in v.items()) + " " * indent + "}"
    raise TypeError(v)


# ---- OUTSIDE: changes made outside Terraform (boto3, "someone in the console") -------
# One entry per kind: weight, the target it needs ("table", "stack", "new-table",
# "new-stack"), random parameters, and the function doing it. The function returns
# the names it deleted on purpose (their loss is the walk's own doing) and may
# register foreign objects. A new outside change is one more entry.
OUTSIDE = {}


def outside(kind, weight, target, params=lambda rng: {}):
    def deco(fn):
        OUTSIDE[kind] = {"weight": weight, "target": target, "params": params, "run": fn}
        return fn
    return deco


@outside("protection", 4, "table", lambda rng: {"value": rng.choice([True, False])})
def _o_protection(w, s):
    w.ddb.update_table(TableName=s["target"], DeletionProtectionEnabled=s["value"])


@outside("pitr", 2, "table", lambda rng: {"value": rng.choice([True, False])})
def _o_pitr(w, s):
    w.ddb.update_continuous_backups(TableName=s["target"],
                                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": s["value"]})


@outside("ttl", 2, "table", lambda rng: {"value": rng.choice([True, False]),
                                         "attribute": rng.choice(["expires_at", "valid_until"])})
def _o_ttl(w, s):
    cur = w.ddb.describe_time_to_live(TableName=s["target"])["TimeToLiveDescription"]
    attr = s["attribute"] if s["value"] else cur.get("AttributeName", s["attribute"])
    w.ddb.update_time_to_live(TableName=s["target"],
                              TimeToLiveSpecification={"AttributeName": attr, "Enabled": s["value"]})


@outside("billing", 2, "table", lambda rng: {"mode": rng.choice(["PROVISIONED", "PAY_PER_REQUEST"])})
def _o_billing(w, s):
    if s["mode"] == "PROVISIONED":
        w.ddb.update_table(TableName=s["target"], BillingMode="PROVISIONED",
                           ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    else:
        w.ddb.update_table(TableName=s["target"], BillingMode="PAY_PER_REQUEST")


@outside("tag", 2, "table", lambda rng: {"key": rng.choice(["team", "owner"]), "value": rng.choice(["ops", ""])})
def _o_tag(w, s):
    arn = w.ddb.describe_table(TableName=s["target"])["Table"]["TableArn"]
    w.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": s["key"], "Value": s["value"]}])


@outside("untag", 1, "table", lambda rng: {"key": rng.choice(["team", "cost"])})
def _o_untag(w, s):
    arn = w.ddb.describe_table(TableName=s["target"])["Table"]["TableArn"]
    w.ddb.untag_resource(ResourceArn=arn, TagKeys=[s["key"]])


@outside("put-items", 2, "table")
def _o_put_items(w, s):
    w.seed(s["target"], 2)


@outside("delete-table", 1, "table")
def _o_delete_table(w, s):
    w.ddb.update_table(TableName=s["target"], DeletionProtectionEnabled=False)
    w.ddb.delete_table(TableName=s["target"])
    return {s["target"]}


@outside("delete-stack", 1, "stack")
def _o_delete_stack(w, s):
    owned = w.stack_tables(s["target"])
    w.cfn.delete_stack(StackName=s["target"])
    w.settle_stacks()
    return owned


def _key_schema(rng_choice):
    return {"S": ([{"AttributeName": "id", "KeyType": "HASH"}], [{"AttributeName": "id", "AttributeType": "S"}]),
            "SS": ([{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
                   [{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}]),
            "N": ([{"AttributeName": "pk", "KeyType": "HASH"}], [{"AttributeName": "pk", "AttributeType": "N"}])}[rng_choice]


def _table_props(name, keys, protect):
    ks, ad = _key_schema(keys)
    return {"TableName": name, "KeySchema": ks, "AttributeDefinitions": ad, "BillingMode": "PAY_PER_REQUEST",
            "DeletionProtectionEnabled": protect}


_NEW_TABLE = lambda rng: {"keys": rng.choice(["S", "S", "SS", "N"]), "protect": rng.choice([True, False])}  # noqa: E731


@outside("foreign-table", 3, "new-table", _NEW_TABLE)
def _o_foreign_table(w, s):
    ks, ad = _key_schema(s["keys"])
    w.ddb.create_table(TableName=s["target"], KeySchema=ks, AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST",
                       DeletionProtectionEnabled=s["protect"])
    w.wait_active(s["target"])  # a script waits for ACTIVE: a CREATING table takes no items
    w.seed(s["target"])
    w.foreign_tables.add(s["target"])


def _foreign_stack(w, stack, resources):
    body = {"Description": "made outside Terraform by the safety walk", "Resources": resources}
    w.cfn.create_stack(StackName=stack, TemplateBody=json.dumps(body))
    w.settle_stacks()
    w.foreign_stacks.add(stack)
    for r in resources.values():
        name = r.get("Properties", {}).get("TableName")
        if name and w.table_exists(name):
            w.seed(name)
            w.foreign_tables.add(name)


@outside("foreign-stack-other-table", 3, "new-stack",
         lambda rng: {"table": rng.choice(EXTRA_TABLES), "keys": rng.choice(["S", "N"]),
                      "protect": rng.choice([True, False]), "policy": rng.choice(["Delete", "Retain"])})
def _o_foreign_stack_other(w, s):
    """A stack made outside Terraform that holds another table."""
    if w.table_exists(s["table"]):
        raise Skip(f"table {s['table']} exists")
    _foreign_stack(w, s["target"], {"Data": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": s["policy"],
                                              "Properties": _table_props(s["table"], s["keys"], s["protect"])}})


@outside("foreign-stack-with-table", 3, "new-stack",
         lambda rng: {"table": rng.choice(TABLE_NAMES), "keys": rng.choice(["S", "S", "SS"]),
                      "protect": rng.choice([True, False]), "extra": rng.choice(["handle", "table"])})
def _o_foreign_stack_with(w, s):
    """A stack made outside Terraform that holds a configured table name and more."""
    if w.table_exists(s["table"]):
        raise Skip(f"table {s['table']} exists")
    res = {"Data": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete",
                    "Properties": _table_props(s["table"], s["keys"], s["protect"])}}
    if s["extra"] == "handle":
        res["Extra"] = {"Type": "AWS::CloudFormation::WaitConditionHandle"}
    elif not w.table_exists("ext-t2"):
        res["Extra"] = {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Delete",
                        "Properties": _table_props("ext-t2", "S", False)}
    _foreign_stack(w, s["target"], res)


class Skip(Exception):
    """An outside change whose target is missing: the step does nothing."""


# ---- FAULTS: armed for the next terraform step, cleared after it ----------------------
# rules: emulator fault rules (tests/emulator/README.md); config: emulator settings
# for that step; kill_after: SIGKILL terraform (and the provider) once the emulator
# has answered that operation.
CFN_MUTATING = ["CreateChangeSet", "ExecuteChangeSet", "DeleteChangeSet", "DeleteStack"]
DDB_MUTATING = ["UpdateTable", "UpdateTimeToLive", "TagResource", "UntagResource", "UpdateContinuousBackups",
                "DeleteTable"]
READS = ["DescribeStacks", "DescribeChangeSet", "DescribeStackEvents", "DescribeStackResources", "GetTemplate",
         "ListImports", "DescribeTable", "DescribeTimeToLive", "DescribeContinuousBackups", "ListTagsOfResource"]
FAULTS = {
    "throttle": (3, lambda rng: {"rules": [{"kind": "throttle", "operation": rng.choice(CFN_MUTATING + READS),
                                            "count": rng.randint(1, 3)}]}),
    "error": (2, lambda rng: {"rules": [{"kind": "error", "operation": rng.choice(CFN_MUTATING + READS),
                                         "status": rng.choice([500, 503]), "count": rng.randint(1, 2)}]}),
    "drop": (2, lambda rng: {"rules": [{"kind": "drop", "operation": rng.choice(CFN_MUTATING + READS), "count": 1}]}),
    "drop_response": (4, lambda rng: {"rules": [{"kind": "drop_response", "count": 1,
                                                 "operation": rng.choice(CFN_MUTATING + DDB_MUTATING)}]}),
    "fail_stack": (3, lambda rng: {"rules": [{"kind": "fail_stack", "stack": rng.choice(ALL_STACKS), "count": 1,
                                              "skip": rng.choice([0, 0, 1]),
                                              "reason": "Injected failure (safety walk)",
                                              "rollback": rng.choice(["ok", "fail"]),
                                              "rollback_reason": "Injected rollback failure (safety walk)"}]}),
    "delay": (1, lambda rng: {"rules": [{"kind": "delay", "operation": rng.choice(READS), "seconds": 1,
                                         "count": 1}]}),
    "slow_stacks": (1, lambda rng: {"config": {"delay_seconds": 1}}),
    "time_passes": (2, lambda rng: {"rules": [{"kind": "advance_clock", "count": 1,
                                               "operation": rng.choice(CFN_MUTATING + READS),
                                               "seconds": rng.choice([TTL_TRANSITION + 1, 3601])}]}),
    "kill": (4, lambda rng: {"kill_after": rng.choice(CFN_MUTATING), "config": {"delay_seconds": 3}}),
    "outlast": (1, lambda rng: {"rules": [{"kind": "throttle", "operation": rng.choice(CFN_MUTATING), "count": 0}]}),
}


# ---- the walk: steps generated from the seed alone -----------------------------------
class GenModel:
    """What the generator expects to exist; only used to make plausible steps."""

    def __init__(self):
        self.slots = {}          # slot -> {knob: value}
        self.in_state = set()
        self.tables = set()
        self.stacks = set()


def _pick(rng, weighted):
    total = sum(w for w, _ in weighted)
    x = rng.uniform(0, total)
    for w, v in weighted:
        x -= w
        if x <= 0:
            return v
    return weighted[-1][1]


def _new_slot_knobs(rng):
    return {k.name: copy.deepcopy(rng.choice(k.values)) for k in KNOBS}


def _mk_add(rng, g):
    free = [s for s in SLOTS if s not in g.slots]
    if not free:
        return None
    knobs = _new_slot_knobs(rng)
    used = {slot_attrs(k)["name"] for k in g.slots.values()}
    unused = [n for n in TABLE_NAMES if n not in used]
    if unused and rng.random() < 0.8:  # mostly a table of its own; sometimes a collision
        knobs["name"] = {"name": rng.choice(unused)}
    return {"op": "add", "slot": free[0], "knobs": knobs}


def _mk_edit(rng, g):
    if not g.slots:
        return None
    slot = rng.choice(sorted(g.slots))
    knob = _pick(rng, [(k.weight, k) for k in KNOBS])
    choices = [v for v in knob.values if v != g.slots[slot].get(knob.name)]
    return {"op": "edit", "slot": slot, "knob": knob.name, "value": copy.deepcopy(rng.choice(choices))}


def _mk_remove(rng, g):
    return {"op": "remove", "slot": rng.choice(sorted(g.slots))} if g.slots else None


def _mk_tf(cmd):
    def mk(rng, g):
        s = {"op": "tf", "cmd": cmd}
        if cmd in ("apply", "destroy", "replace", "import-block"):
            s["saved"] = rng.random() < 0.4
        if cmd == "destroy":
            s["refresh"] = rng.random() < 0.8
        if cmd in ("replace", "state-rm", "import", "import-block"):
            pool = sorted(g.slots) if cmd != "state-rm" else sorted(g.in_state)
            if cmd == "replace":
                pool = sorted(set(g.slots) & g.in_state)
            if cmd in ("import", "import-block"):
                pool = sorted(set(g.slots) - g.in_state) or sorted(g.slots)
            if not pool:
                return None
            s["slot"] = rng.choice(pool)
        if cmd in ("import", "import-block"):
            table = slot_attrs(g.slots[s["slot"]])["name"] if rng.random() < 0.7 else rng.choice(ALL_TABLES)
            form = rng.choice(["table", "table", "stack", "stack", "wrong-stack"])
            if form == "table":
                s["id"] = table
            elif form == "stack":  # the table's default stack, or the slot's configured one
                stack = derived_stack(table) if rng.random() < 0.5 else effective_stack(slot_attrs(g.slots[s["slot"]]))
                s["id"] = f"{stack}/{table}"
            else:
                s["id"] = f"{rng.choice(ALL_STACKS)}/{table}"
        return s
    return mk


def _mk_outside(rng, g):
    kind = _pick(rng, [(v["weight"], k) for k, v in OUTSIDE.items()])
    o = OUTSIDE[kind]
    target = {"table": lambda: rng.choice(sorted(g.tables) or ALL_TABLES),
              "stack": lambda: rng.choice(sorted(g.stacks) or ALL_STACKS),
              "new-table": lambda: rng.choice(ALL_TABLES),
              "new-stack": lambda: rng.choice(FOREIGN_STACKS)}[o["target"]]()
    return {"op": "outside", "kind": kind, "target": target, **o["params"](rng)}


def _mk_fault(rng, g):
    kind = _pick(rng, [(w, k) for k, (w, _) in FAULTS.items()])
    return {"op": "fault", "kind": kind, **FAULTS[kind][1](rng)}


def _mk_clock(rng, g):
    return {"op": "clock", "seconds": rng.choice([TTL_TRANSITION + 1, 3601, 3601])}


# Short sequences that make a difference more often than single random steps do
# (still plain steps: shrinking takes them apart).
DRIFT_KINDS = ["protection", "pitr", "ttl", "billing", "tag", "untag"]


def _managed_table(rng, g):
    names = sorted(slot_attrs(g.slots[s])["name"] for s in g.in_state if s in g.slots)
    return rng.choice(names) if names else None


def _mk_drift_then_apply(rng, g):
    """Someone changes a managed table; the next apply must put the configuration back."""
    t = _managed_table(rng, g)
    if not t:
        return None
    kind = rng.choice(DRIFT_KINDS)
    return [{"op": "outside", "kind": kind, "target": t, **OUTSIDE[kind]["params"](rng)},
            {"op": "tf", "cmd": "apply", "saved": rng.random() < 0.4}]


def _mk_forget_and_import(rng, g):
    """State lost (or never had it): import by TABLE or STACK/TABLE, maybe change the
    configuration, apply."""
    if not g.slots:
        return None
    slot = rng.choice(sorted(g.slots))
    out = [{"op": "tf", "cmd": "state-rm", "slot": slot}] if slot in g.in_state else []
    imp = _mk_tf(rng.choice(["import", "import", "import-block"]))(rng, _Only(g, slot))
    if imp is None:
        return None
    out.append(imp)
    if rng.random() < 0.6:
        knob = KNOB[rng.choice(["stack_name", "stack_name", "deletion_protection_enabled", "ttl", "keys", "tags"])]
        out.append({"op": "edit", "slot": slot, "knob": knob.name, "value": copy.deepcopy(rng.choice(knob.values))})
    if imp["cmd"] == "import":
        out.append({"op": "tf", "cmd": "apply", "saved": rng.random() < 0.4})
    return out


class _Only:
    """A view of the generator model with one slot, not in state (for import makers)."""

    def __init__(self, g, slot):
        self.slots, self.in_state, self.tables, self.stacks = {slot: g.slots[slot]}, set(), g.tables, g.stacks


def _mk_fault_then(rng, g):
    f = _mk_fault(rng, g)
    cmd = rng.choice(["apply", "apply", "apply", "destroy", "replace", "import-block"])
    t = _mk_tf(cmd)(rng, g) or _mk_tf("apply")(rng, g)
    return [f, t]


def _mk_collide(rng, g):
    """Something made outside Terraform with a name the configuration uses, then apply."""
    kind = rng.choice(["foreign-table", "foreign-stack-other-table", "foreign-stack-with-table"])
    o = OUTSIDE[kind]
    params = o["params"](rng)
    if g.slots and rng.random() < 0.7:
        a = slot_attrs(g.slots[rng.choice(sorted(g.slots))])
        target = a["name"] if kind == "foreign-table" else effective_stack(a)
        if kind == "foreign-stack-with-table":
            params["table"] = a["name"]
    else:
        target = rng.choice(ALL_TABLES if kind == "foreign-table" else FOREIGN_STACKS)
    return [{"op": "outside", "kind": kind, "target": target, **params},
            {"op": "tf", "cmd": "apply", "saved": rng.random() < 0.4}]


# (weight, maker); a maker returns a step, a list of steps, or None when it does not apply.
STEP_MAKERS = [
    (6, _mk_drift_then_apply), (5, _mk_forget_and_import), (6, _mk_fault_then), (4, _mk_collide),
    (6, _mk_add), (18, _mk_edit), (2, _mk_remove),
    (22, _mk_tf("apply")), (3, _mk_tf("plan")), (3, _mk_tf("refresh")), (4, _mk_tf("destroy")),
    (3, _mk_tf("replace")), (6, _mk_tf("import")), (3, _mk_tf("import-block")), (3, _mk_tf("state-rm")),
    (16, _mk_outside), (8, _mk_fault), (4, _mk_clock),
]


def _gen_update(g, s):
    op = s["op"]
    if op == "add":
        g.slots[s["slot"]] = copy.deepcopy(s["knobs"])
    elif op == "edit":
        g.slots[s["slot"]][s["knob"]] = copy.deepcopy(s["value"])
    elif op == "remove":
        g.slots.pop(s["slot"], None)
    elif op == "tf":
        if s["cmd"] in ("apply", "replace", "import-block"):
            g.in_state = set(g.slots)
            for k in g.slots.values():
                a = slot_attrs(k)
                g.tables.add(a["name"])
                g.stacks.add(effective_stack(a))
        elif s["cmd"] == "destroy":
            g.in_state = set()
        elif s["cmd"] == "state-rm":
            g.in_state.discard(s["slot"])
        elif s["cmd"] == "import":
            g.in_state.add(s["slot"])
    elif op == "outside":
        if OUTSIDE[s["kind"]]["target"] == "new-table":
            g.tables.add(s["target"])
        elif OUTSIDE[s["kind"]]["target"] == "new-stack":
            g.stacks.add(s["target"])
            if s.get("table"):
                g.tables.add(s["table"])


def generate(seed: int, n: int) -> list[dict]:
    """The steps of a seed: a pure function of (seed, n)."""
    rng = random.Random(seed)
    g = GenModel()
    steps = []
    while len(steps) < n:
        if not g.slots:
            s = _mk_add(rng, g)
        else:
            s = _pick(rng, STEP_MAKERS)(rng, g)
        if s is None:
            continue
        for x in (s if isinstance(s, list) else [s]):
            _gen_update(g, x)
            steps.append(x)
    return steps[:n]


def settings_for(seed: int) -> dict:
    """Emulator settings of a run (part of a reproduction)."""
    rng = random.Random(f"settings-{seed}")
    return {"page_size": rng.choice([None, None, 1, 2])}


def describe(s: dict) -> str:
    op = s["op"]
    if op == "add":
        return f"add {s['slot']} " + json.dumps(slot_attrs(s["knobs"]), sort_keys=True)
    if op == "edit":
        return f"edit {s['slot']}.{s['knob']} = {json.dumps(s['value'], sort_keys=True)}"
    if op == "remove":
        return f"remove {s['slot']} from the configuration"
    if op == "tf":
        extra = []
        if s.get("saved"):
            extra.append("saved plan")
        if s.get("refresh") is False:
            extra.append("-refresh=false")
        args = " ".join(x for x in (s.get("slot"), s.get("id")) if x)
        return f"terraform {s['cmd']} {args}".rstrip() + (f" ({', '.join(extra)})" if extra else "")
    if op == "outside":
        rest = {k: v for k, v in s.items() if k not in ("op", "kind", "target")}
        return f"outside Terraform: {s['kind']} {s['target']} " + (json.dumps(rest, sort_keys=True) if rest else "")
    if op == "fault":
        rest = {k: v for k, v in s.items() if k not in ("op", "kind")}
        return f"fault for the next terraform step: {s['kind']} {json.dumps(rest, sort_keys=True)}"
    if op == "clock":
        return f"emulator clock +{s['seconds']}s"
    return json.dumps(s)


# ---- AWS as it is ----------------------------------------------------------------------
def _canon(v) -> str:
    return json.dumps(v, sort_keys=True, default=str)


class Snapshot:
    """Tables (settings, facts, items) and live stacks (template, resources, tags)."""

    def __init__(self):
        self.tables = {}   # name -> dict
        self.stacks = {}   # name -> dict

    def owner(self, table):
        for name, st in self.stacks.items():
            for r in st["resources"]:
                if r[2] == "AWS::DynamoDB::Table" and r[1] == table and not r[3].startswith("DELETE_"):
                    return name
        return None


class World:
    """One walk: an emulator, a terraform working directory, the oracle's model."""

    def __init__(self, emu: Emulator, work: str, cli_config: str, log=print):
        self.emu, self.work, self.say = emu, work, log
        self.ddb = emu.client("dynamodb", max_attempts=4)
        self.cfn = emu.client("cloudformation", max_attempts=4)
        self.env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                  "AWS_SESSION_TOKEN", "TF_PLUGIN_CACHE_DIR", "AWS_ENDPOINT_URL"):
            self.env.pop(k, None)
        self.env.update(AWS_ACCESS_KEY_ID=emu.access_key_id, AWS_SECRET_ACCESS_KEY=emu.secret_access_key,
                        AWS_REGION=emu.region, AWS_EC2_METADATA_DISABLED="true", CHECKPOINT_DISABLE="1",
                        TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=cli_config, AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        self.tfdir = None

    # -- lifecycle of one run (a walk or a replay)
    def begin(self, settings: dict, run_name: str):
        self.emu.reset()
        # TTL stays ENABLING/DISABLING until a clock step moves past it: a transition
        # that ends with real time would make runs depend on how fast they went.
        self.emu.set_config(page_size=settings.get("page_size"), ttl_transition_seconds=TTL_TRANSITION)
        self.tfdir = os.path.join(self.work, run_name)
        shutil.rmtree(self.tfdir, ignore_errors=True)
        os.makedirs(self.tfdir)
        self.slots = {}             # the configuration: slot -> {knob: value}
        self.last_config = {}       # slot -> knobs of the last apply that left state = config; None: imported
        self.items = {}             # table -> {"id": TableId, "keys": set of canonical keys}
        self.foreign_tables = set()
        self.foreign_stacks = set()
        self.foreign_snap = {}      # ("table"|"stack", name) -> canonical snapshot
        self.pending = None         # fault step armed for the next terraform step
        self.key_counter = 0
        self.write_config()
        r = self.terraform(["init", "-input=false"], readonly=True)
        if r["rc"] != 0:
            raise RuntimeError("terraform init failed:\n" + r["out"][-3000:])
        self.snap = self.observe()

    # -- terraform
    def write_config(self, import_block=None):
        ep = self.emu.endpoint
        parts = ['terraform {\n  required_providers {\n'
                 '    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }\n  }\n}\n',
                 f'provider "dynamodb" {{\n  region = "us-east-1"\n  endpoints {{\n    dynamodb       = "{ep}"\n'
                 f'    cloudformation = "{ep}"\n    sts            = "{ep}"\n  }}\n}}\n']
        prev = None
        for slot in SLOTS:
            if slot not in self.slots:
                continue
            a = slot_attrs(self.slots[slot])
            # A chain of depends_on: with -parallelism=1 Terraform still picks among
            # independent resources in no fixed order, and the walk must not depend on it.
            dep = f"  depends_on = [{RESOURCE}.{prev}]\n" if prev else ""
            parts.append(f'resource "{RESOURCE}" "{slot}" {{\n' +
                         "".join(f"  {k} = {hcl(v)}\n" for k, v in a.items()) + dep + "}\n")
            prev = slot
        if import_block:
            parts.append(f'import {{\n  to = {RESOURCE}.{import_block[0]}\n  id = {json.dumps(import_block[1])}\n}}\n')
        with open(os.path.join(self.tfdir, "main.tf"), "w") as f:
            f.write("\n".join(parts))

    def log_mark(self) -> int:
        try:
            return os.path.getsize(self.emu.log_path)
        except OSError:
            return 0

    def log_since(self, mark: int) -> list[dict]:
        try:
            with open(self.emu.log_path, "rb") as f:
                f.seek(mark)
                data = f.read()
        except OSError:
            return []
        end = data.rfind(b"\n")
        return [json.loads(x) for x in data[:end + 1].splitlines() if x.strip()] if end >= 0 else []

    def terraform(self, args, readonly, kill_after=None):
        """Runs one terraform command; SIGKILLs its process group (terraform and the
        provider) once the emulator answered kill_after, or when it hangs."""
        mark = self.log_mark()
        t0 = time.monotonic()
        p = subprocess.Popen(["terraform", f"-chdir={self.tfdir}", *args, "-no-color"], env=self.env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
        chunks = []
        reader = threading.Thread(target=lambda: chunks.append(p.stdout.read()), daemon=True)
        reader.start()
        killed = hung = False
        while p.poll() is None:
            if time.monotonic() - t0 > TF_TIMEOUT:
                hung = True
            elif kill_after and any(r.get("operation") == kill_after for r in self.log_since(mark)):
                killed = True
            if killed or hung:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                break
            time.sleep(0.02)
        p.wait()
        reader.join(30)
        p.stdout.close()
        calls = self.log_since(mark)
        res = {"args": args, "rc": p.returncode, "out": "".join(chunks), "killed": killed, "hung": hung,
               "readonly": readonly, "calls": calls, "seconds": round(time.monotonic() - t0, 2)}
        return res

    def read_state(self) -> dict:
        """slot -> attributes (and tainted flag) from the local state file."""
        path = os.path.join(self.tfdir, "terraform.tfstate")
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            return {}
        out = {}
        for r in doc.get("resources", []):
            if r.get("mode") == "managed" and r.get("type") == RESOURCE and r.get("instances"):
                inst = r["instances"][0]
                out[r["name"]] = dict(inst.get("attributes") or {}, _tainted=inst.get("status") == "tainted")
        return out

    # -- AWS reads (the oracle's eyes)
    def wait_active(self, name, timeout=60.0):
        """DescribeTable until the table is ACTIVE (CREATING after CreateTable, UPDATING
        after a change of its own: the emulator's --table-seconds, as on AWS)."""
        deadline = time.monotonic() + timeout
        while self.ddb.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
            if time.monotonic() > deadline:
                raise RuntimeError(f"table {name} not ACTIVE after {timeout} s")
            time.sleep(0.05)

    def table_exists(self, name):
        try:
            self.ddb.describe_table(TableName=name)
            return True
        except self.ddb.exceptions.ResourceNotFoundException:
            return False

    def scan(self, name):
        items = []
        for page in self.ddb.get_paginator("scan").paginate(TableName=name):
            items.extend(page["Items"])
        return items

    def observe_table(self, name):
        """A table's settings, facts and items; None when it does not exist."""
        try:
            t = self.ddb.describe_table(TableName=name)["Table"]
            ttl = self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
            pitr = self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
            tags = {}
            for page in self.ddb.get_paginator("list_tags_of_resource").paginate(ResourceArn=t["TableArn"]):
                tags.update({x["Key"]: x["Value"] for x in page.get("Tags", [])})
            items = self.scan(name)
        except self.ddb.exceptions.ResourceNotFoundException:
            return None
        types = {d["AttributeName"]: d["AttributeType"] for d in t["AttributeDefinitions"]}
        ks = sorted(t["KeySchema"], key=lambda k: k["KeyType"] != "HASH")
        keys = [[k["AttributeName"], types.get(k["AttributeName"])] for k in ks]
        mode = (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
        pt = t.get("ProvisionedThroughput") or {}
        on = ttl.get("TimeToLiveStatus", "DISABLED") in ("ENABLED", "ENABLING")
        pitr_on = (pitr.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus") == "ENABLED"
        key_names = [k[0] for k in keys]
        return {
            "id": t.get("TableId") or str(t.get("CreationDateTime")),
            "keys": keys,
            "billing": (["PROVISIONED", pt.get("ReadCapacityUnits"), pt.get("WriteCapacityUnits")]
                        if mode == "PROVISIONED" else ["PAY_PER_REQUEST"]),
            "protection": bool(t.get("DeletionProtectionEnabled")),
            "pitr": pitr_on,
            "ttl": ["ENABLED", ttl.get("AttributeName")] if on else ["DISABLED"],
            "tags": {k: v for k, v in tags.items() if not k.startswith("aws:")},
            "item_keys": {_canon({k: it.get(k) for k in key_names}) for it in items},
            "items": sorted(_canon(it) for it in items),
        }

    def observe(self) -> Snapshot:
        snap = Snapshot()
        names = []
        for page in self.ddb.get_paginator("list_tables").paginate():
            names.extend(page["TableNames"])
        for name in names:
            t = self.observe_table(name)
            if t is not None:
                snap.tables[name] = t
        summaries = []
        for page in self.cfn.get_paginator("list_stacks").paginate():
            summaries.extend(page["StackSummaries"])
        for s in summaries:
            if s["StackStatus"] == "DELETE_COMPLETE":
                continue
            name = s["StackName"]
            try:
                st = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
                res = []
                for page in self.cfn.get_paginator("list_stack_resources").paginate(StackName=name):
                    res.extend(page["StackResourceSummaries"])
                try:
                    body = self.cfn.get_template(StackName=name)["TemplateBody"]
                except Exception:  # REVIEW_IN_PROGRESS shells have no template
                    body = None
            except Exception as e:
                if "does not exist" in str(e):
                    continue
                raise
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError:
                    import yaml
                    body = yaml.safe_load(body)
            snap.stacks[name] = {
                "id": st["StackId"], "status": st["StackStatus"], "template": body,
                "resources": sorted([r["LogicalResourceId"], r.get("PhysicalResourceId", ""), r["ResourceType"],
                                     r["ResourceStatus"]] for r in res),
                "tags": sorted([t["Key"], t["Value"]] for t in st.get("Tags", [])),
                "outputs": sorted([o["OutputKey"], o.get("OutputValue")] for o in st.get("Outputs", [])),
            }
        return snap

    def stack_tables(self, stack) -> set:
        try:
            res = self.cfn.describe_stack_resources(StackName=stack)["StackResources"]
        except Exception:
            return set()
        return {r.get("PhysicalResourceId") for r in res if r["ResourceType"] == "AWS::DynamoDB::Table"}

    def settle_stacks(self, timeout=60):
        """Waits until no stack is busy (advancing the emulator clock past delays)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = []
            for page in self.cfn.get_paginator("list_stacks").paginate():
                busy += [s["StackName"] for s in page["StackSummaries"]
                         if s["StackStatus"].endswith("_IN_PROGRESS") and s["StackStatus"] != "REVIEW_IN_PROGRESS"]
            if not busy:
                return
            self.emu.advance_clock(5)
            time.sleep(0.05)
        raise RuntimeError("stacks still busy: " + ", ".join(busy))

    def seed(self, name, n=ITEMS_PER_TABLE):
        """Writes n items of known keys; they must survive every step not allowed to delete them."""
        t = self.ddb.describe_table(TableName=name)["Table"]
        types = {d["AttributeName"]: d["AttributeType"] for d in t["AttributeDefinitions"]}
        ks = sorted(t["KeySchema"], key=lambda k: k["KeyType"] != "HASH")
        tid = t.get("TableId") or str(t.get("CreationDateTime"))
        rec = self.items.get(name)
        if not rec or rec["id"] != tid:
            rec = self.items[name] = {"id": tid, "keys": set()}
        for _ in range(n):
            self.key_counter += 1
            i = self.key_counter
            item = {"payload": {"S": f"walk item {i}"}, "expires_at": {"N": "4102444800"},
                    "valid_until": {"N": "4102444800"}}
            for k in ks:
                typ = types[k["AttributeName"]]
                item[k["AttributeName"]] = ({"S": f"k{i}"} if typ == "S" else {"N": str(i)} if typ == "N"
                                            else {"B": b"k%d" % i})
            self.ddb.put_item(TableName=name, Item=item)
            rec["keys"].add(_canon({k["AttributeName"]: item[k["AttributeName"]] for k in ks}))
        self.snap_foreign_table(name)

    def snap_foreign_table(self, name):
        if name in self.foreign_tables:
            snap = self.observe_one_table(name)
            if snap is None:
                self.foreign_tables.discard(name)
                self.foreign_snap.pop(("table", name), None)
            else:
                self.foreign_snap[("table", name)] = snap

    def observe_one_table(self, name):
        t = self.observe_table(name)
        return None if t is None else _canon({k: v for k, v in t.items() if k != "item_keys"})

    # -- the oracle's model
    def facts(self, name, snap: Snapshot) -> dict:
        t = snap.tables[name]
        f = {k: t[k] for k in ("keys", "billing", "protection", "pitr", "ttl", "tags")}
        owner = snap.owner(name)
        f["stack"] = None
        f["retain"] = None
        if owner:
            st = snap.stacks[owner]
            good = st["status"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE",
                                    "UPDATE_ROLLBACK_COMPLETE", "IMPORT_ROLLBACK_COMPLETE")
            f["stack"] = owner if good else f"{owner} ({st['status']})"
            logical = next((r[0] for r in st["resources"] if r[1] == name), None)
            res = ((st["template"] or {}).get("Resources") or {}).get(logical) or {}
            f["retain"] = res.get("DeletionPolicy") == "Retain"
        return f

    def retained_by_template(self, name, snap: Snapshot) -> bool:
        owner = snap.owner(name)
        if not owner:
            return False
        st = snap.stacks[owner]
        for lid, res in ((st["template"] or {}).get("Resources") or {}).items():
            if (res.get("Properties") or {}).get("TableName") == name and res.get("DeletionPolicy") == "Retain":
                return True
        return False

    def allowed_deletions(self, s: dict, state: dict) -> tuple[set, list]:
        """Tables the step may delete: explicit destroys and replacements (a removed
        resource, `terraform destroy`, `-replace`, a force-new attribute changed
        against the configuration last applied) of tables whose protection is off in
        state and in AWS and whose retain is off in state and in the deployed template
        (DeletionPolicy). The configuration describes the new object of a replacement,
        not the table it replaces, so its protection and retain do not count."""
        intent = {}
        cmd = s["cmd"]
        if cmd == "destroy":
            intent = {slot: "destroy" for slot in state}
        elif cmd in ("apply", "replace", "import-block"):
            for slot in state:
                if slot not in self.slots:
                    intent[slot] = "removed from the configuration"
                elif self.last_config.get(slot) is not None and replaces(self.last_config[slot], self.slots[slot]):
                    intent[slot] = "force-new attribute changed"
            if cmd == "replace" and s["slot"] in state:
                intent[s["slot"]] = "-replace"
        allowed, why = set(), []
        for slot, reason in intent.items():
            st = state[slot]
            name = st.get("name")
            t = self.snap.tables.get(name)
            blockers = []
            if st.get("deletion_protection_enabled") is not False:
                blockers.append("protected in state")
            if t and t["protection"]:
                blockers.append("protected in AWS")
            if st.get("retain_on_destroy"):
                blockers.append("retain_on_destroy in state")
            if t and self.retained_by_template(name, self.snap):
                blockers.append("DeletionPolicy Retain deployed")
            if blockers:
                why.append(f"{slot} ({name}): {reason}, not allowed: {', '.join(blockers)}")
            else:
                allowed.add(name)
                why.append(f"{slot} ({name}): {reason}, allowed")
        return allowed, why

    # -- steps
    def run_step(self, i: int, s: dict) -> list[str]:
        """Runs step i and returns the oracle's violations (strings). Sets self.inert
        when the step changed nothing (a first guess for shrinking)."""
        self.inert = False
        op = s["op"]
        if op == "add":
            self.slots[s["slot"]] = copy.deepcopy(s["knobs"])
            return []
        if op == "edit":
            if s["slot"] in self.slots:
                self.slots[s["slot"]][s["knob"]] = copy.deepcopy(s["value"])
            return []
        if op == "remove":
            self.slots.pop(s["slot"], None)
            return []
        if op == "fault":  # armed for the next terraform step; several add up
            p = self.pending or {"rules": [], "config": {}}
            self.pending = {"rules": p["rules"] + s.get("rules", []), "config": {**p["config"], **s.get("config", {})},
                            "kill_after": s.get("kill_after") or p.get("kill_after")}
            return []
        if op == "clock":
            self.emu.advance_clock(s["seconds"])
            return self.check(s, allowed=set(), walk_deleted=set())
        if op == "outside":
            return self.run_outside(s)
        if op == "tf":
            return self.run_tf(s)
        raise ValueError(f"unknown step {s}")

    def run_outside(self, s):
        o = OUTSIDE[s["kind"]]
        target = s["target"]
        if o["target"] == "table" and not self.table_exists(target):
            self.say(f"      skipped: no table {target}")
            self.inert = True
            return []
        if o["target"] == "stack" and target not in self.snap.stacks:
            self.say(f"      skipped: no stack {target}")
            self.inert = True
            return []
        if o["target"] == "new-table" and self.table_exists(target):
            self.say(f"      skipped: table {target} exists")
            self.inert = True
            return []
        if o["target"] == "new-stack" and target in self.snap.stacks:
            self.say(f"      skipped: stack {target} exists")
            self.inert = True
            return []
        deleted = set()
        try:
            deleted = o["run"](self, s) or set()
        except Skip as e:
            self.say(f"      skipped: {e}")
            self.inert = True
        except Exception as e:  # AWS refused (TTL limit, protected stack...): nothing to check beyond the oracle
            self.say(f"      refused by AWS: {str(e)[:200]}")
        # What the walk itself changed is the new normal for foreign objects.
        for name in list(self.foreign_tables):
            self.snap_foreign_table(name)
        post = self.observe()
        for name in list(self.foreign_stacks):
            if name in post.stacks:
                self.foreign_snap[("stack", name)] = _canon(post.stacks[name])
            else:
                self.foreign_stacks.discard(name)
                self.foreign_snap.pop(("stack", name), None)
        if o["target"] == "stack":
            deleted |= {n for n in self.snap.tables if n not in post.tables}
        return self.check(s, allowed=set(), walk_deleted=deleted, post=post)

    def tf_phases(self, s):
        common = ["-input=false", "-lock=false", "-parallelism=1"]
        cmd = s["cmd"]
        addr = f"{RESOURCE}.{s['slot']}" if s.get("slot") else None
        if cmd in ("apply", "replace", "import-block"):
            extra = [f"-replace={addr}"] if cmd == "replace" else []
            if s.get("saved"):
                return [(["plan", *common, *extra, f"-out={PLANFILE}"], True),
                        (["apply", *common, PLANFILE], False)]
            return [(["apply", "-auto-approve", *common, *extra], False)]
        if cmd == "plan":
            return [(["plan", "-detailed-exitcode", *common], True)]
        if cmd == "refresh":
            return [(["apply", "-refresh-only", "-auto-approve", *common], True)]
        if cmd == "destroy":
            extra = [] if s.get("refresh", True) else ["-refresh=false"]
            if s.get("saved"):
                return [(["plan", "-destroy", *common, *extra, f"-out={PLANFILE}"], True),
                        (["apply", *common, PLANFILE], False)]
            return [(["destroy", "-auto-approve", *common, *extra], False)]
        if cmd == "import":
            return [(["import", "-input=false", "-lock=false", addr, s["id"]], True)]
        if cmd == "state-rm":
            return [(["state", "rm", "-lock=false", addr], True)]
        raise ValueError(cmd)

    def state_bytes(self):
        try:
            with open(os.path.join(self.tfdir, "terraform.tfstate"), "rb") as f:
                return f.read()
        except OSError:
            return b""

    def run_tf(self, s):
        fault, self.pending = self.pending, None
        state = self.read_state()
        state_before = self.state_bytes()
        cmd = s["cmd"]
        # Import names tables and stacks: from now on the user manages them.
        if cmd in ("import", "import-block"):
            stack, _, table = s["id"].rpartition("/")
            self.foreign_tables.discard(table)
            self.foreign_snap.pop(("table", table), None)
            if stack and stack in self.snap.stacks and table in {r[1] for r in self.snap.stacks[stack]["resources"]}:
                self.foreign_stacks.discard(stack)
                self.foreign_snap.pop(("stack", stack), None)
            if cmd == "import-block" and s["slot"] not in state:
                self.last_config[s["slot"]] = None  # imported within this apply
        if cmd in ("apply", "replace", "import-block"):
            for knobs in self.slots.values():   # adoption of a table named in the configuration
                name = slot_attrs(knobs)["name"]
                self.foreign_tables.discard(name)
                self.foreign_snap.pop(("table", name), None)
        allowed, why = self.allowed_deletions(s, state) if cmd in ("apply", "replace", "import-block", "destroy") \
            else (set(), [])
        for w in why:
            self.say(f"      may delete? {w}")
        self.write_config(import_block=(s["slot"], s["id"]) if cmd == "import-block" else None)
        if os.path.exists(os.path.join(self.tfdir, PLANFILE)):
            os.remove(os.path.join(self.tfdir, PLANFILE))
        if fault:
            if fault.get("rules"):
                self.emu._control("POST", "faults", {"faults": fault["rules"]})
            if fault.get("config"):
                self.emu.set_config(**fault["config"])
        results = []
        try:
            for args, readonly in self.tf_phases(s):
                r = self.terraform(args, readonly, kill_after=None if readonly else (fault or {}).get("kill_after"))
                results.append(r)
                self.say(f"      $ terraform {' '.join(args)} -> rc {r['rc']}"
                         f"{' KILLED' if r['killed'] else ''}{' HUNG' if r['hung'] else ''} ({r['seconds']}s,"
                         f" {sum(1 for c in r['calls'] if c.get('mutating'))} mutating calls)")
                for e in _errors(r["out"])[:3]:
                    self.say(f"        {e}")
                if r["rc"] != 0 and not (args[0] == "plan" and "-detailed-exitcode" in args and r["rc"] == 2):
                    break
        finally:
            if fault:
                self.emu.clear_faults()
                self.emu.set_config(delay_seconds=0, request_delay=0)
        if any(r["killed"] for r in results):
            self.settle_stacks()
        if cmd == "import-block":
            self.write_config()
        self.last_results = results
        self.inert = not any(r["killed"] or any(c.get("mutating") for c in r["calls"]) for r in results) and \
            self.state_bytes() == state_before
        violations = mutating_reads(results)
        # R3 (second half): a refused step says why.
        for r in results:
            if r["hung"]:
                violations.append(f"R3 hung: terraform {r['args'][0]} did not finish within {TF_TIMEOUT}s")
            elif r["rc"] not in (0,) and not r["killed"] and not (r["rc"] == 2 and "-detailed-exitcode" in r["args"]):
                violations += refusal_violations(r)
        ok = bool(results) and all(r["rc"] == 0 or (r["rc"] == 2 and "-detailed-exitcode" in r["args"])
                                   for r in results) and not any(r["killed"] or r["hung"] for r in results)
        post = self.observe()
        new_state = self.read_state()
        # The configuration that produced the state (intent for later replacements).
        if cmd in ("apply", "replace", "import-block", "destroy"):
            for slot in list(self.last_config):
                if slot not in new_state:
                    self.last_config.pop(slot)
            for slot, st in new_state.items():
                if slot in self.slots and not st.get("_tainted") and cmd != "destroy":
                    a = slot_attrs(self.slots[slot])
                    same = (st.get("name"), st.get("stack_name"), _keys_of_state(st)) == \
                        (a["name"], effective_stack(a, st), _keys_of(a))
                    if same and (ok or self.last_config.get(slot, 0) is not None):
                        self.last_config[slot] = copy.deepcopy(self.slots[slot])
        elif cmd == "state-rm":
            self.last_config.pop(s["slot"], None)
        elif cmd == "import" and ok:
            self.last_config[s["slot"]] = None  # state from an import: no configuration applied yet
        if ok and cmd in ("apply", "replace", "import-block"):
            violations += self.check_matches_config(post)
            r = self.terraform(["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-parallelism=1"],
                               readonly=True)
            violations += mutating_reads([r])
            if r["rc"] != 0:
                violations.append(f"R3 plan-not-empty: terraform plan -detailed-exitcode exited {r['rc']} right after a "
                                  f"successful apply:\n{_tail(_plan_summary(r['out']), 2500)}")
            post = self.observe()
        if ok and cmd == "destroy":
            for slot, st in state.items():
                sn = st.get("stack_name")
                if sn in post.stacks and post.stacks[sn]["id"] == st.get("stack_id"):
                    violations.append(f"R3 aws-mismatch: destroy succeeded but stack {sn} of {slot} still exists "
                                      f"({post.stacks[sn]['status']})")
        return violations + self.check(s, allowed=allowed, walk_deleted=set(), post=post, why=why)

    def check_matches_config(self, post: Snapshot) -> list[str]:
        """R3: after a successful apply every configured table is as configured."""
        out = []
        state = self.read_state()
        for slot in SLOTS:
            if slot not in self.slots:
                continue
            a = slot_attrs(self.slots[slot])
            name = a["name"]
            if name not in post.tables:
                out.append(f"R3 aws-mismatch: {slot}: table {name} does not exist after a successful apply")
                continue
            want = {}
            for k in KNOBS:
                want.update(k.expect(a, state.get(slot)))
            have = self.facts(name, post)
            diff = {f: (w, have.get(f)) for f, w in want.items() if have.get(f) != w}
            for f, (w, h) in sorted(diff.items()):
                out.append(f"R3 aws-mismatch:{f}: {slot} ({name}): configured {_canon(w)}, AWS has {_canon(h)}")
        return out

    def check(self, s, allowed, walk_deleted, post=None, why=()) -> list[str]:
        """R1, R2, R5 against the snapshot before the step; seeds new tables."""
        post = post or self.observe()
        pre = self.snap
        out = []
        # R1: no item missing unless allowed.
        for name, rec in sorted(self.items.items()):
            t = post.tables.get(name)
            if t is not None and t["id"] == rec["id"]:
                missing = rec["keys"] - t["item_keys"]
                how = f"{len(missing)} of {len(rec['keys'])} items missing"
            else:
                missing = rec["keys"]
                how = "table deleted" if t is None else "table deleted and created again (new TableId)"
            if not missing:
                continue
            if name in allowed or name in walk_deleted:
                self.items.pop(name)
                continue
            out.append(f"R1 items-missing: table {name}: {how}; this step was not allowed to delete it"
                       + (f" ({'; '.join(why)})" if why else ""))
            self.items.pop(name)
        # R5: a table protected before the step did not vanish.
        for name, t in pre.tables.items():
            if not t["protection"] or name in walk_deleted:
                continue
            now = post.tables.get(name)
            if now is None or now["id"] != t["id"]:
                out.append(f"R5 protected-deleted: table {name} had deletion protection on before the step and was deleted")
        # R2: foreign objects unchanged.
        for name in sorted(self.foreign_tables):
            t = post.tables.get(name)
            now = None if t is None else _canon({k: v for k, v in t.items() if k != "item_keys"})
            if now != self.foreign_snap.get(("table", name)):
                out.append(f"R2 foreign-changed: table {name} (made outside Terraform, never imported) changed: "
                           + _diff(self.foreign_snap.get(("table", name)), now))
                self.foreign_snap[("table", name)] = now
                if t is None:
                    self.foreign_tables.discard(name)
        for name in sorted(self.foreign_stacks):
            st = post.stacks.get(name)
            now = None if st is None else _canon(st)
            if now != self.foreign_snap.get(("stack", name)):
                out.append(f"R2 foreign-changed: stack {name} (made outside Terraform, never imported) changed: "
                           + _diff(self.foreign_snap.get(("stack", name)), now))
                self.foreign_snap[("stack", name)] = now
                if st is None:
                    self.foreign_stacks.discard(name)
        # Every table the walk sees for the first time gets items.
        for name, t in sorted(post.tables.items()):
            rec = self.items.get(name)
            if rec is None or rec["id"] != t["id"]:
                self.seed(name)
        self.snap = post  # seeding adds items only: settings and TableIds are as observed
        return out


def refusal_violations(r) -> list[str]:
    """R3: a command that failed said why (an error diagnostic, not a crash)."""
    out = r["out"]
    crash = [m for m in ("panic:", "Plugin did not respond", "plugin exited", "plugin crashed",
                         "rpc error: code = Unavailable", "unexpected EOF", "Request cancelled",
                         "SIGSEGV", "AddressSanitizer", "runtime error:") if m in out]
    if crash:
        return [f"R3 crash: terraform {r['args'][0]} exited {r['rc']} with {crash}:\n{_tail(out, 2500)}"]
    # Terraform's own verdicts on a provider that broke the protocol's contract.
    broken = [m for m in ("Provider produced inconsistent result", "Provider produced invalid plan",
                          "Provider produced inconsistent final plan", "Provider returned invalid result")
              if m in out]
    if broken:
        return [f"R3 provider-bug: terraform {r['args'][0]}: {broken[0]}:\n{_tail(out, 2500)}"]
    if "Error:" not in out and r["args"][0] != "state":  # `state rm` is Terraform's alone
        return [f"R3 no-diagnostic: terraform {r['args'][0]} exited {r['rc']} without an error diagnostic:\n"
                f"{_tail(out, 2500)}"]
    return []


def mutating_reads(results) -> list[str]:
    """R4: a plan, refresh or import (a read-only command) made a mutating call."""
    out = []
    for r in results:
        if r["readonly"]:
            muts = [f"{c.get('service')}.{c.get('operation')} {_canon(c.get('params'))}"
                    for c in r["calls"] if c.get("mutating")]
            if muts:
                out.append(f"R4 mutating-read: terraform {r['args'][0]} made mutating calls: " + "; ".join(muts[:5]))
    return out


def _keys_of_state(st):
    hk = st.get("hash_key") or {}
    k = [[hk.get("name"), hk.get("type")]]
    rk = st.get("range_key")
    if rk:
        k.append([rk.get("name"), rk.get("type")])
    return k


def _errors(out):
    """Terraform's error diagnostics, one line each (summary: first detail line)."""
    lines, found = out.splitlines(), []
    for i, ln in enumerate(lines):
        if ln.lstrip("│ ").startswith("Error: "):
            detail = next((x.strip("│ ").strip() for x in lines[i + 1:i + 12]
                           if x.strip("│ ").strip() and not x.strip("│ ").startswith(("with ", "on "))
                           and not x.strip().startswith(tuple("0123456789"))), "")
            found.append(f"{ln.strip('│ ').strip()} — {detail[:160]}")
    return found


def _tail(text, n):
    return text if len(text) <= n else "…" + text[-n:]


def _plan_summary(out):
    """The resource changes of a plan, without the boilerplate."""
    noise = ("Terraform used", "Terraform will perform", "plan. Resource", "  + create", "  ~ update",
             "  - destroy", "Note: You didn't")
    return "\n".join(ln for ln in out.splitlines()
                     if ln.strip() and "Refreshing state..." not in ln and not ln.startswith(noise))


def _diff(a, b):
    if a is None:
        return "it did not exist before"
    if b is None:
        return "it was deleted"
    da, db = json.loads(a), json.loads(b)
    keys = sorted(k for k in set(da) | set(db) if da.get(k) != db.get(k))
    return "; ".join(f"{k}: {_tail(_canon(da.get(k)), 300)} -> {_tail(_canon(db.get(k)), 300)}" for k in keys)


# ---- running, shrinking, reporting ----------------------------------------------------
class WalkError(Exception):
    """The walk itself failed (not the provider): exit 2."""


def signature(violation: str) -> str:
    """What a reproduction must show again: the rule and the kind ("R1 items-missing")."""
    return " ".join(violation.split(": ", 1)[0].split()[:2])


class Runner:
    def __init__(self, build: str, work: str, quiet: bool = False, ignore=()):
        self.work = work
        self.quiet = quiet
        self.ignore = tuple(ignore)  # signatures (prefixes) to walk past: exploring behind a known bug
        cli = subprocess.run([os.path.join(ROOT, "scripts", "install-provider.sh"), build, work],
                             capture_output=True, text=True, check=True).stdout.strip()
        self.emu = Emulator(log_path=os.path.join(work, "requests.jsonl"))
        self.emu.start()
        self.world = World(self.emu, work, cli, log=self.say)
        self.runs = 0

    def say(self, msg):
        if not self.quiet:
            print(msg, flush=True)

    def close(self):
        self.emu.stop()

    def run(self, settings, steps, label="walk"):
        """Runs steps from a fresh emulator and directory; returns (index, violations) of
        the first violating step, or (None, [])."""
        self.runs += 1
        w = self.world
        w.begin(settings, f"{label}-{self.runs}")
        self.inert = []
        for i, s in enumerate(steps):
            self.say(f"  [{i:02d}] {describe(s)}")
            try:
                v = w.run_step(i, s)
            except Exception as e:  # the walk's own machinery, not the provider
                raise WalkError(f"step {i} ({describe(s)}): {type(e).__name__}: {e}") from e
            if w.inert:
                self.inert.append(i)
            for x in [x for x in v if self.ignore and signature(x).startswith(self.ignore)]:
                self.say("      ignored " + x.split("\n", 1)[0])
                v.remove(x)
            if v:
                for x in v:
                    self.say("      VIOLATION " + x.replace("\n", "\n        "))
                return i, v
        return None, []

    def shrink(self, settings, steps, sig, seconds, inert=()):
        """The shortest list of steps found within `seconds` that still shows a
        violation with signature sig (None if the steps do not violate again)."""
        quiet, self.quiet = self.quiet, True
        tries = 0

        def test(cand):
            nonlocal tries
            tries += 1
            try:
                i, v = self.run(settings, cand, "shrink")
            except WalkError:
                return None
            if i is not None and any(signature(x) == sig for x in v):
                return cand[:i + 1]
            return None

        try:
            return shrink_steps(steps, test, time.monotonic() + seconds, inert), tries
        finally:
            self.quiet = quiet


def shrink_steps(steps, test, deadline, inert=()):
    """Delta debugging (ddmin over complements), then every knob of an added resource
    back to its first (simplest) value. test(candidate) replays a candidate and returns
    it cut after its violating step, or None when it does not violate the same way.
    inert: indices of steps that changed nothing in the first run (tried first, all
    removed at once)."""
    again = test(steps)
    if again is None:
        return None  # not reproducible: report the full sequence only
    steps = again
    drop = {i for i in inert if i < len(steps) - 1}
    if drop:
        got = test([s for i, s in enumerate(steps) if i not in drop])
        if got is not None:
            steps = got
    n = 2
    while len(steps) >= 2 and time.monotonic() < deadline:
        chunk = -(-len(steps) // n)
        reduced = False
        for start in range(0, len(steps), chunk):
            if time.monotonic() >= deadline:
                break
            cand = steps[:start] + steps[start + chunk:]
            got = test(cand) if cand else None
            if got is not None:
                steps, n, reduced = got, max(n - 1, 2), True
                break
        if not reduced:
            if n >= len(steps):
                break
            n = min(len(steps), n * 2)
    for i in range(len(steps)):
        if steps[i]["op"] != "add":
            continue
        for k in KNOBS:
            if time.monotonic() >= deadline or steps[i]["knobs"].get(k.name) == k.values[0]:
                continue
            cand = copy.deepcopy(steps)
            cand[i]["knobs"][k.name] = copy.deepcopy(k.values[0])
            got = test(cand)
            if got is not None and len(got) == len(steps):
                steps = got
    return steps


def report(seed, settings, steps, index, violations, minimal, tries, took, out_dir):
    lines = [f"=== VIOLATION: seed {seed}, step {index} of {len(steps)} ==="]
    lines += ["  " + v.replace("\n", "\n    ") for v in violations]
    lines.append("--- steps so far ---")
    lines += [f"  {i:02d} {describe(s)}" for i, s in enumerate(steps[:index + 1])]
    doc = {"seed": seed, "settings": settings, "violations": violations, "steps": minimal or steps[:index + 1],
           "shrunk": minimal is not None, "original_steps": steps[:index + 1]}
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"seed-{seed}.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
    if minimal is None and tries:
        lines.append(f"--- not shrunk: the sequence did not violate again on replay ({tries} replays) ---")
    elif minimal is None:
        lines.append("--- not shrunk (--shrink-seconds 0) ---")
    else:
        lines.append(f"--- minimal reproduction: {len(minimal)} steps ({tries} replays, {took:.0f}s) ---")
        lines += [f"  {i + 1}. {describe(s)}" for i, s in enumerate(minimal)]
        lines.append("  as data: " + json.dumps(minimal))
    lines.append(f"replay: python3 {os.path.relpath(os.path.abspath(__file__), os.getcwd())} --replay {path}")
    print("\n".join(lines), flush=True)
    return path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, help="seed of the walk (default: from the clock)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--replay", metavar="FILE", help="run the steps of a reproduction file")
    ap.add_argument("--keep", action="store_true", help="keep the working directory (terraform dirs, request log)")
    ap.add_argument("--build", default=os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="where reproductions are written")
    ap.add_argument("--shrink-seconds", type=float, default=300, help="time budget of the shrinking (0: none)")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--print-steps", action="store_true", help="print the generated steps and exit")
    ap.add_argument("--ignore", action="append", default=[], metavar="SIGNATURE",
                    help="walk past violations whose signature starts with this (e.g. 'R3 aws-mismatch'), "
                         "to explore behind a known bug; never in CI")
    a = ap.parse_args(argv)

    if a.replay:
        with open(a.replay) as f:
            doc = json.load(f)
        seed, settings, steps = doc.get("seed"), doc.get("settings", {}), doc["steps"]
        if doc.get("why"):  # a committed reproduction (tests/safety/repros/)
            print(f"walk: {doc.get('name')}: {doc['why']} (found as: {doc.get('expect')})", flush=True)
    else:
        seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1_000_000_007
        settings, steps = settings_for(seed), generate(seed, a.steps)
    if a.print_steps:
        for i, s in enumerate(steps):
            print(f"{i:02d} {describe(s)}")
        return 0
    binary = os.path.join(a.build, "terraform-provider-dynamodb")
    if not os.access(binary, os.X_OK):
        print(f"walk: no provider at {binary} (build first, or --build DIR)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="tpd-walk.")
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    print(f"walk: seed {seed}, {len(steps)} steps, settings {json.dumps(settings)}, work {work}", flush=True)
    t0 = time.monotonic()
    runner = Runner(a.build, work, quiet=a.quiet, ignore=a.ignore)
    try:
        index, violations = runner.run(settings, steps, "walk")
        took = time.monotonic() - t0
        if index is None:
            print(f"walk: seed {seed}: {len(steps)} steps, no violation ({took:.0f}s)", flush=True)
            return 0
        print(f"walk: seed {seed}: violation at step {index} after {took:.0f}s", flush=True)
        minimal, tries, t1 = None, 0, time.monotonic()
        if a.shrink_seconds > 0:
            minimal, tries = runner.shrink(settings, steps[:index + 1], signature(violations[0]), a.shrink_seconds,
                                           inert=runner.inert)
        report(seed, settings, steps, index, violations, minimal, tries, time.monotonic() - t1, a.out)
        return 1
    except WalkError as e:
        print(f"walk: seed {seed}: the walk itself failed: {e}", file=sys.stderr, flush=True)
        return 2
    finally:
        runner.close()
        if a.keep:
            print(f"walk: kept {work}", flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
