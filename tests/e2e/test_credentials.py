"""End to end: the provider reaches AWS the way CI does with OIDC — no keys, only
AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN — through the emulator's STS
(AssumeRoleWithWebIdentity, unsigned), applies a table signed with the role's
credentials, and the account guard: allowed_account_ids lets the apply through, while
forbidden_account_ids stops the plan at ConfigureProvider before any DynamoDB or
CloudFormation request. The web identity token never reaches Terraform's log or the
state."""
import os
import unittest

from harness import E2ETestCase

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmZpcmVmbHkifQ.b2lkYy10b2tlbi1zZWNyZXQ"

MAIN = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region     = "us-east-1"
  sts_region = "us-east-1"
  %(guard)s
  endpoints {
    dynamodb       = "%(endpoint)s"
    cloudformation = "%(endpoint)s"
    sts            = "%(endpoint)s"
  }
}
resource "dynamodb_ttl_table" "t" {
  name     = "%(name)s"
  hash_key = { name = "id", type = "S" }
  ttl      = { attribute_name = "expires_at" }
  deletion_protection_enabled = false
}
'''


class WebIdentity(E2ETestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.token_file = os.path.join(cls.work, "oidc-token")
        with open(cls.token_file, "w") as f:
            f.write(TOKEN + "\n")
        cls.ci_env = dict(cls.env)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            cls.ci_env.pop(k, None)
        cls.ci_env.update(AWS_WEB_IDENTITY_TOKEN_FILE=cls.token_file,
                          AWS_ROLE_ARN="arn:aws:iam::123456789012:role/github-deploy",
                          AWS_ROLE_SESSION_NAME="gh-run-42")

    def dir_for(self, name, guard):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(MAIN % {"guard": guard, "endpoint": self.emu.endpoint, "name": name})
        return d

    def test_apply_through_web_identity_with_allowed_account(self):
        d = self.dir_for("oidc-apply", 'allowed_account_ids = ["123456789012"]')
        self.tf(d, "init", "-input=false", env=self.ci_env, check=0)
        mark = self.emu.log_offset()
        self.tf(d, "apply", "-auto-approve", "-input=false", env=self.ci_env, check=0)
        self.assertTrue(self.table_exists("oidc-apply"))
        calls = self.emu.calls(mark)
        ops = [(c["service"], c["operation"]) for c in calls]
        self.assertIn(("sts", "AssumeRoleWithWebIdentity"), ops)
        self.assertIn(("sts", "GetCallerIdentity"), ops)
        first_other = next(i for i, o in enumerate(ops) if o[0] != "sts")
        self.assertLess(ops.index(("sts", "GetCallerIdentity")), first_other)
        web = next(c for c in calls if c["operation"] == "AssumeRoleWithWebIdentity")
        self.assertEqual(web["params"].get("RoleSessionName"), "gh-run-42")
        self.assertEqual(web["params"].get("RoleArn"), "arn:aws:iam::123456789012:role/github-deploy")
        self.assertEqual(self.plan_exitcode_env(d).rc, 0)
        self.tf(d, "destroy", "-auto-approve", "-input=false", env=self.ci_env, check=0)
        self.assertFalse(self.table_exists("oidc-apply"))
        for name in ("terraform-trace.log",):
            with open(os.path.join(self.work, name), "rb") as f:
                self.assertNotIn(TOKEN.encode(), f.read())
        with open(os.path.join(d, "terraform.tfstate"), "rb") as f:
            self.assertNotIn(TOKEN.encode(), f.read())

    def plan_exitcode_env(self, d):
        return self.tf(d, "plan", "-input=false", "-detailed-exitcode", env=self.ci_env)

    def test_forbidden_account_stops_before_any_call(self):
        d = self.dir_for("oidc-forbidden", 'forbidden_account_ids = ["123456789012"]')
        self.tf(d, "init", "-input=false", env=self.ci_env, check=0)
        mark = self.emu.log_offset()
        r = self.tf(d, "plan", "-input=false", env=self.ci_env, check=1)
        self.assertIn("AWS account forbidden", r.text)
        self.assertIn("forbidden_account_ids", r.text)
        self.assertIn("account 123456789012", r.text)
        services = {c["service"] for c in self.emu.calls(mark)}
        self.assertEqual(services, {"sts"})
        self.assertFalse(self.table_exists("oidc-forbidden"))

    def test_missing_role_names_the_setting(self):
        d = self.dir_for("oidc-norole", "")
        env = dict(self.ci_env)
        env.pop("AWS_ROLE_ARN")
        self.tf(d, "init", "-input=false", env=env, check=0)
        r = self.tf(d, "plan", "-input=false", env=env, check=1)
        self.assertIn("AWS_ROLE_ARN", r.text)


if __name__ == "__main__":
    unittest.main()
