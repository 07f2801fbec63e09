"""Lost answers at every step (issue 22): for every mutating call the provider makes in
every lifecycle path, the same path once more with *that* call's answer lost after AWS
acted (the emulator's `drop_response` fault with `skip`, tests/emulator/README.md).

Each path is a class (one CTest test each, tests/CMakeLists.txt, labels e2e and lost, so
`ctest -j` spreads them). A path is `before` (what exists before: applies, out-of-band
changes, items) and `action` (the terraform command under test). The generator:

  1. runs the path undisturbed and records the mutating calls of the action from the
     emulator's request log: the call sites, (operation, n-th call of it). New calls are
     covered without editing this file, since the list comes from the recorded run;
  2. for each call site, runs the path again on a table of its own with that call's answer
     dropped after AWS acted, and asserts: the command ends with exit 0, or with an error
     after which the same command run once more ends with exit 0; the end state (table,
     TTL, backups, insights, tags, stacks, Terraform state; names normalised) equals the
     undisturbed run's; every item written before is still there; the next plan is empty.

Time passes on the emulator clock (advance_clock), never in real waits. TPD_LOST_SITES
(comma-separated `service.Operation`s) runs only those sites, when hunting one failure. Every site's
outcome is printed ("lost answers: PATH: N call sites ..."), for the counts in
docs/design.md "Tests".
"""
import json
import os
import re
import shutil
import subprocess
import unittest

import harness
from harness import PROVIDER_BLOCK, E2ETestCase, mutating

RESOURCE = '''
resource "dynamodb_ttl_table" "t" {
  name       = "%(name)s"
  hash_key   = { name = "id", type = "S" }
  %(extra)s
}
'''


def gsi(name, key):
    return f'{{ name = "{name}", hash_key = {{ name = "{key}", type = "S" }} }}'


def gsis(*items):
    return "global_secondary_indexes = [\n    " + ",\n    ".join(items) + "\n  ]"


ITEMS = 12


class Run:
    """One run of a path: its table name, stack name and Terraform directory."""

    def __init__(self, case, label):
        self.case = case
        self.name = f"{case.slug}-{label}"
        self.d = os.path.join(case.work, self.name)
        os.makedirs(self.d, exist_ok=True)
        # One `terraform init` per path, copied: every run starts from the same
        # initialised directory without state.
        for entry in (".terraform", ".terraform.lock.hcl"):
            src = os.path.join(case.template_dir, entry)
            dst = os.path.join(self.d, entry)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=True)
            else:
                shutil.copy(src, dst)

    def config(self, extra="", stack=None):
        body = extra + (f'\n  stack_name = "{stack}"' if stack else "")
        self.case.write(self.d, RESOURCE % {"name": self.name, "extra": body})


class LostAnswers:
    """The generator, mixed into E2ETestCase; a subclass is one lifecycle path (before +
    action)."""

    slug = None  # table name prefix of the path's runs
    maxDiff = None
    destroys = False  # the action is a destroy: the next plan is `plan -destroy`

    @classmethod
    def setUpClass(cls):
        if harness.EXTERNAL:  # the acceptance run (scripts/acceptance.sh): no faults to inject
            raise unittest.SkipTest("lost answers need the emulator's drop_response fault")
        super().setUpClass()
        cls.template_dir = os.path.join(cls.work, "template")
        os.makedirs(cls.template_dir, exist_ok=True)
        with open(os.path.join(cls.template_dir, "main.tf"), "w") as f:
            f.write(PROVIDER_BLOCK % {"endpoint": cls.emu.endpoint})
        subprocess.run(["terraform", f"-chdir={cls.template_dir}", "init", "-input=false", "-no-color"],
                       env=cls.env, capture_output=True, text=True, check=True)

    # -- what a path defines ----------------------------------------------------------

    def before(self, r):
        """Bring run r to the state before the action."""
        raise NotImplementedError

    def action(self, r):
        """The command under test (a TfResult; not checked)."""
        return self.tf(r.d, "apply", "-auto-approve", "-input=false")

    # -- helpers for paths ----------------------------------------------------------

    def apply_config(self, r, extra="", stack=None):
        r.config(extra, stack)
        self.tf(r.d, "apply", "-auto-approve", "-input=false", check=0)

    def settle(self):
        """Let what AWS finishes in its own time finish (TTL ENABLING, contributor insights,
        UPDATING tables): on the emulator clock."""
        self.emu.advance_clock(120)

    # -- the end state ----------------------------------------------------------------

    def snapshot(self, r):
        """What the run left, with its names normalised, as a JSON-able dict."""
        self.settle()
        out = {"table": self.table_facts(r.name), "stacks": self.stack_facts(r.name),
               "state": self.tf_state(r)}
        text = json.dumps(out, sort_keys=True, default=str)
        text = text.replace(r.name, "NAME")
        text = re.sub(r"stack/([^/\"]+)/[0-9a-f-]{36}", r"stack/\1/ID", text)
        text = re.sub(r"/stream/[0-9T:.\-]+", "/stream/LABEL", text)
        # The owner marker (a random id per Terraform state) in the template and state.
        text = re.sub(r"\b[0-9a-f]{32}\b", "OWNER", text)
        return json.loads(text)

    def table_facts(self, name):
        try:
            t = self.ddb.describe_table(TableName=name)["Table"]
        except self.ddb.exceptions.ResourceNotFoundException:
            return None

        def index(x):
            pt = x.get("ProvisionedThroughput") or {}
            return {"name": x["IndexName"], "keys": x["KeySchema"], "projection": x["Projection"],
                    "status": x.get("IndexStatus"), "capacity": [pt.get("ReadCapacityUnits"),
                                                                 pt.get("WriteCapacityUnits")]}
        pt = t.get("ProvisionedThroughput") or {}
        sse = t.get("SSEDescription") or {}
        facts = {
            "status": t["TableStatus"],
            "keys": t["KeySchema"],
            "attributes": sorted(t["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
            "billing": (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "capacity": [pt.get("ReadCapacityUnits"), pt.get("WriteCapacityUnits")],
            "gsis": sorted((index(x) for x in t.get("GlobalSecondaryIndexes") or []), key=lambda x: x["name"]),
            "lsis": sorted(({"name": x["IndexName"], "keys": x["KeySchema"], "projection": x["Projection"]}
                            for x in t.get("LocalSecondaryIndexes") or []), key=lambda x: x["name"]),
            "stream": t.get("StreamSpecification"),
            "sse": [sse.get("Status"), sse.get("SSEType"), sse.get("KMSMasterKeyArn")],
            "class": (t.get("TableClassSummary") or {}).get("TableClass", "STANDARD"),
            "protection": t.get("DeletionProtectionEnabled"),
            "on_demand": t.get("OnDemandThroughput"),
            "ttl": self.ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "pitr": self.ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
            ["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"],
            "insights": self.ddb.describe_contributor_insights(TableName=name)["ContributorInsightsStatus"],
            "tags": sorted((x["Key"], x["Value"]) for x in
                           self.ddb.list_tags_of_resource(ResourceArn=t["TableArn"]).get("Tags", [])),
            "warm": t.get("WarmThroughput", {}).get("ReadUnitsPerSecond"),
            "kinesis": sorted((d["StreamArn"], d["DestinationStatus"], d.get("ApproximateCreationDateTimePrecision"))
                              for d in self.ddb.describe_kinesis_streaming_destination(TableName=name)
                              ["KinesisDataStreamDestinations"]),
        }
        try:
            facts["policy"] = json.loads(self.ddb.get_resource_policy(ResourceArn=t["TableArn"])["Policy"])
        except self.ddb.exceptions.PolicyNotFoundException:
            facts["policy"] = None
        return facts

    def stack_facts(self, name):
        """The live stacks whose name holds the run's name: status, resources, deletion policy."""
        out = {}
        for page in self.cfn.get_paginator("describe_stacks").paginate():
            for s in page["Stacks"]:
                if name not in s["StackName"] or s["StackStatus"] == "DELETE_COMPLETE":
                    continue
                res = self.cfn.describe_stack_resources(StackName=s["StackName"])["StackResources"]
                body = self.cfn.get_template(StackName=s["StackName"])["TemplateBody"]
                tmpl = body if isinstance(body, dict) else json.loads(body)
                out[s["StackName"]] = {
                    "status": s["StackStatus"],
                    "tags": sorted((t["Key"], t["Value"]) for t in s.get("Tags", [])),
                    "resources": sorted((x["LogicalResourceId"], x["PhysicalResourceId"], x["ResourceStatus"])
                                        for x in res),
                    "template": tmpl,
                }
        return out

    def tf_state(self, r):
        """The resources' attributes in the state file (read directly: a `terraform show`
        per site would cost a process start and a provider launch)."""
        path = os.path.join(r.d, "terraform.tfstate")
        if not os.path.exists(path):
            return None
        with open(path) as f:
            doc = json.load(f)
        return [{"address": f"{x['type']}.{x['name']}", "attributes": i["attributes"]}
                for x in doc.get("resources", []) for i in x.get("instances", [])]

    # -- the generator --------------------------------------------------------------

    def next_plan(self, r):
        extra = ("-destroy",) if self.destroys else ()
        return self.plan_exitcode(r.d, *extra)

    def prepare(self, r):
        """before, then the items the action must not lose (when the table exists)."""
        self.before(r)
        if self.table_exists(r.name):
            self.put_items(r.name, ITEMS)
            return self.items(r.name)
        return None

    def record(self):
        r = Run(self, "rec")
        items = self.prepare(r)
        mark = self.emu.log_offset()
        res = self.action(r)
        self.assertEqual(res.rc, 0, f"the undisturbed run failed:\n{res.text[-4000:]}")
        calls = mutating(self.emu.calls(mark))
        self.assertEqual([c for c in calls if c.get("fault")], [])
        sites, seen = [], {}
        for c in calls:
            op = f"{c['service']}.{c['operation']}"
            sites.append((op, seen.get(op, 0), c.get("error")))
            seen[op] = seen.get(op, 0) + 1
        after = self.next_plan(r)
        self.assertEqual(after.rc, 0, f"the undisturbed run's next plan is not empty:\n{after.text[-4000:]}")
        if items is not None and self.table_exists(r.name):
            self.assertEqual(self.items(r.name), items)
        return sites, self.snapshot(r), items

    def lose(self, i, op, n, want, items):
        """The path with the answer of the n-th call of op lost; returns how it ended."""
        r = Run(self, f"l{i}")
        got_items = self.prepare(r)
        self.emu.add_fault(kind="drop_response", operation=op, skip=n, count=1)
        mark = self.emu.log_offset()
        try:
            res = self.action(r)
        finally:
            self.emu.clear_faults()
        dropped = [c for c in self.emu.calls(mark) if c.get("fault") == "drop_response"]
        self.assertEqual(len(dropped), 1, f"the fault did not fire: the {n + 1}. {op} was not made")
        how = "exit 0"
        if res.rc != 0:
            err = res.text[res.text.find("Error:"):][:400] if "Error:" in res.text else res.text[-400:]
            how = f"converged at the next run, after: {err}"
            again = self.action(r)
            self.assertEqual(again.rc, 0, f"after the lost answer the run failed:\n{res.text[-3000:]}\n"
                                          f"and the next one too:\n{again.text[-3000:]}")
        if got_items is not None and (self.table_exists(r.name) or not self.destroys):
            self.assertEqual(len(self.items(r.name)), len(got_items), "items lost")
            self.assertEqual(self.items(r.name), got_items, "items changed")
        self.assertEqual(self.snapshot(r), want, "the end state differs from the undisturbed run's")
        plan = self.next_plan(r)
        self.assertEqual(plan.rc, 0, f"the next plan is not empty:\n{plan.text[-4000:]}")
        return how

    def test_every_lost_answer(self):
        sites, want, items = self.record()
        self.assertTrue(sites, "the path makes no mutating call")
        outcomes = []
        only = os.environ.get("TPD_LOST_SITES")  # "dynamodb.UpdateTimeToLive,...": those alone
        for i, (op, n, error) in enumerate(sites):
            label = f"{op}#{n + 1}" + (f" (answered {error})" if error else "")
            if only and op not in only.split(","):
                continue
            with self.subTest(site=label):
                try:
                    outcomes.append((label, self.lose(i, op, n, want, items)))
                except AssertionError:
                    outcomes.append((label, "FAILED"))
                    raise
        print(f"\nlost answers: {type(self).__name__}: {len(sites)} call sites", flush=True)
        for label, how in outcomes:
            print(f"  {label}: {how}", flush=True)


# -- the paths ------------------------------------------------------------------------

FULL = ('ttl = { attribute_name = "expires_at" }\n'
        '  range_key = { name = "sk", type = "S" }\n'
        '  ' + gsis(gsi("by_status", "status")) + '\n'
        '  local_secondary_indexes = [{ name = "by_created", range_key = { name = "created", type = "S" } }]\n'
        '  stream = { view_type = "NEW_AND_OLD_IMAGES" }\n'
        '  server_side_encryption = { kms_key_arn = "%(kms)s" }\n'
        '  table_class = "STANDARD_INFREQUENT_ACCESS"\n'
        '  point_in_time_recovery = true\n'
        '  contributor_insights = true\n'
        '  on_demand_throughput = { max_read_request_units = 100 }\n'
        '  tags = { app = "firefly", team = "data" }\n'
        '  deletion_protection_enabled = false')

BASIC = ('ttl = { attribute_name = "expires_at" }\n'
         '  deletion_protection_enabled = false\n'
         '  tags = { app = "firefly" }')


class LostCreate(LostAnswers, E2ETestCase):
    """Create with every feature: fresh stack, then what the template cannot say."""
    slug = "la-create"

    def before(self, r):
        self.kms = getattr(self, "kms", None) or self.kms_key()
        r.config(FULL % {"kms": self.kms})

    def prepare(self, r):
        self.before(r)
        return None  # no table before: nothing to lose


class LostCreateProvisioned(LostAnswers, E2ETestCase):
    """Create PROVISIONED with an index, deletion protection on, the AWS managed key."""
    slug = "la-createprov"

    def before(self, r):
        r.config('billing_mode = "PROVISIONED"\n  read_capacity = 2\n  write_capacity = 3\n'
                 '  global_secondary_indexes = [{ name = "by_s", hash_key = { name = "s", type = "S" },'
                 ' read_capacity = 1, write_capacity = 1 }]\n'
                 '  ttl = { attribute_name = "exp" }\n'
                 '  server_side_encryption = { kms_key_arn = null }\n'
                 '  deletion_protection_enabled = true')


class LostUpdate(LostAnswers, E2ETestCase):
    """In-place updates, all at once: stream, key, class, backups, insights, tags,
    protection on."""
    slug = "la-update"

    def before(self, r):
        self.kms = getattr(self, "kms", None) or self.kms_key()
        self.apply_config(r, BASIC)
        r.config('ttl = { attribute_name = "expires_at" }\n'
                 '  deletion_protection_enabled = true\n'
                 '  stream = { view_type = "KEYS_ONLY" }\n'
                 f'  server_side_encryption = {{ kms_key_arn = "{self.kms}" }}\n'
                 '  table_class = "STANDARD_INFREQUENT_ACCESS"\n'
                 '  point_in_time_recovery = true\n'
                 '  contributor_insights = true\n'
                 '  tags = { app = "firefly2", owner = "ops" }')


class LostUpdateBack(LostAnswers, E2ETestCase):
    """In-place updates back: stream off, TTL off, PROVISIONED, backups and insights off,
    tags removed, protection off."""
    slug = "la-updback"

    def before(self, r):
        self.apply_config(r, 'ttl = { attribute_name = "expires_at" }\n'
                             '  deletion_protection_enabled = true\n'
                             '  stream = { view_type = "NEW_IMAGE" }\n'
                             '  point_in_time_recovery = true\n'
                             '  contributor_insights = true\n'
                             '  tags = { app = "firefly", owner = "ops" }')
        self.emu.advance_clock(3601)  # DynamoDB takes one TTL change per table per hour
        r.config('ttl = { attribute_name = "expires_at", enabled = false }\n'
                 '  deletion_protection_enabled = false\n'
                 '  billing_mode = "PROVISIONED"\n  read_capacity = 3\n  write_capacity = 2\n'
                 '  tags = { app = "firefly" }')


class LostIndexes(LostAnswers, E2ETestCase):
    """An index sequence: one index deleted and two created (three stack updates)."""
    slug = "la-index"

    def before(self, r):
        self.apply_config(r, BASIC + "\n  " + gsis(gsi("by_a", "a")))
        r.config(BASIC + "\n  " + gsis(gsi("by_b", "b"), gsi("by_c", "c")))


class LostMove(LostAnswers, E2ETestCase):
    """The table moves to another stack (Retain in the old one, deleted; IMPORT into the
    new one)."""
    slug = "la-move"

    def before(self, r):
        self.apply_config(r, BASIC, stack=f"{r.name}-old")
        r.config(BASIC, stack=f"{r.name}-new")


class LostAdopt(LostAnswers, E2ETestCase):
    """Adoption: a table made outside Terraform, declared (IMPORT change set, then the
    configured settings)."""
    slug = "la-adopt"

    def before(self, r):
        self.create_table(r.name, ttl="expires_at")
        self.emu.advance_clock(10)
        r.config('ttl = { attribute_name = "expires_at" }\n'
                 '  deletion_protection_enabled = false\n'
                 '  point_in_time_recovery = true\n'
                 '  tags = { app = "adopted" }')


class LostImport(LostAnswers, E2ETestCase):
    """`terraform import` of a table in its stack, then an apply that changes it."""
    slug = "la-import"

    def before(self, r):
        self.apply_config(r, BASIC)
        os.remove(os.path.join(r.d, "terraform.tfstate"))
        self.tf(r.d, "import", "-input=false", "dynamodb_ttl_table.t", r.name, check=0)
        r.config(BASIC.replace('"firefly"', '"imported"') + "\n  point_in_time_recovery = true")


class LostRepairSettings(LostAnswers, E2ETestCase):
    """Drift repairs by direct calls: TTL off, tags, backups, insights, protection off."""
    slug = "la-repset"

    def before(self, r):
        self.apply_config(r, BASIC.replace("false", "true") + "\n  point_in_time_recovery = true\n"
                                                               "  contributor_insights = true")
        self.emu.advance_clock(3601)  # DynamoDB takes one TTL change per table per hour
        arn = self.ddb.describe_table(TableName=r.name)["Table"]["TableArn"]
        self.ddb.update_time_to_live(TableName=r.name,
                                     TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": False})
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["app"])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "intruder", "Value": "x"}])
        self.ddb.update_continuous_backups(TableName=r.name,
                                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
        self.ddb.update_contributor_insights(TableName=r.name, ContributorInsightsAction="DISABLE")
        self.ddb.update_table(TableName=r.name, DeletionProtectionEnabled=False)
        # DynamoDB takes one TTL change per table per hour: the repair comes later.
        self.emu.advance_clock(3601)


class LostRepairTable(LostAnswers, E2ETestCase):
    """Drift repairs by UpdateTable: stream, billing mode, class, encryption, a deleted
    index."""
    slug = "la-reptab"

    def before(self, r):
        self.apply_config(r, BASIC + "\n  " + gsis(gsi("by_a", "a"), gsi("by_b", "b")) +
                          '\n  stream = { view_type = "NEW_IMAGE" }'
                          '\n  server_side_encryption = { kms_key_arn = null }'
                          '\n  table_class = "STANDARD_INFREQUENT_ACCESS"')
        for change in ({"StreamSpecification": {"StreamEnabled": False}},
                       {"GlobalSecondaryIndexUpdates": [{"Delete": {"IndexName": "by_b"}}]},
                       {"TableClass": "STANDARD"},
                       {"SSESpecification": {"Enabled": False}},
                       {"BillingMode": "PROVISIONED",
                        "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                        "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "by_a", "ProvisionedThroughput":
                                                                    {"ReadCapacityUnits": 1,
                                                                     "WriteCapacityUnits": 1}}}]}):
            self.ddb.update_table(TableName=r.name, **change)
            self.emu.advance_clock(60)
            self.wait_active(r.name)
        # The class switch back would be its third change in 30 days (DynamoDB's quota).
        self.emu.advance_clock(30 * 86400)


class LostRepairOff(LostAnswers, E2ETestCase):
    """Drift repairs that switch off what was switched on outside Terraform: a stream,
    encryption with a KMS key, the infrequent-access class, on-demand limits, TTL."""
    slug = "la-repoff"

    def before(self, r):
        self.apply_config(r, 'ttl = { attribute_name = "expires_at", enabled = false }\n'
                             '  deletion_protection_enabled = false')
        for change in ({"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}},
                       {"SSESpecification": {"Enabled": True, "SSEType": "KMS"}},
                       {"TableClass": "STANDARD_INFREQUENT_ACCESS"},
                       {"OnDemandThroughput": {"MaxReadRequestUnits": 50}}):
            self.ddb.update_table(TableName=r.name, **change)
            self.emu.advance_clock(60)
            self.wait_active(r.name)
        self.emu.advance_clock(3601)  # one TTL change per table per hour
        self.ddb.update_time_to_live(TableName=r.name,
                                     TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True})
        self.emu.advance_clock(3601)


class LostRestore(LostAnswers, E2ETestCase):
    """Create by restoring a table's latest restorable time (RestoreTableToPointInTime,
    IMPORT into the new stack, then what a restore does not carry: TTL, tags, backups)."""
    slug = "la-restore"

    def before(self, r):
        src = f"{r.name}-src"
        self.create_table(src)
        self.ddb.update_continuous_backups(TableName=src,
                                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.put_items(src, ITEMS)
        self.emu.advance_clock(600)  # the writes become restorable (tests/emulator/README.md)
        r.config(BASIC + "\n  point_in_time_recovery = true"
                 f'\n  restore = {{ source_table_name = "{src}", use_latest_restorable_time = true }}')

    def prepare(self, r):
        self.before(r)
        return None  # the table does not exist before; its items are checked below

    def snapshot(self, r):
        out = super().snapshot(r)
        out["items"] = len(self.items(r.name)) if self.table_exists(r.name) else None
        return out


class LostRestoreBackup(LostRestore):
    """Create by restoring an on-demand backup (RestoreTableFromBackup, IMPORT into the new
    stack, then what a restore does not carry: TTL, tags, backups)."""
    slug = "la-restbak"

    def before(self, r):
        src = f"{r.name}-src"
        self.create_table(src)
        self.put_items(src, ITEMS)
        arn = self.ddb.create_backup(TableName=src, BackupName=f"{r.name}-bak")["BackupDetails"]["BackupArn"]
        self.emu.advance_clock(5)  # CREATING, then AVAILABLE (tests/emulator/README.md)
        r.config(BASIC + "\n  point_in_time_recovery = true"
                 f'\n  restore = {{ backup_arn = "{arn}" }}')

    def snapshot(self, r):
        # Each run restores a backup of its own: the backup's id differs, as its name does.
        text = re.sub(r"/backup/[0-9]+-[0-9a-f]+", "/backup/ID", json.dumps(super().snapshot(r), sort_keys=True))
        return json.loads(text)


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
KINESIS = "arn:aws:kinesis:us-east-1:123456789012:stream/lost-orders"


class LostRepairFeatures(LostAnswers, E2ETestCase):
    """Drift repairs of the later features: a resource policy deleted and a Kinesis
    destination disabled outside Terraform (warm throughput beside them, unchanged)."""
    slug = "la-repfeat"

    def before(self, r):
        self.apply_config(r, BASIC + "\n  " + POLICY +
                          f'\n  kinesis_streaming_destination = {{ stream_arn = "{KINESIS}" }}'
                          "\n  warm_throughput = { read_units_per_second = 15000, write_units_per_second = 5000 }")
        self.emu.advance_clock(10)  # the destination ENABLING -> ACTIVE
        arn = self.ddb.describe_table(TableName=r.name)["Table"]["TableArn"]
        self.ddb.delete_resource_policy(ResourceArn=arn)
        self.ddb.disable_kinesis_streaming_destination(TableName=r.name, StreamArn=KINESIS)
        self.emu.advance_clock(10)  # DISABLING -> DISABLED


FEATURES = (BASIC + "\n  " + POLICY + f'\n  kinesis_streaming_destination = {{ stream_arn = "{KINESIS}" }}'
            "\n  warm_throughput = { read_units_per_second = 15000, write_units_per_second = 5000 }"
            "\n  point_in_time_recovery = true\n  recovery_period_in_days = 10")


class LostCreateFeatures(LostAnswers, E2ETestCase):
    """Create with the later features: resource policy, Kinesis destination, warm
    throughput, a recovery period."""
    slug = "la-createfeat"

    def before(self, r):
        r.config(FEATURES)

    def prepare(self, r):
        self.before(r)
        return None  # no table before: nothing to lose


class LostUpdateFeatures(LostAnswers, E2ETestCase):
    """In-place updates of the later features: another Kinesis stream with another
    precision, warm throughput raised, the policy and recovery period changed."""
    slug = "la-updfeat"

    def before(self, r):
        self.apply_config(r, FEATURES)
        self.emu.advance_clock(10)  # the destination ENABLING -> ACTIVE
        r.config(FEATURES.replace(KINESIS, KINESIS + "-b")
                 .replace(f'"{KINESIS}-b" }}', f'"{KINESIS}-b", approximate_creation_date_time_precision = "MICROSECOND" }}')
                 .replace("15000", "18000").replace('"dynamodb:Query"', '"dynamodb:Scan"')
                 .replace("recovery_period_in_days = 10", "recovery_period_in_days = 20"))


class LostRecover(LostAnswers, E2ETestCase):
    """Recovery: someone deleted the stack of a protected table (DELETE_FAILED, the table
    kept); apply finishes the deletion keeping the table and imports it again."""
    slug = "la-recover"

    def before(self, r):
        self.apply_config(r, BASIC.replace("false", "true"))
        self.cfn.delete_stack(StackName=r.name)
        self.assertEqual(self.stack_status(r.name), "DELETE_FAILED")


def retain_in_template(case, stack):
    """Out of band: the stack's template with DeletionPolicy Retain on the table (what an
    adoption or a move leaves when its follow-up update did not finish)."""
    body = case.cfn.get_template(StackName=stack)["TemplateBody"]
    tmpl = body if isinstance(body, dict) else json.loads(body)
    for res in tmpl["Resources"].values():
        if res["Type"] == "AWS::DynamoDB::Table":
            res["DeletionPolicy"] = res["UpdateReplacePolicy"] = "Retain"
    case.cfn.update_stack(StackName=stack, TemplateBody=json.dumps(tmpl),
                          Tags=case.cfn.describe_stacks(StackName=stack)["Stacks"][0].get("Tags", []))
    case.assertEqual(case.stack_status(stack), "UPDATE_COMPLETE")


class LostDestroyStackThenTable(LostAnswers, E2ETestCase):
    """Destroy of a table whose template retains it though retain_on_destroy is false:
    DeleteStack keeping the table, then DeleteTable."""
    slug = "la-destroy2"
    destroys = True

    def before(self, r):
        self.apply_config(r, BASIC)
        retain_in_template(self, r.name)

    def action(self, r):
        return self.tf(r.d, "destroy", "-auto-approve", "-input=false")


class LostDestroyTable(LostAnswers, E2ETestCase):
    """Destroy of a table that is in no stack any more (its stack deleted outside
    Terraform, keeping it): DeleteTable."""
    slug = "la-destroy3"
    destroys = True

    def before(self, r):
        self.apply_config(r, BASIC)
        retain_in_template(self, r.name)
        self.cfn.delete_stack(StackName=r.name)
        self.assertIsNone(self.stack_status(r.name))

    def action(self, r):
        return self.tf(r.d, "destroy", "-auto-approve", "-input=false")


class LostDestroy(LostAnswers, E2ETestCase):
    """Destroy: the stack and its table deleted."""
    slug = "la-destroy"
    destroys = True

    def before(self, r):
        self.apply_config(r, BASIC + '\n  point_in_time_recovery = true')

    def action(self, r):
        return self.tf(r.d, "destroy", "-auto-approve", "-input=false")


class LostRetain(LostAnswers, E2ETestCase):
    """Destroy with retain_on_destroy: the stack deleted, the protected table and its
    items kept."""
    slug = "la-retain"
    destroys = True

    def before(self, r):
        self.apply_config(r, BASIC.replace("false", "true") + "\n  retain_on_destroy = true")

    def action(self, r):
        return self.tf(r.d, "destroy", "-auto-approve", "-input=false")


if __name__ == "__main__":
    unittest.main()
