"""End to end (issue 22): the opt-in acceptance run, scripts/acceptance.sh, and its sweeper,
scripts/sweep.sh (docs/testing.md "Acceptance run").

- The whole run in its emulator mode (TPD_ACC_EMULATOR=1: tests/emulator over TLS, AWS's
  API rate limits on, every scenario of tests/e2e/acceptance.list, then the sweep): green,
  and nothing of its prefix left.
- Refusals, against this class's emulator standing in for an account (reached through
  AWS_ENDPOINT_URL, as any AWS SDK would): without TPD_ACC=1 nothing at all is called;
  without TPD_ACC_ACCOUNT likewise; with another account only STS GetCallerIdentity is
  called and nothing is created; the refusal's advice, followed, runs (two scenarios that
  leave a protected table and a retained one, kept with TPD_ACC_KEEP=1), every table of the
  prefix PAY_PER_REQUEST; then the sweeper removes them.
- The sweeper: a dry run changes nothing; refused prefixes call nothing; --yes removes the
  stacks (tables retained first) and the tables of its prefix, protection switched off on
  those only, and leaves alone another prefix's tables and stack (a protected table among
  them), a near-miss name, a user's table, and a table of another name inside a prefix
  stack.
"""
import os
import re
import signal
import subprocess
import unittest

from harness import ROOT, BUILD, E2ETestCase, mutating

ACC = os.path.join(ROOT, "scripts", "acceptance.sh")
SWEEP = os.path.join(ROOT, "scripts", "sweep.sh")

STACK_TEMPLATE = '''{
  "Resources": {
    "Table": {
      "Type": "AWS::DynamoDB::Table",
      "DeletionPolicy": "Delete",
      "Properties": {
        "TableName": "%(table)s",
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "DeletionProtectionEnabled": %(protect)s
      }
    }
  }
}'''


class Acceptance(E2ETestCase):

    def run_script(self, args, extra_env, drop=(), timeout=2400):
        env = dict(self.env)
        for k in ("TF_LOG", "TF_LOG_PATH", "TPD_ACC", "TPD_ACC_ACCOUNT", "TPD_ACC_EMULATOR", "TPD_ACC_KEEP",
                  "TPD_ACC_PREFIX", "TPD_ACC_SCENARIOS", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", *drop):
            env.pop(k, None)
        env.update(extra_env)
        p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout + p.stderr

    def as_account(self, **kw):
        """This class's emulator as the account the environment's credentials reach."""
        env = {"AWS_ENDPOINT_URL": self.emu.endpoint, "AWS_REGION": "us-east-1"}
        env.update(kw)
        return env

    def acc(self, extra_env, drop=()):
        return self.run_script(["bash", ACC, BUILD], extra_env, drop)

    def sweep(self, *args):
        return self.run_script(["bash", SWEEP, *args], self.as_account())

    def prefix_tables(self, prefix):
        names = []
        for page in self.ddb.get_paginator("list_tables").paginate():
            names += [t for t in page["TableNames"] if t.startswith(prefix)]
        return sorted(names)

    def prefix_stacks(self, prefix):
        out = []
        for page in self.cfn.get_paginator("list_stacks").paginate():
            out += [s["StackName"] for s in page["StackSummaries"]
                    if s["StackStatus"] != "DELETE_COMPLETE" and s["StackName"].startswith(prefix)]
        return sorted(out)

    def names_touched(self, calls):
        """The table and stack names of the changing calls (a stack id as its name)."""
        names = {c.get("params", {}).get(k) for c in mutating(calls) for k in ("TableName", "StackName")} - {None}
        return {n.split(":stack/", 1)[1].split("/")[0] if ":stack/" in n else n for n in names}

    # -- the whole run, emulator mode ------------------------------------------------

    def test_emulator_mode_runs_every_scenario_green(self):
        with open(os.path.join(ROOT, "tests", "e2e", "acceptance.list")) as f:
            n = len([x for x in f if x.strip() and not x.startswith("#")])
        rc, out = self.acc({"TPD_ACC": "1", "TPD_ACC_EMULATOR": "1"})
        self.assertEqual(rc, 0, out[-8000:])
        self.assertRegex(out, r"emulator mode: tests/emulator at https://127\.0\.0\.1:\d+ ")
        self.assertIn("account 123456789012", out)
        self.assertIn("estimated cost: about $", out)
        self.assertRegex(out, rf"Ran {n} tests? in")
        self.assertNotIn("skipped", out.lower())
        self.assertRegex(out, r"nothing of tpdacc-[0-9a-f]{8}- is left")
        self.assertRegex(out, rf"PASSED: {n} scenarios against account 123456789012")
        # The estimate came before the first scenario.
        self.assertLess(out.index("estimated cost"), out.index("running: "))

    def test_a_stopped_run_stops_its_emulator_and_says_how_to_sweep(self):
        env = dict(self.env, TPD_ACC="1", TPD_ACC_EMULATOR="1", TPD_ACC_SCENARIOS="test_create_with_features")
        for k in ("TF_LOG", "TF_LOG_PATH", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE"):
            env.pop(k, None)
        p = subprocess.Popen(["bash", ACC, BUILD], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, stdin=subprocess.DEVNULL, start_new_session=True)
        out = []
        try:
            for line in p.stdout:  # the event: the scenarios have started
                out.append(line)
                if line.startswith("acceptance: running: "):
                    break
            os.killpg(p.pid, signal.SIGTERM)  # as a terminal's Ctrl-C reaches the whole group
            out.append(p.stdout.read())
            rc = p.wait(timeout=300)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        text = "".join(out)
        self.assertEqual(rc, 130, text[-6000:])
        emu_pid = int(re.search(r"emulator mode: .* \(pid (\d+),", text).group(1))
        prefix = re.search(r"prefix (tpdacc-[0-9a-f]{8}-)", text).group(1)
        self.assertIn("acceptance: interrupted", text)
        self.assertIn(f"stopped before the sweep; to list what the run made, and remove it: "
                      f"scripts/sweep.sh {prefix} [--yes]", text)
        self.assertNotIn("sweeping", text)
        with self.assertRaises(ProcessLookupError):  # the run's emulator was stopped by its PID
            os.kill(emu_pid, 0)

    # -- refusals ---------------------------------------------------------------------

    def test_refuses_without_opt_in_and_calls_nothing(self):
        mark = self.emu.log_offset()
        for value in (None, "0", "yes", "true", ""):
            env = self.as_account(TPD_ACC_ACCOUNT="123456789012", TPD_ACC_EMULATOR="1")
            if value is not None:
                env["TPD_ACC"] = value
            rc, out = self.acc(env)
            self.assertEqual(rc, 2, out)
            self.assertIn("REFUSED: TPD_ACC=1 is not set.", out)
            self.assertNotIn("emulator mode", out)
        self.assertEqual(self.emu.calls(mark), [], "a refused run called AWS")
        # TPD_ACC=1 but no account named: refused before any call too.
        rc, out = self.acc(self.as_account(TPD_ACC="1"))
        self.assertEqual(rc, 2, out)
        self.assertIn("REFUSED: TPD_ACC_ACCOUNT must name the 12-digit AWS account", out)
        self.assertEqual(self.emu.calls(mark), [])

    def test_refuses_another_account_then_runs_as_advised(self):
        prefix = "tpdacc-advised1-"
        mark = self.emu.log_offset()
        rc, out = self.acc(self.as_account(TPD_ACC="1", TPD_ACC_ACCOUNT="111111111111", TPD_ACC_PREFIX=prefix))
        self.assertEqual(rc, 2, out)
        self.assertIn("REFUSED: the credentials reach account 123456789012", out)
        self.assertIn("not TPD_ACC_ACCOUNT=111111111111", out)
        self.assertIn("Nothing was created.", out)
        self.assertEqual([(c["service"], c["operation"]) for c in self.emu.calls(mark)],
                         [("sts", "GetCallerIdentity")])
        self.assertEqual(self.prefix_tables(prefix), [])
        # The advice, followed: two scenarios, kept for the sweeper.
        advised = re.search(r"^\s*TPD_ACC_ACCOUNT=(\d{12})\s*$", out, re.M)
        self.assertIsNotNone(advised, out)
        rc, out = self.acc(self.as_account(
            TPD_ACC="1", TPD_ACC_ACCOUNT=advised.group(1), TPD_ACC_PREFIX=prefix, TPD_ACC_KEEP="1",
            TPD_ACC_SCENARIOS="test_destroy_refused_at_plan_while_protected,test_retain_on_destroy_keeps_items"))
        self.assertEqual(rc, 0, out[-8000:])
        self.assertIn(f"PASSED: 2 scenarios against account 123456789012, region us-east-1, prefix {prefix}", out)
        self.assertIn(f"remove it with: scripts/sweep.sh {prefix} --yes", out)
        left = self.prefix_tables(prefix)
        self.assertEqual(left, [prefix + "protected-destroy", prefix + "retained"])
        self.assertEqual(self.prefix_stacks(prefix), [prefix + "protected-destroy"])
        for t in left:
            d = self.ddb.describe_table(TableName=t)["Table"]
            self.assertEqual(d["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST", t)
        # Every name the run changed is of its prefix.
        touched = self.names_touched(self.emu.calls(mark))
        self.assertTrue(touched and all(x.startswith(prefix) for x in touched), touched)
        # Its leftovers (a protected table in its stack, a retained table) swept.
        rc, out = self.sweep(prefix, "--yes")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.prefix_tables(prefix), [])
        self.assertEqual(self.prefix_stacks(prefix), [])

    # -- the sweeper ------------------------------------------------------------------

    def stack(self, name, table, protect=False):
        self.cfn.create_stack(StackName=name, TemplateBody=STACK_TEMPLATE % {
            "table": table, "protect": "true" if protect else "false"})
        self.cfn.get_waiter("stack_create_complete").wait(StackName=name, WaiterConfig={"Delay": 1})

    def test_sweep_removes_its_prefix_only(self):
        a, b = "tpdacc-sweepa1-", "tpdacc-sweepb1-"
        self.stack(a + "stack1", a + "in-stack", protect=True)      # Delete policy, protected
        self.stack(a + "stack2", "other-in-prefix-stack")           # a table not of the prefix
        # A change set never executed (an adoption stopped half-way): REVIEW_IN_PROGRESS.
        self.cfn.create_change_set(StackName=a + "review", ChangeSetName="c1", ChangeSetType="CREATE",
                                   TemplateBody=STACK_TEMPLATE % {"table": a + "never-made", "protect": "false"})
        self.cfn.get_waiter("change_set_create_complete").wait(StackName=a + "review", ChangeSetName="c1",
                                                               WaiterConfig={"Delay": 1})
        self.assertEqual(self.stack_status(a + "review"), "REVIEW_IN_PROGRESS")
        self.create_table(a + "protected", protect=True)
        self.create_table(a + "plain")
        self.put_items(a + "plain", 3)
        self.stack(b + "stack", b + "in-stack")
        self.create_table(b + "protected", protect=True)
        self.create_table(b + "plain")
        self.create_table("tpdacc-sweepa10-near-miss")
        self.create_table("user-table", protect=True)
        self.put_items("other-in-prefix-stack", 4)
        kept_items = self.items("other-in-prefix-stack")
        others = ["other-in-prefix-stack", b + "in-stack", b + "protected", b + "plain",
                  "tpdacc-sweepa10-near-miss", "user-table"]

        # Refused prefixes call nothing.
        mark = self.emu.log_offset()
        for bad in ("", "prod", "tpdacc-", "tpdacc-ab-", "tpdacc-sweepa1", "TPDACC-SWEEPA1-", "tpdacc-sweep*-"):
            rc, out = self.sweep(bad, "--yes")
            self.assertEqual(rc, 2, f"{bad!r}: {out}")
            self.assertIn("refused", out)
        self.assertEqual(self.emu.calls(mark), [])

        # The dry run lists and changes nothing.
        rc, out = self.sweep(a)
        self.assertEqual(rc, 3, out)
        for what in ("would delete stack tpdacc-sweepa1-stack1", "would delete stack tpdacc-sweepa1-stack2",
                     "would delete stack tpdacc-sweepa1-review",
                     "would switch deletion protection off on and delete table tpdacc-sweepa1-protected",
                     "would delete table tpdacc-sweepa1-plain"):
            self.assertIn(what, out)
        self.assertNotIn("sweepb1", out)
        self.assertEqual(mutating(self.emu.calls(mark)), [], "the dry run changed something")

        rc, out = self.sweep(a, "--yes")
        self.assertEqual(rc, 0, out)
        self.assertEqual(self.prefix_tables(a), [])
        self.assertEqual(self.prefix_stacks(a), [])
        # What is not of the prefix is there as it was.
        for t in others:
            self.assertTrue(self.table_exists(t), t)
        self.assertEqual(self.items("other-in-prefix-stack"), kept_items)
        self.assertTrue(self.ddb.describe_table(TableName=b + "protected")["Table"]["DeletionProtectionEnabled"])
        self.assertTrue(self.ddb.describe_table(TableName="user-table")["Table"]["DeletionProtectionEnabled"])
        self.assertEqual(self.stack_status(b + "stack"), "CREATE_COMPLETE")
        touched = self.names_touched(self.emu.calls(mark))
        self.assertTrue(all(x.startswith(a) for x in touched), touched)
        # The foreign table's stack went with its table retained (DELETE_SKIPPED), never
        # a DeleteTable of it.
        deletes = [c["params"].get("TableName") for c in self.emu.calls(mark) if c["operation"] == "DeleteTable"]
        self.assertEqual(sorted(deletes), sorted([a + "in-stack", a + "protected", a + "plain"]))
        # Nothing left: the dry run says so.
        rc, out = self.sweep(a)
        self.assertEqual(rc, 0, out)
        self.assertIn("nothing of prefix tpdacc-sweepa1- is left", out)


if __name__ == "__main__":
    unittest.main()
