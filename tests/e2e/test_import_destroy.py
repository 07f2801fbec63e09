"""End to end (issue 6): import (by table, by stack/table, import blocks with generated
configuration, missing table) and destroy honouring deletion protection, retain, exports
imported elsewhere, DELETE_FAILED, and a protected replacement refused at plan."""
import os
import unittest

from harness import E2ETestCase, mutating

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  name       = "%(name)s"
  hash_key   = { name = "id", type = "S" }
  ttl        = { attribute_name = "expires_at" }
  %(extra)s
}
'''


def table(name, extra=""):
    return TABLE % {"name": name, "extra": extra}


class ImportAndDestroy(E2ETestCase):

    # -- import ---------------------------------------------------------------------

    def _import_roundtrip(self, name, import_id, stack):
        d = self.workdir("imp-" + name, table(name, 'deletion_protection_enabled = false\n'
                                                    '  stack_name = "%s"' % stack))
        self.init(d)
        self.apply(d)
        self.wait_ttl(name, "ENABLED")  # as a user would see on AWS a moment later
        self.put_items(name, 5)
        os.remove(os.path.join(d, "terraform.tfstate"))
        r = self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", import_id, check=0)
        self.assertIn("Import successful", r.text)
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertEqual(st["name"], name)
        self.assertEqual(st["stack_name"], stack)
        self.assertTrue(st["stack_id"].startswith("arn:aws:cloudformation:"))
        # enabled is null: TTL is on, and the configuration leaves `enabled` out (null means true).
        self.assertEqual(st["ttl"], {"attribute_name": "expires_at", "enabled": None})
        self.assertEqual(st["ttl_status"], "ENABLED")
        self.assertEqual(st["hash_key"], {"name": "id", "type": "S"})
        self.assertFalse(st["deletion_protection_enabled"])
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 0, r.text)

    def test_import_by_table_name(self):
        # An acceptance scenario (tests/e2e/acceptance.list), as are the destroys below.
        name = self.n("imp-by-name")
        self._import_roundtrip(name, name, name)

    def test_import_by_stack_and_table(self):
        self._import_roundtrip("imp-by-stack", "custom-stack-1/imp-by-stack", "custom-stack-1")

    def test_import_missing_table(self):
        d = self.workdir("imp-missing", table("does-not-exist"))
        self.init(d)
        r = self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", "does-not-exist")
        self.assertNotEqual(r.rc, 0)
        self.assertIn("Cannot import a table that does not exist", r.text)
        self.assertIn("does-not-exist", r.text)

    def test_import_block_generate_config(self):
        name = "gen-config"
        self.create_table(name, key="id", ttl="expires_at")
        self.wait_emulated(5)  # TTL ENABLING → ENABLED
        self.put_items(name, 12)
        before = self.items(name)
        d = self.workdir("genconf", '''
import {
  to = dynamodb_ttl_table.g
  id = "%s"
}
''' % name)
        self.init(d)
        r = self.tf(d, "plan", "-input=false", "-generate-config-out=generated.tf", check=0)
        gen = open(os.path.join(d, "generated.tf")).read()
        self.assertIn('resource "dynamodb_ttl_table" "g"', gen)
        self.assertIn('name', gen)
        # The generated configuration is valid; applying it only adopts the table into a stack.
        self.tf(d, "validate", check=0)
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("1 to import", r.text)
        self.assertNotIn("must be replaced", r.text)
        self.apply(d)
        self.assertEqual(self.items(name), before)
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 0, r.text)
        self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "ENABLED")

    # -- destroy --------------------------------------------------------------------

    def test_destroy_refused_at_plan_while_protected(self):
        # Against an account this leaves a protected table: scripts/sweep.sh's work.
        name = self.n("protected-destroy")
        d = self.workdir("protdestroy", table(name, "deletion_protection_enabled = true"))
        self.init(d)
        self.apply(d)
        off = self.emu.log_offset()
        r = self.tf(d, "plan", "-destroy", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("Table is protected against deletion", r.text)
        self.assertIn("deletion_protection_enabled = false", r.text)
        r = self.tf(d, "destroy", "-auto-approve", "-input=false")
        self.assertEqual(r.rc, 1)
        if self.has_request_log:
            self.assertEqual(mutating(self.emu.calls(off)), [], "a mutating call was made")
        self.assertTrue(self.table_exists(name))
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")

    def test_protection_switched_on_outside_then_destroy(self):
        name = "outside-protect"
        d = self.workdir("outprot", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        self.ddb.update_table(TableName=name, DeletionProtectionEnabled=True)
        off = self.emu.log_offset()
        # -refresh=false: the state still says unprotected, so only the apply-time check stands.
        r = self.tf(d, "destroy", "-auto-approve", "-input=false", "-refresh=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("protected against deletion", r.text)
        self.assertEqual(mutating(self.emu.calls(off)), [])
        self.assertTrue(self.table_exists(name))
        self.assertIsNotNone(self.stack_status(name))
        self.ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)

    def test_destroy_after_switching_protection_off(self):
        name = self.n("unprotect-then-destroy")
        d = self.workdir("unprot", table(name, "deletion_protection_enabled = true"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 3)
        self.write(d, table(name, "deletion_protection_enabled = false"))
        self.apply(d)
        self.assertTrue(self.table_exists(name))
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))
        self.assertIsNone(self.stack_status(name))

    def test_retain_on_destroy_keeps_items(self):
        # Against an account this leaves the retained table: scripts/sweep.sh's work.
        name = self.n("retained")
        d = self.workdir("retain", table(name, "deletion_protection_enabled = false\n  retain_on_destroy = true"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 7)
        before = self.items(name)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIsNone(self.stack_status(name))
        self.assertEqual(self.items(name), before)

    def test_retain_switched_on_later_keeps_items(self):
        # A DeletionPolicy-only change: the deployed template must say Retain before the
        # stack is deleted, whatever the state says.
        name = "retained-later"
        d = self.workdir("retainlater", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 4)
        before = self.items(name)
        self.write(d, table(name, "deletion_protection_enabled = false\n  retain_on_destroy = true"))
        self.apply(d)
        tpl = self.cfn.get_template(StackName=name)["TemplateBody"]
        if not isinstance(tpl, str):
            import json as _json
            tpl = _json.dumps(tpl)
        self.assertIn('"Retain"', tpl.replace("'", '"'))
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIsNone(self.stack_status(name))
        self.assertEqual(self.items(name), before)

    def test_importing_stack_named_before_delete(self):
        name = "exported"
        d = self.workdir("exports", table(name, "deletion_protection_enabled = false"))
        self.init(d)
        self.apply(d)
        # Another stack imports this stack's TableArn export.
        self.cfn.create_stack(StackName="consumer-stack", TemplateBody='''{
          "Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
          "Outputs": {"Used": {"Value": {"Fn::ImportValue": "exported-TableArn"}}}}''')
        self.cfn.get_waiter("stack_create_complete").wait(StackName="consumer-stack", WaiterConfig={"Delay": 1})
        off = self.emu.log_offset()
        r = self.tf(d, "destroy", "-auto-approve", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("consumer-stack", r.text)
        self.assertEqual(mutating(self.emu.calls(off)), [])
        self.assertTrue(self.table_exists(name))
        self.cfn.delete_stack(StackName="consumer-stack")
        self.cfn.get_waiter("stack_delete_complete").wait(StackName="consumer-stack", WaiterConfig={"Delay": 1})
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))

    def test_protected_replacement_refused_at_plan(self):
        name = "protected-replace"
        d = self.workdir("protrepl", table(name, "deletion_protection_enabled = true"))
        self.init(d)
        self.apply(d)
        self.write(d, table(name, "deletion_protection_enabled = true").replace('"id"', '"pk"'))
        off = self.emu.log_offset()
        r = self.tf(d, "apply", "-auto-approve", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("protected against deletion", r.text)
        self.assertEqual(mutating(self.emu.calls(off)), [])


if __name__ == "__main__":
    unittest.main()
