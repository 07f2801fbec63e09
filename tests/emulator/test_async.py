"""Asynchronous progress (--delay-seconds and POST /_emulator/config) seen by boto3 waiters."""
import time
import unittest

from emutest import EmulatorTestCase, table_template, uniq

FAST = {"Delay": 1, "MaxAttempts": 30}


class AsyncTest(EmulatorTestCase):
    delay_seconds = 1.5

    def setUp(self):
        self.emu.set_delay(1.5)

    def test_operations_stay_in_progress(self):
        stack, table = uniq("slow"), uniq("slow")
        t0 = time.time()
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE",
                                   TemplateBody=table_template(table))
        d = self.cfn.describe_change_set(StackName=stack, ChangeSetName="c")
        self.assertIn(d["Status"], ("CREATE_PENDING", "CREATE_IN_PROGRESS"))
        self.assertEqual(d["ExecutionStatus"], "UNAVAILABLE")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.execute_change_set(StackName=stack, ChangeSetName="c")
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidChangeSetStatus")
        self.cfn.get_waiter("change_set_create_complete").wait(StackName=stack, ChangeSetName="c",
                                                               WaiterConfig=FAST)
        self.assertGreaterEqual(time.time() - t0, 1.4)
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="c")
        s = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        self.assertEqual(s["StackStatus"], "CREATE_IN_PROGRESS")
        self.assertNotIn(table, self.ddb.list_tables()["TableNames"])
        t1 = time.time()
        self.cfn.get_waiter("stack_create_complete").wait(StackName=stack, WaiterConfig=FAST)
        self.assertGreaterEqual(time.time() - t1, 1.0)
        self.assertIn(table, self.ddb.list_tables()["TableNames"])
        # a second operation on a busy stack is refused
        self.cfn.delete_stack(StackName=stack)
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"],
                         "DELETE_IN_PROGRESS")
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.create_change_set(StackName=stack, ChangeSetName="u", TemplateBody=table_template(table))
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig=FAST)
        self.assertNotIn(table, self.ddb.list_tables()["TableNames"])

    def test_import_in_progress_then_complete(self):
        stack, table = uniq("slowimp"), uniq("slowimp")
        self.create_table(table)
        self.cfn.create_change_set(
            StackName=stack, ChangeSetName="i", ChangeSetType="IMPORT",
            TemplateBody=table_template(table, deletion_policy="Retain"),
            ResourcesToImport=[{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": "Table",
                                "ResourceIdentifier": {"TableName": table}}])
        self.cfn.get_waiter("change_set_create_complete").wait(StackName=stack, ChangeSetName="i",
                                                               WaiterConfig=FAST)
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="i")
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"],
                         "IMPORT_IN_PROGRESS")
        self.cfn.get_waiter("stack_import_complete").wait(StackName=stack, WaiterConfig=FAST)

    def test_runtime_delay_change(self):
        self.emu.set_delay(0)
        self.assertEqual(self.emu.state()["config"]["delay_seconds"], 0)
        stack = uniq("fast")
        self.cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("fast")))
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"],
                         "CREATE_COMPLETE")


if __name__ == "__main__":
    unittest.main()
