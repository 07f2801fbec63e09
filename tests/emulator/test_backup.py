"""Backups, point-in-time recovery and restores (ddb_backup.py; docs/aws-behaviour.md §5.7):
items as of the backup or the restore time on the emulator clock, CREATING then ACTIVE,
what a restore carries and what it does not."""
import datetime as dt
import unittest

from emutest import EmulatorTestCase, table_template, uniq

KEYS = [{"AttributeName": "pk", "KeyType": "HASH"}]


class BackupTest(EmulatorTestCase):
    BUSY = 30

    def setUp(self):
        self.emu.set_config(table_seconds=self.BUSY)

    def settle(self):
        self.emu.advance_clock(self.BUSY + 1)

    def table(self, **kw) -> str:
        name = uniq("bk")
        self.create_table(name, wait=False, **kw)
        self.settle()
        return name

    def put(self, table, *keys):
        for k in keys:
            self.ddb.put_item(TableName=table, Item={"pk": {"S": k}, "v": {"S": "x"}})

    def keys(self, table):
        return sorted(i["pk"]["S"] for i in self.ddb.scan(TableName=table)["Items"])

    def refused(self, code, fn, **kw) -> str:
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            fn(**kw)
        self.assertEqual(cm.exception.response["Error"]["Code"], code, cm.exception.response["Error"])
        return cm.exception.response["Error"]["Message"]

    def test_backup_holds_the_items_of_its_time_and_restores_them(self):
        src = self.table(SSESpecification={"Enabled": True})
        self.put(src, "a", "b")
        b = self.ddb.create_backup(TableName=src, BackupName="nightly")["BackupDetails"]
        self.assertEqual((b["BackupStatus"], b["BackupType"]), ("CREATING", "USER"))
        self.put(src, "c")  # after the backup: not in it
        self.refused("BackupInUseException", self.ddb.restore_table_from_backup,
                     TargetTableName=uniq("rs"), BackupArn=b["BackupArn"])
        self.settle()
        d = self.ddb.describe_backup(BackupArn=b["BackupArn"])["BackupDescription"]
        self.assertEqual(d["BackupDetails"]["BackupStatus"], "AVAILABLE")
        self.assertEqual(d["SourceTableDetails"]["TableName"], src)
        self.assertEqual(d["SourceTableDetails"]["KeySchema"], KEYS)
        self.assertEqual(d["SourceTableFeatureDetails"]["SSEDescription"]["Status"], "ENABLED")
        target = uniq("rs")
        r = self.ddb.restore_table_from_backup(TargetTableName=target, BackupArn=b["BackupArn"])["TableDescription"]
        self.assertEqual(r["TableStatus"], "CREATING")
        self.assertEqual(r["RestoreSummary"]["SourceBackupArn"], b["BackupArn"])
        self.assertTrue(r["RestoreSummary"]["RestoreInProgress"])
        self.settle()
        t = self.ddb.describe_table(TableName=target)["Table"]
        self.assertEqual(t["TableStatus"], "ACTIVE")
        self.assertFalse(t["RestoreSummary"]["RestoreInProgress"])
        self.assertEqual(t["SSEDescription"]["Status"], "ENABLED")  # encryption is carried
        self.assertEqual(self.keys(target), ["a", "b"])
        self.refused("TableAlreadyExistsException", self.ddb.restore_table_from_backup,
                     TargetTableName=target, BackupArn=b["BackupArn"])

    def test_restore_does_not_carry_tags_stream_ttl_pitr_or_protection(self):
        src = self.table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
                         Tags=[{"Key": "app", "Value": "orders"}], DeletionProtectionEnabled=True)
        self.ddb.update_time_to_live(TableName=src, TimeToLiveSpecification={"AttributeName": "exp",
                                                                             "Enabled": True})
        self.ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        b = self.ddb.create_backup(TableName=src, BackupName="full")["BackupDetails"]
        self.settle()
        target = uniq("rs")
        self.ddb.restore_table_from_backup(TargetTableName=target, BackupArn=b["BackupArn"])
        self.settle()
        t = self.ddb.describe_table(TableName=target)["Table"]
        self.assertNotIn("LatestStreamArn", t)
        self.assertFalse(t.get("DeletionProtectionEnabled"))
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"])["Tags"], [])
        self.assertEqual(self.ddb.describe_time_to_live(TableName=target)["TimeToLiveDescription"]
                         ["TimeToLiveStatus"], "DISABLED")
        self.assertEqual(self.ddb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"]
                         ["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "DISABLED")

    def test_list_and_delete_backups(self):
        src = self.table()
        arns = [self.ddb.create_backup(TableName=src, BackupName=f"b-{i}")["BackupDetails"]["BackupArn"]
                for i in range(3)]
        page = self.ddb.list_backups(TableName=src, Limit=2)
        self.assertEqual([s["BackupArn"] for s in page["BackupSummaries"]], arns[:2])
        rest = self.ddb.list_backups(TableName=src, ExclusiveStartBackupArn=page["LastEvaluatedBackupArn"])
        self.assertEqual([s["BackupArn"] for s in rest["BackupSummaries"]], arns[2:])
        gone = self.ddb.delete_backup(BackupArn=arns[0])["BackupDescription"]["BackupDetails"]
        self.assertEqual(gone["BackupStatus"], "DELETED")
        self.refused("BackupNotFoundException", self.ddb.describe_backup, BackupArn=arns[0])
        # backups outlive their table
        self.ddb.delete_table(TableName=src)
        self.assertEqual(len(self.ddb.list_backups(TableName=src)["BackupSummaries"]), 2)

    def test_point_in_time_needs_recovery_on_and_a_time_in_the_window(self):
        src = self.table()
        self.put(src, "a")
        msg = self.refused("PointInTimeRecoveryUnavailableException", self.ddb.restore_table_to_point_in_time,
                           SourceTableName=src, TargetTableName=uniq("pt"), UseLatestRestorableTime=True)
        self.assertIn(src, msg)
        r = self.ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 3})
        pd = r["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
        self.assertEqual((pd["PointInTimeRecoveryStatus"], pd["RecoveryPeriodInDays"]), ("ENABLED", 3))
        self.assertEqual(pd["EarliestRestorableDateTime"], pd["LatestRestorableDateTime"])
        self.emu.advance_clock(3600)
        pd = self.ddb.describe_continuous_backups(TableName=src)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"]
        latest = pd["LatestRestorableDateTime"]
        now = dt.datetime.fromtimestamp(self.emu.clock()["epoch"], dt.timezone.utc)
        self.assertAlmostEqual((now - latest).total_seconds(), 300, delta=5)  # five minutes before now
        self.refused("InvalidRestoreTimeException", self.ddb.restore_table_to_point_in_time,
                     SourceTableName=src, TargetTableName=uniq("pt"),
                     RestoreDateTime=pd["EarliestRestorableDateTime"] - dt.timedelta(seconds=1))
        self.refused("ValidationException", self.ddb.restore_table_to_point_in_time,
                     SourceTableName=src, TargetTableName=uniq("pt"), UseLatestRestorableTime=True,
                     RestoreDateTime=latest)
        msg = self.refused("ValidationException", self.ddb.update_continuous_backups, TableName=src,
                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False,
                                                             "RecoveryPeriodInDays": 3})
        self.assertIn("Cannot specify RecoveryPeriodInDays when disabling", msg)
        # the recovery period bounds the window
        self.emu.advance_clock(4 * 86400)
        pd = self.ddb.describe_continuous_backups(TableName=src)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"]
        span = pd["LatestRestorableDateTime"] - pd["EarliestRestorableDateTime"]
        self.assertAlmostEqual(span.total_seconds(), 3 * 86400 - 300, delta=5)

    def test_point_in_time_restore_has_the_items_of_that_time(self):
        src = self.table()
        self.put(src, "before")
        self.ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        self.emu.advance_clock(600)
        self.put(src, "a")
        self.emu.advance_clock(600)
        mid = dt.datetime.fromtimestamp(self.emu.clock()["epoch"], dt.timezone.utc)
        self.emu.advance_clock(600)
        self.put(src, "b")
        self.ddb.delete_item(TableName=src, Key={"pk": {"S": "before"}})
        self.emu.advance_clock(600)
        at_mid = uniq("pt")
        r = self.ddb.restore_table_to_point_in_time(SourceTableName=src, TargetTableName=at_mid,
                                                    RestoreDateTime=mid)["TableDescription"]
        self.assertEqual(r["TableStatus"], "CREATING")
        self.assertEqual(r["RestoreSummary"]["SourceTableArn"].split("/")[-1], src)
        latest = uniq("pt")
        arn = self.ddb.describe_table(TableName=src)["Table"]["TableArn"]
        self.ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=latest,
                                                UseLatestRestorableTime=True)
        self.settle()
        self.assertEqual(self.keys(at_mid), ["a", "before"])
        self.assertEqual(self.keys(latest), ["a", "b"])
        self.assertEqual(self.keys(src), ["a", "b"])  # the source is untouched


    def test_index_overrides_leave_indexes_out_and_never_add_or_redefine_one(self):
        attrs = [{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "a", "b")]
        gsis = [{"IndexName": f"by_{a}", "KeySchema": [{"AttributeName": a, "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}} for a in ("a", "b")]
        src = self.table(AttributeDefinitions=attrs, GlobalSecondaryIndexes=gsis)
        self.put(src, "x")
        arn = self.ddb.create_backup(TableName=src, BackupName="nightly")["BackupDetails"]["BackupArn"]
        self.settle()
        target = uniq("rs")
        self.ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn,
                                           GlobalSecondaryIndexOverride=[gsis[0]])
        self.settle()
        t = self.ddb.describe_table(TableName=target)["Table"]
        self.assertEqual([g["IndexName"] for g in t["GlobalSecondaryIndexes"]], ["by_a"])
        self.assertEqual(self.keys(target), ["x"])
        other = dict(gsis[0], Projection={"ProjectionType": "ALL"})
        for bad in ([dict(gsis[0], IndexName="by_c")], [other],
                    [dict(gsis[0], KeySchema=[{"AttributeName": "b", "KeyType": "HASH"}])]):
            msg = self.refused("ValidationException", self.ddb.restore_table_from_backup,
                               TargetTableName=uniq("rs"), BackupArn=arn, GlobalSecondaryIndexOverride=bad)
            self.assertIn("does not match a secondary index", msg)


class StackPitrTest(EmulatorTestCase):
    def test_recovery_period_through_a_stack(self):
        table, stack = uniq("pst"), uniq("pst")
        self.deploy(stack, table_template(table, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}), expect="CREATE_COMPLETE")
        pd = self.ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"]
        self.assertEqual((pd["PointInTimeRecoveryStatus"], pd["RecoveryPeriodInDays"]), ("ENABLED", 7))
        self.deploy(stack, table_template(table, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 14}), "UPDATE", expect="UPDATE_COMPLETE")
        pd = self.ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"]
        self.assertEqual(pd["RecoveryPeriodInDays"], 14)
        self.deploy(stack, table_template(table, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 36}), "UPDATE",
            expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertTrue(any("RecoveryPeriodInDays" in (r[2] or "") for r in self.reasons(stack)
                            if r[1] == "UPDATE_FAILED"))



if __name__ == "__main__":
    unittest.main()
