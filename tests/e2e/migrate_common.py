"""What the tests of docs/migrating.md's recipes share (test_migrate_aws.py,
test_migrate_other.py). The recipes are run as written: the HCL of each is read out of
that page (the blocks marked <!-- e2e: NAME -->) behind this test's provider blocks (the
emulator's endpoints), and the commands the page shows are run (each must be on the page
as written); each recipe's test checks that every item is still in the table, that the
table is in its stack, that the next plan is empty and that no DeleteTable reached AWS.
"""
import json
import os
import re

from harness import EXTERNAL, ROOT, E2ETestCase, mutating

DOC = os.path.join(ROOT, "docs", "migrating.md")

HEADER = '''
terraform {
  required_providers {
    aws      = { source = "hashicorp/aws", version = "5.100.0" }
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "aws" {
  region                      = "us-east-1"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    dynamodb = "%(endpoint)s"
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

# The same without hashicorp/aws: what is left once no resource of it remains.
HEADER_NO_AWS = '''
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

# Acceptance mode (harness.py): the endpoints, credentials and CA bundle are the
# environment's (hashicorp/aws and this provider both read AWS_ENDPOINT_URL and
# AWS_CA_BUNDLE), as in a user's configuration.
HEADER_EXTERNAL = '''
terraform {
  required_providers {
    aws      = { source = "hashicorp/aws", version = "5.100.0" }
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "aws" {
  region                  = "%(region)s"
  skip_metadata_api_check = true
}
provider "dynamodb" {
  region = "%(region)s"
}
'''

HEADER_NO_AWS_EXTERNAL = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "%(region)s"
}
'''


def doc_blocks():
    """{name: HCL} of the blocks of docs/migrating.md marked <!-- e2e: NAME -->."""
    with open(DOC) as f:
        text = f.read()
    blocks = dict(re.findall(r"^<!-- e2e: ([a-z0-9-]+) -->\n```hcl\n(.*?)^```", text, re.S | re.M))
    return text, blocks


class MigrateCase(E2ETestCase):
    peer_logs_masked_auth = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doc, cls.blocks = doc_blocks()

    # -- helpers --------------------------------------------------------------------

    def block(self, name, suffix=""):
        """The block; with a suffix, for another table and stack than the page's (the
        page's sessions recipe is run three ways here, in one emulator)."""
        self.assertIn(name, self.blocks, f"docs/migrating.md has no block <!-- e2e: {name} -->")
        b = self.blocks[name]
        b = b.replace('"firefly-sessions"', f'"firefly-sessions{suffix}"').replace(
            '"firefly-dynamodb-sessions"', f'"firefly-dynamodb-sessions{suffix}"')
        # The page's table and stack names all start "firefly-": this run's prefix before them.
        return b.replace('"firefly-', f'"{self.prefix}firefly-')

    def resource_only(self, block):
        return block[block.index('resource "dynamodb_ttl_table"'):]

    def command(self, line):
        """A command of the page, run here: it must be on the page as written."""
        self.assertIn("    " + line + "\n", self.doc, f"docs/migrating.md does not show `{line}`")
        return line.split()[1:]

    def config(self, d, *bodies, header=HEADER):
        os.makedirs(d, exist_ok=True)
        if EXTERNAL:
            header = HEADER_NO_AWS_EXTERNAL if header is HEADER_NO_AWS else HEADER_EXTERNAL
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(header % {"endpoint": self.emu.endpoint, "region": self.emu.region})
            for b in bodies:
                f.write("\n" + b)

    def run_page(self, d, line, check=0):
        return self.tf(d, *self.command(line), *(("-auto-approve",) if "apply" in line else ()),
                       "-input=false", check=check)

    def put_orders(self, table, key, n=25):
        for i in range(n):
            self.ddb.put_item(TableName=table, Item={
                key: {"S": f"item-{i:04d}"}, "status": {"S": ("open", "shipped")[i % 2]},
                "payload": {"S": f"value {i}"}, "expires_at": {"N": str(4102444800 + i)}})
        return self.items(table)

    def stack_of(self, table):
        r = self.cfn.describe_stack_resources(PhysicalResourceId=table)["StackResources"]
        live = [x for x in r if x["ResourceStatus"] not in ("DELETE_COMPLETE", "DELETE_SKIPPED")]
        self.assertEqual(len(live), 1, r)
        return live[0]

    def state_doc(self, d):
        with open(os.path.join(d, "terraform.tfstate")) as f:
            return json.load(f)

    def addresses(self, d):
        r = self.tf(d, "state", "list", check=0)
        return sorted(r.out.split())

    def assert_adopted(self, d, table, stack, before, mark):
        """Every item kept, the table in `stack`, an empty next plan, no table deleted."""
        self.assertEqual(self.items(table), before)
        res = self.stack_of(table)
        self.assertEqual(res["StackName"], stack)
        self.assertEqual(res["ResourceType"], "AWS::DynamoDB::Table")
        self.wait_ttl(table, "ENABLED")  # as a user would see it a moment later
        p = self.plan_exitcode(d)
        self.assertEqual(p.rc, 0, p.text)
        if self.has_request_log:
            deletes = [c for c in mutating(self.emu.calls(mark)) if c.get("operation") == "DeleteTable"]
            self.assertEqual(deletes, [])

    def aws_table(self, name, block, items_key):
        """Apply a hashicorp/aws block of the page and write items into its table."""
        d = self.workdir_for(name)
        self.config(d, block)
        self.init(d)
        self.apply(d)
        self.wait_ttl(name, "ENABLED")
        return d, self.put_orders(name, items_key)

    def workdir_for(self, name):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        return d
