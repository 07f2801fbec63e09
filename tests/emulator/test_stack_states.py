"""Stack states AWS can produce: failed rollbacks, ContinueUpdateRollback, import shells, and
what each state forbids; no aws:cloudformation:* system tags on tables."""
import json
import unittest

from emutest import EmulatorTestCase, table_template, uniq


class StackStatesTest(EmulatorTestCase):
    def test_update_rollback_failed_then_continue(self):
        table, stack = uniq("rbf"), uniq("rbf")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.emu.add_fault(kind="fail_stack", stack=stack, reason="boom", rollback="fail",
                           rollback_reason="rollback boom")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_ROLLBACK_FAILED")
        evs = self.reasons(stack)
        self.assertIn(("Table", "UPDATE_FAILED", "boom"), evs)
        self.assertIn(("Table", "UPDATE_FAILED", "rollback boom"), evs)
        s = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        # an UPDATE_ROLLBACK_FAILED stack can not be updated
        for call in (lambda: self.cfn.update_stack(StackName=stack, TemplateBody=table_template(table)),
                     lambda: self.cfn.create_change_set(StackName=stack, ChangeSetName="x",
                                                        TemplateBody=table_template(table))):
            with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
                call()
            self.assertEqual(cm.exception.response["Error"]["Message"],
                             f"Stack:{s['StackId']} is in UPDATE_ROLLBACK_FAILED state and can not be updated.")
        with self.assertRaises(self.cfn.exceptions.ClientError):  # only failed resources can be skipped
            self.cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=["Nope"])
        self.cfn.continue_update_rollback(StackName=stack, ClientRequestToken="cont-1")
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertEqual(s["LastOperations"][0]["OperationType"], "CONTINUE_ROLLBACK")
        self.assertFalse(self.ddb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"])
        self.deploy(stack, table_template(table, Tags=[{"Key": "a", "Value": "b"}]), "UPDATE",
                    expect="UPDATE_COMPLETE")

    def test_continue_rollback_skipping_resource(self):
        table, stack = uniq("rbs"), uniq("rbs")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.emu.add_fault(kind="fail_stack", stack=stack, rollback="fail")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_ROLLBACK_FAILED")
        self.cfn.continue_update_rollback(StackName=stack, ResourcesToSkip=["Table"])
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(("Table", "UPDATE_COMPLETE", "Resource skipped during rollback"), self.reasons(stack))

    def test_continue_rollback_refused_in_other_states(self):
        stack = uniq("rbo")
        self.deploy(stack, table_template(uniq("t")), expect="CREATE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.continue_update_rollback(StackName=stack)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")

    def test_create_rollback_failed(self):
        stack = uniq("crf")
        self.emu.add_fault(kind="fail_stack", stack=stack, rollback="fail", rollback_reason="cannot delete")
        tpl = json.dumps({"Resources": {"H": {"Type": "AWS::CloudFormation::WaitConditionHandle"},
                                        "Table": json.loads(table_template(uniq("t")))["Resources"]["Table"]}})
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=tpl)
        self.wait_change_set(stack, "c")
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="c")
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "ROLLBACK_FAILED")
        self.assertIn("cannot delete", [r[2] for r in self.reasons(stack) if r[1] == "DELETE_FAILED"])

    def test_import_failure_leaves_import_rollback_complete_shell(self):
        stack, table = uniq("imp"), uniq("imp")
        self.create_table(table)
        self.emu.add_fault(kind="fail_stack", stack=stack, reason="import boom")
        tpl = table_template(table, deletion_policy="Retain")
        rti = [{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": "Table",
                "ResourceIdentifier": {"TableName": table}}]
        self.cfn.create_change_set(StackName=stack, ChangeSetName="i1", ChangeSetType="IMPORT",
                                   TemplateBody=tpl, ResourcesToImport=rti)
        self.wait_change_set(stack, "i1")
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="i1")
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "IMPORT_ROLLBACK_COMPLETE")
        self.assertEqual(self.cfn.list_stack_resources(StackName=stack)["StackResourceSummaries"], [])
        # the table is untouched and the shell takes a new IMPORT change set
        self.ddb.describe_table(TableName=table)
        self.deploy(stack, tpl, "IMPORT", expect="IMPORT_COMPLETE", ResourcesToImport=rti)

    def test_import_rollback_failed(self):
        stack, table = uniq("imf"), uniq("imf")
        self.create_table(table)
        self.emu.add_fault(kind="fail_stack", stack=stack, rollback="fail")
        tpl = table_template(table, deletion_policy="Retain")
        rti = [{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": "Table",
                "ResourceIdentifier": {"TableName": table}}]
        self.cfn.create_change_set(StackName=stack, ChangeSetName="i1", ChangeSetType="IMPORT",
                                   TemplateBody=tpl, ResourcesToImport=rti)
        self.wait_change_set(stack, "i1")
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="i1")
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "IMPORT_ROLLBACK_FAILED")

    def test_no_cloudformation_system_tags_on_tables(self):
        stack, table = uniq("sys"), uniq("sys")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE", Tags=[{"Key": "team", "Value": "x"}])
        arn = self.ddb.describe_table(TableName=table)["Table"]["TableArn"]
        tags = {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"team": "x"})  # stack tags propagate, aws:cloudformation:* do not


if __name__ == "__main__":
    unittest.main()
