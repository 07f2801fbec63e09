"""End to end: real-world tables — global and local secondary indexes, streams, encryption,
table class — created, adopted without losing anything, changed in place, and kept in step
with what DynamoDB has.

Adoption mirrors every feature and refuses while the configuration leaves one out; index
changes are sequenced one per stack update (delete, then create); an index deleted outside
Terraform is created again; a refresh of a table with indexes costs the same calls as one
without."""
import json
import os
import unittest

from harness import E2ETestCase, mutating

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


def gsi(name, key, projection=None):
    p = f', projection_type = "{projection}"' if projection else ""
    return f'{{ name = "{name}", hash_key = {{ name = "{key}", type = "S" }}{p} }}'


def gsis(*items):
    return "global_secondary_indexes = [\n    " + ",\n    ".join(items) + "\n  ]"


class RealTables(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()
        self.emu.set_delay(0)

    def desc(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def index_names(self, name):
        return sorted(g["IndexName"] for g in self.desc(name).get("GlobalSecondaryIndexes", []))

    def template(self, stack):
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]
        return body if isinstance(body, dict) else json.loads(body)

    def trace(self):
        with open(os.path.join(self.work, "terraform-trace.log"), errors="replace") as f:
            return f.read()

    def put_orders(self, table, n):
        for i in range(n):
            self.ddb.put_item(TableName=table, Item={"id": {"S": f"o-{i:03d}"}, "status": {"S": "open"},
                                                      "payload": {"S": f"order {i}"}})

    # -- adoption -----------------------------------------------------------------------

    def test_adopting_a_table_with_an_index_a_stream_and_infrequent_access(self):
        name = "real-adopt"
        self.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_status",
                                     "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.wait_active(name)
        self.ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
        self.wait_active(name)
        self.put_orders(name, 12)
        before = self.items(name)
        stream_arn = self.desc(name)["LatestStreamArn"]

        # Undeclared: refused at plan, naming each feature with the HCL to add; nothing changes.
        d = self.workdir("adopt", table(name))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Configuration leaves out features of the existing table", r.text)
        self.assertIn('{ name = "by_status", hash_key = { name = "status", type = "S" }, '
                      'projection_type = "KEYS_ONLY" }', r.text)
        self.assertIn('stream = { view_type = "NEW_IMAGE" }', r.text)
        self.assertIn('table_class = "STANDARD_INFREQUENT_ACCESS"', r.text)
        r = self.apply(d, check=1)
        self.assertIn("leaves out features", r.text)
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertIsNone(self.stack_status(name))

        # Declared: adopted, the import template mirroring all of it.
        declared = (gsis(gsi("by_status", "status", "KEYS_ONLY")) +
                    '\n  stream = { view_type = "NEW_IMAGE" }'
                    '\n  table_class = "STANDARD_INFREQUENT_ACCESS"')
        self.write(d, table(name, declared))
        r = self.apply(d)
        self.assertIn("Existing table will be adopted into a stack", r.text)
        self.assertEqual(self.stack_status(name), "UPDATE_COMPLETE")
        props = self.template(name)["Resources"]["Table"]["Properties"]
        self.assertEqual([g["IndexName"] for g in props["GlobalSecondaryIndexes"]], ["by_status"])
        self.assertEqual(props["StreamSpecification"], {"StreamViewType": "NEW_IMAGE"})
        self.assertEqual(props["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # A later in-place change keeps the index, the stream (same ARN), the class and the items.
        self.write(d, table(name, declared + '\n  point_in_time_recovery = true\n  tags = { app = "orders" }'))
        self.apply(d)
        t = self.desc(name)
        self.assertEqual(self.index_names(name), ["by_status"])
        self.assertEqual(t["LatestStreamArn"], stream_arn)
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "NEW_IMAGE")
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.state(d, "dynamodb_ttl_table.t")["stream_arn"], stream_arn)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_adoption_refused_for_what_the_resource_cannot_express(self):
        name = "real-kinesis"
        self.create_table(name)
        # One destination is kinesis_streaming_destination (issue 25, tests/e2e/test_properties.py);
        # two are more than CloudFormation's KinesisStreamSpecification holds.
        for s in ("orders", "orders-copy"):
            self.ddb.enable_kinesis_streaming_destination(
                TableName=name, StreamArn="arn:aws:kinesis:us-east-1:123456789012:stream/" + s)
        d = self.workdir("kinesis", table(name))
        self.init(d)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Table has features this resource cannot manage", r.text)
        self.assertIn("more than one Kinesis streaming destination", r.text)
        self.assertEqual(mutating(self.emu.calls(mark)), [])

    # -- create -------------------------------------------------------------------------

    def test_create_with_two_indexes_an_lsi_a_stream_and_a_customer_key(self):
        name = "real-create"
        kms_key = self.kms_key()  # DynamoDB refuses a key that does not exist
        extra = '''range_key = { name = "created_at", type = "N" }
  global_secondary_indexes = [
    { name = "by_status", hash_key = { name = "status", type = "S" }, range_key = { name = "created_at", type = "N" } },
    { name = "by_customer", hash_key = { name = "customer", type = "S" }, projection_type = "INCLUDE", non_key_attributes = ["total", "currency"] },
  ]
  local_secondary_indexes = [
    { name = "by_total", range_key = { name = "total", type = "N" }, projection_type = "KEYS_ONLY" },
  ]
  stream                 = { view_type = "NEW_AND_OLD_IMAGES" }
  server_side_encryption = { kms_key_arn = "%s" }''' % kms_key
        d = self.workdir("create", table(name, extra))
        self.init(d)
        self.apply(d)
        t = self.desc(name)
        self.assertEqual(self.index_names(name), ["by_customer", "by_status"])
        by_customer = next(g for g in t["GlobalSecondaryIndexes"] if g["IndexName"] == "by_customer")
        self.assertEqual(sorted(by_customer["Projection"]["NonKeyAttributes"]), ["currency", "total"])
        self.assertEqual([x["IndexName"] for x in t["LocalSecondaryIndexes"]], ["by_total"])
        self.assertEqual(t["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertEqual(t["SSEDescription"]["KMSMasterKeyArn"], kms_key)
        st = self.state(d, "dynamodb_ttl_table.t")
        self.assertEqual(st["stream_arn"], t["LatestStreamArn"])
        self.assertEqual(st["server_side_encryption"], {"kms_key_arn": kms_key})
        self.assertEqual([g["name"] for g in st["global_secondary_indexes"]], ["by_status", "by_customer"])
        self.assertIsNone(st["global_secondary_indexes"][0]["projection_type"])  # left out: ALL
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        # Changing an LSI is a replacement: refused while protected, a plan that says so otherwise.
        self.write(d, table(name, extra.replace('"by_total"', '"by_amount"')))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("must be replaced", r.text)
        self.assertIn("local_secondary_indexes", r.text)

    def test_features_change_in_place_and_drift_is_repaired(self):
        name = "real-inplace"
        d = self.workdir("inplace", table(name, gsis(gsi("by_status", "status")) +
                                          '\n  stream = { view_type = "NEW_IMAGE" }'))
        self.init(d)
        self.apply(d)
        self.put_orders(name, 6)
        before = self.items(name)
        arn = self.desc(name)["TableArn"]
        # Another view type (a new stream), the AWS managed key, infrequent access, on-demand
        # limits, contributor insights: all in place, one stack update.
        changed = (gsis(gsi("by_status", "status")) +
                   '\n  stream = { view_type = "KEYS_ONLY" }'
                   '\n  server_side_encryption = { kms_key_arn = null }'
                   '\n  table_class = "STANDARD_INFREQUENT_ACCESS"'
                   '\n  on_demand_throughput = { max_read_request_units = 200 }'
                   '\n  contributor_insights = true')
        self.write(d, table(name, changed))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("1 to change", r.text)
        self.assertNotIn("must be replaced", r.text)
        self.apply(d)
        t = self.desc(name)
        self.assertEqual(t["TableArn"], arn)
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "KEYS_ONLY")
        self.assertEqual(t["SSEDescription"]["SSEType"], "KMS")
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(t["OnDemandThroughput"]["MaxReadRequestUnits"], 200)
        self.emu.advance_clock(1)
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"],
                         "ENABLED")
        self.assertEqual(self.state(d, "dynamodb_ttl_table.t")["stream_arn"], t["LatestStreamArn"])
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Changed outside Terraform: shown by the plan, set back by apply with direct calls.
        # DynamoDB takes one change of a table at a time (UPDATING in between) and one
        # concern per UpdateTable (encryption and class separately).
        self.ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        self.wait_active(name)
        self.ddb.update_table(TableName=name, TableClass="STANDARD")
        self.wait_active(name)
        self.ddb.update_table(TableName=name, SSESpecification={"Enabled": False})
        self.ddb.update_contributor_insights(TableName=name, ContributorInsightsAction="DISABLE")
        self.emu.advance_clock(1)
        r = self.tf(d, "plan", "-input=false", check=0)
        for attr in ("stream", "table_class", "server_side_encryption", "contributor_insights"):
            self.assertIn(attr, r.text)
        # Setting the class back would be its third change within 30 days, which DynamoDB
        # refuses (LimitExceededException, docs/aws-behaviour.md §5.6): on AWS the repair
        # waits for the month to pass, here the emulator clock moves.
        self.wait_emulated(30 * 86400)
        mark = self.emu.log_offset()
        self.apply(d)
        ops = [c["operation"] for c in mutating(self.emu.calls(mark))]
        self.assertIn("UpdateTable", ops)
        self.assertIn("UpdateContributorInsights", ops)
        t = self.desc(name)
        self.assertEqual(t["StreamSpecification"]["StreamViewType"], "KEYS_ONLY")
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(t["SSEDescription"]["SSEType"], "KMS")
        self.emu.advance_clock(1)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)

    # -- index changes ------------------------------------------------------------------

    def test_swapping_one_index_for_another_is_two_stack_updates(self):
        name = "real-swap"
        d = self.workdir("swap", table(name, gsis(gsi("by_status", "status"))))
        self.init(d)
        self.apply(d)
        self.put_orders(name, 8)
        before = self.items(name)
        self.write(d, table(name, gsis(gsi("by_customer", "customer"))))
        r = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Index changes take several stack updates", r.text)
        self.assertIn("1. delete index by_status", r.text)
        self.assertIn("2. create index by_customer", r.text)
        # Indexes take a second to build or delete, and the stack operations too.
        self.emu.set_delay(1)
        mark = self.emu.log_offset()
        self.apply(d)
        calls = self.emu.calls(mark)
        self.assertEqual([c["operation"] for c in mutating(calls)],
                         ["CreateChangeSet", "ExecuteChangeSet", "CreateChangeSet", "ExecuteChangeSet"])
        # Between the two updates, the table was polled until the deletion had finished.
        execs = [i for i, c in enumerate(calls) if c["operation"] == "ExecuteChangeSet"]
        self.assertTrue(any(c["operation"] == "DescribeTable" for c in calls[execs[0]:execs[1]]))
        events = self.cfn.describe_stack_events(StackName=name)["StackEvents"]
        updates = [e for e in events if e["LogicalResourceId"] == name and e["ResourceStatus"] == "UPDATE_COMPLETE"]
        self.assertGreaterEqual(len(updates), 2)
        log = self.trace()
        self.assertIn("stack update 1 of 2: deleting index by_status", log)
        self.assertIn("stack update 2 of 2: the configuration", log)
        self.assertEqual(self.index_names(name), ["by_customer"])
        self.assertEqual(self.desc(name)["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertEqual(self.items(name), before)
        self.emu.set_delay(0)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_an_interrupted_sequence_resumes_on_the_next_apply(self):
        name = "real-resume"
        d = self.workdir("resume", table(name))
        self.init(d)
        self.apply(d)
        self.write(d, table(name, gsis(gsi("by_a", "a"), gsi("by_b", "b"), gsi("by_c", "c"))))
        # The second stack operation fails (as a quota or a permission would), the first
        # goes through: the fault is armed before terraform starts and counts stack
        # operations (skip), so it hits the second update whatever the timing. Index
        # builds and stack operations take a second, so the provider polls the table
        # between the updates.
        self.emu.add_fault(kind="fail_stack", stack=name, reason="Injected failure of the second update",
                           count=1, skip=1)
        self.emu.set_delay(1)
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Injected failure of the second update", r.text)
        calls = self.emu.calls(mark)
        execs = [i for i, c in enumerate(calls) if c["operation"] == "ExecuteChangeSet"]
        self.assertEqual(len(execs), 2, [c["operation"] for c in calls])
        self.assertTrue(any(c["operation"] == "DescribeTable" for c in calls[execs[0]:execs[1]]))
        self.assertEqual(self.index_names(name), ["by_a"])
        # The next apply continues from the deployed template: two updates left.
        mark = self.emu.log_offset()
        self.apply(d)
        execs = [c for c in self.emu.calls(mark) if c["operation"] == "ExecuteChangeSet"]
        self.assertEqual(len(execs), 2)
        self.assertEqual(self.index_names(name), ["by_a", "by_b", "by_c"])
        self.emu.set_delay(0)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_index_deleted_outside_terraform_is_created_again(self):
        name = "real-drift"
        d = self.workdir("drift", table(name, gsis(gsi("by_status", "status"), gsi("by_customer", "customer"))))
        self.init(d)
        self.apply(d)
        self.ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_status"}}])
        self.assertEqual(self.index_names(name), ["by_customer"])
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("Index deleted outside Terraform will be created again", r.text)
        mark = self.emu.log_offset()
        self.apply(d)
        ops = [c["operation"] for c in mutating(self.emu.calls(mark))]
        self.assertEqual(ops[0], "UpdateTable")  # from the template's definition, first
        self.assertEqual(self.index_names(name), ["by_customer", "by_status"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_index_added_outside_terraform_is_never_deleted(self):
        name = "real-extra"
        d = self.workdir("extra", table(name, gsis(gsi("by_status", "status"))))
        self.init(d)
        self.apply(d)
        self.ddb.update_table(
            TableName=name, AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"},
                                                  {"AttributeName": "status", "AttributeType": "S"},
                                                  {"AttributeName": "customer", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "by_customer",
                                                     "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                                                     "Projection": {"ProjectionType": "ALL"}}}])
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false")
        self.assertEqual(r.rc, 1, r.text)
        self.assertIn("Index changed outside Terraform", r.text)
        self.assertIn("by_customer", r.text)
        self.apply(d, check=1)
        self.assertEqual(mutating(self.emu.calls(mark)), [])
        self.assertEqual(self.index_names(name), ["by_customer", "by_status"])

    # -- refresh ------------------------------------------------------------------------

    def test_refresh_of_a_table_with_indexes_costs_six_calls(self):
        name = "real-refresh"
        d = self.workdir("refresh", table(name, gsis(gsi("by_status", "status"), gsi("by_customer", "customer")) +
                                          '\n  stream = { view_type = "KEYS_ONLY" }'))
        self.init(d)
        self.apply(d)
        mark = self.emu.log_offset()
        self.assertEqual(self.tf(d, "plan", "-input=false", "-refresh-only", "-detailed-exitcode").rc, 0)
        ops = sorted(c["operation"] for c in self.emu.calls(mark))
        self.assertEqual(ops, sorted(["DescribeTable", "DescribeTimeToLive", "DescribeContinuousBackups",
                                      "ListTagsOfResource", "DescribeContributorInsights", "DescribeStacks"]))


if __name__ == "__main__":
    unittest.main()
