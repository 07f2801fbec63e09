"""End to end (issue 25): docs/migrating.md's recipes 1 and 2, from hashicorp/aws 5.100.0's
aws_dynamodb_table (migrate_common.py says how the page is run): the `moved` block (TTL, a
GSI, tags, PITR, items written with boto3; the plan shows the move and the adoption, the
apply adopts, nothing of hashicorp/aws is left in the state so the aws provider can leave
the configuration; the private bytes reach the plan: other keys are refused as for an
import, with and without refresh; another source type is refused; neither writes), `removed` + `import`,
`state rm` + `import`, and deleting the block alone planning a destroy despite
prevent_destroy."""
import unittest

from migrate_common import HEADER_NO_AWS, MigrateCase


class MigrateFromAws(MigrateCase):
    split_tests = True  # each test runs hashicorp/aws for minutes: one CTest test each (list_tests.py)

    # -- 1. moved ---------------------------------------------------------------------

    def test_moved_from_aws_dynamodb_table(self):
        # An acceptance scenario (tests/e2e/acceptance.list).
        table, stack = self.n("firefly-orders"), self.n("firefly-dynamodb-orders")
        d, before = self.aws_table(table, self.block("aws-before"), "order_id")
        mark = self.emu.log_offset()
        self.config(d, self.block("aws-moved"))
        self.run_page(d, "terraform init")
        p = self.run_page(d, "terraform plan")
        self.assertIn("# dynamodb_ttl_table.orders will be updated in-place", p.text)
        self.assertIn("(moved from aws_dynamodb_table.orders)", p.text)
        self.assertIn("Warning: Table moved from hashicorp/aws", p.text)
        self.assertIn("Existing table will be adopted into a stack", p.text)
        self.assertIn("Plan: 0 to add, 1 to change, 0 to destroy.", p.text)
        self.assertNotIn("destroyed", p.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("Resources: 0 added, 1 changed, 0 destroyed.", a.text)
        self.assert_adopted(d, table, stack, before, mark)
        # The table is as it was: TTL, the index, recovery, protection, tags.
        t = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by_status"])
        self.assertTrue(t["DeletionProtectionEnabled"])
        self.assertEqual(self.ttl(table)["TimeToLiveStatus"], "ENABLED")
        pitr = self.ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")
        tags = self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"]
        self.assertEqual({x["Key"]: x["Value"] for x in tags if not x["Key"].startswith("aws:")},
                         {"app": "firefly", "team": "orders"})
        # Nothing of hashicorp/aws is left in the state: only dynamodb_ttl_table.orders, with
        # this provider's private bytes after the first apply.
        self.assertEqual(self.addresses(d), ["dynamodb_ttl_table.orders"])
        doc = self.state_doc(d)
        self.assertEqual([r["provider"] for r in doc["resources"]],
                         ['provider["registry.terraform.io/firefly/dynamodb"]'])
        st = doc["resources"][0]["instances"][0]
        self.assertEqual(st["attributes"]["stack_name"], stack)
        self.assertTrue(st["attributes"]["stack_id"].startswith("arn:aws:cloudformation:"))
        # So hashicorp/aws can leave the configuration: no orphan of it to destroy.
        self.config(d, self.block("aws-moved"), header=HEADER_NO_AWS)
        self.init(d)
        p = self.plan_exitcode(d)
        self.assertEqual(p.rc, 0, p.text)

    def test_refused_moves_write_nothing(self):
        """The move's state and private bytes are an import's (Terraform stores the move's
        target_private): a configuration with other keys is refused, never planned as a
        replacement, with and without a refresh (the stored bytes themselves then reach the
        plan). A move from another type of
        hashicorp/aws is refused. Neither writes to the state or touches an item."""
        table = "firefly-sessions-refused"
        aws = self.block("aws-sessions-before", "-refused")
        item = '''
resource "aws_dynamodb_table_item" "one" {
  table_name = %s
  hash_key   = "session_id"
  item       = jsonencode({ session_id = { S = "s-1" } })
}
'''
        d = self.workdir_for(table)
        # Created after the table (a reference orders them); once the table is moved, the
        # item names it by its name.
        self.config(d, aws, item % "aws_dynamodb_table.sessions.name")
        item = item % ('"%s"' % table)
        self.init(d)
        self.apply(d)
        self.wait_emulated(10)
        before = self.put_orders(table, "session_id")
        target = self.resource_only(self.block("aws-removed-import", "-refused"))
        moved = 'moved {\n  from = %s\n  to   = dynamodb_ttl_table.sessions\n}\n'
        other_keys = target.replace('name = "session_id"', 'name = "user_id"')
        self.config(d, item, moved % "aws_dynamodb_table.sessions", other_keys)
        for extra in ((), ("-refresh=false",)):
            p = self.tf(d, "plan", "-input=false", *extra)
            self.assertNotEqual(p.rc, 0, p.text)
            self.assertIn(f'DynamoDB table "{table}" was imported and this configuration was never applied',
                          p.text)
            self.assertNotIn("must be replaced", p.text)
        self.config(d, aws, moved % "aws_dynamodb_table_item.one", target)
        p = self.tf(d, "plan", "-input=false")
        self.assertNotEqual(p.rc, 0, p.text)
        self.assertIn("Unsupported move source", p.text)
        self.assertIn('this one moves a "aws_dynamodb_table_item" of registry.terraform.io/hashicorp/aws', p.text)
        self.assertEqual(self.addresses(d), ["aws_dynamodb_table.sessions", "aws_dynamodb_table_item.one"])
        self.assertEqual(self.items(table), before)

    # -- 2. state rm and import -------------------------------------------------------

    def test_removed_block_and_import(self):
        table, stack = "firefly-sessions", "firefly-dynamodb-sessions"
        d, before = self.aws_table(table, self.block("aws-sessions-before"), "session_id")
        mark = self.emu.log_offset()
        # Deleting the block alone: prevent_destroy went with it, and the plan destroys.
        self.config(d)
        p = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("# aws_dynamodb_table.sessions will be destroyed", p.text)
        self.assertIn("Plan: 0 to add, 0 to change, 1 to destroy.", p.text)
        # The recipe.
        self.config(d, self.block("aws-removed-import"))
        p = self.run_page(d, "terraform plan")
        self.assertIn("aws_dynamodb_table.sessions will no longer be managed by Terraform, but will not be "
                      "destroyed", p.text)
        self.assertIn("Warning: Table is not in a CloudFormation stack", p.text)
        self.assertIn('adopts it into the stack_name of the configuration', p.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("Resources: 1 imported, 0 added, 1 changed, 0 destroyed.", a.text)
        self.assert_adopted(d, table, stack, before, mark)
        self.assertEqual(self.addresses(d), ["dynamodb_ttl_table.sessions"])

    def test_state_rm_and_import_commands(self):
        table = "firefly-sessions-cli"
        stack = "firefly-dynamodb-sessions-cli"
        d, before = self.aws_table(table, self.block("aws-sessions-before", "-cli"), "session_id")
        mark = self.emu.log_offset()
        self.config(d, self.resource_only(self.block("aws-removed-import", "-cli")))
        r = self.tf(d, *self.command("terraform state rm aws_dynamodb_table.sessions"), check=0)
        self.assertIn("Removed aws_dynamodb_table.sessions", r.text)
        cmd = self.command("terraform import dynamodb_ttl_table.sessions firefly-sessions")
        r = self.tf(d, cmd[0], "-input=false", *cmd[1:-1], table, check=0)
        self.assertIn("Import successful", r.text)
        a = self.run_page(d, "terraform apply")
        self.assertIn("Resources: 0 added, 1 changed, 0 destroyed.", a.text)
        self.assert_adopted(d, table, stack, before, mark)


if __name__ == "__main__":
    unittest.main()
