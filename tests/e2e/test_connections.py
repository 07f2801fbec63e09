"""End to end: connections are reused over HTTPS (keep-alive, one pool per provider
process, at most max_pool_connections per endpoint: aws/aws_http_curl.c), counted by the
emulator (tests/emulator: --tls, /_emulator/state "connections"). The provider trusts the
emulator's generated CA through custom_ca_bundle. Every endpoint here is the emulator's one
URL, so the provider's pool for it bounds all its connections."""
import unittest

from harness import E2ETestCase

PROVIDER = '''
terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region           = "us-east-1"
  custom_ca_bundle = "%(ca)s"
  %(pool)s
  endpoints {
    dynamodb       = "%(ep)s"
    cloudformation = "%(ep)s"
    sts            = "%(ep)s"
  }
}
resource "dynamodb_ttl_table" "t" {
  count    = %(n)d
  name     = "%(prefix)s-${count.index}"
  hash_key = { name = "id", type = "S" }
  deletion_protection_enabled = false
}
'''


class Connections(E2ETestCase):
    emulator_flags = ("--tls",)

    def config(self, d, n, prefix, pool=None):
        # Each test its own tables: a table belongs to one state (docs/resource.md).
        with open(d + "/main.tf", "w") as f:
            f.write(PROVIDER % {"ca": self.emu.ca_file, "ep": self.emu.endpoint, "n": n, "prefix": prefix,
                                "pool": f"max_pool_connections = {pool}" if pool else ""})

    def measure(self, d, *args):
        c0, m0 = self.emu.state()["connections"], self.emu.log_offset()
        r = self.tf(d, *args, check=0)
        conns = self.emu.state()["connections"] - c0 - 1  # the second state() opened one
        return r, conns, len(self.emu.calls(m0))

    def test_apply_reuses_connections(self):
        d = self.workdir("conn-apply", "")
        # One connection per provider process: each request must wait for the kept-alive
        # one. Without a pool each round's concurrent reads open their own connections, so
        # how many an apply opens depends on how the reads overlap (on the machine's load);
        # with a pool of one it does not.
        self.config(d, 1, "conn-apply", pool=1)
        self.init(d)
        r, conns, reqs = self.measure(d, "apply", "-auto-approve", "-input=false")
        self.assertEqual(r.rc, 0, r.text)
        # An apply of one table is a sequence of requests (reads, change sets, polls,
        # read-back) from two provider processes, the plan walk's and the apply walk's.
        # Without keep-alive every request is a new TLS connection; with it, one each.
        self.assertGreater(reqs, 10)
        self.assertLessEqual(conns, 2, f"{conns} connections for {reqs} requests")

    def test_no_op_plan_of_ten_tables(self):
        d = self.workdir("conn-plan", "")
        self.config(d, 10, "conn-plan")
        self.init(d)
        self.tf(d, "apply", "-auto-approve", "-input=false", "-parallelism=10", check=0)
        r, conns, reqs = self.measure(d, "plan", "-input=false", "-detailed-exitcode", "-parallelism=10")
        self.assertEqual(r.rc, 0, r.text)
        # Ten tables refreshed at once, each with its reads at once: 60 requests in flight
        # without a bound, one TLS connection each (60 before the pool had one). The pool
        # keeps at most 10 per endpoint (botocore's default); the others wait for one.
        self.assertGreaterEqual(reqs, 30)
        self.assertLessEqual(conns, 10, f"{conns} connections for {reqs} requests")

    def test_max_pool_connections_bounds_a_plan(self):
        d = self.workdir("conn-pool", "")
        self.config(d, 6, "conn-pool", pool=2)
        self.init(d)
        self.tf(d, "apply", "-auto-approve", "-input=false", "-parallelism=10", check=0)
        r, conns, reqs = self.measure(d, "plan", "-input=false", "-detailed-exitcode", "-parallelism=10")
        self.assertEqual(r.rc, 0, r.text)
        self.assertGreaterEqual(reqs, 18)
        self.assertLessEqual(conns, 2, f"{conns} connections for {reqs} requests")


if __name__ == "__main__":
    unittest.main()
