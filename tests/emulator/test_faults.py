"""Fault injection over the control API and from CLI flags."""
import time
import unittest

import botocore.exceptions

from emulator import Emulator
from emutest import EmulatorTestCase, table_template, uniq


class FaultsTest(EmulatorTestCase):
    def tearDown(self):
        self.emu.clear_faults()

    def test_throttle_next_n_requests(self):
        self.emu.add_fault(kind="throttle", operation="cloudformation.DescribeStacks", count=2)
        for _ in range(2):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                self.cfn.describe_stacks()
            r = cm.exception.response
            self.assertEqual((r["Error"]["Code"], r["Error"]["Message"], r["Error"]["Type"]),
                             ("Throttling", "Rate exceeded", "Sender"))
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.cfn.describe_stacks()  # third one passes
        self.emu.add_fault(kind="throttle", operation="DescribeTable", count=1)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.describe_table(TableName="x")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ThrottlingException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        recs = [r for r in self.emu.log_records() if r["fault"] == "throttle"]
        self.assertEqual(len(recs), 3)

    def test_throttle_retried_by_sdk(self):
        self.emu.add_fault(kind="throttle", operation="ListTables", count=2)
        ddb = self.emu.client("dynamodb", max_attempts=5)
        mark = self.emu.log_mark()
        ddb.list_tables()
        recs = [r for r in self.emu.log_records_since(mark) if r["operation"] == "ListTables"]
        self.assertEqual([r["status"] for r in recs], [400, 400, 200])

    def test_server_errors(self):
        self.emu.add_fault(kind="error", operation="DescribeStacks", status=503, count=1)
        self.emu.add_fault(kind="error", operation="ListTables", status=500, count=1)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.cfn.describe_stacks()
        self.assertEqual(cm.exception.response["Error"]["Code"], "ServiceUnavailable")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.ddb.list_tables()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InternalServerError")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 500)
        self.emu.add_fault(kind="error", operation="cloudformation.*", status=500, count=1)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.cfn.list_exports()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InternalFailure")

    def test_dropped_connection(self):
        self.emu.add_fault(kind="drop", operation="ListTables", count=1)
        with self.assertRaises((botocore.exceptions.ConnectionClosedError,
                                botocore.exceptions.EndpointConnectionError)):
            self.ddb.list_tables()
        self.ddb.list_tables()
        self.emu.add_fault(kind="drop", operation="ListTables", count=1)
        self.emu.client("dynamodb", max_attempts=3).list_tables()  # retried
        drops = [r for r in self.emu.log_records() if r["fault"] == "drop"]
        self.assertEqual(len(drops), 2)

    def test_request_delay(self):
        self.emu.add_fault(kind="delay", operation="ListExports", seconds=1.0, count=1)
        t0 = time.time()
        self.cfn.list_exports()
        self.assertGreaterEqual(time.time() - t0, 1.0)
        self.emu.add_fault(kind="delay", operation="ListExports", seconds=2.0, count=1)
        quick = self.emu.client("cloudformation", read_timeout=0.5)
        with self.assertRaises(botocore.exceptions.ReadTimeoutError):
            quick.list_exports()
        self.emu.set_config(request_delay=0.3)
        try:
            t0 = time.time()
            self.ddb.list_tables()
            self.assertGreaterEqual(time.time() - t0, 0.3)
        finally:
            self.emu.set_config(request_delay=0)

    def test_fail_stack_create_then_recover(self):
        stack, table = uniq("fail"), uniq("fail")
        reason = 'Resource handler returned message: "Injected by test" (HandlerErrorCode: InternalFailure)'
        self.emu.add_fault(kind="fail_stack", stack=stack, reason=reason)
        self.assertEqual(self.emu.faults()[0]["stack"], stack)
        self.deploy(stack, table_template(table), expect="ROLLBACK_COMPLETE")
        self.assertIn(("Table", "CREATE_FAILED", reason), self.reasons(stack))
        self.assertNotIn(table, self.ddb.list_tables()["TableNames"])
        self.cfn.delete_stack(StackName=stack)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=stack, WaiterConfig={"Delay": 1})
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")  # fault consumed

    def test_fail_stack_update(self):
        stack, table = uniq("failu"), uniq("failu")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.emu.add_fault(kind="fail_stack", stack=stack, reason="boom")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(("Table", "UPDATE_FAILED", "boom"), self.reasons(stack))
        self.assertFalse(self.ddb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"])
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_COMPLETE")

    def test_fail_stack_skip_fails_a_later_operation(self):
        # skip=1: the create goes through, the update after it fails (e.g. the update
        # that follows an IMPORT).
        stack, table = uniq("fails"), uniq("fails")
        self.emu.add_fault(kind="fail_stack", stack=stack, reason="second op", skip=1)
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(("Table", "UPDATE_FAILED", "second op"), self.reasons(stack))
        self.deploy(stack, table_template(table, DeletionProtectionEnabled=True), "UPDATE",
                    expect="UPDATE_COMPLETE")  # consumed

    def test_advance_clock_after_an_answer(self):
        # Time passes between two calls of a client: TTL ENABLING (3 s of emulator time)
        # is over at the next call, without the test sleeping.
        table = uniq("tick")
        self.create_table(table)
        self.ddb.update_time_to_live(TableName=table,
                                     TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
        self.emu.add_fault(kind="advance_clock", operation="DescribeTimeToLive", seconds=10)
        mark = self.emu.log_mark()
        first = self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        second = self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        self.assertEqual(first["TimeToLiveStatus"], "ENABLING")  # answered before the clock moved
        self.assertEqual(second["TimeToLiveStatus"], "ENABLED")
        self.assertEqual([r["fault"] for r in self.emu.log_records_since(mark)], ["advance_clock", None])

    def test_skip_hits_the_nth_call(self):
        # drop_response with skip 1: the first TagResource is answered, the second is
        # carried out and its answer lost, the third is answered again.
        table = uniq("skip")
        self.create_table(table)
        arn = self.ddb.describe_table(TableName=table)["Table"]["TableArn"]
        self.emu.add_fault(kind="drop_response", operation="TagResource", skip=1, count=1)
        mark = self.emu.log_mark()
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}])
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "c", "Value": "3"}])
        tags = {t["Key"]: t["Value"] for t in self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
        self.assertEqual(tags, {"a": "1", "b": "2", "c": "3"})  # the lost answer's call took effect
        got = [(r["operation"], r["fault"]) for r in self.emu.log_records_since(mark)
               if r["operation"] == "TagResource"]
        self.assertEqual(got, [("TagResource", None), ("TagResource", "drop_response"), ("TagResource", None)])
        self.assertEqual(self.emu.faults(), [])

    def test_bad_fault_rejected(self):
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.emu.add_fault(kind="nonsense")
        self.assertEqual(cm.exception.code, 400)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.emu.add_fault(kind="fail_stack", stack="s", skip=-1)
        self.assertEqual(cm.exception.code, 400)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.emu.add_fault(kind="advance_clock", operation="ListTables", seconds=-1)
        self.assertEqual(cm.exception.code, 400)


class CliFaultFlagsTest(unittest.TestCase):
    def test_flags(self):
        stack = uniq("cli")
        with Emulator(extra_args=["--throttle", "cloudformation.DescribeStacks:1",
                                  "--error", "ListTables:503:1", "--drop", "DescribeTable:1",
                                  "--op-delay", "ListExports:0.5:1",
                                  "--fail-stack", f"{stack}:flag reason"]) as emu:
            cfn, ddb = emu.client("cloudformation"), emu.client("dynamodb")
            kinds = sorted(f["kind"] for f in emu.faults())
            self.assertEqual(kinds, ["delay", "drop", "error", "fail_stack", "throttle"])
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                cfn.describe_stacks()
            self.assertEqual(cm.exception.response["Error"]["Code"], "Throttling")
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                ddb.list_tables()
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 503)
            with self.assertRaises(botocore.exceptions.ConnectionClosedError):
                ddb.describe_table(TableName="x")
            t0 = time.time()
            cfn.list_exports()
            self.assertGreaterEqual(time.time() - t0, 0.5)
            cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("t")))
            s = cfn.describe_stacks(StackName=stack)["Stacks"][0]
            self.assertEqual(s["StackStatus"], "ROLLBACK_COMPLETE")
            ev = cfn.describe_stack_events(StackName=stack)["StackEvents"]
            self.assertIn("flag reason", [e.get("ResourceStatusReason") for e in ev])


    def test_drop_response_and_rollback_flags(self):
        stack, table = uniq("cli"), uniq("cli")
        with Emulator(extra_args=["--drop-response", "dynamodb.CreateTable:1",
                                  "--fail-stack-rollback", f"{stack}:create fails"]) as emu:
            cfn, ddb = emu.client("cloudformation"), emu.client("dynamodb")
            self.assertIn("drop_response", [f["kind"] for f in emu.faults()])
            with self.assertRaises(botocore.exceptions.ConnectionClosedError):
                ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                 KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
            self.assertEqual(ddb.describe_table(TableName=table)["Table"]["TableName"], table)
            rec = [r for r in emu.log_records() if r["operation"] == "CreateTable"][0]
            self.assertEqual((rec["fault"], rec["status"], rec["error"]), ("drop_response", 200, None))
            cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("t")))
            self.assertEqual(cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"],
                             "ROLLBACK_FAILED")


if __name__ == "__main__":
    unittest.main()
