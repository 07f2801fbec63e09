"""End to end: the rest of AWS::DynamoDB::Table's properties (issue 25).

Each property round-trips (apply, then an empty plan), its drift — changed with boto3
outside Terraform — shows in the plan and is repaired by apply, and a table that has it is
adopted with it (docs/resource.md "Attributes", docs/aws-behaviour.md §4.5, §5.7, §5.8)."""
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


class Properties(E2ETestCase):

    def props(self, stack):
        body = self.cfn.get_template(StackName=stack)["TemplateBody"]
        body = body if isinstance(body, dict) else json.loads(body)
        return body["Resources"]["Table"]["Properties"]

    def pitr(self, name):
        return self.ddb.describe_continuous_backups(TableName=name)[
            "ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]

    # -- point-in-time recovery's period ------------------------------------------

    def test_recovery_period_round_trip_and_drift(self):
        name = "prop-pitr"
        d = self.workdir("pitr", table(name, "point_in_time_recovery = true\n"
                                             "  recovery_period_in_days = 7"))
        self.init(d)
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 7)
        self.assertEqual(self.props(name)["PointInTimeRecoverySpecification"],
                         {"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7})
        self.assertEqual(self.state(d, "dynamodb_ttl_table.t")["recovery_period_in_days"], 7)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Drift: the period changed outside Terraform shows in the plan; apply sets it back.
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 20})
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("recovery_period_in_days", r.text)
        self.assertRegex(r.text, r"recovery_period_in_days\s+= 20 -> 7")
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 7)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Left out: DynamoDB's 35, and no diff once there.
        self.write(d, table(name, "point_in_time_recovery = true"))
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 35)
        self.assertNotIn("RecoveryPeriodInDays", self.props(name)["PointInTimeRecoverySpecification"])
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["recovery_period_in_days"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Drift from the default shows too (null configured = 35).
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 3})
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertRegex(r.text, r"recovery_period_in_days\s+= 3 -> null")
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 35)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_recovery_period_refused_without_recovery(self):
        d = self.workdir("pitr-bad", table("prop-pitr-bad", "recovery_period_in_days = 7"))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Recovery period without point-in-time recovery", r.text)
        d = self.workdir("pitr-range", table("prop-pitr-range", "point_in_time_recovery = true\n"
                                                                "  recovery_period_in_days = 36"))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Invalid recovery period", r.text)

    def test_adopt_table_with_recovery_period(self):
        name = "prop-pitr-adopt"
        self.create_table(name)
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 10})
        self.put_items(name, 5)
        before = self.items(name)
        # The configuration mirrors the table: nothing changes.
        d = self.workdir("pitr-adopt", table(name, "point_in_time_recovery = true\n"
                                                   "  recovery_period_in_days = 10"))
        self.init(d)
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Existing table will be adopted into a stack", plan.text)
        self.assertIn("no setting changes", plan.text.replace("\n", " "))
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 10)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_adopt_preview_names_the_period_change(self):
        name = "prop-pitr-adopt2"
        self.create_table(name)
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 10})
        d = self.workdir("pitr-adopt2", table(name, "point_in_time_recovery = true"))
        self.init(d)
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("point-in-time recovery period: 10 -> 35 days", plan.text)
        self.apply(d)
        self.assertEqual(self.pitr(name)["RecoveryPeriodInDays"], 35)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- resource policy --------------------------------------------------------------

    POLICY = '''resource_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "reader"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = ["dynamodb:GetItem", "dynamodb:Query"]
      Resource  = "*"
    }]
  })'''

    def policy(self, name):
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        try:
            return json.loads(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"])
        except self.ddb.exceptions.PolicyNotFoundException:
            return None

    def test_resource_policy_round_trip_drift_and_removal(self):
        name = "prop-policy"
        d = self.workdir("policy", table(name, self.POLICY))
        self.init(d)
        self.apply(d)
        pol = self.policy(name)
        self.assertEqual(pol["Statement"][0]["Sid"], "reader")
        self.assertIn("PolicyDocument", self.props(name)["ResourcePolicy"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # The same document written otherwise (other key order, whitespace, heredoc): no diff.
        self.write(d, table(name, """resource_policy = <<EOT
{ "Statement": [ { "Resource": "*", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
    "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Effect": "Allow", "Sid": "reader" } ],
  "Version": "2012-10-17" }
EOT"""))
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 0, r.text)

        # Drift: another policy put outside Terraform shows, and apply puts ours back.
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Sid": "everyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                "Action": "dynamodb:*", "Resource": "*"}]}))
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("resource_policy", r.text)
        self.apply(d)
        self.assertEqual(self.policy(name)["Statement"][0]["Sid"], "reader")
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Deleted outside Terraform: shows, and is put back.
        self.ddb.delete_resource_policy(ResourceArn=arn)
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.apply(d)
        self.assertEqual(self.policy(name)["Statement"][0]["Sid"], "reader")
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Removed from the configuration: the table has none.
        self.write(d, table(name))
        self.apply(d)
        self.assertIsNone(self.policy(name))
        self.assertNotIn("ResourcePolicy", self.props(name))
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["resource_policy"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_resource_policy_refused_when_not_json(self):
        d = self.workdir("policy-bad", table("prop-policy-bad", 'resource_policy = "{not json"'))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Invalid resource policy", r.text)

    def test_adopt_table_with_resource_policy(self):
        name = "prop-policy-adopt"
        self.create_table(name)
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        doc = {"Version": "2012-10-17", "Statement": [{
            "Sid": "reader", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
            "Action": ["dynamodb:GetItem", "dynamodb:Query"], "Resource": "*"}]}
        self.ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps(doc, indent=2))
        self.put_items(name, 4)
        before = self.items(name)
        # Left out of the configuration: refused, naming what to add.
        d = self.workdir("policy-adopt", table(name))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("a resource policy; add: resource_policy", r.text)
        # Declared (the same document): adopted, nothing changes, no diff after.
        self.write(d, table(name, self.POLICY))
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("no setting changes", plan.text.replace("\n", " "))
        self.apply(d)
        self.assertEqual(self.policy(name), doc)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- warm throughput --------------------------------------------------------------

    def warm(self, name):
        w = self.ddb.describe_table(TableName=name)["Table"]["WarmThroughput"]
        return w["ReadUnitsPerSecond"], w["WriteUnitsPerSecond"]

    def test_warm_throughput_round_trip_raise_and_drift(self):
        name = "prop-warm"
        d = self.workdir("warm", table(name, "warm_throughput = { read_units_per_second = 15000, "
                                             "write_units_per_second = 5000 }"))
        self.init(d)
        self.apply(d)
        self.assertEqual(self.warm(name), (15000, 5000))
        self.assertEqual(self.props(name)["WarmThroughput"],
                         {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000})
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Raised in the configuration: raised on the table.
        self.write(d, table(name, "warm_throughput = { read_units_per_second = 18000, "
                                  "write_units_per_second = 5000 }"))
        self.apply(d)
        self.assertEqual(self.warm(name), (18000, 5000))
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Raised outside Terraform: shows in the plan, which refuses to lower it (DynamoDB
        # cannot); declaring the new value settles it.
        self.ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 20000})
        self.wait_active(name)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Warm throughput cannot be lower", r.text)
        self.assertIn("20000", r.text)
        self.write(d, table(name, "warm_throughput = { read_units_per_second = 20000, "
                                  "write_units_per_second = 5000 }"))
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Only one unit managed: the other stays null in state and is never compared.
        self.write(d, table(name, "warm_throughput = { read_units_per_second = 20000 }"))
        self.apply(d)
        st = self.state(d, "dynamodb_ttl_table.t")["warm_throughput"]
        self.assertEqual(st, {"read_units_per_second": 20000, "write_units_per_second": None})
        self.ddb.update_table(TableName=name, WarmThroughput={"WriteUnitsPerSecond": 6000})
        self.wait_active(name)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Removed from the configuration: no longer managed (it cannot go down).
        self.write(d, table(name))
        self.apply(d)
        self.assertEqual(self.warm(name), (20000, 6000))
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["warm_throughput"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_warm_throughput_below_the_initial_is_refused(self):
        d = self.workdir("warm-low", table("prop-warm-low",
                                           "warm_throughput = { read_units_per_second = 1000 }"))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Warm throughput cannot be lower", r.text)
        self.assertIn("12000", r.text)
        self.assertFalse(self.table_exists("prop-warm-low"))

    def test_adopt_table_with_warm_throughput(self):
        name = "prop-warm-adopt"
        self.create_table(name)
        self.ddb.update_table(TableName=name, WarmThroughput={"ReadUnitsPerSecond": 14000})
        self.wait_active(name)
        self.put_items(name, 3)
        before = self.items(name)
        d = self.workdir("warm-adopt", table(name, "warm_throughput = { read_units_per_second = 16000 }"))
        self.init(d)
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("Existing table will be adopted into a stack", plan.text)
        self.assertIn("warm throughput: 14000 read, 4000 write -> 16000 read, 4000 write", plan.text)
        self.apply(d)
        self.assertEqual(self.warm(name)[0], 16000)
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- Kinesis streaming destination ----------------------------------------------------

    STREAM_A = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-a"
    STREAM_B = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-b"

    def dests(self, name):
        """StreamArn -> precision of the destinations not DISABLED or DISABLING."""
        out = self.ddb.describe_kinesis_streaming_destination(TableName=name)
        return {d["StreamArn"]: d.get("ApproximateCreationDateTimePrecision")
                for d in out["KinesisDataStreamDestinations"]
                if d["DestinationStatus"] not in ("DISABLED", "DISABLING")}

    def wait_dest(self, name, arn, status="ACTIVE"):
        self.wait_emulated(10)  # ENABLING/UPDATING/DISABLING settle (emulated clock)
        out = self.ddb.describe_kinesis_streaming_destination(TableName=name)
        got = {d["StreamArn"]: d["DestinationStatus"] for d in out["KinesisDataStreamDestinations"]}
        self.assertEqual(got.get(arn), status, got)

    def test_kinesis_round_trip_switch_drift_and_removal(self):
        name = "prop-kinesis"
        d = self.workdir("kinesis", table(name, 'kinesis_streaming_destination = { stream_arn = "%s" }'
                                          % self.STREAM_A))
        self.init(d)
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_A: "MILLISECOND"})
        self.assertEqual(self.props(name)["KinesisStreamSpecification"], {"StreamArn": self.STREAM_A})
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Precision changed in the configuration.
        self.write(d, table(name, 'kinesis_streaming_destination = { stream_arn = "%s", '
                                  'approximate_creation_date_time_precision = "MICROSECOND" }'
                            % self.STREAM_A))
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_A: "MICROSECOND"})
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Drift: disabled outside Terraform; the plan shows it, apply enables it again.
        self.wait_dest(name, self.STREAM_A)
        self.ddb.disable_kinesis_streaming_destination(TableName=name, StreamArn=self.STREAM_A)
        self.wait_dest(name, self.STREAM_A, "DISABLED")
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.assertIn("kinesis_streaming_destination", r.text)
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_A: "MICROSECOND"})
        self.wait_dest(name, self.STREAM_A)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Drift of the precision: shown, set back.
        self.ddb.update_kinesis_streaming_destination(
            TableName=name, StreamArn=self.STREAM_A,
            UpdateKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MILLISECOND"})
        self.wait_dest(name, self.STREAM_A)
        r = self.plan_exitcode(d)
        self.assertEqual(r.rc, 2, r.text)
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_A: "MICROSECOND"})
        self.wait_dest(name, self.STREAM_A)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Another stream: the old destination is disabled, the new one enabled.
        self.write(d, table(name, 'kinesis_streaming_destination = { stream_arn = "%s" }'
                            % self.STREAM_B))
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_B: "MILLISECOND"})
        self.assertEqual(self.plan_exitcode(d).rc, 0)

        # Removed: disabled.
        self.wait_dest(name, self.STREAM_B)
        self.write(d, table(name))
        self.apply(d)
        self.assertEqual(self.dests(name), {})
        self.assertNotIn("KinesisStreamSpecification", self.props(name))
        self.assertIsNone(self.state(d, "dynamodb_ttl_table.t")["kinesis_streaming_destination"])
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_kinesis_refused_when_invalid(self):
        d = self.workdir("kinesis-bad", table("prop-kinesis-bad", 'kinesis_streaming_destination = { '
                                              'stream_arn = "orders", '
                                              'approximate_creation_date_time_precision = "SECOND" }'))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn("Invalid Kinesis stream ARN", r.text)
        self.assertIn("Invalid precision", r.text)

    def test_adopt_table_with_kinesis_destination(self):
        name = "prop-kinesis-adopt"
        self.create_table(name)
        self.ddb.enable_kinesis_streaming_destination(
            TableName=name, StreamArn=self.STREAM_A,
            EnableKinesisStreamingConfiguration={"ApproximateCreationDateTimePrecision": "MICROSECOND"})
        self.wait_dest(name, self.STREAM_A)
        self.put_items(name, 3)
        before = self.items(name)
        d = self.workdir("kinesis-adopt", table(name))
        self.init(d)
        r = self.tf(d, "plan", "-input=false", check=1)
        self.assertIn('kinesis_streaming_destination = { stream_arn = "%s", '
                      'approximate_creation_date_time_precision = "MICROSECOND" }' % self.STREAM_A,
                      r.text)
        self.write(d, table(name, 'kinesis_streaming_destination = { stream_arn = "%s", '
                                  'approximate_creation_date_time_precision = "MICROSECOND" }'
                            % self.STREAM_A))
        plan = self.tf(d, "plan", "-input=false", check=0)
        self.assertIn("no setting changes", plan.text.replace("\n", " "))
        self.apply(d)
        self.assertEqual(self.dests(name), {self.STREAM_A: "MICROSECOND"})
        self.assertEqual(self.items(name), before)
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    # -- the data source ----------------------------------------------------------------

    def test_data_source_reads_the_four_properties(self):
        name = "prop-ds"
        body = table(name, "point_in_time_recovery = true\n"
                           "  recovery_period_in_days = 9\n"
                           "  warm_throughput = { read_units_per_second = 13000 }\n"
                           '  kinesis_streaming_destination = { stream_arn = "%s" }\n  %s'
                     % (self.STREAM_A, self.POLICY)) + '''
data "dynamodb_ttl_table" "d" {
  name = dynamodb_ttl_table.t.name
}
output "d" {
  value = data.dynamodb_ttl_table.d
}
'''
        d = self.workdir("ds", body)
        self.init(d)
        self.apply(d)
        v = self.outputs(d)["d"]["value"]
        self.assertEqual(v["recovery_period_in_days"], 9)
        self.assertEqual(v["warm_throughput"], {"read_units_per_second": 13000,
                                                "write_units_per_second": 4000})
        self.assertEqual(v["kinesis_streaming_destination"],
                         {"stream_arn": self.STREAM_A,
                          "approximate_creation_date_time_precision": "MILLISECOND"})
        self.assertEqual(json.loads(v["resource_policy"])["Statement"][0]["Sid"], "reader")
        self.assertEqual(self.plan_exitcode(d).rc, 0)


if __name__ == "__main__":
    unittest.main()
