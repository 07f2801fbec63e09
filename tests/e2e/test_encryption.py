"""End to end: encryption, table class and contributor insights back to their defaults.

CloudFormation fails and rolls back a stack update whose template drops SSESpecification
(docs/aws-behaviour.md §4.4; the emulator refuses it), and leaves the table as it is when
TableClass or ContributorInsightsSpecification are dropped. So once a table's template had
them, the provider writes their defaults explicitly ({SSEEnabled: false}, STANDARD,
{Enabled: false}); a table that never had them keeps a template without them."""
import json
import unittest

from harness import E2ETestCase

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  name     = "%(name)s"
  hash_key = { name = "id", type = "S" }
  deletion_protection_enabled = false
  %(extra)s
}
'''


def table(name, extra=""):
    return TABLE % {"name": name, "extra": extra}


class Encryption(E2ETestCase):

    def desc(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def props(self, stack):
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]
        body = body if isinstance(body, dict) else json.loads(body)
        return body["Resources"]["Table"]["Properties"]

    def test_customer_key_back_to_the_default_key_converges(self):
        name = "enc-back"
        key = self.kms_key(alias="alias/enc-back")
        d = self.workdir("back", table(name, 'server_side_encryption = { kms_key_arn = "%s" }' % key))
        self.init(d)
        self.apply(d)
        self.put_items(name, 6)
        before = self.items(name)
        self.assertEqual(self.desc(name)["SSEDescription"]["KMSMasterKeyArn"], key)
        self.assertEqual(self.props(name)["SSESpecification"],
                         {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})

        # Back to the AWS owned key: the block removed from the configuration.
        self.write(d, table(name))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("1 to change", r.text)
        self.apply(d)
        self.assertEqual(self.stack_status(name), "UPDATE_COMPLETE")
        self.assertNotIn("SSEDescription", self.desc(name))
        self.assertEqual(self.props(name)["SSESpecification"], {"SSEEnabled": False})
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["server_side_encryption"])
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # A later change keeps the explicit default (dropping it would fail the update).
        self.write(d, table(name, 'tags = { app = "orders" }'))
        self.apply(d)
        self.assertEqual(self.stack_status(name), "UPDATE_COMPLETE")
        self.assertEqual(self.props(name)["SSESpecification"], {"SSEEnabled": False})
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # And the customer key once more.
        self.write(d, table(name, 'tags = { app = "orders" }\n  server_side_encryption = { kms_key_arn = "%s" }'
                            % key))
        self.apply(d)
        self.assertEqual(self.desc(name)["SSEDescription"]["KMSMasterKeyArn"], key)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    def test_class_and_insights_back_to_their_defaults(self):
        name = "enc-class"
        d = self.workdir("class", table(name, 'table_class = "STANDARD_INFREQUENT_ACCESS"\n'
                                              '  contributor_insights = true'))
        self.init(d)
        self.apply(d)
        self.write(d, table(name))
        self.apply(d)
        self.emu.advance_clock(1)  # contributor insights: DISABLING, then DISABLED
        t = self.desc(name)
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD")
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"],
                         "DISABLED")
        p = self.props(name)
        self.assertEqual((p["TableClass"], p["ContributorInsightsSpecification"]), ("STANDARD", {"Enabled": False}))
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_a_table_that_never_had_them_keeps_its_template(self):
        name = "enc-never"
        d = self.workdir("never", table(name))
        self.init(d)
        self.apply(d)
        self.write(d, table(name, 'tags = { app = "orders" }'))
        self.apply(d)
        p = self.props(name)
        for prop in ("SSESpecification", "TableClass", "ContributorInsightsSpecification"):
            self.assertNotIn(prop, p)
        self.assertEqual(self.plan_exitcode(d).rc, 0)


if __name__ == "__main__":
    unittest.main()
