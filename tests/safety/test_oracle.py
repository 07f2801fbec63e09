"""The safety walk's own tests: the oracle reports each kind of violation when one is
made behind its back (so a walk that passes is not a walk that cannot fail), the
generator is a pure function of the seed, and shrinking finds a minimal sequence."""
import os
import shutil
import tempfile
import time
import unittest

import walk

BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(walk.ROOT, "build")


def add(slot="r0", **attrs):
    """An `add` step: simplest knob values, overridden by attrs (knob name -> value)."""
    knobs = {k.name: k.values[0] for k in walk.KNOBS}
    knobs.update(attrs)
    return {"op": "add", "slot": slot, "knobs": knobs}


UNPROTECTED = {"deletion_protection_enabled": {"deletion_protection_enabled": False}}
APPLY = {"op": "tf", "cmd": "apply", "saved": False}
CLOCK = {"op": "clock", "seconds": 5}


class Pure(unittest.TestCase):
    def test_steps_are_a_function_of_the_seed(self):
        self.assertEqual(walk.generate(7, 40), walk.generate(7, 40))
        self.assertNotEqual(walk.generate(7, 40), walk.generate(8, 40))
        self.assertEqual(len(walk.generate(3, 25)), 25)
        import json
        json.dumps(walk.generate(7, 40))  # a reproduction is plain data
        for s in walk.generate(11, 60):
            self.assertTrue(walk.describe(s))

    def test_replacement_intent(self):
        a = add()["knobs"]
        self.assertFalse(walk.replaces(a, dict(a, stack_name={"stack_name": "walk-a"})))  # the default, spelled out
        self.assertTrue(walk.replaces(a, dict(a, stack_name={"stack_name": "stk-1"})))
        b = dict(a, stack_name={"stack_name": "stk-1"})
        self.assertFalse(walk.replaces(b, dict(b, stack_name={})))  # left out: Terraform keeps stk-1
        self.assertTrue(walk.replaces(a, dict(a, name={"name": "walk-b"})))
        self.assertTrue(walk.replaces(a, dict(a, keys=walk.KNOB["keys"].values[2])))
        self.assertFalse(walk.replaces(a, dict(a, **UNPROTECTED)))

    def test_mutating_read(self):
        r = {"readonly": True, "args": ["plan"], "calls": [{"service": "dynamodb", "operation": "DescribeTable",
                                                             "mutating": False}]}
        self.assertEqual(walk.mutating_reads([r]), [])
        r["calls"].append({"service": "cloudformation", "operation": "DeleteStack", "mutating": True})
        self.assertEqual([walk.signature(v) for v in walk.mutating_reads([r])], ["R4 mutating-read"])
        r["readonly"] = False
        self.assertEqual(walk.mutating_reads([r]), [])

    def test_refusal_must_say_why(self):
        r = {"args": ["apply"], "rc": 1, "out": "Error: Table is protected against deletion\n"}
        self.assertEqual(walk.refusal_violations(r), [])
        r["out"] = "something went wrong\n"
        self.assertEqual([walk.signature(v) for v in walk.refusal_violations(r)], ["R3 no-diagnostic"])
        r["out"] = "Error: Plugin did not respond\n"
        self.assertEqual([walk.signature(v) for v in walk.refusal_violations(r)], ["R3 crash"])
        r["out"] = "Error: Provider produced inconsistent result after apply\n"
        self.assertEqual([walk.signature(v) for v in walk.refusal_violations(r)], ["R3 provider-bug"])

    def test_shrink_finds_the_needed_steps(self):
        steps = [{"op": "clock", "seconds": i} for i in range(20)]
        needed = {3, 11, 17}

        def test(cand):  # violates when steps 3, 11 and 17 ran, at step 17
            seen = {s["seconds"] for s in cand}
            if needed <= seen:
                return [s for s in cand if s["seconds"] <= 17]
            return None
        got = walk.shrink_steps(steps, test, time.monotonic() + 30)
        self.assertEqual([s["seconds"] for s in got], [3, 11, 17])
        self.assertIsNone(walk.shrink_steps(steps, lambda c: None, time.monotonic() + 30))


@unittest.skipUnless(os.access(os.path.join(BUILD, "terraform-provider-dynamodb"), os.X_OK), "provider not built")
class Oracle(unittest.TestCase):
    """Each rule fires on a violation made behind the walk's back."""

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-walk-test.")
        cls.runner = walk.Runner(BUILD, cls.work, quiet=True)
        cls.w = cls.runner.world
        cls.ddb, cls.cfn = cls.w.ddb, cls.w.cfn

    @classmethod
    def tearDownClass(cls):
        cls.runner.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def steps(self, *steps):
        self.w.begin({}, self.id().rsplit(".", 1)[-1])
        for i, s in enumerate(steps):
            v = self.w.run_step(i, s)
            self.assertEqual(v, [], f"step {i} {walk.describe(s)}")

    def sigs(self, violations):
        return sorted({walk.signature(v) for v in violations})

    def test_clean_walk_create_drift_destroy(self):
        # No false alarm on the plain path: create, items, destroy allowed (protection off).
        self.steps(add(**UNPROTECTED), APPLY,
                   {"op": "outside", "kind": "put-items", "target": "walk-a"},
                   {"op": "tf", "cmd": "plan"},
                   {"op": "tf", "cmd": "destroy", "saved": True, "refresh": True})
        self.assertFalse(self.w.table_exists("walk-a"))

    def test_item_deleted_behind_the_walk(self):
        self.steps(add(**UNPROTECTED), APPLY)
        key = next(iter(self.w.items["walk-a"]["keys"]))
        import json
        self.ddb.delete_item(TableName="walk-a", Key=json.loads(key))
        self.assertEqual(self.sigs(self.w.run_step(9, CLOCK)), ["R1 items-missing"])

    def test_protected_table_deleted_behind_the_walk(self):
        self.steps(add(), APPLY)  # protection defaults to on
        self.ddb.update_table(TableName="walk-a", DeletionProtectionEnabled=False)
        self.cfn.delete_stack(StackName="walk-a")
        self.w.settle_stacks()
        self.assertEqual(self.sigs(self.w.run_step(9, CLOCK)), ["R1 items-missing", "R5 protected-deleted"])

    def test_walk_may_delete_what_it_deletes(self):
        self.steps(add(), APPLY, {"op": "outside", "kind": "delete-table", "target": "walk-a"})

    def test_foreign_stack_changed_behind_the_walk(self):
        self.steps({"op": "outside", "kind": "foreign-stack-other-table", "target": "ext-s1", "table": "ext-t1",
                    "keys": "S", "protect": False, "policy": "Delete"})
        self.assertIn("ext-s1", self.w.foreign_stacks)
        self.cfn.delete_stack(StackName="ext-s1")
        self.w.settle_stacks()
        self.assertEqual(self.sigs(self.w.run_step(9, CLOCK)), ["R1 items-missing", "R2 foreign-changed"])

    def test_foreign_table_setting_changed_behind_the_walk(self):
        self.steps({"op": "outside", "kind": "foreign-table", "target": "walk-b", "keys": "S", "protect": False})
        self.ddb.update_continuous_backups(TableName="walk-b",
                                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.assertEqual(self.sigs(self.w.run_step(9, CLOCK)), ["R2 foreign-changed"])

    def test_aws_not_as_configured(self):
        self.steps(add(**UNPROTECTED), APPLY)
        self.assertEqual(self.w.check_matches_config(self.w.observe()), [])
        self.ddb.update_continuous_backups(TableName="walk-a",
                                           PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        self.assertEqual(self.sigs(self.w.check_matches_config(self.w.observe())), ["R3 aws-mismatch:pitr"])

    def test_kill_mid_apply_settles(self):
        # SIGKILL after ExecuteChangeSet: terraform and the provider die, the stack
        # settles, nothing is lost; the next apply takes the stack over.
        self.steps(add(**UNPROTECTED), {"op": "fault", "kind": "kill", "kill_after": "ExecuteChangeSet",
                                        "config": {"delay_seconds": 3}}, APPLY)
        self.assertTrue(self.w.last_results[-1]["killed"])
        self.assertEqual(self.w.snap.stacks["walk-a"]["status"], "CREATE_COMPLETE")
        self.assertEqual(self.w.read_state(), {})  # killed before Terraform wrote the state
        self.assertEqual(self.w.run_step(3, APPLY), [])
        self.assertIn("r0", self.w.read_state())


if __name__ == "__main__":
    unittest.main()
