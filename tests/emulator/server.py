#!/usr/bin/env python3
"""Local AWS emulator for the provider's tests: moto 5.2.1 plus the behaviours
the provider depends on (see README.md in this directory).

    python3 tests/emulator/server.py --port 0 [--log FILE] [--delay-seconds S]
        [--region R] [--no-auth] [--access-key-id ID --secret-access-key KEY]
        [--throttle OP[:N]] [--error OP:STATUS[:N]] [--drop OP[:N]]
        [--op-delay OP:SECONDS[:N]] [--request-delay SECONDS]
        [--fail-stack STACK[:REASON]] [--fail-stack-rollback STACK[:REASON]]
        [--drop-response OP[:N]] [--page-size N] [--latency-ms N] [--tls]
        [--ttl-transition-seconds S] [--ttl-interval-seconds S] [--table-seconds S]
        [--rate-limits aws|off] [--rate-limit OP:RATE[:BURST]]

Binds 127.0.0.1 only, prints ``EMULATOR READY http://127.0.0.1:PORT pid=PID``
(plus `` ca=FILE`` with --tls) once listening, runs until SIGTERM/SIGINT.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import signal
import sys
import threading
import time
import urllib.parse
import uuid
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

DEFAULT_ACCESS_KEY_ID = "AKIAEMULATORTEST0001"
DEFAULT_SECRET_ACCESS_KEY = "EmulatorTestSecretKey0000000000000000000"
ACCOUNT_ID = "123456789012"

READ_ONLY_PREFIXES = ("Describe", "List", "Get", "Query", "Scan", "BatchGet", "TransactGet",
                      "ValidateTemplate", "EstimateTemplateCost")
LOG_PARAMS = ("ClientToken", "TableName", "StackName", "ChangeSetName", "ChangeSetType", "ExportName",
              "LogicalResourceId", "PhysicalResourceId", "ResourceArn", "RoleArn",
              "RoleSessionName", "DeletionMode", "IndexName", "BillingMode",
              "DeletionProtectionEnabled", "TimeToLiveSpecification",
              "PointInTimeRecoverySpecification", "UsePreviousTemplate", "TagKeys",
              "EnableTerminationProtection", "ClientRequestToken", "NextToken", "Limit")
SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method. Consult the service "
                "documentation for details.")
BAD_TOKEN = "The security token included in the request is invalid."
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


# --------------------------------------------------------------------------- faults
class Faults:
    """Fault rules. kind: throttle | error | drop | drop_response | delay | advance_clock | fail_stack."""

    def __init__(self) -> None:
        self.rules: list[dict] = []
        self.request_delay = 0.0

    @staticmethod
    def _norm(rule: dict) -> dict:
        kind = rule.get("kind")
        if kind not in ("throttle", "error", "drop", "drop_response", "delay", "advance_clock", "fail_stack"):
            raise ValueError(f"unknown fault kind {kind!r}")
        r = dict(rule)
        r.setdefault("count", 1)
        r["count"] = int(r["count"])
        if kind == "fail_stack":
            if not r.get("stack"):
                raise ValueError("fail_stack needs 'stack'")
            r.setdefault("reason", "Injected failure (emulator fail_stack fault)")
            rb = r.setdefault("rollback", "ok")
            if rb not in ("ok", "fail"):
                raise ValueError("fail_stack rollback must be 'ok' or 'fail'")
            r.setdefault("rollback_reason", "Injected rollback failure (emulator fail_stack fault)")
            r["skip"] = int(r.get("skip", 0))
            if r["skip"] < 0:
                raise ValueError("fail_stack skip must be 0 or more")
            return r
        r.setdefault("operation", "*")
        # skip: that many matching requests go through untouched first, so a test can
        # hit the Nth call of an operation (tests/e2e/test_lost_answers.py drops the
        # answer of each mutating call of a recorded apply in turn).
        r["skip"] = int(r.get("skip", 0))
        if r["skip"] < 0:
            raise ValueError("skip must be 0 or more")
        if kind == "error":
            r["status"] = int(r.get("status", 500))
            if r["status"] not in (500, 503):
                raise ValueError("error status must be 500 or 503")
        if kind == "delay":
            r["seconds"] = float(r.get("seconds", 1.0))
        if kind == "advance_clock":
            r["seconds"] = float(r.get("seconds", 0))
            if r["seconds"] < 0:
                raise ValueError("advance_clock seconds must be 0 or more")
        return r

    def add(self, rule: dict) -> dict:
        r = self._norm(rule)
        self.rules.append(r)
        return r

    @staticmethod
    def _match(rule: dict, service: str, op: str) -> bool:
        want = rule.get("operation", "*")
        if want == "*":
            return True
        if "." in want:
            svc, o = want.split(".", 1)
            return svc.lower() == service and (o == "*" or o == op)
        return want == op

    def take(self, service: str, op: str) -> list[dict]:
        """Consume and return the matching rules for this request (at most one per kind)."""
        got: dict[str, dict] = {}
        for r in list(self.rules):
            if r["kind"] == "fail_stack" or r["kind"] in got:
                continue
            if self._match(r, service, op):
                if r.get("skip", 0) > 0:
                    r["skip"] -= 1
                    continue
                got[r["kind"]] = r
                if r["count"] > 0:
                    r["count"] -= 1
                    if r["count"] == 0:
                        self.rules.remove(r)
        return list(got.values())


def parse_op_count(spec: str, need_value: bool = False) -> tuple[str, str | None, int]:
    """'OP[:VALUE][:N]' -> (op, value, n)."""
    parts = spec.split(":")
    op = parts[0]
    value = None
    if need_value:
        if len(parts) < 2:
            raise argparse.ArgumentTypeError(f"{spec}: expected OP:VALUE[:N]")
        value = parts[1]
        rest = parts[2:]
    else:
        rest = parts[1:]
    n = int(rest[0]) if rest else 1
    return op, value, n


# --------------------------------------------------------------------------- app
class Emulator:
    def __init__(self, args: argparse.Namespace):
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        import ddb_ext
        import ratelimit
        from emu_cfn import Engine
        from paging import Pager
        self.args = args
        self.rate = ratelimit.from_args(args)  # account-wide API rate limits (ratelimit.py)
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.engine = Engine(ACCOUNT_ID, args.region, args.delay_seconds)
        self.lock = self.engine.lock
        self.faults = Faults()
        self.faults.request_delay = args.request_delay
        self.auth = not args.no_auth
        self.credentials = {args.access_key_id: args.secret_access_key}
        self.log_path = args.log
        self.log_lock = threading.Lock()
        self.log_file = None  # opened at the first record, closed when the server stops
        self.counts: dict[str, int] = {}
        self.started = time.time()
        self.httpd = None  # the server, once listening (connection count for /_emulator/state)
        self.pager = Pager(args.page_size)
        self.latency_ms = float(args.latency_ms)
        self.tls_ca: str | None = None
        ddb_ext.SETTINGS.update(ttl_transition_seconds=args.ttl_transition_seconds,
                                ttl_interval_seconds=args.ttl_interval_seconds,
                                table_seconds=args.table_seconds,
                                index_seconds=lambda: self.engine.delay_seconds, pager=self.pager)
        for spec in args.throttle or []:
            op, _, n = parse_op_count(spec)
            self.faults.add({"kind": "throttle", "operation": op, "count": n})
        for spec in args.error or []:
            op, v, n = parse_op_count(spec, True)
            self.faults.add({"kind": "error", "operation": op, "status": int(v), "count": n})
        for spec in args.drop or []:
            op, _, n = parse_op_count(spec)
            self.faults.add({"kind": "drop", "operation": op, "count": n})
        for spec in args.drop_response or []:
            op, _, n = parse_op_count(spec)
            self.faults.add({"kind": "drop_response", "operation": op, "count": n})
        for spec in args.op_delay or []:
            op, v, n = parse_op_count(spec, True)
            self.faults.add({"kind": "delay", "operation": op, "seconds": float(v), "count": n})
        for spec in args.fail_stack or []:
            name, _, reason = spec.partition(":")
            self.add_fault({"kind": "fail_stack", "stack": name, **({"reason": reason} if reason else {})})
        for spec in args.fail_stack_rollback or []:
            name, _, reason = spec.partition(":")
            self.add_fault({"kind": "fail_stack", "stack": name, "rollback": "fail",
                            **({"reason": reason} if reason else {})})

    # ---- control
    def add_fault(self, rule: dict) -> dict:
        r = Faults._norm(rule)
        if r["kind"] == "fail_stack":
            with self.lock:
                q = self.engine.fail_stack.setdefault(r["stack"], [])
                # skip: that many stack operations succeed first (e.g. an IMPORT, then
                # the update that follows it fails).
                q.extend([{"pass": True}] * r["skip"])
                q.extend([{"reason": r["reason"], "rollback": r["rollback"],
                           "rollback_reason": r["rollback_reason"]}] * max(1, r["count"]))
            return r
        with self.lock:
            self.faults.rules.append(r)
        return r

    def config(self) -> dict:
        import ddb_ext
        return {"delay_seconds": self.engine.delay_seconds,
                "request_delay": self.faults.request_delay, "auth": self.auth,
                "region": self.args.region, "log": self.log_path,
                "page_size": self.pager.page_size, "latency_ms": self.latency_ms,
                "ttl_transition_seconds": ddb_ext.SETTINGS["ttl_transition_seconds"],
                "ttl_interval_seconds": ddb_ext.SETTINGS["ttl_interval_seconds"],
                "table_seconds": ddb_ext.SETTINGS["table_seconds"],
                "tls": bool(self.args.tls), "ca_file": self.tls_ca,
                "rate_limits": self.rate.config()}

    def state(self) -> dict:
        from clock import CLOCK
        with self.lock:
            return {
                "config": self.config(),
                "faults": [dict(r) for r in self.faults.rules] +
                          [{"kind": "fail_stack", "stack": k, "count": 1, **x}
                           for k, v in self.engine.fail_stack.items() for x in v],
                "counts": dict(self.counts),
                "cloudformation": self.engine.summary(),
                "clock": CLOCK.state(),
                "connections": self.httpd.connections if self.httpd else None,
                "rate_limits": self.rate.state(),
                "uptime_seconds": round(time.time() - self.started, 3),
            }

    def control(self, environ, start_response, path: str, body: bytes):
        import ddb_ext
        from clock import CLOCK
        method = environ["REQUEST_METHOD"]
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self._json(start_response, 400, {"error": "body is not JSON"})
        try:
            if path == "/_emulator/state" and method == "GET":
                return self._json(start_response, 200, self.state())
            if path == "/_emulator/clock":
                if method == "POST":
                    with self.lock:
                        CLOCK.advance(float(data.get("advance_seconds", 0)))
                        self.engine.tick()
                if method in ("GET", "POST"):
                    return self._json(start_response, 200, CLOCK.state())
            if path == "/_emulator/tls" and method == "GET":
                return self._json(start_response, 200, {"tls": bool(self.args.tls), "ca_file": self.tls_ca})
            if path == "/_emulator/faults":
                if method == "GET":
                    return self._json(start_response, 200, {"faults": self.state()["faults"]})
                if method == "DELETE":
                    with self.lock:
                        self.faults.rules.clear()
                        self.engine.fail_stack.clear()
                    return self._json(start_response, 200, {"faults": []})
                if method == "POST":
                    rules = data.get("faults", [data]) if isinstance(data, dict) else data
                    if isinstance(data, dict) and data.get("clear"):
                        with self.lock:
                            self.faults.rules.clear()
                            self.engine.fail_stack.clear()
                        rules = data.get("faults", [])
                    added = [self.add_fault(r) for r in rules]
                    return self._json(start_response, 200, {"added": added})
            if path == "/_emulator/config" and method in ("POST", "GET"):
                with self.lock:
                    if "delay_seconds" in data:
                        self.engine.delay_seconds = float(data["delay_seconds"])
                    if "request_delay" in data:
                        self.faults.request_delay = float(data["request_delay"])
                    if "auth" in data:
                        self.auth = bool(data["auth"])
                    if "page_size" in data:
                        ps = data["page_size"]
                        if ps is not None and int(ps) < 1:
                            raise ValueError("page_size must be >= 1 or null")
                        self.pager.page_size = None if ps is None else int(ps)
                    if "latency_ms" in data:
                        self.latency_ms = max(0.0, float(data["latency_ms"]))
                    for k in ("ttl_transition_seconds", "ttl_interval_seconds", "table_seconds"):
                        if k in data:
                            ddb_ext.SETTINGS[k] = max(0.0, float(data[k]))
                    if "rate_limits" in data or "rate_limit" in data:
                        over = data.get("rate_limit") or {}
                        if not isinstance(over, dict):
                            raise ValueError("rate_limit is an object {OP: \"RATE[:BURST]\" | null}")
                        if "rate_limits" in data:
                            self.rate.configure(data["rate_limits"], over)
                        else:
                            self.rate.configure(overrides=over)
                    return self._json(start_response, 200, self.config())
            if path == "/_emulator/reset" and method == "POST":
                from moto.moto_api._internal.models import moto_api_backend
                with self.lock:
                    moto_api_backend.reset()
                    self.engine.reset()
                    self.faults.rules.clear()
                    self.counts.clear()
                    self.pager.reset()
                    self.rate.reset(config=bool(data.get("config", True)))
                    if data.get("config", True):
                        self.engine.delay_seconds = float(self.args.delay_seconds)
                        self.faults.request_delay = float(self.args.request_delay)
                        self.auth = not self.args.no_auth
                        self.pager.page_size = self.args.page_size
                        self.latency_ms = float(self.args.latency_ms)
                        ddb_ext.SETTINGS.update(ttl_transition_seconds=self.args.ttl_transition_seconds,
                                                ttl_interval_seconds=self.args.ttl_interval_seconds,
                                                table_seconds=self.args.table_seconds)
                return self._json(start_response, 200, {"reset": True})
        except (ValueError, TypeError, KeyError) as e:
            return self._json(start_response, 400, {"error": str(e)})
        return self._json(start_response, 404, {"error": f"unknown control endpoint {method} {path}"})

    @staticmethod
    def _json(start_response, status: int, obj) -> list[bytes]:
        body = json.dumps(obj, default=str).encode()
        start_response(f"{status} {'OK' if status == 200 else 'Error'}",
                       [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    # ---- request classification
    @staticmethod
    def classify(environ, body: bytes) -> tuple[str, str, dict, dict | None]:
        """Returns (service, operation, log params, query form or None)."""
        auth = environ.get("HTTP_AUTHORIZATION", "")
        scope_service = None
        if "Credential=" in auth:
            try:
                cred = auth.split("Credential=", 1)[1].split(",", 1)[0].strip()
                scope_service = cred.split("/")[3]
            except IndexError:
                pass
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            svc = "dynamodb" if target.startswith("DynamoDB_") else (scope_service or target.split("_")[0].lower())
            op = target.split(".", 1)[-1]
            params = {}
            try:
                doc = json.loads(body or b"{}")
                params = {k: doc[k] for k in LOG_PARAMS if k in doc}
            except ValueError:
                pass
            return svc, op, params, None
        form: dict = {}
        ctype = environ.get("CONTENT_TYPE", "")
        if body and "x-www-form-urlencoded" in ctype:
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        qs = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        for k, v in qs.items():
            form.setdefault(k, v)
        op = form.get("Action", "")
        version = form.get("Version", "")
        if scope_service:
            svc = scope_service
        elif version == "2010-05-15":
            svc = "cloudformation"
        elif version == "2011-06-15":
            svc = "sts"
        else:
            svc = "unknown"
        params = {}
        for k in LOG_PARAMS:
            if k in form:
                params[k] = form[k]
        if svc == "cloudformation":
            n = len([k for k in form if k.startswith("ResourcesToImport.member.") and k.endswith(".LogicalResourceId")])
            if n:
                params["ResourcesToImport"] = [form[f"ResourcesToImport.member.{i}.LogicalResourceId"] for i in range(1, n + 1)
                                               if f"ResourcesToImport.member.{i}.LogicalResourceId" in form]
            rr = [v for k, v in sorted(form.items()) if k.startswith("RetainResources.member.")]
            if rr:
                params["RetainResources"] = rr
        return svc, op, params, form

    # ---- authentication
    def lookup_secret(self, akid: str, token: str | None) -> str | None:
        if akid in self.credentials:
            return self.credentials[akid]
        try:  # credentials issued by moto's STS (AssumeRole etc.)
            from moto.sts.models import sts_backends
            for acct in list(sts_backends.keys()):
                for part in list(sts_backends[acct].keys()):
                    for role in sts_backends[acct][part].assumed_roles:
                        if role.access_key_id == akid:
                            if token and token != role.session_token:
                                return None
                            return role.secret_access_key
        except Exception:
            pass
        try:  # access keys created through moto's IAM
            from moto.iam.models import iam_backends
            for acct in list(iam_backends.keys()):
                for part in list(iam_backends[acct].keys()):
                    for user in iam_backends[acct][part].users.values():
                        for key in user.access_keys:
                            if key.access_key_id == akid:
                                return key.secret_access_key
        except Exception:
            pass
        return None

    def check_auth(self, environ, body: bytes, service: str, op: str) -> tuple[str, str, int] | None:
        """None if the request is properly signed, else (code, message, status)."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        ddb = service == "dynamodb"
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if not auth:
            if service == "sts" and op in ("AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"):
                return None
            return (("MissingAuthenticationTokenException" if ddb else "MissingAuthenticationToken"),
                    "Request is missing Authentication Token", 400 if ddb else 403)
        try:
            algo, rest = auth.split(" ", 1)
            fields = {}
            for part in rest.split(","):
                k, _, v = part.strip().partition("=")
                fields[k] = v
            cred = fields["Credential"].split("/")
            akid, date, region, svc = cred[0], cred[1], cred[2], cred[3]
            signed = fields["SignedHeaders"].split(";")
            sig = fields["Signature"]
            if algo != "AWS4-HMAC-SHA256" or len(cred) != 5 or cred[4] != "aws4_request":
                raise ValueError
        except (ValueError, KeyError, IndexError):
            return (("IncompleteSignatureException" if ddb else "IncompleteSignature"),
                    "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' "
                    "parameters.", 400)
        token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
        secret = self.lookup_secret(akid, token)
        if secret is None:
            return (("UnrecognizedClientException" if ddb else "InvalidClientTokenId"), BAD_TOKEN,
                    400 if ddb else 403)
        amz_date = environ.get("HTTP_X_AMZ_DATE", "")
        try:
            t = _dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=_dt.timezone.utc)
        except ValueError:
            return (("IncompleteSignatureException" if ddb else "IncompleteSignature"),
                    "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
                    "header.", 400)
        now = _dt.datetime.now(_dt.timezone.utc)
        if abs((now - t).total_seconds()) > 15 * 60:
            earliest = (now - _dt.timedelta(minutes=15)).strftime("%Y%m%dT%H%M%SZ")
            msg = (f"Signature expired: {amz_date} is now earlier than {earliest} "
                   f"({now.strftime('%Y%m%dT%H%M%SZ')} - 15 min.)")
            return (("InvalidSignatureException", msg, 400) if ddb else ("RequestExpired", msg, 400))
        headers = {}
        for h in signed:
            key = "HTTP_" + h.upper().replace("-", "_")
            if h == "content-type":
                val = environ.get("CONTENT_TYPE")
            elif h == "content-length":
                val = environ.get("CONTENT_LENGTH")
            else:
                val = environ.get(key)
            if val is None:
                return (("InvalidSignatureException" if ddb else "SignatureDoesNotMatch"),
                        SIG_MISMATCH, 400 if ddb else 403)
            headers[h] = val
        path = environ.get("RAW_URI") or environ.get("REQUEST_URI") or urllib.parse.quote(environ.get("PATH_INFO", "/"))
        if "?" not in path and environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        url = f"http://{headers.get('host', environ.get('HTTP_HOST', 'localhost'))}{path}"
        req = AWSRequest(method=environ["REQUEST_METHOD"], url=url, data=body, headers=headers)
        req.context["timestamp"] = amz_date
        signer = SigV4Auth(Credentials(akid, secret, token), svc, region)
        try:
            canonical = signer.canonical_request(req)
            expected = signer.signature(signer.string_to_sign(req, canonical), req)
        except Exception:
            expected = None
        if expected != sig or date != amz_date[:8]:
            return (("InvalidSignatureException" if ddb else "SignatureDoesNotMatch"), SIG_MISMATCH,
                    400 if ddb else 403)
        return None

    # ---- responses
    @staticmethod
    def error_body(service: str, code: str, message: str, status: int) -> tuple[bytes, str]:
        rid = str(uuid.uuid4())
        if service == "dynamodb":
            ns = ("com.amazon.coral.service#" if code in (
                "UnrecognizedClientException", "InvalidSignatureException",
                "IncompleteSignatureException", "MissingAuthenticationTokenException",
                "InternalFailure", "ServiceUnavailable")
                else "com.amazonaws.dynamodb.v20120810#")
            body = json.dumps({"__type": ns + code, "message": message}).encode()
            return body, "application/x-amz-json-1.0"
        from emu_cfn import xml_error
        ns = STS_NS if service == "sts" else "http://cloudformation.amazonaws.com/doc/2010-05-15/"
        return xml_error(code, message, rid, sender=status < 500, ns=ns).encode(), "text/xml"

    def send(self, start_response, status: int, body: bytes, ctype: str, service: str):
        headers = [("Content-Type", ctype), ("Content-Length", str(len(body))),
                   ("x-amzn-RequestId", str(uuid.uuid4()))]
        if service == "dynamodb":
            headers.append(("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF)))
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
                  500: "Internal Server Error", 503: "Service Unavailable"}.get(status, "Error")
        start_response(f"{status} {reason}", headers)
        return [body]

    def log(self, rec: dict) -> None:
        if not self.log_path:
            return
        line = json.dumps(rec, default=str, sort_keys=True)
        with self.log_lock:  # opened once; each line flushed, so readers see it at once
            if self.log_file is None:
                self.log_file = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
            self.log_file.write(line + "\n")
            self.log_file.flush()

    # ---- WSGI entry
    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "/")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        body = environ["wsgi.input"].read(length) if length else b""
        if path.startswith("/_emulator/"):
            return self.control(environ, start_response, path, body)
        environ["wsgi.input"] = io.BytesIO(body)
        t0 = time.time()
        service, op, params, form = self.classify(environ, body)
        rec = {"time": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds"),
               "service": service, "operation": op, "params": params, "status": None,
               "error": None, "fault": None, "rate_limited": None,
               "mutating": bool(op) and not op.startswith(READ_ONLY_PREFIXES)}
        with self.lock:
            self.counts[f"{service}.{op}"] = self.counts.get(f"{service}.{op}", 0) + 1
            taken = self.faults.take(service, op)
            req_delay = self.faults.request_delay
        kinds = {r["kind"]: r for r in taken}
        delay = req_delay + (kinds["delay"]["seconds"] if "delay" in kinds else 0.0)
        if delay > 0:
            time.sleep(delay)
            if "delay" in kinds:
                rec["fault"] = "delay"
        try:
            if "drop" in kinds:
                rec.update(fault="drop", status=0, error="ConnectionDropped")
                environ["emulator.drop"] = "before"
                start_response("500 Dropped", [("Content-Length", "0")])
                return [b""]
            if "throttle" in kinds:
                code, msg = self.rate.answer(service)
                rec.update(fault="throttle", status=400, error=code)
                b, ct = self.error_body(service, code, msg, 400)
                return self.send(start_response, 400, b, ct, service)
            if "error" in kinds:
                st = kinds["error"]["status"]
                if service == "dynamodb":
                    code, msg = (("InternalServerError", "Internal server error") if st == 500
                                 else ("ServiceUnavailable", "Service Unavailable"))
                else:
                    code, msg = (("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.")
                                 if st == 500 else ("ServiceUnavailable", "The request has failed due to a temporary failure of the server."))
                rec.update(fault="error", status=st, error=code)
                b, ct = self.error_body(service, code, msg, st)
                return self.send(start_response, st, b, ct, service)
            with self.lock:
                auth_on = self.auth
            if auth_on:
                bad = self.check_auth(environ, body, service, op)
                if bad:
                    code, msg, st = bad
                    rec.update(status=st, error=code)
                    b, ct = self.error_body(service, code, msg, st)
                    return self.send(start_response, st, b, ct, service)
            # Over the account's budget: refused before it runs (ratelimit.py; an
            # unauthenticated request belongs to no account, so it is never counted).
            limited = self.rate.take(service, op, self.region_of(environ))
            if limited:
                code, msg = self.rate.answer(service)
                rec.update(status=400, error=code, rate_limited=limited)
                b, ct = self.error_body(service, code, msg, 400)
                return self.send(start_response, 400, b, ct, service)
            out = self.handle(environ, start_response, service, op, body, form, rec)
            if "drop_response" in kinds:  # the request took effect; its answer is lost
                rec["fault"] = "drop_response"
                environ["emulator.drop"] = "after"
            if "advance_clock" in kinds:  # time passes while the client works on the answer
                from clock import CLOCK
                with self.lock:
                    CLOCK.advance(kinds["advance_clock"]["seconds"])
                    self.engine.tick()
                rec["fault"] = rec["fault"] or "advance_clock"
            return out
        finally:
            rec["duration_ms"] = round((time.time() - t0) * 1000, 1)
            self.log(rec)

    def handle(self, environ, start_response, service, op, body, form, rec):
        import validator
        if service in ("cloudformation", "sts", "dynamodb"):
            try:
                if service == "dynamodb":
                    typed = validator.check_json("dynamodb", op, body)
                else:
                    typed = validator.check_query(service, op, form or {})
            except validator.Invalid as e:
                rec.update(status=e.status, error=e.code)
                b, ct = self.error_body(service, e.code, e.message, e.status)
                return self.send(start_response, e.status, b, ct, service)
            if service == "cloudformation":
                return self.cloudformation(environ, start_response, op, typed, rec)
            if service == "dynamodb":
                answered = self.dynamodb_front(environ, start_response, op, typed, rec)
                if answered is not None:
                    return answered
                region = self.region_of(environ)
                return self.forward(environ, start_response, rec,
                                    after=lambda: ddb_ext_after(op, typed, ACCOUNT_ID, region))
        return self.forward(environ, start_response, rec)

    def region_of(self, environ) -> str:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "Credential=" in auth:
            try:
                return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[2]
            except IndexError:
                pass
        return self.args.region

    def dynamodb_front(self, environ, start_response, op: str, params: dict, rec: dict):
        import ddb_ext
        try:
            with self.lock:
                self.engine.tick()
                result = ddb_ext.front(op, params, ACCOUNT_ID, self.region_of(environ))
        except ddb_ext.DdbError as e:
            rec.update(status=e.status, error=e.code)
            b, ct = self.error_body("dynamodb", e.code, e.message, e.status)
            return self.send(start_response, e.status, b, ct, "dynamodb")
        if result is None:
            return None
        rec["status"] = 200

        def enc(o):
            if isinstance(o, _dt.datetime):
                return round(o.timestamp(), 3)
            return str(o)
        return self.send(start_response, 200, json.dumps(result, default=enc).encode(),
                         "application/x-amz-json-1.0", "dynamodb")

    def cloudformation(self, environ, start_response, op: str, params: dict, rec: dict):
        from emu_cfn import CfnError, dispatch, xml_response
        from paging import CFN_LIST_KEYS, BadToken
        region = self.region_of(environ)
        rid = str(uuid.uuid4())
        try:
            with self.lock:
                self.engine.tick()
                result = dispatch(self.engine, region, op, params)
                key = CFN_LIST_KEYS.get(op)
                if key and result is not None and isinstance(result.get(key), list) and \
                        not (op == "DescribeStacks" and params.get("StackName")):
                    try:
                        result[key], nxt = self.pager.page(f"cloudformation.{op}", params, result[key],
                                                           params.get("NextToken"))
                    except BadToken:  # UNCONFIRMED wording
                        raise CfnError("ValidationError", "Invalid NextToken")
                    result.pop("NextToken", None)
                    if nxt:
                        result["NextToken"] = nxt
        except CfnError as e:
            rec.update(status=e.status, error=e.code)
            b, ct = self.error_body("cloudformation", e.code, e.message, e.status)
            return self.send(start_response, e.status, b, ct, "cloudformation")
        except Exception as e:  # engine bug: report as InternalFailure, keep serving
            import traceback
            traceback.print_exc(file=sys.stderr)
            rec.update(status=500, error="InternalFailure")
            b, ct = self.error_body("cloudformation", "InternalFailure", f"{type(e).__name__}: {e}", 500)
            return self.send(start_response, 500, b, ct, "cloudformation")
        rec["status"] = 200
        return self.send(start_response, 200, xml_response(op, result, rid).encode(), "text/xml",
                         "cloudformation")

    def forward(self, environ, start_response, rec: dict, after=None):
        """moto answers; `after` runs, under the lock, when it answered 200."""
        captured: dict = {}

        def sr(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        with self.lock:
            self.engine.tick()
            chunks = b"".join(self.moto_app(environ, sr))
            if after is not None and captured["status"].startswith("200"):
                after()
        status = int(captured["status"].split()[0])
        rec["status"] = status
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        if status >= 400:
            ctype = dict((k.lower(), v) for k, v in headers).get("content-type", "")
            try:
                if "json" in ctype or chunks.startswith(b"{"):
                    t = json.loads(chunks).get("__type", "")
                    rec["error"] = t.split("#")[-1].split(":")[0] or None
                else:
                    import re
                    m = re.search(rb"<Code>([^<]+)</Code>", chunks)
                    rec["error"] = m.group(1).decode() if m else None
            except ValueError:
                pass
        if rec["service"] == "dynamodb":
            headers = [(k, v) for k, v in headers if k.lower() != "x-amz-crc32"]
            headers.append(("x-amz-crc32", str(zlib.crc32(chunks) & 0xFFFFFFFF)))
        headers.append(("Content-Length", str(len(chunks))))
        start_response(captured["status"], headers)
        return [chunks]


def ddb_ext_after(op: str, params: dict, account: str, region: str) -> None:
    import ddb_ext
    ddb_ext.after(op, params, account, region)


# --------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    p.add_argument("--log", help="append one JSON line per API call to FILE")
    p.add_argument("--delay-seconds", type=float, default=0.0,
                   help="time (emulator clock) stack and change-set operations stay in progress "
                        "and indexes stay CREATING (default 0)")
    p.add_argument("--region", default="us-east-1", help="region for unsigned requests")
    p.add_argument("--no-auth", action="store_true", help="do not check SigV4 signatures")
    p.add_argument("--access-key-id", default=DEFAULT_ACCESS_KEY_ID)
    p.add_argument("--secret-access-key", default=DEFAULT_SECRET_ACCESS_KEY)
    p.add_argument("--throttle", action="append", metavar="OP[:N]",
                   help="answer the next N (default 1) OP requests with a throttling error")
    p.add_argument("--error", action="append", metavar="OP:STATUS[:N]",
                   help="answer the next N OP requests with HTTP STATUS (500 or 503)")
    p.add_argument("--drop", action="append", metavar="OP[:N]",
                   help="close the connection without a response for the next N OP requests")
    p.add_argument("--drop-response", action="append", metavar="OP[:N]",
                   help="run the next N OP requests, then close the connection without the answer")
    p.add_argument("--op-delay", action="append", metavar="OP:SECONDS[:N]",
                   help="delay the next N OP requests by SECONDS")
    p.add_argument("--request-delay", type=float, default=0.0, metavar="SECONDS",
                   help="delay every request by SECONDS")
    p.add_argument("--fail-stack", action="append", metavar="STACK[:REASON]",
                   help="make the next create/update/import/delete of STACK fail with REASON")
    p.add_argument("--fail-stack-rollback", action="append", metavar="STACK[:REASON]",
                   help="like --fail-stack, and the rollback that follows fails too")
    p.add_argument("--ttl-transition-seconds", type=float, default=3.0,
                   help="time (emulator clock) TTL stays ENABLING/DISABLING (default 3)")
    p.add_argument("--ttl-interval-seconds", type=float, default=3600.0,
                   help="one TTL change per table within this time (emulator clock; default 3600)")
    p.add_argument("--table-seconds", type=float, default=1.0,
                   help="time (emulator clock) a table stays CREATING after CreateTable or a restore, "
                        "and UPDATING after an UpdateTable of its capacity, billing mode, stream or "
                        "class (default 1)")
    p.add_argument("--page-size", type=int, default=None,
                   help="items per page of every paginated answer (default: AWS's page sizes)")
    p.add_argument("--latency-ms", type=float, default=0.0,
                   help="answer every request N ms later (no lock held; requests overlap)")
    p.add_argument("--tls", action="store_true",
                   help="serve HTTPS with a CA and certificate made at start")
    p.add_argument("--rate-limits", choices=("aws", "off"), default=None,
                   help="enforce AWS's account-wide API rate limits (token buckets per operation, "
                        "docs/aws-behaviour.md §12); default off")
    p.add_argument("--rate-limit", action="append", metavar="OP:RATE[:BURST]",
                   help="one limit (over the profile, or alone): RATE per second, N/SECONDS or off; "
                        "BURST default one second of RATE")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    import ddb_ext
    import httpd
    import ratelimit
    ddb_ext.patch_moto()
    try:
        emu = Emulator(args)
    except ratelimit.BadLimit as e:
        build_parser().error(str(e))
    ssl_ctx = None
    ready_extra = ""
    if args.tls:
        import tempfile
        import tlscert
        paths = tlscert.make(tempfile.mkdtemp(prefix="emulator-tls-"))
        ssl_ctx = tlscert.server_context(paths)
        emu.tls_ca = paths["ca"]
        ready_extra = f" ca={paths['ca']}"
    server = httpd.Server(args.port, emu, ssl_ctx, latency=lambda: emu.latency_ms / 1000.0)
    emu.httpd = server
    port = server.server_address[1]
    stop = threading.Event()

    def ticker():
        while not stop.wait(0.05):
            try:
                with emu.lock:
                    emu.engine.tick()
            except Exception:
                import traceback
                traceback.print_exc(file=sys.stderr)

    threading.Thread(target=ticker, daemon=True).start()

    def on_signal(signum, frame):
        stop.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheme = "https" if args.tls else "http"
    print(f"EMULATOR READY {scheme}://127.0.0.1:{port} pid={os.getpid()}{ready_extra}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        with emu.log_lock:
            if emu.log_file is not None:
                emu.log_file.close()
                emu.log_file = None
        if emu.tls_ca:
            import shutil
            shutil.rmtree(os.path.dirname(emu.tls_ca), ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
