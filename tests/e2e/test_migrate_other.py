"""End to end (issue 25): docs/migrating.md's recipes 3 to 5 (migrate_common.py says how
the page is run): awscc_dynamodb_table (awscc is not on this machine, so the test writes
the state awscc leaves and runs `terraform state rm` on it, which reads no provider, then
the recipe), a CloudFormation stack made by hand imported by STACK/TABLE (same stack ID
after), a table made by a script adopted by declaring it; and every marked block of the
page is one of the recipes run."""
import json
import os
import unittest

from migrate_common import HEADER_NO_AWS, MigrateCase


class MigrateFromElsewhere(MigrateCase):

    # -- 3. awscc -----------------------------------------------------------------------

    def test_from_awscc_dynamodb_table(self):
        table, stack = "firefly-cc-sessions", "firefly-dynamodb-cc-sessions"
        # The table awscc made (Cloud Control creates it directly, in no stack), and the state
        # it leaves: one awscc_dynamodb_table instance under hashicorp/awscc.
        self.ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "session_id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "session_id", "KeyType": "HASH"}])
        self.ddb.update_time_to_live(TableName=table,
                                     TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True})
        self.wait_emulated(10)
        before = self.put_orders(table, "session_id")
        d = self.workdir_for(table)
        arn = self.ddb.describe_table(TableName=table)["Table"]["TableArn"]
        with open(os.path.join(d, "terraform.tfstate"), "w") as f:
            json.dump({"version": 4, "terraform_version": "1.11.4", "serial": 1,
                       "lineage": "5d0c3a2e-7a44-4f57-9d1e-2f0d1d4b7c10", "outputs": {}, "check_results": None,
                       "resources": [{"mode": "managed", "type": "awscc_dynamodb_table", "name": "sessions",
                                      "provider": 'provider["registry.terraform.io/hashicorp/awscc"]',
                                      "instances": [{"schema_version": 1, "sensitive_attributes": [],
                                                     "attributes": {"id": table, "table_name": table,
                                                                    "arn": arn}}]}]}, f)
        mark = self.emu.log_offset()
        self.config(d, self.block("awscc-import"), header=HEADER_NO_AWS)
        r = self.tf(d, *self.command("terraform state rm awscc_dynamodb_table.sessions"), check=0)
        self.assertIn("Removed awscc_dynamodb_table.sessions", r.text)
        self.init(d)
        p = self.run_page(d, "terraform plan")
        self.assertIn("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy.", p.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("Resources: 1 imported, 0 added, 1 changed, 0 destroyed.", a.text)
        self.assert_adopted(d, table, stack, before, mark)

    # -- 4. a stack made by hand -----------------------------------------------------

    def test_from_a_stack_made_by_hand(self):
        table, stack = "firefly-events", "firefly-handmade"
        self.cfn.create_stack(StackName=stack, TemplateBody=json.dumps({
            "Resources": {"Events": {
                "Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain",
                "Properties": {
                    "TableName": table, "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [{"AttributeName": "event_id", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "event_id", "KeyType": "HASH"}],
                    "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True}}}}}))
        self.assertEqual(self.stack_status(stack), "CREATE_COMPLETE")
        stack_id = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
        self.wait_emulated(10)
        before = self.put_orders(table, "event_id")
        d = self.workdir_for(table)
        mark = self.emu.log_offset()
        self.config(d, self.block("cfn-import"), header=HEADER_NO_AWS)
        self.init(d)
        p = self.run_page(d, "terraform plan")
        self.assertIn("Plan: 1 to import", p.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("1 imported", a.text)
        self.assert_adopted(d, table, stack, before, mark)
        self.assertEqual(self.cfn.describe_stacks(StackName=stack)["Stacks"][0]["StackId"], stack_id)
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]
        self.assertIn("TerraformProviderDynamoDB", json.dumps(body))

    # -- 5. a table made by a script -------------------------------------------------

    def test_from_a_table_made_by_a_script(self):
        table, stack = "firefly-results-legacy", "firefly-dynamodb-results-legacy"
        self.ddb.create_table(
            TableName=table, BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            AttributeDefinitions=[{"AttributeName": "file_key", "AttributeType": "S"},
                                  {"AttributeName": "part", "AttributeType": "N"}],
            KeySchema=[{"AttributeName": "file_key", "KeyType": "HASH"},
                       {"AttributeName": "part", "KeyType": "RANGE"}])
        for i in range(20):
            self.ddb.put_item(TableName=table, Item={"file_key": {"S": f"f{i % 4}"}, "part": {"N": str(i)},
                                                     "expires_at": {"N": str(4102444800 + i)}})
        before = self.items(table)
        d = self.workdir_for(table)
        mark = self.emu.log_offset()
        self.config(d, self.block("script-adopt"), header=HEADER_NO_AWS)
        self.init(d)
        p = self.run_page(d, "terraform plan")
        self.assertIn("Existing table will be adopted into a stack", p.text)
        self.assertIn("Plan: 1 to add, 0 to change, 0 to destroy.", p.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("Resources: 1 added, 0 changed, 0 destroyed.", a.text)
        self.assert_adopted(d, table, stack, before, mark)
        self.assertEqual(self.ttl(table)["TimeToLiveStatus"], "ENABLED")

    # -- the page itself ----------------------------------------------------------------

    def test_every_block_of_the_page_is_run(self):
        used = {"aws-before", "aws-moved", "aws-sessions-before", "aws-removed-import", "awscc-import",
                "cfn-import", "script-adopt"}
        self.assertEqual(set(self.blocks), used)


if __name__ == "__main__":
    unittest.main()
