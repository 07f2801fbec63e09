"""End to end (data safety, part 2: the network failure budget): an endpoint that accepts
connections and never answers fails the plan within the budget of aws/private/aws_retry.h
(a 30-second stall timeout, one retry) instead of ten 60-second attempts, and Ctrl-C
while a request is stalled stops terraform without waiting for the stall timeout
(StopProvider aborts the request in flight, nothing is sent again). The endpoint is a listener on 127.0.0.1 in this test."""
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
from collections import Counter

from harness import BUILD, ROOT

CONFIG = '''terraform {
  required_providers {
    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }
  }
}
provider "dynamodb" {
  region = "us-east-1"
  endpoints {
    dynamodb       = "%(ep)s"
    cloudformation = "%(ep)s"
    sts            = "%(ep)s"
  }
}
resource "dynamodb_ttl_table" "t" {
  name     = "budget-table"
  hash_key = { name = "id", type = "S" }
}
'''


class BlackHole:
    """Accepts connections on 127.0.0.1, reads what is sent, never answers. `requests` is
    set once a whole HTTP request (headers and Content-Length body) has arrived: the
    client has sent it and now waits for an answer that never comes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.requests = threading.Event()
        self.lock = threading.Lock()
        self.operations = []  # the operation of every whole request, in arrival order
        self.conns = []
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            threading.Thread(target=self._drain, args=(c,), daemon=True).start()

    def _drain(self, c):
        data = b""
        try:
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    return
                data += chunk
                head, sep, body = data.partition(b"\r\n\r\n")
                if not sep:
                    continue
                length, target = 0, None
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                    if name.strip().lower() == b"x-amz-target":  # JSON protocol (DynamoDB)
                        target = value.strip().decode().rpartition(".")[2]
                if len(body) >= length:
                    if target is None:  # query protocol (CloudFormation, STS): Action=
                        query = urllib.parse.parse_qs(body[:length].decode())
                        target = query.get("Action", ["?"])[0]
                    with self.lock:
                        self.operations.append(target)
                    self.requests.set()
                    return  # never answered: no second request comes on this connection
        except OSError:
            pass

    def close(self):
        self.stopping = True
        for c in self.conns:
            c.close()
        self.sock.close()


class NetworkBudget(unittest.TestCase):

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="tpd-e2e-budget.")
        self.cli = subprocess.run([os.path.join(ROOT, "scripts/install-provider.sh"), BUILD, self.work],
                                  capture_output=True, text=True, check=True).stdout.strip()
        self.hole = BlackHole()
        with open(os.path.join(self.work, "main.tf"), "w") as f:
            f.write(CONFIG % {"ep": "http://127.0.0.1:%d" % self.hole.port})
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        self.env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=self.cli,
                        AWS_EC2_METADATA_DISABLED="true", AWS_ACCESS_KEY_ID="AKIDBUDGETTEST",
                        AWS_SECRET_ACCESS_KEY="budget-test-secret", AWS_CONFIG_FILE="/dev/null",
                        AWS_SHARED_CREDENTIALS_FILE="/dev/null")
        subprocess.run(["terraform", "-chdir=" + self.work, "init", "-input=false", "-no-color"],
                       env=self.env, capture_output=True, check=True, timeout=300)

    def tearDown(self):
        self.hole.close()
        shutil.rmtree(self.work, ignore_errors=True)

    def test_black_hole_endpoint_fails_within_the_budget(self):
        p = subprocess.run(["terraform", "-chdir=" + self.work, "plan", "-input=false", "-no-color"],
                           env=self.env, capture_output=True, text=True, timeout=600)
        out = " ".join((p.stdout + p.stderr).split())
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("127.0.0.1:%d" % self.hole.port, out)
        # The budget (aws/private/aws_retry.h, AWS_RETRY_STALL_ATTEMPTS): a request met with silence
        # is sent twice, then the plan fails; before, each was sent ten times, a minute each.
        attempts = Counter(self.hole.operations)
        self.assertTrue(attempts, "no request reached the endpoint")
        self.assertEqual(set(attempts.values()), {2}, f"attempts per operation: {dict(attempts)}")

    def test_ctrl_c_during_a_stalled_request_stops_without_a_retry(self):
        p = subprocess.Popen(["terraform", "-chdir=" + self.work, "plan", "-input=false", "-no-color"],
                             env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
        try:
            # A whole request has arrived: it is in flight, waiting for an answer.
            self.assertTrue(self.hole.requests.wait(120), "no whole request reached the endpoint")
            os.killpg(p.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
            # Only a guard against a hang: the stop shows in the attempts below.
            out, _ = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.assertNotEqual(p.returncode, 0)
        # StopProvider aborted the requests in flight: none was sent a second time, as it
        # would have been after the 30-second stall timeout had the provider waited it out.
        attempts = Counter(self.hole.operations)
        self.assertTrue(attempts)
        self.assertEqual(set(attempts.values()), {1}, f"attempts per operation: {dict(attempts)}\n{out[-2000:]}")


if __name__ == "__main__":
    unittest.main()
