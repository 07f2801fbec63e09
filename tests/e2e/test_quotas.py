"""End to end (AWS as it is): DynamoDB's switch quotas are not throttling (issue 22).

A table class change is limited to two per table in 30 days (docs/aws-behaviour.md §5.6);
the emulator counts them on its clock. The plan of a class change says that AWS limits it;
the third change within the window stops at once — no retry loop — naming what was hit and
that nothing was lost, and works again once the window has passed.
"""
import unittest

from harness import E2ETestCase

TABLE = '''
resource "dynamodb_ttl_table" "t" {
  name                        = "%(name)s"
  hash_key                    = { name = "id", type = "S" }
  deletion_protection_enabled = false
  table_class                 = "%(cls)s"
}
'''


class Quotas(E2ETestCase):

    def test_third_class_change_in_30_days_stops_at_once(self):
        name = "quota-class"
        d = self.workdir("class", TABLE % {"name": name, "cls": "STANDARD"})
        self.init(d)
        self.apply(d)
        self.put_items(name, 4)
        before = self.items(name)
        for i, cls in enumerate(("STANDARD_INFREQUENT_ACCESS", "STANDARD", "STANDARD_INFREQUENT_ACCESS")):
            self.write(d, TABLE % {"name": name, "cls": cls})
            plan = self.tf(d, "plan", "-input=false", check=0)
            self.assertIn("Table class changes are limited", plan.text)
            mark = self.emu.log_offset()
            r = self.apply(d, check=0 if i < 2 else 1)
        # The third: a quota, explained, not retried as throttling.
        self.assertIn("Nothing was lost", r.text.replace("nothing was lost", "Nothing was lost"))
        self.assertIn("table class", r.text.lower())
        updates = [c for c in self.emu.calls(mark) if c.get("operation") in ("UpdateTable", "ExecuteChangeSet")]
        self.assertLessEqual(len(updates), 2, "the quota was retried")
        self.assertEqual(self.items(name), before)
        # After the window, the same apply succeeds.
        self.wait_emulated(31 * 24 * 3600)
        self.apply(d)
        self.assertEqual(self.plan_exitcode(d).rc, 0)
        self.assertEqual(self.items(name), before)


if __name__ == "__main__":
    unittest.main()
