"""Stack create/update apply AWS::DynamoDB::Table properties; replacement and TTL rules."""
import json
import unittest

from emutest import EmulatorTestCase, table_template, uniq

TTL = {"AttributeName": "expires_at", "Enabled": True}


class StackTableTest(EmulatorTestCase):
    def live(self, table):
        t = self.ddb.describe_table(TableName=table)["Table"]
        ttl = self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        pitr = self.ddb.describe_continuous_backups(TableName=table)[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
        tags = {x["Key"]: x["Value"] for x in
                self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]}
        return t, ttl, pitr, tags

    def test_create_applies_properties(self):
        table, stack = uniq("props"), uniq("props")
        tpl = table_template(table, TimeToLiveSpecification=TTL, DeletionProtectionEnabled=True,
                             PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                             Tags=[{"Key": "app", "Value": "firefly"}],
                             outputs={"Arn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}})
        s = self.deploy(stack, tpl, expect="CREATE_COMPLETE",
                        Tags=[{"Key": "team", "Value": "core"}])
        self.emu.advance_clock(5)  # TTL: ENABLING for a few seconds of emulator time
        t, ttl, pitr, tags = self.live(table)
        self.assertEqual(ttl, {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(pitr, "ENABLED")
        self.assertEqual(tags, {"app": "firefly", "team": "core"})
        self.assertEqual(s["Outputs"][0]["OutputValue"], t["TableArn"])

    def test_provisioned_billing(self):
        table, stack = uniq("prov"), uniq("prov")
        tpl = table_template(table, BillingMode="PROVISIONED",
                             ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
        self.deploy(stack, tpl, expect="CREATE_COMPLETE")
        t = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual(t["ProvisionedThroughput"]["ReadCapacityUnits"], 3)
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PROVISIONED")
        self.deploy(stack, table_template(table), "UPDATE", expect="UPDATE_COMPLETE")
        t = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual(t["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")

    def test_update_in_place_keeps_items(self):
        table, stack = uniq("upd"), uniq("upd")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        items = self.put_items(table, 4)
        tpl = table_template(table, TimeToLiveSpecification=TTL, DeletionProtectionEnabled=True,
                             PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                             Tags=[{"Key": "app", "Value": "x"}])
        name = uniq("cs")
        self.cfn.create_change_set(StackName=stack, ChangeSetName=name, TemplateBody=tpl)
        d = self.wait_change_set(stack, name)
        rc = d["Changes"][0]["ResourceChange"]
        self.assertEqual((rc["Action"], rc["Replacement"]), ("Modify", "False"))
        self.cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "UPDATE_COMPLETE")
        self.emu.advance_clock(3601)  # ENABLING → ENABLED, and past the one-change interval
        t, ttl, pitr, tags = self.live(table)
        self.assertEqual(ttl["TimeToLiveStatus"], "ENABLED")
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(pitr, "ENABLED")
        self.assertEqual(tags, {"app": "x"})
        self.assertEqual(self.scan(table), sorted(items, key=lambda x: x["pk"]["S"]))
        # disable TTL the CloudFormation way: keep the name, Enabled false; tags removed
        tpl = table_template(table, TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": False})
        self.deploy(stack, tpl, "UPDATE", expect="UPDATE_COMPLETE")
        t, ttl, pitr, tags = self.live(table)
        self.assertEqual(ttl["TimeToLiveStatus"], "DISABLING")
        self.emu.advance_clock(5)
        t, ttl, pitr, tags = self.live(table)
        self.assertEqual(ttl["TimeToLiveStatus"], "DISABLED")
        self.assertFalse(t["DeletionProtectionEnabled"])
        self.assertEqual(pitr, "DISABLED")
        self.assertEqual(tags, {})
        self.assertEqual(len(self.scan(table)), 4)

    def test_replacement_of_custom_named_table_refused(self):
        table, stack = uniq("repl"), uniq("repl")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.put_items(table, 2)
        tpl = table_template(table, range_key="sk")
        name = uniq("cs")
        self.cfn.create_change_set(StackName=stack, ChangeSetName=name, TemplateBody=tpl)
        rc = self.wait_change_set(stack, name)["Changes"][0]["ResourceChange"]
        self.assertEqual((rc["Action"], rc["Replacement"]), ("Modify", "True"))
        self.cfn.execute_change_set(StackName=stack, ChangeSetName=name)
        s = self.wait_stack(stack)
        self.assertEqual(s["StackStatus"], "UPDATE_ROLLBACK_COMPLETE")
        ev = [r for r in self.reasons(stack) if r[0] == "Table" and r[1] == "UPDATE_FAILED"]
        self.assertEqual(ev[0][2], "CloudFormation cannot update a stack when a custom-named resource "
                                   f"requires replacing. Rename {table} and update the stack again.")
        self.assertEqual(len(self.scan(table)), 2)
        self.assertEqual(len(self.ddb.describe_table(TableName=table)["Table"]["KeySchema"]), 1)
        # the stack is still updatable after the rollback
        self.deploy(stack, table_template(table, TimeToLiveSpecification=TTL), "UPDATE",
                    expect="UPDATE_COMPLETE")

    def test_replacement_of_generated_name_table(self):
        stack = uniq("gen")
        s = self.deploy(stack, table_template(None, outputs={"N": {"Value": {"Ref": "Table"}}}),
                        expect="CREATE_COMPLETE")
        old = s["Outputs"][0]["OutputValue"]
        self.assertTrue(old.startswith(f"{stack}-Table-"))
        s = self.deploy(stack, table_template(None, hash_key="id", outputs={"N": {"Value": {"Ref": "Table"}}}),
                        "UPDATE", expect="UPDATE_COMPLETE")
        new = s["Outputs"][0]["OutputValue"]
        self.assertNotEqual(old, new)
        self.assertNotIn(old, self.ddb.list_tables()["TableNames"])

    def test_ttl_attribute_rename_fails_update(self):
        table, stack = uniq("ttl"), uniq("ttl")
        self.deploy(stack, table_template(table, TimeToLiveSpecification=TTL), expect="CREATE_COMPLETE")
        self.emu.advance_clock(3601)  # past the TTL change interval of the create
        tpl = table_template(table, TimeToLiveSpecification={"AttributeName": "other", "Enabled": True})
        self.deploy(stack, tpl, "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        failed = [r for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"]
        self.assertIn("TimeToLive is active on a different AttributeName: current AttributeName is "
                      "expires_at", failed[0][2])
        self.assertTrue(failed[0][2].startswith('Resource handler returned message: "'))
        self.assertEqual(self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})

    def test_dynamodb_ttl_rules(self):
        table = uniq("ttlapi")
        self.create_table(table)
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=TTL)
        self.emu.advance_clock(3601)  # AWS: one TTL change per table per hour
        cases = [({"AttributeName": "expires_at", "Enabled": True}, "TimeToLive is already enabled"),
                 ({"AttributeName": "x", "Enabled": True},
                  "TimeToLive is active on a different AttributeName: current AttributeName is expires_at"),
                 ({"AttributeName": "x", "Enabled": False},
                  "TimeToLive is active on a different AttributeName: current AttributeName is expires_at")]
        for spec, msg in cases:
            with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
                self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec)
            self.assertEqual(cm.exception.response["Error"], {"Code": "ValidationException", "Message": msg})
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": False})
        self.emu.advance_clock(3601)
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": False})
        self.assertEqual(cm.exception.response["Error"]["Message"], "TimeToLive is already disabled")

    def test_empty_change_set(self):
        table, stack = uniq("empty"), uniq("empty")
        tpl = table_template(table)
        self.deploy(stack, tpl, expect="CREATE_COMPLETE")
        self.cfn.create_change_set(StackName=stack, ChangeSetName="again", TemplateBody=tpl)
        d = self.wait_change_set(stack, "again")
        self.assertEqual(d["Status"], "FAILED")
        self.assertEqual(d["StatusReason"], "The submitted information didn't contain changes. "
                                            "Submit different information to create a change set.")
        # the failed change set stays until deleted
        summ = self.cfn.list_change_sets(StackName=stack)["Summaries"]
        self.assertIn(("again", "FAILED"), [(x["ChangeSetName"], x["Status"]) for x in summ])
        self.cfn.delete_change_set(StackName=stack, ChangeSetName="again")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.update_stack(StackName=stack, TemplateBody=tpl)
        self.assertEqual(cm.exception.response["Error"]["Message"], "No updates are to be performed.")
        # an outputs-only change is a change
        self.deploy(stack, table_template(table, outputs={"N": {"Value": {"Ref": "Table"}}}), "UPDATE",
                    expect="UPDATE_COMPLETE")

    def test_change_set_type_rules(self):
        stack = uniq("rules")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.create_change_set(StackName=stack, ChangeSetName="u", TemplateBody=table_template(uniq("t")))
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.describe_stacks(StackName=stack)
        self.assertEqual(cm.exception.response["Error"]["Message"], f"Stack with id {stack} does not exist")
        bad = json.dumps({"Resources": {"X": {"Type": "AWS::Nope::Thing"}}})
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=bad)
        self.assertIn("Unrecognized resource types: [AWS::Nope::Thing]", cm.exception.response["Error"]["Message"])

    def test_create_failure_rolls_back(self):
        table, stack = uniq("exists"), uniq("exists")
        self.create_table(table)
        self.deploy(stack, table_template(table), expect="ROLLBACK_COMPLETE")
        failed = [r for r in self.reasons(stack) if r[1] == "CREATE_FAILED"]
        self.assertIn("already exists", failed[0][2])
        self.assertIn(table, self.ddb.list_tables()["TableNames"])  # the foreign table is untouched

    def test_yaml_template_with_parameters(self):
        stack = uniq("yaml")
        tpl = """
Parameters:
  TableName: {Type: String}
  Protect: {Type: String, Default: "false", AllowedValues: ["true", "false"]}
Conditions:
  IsProtected: !Equals [!Ref Protect, "true"]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Delete
    Properties:
      TableName: !Ref TableName
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      DeletionProtectionEnabled: !If [IsProtected, true, false]
      TimeToLiveSpecification: {AttributeName: expires_at, Enabled: true}
Outputs:
  Arn:
    Value: !GetAtt Table.Arn
  Name:
    Value: !Sub "${Table}"
    Export: {Name: !Sub "${AWS::StackName}-name"}
"""
        table = uniq("yaml_t")
        self.deploy(stack, tpl, expect="CREATE_COMPLETE",
                    Parameters=[{"ParameterKey": "TableName", "ParameterValue": table}])
        self.assertFalse(self.ddb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"])
        s = self.deploy(stack, tpl, "UPDATE", expect="UPDATE_COMPLETE",
                        Parameters=[{"ParameterKey": "TableName", "UsePreviousValue": True},
                                    {"ParameterKey": "Protect", "ParameterValue": "true"}])
        self.assertTrue(self.ddb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"])
        self.assertEqual({o["OutputKey"]: o["OutputValue"] for o in s["Outputs"]}["Name"], table)
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.create_change_set(StackName=uniq("yaml"), ChangeSetName="c", ChangeSetType="CREATE",
                                       TemplateBody=tpl)
        self.assertEqual(cm.exception.response["Error"]["Message"], "Parameters: [TableName] must have values")


if __name__ == "__main__":
    unittest.main()
