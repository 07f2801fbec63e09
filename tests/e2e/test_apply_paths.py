"""End to end (issue 5): plan and apply through CloudFormation with the real terraform
CLI against the emulator: fresh, normal (in-place updates) and import paths, replacement
plans, drift, failures and timeouts."""
import json
import unittest

from harness import E2ETestCase, mutating

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  name       = "%(name)s"
  hash_key   = { name = "id", type = "S" }
  %(extra)s
}
'''


def table(name, extra=""):
    return TABLE % {"name": name, "extra": extra}


class ApplyPaths(E2ETestCase):

    def test_fresh_create_then_empty_plan(self):
        src = open(__import__("os").path.join(__import__("harness").ROOT, "examples/registration-keys/main.tf")).read()
        d = self.workdir("fresh", "")
        with open(d + "/main.tf", "w") as f:
            f.write(src)
        env = dict(self.env, TF_VAR_endpoint=self.emu.endpoint)
        self.tf(d, "init", "-input=false", env=env, check=0)
        self.tf(d, "apply", "-auto-approve", "-input=false", env=env, check=0)
        self.assertEqual(self.stack_status("firefly-dynamodb-registration-keys"), "CREATE_COMPLETE")
        out = json.loads(self.tf(d, "output", "-json", env=env, check=0).out)
        # right after the apply AWS may still say ENABLING (the emulator does for 3 s of its clock)
        self.assertIn(out["ttl_status"]["value"], ("ENABLING", "ENABLED"))
        self.wait_emulated(5)
        ttl = self.ttl("firefly-registration-keys")
        self.assertEqual(ttl["TimeToLiveStatus"], "ENABLED")
        self.assertEqual(ttl["AttributeName"], "expires_at")
        desc = self.ddb.describe_table(TableName="firefly-registration-keys")["Table"]
        self.assertTrue(desc["DeletionProtectionEnabled"])
        outs = {o["OutputKey"]: o for o in self.cfn.describe_stacks(
            StackName="firefly-dynamodb-registration-keys")["Stacks"][0].get("Outputs", [])}
        self.assertIn("TableArn", outs)
        self.assertIn("TableName", outs)
        out = json.loads(self.tf(d, "output", "-json", env=env, check=0).out)
        self.assertTrue(out["table_arn"]["value"].startswith("arn:aws:dynamodb:"))
        self.assertTrue(out["stack_id"]["value"].startswith("arn:aws:cloudformation:"))
        r = self.tf(d, "plan", "-input=false", "-detailed-exitcode", env=env)
        self.assertEqual(r.rc, 0, r.text)

    def test_inplace_updates_keep_items(self):
        name = "inplace-items"
        d = self.workdir("inplace", table(name, 'ttl = { attribute_name = "expires_at" }\n'
                                                 '  deletion_protection_enabled = false'))
        self.init(d)
        self.apply(d)
        self.put_items(name, 25)
        before = self.items(name)
        steps = [
            ('ttl = { attribute_name = "expires_at", enabled = false }\n  deletion_protection_enabled = false',
             lambda: self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "DISABLED")),
            ('ttl = { attribute_name = "expires_at", enabled = false }\n  deletion_protection_enabled = false\n'
             '  billing_mode = "PROVISIONED"\n  read_capacity = 3\n  write_capacity = 4',
             lambda: self.assertEqual(self.ddb.describe_table(TableName=name)["Table"]
                                      ["ProvisionedThroughput"]["ReadCapacityUnits"], 3)),
            ('ttl = { attribute_name = "expires_at", enabled = false }\n  deletion_protection_enabled = true\n'
             '  point_in_time_recovery = true\n  tags = { team = "data" }',
             lambda: self.assertTrue(self.ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"])),
            ('ttl = { attribute_name = "valid_until", enabled = true }\n  deletion_protection_enabled = false',
             lambda: self.assertEqual(self.ttl(name).get("AttributeName"), "valid_until")),
        ]
        for body, check in steps:
            self.write(d, table(name, body))
            self.wait_emulated()  # DynamoDB: one TTL change per table per hour
            off = self.emu.log_offset()
            r = self.apply(d)
            self.assertNotIn("must be replaced", r.text)
            self.wait_emulated(5)  # ENABLING/DISABLING settle
            check()
            self.assertEqual(self.items(name), before, "items changed by an in-place update")
            ops = [c["operation"] for c in self.emu.calls(off)]
            self.assertNotIn("DeleteTable", ops)
            self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_adopt_existing_table_with_items(self):
        # An acceptance scenario (tests/e2e/acceptance.list): target-neutral, names of this run.
        name = self.n("legacy-sessions")
        self.create_table(name, key="id")
        self.put_items(name, 40)
        before = self.items(name)
        d = self.workdir("adopt", table(name, 'ttl = { attribute_name = "expires_at" }\n'
                                              '  tags = { app = "firefly" }'))
        self.init(d)
        off = self.emu.log_offset()
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Existing table will be adopted into a stack", plan.text)
        if self.has_request_log:
            self.assertEqual(mutating(self.emu.calls(off)), [], "plan made a mutating call")
        off = self.emu.log_offset()
        self.apply(d)
        if self.has_request_log:
            calls = self.emu.calls(off)
            cs = [c for c in calls if c.get("operation") == "CreateChangeSet"]
            types = [str(c.get("params", c).get("ChangeSetType", "")) for c in cs]
            self.assertIn("IMPORT", types, json.dumps(cs))
            self.assertIn("UPDATE", types, json.dumps(cs))
            self.assertNotIn("CreateTable", [c["operation"] for c in calls])
        self.assertEqual(self.items(name), before)
        self.assertIn(self.stack_status(name), ("UPDATE_COMPLETE", "IMPORT_COMPLETE"))
        self.wait_ttl(name, "ENABLED")
        res = self.cfn.describe_stack_resources(PhysicalResourceId=name)["StackResources"]
        self.assertEqual(res[0]["StackName"], name)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_create_with_features_then_update_and_ttl_change(self):
        # An acceptance scenario (tests/e2e/acceptance.list): a table created with a range
        # key, an index, a stream, recovery and tags; then in place: TTL switched on (a
        # table's first TTL change, which DynamoDB takes at once: docs/aws-behaviour.md),
        # tags and protection changed; every item kept and the next plan empty each time.
        name = self.n("features")
        body = '''
resource "dynamodb_ttl_table" "t" {
  name      = "%(name)s"
  hash_key  = { name = "pk", type = "S" }
  range_key = { name = "sk", type = "N" }
  stream    = { view_type = "NEW_AND_OLD_IMAGES" }
  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" }, projection_type = "KEYS_ONLY" },
  ]
  point_in_time_recovery      = true
  deletion_protection_enabled = %(protect)s
  tags                        = %(tags)s
  %(ttl)s
}
'''
        conf = dict(name=name, protect="false", tags='{ app = "firefly" }', ttl="")
        d = self.workdir("features", body % conf)
        self.init(d)
        self.apply(d)
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by_status"])
        self.assertEqual(t["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        stream_arn = t["LatestStreamArn"]
        for i in range(10):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": f"p{i}"}, "sk": {"N": str(i)},
                                                    "status": {"S": "open"}, "expires_at": {"N": "4102444800"}})
        before = self.items(name)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "DISABLED")
        conf.update(protect="true", tags='{ app = "firefly", team = "orders" }',
                    ttl='ttl = { attribute_name = "expires_at" }')
        self.write(d, body % conf)
        self.apply(d)
        self.assertEqual(self.wait_ttl(name, "ENABLED")["AttributeName"], "expires_at")
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(t["LatestStreamArn"], stream_arn, "the stream was replaced")
        tags = self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
        self.assertEqual({x["Key"]: x["Value"] for x in tags if not x["Key"].startswith("aws:")},
                         {"app": "firefly", "team": "orders"})
        self.assertEqual(self.items(name), before)
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 0, r.text)
        # Protection off again, then destroyed: table and stack gone.
        conf.update(protect="false")
        self.write(d, body % conf)
        self.apply(d)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))
        self.assertIsNone(self.stack_status(name))

    def test_existing_table_with_other_keys_fails_at_plan(self):
        name = "other-keys"
        self.create_table(name, key="pk", key_type="N")
        d = self.workdir("otherkeys", table(name))
        self.init(d)
        off = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("Existing table has a different key schema", r.text)
        self.assertEqual(mutating(self.emu.calls(off)), [])

    def test_key_change_plans_replacement(self):
        name = "replace-me"
        d = self.workdir("replace", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        self.write(d, table(name, "deletion_protection_enabled = false").replace('type = "S"', 'type = "N"'))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("must be replaced", r.text)
        self.assertIn("forces replacement", r.text)

    def test_drift_table_deleted_and_ttl_changed(self):
        name = "drifty"
        d = self.workdir("drift", table(name, 'ttl = { attribute_name = "expires_at" }\n'
                                              '  deletion_protection_enabled = false'))
        self.init(d)
        self.apply(d)
        # TTL switched off outside Terraform (an hour later): the next plan shows the diff.
        self.wait_emulated()
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "expires_at",
                                                                              "Enabled": False})
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("enabled", r.text)
        self.assertIn("update in-place", r.text)
        # Stack and table deleted outside Terraform: the next plan creates it again.
        self.cfn.delete_stack(StackName=name)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=name, WaiterConfig={"Delay": 1})
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("will be created", r.text)

    def test_ttl_error_from_dynamodb_is_explained(self):
        name = "ttl-explained"
        d = self.workdir("ttlexplained", table(name, 'ttl = { attribute_name = "a", enabled = false }\n'
                                                     '  deletion_protection_enabled = false'))
        self.init(d)
        self.apply(d)
        # Someone enables TTL on "a" outside Terraform; without a refresh the plan believes it is off.
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "a", "Enabled": True})
        self.wait_emulated()  # an hour later: else DynamoDB answers "modified multiple times" first
        self.write(d, table(name, 'ttl = { attribute_name = "b", enabled = true }\n  deletion_protection_enabled = false'))
        r = self.apply(d, "-refresh=false", check=1)
        self.assertIn("Rename it in two steps", r.text)
        self.assertIn("different AttributeName", r.text)
        # The state records what exists: TTL still on "a".
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertEqual(st["ttl"]["attribute_name"], "a")

    def test_table_deleted_outside_is_recreated(self):
        name = "table-gone"
        d = self.workdir("tablegone", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        self.ddb.delete_table(TableName=name)  # the stack stays, owning nothing
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("will be created", r.text)
        self.apply(d)
        self.assertTrue(self.table_exists(name))
        self.assertEqual(self.plan_exitcode(d).rc, 0)


if __name__ == "__main__":
    unittest.main()
