"""End to end (issue 8): bad input. Every attribute of the provider and resource schemas
with invalid values gives a diagnostic with its attribute path at validate time (never a
crash); malformed, truncated, wrongly typed and huge responses from the endpoint give an
error naming the operation, never a crash or a hang."""
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import tempfile
import threading
import urllib.parse
import unittest
from collections import Counter

from harness import BUILD, ROOT

HEAD = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
'''

GOOD_PROVIDER = 'provider "dynamodb" {\n  region = "us-east-1"\n}\n'

GOOD_TABLE = {
    "name": '"valid-table"',
    "hash_key": '{ name = "id", type = "S" }',
}

# (attribute, HCL value, expected summary, extra attributes)
RESOURCE_CASES = [
    ("name", '""', "Invalid table name", {}),
    ("name", '"ab"', "Invalid table name", {}),
    ("name", '"%s"' % ("x" * 256), "Invalid table name", {}),
    ("name", '"has space"', "Invalid table name", {}),
    ("stack_name", '"under_score"', "Invalid stack name", {}),
    ("stack_name", '"9lives"', "Invalid stack name", {}),
    ("hash_key", '{ name = "id", type = "X" }', "Invalid key type", {}),
    ("hash_key", '{ name = "", type = "S" }', "Invalid key attribute name", {}),
    ("range_key", '{ name = "sk", type = "string" }', "Invalid key type", {}),
    ("range_key", '{ name = "id", type = "S" }', "Duplicate key attribute", {}),
    ("billing_mode", '"ON_DEMAND"', "Invalid billing mode", {}),
    ("read_capacity", "5", "Capacity without PROVISIONED billing", {}),
    ("write_capacity", "-1", "Invalid capacity", {"billing_mode": '"PROVISIONED"', "read_capacity": "1"}),
    ("read_capacity", "0", "Invalid capacity", {"billing_mode": '"PROVISIONED"', "write_capacity": "1"}),
    ("read_capacity", "1.5", "Invalid capacity", {"billing_mode": '"PROVISIONED"', "write_capacity": "1"}),
    ("write_capacity", "null", "Missing capacity", {"billing_mode": '"PROVISIONED"', "read_capacity": "1"}),
    ("ttl", '{ attribute_name = "" }', "Invalid TTL attribute name", {}),
    ("ttl", '{ attribute_name = "%s" }' % ("a" * 256), "Invalid TTL attribute name", {}),
    ("timeouts", '{ create = "soon" }', "Invalid duration", {}),
    ("timeouts", '{ update = "-5m" }', "Invalid duration", {}),
    ("timeouts", '{ delete = "0s" }', "Invalid duration", {}),
    ("tags", '{ "aws:owner" = "me" }', "Invalid tag", {}),
    ("tags", '{ "" = "empty key" }', "Invalid tag", {}),
    ("tags", '{ k = "%s" }' % ("v" * 257), "Invalid tag", {}),
    ("global_secondary_indexes", '[{ name = "ab", hash_key = { name = "s", type = "S" } }]', "Invalid index name", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "X" } }]', "Invalid key type", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" }, projection_type = "SOME" }]',
     "Invalid projection type", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" }, projection_type = "INCLUDE" }]',
     "Missing non_key_attributes", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" }, non_key_attributes = ["a"] }]',
     "non_key_attributes without INCLUDE", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" }, read_capacity = 5, write_capacity = 5 }]',
     "Capacity without PROVISIONED billing", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" } }]', "Missing capacity",
     {"billing_mode": '"PROVISIONED"', "read_capacity": "1", "write_capacity": "1"}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "id", type = "N" } }]', "Conflicting key types", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" } }, '
                                 '{ name = "by_s", hash_key = { name = "t", type = "S" } }]', "Duplicate index name", {}),
    ("global_secondary_indexes", "[%s]" % ", ".join('{ name = "gsi_%02d", hash_key = { name = "s", type = "S" } }' % i
                                                   for i in range(21)), "Too many global secondary indexes", {}),
    ("global_secondary_indexes", '[{ name = "by_s", hash_key = { name = "s", type = "S" }, projection_type = "INCLUDE", '
                                 'non_key_attributes = [%s] }]' % ", ".join('"a%03d"' % i for i in range(101)),
     "Too many projected attributes", {}),
    ("local_secondary_indexes", '[{ name = "by_l", range_key = { name = "l", type = "S" } }]',
     "Local secondary index without a sort key", {}),
    ("local_secondary_indexes", "[%s]" % ", ".join('{ name = "lsi_%d", range_key = { name = "l%d", type = "S" } }' % (i, i)
                                                  for i in range(6)), "Too many local secondary indexes",
     {"range_key": '{ name = "sk", type = "S" }'}),
    ("stream", '{ view_type = "EVERYTHING" }', "Invalid stream view type", {}),
    ("server_side_encryption", '{ kms_key_arn = "alias/my-key" }', "Invalid KMS key ARN", {}),
    ("table_class", '"COLD"', "Invalid table class", {}),
    ("on_demand_throughput", '{ max_read_request_units = 0 }', "Invalid request units", {}),
    ("on_demand_throughput", '{}', "Empty on_demand_throughput", {}),
    ("on_demand_throughput", '{ max_read_request_units = 5 }', "On-demand throughput without PAY_PER_REQUEST",
     {"billing_mode": '"PROVISIONED"', "read_capacity": "1", "write_capacity": "1"}),
]

PROVIDER_CASES = [
    ('region = "US East 1"', "Invalid region"),
    ('max_retries = -3', "Invalid max_retries"),
    ('max_retries = 1000', "Invalid max_retries"),
    ('access_key = "AKID"', "Missing secret_key"),
    ('secret_key = "s"', "Missing access_key"),
    ('access_key = ""\n  secret_key = "s"', "Empty access_key"),
    ('endpoints {\n    dynamodb = "not a url"\n  }', "Invalid endpoint URL"),
    ('endpoints {\n    cloudformation = "ftp://127.0.0.1"\n  }', "Invalid endpoint URL"),
    ('assume_role {\n    role_arn = "role"\n  }', "Invalid role ARN"),
    ('assume_role {\n    role_arn = "arn:aws:iam::1:role/x"\n    session_name = "x"\n  }', "Invalid session name"),
]


class BadInput(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-badinput.")
        cls.cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), BUILD, cls.work],
                                 capture_output=True, text=True, check=True).stdout.strip()
        cls.env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cls.cli, TF_IN_AUTOMATION="1",
                       AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
                       AWS_SECRET_ACCESS_KEY="not-a-real-secret")
        for k in ("TF_LOG", "TF_LOG_PATH", "AWS_PROFILE"):
            cls.env.pop(k, None)
        # One initialised directory reused for every case (init is the slow part).
        cls.dir = os.path.join(cls.work, "cfg")
        os.makedirs(cls.dir)
        with open(os.path.join(cls.dir, "main.tf"), "w") as f:
            f.write(HEAD + GOOD_PROVIDER)
        subprocess.run(["terraform", f"-chdir={cls.dir}", "init", "-input=false", "-no-color"], env=cls.env,
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def validate(self, body):
        with open(os.path.join(self.dir, "main.tf"), "w") as f:
            f.write(HEAD + body)
        p = subprocess.run(["terraform", f"-chdir={self.dir}", "validate", "-json", "-no-color"], env=self.env,
                           capture_output=True, text=True, timeout=60)
        self.assertNotIn("panic", p.stderr)
        self.assertNotIn("plugin exited", p.stderr)
        return json.loads(p.stdout)

    def test_every_resource_attribute(self):
        for attr, value, summary, extra in RESOURCE_CASES:
            with self.subTest(attr=attr, value=value[:40]):
                attrs = dict(GOOD_TABLE, **extra)
                attrs[attr] = value
                body = GOOD_PROVIDER + 'resource "dynamodb_ttl_table" "t" {\n' + "".join(
                    f"  {k} = {v}\n" for k, v in attrs.items()) + "}\n"
                doc = self.validate(body)
                self.assertFalse(doc["valid"])
                diags = [d for d in doc["diagnostics"] if d["severity"] == "error"]
                hit = [d for d in diags if d["summary"] == summary]
                self.assertTrue(hit, f"{summary!r} not in {[d['summary'] for d in diags]}")
                # The diagnostic points at the attribute's line in the source.
                line = next(i + 1 for i, l in enumerate((HEAD + body).splitlines()) if l.strip().startswith(attr + " ="))
                self.assertEqual(hit[0]["range"]["start"]["line"], line)

    def test_wrong_types_are_rejected_by_schema(self):
        for attr, value in [("hash_key", '"id"'), ("tags", '["a"]'), ("read_capacity", '"five"'),
                            ("deletion_protection_enabled", '"maybe"'), ("ttl", "true")]:
            with self.subTest(attr=attr):
                attrs = dict(GOOD_TABLE)
                attrs[attr] = value
                body = GOOD_PROVIDER + 'resource "dynamodb_ttl_table" "t" {\n' + "".join(
                    f"  {k} = {v}\n" for k, v in attrs.items()) + "}\n"
                doc = self.validate(body)
                self.assertFalse(doc["valid"])

    def test_every_provider_attribute(self):
        for block, summary in PROVIDER_CASES:
            with self.subTest(block=block[:40]):
                body = 'provider "dynamodb" {\n  ' + block + '\n}\n' + \
                       'resource "dynamodb_ttl_table" "t" {\n  name = "valid-table"\n  hash_key = { name = "id", type = "S" }\n}\n'
                doc = self.validate(body)
                self.assertFalse(doc["valid"], summary)
                self.assertIn(summary, [d["summary"] for d in doc["diagnostics"]])

    def test_valid_configuration_passes(self):
        body = GOOD_PROVIDER + 'resource "dynamodb_ttl_table" "t" {\n  name = "valid-table"\n' \
               '  hash_key = { name = "id", type = "S" }\n  range_key = { name = "sk", type = "N" }\n' \
               '  billing_mode = "PROVISIONED"\n  read_capacity = 5\n  write_capacity = 5\n' \
               '  ttl = { attribute_name = "expires_at", enabled = false }\n' \
               '  timeouts = { create = "1h30m", update = "45s", delete = "2h" }\n  tags = { a = "" }\n}\n'
        self.assertTrue(self.validate(body)["valid"])


class _Garbage(http.server.BaseHTTPRequestHandler):
    """Answers every request with the body selected by the server's `mode`."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        mode = self.server.mode
        target = self.headers.get("X-Amz-Target", "")
        operation = target.rpartition(".")[2] or urllib.parse.parse_qs(body.decode()).get("Action", ["?"])[0]
        with self.server.lock:
            self.server.operations.append(operation)
        if mode == "truncated":
            body = b'{"Table": {"TableName": "t", "KeySchema": [' if target else b"<DescribeStacksResponse><Describe"
            ctype = "application/x-amz-json-1.0" if target else "text/xml"
        elif mode == "garbage":
            body, ctype = b"\x00\xff<<<not json or xml>>>\x01" * 10, "application/x-amz-json-1.0"
        elif mode == "html":
            body, ctype = b"<html><body>502 Bad Gateway from a proxy</body></html>", "text/html"
        elif mode == "huge":
            # Larger than the client's response limit: it must stop reading, not grow forever.
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(64 << 20))
            self.end_headers()
            chunk = b" " * (1 << 20)
            try:
                for _ in range(64):
                    self.wfile.write(chunk)
            except OSError:
                pass
            return
        else:
            body, ctype = b"{}", "application/json"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class MalformedResponses(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.srv = _Server(("127.0.0.1", 0), _Garbage)
        cls.srv.mode = "garbage"
        cls.srv.lock = threading.Lock()
        cls.srv.operations = []  # the operation of every request, in arrival order
        cls.thread = threading.Thread(target=cls.srv.serve_forever, daemon=True)
        cls.thread.start()
        cls.endpoint = f"http://127.0.0.1:{cls.srv.server_address[1]}"
        cls.work = tempfile.mkdtemp(prefix="tpd-garbage.")
        cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), BUILD, cls.work],
                             capture_output=True, text=True, check=True).stdout.strip()
        cls.env = dict(os.environ, CHECKPOINT_DISABLE="1", TF_CLI_CONFIG_FILE=cli, TF_IN_AUTOMATION="1",
                       AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                       AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
                       AWS_SECRET_ACCESS_KEY="not-a-real-secret")
        cls.dir = os.path.join(cls.work, "cfg")
        os.makedirs(cls.dir)
        with open(os.path.join(cls.dir, "main.tf"), "w") as f:
            f.write(HEAD + f'''
provider "dynamodb" {{
  region      = "us-east-1"
  max_retries = 1
  endpoints {{
    dynamodb       = "{cls.endpoint}"
    cloudformation = "{cls.endpoint}"
  }}
}}
resource "dynamodb_ttl_table" "t" {{
  name     = "garbage-table"
  hash_key = {{ name = "id", type = "S" }}
}}
''')
        subprocess.run(["terraform", f"-chdir={cls.dir}", "init", "-input=false", "-no-color"], env=cls.env,
                       check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.srv.shutdown()
        cls.srv.server_close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def test_each_malformation(self):
        for mode in ("garbage", "truncated", "html", "huge", "empty-object"):
            with self.subTest(mode=mode):
                self.srv.mode = mode
                with self.srv.lock:
                    self.srv.operations.clear()
                p = subprocess.run(["terraform", f"-chdir={self.dir}", "plan", "-input=false", "-no-color"],
                                   env=self.env, capture_output=True, text=True, timeout=180)
                text = " ".join((p.stdout + p.stderr).split())
                self.assertEqual(p.returncode, 1, text[-2000:])
                self.assertIn("DescribeTable", text)
                self.assertNotIn("plugin crashed", text.lower())
                self.assertNotIn("panic", text)
                # No endless retrying: the provider's budget (max_retries = 1 above) holds
                # for every operation; a hang is the subprocess timeout above.
                attempts = Counter(self.srv.operations)
                self.assertIn("DescribeTable", attempts)
                self.assertLessEqual(max(attempts.values()), 2, dict(attempts))


if __name__ == "__main__":
    unittest.main()
