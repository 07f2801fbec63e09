"""End to end (data safety, part 2): after apply, AWS is what the configuration says and
the state says what AWS is.

Drift of every setting is repaired (CloudFormation acts only on template changes), table
tags are read from the table, an empty tag value reaches the table without breaking the
stack, lost answers to mutating calls are recognised as success, and plan and apply agree
on protection, retain and -replace."""
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


class TruthfulApply(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()

    def desc(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def tags(self, name):
        arn = self.desc(name)["TableArn"]
        return {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}

    def pitr(self, name):
        d = self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        return d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"

    # -- drift is repaired ------------------------------------------------------------

    def test_protection_switched_off_outside_is_repaired(self):
        name = "truth-protect"
        d = self.workdir("protect", table(name, "deletion_protection_enabled = true"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 5)
        before = self.items(name)
        self.ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("deletion_protection_enabled", r.text)
        self.apply(d)
        self.assertTrue(self.desc(name)["DeletionProtectionEnabled"])
        self.assertTrue(self.state(d, "dynamodb_ttl_table.t")["deletion_protection_enabled"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        # The configuration says protected, and so does AWS: destroy is refused.
        r = self.tf(d, "destroy", "-auto-approve", "-input=false")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("protected", r.text)
        self.assertEqual(self.items(name), before)

    def test_every_setting_changed_outside_is_repaired(self):
        name = "truth-drift"
        cfg = table(name, 'billing_mode = "PROVISIONED"\n  read_capacity = 5\n  write_capacity = 4\n'
                          '  point_in_time_recovery = true\n  deletion_protection_enabled = false\n'
                          '  ttl = { attribute_name = "expires_at" }\n  tags = { app = "firefly", tier = "1" }')
        d = self.workdir("drift", cfg)
        self.init(d)
        self.apply(d)
        self.put_items(name, 5)
        before = self.items(name)
        self.wait_emulated(3601)
        arn = self.desc(name)["TableArn"]
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": False})
        self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "expires_at",
                                                                              "Enabled": False})
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "app", "Value": "changed"},
                                                     {"Key": "extra", "Value": "added outside"}])
        self.wait_emulated(3601)  # DynamoDB takes one TTL change per table per hour
        r = self.tf(d, "plan", "-input=false", check=0)
        for attr in ("billing_mode", "point_in_time_recovery", "ttl", "tags", '"changed"', '"added outside"'):
            self.assertIn(attr, r.text)
        self.apply(d)
        desc = self.desc(name)
        self.assertEqual(desc["BillingModeSummary"]["BillingMode"], "PROVISIONED")
        self.assertEqual(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 5)
        self.assertTrue(self.pitr(name))
        self.assertIn(self.ttl(name)["TimeToLiveStatus"], ("ENABLED", "ENABLING"))
        self.assertEqual(self.tags(name), {"app": "firefly", "tier": "1"})
        self.assertEqual(self.items(name), before)
        self.wait_emulated(10)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_ttl_repair_within_the_hour_says_when_to_retry(self):
        name = "truth-ttl-hour"
        d = self.workdir("ttlhour", table(name, 'deletion_protection_enabled = false\n'
                                                '  ttl = { attribute_name = "expires_at" }'))
        self.init(d)
        self.apply(d)
        self.wait_emulated(3601)
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "expires_at",
                                                                              "Enabled": False})
        self.wait_emulated(10)
        r = self.apply(d, check=1)
        self.assertIn("modified multiple times", r.text)
        self.assertIn("wait an hour", r.text)
        # The state says what AWS has (TTL off), so the next plan still wants it on.
        self.assertEqual(self.plan_exitcode(d).rc, 2)
        self.wait_emulated(3601)
        self.apply(d)
        self.wait_emulated(10)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- tags ---------------------------------------------------------------------------

    def test_table_tags_are_read_from_the_table(self):
        name = "truth-tags"
        d = self.workdir("tags", table(name, 'deletion_protection_enabled = false\n  tags = { app = "x" }'))
        self.init(d)
        self.apply(d)
        arn = self.desc(name)["TableArn"]
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["app"])
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("tags", r.text)
        self.apply(d)
        self.assertEqual(self.tags(name), {"app": "x"})

    def test_empty_tag_value_goes_on_the_table_only(self):
        name = "truth-empty-tag"
        d = self.workdir("emptytag", table(name, 'deletion_protection_enabled = false\n'
                                                 '  tags = { note = "", app = "firefly" }'))
        self.init(d)
        mark = self.emu.log_offset()
        self.apply(d)
        self.assertEqual(self.tags(name), {"note": "", "app": "firefly"})
        stack_tags = {t["Key"]: t["Value"] for t in
                      self.cfn.describe_stacks(StackName=name)["Stacks"][0].get("Tags", [])}
        self.assertEqual(stack_tags, {"app": "firefly"})
        self.assertEqual([c for c in mutating(self.emu.calls(mark)) if c.get("error")], [])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- idempotency: lost answers ------------------------------------------------------

    def _lost_answer(self, op, name):
        d = self.workdir("lost-" + op, table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.emu.add_fault(kind="drop_response", operation=op, count=1)
        mark = self.emu.log_offset()
        r = self.apply(d)
        dropped = [c for c in self.emu.calls(mark) if c.get("fault") == "drop_response"]
        self.assertEqual(len(dropped), 1, "the fault did not fire")
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        return d, r

    def test_lost_answer_to_create_change_set(self):
        self._lost_answer("CreateChangeSet", "truth-lost-ccs")

    def test_lost_answer_to_execute_change_set(self):
        self._lost_answer("ExecuteChangeSet", "truth-lost-exec")

    def test_lost_answer_to_delete_stack(self):
        name = "truth-lost-del"
        d = self.workdir("lost-del", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        self.emu.add_fault(kind="drop_response", operation="DeleteStack", count=1)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIsNone(self.stack_status(name))
        self.assertFalse(self.table_exists(name))

    # -- plan and apply agree -------------------------------------------------------

    def test_protected_table_with_retain_can_be_destroyed(self):
        name = "truth-retain"
        d = self.workdir("retain", table(name, "deletion_protection_enabled = true\n  retain_on_destroy = true"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 3)
        before = self.items(name)
        r = self.tf(d, "plan", "-destroy", "-input=false", check=0)
        self.assertIn("1 to destroy", r.text)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIsNone(self.stack_status(name))
        self.assertEqual(self.items(name), before)

    def test_replace_of_protected_table_refused_at_plan(self):
        name = "truth-replace"
        d = self.workdir("replace", table(name, "deletion_protection_enabled = true"))
        self.init(d)
        self.apply(d)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false", "-replace=dynamodb_ttl_table.t")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("protected against deletion", r.text)
        self.assertIn("deletion_protection_enabled = false", r.text)
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertTrue(self.table_exists(name))

    def test_adoption_warning_once_per_command(self):
        name = "truth-warn-once"
        self.create_table(name)
        d = self.workdir("warnonce", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        r = self.apply(d)
        self.assertEqual(r.raw.count("Existing table will be adopted into a stack"), 1, r.raw)

    # -- stack states and event reasons -----------------------------------------------

    def test_update_rollback_failed_names_continue_update_rollback(self):
        name = "truth-urf"
        d = self.workdir("urf", table(name, "deletion_protection_enabled = false\n  point_in_time_recovery = false"))
        self.init(d)
        self.apply(d)
        self.emu.add_fault(kind="fail_stack", stack=name, reason="Injected update failure",
                           rollback="fail", rollback_reason="Injected rollback failure", count=1)
        self.write(d, table(name, "deletion_protection_enabled = false\n  point_in_time_recovery = true"))
        self.apply(d, check=1)
        self.assertEqual(self.stack_status(name), "UPDATE_ROLLBACK_FAILED")
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("continue-update-rollback", r.text)
        self.assertEqual([c for c in mutating(self.emu.calls(mark)) if c["operation"] == "CreateChangeSet"], [])

    def test_event_reasons_belong_to_this_operation(self):
        name = "truth-reasons"
        d = self.workdir("reasons", table(name, "deletion_protection_enabled = false\n  point_in_time_recovery = false"))
        self.init(d)
        self.apply(d)
        self.emu.add_fault(kind="fail_stack", stack=name, reason="First failure reason", count=1)
        self.write(d, table(name, "deletion_protection_enabled = false\n  point_in_time_recovery = true"))
        r = self.apply(d, check=1)
        self.assertIn("First failure reason", r.text)
        # The emulator's clock runs two hours ahead of this machine's: events are matched
        # by their operation's token, never by a clock.
        self.wait_emulated(7200)
        self.emu.add_fault(kind="fail_stack", stack=name, reason="Second failure reason", count=1)
        r = self.apply(d, check=1)
        self.assertIn("Second failure reason", r.text)
        self.assertNotIn("First failure reason", r.text)


if __name__ == "__main__":
    unittest.main()
