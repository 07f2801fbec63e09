"""Shared helpers for the emulator tests (not a test module itself)."""
from __future__ import annotations

import json
import time
import unittest
import uuid

from emulator import Emulator


def table_props(name: str | None, hash_key: str = "pk", range_key: str | None = None,
                **extra) -> dict:
    ks = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    ad = [{"AttributeName": hash_key, "AttributeType": "S"}]
    if range_key:
        ks.append({"AttributeName": range_key, "KeyType": "RANGE"})
        ad.append({"AttributeName": range_key, "AttributeType": "N"})
    p = {"KeySchema": ks, "AttributeDefinitions": ad, "BillingMode": "PAY_PER_REQUEST"}
    if name:
        p["TableName"] = name
    p.update(extra)
    return p


def table_template(name: str | None, deletion_policy: str | None = None, outputs: dict | None = None,
                   logical_id: str = "Table", **extra) -> str:
    res: dict = {"Type": "AWS::DynamoDB::Table", "Properties": table_props(name, **extra)}
    if deletion_policy:
        res["DeletionPolicy"] = deletion_policy
    tpl: dict = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {logical_id: res}}
    if outputs:
        tpl["Outputs"] = outputs
    return json.dumps(tpl)


def uniq(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class EmulatorTestCase(unittest.TestCase):
    delay_seconds = 0.0
    extra_args: list[str] = []
    no_auth = False

    @classmethod
    def setUpClass(cls) -> None:
        cls.emu = Emulator(delay_seconds=cls.delay_seconds, extra_args=cls.extra_args,
                           no_auth=cls.no_auth)
        cls.emu.start()
        cls.cfn = cls.emu.client("cloudformation")
        cls.ddb = cls.emu.client("dynamodb")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.emu.__exit__(None, None, None)

    # ---- helpers
    def wait_stack(self, name: str, timeout: float = 30.0) -> dict:
        deadline = time.time() + timeout
        while True:
            s = self.cfn.describe_stacks(StackName=name)["Stacks"][0]
            if not s["StackStatus"].endswith("_IN_PROGRESS") or s["StackStatus"] == "REVIEW_IN_PROGRESS":
                return s
            if time.time() > deadline:
                self.fail(f"stack {name} still {s['StackStatus']}")
            time.sleep(0.1)

    def wait_change_set(self, stack: str, cs: str, timeout: float = 30.0) -> dict:
        deadline = time.time() + timeout
        while True:
            d = self.cfn.describe_change_set(StackName=stack, ChangeSetName=cs)
            if d["Status"] in ("CREATE_COMPLETE", "FAILED"):
                return d
            if time.time() > deadline:
                self.fail(f"change set {cs} still {d['Status']}")
            time.sleep(0.1)

    def deploy(self, stack: str, template: str, cs_type: str = "CREATE", expect: str | None = None,
               **kw) -> dict:
        name = uniq("cs")
        self.cfn.create_change_set(StackName=stack, ChangeSetName=name, ChangeSetType=cs_type,
                                   TemplateBody=template, **kw)
        d = self.wait_change_set(stack, name)
        self.assertEqual(d["Status"], "CREATE_COMPLETE", d.get("StatusReason"))
        self.cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        s = self.wait_stack(stack)
        if expect:
            self.assertEqual(s["StackStatus"], expect, self.reasons(stack))
        return s

    def reasons(self, stack: str) -> list[tuple]:
        evs = self.cfn.describe_stack_events(StackName=stack)["StackEvents"]
        return [(e["LogicalResourceId"], e["ResourceStatus"], e.get("ResourceStatusReason"))
                for e in evs]

    def put_items(self, table: str, n: int = 5) -> list[dict]:
        items = [{"pk": {"S": f"k{i}"}, "v": {"N": str(i)}, "expires_at": {"N": "1700000000"}}
                 for i in range(n)]
        for it in items:
            self.ddb.put_item(TableName=table, Item=it)
        return items

    def scan(self, table: str) -> list[dict]:
        return sorted(self.ddb.scan(TableName=table)["Items"], key=lambda x: x["pk"]["S"])

    def create_table(self, name: str, wait: bool = True, **kw) -> None:
        """CreateTable, then (wait) until the table is ACTIVE: it is CREATING for the
        emulator's --table-seconds, as on AWS."""
        self.ddb.create_table(TableName=name, BillingMode=kw.pop("BillingMode", "PAY_PER_REQUEST"),
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=kw.pop("AttributeDefinitions", [
                                  {"AttributeName": "pk", "AttributeType": "S"}]),
                              **kw)
        if wait:
            self.wait_active(name)

    def wait_active(self, name: str, timeout: float = 30.0) -> dict:
        """DescribeTable until the table and its indexes are ACTIVE (polled, not slept)."""
        deadline = time.time() + timeout
        while True:
            t = self.ddb.describe_table(TableName=name)["Table"]
            if t["TableStatus"] == "ACTIVE" and all(
                    g.get("IndexStatus") == "ACTIVE" for g in t.get("GlobalSecondaryIndexes") or []):
                return t
            if time.time() > deadline:
                self.fail(f"table {name} still {t['TableStatus']}")
            time.sleep(0.05)
