"""DeleteStack: deletion protection -> DELETE_FAILED, Retain, RetainResources, deleted stacks."""
import re
import unittest

from emutest import EmulatorTestCase, table_template, uniq

PROTECTED_RE = re.compile(
    r'^Resource handler returned message: "Resource cannot be deleted as it is currently protected '
    r'against deletion\. Disable deletion protection first\." \(RequestToken: '
    r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}, HandlerErrorCode: InvalidRequest\)$')


class DeleteTest(EmulatorTestCase):
    def test_protected_table_delete_failed_then_unprotect(self):
        table, stack = uniq("prot"), uniq("prot")
        s = self.deploy(stack, table_template(table, DeletionProtectionEnabled=True),
                        expect="CREATE_COMPLETE")
        stack_id = s["StackId"]
        self.put_items(table, 3)
        mark = self.emu.log_mark()
        self.cfn.delete_stack(StackName=stack)  # accepted
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "DELETE_FAILED")
        self.assertEqual(s["StackStatusReason"], "The following resource(s) failed to delete: [Table]. ")
        ev = self.reasons(stack)
        table_fail = [r for r in ev if r[0] == "Table" and r[1] == "DELETE_FAILED"]
        self.assertRegex(table_fail[0][2], PROTECTED_RE)
        stack_rows = [r for r in ev if r[0] == stack]
        self.assertEqual(stack_rows[0][1:], ("DELETE_FAILED", "The following resource(s) failed to delete: [Table]. "))
        self.assertIn(("DELETE_IN_PROGRESS", "User Initiated"), [r[1:] for r in stack_rows])
        # nothing was deleted
        self.assertEqual(len(self.scan(table)), 3)
        res = self.cfn.describe_stack_resources(StackName=stack)["StackResources"][0]
        self.assertEqual(res["ResourceStatus"], "DELETE_FAILED")
        recs = self.emu.log_records_since(mark)
        self.assertEqual([r["error"] for r in recs if r["operation"] == "DeleteStack"], [None])
        # a DELETE_FAILED stack cannot be updated
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.create_change_set(StackName=stack, ChangeSetName="x", TemplateBody=table_template(table))
        # switch protection off directly, delete again -> gone
        self.ddb.update_table(TableName=table, DeletionProtectionEnabled=False)
        self.cfn.delete_stack(StackName=stack)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertNotIn(table, self.ddb.list_tables()["TableNames"])
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.describe_stacks(StackName=stack)
        self.assertEqual(cm.exception.response["Error"]["Message"], f"Stack with id {stack} does not exist")
        s = self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        self.assertEqual(s["StackStatus"], "DELETE_COMPLETE")
        self.assertIn("DeletionTime", s)
        self.assertEqual(self.cfn.describe_stack_events(StackName=stack_id)["StackEvents"][0]["ResourceStatus"],
                         "DELETE_COMPLETE")

    def test_retain_resources_only_when_delete_failed(self):
        table, stack = uniq("keep"), uniq("keep")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), expect="CREATE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.delete_stack(StackName=stack, RetainResources=["Table"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "CREATE_COMPLETE")
        self.cfn.delete_stack(StackName=stack)
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "DELETE_FAILED")
        self.put_items(table, 2)
        self.cfn.delete_stack(StackName=stack, RetainResources=["Table"])
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(len(self.scan(table)), 2)
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stack_resources(PhysicalResourceId=table)

    def test_retain_policy_keeps_table(self):
        table, stack = uniq("retain"), uniq("retain")
        self.deploy(stack, table_template(table, deletion_policy="Retain"), expect="CREATE_COMPLETE")
        self.put_items(table, 2)
        self.cfn.delete_stack(StackName=stack)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertEqual(len(self.scan(table)), 2)
        stacks = self.cfn.list_stacks(StackStatusFilter=["DELETE_COMPLETE"])["StackSummaries"]
        sid = [x["StackId"] for x in stacks if x["StackName"] == stack][0]
        statuses = [(e["LogicalResourceId"], e["ResourceStatus"])
                    for e in self.cfn.describe_stack_events(StackName=sid)["StackEvents"]]
        self.assertIn(("Table", "DELETE_SKIPPED"), statuses)

    def test_unprotect_through_stack_update_then_delete(self):
        table, stack = uniq("upd-prot"), uniq("upd-prot")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), expect="CREATE_COMPLETE")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=False), "UPDATE",
                    expect="UPDATE_COMPLETE")
        self.cfn.delete_stack(StackName=stack)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.assertNotIn(table, self.ddb.list_tables()["TableNames"])

    def test_delete_missing_stack_and_review_stack(self):
        self.cfn.delete_stack(StackName=uniq("never"))  # AWS: no error
        stack = uniq("review")
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE",
                                   TemplateBody=table_template(uniq("r")))
        self.cfn.delete_stack(StackName=stack)
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stacks(StackName=stack)

    def test_direct_delete_table_protected_message(self):
        table = uniq("direct")
        self.create_table(table, DeletionProtectionEnabled=True)
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.delete_table(TableName=table)
        self.assertEqual(cm.exception.response["Error"],
                         {"Code": "ValidationException",
                          "Message": "Resource cannot be deleted as it is currently protected against "
                                     "deletion. Disable deletion protection first."})

    def test_termination_protection(self):
        table, stack = uniq("term"), uniq("term")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.cfn.update_termination_protection(StackName=stack, EnableTerminationProtection=True)
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.delete_stack(StackName=stack)
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         f"Stack [{stack}] cannot be deleted while TerminationProtection is enabled")


if __name__ == "__main__":
    unittest.main()
