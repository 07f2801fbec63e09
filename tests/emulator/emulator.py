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
        cmd = [sys.executable, SERVER, "--port", "0", "--log", self.log_path,
               "--delay-seconds", str(self.delay_seconds), "--region", self.region]
        if self.no_auth:
            cmd.append("--no-auth")
        cmd += self.extra_args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, text=True)
        # A guard against a server that never gets ready, not a speed: importing moto takes
        # many seconds on a machine loaded with other tests.
        deadline = time.time() + self.startup_timeout
        line = ""
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
