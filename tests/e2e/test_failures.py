"""End to end (issues 5 and 6): failures and interruptions. A stack that fails to
create reports the events' reason and leaves a state the next apply recovers from; a
wait longer than its timeout fails cleanly; DELETE_FAILED surfaces its reason and keeps
the resource; Ctrl-C during a slow delete stops terraform before the delete ends, with a
consistent state."""
import json
import os
import signal
import subprocess
import unittest

from harness import E2ETestCase

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  name       = "%(name)s"
  hash_key   = { name = "id", type = "S" }
  ttl        = { attribute_name = "expires_at" }
  deletion_protection_enabled = false
  %(extra)s
}
'''


def table(name, extra=""):
    return TABLE % {"name": name, "extra": extra}


class Failures(E2ETestCase):

    def tearDown(self):
        self.emu.clear_faults()
        self.emu.set_delay(0)

    def in_state(self, d):
        r = self.tf(d, "state", "list")
        return "dynamodb_ttl_table.t" in r.out

    def test_failed_create_reports_reason_and_recovers(self):
        name = "fails-once"
        reason = "Injected failure: the table handler could not create the table"
        self.emu.add_fault(kind="fail_stack", stack=name, reason=reason, count=1)
        d = self.workdir("failcreate", table(name))
        self.init(d)
        r = self.apply(d, check=1)
        self.assertIn("Creating the table's stack failed", r.text)
        self.assertIn(reason, r.text)
        # The stack that exists is recorded, so nothing is orphaned...
        st = json.loads(self.tf(d, "show", "-json", check=0).out)
        res = st["values"]["root_module"]["resources"][0]
        self.assertTrue(res["values"]["stack_id"].startswith("arn:aws:cloudformation:"))
        # ...and the next apply continues from there.
        self.apply(d)
        self.assertEqual(self.stack_status(name), "CREATE_COMPLETE")
        self.assertTrue(self.table_exists(name))
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_wait_longer_than_timeout_fails_cleanly(self):
        name = "slow-create"
        # Stack operations take an hour of emulator time, which passes only when the test
        # moves the clock: the create is still in progress whenever the 3-second timeout
        # ends, however slow the machine.
        self.emu.set_delay(3600)
        d = self.workdir("timeout", table(name, 'timeouts = { create = "3s" }'))
        self.init(d)
        r = self.apply(d, check=1)
        self.assertIn("timed out", r.text)
        # The provider gave up while the stack's change set was still being made (it did
        # not wait for the end), and recorded the stack.
        self.assertEqual(self.stack_status(name), "REVIEW_IN_PROGRESS")
        self.assertTrue(self.in_state(d))
        self.emu.set_delay(0)
        self.write(d, table(name, 'timeouts = { create = "2m" }'))
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "apply", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # The next apply finds the create still in progress; the hour passes once it
            # has read the stack.
            self.wait_for_call(mark, "DescribeStacks")
            self.emu.advance_clock(3601)
            out, _ = p.communicate(timeout=600)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 0, out[-4000:])
        self.assertTrue(self.table_exists(name))
        self.assertEqual(self.plan_exitcode(d).rc, 0)

    def test_delete_failed_surfaces_reason(self):
        name = "delete-fails"
        d = self.workdir("deletefailed", table(name))
        self.init(d)
        self.apply(d)
        reason = "Injected failure: the table handler could not delete the table"
        self.emu.add_fault(kind="fail_stack", stack=name, reason=reason, count=1)
        r = self.tf(d, "destroy", "-auto-approve", "-input=false")
        self.assertEqual(r.rc, 1)
        self.assertIn("DELETE_FAILED", r.text)
        self.assertIn(reason, r.text)
        self.assertTrue(self.in_state(d), "the resource must stay in state after DELETE_FAILED")
        self.tf(d, "destroy", "-auto-approve", "-input=false", check=0)
        self.assertFalse(self.table_exists(name))

    def test_ctrl_c_during_slow_delete(self):
        name = "slow-delete"
        d = self.workdir("ctrlc", table(name))
        self.init(d)
        self.apply(d)
        # The delete takes an hour of emulator time, which passes only when the test moves
        # the clock: terraform can only end before it by stopping.
        self.emu.set_delay(3600)
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "destroy", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            # The provider is waiting on the stack once it has polled it after DeleteStack.
            mark = self.wait_for_call(mark, "DeleteStack")
            self.wait_for_call(mark, "DescribeStacks")
            p.send_signal(signal.SIGINT)
            # A provider that ignored the stop would wait for the hour (its delete timeout
            # is longer than this guard against a hang).
            out, _ = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Stopped", out)
        self.assertEqual(self.stack_status(name), "DELETE_IN_PROGRESS", out[-2000:])
        self.assertTrue(self.in_state(d), "interrupted destroy must keep the resource in state")
        # The next destroy waits for the stack's delete to finish and converges: the hour
        # passes once it is waiting on the stack.
        self.emu.set_delay(0)
        mark = self.emu.log_offset()
        p = subprocess.Popen(["terraform", f"-chdir={d}", "destroy", "-auto-approve", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            self.wait_for_call(mark, "DescribeStacks")
            self.emu.advance_clock(3601)
            out, _ = p.communicate(timeout=600)
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertEqual(p.returncode, 0, out[-4000:])
        self.assertFalse(self.in_state(d))
        self.assertFalse(self.table_exists(name))


if __name__ == "__main__":
    unittest.main()
