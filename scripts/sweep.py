"""The acceptance run's sweeper (scripts/sweep.sh PREFIX [--yes]; docs/testing.md
"Sweeping"): removes what a run with that name prefix left in the account the
environment's credentials reach (AWS_REGION, AWS_ENDPOINT_URL, AWS_CA_BUNDLE as for any
AWS SDK), and nothing else.

Order, so that no table is lost by accident and none is left behind:
  1. every CloudFormation stack whose name starts with PREFIX is deleted with its tables
     retained: each AWS::DynamoDB::Table resource gets DeletionPolicy Retain first (a
     policy-only stack update, as the provider's retain_on_destroy does; docs/resource.md),
     then DeleteStack; a stack that cannot be updated (a failed state) is deleted as it is
     only if every table in it has the prefix, and a protected table that fails the delete
     is retained with RetainResources (DELETE_FAILED is the only state that takes it,
     docs/aws-behaviour.md §3.2);
  2. every DynamoDB table whose name starts with PREFIX and that no other stack holds:
     deletion protection switched off (on these tables only), then DeleteTable.
Anything else — a table of another name in a prefix stack, a prefix table held by a stack
of another name — is reported and left alone.

Without --yes it is a dry run: it lists what it would do and changes nothing. Exit status:
0 when nothing of the prefix is left (or, dry run, nothing was found), 3 when something is
left (dry run: found), 2 for a refused prefix or no AWS access.
"""
import argparse
import copy
import json
import os
import re
import sys
import time

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

# One run's prefix (scripts/acceptance.sh makes "tpdacc-" + 8 random characters + "-"):
# never a prefix that could match a user's own tables.
PREFIX_RE = re.compile(r"^tpdacc-[a-z0-9]{4,32}-$")
GONE = ("DELETE_COMPLETE",)
TABLE = "AWS::DynamoDB::Table"
WAIT_SECONDS = 1800  # a stack or table operation's limit here, not an expected time


def log(msg):
    print(f"sweep: {msg}", flush=True)


class Sweeper:
    def __init__(self, session, prefix, act):
        self.prefix, self.act = prefix, act
        cfg = Config(retries={"mode": "standard", "total_max_attempts": 10})
        self.cfn = session.client("cloudformation", config=cfg)
        self.ddb = session.client("dynamodb", config=cfg)
        self.left = []  # what is still there (dry run: what was found)

    def ours(self, name):
        return name.startswith(self.prefix)

    # -- stacks -------------------------------------------------------------------------

    def stacks(self):
        out = []
        for page in self.cfn.get_paginator("list_stacks").paginate():
            for s in page["StackSummaries"]:
                if s["StackStatus"] not in GONE and self.ours(s["StackName"]):
                    out.append(s)
        return out

    def table_resources(self, stack):
        res = []
        for page in self.cfn.get_paginator("list_stack_resources").paginate(StackName=stack):
            res += [r for r in page["StackResourceSummaries"]
                    if r["ResourceType"] == TABLE and r["ResourceStatus"] not in ("DELETE_COMPLETE", "DELETE_SKIPPED")
                    and r.get("PhysicalResourceId")]
        return res

    def stack_status(self, stack_id):
        try:
            return self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        except ClientError as e:
            if "does not exist" in str(e):
                return "DELETE_COMPLETE"
            raise

    def wait_stack(self, stack_id):
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            st = self.stack_status(stack_id)
            if not st.endswith("_IN_PROGRESS"):
                return st
            if time.monotonic() > deadline:
                return st
            time.sleep(2)  # CloudFormation has no notification here: poll DescribeStacks

    def retain_tables(self, stack_id, name):
        """Give every table of the stack DeletionPolicy Retain (a policy-only update).
        True when the template says Retain for all of them afterwards."""
        try:
            body = self.cfn.get_template(StackName=stack_id, TemplateStage="Original")["TemplateBody"]
            tpl = json.loads(body) if isinstance(body, str) else copy.deepcopy(body)
        except (ClientError, ValueError) as e:  # no template (REVIEW_IN_PROGRESS), or YAML
            log(f"stack {name}: cannot read its template as JSON ({e})")
            return False
        tables = {k: v for k, v in tpl.get("Resources", {}).items() if v.get("Type") == TABLE}
        if all(v.get("DeletionPolicy") == "Retain" for v in tables.values()):
            return True
        for v in tables.values():
            v["DeletionPolicy"] = "Retain"
        params = [{"ParameterKey": p["ParameterKey"], "UsePreviousValue": True}
                  for p in self.cfn.describe_stacks(StackName=stack_id)["Stacks"][0].get("Parameters", [])]
        try:
            self.cfn.update_stack(StackName=stack_id, TemplateBody=json.dumps(tpl), Parameters=params,
                                  Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"])
        except ClientError as e:
            log(f"stack {name}: cannot set DeletionPolicy Retain ({e.response['Error'].get('Message')})")
            return False
        st = self.wait_stack(stack_id)
        if st != "UPDATE_COMPLETE":
            log(f"stack {name}: the Retain update ended {st}")
            return False
        return True

    def sweep_stack(self, s):
        name, sid = s["StackName"], s["StackId"]
        tables = self.table_resources(sid)
        foreign = [r["PhysicalResourceId"] for r in tables if not self.ours(r["PhysicalResourceId"])]
        names = ", ".join(r["PhysicalResourceId"] for r in tables) or "no table"
        if not self.act:
            log(f"would delete stack {name} ({s['StackStatus']}; {names}), its tables retained")
            self.left.append(f"stack {name}")
            return
        log(f"stack {name} ({s['StackStatus']}; {names}): DeletionPolicy Retain, then DeleteStack")
        retained = not tables or self.retain_tables(sid, name)
        if not retained and foreign:
            log(f"stack {name}: LEFT ALONE: it holds {', '.join(foreign)}, which is not of prefix "
                f"{self.prefix}, and could not be set to Retain")
            self.left.append(f"stack {name}")
            return
        self.cfn.delete_stack(StackName=sid)
        st = self.wait_stack(sid)
        if st == "DELETE_FAILED":
            # Only prefix tables can be here (foreign ones were retained or refused above):
            # a protected one fails the delete; keep it and delete it in step 2.
            failed = [r["LogicalResourceId"] for r in self.cfn.describe_stack_resources(StackName=sid)["StackResources"]
                      if r["ResourceStatus"] == "DELETE_FAILED"]
            log(f"stack {name}: DELETE_FAILED; deleting it again retaining {', '.join(failed)}")
            self.cfn.delete_stack(StackName=sid, RetainResources=failed)
            st = self.wait_stack(sid)
        if st != "DELETE_COMPLETE":
            log(f"stack {name}: still there ({st})")
            self.left.append(f"stack {name}")

    # -- tables -------------------------------------------------------------------------

    def tables(self):
        out = []
        for page in self.ddb.get_paginator("list_tables").paginate():
            out += [t for t in page["TableNames"] if self.ours(t)]
        return out

    def holder(self, table):
        """The live stack holding the table, or None."""
        try:
            res = self.cfn.describe_stack_resources(PhysicalResourceId=table)["StackResources"]
        except ClientError as e:
            if "does not exist" in str(e):
                return None
            raise
        for r in res:
            if r["ResourceStatus"] not in ("DELETE_COMPLETE", "DELETE_SKIPPED"):
                return r["StackName"]
        return None

    def wait_table(self, table, gone=False):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                t = self.ddb.describe_table(TableName=table)["Table"]
            except self.ddb.exceptions.ResourceNotFoundException:
                return None
            if not gone and t["TableStatus"] == "ACTIVE":
                return t
            time.sleep(2)  # DynamoDB has no notification: poll DescribeTable
        return "timeout"

    def sweep_table(self, table):
        stack = self.holder(table)
        if stack and not self.ours(stack):
            log(f"table {table}: LEFT ALONE: stack {stack} (not of prefix {self.prefix}) holds it")
            self.left.append(f"table {table}")
            return
        t = self.ddb.describe_table(TableName=table)["Table"]
        protected = t.get("DeletionProtectionEnabled", False)
        if not self.act:
            log(f"would {'switch deletion protection off on and ' if protected else ''}delete table {table}")
            self.left.append(f"table {table}")
            return
        if stack:  # a dry run ran before the stacks went; acting, step 1 removed them
            log(f"table {table}: still in stack {stack}; left")
            self.left.append(f"table {table}")
            return
        t = self.wait_table(table)
        if t is None:
            return
        if t == "timeout":
            self.left.append(f"table {table}")
            return
        if t.get("DeletionProtectionEnabled"):
            log(f"table {table}: deletion protection off")
            self.ddb.update_table(TableName=table, DeletionProtectionEnabled=False)
        log(f"table {table}: DeleteTable")
        self.ddb.delete_table(TableName=table)
        if self.wait_table(table, gone=True) is not None:
            self.left.append(f"table {table}")

    def run(self):
        # One object's failure (a state AWS refuses, a permission) is reported and the
        # sweep goes on with the others.
        for s in self.stacks():
            try:
                self.sweep_stack(s)
            except ClientError as e:
                log(f"stack {s['StackName']}: {e}")
                self.left.append(f"stack {s['StackName']}")
        for t in self.tables():
            try:
                self.sweep_table(t)
            except ClientError as e:
                log(f"table {t}: {e}")
                self.left.append(f"table {t}")
        if self.left:
            what = "found" if not self.act else "LEFT"
            log(f"{what}: {len(self.left)}: " + ", ".join(self.left))
            if not self.act:
                log(f"to remove them: scripts/sweep.sh {self.prefix} --yes")
            return 3
        log(f"nothing of prefix {self.prefix} is left")
        return 0


def main():
    ap = argparse.ArgumentParser(prog="scripts/sweep.sh", description=__doc__.split("\n\n")[0])
    ap.add_argument("prefix", help="one acceptance run's prefix, e.g. tpdacc-3f9a1c2b-")
    ap.add_argument("--yes", action="store_true", help="act (default: a dry run that changes nothing)")
    a = ap.parse_args()
    if not PREFIX_RE.match(a.prefix):
        print(f"sweep: refused: {a.prefix!r} is not an acceptance run's prefix "
              "(tpdacc-, 4 to 32 of a-z 0-9, then -): the sweeper removes nothing else", file=sys.stderr)
        return 2
    try:
        # AWS_REGION as the provider reads it (boto3 itself reads only AWS_DEFAULT_REGION and
        # the profile).
        session = boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
        who = session.client("sts").get_caller_identity()
        log(f"account {who['Account']} ({who['Arn']}), region {session.region_name}, "
            f"prefix {a.prefix}, {'removing' if a.yes else 'dry run (--yes removes)'}")
        return Sweeper(session, a.prefix, a.yes).run()
    except (BotoCoreError, ClientError) as e:
        print(f"sweep: no access to AWS: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
