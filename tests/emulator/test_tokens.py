"""Idempotency tokens, OperationId, and retried operations answered as AWS answers them."""
import unittest

from emutest import EmulatorTestCase, table_template, uniq


class TokensTest(EmulatorTestCase):
    def test_events_carry_token_and_operation_id(self):
        stack, table = uniq("tok"), uniq("tok")
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE",
                                   TemplateBody=table_template(table), ClientToken="ct-1")
        self.wait_change_set(stack, "c1")
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="exec-1")
        s = self.wait_stack(stack)
        evs = self.cfn.describe_stack_events(StackName=stack)["StackEvents"]
        op_events = [e for e in evs if e["ResourceStatus"] != "REVIEW_IN_PROGRESS"]
        self.assertTrue(all(e.get("ClientRequestToken") == "exec-1" for e in op_events))
        ops = {e.get("OperationId") for e in op_events}
        self.assertEqual(len(ops), 1)
        self.assertEqual(s["LastOperations"], [{"OperationType": "CREATE_STACK", "OperationId": ops.pop()}])
        rec = [r for r in self.emu.log_records() if r["operation"] == "ExecuteChangeSet"][-1]
        self.assertEqual(rec["params"]["ClientRequestToken"], "exec-1")
        rec = [r for r in self.emu.log_records() if r["operation"] == "CreateChangeSet"][-1]
        self.assertEqual(rec["params"]["ClientToken"], "ct-1")

    def test_create_change_set_retry_same_name(self):
        stack = uniq("tok")
        kw = dict(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE",
                  TemplateBody=table_template(uniq("t")), ClientToken="same")
        self.cfn.create_change_set(**kw)
        for token in ("same", "other"):  # stricter choice: AlreadyExists even with the same token
            with self.assertRaises(self.cfn.exceptions.AlreadyExistsException):
                self.cfn.create_change_set(**dict(kw, ClientToken=token))

    def test_execute_retry_after_execution(self):
        stack = uniq("tok")
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE",
                                   TemplateBody=table_template(uniq("t")))
        self.wait_change_set(stack, "c1")
        self.cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="x1")
        self.wait_stack(stack)
        for token in ("x1", "x2"):
            with self.assertRaises(self.cfn.exceptions.InvalidChangeSetStatusException) as cm:
                self.cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken=token)
            self.assertRegex(cm.exception.response["Error"]["Message"],
                             r"^ChangeSet \[arn:aws:cloudformation:.*\] cannot be executed in its "
                             r"current execution status of \[EXECUTE_COMPLETE\]$")

    def test_execute_retry_while_in_progress(self):
        self.emu.set_delay(2)
        try:
            stack = uniq("tok")
            self.cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE",
                                       TemplateBody=table_template(uniq("t")))
            self.wait_change_set(stack, "c1")
            self.cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="x1")
            with self.assertRaises(self.cfn.exceptions.InvalidChangeSetStatusException) as cm:
                self.cfn.execute_change_set(StackName=stack, ChangeSetName="c1", ClientRequestToken="x1")
            self.assertIn("[EXECUTE_IN_PROGRESS]", cm.exception.response["Error"]["Message"])
            self.wait_stack(stack)
        finally:
            self.emu.set_delay(0)

    def test_delete_stack_repeated_and_token_reuse(self):
        stack = uniq("tok")
        sid = self.cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("t")),
                                    ClientRequestToken="create-1")["StackId"]
        self.wait_stack(stack)
        # Stack operations now take an hour of emulator time: the delete stays in progress
        # until the test moves the clock, however slowly the test itself runs.
        self.emu.set_delay(3600)
        try:
            with self.assertRaises(self.cfn.exceptions.TokenAlreadyExistsException):
                self.cfn.delete_stack(StackName=stack, ClientRequestToken="create-1")
            self.cfn.delete_stack(StackName=stack, ClientRequestToken="del-1")
            self.assertEqual(self.status(sid), "DELETE_IN_PROGRESS")
            self.cfn.delete_stack(StackName=stack, ClientRequestToken="del-1")  # accepted silently
            self.cfn.delete_stack(StackName=stack)
            self.assertEqual(self.status(sid), "DELETE_IN_PROGRESS")
        finally:
            self.emu.set_delay(0)
        # The clock request runs every operation that has become due before it answers
        # (server.py, /_emulator/clock): the delete has finished when it returns.
        self.emu.advance_clock(3601)
        self.assertEqual(self.status(sid), "DELETE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stacks(StackName=stack)

    def status(self, stack_id):
        return self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]

    def test_create_update_stack_operation_ids(self):
        stack, table = uniq("tok"), uniq("tok")
        r = self.cfn.create_stack(StackName=stack, TemplateBody=table_template(table), ClientRequestToken="c1")
        self.assertTrue(r["OperationId"])
        self.wait_stack(stack)
        with self.assertRaises(self.cfn.exceptions.AlreadyExistsException):  # retried CreateStack
            self.cfn.create_stack(StackName=stack, TemplateBody=table_template(table), ClientRequestToken="c1")
        u = self.cfn.update_stack(StackName=stack, TemplateBody=table_template(table, DeletionProtectionEnabled=False),
                                  ClientRequestToken="u1")
        self.assertNotEqual(u["OperationId"], r["OperationId"])
        s = self.wait_stack(stack)
        self.assertEqual(s["LastOperations"][0], {"OperationType": "UPDATE_STACK", "OperationId": u["OperationId"]})
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:  # retried UpdateStack
            self.cfn.update_stack(StackName=stack, TemplateBody=table_template(table, DeletionProtectionEnabled=False),
                                  ClientRequestToken="u1")
        self.assertEqual(cm.exception.response["Error"]["Message"], "No updates are to be performed.")


if __name__ == "__main__":
    unittest.main()
