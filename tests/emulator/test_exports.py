"""Exports, Fn::ImportValue, ListImports, and deleting a stack whose export is in use."""
import json
import unittest

from emutest import EmulatorTestCase, table_template, uniq


def consumer_template(export: str) -> str:
    return json.dumps({"Resources": {"Handle": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                       "Outputs": {"Imported": {"Value": {"Fn::ImportValue": export}}}})


class ExportsTest(EmulatorTestCase):
    def test_exports_and_list_imports(self):
        table, producer, consumer = uniq("exp"), uniq("producer"), uniq("consumer")
        export = f"{producer}-TableName"
        self.deploy(producer, table_template(table, outputs={
            "TableName": {"Value": {"Ref": "Table"}, "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-TableName"}}},
            "TableArn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}}), expect="CREATE_COMPLETE")
        s = self.cfn.describe_stacks(StackName=producer)["Stacks"][0]
        outs = {o["OutputKey"]: o for o in s["Outputs"]}
        self.assertEqual(outs["TableName"]["ExportName"], export)
        exports = {e["Name"]: e for e in self.cfn.list_exports()["Exports"]}
        self.assertEqual(exports[export]["Value"], table)
        self.assertEqual(exports[export]["ExportingStackId"], s["StackId"])
        # nobody imports it yet
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.list_imports(ExportName=export)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        self.assertIn("is not imported by any stack", cm.exception.response["Error"]["Message"])
        s2 = self.deploy(consumer, consumer_template(export), expect="CREATE_COMPLETE")
        self.assertEqual(s2["Outputs"][0]["OutputValue"], table)
        self.assertEqual(self.cfn.list_imports(ExportName=export)["Imports"], [consumer])
        # the producer cannot go while the export is imported
        self.cfn.delete_stack(StackName=producer)
        s = self.wait_stack(producer)
        self.assertEqual(s["StackStatus"], "DELETE_FAILED")
        self.assertEqual(s["StackStatusReason"], f"Export {export} cannot be deleted as it is in use by {consumer}")
        self.assertIn(table, self.ddb.list_tables()["TableNames"])
        # consumer first, then the producer
        self.cfn.delete_stack(StackName=consumer)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=consumer, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.list_imports(ExportName=export)
        self.cfn.delete_stack(StackName=producer)
        self.cfn.get_waiter("stack_delete_complete").wait(StackName=producer, WaiterConfig={"Delay": 1, "MaxAttempts": 20})
        self.assertNotIn(export, [e["Name"] for e in self.cfn.list_exports()["Exports"]])

    def test_update_cannot_remove_used_export(self):
        table, producer, consumer = uniq("exp2"), uniq("prod"), uniq("cons")
        export = f"{producer}-Name"
        with_export = table_template(table, outputs={"N": {"Value": {"Ref": "Table"}, "Export": {"Name": export}}})
        self.deploy(producer, with_export, expect="CREATE_COMPLETE")
        self.deploy(consumer, consumer_template(export), expect="CREATE_COMPLETE")
        self.deploy(producer, table_template(table), "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(f"Export {export} cannot be deleted as it is in use by {consumer}",
                      [r[2] for r in self.reasons(producer)])
        self.assertEqual(self.cfn.list_imports(ExportName=export)["Imports"], [consumer])

    def test_import_of_missing_export_fails_change_set(self):
        stack = uniq("noexp")
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE",
                                   TemplateBody=consumer_template("does-not-exist"))
        d = self.wait_change_set(stack, "c")
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["StatusReason"], "No export named does-not-exist found.")

    def test_duplicate_export_name_fails(self):
        export = uniq("dup")
        a, b = uniq("a"), uniq("b")
        self.deploy(a, table_template(uniq("t"), outputs={"N": {"Value": {"Ref": "Table"}, "Export": {"Name": export}}}),
                    expect="CREATE_COMPLETE")
        self.deploy(b, table_template(uniq("t"), outputs={"N": {"Value": {"Ref": "Table"}, "Export": {"Name": export}}}),
                    expect="ROLLBACK_COMPLETE")
        self.assertTrue(any(r[2] and "is already exported by stack" in r[2] for r in self.reasons(b)))


if __name__ == "__main__":
    unittest.main()
