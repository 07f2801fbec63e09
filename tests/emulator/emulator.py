"""Helper for tests: start the emulator on a free loopback port and talk to it.

    from emulator import Emulator
    with Emulator(delay_seconds=0) as emu:
        cfn = emu.client("cloudformation")
        ...
        emu.add_fault(kind="throttle", operation="DescribeStacks", count=2)
        emu.set_config(delay_seconds=2)
        emu.advance_clock(3600)    # emulator clock: past the TTL change interval
        emu.set_rate_limits("aws", {"DescribeStacks": "1:2"})   # AWS's API rate limits
        emu.log_records()          # parsed request log

The server is stopped by its PID (SIGTERM, then SIGKILL after a grace period).
"""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
ACCESS_KEY_ID = "AKIAEMULATORTEST0001"
SECRET_ACCESS_KEY = "EmulatorTestSecretKey0000000000000000000"
ACCOUNT_ID = "123456789012"
REGION = "us-east-1"


class Emulator:
    def __init__(self, delay_seconds: float = 0.0, log_path: str | None = None,
                 no_auth: bool = False, extra_args: list[str] | None = None,
                 region: str = REGION, startup_timeout: float = 300.0):
        self.delay_seconds = delay_seconds
        self.no_auth = no_auth
        self.extra_args = list(extra_args or [])
        self.region = region
        self.startup_timeout = startup_timeout
        self._tmpdir = None
        if log_path is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="emulator-")
            log_path = os.path.join(self._tmpdir.name, "requests.log")
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self._conn = None  # the zygote's connection, when it forked this emulator
        self._conn_buf = b""
        self.pid: int | None = None
        self.port: int | None = None
        self.endpoint: str | None = None
        self.access_key_id = ACCESS_KEY_ID
        self.secret_access_key = SECRET_ACCESS_KEY
        self.account_id = ACCOUNT_ID
        self.ca_file: str | None = None

    # ---- lifecycle
    def start(self) -> "Emulator":
        os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
        argv = ["--port", "0", "--log", self.log_path,
                "--delay-seconds", str(self.delay_seconds), "--region", self.region]
        if self.no_auth:
            argv.append("--no-auth")
        argv += self.extra_args
        # A guard against a server that never gets ready, not a speed: importing moto takes
        # many seconds on a machine loaded with other tests.
        deadline = time.time() + self.startup_timeout
        self.pid = None
        zygote_sock = os.environ.get("TPD_EMULATOR_ZYGOTE")
        if zygote_sock and os.path.exists(zygote_sock):
            # Forked by the fork server (zygote.py), which has imported moto already;
            # without one (or when it does not answer), server.py runs as before.
            import zygote
            self._conn = zygote.connect(zygote_sock, argv, self.startup_timeout)
        line = ""
        if self._conn is not None:
            line = self._conn_line(max(deadline - time.time(), 0.1)) or ""
            if line == "":  # the end without a word: the zygote could not fork (zygote.py)
                self._conn.close()
                self._conn = None
        if self._conn is None:
            self.proc = subprocess.Popen([sys.executable, SERVER] + argv, stdout=subprocess.PIPE,
                                         stderr=None, text=True)
            while time.time() < deadline:
                r, _, _ = select.select([self.proc.stdout], [], [], 0.5)
                if r:
                    line = self.proc.stdout.readline()
                    if line.startswith("EMULATOR READY "):
                        break
                    if not line and self.proc.poll() is not None:
                        break
                elif self.proc.poll() is not None:
                    break
        if not line.startswith("EMULATOR READY "):
            self.stop()
            raise RuntimeError(f"emulator did not start (last line: {line!r})")
        parts = line.split()
        url, pid = parts[2], parts[3]
        self.ca_file = next((p.split("=", 1)[1] for p in parts[4:] if p.startswith("ca=")), None)
        self.endpoint = url
        self.port = int(url.rsplit(":", 1)[1])
        self.pid = int(pid.split("=", 1)[1])
        return self

    def stop(self, grace: float = 5.0) -> int | None:
        if self._conn is not None:
            return self._stop_forked(grace)
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def _stop_forked(self, grace: float) -> int | None:
        """Stop an emulator the zygote forked: SIGTERM by its PID, then its exit status
        from the zygote ("EXITED N" on the connection); SIGKILL after the grace period."""
        rc = None
        # Without a READY line there is no PID to signal: closing the connection is what
        # stops the child (zygote.py).
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 30.0)) if self.pid else ():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            line = self._conn_line(wait)
            if line is None:  # the timeout: still running
                continue
            if line.startswith("EXITED "):
                rc = int(line.split()[1])
            break  # EXITED, or the end of the connection: the child is gone
        self._conn.close()  # without a READY line, this is what stops the child
        self._conn = None
        self._conn_buf = b""
        return rc

    def _conn_line(self, timeout: float) -> str | None:
        """The zygote connection's next line; "" at its end, None when TIMEOUT passes first."""
        deadline = time.time() + timeout
        while b"\n" not in self._conn_buf:
            left = deadline - time.time()
            if left <= 0:
                return None
            self._conn.settimeout(left)
            try:
                chunk = self._conn.recv(4096)
            except TimeoutError:
                return None
            except OSError:
                chunk = b""
            if not chunk:
                line, self._conn_buf = self._conn_buf, b""
                return line.decode("utf-8", "replace")
            self._conn_buf += chunk
        line, self._conn_buf = self._conn_buf.split(b"\n", 1)
        return line.decode("utf-8", "replace") + "\n"

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._tmpdir is not None:
            self._tmpdir.cleanup()

    # ---- clients
    def client(self, service: str, access_key_id: str | None = None,
               secret_access_key: str | None = None, **config):
        import boto3
        from botocore.config import Config
        cfg = Config(retries={"mode": "standard",
                              "total_max_attempts": config.pop("max_attempts", 1)},
                     connect_timeout=5, read_timeout=config.pop("read_timeout", 30), **config)
        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.region,
                            aws_access_key_id=access_key_id or self.access_key_id,
                            aws_secret_access_key=secret_access_key or self.secret_access_key,
                            config=cfg, verify=self.ca_file if self.ca_file else None)

    def env(self) -> dict:
        """Environment variables pointing an AWS SDK / the provider at the emulator."""
        env = {"AWS_ACCESS_KEY_ID": self.access_key_id,
               "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
               "AWS_REGION": self.region, "AWS_DEFAULT_REGION": self.region,
               "AWS_ENDPOINT_URL": self.endpoint, "AWS_EC2_METADATA_DISABLED": "true"}
        if self.ca_file:
            env["AWS_CA_BUNDLE"] = self.ca_file
        return env

    # ---- control API
    def _control(self, method: str, path: str, body: dict | list | None = None) -> dict:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.endpoint}/_emulator/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        ctx = None
        if self.ca_file:
            import ssl
            ctx = ssl.create_default_context(cafile=self.ca_file)
        with urllib.request.urlopen(req, timeout=10, context=ctx) as resp:
            return json.loads(resp.read())

    def add_fault(self, **rule) -> dict:
        return self._control("POST", "faults", rule)

    def clear_faults(self) -> dict:
        return self._control("DELETE", "faults")

    def faults(self) -> list:
        return self._control("GET", "faults")["faults"]

    def set_config(self, **cfg) -> dict:
        return self._control("POST", "config", cfg)

    def set_delay(self, seconds: float) -> dict:
        return self.set_config(delay_seconds=seconds)

    def state(self) -> dict:
        return self._control("GET", "state")

    def advance_clock(self, seconds: float) -> dict:
        """Move the emulator clock forward (TTL interval, delays, index builds)."""
        return self._control("POST", "clock", {"advance_seconds": seconds})

    def clock(self) -> dict:
        return self._control("GET", "clock")

    def set_page_size(self, n: int | None) -> dict:
        return self.set_config(page_size=n)

    def set_rate_limits(self, profile: str | None = ..., overrides: dict | None = None) -> dict:
        """Account-wide API rate limits (ratelimit.py): a profile ("aws" or "off"; left out:
        keep the current one and its overrides) and/or {OP: "RATE[:BURST]" | None} overrides."""
        body: dict = {"rate_limit": overrides or {}}
        if profile is not ...:
            body["rate_limits"] = profile or "off"
        return self.set_config(**body)["rate_limits"]

    def reset(self) -> dict:
        return self._control("POST", "reset", {})

    # ---- request log
    def log_records(self) -> list[dict]:
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(x) for x in f if x.strip()]

    def log_mark(self) -> int:
        """Number of log lines so far; pass to log_records_since()."""
        return len(self.log_records())

    def log_records_since(self, mark: int) -> list[dict]:
        return self.log_records()[mark:]
