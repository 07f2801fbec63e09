"""TTL as AWS does it: ENABLING/DISABLING, one change per table per interval, the clock."""
import unittest

from emutest import EmulatorTestCase, table_template, uniq

TTL = {"AttributeName": "expires_at", "Enabled": True}
TOO_OFTEN = "Time to live has been modified multiple times within a fixed interval"


class ClockTest(EmulatorTestCase):
    def test_clock_moves_forward_only(self):
        a = self.emu.clock()
        b = self.emu.advance_clock(100)
        self.assertGreaterEqual(b["offset_seconds"] - a["offset_seconds"], 100)
        self.assertGreater(b["epoch"], a["epoch"] + 99)
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError):
            self.emu.advance_clock(-1)
        self.assertIn("clock", self.emu.state())

    def test_stack_timestamps_follow_clock(self):
        stack = uniq("clk")
        self.emu.advance_clock(86400 * 3)
        self.deploy(stack, table_template(uniq("clk")), expect="CREATE_COMPLETE")
        s = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
        import datetime
        delta = s["CreationTime"] - datetime.datetime.now(datetime.timezone.utc)
        self.assertGreater(delta.total_seconds(), 86400 * 2)


class TtlApiTest(EmulatorTestCase):
    def ttl(self, table):
        return self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]

    def test_enabling_then_enabled(self):
        table = uniq("ttl")
        self.create_table(table)
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=TTL)
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLING", "AttributeName": "expires_at"})
        self.emu.advance_clock(3)
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})

    def test_second_change_within_interval_refused(self):
        table = uniq("ttl")
        self.create_table(table)
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=TTL)
        self.emu.advance_clock(3599 - 1)
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=dict(TTL, Enabled=False))
        self.assertEqual(cm.exception.response["Error"], {"Code": "ValidationException", "Message": TOO_OFTEN})
        self.assertEqual(self.ttl(table)["TimeToLiveStatus"], "ENABLED")
        self.emu.advance_clock(2)
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=dict(TTL, Enabled=False))
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLING", "AttributeName": "expires_at"})
        self.emu.advance_clock(3)
        self.assertEqual(self.ttl(table), {"TimeToLiveStatus": "DISABLED"})

    def test_interval_is_per_table(self):
        a, b = uniq("ttla"), uniq("ttlb")
        self.create_table(a)
        self.create_table(b)
        self.ddb.update_time_to_live(TableName=a, TimeToLiveSpecification=TTL)
        self.ddb.update_time_to_live(TableName=b, TimeToLiveSpecification=TTL)

    def test_config_knobs(self):
        cfg = self.emu.set_config(ttl_transition_seconds=0, ttl_interval_seconds=10)
        try:
            self.assertEqual((cfg["ttl_transition_seconds"], cfg["ttl_interval_seconds"]), (0, 10))
            table = uniq("ttl")
            self.create_table(table)
            self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=TTL)
            self.assertEqual(self.ttl(table)["TimeToLiveStatus"], "ENABLED")
            self.emu.advance_clock(11)
            self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=dict(TTL, Enabled=False))
        finally:
            self.emu.set_config(ttl_transition_seconds=3, ttl_interval_seconds=3600)


class TtlStackTest(EmulatorTestCase):
    def test_stack_update_within_interval_rolls_back(self):
        table, stack = uniq("ttls"), uniq("ttls")
        self.deploy(stack, table_template(table, TimeToLiveSpecification=TTL), expect="CREATE_COMPLETE")
        # CloudFormation's table handler called UpdateTimeToLive at creation: a disable now fails
        tpl = table_template(table, TimeToLiveSpecification=dict(TTL, Enabled=False))
        self.deploy(stack, tpl, "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        failed = [r for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"]
        self.assertTrue(failed[0][2].startswith(f'Resource handler returned message: "{TOO_OFTEN}" '
                                                "(RequestToken: "), failed[0][2])
        self.assertEqual(self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
                         ["AttributeName"], "expires_at")
        # an hour later (emulator clock) the same update goes through
        self.emu.advance_clock(3600)
        self.deploy(stack, tpl, "UPDATE", expect="UPDATE_COMPLETE")

    def test_change_by_api_blocks_stack_update(self):
        table, stack = uniq("ttlx"), uniq("ttlx")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=TTL)
        self.deploy(stack, table_template(table, TimeToLiveSpecification=dict(TTL, AttributeName="other")),
                    "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
        failed = [r for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"]
        self.assertIn(TOO_OFTEN, failed[0][2])

    def test_unrelated_update_is_not_limited(self):
        table, stack = uniq("ttlu"), uniq("ttlu")
        self.deploy(stack, table_template(table, TimeToLiveSpecification=TTL), expect="CREATE_COMPLETE")
        self.deploy(stack, table_template(table, TimeToLiveSpecification=TTL, DeletionProtectionEnabled=False,
                                          Tags=[{"Key": "a", "Value": "b"}]),
                    "UPDATE", expect="UPDATE_COMPLETE")


if __name__ == "__main__":
    unittest.main()
