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

    def test_new_step_kinds_are_generated(self):
        # Every kind of the second round appears within a few seeds' steps.
        steps = [s for seed in range(1, 11) for s in walk.generate(seed, 100)]
        ops = {s["op"] for s in steps}
        self.assertLessEqual({"move", "fork", "advice"}, ops)
        self.assertLessEqual({"w", "b", "c"}, {s.get("ctx") for s in steps})
        self.assertLessEqual({"taint", "untaint"}, {s.get("cmd") for s in steps})
        self.assertTrue(any(s.get("moved") for s in steps) and any(s.get("moved") is False for s in steps))
        signals = {(s.get("interrupt") or {}).get("signal") for s in steps}
        self.assertLessEqual({"INT", "KILL_PROVIDER", "KILL"}, signals)
        self.assertIn("deadline", {s.get("kind") for s in steps})
        self.assertTrue(any(s.get("form") == ["count"] for s in steps))
        self.assertTrue(any(s.get("knobs", {}).get("timeouts") == walk.DEADLINE for s in steps))

    def test_plan_actions(self):
        out = "\n".join([
            "Terraform will perform the following actions:",
            "  # dynamodb_ttl_table.c[0] must be replaced",
            "  # dynamodb_ttl_table.c[1] will be destroyed",
            "  # (because index [1] is out of range for count)",
            '  # dynamodb_ttl_table.e["k1"] will be updated in-place',
            "  # (moved from dynamodb_ttl_table.r0)",
            "  # dynamodb_ttl_table.r1 has moved to dynamodb_ttl_table.r1_x",
            "  # dynamodb_ttl_table.r2 is tainted, so must be replaced",
            "  # dynamodb_ttl_table.r0_x will be replaced, as requested",
            "Plan: 1 to add, 0 to change, 2 to destroy."])
        acts = walk.plan_actions(out)
        self.assertEqual({a for a, v in acts.items() if v in walk.DELETING}, {"c[0]", "c[1]", "r2", "r0_x"})
        self.assertEqual(acts['e["k1"]'], "will be updated in-place")
        self.assertIsNone(walk.plan_actions("No changes. Your infrastructure matches the configuration."))

    def test_advice_is_read_literally(self):
        out = "\n".join([
            "╷", "│ Error: Table was left by an interrupted create", "│ ",
            "│   with dynamodb_ttl_table.r0,", '│   on main.tf line 12, in resource "dynamodb_ttl_table" "r0":',
            "│ ", "│ Run `terraform untaint", "│ dynamodb_ttl_table.r0` and apply again, or import it:",
            "│ terraform import <address> walk-a/walk-a.", "╵",
            "Error: Two addresses name one table", "", "  with dynamodb_ttl_table.r0_x,", "",
            "Destroying one and creating the other would delete it; use a moved block."])
        items = walk.parse_advice(out, {"r0": {"name": "walk-a"}}, {"r0_x": {"name": {"name": "walk-a"}}})
        self.assertEqual([(x["kind"], x.get("addr"), x.get("id"), x.get("from"), x.get("to")) for x in items],
                         [("untaint", "r0", None, None, None), ("import", "r0", "walk-a/walk-a", None, None),
                          ("forget", "r0", None, None, None), ("moved", None, None, "r0", "r0_x"),
                          ("forget", "r0_x", None, None, None)])
        self.assertEqual(walk.parse_advice("Error: nope\n\nnothing to do here", {}, {}), [])

    def test_count_reindexing(self):
        # Leaving the count resource re-indexes the elements after it (a list lost one).
        c = walk.Ctx("a", "/nonexistent")
        for slot in ("r0", "r1", "r2"):
            c.slots[slot] = add(slot)["knobs"]
            c.set_form(slot, ["count"])
        self.assertEqual([c.addr(s) for s in ("r0", "r1", "r2")], ["c[0]", "c[1]", "c[2]"])
        c.set_form("r0", ["each", "k1"])
        self.assertEqual([c.addr(s) for s in ("r0", "r1", "r2")], ['e["k1"]', "c[0]", "c[1]"])
        c.set_form("r1", None)
        c.slots.pop("r1")
        self.assertEqual(c.addr("r2"), "c[0]")

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

    def test_plan_that_keeps_a_table_must_keep_it(self):
        # R6: an apply whose plan updated r0 in place while its table was deleted
        # behind the walk's back.
        self.steps(add(**UNPROTECTED), APPLY)
        ctx = self.w.ctxs["a"]
        state = self.w.read_state(ctx)
        results = [{"out": "  # dynamodb_ttl_table.r0 will be updated in-place\nPlan: 0 to add, 1 to change, 0 to "
                           "destroy.\n", "rc": 0}]
        s = {"op": "tf", "cmd": "apply", "saved": False}
        self.assertEqual(self.w.plan_truth(s, results, ctx.config(), state, [], self.w.observe()), [])
        self.ddb.delete_table(TableName="walk-a")
        got = self.w.plan_truth(s, results, ctx.config(), state, [], self.w.observe())
        self.assertEqual(self.sigs(got), ["R6 plan-untruthful"])
        # A replacement of the same table promised nothing to keep.
        results[0]["out"] = results[0]["out"].replace("will be updated in-place", "must be replaced")
        self.assertEqual(self.w.plan_truth(s, results, ctx.config(), state, [], self.w.observe()), [])

    def test_another_state_protects_its_table(self):
        # A destroy in workspace staging may not delete a table that directory A's
        # state manages with protection on, even with protection off in staging.
        self.steps(add(), APPLY)
        w = self.w
        mine = w.read_state(w.ctxs["a"])
        theirs = {"r0": dict(mine["r0"], deletion_protection_enabled=False)}
        destroy = {"op": "tf", "cmd": "destroy", "ctx": "w"}
        w.ddb.update_table(TableName="walk-a", DeletionProtectionEnabled=False)
        w.snap = w.observe()
        allowed, why = w.allowed_deletions(destroy, {"a": mine, "w": theirs}, w.ctxs["w"])
        self.assertEqual(allowed, set())
        self.assertIn("protected by r0 in the state of directory A", why[0])
        allowed, _ = w.allowed_deletions(destroy, {"a": {"r0": dict(mine["r0"], deletion_protection_enabled=False)},
                                                   "w": theirs}, w.ctxs["w"])
        self.assertEqual(allowed, {"walk-a"})
        # A record whose stack is not the table's owner claims nothing.
        stale = {"r0": dict(mine["r0"], stack_id="arn:aws:cloudformation:us-east-1:123456789012:stack/walk-a/gone")}
        allowed, _ = w.allowed_deletions(destroy, {"a": stale, "w": theirs}, w.ctxs["w"])
        self.assertEqual(allowed, {"walk-a"})

    def test_count_for_each_and_moved(self):
        # The count and for_each configurations are valid Terraform; a move with a
        # moved block keeps the table (no change), state follows the addresses.
        self.steps(add(**UNPROTECTED), add("r1", name={"name": "walk-b"}, **UNPROTECTED),
                   dict(add("r2", name={"name": "walk_c.d"}, **UNPROTECTED), form=["each", "k2"]), APPLY,
                   {"op": "move", "slot": "r0", "to": ["count"], "moved": True},
                   {"op": "move", "slot": "r1", "to": ["count"], "moved": True}, APPLY)
        self.assertEqual(sorted(self.w.read_state()), ["c[0]", "c[1]", 'e["k2"]'])
        self.assertEqual(self.w.ctxs["a"].moved, [])

    def test_interrupts_at_a_logged_call(self):
        # Ctrl-C once the emulator answered the first mutating call (CreateChangeSet,
        # the change set still pending): terraform stops, nothing crashes.
        self.steps(add(**UNPROTECTED), {"op": "fault", "kind": "interrupt", "config": {"delay_seconds": 3},
                                        "interrupt": {"signal": "INT", "after": 1}}, APPLY)
        r = self.w.last_results[-1]
        self.assertEqual((r["interrupted"], r["killed"]), ("INT", False))
        self.assertNotEqual(r["rc"], 0)
        self.assertEqual([c["operation"] for c in r["calls"] if c.get("mutating")][0], "CreateChangeSet")
        # SIGKILL of the provider alone: terraform reports its plugin gone; the walk
        # does not count that as the provider's crash.
        self.steps(add(**UNPROTECTED), {"op": "fault", "kind": "interrupt", "config": {"delay_seconds": 3},
                                        "interrupt": {"signal": "KILL_PROVIDER", "after": 2}}, APPLY)
        r = self.w.last_results[-1]
        self.assertEqual(r["interrupted"], "KILL_PROVIDER")
        self.assertNotEqual(r["rc"], 0)
        self.assertEqual(sum(1 for c in r["calls"] if c.get("mutating")), 2)

    def test_second_workspace_and_directory(self):
        # Each context has its own state; a fork copies the configuration.
        self.steps(add(**UNPROTECTED), APPLY, {"op": "tf", "cmd": "taint", "slot": "r0"},
                   {"op": "tf", "cmd": "untaint", "slot": "r0"},
                   {"op": "fork", "ctx": "b", "from": "a"},
                   dict(add("r0", name={"name": "walk-b"}, **UNPROTECTED), ctx="b"), dict(APPLY, ctx="b"),
                   dict(add("r0", name={"name": "walk_c.d"}, **UNPROTECTED), ctx="w"), dict(APPLY, ctx="w"))
        w = self.w
        self.assertEqual({c: w.read_state(w.ctxs[c])["r0"]["name"] for c in "awb"},
                         {"a": "walk-a", "w": "walk_c.d", "b": "walk-b"})
        self.assertTrue(os.path.exists(os.path.join(w.tfdir, "terraform.tfstate.d", "staging", "terraform.tfstate")))

    def test_kill_mid_apply_settles(self):
        # SIGKILL after ExecuteChangeSet: terraform and the provider die, the stack
        # settles, nothing is lost. The stack carries the owner id of a create no state
        # recorded, so the next apply cannot tell it from another state's: it refuses,
        # naming import (docs/resource.md "One owner per table"), touching nothing; the
        # advice, followed, adopts the stack, and the apply after it succeeds.
        self.steps(add(**UNPROTECTED), {"op": "fault", "kind": "kill", "kill_after": "ExecuteChangeSet",
                                        "config": {"delay_seconds": 3}}, APPLY)
        self.assertTrue(self.w.last_results[-1]["killed"])
        self.assertEqual(self.w.snap.stacks["walk-a"]["status"], "CREATE_COMPLETE")
        self.assertEqual(self.w.read_state(), {})  # killed before Terraform wrote the state
        self.assertEqual(self.w.run_step(3, APPLY), [])
        self.assertNotEqual(self.w.last_results[-1]["rc"], 0)
        self.assertIn("terraform import", " ".join(self.w.last_results[-1]["out"].split()))
        self.assertEqual(self.w.read_state(), {})
        self.assertEqual(self.w.run_step(4, {"op": "advice", "kind": "import"}), [])
        self.assertEqual(self.w.run_step(5, APPLY), [])
        self.assertIn("r0", self.w.read_state())


if __name__ == "__main__":
    unittest.main()
