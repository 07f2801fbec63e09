"""End to end (issue 25, "Restore into an owned stack"): `restore` creates the table by
RestoreTableFromBackup or RestoreTableToPointInTime, adopts it into its stack with an IMPORT
change set, and sets what a restore does not carry (TTL, tags, stream, point-in-time
recovery, protection), so that the table ends as configured, owned by its stack, with the
source's items and an empty next plan (docs/resource.md, "Restore"). A source whose keys
differ from the configuration is refused at plan with nothing created; a restored table
that differs (the source could not be read at plan time) is kept, never deleted; changing
`restore` afterwards changes nothing and the plan says so."""
import datetime as dt
import os
import signal
import subprocess
import unittest

from harness import PROVIDER_BLOCK, E2ETestCase

SOURCE_BODY = '''
resource "dynamodb_ttl_table" "t" {
  name       = "%(name)s"
  stack_name = "%(stack)s"
  hash_key   = { name = "id", type = "S" }
  ttl        = { attribute_name = "expires_at" }
  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" }, projection_type = "KEYS_ONLY" },
  ]
  stream                      = { view_type = "NEW_IMAGE" }
  point_in_time_recovery      = true
  deletion_protection_enabled = false
  tags                        = { team = "orders", restored = "yes" }
  restore                     = %(restore)s
}
'''


class Restore(E2ETestCase):

    def source(self, name, pitr=False, n=5):
        """A table made outside Terraform with an index the configuration keeps and one it
        leaves out, and n items."""
        self.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("id", "status", "owner")],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {"IndexName": "by_status", "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "by_owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}])
        self.wait_active(name)
        if pitr:
            self.ddb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.put(name, *[f"item-{i}" for i in range(n)])

    def put(self, table, *keys):
        for k in keys:
            self.ddb.put_item(TableName=table, Item={"id": {"S": k}, "status": {"S": "open"},
                                                     "owner": {"S": "me"}})

    def backup(self, table):
        arn = self.ddb.create_backup(TableName=table, BackupName="nightly")["BackupDetails"]["BackupArn"]
        self.wait_emulated(5)  # CREATING, then AVAILABLE
        self.assertEqual(self.ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
                         ["BackupStatus"], "AVAILABLE")
        return arn

    def keys(self, table):
        return sorted(i["id"]["S"] for i in self.items(table))

    def run_restore(self, name, stack, restore):
        d = self.workdir(name, SOURCE_BODY % {"name": name, "stack": stack, "restore": restore})
        self.init(d)
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Table will be restored", plan.text)
        a = self.apply(d)
        self.assertIn("1 added", a.text)
        return d

    def assert_owned_as_configured(self, d, name, stack):
        t = self.wait_active(name)
        self.assertEqual([g["IndexName"] for g in t.get("GlobalSecondaryIndexes", [])], ["by_status"])
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "NEW_IMAGE")
        self.assertFalse(t.get("DeletionProtectionEnabled"))
        self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "ENABLED")
        pitr = self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")
        tags = {x["Key"]: x["Value"] for x in self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]}
        self.assertEqual({k: v for k, v in tags.items() if not k.startswith("aws:")},
                         {"team": "orders", "restored": "yes"})
        res = self.cfn.describe_stack_resources(StackName=stack)["StackResources"]
        self.assertEqual([(r["ResourceType"], r["PhysicalResourceId"]) for r in res],
                         [("AWS::DynamoDB::Table", name)])
        self.assertIn(self.stack_status(stack), ("UPDATE_COMPLETE", "IMPORT_COMPLETE"))
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertEqual(st["stack_id"], self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"])
        self.assertTrue(st["owner_id"])
        self.assertEqual(self.plan_exitcode(d).rc, 0, "the next plan is empty")

    def test_restore_from_a_backup_lands_in_its_stack_and_later_changes_nothing(self):
        src, name, stack = "rs-src-orders", "rs-orders", "rs-orders-stack"
        self.source(src)
        arn = self.backup(src)
        self.put(src, "after-the-backup")  # not in the backup
        d = self.run_restore(name, stack, '{ backup_arn = "%s" }' % arn)
        self.assertEqual(self.keys(name), [f"item-{i}" for i in range(5)])
        self.assert_owned_as_configured(d, name, stack)
        # Changing restore later: a warning, no replacement, nothing done to the table.
        stack_id = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
        self.write(d, SOURCE_BODY % {"name": name, "stack": stack,
                                     "restore": '{ source_table_name = "%s", use_latest_restorable_time = true }' % src})
        p = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Changing restore changes nothing", p.text)
        self.assertIn("0 to add, 1 to change, 0 to destroy", p.text)
        mark = self.emu.log_offset()
        self.apply(d)
        table_acts = [c["operation"] for c in self.emu.calls(mark) if c.get("mutating")
                      and c.get("operation") not in ("CreateChangeSet", "DeleteChangeSet")]
        self.assertEqual(table_acts, [], "changing restore acted on AWS")
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"], stack_id)
        self.assertEqual(self.keys(name), [f"item-{i}" for i in range(5)])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_restore_to_a_point_in_time_lands_in_its_stack(self):
        src, name, stack = "rs-src-events", "rs-events", "rs-events-stack"
        self.source(src, pitr=True, n=3)
        self.wait_emulated(60)
        at = dt.datetime.fromisoformat(self.emu.clock()["now"]).astimezone(dt.timezone.utc)
        self.wait_emulated(60)
        self.put(src, "later")  # after the restore time: not restored
        self.wait_emulated(600)  # LatestRestorableDateTime is five minutes before now
        d = self.run_restore(name, stack, '{ source_table_name = "%s", point_in_time = "%s" }'
                             % (src, at.strftime("%Y-%m-%dT%H:%M:%SZ")))
        self.assertEqual(self.keys(name), ["item-0", "item-1", "item-2"])
        self.assert_owned_as_configured(d, name, stack)

    def test_latest_restorable_time(self):
        src, name, stack = "rs-src-latest", "rs-latest", "rs-latest-stack"
        self.source(src, pitr=True, n=4)
        self.wait_emulated(600)
        d = self.run_restore(name, stack, '{ source_table_name = "%s", use_latest_restorable_time = true }' % src)
        self.assertEqual(self.keys(name), [f"item-{i}" for i in range(4)])
        self.assert_owned_as_configured(d, name, stack)

    def test_a_source_with_other_keys_is_refused_and_nothing_is_deleted(self):
        src, name, stack = "rs-src-keys", "rs-keys", "rs-keys-stack"
        self.source(src, n=2)
        arn = self.backup(src)
        body = (SOURCE_BODY % {"name": name, "stack": stack, "restore": '{ backup_arn = "%s" }' % arn}
                ).replace('hash_key   = { name = "id", type = "S" }',
                          'hash_key   = { name = "order_id", type = "S" }')
        d = self.workdir(name, body)
        self.init(d)
        mark = self.emu.log_offset()
        p = self.tf(d, "plan", "-input=false")
        self.assertEqual(p.rc, 1, p.text)
        self.assertIn("Restore source does not match the configuration", p.text)
        self.assertIn("partition key order_id (S)", p.text)
        a = self.apply(d, check=1)
        self.assertIn("Restore source does not match the configuration", a.text)
        self.assertEqual([c for c in self.emu.calls(mark) if c.get("mutating")], [])
        self.assertFalse(self.table_exists(name))
        self.assertIsNone(self.stack_status(stack))
        self.assertEqual(self.keys(src), ["item-0", "item-1"])
        self.assertEqual(self.ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]
                         ["BackupStatus"], "AVAILABLE")


    def test_a_restored_table_with_other_keys_is_kept_and_not_adopted(self):
        """The backup cannot be read at plan time (DescribeBackup keeps failing): the plan
        says the source is not checked; apply restores, finds the restored table's keys
        differ, and stops before adopting it — the table stays, with its items, in no stack
        and not in the state. A matching configuration then adopts it."""
        src, name, stack = "rs-src-unread", "rs-unread", "rs-unread-stack"
        self.source(src, n=3)
        arn = self.backup(src)
        body = (SOURCE_BODY % {"name": name, "stack": stack, "restore": '{ backup_arn = "%s" }' % arn})
        d = self.workdir(name, body.replace('hash_key   = { name = "id", type = "S" }',
                                            'hash_key   = { name = "order_id", type = "S" }'))
        # A failure that lasts: no retries, so that the test does not wait out their backoff.
        with open(os.path.join(d, "main.tf")) as f:
            main = f.read()
        header = PROVIDER_BLOCK % {"endpoint": self.emu.endpoint}
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(main.replace(header, header.replace('region = "us-east-1"',
                                                        'region = "us-east-1"\n  max_retries = 0')))
        self.init(d)
        self.emu.add_fault(kind="error", operation="dynamodb.DescribeBackup", count=1000)
        try:
            p = self.tf(d, "plan", "-input=false", check=0)
            self.assertIn("Restore source not checked", p.text)
            a = self.apply(d, check=1)
        finally:
            self.emu.clear_faults()
        self.assertIn("Restored table does not match the configuration", a.text)
        self.assertIn("partition key id", a.text)
        self.assertIn("nothing was deleted", a.text)
        self.assertEqual(self.keys(name), ["item-0", "item-1", "item-2"])
        self.assertIsNone(self.stack_status(stack))
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t"))
        # What the refusal says: make the configuration match; the next apply adopts it.
        self.write(d, body)
        p = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Table exists: not restored", p.text)
        self.apply(d)
        self.assertEqual(self.keys(name), ["item-0", "item-1", "item-2"])
        self.assert_owned_as_configured(d, name, stack)

    def test_an_interrupted_restore_is_recorded_and_the_next_apply_adopts_it(self):
        """The create timeout ends apply while the restored table is still CREATING: the
        table is recorded in no stack with the error (Terraform taints it); the next apply's
        replacement keeps it (a table in no stack is never deleted by the destroy half of a
        replacement) and adopts it. Nothing is deleted."""
        src, name, stack = "rs-src-slow", "rs-slow", "rs-slow-stack"
        self.source(src, n=3)
        arn = self.backup(src)
        body = (SOURCE_BODY % {"name": name, "stack": stack, "restore": '{ backup_arn = "%s" }' % arn}
                ).replace("deletion_protection_enabled = false", "deletion_protection_enabled = true")
        body = body.replace("  restore ", '  timeouts = { create = "3s" }\n  restore ')
        d = self.workdir(name, body)
        self.init(d)
        self.emu.set_config(table_seconds=3600)  # the restored table stays CREATING
        try:
            a = self.apply(d, check=1)
        finally:
            self.emu.set_config(table_seconds=1)
        self.assertIn("Restore interrupted, table recorded", a.text)
        self.assertTrue(self.table_exists(name))
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertIsNotNone(st)
        self.assertIsNone(st["stack_id"])
        self.wait_emulated(3600)  # the restore finishes
        # Terraform tainted the resource and plans its replacement: the destroy half keeps a
        # table in no stack (docs/resource.md, "Deletion"), the create half adopts it.
        self.write(d, body.replace('create = "3s"', 'create = "10m"'))
        p = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Existing table will be adopted into a stack", p.text)
        self.assertIn("Table exists: not restored", p.text)
        self.apply(d)
        self.assertEqual(self.keys(name), ["item-0", "item-1", "item-2"])
        t = self.wait_active(name)
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(self.stack_status(stack), "UPDATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.write(d, body.replace('create = "3s"', 'create = "10m"')
                   .replace("deletion_protection_enabled = true", "deletion_protection_enabled = false"))
        self.apply(d)


    def test_a_restore_whose_answer_was_lost_is_not_an_error(self):
        """The answer to RestoreTableFromBackup is lost (the restore took effect): the retry
        meets TableAlreadyExistsException, which is the effect of its own first attempt — a
        table restored from this very backup — so apply goes on and adopts it."""
        src, name, stack = "rs-src-lost", "rs-lost", "rs-lost-stack"
        self.source(src, n=2)
        arn = self.backup(src)
        d = self.workdir(name, SOURCE_BODY % {"name": name, "stack": stack,
                                             "restore": '{ backup_arn = "%s" }' % arn})
        self.init(d)
        self.emu.add_fault(kind="drop_response", operation="dynamodb.RestoreTableFromBackup", count=1)
        try:
            self.apply(d)
        finally:
            self.emu.clear_faults()
        self.assertEqual(self.keys(name), ["item-0", "item-1"])
        self.assert_owned_as_configured(d, name, stack)


    def test_ctrl_c_during_a_restore_records_it_and_untaint_then_apply_adopts_it(self):
        """Ctrl-C while the restored table is CREATING: recorded in no stack with the
        error; the advice followed literally (terraform untaint, then apply) adopts it."""
        src, name, stack = "rs-src-ctrlc", "rs-ctrlc", "rs-ctrlc-stack"
        self.source(src, n=3)
        arn = self.backup(src)
        d = self.workdir(name, SOURCE_BODY % {"name": name, "stack": stack,
                                             "restore": '{ backup_arn = "%s" }' % arn})
        self.init(d)
        self.emu.set_config(table_seconds=3600)  # the restored table stays CREATING
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "apply", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            mark = self.wait_for_call(mark, "RestoreTableFromBackup")
            self.wait_for_call(mark, "DescribeTable")  # waiting for ACTIVE
        except BaseException:
            p.kill()
            p.communicate()
            self.emu.set_config(table_seconds=1)
            raise
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=120)
        self.emu.set_config(table_seconds=1)
        out = " ".join(out.split())
        self.assertNotEqual(p.returncode, 0, out)
        self.assertIn("Restore interrupted, table recorded", out)
        self.assertIn("terraform untaint", out)
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertIsNotNone(st, "the interrupted restore was not recorded")
        self.assertIsNone(st["stack_id"])
        self.assertTrue(self.table_exists(name))
        self.tf(d, "untaint", "dynamodb_ttl_table.t", check=0)
        self.wait_emulated(3600)  # the restore finishes
        self.apply(d)
        self.assertEqual(self.keys(name), ["item-0", "item-1", "item-2"])
        self.assert_owned_as_configured(d, name, stack)


    def test_validate_names_the_restore_attribute(self):
        d = self.workdir("rs-validate", SOURCE_BODY % {
            "name": "rs-validate", "stack": "rs-validate",
            "restore": '{ source_table_name = "orders", point_in_time = "2026-12-01 10:00" }'})
        self.init(d)
        r = self.tf(d, "validate")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Invalid restore time", r.text)
        self.assertIn("restore.point_in_time", r.text)
        self.assertIn('restore = { source_table_name = "orders"', r.text)  # the line shown
        self.write(d, SOURCE_BODY % {"name": "rs-validate", "stack": "rs-validate",
                                     "restore": '{ backup_arn = "arn:aws:dynamodb:us-east-1:123456789012:'
                                                'table/orders/backup/01700000000000-1a2b3c4d", '
                                                'use_latest_restorable_time = true }'})
        r = self.tf(d, "validate")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Point in time with a backup", r.text)


if __name__ == "__main__":
    unittest.main()
