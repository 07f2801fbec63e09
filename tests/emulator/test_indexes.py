"""Indexes and the rest of a real table: GSIs on update (one per update), LSIs = replacement,
CREATING/Backfilling on the clock, streams, SSE, table class, on-demand throughput,
contributor insights — through CloudFormation and through DynamoDB."""
import datetime as _dt
import time
import unittest

from emutest import EmulatorTestCase, table_template, uniq

ATTRS = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g1", "AttributeType": "S"},
         {"AttributeName": "g2", "AttributeType": "S"}]


def gsi(name, key, **extra):
    return dict({"IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}, **extra)


class IndexTest(EmulatorTestCase):
    delay_seconds = 0.0

    def desc(self, table):
        return self.ddb.describe_table(TableName=table)["Table"]

    def test_gsi_add_then_delete_through_stack(self):
        table, stack = uniq("gsi"), uniq("gsi")
        self.emu.set_delay(0)
        self.deploy(stack, table_template(table, AttributeDefinitions=ATTRS), expect="CREATE_COMPLETE")
        self.emu.set_delay(30)  # index build time on the emulator clock
        try:
            name = uniq("cs")
            self.cfn.create_change_set(StackName=stack, ChangeSetName=name,
                                       TemplateBody=table_template(table, AttributeDefinitions=ATTRS,
                                                                   GlobalSecondaryIndexes=[gsi("gsi1", "g1")]))
            self.emu.advance_clock(31)
            self.wait_change_set(stack, name)
            self.cfn.execute_change_set(StackName=stack, ChangeSetName=name)
            self.emu.advance_clock(31)
            self.assertEqual(self.wait_stack(stack)["StackStatus"], "UPDATE_COMPLETE")
            t = self.desc(table)
            self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["gsi1"])
        finally:
            self.emu.set_delay(0)
        self.emu.advance_clock(31)
        t = self.desc(table)
        self.assertEqual((t["TableStatus"], t["GlobalSecondaryIndexes"][0]["IndexStatus"]), ("ACTIVE", "ACTIVE"))
        self.assertTrue(t["GlobalSecondaryIndexes"][0]["IndexArn"].endswith(f"table/{table}/index/gsi1"))
        self.deploy(stack, table_template(table, AttributeDefinitions=ATTRS), "UPDATE", expect="UPDATE_COMPLETE")
        self.assertNotIn("GlobalSecondaryIndexes", self.desc(table))

    def test_index_creating_and_table_updating_on_clock(self):
        table = uniq("gc")
        self.create_table(table)
        self.emu.set_delay(60)
        try:
            self.ddb.update_table(TableName=table, AttributeDefinitions=ATTRS,
                                  GlobalSecondaryIndexUpdates=[{"Create": gsi("gsi1", "g1")}])
            t = self.desc(table)
            self.assertEqual(t["TableStatus"], "UPDATING")
            g = t["GlobalSecondaryIndexes"][0]
            self.assertEqual((g["IndexStatus"], g["Backfilling"]), ("CREATING", True))
            # one online index operation at a time
            with self.assertRaises(self.ddb.exceptions.LimitExceededException) as cm:
                self.ddb.update_table(TableName=table, AttributeDefinitions=ATTRS,
                                      GlobalSecondaryIndexUpdates=[{"Create": gsi("gsi2", "g2")}])
            self.assertEqual(cm.exception.response["Error"]["Message"],
                             "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                             "simultaneously per table")
            self.emu.advance_clock(61)
            t = self.desc(table)
            self.assertEqual((t["TableStatus"], t["GlobalSecondaryIndexes"][0]["IndexStatus"]), ("ACTIVE", "ACTIVE"))
            self.assertNotIn("Backfilling", t["GlobalSecondaryIndexes"][0])
        finally:
            self.emu.set_delay(0)

    def test_two_indexes_in_one_update_table_call(self):
        table = uniq("g2")
        self.create_table(table)
        with self.assertRaises(self.ddb.exceptions.LimitExceededException):
            self.ddb.update_table(TableName=table, AttributeDefinitions=ATTRS,
                                  GlobalSecondaryIndexUpdates=[{"Create": gsi("gsi1", "g1")},
                                                               {"Create": gsi("gsi2", "g2")}])
        self.assertNotIn("GlobalSecondaryIndexes", self.desc(table))

    def test_two_gsi_changes_in_one_stack_update_fail(self):
        table, stack = uniq("gg"), uniq("gg")
        self.deploy(stack, table_template(table, AttributeDefinitions=ATTRS), expect="CREATE_COMPLETE")
        tpl = table_template(table, AttributeDefinitions=ATTRS,
                             GlobalSecondaryIndexes=[gsi("gsi1", "g1"), gsi("gsi2", "g2")])
        self.deploy(stack, tpl, "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        failed = [r[2] for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"]
        self.assertTrue(failed[0].startswith('Resource handler returned message: "Cannot perform more than '
                                             'one GSI creation or deletion in a single update" (RequestToken: '),
                        failed[0])
        self.assertNotIn("GlobalSecondaryIndexes", self.desc(table))

    def test_gsi_throughput_changes_in_one_update(self):
        table, stack = uniq("gt"), uniq("gt")
        pt = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        base = dict(AttributeDefinitions=ATTRS, BillingMode="PROVISIONED", ProvisionedThroughput=pt)
        self.deploy(stack, table_template(table, GlobalSecondaryIndexes=[gsi("gsi1", "g1", ProvisionedThroughput=pt),
                                                                        gsi("gsi2", "g2", ProvisionedThroughput=pt)],
                                          **base), expect="CREATE_COMPLETE")
        pt2 = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 6}
        self.deploy(stack, table_template(table, GlobalSecondaryIndexes=[gsi("gsi1", "g1", ProvisionedThroughput=pt2),
                                                                        gsi("gsi2", "g2", ProvisionedThroughput=pt2)],
                                          **base), "UPDATE", expect="UPDATE_COMPLETE")
        self.assertEqual({g["ProvisionedThroughput"]["ReadCapacityUnits"] for g in self.desc(table)["GlobalSecondaryIndexes"]}, {5})

    def test_lsi_change_requires_replacement(self):
        table, stack = uniq("lsi"), uniq("lsi")
        ks = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
        ad = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"},
              {"AttributeName": "l1", "AttributeType": "S"}]
        lsi = {"IndexName": "l1", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                 {"AttributeName": "l1", "KeyType": "RANGE"}],
               "Projection": {"ProjectionType": "KEYS_ONLY"}}
        self.deploy(stack, table_template(table, KeySchema=ks, AttributeDefinitions=ad, LocalSecondaryIndexes=[lsi]),
                    expect="CREATE_COMPLETE")
        self.assertEqual(self.desc(table)["LocalSecondaryIndexes"][0]["IndexName"], "l1")
        self.deploy(stack, table_template(table, KeySchema=ks, AttributeDefinitions=ad), "UPDATE",
                    expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertIn(f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                      f"Rename {table} and update the stack again.",
                      [r[2] for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"])

    def test_table_extras_through_stack(self):
        table, stack = uniq("ext"), uniq("ext")
        tpl = table_template(table, StreamSpecification={"StreamViewType": "NEW_AND_OLD_IMAGES"},
                             SSESpecification={"SSEEnabled": True}, TableClass="STANDARD_INFREQUENT_ACCESS",
                             OnDemandThroughput={"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 5},
                             ContributorInsightsSpecification={"Enabled": True},
                             outputs={"S": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}}})
        s = self.deploy(stack, tpl, expect="CREATE_COMPLETE")
        t = self.desc(table)
        self.assertEqual(t["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        self.assertEqual(s["Outputs"][0]["OutputValue"], t["LatestStreamArn"])
        self.assertEqual((t["SSEDescription"]["Status"], t["SSEDescription"]["SSEType"]), ("ENABLED", "KMS"))
        self.assertTrue(t["SSEDescription"]["KMSMasterKeyArn"].startswith("arn:aws:kms:"))
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(t["OnDemandThroughput"], {"MaxReadRequestUnits": 10, "MaxWriteRequestUnits": 5})
        ci = self.ddb.describe_contributor_insights(TableName=table)
        self.assertIn(ci["ContributorInsightsStatus"], ("ENABLING", "ENABLED"))
        # a customer key (it must exist: ddb_rules.resolve_kms_key), then back to the AWS owned
        # key with SSEEnabled false (no SSEDescription); the template keeps the other
        # properties explicitly (TableClass STANDARD, insights off): leaving them out would
        # leave the table as it is (test_strict.py)
        key = self.emu.client("kms").create_key()["KeyMetadata"]
        base = dict(TableClass="STANDARD", ContributorInsightsSpecification={"Enabled": False})
        self.deploy(stack, table_template(table, SSESpecification={"SSEEnabled": True, "SSEType": "KMS",
                                                                   "KMSMasterKeyId": key["KeyId"]}, **base),
                    "UPDATE", expect="UPDATE_COMPLETE")
        t = self.desc(table)
        self.assertEqual(t["SSEDescription"]["KMSMasterKeyArn"], key["Arn"])
        self.assertNotIn("StreamSpecification", t)
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD")
        self.emu.advance_clock(1)
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"], "DISABLED")
        self.deploy(stack, table_template(table, SSESpecification={"SSEEnabled": False}, **base), "UPDATE",
                    expect="UPDATE_COMPLETE")
        self.assertNotIn("SSEDescription", self.desc(table))

    def test_contributor_insights_api(self):
        table = uniq("ci")
        self.create_table(table)
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"], "DISABLED")
        r = self.ddb.update_contributor_insights(TableName=table, ContributorInsightsAction="ENABLE")
        self.assertEqual(r["ContributorInsightsStatus"], "ENABLING")
        self.emu.advance_clock(1)
        d = self.ddb.describe_contributor_insights(TableName=table)
        self.assertEqual(d["ContributorInsightsStatus"], "ENABLED")
        self.assertEqual(len(d["ContributorInsightsRuleList"]), 2)

    def test_stream_disabled_then_a_new_one(self):
        table = uniq("st")
        self.create_table(table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        first = self.desc(table)["LatestStreamArn"]
        # another view type while a stream is enabled: ValidationException (BC UpdateTable)
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True,
                                                                        "StreamViewType": "KEYS_ONLY"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")
        self.ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
        self.assertFalse(self.desc(table).get("StreamSpecification", {}).get("StreamEnabled"))
        self.wait_active(table)
        # Writes go on without the stream (moto answered them 500 before).
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "after-disable"}})
        # moto labels a stream with the wall clock (utcnow().isoformat()): a stream made
        # at the same instant as the first would take its ARN. Wait for the event "the
        # clock has passed the first stream's label", not for a fixed time.
        label = _dt.datetime.fromisoformat(first.rsplit("/stream/", 1)[1])
        deadline = time.monotonic() + 60  # a guard: the label is a past instant of this clock
        while _dt.datetime.now(_dt.timezone.utc).replace(tzinfo=None) <= label:
            self.assertLess(time.monotonic(), deadline, f"the wall clock never passed {label}")
            time.sleep(0.001)
        self.ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True,
                                                                    "StreamViewType": "KEYS_ONLY"})
        t = self.desc(table)
        self.assertEqual(t["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.assertNotEqual(t["LatestStreamArn"], first)

    def test_kinesis_streaming_destination(self):
        table = uniq("kin")
        self.create_table(table)
        self.assertEqual(self.ddb.describe_kinesis_streaming_destination(TableName=table)
                         ["KinesisDataStreamDestinations"], [])
        arn = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
        r = self.ddb.enable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
        self.assertEqual(r["DestinationStatus"], "ENABLING")  # ACTIVE after --table-seconds
        self.emu.advance_clock(2)
        d = self.ddb.describe_kinesis_streaming_destination(TableName=table)
        self.assertEqual(d["KinesisDataStreamDestinations"], [{"StreamArn": arn, "DestinationStatus": "ACTIVE",
                                                               "ApproximateCreationDateTimePrecision": "MILLISECOND"}])
        self.ddb.disable_kinesis_streaming_destination(TableName=table, StreamArn=arn)
        self.emu.advance_clock(2)
        d = self.ddb.describe_kinesis_streaming_destination(TableName=table)
        self.assertEqual(d["KinesisDataStreamDestinations"][0]["DestinationStatus"], "DISABLED")

    def test_table_class_and_sse_by_update_table(self):
        table = uniq("tc")
        self.create_table(table)
        self.assertNotIn("TableClassSummary", self.desc(table))
        self.ddb.update_table(TableName=table, TableClass="STANDARD_INFREQUENT_ACCESS")
        self.wait_active(table)
        self.ddb.update_table(TableName=table, SSESpecification={"Enabled": True})
        t = self.desc(table)
        self.assertEqual(t["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(t["SSEDescription"]["SSEType"], "KMS")


if __name__ == "__main__":
    unittest.main()
