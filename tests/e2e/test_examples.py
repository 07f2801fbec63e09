"""End to end: the examples of examples/ as a user runs them (scripts/run-example.sh does
the same by hand), against the emulator, each ending with an empty plan (orders-with-indexes:
a table with global and local secondary indexes, a stream, KMS encryption and the
infrequent-access class; migrate-from-aws-provider: a table of hashicorp/aws 5.100.0 handed
over with a `moved` block, every item kept). The
adopt-existing example exercises the import-then-own-stack flow: a table made outside
Terraform, imported, then adopted into a stack of the configuration's own name in place,
with every item still there."""
import os
import shutil
import unittest

from harness import ROOT, E2ETestCase


class Examples(E2ETestCase):
    split_tests = True  # one CTest test per example (list_tests.py)
    peer_logs_masked_auth = True  # migrate-from-aws-provider runs hashicorp/aws

    def run_example(self, name, **tf_vars):
        d = self.workdir("ex-" + name, "")
        os.remove(os.path.join(d, "main.tf"))
        for f in os.listdir(os.path.join(ROOT, "examples", name)):
            if f.endswith(".tf"):
                shutil.copy(os.path.join(ROOT, "examples", name, f), d)
        env = dict(self.env, TF_VAR_endpoint=self.emu.endpoint,
                   **{"TF_VAR_" + k: v for k, v in tf_vars.items()})
        self.tf(d, "init", "-input=false", env=env, check=0)
        r = self.tf(d, "apply", "-auto-approve", "-input=false", env=env, check=0)
        self.wait_emulated(10)  # TTL ENABLING -> ENABLED, as a user sees it a moment later
        p = self.tf(d, "plan", "-input=false", "-detailed-exitcode", env=env)
        self.assertEqual(p.rc, 0, p.text)
        return r

    def test_registration_keys(self):
        self.run_example("registration-keys")
        self.assertEqual(self.stack_status("firefly-dynamodb-registration-keys"), "CREATE_COMPLETE")

    def test_processing_results(self):
        self.run_example("processing-results")

    def test_orders_with_indexes(self):
        self.run_example("orders-with-indexes")
        t = self.ddb.describe_table(TableName="firefly-orders")["Table"]
        self.assertEqual(sorted(g["IndexName"] for g in t["GlobalSecondaryIndexes"]), ["by_order_id", "by_status"])
        self.assertEqual([x["IndexName"] for x in t["LocalSecondaryIndexes"]], ["by_created_at"])
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertEqual(t["SSEDescription"]["SSEType"], "KMS")
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        outputs = self.outputs(os.path.join(self.work, "ex-orders-with-indexes"))
        self.assertEqual(outputs["stream_arn"]["value"], t["LatestStreamArn"])

    def test_adopt_existing(self):
        self.ddb.create_table(TableName="firefly-legacy-sessions", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}])
        self.wait_active("firefly-legacy-sessions")
        for i in range(5):
            self.ddb.put_item(TableName="firefly-legacy-sessions",
                              Item={"session_id": {"S": "session-%d" % i}, "expires_at": {"N": str(4102444800 + i)}})
        before = self.items("firefly-legacy-sessions")
        r = self.run_example("adopt-existing")
        self.assertIn("Existing table will be adopted into a stack", r.text)
        self.assertNotIn("must be replaced", r.text)
        self.assertIn("1 imported, 0 added, 1 changed, 0 destroyed", r.text)
        self.assertEqual(self.items("firefly-legacy-sessions"), before)
        res = self.cfn.describe_stack_resources(PhysicalResourceId="firefly-legacy-sessions")["StackResources"]
        self.assertEqual(res[0]["StackName"], "firefly-dynamodb-legacy-sessions")

    def test_restore(self):
        """A backup of a live table restored into a stack of the configuration's own, with
        the backup's items, without the source's index the configuration leaves out, and what
        a restore does not carry set after the adoption."""
        live = "firefly-orders-live"
        self.ddb.create_table(
            TableName=live, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"}
                                  for a in ("order_id", "status", "customer_id")],
            KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {"IndexName": i, "KeySchema": [{"AttributeName": a, "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": p}}
                for i, a, p in (("by_status", "status", "KEYS_ONLY"), ("by_customer", "customer_id", "ALL"))])
        self.wait_active(live)
        for i in range(10):
            self.ddb.put_item(TableName=live, Item={"order_id": {"S": "o%03d" % i}, "status": {"S": "open"},
                                                    "customer_id": {"S": "c%d" % (i % 3)}})
        arn = self.ddb.create_backup(TableName=live, BackupName="nightly")["BackupDetails"]["BackupArn"]
        self.wait_emulated(5)  # the backup is AVAILABLE
        r = self.run_example("restore", backup_arn=arn)
        self.assertIn("Table will be restored", r.text)
        restored = "firefly-orders-restored"
        self.assertEqual(self.items(restored), self.items(live))
        t = self.ddb.describe_table(TableName=restored)["Table"]
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by_status"])
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertTrue(t["DeletionProtectionEnabled"])
        res = self.cfn.describe_stack_resources(PhysicalResourceId=restored)["StackResources"]
        self.assertEqual(res[0]["StackName"], "firefly-dynamodb-orders-restored")

    def test_migrate_from_aws_provider(self):
        """The example's README, step by step: hashicorp/aws makes the table (before/), items
        are written, the state goes with main.tf, whose `moved` block hands the table over."""
        name, table = "migrate-from-aws-provider", "firefly-orders-migrated"
        src = os.path.join(ROOT, "examples", name)
        d = self.workdir("ex-" + name, "")
        before_dir = os.path.join(d, "before")
        os.makedirs(before_dir)
        shutil.copy(os.path.join(src, "before", "main.tf"), before_dir)
        env = dict(self.env, TF_VAR_endpoint=self.emu.endpoint)
        self.tf(before_dir, "init", "-input=false", env=env, check=0)
        self.tf(before_dir, "apply", "-auto-approve", "-input=false", env=env, check=0)
        self.wait_emulated(10)  # TTL ENABLING -> ENABLED
        for i in range(30):
            self.ddb.put_item(TableName=table, Item={
                "customer_id": {"S": f"c{i % 5}"}, "order_id": {"S": f"o{i:03d}"},
                "status": {"S": ("open", "paid", "shipped")[i % 3]}, "total": {"N": str(10 * i)},
                "expires_at": {"N": str(4102444800 + i)}})
        before = self.items(table)
        shutil.copy(os.path.join(before_dir, "terraform.tfstate"), d)
        shutil.copy(os.path.join(src, "main.tf"), d)
        self.tf(d, "init", "-input=false", env=env, check=0)
        p = self.tf(d, "plan", "-input=false", env=env, check=0)
        self.assertIn("# (moved from aws_dynamodb_table.orders)", p.text)
        self.assertIn("Plan: 0 to add, 1 to change, 0 to destroy.", p.text)
        self.tf(d, "apply", "-auto-approve", "-input=false", env=env, check=0)
        self.wait_emulated(10)
        p = self.tf(d, "plan", "-input=false", "-detailed-exitcode", env=env)
        self.assertEqual(p.rc, 0, p.text)
        self.assertEqual(self.items(table), before)
        res = self.cfn.describe_stack_resources(PhysicalResourceId=table)["StackResources"]
        self.assertEqual(res[0]["StackName"], "firefly-dynamodb-orders-migrated")
        self.assertEqual(self.tf(d, "state", "list", env=env, check=0).out.split(), ["dynamodb_ttl_table.orders"])
        out = self.outputs(d)
        self.assertEqual(out["stream_arn"]["value"],
                         self.ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"])


if __name__ == "__main__":
    unittest.main()
