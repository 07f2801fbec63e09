"""End-to-end: the provider settings that decide how AWS is reached, through the real
terraform CLI (no emulator: nothing here gets as far as AWS).

  - an unknown region fails ConfigureProvider on the `region` line of the
    configuration; skip_region_validation lets it through;
  - an endpoint that refuses connections fails the plan quickly, naming the endpoint
    URL and "connection refused" (the failure budget of aws/private/aws_retry.h);
  - retry_mode "adaptive" and "standard" are valid, "legacy" is refused at validation;
    max_pool_connections is checked (1 to 1000) on its line.
Every address used is on 127.0.0.1.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build")

HEAD = '''terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
'''
TABLE = '''resource "dynamodb_ttl_table" "t" {
  name     = "settings-table"
  hash_key = { name = "id", type = "S" }
}
'''


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class ProviderSettings(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-settings.")
        cls.cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), BUILD, cls.work],
                                 capture_output=True, text=True, check=True).stdout.strip()
        cls.env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cls.cli, TF_IN_AUTOMATION="1",
                       AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
                       AWS_SECRET_ACCESS_KEY="not-a-real-secret")
        for k in ("TF_LOG", "TF_LOG_PATH", "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION",
                  "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "AWS_CA_BUNDLE",
                  "AWS_RETRY_MODE", "AWS_USE_FIPS_ENDPOINT", "AWS_USE_DUALSTACK_ENDPOINT"):
            cls.env.pop(k, None)
        cls.dir = os.path.join(cls.work, "cfg")
        os.makedirs(cls.dir)
        cls.write('provider "dynamodb" {\n  region = "us-east-1"\n}\n')
        subprocess.run(["terraform", f"-chdir={cls.dir}", "init", "-input=false", "-no-color"], env=cls.env,
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    @classmethod
    def write(cls, provider):
        with open(os.path.join(cls.dir, "main.tf"), "w") as f:
            f.write(HEAD + provider + TABLE)

    def terraform(self, *args):
        p = subprocess.run(["terraform", f"-chdir={self.dir}", *args, "-no-color"], env=self.env,
                           capture_output=True, text=True, timeout=300)
        self.assertNotIn("panic", p.stderr)
        self.assertNotIn("plugin exited", p.stderr)
        return p.returncode, " ".join((p.stdout + p.stderr).split())

    def test_unknown_region_fails_configure_on_its_line(self):
        self.write('provider "dynamodb" {\n  region = "mars-1"\n}\n')
        rc, text = self.terraform("plan", "-input=false")
        self.assertEqual(rc, 1, text)
        self.assertIn("Invalid AWS region", text)
        self.assertIn('"mars-1" is not an AWS region', text)
        # The diagnostic points at the attribute (terraform quotes the source line).
        self.assertIn('on main.tf line 7, in provider "dynamodb": 7: region = "mars-1"', text)

    def test_skip_region_validation_then_refused_endpoint_fails_fast(self):
        url = f"http://127.0.0.1:{free_port()}"
        self.write('provider "dynamodb" {\n  region = "mars-1"\n  skip_region_validation = true\n'
                   f'  endpoints {{\n    dynamodb = "{url}"\n    cloudformation = "{url}"\n  }}\n}}\n')
        rc, text = self.terraform("plan", "-input=false")
        self.assertEqual(rc, 1, text)
        self.assertNotIn("Invalid AWS region", text)
        self.assertIn("connection refused", text)
        self.assertIn(url, text)
        self.assertIn("after 3 attempts", text)

    def test_retry_modes_and_pool_size_validated(self):
        for mode in ("adaptive", "standard"):
            self.write('provider "dynamodb" {\n  region = "us-east-1"\n  retry_mode = "%s"\n'
                       '  max_pool_connections = 4\n}\n' % mode)
            rc, text = self.terraform("validate")
            self.assertEqual(rc, 0, text)
        self.write('provider "dynamodb" {\n  region = "us-east-1"\n  retry_mode = "legacy"\n}\n')
        rc, text = self.terraform("validate")
        self.assertEqual(rc, 1, text)
        self.assertIn("Unsupported retry mode", text)
        self.write('provider "dynamodb" {\n  region = "us-east-1"\n  max_pool_connections = 0\n}\n')
        rc, text = self.terraform("validate")
        self.assertEqual(rc, 1, text)
        self.assertIn("Invalid max_pool_connections", text)
        self.assertIn("max_pool_connections = 0", text)  # on its line


if __name__ == "__main__":
    unittest.main()
