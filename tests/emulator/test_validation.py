"""Request validation against botocore's models (validator.py), unit and over the wire."""
import json
import unittest
import urllib.request

import validator
from emutest import EmulatorTestCase, table_template, uniq
from validator import Invalid, check_json, check_query


def q(op, **fields):
    return check_query("cloudformation", op, {"Action": op, "Version": "2010-05-15", **fields})


class QueryDeserializerTest(unittest.TestCase):
    def test_lists_maps_scalars(self):
        p = q("CreateChangeSet", StackName="s", ChangeSetName="c", ChangeSetType="IMPORT",
              **{"ResourcesToImport.member.1.ResourceType": "AWS::DynamoDB::Table",
                 "ResourcesToImport.member.1.LogicalResourceId": "T",
                 "ResourcesToImport.member.1.ResourceIdentifier.entry.1.key": "TableName",
                 "ResourcesToImport.member.1.ResourceIdentifier.entry.1.value": "t",
                 "Capabilities.member.1": "CAPABILITY_IAM", "Tags": ""})
        self.assertEqual(p["ResourcesToImport"], [{"ResourceType": "AWS::DynamoDB::Table",
                                                   "LogicalResourceId": "T",
                                                   "ResourceIdentifier": {"TableName": "t"}}])
        self.assertEqual(p["Capabilities"], ["CAPABILITY_IAM"])
        self.assertEqual(p["Tags"], [])  # `Name=` is an empty list
        p = q("CreateStack", StackName="s", TemplateBody="{}", TimeoutInMinutes="5",
              EnableTerminationProtection="true")
        self.assertEqual((p["TimeoutInMinutes"], p["EnableTerminationProtection"]), (5, True))

    def test_list_order_by_index(self):
        p = q("DeleteStack", StackName="s", **{"RetainResources.member.2": "B", "RetainResources.member.1": "A"})
        self.assertEqual(p["RetainResources"], ["A", "B"])


class ConstraintKindsTest(unittest.TestCase):
    def msg(self, fn, *a, **k):
        with self.assertRaises(Invalid) as cm:
            fn(*a, **k)
        return cm.exception

    def test_string_min_length_stack_tag_value(self):
        e = self.msg(q, "CreateStack", StackName="s", TemplateBody="{}",
                     **{"Tags.member.1.Key": "a", "Tags.member.1.Value": ""})
        self.assertEqual((e.code, e.status), ("ValidationError", 400))
        self.assertEqual(e.message, "1 validation error detected: Value '' at 'tags.1.member.value' "
                                    "failed to satisfy constraint: Member must have length greater "
                                    "than or equal to 1")

    def test_string_max_length(self):
        e = self.msg(q, "CreateChangeSet", StackName="s", ChangeSetName="c" * 129)
        self.assertIn("at 'changeSetName' failed to satisfy constraint: Member must have length "
                      "less than or equal to 128", e.message)

    def test_pattern(self):
        e = self.msg(q, "CreateChangeSet", StackName="s", ChangeSetName="9bad")
        self.assertIn("Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", e.message)
        e = self.msg(q, "ExecuteChangeSet", ChangeSetName="c", StackName="s", ClientRequestToken="-x")
        self.assertIn("at 'clientRequestToken'", e.message)

    def test_enum(self):
        e = self.msg(q, "CreateChangeSet", StackName="s", ChangeSetName="c", ChangeSetType="MERGE")
        self.assertIn("Value 'MERGE' at 'changeSetType' failed to satisfy constraint: Member must "
                      "satisfy enum value set: [CREATE, UPDATE, IMPORT]", e.message)

    def test_integer_range(self):
        e = self.msg(q, "CreateStack", StackName="s", TemplateBody="{}", TimeoutInMinutes="0")
        self.assertIn("at 'timeoutInMinutes' failed to satisfy constraint: Member must have value "
                      "greater than or equal to 1", e.message)

    def test_list_length(self):
        fields = {f"Tags.member.{i}.Key": f"k{i}" for i in range(1, 52)}
        fields.update({f"Tags.member.{i}.Value": "v" for i in range(1, 52)})
        e = self.msg(q, "CreateStack", StackName="s", TemplateBody="{}", **fields)
        self.assertIn("at 'tags' failed to satisfy constraint: Member must have length less than or "
                      "equal to 50", e.message)

    def test_required_and_count(self):
        e = self.msg(q, "CreateChangeSet", ChangeSetName="9x")
        self.assertTrue(e.message.startswith("2 validation errors detected: "), e.message)
        self.assertIn("Value null at 'stackName' failed to satisfy constraint: Member must not be null",
                      e.message)

    def test_unknown_parameter(self):
        e = self.msg(q, "DescribeStacks", StackName="s", Bogus="1")
        self.assertEqual(e.code, "ValidationError")
        self.assertIn("Bogus", e.message)
        e = self.msg(check_json, "dynamodb", "DescribeTable", b'{"TableName": "abc", "Extra": 1}')
        self.assertEqual(e.code, "ValidationException")

    def test_type_error(self):
        e = self.msg(q, "CreateStack", StackName="s", TemplateBody="{}", TimeoutInMinutes="five")
        self.assertEqual(e.code, "ValidationError")
        e = self.msg(check_json, "dynamodb", "UpdateTimeToLive",
                     json.dumps({"TableName": "abc", "TimeToLiveSpecification":
                                 {"Enabled": "yes", "AttributeName": "x"}}).encode())
        self.assertEqual(e.code, "SerializationException")

    def test_unknown_action(self):
        e = self.msg(q, "MakeCoffee")
        self.assertEqual(e.code, "InvalidAction")

    def test_dynamodb_messages(self):
        e = self.msg(check_json, "dynamodb", "UpdateTimeToLive",
                     json.dumps({"TableName": "abc", "TimeToLiveSpecification":
                                 {"Enabled": True, "AttributeName": ""}}).encode())
        self.assertEqual(e.message, "1 validation error detected: Value '' at "
                                    "'timeToLiveSpecification.attributeName' failed to satisfy "
                                    "constraint: Member must have length greater than or equal to 1")
        # DynamoDB tag values may be empty (TagValueString min 0)
        check_json("dynamodb", "TagResource", json.dumps(
            {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/abc",
             "Tags": [{"Key": "k", "Value": ""}]}).encode())
        e = self.msg(check_json, "dynamodb", "TagResource", json.dumps(
            {"ResourceArn": "arn:aws:dynamodb:us-east-1:123456789012:table/abc",
             "Tags": [{"Key": "", "Value": "v"}]}).encode())
        self.assertIn("at 'tags.1.member.key'", e.message)

    def test_sts(self):
        with self.assertRaises(Invalid) as cm:
            check_query("sts", "AssumeRole", {"RoleArn": "arn:aws:iam::123456789012:role/r",
                                              "RoleSessionName": "x", "DurationSeconds": "10"})
        self.assertIn("at 'durationSeconds'", cm.exception.message)

    def test_java_only_patterns_are_skipped(self):
        self.assertIsNotNone(validator._compile("[a-zA-Z][-a-zA-Z0-9]*"))


class WireValidationTest(EmulatorTestCase):
    def test_stack_tag_with_empty_value_refused(self):
        stack = uniq("val")
        raw = self.emu.client("cloudformation", parameter_validation=False)  # like a C client
        with self.assertRaises(raw.exceptions.ClientError) as cm:
            raw.create_change_set(StackName=stack, ChangeSetName="c", ChangeSetType="CREATE",
                                       TemplateBody=table_template(uniq("t")),
                                       Tags=[{"Key": "team", "Value": ""}])
        err = cm.exception.response
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(err["Error"]["Code"], "ValidationError")
        self.assertEqual(err["Error"]["Type"], "Sender")
        self.assertIn("'tags.1.member.value'", err["Error"]["Message"])
        # nothing was created
        with self.assertRaises(self.cfn.exceptions.ClientError):
            self.cfn.describe_stacks(StackName=stack)

    def test_dynamodb_table_tag_empty_value_accepted(self):
        table = uniq("tv")
        self.create_table(table, Tags=[{"Key": "empty", "Value": ""}])
        arn = self.ddb.describe_table(TableName=table)["Table"]["TableArn"]
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                         [{"Key": "empty", "Value": ""}])

    def test_dynamodb_validation_exception_shape(self):
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.describe_table(TableName="ab")  # TableArn/TableName min 1, max 1024: fine
        self.assertEqual(cm.exception.response["Error"]["Code"], "ResourceNotFoundException")
        req = urllib.request.Request(self.emu.endpoint, method="POST",
                                     data=json.dumps({"TableName": "t1", "Unknown": 1}).encode(),
                                     headers={"Content-Type": "application/x-amz-json-1.0",
                                              "X-Amz-Target": "DynamoDB_20120810.DescribeTable"})
        self.emu.set_config(auth=False)
        try:
            with self.assertRaises(urllib.error.HTTPError) as cm2:
                urllib.request.urlopen(req, timeout=10)
            body = json.loads(cm2.exception.read())
            self.assertEqual(cm2.exception.code, 400)
            self.assertTrue(body["__type"].endswith("#ValidationException"), body)
        finally:
            self.emu.set_config(auth=True)

    def test_log_records_validation_error(self):
        mark = self.emu.log_mark()
        raw = self.emu.client("cloudformation", parameter_validation=False)
        with self.assertRaises(raw.exceptions.ClientError):
            raw.create_change_set(StackName=uniq("v"), ChangeSetName="9", TemplateBody="{}")
        recs = [r for r in self.emu.log_records_since(mark) if r["operation"] == "CreateChangeSet"]
        self.assertEqual((recs[-1]["status"], recs[-1]["error"]), (400, "ValidationError"))


if __name__ == "__main__":
    unittest.main()
