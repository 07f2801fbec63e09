"""End to end (issue 25): the data source dynamodb_ttl_table reads a table this
configuration manages (in its stack: stack_name and stack_id set) and one nothing manages
(made with boto3: both null), with its keys, TTL, indexes, stream, class, protection and
tags; a second plan is empty; a missing table is an error naming it; an invalid name is
refused at validate; and the same read over plugin protocol 5."""
import json
import os
import unittest

from harness import EXTERNAL, E2ETestCase, mutating

CONFIG = '''
resource "dynamodb_ttl_table" "managed" {
  name       = "%(prefix)sds-managed"
  stack_name = "%(prefix)sds-managed-stack"
  hash_key   = { name = "pk", type = "S" }
  range_key  = { name = "sk", type = "N" }
  ttl        = { attribute_name = "expires_at" }
  stream     = { view_type = "NEW_IMAGE" }

  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" }, projection_type = "KEYS_ONLY" },
  ]

  deletion_protection_enabled = false
  tags                        = { app = "firefly" }
}

data "dynamodb_ttl_table" "managed" {
  name = dynamodb_ttl_table.managed.name
}

data "dynamodb_ttl_table" "unmanaged" {
  name = "%(prefix)sds-unmanaged"
}

output "managed" {
  value = data.dynamodb_ttl_table.managed
}

output "unmanaged" {
  value = data.dynamodb_ttl_table.unmanaged
}
'''

UNMANAGED_ONLY = '''
data "dynamodb_ttl_table" "unmanaged" {
  name = "%(prefix)sds-unmanaged"
}

output "unmanaged" {
  value = data.dynamodb_ttl_table.unmanaged
}
'''


class DataSource(E2ETestCase):
    """test_managed_and_unmanaged is an acceptance scenario (tests/e2e/acceptance.list).
    Against an account (acceptance mode) the unmanaged table is PAY_PER_REQUEST like every
    table of that run (docs/testing.md); here it is PROVISIONED, to read capacities."""

    PROVISIONED = not EXTERNAL

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.unmanaged = cls.prefix + "ds-unmanaged"
        billing = ({"BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 2}}
                   if cls.PROVISIONED else {"BillingMode": "PAY_PER_REQUEST"})
        cls.ddb.create_table(
            TableName=cls.unmanaged, **billing,
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "B"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}], DeletionProtectionEnabled=True,
            Tags=[{"Key": "owner", "Value": "script"}])
        if EXTERNAL:  # no clock to move against an account: DynamoDB's own waiter
            cls.ddb.get_waiter("table_exists").wait(TableName=cls.unmanaged, WaiterConfig={"Delay": 2})
        else:
            cls.emu.advance_clock(10)  # CREATING -> ACTIVE (the emulator's --table-seconds)
        cls.ddb.update_time_to_live(TableName=cls.unmanaged,
                                    TimeToLiveSpecification={"AttributeName": "gone_at", "Enabled": True})

    def config(self, text):
        return text % {"prefix": self.prefix}

    def check_unmanaged(self, u):
        t = self.ddb.describe_table(TableName=self.unmanaged)["Table"]
        self.assertEqual(u["name"], self.unmanaged)
        self.assertEqual(u["id"], self.unmanaged)
        self.assertEqual(u["arn"], t["TableArn"])
        self.assertIsNone(u["stack_name"])
        self.assertIsNone(u["stack_id"])
        self.assertEqual(u["hash_key"], {"name": "id", "type": "B"})
        self.assertIsNone(u["range_key"])
        if self.PROVISIONED:
            self.assertEqual(u["billing_mode"], "PROVISIONED")
            self.assertEqual((u["read_capacity"], u["write_capacity"]), (3, 2))
        else:
            self.assertEqual(u["billing_mode"], "PAY_PER_REQUEST")
            self.assertEqual((u["read_capacity"], u["write_capacity"]), (None, None))
        self.assertEqual(u["ttl"], {"attribute_name": "gone_at", "enabled": True})
        self.assertEqual(u["ttl_status"], "ENABLED")
        self.assertTrue(u["deletion_protection_enabled"])
        self.assertEqual(u["tags"], {"owner": "script"})
        self.assertEqual(u["table_class"], "STANDARD")
        self.assertIsNone(u["stream"])
        self.assertIsNone(u["stream_arn"])
        self.assertIsNone(u["global_secondary_indexes"])
        self.assertFalse(u["point_in_time_recovery"])

    def test_managed_and_unmanaged(self):
        self.wait_ttl(self.unmanaged, "ENABLED")
        d = self.workdir("ds", self.config(CONFIG))
        self.init(d)
        mark = self.emu.log_offset()
        self.apply(d)
        self.wait_ttl(self.n("ds-managed"), "ENABLED")
        out = self.outputs(d)
        m, u = out["managed"]["value"], out["unmanaged"]["value"]
        stack = self.cfn.describe_stacks(StackName=self.n("ds-managed-stack"))["Stacks"][0]
        t = self.ddb.describe_table(TableName=self.n("ds-managed"))["Table"]
        self.assertEqual(m["stack_name"], self.n("ds-managed-stack"))
        self.assertEqual(m["stack_id"], stack["StackId"])
        self.assertEqual(m["arn"], t["TableArn"])
        self.assertEqual(m["hash_key"], {"name": "pk", "type": "S"})
        self.assertEqual(m["range_key"], {"name": "sk", "type": "N"})
        self.assertEqual(m["billing_mode"], "PAY_PER_REQUEST")
        self.assertIsNone(m["read_capacity"])
        self.assertEqual(m["ttl"]["attribute_name"], "expires_at")
        self.assertEqual(m["stream"], {"view_type": "NEW_IMAGE"})
        self.assertEqual(m["stream_arn"], t["LatestStreamArn"])
        self.assertEqual(m["global_secondary_indexes"], [{
            "name": "by_status", "hash_key": {"name": "status", "type": "S"}, "range_key": None,
            "projection_type": "KEYS_ONLY", "non_key_attributes": None, "read_capacity": None,
            "write_capacity": None}])
        self.assertIsNone(m["local_secondary_indexes"])
        self.assertFalse(m["deletion_protection_enabled"])
        self.assertEqual(m["tags"], {"app": "firefly"})
        self.assertEqual(m["table_class"], "STANDARD")
        self.assertIsNone(m["server_side_encryption"])
        self.check_unmanaged(u)
        # Reading writes nothing: the only changes are the managed table's stack and its
        # settings.
        if self.has_request_log:
            touched = {c.get("params", {}).get("TableName") for c in mutating(self.emu.calls(mark))}
            self.assertNotIn(self.unmanaged, touched)
        p = self.plan_exitcode(d)
        self.assertEqual(p.rc, 0, p.text)

    def test_missing_table_and_bad_name(self):
        d = self.workdir("ds-missing", 'data "dynamodb_ttl_table" "x" {\n  name = "ds-nowhere"\n}\n')
        self.init(d)
        r = self.tf(d, "plan", "-input=false")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Table not found", r.text)
        self.assertIn('DynamoDB table "ds-nowhere" does not exist in this account and region.', r.text)
        self.write(d, 'data "dynamodb_ttl_table" "x" {\n  name = "a/b"\n}\n')
        r = self.tf(d, "validate")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Invalid table name", r.text)
        self.assertIn('got "a/b"', r.text)

    def test_protocol_5(self):
        self.wait_ttl(self.unmanaged, "ENABLED")
        d = self.workdir("ds-v5", self.config(UNMANAGED_ONLY))
        env = dict(self.env, TPD_PLUGIN_MAX_PROTOCOL="5")
        self.tf(d, "init", "-input=false", env=env, check=0)
        self.tf(d, "apply", "-auto-approve", "-input=false", env=env, check=0)
        with open(os.path.join(self.work, "terraform-trace.log")) as f:
            self.assertIn("/tfplugin5.Provider/ReadDataSource", f.read())
        out = self.tf(d, "output", "-json", env=env, check=0)
        self.check_unmanaged(json.loads(out.out)["unmanaged"]["value"])


if __name__ == "__main__":
    unittest.main()
