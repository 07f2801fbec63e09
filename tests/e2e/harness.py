"""End-to-end harness: the real `terraform` CLI, the built provider installed in a
private filesystem mirror, and the local AWS emulator (tests/emulator) on 127.0.0.1.

Each test class gets its own emulator (started on a free port, stopped by PID) and
its own directories; boto3 clients signed with the emulator's test credentials make
the out-of-band changes ("someone changed it in the console").

The acceptance mode (scripts/acceptance.sh, docs/testing.md "Acceptance run"):
TPD_E2E_TARGET=external starts no emulator; the provider, terraform and boto3 reach
whatever AWS the environment names (credentials, AWS_REGION, AWS_ENDPOINT_URL,
AWS_CA_BUNDLE: the same variables a user's AWS SDK reads, so the run against the emulator
and the run against an account take the same path). TPD_E2E_PREFIX is put before every
table and stack name a test makes (self.n), so a run's leftovers are found by that prefix
(scripts/sweep.sh). TPD_E2E_EMULATOR_LOG says the external AWS is tests/emulator (started
by acceptance.sh): its request log and clock are then used as in the ordinary mode; against
an account there are neither, and the checks that need them say so (has_request_log).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from emulator import Emulator as _EmulatorBase  # noqa: E402

PROVIDER_BLOCK = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "us-east-1"
  endpoints {
    dynamodb       = "%(endpoint)s"
    cloudformation = "%(endpoint)s"
    sts            = "%(endpoint)s"
  }
}
'''

PROVIDER_BLOCK_EXTERNAL = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "%(region)s"
}
'''


def rate_limit_flags(spec=None):
    """server.py flags for TPD_E2E_RATE_LIMITS: a profile and/or OP:RATE[:BURST] limits,
    comma-separated ("aws", "aws,DescribeStacks:2:2"). Set, every test's emulator enforces
    AWS's account-wide API rate limits (tests/emulator/ratelimit.py), so the suite runs
    against the budget a real account has; unset or "off", none."""
    spec = os.environ.get("TPD_E2E_RATE_LIMITS", "") if spec is None else spec
    flags = []
    for part in (p.strip() for p in spec.split(",")):
        if part and part != "off":
            flags += ["--rate-limit", part] if ":" in part else ["--rate-limits", part]
    return flags


EXTERNAL = os.environ.get("TPD_E2E_TARGET") == "external"
PREFIX = os.environ.get("TPD_E2E_PREFIX", "")


class Emulator(_EmulatorBase):
    """tests/emulator's helper, plus what the e2e tests read from it."""

    def __init__(self, workdir, *flags):
        # The environment's rate limits first: a test class's own flags win.
        super().__init__(log_path=os.path.join(workdir, "requests.jsonl"),
                         extra_args=rate_limit_flags() + list(flags))
        self.start()

    def throttled(self, since=0):
        """Request-log records from line `since` on that the rate limits refused."""
        return [c for c in self.calls(since) if c.get("rate_limited")]

    def calls(self, since=0):
        """Request-log records from line number `since` on (see log_offset)."""
        return self.log_records_since(since)

    def log_offset(self):
        return self.log_mark()

    @property
    def env(self):
        return {"AWS_ACCESS_KEY_ID": self.access_key_id, "AWS_SECRET_ACCESS_KEY": self.secret_access_key}

    def client(self, service):
        return super().client(service, max_attempts=5)


class ExternalAws(_EmulatorBase):
    """The acceptance mode's AWS (module comment): nothing is started or stopped. The
    endpoint and CA are the environment's (None: AWS's own endpoints, the system's CAs);
    with TPD_E2E_EMULATOR_LOG it is tests/emulator, whose log and control API are used."""

    def __init__(self):
        super().__init__(log_path=os.environ.get("TPD_E2E_EMULATOR_LOG") or os.devnull,
                         region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")
        self.endpoint = os.environ.get("AWS_ENDPOINT_URL") or None
        self.ca_file = os.environ.get("AWS_CA_BUNDLE") or None
        self.has_request_log = bool(os.environ.get("TPD_E2E_EMULATOR_LOG"))
        self.access_key_id = os.environ.get("AWS_ACCESS_KEY_ID")
        self.secret_access_key = os.environ.get("AWS_SECRET_ACCESS_KEY")

    def start(self):
        return self

    def stop(self, grace=5.0):
        return None

    def _control(self, method, path, body=None):
        if not self.has_request_log:
            raise unittest.SkipTest(f"needs the emulator's control API ({path}); this AWS is an account")
        return super()._control(method, path, body)

    def calls(self, since=0):
        if not self.has_request_log:
            raise AssertionError("no request log against an account: guard the check with has_request_log")
        return self.log_records_since(since)

    def log_offset(self):
        return self.log_mark() if self.has_request_log else 0

    def throttled(self, since=0):
        return [c for c in self.calls(since) if c.get("rate_limited")]

    @property
    def env(self):
        return {}  # the environment's own credentials (any the SDKs read)

    def client(self, service):
        import boto3
        from botocore.config import Config
        # The default credential chain and the environment's endpoint and CA bundle, as
        # the provider reads them.
        return boto3.client(service, region_name=self.region,
                            config=Config(retries={"mode": "standard", "total_max_attempts": 5},
                                          connect_timeout=10, read_timeout=60))


def mutating(calls):
    """The calls that change something (the emulator marks them)."""
    return [c for c in calls if c.get("mutating")]


class TfResult:
    def __init__(self, proc, seconds):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        # Terraform wraps diagnostics at the terminal width: compare on single spaces.
        self.raw = proc.stdout + proc.stderr
        self.text = " ".join(self.raw.split())
        self.seconds = seconds


class E2ETestCase(unittest.TestCase):
    """Base class: one emulator and one provider mirror per test class."""

    emulator_flags = ()
    prefix = PREFIX
    # hashicorp/aws (the peer some tests run) logs its requests' Authorization header at
    # trace level with the key id and the signature masked ("Credential=AKIA****...",
    # "Signature=*****"): a class that runs it sets this, and masked values do not count.
    peer_logs_masked_auth = False

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-e2e.")
        cls.cli_config = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), BUILD, cls.work],
                                        capture_output=True, text=True, check=True).stdout.strip()
        cls.env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_PLUGIN_CACHE_DIR"):
            cls.env.pop(k, None)
        if EXTERNAL:
            cls.emu = ExternalAws()
        else:
            cls.emu = Emulator(cls.work, *cls.emulator_flags)
            for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
                      "AWS_CA_BUNDLE"):
                cls.env.pop(k, None)
        cls.env.update(cls.emu.env)
        # Every e2e run keeps Terraform's trace log (provider lines included), so that
        # tearDownClass can prove no secret reached a log or a state file.
        cls.env.update(TF_LOG="trace", TF_LOG_PATH=os.path.join(cls.work, "terraform-trace.log"))
        cls.env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=cls.cli_config,
                       AWS_REGION=cls.emu.region, AWS_EC2_METADATA_DISABLED="true")
        if not EXTERNAL:  # against an account the user's profile may be where the credentials are
            cls.env.update(AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        cls.ddb = cls.emu.client("dynamodb")
        cls.cfn = cls.emu.client("cloudformation")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()
        leaks = cls.secret_leaks()
        if not os.environ.get("TPD_E2E_KEEP"):
            shutil.rmtree(cls.work, ignore_errors=True)
        if leaks:
            raise AssertionError("secrets found in: " + ", ".join(leaks))

    @classmethod
    def secret_leaks(cls):
        """Files of this run (trace logs, state, emulator log) holding a secret."""
        needles = [b"Signature=", b"AWS4-HMAC-SHA256 Credential"]
        if cls.emu.secret_access_key:
            needles.append(cls.emu.secret_access_key.encode())
        found = []
        for base, _, files in os.walk(cls.work):
            if ".terraform" in base:
                continue
            for name in files:
                if not (name.endswith((".log", ".tfstate", ".backup", ".jsonl", ".err", ".out"))):
                    continue
                path = os.path.join(base, name)
                with open(path, "rb") as f:
                    data = f.read()
                if cls.peer_logs_masked_auth:
                    data = re.sub(rb"AWS4-HMAC-SHA256 Credential=AKIA\*+", b"", data)
                    data = re.sub(rb"Signature=\*+", b"", data)
                found += [f"{path} ({n.decode()})" for n in needles if n in data]
        return found

    # -- terraform ------------------------------------------------------------------

    def n(self, name):
        """A table or stack name of this run: TPD_E2E_PREFIX + name (module comment)."""
        return self.prefix + name

    @property
    def has_request_log(self):
        """False against an account: no request log, no emulator clock."""
        return getattr(self.emu, "has_request_log", True)

    def provider_block(self):
        """The provider block of every configuration: the class's emulator as every
        endpoint, or (acceptance mode) nothing but the region, the rest from the
        environment as a user's configuration would have it."""
        if EXTERNAL:
            return PROVIDER_BLOCK_EXTERNAL % {"region": self.emu.region}
        return PROVIDER_BLOCK % {"endpoint": self.emu.endpoint}

    def workdir(self, name, body):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        self.write(d, body)
        return d

    def write(self, d, body):
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(self.provider_block())
            f.write(body)

    def tf(self, d, *args, env=None, check=None, timeout=600):
        t0 = time.monotonic()
        p = subprocess.run(["terraform", f"-chdir={d}", *args, "-no-color"], env=env or self.env,
                           capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        r = TfResult(p, time.monotonic() - t0)
        if check is not None and r.rc != check:
            self.fail(f"terraform {' '.join(args)}: exit {r.rc}, wanted {check}\n{r.text[-6000:]}")
        return r

    def init(self, d):
        return self.tf(d, "init", "-input=false", check=0)

    def apply(self, d, *extra, check=0):
        return self.tf(d, "apply", "-auto-approve", "-input=false", *extra, check=check)

    def plan_exitcode(self, d, *extra):
        return self.tf(d, "plan", "-input=false", "-detailed-exitcode", *extra)

    def state(self, d, address):
        r = self.tf(d, "show", "-json", check=0)
        doc = json.loads(r.out)
        for res in doc.get("values", {}).get("root_module", {}).get("resources", []):
            if res["address"] == address:
                return res["values"]
        return None

    def outputs(self, d):
        return json.loads(self.tf(d, "output", "-json", check=0).out)

    # -- AWS, out of band -----------------------------------------------------------

    def create_table(self, name, key="id", key_type="S", protect=False, ttl=None):
        # PAY_PER_REQUEST only: an acceptance run against an account pays per request, and
        # nothing for a table left idle (docs/testing.md).
        self.ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": key, "AttributeType": key_type}],
                              KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                              DeletionProtectionEnabled=protect)
        self.wait_active(name)
        if ttl:
            self.ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": ttl, "Enabled": True})

    def wait_active(self, name, timeout=60):
        """DescribeTable until the table and its indexes are ACTIVE: a table is CREATING after
        CreateTable and UPDATING after a change of its capacity, billing mode, stream or class
        (the emulator's --table-seconds, as DynamoDB takes its time), and DynamoDB refuses most
        calls meanwhile."""
        deadline = time.monotonic() + timeout
        while True:
            t = self.ddb.describe_table(TableName=name)["Table"]
            if t["TableStatus"] == "ACTIVE" and all(
                    g.get("IndexStatus") == "ACTIVE" for g in t.get("GlobalSecondaryIndexes") or []):
                return t
            if time.monotonic() >= deadline:
                self.fail(f"table {name} still {t['TableStatus']} after {timeout} s")
            time.sleep(0.05)  # no notification for a status change: poll DescribeTable

    def kms_key(self, alias=None):
        """A customer managed KMS key in the emulator (DynamoDB refuses keys that do not
        exist): its ARN."""
        kms = self.emu.client("kms")
        key = kms.create_key(Description="e2e test key")["KeyMetadata"]
        if alias:
            kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        return key["Arn"]

    def put_items(self, table, n, key="id"):
        for i in range(n):
            self.ddb.put_item(TableName=table, Item={key: {"S": f"item-{i:04d}"}, "payload": {"S": f"value {i}"},
                                                      "expires_at": {"N": str(4102444800 + i)}})

    def items(self, table):
        items, kw = [], {}
        while True:
            r = self.ddb.scan(TableName=table, **kw)
            items.extend(r["Items"])
            if "LastEvaluatedKey" not in r:
                break
            kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        return sorted(items, key=lambda it: json.dumps(it, sort_keys=True))

    def table_exists(self, name):
        try:
            self.ddb.describe_table(TableName=name)
            return True
        except self.ddb.exceptions.ResourceNotFoundException:
            return False

    def stack_status(self, name):
        try:
            return self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        except Exception as e:  # ValidationError: does not exist
            if "does not exist" in str(e):
                return None
            raise

    def wait_for_call(self, mark, operation, timeout=60):
        """Wait for the event "the emulator answered a call of `operation`" logged after
        line `mark` (emu.log_offset()): the request log gets one line per answered call.
        Returns the offset just past that line, for a wait on what follows it. Fails the
        test, naming the operation, when the call has not come within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            for i, c in enumerate(self.emu.calls(mark)):
                if c.get("operation") == operation:
                    return mark + i + 1
            if time.monotonic() >= deadline:
                self.fail(f"no {operation} call reached the emulator within {timeout} s")
            time.sleep(0.05)  # the log file has no notification; re-read it

    def wait_emulated(self, seconds=3601):
        """Let time pass on the emulator clock: what a user waits for on AWS (TTL ENABLING →
        ENABLED takes seconds; DynamoDB takes one TTL change per table per hour). Against
        an account there is no clock to move: the test is skipped (acceptance scenarios wait
        with wait_ttl instead)."""
        self.emu.advance_clock(seconds)

    def wait_ttl(self, table, status="ENABLED", timeout=900):
        """DescribeTimeToLive until `status`: on the emulator its clock is moved past the
        transition first (seconds); DynamoDB takes up to an hour (docs/aws-behaviour.md),
        seconds to minutes in practice, so against an account this polls."""
        if self.has_request_log:
            self.emu.advance_clock(10)
        deadline = time.monotonic() + timeout
        while True:
            t = self.ttl(table)
            if t["TimeToLiveStatus"] == status:
                return t
            if time.monotonic() >= deadline:
                self.fail(f"TTL of {table} still {t['TimeToLiveStatus']} after {timeout} s, wanted {status}")
            time.sleep(2 if not self.has_request_log else 0.05)  # no notification: poll

    def ttl(self, table):
        return self.ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
