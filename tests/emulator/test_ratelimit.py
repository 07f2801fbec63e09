"""Account-wide API rate limits (ratelimit.py, docs/aws-behaviour.md §12).

Every limit here that a test runs dry has a slow rate (1 request per 1,000 s): the bucket
empties after its burst however slowly the machine answers, and the test refills it by
moving the emulator clock, never by waiting."""
import json
import urllib.error
import urllib.request

import botocore.exceptions

from emulator import Emulator
from emutest import EmulatorTestCase, uniq

SLOW = "1/1000"  # one token per 1,000 s of emulator time


class RateLimitTest(EmulatorTestCase):
    def setUp(self):
        self.emu.reset()  # the command line's limits (none), full buckets, no counts

    def throttled(self, call, **kw):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(**kw)
        return cm.exception.response

    def post_config(self, body):
        req = urllib.request.Request(self.emu.endpoint + "/_emulator/config", data=json.dumps(body).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=10)

    def test_off_by_default(self):
        mark = self.emu.log_mark()
        for _ in range(30):
            self.cfn.describe_stacks()
            self.ddb.list_tables()
        st = self.emu.state()
        self.assertIsNone(st["config"]["rate_limits"]["profile"])
        self.assertEqual(st["config"]["rate_limits"]["limits"], {})
        self.assertEqual(st["rate_limits"]["throttled_total"], 0)
        recs = self.emu.log_records_since(mark)
        self.assertEqual({r["status"] for r in recs}, {200})
        self.assertTrue(all("rate_limited" in r and r["rate_limited"] is None for r in recs))

    def test_cloudformation_over_budget(self):
        self.emu.set_rate_limits(overrides={"DescribeStacks": f"{SLOW}:3"})
        for _ in range(3):
            self.cfn.describe_stacks()
        mark = self.emu.log_mark()
        r = self.throttled(self.cfn.describe_stacks)
        self.assertEqual((r["Error"]["Code"], r["Error"]["Message"], r["Error"]["Type"]),
                         ("Throttling", "Rate exceeded", "Sender"))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 400)
        rec = self.emu.log_records_since(mark)[-1]
        self.assertEqual((rec["operation"], rec["status"], rec["error"], rec["rate_limited"], rec["fault"]),
                         ("DescribeStacks", 400, "Throttling", "cloudformation.DescribeStacks", None))
        st = self.emu.state()["rate_limits"]
        self.assertEqual((st["throttled"], st["throttled_total"]), ({"cloudformation.DescribeStacks": 1}, 1))
        self.cfn.list_stacks()  # another operation: not this bucket
        self.emu.advance_clock(1000)  # one token back
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)
        self.assertEqual(self.emu.state()["rate_limits"]["throttled_total"], 2)

    def test_dynamodb_over_budget(self):
        bodies = []
        ddb = self.emu.client("dynamodb")  # its own client: the hook stays with it
        ddb.meta.events.register(
            "before-parse.dynamodb.DescribeTable",
            lambda response_dict, **kw: bodies.append((response_dict["status_code"],
                                                       response_dict["headers"].get("content-type"),
                                                       response_dict["body"])))
        self.emu.set_rate_limits(overrides={"dynamodb.DescribeTable": f"{SLOW}:1"})
        r = self.throttled(ddb.describe_table, TableName=uniq("missing"))
        self.assertEqual(r["Error"]["Code"], "ResourceNotFoundException")  # it ran: a token spent
        r = self.throttled(ddb.describe_table, TableName=uniq("missing"))
        self.assertEqual((r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]),
                         ("ThrottlingException", "Rate of requests exceeds the allowed throughput.", 400))
        status, ctype, body = bodies[-1]
        self.assertEqual((status, ctype), (400, "application/x-amz-json-1.0"))
        self.assertEqual(json.loads(body), {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                                            "message": "Rate of requests exceeds the allowed throughput."})
        self.assertEqual(self.emu.state()["rate_limits"]["throttled"], {"dynamodb.DescribeTable": 1})

    def test_throttled_request_has_no_effect(self):
        name = uniq("rl")
        self.create_table(name)
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.emu.set_rate_limits(overrides={"TagResource": f"{SLOW}:1"})
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}])
        r = self.throttled(self.ddb.tag_resource, ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
        self.assertEqual(r["Error"]["Code"], "ThrottlingException")
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [{"Key": "a", "Value": "1"}])

    def test_control_plane_bucket_is_shared_and_data_plane_is_free(self):
        name = uniq("rl")
        self.create_table(name)
        self.emu.set_rate_limits(overrides={"dynamodb.control-plane": f"{SLOW}:2"})
        self.ddb.describe_table(TableName=name)
        self.ddb.list_tables()
        mark = self.emu.log_mark()
        self.throttled(self.ddb.describe_time_to_live, TableName=name)
        self.assertEqual(self.emu.log_records_since(mark)[-1]["rate_limited"], "dynamodb.control-plane")
        for i in range(10):  # items are capacity, not API rate
            self.ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}})
            self.ddb.get_item(TableName=name, Key={"pk": {"S": f"k{i}"}})
        self.cfn.describe_stacks()  # another service

    def test_one_bucket_per_operation_under_a_service_default(self):
        self.emu.set_rate_limits(overrides={"cloudformation.*": f"{SLOW}:1", "DescribeStacks": f"{SLOW}:2"})
        self.cfn.list_stacks()
        self.throttled(self.cfn.list_stacks)
        self.cfn.list_exports()  # its own bucket at the service's rate
        self.throttled(self.cfn.list_exports)
        self.cfn.describe_stacks()  # its own limit wins over the default
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)
        self.assertEqual(self.emu.state()["rate_limits"]["throttled"],
                         {"cloudformation.DescribeStacks": 1, "cloudformation.ListExports": 1,
                          "cloudformation.ListStacks": 1})

    def test_aws_profile(self):
        cfg = self.emu.set_rate_limits("aws")
        self.assertEqual(cfg["profile"], "aws")
        lim = cfg["limits"]
        # docs/aws-behaviour.md §12, one row each of what is documented, reported and assumed.
        self.assertEqual(lim["dynamodb.TagResource"], {"rate": 5, "burst": 5, "basis": "documented"})
        self.assertEqual(lim["dynamodb.ListTagsOfResource"], {"rate": 10, "burst": 10, "basis": "documented"})
        self.assertEqual(lim["dynamodb.control-plane"], {"rate": 2500, "burst": 2500, "basis": "documented"})
        self.assertEqual(lim["cloudformation.DescribeStacks"], {"rate": 5, "burst": 5, "basis": "reported"})
        self.assertEqual(lim["cloudformation.*"]["basis"], "assumed")
        # DescribeLimits: "throttling errors if you call it more than once in a minute".
        self.ddb.describe_limits()
        r = self.throttled(self.ddb.describe_limits)
        self.assertEqual(r["Error"]["Code"], "ThrottlingException")
        self.emu.advance_clock(60)
        self.ddb.describe_limits()

    def test_overrides_over_the_profile(self):
        self.emu.set_rate_limits("aws", {"DescribeLimits": None})
        for _ in range(3):
            self.ddb.describe_limits()  # off: no limit, and no fallback
        cfg = self.emu.set_rate_limits(overrides={"cloudformation.*": f"{SLOW}:1", "DescribeStacks": "off"})
        self.assertIn("cloudformation.DescribeStacks", cfg["off"])
        self.assertIn("dynamodb.DescribeLimits", cfg["off"])  # earlier overrides kept
        for _ in range(3):
            self.cfn.describe_stacks()  # off: not the service default either
        self.cfn.list_stacks()
        self.throttled(self.cfn.list_stacks)
        cfg = self.emu.set_rate_limits("aws")  # a profile again: overrides dropped
        self.assertEqual(cfg["off"], [])
        self.assertEqual(cfg["limits"]["cloudformation.*"]["rate"], 5)

    def test_refill_is_capped_by_the_burst(self):
        self.emu.set_rate_limits(overrides={"DescribeStacks": f"{SLOW}:2"})
        self.cfn.describe_stacks()
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)
        self.emu.advance_clock(10 ** 7)
        self.cfn.describe_stacks()
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)

    def test_each_region_has_its_own_budget(self):
        self.emu.set_rate_limits(overrides={"DescribeStacks": f"{SLOW}:1"})
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)
        import boto3
        from botocore.config import Config
        west = boto3.client("cloudformation", endpoint_url=self.emu.endpoint, region_name="us-west-2",
                            aws_access_key_id=self.emu.access_key_id,
                            aws_secret_access_key=self.emu.secret_access_key,
                            config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
        west.describe_stacks()

    def test_unauthenticated_requests_are_not_counted(self):
        self.emu.set_rate_limits(overrides={"DescribeStacks": f"{SLOW}:1"})
        bad = self.emu.client("cloudformation", secret_access_key="wrong" * 8)
        r = self.throttled(bad.describe_stacks)
        self.assertEqual(r["Error"]["Code"], "SignatureDoesNotMatch")
        self.cfn.describe_stacks()  # the token was still there
        self.throttled(self.cfn.describe_stacks)

    def test_reset_refills_and_clears_counts(self):
        self.emu.set_rate_limits("aws", {"DescribeStacks": f"{SLOW}:1"})
        self.cfn.describe_stacks()
        self.throttled(self.cfn.describe_stacks)
        self.emu.reset()
        st = self.emu.state()
        self.assertIsNone(st["config"]["rate_limits"]["profile"])
        self.assertEqual(st["rate_limits"]["throttled_total"], 0)
        for _ in range(3):
            self.cfn.describe_stacks()

    def test_invalid_limits_are_refused(self):
        for body in ({"rate_limit": {"ListExports": "1"}},        # two services have it
                     {"rate_limit": {"NoSuchOperation": "1"}},
                     {"rate_limit": {"dynamodb.NoSuchOperation": "1"}},
                     {"rate_limit": {"s3.GetObject": "1"}},
                     {"rate_limit": {"DescribeStacks": "0"}},
                     {"rate_limit": {"DescribeStacks": "fast"}},
                     {"rate_limit": {"DescribeStacks": "1:0.5"}},
                     {"rate_limit": ["DescribeStacks:1"]},
                     {"rate_limits": "fastest"}):
            with self.subTest(body=body), self.assertRaises(urllib.error.HTTPError) as cm:
                self.post_config(body)
            self.assertEqual(cm.exception.code, 400)
        self.assertIsNone(self.emu.state()["config"]["rate_limits"]["profile"])


class RateLimitFlagsTest(EmulatorTestCase):
    extra_args = ["--rate-limits", "aws", "--rate-limit", f"cloudformation.DescribeStacks:{SLOW}:2",
                  "--rate-limit", "dynamodb.DescribeLimits:off"]

    def test_flags(self):
        cfg = self.emu.state()["config"]["rate_limits"]
        self.assertEqual(cfg["profile"], "aws")
        self.assertEqual(cfg["limits"]["cloudformation.DescribeStacks"],
                         {"rate": 0.001, "burst": 2.0, "basis": "override"})
        self.assertEqual(cfg["off"], ["dynamodb.DescribeLimits"])
        self.cfn.describe_stacks()
        self.cfn.describe_stacks()
        with self.assertRaises(botocore.exceptions.ClientError):
            self.cfn.describe_stacks()
        self.emu.set_rate_limits("off")
        self.cfn.describe_stacks()
        self.emu.reset()  # back to the flags, full buckets
        cfg = self.emu.state()["config"]["rate_limits"]
        self.assertEqual((cfg["profile"], cfg["limits"]["cloudformation.DescribeStacks"]["rate"]), ("aws", 0.001))
        self.cfn.describe_stacks()
        self.cfn.describe_stacks()
        with self.assertRaises(botocore.exceptions.ClientError):
            self.cfn.describe_stacks()

    def test_bad_flag_stops_the_server(self):
        with self.assertRaises(RuntimeError):
            Emulator(extra_args=["--rate-limit", "ListImports:1"]).start()
