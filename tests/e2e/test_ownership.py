"""End to end (data safety, part 1): the provider touches only what is its own.

Each test is one path that deleted a user's table or stack before the ownership rules
(docs/resource.md, "Ownership and safety"), driven as a user would: the real terraform
CLI, the emulator, tables with items. Every test checks the items of every table
involved, after the step and again after a second apply.
"""
import json
import os
import re
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


FOREIGN_YAML = '''
AWSTemplateFormatVersion: "2010-09-09"
Description: made by hand, not by Terraform
Resources:
  Keys:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: %(policy)s
    Properties:
      TableName: %(table)s
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      Tags:
        - {Key: team, Value: payments}
%(extra)s
'''


class Ownership(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()

    # -- helpers --------------------------------------------------------------------

    def foreign_stack(self, stack, table_name, policy="Delete", extra=""):
        """A stack made outside Terraform (by hand, YAML) holding a table with items."""
        body = FOREIGN_YAML % {"policy": policy, "table": table_name, "extra": extra}
        self.cfn.create_stack(StackName=stack, TemplateBody=body, Tags=[{"Key": "owner", "Value": "ops"}])
        self.assertEqual(self.stack_status(stack), "CREATE_COMPLETE")
        self.put_items(table_name, 7)
        return self.items(table_name)

    def outside_table(self, name, items=6, **kw):
        self.create_table(name, **kw)
        self.put_items(name, items)
        return self.items(name)

    def stack_of(self, table_name):
        try:
            r = self.cfn.describe_stack_resources(PhysicalResourceId=table_name)
        except Exception as e:  # not in any stack
            if "does not exist" in str(e) or "not" in str(e):
                return None
            raise
        live = [x for x in r["StackResources"] if x["ResourceStatus"] not in ("DELETE_COMPLETE", "DELETE_SKIPPED")]
        return live[0]["StackName"] if live else None

    def template(self, stack):
        return self.cfn.get_template(StackName=stack)["TemplateBody"]

    def deletion_policy(self, stack, logical="Table"):
        body = self.template(stack)
        if isinstance(body, str):
            body = json.loads(body)
        return body["Resources"][logical].get("DeletionPolicy")

    # -- path 1: import, then a stack name of one's own ------------------------------

    def test_import_then_own_stack_name_adopts_in_place(self):
        name = "own-path1"
        before = self.outside_table(name)
        d = self.workdir("path1", table(name, 'stack_name = "my-own-stack-1"\n'
                                              '  deletion_protection_enabled = false'))
        self.init(d)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", name, check=0)
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertNotIn("forces replacement", r.text)
        self.assertNotIn("must be replaced", r.text)
        self.assertIn("will be updated in-place", r.text)
        self.assertIn("Existing table will be adopted into a stack", r.text)
        mark = self.emu.log_offset()
        self.apply(d)
        self.assertFalse([c for c in mutating(self.emu.calls(mark)) if c["operation"] == "DeleteTable"])
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.stack_of(name), "my-own-stack-1")
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.apply(d)
        self.assertEqual(self.items(name), before)

    # -- path 2: a failed follow-up after IMPORT never taints -------------------------

    def test_failed_followup_after_import_does_not_taint(self):
        name = "own-path2"
        before = self.outside_table(name)
        # TTL was switched off on this table a moment ago: DynamoDB refuses another TTL
        # change for about an hour, and nothing in its answers says when the last one was.
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "old_ttl", "Enabled": True})
        self.wait_emulated(3601)
        self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "old_ttl", "Enabled": False})
        self.wait_emulated(10)  # DISABLING -> DISABLED, still within the hour
        d = self.workdir("path2", table(name, 'stack_name = "own-path2-stack"\n'
                                              '  deletion_protection_enabled = false\n'
                                              '  ttl = { attribute_name = "expires_at" }'))
        self.init(d)
        r = self.apply(d, check=0)
        self.assertIn("Table adopted or created, configuration not fully applied", r.text)
        self.assertIn("modified multiple times", r.text)
        show = json.loads(self.tf(d, "show", "-json", check=0).out)
        res = show["values"]["root_module"]["resources"][0]
        self.assertFalse(res.get("tainted", False), "the adopted table must not be tainted")
        self.assertEqual(self.deletion_policy("own-path2-stack"), "Retain")
        self.assertEqual(self.items(name), before)
        # The next plan shows what is still to change, as an update, never a replacement.
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertNotIn("must be replaced", r.text)
        self.assertIn("update in-place", r.text)
        self.wait_emulated(3601)
        self.apply(d)
        self.assertEqual(self.ttl(name)["AttributeName"], "expires_at")
        self.assertEqual(self.items(name), before)
        self.wait_emulated(10)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_adoption_ttl_rename_refused_at_plan(self):
        name = "own-path2b"
        before = self.outside_table(name, ttl="old_ttl")
        self.wait_emulated(10)
        d = self.workdir("path2b", table(name, 'ttl = { attribute_name = "expires_at" }'))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Adoption would move the table's Time to Live", r.text)
        self.assertIn('attribute_name = "old_ttl"', r.text)
        r = self.apply(d, check=1)
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertEqual(self.items(name), before)
        self.assertIsNone(self.stack_of(name))

    # -- path 3: a stack name that belongs to someone else ----------------------------

    def test_foreign_stack_name_is_never_touched(self):
        foreign_before = self.foreign_stack("their-stack", "their-table")
        d = self.workdir("path3", table("my-new-table", 'stack_name = "their-stack"\n'
                                                        '  deletion_protection_enabled = false'))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("Stack belongs to someone else", r.text)
        self.assertIn("their-stack", r.text)
        self.assertIn("their-table", r.text)
        self.apply(d, check=1)
        self.apply(d, check=1)
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertEqual(self.stack_status("their-stack"), "CREATE_COMPLETE")
        self.assertEqual(self.items("their-table"), foreign_before)
        self.assertFalse(self.table_exists("my-new-table"))

    def test_foreign_stack_name_with_existing_table_is_refused(self):
        foreign_before = self.foreign_stack("their-stack-2", "their-table-2")
        mine_before = self.outside_table("my-loose-table")
        d = self.workdir("path3b", table("my-loose-table", 'stack_name = "their-stack-2"\n'
                                                          '  deletion_protection_enabled = false'))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Stack belongs to someone else", r.text)
        self.apply(d, check=1)  # nothing tainted, nothing to replace: refused again
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertEqual(self.items("their-table-2"), foreign_before)
        self.assertEqual(self.items("my-loose-table"), mine_before)
        self.assertEqual(self.stack_status("their-stack-2"), "CREATE_COMPLETE")

    # -- path 4: an import ID that lies ----------------------------------------------

    def test_import_id_naming_the_wrong_stack_is_refused(self):
        theirs = self.foreign_stack("stack-p4", "table-p4-theirs")
        mine = self.outside_table("table-p4-mine")
        d = self.workdir("path4", table("table-p4-mine", "deletion_protection_enabled = false"))
        self.init(d)
        r = self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", "stack-p4/table-p4-mine")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Import ID names the wrong stack", r.text)
        self.assertIn("table-p4-mine", r.text)
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t"))
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertEqual(self.items("table-p4-theirs"), theirs)
        self.assertEqual(self.items("table-p4-mine"), mine)
        self.assertEqual(self.stack_status("stack-p4"), "CREATE_COMPLETE")

    def test_import_of_stack_holding_more_than_the_table_is_refused(self):
        extra = "  Handle:\n    Type: AWS::CloudFormation::WaitConditionHandle\n"
        theirs = self.foreign_stack("stack-p4b", "table-p4b", extra=extra)
        d = self.workdir("path4b", table("table-p4b"))
        self.init(d)
        r = self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", "stack-p4b/table-p4b")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Stack cannot be managed by this resource", r.text)
        self.assertIn("Handle", r.text)
        self.assertEqual(self.items("table-p4b"), theirs)

    # -- path 5: import from a stack made outside Terraform ---------------------------

    def test_import_from_hand_made_stack_reads_retain_and_tags(self):
        before = self.foreign_stack("stack-p5", "table-p5", policy="Retain")
        d = self.workdir("path5", "")
        with open(os.path.join(d, "main.tf"), "a") as f:
            f.write('\nimport {\n  to = dynamodb_ttl_table.t\n  id = "stack-p5/table-p5"\n}\n')
        self.init(d)
        self.tf(d, "plan", "-input=false", "-generate-config-out=generated.tf", check=0)
        gen = open(os.path.join(d, "generated.tf")).read()
        self.assertRegex(gen, r"retain_on_destroy\s*=\s*true")
        self.assertIn("payments", gen)
        self.assertIn("owner", gen)  # the stack tag reached the table: tags are the table's
        self.apply(d)
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertTrue(st["retain_on_destroy"])
        self.assertEqual(st["tags"]["team"], "payments")
        # An unrelated in-place change rewrites the template: it keeps Retain and the tags.
        gen, n = re.subn(r"point_in_time_recovery(\s*)= false", r"point_in_time_recovery\1= true", gen)
        self.assertEqual(n, 1)  # (the alignment depends on the other attributes' names)
        with open(os.path.join(d, "generated.tf"), "w") as f:
            f.write(gen)
        self.apply(d)
        self.assertEqual(self.deletion_policy("stack-p5", "Keys"), "Retain")
        tags = {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(
            ResourceArn=self.ddb.describe_table(TableName="table-p5")["Table"]["TableArn"])["Tags"]}
        self.assertEqual(tags.get("team"), "payments")
        self.assertEqual(self.items("table-p5"), before)
        # The owner retained the table: destroy removes the stack and keeps the table.
        self.ddb.update_table(TableName="table-p5", DeletionProtectionEnabled=False)
        self.tf(d, "apply", "-refresh-only", "-auto-approve", "-input=false", check=0)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIsNone(self.stack_status("stack-p5"))
        self.assertEqual(self.items("table-p5"), before)

    # -- path 6: adoption is previewed -----------------------------------------------

    def test_adoption_lists_every_change(self):
        name = "own-path6"
        self.ddb.create_table(TableName=name, BillingMode="PROVISIONED",
                              ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              DeletionProtectionEnabled=True)
        self.wait_active(name)
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        self.put_items(name, 5)
        before = self.items(name)
        d = self.workdir("path6", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Existing table will be adopted into a stack", r.text)
        self.assertIn("billing mode: PROVISIONED (7 read, 3 write) -> PAY_PER_REQUEST", r.text)
        self.assertIn("deletion protection: on -> off", r.text)
        self.assertIn("point-in-time recovery: on -> off", r.text)
        self.assertIn("discards the recovery window", r.text)
        # Setting the current values in the configuration makes them stay.
        self.write(d, table(name, 'billing_mode = "PROVISIONED"\n  read_capacity = 7\n  write_capacity = 3\n'
                                  '  point_in_time_recovery = true'))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("no setting changes", r.text)
        self.apply(d)
        desc = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(desc["ProvisionedThroughput"]["ReadCapacityUnits"], 7)
        self.assertTrue(desc["DeletionProtectionEnabled"])
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- moving is not replacing -----------------------------------------------------

    def test_stack_name_change_moves_the_table_in_place(self):
        name = "own-move"
        d = self.workdir("move", table(name, 'stack_name = "move-a"\n  deletion_protection_enabled = false'))
        self.init(d)
        self.apply(d)
        self.put_items(name, 9)
        before = self.items(name)
        self.write(d, table(name, 'stack_name = "move-b"\n  deletion_protection_enabled = false'))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Table will move to another stack", r.text)
        self.assertIn("update in-place", r.text)
        self.assertNotIn("must be replaced", r.text)
        mark = self.emu.log_offset()
        self.apply(d)
        self.assertFalse([c for c in mutating(self.emu.calls(mark)) if c["operation"] == "DeleteTable"])
        self.assertIsNone(self.stack_status("move-a"))
        self.assertEqual(self.stack_of(name), "move-b")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.apply(d)
        self.assertEqual(self.items(name), before)

    def test_interrupted_move_resumes(self):
        name = "own-move2"
        d = self.workdir("move2", table(name, 'stack_name = "move2-a"\n  deletion_protection_enabled = false'))
        self.init(d)
        self.apply(d)
        self.put_items(name, 4)
        before = self.items(name)
        self.write(d, table(name, 'stack_name = "move2-b"\n  deletion_protection_enabled = false'))
        self.emu.add_fault(kind="fail_stack", stack="move2-b", reason="Injected: import interrupted", count=1)
        r = self.apply(d, check=1)
        self.assertIn("Injected: import interrupted", r.text)
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertIsNone(st["stack_id"])  # the table is in no stack now, and the state says so
        self.assertEqual(self.items(name), before)
        self.emu.clear_faults()
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertNotIn("must be replaced", r.text)
        self.apply(d)
        self.assertEqual(self.stack_of(name), "move2-b")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- deletion ---------------------------------------------------------------------

    def test_imported_table_is_deleted_only_by_an_explicit_destroy(self):
        name = "own-del"
        before = self.outside_table(name)
        d = self.workdir("del", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", name, check=0)
        # -replace of a table in no stack: the destroy half keeps it, the create half
        # adopts it again; no item is lost.
        r = self.apply(d, "-replace=dynamodb_ttl_table.t")
        self.assertIn("Table kept", r.text)
        self.assertEqual(self.items(name), before)
        self.assertIsNotNone(self.stack_of(name))
        # An explicit destroy with protection and retain off deletes it.
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))

    def test_explicit_destroy_of_table_in_no_stack(self):
        name = "own-del2"
        self.outside_table(name)
        d = self.workdir("del2", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", name, check=0)
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["stack_id"])
        mark = self.emu.log_offset()
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))
        self.assertEqual([c["operation"] for c in mutating(self.emu.calls(mark))], ["DeleteTable"])


if __name__ == "__main__":
    unittest.main()
