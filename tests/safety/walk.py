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
  R5  no table protected against deletion vanished;
  R6  a plan tells the truth: a table the plan keeps (no destroy or replacement at
      any address naming it) keeps its items through the apply.

The user has several states: a second Terraform workspace in the same directory and a
second working directory on the same account (contexts, CTXS), addresses that are
renamed or re-indexed (count, for_each) with or without `moved`, `taint`/`untaint`,
and a flaky world: Ctrl-C, `timeouts` deadlines and a killed provider at points taken
from the emulator's request log. A refusal's advice (`terraform untaint ADDR`,
`terraform import ADDR ID`, a `moved` block) may be followed literally by a later step.

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
import re
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
TABLE_NAMES = ["walk-a", "walk-b", "walk_c.d"]          # names configurations use (and INTERRUPT_TABLE)
EXTRA_TABLES = ["ext-t1", "ext-t2"]                     # names only foreign stacks use
CONFIG_STACKS = ["stk-1", "stk-2", "walk-b"]            # explicit stack_name values
FOREIGN_STACKS = ["walk-a", "stk-2", "walk-c-d", "ext-s1"]  # stacks made outside Terraform
SLOTS = ["r0", "r1", "r2"]                              # resources of a configuration
EACH_KEYS = ["k1", "k2", "k3"]                          # for_each keys a resource may move to
# Contexts: who runs terraform. "a" is the first user (directory A, default workspace);
# "w" a second workspace in directory A (`terraform workspace new staging`); "b" a
# second working directory; "c" a third one where the interruption sequences mostly
# run, on a table of their own (a configuration stuck on an earlier refusal would
# refuse before the point of interruption). All on the same emulator account.
CTXS = {"a": ("A", None), "w": ("A", "staging"), "b": ("B", None), "c": ("C", None)}
INTERRUPT_TABLE = "walk-i"   # the table the interruption sequences of context c mostly use
CTX_OPS = ("add", "edit", "remove", "move", "tf", "fork", "advice")   # steps that belong to a context
# A deadline small enough to be hit while a stack operation is in progress (the
# `deadline` fault keeps stacks busy for longer).
DEADLINE = {"timeouts": {"create": "3s", "update": "3s", "delete": "3s"}}


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
    if isinstance(v, list):
        pad = " " * (indent + 2)
        return "[\n" + "".join(f"{pad}{hcl(x, indent + 2)},\n" for x in v) + " " * indent + "]"
    raise TypeError(v)


def addr_key(form) -> str:
    """The address of a resource instance without the type: a resource of its own
    (["res", NAME] -> NAME), an element of the `count` resource c (["count", I] ->
    c[I]), or of the `for_each` resource e (["each", K] -> e["K"])."""
    if form[0] == "count":
        return f"c[{form[1]}]"
    if form[0] == "each":
        return f'e["{form[1]}"]'
    return form[1]


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
# has answered that operation; interrupt: {"signal": INT | KILL_PROVIDER | KILL,
# "after": N} once the emulator has answered the Nth mutating call of the command
# (INT: Ctrl-C, once, to terraform's process group as a terminal sends it; the
# provider ignores it and Terraform asks it to stop. KILL_PROVIDER: SIGKILL of the
# provider process alone, found as terraform's child). The points come from the
# request log, never from a clock, so a seed interrupts at the same call every run;
# stacks are slowed down (delay_seconds) so that operations are in progress then.
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
    "ttl_slow": (2, lambda rng: {"ttl_slow": True}),   # the command's TTL changes stay ENABLING/DISABLING
    "interrupt": (4, lambda rng: {"interrupt": {"signal": rng.choice(["INT", "INT", "KILL_PROVIDER"]),
                                                "after": rng.choice([1, 2, 2, 3, 4])},
                                  "config": {"delay_seconds": rng.choice([2, 3])}}),
    # With timeouts = DEADLINE (3 s) in the configuration: stack operations take 10 s;
    # change sets, the first k executions (and the deletion, maybe) are made instant by
    # moving the emulator clock, so the deadline passes while a later one is in progress.
    "deadline": (1, lambda rng: {"config": {"delay_seconds": 10}, "rules": [
        {"kind": "advance_clock", "operation": "CreateChangeSet", "seconds": 11, "count": 0}]
        + ([{"kind": "advance_clock", "operation": "ExecuteChangeSet", "seconds": 11, "count": k}
            for k in [rng.choice([0, 1, 2])] if k])
        + ([{"kind": "advance_clock", "operation": "DeleteStack", "seconds": 11, "count": 1}]
           if rng.random() < 0.5 else [])}),
}


# ---- the walk: steps generated from the seed alone -----------------------------------
class GenCtx:
    """What the generator expects of one context's configuration and state."""

    def __init__(self):
        self.slots = {}          # slot -> {knob: value}
        self.forms = {}          # slot -> address form (addr_key); missing: ["res", slot]
        self.in_state = set()


class GenModel:
    """What the generator expects to exist; only used to make plausible steps."""

    def __init__(self):
        self.ctxs = {c: GenCtx() for c in CTXS}
        self.tables = set()
        self.stacks = set()
        self.keys = {}           # table -> key kind ("S", "SS", "N") it was first made with

    def view(self, ctx):
        return _View(self, ctx)


class _View:
    """One context of the generator model, as the step makers see it."""

    def __init__(self, g, ctx):
        c = g.ctxs[ctx]
        self.model, self.ctx = g, ctx
        self.slots, self.forms, self.in_state = c.slots, c.forms, c.in_state
        self.tables, self.stacks = g.tables, g.stacks


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
    s = {"op": "add", "slot": free[0], "knobs": knobs}
    x = rng.random()
    if x < 0.15:     # an element of the count resource (appended)
        s["form"] = ["count"]
    elif x < 0.25:   # an element of the for_each resource
        keys = [k for k in EACH_KEYS if ["each", k] not in g.forms.values()]
        if keys:
            s["form"] = ["each", rng.choice(keys)]
    return s


def _mk_edit(rng, g):
    if not g.slots:
        return None
    slot = rng.choice(sorted(g.slots))
    knob = _pick(rng, [(k.weight, k) for k in KNOBS])
    choices = [v for v in knob.values if v != g.slots[slot].get(knob.name)]
    return {"op": "edit", "slot": slot, "knob": knob.name, "value": copy.deepcopy(rng.choice(choices))}


def _mk_remove(rng, g):
    return {"op": "remove", "slot": rng.choice(sorted(g.slots))} if g.slots else None


def _apply(rng):
    return {"op": "tf", "cmd": "apply", "saved": rng.random() < 0.4}


def _mk_tf(cmd):
    def mk(rng, g):
        s = {"op": "tf", "cmd": cmd}
        if cmd in ("apply", "destroy", "replace", "import-block"):
            s["saved"] = rng.random() < 0.4
        if cmd == "destroy":
            s["refresh"] = rng.random() < 0.8
        if cmd in ("replace", "state-rm", "import", "import-block", "taint", "untaint"):
            pool = sorted(g.slots) if cmd != "state-rm" else sorted(g.in_state)
            if cmd in ("replace", "taint", "untaint"):
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
    kind = _pick(rng, [(w, k) for k, (w, _) in FAULTS.items() if k != "deadline"])
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
    return [{"op": "outside", "kind": kind, "target": t, **OUTSIDE[kind]["params"](rng)}, _apply(rng)]


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
        out.append(_apply(rng))
    return out


class _Only:
    """A view of the generator model with one slot, not in state (for import makers)."""

    def __init__(self, g, slot):
        self.slots, self.in_state, self.tables, self.stacks = {slot: g.slots[slot]}, set(), g.tables, g.stacks
        self.forms = g.forms


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
    return [{"op": "outside", "kind": kind, "target": target, **params}, _apply(rng)]


# ---- makers of the second round: states, addresses, interruptions, advice ---------------
def _mk_second_state(rng, g):
    """Another state on the same account: a second workspace of the same directory or a
    second directory, with the first one's configuration (the same tables) or its
    own; apply; sometimes switch protection off there and destroy (issue 21, path 1)."""
    ctx = rng.choice(["w", "w", "b"])
    first = g.model.ctxs["a"]
    out = []
    slots = sorted(g.model.ctxs[ctx].slots)
    if not slots:
        if first.slots and rng.random() < 0.8:
            out.append({"op": "fork", "ctx": ctx, "from": "a"})
            slots = sorted(first.slots)
        else:
            out.append(dict(_mk_add(rng, g.model.view(ctx)), ctx=ctx))
            slots = [out[-1]["slot"]]
    out.append(dict(_apply(rng), ctx=ctx))
    if rng.random() < 0.4:
        if rng.random() < 0.7:
            out.append({"op": "edit", "ctx": ctx, "slot": rng.choice(slots), "knob": "deletion_protection_enabled",
                        "value": {"deletion_protection_enabled": False}})
            out.append(dict(_apply(rng), ctx=ctx))
        out.append({"op": "tf", "ctx": ctx, "cmd": "destroy", "saved": rng.random() < 0.4, "refresh": True})
    return out


def _move_target(rng, g, slot):
    cur = g.forms.get(slot, ["res", slot])
    used = [f for s, f in g.forms.items() if s != slot]
    opts = [["res", n] for n in (slot, slot + "_x", slot + "_y") if ["res", n] != cur and ["res", n] not in used]
    if cur[0] != "count":
        opts.append(["count"])
    opts += [["each", k] for k in EACH_KEYS if ["each", k] != cur and ["each", k] not in used]
    return rng.choice(opts) if opts else None


def _mk_move(rng, g):
    """An address changes: renamed, into or out of count / for_each (which re-indexes
    the count elements after it), with or without a `moved` block; then mostly apply."""
    if not g.slots:
        return None
    slot = rng.choice(sorted(g.slots))
    to = _move_target(rng, g, slot)
    if to is None:
        return None
    out = [{"op": "move", "slot": slot, "to": to, "moved": rng.random() < 0.5}]
    if rng.random() < 0.8:
        out.append(_apply(rng))
    return out


def _mk_taint(rng, g):
    """terraform taint, then apply, plan, or untaint and apply."""
    t = _mk_tf("taint")(rng, g)
    if t is None:
        return None
    then = rng.choice(["apply", "apply", "plan", "untaint"])
    if then == "untaint":
        return [t, {"op": "tf", "cmd": "untaint", "slot": t["slot"]}, _apply(rng)]
    return [t, _mk_tf(then)(rng, g)]


def _interrupt(rng):
    f = FAULTS["interrupt"][1](rng)
    if rng.random() < 0.25:  # the old group SIGKILL, at a mutating call too
        f["interrupt"]["signal"] = "KILL"
    return {"op": "fault", "kind": "interrupt", **f}


def _keys_kind(knobs):
    """The outside tables' key kind ("S", "SS", "N") of a slot's key schema."""
    k = _keys_of(slot_attrs(knobs))
    return "SS" if len(k) == 2 else "N" if k[0][1] == "N" else "S"


def _mk_interrupt_then(rng, g):
    """An operation interrupted at a point of the request log — Ctrl-C, a killed
    provider, or a `timeouts` deadline while stacks are slow — then what a user does
    next: apply again, plan, follow the refusal's advice, or nothing yet. Mostly in
    directory C on a table of its own (INTERRUPT_TABLE): created (or adopted) when
    the configuration there does not have it yet, else updated, moved or destroyed —
    or created again when a destroy took it out of the state."""
    what = rng.choice(["create", "update", "move", "adopt", "destroy"])
    deadline = rng.random() < 0.3
    out = []
    own = rng.random() < 0.7
    slot = None
    if own:
        g = g.model.view("c")
        slot = next((x for x, k in sorted(g.slots.items()) if slot_attrs(k)["name"] == INTERRUPT_TABLE), None)
        if slot is None:
            what = "adopt" if what == "adopt" else "create"
        elif slot not in g.in_state:
            what = "recreate"
        elif what in ("create", "adopt"):
            what = rng.choice(["update", "move", "destroy"])
    in_state = sorted(set(g.slots) & g.in_state)
    if what in ("update", "move", "destroy") and not in_state:
        what = "create"
    if what in ("create", "adopt"):
        add = _mk_add(rng, g)
        if add is None:
            if not in_state:
                return None
            what = "update"
        else:
            if own:
                add.pop("form", None)
                add["knobs"]["name"] = {"name": INTERRUPT_TABLE}
                known = g.model.keys.get(INTERRUPT_TABLE)
                if known and rng.random() < 0.9:  # the table exists: mostly its key schema
                    add["knobs"]["keys"] = copy.deepcopy(KNOB["keys"].values[{"S": 0, "SS": 2, "N": 3}[known]])
            if what == "adopt":  # mostly the configured key schema: an adoption, not a refusal
                params = OUTSIDE["foreign-table"]["params"](rng)
                if rng.random() < 0.95:
                    params["keys"] = _keys_kind(add["knobs"])
                out.append({"op": "outside", "kind": "foreign-table", "target": slot_attrs(add["knobs"])["name"],
                            **params})
            if deadline:
                add["knobs"]["timeouts"] = copy.deepcopy(DEADLINE)
            out.append(add)
    if what == "recreate" and deadline:
        out.append({"op": "edit", "slot": slot, "knob": "timeouts", "value": copy.deepcopy(DEADLINE)})
    if what in ("update", "move", "destroy"):
        slot = slot if slot in in_state else rng.choice(in_state)
        if deadline:  # the deadline must be in the state before it governs an update or delete
            out += [{"op": "edit", "slot": slot, "knob": "timeouts", "value": copy.deepcopy(DEADLINE)}, _apply(rng)]
        if what == "update":
            knob = KNOB[rng.choice(["billing", "ttl", "point_in_time_recovery", "tags", "deletion_protection_enabled"])]
            out.append({"op": "edit", "slot": slot, "knob": knob.name,
                        "value": copy.deepcopy(rng.choice(knob.values[1:]))})
        elif what == "move":
            out.append({"op": "edit", "slot": slot, "knob": "stack_name",
                        "value": {"stack_name": rng.choice(CONFIG_STACKS)}})
        elif rng.random() < 0.5:
            out.append({"op": "edit", "slot": slot, "knob": "deletion_protection_enabled",
                        "value": {"deletion_protection_enabled": False}})
    if deadline:
        f = {"op": "fault", "kind": "deadline", **FAULTS["deadline"][1](rng)}
        if what == "destroy":  # the deletion is the one operation: it must take its 10 s
            f["rules"] = [r for r in f["rules"] if r["operation"] != "DeleteStack"]
        out.append(f)
    else:
        out.append(_interrupt(rng))
        if what == "destroy":  # DeleteStack is the destroy's one mutating call
            out[-1]["interrupt"]["after"] = 1
    out.append({"op": "tf", "cmd": "destroy", "saved": rng.random() < 0.3, "refresh": True}
               if what == "destroy" else _apply(rng))
    then = rng.choice(["apply", "apply", "plan", "advice", "nothing"])
    if then == "apply":
        out.append(_apply(rng))
    elif then == "plan":
        out.append({"op": "tf", "cmd": "plan"})
    elif then == "advice":
        out += [_apply(rng), {"op": "advice", "kind": rng.choice(["untaint", "untaint", "import", "moved"])},
                _apply(rng)]
    if own:
        for x in out:
            if x["op"] in CTX_OPS:
                x["ctx"] = "c"
    return out


def _mk_advice(rng, g):
    """Follow the advice of the last refusal in this context (if it gave one), then apply;
    or give up on the resource it named (state rm, remove its block)."""
    return [{"op": "advice", "kind": rng.choice(["untaint", "import", "moved", "forget", "forget"])}, _apply(rng)]


# (weight, maker); a maker returns a step, a list of steps, or None when it does not apply.
STEP_MAKERS = [
    (6, _mk_drift_then_apply), (5, _mk_forget_and_import), (6, _mk_fault_then), (4, _mk_collide),
    (6, _mk_add), (18, _mk_edit), (2, _mk_remove),
    (22, _mk_tf("apply")), (3, _mk_tf("plan")), (3, _mk_tf("refresh")), (4, _mk_tf("destroy")),
    (3, _mk_tf("replace")), (6, _mk_tf("import")), (3, _mk_tf("import-block")), (3, _mk_tf("state-rm")),
    (16, _mk_outside), (8, _mk_fault), (4, _mk_clock),
    (8, _mk_second_state), (8, _mk_move), (4, _mk_taint), (14, _mk_interrupt_then), (5, _mk_advice),
]


def _gen_update(g, s):
    op = s["op"]
    c = g.ctxs[s.get("ctx", "a")]
    if op == "add":
        c.slots[s["slot"]] = copy.deepcopy(s["knobs"])
        c.forms[s["slot"]] = list(s.get("form") or ["res", s["slot"]])
    elif op == "edit":
        if s["slot"] in c.slots:
            c.slots[s["slot"]][s["knob"]] = copy.deepcopy(s["value"])
    elif op == "remove":
        c.slots.pop(s["slot"], None)
        c.forms.pop(s["slot"], None)
    elif op == "move":
        c.forms[s["slot"]] = list(s["to"])
    elif op == "fork":
        src = g.ctxs[s["from"]]
        c.slots, c.forms = copy.deepcopy(src.slots), copy.deepcopy(src.forms)
    elif op == "tf":
        if s["cmd"] in ("apply", "replace", "import-block"):
            c.in_state = set(c.slots)
            for k in c.slots.values():
                a = slot_attrs(k)
                g.tables.add(a["name"])
                g.stacks.add(effective_stack(a))
                g.keys.setdefault(a["name"], _keys_kind(k))
        elif s["cmd"] == "destroy":
            c.in_state = set()
        elif s["cmd"] == "state-rm":
            c.in_state.discard(s["slot"])
        elif s["cmd"] == "import":
            c.in_state.add(s["slot"])
    elif op == "outside":
        if OUTSIDE[s["kind"]]["target"] == "new-table":
            g.tables.add(s["target"])
            g.keys.setdefault(s["target"], s.get("keys"))
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
        ctx = "a"
        others = sorted(c for c in CTXS if c != "a" and g.ctxs[c].slots)
        if others and rng.random() < 0.3:  # a step of a second state
            ctx = rng.choice(others)
        v = g.view(ctx)
        if not v.slots and ctx == "a":
            s = _mk_add(rng, v)
        else:
            s = _pick(rng, STEP_MAKERS)(rng, v)
        if s is None:
            continue
        for x in (s if isinstance(s, list) else [s]):
            if ctx != "a" and x["op"] in CTX_OPS and "ctx" not in x:
                x["ctx"] = ctx
            _gen_update(g, x)
            steps.append(x)
    return steps[:n]


def settings_for(seed: int) -> dict:
    """Emulator settings of a run (part of a reproduction)."""
    rng = random.Random(f"settings-{seed}")
    return {"page_size": rng.choice([None, None, 1, 2])}


def describe(s: dict) -> str:
    where = {"w": "[workspace staging] ", "b": "[directory B] ", "c": "[directory C] "}.get(s.get("ctx", "a"), "") \
        if s["op"] in CTX_OPS else ""
    return where + _describe(s)


def _describe(s: dict) -> str:
    op = s["op"]
    if op == "add":
        form = f" as {addr_key(s['form'] + ['next'] if s['form'] == ['count'] else s['form'])}" if s.get("form") else ""
        return f"add {s['slot']}{form} " + json.dumps(slot_attrs(s["knobs"]), sort_keys=True)
    if op == "edit":
        return f"edit {s['slot']}.{s['knob']} = {json.dumps(s['value'], sort_keys=True)}"
    if op == "remove":
        return f"remove {s['slot']} from the configuration"
    if op == "move":
        to = "c[next]" if s["to"] == ["count"] else addr_key(s["to"])
        return f"move {s['slot']} to address {to} " + ("with a moved block" if s.get("moved") else "without moved")
    if op == "fork":
        return f"copy the configuration of context {s['from']}"
    if op == "advice":
        return f"follow the last refusal's advice: {s['kind']} (if it gave one)"
    if op == "tf":
        extra = []
        if s.get("saved"):
            extra.append("saved plan")
        if s.get("refresh") is False:
            extra.append("-refresh=false")
        args = " ".join(x for x in (s.get("addr") or s.get("slot"), s.get("id")) if x)
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

    def owners(self, table) -> list:
        """The live stacks listing table. More than one when a table was deleted outside
        Terraform and made again in another stack: the first stack still lists it (as
        on AWS), and nothing the walk reads tells the two apart."""
        return [name for name, st in self.stacks.items()
                if any(r[2] == "AWS::DynamoDB::Table" and r[1] == table and not r[3].startswith("DELETE_")
                       for r in st["resources"])]

    def owner(self, table, prefer=None):
        """The stack owning table: prefer when it is one of those listing it."""
        owners = self.owners(table)
        return prefer if prefer in owners else (owners[0] if owners else None)


class Ctx:
    """One user of the account: a working directory and workspace (CTXS), its
    configuration (slots and their addresses), and what the oracle remembers of it."""

    def __init__(self, name: str, tfdir: str):
        self.name, self.tfdir = name, tfdir
        self.workspace = CTXS[name][1]
        self.slots = {}         # the configuration: slot -> {knob: value}
        self.forms = {}         # slot -> address form (addr_key); missing: ["res", slot]
        self.moved = []         # [from, to] address keys: moved blocks, kept until an apply succeeds
        self.last_config = {}   # address -> knobs of the last apply that left state = config; None: imported
        self.user_tainted = set()   # addresses tainted by `terraform taint` (a replacement the user asked for)
        self.advice = None      # {"i": step index, "items": [...]}: the last refusal's advice
        self.followed = None    # {"i": step index, "item": ...}: advice followed at step i
        self.ready = False      # directory initialised, workspace created

    def form(self, slot):
        return self.forms.get(slot, ["res", slot])

    def addr(self, slot) -> str:
        return addr_key(self.form(slot))

    def config(self) -> dict:
        """address -> knobs."""
        return {self.addr(slot): knobs for slot, knobs in self.slots.items()}

    def set_form(self, slot, form):
        """Gives slot another address; leaving the count resource re-indexes the
        elements after it (a list lost an element)."""
        old = self.form(slot)
        if old[0] == "count":
            for s, f in self.forms.items():
                if f[0] == "count" and f[1] > old[1]:
                    f[1] -= 1
        if form is None:
            self.forms.pop(slot, None)
            return
        if form[0] == "count" and len(form) == 1:  # appended
            form = ["count", sum(1 for s, f in self.forms.items() if f[0] == "count" and s != slot)]
        self.forms[slot] = list(form)

    def rekey(self, old, new):
        """A moved block: what the oracle remembers of address old is now new's."""
        if old in self.last_config:
            self.last_config[new] = self.last_config.pop(old)
        if old in self.user_tainted:
            self.user_tainted.discard(old)
            self.user_tainted.add(new)

    def state_path(self):
        if self.workspace:
            return os.path.join(self.tfdir, "terraform.tfstate.d", self.workspace, "terraform.tfstate")
        return os.path.join(self.tfdir, "terraform.tfstate")


class World:
    """One walk: an emulator, terraform working directories (contexts), the oracle's model."""

    def __init__(self, emu: Emulator, work: str, cli_config: str, log=print):
        self.emu, self.work, self.say = emu, work, log
        self.ddb = emu.client("dynamodb", max_attempts=4)
        self.cfn = emu.client("cloudformation", max_attempts=4)
        self.env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
                  "AWS_SESSION_TOKEN", "TF_PLUGIN_CACHE_DIR", "AWS_ENDPOINT_URL", "TF_WORKSPACE", "TF_DATA_DIR"):
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
        dirs = {"A": self.tfdir, "B": self.tfdir + "-b", "C": self.tfdir + "-c"}
        for d in dirs.values():
            shutil.rmtree(d, ignore_errors=True)
        self.ctxs = {name: Ctx(name, dirs[d]) for name, (d, _) in CTXS.items()}
        self.items = {}             # table -> {"id": TableId, "keys": set of canonical keys}
        self.foreign_tables = set()
        self.foreign_snap = {}      # ("table"|"stack", name) -> canonical snapshot
        self.foreign_stacks = set()
        self.pending = None         # fault step armed for the next terraform step
        self.key_counter = 0
        self.step_i = -1
        self.ready(self.ctxs["a"])
        self.snap = self.observe()

    @property
    def slots(self):
        return self.ctxs["a"].slots

    def ready(self, ctx: Ctx):
        """terraform init of the context's directory, `workspace new` of its workspace."""
        if ctx.ready:
            return
        first = next(c for c in self.ctxs.values() if c.tfdir == ctx.tfdir)
        if not first.ready and first is not ctx:
            self.ready(first)
        if not os.path.isdir(os.path.join(ctx.tfdir, ".terraform")):
            os.makedirs(ctx.tfdir, exist_ok=True)
            self.write_config(ctx)
            r = self.terraform(["init", "-input=false"], readonly=True, ctx=ctx)
            if r["rc"] != 0:
                raise RuntimeError("terraform init failed:\n" + r["out"][-3000:])
        if ctx.workspace:
            r = self.terraform(["workspace", "new", "-lock=false", ctx.workspace], readonly=True, ctx=ctx,
                               workspace=False)
            if r["rc"] != 0:
                raise RuntimeError("terraform workspace new failed:\n" + r["out"][-3000:])
        ctx.ready = True

    def ctx_of(self, s) -> Ctx:
        return self.ctxs[s.get("ctx", "a")]

    # -- terraform
    def config_text(self, ctx: Ctx, import_block=None) -> str:
        ep = self.emu.endpoint
        parts = ['terraform {\n  required_providers {\n'
                 '    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }\n  }\n}\n',
                 f'provider "dynamodb" {{\n  region = "us-east-1"\n  endpoints {{\n    dynamodb       = "{ep}"\n'
                 f'    cloudformation = "{ep}"\n    sts            = "{ep}"\n  }}\n}}\n']
        # A chain of depends_on between the resource blocks: with -parallelism=1
        # Terraform still picks among independent resources in no fixed order, and the
        # walk must not depend on it. (The elements of count and for_each have no order
        # among themselves: Terraform gives none.)
        prev = None

        def dep():
            return f"  depends_on = [{RESOURCE}.{prev}]\n" if prev else ""
        for slot in SLOTS:
            if slot not in ctx.slots or ctx.form(slot)[0] != "res":
                continue
            a = slot_attrs(ctx.slots[slot])
            name = ctx.form(slot)[1]
            parts.append(f'resource "{RESOURCE}" "{name}" {{\n' +
                         "".join(f"  {k} = {hcl(v)}\n" for k, v in a.items()) + dep() + "}\n")
            prev = name
        for kind, block, head, elem in (("count", "c", "count = length(local.c)", "local.c[count.index]"),
                                        ("each", "e", "for_each = toset(keys(local.e))", "local.e[each.key]")):
            members = sorted((ctx.forms[s][1], s) for s in ctx.slots if ctx.form(s)[0] == kind)
            if not members:
                continue
            attrs = [slot_attrs(ctx.slots[s]) for _, s in members]
            value = [a for a in attrs] if kind == "count" else {k: a for (k, _), a in zip(members, attrs)}
            names = sorted(set().union(*attrs), key=lambda n: (n not in ("name", "hash_key"), n))
            body = "".join(f"  {n} = {elem}.{n}\n" if all(n in a for a in attrs) else
                           f"  {n} = try({elem}.{n}, null)\n" for n in names)
            parts.append(f"locals {{\n  {block} = {hcl(value, 2)}\n}}\n")
            parts.append(f'resource "{RESOURCE}" "{block}" {{\n  {head}\n{body}{dep()}}}\n')
            prev = block
        for old, new in ctx.moved:
            parts.append(f"moved {{\n  from = {RESOURCE}.{old}\n  to   = {RESOURCE}.{new}\n}}\n")
        if import_block:
            parts.append(f'import {{\n  to = {RESOURCE}.{import_block[0]}\n  id = {json.dumps(import_block[1])}\n}}\n')
        return "\n".join(parts)

    def write_config(self, ctx: Ctx = None, import_block=None):
        ctx = ctx or self.ctxs["a"]
        with open(os.path.join(ctx.tfdir, "main.tf"), "w") as f:
            f.write(self.config_text(ctx, import_block))

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

    def terraform(self, args, readonly, kill_after=None, interrupt=None, ctx=None, workspace=True):
        """Runs one terraform command in a context. SIGKILLs its process group
        (terraform and the provider) once the emulator answered kill_after, or when it
        hangs; interrupt ({"signal", "after"}, FAULTS) acts once the emulator answered
        that many mutating calls of this command."""
        ctx = ctx or self.ctxs["a"]
        env = dict(self.env)
        if workspace:
            env["TF_WORKSPACE"] = ctx.workspace or "default"
        mark = self.log_mark()
        t0 = time.monotonic()
        p = subprocess.Popen(["terraform", f"-chdir={ctx.tfdir}", *args, "-no-color"], env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True)
        chunks = []
        reader = threading.Thread(target=lambda: chunks.append(p.stdout.read()), daemon=True)
        reader.start()
        if kill_after and not interrupt:
            interrupt = {"signal": "KILL", "after": kill_after}
        killed = hung = False
        fired = None
        while p.poll() is None:
            if time.monotonic() - t0 > TF_TIMEOUT:
                hung = True
            elif interrupt and not fired and _due(interrupt["after"], self.log_since(mark)):
                fired = interrupt["signal"]
                if fired == "KILL":
                    killed = True
                elif fired == "INT":  # Ctrl-C: the terminal sends it to the foreground process group
                    _signal_group(p.pid, signal.SIGINT)
                elif fired == "KILL_PROVIDER":
                    for pid in _children(p.pid):
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
            if killed or hung:
                _signal_group(p.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        p.wait()
        reader.join(30)
        p.stdout.close()
        calls = self.log_since(mark)
        res = {"args": args, "rc": p.returncode, "out": "".join(chunks), "killed": killed, "hung": hung,
               "interrupted": fired, "readonly": readonly, "calls": calls,
               "seconds": round(time.monotonic() - t0, 2)}
        return res

    def read_state(self, ctx: Ctx = None) -> dict:
        """address -> attributes (and tainted flag) from a context's local state file."""
        try:
            with open((ctx or self.ctxs["a"]).state_path()) as f:
                doc = json.load(f)
        except (OSError, ValueError):
            return {}
        out = {}
        for r in doc.get("resources", []):
            if r.get("mode") != "managed" or r.get("type") != RESOURCE:
                continue
            for inst in r.get("instances") or []:
                if inst.get("deposed"):
                    continue
                k = inst.get("index_key")
                addr = r["name"] + ("" if k is None else f"[{k}]" if isinstance(k, int) else f'["{k}"]')
                out[addr] = dict(inst.get("attributes") or {}, _tainted=inst.get("status") == "tainted")
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
            "ttl_moving": ttl.get("TimeToLiveStatus") in ("ENABLING", "DISABLING"),
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
        return None if t is None else _canon({k: v for k, v in t.items() if k not in ("item_keys", "ttl_moving")})

    # -- the oracle's model
    def facts(self, name, snap: Snapshot, stack=None) -> dict:
        t = snap.tables[name]
        f = {k: t[k] for k in ("keys", "billing", "protection", "pitr", "ttl", "tags")}
        owner = snap.owner(name, prefer=stack)
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

    def retained_by_template(self, name, snap: Snapshot, stack=None) -> bool:
        owner = snap.owner(name, prefer=stack)
        if not owner:
            return False
        st = snap.stacks[owner]
        for lid, res in ((st["template"] or {}).get("Resources") or {}).items():
            if (res.get("Properties") or {}).get("TableName") == name and res.get("DeletionPolicy") == "Retain":
                return True
        return False

    def claims(self, name, states) -> list:
        """(context, address, state attributes) of every record that manages table name
        now: it names the table and the stack it records is the table's live owner
        (or the table is in no stack). A record of a stack that is gone or another
        table's says nothing about this table."""
        if name not in self.snap.tables:
            return []
        owners = {self.snap.stacks[o]["id"] for o in self.snap.owners(name)}
        out = []
        for cname in sorted(states):
            for addr, st in sorted(states[cname].items()):
                if st.get("name") != name:
                    continue
                if owners and st.get("stack_id") not in owners:
                    continue
                out.append((cname, addr, st))
        return out

    def allowed_deletions(self, s: dict, states: dict, ctx: Ctx) -> tuple[set, list]:
        """Tables the step may delete: explicit destroys and replacements (a removed
        resource — an address gone from the configuration without a `moved` block —,
        `terraform destroy`, `-replace`, `terraform taint`, a force-new attribute
        changed against the configuration last applied) of tables whose protection is
        off in state and in AWS and whose retain is off in state and in the deployed
        template (DeletionPolicy), and that no other record — another address of this
        state, or another workspace's or directory's state — manages with protection or
        retain on. The configuration describes the new object of a replacement, not the
        table it replaces, so its protection and retain do not count."""
        state = states[ctx.name]
        cfg = ctx.config()
        moved = dict((a, b) for a, b in ctx.moved)
        intent = {}
        cmd = s["cmd"]
        if cmd == "destroy":
            intent = {addr: "destroy" for addr in state}
        elif cmd in ("apply", "replace", "import-block"):
            for addr, st in state.items():
                to = moved.get(addr, addr)
                if to not in cfg:
                    intent[addr] = "removed from the configuration"
                elif ctx.last_config.get(to) is not None and replaces(ctx.last_config[to], cfg[to]):
                    intent[addr] = "force-new attribute changed"
                elif st.get("_tainted") and addr in ctx.user_tainted:
                    intent[addr] = "tainted by terraform taint"
            target = s.get("addr") or (ctx.addr(s["slot"]) if s.get("slot") else None)
            if cmd == "replace" and target in state:
                intent[target] = "-replace"
        by_name = {}
        for addr, reason in intent.items():
            by_name.setdefault(state[addr].get("name"), []).append((addr, reason))
        allowed, why = set(), []
        for name, reqs in sorted(by_name.items(), key=lambda x: str(x[0])):
            t = self.snap.tables.get(name)
            blockers = []
            for addr, _ in reqs:
                st = state[addr]
                if st.get("deletion_protection_enabled") is not False:
                    blockers.append(f"{addr} protected in state")
                if st.get("retain_on_destroy"):
                    blockers.append(f"{addr} retain_on_destroy in state")
            if t and t["protection"]:
                blockers.append("protected in AWS")
            if t and any(self.retained_by_template(name, self.snap, state[addr].get("stack_name")) for addr, _ in reqs):
                blockers.append("DeletionPolicy Retain deployed")
            for cname, addr, st in self.claims(name, states):
                if cname == ctx.name and addr in intent:
                    continue
                where = f"{addr} in the state of {CTX_LABEL[cname]}"
                if st.get("deletion_protection_enabled") is not False:
                    blockers.append(f"protected by {where}")
                if st.get("retain_on_destroy"):
                    blockers.append(f"retained by {where}")
            reasons = "; ".join(f"{addr}: {reason}" for addr, reason in reqs)
            if blockers:
                why.append(f"{name} ({reasons}), not allowed: {', '.join(blockers)}")
            else:
                allowed.add(name)
                why.append(f"{name} ({reasons}), allowed")
        return allowed, why

    # -- steps
    def run_step(self, i: int, s: dict) -> list[str]:
        """Runs step i and returns the oracle's violations (strings). Sets self.inert
        when the step changed nothing (a first guess for shrinking)."""
        self.inert = False
        self.step_i = i
        self.fired = None   # the interruption that happened in this step (measurements)
        op = s["op"]
        ctx = self.ctx_of(s) if op in CTX_OPS else None
        if op == "add":
            ctx.set_form(s["slot"], None)
            ctx.slots[s["slot"]] = copy.deepcopy(s["knobs"])
            ctx.set_form(s["slot"], s.get("form") or ["res", s["slot"]])
            return []
        if op == "edit":
            if s["slot"] in ctx.slots:
                ctx.slots[s["slot"]][s["knob"]] = copy.deepcopy(s["value"])
            return []
        if op == "remove":
            if s["slot"] in ctx.slots:
                ctx.set_form(s["slot"], None)
                ctx.slots.pop(s["slot"])
            return []
        if op == "move":
            return self.run_move(ctx, s)
        if op == "fork":
            src = self.ctxs[s["from"]]
            ctx.slots, ctx.forms = copy.deepcopy(src.slots), copy.deepcopy(src.forms)
            return []
        if op == "advice":
            return self.run_advice(ctx, s)
        if op == "fault":  # armed for the next terraform step; several add up
            p = self.pending or {"rules": [], "config": {}}
            self.pending = {"rules": p["rules"] + s.get("rules", []), "config": {**p["config"], **s.get("config", {})},
                            "kill_after": s.get("kill_after") or p.get("kill_after"),
                            "interrupt": s.get("interrupt") or p.get("interrupt"),
                            "ttl_slow": s.get("ttl_slow") or p.get("ttl_slow")}
            return []
        if op == "clock":
            self.emu.advance_clock(s["seconds"])
            return self.check(s, allowed=set(), walk_deleted=set())
        if op == "outside":
            return self.run_outside(s)
        if op == "tf":
            return self.run_tf(s)
        raise ValueError(f"unknown step {s}")

    def run_move(self, ctx: Ctx, s):
        """A resource gets another address (a rename, into or out of count/for_each),
        with a `moved` block from the old address when the step says so."""
        slot, to = s["slot"], list(s["to"])
        cur = ctx.form(slot)
        taken = [ctx.form(x) for x in ctx.slots if x != slot]
        if slot not in ctx.slots or to == cur or (to == ["count"] and cur[0] == "count") or to in taken:
            self.say("      skipped: nothing to move")
            self.inert = True
            return []
        old = ctx.addr(slot)
        ctx.set_form(slot, to)
        new = ctx.addr(slot)
        if s.get("moved"):
            if [new, old] in ctx.moved:  # moved back before it was applied: no move at all
                ctx.moved.remove([new, old])
            else:
                ctx.moved.append([old, new])
            ctx.rekey(old, new)
        return []

    def run_advice(self, ctx: Ctx, s):
        """Follows the last refusal's advice of this context literally: runs the
        `terraform untaint ADDR` or `terraform import ADDR ID` it names, or writes the
        `moved` block it asks for. The oracle then checks what follows; an advised
        command that fails right after the refusal is a violation (R3 advice-failed).
        "forget" is what a user stuck on a refusal may do instead: stop managing the
        resource it names here (`terraform state rm`, and remove its block)."""
        item = next((x for x in (ctx.advice or {}).get("items", []) if x["kind"] == s["kind"]), None)
        if item is None:
            self.say(f"      skipped: the last refusal gave no {s['kind']} advice")
            self.inert = True
            return []
        fresh = ctx.advice["i"] == self.step_i - 1
        ctx.followed = {"i": self.step_i, "item": item}
        self.say(f"      advice: {item['text']}")
        if item["kind"] == "moved":
            if [item["from"], item["to"]] not in ctx.moved:
                ctx.moved.append([item["from"], item["to"]])
                ctx.rekey(item["from"], item["to"])
            return []
        if item["kind"] == "forget":
            slot = next((x for x in ctx.slots if ctx.addr(x) == item["addr"]), None)
            v = []
            if item["addr"] in self.read_state(ctx):
                v = self.run_tf({"op": "tf", "ctx": ctx.name, "cmd": "state-rm", "addr": item["addr"]})
            if slot:
                ctx.set_form(slot, None)
                ctx.slots.pop(slot)
            return v
        step = {"op": "tf", "ctx": ctx.name, "cmd": item["kind"], "addr": item["addr"]}
        if item["kind"] == "import":
            step["id"] = item["id"]
        v = self.run_tf(step)
        r = self.last_results[-1] if self.last_results else None
        if fresh and r and r["rc"] != 0 and not r["interrupted"]:
            v.append(f"R3 advice-failed: the refusal of step {ctx.advice['i']} advised `{item['text']}`; done "
                     f"literally it failed:\n{_tail(r['out'], 1500)}")
        return v

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

    def tf_phases(self, s, ctx: Ctx):
        common = ["-input=false", "-lock=false", "-parallelism=1"]
        cmd = s["cmd"]
        key = s.get("addr") or (ctx.addr(s["slot"]) if s.get("slot") else None)
        addr = f"{RESOURCE}.{key}" if key else None
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
        if cmd in ("taint", "untaint"):  # state only: no AWS call
            return [([cmd, "-lock=false", addr], True)]
        raise ValueError(cmd)

    def state_bytes(self, ctx: Ctx):
        try:
            with open(ctx.state_path(), "rb") as f:
                return f.read()
        except OSError:
            return b""

    def run_tf(self, s):
        ctx = self.ctx_of(s)
        self.ready(ctx)
        fault, self.pending = self.pending, None
        states = {c.name: self.read_state(c) for c in self.ctxs.values() if c.ready}
        state = states[ctx.name]
        state_before = self.state_bytes(ctx)
        cmd = s["cmd"]
        key = s.get("addr") or (ctx.addr(s["slot"]) if s.get("slot") else None)
        cfg = ctx.config()
        moved_before = [tuple(m) for m in ctx.moved]
        # Import names tables and stacks: from now on the user manages them.
        if cmd in ("import", "import-block"):
            stack, _, table = s["id"].rpartition("/")
            self.foreign_tables.discard(table)
            self.foreign_snap.pop(("table", table), None)
            if stack and stack in self.snap.stacks and table in {r[1] for r in self.snap.stacks[stack]["resources"]}:
                self.foreign_stacks.discard(stack)
                self.foreign_snap.pop(("stack", stack), None)
            if cmd == "import-block" and key not in state:
                ctx.last_config[key] = None  # imported within this apply
        if cmd in ("apply", "replace", "import-block"):
            for knobs in cfg.values():   # adoption of a table named in the configuration
                name = slot_attrs(knobs)["name"]
                self.foreign_tables.discard(name)
                self.foreign_snap.pop(("table", name), None)
        allowed, why = self.allowed_deletions(s, states, ctx) \
            if cmd in ("apply", "replace", "import-block", "destroy") else (set(), [])
        for w in why:
            self.say(f"      may delete? {w}")
        self.write_config(ctx, import_block=(key, s["id"]) if cmd == "import-block" else None)
        if os.path.exists(os.path.join(ctx.tfdir, PLANFILE)):
            os.remove(os.path.join(ctx.tfdir, PLANFILE))
        if fault:
            if fault.get("rules"):
                self.emu._control("POST", "faults", {"faults": fault["rules"]})
            if fault.get("config"):
                self.emu.set_config(**fault["config"])
        # A TTL change made by this command settles at once (the provider waits up to
        # a minute of real time for ENABLING/DISABLING otherwise) — unless the step asks
        # for slow TTL (fault ttl_slow), or a change made before is still in transition
        # (the emulator compares every transition with the current setting).
        ttl_quick = not (fault or {}).get("ttl_slow") and \
            not any(t.get("ttl_moving") for t in self.snap.tables.values())
        if ttl_quick:
            self.emu.set_config(ttl_transition_seconds=0)
        results = []
        try:
            for args, readonly in self.tf_phases(s, ctx):
                r = self.terraform(args, readonly, ctx=ctx,
                                   kill_after=None if readonly else (fault or {}).get("kill_after"),
                                   interrupt=None if readonly else (fault or {}).get("interrupt"))
                results.append(r)
                self.say(f"      $ terraform {' '.join(args)} -> rc {r['rc']}"
                         f"{' KILLED' if r['killed'] else ''}{' HUNG' if r['hung'] else ''}"
                         f"{' ' + r['interrupted'] if r['interrupted'] and not r['killed'] else ''}"
                         f" ({r['seconds']}s, {sum(1 for c in r['calls'] if c.get('mutating'))} mutating calls)")
                for e in _errors(r["out"])[:3]:
                    self.say(f"        {e}")
                if r["rc"] != 0 and not (args[0] == "plan" and "-detailed-exitcode" in args and r["rc"] == 2):
                    break
        finally:
            if fault:
                self.emu.clear_faults()
                self.emu.set_config(delay_seconds=0, request_delay=0)
            if ttl_quick:
                self.emu.set_config(ttl_transition_seconds=TTL_TRANSITION)
        slowed = (fault or {}).get("config", {}).get("delay_seconds")
        if slowed or any(r["killed"] or r["interrupted"] for r in results):
            # The user waits for what the interrupted (or timed-out) command left
            # running: stacks settle now, not at a time that depends on the machine.
            self.settle_stacks()
        if cmd == "import-block":
            self.write_config(ctx)
        self.last_results = results
        self.fired = next((r["interrupted"] for r in results if r["interrupted"]), None)
        self.inert = not any(r["killed"] or any(c.get("mutating") for c in r["calls"]) for r in results) and \
            self.state_bytes(ctx) == state_before
        violations = mutating_reads(results)
        # R3 (second half): a refused step says why. A provider killed on purpose
        # leaves Terraform saying that its plugin crashed.
        for r in results:
            if r["hung"]:
                violations.append(f"R3 hung: terraform {r['args'][0]} did not finish within {TF_TIMEOUT}s")
            elif r["rc"] not in (0,) and not r["killed"] and r["interrupted"] != "KILL_PROVIDER" \
                    and not (r["rc"] == 2 and "-detailed-exitcode" in r["args"]):
                violations += refusal_violations(r)
        ok = bool(results) and all(r["rc"] == 0 or (r["rc"] == 2 and "-detailed-exitcode" in r["args"])
                                   for r in results) and not any(r["killed"] or r["hung"] or r["interrupted"]
                                                                 for r in results)
        post = self.observe()
        new_state = self.read_state(ctx)
        violations += self.plan_truth(s, results, cfg, state, moved_before, post)
        # The configuration that produced the state (intent for later replacements).
        if cmd in ("apply", "replace", "import-block", "destroy"):
            for addr in list(ctx.last_config):
                if addr not in new_state:
                    ctx.last_config.pop(addr)
            for addr, st in new_state.items():
                if addr in cfg and not st.get("_tainted") and cmd != "destroy":
                    a = slot_attrs(cfg[addr])
                    same = (st.get("name"), st.get("stack_name"), _keys_of_state(st)) == \
                        (a["name"], effective_stack(a, st), _keys_of(a))
                    if same and (ok or ctx.last_config.get(addr, 0) is not None):
                        ctx.last_config[addr] = copy.deepcopy(cfg[addr])
            ctx.user_tainted &= {a for a, st in new_state.items() if st.get("_tainted")}
            if ok and cmd != "destroy":
                ctx.moved = []   # applied: the state has the new addresses
        elif cmd == "state-rm":
            ctx.last_config.pop(key, None)
            ctx.user_tainted.discard(key)
        elif cmd == "import" and ok:
            ctx.last_config[key] = None  # state from an import: no configuration applied yet
        elif cmd == "taint" and ok:
            ctx.user_tainted.add(key)
        elif cmd == "untaint" and ok:
            ctx.user_tainted.discard(key)
        violations += self.note_advice(ctx, s, results, state, cfg)
        if ok and cmd in ("apply", "replace", "import-block"):
            violations += self.check_matches_config(post, ctx)
            r = self.terraform(["plan", "-detailed-exitcode", "-input=false", "-lock=false", "-parallelism=1"],
                               readonly=True, ctx=ctx)
            violations += mutating_reads([r])
            if r["rc"] != 0:
                violations.append(f"R3 plan-not-empty: terraform plan -detailed-exitcode exited {r['rc']} right after a "
                                  f"successful apply:\n{_tail(_plan_summary(r['out']), 2500)}")
            post = self.observe()
        if ok and cmd == "destroy":
            for addr, st in state.items():
                sn = st.get("stack_name")
                if sn in post.stacks and post.stacks[sn]["id"] == st.get("stack_id"):
                    violations.append(f"R3 aws-mismatch: destroy succeeded but stack {sn} of {addr} still exists "
                                      f"({post.stacks[sn]['status']})")
        return violations + self.check(s, allowed=allowed, walk_deleted=set(), post=post, why=why)

    def plan_truth(self, s, results, cfg, state, moved, post) -> list[str]:
        """R6: what the plan said would happen to a table is what the apply did. Every
        configured address the plan neither destroys nor replaces keeps the table it
        names (creating an existing table is taking it over or adopting it: no item is
        touched), even when another address of the same plan destroys that table."""
        if s["cmd"] not in ("apply", "replace", "import-block") or not results:
            return []
        actions = plan_actions(results[0]["out"])
        if actions is None or (s.get("saved") and len(results) < 2):
            return []   # no changes, the plan failed, or its apply never ran
        out, seen = [], set()
        for addr, knobs in sorted(cfg.items()):
            name = slot_attrs(knobs)["name"]
            if name in seen or actions.get(addr) == "will be destroyed":
                continue
            if actions.get(addr) in DELETING:
                # A replacement deletes the table the state has there and creates the
                # configured one: creating a table that exists under another name is
                # taking it over or adopting it, which keeps it.
                prior = next((state[a] for a, b in moved if b == addr and a in state), state.get(addr))
                if prior is None or prior.get("name") == name:
                    continue
            pre = self.snap.tables.get(name)
            if pre is None:
                continue
            now, rec = post.tables.get(name), self.items.get(name)
            if now is None or now["id"] != pre["id"]:
                how = "deleted it" if now is None else "deleted and created it again"
            elif rec and rec["id"] == pre["id"] and rec["keys"] - now["item_keys"]:
                how = f"lost {len(rec['keys'] - now['item_keys'])} of its items"
            else:
                continue
            seen.add(name)
            said = actions.get(addr, "has no change")
            others = [f"{a} {v}" for a, v in sorted(actions.items()) if v in DELETING and a != addr]
            out.append(f"R6 plan-untruthful: the plan said {addr} {said} (configured table {name}, which exists: "
                       f"kept with its items)"
                       + (f" (and: {'; '.join(others)})" if others else "") + f"; the apply {how}")
        return out

    def note_advice(self, ctx: Ctx, s, results, state, cfg) -> list[str]:
        """Keeps the advice of a refusal for a later `advice` step; a refusal that
        gives again the advice just followed is a circle (R3 advice-circle)."""
        failed = [r for r in results if r["rc"] != 0 and not r["interrupted"] and not r["killed"]
                  and not (r["rc"] == 2 and "-detailed-exitcode" in r["args"])]
        if not failed:
            if s["cmd"] in ("apply", "replace", "import-block") and results:
                ctx.advice = None   # nothing refused any more
            return []
        items = parse_advice(failed[-1]["out"], state, cfg)
        ctx.advice = {"i": self.step_i, "items": items}
        f = ctx.followed
        if f and s["cmd"] in ("apply", "replace", "import-block") and f["i"] < self.step_i <= f["i"] + 2 \
                and any(x["text"] == f["item"]["text"] for x in items):
            return [f"R3 advice-circle: step {f['i']} followed the advice `{f['item']['text']}`; the next apply "
                    f"refuses with the same advice:\n{_tail(failed[-1]['out'], 1500)}"]
        return []

    def check_matches_config(self, post: Snapshot, ctx: Ctx = None) -> list[str]:
        """R3: after a successful apply every configured table is as configured."""
        ctx = ctx or self.ctxs["a"]
        out = []
        state = self.read_state(ctx)
        for addr, knobs in ctx.config().items():
            a = slot_attrs(knobs)
            name = a["name"]
            if name not in post.tables:
                out.append(f"R3 aws-mismatch: {addr}: table {name} does not exist after a successful apply")
                continue
            want = {}
            for k in KNOBS:
                want.update(k.expect(a, state.get(addr)))
            have = self.facts(name, post, stack=want.get("stack"))
            diff = {f: (w, have.get(f)) for f, w in want.items() if have.get(f) != w}
            for f, (w, h) in sorted(diff.items()):
                out.append(f"R3 aws-mismatch:{f}: {addr} ({name}): configured {_canon(w)}, AWS has {_canon(h)}")
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
            now = None if t is None else _canon({k: v for k, v in t.items() if k not in ("item_keys", "ttl_moving")})
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


CTX_LABEL = {"a": "directory A", "w": "workspace staging", "b": "directory B", "c": "directory C"}

# How Terraform 1.11's plan names what happens to a resource instance ("# ADDR ...").
DELETING = ("will be destroyed", "must be replaced", "will be replaced, as requested",
            "is tainted, so must be replaced", "will be replaced due to changes")
_PLAN_LINE = re.compile(r"^\s*# " + re.escape(RESOURCE) + r"\.(\S+) ("
                        + "|".join(re.escape(x) for x in DELETING + ("will be created", "will be updated in-place",
                                                                   "will be imported")) + r"|has moved to \S+)")


def plan_actions(out: str):
    """address -> what the plan printed in out says happens to it; None when out has
    no plan with changes (no "Plan:" line: no changes, or the plan failed)."""
    lines = out.splitlines()
    end = next((i for i, ln in enumerate(lines) if ln.startswith("Plan: ")), None)
    if end is None:
        return None
    acts = {}
    for ln in lines[:end]:
        m = _PLAN_LINE.match(ln)
        if m:
            acts[m.group(1)] = m.group(2)
    return acts


def _diagnostics(out: str) -> list[dict]:
    """Terraform's error diagnostics: summary, the text joined into one line (Terraform
    wraps it), and the address it is about ("with ADDR,")."""
    found, cur = [], None
    for ln in out.splitlines():
        t = ln.strip().strip("│╷╵").strip()
        if t.startswith(("Error: ", "Warning: ")):
            cur = {"summary": t, "addr": None, "lines": []} if t.startswith("Error: ") else None
            if cur:
                found.append(cur)
            continue
        if cur is None:
            continue
        m = re.match(r"with (\S+),$", t)
        if m and cur["addr"] is None:
            cur["addr"] = m.group(1)
        elif t and not re.match(r"on \S+ line \d+", t) and not re.match(r"\d+: ", t):
            cur["lines"].append(t)
    for d in found:
        d["text"] = " ".join([d["summary"]] + d.pop("lines"))
    return found


def _strip_addr(a: str, fallback):
    a = a.strip(".,;:)('\"`")
    if "<" in a or a.upper() in ("ADDR", "ADDRESS"):
        a = fallback or ""
    prefix = RESOURCE + "."
    return a[len(prefix):] if a.startswith(prefix) else None


def parse_advice(out: str, state: dict, cfg: dict) -> list[dict]:
    """What the error diagnostics of out tell the user to run: `terraform untaint ADDR`,
    `terraform import ADDR ID` (a placeholder address is the diagnostic's own), or a
    `moved` block (its addresses when it names them; else the address the
    configuration no longer has and the one it has instead, naming the same table)."""
    items = []
    for d in _diagnostics(out):
        text = d["text"].replace("`", " ")
        for m in re.finditer(r"terraform untaint (\S+)", text):
            a = _strip_addr(m.group(1), d["addr"])
            if a:
                items.append({"kind": "untaint", "addr": a, "text": f"terraform untaint {RESOURCE}.{a}"})
        for m in re.finditer(r"terraform import (\S+) (\S+)", text):
            a, i = _strip_addr(m.group(1), d["addr"]), m.group(2).strip(".,;:)('\"`")
            if a and i:
                items.append({"kind": "import", "addr": a, "id": i, "text": f"terraform import {RESOURCE}.{a} {i}"})
        m = re.search(r"moved\s*\{\s*from\s*=\s*(\S+)\s+to\s*=\s*(\S+?)\s*\}", text)
        pairs = []
        if m:
            pairs = [(_strip_addr(m.group(1), None), _strip_addr(m.group(2), None))]
        elif re.search(r"\bmoved\b", text):
            gone = [a for a in state if a not in cfg]
            new = [a for a in cfg if a not in state]
            pairs = [(x, y) for x in gone for y in new if state[x].get("name") == slot_attrs(cfg[y])["name"]]
        for x, y in pairs[:1]:
            if x and y:
                items.append({"kind": "moved", "from": x, "to": y,
                              "text": f"moved {{ from = {RESOURCE}.{x}  to = {RESOURCE}.{y} }}"})
        a = _strip_addr(d["addr"] or "", None)
        if a:  # what a user stuck on this refusal may do: stop managing that resource here
            items.append({"kind": "forget", "addr": a,
                          "text": f"terraform state rm {RESOURCE}.{a}, and remove its block"})
    return items


def _due(after, calls) -> bool:
    """Whether the emulator has answered the point an interrupt waits for: an
    operation's name, or the Nth mutating call."""
    if isinstance(after, str):
        return any(c.get("operation") == after for c in calls)
    return sum(1 for c in calls if c.get("mutating")) >= after


def _signal_group(pid, sig):
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


def _children(pid) -> list[int]:
    """The provider processes terraform (pid) started."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid and "terraform-provider" in os.readlink(f"/proc/{d}/exe"):
                out.append(int(d))
        except (OSError, ValueError, IndexError):
            continue
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


def step_kind(steps, i) -> str:
    """What kind of step steps[i] is, for the measurements of --stats: the op, the
    context when it is not the first, the terraform command and the interruption armed
    for it."""
    s = steps[i]
    op = s["op"]
    where = {"w": "workspace ", "b": "directory-B ", "c": "directory-C "}.get(s.get("ctx", "a"), "") \
        if op in CTX_OPS else ""
    if op == "tf":
        tags = []
        for j in range(i - 1, -1, -1):
            f = steps[j]
            if f["op"] == "tf":
                break
            if f["op"] == "fault":
                tags.append({"interrupt": lambda: (f.get("interrupt") or {}).get("signal", "?"), "kill": lambda: "KILL",
                             "deadline": lambda: "deadline"}.get(f["kind"], lambda: "fault")())
        interrupt = [t for t in tags if t != "fault"]
        return f"{where}tf {s['cmd']}" + (f" +{interrupt[0]}" if interrupt else " +fault" if tags else "")
    if op == "move":
        return f"{where}move " + ("with moved" if s.get("moved") else "without moved")
    if op in ("advice", "outside", "fault"):
        return f"{where}{op} {s['kind']}"
    return where + op


class Runner:
    def __init__(self, build: str, work: str, quiet: bool = False, ignore=(), keep_going=False):
        self.work = work
        self.quiet = quiet
        self.ignore = tuple(ignore)  # signatures (prefixes) to walk past: exploring behind a known bug
        self.keep_going = keep_going  # measuring: record every violation, walk on
        self.found = []               # (index, violations) of every violating step (keep_going)
        self.stats = {}               # step kind -> [steps run, steps with a violation]
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
            kind = step_kind(steps, i) + (" (skipped)" if w.inert and s["op"] == "advice" else "") \
                + (f" ({w.fired} fired)" if w.fired else "")
            st = self.stats.setdefault(kind, [0, 0])
            st[0] += 1
            st[1] += bool(v)
            if v:
                for x in v:
                    self.say("      VIOLATION " + x.replace("\n", "\n        "))
                if self.keep_going:
                    self.found.append((i, v))
                    continue
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
    ap.add_argument("--keep-going", action="store_true",
                    help="measuring: record every violating step and walk on (no shrinking); with --stats")
    ap.add_argument("--stats", metavar="FILE", help="write steps run and violations per step kind (JSON)")
    ap.add_argument("--upto", type=int, metavar="N", help="only the steps up to index N")
    ap.add_argument("--sig", metavar="SIGNATURE", help="shrink for this signature (default: the first violation's)")
    a = ap.parse_args(argv)

    if a.replay:
        with open(a.replay) as f:
            doc = json.load(f)
        seed, settings, steps = doc.get("seed"), doc.get("settings", {}), doc["steps"]
        if doc.get("why"):  # a committed reproduction (tests/safety/repros/)
            print(f"walk: {doc.get('name')}: {doc['why']} (found as: {doc.get('expect')})", flush=True)
        if doc.get("pending"):
            print(f"walk: pending (fails until its fix lands): {doc['pending']}", flush=True)
    else:
        seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1_000_000_007
        settings, steps = settings_for(seed), generate(seed, a.steps)
    if a.upto is not None:
        steps = steps[:a.upto + 1]
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
    runner = Runner(a.build, work, quiet=a.quiet, ignore=a.ignore, keep_going=a.keep_going)
    try:
        index, violations = runner.run(settings, steps, "walk")
        took = time.monotonic() - t0
        if a.stats:
            with open(a.stats, "w") as f:
                json.dump({"seed": seed, "settings": settings, "steps": steps, "seconds": round(took),
                           "stats": runner.stats,
                           "found": [{"step": i, "signatures": sorted({signature(x) for x in v}), "violations": v}
                                     for i, v in runner.found]}, f, indent=1, sort_keys=True)
        if a.keep_going:
            for i, v in runner.found:
                print(f"walk: seed {seed}: step {i} ({describe(steps[i])}): "
                      + ", ".join(sorted({signature(x) for x in v})), flush=True)
            print(f"walk: seed {seed}: {len(steps)} steps, {len(runner.found)} with a violation ({took:.0f}s)",
                  flush=True)
            return 1 if runner.found else 0
        if index is None:
            print(f"walk: seed {seed}: {len(steps)} steps, no violation ({took:.0f}s)", flush=True)
            return 0
        print(f"walk: seed {seed}: violation at step {index} after {took:.0f}s", flush=True)
        minimal, tries, t1 = None, 0, time.monotonic()
        if a.shrink_seconds > 0:
            minimal, tries = runner.shrink(settings, steps[:index + 1], a.sig or signature(violations[0]),
                                           a.shrink_seconds,
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
