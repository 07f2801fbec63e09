"""End to end (issue 8): faults injected by the emulator (throttling, 5xx, dropped
connections, faults that outlast the retries), the provider killed mid-apply, many
tables in parallel under throttling, and no secret in any log or state."""
import glob
import json
import os
import signal
import subprocess
import time
import unittest

from harness import E2ETestCase

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  count      = %(count)d
  name       = "%(name)s-${count.index}"
  hash_key   = { name = "id", type = "S" }
  ttl        = { attribute_name = "expires_at" }
  deletion_protection_enabled = false
  %(extra)s
}
'''


def tables(name, count=1, extra=""):
    return TABLE % {"name": name, "count": count, "extra": extra}


MUTATING_CFN = ["CreateChangeSet", "ExecuteChangeSet", "DeleteChangeSet", "DeleteStack"]


class Hardening(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()
        self.emu.set_delay(0)

    def faulted(self, calls, kind):
        return [c for c in calls if c.get("fault") == kind]

    def test_throttling_on_every_mutating_call_converges(self):
        d = self.workdir("throttle", tables("throttled"))
        self.init(d)
        for op in MUTATING_CFN:
            self.emu.add_fault(kind="throttle", operation=op, count=2)
        mark = self.emu.log_offset()
        self.apply(d)
        calls = self.emu.calls(mark)
        throttled = self.faulted(calls, "throttle")
        self.assertGreaterEqual(len(throttled), 4, "expected throttled CreateChangeSet and ExecuteChangeSet")
        # Backoff: each retry of an operation comes later than the throttled try.
        for op in ("CreateChangeSet", "ExecuteChangeSet"):
            tries = [c for c in calls if c["operation"] == op]
            self.assertEqual([c.get("fault") for c in tries], ["throttle", "throttle", None], op)
        self.assertEqual(self.stack_status("throttled-0"), "CREATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)

    def test_5xx_bursts_and_dropped_connections_converge(self):
        d = self.workdir("fivexx", tables("bursty"))
        self.init(d)
        self.emu.add_fault(kind="error", operation="CreateChangeSet", status=503, count=2)
        self.emu.add_fault(kind="error", operation="DescribeStacks", status=500, count=2)
        self.emu.add_fault(kind="drop", operation="DescribeTable", count=2)
        self.emu.add_fault(kind="drop", operation="ExecuteChangeSet", count=1)
        mark = self.emu.log_offset()
        self.apply(d)
        calls = self.emu.calls(mark)
        self.assertTrue(self.faulted(calls, "error"))
        self.assertTrue(self.faulted(calls, "drop"))
        self.assertEqual(self.stack_status("bursty-0"), "CREATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_fault_outlasting_retries_is_a_clear_error(self):
        d = self.workdir("outlast", tables("outlasted"))
        self.init(d)
        self.emu.add_fault(kind="throttle", operation="CreateChangeSet", count=0)  # until cleared
        r = self.apply(d, check=1)
        self.assertIn("Throttling", r.text)
        self.assertIn("Rate exceeded", r.text)
        self.assertIn("CreateChangeSet", r.text)
        # Nothing was created, and the state says so.
        self.assertIsNone(self.stack_status("outlasted-0"))
        self.assertNotIn("dynamodb_ttl_table", self.tf(d, "state", "list").out)
        self.emu.clear_faults()
        self.apply(d)
        self.assertEqual(self.stack_status("outlasted-0"), "CREATE_COMPLETE")

    def test_provider_killed_mid_apply_then_converges(self):
        d = self.workdir("sigkill", tables("killed"))
        self.init(d)
        self.emu.set_delay(8)
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "apply", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # Mid-apply: the change set executes and the provider is waiting on the stack.
            mark = self.wait_for_call(mark, "ExecuteChangeSet")
            self.wait_for_call(mark, "DescribeStacks")
        except BaseException:
            p.kill()
            p.communicate()
            raise
        pids = [pid for pid in subprocess.run(["pgrep", "-f", "terraform-provider-dynamodb_v"],
                                              capture_output=True, text=True).stdout.split()
                if os.path.realpath(f"/proc/{pid}/cwd") == os.path.realpath(d)]
        self.assertTrue(pids, "provider process not found")
        for pid in pids:
            os.kill(int(pid), signal.SIGKILL)
        p.communicate(timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.emu.set_delay(1)
        # Nothing recorded the create, so this state cannot prove the stack is its own
        # (its marker names the killed apply's owner id): the next apply refuses, touching
        # nothing, and names the import that brings the stack in (docs/resource.md).
        mark = self.emu.log_offset()
        r = self.apply(d, check=1)
        self.assertIn("Table is managed by another resource", r.text)
        self.assertIn("terraform import <address> killed-0/killed-0", r.text)
        self.assertEqual([c for c in self.emu.calls(mark) if c.get("mutating")], [])
        # Following the advice literally converges, with the one stack there is.
        self.tf(d, "import", "-input=false", "dynamodb_ttl_table.t[0]", "killed-0/killed-0", check=0)
        self.apply(d)
        stacks = [s for s in self.cfn.list_stacks()["StackSummaries"]
                  if s["StackName"] == "killed-0" and s["StackStatus"] != "DELETE_COMPLETE"]
        self.assertEqual(len(stacks), 1, "a second stack was created")
        self.assertTrue(self.table_exists("killed-0"))
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_twenty_tables_parallel_under_throttling(self):
        d = self.workdir("twenty", tables("par", count=20))
        self.init(d)
        for op in ("CreateChangeSet", "DescribeStacks", "DescribeChangeSet", "DescribeTable"):
            self.emu.add_fault(kind="throttle", operation=op, count=15)
        t0 = time.monotonic()
        self.tf(d, "apply", "-auto-approve", "-input=false", "-parallelism=10", check=0, timeout=600)
        self.assertLess(time.monotonic() - t0, 300)
        for i in range(20):
            self.assertEqual(self.stack_status(f"par-{i}"), "CREATE_COMPLETE")
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.tf(d, "destroy", "-auto-approve", "-input=false", "-parallelism=10", check=0, timeout=600)

    def test_no_secret_in_logs_or_state(self):
        token = "TESTSESSIONTOKENVALUE0123456789"
        d = self.workdir("secrets", tables("secretive"))
        # Credentials in the provider block (sensitive attributes) and a session token in the environment.
        with open(os.path.join(d, "creds.tf"), "w") as f:
            f.write('variable "ak" {}\nvariable "sk" {\n  sensitive = true\n}\n')
        main = open(os.path.join(d, "main.tf")).read().replace(
            'region = "us-east-1"', 'region = "us-east-1"\n  access_key = var.ak\n  secret_key = var.sk')
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(main)
        secret = self.emu.secret_access_key
        env = dict(self.env, TF_VAR_ak=self.emu.access_key_id, TF_VAR_sk=secret, TF_LOG="trace",
                   TF_LOG_PATH=os.path.join(d, "trace.log"))
        env.pop("AWS_SECRET_ACCESS_KEY", None)
        env.pop("AWS_ACCESS_KEY_ID", None)
        self.tf(d, "init", "-input=false", env=env, check=0)
        self.tf(d, "apply", "-auto-approve", "-input=false", env=env, check=0)
        self.tf(d, "plan", "-input=false", env=env, check=0)
        # Same with a session token in the environment (the emulator rejects unknown
        # tokens, so only the logs matter here).
        d2 = self.workdir("secrets-env", tables("secretive-env"))
        env2 = dict(self.env, AWS_SESSION_TOKEN=token, TF_LOG="trace", TF_LOG_PATH=os.path.join(d, "trace2.log"))
        self.tf(d2, "init", "-input=false", env=env2, check=0)
        self.tf(d2, "plan", "-input=false", env=env2)
        self.tf(d, "destroy", "-auto-approve", "-input=false", env=env, check=0)
        files = [os.path.join(d, "trace.log"), os.path.join(d, "trace2.log")] + glob.glob(os.path.join(d, "*.tfstate*"))
        files += glob.glob(os.path.join(self.work, "*", "terraform.tfstate"))
        for path in files:
            with open(path, errors="replace") as f:
                text = f.read()
            for needle in (secret, token, "Signature=", "AWS4-HMAC-SHA256 Credential"):
                self.assertNotIn(needle, text, f"{needle!r} found in {path}")


if __name__ == "__main__":
    unittest.main()
