#!/usr/bin/env python3
"""Local AWS emulator for the provider's tests: moto 5.2.1 plus the behaviours
the provider depends on (see README.md in this directory).

    python3 tests/emulator/server.py --port 0 [--log FILE] [--delay-seconds S]
        [--region R] [--no-auth] [--access-key-id ID --secret-access-key KEY]
        [--throttle OP[:N]] [--error OP:STATUS[:N]] [--drop OP[:N]]
        [--op-delay OP:SECONDS[:N]] [--request-delay SECONDS]
        [--fail-stack STACK[:REASON]]

Binds 127.0.0.1 only, prints ``EMULATOR READY http://127.0.0.1:PORT pid=PID``
once listening, runs until SIGTERM/SIGINT.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import io
import json
import os
import signal
import socket
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
LOG_PARAMS = ("TableName", "StackName", "ChangeSetName", "ChangeSetType", "ExportName",
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


# --------------------------------------------------------------------------- moto patches
def patch_moto() -> None:
    """DynamoDB behaviour that moto 5.2.1 gets wrong, made to follow real DynamoDB."""
    from moto.dynamodb import exceptions as dx
    from moto.dynamodb.models import DynamoDBBackend

    class ProtectedDelete(dx.MockValidationException):
        def __init__(self, table_name: str):
            super().__init__("Resource cannot be deleted as it is currently protected against "
                             "deletion. Disable deletion protection first.")

    def delete_table(self, name):  # real DynamoDB message (brief §5.4)
        table = self.get_table(name)
        if getattr(table, "deletion_protection_enabled", False):
            raise ProtectedDelete(name)
        return self.tables.pop(table.name)

    def update_time_to_live(self, table_name, ttl_spec):  # brief §5.3
        try:
            table = self.get_table(table_name)
        except dx.ResourceNotFoundException:
            raise dx.ResourceNotFoundException(table_name=table_name)
        name = ttl_spec.get("AttributeName")
        if "Enabled" not in ttl_spec or name is None:
            raise dx.MockValidationException(
                "1 validation error detected: Value null at 'timeToLiveSpecification' failed to "
                "satisfy constraint: Member must not be null")
        if name == "":
            raise dx.MockValidationException(
                "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' "
                "failed to satisfy constraint: Member must have length greater than or equal to 1")
        enabled = bool(ttl_spec["Enabled"])
        cur = table.ttl.get("TimeToLiveStatus", "DISABLED")
        cur_name = table.ttl.get("AttributeName")
        if cur == "ENABLED" and cur_name != name:
            raise dx.MockValidationException(
                f"TimeToLive is active on a different AttributeName: current AttributeName is {cur_name}")
        if enabled and cur == "ENABLED":
            raise dx.MockValidationException("TimeToLive is already enabled")
        if not enabled and cur != "ENABLED":
            raise dx.MockValidationException("TimeToLive is already disabled")
        table.ttl = ({"TimeToLiveStatus": "ENABLED", "AttributeName": name} if enabled
                     else {"TimeToLiveStatus": "DISABLED"})

    def describe_time_to_live(self, table_name):
        try:
            table = self.get_table(table_name)
        except dx.ResourceNotFoundException:
            raise dx.ResourceNotFoundException(table_name=table_name)
        return table.ttl

    def tag_resource(self, table_arn, tags):  # TagResource overwrites existing keys
        for table in self.tables.values():
            if table.table_arn == table_arn:
                cur = {t["Key"]: t["Value"] for t in table.tags}
                for t in tags:
                    cur[t["Key"]] = t["Value"]
                table.tags = [{"Key": k, "Value": v} for k, v in cur.items()]
                return
        raise dx.ResourceNotFoundException()

    DynamoDBBackend.delete_table = delete_table
    DynamoDBBackend.update_time_to_live = update_time_to_live
    DynamoDBBackend.describe_time_to_live = describe_time_to_live
    DynamoDBBackend.tag_resource = tag_resource


# --------------------------------------------------------------------------- faults
class Faults:
    """Fault rules. kind: throttle | error | drop | delay | fail_stack."""

    def __init__(self) -> None:
        self.rules: list[dict] = []
        self.request_delay = 0.0

    @staticmethod
    def _norm(rule: dict) -> dict:
        kind = rule.get("kind")
        if kind not in ("throttle", "error", "drop", "delay", "fail_stack"):
            raise ValueError(f"unknown fault kind {kind!r}")
        r = dict(rule)
        r.setdefault("count", 1)
        r["count"] = int(r["count"])
        if kind == "fail_stack":
            if not r.get("stack"):
                raise ValueError("fail_stack needs 'stack'")
            r.setdefault("reason", "Injected failure (emulator fail_stack fault)")
            return r
        r.setdefault("operation", "*")
        if kind == "error":
            r["status"] = int(r.get("status", 500))
            if r["status"] not in (500, 503):
                raise ValueError("error status must be 500 or 503")
        if kind == "delay":
            r["seconds"] = float(r.get("seconds", 1.0))
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
        from emu_cfn import Engine
        self.args = args
        self.moto_app = DomainDispatcherApplication(create_backend_app)
        self.engine = Engine(ACCOUNT_ID, args.region, args.delay_seconds)
        self.lock = self.engine.lock
        self.faults = Faults()
        self.faults.request_delay = args.request_delay
        self.auth = not args.no_auth
        self.credentials = {args.access_key_id: args.secret_access_key}
        self.log_path = args.log
        self.log_lock = threading.Lock()
        self.counts: dict[str, int] = {}
        self.started = time.time()
        for spec in args.throttle or []:
            op, _, n = parse_op_count(spec)
            self.faults.add({"kind": "throttle", "operation": op, "count": n})
        for spec in args.error or []:
            op, v, n = parse_op_count(spec, True)
            self.faults.add({"kind": "error", "operation": op, "status": int(v), "count": n})
        for spec in args.drop or []:
            op, _, n = parse_op_count(spec)
            self.faults.add({"kind": "drop", "operation": op, "count": n})
        for spec in args.op_delay or []:
            op, v, n = parse_op_count(spec, True)
            self.faults.add({"kind": "delay", "operation": op, "seconds": float(v), "count": n})
        for spec in args.fail_stack or []:
            name, _, reason = spec.partition(":")
            self.add_fault({"kind": "fail_stack", "stack": name, **({"reason": reason} if reason else {})})

    # ---- control
    def add_fault(self, rule: dict) -> dict:
        r = Faults._norm(rule)
        if r["kind"] == "fail_stack":
            with self.lock:
                q = self.engine.fail_stack.setdefault(r["stack"], [])
                q.extend([r["reason"]] * max(1, r["count"]))
            return r
        with self.lock:
            self.faults.rules.append(r)
        return r

    def state(self) -> dict:
        with self.lock:
            return {
                "config": {"delay_seconds": self.engine.delay_seconds,
                           "request_delay": self.faults.request_delay, "auth": self.auth,
                           "region": self.args.region, "log": self.log_path},
                "faults": [dict(r) for r in self.faults.rules] +
                          [{"kind": "fail_stack", "stack": k, "reason": x, "count": 1}
                           for k, v in self.engine.fail_stack.items() for x in v],
                "counts": dict(self.counts),
                "cloudformation": self.engine.summary(),
                "uptime_seconds": round(time.time() - self.started, 3),
            }

    def control(self, environ, start_response, path: str, body: bytes):
        method = environ["REQUEST_METHOD"]
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return self._json(start_response, 400, {"error": "body is not JSON"})
        try:
            if path == "/_emulator/state" and method == "GET":
                return self._json(start_response, 200, self.state())
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
            if path == "/_emulator/config" and method == "POST":
                with self.lock:
                    if "delay_seconds" in data:
                        self.engine.delay_seconds = float(data["delay_seconds"])
                    if "request_delay" in data:
                        self.faults.request_delay = float(data["request_delay"])
                    if "auth" in data:
                        self.auth = bool(data["auth"])
                return self._json(start_response, 200, self.state()["config"])
            if path == "/_emulator/reset" and method == "POST":
                from moto.moto_api._internal.models import moto_api_backend
                with self.lock:
                    moto_api_backend.reset()
                    self.engine.reset()
                    self.faults.rules.clear()
                    self.counts.clear()
                    if data.get("config", True):
                        self.engine.delay_seconds = float(self.args.delay_seconds)
                        self.faults.request_delay = float(self.args.request_delay)
                        self.auth = not self.args.no_auth
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
        with self.log_lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(line + "\n")

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
               "error": None, "fault": None,
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
                sock = environ.get("werkzeug.socket")
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                start_response("500 Dropped", [("Content-Length", "0")])
                return [b""]
            if "throttle" in kinds:
                code, msg = (("ThrottlingException", "Rate of requests exceeds the allowed throughput.")
                             if service == "dynamodb" else ("Throttling", "Rate exceeded"))
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
            if service == "cloudformation":
                return self.cloudformation(environ, start_response, op, form or {}, rec)
            return self.forward(environ, start_response, rec)
        finally:
            rec["duration_ms"] = round((time.time() - t0) * 1000, 1)
            self.log(rec)

    def region_of(self, environ) -> str:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if "Credential=" in auth:
            try:
                return auth.split("Credential=", 1)[1].split(",", 1)[0].split("/")[2]
            except IndexError:
                pass
        return self.args.region

    def cloudformation(self, environ, start_response, op: str, form: dict, rec: dict):
        from emu_cfn import CfnError, dispatch, parse_query, xml_response
        region = self.region_of(environ)
        rid = str(uuid.uuid4())
        params = parse_query({k: v for k, v in form.items() if k not in ("Action", "Version")})
        try:
            with self.lock:
                self.engine.tick()
                result = dispatch(self.engine, region, op, params)
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

    def forward(self, environ, start_response, rec: dict):
        captured: dict = {}

        def sr(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        with self.lock:
            self.engine.tick()
            chunks = b"".join(self.moto_app(environ, sr))
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


# --------------------------------------------------------------------------- main
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0 = pick a free one)")
    p.add_argument("--log", help="append one JSON line per API call to FILE")
    p.add_argument("--delay-seconds", type=float, default=0.0,
                   help="time stack and change-set operations stay in progress (default 0)")
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
    p.add_argument("--op-delay", action="append", metavar="OP:SECONDS[:N]",
                   help="delay the next N OP requests by SECONDS")
    p.add_argument("--request-delay", type=float, default=0.0, metavar="SECONDS",
                   help="delay every request by SECONDS")
    p.add_argument("--fail-stack", action="append", metavar="STACK[:REASON]",
                   help="make the next create/update/import/delete of STACK fail with REASON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from werkzeug.serving import WSGIRequestHandler, make_server
    patch_moto()

    class Handler(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_request(self, *a, **k):
            pass

        def connection_dropped(self, error, environ=None):
            pass

    emu = Emulator(args)
    server = make_server("127.0.0.1", args.port, emu, threaded=True, request_handler=Handler)
    server.daemon_threads = True
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
    print(f"EMULATOR READY http://127.0.0.1:{port} pid={os.getpid()}", flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
