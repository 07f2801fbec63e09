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


if __name__ == "__main__":
    unittest.main()
