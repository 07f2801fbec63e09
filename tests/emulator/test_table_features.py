"""The table properties issue 25 adds, through DynamoDB and through stacks (ddb_features.py,
emu_cfn.py; docs/aws-behaviour.md §4.5, §5.8): the resource policy, Kinesis streaming
destinations with their timestamp precision, warm throughput. (Point-in-time recovery's
RecoveryPeriodInDays: test_backup.py.)"""
import json
import unittest

from emutest import EmulatorTestCase, table_template, uniq

STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
STREAM2 = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-2"


def policy(table_arn: str, action: str = "dynamodb:GetItem") -> dict:
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": action, "Resource": table_arn}]}


class FeaturesApiTest(EmulatorTestCase):
    BUSY = 30

    def setUp(self):
        self.emu.set_config(table_seconds=self.BUSY)

    def settle(self):
        self.emu.advance_clock(self.BUSY + 1)

    def table(self, **kw) -> str:
        name = uniq("ft")
        self.create_table(name, wait=False, **kw)
        self.settle()
        return name

    def refused(self, code, fn, **kw) -> str:
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response["Error"])
        return cm.exception.response["Error"]["Message"]

    def test_resource_policy(self):
        name = self.table()
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.refused("PolicyNotFoundException", self.ddb.get_resource_policy, ResourceArn=arn)
        doc = json.dumps(policy(arn))
        rev = self.ddb.put_resource_policy(ResourceArn=arn, Policy=doc)["RevisionId"]
        got = self.ddb.get_resource_policy(ResourceArn=arn)
        self.assertEqual((got["Policy"], got["RevisionId"]), (doc, rev))
        self.assertEqual(self.ddb.put_resource_policy(ResourceArn=arn, Policy=doc)["RevisionId"], rev)
        msg = self.refused("ValidationException", self.ddb.put_resource_policy, ResourceArn=arn, Policy="{nope")
        self.assertIn("Invalid policy document: This policy contains invalid Json", msg)
        self.refused("ValidationException", self.ddb.put_resource_policy, ResourceArn=arn,
                     Policy=json.dumps({"Version": "2012-10-17", "Statement": []}))
        self.refused("ValidationException", self.ddb.put_resource_policy, ResourceArn=arn,
                     Policy=json.dumps(policy(arn, "dynamodb:" + "x" * 21000)))
        self.refused("PolicyNotFoundException", self.ddb.put_resource_policy, ResourceArn=arn,
                     Policy=json.dumps(policy(arn, "dynamodb:Query")), ExpectedRevisionId="stale")
        self.ddb.delete_resource_policy(ResourceArn=arn, ExpectedRevisionId=rev)
        self.refused("PolicyNotFoundException", self.ddb.delete_resource_policy, ResourceArn=arn)

    def test_kinesis_destination_lifecycle_and_precision(self):
        name = self.table()
        r = self.ddb.enable_kinesis_streaming_destination(
            TableName=name, StreamArn=STREAM,
            EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"})
        self.assertEqual(r["DestinationStatus"], "ENABLING")
        msg = self.refused("ValidationException", self.ddb.enable_kinesis_streaming_destination,
                           TableName=name, StreamArn=STREAM)
        self.assertIn("must be DISABLED or ENABLE_FAILED to perform ENABLE operation", msg)
        self.settle()
        d = self.ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"]
        self.assertEqual(d, [{"StreamArn": STREAM, "DestinationStatus": "ACTIVE",
                              "ApproximateCreationDateTimePrecision": "MICROSECOND"}])
        msg = self.refused("ValidationException", self.ddb.update_kinesis_streaming_destination,
                           TableName=name, StreamArn=STREAM,
                           UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"})
        self.assertIn("Precision is already set to the desired value of MICROSECOND", msg)
        r = self.ddb.update_kinesis_streaming_destination(
            TableName=name, StreamArn=STREAM,
            UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MILLISECOND"})
        self.assertEqual(r["DestinationStatus"], "UPDATING")
        self.settle()
        self.assertEqual(self.ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=STREAM)
                         ["DestinationStatus"], "DISABLING")
        self.settle()
        d = self.ddb.describe_kinesis_streaming_destination(TableName=name)["KinesisDataStreamDestinations"]
        self.assertEqual((d[0]["DestinationStatus"], d[0]["ApproximateCreationDateTimePrecision"]),
                         ("DISABLED", "MILLISECOND"))
        msg = self.refused("ValidationException", self.ddb.disable_kinesis_streaming_destination,
                           TableName=name, StreamArn=STREAM)
        self.assertIn("must be ACTIVE to perform DISABLE operation", msg)

    def test_warm_throughput(self):
        name = uniq("wt")
        msg = self.refused("ValidationException", self.ddb.create_table, TableName=name,
                           BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           WarmThroughput={"ReadUnitsPerSecond": 100})
        self.assertIn("lower than initial throughput for OnDemand", msg)
        name = self.table()
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(t["WarmThroughput"], {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                                               "Status": "ACTIVE"})
        self.ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 15000})
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual((t["TableStatus"], t["WarmThroughput"]["Status"],
                          t["WarmThroughput"]["ReadUnitsPerSecond"]), ("ACTIVE", "UPDATING", 15000))
        self.settle()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           WarmThroughput={"ReadUnitsPerSecond": 13000})
        self.assertIn("decreasing WarmThroughput is not supported", msg)


class FeaturesStackTest(EmulatorTestCase):
    def test_four_properties_create_update_remove(self):
        table, stack = uniq("fs"), uniq("fs")
        arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}"
        props = dict(
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 10},
            WarmThroughput={"ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 5000},
            ResourcePolicy={"PolicyDocument": policy(arn)},
            KinesisStreamSpecification={"StreamArn": STREAM})
        tpl = table_template(table, **props)
        self.deploy(stack, tpl, expect="CREATE_COMPLETE")
        t = self.ddb.describe_table(TableName=table)["Table"]
        self.assertEqual((t["WarmThroughput"]["ReadUnitsPerSecond"], t["WarmThroughput"]["WriteUnitsPerSecond"]),
                         (13000, 5000))
        self.assertEqual(json.loads(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"]), policy(arn))
        self.assertEqual(self.ddb.describe_kinesis_streaming_destination(TableName=table)
                         ["KinesisDataStreamDestinations"],
                         [{"StreamArn": STREAM, "DestinationStatus": "ACTIVE",
                           "ApproximateCreationDateTimePrecision": "MILLISECOND"}])
        self.assertEqual(self.ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
                         ["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"], 10)
        # GetTemplate gives the template back as submitted (boto3 parses a JSON body)
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]
        self.assertEqual(json.loads(json.dumps(body)) if not isinstance(body, str) else json.loads(body),
                         json.loads(tpl))
        # in place: another policy (as a string), stream and precision, more warm throughput
        props2 = dict(props, WarmThroughput={"ReadUnitsPerSecond": 14000, "WriteUnitsPerSecond": 5000},
                      ResourcePolicy={"PolicyDocument": json.dumps(policy(arn, "dynamodb:Query"))},
                      KinesisStreamSpecification={"StreamArn": STREAM2,
                                                  "ApproximateCreationDateTimePrecision": "MICROSECOND"})
        self.deploy(stack, table_template(table, **props2), "UPDATE", expect="UPDATE_COMPLETE")
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["WarmThroughput"]["ReadUnitsPerSecond"],
                         14000)
        self.assertEqual(json.loads(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"])["Statement"][0]
                         ["Action"], "dynamodb:Query")
        dests = {d["StreamArn"]: d for d in self.ddb.describe_kinesis_streaming_destination(TableName=table)
                 ["KinesisDataStreamDestinations"]}
        self.assertEqual(dests[STREAM]["DestinationStatus"], "DISABLED")
        self.assertEqual((dests[STREAM2]["DestinationStatus"], dests[STREAM2]["ApproximateCreationDateTimePrecision"]),
                         ("ACTIVE", "MICROSECOND"))
        # less warm throughput: DynamoDB refuses, the update rolls back
        self.deploy(stack, table_template(table, **dict(props2, WarmThroughput={"ReadUnitsPerSecond": 13000})),
                    "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        failed = [r[2] for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"][0]
        self.assertIn("decreasing WarmThroughput is not supported", failed)
        # removed: policy deleted, destination disabled, warm throughput kept
        self.deploy(stack, table_template(table), "UPDATE", expect="UPDATE_COMPLETE")
        with self.assertRaises(self.ddb.exceptions.ClientError):
            self.ddb.get_resource_policy(ResourceArn=arn)
        self.assertEqual({d["DestinationStatus"] for d in self.ddb.describe_kinesis_streaming_destination(
            TableName=table)["KinesisDataStreamDestinations"]}, {"DISABLED"})
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["WarmThroughput"]["ReadUnitsPerSecond"],
                         14000)

    def test_on_demand_stack_table_has_the_initial_warm_throughput(self):
        # Regression: a PAY_PER_REQUEST table made by a stack reported 0 / 0 (moto took the
        # zero capacities), and a WarmThroughput naming one unit left the other at 0.
        for warm, want in ((None, (12000, 4000)), ({"ReadUnitsPerSecond": 13000}, (13000, 4000))):
            table, stack = uniq("fw"), uniq("fw")
            props = {"BillingMode": "PAY_PER_REQUEST"}
            if warm:
                props["WarmThroughput"] = warm
            self.deploy(stack, table_template(table, **props), expect="CREATE_COMPLETE")
            w = self.ddb.describe_table(TableName=table)["Table"]["WarmThroughput"]
            self.assertEqual((w["ReadUnitsPerSecond"], w["WriteUnitsPerSecond"]), want)

    def test_schema_rules(self):
        for props, needle in (
                ({"WarmThroughput": {}}, "#/WarmThroughput"),
                ({"ResourcePolicy": {}}, "required key [PolicyDocument]"),
                ({"KinesisStreamSpecification": {"StreamArn": STREAM,
                                                 "ApproximateCreationDateTimePrecision": "SECOND"}},
                 "ApproximateCreationDateTimePrecision"),
                ({"PointInTimeRecoverySpecification": {"RecoveryPeriodInDays": 5}}, "requires PointInTimeRecoveryEnabled")):
            table, stack = uniq("sch"), uniq("sch")
            self.cfn.create_stack(StackName=stack, TemplateBody=table_template(table, **props))
            self.assertEqual(self.wait_stack(stack)["StackStatus"], "ROLLBACK_COMPLETE", props)
            failed = [r[2] for r in self.reasons(stack) if r[1] == "CREATE_FAILED"][0]
            self.assertIn(needle, failed)

    def test_import_carries_the_properties_without_comparing(self):
        table, stack = uniq("fi"), uniq("fi")
        self.create_table(table)
        arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/{table}"
        tpl = table_template(table, deletion_policy="Retain", ResourcePolicy={"PolicyDocument": policy(arn)},
                             KinesisStreamSpecification={"StreamArn": STREAM})
        self.deploy(stack, tpl, "IMPORT", expect="IMPORT_COMPLETE",
                    ResourcesToImport=[{"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceId": "Table",
                                        "ResourceIdentifier": {"TableName": table}}])
        # the import does not apply them (docs/aws-behaviour.md §3.1): the table has neither
        with self.assertRaises(self.ddb.exceptions.ClientError):
            self.ddb.get_resource_policy(ResourceArn=arn)
        self.assertEqual(self.ddb.describe_kinesis_streaming_destination(TableName=table)
                         ["KinesisDataStreamDestinations"], [])


if __name__ == "__main__":
    unittest.main()
