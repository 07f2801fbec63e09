"""Launcher interface, SigV4 authentication, request log, control API."""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import boto3
import botocore.exceptions

from emulator import ACCESS_KEY_ID, SECRET_ACCESS_KEY, SERVER, Emulator
from emutest import EmulatorTestCase, table_template, uniq


class AuthAndLogTest(EmulatorTestCase):
    def raw(self, service, **kw):
        return boto3.client(service, endpoint_url=self.emu.endpoint, region_name="us-east-1", **kw)

    def test_bad_signature_rejected(self):
        cfn = self.raw("cloudformation", aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key="x" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            cfn.describe_stacks()
        self.assertEqual(cm.exception.response["Error"]["Code"], "SignatureDoesNotMatch")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        ddb = self.raw("dynamodb", aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key="x" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ddb.list_tables()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidSignatureException")

    def test_unknown_key_rejected(self):
        cfn = self.raw("cloudformation", aws_access_key_id="AKIAUNKNOWNKEY000000", aws_secret_access_key="y" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            cfn.list_exports()
        self.assertEqual(cm.exception.response["Error"]["Code"], "InvalidClientTokenId")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)
        ddb = self.raw("dynamodb", aws_access_key_id="AKIAUNKNOWNKEY000000", aws_secret_access_key="y" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            ddb.list_tables()
        self.assertEqual(cm.exception.response["Error"]["Code"], "UnrecognizedClientException")

    def test_unsigned_and_tampered_requests_rejected(self):
        req = urllib.request.Request(self.emu.endpoint + "/", data=b"Action=ListExports&Version=2010-05-15",
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req)
        self.assertEqual(cm.exception.code, 403)
        self.assertIn(b"<Code>MissingAuthenticationToken</Code>", cm.exception.read())
        # valid signature, body changed afterwards
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        r = AWSRequest("POST", self.emu.endpoint + "/", data=b"Action=ListExports&Version=2010-05-15",
                       headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        SigV4Auth(Credentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY), "cloudformation", "us-east-1").add_auth(r)
        req = urllib.request.Request(self.emu.endpoint + "/", data=b"Action=ListStacks&Version=2010-05-15",
                                     headers=dict(r.headers.items()))
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req)
        self.assertIn(b"SignatureDoesNotMatch", cm.exception.read())
        ok = urllib.request.Request(self.emu.endpoint + "/", data=r.body, headers=dict(r.headers.items()))
        self.assertEqual(urllib.request.urlopen(ok).status, 200)

    def test_sts_assumed_role_credentials_accepted(self):
        sts = self.emu.client("sts")
        self.assertEqual(sts.get_caller_identity()["Account"], "123456789012")
        c = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/deployer", RoleSessionName="tests")["Credentials"]
        ddb = self.raw("dynamodb", aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
                       aws_session_token=c["SessionToken"])
        ddb.list_tables()

    def test_request_log_lines(self):
        table, stack = uniq("log"), uniq("log")
        mark = self.emu.log_mark()
        self.deploy(stack, table_template(table), expect="CREATE_COMPLETE")
        self.ddb.describe_table(TableName=table)
        try:
            self.ddb.describe_table(TableName=uniq("missing"))
        except botocore.exceptions.ClientError:
            pass
        recs = self.emu.log_records_since(mark)
        for r in recs:
            self.assertTrue({"time", "service", "operation", "params", "status", "error", "fault",
                             "mutating", "duration_ms"} <= set(r), r)
        cs = [r for r in recs if r["operation"] == "CreateChangeSet"][0]
        self.assertEqual(cs["service"], "cloudformation")
        self.assertEqual(cs["params"]["StackName"], stack)
        self.assertEqual(cs["params"]["ChangeSetType"], "CREATE")
        self.assertTrue(cs["mutating"])
        self.assertEqual(cs["status"], 200)
        dt = [r for r in recs if r["operation"] == "DescribeTable"]
        self.assertEqual([(r["params"]["TableName"], r["status"], r["error"], r["mutating"]) for r in dt][0],
                         (table, 200, None, False))
        self.assertEqual((dt[1]["status"], dt[1]["error"]), (400, "ResourceNotFoundException"))
        with open(self.emu.log_path) as f:
            text = f.read()
        self.assertNotIn(SECRET_ACCESS_KEY, text)
        self.assertNotIn("Signature=", text)

    def test_control_state_and_reset(self):
        st = self.emu.state()
        self.assertTrue(st["config"]["auth"])
        self.assertIn("counts", st)
        with self.assertRaises(urllib.error.HTTPError):
            urllib.request.urlopen(self.emu.endpoint + "/_emulator/nope")


class LauncherTest(unittest.TestCase):
    def test_ready_line_sigterm_and_no_auth(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "r.log")
            p = subprocess.Popen([sys.executable, SERVER, "--port", "0", "--no-auth", "--log", log],
                                 stdout=subprocess.PIPE, text=True)
            try:
                line = p.stdout.readline().strip()
                self.assertRegex(line, r"^EMULATOR READY http://127\.0\.0\.1:\d+ pid=\d+$")
                self.assertEqual(int(line.rsplit("=", 1)[1]), p.pid)
                url = line.split()[2]
                ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1",
                                   aws_access_key_id="anything", aws_secret_access_key="anything")
                ddb.list_tables()  # --no-auth accepts any key
                with open(log) as f:
                    self.assertEqual(json.loads(f.readline())["operation"], "ListTables")
            finally:
                os.kill(p.pid, signal.SIGTERM)
                rc = p.wait(15)
                p.stdout.close()
            self.assertEqual(rc, 0)

    def test_start_sh(self):
        with tempfile.TemporaryDirectory() as d:
            out = subprocess.run(["bash", os.path.join(os.path.dirname(SERVER), "start.sh"),
                                  os.path.join(d, "log")], capture_output=True, text=True, timeout=90)
            self.assertEqual(out.returncode, 0, out.stderr)
            port, pid = map(int, out.stdout.split())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/state") as r:
                    self.assertEqual(r.status, 200)
            finally:
                os.kill(pid, signal.SIGTERM)
            deadline = time.time() + 15
            while time.time() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, signal.SIGKILL)
                self.fail("emulator did not stop on SIGTERM")

    def test_custom_credentials_flag(self):
        with Emulator(extra_args=["--access-key-id", "AKIAOTHERTESTKEY0002",
                                  "--secret-access-key", "s" * 40]) as emu:
            c = emu.client("dynamodb")
            with self.assertRaises(botocore.exceptions.ClientError):
                c.list_tables()
            emu.client("dynamodb", access_key_id="AKIAOTHERTESTKEY0002", secret_access_key="s" * 40).list_tables()


if __name__ == "__main__":
    unittest.main()
