"""The fork server (zygote.py): emulators forked from it are ordinary emulators — their own
port, state and environment, stopped by their PID — and none outlives its test or the
zygote. Each test here starts a zygote of its own in a temporary directory."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import zygote  # noqa: E402
from emulator import Emulator  # noqa: E402


def alive(pid: int) -> bool:
    """True while PID runs (zygote._gone: a zombie counts as gone)."""
    return not zygote._gone(pid)


def wait_gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


class ZygoteTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="zygote-test.")
        self.assertEqual(zygote.start(self.dir), 0)
        self.sock = os.path.join(self.dir, "sock")
        self.assertTrue(os.path.exists(self.sock), "the zygote did not start: see zygote.log")
        with open(os.path.join(self.dir, "pid")) as f:
            self.zygote_pid = int(f.read())
        self.saved = os.environ.get("TPD_EMULATOR_ZYGOTE")
        os.environ["TPD_EMULATOR_ZYGOTE"] = self.sock
        self.emus = []

    def tearDown(self):
        for e in self.emus:
            e.stop()
        zygote.stop(self.dir)
        if self.saved is None:
            os.environ.pop("TPD_EMULATOR_ZYGOTE", None)
        else:
            os.environ["TPD_EMULATOR_ZYGOTE"] = self.saved
        self.assertFalse(alive(self.zygote_pid), "the zygote outlived --stop")

    def emulator(self, **kw) -> Emulator:
        e = Emulator(**kw)
        self.emus.append(e)
        return e.start()

    def test_forked_emulators_are_separate_and_stop_by_pid(self):
        os.chdir(self.dir)  # the zygote runs in the directory it was started from
        try:
            a = self.emulator()
            b = self.emulator(extra_args=["--tls"])
        finally:
            os.chdir(HERE)
        self.assertIsNotNone(a._conn, "not forked by the zygote")
        self.assertNotEqual(a.pid, b.pid)
        self.assertNotEqual(a.port, b.port)
        self.assertNotEqual(a.pid, self.zygote_pid)
        self.assertTrue(b.endpoint.startswith("https://") and b.ca_file)
        # Each has its own state.
        ddb = a.client("dynamodb")
        ddb.create_table(TableName="only-in-a", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        self.assertEqual(ddb.list_tables()["TableNames"], ["only-in-a"])
        self.assertEqual(b.client("dynamodb").list_tables()["TableNames"], [])
        # The client's directory, not the zygote's.
        self.assertEqual(os.readlink(f"/proc/{a.pid}/cwd"), os.path.realpath(self.dir))
        # Stopped by its PID, with its exit status; the other one goes on.
        pid = a.pid
        self.assertEqual(a.stop(), 0)
        self.assertFalse(alive(pid))
        self.assertEqual(b.client("dynamodb").list_tables()["TableNames"], [])

    def test_bad_flags_fail_the_start_as_server_py_does(self):
        with self.assertRaises(RuntimeError) as cm:
            self.emulator(extra_args=["--rate-limit", "nonsense"])
        self.assertIn("EXITED 2", str(cm.exception))

    def test_an_emulator_whose_test_died_stops_itself(self):
        code = ("import os, sys, time; sys.path.insert(0, %r); from emulator import Emulator; "
                "e = Emulator().start(); print(e.pid, flush=True); time.sleep(600)") % HERE
        p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            pid = int(p.stdout.readline())
            self.assertTrue(alive(pid))
        finally:
            p.kill()
            p.wait()
            p.stdout.close()
        self.assertTrue(wait_gone(pid), "the emulator outlived its test process")

    def test_stopping_the_zygote_stops_its_emulators(self):
        e = self.emulator()
        pid = e.pid
        zygote.stop(self.dir)
        self.assertTrue(wait_gone(pid), "an emulator outlived the zygote")
        self.assertFalse(os.path.exists(self.sock))
        self.assertEqual(e.stop(), 0)  # the status the zygote saw as it stopped it
        self.emus.remove(e)

    def test_without_the_zygote_server_py_runs_as_before(self):
        zygote.stop(self.dir)
        e = self.emulator()
        self.assertIsNone(e._conn)
        self.assertIsNotNone(e.proc)
        self.assertEqual(e.client("dynamodb").list_tables()["TableNames"], [])

    def test_a_zygote_left_by_a_killed_run_is_replaced(self):
        gone = subprocess.Popen(["true"])
        gone.wait()
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write(f"{gone.pid}\n")  # the only run that used it died without stopping it
        self.assertEqual(zygote.start(self.dir), 0)
        self.assertFalse(alive(self.zygote_pid), "the old zygote is still running")
        with open(os.path.join(self.dir, "pid")) as f:
            self.zygote_pid = int(f.read())
        self.assertIsNotNone(self.emulator()._conn)

    def test_two_runs_share_one_zygote_and_the_last_stops_it(self):
        other = subprocess.Popen(["sleep", "60"])  # stands for a second CTest run
        try:
            e = self.emulator()
            self.assertEqual(zygote.start(self.dir, user=other.pid), 0)
            with open(os.path.join(self.dir, "pid")) as f:
                self.assertEqual(int(f.read()), self.zygote_pid, "the second run replaced the zygote")
            zygote.stop(self.dir)  # the first run is done: the second still uses it
            self.assertTrue(alive(self.zygote_pid), "the first run's stop stopped the second's zygote")
            self.assertTrue(alive(e.pid), "an emulator of a run still going was stopped")
            zygote.stop(self.dir, user=other.pid)
            self.assertTrue(wait_gone(self.zygote_pid), "the last run's stop left the zygote running")
        finally:
            other.kill()
            other.wait()

    def test_a_pid_file_naming_another_process_is_not_signalled(self):
        sleeper = subprocess.Popen(["sleep", "60"])
        try:
            zygote.stop(self.dir)
            with open(os.path.join(self.dir, "pid"), "w") as f:
                f.write(f"{sleeper.pid}\n")
            zygote.stop(self.dir)
            self.assertIsNone(sleeper.poll(), "zygote --stop killed a process that is not a zygote")
        finally:
            sleeper.send_signal(signal.SIGKILL)
            sleeper.wait()


if __name__ == "__main__":
    unittest.main()
