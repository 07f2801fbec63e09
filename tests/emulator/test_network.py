"""HTTP/1.1 keep-alive, faults on reused connections, lost answers, latency, TLS."""
import http.client
import json
import socket
import ssl
import threading
import time
import unittest
from unittest import mock

import httpd

from emulator import Emulator
from emutest import EmulatorTestCase, uniq


def ddb_request(conn, op, body, headers=None):
    h = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{op}"}
    h.update(headers or {})
    conn.request("POST", "/", body=json.dumps(body), headers=h)
    r = conn.getresponse()
    return r.status, r.getheader("Connection"), r.read()


class KeepAliveTest(EmulatorTestCase):
    no_auth = True

    def setUp(self):
        self.emu.clear_faults()

    def test_one_connection_carries_several_requests(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        conn.connect()
        local = conn.sock.getsockname()
        for _ in range(5):
            st, connection, _ = ddb_request(conn, "ListTables", {})
            self.assertEqual(st, 200)
            self.assertNotEqual((connection or "").lower(), "close")
            self.assertEqual(conn.sock.getsockname(), local)  # the same TCP connection
        conn.close()

    def test_state_counts_connections(self):
        before = self.emu.state()["connections"]
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        for _ in range(3):
            self.assertEqual(ddb_request(conn, "ListTables", {})[0], 200)
        conn.close()
        for _ in range(2):  # two more connections, one request each
            c = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
            self.assertEqual(ddb_request(c, "ListTables", {})[0], 200)
            c.close()
        # 1 keep-alive connection with three requests, 2 with one each, and the second
        # state() call's own (urllib opens one per control request).
        self.assertEqual(self.emu.state()["connections"] - before, 4)

    def test_boto3_reuses_connections(self):
        mark = self.emu.log_mark()
        for _ in range(3):
            self.ddb.list_tables()
        recs = self.emu.log_records_since(mark)
        self.assertEqual(len(recs), 3)

    def test_drop_closes_only_that_connection(self):
        other = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        self.assertEqual(ddb_request(other, "ListTables", {})[0], 200)
        self.emu.add_fault(kind="drop", operation="DescribeTable", count=1)
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=10)
        self.assertEqual(ddb_request(conn, "ListTables", {})[0], 200)
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            ddb_request(conn, "DescribeTable", {"TableName": "nope"})
        # the other keep-alive connection still works
        self.assertEqual(ddb_request(other, "ListTables", {})[0], 200)
        other.close()
        conn.close()

    def test_drop_response_takes_effect(self):
        table = uniq("lost")
        self.emu.add_fault(kind="drop_response", operation="CreateTable", count=1)
        mark = self.emu.log_mark()
        from botocore.exceptions import ConnectionClosedError
        with self.assertRaises(ConnectionClosedError):
            self.create_table(table)
        self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableName"], table)
        rec = [r for r in self.emu.log_records_since(mark) if r["operation"] == "CreateTable"][0]
        self.assertEqual((rec["fault"], rec["status"]), ("drop_response", 200))
        # the retry meets the effect of the lost request
        with self.assertRaises(self.ddb.exceptions.ResourceInUseException):
            self.create_table(table)

    def test_drop_response_cloudformation_via_boto3(self):
        stack = uniq("lost")
        self.emu.add_fault(kind="drop_response", operation="CreateStack", count=1)
        from emutest import table_template
        with self.assertRaises(Exception):
            self.cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("t")))
        self.assertEqual(self.wait_stack(stack)["StackStatus"], "CREATE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.AlreadyExistsException):
            self.cfn.create_stack(StackName=stack, TemplateBody=table_template(uniq("t")))

    def test_many_concurrent_keepalive_connections(self):
        conns = [http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=20) for _ in range(40)]
        for c in conns:
            c.connect()
        errors = []

        def work(c):
            try:
                for _ in range(3):
                    if ddb_request(c, "ListTables", {})[0] != 200:
                        errors.append("status")
            except Exception as e:  # noqa: BLE001
                errors.append(repr(e))
        threads = [threading.Thread(target=work, args=(c,)) for c in conns]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        for c in conns:
            c.close()


class LatencyTest(EmulatorTestCase):
    no_auth = True
    extra_args = ["--latency-ms", "300"]

    def test_latency_is_added_and_configurable(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port, timeout=20)
        t0 = time.monotonic()
        self.assertEqual(ddb_request(conn, "ListTables", {})[0], 200)
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)  # the latency was added (a lower bound)
        conn.close()
        cfg = self.emu.set_config(latency_ms=0)
        self.assertEqual(cfg["latency_ms"], 0)


class ConcurrentLatencyTest(unittest.TestCase):
    """The latency wait holds no lock (httpd.py): requests on several connections wait at
    the same time. Each handler's wait is replaced by a meeting at a barrier of six; a
    server that waited one request at a time would never fill it (the barrier breaks)."""

    def test_concurrent_requests_wait_together(self):
        n = 6
        barrier = threading.Barrier(n)
        waits, met = [], []

        class MeetingTime:
            @staticmethod
            def sleep(seconds):
                waits.append(seconds)
                try:
                    barrier.wait(timeout=60)
                    met.append(True)
                except threading.BrokenBarrierError:
                    pass

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b"{}"]

        answers = []

        def client(port):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            c.request("POST", "/", body=b"{}")
            answers.append(c.getresponse().status)
            c.close()

        with mock.patch.object(httpd, "time", MeetingTime):
            srv = httpd.Server(0, app, latency=lambda: 0.3)
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            try:
                threads = [threading.Thread(target=client, args=(srv.server_address[1],)) for _ in range(n)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
            finally:
                srv.shutdown()
                srv.server_close()
        self.assertEqual(waits, [0.3] * n)
        self.assertEqual(len(met), n, "the requests did not wait at the same time")
        self.assertEqual(answers, [200] * n)


class TlsTest(unittest.TestCase):
    def test_https_with_generated_ca(self):
        with Emulator(extra_args=["--tls"]) as emu:
            self.assertTrue(emu.endpoint.startswith("https://127.0.0.1:"))
            self.assertTrue(emu.ca_file)
            self.assertEqual(emu._control("GET", "tls")["ca_file"], emu.ca_file)
            ddb = emu.client("dynamodb")
            self.assertIn("TableNames", ddb.list_tables())
            ctx = ssl.create_default_context(cafile=emu.ca_file)
            conn = http.client.HTTPSConnection("127.0.0.1", emu.port, context=ctx, timeout=10)
            conn.connect()
            local = conn.sock.getsockname()
            for _ in range(3):
                conn.request("GET", "/_emulator/clock")
                r = conn.getresponse()
                r.read()
                self.assertEqual(r.status, 200)
            self.assertEqual(conn.sock.getsockname(), local)
            conn.close()
            # a client without the CA refuses the certificate
            with self.assertRaises(ssl.SSLError):
                c = http.client.HTTPSConnection("127.0.0.1", emu.port, timeout=10,
                                                context=ssl.create_default_context())
                c.request("GET", "/_emulator/clock")


class OneWriteTest(unittest.TestCase):
    """An answer leaves in one write on a TCP_NODELAY socket. Sent as headers, then body,
    without TCP_NODELAY, the body waited for the client's delayed ACK (Nagle against the
    40 ms delayed ACK): every answer came 40 ms late (httpd.py)."""

    def test_answer_is_one_write_on_a_nodelay_socket(self):
        writes, nodelay = [], []
        setup = httpd._Handler.setup

        def recording_setup(handler):
            setup(handler)
            nodelay.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            real = handler.wfile

            class Recorder:
                def write(self, data):
                    writes.append(bytes(data))
                    return real.write(data)

                def __getattr__(self, name):
                    return getattr(real, name)

            handler.wfile = Recorder()

        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok": true}']

        with mock.patch.object(httpd._Handler, "setup", recording_setup):
            srv = httpd.Server(0, app)
            threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                             daemon=True).start()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=10)
                for _ in range(3):
                    conn.request("POST", "/", body=b"{}")
                    r = conn.getresponse()
                    self.assertEqual((r.status, r.read()), (200, b'{"ok": true}'))
                conn.close()
            finally:
                srv.shutdown()
                srv.server_close()
        self.assertEqual(len(writes), 3, writes)
        for w in writes:
            self.assertTrue(w.startswith(b"HTTP/1.1 200 OK\r\n") and w.endswith(b'\r\n\r\n{"ok": true}'), w)
            self.assertIn(b"Content-Length: 12\r\n", w)
        self.assertEqual(len(nodelay), 1)
        self.assertTrue(nodelay[0])


if __name__ == "__main__":
    unittest.main()
