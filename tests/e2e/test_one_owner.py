"""End to end (data safety, part 3): one owner per table — across states, workspaces,
addresses and interruptions (docs/resource.md, "One owner per table").

Each test is one path that deleted a table or made a plan say something false before owner
ids: a second workspace, two resources naming one table, an interrupted create, a renamed
address, a stack left in DELETE_FAILED, `terraform taint`. Each counts the items before and
after, checks that a refusal changed nothing (no mutating call reached AWS), and then takes
the refusal's advice literally and checks that it works.
"""
import json
import os
import signal
import subprocess
import time
import unittest

from harness import E2ETestCase, mutating

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TABLE = '''
variable "protect" {
  type    = bool
  default = true
}
resource "dynamodb_ttl_table" "%(addr)s" {
  name                        = "%(name)s"
  hash_key                    = { name = "id", type = "S" }
  deletion_protection_enabled = var.protect
  %(extra)s
}
'''


def table(name, addr="t", extra=""):
    return TABLE % {"name": name, "addr": addr, "extra": extra}


class OneOwner(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()
        self.emu.set_delay(0)

    def assert_untouched(self, mark):
        self.assertEqual(mutating(self.emu.calls(mark)), [], "a refusal changed something")

    def in_state(self, d):
        r = self.tf(d, "state", "list")
        return r.out.split() if r.rc == 0 else []

    def wait_settled(self, stack, timeout=120):
        """Wait for the event "the stack left *_IN_PROGRESS" (polled: DescribeStacks is the
        only notification CloudFormation offers)."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.stack_status(stack)
            if not (st or "").endswith("_IN_PROGRESS"):
                return st
            if time.monotonic() >= deadline:
                self.fail(f"stack {stack} still {st} after {timeout} s")
            time.sleep(0.2)

    # -- 1. a second workspace, a second state ----------------------------------------

    def test_second_workspace_never_takes_over(self):
        name = "owner-ws"
        d = self.workdir("ws", table(name))
        self.init(d)
        self.apply(d)
        self.put_items(name, 9)
        before = self.items(name)
        self.tf(d, "workspace", "new", "staging", check=0)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Table is managed by another resource", r.text)
        self.assertIn("owner id", r.text)
        self.assertIn("terraform import <address> %s/%s" % (name, name), r.text)
        self.assert_untouched(mark)
        # Staging's destroy with protection off has nothing of the table to delete.
        self.tf(d, "destroy", "-auto-approve", "-input=false", "-var", "protect=false", check=0)
        self.assertEqual(self.items(name), before)
        # The advice, literally: leave it to the default workspace, or move it here.
        self.tf(d, "workspace", "select", "default", check=0)
        self.tf(d, "state", "rm", "dynamodb_ttl_table.t", check=0)
        self.tf(d, "workspace", "select", "staging", check=0)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", f"{name}/{name}", check=0)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    def test_second_working_directory_never_takes_over(self):
        name = "owner-dir"
        a = self.workdir("dir-a", table(name, extra="tags = { team = \"a\" }"))
        b = self.workdir("dir-b", table(name, extra="tags = { team = \"b\" }"))
        self.init(a)
        self.init(b)
        self.apply(a)
        self.put_items(name, 5)
        before = self.items(name)
        mark = self.emu.log_offset()
        r = self.tf(b, "plan", "-input=false", check=1)
        self.assertIn("Table is managed by another resource", r.text)
        self.assert_untouched(mark)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(a).rc, 0)

    # -- 1b, 4. two resources naming one table ------------------------------------------

    def test_two_resources_one_table_refused_at_plan(self):
        name = "owner-twice"
        body = table(name, addr="a") + table(name, addr="b").replace('variable "protect"', 'variable "unused"')
        d = self.workdir("twice", body)
        self.init(d)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Two resources create one table", r.text)
        self.assert_untouched(mark)
        self.assertFalse(self.table_exists(name))
        self.assertEqual(self.in_state(d), [])

    def test_two_resources_different_stacks_refused_at_plan(self):
        name = "owner-twice-stacks"
        body = (table(name, addr="a", extra='stack_name = "twice-a"') +
                table(name, addr="b", extra='stack_name = "twice-b"').replace('variable "protect"',
                                                                              'variable "unused"'))
        d = self.workdir("twice-stacks", body)
        self.init(d)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Two resources create one table", r.text)
        self.assertNotIn("2 added", r.text)
        self.assert_untouched(mark)
        # The advice: remove one of them.
        self.write(d, table(name, addr="a", extra='stack_name = "twice-a"'))
        self.apply(d)
        self.assertEqual(self.in_state(d), ["dynamodb_ttl_table.a"])
        self.assertEqual(self.stack_status("twice-b"), None)

    def test_second_resource_for_a_managed_table_refused(self):
        name = "owner-added"
        d = self.workdir("added", table(name, addr="a"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 4)
        before = self.items(name)
        self.write(d, table(name, addr="a") +
                   table(name, addr="b", extra='stack_name = "added-b"').replace('variable "protect"',
                                                                                'variable "unused"'))
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Another resource manages this table", r.text)
        self.assert_untouched(mark)
        # Added one after the other: the apply of the second is refused on AWS's facts too.
        self.assertEqual(self.items(name), before)

    # -- 2. an interrupted create ---------------------------------------------------

    def _interrupt_create(self, d, protect):
        """Apply, and press Ctrl-C once the stack is being created."""
        self.emu.set_delay(6)
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "apply", "-auto-approve", "-input=false",
                              "-no-color", "-var", f"protect={'true' if protect else 'false'}"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            mark = self.wait_for_call(mark, "ExecuteChangeSet")
            self.wait_for_call(mark, "DescribeStacks")
        except BaseException:
            p.kill()
            p.communicate()
            raise
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=120)
        self.assertNotEqual(p.returncode, 0, out)
        return " ".join(out.split())

    def _check_interrupted_then_untaint(self, d, name, protect):
        out = self._interrupt_create(d, protect)
        self.assertIn("untaint", out)
        self.emu.set_delay(0)
        st = json.loads(self.tf(d, "show", "-json", check=0).out)
        res = st["values"]["root_module"]["resources"]
        self.assertEqual(len(res), 1, "the interrupted create was not recorded")
        self.assertTrue(res[0]["values"]["stack_id"].startswith("arn:aws:cloudformation:"))
        self.assertTrue(res[0]["values"]["owner_id"])
        # The stack finishes on its own; items arrive.
        self.assertEqual(self.wait_settled(name), "CREATE_COMPLETE")
        self.put_items(name, 6)
        before = self.items(name)
        # Terraform tainted it: the replacement would delete the table; the plan refuses.
        mark = self.emu.log_offset()
        r = self.apply(d, "-var", f"protect={'true' if protect else 'false'}", check=1)
        self.assertIn("terraform untaint", r.text)
        self.assertNotIn("switched on outside Terraform", r.text)
        self.assert_untouched(mark)
        self.assertEqual(self.items(name), before)
        # The advice, literally.
        self.tf(d, "untaint", "dynamodb_ttl_table.t", check=0)
        self.apply(d, "-var", f"protect={'true' if protect else 'false'}")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d, "-var", f"protect={'true' if protect else 'false'}").rc, 0)

    def test_ctrl_c_during_create_then_untaint(self):
        name = "owner-ctrlc"
        d = self.workdir("ctrlc", table(name))
        self.init(d)
        self._check_interrupted_then_untaint(d, name, protect=False)

    def test_ctrl_c_during_protected_create_then_untaint(self):
        name = "owner-ctrlc-prot"
        d = self.workdir("ctrlc-prot", table(name))
        self.init(d)
        self._check_interrupted_then_untaint(d, name, protect=True)

    def test_create_timeout_then_untaint(self):
        name = "owner-timeout"
        d = self.workdir("timeout", table(name, extra='timeouts = { create = "9s" }'))
        self.init(d)
        # The change set takes 6 s and the stack 6 more: the deadline falls while the
        # stack is being created.
        self.emu.set_delay(6)
        r = self.apply(d, "-var", "protect=false", check=1)
        self.assertIn("Create interrupted, table recorded", r.text)
        self.assertIn("terraform untaint", r.text)
        self.emu.set_delay(0)
        self.assertEqual(self.wait_settled(name), "CREATE_COMPLETE")
        self.put_items(name, 3)
        before = self.items(name)
        mark = self.emu.log_offset()
        r = self.apply(d, "-var", "protect=false", check=1)
        self.assertIn("terraform untaint", r.text)
        self.assert_untouched(mark)
        self.tf(d, "untaint", "dynamodb_ttl_table.t", check=0)
        self.apply(d, "-var", "protect=false")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d, "-var", "protect=false").rc, 0)

    # -- 3. a renamed address, a re-indexed count ---------------------------------------

    def test_renamed_address_refused_then_moved(self):
        name = "owner-renamed"
        d = self.workdir("renamed", table(name, addr="old"))
        self.init(d)
        self.apply(d, "-var", "protect=false")
        self.put_items(name, 8)
        before = self.items(name)
        self.write(d, table(name, addr="new"))
        mark = self.emu.log_offset()
        r = self.apply(d, "-var", "protect=false", check=1)
        self.assertIn("moved", r.text)
        self.assert_untouched(mark)
        self.assertEqual(self.items(name), before)
        # The advice, literally: a moved block from the old address to the new one.
        self.write(d, table(name, addr="new") +
                   "moved {\n  from = dynamodb_ttl_table.old\n  to   = dynamodb_ttl_table.new\n}\n")
        self.apply(d, "-var", "protect=false")
        self.assertEqual(self.in_state(d), ["dynamodb_ttl_table.new"])
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d, "-var", "protect=false").rc, 0)

    def test_count_reindexed_refused_then_state_mv(self):
        names = ["owner-idx-a", "owner-idx-b"]
        body = '''
resource "dynamodb_ttl_table" "t" {
  count                       = length(var.names)
  name                        = var.names[count.index]
  hash_key                    = { name = "id", type = "S" }
  deletion_protection_enabled = false
}
variable "names" {
  type    = list(string)
  default = %s
}
'''
        d = self.workdir("reindex", body % json.dumps(names))
        self.init(d)
        self.apply(d)
        self.put_items(names[1], 5)
        before = self.items(names[1])
        # The first table leaves the list: index 0 now names the second table.
        self.write(d, body % json.dumps(names[1:]))
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Table is destroyed at one address and created at another", r.text)
        self.assert_untouched(mark)
        self.assertEqual(self.items(names[1]), before)
        # The advice, literally: the new address still holds another table, so take that
        # one out of the way first (state rm keeps its table), then move the state.
        self.tf(d, "state", "rm", "dynamodb_ttl_table.t[0]", check=0)
        self.tf(d, "state", "mv", "dynamodb_ttl_table.t[1]", "dynamodb_ttl_table.t[0]", check=0)
        self.apply(d)
        self.assertTrue(self.table_exists(names[0]), "a table the user did not ask to delete")
        self.assertEqual(self.items(names[1]), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- 5. a stack left in DELETE_FAILED ---------------------------------------------

    def test_delete_failed_stack_is_recovered(self):
        name = "owner-delfail"
        d = self.workdir("delfail", table(name))
        self.init(d)
        self.apply(d)
        self.put_items(name, 10)
        before = self.items(name)
        old_id = self.state(d, "dynamodb_ttl_table.t")["stack_id"]
        # Someone deletes the stack in the console; protection keeps the table.
        self.cfn.delete_stack(StackName=name)
        self.assertEqual(self.stack_status(name), "DELETE_FAILED")
        r = self.tf(d, "plan", "-input=false", "-detailed-exitcode", check=2)
        self.assertIn("Stack will be recovered from DELETE_FAILED", r.text)
        self.apply(d)
        self.assertEqual(self.items(name), before)
        new = self.state(d, "dynamodb_ttl_table.t")
        self.assertNotEqual(new["stack_id"], old_id)
        self.assertIn(self.stack_status(name), ("IMPORT_COMPLETE", "UPDATE_COMPLETE"))
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        # Protection still holds: destroy is refused, as it says.
        r = self.tf(d, "destroy", "-auto-approve", "-input=false", check=1)
        self.assertIn("deletion_protection_enabled", r.text)
        self.assertEqual(self.items(name), before)

    # -- 6. terraform taint ---------------------------------------------------------------

    def test_taint_with_protection_refused_at_plan(self):
        name = "owner-taint"
        d = self.workdir("taint", table(name))
        self.init(d)
        self.apply(d)
        self.put_items(name, 6)
        before = self.items(name)
        self.tf(d, "taint", "dynamodb_ttl_table.t", check=0)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("terraform untaint", r.text)
        self.assertNotIn("switched on outside Terraform", r.text)
        self.assert_untouched(mark)
        self.tf(d, "untaint", "dynamodb_ttl_table.t", check=0)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    def test_taint_without_protection_untaint_then_replace(self):
        name = "owner-taint-off"
        d = self.workdir("taint-off", table(name))
        self.init(d)
        self.apply(d, "-var", "protect=false")
        self.put_items(name, 2)
        self.tf(d, "taint", "dynamodb_ttl_table.t", check=0)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false", "-var", "protect=false", check=1)
        self.assertIn("terraform apply -replace", r.text)
        self.assert_untouched(mark)
        # The advice: untaint, then replace on purpose (the user asks for the delete).
        self.tf(d, "untaint", "dynamodb_ttl_table.t", check=0)
        self.apply(d, "-var", "protect=false", "-replace=dynamodb_ttl_table.t")
        self.assertEqual(self.items(name), [])
        self.assertEqual(self.plan_exitcode(d, "-var", "protect=false").rc, 0)

    def test_replace_with_create_before_destroy_refused_then_followed(self):
        """`apply -replace` of a resource with create_before_destroy: the plan shows the
        replacement (a provider is not told the lifecycle), the apply refuses before it
        changes anything (its second plan of the new object has no private data naming the
        replaced owner), and the refusal's advice, followed literally, replaces the table."""
        name = "owner-cbd"
        cbd = "lifecycle {\n    create_before_destroy = true\n  }"
        d = self.workdir("cbd", table(name, extra=cbd))
        self.init(d)
        self.apply(d, "-var", "protect=false")
        self.put_items(name, 3)
        before = self.items(name)
        mark = self.emu.log_offset()
        r = self.apply(d, "-var", "protect=false", "-replace=dynamodb_ttl_table.t", check=1)
        self.assertIn("Table is managed by another resource", r.text)
        self.assertIn("Remove create_before_destroy, bring the table back with terraform state rm "
                      "<address>, then terraform import <address> %s/%s" % (name, name), " ".join(r.text.split()))
        self.assert_untouched(mark)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.in_state(d), ["dynamodb_ttl_table.t"])
        # The advice: without create_before_destroy, the table brought back as the
        # resource's object (Terraform left it deposed), then the replacement asked for.
        self.write(d, table(name))
        self.tf(d, "state", "rm", "dynamodb_ttl_table.t", check=0)
        self.tf(d, "import", "-input=false", "-var", "protect=false", "dynamodb_ttl_table.t", f"{name}/{name}", check=0)
        self.assertEqual(self.plan_exitcode(d, "-var", "protect=false").rc, 0)
        self.assertEqual(self.items(name), before)
        self.apply(d, "-var", "protect=false", "-replace=dynamodb_ttl_table.t")
        self.assertEqual(self.items(name), [])
        self.assertEqual(self.plan_exitcode(d, "-var", "protect=false").rc, 0)

    # -- the rest of the refusals' advice ----------------------------------------------

    def test_table_in_another_stack_advice_is_followable(self):
        name = "owner-elsewhere"
        self.cfn.create_stack(StackName="hand-made", TemplateBody=json.dumps({
            "Resources": {"Keys": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
                "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}}}))
        self.put_items(name, 7)
        before = self.items(name)
        d = self.workdir("elsewhere", table(name))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn('set stack_name = "hand-made"', r.text)
        self.assertIn("terraform import <address> hand-made/%s" % name, r.text)
        self.assert_untouched(mark)
        # The advice, literally: no circle back to "belongs to someone else".
        self.write(d, table(name, extra='stack_name = "hand-made"\n  retain_on_destroy = true'))
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", f"hand-made/{name}", check=0)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    def test_table_adopted_elsewhere_advice_is_no_circle(self):
        # A table imported into this state while in no stack, then adopted by someone into
        # a hand-made stack: the advice (set stack_name, state rm, import) leads somewhere,
        # not to "belongs to someone else, choose another stack_name".
        name = "owner-adopted-elsewhere"
        self.create_table(name)
        self.put_items(name, 5)
        before = self.items(name)
        d = self.workdir("adopted-elsewhere", table(name))
        self.init(d)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", name, check=0)
        tpl = {"Resources": {"Keys": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                                      "Properties": {
                                          "TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                          "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                          "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}}}
        self.cfn.create_change_set(StackName="by-hand", ChangeSetName="adopt", ChangeSetType="IMPORT",
                                   TemplateBody=json.dumps(tpl),
                                   ResourcesToImport=[{"ResourceType": "AWS::DynamoDB::Table",
                                                       "LogicalResourceId": "Keys",
                                                       "ResourceIdentifier": {"TableName": name}}])
        self.cfn.get_waiter("change_set_create_complete").wait(StackName="by-hand", ChangeSetName="adopt",
                                                               WaiterConfig={"Delay": 1})
        self.cfn.execute_change_set(StackName="by-hand", ChangeSetName="adopt")
        self.assertEqual(self.wait_settled("by-hand"), "IMPORT_COMPLETE")
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Table belongs to another stack", r.text)
        self.assertIn('set stack_name = "by-hand"', r.text)
        self.assertIn("terraform state rm <address>, then terraform import <address> by-hand/%s" % name, r.text)
        self.assert_untouched(mark)
        # The advice, literally.
        self.write(d, table(name, extra='stack_name = "by-hand"'))
        self.tf(d, "state", "rm", "dynamodb_ttl_table.t", check=0)
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", f"by-hand/{name}", check=0)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    def test_destroy_with_retain_of_a_stack_changed_outside_forgets(self):
        name = "owner-retain-foreign"
        d = self.workdir("retain-foreign", table(name, extra="retain_on_destroy = true"))
        self.init(d)
        self.apply(d)
        self.put_items(name, 3)
        before = self.items(name)
        # Someone adds a queue to the stack: no longer this resource's to delete.
        tpl = json.loads(self.cfn.get_template(StackName=name)["TemplateBody"]) \
            if isinstance(self.cfn.get_template(StackName=name)["TemplateBody"], str) \
            else self.cfn.get_template(StackName=name)["TemplateBody"]
        tpl["Resources"]["Audit"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "TableName": name + "-audit", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}}
        self.cfn.update_stack(StackName=name, TemplateBody=json.dumps(tpl))
        r = self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertIn("Table kept", r.text)
        self.assertEqual(self.in_state(d), [])
        self.assertEqual(self.items(name), before)
        self.assertIsNotNone(self.stack_status(name))

    def test_import_by_table_arn(self):
        name = "owner-arn"
        self.create_table(name)
        self.put_items(name, 2)
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        d = self.workdir("arn", table(name))
        self.init(d)
        r = self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t", arn, check=0)
        self.assertIn("Import successful", r.text)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(len(self.items(name)), 2)

    def test_ctrl_c_during_update_is_reported_as_interrupted(self):
        name = "owner-update-ctrlc"
        d = self.workdir("update-ctrlc", table(name))
        self.init(d)
        self.apply(d)
        self.write(d, table(name, extra='tags = { team = "blue" }'))
        self.emu.set_delay(6)
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "apply", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            self.wait_for_call(mark, "CreateChangeSet")
        except BaseException:
            p.kill()
            p.communicate()
            raise
        p.send_signal(signal.SIGINT)
        out, _ = p.communicate(timeout=120)
        text = " ".join(out.split())
        self.assertIn("Updating the table was interrupted", text)
        self.assertNotIn("failed was interrupted", text)
        self.emu.set_delay(0)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)


class LegacyUpgrade(E2ETestCase):
    """A state written by release 0.1.0, before owner ids (tests/e2e/fixtures/release-0.1.0):
    the first plan and apply record the owner on the stack the state names, with no
    replacement and no change to the table."""

    def test_state_of_the_previous_release_upgrades_in_place(self):
        fixtures = os.path.join(ROOT, "tests/e2e/fixtures/release-0.1.0")
        with open(os.path.join(fixtures, "template.json")) as f:
            template = f.read()
        with open(os.path.join(fixtures, "terraform.tfstate")) as f:
            state = json.load(f)
        name = "legacy-keys"
        self.cfn.create_stack(StackName=name, TemplateBody=template, Tags=[{"Key": "app", "Value": "firefly"}])
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")
        stack_id = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
        self.put_items(name, 12)
        before = self.items(name)
        attrs = state["resources"][0]["instances"][0]["attributes"]
        attrs["stack_id"] = stack_id
        attrs["arn"] = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.assertNotIn("owner_id", attrs)
        d = self.workdir("legacy", '''
resource "dynamodb_ttl_table" "t" {
  name                        = "legacy-keys"
  hash_key                    = { name = "id", type = "S" }
  ttl                         = { attribute_name = "expires_at", enabled = true }
  deletion_protection_enabled = true
  tags                        = { app = "firefly" }
}
''')
        with open(os.path.join(d, "terraform.tfstate"), "w") as f:
            json.dump(state, f)
        self.init(d)
        r = self.tf(d, "plan", "-input=false", "-detailed-exitcode", check=2)
        self.assertIn("owner_id", r.text)
        self.assertIn("1 to change, 0 to destroy", r.text)
        self.assertIn("Owner will be recorded on the stack", r.text)
        mark = self.emu.log_offset()
        self.apply(d)
        calls = [c["operation"] for c in mutating(self.emu.calls(mark))]
        self.assertNotIn("DeleteStack", calls)
        self.assertNotIn("DeleteTable", calls)
        self.assertNotIn("UpdateTable", calls)
        owner = self.state(d, "dynamodb_ttl_table.t")["owner_id"]
        self.assertTrue(owner)
        tpl = self.cfn.get_template(StackName=name)["TemplateBody"]
        tpl = tpl if isinstance(tpl, dict) else json.loads(tpl)
        self.assertEqual(tpl["Resources"]["Table"]["Metadata"]["TerraformProviderDynamoDB"]["Owner"], owner)
        self.assertEqual(self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"], stack_id)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)


if __name__ == "__main__":
    unittest.main()
