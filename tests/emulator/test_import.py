"""IMPORT change sets: adopt an existing table into a new stack, and what AWS rejects."""
import json
import unittest

from emutest import EmulatorTestCase, table_template, uniq


class ImportTest(EmulatorTestCase):
    def test_import_table_with_items(self):
        table, stack = uniq("imp_tbl.a"), uniq("imp-stack")
        self.create_table(table)
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires_at"})
        items = self.put_items(table, 7)
        tpl = table_template(table, deletion_policy="Retain",
                             TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True})
        mark = self.emu.log_mark()
        r = self.cfn.create_change_set(
            StackName=stack, ChangeSetName="imp", ChangeSetType="IMPORT", TemplateBody=tpl,
            ResourcesToImport=[{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": "Table",
                                "ResourceIdentifier": {"TableName": table}}])
        s = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        self.assertEqual(s["StackStatus"], "REVIEW_IN_PROGRESS")
        d = self.wait_change_set(stack, "imp")
        self.assertEqual(d["Status"], "CREATE_COMPLETE", d.get("StatusReason"))
        self.assertEqual(d["ExecutionStatus"], "AVAILABLE")
        rc = d["Changes"][0]["ResourceChange"]
        self.assertEqual((rc["Action"], rc["LogicalResourceId"], rc["PhysicalResourceId"]),
                         ("Import", "Table", table))
        self.cfn.execute_change_set(ChangeSetName=r["Id"])
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "IMPORT_COMPLETE", self.reasons(stack))
        statuses = [x[1] for x in self.reasons(stack)]
        self.assertIn("IMPORT_IN_PROGRESS", statuses)
        self.assertIn("IMPORT_COMPLETE", statuses)
        self.assertEqual(self.scan(table), sorted(items, key=lambda x: x["pk"]["S"]))
        res = self.cfn.describe_stack_resources(StackName=stack)["StackResources"]
        self.assertEqual([(x["LogicalResourceId"], x["PhysicalResourceId"], x["ResourceType"])
                          for x in res], [("Table", table, "AWS::DynamoDB::Table")])
        owner = self.cfn.describe_stack_resources(PhysicalResourceId=table)["StackResources"][0]
        self.assertEqual(owner["StackName"], stack)
        # the table was adopted, never (re)created
        ops = [(x["service"], x["operation"]) for x in self.emu.log_records_since(mark)]
        self.assertNotIn(("dynamodb", "CreateTable"), ops)
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]  # boto3 decodes JSON
        self.assertEqual(json.loads(json.dumps(body)), json.loads(tpl))
        # a follow-up UPDATE diffs against the imported template: same template = empty
        self.cfn.create_change_set(StackName=stack, ChangeSetName="same", TemplateBody=tpl)
        d = self.wait_change_set(stack, "same")
        self.assertEqual(d["Status"], "FAILED")
        # ... adding outputs and protection is an update that keeps the items
        tpl2 = table_template(table, deletion_policy="Retain", DeletionProtectionEnabled=True,
                              TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True},
                              outputs={"TableName": {"Value": {"Ref": "Table"}}})
        s = self.deploy(stack, tpl2, "UPDATE", expect="UPDATE_COMPLETE")
        self.assertEqual(s["Outputs"][0]["OutputValue"], table)
        self.assertTrue(self.ddb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"])
        self.assertEqual(len(self.scan(table)), 7)

    def _import(self, stack, tpl, table, logical="Table"):
        return self.cfn.create_change_set(
            StackName=stack, ChangeSetName=uniq("imp"), ChangeSetType="IMPORT", TemplateBody=tpl,
            ResourcesToImport=[{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": logical,
                                "ResourceIdentifier": {"TableName": table}}])

    def _failed_reason(self, stack, r):
        d = self.wait_change_set(stack, r["Id"])
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["ExecutionStatus"], "UNAVAILABLE")
        return d["StatusReason"]

    def test_import_requires_deletion_policy(self):
        table = uniq("nopolicy")
        self.create_table(table)
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self._import(uniq("s"), table_template(table), table)
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The following resources to import [Table] must have DeletionPolicy "
                         "attribute specified in the template.")

    def test_import_missing_table(self):
        table, stack = uniq("missing"), uniq("s")
        r = self._import(stack, table_template(table, deletion_policy="Retain"), table)
        reason = self._failed_reason(stack, r)
        self.assertIn(f"with identifier '{table}' was not found", reason)
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.execute_change_set(ChangeSetName=r["Id"])
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidChangeSetStatus")

    def test_import_with_extra_resource_rejected(self):
        table = uniq("extra")
        self.create_table(table)
        tpl = json.loads(table_template(table, deletion_policy="Retain"))
        tpl["Resources"]["Other"] = {"Type": "AWS::DynamoDB::Table",
                                     "Properties": json.loads(table_template(uniq("o")))["Resources"]["Table"]["Properties"]}
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self._import(uniq("s"), json.dumps(tpl), table)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], "ValidationError")
        self.assertIn("You have modified resources [Other]", err["Message"])

    def test_import_with_outputs_rejected(self):
        table, stack = uniq("outs"), uniq("s")
        self.create_table(table)
        tpl = table_template(table, deletion_policy="Retain",
                             outputs={"Name": {"Value": {"Ref": "Table"}}})
        reason = self._failed_reason(stack, self._import(stack, tpl, table))
        self.assertEqual(reason, "As part of the import operation, you cannot modify or add [Outputs]")

    def test_import_key_schema_mismatch(self):
        table, stack = uniq("keys"), uniq("s")
        self.create_table(table)
        tpl = table_template(table, deletion_policy="Retain", hash_key="other")
        self.assertIn("KeySchema", self._failed_reason(stack, self._import(stack, tpl, table)))

    def test_import_identifier_must_match_table_name(self):
        table, stack = uniq("ident"), uniq("s")
        self.create_table(table)
        tpl = table_template("some-other-name", deletion_policy="Retain")
        self.assertIn("does not match", self._failed_reason(stack, self._import(stack, tpl, table)))

    def test_import_table_already_in_another_stack(self):
        table, owner, thief = uniq("owned"), uniq("owner"), uniq("thief")
        self.deploy(owner, table_template(table), expect="CREATE_COMPLETE")
        reason = self._failed_reason(thief, self._import(thief, table_template(table, deletion_policy="Retain"), table))
        self.assertIn("already managed by another stack", reason)
        self.assertIn(owner, reason)

    def test_import_unknown_logical_id(self):
        table = uniq("lid")
        self.create_table(table)
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self._import(uniq("s"), table_template(table, deletion_policy="Retain"), table, logical="Nope")
        self.assertIn("do not exist in the template", cm.exception.response["Error"]["Message"])

    def test_failed_import_leaves_review_stack_reusable(self):
        table, stack = uniq("retry"), uniq("s")
        r = self._import(stack, table_template(table, deletion_policy="Retain"), table)
        self._failed_reason(stack, r)
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackStatus"],
                         "REVIEW_IN_PROGRESS")
        self.create_table(table)
        r = self._import(stack, table_template(table, deletion_policy="Retain"), table)
        self.assertEqual(self.wait_change_set(stack, r["Id"])["Status"], "CREATE_COMPLETE")
        self.cfn.execute_change_set(ChangeSetName=r["Id"])
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "IMPORT_COMPLETE")


if __name__ == "__main__":
    unittest.main()
