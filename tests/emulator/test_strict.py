"""What DynamoDB and CloudFormation refuse, one test per behaviour (ddb_rules.py,
emu_cfn.py; sources in docs/aws-behaviour.md §4.4 and §5.5).

Tables stay CREATING/UPDATING for 60 s of emulator time here, so a test sees the busy
state for as long as it needs and ends it by moving the emulator clock."""
import unittest

from emutest import EmulatorTestCase, table_template, uniq

PT1 = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
DAY = 86400


class StrictDynamoDBTest(EmulatorTestCase):
    BUSY = 60

    def setUp(self):
        self.emu.set_config(table_seconds=self.BUSY)

    def settle(self):
        self.emu.advance_clock(self.BUSY + 1)

    def make(self, **kw) -> str:
        name = uniq("st")
        self.create_table(name, wait=False, **kw)
        self.settle()
        return name

    def refused(self, code: str, fn, *args, **kw) -> str:
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            fn(*args, **kw)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        return err["Message"]

    def status(self, name: str) -> str:
        return self.ddb.describe_table(TableName=name)["Table"]["TableStatus"]

    # -- table status ---------------------------------------------------------------
    def test_creating_table_refuses_describe_time_to_live(self):
        name = uniq("cr")
        self.create_table(name, wait=False)
        self.assertEqual(self.status(name), "CREATING")
        msg = self.refused("ValidationException", self.ddb.describe_time_to_live, TableName=name)
        self.assertEqual(msg, "Cannot describe time to live while table is in CREATING state: "
                              "Current table state is CREATING")
        self.refused("ResourceNotFoundException", self.ddb.put_item, TableName=name,
                     Item={"pk": {"S": "a"}})
        self.refused("ResourceInUseException", self.ddb.delete_table, TableName=name)
        self.settle()
        self.assertEqual(self.status(name), "ACTIVE")
        self.assertEqual(self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
                         ["TimeToLiveStatus"], "DISABLED")

    def test_updating_after_a_table_update_refuses_a_second_one(self):
        name = self.make(BillingMode="PROVISIONED", ProvisionedThroughput=PT1)
        r = self.ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 2,
                                                                          "WriteCapacityUnits": 1})
        self.assertEqual(r["TableDescription"]["TableStatus"], "UPDATING")
        self.assertEqual(self.status(name), "UPDATING")
        msg = self.refused("ResourceInUseException", self.ddb.update_table, TableName=name,
                           ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 1})
        self.assertEqual(msg, f"Attempt to change a resource which is still in use: Table: {name} is "
                              "in the process of being updated.")
        self.refused("ResourceInUseException", self.ddb.delete_table, TableName=name)
        # deletion protection is admitted while UPDATING (it changes nothing of the table)
        self.ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
        self.settle()
        self.assertEqual(self.status(name), "ACTIVE")
        self.ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 3,
                                                                      "WriteCapacityUnits": 1})

    # -- billing and capacity -------------------------------------------------------
    def test_provisioned_without_capacities_refused(self):
        name = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           BillingMode="PROVISIONED")
        self.assertEqual(msg, "One or more parameter values were invalid: ProvisionedThroughput must "
                              "be specified when BillingMode is PROVISIONED")
        self.ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=PT1)

    def test_unchanged_capacities_refused(self):
        name = self.make(BillingMode="PROVISIONED", ProvisionedThroughput=PT1)
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           ProvisionedThroughput=PT1)
        self.assertTrue(msg.startswith("The provisioned throughput for the table will not change. The "
                                       "requested value equals the current value. Current "
                                       "ReadCapacityUnits provisioned for the table: 1."), msg)
        self.assertEqual(self.status(name), "ACTIVE")

    def test_on_demand_switch_limited_to_four_in_a_day(self):
        name = self.make(BillingMode="PROVISIONED", ProvisionedThroughput=PT1)
        for _ in range(4):
            self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
            self.settle()
            self.ddb.update_table(TableName=name, BillingMode="PROVISIONED", ProvisionedThroughput=PT1)
            self.settle()
        msg = self.refused("LimitExceededException", self.ddb.update_table, TableName=name,
                           BillingMode="PAY_PER_REQUEST")
        self.assertTrue(msg.startswith("Subscriber limit exceeded: Update to PayPerRequest mode are "
                                       "limited to 4 times in 1 day(s)."), msg)
        self.emu.advance_clock(DAY)  # a rolling window on the emulator clock
        self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")

    # -- streams ------------------------------------------------------------------------
    def test_stream_disabled_twice_refused(self):
        name = self.make(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        self.settle()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           StreamSpecification={"StreamEnabled": False})
        self.assertEqual(msg, f"Table has no stream to disable: TableName: {name}")

    def test_stream_enabled_without_view_type_refused(self):
        name = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           StreamSpecification={"StreamEnabled": True})
        self.assertEqual(msg, "One or more parameter values were invalid: If stream is being enabled "
                              "then UpdateViewType is required")
        self.assertNotIn("LatestStreamArn", self.ddb.describe_table(TableName=name)["Table"])

    def test_view_type_change_while_enabled_is_a_validation_error(self):
        name = self.make(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.assertEqual(msg, f"Table already has an enabled stream: TableName: {name}")

    # -- encryption ---------------------------------------------------------------------
    def test_sse_disable_on_the_owned_key_refused(self):
        name = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           SSESpecification={"Enabled": False})
        self.assertEqual(msg, "One or more parameter values were invalid: Table is already encrypted by "
                              "default")

    def test_kms_key_must_exist(self):
        missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
        name = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": missing})
        self.assertTrue(msg.startswith("KMS validation error: com.amazonaws.services.kms.model."
                                       f"NotFoundException: Key '{missing}' does not exist"), msg)
        self.refused("ValidationException", self.ddb.create_table, TableName=uniq("kms"),
                     BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/nope"})
        kms = self.emu.client("kms")
        key = kms.create_key()["KeyMetadata"]
        kms.create_alias(AliasName="alias/orders", TargetKeyId=key["KeyId"])
        self.ddb.update_table(TableName=name, SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                                "KMSMasterKeyId": "alias/orders"})
        self.assertEqual(self.ddb.describe_table(TableName=name)["Table"]["SSEDescription"]
                         ["KMSMasterKeyArn"], key["Arn"])
        kms.disable_key(KeyId=key["KeyId"])
        other = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=other,
                           SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]})
        self.assertTrue(msg.startswith("KMS key disabled error: "), msg)

    def test_encryption_changes_limited_in_a_day(self):
        name = self.make()
        key = self.emu.client("kms").create_key()["KeyMetadata"]["Arn"]
        on = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
        for spec in (on, {"Enabled": False}, on, {"Enabled": False}):
            self.ddb.update_table(TableName=name, SSESpecification=spec)
        msg = self.refused("LimitExceededException", self.ddb.update_table, TableName=name,
                           SSESpecification=on)
        self.assertTrue(msg.startswith("Subscriber limit exceeded: Encryption mode changes are limited in "
                                       "the 24h window"), msg)
        self.emu.advance_clock(6 * 3600)  # then one change per 6 hours
        self.ddb.update_table(TableName=name, SSESpecification=on)

    # -- table class, one concern per request ---------------------------------------------
    def test_table_class_changed_at_most_twice_in_30_days(self):
        name = self.make()
        self.ddb.update_table(TableName=name, TableClass="STANDARD")  # no change: not counted
        for cls in ("STANDARD_INFREQUENT_ACCESS", "STANDARD"):
            self.ddb.update_table(TableName=name, TableClass=cls)
            self.settle()
        msg = self.refused("LimitExceededException", self.ddb.update_table, TableName=name,
                           TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(msg, "Subscriber limit exceeded: Updates to TableClass are limited to 2 times "
                              "in 30 day(s).")
        self.emu.advance_clock(30 * DAY)
        self.ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")

    def test_one_concern_per_request(self):
        name = self.make()
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name,
                           TableClass="STANDARD_INFREQUENT_ACCESS", DeletionProtectionEnabled=True)
        self.assertEqual(msg, "One or more parameter values were invalid: TableClass modification must be "
                              "the only operation in the request")
        msg = self.refused("ValidationException", self.ddb.update_table, TableName=name)
        self.assertTrue(msg.startswith("At least one of ProvisionedThroughput, BillingMode"), msg)

    # -- indexes --------------------------------------------------------------------------
    def test_new_index_attribute_definitions_merge_with_the_keys(self):
        name = self.make()
        self.ddb.update_table(TableName=name,
                              AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "N"}],
                              GlobalSecondaryIndexUpdates=[{"Create": {
                                  "IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                  "Projection": {"ProjectionType": "ALL"}}}])
        t = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(sorted((a["AttributeName"], a["AttributeType"]) for a in t["AttributeDefinitions"]),
                         [("g", "N"), ("pk", "S")])
        self.assertEqual(t["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])


class StrictStackTest(EmulatorTestCase):
    """CloudFormation's table handler: removals, keys, quotas."""

    def reason(self, stack: str) -> str:
        return [r[2] for r in self.reasons(stack) if r[1] == "UPDATE_FAILED"][0]

    def test_removing_sse_specification_fails_and_rolls_back(self):
        key = self.emu.client("kms").create_key()["KeyMetadata"]
        for sse in ({"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": key["Arn"]},
                    {"SSEEnabled": True}, {"SSEEnabled": False}):
            table, stack = uniq("sser"), uniq("sser")
            self.deploy(stack, table_template(table, SSESpecification=sse), expect="CREATE_COMPLETE")
            before = self.ddb.describe_table(TableName=table)["Table"].get("SSEDescription")
            self.deploy(stack, table_template(table), "UPDATE", expect="UPDATE_ROLLBACK_COMPLETE")
            self.assertIn("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                          "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
                          self.reason(stack))
            self.assertEqual(self.ddb.describe_table(TableName=table)["Table"].get("SSEDescription"), before)

    def test_explicit_sse_disabled_returns_to_the_owned_key(self):
        key = self.emu.client("kms").create_key()["KeyMetadata"]
        table, stack = uniq("ssef"), uniq("ssef")
        self.deploy(stack, table_template(table, SSESpecification={"SSEEnabled": True, "SSEType": "KMS",
                                                                   "KMSMasterKeyId": key["KeyId"]}),
                    expect="CREATE_COMPLETE")
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["SSEDescription"]["KMSMasterKeyArn"],
                         key["Arn"])
        self.deploy(stack, table_template(table, SSESpecification={"SSEEnabled": False}), "UPDATE",
                    expect="UPDATE_COMPLETE")
        self.assertNotIn("SSEDescription", self.ddb.describe_table(TableName=table)["Table"])

    def test_stack_with_a_missing_kms_key_fails(self):
        table, stack = uniq("ssek"), uniq("ssek")
        missing = "11111111-2222-3333-4444-555555555555"
        self.cfn.create_stack(StackName=stack, TemplateBody=table_template(
            table, SSESpecification={"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": missing}))
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "ROLLBACK_COMPLETE")
        failed = [r[2] for r in self.reasons(stack) if r[1] == "CREATE_FAILED"][0]
        self.assertIn(f"Key 'arn:aws:kms:us-east-1:123456789012:key/{missing}' does not exist", failed)

    def test_removing_table_class_or_insights_leaves_the_table_as_it_is(self):
        table, stack = uniq("rm"), uniq("rm")
        self.deploy(stack, table_template(table, TableClass="STANDARD_INFREQUENT_ACCESS",
                                          ContributorInsightsSpecification={"Enabled": True}),
                    expect="CREATE_COMPLETE")
        self.deploy(stack, table_template(table), "UPDATE", expect="UPDATE_COMPLETE")
        self.emu.advance_clock(1)
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableClassSummary"]["TableClass"],
                         "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"],
                         "ENABLED")
        # explicit values change them
        self.deploy(stack, table_template(table, TableClass="STANDARD",
                                          ContributorInsightsSpecification={"Enabled": False}),
                    "UPDATE", expect="UPDATE_COMPLETE")
        self.emu.advance_clock(1)
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableClassSummary"]["TableClass"],
                         "STANDARD")
        self.assertEqual(self.ddb.describe_contributor_insights(TableName=table)["ContributorInsightsStatus"],
                         "DISABLED")

    def test_third_table_class_change_fails_the_stack_update(self):
        table, stack = uniq("tc3"), uniq("tc3")
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        for cls in ("STANDARD_INFREQUENT_ACCESS", "STANDARD"):
            self.deploy(stack, table_template(table, TableClass=cls), "UPDATE", expect="UPDATE_COMPLETE")
        self.deploy(stack, table_template(table, TableClass="STANDARD_INFREQUENT_ACCESS"), "UPDATE",
                    expect="UPDATE_ROLLBACK_COMPLETE")
        self.assertIn("Subscriber limit exceeded: Updates to TableClass are limited to 2 times in 30 day(s).",
                      self.reason(stack))
        self.assertIn("HandlerErrorCode: ServiceLimitExceeded", self.reason(stack))


if __name__ == "__main__":
    unittest.main()
