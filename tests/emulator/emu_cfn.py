"""CloudFormation engine of the test emulator.

moto 5.2.1's CloudFormation backend runs every operation synchronously, treats
IMPORT change sets as CREATE, ignores most AWS::DynamoDB::Table properties and
deletes stacks whose resources cannot be deleted.  This module replaces the
CloudFormation Query API with a small engine that follows the AWS
documentation for the subset the provider uses (stacks made of
AWS::DynamoDB::Table resources, exports/imports, change sets of type CREATE,
UPDATE and IMPORT), and keeps the tables in moto's DynamoDB backend, so the
DynamoDB API served by moto sees exactly the tables the stacks own.

All public methods are called with ``Engine.lock`` held by the server.
"""
from __future__ import annotations

import copy
import datetime as _dt
import json
import re
import uuid
from typing import Any, Callable
from xml.sax.saxutils import escape

import yaml

import ddb_backup
import ddb_ext
import ddb_features
import ddb_rules
from clock import CLOCK
from ddb_common import DdbError

NS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"
EMPTY_CHANGES = ("The submitted information didn't contain changes. "
                 "Submit different information to create a change set.")
PROTECTED_MSG = ("Resource cannot be deleted as it is currently protected against "
                 "deletion. Disable deletion protection first.")
# The handler's answer to a template that drops SSESpecification: it calls UpdateTable
# with nothing to change (aws-cloudformation/cloudformation-coverage-roadmap#1070, whose
# text this is; aws/aws-cdk#8286 and #8450 for a table on a KMS key, wording UNCONFIRMED).
SSE_REMOVED = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
               "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required "
               "(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; "
               "Request ID: {rid}; Proxy: null)")


# --------------------------------------------------------------------------- errors
class CfnError(Exception):
    def __init__(self, code: str, message: str, status: int = 400, sender: bool = True):
        super().__init__(message)
        self.code, self.message, self.status, self.sender = code, message, status, sender


def validation(msg: str) -> CfnError:
    return CfnError("ValidationError", msg)


class ResourceFailure(Exception):
    """A resource handler failed; ``reason`` is the ResourceStatusReason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def handler_message(message: str, code: str = "InvalidRequest") -> str:
    return (f'Resource handler returned message: "{message}" '
            f"(RequestToken: {uuid.uuid4()}, HandlerErrorCode: {code})")


def dynamodb_failure(e: DdbError) -> "ResourceFailure":
    """A DynamoDB refusal inside the table handler, as CloudFormation reports it."""
    code = {"LimitExceededException": "ServiceLimitExceeded",
            "ResourceInUseException": "ResourceConflict"}.get(e.code, "InvalidRequest")
    return ResourceFailure(handler_message(
        f"{e.message} (Service: DynamoDb, Status Code: {e.status}, Request ID: "
        f"{uuid.uuid4().hex.upper()[:32]})", code))


def now() -> _dt.datetime:
    return CLOCK.now()


def iso(t: _dt.datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --------------------------------------------------------------------------- templates
class _Loader(yaml.SafeLoader):
    pass


def _tag_constructor(loader: yaml.Loader, tag_suffix: str, node: yaml.Node) -> Any:
    tag = tag_suffix
    key = "Ref" if tag == "Ref" else f"Fn::{tag}"
    if isinstance(node, yaml.ScalarNode):
        val: Any = loader.construct_scalar(node)
        if tag == "GetAtt":
            val = val.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        val = loader.construct_sequence(node, deep=True)
    else:
        val = loader.construct_mapping(node, deep=True)
    return {key: val}


_Loader.add_multi_constructor("!", _tag_constructor)


def parse_template(body: str) -> dict:
    if body is None:
        raise validation("Either Template URL or Template Body must be specified.")
    if len(body.encode()) > 51200:
        raise validation("1 validation error detected: Value at 'templateBody' failed to "
                         "satisfy constraint: Member must have length less than or equal to 51200")
    try:
        tpl = json.loads(body)
    except ValueError:
        try:
            tpl = yaml.load(body, Loader=_Loader)
        except yaml.YAMLError as e:
            raise validation(f"Template format error: YAML not well-formed. {e}".splitlines()[0])
    if not isinstance(tpl, dict):
        raise validation("Template format error: unsupported structure.")
    return tpl


class _NoValue:
    pass


NOVALUE = _NoValue()
UNKNOWN_PREFIX = "{{unresolved:"


def _refs_in(v: Any, out: set) -> None:
    if isinstance(v, dict):
        for k, a in v.items():
            if k == "Ref" and isinstance(a, str):
                out.add(a)
            elif k == "Fn::GetAtt":
                parts = a.split(".", 1) if isinstance(a, str) else a
                if parts and isinstance(parts[0], str):
                    out.add(parts[0])
            elif k == "Fn::Sub":
                s = a[0] if isinstance(a, list) else a
                if isinstance(s, str):
                    for m in re.findall(r"\$\{([^!}][^}]*)\}", s):
                        out.add(m.split(".", 1)[0])
                if isinstance(a, list) and len(a) > 1:
                    _refs_in(a[1], out)
            else:
                _refs_in(a, out)
    elif isinstance(v, list):
        for x in v:
            _refs_in(x, out)


def _imports_in(v: Any, out: list) -> None:
    if isinstance(v, dict):
        for k, a in v.items():
            if k == "Fn::ImportValue":
                out.append(a)
            _imports_in(a, out)
    elif isinstance(v, list):
        for x in v:
            _imports_in(x, out)


class Ctx:
    """Evaluation context of one template."""

    def __init__(self, engine: "Engine", region: str, stack: "Stack", tpl: dict,
                 params: dict, resources: dict, placeholders: bool = False):
        self.engine, self.region, self.stack, self.tpl = engine, region, stack, tpl
        self.params = params
        self.resources = resources  # logical id -> Resource (current physical id/attrs)
        self.placeholders = placeholders
        self.imports_used: set[str] = set()
        self._conds: dict[str, bool] = {}

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.engine.account_id,
            "AWS::StackName": self.stack.name,
            "AWS::StackId": self.stack.stack_id,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NOVALUE,
        }.get(name, KeyError)

    def ref(self, name: str) -> Any:
        if name in self.params:
            return self.params[name]
        p = self.pseudo(name)
        if p is not KeyError:
            return p
        r = self.resources.get(name)
        if r is not None and r.physical_id:
            return r.physical_id
        if name in self.tpl.get("Resources", {}):
            if self.placeholders:
                return f"{UNKNOWN_PREFIX}{name}}}}}"
            raise ResourceFailure(f"Unresolved reference {name}")
        raise validation(f"Template format error: Unresolved resource dependencies [{name}] "
                         "in the Resources block of the template")

    def getatt(self, name: str, attr: str) -> Any:
        r = self.resources.get(name)
        if r is not None and r.physical_id:
            val = self.engine.handler(r.type).get_att(self, r, attr)
            if val is not None:
                return val
        if name in self.tpl.get("Resources", {}):
            if self.placeholders:
                return f"{UNKNOWN_PREFIX}{name}.{attr}}}}}"
        raise validation(f"Template error: resource {name} does not support attribute type "
                         f"{attr} in Fn::GetAtt")

    def condition(self, name: str) -> bool:
        if name not in self._conds:
            conds = self.tpl.get("Conditions") or {}
            if name not in conds:
                raise validation(f"Template format error: Unresolved condition dependency {name}")
            self._conds[name] = bool(self.resolve(conds[name]))
        return self._conds[name]

    def resolve(self, v: Any) -> Any:
        if isinstance(v, dict):
            if len(v) == 1:
                k, a = next(iter(v.items()))
                if k == "Ref":
                    return self.ref(a)
                if k == "Fn::GetAtt":
                    parts = a.split(".", 1) if isinstance(a, str) else a
                    return self.getatt(parts[0], self.resolve(parts[1]))
                if k == "Fn::Join":
                    sep, items = a
                    items = self.resolve(items)
                    return self.resolve(sep).join(str(x) for x in items)
                if k == "Fn::Select":
                    idx, items = a
                    return self.resolve(items)[int(self.resolve(idx))]
                if k == "Fn::Split":
                    sep, s = a
                    return self.resolve(s).split(self.resolve(sep))
                if k == "Fn::Sub":
                    if isinstance(a, list):
                        s, extra = a[0], {kk: self.resolve(vv) for kk, vv in a[1].items()}
                    else:
                        s, extra = a, {}

                    def rep(m: re.Match) -> str:
                        name = m.group(1)
                        if name.startswith("!"):
                            return "${" + name[1:] + "}"
                        if name in extra:
                            return str(extra[name])
                        if "." in name and name.split(".", 1)[0] in self.tpl.get("Resources", {}):
                            ln, at = name.split(".", 1)
                            return str(self.getatt(ln, at))
                        return str(self.ref(name))
                    return re.sub(r"\$\{([^}]+)\}", rep, s)
                if k == "Fn::ImportValue":
                    name = self.resolve(a)
                    self.imports_used.add(name)
                    exp = self.engine.region_state(self.region).exports.get(name)
                    if exp is None:
                        raise ResourceFailure(f"No export named {name} found.")
                    return exp["Value"]
                if k == "Fn::If":
                    c, t, f = a
                    return self.resolve(t if self.condition(c) else f)
                if k == "Fn::Equals":
                    x, y = (self.resolve(i) for i in a)
                    return str(x) == str(y)
                if k == "Fn::Not":
                    return not self.resolve(a[0])
                if k == "Fn::And":
                    return all(self.resolve(i) for i in a)
                if k == "Fn::Or":
                    return any(self.resolve(i) for i in a)
                if k == "Condition" and isinstance(a, str):
                    return self.condition(a)
                if k == "Fn::GetAZs":
                    return [f"{self.region}a", f"{self.region}b", f"{self.region}c"]
            out = {}
            for k, x in v.items():
                rv = self.resolve(x)
                if rv is not NOVALUE:
                    out[k] = rv
            return out
        if isinstance(v, list):
            return [y for y in (self.resolve(x) for x in v) if y is not NOVALUE]
        return v

    def active_resources(self) -> dict:
        out = {}
        for lid, r in (self.tpl.get("Resources") or {}).items():
            c = r.get("Condition")
            if c is None or self.condition(c):
                out[lid] = r
        return out

    def outputs(self) -> list[dict]:
        res = []
        for key, o in (self.tpl.get("Outputs") or {}).items():
            c = o.get("Condition")
            if c is not None and not self.condition(c):
                continue
            item = {"OutputKey": key, "OutputValue": str(self.resolve(o.get("Value")))}
            if o.get("Description"):
                item["Description"] = o["Description"]
            if "Export" in o:
                item["ExportName"] = str(self.resolve(o["Export"].get("Name")))
            res.append(item)
        return res


def topo_order(resources: dict) -> list[str]:
    deps = {}
    for lid, r in resources.items():
        s: set = set()
        _refs_in(r.get("Properties", {}), s)
        do = r.get("DependsOn", [])
        s |= set([do] if isinstance(do, str) else do)
        deps[lid] = {d for d in s if d in resources and d != lid}
    order: list[str] = []
    seen: set = set()

    def visit(n: str, stack: tuple) -> None:
        if n in seen:
            return
        if n in stack:
            raise validation(f"Circular dependency between resources: [{', '.join(stack)}]")
        for d in sorted(deps[n]):
            visit(d, stack + (n,))
        seen.add(n)
        order.append(n)

    for n in resources:
        visit(n, ())
    return order


# --------------------------------------------------------------------------- models
class Resource:
    def __init__(self, logical_id: str, rtype: str):
        self.logical_id, self.type = logical_id, rtype
        self.physical_id: str | None = None
        self.status = "CREATE_IN_PROGRESS"
        self.status_reason: str | None = None
        self.props: dict = {}      # resolved properties as last deployed
        self.definition: dict = {}  # raw template entry
        self.updated = now()


class Stack:
    def __init__(self, region: str, account: str, name: str):
        self.name = name
        self.stack_id = f"arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid.uuid4()}"
        self.region = region
        self.status = "REVIEW_IN_PROGRESS"
        self.status_reason: str | None = None
        self.creation_time = now()
        self.last_updated: _dt.datetime | None = None
        self.deletion_time: _dt.datetime | None = None
        self.template_body: str | None = None
        self.template: dict = {}
        self.params: dict = {}
        self.noecho: set = set()
        self.tags: list[dict] = []
        self.capabilities: list[str] = []
        self.description: str | None = None
        self.termination_protection = False
        self.disable_rollback = False
        self.notification_arns: list[str] = []
        self.role_arn: str | None = None
        self.resources: dict[str, Resource] = {}
        self.outputs: list[dict] = []
        self.imports_used: set[str] = set()
        self.events: list[dict] = []
        self.busy = False
        self.change_set_ids: list[str] = []
        self.cur_token: str | None = None      # ClientRequestToken of the running operation
        self.cur_op: str | None = None         # its OperationId
        self.last_operations: list[dict] = []  # DescribeStacks LastOperations
        self.tokens: dict[str, str] = {}       # ClientRequestToken -> operation type
        self.rollback_fault: str | None = None
        self.rollback_pending: dict | None = None  # what ContinueUpdateRollback still has to do

    def begin(self, op_type: str, token: str | None) -> str:
        """Start an operation: new OperationId, its token goes on every event."""
        self.cur_op, self.cur_token = str(uuid.uuid4()), token
        self.last_operations = [{"OperationType": op_type, "OperationId": self.cur_op}] + \
            [o for o in self.last_operations if o["OperationType"] != op_type][:4]
        if token:
            self.tokens[token] = op_type
        return self.cur_op

    def event(self, logical_id: str | None, status: str, reason: str | None = None,
              rtype: str | None = None, physical: str | None = None, props: Any = None,
              token: str | None = None) -> None:
        ev = {
            "StackId": self.stack_id, "EventId": str(uuid.uuid4()), "StackName": self.name,
            "LogicalResourceId": logical_id or self.name,
            "PhysicalResourceId": physical if logical_id else self.stack_id,
            "ResourceType": rtype or "AWS::CloudFormation::Stack",
            "Timestamp": iso(now()), "ResourceStatus": status,
        }
        if reason:
            ev["ResourceStatusReason"] = reason
        if props is not None:
            ev["ResourceProperties"] = json.dumps(props)
        token = token or self.cur_token
        if token:
            ev["ClientRequestToken"] = token
        if self.cur_op:
            ev["OperationId"] = self.cur_op
        self.events.append(ev)
        if not logical_id:
            self.status = status
            self.status_reason = reason
        else:
            r = self.resources.get(logical_id)
            if r is not None:
                r.status, r.status_reason, r.updated = status, reason, now()


class ChangeSet:
    def __init__(self, region: str, account: str, name: str, stack: Stack, cs_type: str):
        self.name, self.stack, self.type = name, stack, cs_type
        self.cs_id = f"arn:aws:cloudformation:{region}:{account}:changeSet/{name}/{uuid.uuid4()}"
        self.status = "CREATE_PENDING"
        self.execution_status = "UNAVAILABLE"
        self.status_reason: str | None = None
        self.creation_time = now()
        self.template_body = ""
        self.template: dict = {}
        self.params: dict = {}
        self.noecho: set = set()
        self.tags: list[dict] = []
        self.capabilities: list[str] = []
        self.description: str | None = None
        self.changes: list[dict] = []
        self.to_import: dict[str, dict] = {}
        self.on_stack_failure: str | None = None
        self.pending_failure: str | None = None
        self.notification_arns: list[str] = []
        self.role_arn: str | None = None


class RegionState:
    def __init__(self) -> None:
        self.stacks: dict[str, Stack] = {}        # stack id -> live (incl. REVIEW_IN_PROGRESS)
        self.deleted: dict[str, Stack] = {}
        self.change_sets: dict[str, ChangeSet] = {}
        self.exports: dict[str, dict] = {}        # name -> {Value, ExportingStackId}


# --------------------------------------------------------------------------- handlers
class NullHandler:
    """AWS::CloudFormation::WaitConditionHandle: a resource with no effect."""
    importable = False
    identifier = None

    def __init__(self, engine: "Engine"):
        self.engine = engine

    def create(self, ctx: Ctx, r: Resource, props: dict) -> None:
        r.physical_id = (f"https://cloudformation-waitcondition-{ctx.region}.s3.amazonaws.com/"
                         f"{uuid.uuid4()}")

    def replacement(self, old: dict, new: dict) -> list[str]:
        return []

    def precheck_update(self, ctx: Ctx, r: Resource, old: dict, new: dict) -> None:
        pass

    def update(self, ctx: Ctx, r: Resource, old: dict, new: dict) -> None:
        pass

    def delete(self, ctx: Ctx | None, r: Resource) -> None:
        pass

    def get_att(self, ctx: Ctx, r: Resource, attr: str) -> Any:
        return None

    def custom_name(self, props: dict) -> str | None:
        return None


class TableHandler(NullHandler):
    """AWS::DynamoDB::Table on top of moto's DynamoDB backend."""
    importable = True
    identifier = "TableName"

    def backend(self, region: str):
        from moto.dynamodb.models import dynamodb_backends
        return dynamodb_backends[self.engine.account_id][region]

    def table(self, region: str, name: str):
        return self.backend(region).tables.get(name)

    def custom_name(self, props: dict) -> str | None:
        return props.get("TableName")

    @staticmethod
    def _tags(ctx: Ctx, props: dict) -> list[dict]:
        tags = {t["Key"]: t["Value"] for t in ctx.stack_tags}
        for t in props.get("Tags") or []:
            tags[t["Key"]] = str(t.get("Value", ""))
        return [{"Key": k, "Value": v} for k, v in tags.items()]

    @staticmethod
    def _validate(props: dict) -> None:
        ks = props.get("KeySchema")
        if not ks:
            raise ResourceFailure(handler_message(
                "Model validation failed (#: required key [KeySchema] not found)", "InvalidRequest"))
        bm = props.get("BillingMode", "PROVISIONED")
        if bm not in ("PROVISIONED", "PAY_PER_REQUEST"):
            raise ResourceFailure(handler_message(
                f"Model validation failed (#/BillingMode: {bm} is not a valid enum value)"))
        if bm == "PROVISIONED" and not props.get("ProvisionedThroughput"):
            raise ResourceFailure(handler_message(
                "Invalid request provided: Throughput must be specified when billing mode is "
                "PROVISIONED"))
        if bm == "PAY_PER_REQUEST" and props.get("ProvisionedThroughput"):
            raise ResourceFailure(handler_message(
                "Invalid request provided: Neither ReadCapacityUnits nor WriteCapacityUnits can "
                "be specified when BillingMode is PAY_PER_REQUEST"))
        ttl = props.get("TimeToLiveSpecification")
        if ttl is not None:
            if ttl.get("AttributeName") == "":
                raise ResourceFailure(handler_message("Property AttributeName cannot be empty."))
            if str(ttl.get("Enabled")).lower() == "true" and not ttl.get("AttributeName"):
                raise ResourceFailure(handler_message(
                    "Invalid request provided: AttributeName property of TimeToLiveSpecification "
                    "is required when TTL status is enabled or while enabling/disabling TTL."))
        TableHandler._validate_issue25(props)

    @staticmethod
    def _validate_issue25(props: dict) -> None:
        """The schema's rules for PointInTimeRecoverySpecification.RecoveryPeriodInDays,
        WarmThroughput, ResourcePolicy and KinesisStreamSpecification (SCHEMA, cfn-lint
        1.51.0), in the handler's "Model validation failed" form (UNCONFIRMED wording)."""
        def bad(path: str, what: str) -> ResourceFailure:
            return ResourceFailure(handler_message(f"Model validation failed (#/{path}: {what})"))
        pitr = props.get("PointInTimeRecoverySpecification")
        if isinstance(pitr, dict) and "RecoveryPeriodInDays" in pitr:
            days = pitr["RecoveryPeriodInDays"]
            if not str(days).isdigit() or not 1 <= int(days) <= 35:
                raise bad("PointInTimeRecoverySpecification/RecoveryPeriodInDays",
                          f"{days} is not within 1 and 35")
            if "PointInTimeRecoveryEnabled" not in pitr:
                raise bad("PointInTimeRecoverySpecification",
                          "property RecoveryPeriodInDays requires PointInTimeRecoveryEnabled")
        warm = props.get("WarmThroughput")
        if warm is not None:
            if not isinstance(warm, dict) or not ({"ReadUnitsPerSecond", "WriteUnitsPerSecond"} & set(warm)):
                raise bad("WarmThroughput", "required key [ReadUnitsPerSecond] or [WriteUnitsPerSecond] not found")
            for k, v in warm.items():
                if k not in ("ReadUnitsPerSecond", "WriteUnitsPerSecond"):
                    raise bad("WarmThroughput", f"extraneous key [{k}] is not permitted")
                if not str(v).isdigit() or int(v) < 1:
                    raise bad(f"WarmThroughput/{k}", f"{v} is not greater or equal to 1")
        pol = props.get("ResourcePolicy")
        if pol is not None:
            if not isinstance(pol, dict) or "PolicyDocument" not in pol:
                raise bad("ResourcePolicy", "required key [PolicyDocument] not found")
            if not isinstance(pol["PolicyDocument"], (dict, str)):
                raise bad("ResourcePolicy/PolicyDocument", "expected type: JSONObject or String")
        kin = props.get("KinesisStreamSpecification")
        if kin is not None:
            if not isinstance(kin, dict) or not kin.get("StreamArn"):
                raise bad("KinesisStreamSpecification", "required key [StreamArn] not found")
            prec = kin.get("ApproximateCreationDateTimePrecision")
            if prec is not None and prec not in ("MICROSECOND", "MILLISECOND"):
                raise bad("KinesisStreamSpecification/ApproximateCreationDateTimePrecision",
                          f"{prec} is not a valid enum value")

    @staticmethod
    def _policy_doc(pol: dict | None) -> str | None:
        """ResourcePolicy.PolicyDocument as the JSON text the handler sends (an object is
        serialised; a string is sent as written)."""
        if not pol:
            return None
        doc = pol["PolicyDocument"]
        return doc if isinstance(doc, str) else json.dumps(doc, separators=(",", ":"))

    def _apply_issue25(self, table, old: dict, new: dict, creating: bool) -> None:
        """WarmThroughput, ResourcePolicy and KinesisStreamSpecification as the handler
        applies them (it waits for ACTIVE). Left out of the template: the warm throughput
        stays (it cannot decrease), the policy is deleted and the destination disabled
        (UNCONFIRMED, docs/aws-behaviour.md §4.5)."""
        try:
            warm = new.get("WarmThroughput")
            if warm and warm != old.get("WarmThroughput"):
                vals = ddb_features.check_warm(table, warm, creating, new.get("BillingMode", "PROVISIONED"),
                                               new.get("ProvisionedThroughput"))
                ddb_features.set_warm(table, vals, at_once=True)
            doc, before = self._policy_doc(new.get("ResourcePolicy")), self._policy_doc(old.get("ResourcePolicy"))
            if doc is not None and doc != before:
                ddb_features.put_policy(table, doc)
            elif doc is None and before is not None and ddb_features.get_policy(table) is not None:
                ddb_features.delete_policy(table)
            kin, kold = new.get("KinesisStreamSpecification"), old.get("KinesisStreamSpecification")
            if kin != kold:
                active = ddb_features.kinesis_active(table)
                if kold and (not kin or kin.get("StreamArn") != kold.get("StreamArn")) and \
                        kold.get("StreamArn") in active:
                    ddb_features.disable_kinesis(table, kold["StreamArn"], at_once=True)
                if kin:
                    prec = kin.get("ApproximateCreationDateTimePrecision") or "MILLISECOND"
                    if kin["StreamArn"] not in ddb_features.kinesis_active(table):
                        ddb_features.enable_kinesis(table, kin["StreamArn"], prec, at_once=True)
                    elif active.get(kin["StreamArn"]) != prec:
                        ddb_features.update_kinesis(table, kin["StreamArn"], prec, at_once=True)
        except DdbError as e:
            raise dynamodb_failure(e)

    @staticmethod
    def _bool(v: Any) -> bool:
        return str(v).lower() == "true"

    @staticmethod
    def _throughput(props: dict) -> dict:
        pt = props.get("ProvisionedThroughput")
        if props.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST" or not pt:
            return {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        return {"ReadCapacityUnits": int(pt["ReadCapacityUnits"]),
                "WriteCapacityUnits": int(pt["WriteCapacityUnits"])}

    def create(self, ctx: Ctx, r: Resource, props: dict) -> None:
        self._validate(props)
        name = props.get("TableName")
        if not name:
            suffix = uuid.uuid4().hex[:12].upper()
            name = f"{ctx.stack.name}-{r.logical_id}-{suffix}"[:255]
        be = self.backend(ctx.region)
        if name in be.tables:
            raise ResourceFailure(handler_message(
                f"Resource of type 'AWS::DynamoDB::Table' with identifier '{name}' already exists.",
                "AlreadyExists"))
        sse = self._sse_target(ctx, None, props.get("SSESpecification"), True)
        try:
            table = be.create_table(
                name=name, schema=props["KeySchema"], throughput=self._throughput(props),
                attr=props.get("AttributeDefinitions") or [],
                global_indexes=[self._gsi_api(g) for g in props.get("GlobalSecondaryIndexes") or []],
                indexes=copy.deepcopy(props.get("LocalSecondaryIndexes")),
                streams=self._stream_api(props.get("StreamSpecification")),
                billing_mode=props.get("BillingMode", "PROVISIONED"),
                sse_specification=None,
                tags=self._tags(ctx, props),
                deletion_protection_enabled=self._bool(props.get("DeletionProtectionEnabled", False)),
                warm_throughput=None)
        except Exception as e:  # moto DynamoDB validation errors
            raise ResourceFailure(handler_message(getattr(e, "message", str(e))))
        r.physical_id = name
        if props.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST":
            # moto takes the zero capacities _throughput gives an on-demand table for its warm
            # throughput; DynamoDB gives a new on-demand table 12000 / 4000 (§5.8), and a
            # WarmThroughput naming one unit leaves the other there.
            table.warm_throughput = dict(ddb_features.WARM_ON_DEMAND, Status="ACTIVE")
        ddb_rules.clear(table)  # the handler reports CREATE_COMPLETE once the table is ACTIVE
        table.sse_specification = sse
        self._apply_extras(ctx, table, {}, props)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and self._bool(ttl.get("Enabled")):
            ddb_ext.set_ttl(table, True, ttl["AttributeName"])  # the handler's UpdateTimeToLive
        pitr = props.get("PointInTimeRecoverySpecification")
        if pitr and self._bool(pitr.get("PointInTimeRecoveryEnabled")):
            self._set_pitr(table, pitr)
        self._apply_issue25(table, {}, props, True)

    def _set_pitr(self, table, pitr: dict) -> None:
        """PointInTimeRecoverySpecification as the handler applies it
        (UpdateContinuousBackups: ddb_backup.set_pitr)."""
        spec: dict = {"PointInTimeRecoveryEnabled": self._bool(pitr.get("PointInTimeRecoveryEnabled"))}
        if pitr.get("RecoveryPeriodInDays") is not None:
            spec["RecoveryPeriodInDays"] = int(pitr["RecoveryPeriodInDays"])
        try:
            ddb_backup.set_pitr(table, spec)
        except DdbError as e:
            raise dynamodb_failure(e)

    @staticmethod
    def _gsi_api(g: dict) -> dict:
        """CloudFormation GlobalSecondaryIndex → DynamoDB GlobalSecondaryIndex."""
        out = {k: copy.deepcopy(v) for k, v in g.items()
               if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput",
                        "OnDemandThroughput", "WarmThroughput")}
        if out.get("ProvisionedThroughput"):
            out["ProvisionedThroughput"] = {k: int(v) for k, v in out["ProvisionedThroughput"].items()}
        return out

    @staticmethod
    def _stream_api(spec: dict | None) -> dict | None:
        if not spec:
            return None
        return {"StreamEnabled": True, "StreamViewType": spec.get("StreamViewType")}

    def _sse_target(self, ctx: Ctx, table, sse: dict | None, creating: bool):
        """A template's SSESpecification as DynamoDB's target (None: the AWS owned key), with
        DynamoDB's refusals (ddb_rules.sse_target) reported as the handler reports them."""
        if not sse:
            return None
        spec: dict = {"Enabled": self._bool(sse.get("SSEEnabled"))}
        for k in ("SSEType", "KMSMasterKeyId"):
            if sse.get(k):
                spec[k] = sse[k]
        if spec["Enabled"] and "KMSMasterKeyId" not in spec:
            spec.setdefault("SSEType", "KMS")
        try:
            return ddb_rules.sse_target(table, spec, ctx.region, self.engine.account_id, creating)
        except DdbError as e:
            raise dynamodb_failure(e)

    def _apply_extras(self, ctx: Ctx, table, old: dict, new: dict) -> None:
        """TableClass, OnDemandThroughput, ContributorInsightsSpecification (table and
        indexes), as the table handler sets them with UpdateTable /
        UpdateContributorInsights. A TableClass or ContributorInsightsSpecification left
        out of the template leaves the table as it is (UNCONFIRMED, docs/aws-behaviour.md
        §4.4: the stricter reading for a client that relied on the removal)."""
        if "TableClass" in new:
            table._table_class = new["TableClass"]
        odt = new.get("OnDemandThroughput")
        table._on_demand = {k: int(v) for k, v in odt.items()} if odt else None
        # An explicit Enabled is compared with the table (UNCONFIRMED: the handler may
        # compare templates; with the table it converges whatever was left out before).
        ci_new = new.get("ContributorInsightsSpecification")
        if ci_new is not None and ddb_ext.contributor_insights_on(table, None) != self._bool(ci_new.get("Enabled")):
            ddb_ext.set_contributor_insights(table, None, self._bool(ci_new.get("Enabled")), ci_new.get("Mode"))
        for g in new.get("GlobalSecondaryIndexes") or []:
            b = g.get("ContributorInsightsSpecification")
            if b is not None and ddb_ext.contributor_insights_on(table, g["IndexName"]) != self._bool(b.get("Enabled")):
                ddb_ext.set_contributor_insights(table, g["IndexName"], self._bool(b.get("Enabled")), b.get("Mode"))

    @staticmethod
    def _gsi_plan(old: dict, new: dict) -> tuple[list[dict], list[str], list[dict]]:
        """(created index definitions, deleted index names, updated indexes)."""
        o = {g["IndexName"]: g for g in old.get("GlobalSecondaryIndexes") or []}
        n = {g["IndexName"]: g for g in new.get("GlobalSecondaryIndexes") or []}
        created = [n[k] for k in n if k not in o]
        deleted = [k for k in o if k not in n]
        updated = [n[k] for k in n if k in o and n[k] != o[k]]
        return created, deleted, updated

    def replacement(self, old: dict, new: dict) -> list[str]:
        out = []
        if old.get("TableName") != new.get("TableName"):
            out.append("TableName")
        if (old.get("LocalSecondaryIndexes") or []) != (new.get("LocalSecondaryIndexes") or []):
            out.append("LocalSecondaryIndexes")  # LSIs exist only from table creation
        if old.get("KeySchema") != new.get("KeySchema"):
            out.append("KeySchema")
        keys = {k["AttributeName"] for k in new.get("KeySchema") or []}

        def kdefs(p: dict) -> dict:
            return {a["AttributeName"]: a["AttributeType"] for a in p.get("AttributeDefinitions") or []
                    if a["AttributeName"] in keys}
        if kdefs(old) != kdefs(new) and "KeySchema" not in out:
            out.append("AttributeDefinitions")
        return out

    def _switches(self, table, old: dict, new: dict) -> list[str]:
        """The quota-limited switches an update makes (ddb_rules.QUOTAS): encryption, table
        class, PROVISIONED to PAY_PER_REQUEST."""
        out = []
        if new.get("SSESpecification") is not None and new.get("SSESpecification") != old.get("SSESpecification"):
            out.append("sse")
        if "TableClass" in new and new["TableClass"] != (getattr(table, "_table_class", None) or "STANDARD"):
            out.append("table_class")
        if (table.billing_mode or "PROVISIONED") == "PROVISIONED" and \
                new.get("BillingMode", "PROVISIONED") == "PAY_PER_REQUEST":
            out.append("on_demand")
        return out

    def _precheck_switches(self, ctx: Ctx, table, old: dict, new: dict) -> None:
        """Refusals the handler meets before it changes anything: a template that drops
        SSESpecification (SSE_REMOVED), a key that does not exist or encryption the table
        already has (ddb_rules.sse_target), a switch quota spent (ddb_rules.check_quota)."""
        if old.get("SSESpecification") is not None and new.get("SSESpecification") is None:
            raise ResourceFailure(handler_message(SSE_REMOVED.format(rid=uuid.uuid4().hex.upper()[:32])))
        if "sse" in self._switches(table, old, new):
            self._sse_target(ctx, table, new.get("SSESpecification"), False)
        try:
            if new.get("WarmThroughput") and new.get("WarmThroughput") != old.get("WarmThroughput"):
                ddb_features.check_warm(table, new["WarmThroughput"], False)
            doc = self._policy_doc(new.get("ResourcePolicy"))
            if doc is not None:
                ddb_features.check_policy(doc)
            pitr = new.get("PointInTimeRecoverySpecification") or {}
            if not self._bool(pitr.get("PointInTimeRecoveryEnabled")) and pitr.get("RecoveryPeriodInDays"):
                raise DdbError("ValidationException", "Invalid Request: Cannot specify RecoveryPeriodInDays "
                                                      "when disabling point-in-time recovery.")
        except DdbError as e:
            raise dynamodb_failure(e)
        for kind in self._switches(table, old, new):
            try:
                ddb_rules.check_quota(table, kind)
            except DdbError as e:
                raise dynamodb_failure(e)

    def precheck_update(self, ctx: Ctx, r: Resource, old: dict, new: dict) -> None:
        self._validate(new)
        table = self.table(ctx.region, r.physical_id)
        if table is None:
            raise ResourceFailure(handler_message(
                f"Resource of type 'AWS::DynamoDB::Table' with identifier '{r.physical_id}' "
                "was not found.", "NotFound"))
        old_ttl, new_ttl = old.get("TimeToLiveSpecification"), new.get("TimeToLiveSpecification")
        live = table.ttl
        if new_ttl is None:
            if old_ttl is not None and live.get("TimeToLiveStatus") == "ENABLED":
                raise ResourceFailure(handler_message(
                    "Invalid request provided: AttributeName property of TimeToLiveSpecification "
                    "is required when TTL status is enabled or while enabling/disabling TTL."))
        elif new_ttl != old_ttl:
            on, live_name = ddb_ext.ttl_effective(table)
            want = self._bool(new_ttl.get("Enabled"))
            needs_call = on != want or (want and new_ttl.get("AttributeName") != live_name)
            if needs_call and ddb_ext.ttl_blocked(table):  # DynamoDB checks the interval first
                raise ResourceFailure(handler_message(ddb_ext.TTL_TOO_OFTEN))
            # DynamoDB refuses to enable or disable TTL under another name while it is enabled
            if on and new_ttl.get("AttributeName") != live_name:
                raise ResourceFailure(handler_message(
                    "TimeToLive is active on a different AttributeName: current AttributeName is "
                    f"{live_name}"))
        self._precheck_switches(ctx, table, old, new)
        created, deleted, updated = self._gsi_plan(old, new)
        for g in updated:
            before = {x["IndexName"]: x for x in old.get("GlobalSecondaryIndexes") or []}[g["IndexName"]]
            strip = ("ProvisionedThroughput", "ContributorInsightsSpecification", "OnDemandThroughput",
                     "WarmThroughput")
            if {k: v for k, v in g.items() if k not in strip} != \
                    {k: v for k, v in before.items() if k not in strip}:
                raise ResourceFailure(handler_message(  # UNCONFIRMED wording
                    "Cannot update GSI's properties other than Provisioned Throughput and Contributor "
                    "Insights Specification. You can create a new GSI with a different name."))
        if len(created) + len(deleted) > 1:
            raise ResourceFailure(handler_message(
                "Cannot perform more than one GSI creation or deletion in a single update"))
        if created or deleted:
            if ddb_ext.index_busy(table):
                raise ResourceFailure(handler_message(
                    f"{ddb_ext.INDEX_LIMIT} (Service: DynamoDb, Status Code: 400, Request ID: "
                    f"{uuid.uuid4().hex.upper()[:32]})", "ServiceLimitExceeded"))

    def update(self, ctx: Ctx, r: Resource, old: dict, new: dict) -> None:
        be = self.backend(ctx.region)
        name = r.physical_id
        table = be.tables[name]
        switches = self._switches(table, old, new)
        bm = new.get("BillingMode", "PROVISIONED")
        table.billing_mode = bm
        table.throughput = dict(table.throughput or {}, **self._throughput(new))
        table.deletion_protection_enabled = self._bool(new.get("DeletionProtectionEnabled", False))
        if new.get("StreamSpecification") != old.get("StreamSpecification"):
            table.set_stream_specification(self._stream_api(new.get("StreamSpecification")))
        if new.get("AttributeDefinitions"):
            table.attr = new["AttributeDefinitions"]
        new_ttl = new.get("TimeToLiveSpecification")
        if new_ttl is not None and new_ttl != old.get("TimeToLiveSpecification"):
            want = self._bool(new_ttl.get("Enabled"))
            live_on, _ = ddb_ext.ttl_effective(table)
            if want != live_on:
                ddb_ext.set_ttl(table, want, new_ttl["AttributeName"])
        created, deleted, updated = self._gsi_plan(old, new)
        gsi_updates = ([{"Create": self._gsi_api(g)} for g in created] +
                       [{"Delete": {"IndexName": k}} for k in deleted] +
                       [{"Update": {"IndexName": g["IndexName"],
                                    "ProvisionedThroughput": self._gsi_api(g).get("ProvisionedThroughput")
                                    or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}}
                        for g in updated])
        if gsi_updates:
            try:
                ddb_ext.apply_gsi_updates(table, gsi_updates)
            except ddb_ext.DdbError as e:
                raise ResourceFailure(handler_message(e.message))
        if "sse" in switches or (old.get("SSESpecification") is not None and new.get("SSESpecification") is None):
            # (the removal reaches here only in a rollback: the forward update was refused)
            table.sse_specification = self._sse_target(ctx, table, new.get("SSESpecification"), True)
        self._apply_extras(ctx, table, old, new)
        for kind in switches:
            ddb_rules.record(table, kind)
        new_p = new.get("PointInTimeRecoverySpecification")
        if new_p != old.get("PointInTimeRecoverySpecification"):
            self._set_pitr(table, new_p or {"PointInTimeRecoveryEnabled": False})
        self._apply_issue25(table, old, new, False)
        table.tags = self._tags(ctx, new)

    def apply_stack_tags(self, ctx: Ctx, r: Resource) -> None:
        table = self.table(ctx.region, r.physical_id)
        if table is None:
            return
        tags = {t["Key"]: t["Value"] for t in table.tags}
        for t in ctx.stack_tags:
            tags[t["Key"]] = t["Value"]
        table.tags = [{"Key": k, "Value": v} for k, v in tags.items()]

    def delete(self, ctx: Ctx | None, r: Resource) -> None:
        if not r.physical_id:
            return
        be = self.backend(ctx.region)
        table = be.tables.get(r.physical_id)
        if table is None:
            return  # already gone: CloudFormation treats NotFound on delete as success
        if table.deletion_protection_enabled:
            raise ResourceFailure(handler_message(PROTECTED_MSG))
        be.tables.pop(r.physical_id, None)

    def get_att(self, ctx: Ctx, r: Resource, attr: str) -> Any:
        table = self.table(ctx.region, r.physical_id)
        if attr == "Arn":
            return (f"arn:aws:dynamodb:{ctx.region}:{self.engine.account_id}:table/"
                    f"{r.physical_id}")
        if attr == "StreamArn" and table is not None and table.stream_specification and \
                table.stream_specification.get("StreamEnabled"):
            return table.describe()["TableDescription"].get("LatestStreamArn")
        return None

    def import_problems(self, region: str, ident: str, props: dict) -> str | None:
        table = self.table(region, ident)
        if table is None:
            return (f"Resource of type 'AWS::DynamoDB::Table' with identifier '{ident}' "
                    "was not found.")
        live_keys = [{"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]}
                     for k in table.schema]
        tpl_keys = [{"AttributeName": k.get("AttributeName"), "KeyType": k.get("KeyType")}
                    for k in props.get("KeySchema") or []]
        if live_keys != tpl_keys:
            return (f"The KeySchema of resource [Table {ident}] in the template "
                    f"({json.dumps(tpl_keys)}) does not match the existing table "
                    f"({json.dumps(live_keys)}).")
        keyn = {k["AttributeName"] for k in live_keys}
        live_attr = {a["AttributeName"]: a["AttributeType"] for a in table.attr
                     if a["AttributeName"] in keyn}
        tpl_attr = {a.get("AttributeName"): a.get("AttributeType")
                    for a in props.get("AttributeDefinitions") or [] if a.get("AttributeName") in keyn}
        if live_attr != tpl_attr:
            return (f"The AttributeDefinitions of the key attributes of resource [Table {ident}] in "
                    f"the template ({json.dumps(tpl_attr, sort_keys=True)}) do not match the "
                    f"existing table ({json.dumps(live_attr, sort_keys=True)}).")
        return None


# --------------------------------------------------------------------------- engine
class Engine:
    def __init__(self, account_id: str, default_region: str, delay_seconds: float = 0.0):
        import threading
        self.lock = threading.RLock()
        self.account_id = account_id
        self.default_region = default_region
        self.delay_seconds = float(delay_seconds)
        self.regions: dict[str, RegionState] = {}
        self.pending: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = 0
        self.fail_stack: dict[str, list[str]] = {}  # stack name -> queued reasons
        self.handlers = {
            "AWS::DynamoDB::Table": TableHandler(self),
            "AWS::CloudFormation::WaitConditionHandle": NullHandler(self),
        }

    # ---- infrastructure
    def reset(self) -> None:
        self.regions.clear()
        self.pending.clear()
        self.fail_stack.clear()

    def region_state(self, region: str) -> RegionState:
        return self.regions.setdefault(region, RegionState())

    def handler(self, rtype: str) -> NullHandler:
        return self.handlers[rtype]

    def schedule(self, fn: Callable[[], None], fraction: float = 1.0) -> None:
        self._seq += 1
        self.pending.append((CLOCK.monotonic() + self.delay_seconds * fraction, self._seq, fn))

    def tick(self) -> None:
        while True:
            t = CLOCK.monotonic()
            due = sorted(p for p in self.pending if p[0] <= t)
            if not due:
                return
            item = due[0]
            self.pending.remove(item)
            item[2]()

    # ---- lookups
    def find_stack(self, rs: RegionState, name_or_id: str, deleted_ok: bool = True) -> Stack:
        if name_or_id in rs.stacks:
            return rs.stacks[name_or_id]
        for s in rs.stacks.values():
            if s.name == name_or_id:
                return s
        if deleted_ok and name_or_id in rs.deleted:
            return rs.deleted[name_or_id]
        raise validation(f"Stack with id {name_or_id} does not exist")

    def find_change_set(self, rs: RegionState, cs_name: str, stack_name: str | None) -> ChangeSet:
        if cs_name in rs.change_sets:
            return rs.change_sets[cs_name]
        if cs_name.startswith("arn:"):
            raise CfnError("ChangeSetNotFound", f"ChangeSet [{cs_name}] does not exist", 404)
        if not stack_name:
            raise validation("StackName must be specified if ChangeSetName is not specified as an ARN.")
        stack = None
        for s in rs.stacks.values():
            if s.name == stack_name or s.stack_id == stack_name:
                stack = s
        if stack is None:
            raise CfnError("ChangeSetNotFound", f"ChangeSet [{cs_name}] does not exist", 404)
        for cid in stack.change_set_ids:
            cs = rs.change_sets.get(cid)
            if cs and cs.name == cs_name:
                return cs
        raise CfnError("ChangeSetNotFound", f"ChangeSet [{cs_name}] does not exist", 404)

    # ---- template / parameters
    def _params(self, tpl: dict, given: list[dict], previous: dict | None) -> tuple[dict, set]:
        decl = tpl.get("Parameters") or {}
        out, noecho = {}, set()
        given_map = {}
        for p in given:
            k = p.get("ParameterKey")
            if k not in decl:
                raise validation(f"Parameters: [{k}] do not exist in the template")
            if str(p.get("UsePreviousValue", "")).lower() == "true":
                if previous is None or k not in previous:
                    raise validation(f"Invalid input for parameter key {k}. Cannot specify "
                                     "usePreviousValue as true for a parameter key not in the "
                                     "previous template")
                given_map[k] = previous[k]
            else:
                given_map[k] = p.get("ParameterValue", "")
        missing = []
        for k, d in decl.items():
            if k in given_map:
                v = given_map[k]
            elif "Default" in d:
                v = str(d["Default"])
            else:
                missing.append(k)
                continue
            if d.get("AllowedValues") and v not in [str(x) for x in d["AllowedValues"]]:
                raise validation(f"Parameter '{k}' must be one of AllowedValues")
            t = d.get("Type", "String")
            if t in ("CommaDelimitedList",) or t.startswith("List<"):
                v = [x.strip() for x in v.split(",")] if v else []
            out[k] = v
            if str(d.get("NoEcho", "")).lower() == "true":
                noecho.add(k)
        if missing:
            raise validation(f"Parameters: [{', '.join(missing)}] must have values")
        return out, noecho

    def _check_template(self, tpl: dict) -> None:
        res = tpl.get("Resources")
        if not res or not isinstance(res, dict):
            raise validation("Template format error: At least one Resources member must be defined.")
        bad = sorted({r.get("Type") for r in res.values()
                      if not isinstance(r, dict) or r.get("Type") not in self.handlers}, key=str)
        if bad:
            raise validation(f"Template format error: Unrecognized resource types: [{', '.join(map(str, bad))}]")
        names = set(res) | set(tpl.get("Parameters") or {})
        for lid, r in res.items():
            refs: set = set()
            _refs_in(r.get("Properties", {}), refs)
            do = r.get("DependsOn", [])
            refs |= set([do] if isinstance(do, str) else do)
            unknown = sorted(x for x in refs if x not in names and not x.startswith("AWS::"))
            if unknown:
                raise validation("Template format error: Unresolved resource dependencies "
                                 f"[{', '.join(unknown)}] in the Resources block of the template")
            pol = r.get("DeletionPolicy")
            if pol is not None and pol not in ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot"):
                raise validation(f"Template format error: Unrecognized DeletionPolicy {pol} for "
                                 f"resource {lid}")
        topo_order(res)
        outs = tpl.get("Outputs") or {}
        for k, o in outs.items():
            if not isinstance(o, dict) or "Value" not in o:
                raise validation(f"Template format error: Every Outputs member must contain a Value object, the Outputs member {k} is not valid.")

    # ---- change sets
    def create_change_set(self, region: str, p: dict) -> tuple[str, str]:
        rs = self.region_state(region)
        stack_name = p.get("StackName")
        cs_name = p.get("ChangeSetName")
        cs_type = p.get("ChangeSetType") or "UPDATE"
        if not stack_name:
            raise validation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
        if not cs_name or not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", cs_name):
            raise validation(f"1 validation error detected: Value '{cs_name}' at 'changeSetName' "
                             "failed to satisfy constraint: Member must satisfy regular expression "
                             "pattern: [a-zA-Z][-a-zA-Z0-9]*")
        if cs_type not in ("CREATE", "UPDATE", "IMPORT"):
            raise validation(f"1 validation error detected: Value '{cs_type}' at 'changeSetType' failed to satisfy constraint: Member must satisfy enum value set: [IMPORT, UPDATE, CREATE]")
        existing = None
        for s in rs.stacks.values():
            if s.name == stack_name or s.stack_id == stack_name:
                existing = s
        if cs_type == "UPDATE":
            if existing is None:
                raise validation(f"Stack [{stack_name}] does not exist")
            if existing.status == "REVIEW_IN_PROGRESS":
                raise validation(f"Stack [{stack_name}] does not exist")
        elif cs_type == "CREATE":
            if existing is not None and existing.status != "REVIEW_IN_PROGRESS":
                raise validation(f"Stack [{stack_name}] already exists and cannot be created again "
                                 f"with the changeSet [{cs_name}].")
        else:  # IMPORT
            if not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", stack_name) and existing is None:
                raise validation(f"1 validation error detected: Value '{stack_name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        if existing is None and not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", stack_name):
            raise validation(f"1 validation error detected: Value '{stack_name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        if existing is not None:
            if existing.busy or (existing.status.endswith("_IN_PROGRESS") and existing.status != "REVIEW_IN_PROGRESS"):
                raise validation(f"Stack:{existing.stack_id} is in {existing.status} state and can not be updated.")
            if existing.status in ("ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED",
                                   "UPDATE_ROLLBACK_FAILED", "IMPORT_ROLLBACK_FAILED", "CREATE_FAILED"):
                raise validation(f"Stack:{existing.stack_id} is in {existing.status} state and can not be updated.")
            for cid in existing.change_set_ids:
                if rs.change_sets.get(cid) and rs.change_sets[cid].name == cs_name:
                    raise CfnError("AlreadyExistsException",
                                   f"ChangeSet {cs_name} already exists for stack {existing.stack_id}")

        # template
        if str(p.get("UsePreviousTemplate", "")).lower() == "true":
            if existing is None or existing.template_body is None:
                raise validation("UsePreviousTemplate can not be used with a stack that has no template")
            body = existing.template_body
        else:
            if p.get("TemplateURL") and not p.get("TemplateBody"):
                raise validation("TemplateURL is not supported by this emulator; use TemplateBody")
            body = p.get("TemplateBody")
        tpl = parse_template(body)
        self._check_template(tpl)
        prev_params = existing.params if existing is not None and existing.template_body else None
        params, noecho = self._params(tpl, p.get("Parameters", []), prev_params)

        # IMPORT synchronous validation
        to_import: dict[str, dict] = {}
        if cs_type == "IMPORT":
            rti = p.get("ResourcesToImport", [])
            if not rti:
                raise validation("ResourcesToImport must be specified for an IMPORT change set")
            res = tpl.get("Resources", {})
            missing = [r.get("LogicalResourceId") for r in rti if r.get("LogicalResourceId") not in res]
            if missing:
                raise validation(f"The logical resource ids [{', '.join(map(str, missing))}] provided "
                                 "in ResourceToImport do not exist in the template.")
            unsupported = sorted({res[r["LogicalResourceId"]]["Type"] for r in rti
                                  if not self.handlers[res[r["LogicalResourceId"]]["Type"]].importable})
            if unsupported:
                raise validation("The following resource types are not supported for resource "
                                 f"import: {','.join(unsupported)}")
            for r in rti:
                lid = r["LogicalResourceId"]
                if r.get("ResourceType") != res[lid]["Type"]:
                    raise validation(f"The resource type {r.get('ResourceType')} of resource {lid} in "
                                     "ResourcesToImport does not match the template type "
                                     f"{res[lid]['Type']}")
                h = self.handlers[res[lid]["Type"]]
                ident = (r.get("ResourceIdentifier") or {}).get(h.identifier)
                if not ident or set(r.get("ResourceIdentifier") or {}) != {h.identifier}:
                    raise validation(f"Invalid ResourceIdentifier for resource {lid}: "
                                     f"expected the identifier property [{h.identifier}]")
                to_import[lid] = {"type": res[lid]["Type"], "id": ident}
            nopol = [lid for lid in to_import if "DeletionPolicy" not in res[lid]]
            if nopol:
                raise validation(f"The following resources to import [{', '.join(nopol)}] must have "
                                 "DeletionPolicy attribute specified in the template.")
            old_res = existing.template.get("Resources", {}) if existing is not None else {}
            modified = sorted(
                [lid for lid in res if lid not in to_import and
                 (lid not in old_res or old_res[lid] != res[lid])] +
                [lid for lid in old_res if lid not in res])
            if modified:
                raise validation(f"You have modified resources [{', '.join(modified)}] in your "
                                 "template that are not being imported. Update, create or delete "
                                 "operations cannot be executed during import operations.")
            dup = [lid for lid in to_import if lid in old_res]
            if dup:
                raise validation(f"The following resources are already part of the stack: [{', '.join(dup)}]")

        if existing is None:
            existing = Stack(region, self.account_id, stack_name)
            rs.stacks[existing.stack_id] = existing
            existing.event(None, "REVIEW_IN_PROGRESS", "User Initiated")
        stack = existing
        cs = ChangeSet(region, self.account_id, cs_name, stack, cs_type)
        cs.template_body, cs.template, cs.params, cs.noecho = body, tpl, params, noecho
        cs.tags = p.get("Tags", []) if "Tags" in p else list(stack.tags)
        cs.capabilities = p.get("Capabilities", [])
        cs.description = p.get("Description")
        cs.to_import = to_import
        cs.on_stack_failure = p.get("OnStackFailure")
        cs.notification_arns = p.get("NotificationARNs", [])
        cs.role_arn = p.get("RoleARN")
        rs.change_sets[cs.cs_id] = cs
        stack.change_set_ids.append(cs.cs_id)

        def progress() -> None:
            if cs.status == "CREATE_PENDING":
                cs.status = "CREATE_IN_PROGRESS"

        def finish() -> None:
            if cs.cs_id not in rs.change_sets:
                return
            cs.status = "CREATE_IN_PROGRESS"
            try:
                reason = self._compute_changes(region, cs)
            except CfnError as e:
                reason = e.message
            except ResourceFailure as e:
                reason = e.reason
            if reason:
                cs.status, cs.status_reason, cs.execution_status = "FAILED", reason, "UNAVAILABLE"
            else:
                cs.status, cs.execution_status = "CREATE_COMPLETE", "AVAILABLE"

        self.schedule(progress, 0.3)
        self.schedule(finish, 1.0)
        if self.delay_seconds <= 0:
            finish()
        return cs.cs_id, stack.stack_id

    def _ctx(self, region: str, stack: Stack, tpl: dict, params: dict, tags: list,
             placeholders: bool = False, resources: dict | None = None) -> Ctx:
        ctx = Ctx(self, region, stack, tpl, params,
                  stack.resources if resources is None else resources, placeholders)
        ctx.stack_tags = tags  # type: ignore[attr-defined]
        return ctx

    def _plan(self, region: str, stack: Stack, tpl: dict, params: dict, tags: list,
              placeholders: bool) -> tuple[list[dict], Ctx]:
        """Compare the new template with the deployed one. Returns the resource changes."""
        ctx = self._ctx(region, stack, tpl, params, tags, placeholders)
        new_res = ctx.active_resources()
        changes = []
        for lid in topo_order(new_res):
            d = new_res[lid]
            cur = stack.resources.get(lid)
            props = ctx.resolve(d.get("Properties", {}))
            if cur is None or cur.status in ("DELETE_COMPLETE",):
                changes.append({"Action": "Add", "LogicalResourceId": lid, "ResourceType": d["Type"],
                                "props": props, "def": d})
                continue
            h = self.handlers[d["Type"]]
            scope, details = [], []
            if cur.type != d["Type"]:
                repl = ["Type"]
            else:
                repl = h.replacement(cur.props, props)
            changed = sorted(k for k in set(cur.props) | set(props) if cur.props.get(k) != props.get(k))
            tags_changed = (d["Type"] == "AWS::DynamoDB::Table" and
                            _tagmap(stack.tags) != _tagmap(tags))
            for k in changed:
                details.append({"Target": {"Attribute": "Tags" if k == "Tags" else "Properties",
                                           "Name": k,
                                           "RequiresRecreation": "Always" if k in repl else "Never"},
                                "Evaluation": "Static", "ChangeSource": "DirectModification"})
            if changed:
                scope.append("Properties")
            if "Tags" in changed or tags_changed:
                scope.append("Tags")
            for attr in ("DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
                if cur.definition.get(attr) != d.get(attr):
                    scope.append(attr)
            if scope:
                changes.append({"Action": "Modify", "LogicalResourceId": lid,
                                "PhysicalResourceId": cur.physical_id, "ResourceType": d["Type"],
                                "Replacement": "True" if repl else "False", "Scope": scope,
                                "Details": details, "props": props, "def": d, "replace": repl})
        for lid, cur in stack.resources.items():
            if lid not in new_res and cur.status not in ("DELETE_COMPLETE", "DELETE_SKIPPED"):
                changes.append({"Action": "Remove", "LogicalResourceId": lid,
                                "PhysicalResourceId": cur.physical_id, "ResourceType": cur.type,
                                "PolicyAction": "Retain" if cur.definition.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate") else "Delete"})
        return changes, ctx

    def _compute_changes(self, region: str, cs: ChangeSet) -> str | None:
        stack = cs.stack
        # Fn::ImportValue must name existing exports
        imps: list = []
        _imports_in(cs.template.get("Resources", {}), imps)
        _imports_in(cs.template.get("Outputs", {}), imps)
        if cs.type == "IMPORT":
            ctx = self._ctx(region, stack, cs.template, cs.params, cs.tags, placeholders=True)
            old_outputs = stack.template.get("Outputs") or {}
            if (cs.template.get("Outputs") or {}) != old_outputs:
                return "As part of the import operation, you cannot modify or add [Outputs]"
            rs = self.region_state(region)
            for lid, imp in cs.to_import.items():
                h = self.handlers[imp["type"]]
                props = ctx.resolve(cs.template["Resources"][lid].get("Properties", {}))
                ident = imp["id"]
                if props.get(h.identifier) not in (None, ident):
                    return (f"The value of the identifier property [{h.identifier}] of resource "
                            f"[{lid}] in the template ({props.get(h.identifier)}) does not match "
                            f"the ResourceIdentifier value [{ident}] in ResourcesToImport.")
                prob = h.import_problems(region, ident, props)
                if prob:
                    return prob
                for other in rs.stacks.values():
                    for r in other.resources.values():
                        if r.type == imp["type"] and r.physical_id == ident and \
                                r.status not in ("DELETE_COMPLETE", "DELETE_SKIPPED"):
                            return (f"The following resource(s) are already managed by another "
                                    f"stack: [{lid} ({ident}) in stack {other.stack_id}]")
                cs.changes.append({"Action": "Import", "LogicalResourceId": lid,
                                   "PhysicalResourceId": ident, "ResourceType": imp["type"],
                                   "props": props, "def": cs.template["Resources"][lid]})
            return None
        changes, ctx = self._plan(region, stack, cs.template, cs.params, cs.tags, placeholders=True)
        ctx.outputs()  # raises on unknown exports
        cs.changes = changes
        if cs.type == "UPDATE" and not changes:
            same_outputs = (cs.template.get("Outputs") or {}) == (stack.template.get("Outputs") or {})
            same = (same_outputs and cs.params == stack.params and
                    _tagmap(cs.tags) == _tagmap(stack.tags) and
                    cs.template.get("Description") == stack.template.get("Description"))
            if same:
                return EMPTY_CHANGES
        return None

    def describe_change_set(self, region: str, p: dict) -> dict:
        rs = self.region_state(region)
        cs = self.find_change_set(rs, p.get("ChangeSetName", ""), p.get("StackName"))
        out = {
            "ChangeSetName": cs.name, "ChangeSetId": cs.cs_id, "StackId": cs.stack.stack_id,
            "StackName": cs.stack.name, "Description": cs.description,
            "Parameters": [{"ParameterKey": k, "ParameterValue": "****" if k in cs.noecho else
                            (",".join(v) if isinstance(v, list) else v)} for k, v in cs.params.items()],
            "CreationTime": iso(cs.creation_time), "ExecutionStatus": cs.execution_status,
            "Status": cs.status, "StatusReason": cs.status_reason,
            "NotificationARNs": cs.notification_arns, "Capabilities": cs.capabilities,
            "Tags": cs.tags, "IncludeNestedStacks": False,
            "Changes": [],
        }
        if cs.status in ("CREATE_COMPLETE",) or cs.execution_status.startswith("EXECUTE"):
            for c in cs.changes:
                rc = {k: v for k, v in c.items() if k in (
                    "Action", "LogicalResourceId", "PhysicalResourceId", "ResourceType",
                    "Replacement", "Scope", "Details", "PolicyAction")}
                if rc["Action"] == "Import":
                    rc["Scope"], rc["Details"] = [], []
                out["Changes"].append({"Type": "Resource", "ResourceChange": rc})
        return out

    def list_change_sets(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        stack = self.find_stack(rs, p.get("StackName", ""), deleted_ok=False)
        out = []
        for cid in stack.change_set_ids:
            cs = rs.change_sets.get(cid)
            if cs:
                out.append({"StackId": stack.stack_id, "StackName": stack.name, "ChangeSetId": cid,
                            "ChangeSetName": cs.name, "ExecutionStatus": cs.execution_status,
                            "Status": cs.status, "StatusReason": cs.status_reason,
                            "CreationTime": iso(cs.creation_time), "Description": cs.description,
                            "IncludeNestedStacks": False})
        return out

    def delete_change_set(self, region: str, p: dict) -> None:
        rs = self.region_state(region)
        cs = self.find_change_set(rs, p.get("ChangeSetName", ""), p.get("StackName"))
        if cs.execution_status == "EXECUTE_IN_PROGRESS":
            raise CfnError("InvalidChangeSetStatus",
                           f"Cannot delete ChangeSet {cs.cs_id} because it is in "
                           f"{cs.execution_status} state")
        rs.change_sets.pop(cs.cs_id, None)
        if cs.cs_id in cs.stack.change_set_ids:
            cs.stack.change_set_ids.remove(cs.cs_id)
        # AWS deletes a REVIEW_IN_PROGRESS stack's last change set but keeps the stack.

    def execute_change_set(self, region: str, p: dict) -> None:
        rs = self.region_state(region)
        cs = self.find_change_set(rs, p.get("ChangeSetName", ""), p.get("StackName"))
        stack = cs.stack
        if cs.status != "CREATE_COMPLETE" or cs.execution_status != "AVAILABLE":
            raise CfnError("InvalidChangeSetStatus",
                           f"ChangeSet [{cs.cs_id}] cannot be executed in its current status of "
                           f"[{cs.status}]" if cs.status != "CREATE_COMPLETE" else
                           f"ChangeSet [{cs.cs_id}] cannot be executed in its current execution "
                           f"status of [{cs.execution_status}]")
        if stack.busy:
            raise CfnError("InvalidChangeSetStatus",
                           f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        token = p.get("ClientRequestToken")
        self._check_token(stack, token, "UPDATE_STACK" if stack.template_body else "CREATE_STACK")
        disable_rollback = str(p.get("DisableRollback", "")).lower() == "true"
        if cs.type == "CREATE" and cs.on_stack_failure:
            disable_rollback = cs.on_stack_failure == "DO_NOTHING"
        # executing deletes the other change sets of the stack
        for cid in list(stack.change_set_ids):
            if cid != cs.cs_id:
                rs.change_sets.pop(cid, None)
                stack.change_set_ids.remove(cid)
        cs.execution_status = "EXECUTE_IN_PROGRESS"
        self._start_operation(region, stack, cs.type, cs.template_body, cs.template, cs.params,
                              cs.noecho, cs.tags, cs.capabilities, cs.description, token,
                              disable_rollback, cs=cs)

    # ---- stack operations
    def create_stack(self, region: str, p: dict) -> str:
        rs = self.region_state(region)
        name = p.get("StackName", "")
        for s in rs.stacks.values():
            if s.name == name:
                if s.status == "REVIEW_IN_PROGRESS":
                    raise validation(f"Stack [{name}] already exists")  # AWS: AlreadyExists too
                raise CfnError("AlreadyExistsException", f"Stack [{name}] already exists")
        if not re.fullmatch(r"[a-zA-Z][-a-zA-Z0-9]{0,127}", name):
            raise validation(f"1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*")
        body = p.get("TemplateBody")
        tpl = parse_template(body)
        self._check_template(tpl)
        params, noecho = self._params(tpl, p.get("Parameters", []), None)
        stack = Stack(region, self.account_id, name)
        stack.termination_protection = str(p.get("EnableTerminationProtection", "")).lower() == "true"
        stack.notification_arns = p.get("NotificationARNs", [])
        stack.role_arn = p.get("RoleARN")
        rs.stacks[stack.stack_id] = stack
        disable = str(p.get("DisableRollback", "")).lower() == "true" or p.get("OnFailure") == "DO_NOTHING"
        self._start_operation(region, stack, "CREATE", body, tpl, params, noecho, p.get("Tags", []),
                              p.get("Capabilities", []), None, p.get("ClientRequestToken"), disable,
                              on_failure_delete=p.get("OnFailure") == "DELETE")
        return stack.stack_id, stack.last_operations[0]["OperationId"]

    def update_stack(self, region: str, p: dict) -> str:
        rs = self.region_state(region)
        stack = self.find_stack(rs, p.get("StackName", ""), deleted_ok=False)
        if stack.busy or stack.status in ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED",
                                          "DELETE_FAILED", "UPDATE_ROLLBACK_FAILED", "CREATE_FAILED"):
            raise validation(f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.")
        if str(p.get("UsePreviousTemplate", "")).lower() == "true":
            body = stack.template_body
        else:
            body = p.get("TemplateBody")
        tpl = parse_template(body)
        self._check_template(tpl)
        params, noecho = self._params(tpl, p.get("Parameters", []), stack.params)
        tags = p.get("Tags", []) if "Tags" in p else stack.tags
        self._check_token(stack, p.get("ClientRequestToken"), "UPDATE_STACK")
        cs = ChangeSet(region, self.account_id, "direct-update", stack, "UPDATE")
        cs.template_body, cs.template, cs.params, cs.tags = body, tpl, params, tags
        reason = self._compute_changes(region, cs)
        if reason == EMPTY_CHANGES:
            raise validation("No updates are to be performed.")
        if reason:
            raise validation(reason)
        self._start_operation(region, stack, "UPDATE", body, tpl, params, noecho, tags,
                              p.get("Capabilities", []), None, p.get("ClientRequestToken"),
                              str(p.get("DisableRollback", "")).lower() == "true")
        return stack.stack_id, stack.last_operations[0]["OperationId"]

    def _start_operation(self, region: str, stack: Stack, kind: str, body: str, tpl: dict,
                         params: dict, noecho: set, tags: list, caps: list, desc: str | None,
                         token: str | None, disable_rollback: bool, cs: ChangeSet | None = None,
                         on_failure_delete: bool = False) -> None:
        stack.busy = True
        stack.begin({"CREATE": "CREATE_STACK", "UPDATE": "UPDATE_STACK",
                     "IMPORT": "UPDATE_STACK" if stack.template_body else "CREATE_STACK"}[kind], token)
        stack.event(None, f"{kind}_IN_PROGRESS", "User Initiated", token=token)
        if kind != "CREATE":
            stack.last_updated = now()

        def finish() -> None:
            try:
                if kind == "IMPORT":
                    ok = self._run_import(region, stack, cs, body, tpl, params, noecho, tags, caps, token)
                elif kind == "CREATE":
                    ok = self._run_create(region, stack, body, tpl, params, noecho, tags, caps, desc,
                                          token, disable_rollback, on_failure_delete)
                else:
                    ok = self._run_update(region, stack, body, tpl, params, noecho, tags, caps, token,
                                          disable_rollback)
            finally:
                stack.busy = False
            if cs is not None:
                cs.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"

        self.schedule(finish)
        if self.delay_seconds <= 0:
            self.tick()

    @staticmethod
    def _check_token(stack: Stack, token: str | None, op_type: str) -> None:
        """A ClientRequestToken already used by another kind of operation of this stack is
        refused (emulator choice, UNCONFIRMED; the model declares TokenAlreadyExistsException)."""
        if token and stack.tokens.get(token) not in (None, op_type):
            raise CfnError("TokenAlreadyExistsException",
                           f"Another {stack.tokens[token]} request with the same client request "
                           f"token {token} was already made for stack {stack.stack_id}.")

    def _injected(self, stack: Stack) -> str | None:
        """The reason of the next queued fail_stack fault of this stack (or None); a fault
        with rollback "fail" also makes the rollback that follows fail."""
        q = self.fail_stack.get(stack.name)
        if q:
            rule = q.pop(0)
            if not q:
                del self.fail_stack[stack.name]
            if rule.get("pass"):  # a `skip` placeholder: this operation goes through
                stack.rollback_fault = None
                return None
            stack.rollback_fault = rule["rollback_reason"] if rule.get("rollback") == "fail" else None
            return rule["reason"]
        stack.rollback_fault = None
        return None

    def _commit(self, region: str, stack: Stack, body: str, tpl: dict, params: dict, noecho: set,
                tags: list, caps: list, ctx: Ctx) -> None:
        stack.template_body, stack.template, stack.params, stack.noecho = body, tpl, params, noecho
        stack.tags, stack.capabilities = list(tags), list(caps)
        stack.description = tpl.get("Description")
        rs = self.region_state(region)
        for e in [n for n, x in rs.exports.items() if x["ExportingStackId"] == stack.stack_id]:
            del rs.exports[e]
        outs = ctx.outputs()
        stack.outputs = outs
        for o in outs:
            if "ExportName" in o:
                rs.exports[o["ExportName"]] = {"Value": o["OutputValue"],
                                               "ExportingStackId": stack.stack_id}
        imps: set = set()
        _c = self._ctx(region, stack, tpl, params, tags)
        for d in _c.active_resources().values():
            _c.resolve(d.get("Properties", {}))
        imps |= _c.imports_used | ctx.imports_used
        stack.imports_used = imps

    def _export_conflicts(self, region: str, stack: Stack, new_outputs: list[dict] | None) -> str | None:
        """An export that other stacks import may neither disappear nor change value."""
        rs = self.region_state(region)
        new = {o["ExportName"]: o["OutputValue"] for o in (new_outputs or []) if "ExportName" in o}
        for name, exp in rs.exports.items():
            if exp["ExportingStackId"] != stack.stack_id:
                continue
            users = self.importers(region, name)
            if not users:
                continue
            if name not in new:
                return f"Export {name} cannot be deleted as it is in use by {users[0]}"
            if new[name] != exp["Value"]:
                return f"Cannot update export {name} as it is in use by {users[0]}"
        for name in new:
            other = rs.exports.get(name)
            if other and other["ExportingStackId"] != stack.stack_id:
                owner = self.find_stack(rs, other["ExportingStackId"])
                return f"Export with name {name} is already exported by stack {owner.name}"
        return None

    def importers(self, region: str, export: str) -> list[str]:
        rs = self.region_state(region)
        return sorted(s.name for s in rs.stacks.values() if export in s.imports_used)

    def _run_create(self, region, stack, body, tpl, params, noecho, tags, caps, desc, token,
                    disable_rollback, on_failure_delete) -> bool:
        ctx = self._ctx(region, stack, tpl, params, tags)
        resources = ctx.active_resources()
        injected = self._injected(stack)
        created: list[Resource] = []
        failure = None
        try:
            for lid in topo_order(resources):
                d = resources[lid]
                r = Resource(lid, d["Type"])
                r.region = region  # type: ignore[attr-defined]
                r.definition = d
                stack.resources[lid] = r
                stack.event(lid, "CREATE_IN_PROGRESS", rtype=r.type, physical="", token=token)
                try:
                    if injected is not None:
                        raise ResourceFailure(injected)
                    props = ctx.resolve(d.get("Properties", {}))
                    r.props = props
                    self.handlers[r.type].create(ctx, r, props)
                except ResourceFailure as e:
                    stack.event(lid, "CREATE_FAILED", e.reason, r.type, r.physical_id or "", token=token)
                    failure = lid
                    break
                created.append(r)
                stack.event(lid, "CREATE_IN_PROGRESS", "Resource creation Initiated", r.type,
                            r.physical_id, token=token)
                stack.event(lid, "CREATE_COMPLETE", None, r.type, r.physical_id, token=token)
            if failure is None:
                ctx.outputs()
                conflict = self._export_conflicts(region, stack, ctx.outputs())
                if conflict:
                    raise ResourceFailure(conflict)
        except (ResourceFailure, CfnError) as e:
            msg = e.reason if isinstance(e, ResourceFailure) else e.message
            stack.event(None, "CREATE_FAILED" if disable_rollback else "ROLLBACK_IN_PROGRESS", msg, token=token)
            failure = failure or "__stack__"
        if failure is None:
            self._commit(region, stack, body, tpl, params, noecho, tags, caps, ctx)
            stack.event(None, "CREATE_COMPLETE", token=token)
            return True
        reason = f"The following resource(s) failed to create: [{failure}]. "
        if failure == "__stack__":
            reason = stack.status_reason
        stack.template_body, stack.template, stack.params, stack.tags = body, tpl, params, list(tags)
        if disable_rollback:
            stack.event(None, "CREATE_FAILED", reason, token=token)
            return False
        if stack.status != "ROLLBACK_IN_PROGRESS":
            stack.event(None, "ROLLBACK_IN_PROGRESS", reason + "Rollback requested by user.", token=token)
        for lid in [x for x in topo_order(resources) if x in stack.resources][::-1]:
            r = stack.resources[lid]
            if r.status == "CREATE_FAILED" and not r.physical_id and not stack.rollback_fault:
                stack.event(lid, "DELETE_COMPLETE", None, r.type, "", token=token)
                continue
            stack.event(lid, "DELETE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
            try:
                if r.definition.get("DeletionPolicy") == "Retain":
                    stack.event(lid, "DELETE_SKIPPED", None, r.type, r.physical_id, token=token)
                    continue
                if stack.rollback_fault:
                    raise ResourceFailure(stack.rollback_fault)
                self.handlers[r.type].delete(ctx, r)
                stack.event(lid, "DELETE_COMPLETE", None, r.type, r.physical_id, token=token)
            except ResourceFailure as e:
                stack.event(lid, "DELETE_FAILED", e.reason, r.type, r.physical_id, token=token)
                stack.event(None, "ROLLBACK_FAILED", f"The following resource(s) failed to delete: [{lid}]. ", token=token)
                return False
        stack.event(None, "ROLLBACK_COMPLETE", token=token)
        if on_failure_delete:
            self._finish_delete(region, stack, token)
        return False

    def _run_import(self, region, stack, cs, body, tpl, params, noecho, tags, caps, token) -> bool:
        ctx = self._ctx(region, stack, tpl, params, tags)
        injected = self._injected(stack)
        failed = None
        for lid, imp in cs.to_import.items():
            d = tpl["Resources"][lid]
            stack.event(lid, "IMPORT_IN_PROGRESS", None, imp["type"], imp["id"], token=token)
            h = self.handlers[imp["type"]]
            prob = injected or h.import_problems(region, imp["id"], ctx.resolve(d.get("Properties", {})))
            if prob:
                stack.event(lid, "IMPORT_FAILED", prob, imp["type"], imp["id"], token=token)
                failed = lid
                break
        if failed:
            stack.event(None, "IMPORT_ROLLBACK_IN_PROGRESS",
                        f"The following resource(s) failed to import: [{failed}]. ", token=token)
            if stack.rollback_fault:
                stack.event(failed, "IMPORT_ROLLBACK_FAILED", stack.rollback_fault,
                            cs.to_import[failed]["type"], cs.to_import[failed]["id"], token=token)
                stack.event(None, "IMPORT_ROLLBACK_FAILED",
                            f"The following resource(s) failed to roll back: [{failed}]. ", token=token)
                return False
            stack.event(None, "IMPORT_ROLLBACK_COMPLETE", token=token)
            return False
        for lid, imp in cs.to_import.items():
            d = tpl["Resources"][lid]
            r = Resource(lid, imp["type"])
            r.region = region  # type: ignore[attr-defined]
            r.physical_id, r.definition = imp["id"], d
            r.props = ctx.resolve(d.get("Properties", {}))
            stack.resources[lid] = r
            if isinstance(self.handlers[r.type], TableHandler):
                self.handlers[r.type].apply_stack_tags(ctx, r)
            stack.event(lid, "IMPORT_COMPLETE", "Resource import completed.", r.type, r.physical_id,
                        token=token)
        self._commit(region, stack, body, tpl, params, noecho, tags, caps, ctx)
        stack.event(None, "IMPORT_COMPLETE", token=token)
        return True

    def _run_update(self, region, stack, body, tpl, params, noecho, tags, caps, token,
                    disable_rollback) -> bool:
        try:
            changes, ctx = self._plan(region, stack, tpl, params, tags, placeholders=True)
        except (CfnError, ResourceFailure) as e:
            return self._update_failed(stack, None, e.reason if isinstance(e, ResourceFailure) else e.message, token, disable_rollback)
        injected = self._injected(stack)
        # --- precheck (no mutation yet)
        for c in changes:
            lid = c["LogicalResourceId"]
            fail = None
            if injected is not None:
                fail = injected
            elif c["Action"] == "Modify":
                cur = stack.resources[lid]
                h = self.handlers[c["ResourceType"]]
                name = h.custom_name(cur.props) or h.custom_name(c["props"])
                if c["replace"] and h.custom_name(c["props"]) and \
                        h.custom_name(c["props"]) == h.custom_name(cur.props):
                    fail = ("CloudFormation cannot update a stack when a custom-named resource "
                            f"requires replacing. Rename {name} and update the stack again.")
                elif not c["replace"]:
                    try:
                        real = self._ctx(region, stack, tpl, params, tags).resolve(
                            c["def"].get("Properties", {}))
                    except (ResourceFailure, CfnError):
                        real = None  # refers to a resource added by this update
                    if real is not None:
                        try:
                            h.precheck_update(ctx, cur, cur.props, real)
                        except ResourceFailure as e:
                            fail = e.reason
            if fail is not None:
                status = "UPDATE_FAILED" if c["Action"] != "Add" else "CREATE_FAILED"
                if c["Action"] != "Add":
                    stack.event(lid, "UPDATE_IN_PROGRESS", None, c["ResourceType"],
                                c.get("PhysicalResourceId"), token=token)
                stack.event(lid, status, fail, c["ResourceType"], c.get("PhysicalResourceId") or "",
                            token=token)
                if c["Action"] == "Add":
                    stack.resources.pop(lid, None)
                verb = "create" if c["Action"] == "Add" else "update"
                return self._update_failed(stack, lid, f"The following resource(s) failed to {verb}: [{lid}]. ",
                                           token, disable_rollback)
        if not changes and injected is not None:
            return self._update_failed(stack, None, injected, token, disable_rollback)
        # --- apply
        applied: list[tuple[str, dict, Resource | None]] = []
        replaced: list[Resource] = []
        rctx = self._ctx(region, stack, tpl, params, tags)
        try:
            for c in changes:
                lid = c["LogicalResourceId"]
                act = c["Action"]
                if act == "Remove":
                    continue
                d = c["def"]
                props = rctx.resolve(d.get("Properties", {}))
                h = self.handlers[c["ResourceType"]]
                if act == "Add":
                    r = Resource(lid, c["ResourceType"])
                    r.region = region  # type: ignore[attr-defined]
                    r.definition, r.props = d, props
                    stack.resources[lid] = r
                    stack.event(lid, "CREATE_IN_PROGRESS", None, r.type, "", token=token)
                    try:
                        h.create(rctx, r, props)
                    except ResourceFailure as e:
                        stack.event(lid, "CREATE_FAILED", e.reason, r.type, r.physical_id or "", token=token)
                        stack.resources.pop(lid, None)
                        raise _ApplyFail(lid, "create")
                    applied.append(("Add", {}, r))
                    stack.event(lid, "CREATE_COMPLETE", None, r.type, r.physical_id, token=token)
                    continue
                cur = stack.resources[lid]
                stack.event(lid, "UPDATE_IN_PROGRESS", None, cur.type, cur.physical_id, token=token)
                if c.get("replace"):
                    newr = Resource(lid, c["ResourceType"])
                    newr.region = region  # type: ignore[attr-defined]
                    newr.definition, newr.props = d, props
                    stack.event(lid, "UPDATE_IN_PROGRESS", "Requested update requires the creation of a new physical resource; hence creating one.", cur.type, cur.physical_id, token=token)
                    try:
                        h.create(rctx, newr, props)
                    except ResourceFailure as e:
                        stack.event(lid, "UPDATE_FAILED", e.reason, cur.type, cur.physical_id, token=token)
                        raise _ApplyFail(lid, "update")
                    replaced.append(cur)
                    stack.resources[lid] = newr
                    applied.append(("Replace", {}, cur))
                    stack.event(lid, "UPDATE_COMPLETE", None, newr.type, newr.physical_id, token=token)
                    continue
                old_props, old_def = cur.props, cur.definition
                try:
                    h.precheck_update(rctx, cur, old_props, props)
                    h.update(rctx, cur, old_props, props)
                except ResourceFailure as e:
                    stack.event(lid, "UPDATE_FAILED", e.reason, cur.type, cur.physical_id, token=token)
                    raise _ApplyFail(lid, "update")
                cur.props, cur.definition = props, d
                applied.append(("Modify", {"props": old_props, "def": old_def}, cur))
                stack.event(lid, "UPDATE_COMPLETE", None, cur.type, cur.physical_id, token=token)
            for r in stack.resources.values():  # stack tags may have changed
                if isinstance(self.handlers[r.type], TableHandler) and r.physical_id:
                    if not any(c["LogicalResourceId"] == r.logical_id and c["Action"] != "Remove" for c in changes) \
                            and _tagmap(tags) != _tagmap(stack.tags):
                        self.handlers[r.type].update(rctx, r, r.props, r.props)
            new_outputs = rctx.outputs()
            conflict = self._export_conflicts(region, stack, new_outputs)
            if conflict:
                stack.event(None, "UPDATE_ROLLBACK_IN_PROGRESS", conflict, token=token)
                raise _ApplyFail(None, conflict)
        except _ApplyFail as f:
            reason = (f"The following resource(s) failed to {f.verb}: [{f.lid}]. " if f.lid else f.verb)
            if disable_rollback:
                stack.event(None, "UPDATE_FAILED", reason, token=token)
                return False
            if stack.status != "UPDATE_ROLLBACK_IN_PROGRESS":
                stack.event(None, "UPDATE_ROLLBACK_IN_PROGRESS", reason, token=token)
            steps = list(reversed(applied))
            if f.lid and f.lid in stack.resources and not any(x[2].logical_id == f.lid for x in steps):
                steps.insert(0, ("Noop", {}, stack.resources[f.lid]))
            if not self._rollback_steps(region, stack, steps, token, set()):
                return False
            stack.event(None, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", token=token)
            stack.event(None, "UPDATE_ROLLBACK_COMPLETE", token=token)
            return False
        return self._finish_update(region, stack, body, tpl, params, noecho, tags, caps, token,
                                   changes, replaced, rctx)

    def _rollback_steps(self, region: str, stack: Stack, steps: list, token, skip: set) -> bool:
        """Undo applied changes (newest first). On a failure the stack is left in
        UPDATE_ROLLBACK_FAILED with the steps still to do (ContinueUpdateRollback)."""
        octx = self._ctx(region, stack, stack.template, stack.params, stack.tags)
        for i, (kind, old, r) in enumerate(steps):
            if r.logical_id in skip:
                stack.event(r.logical_id, "UPDATE_COMPLETE", "Resource skipped during rollback",
                            r.type, r.physical_id, token=token)
                continue
            try:
                if stack.rollback_fault:
                    fault, stack.rollback_fault = stack.rollback_fault, None
                    stack.event(r.logical_id, "UPDATE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
                    raise ResourceFailure(fault)
                if kind == "Add":
                    stack.event(r.logical_id, "DELETE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
                    self.handlers[r.type].delete(octx, r)
                    stack.resources.pop(r.logical_id, None)
                    stack.event(r.logical_id, "DELETE_COMPLETE", None, r.type, r.physical_id, token=token)
                elif kind == "Replace":
                    new = stack.resources[r.logical_id]
                    stack.resources[r.logical_id] = r
                    self.handlers[new.type].delete(octx, new)
                    stack.event(r.logical_id, "UPDATE_COMPLETE", None, r.type, r.physical_id, token=token)
                elif kind == "Noop":  # the resource whose update failed: nothing changed
                    stack.event(r.logical_id, "UPDATE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
                    stack.event(r.logical_id, "UPDATE_COMPLETE", None, r.type, r.physical_id, token=token)
                else:
                    stack.event(r.logical_id, "UPDATE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
                    self.handlers[r.type].update(octx, r, r.props, old["props"])
                    r.props, r.definition = old["props"], old["def"]
                    stack.event(r.logical_id, "UPDATE_COMPLETE", None, r.type, r.physical_id, token=token)
            except ResourceFailure as e:
                stack.event(r.logical_id, "UPDATE_FAILED", e.reason, r.type, r.physical_id, token=token)
                stack.event(None, "UPDATE_ROLLBACK_FAILED",
                            f"The following resource(s) failed to update: [{r.logical_id}]. ", token=token)
                stack.rollback_pending = {"steps": steps[i:], "failed": [r.logical_id]}
                return False
        stack.rollback_pending = None
        return True

    def _finish_update(self, region, stack, body, tpl, params, noecho, tags, caps, token,
                       changes, replaced, rctx) -> bool:
        stack.event(None, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", token=token)
        for r in replaced:
            pol = r.definition.get("UpdateReplacePolicy")
            if pol == "Retain":
                stack.event(r.logical_id, "DELETE_SKIPPED", None, r.type, r.physical_id, token=token)
                continue
            stack.event(r.logical_id, "DELETE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
            try:
                self.handlers[r.type].delete(rctx, r)
                stack.event(r.logical_id, "DELETE_COMPLETE", None, r.type, r.physical_id, token=token)
            except ResourceFailure as e:
                stack.event(r.logical_id, "DELETE_FAILED", e.reason, r.type, r.physical_id, token=token)
        for c in changes:
            if c["Action"] != "Remove":
                continue
            r = stack.resources[c["LogicalResourceId"]]
            if c["PolicyAction"] == "Retain":
                stack.event(r.logical_id, "DELETE_SKIPPED", None, r.type, r.physical_id, token=token)
                stack.resources.pop(r.logical_id)
                continue
            stack.event(r.logical_id, "DELETE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
            try:
                self.handlers[r.type].delete(rctx, r)
                stack.event(r.logical_id, "DELETE_COMPLETE", None, r.type, r.physical_id, token=token)
            except ResourceFailure as e:
                stack.event(r.logical_id, "DELETE_FAILED", e.reason, r.type, r.physical_id, token=token)
            stack.resources.pop(r.logical_id, None)
        self._commit(region, stack, body, tpl, params, noecho, tags, caps, rctx)
        stack.event(None, "UPDATE_COMPLETE", token=token)
        return True

    def _update_failed(self, stack: Stack, lid: str | None, reason: str, token: str | None,
                       disable_rollback: bool) -> bool:
        if disable_rollback:
            stack.event(None, "UPDATE_FAILED", reason, token=token)
            return False
        stack.event(None, "UPDATE_ROLLBACK_IN_PROGRESS", reason, token=token)
        if lid and lid in stack.resources:
            r = stack.resources[lid]
            stack.event(lid, "UPDATE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
            if stack.rollback_fault:
                stack.event(lid, "UPDATE_FAILED", stack.rollback_fault, r.type, r.physical_id, token=token)
                stack.event(None, "UPDATE_ROLLBACK_FAILED",
                            f"The following resource(s) failed to update: [{lid}]. ", token=token)
                stack.rollback_pending = {"steps": [], "failed": [lid]}
                return False
            stack.event(lid, "UPDATE_COMPLETE", None, r.type, r.physical_id, token=token)
        stack.event(None, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", token=token)
        stack.event(None, "UPDATE_ROLLBACK_COMPLETE", token=token)
        return False

    def continue_update_rollback(self, region: str, p: dict) -> None:
        rs = self.region_state(region)
        stack = self.find_stack(rs, p.get("StackName", ""), deleted_ok=False)
        if stack.busy or stack.status != "UPDATE_ROLLBACK_FAILED":
            # UNCONFIRMED wording
            raise validation(f"Stack:{stack.stack_id} is in {stack.status} state and can not "
                             "continue update rollback.")
        token = p.get("ClientRequestToken")
        self._check_token(stack, token, "CONTINUE_ROLLBACK")
        skip = set(p.get("ResourcesToSkip") or [])
        pending = stack.rollback_pending or {"steps": [], "failed": []}
        bad = sorted(x for x in skip if x not in pending["failed"])
        if bad:  # UNCONFIRMED wording; AWS only skips resources whose rollback failed
            raise validation(f"Nested stacks could not be rolled back and resources [{', '.join(bad)}] "
                             "cannot be skipped: only resources in the UPDATE_FAILED state can be skipped.")
        stack.busy = True
        stack.begin("CONTINUE_ROLLBACK", token)
        stack.event(None, "UPDATE_ROLLBACK_IN_PROGRESS", "User Initiated", token=token)

        def finish() -> None:
            try:
                injected = self._injected(stack)
                if injected is not None and stack.rollback_fault is None:
                    stack.rollback_fault = injected
                steps = pending["steps"] or [("Noop", {}, stack.resources[x]) for x in pending["failed"]
                                             if x in stack.resources]
                if self._rollback_steps(region, stack, steps, token, skip):
                    stack.event(None, "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", token=token)
                    stack.event(None, "UPDATE_ROLLBACK_COMPLETE", token=token)
            finally:
                stack.busy = False

        self.schedule(finish)
        if self.delay_seconds <= 0:
            self.tick()

    def delete_stack(self, region: str, p: dict) -> None:
        rs = self.region_state(region)
        name = p.get("StackName", "")
        try:
            stack = self.find_stack(rs, name, deleted_ok=False)
        except CfnError:
            return  # AWS: deleting a stack that does not exist succeeds silently
        retain = p.get("RetainResources", [])
        token = p.get("ClientRequestToken")
        if stack.termination_protection:
            raise validation(f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled")
        if retain and stack.status != "DELETE_FAILED":
            raise validation(f"Invalid operation on stack [{stack.stack_id}]. RetainResources can only "
                             "be specified when the stack is in the DELETE_FAILED state.")
        if p.get("DeletionMode") == "FORCE_DELETE_STACK" and stack.status != "DELETE_FAILED":
            raise validation(f"Invalid operation on stack [{stack.stack_id}]. You can activate "
                             "DeletionMode FORCE_DELETE_STACK in a delete stack operation only when "
                             "the stack is in the DELETE_FAILED state.")
        if stack.busy:
            if stack.status == "DELETE_IN_PROGRESS":
                return  # AWS accepts a repeated DeleteStack silently
            raise validation(f"Stack [{stack.name}] cannot be deleted while in status {stack.status}")
        self._check_token(stack, token, "DELETE_STACK")
        bad = [x for x in retain if x not in stack.resources]
        if bad:
            raise validation(f"The specified resources to retain must be in a valid state. Resources [{', '.join(bad)}] do not exist in the stack.")
        stack.begin("DELETE_STACK", token)
        stack.rollback_pending = None
        if stack.status == "REVIEW_IN_PROGRESS":
            stack.event(None, "DELETE_IN_PROGRESS", "User Initiated", token=token)
            self._finish_delete(region, stack, token)
            return
        force = p.get("DeletionMode") == "FORCE_DELETE_STACK"
        stack.busy = True
        stack.event(None, "DELETE_IN_PROGRESS", "User Initiated", token=token)

        def finish() -> None:
            try:
                self._run_delete(region, stack, set(retain), force, token)
            finally:
                stack.busy = False

        self.schedule(finish)
        if self.delay_seconds <= 0:
            self.tick()

    def _run_delete(self, region: str, stack: Stack, retain: set, force: bool, token) -> None:
        rs = self.region_state(region)
        for name, exp in rs.exports.items():
            if exp["ExportingStackId"] == stack.stack_id:
                users = [u for u in self.importers(region, name) if u != stack.name]
                if users:
                    stack.event(None, "DELETE_FAILED",
                                f"Export {name} cannot be deleted as it is in use by {users[0]}",
                                token=token)
                    return
        injected = self._injected(stack)
        failed = []
        ctx = self._ctx(region, stack, stack.template, stack.params, stack.tags)
        order = [x for x in topo_order({k: r.definition for k, r in stack.resources.items()})][::-1]
        for lid in order:
            r = stack.resources[lid]
            if r.status in ("DELETE_COMPLETE", "DELETE_SKIPPED"):
                continue
            if lid in retain or force or r.definition.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"):
                stack.event(lid, "DELETE_SKIPPED", None, r.type, r.physical_id, token=token)
                continue
            stack.event(lid, "DELETE_IN_PROGRESS", None, r.type, r.physical_id, token=token)
            try:
                if injected is not None:
                    raise ResourceFailure(injected)
                self.handlers[r.type].delete(ctx, r)
            except ResourceFailure as e:
                stack.event(lid, "DELETE_FAILED", e.reason, r.type, r.physical_id, token=token)
                failed.append(lid)
                continue
            stack.event(lid, "DELETE_COMPLETE", None, r.type, r.physical_id, token=token)
        if failed:
            stack.event(None, "DELETE_FAILED",
                        f"The following resource(s) failed to delete: [{', '.join(failed)}]. ", token=token)
            return
        self._finish_delete(region, stack, token)

    def _finish_delete(self, region: str, stack: Stack, token) -> None:
        rs = self.region_state(region)
        stack.event(None, "DELETE_COMPLETE", token=token)
        stack.deletion_time = now()
        for e in [n for n, x in rs.exports.items() if x["ExportingStackId"] == stack.stack_id]:
            del rs.exports[e]
        stack.imports_used = set()
        for cid in stack.change_set_ids:
            rs.change_sets.pop(cid, None)
        stack.change_set_ids = []
        rs.stacks.pop(stack.stack_id, None)
        rs.deleted[stack.stack_id] = stack

    # ---- read operations
    def stack_dict(self, s: Stack) -> dict:
        d = {
            "StackId": s.stack_id, "StackName": s.name, "Description": s.description,
            "Parameters": [{"ParameterKey": k, "ParameterValue": "****" if k in s.noecho else
                            (",".join(v) if isinstance(v, list) else v)} for k, v in s.params.items()],
            "CreationTime": iso(s.creation_time), "DeletionTime": iso(s.deletion_time),
            "LastUpdatedTime": iso(s.last_updated), "StackStatus": s.status,
            "StackStatusReason": s.status_reason, "DisableRollback": s.disable_rollback,
            "NotificationARNs": s.notification_arns, "Capabilities": s.capabilities,
            "Outputs": s.outputs if s.status != "DELETE_COMPLETE" else [], "RoleARN": s.role_arn,
            "Tags": s.tags, "EnableTerminationProtection": s.termination_protection,
            "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
        }
        if s.last_operations:
            d["LastOperations"] = list(s.last_operations)
        return d

    def describe_stacks(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        name = p.get("StackName")
        if name:
            return [self.stack_dict(self.find_stack(rs, name, deleted_ok=name.startswith("arn:")))]
        return [self.stack_dict(s) for s in rs.stacks.values()]

    def list_stacks(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        flt = p.get("StackStatusFilter", [])
        out = []
        for s in list(rs.stacks.values()) + list(rs.deleted.values()):
            if flt and s.status not in flt:
                continue
            out.append({"StackId": s.stack_id, "StackName": s.name, "TemplateDescription": s.description,
                        "CreationTime": iso(s.creation_time), "LastUpdatedTime": iso(s.last_updated),
                        "DeletionTime": iso(s.deletion_time), "StackStatus": s.status,
                        "StackStatusReason": s.status_reason,
                        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"}})
        return out

    def describe_stack_events(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        s = self.find_stack(rs, p.get("StackName", ""))
        return list(reversed(s.events))

    def _res_dict(self, s: Stack, r: Resource, summary: bool = False) -> dict:
        d = {"LogicalResourceId": r.logical_id, "PhysicalResourceId": r.physical_id,
             "ResourceType": r.type, "ResourceStatus": r.status,
             "ResourceStatusReason": r.status_reason,
             "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"}}
        if summary:
            d["LastUpdatedTimestamp"] = iso(r.updated)
        else:
            d.update({"StackName": s.name, "StackId": s.stack_id, "Timestamp": iso(r.updated)})
        return d

    def _stack_by_physical(self, rs: RegionState, phys: str) -> Stack:
        for s in rs.stacks.values():
            for r in s.resources.values():
                if r.physical_id == phys:
                    return s
        raise validation(f"Stack for {phys} does not exist")

    def describe_stack_resources(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        if p.get("StackName") and p.get("PhysicalResourceId"):
            raise validation("Cannot specify both StackName and PhysicalResourceId")
        if p.get("PhysicalResourceId"):
            s = self._stack_by_physical(rs, p["PhysicalResourceId"])
        elif p.get("StackName"):
            s = self.find_stack(rs, p["StackName"])
        else:
            raise validation("Either StackName or PhysicalResourceId must be specified")
        lid = p.get("LogicalResourceId")
        return [self._res_dict(s, r) for r in s.resources.values() if not lid or r.logical_id == lid]

    def describe_stack_resource(self, region: str, p: dict) -> dict:
        rs = self.region_state(region)
        s = self.find_stack(rs, p.get("StackName", ""))
        r = s.resources.get(p.get("LogicalResourceId", ""))
        if r is None:
            raise validation(f"Resource {p.get('LogicalResourceId')} does not exist for stack {s.name}")
        d = self._res_dict(s, r)
        d["LastUpdatedTimestamp"] = d.pop("Timestamp")
        d["Metadata"] = json.dumps(r.definition.get("Metadata")) if r.definition.get("Metadata") else None
        return d

    def list_stack_resources(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        s = self.find_stack(rs, p.get("StackName", ""))
        return [self._res_dict(s, r, summary=True) for r in s.resources.values()]

    def get_template(self, region: str, p: dict) -> str:
        rs = self.region_state(region)
        if p.get("ChangeSetName"):
            return self.find_change_set(rs, p["ChangeSetName"], p.get("StackName")).template_body
        s = self.find_stack(rs, p.get("StackName", ""))
        if s.template_body is None:
            raise validation(f"Stack with id {p.get('StackName')} does not exist")
        return s.template_body

    def template_summary(self, region: str, p: dict) -> dict:
        if p.get("StackName"):
            body = self.get_template(region, {"StackName": p["StackName"]})
        else:
            body = p.get("TemplateBody")
        tpl = parse_template(body)
        self._check_template(tpl)
        res = tpl.get("Resources", {})
        types = sorted({r["Type"] for r in res.values()})
        idents = []
        for t in types:
            h = self.handlers[t]
            if h.identifier:
                idents.append({"ResourceType": t,
                               "LogicalResourceIds": [k for k, r in res.items() if r["Type"] == t],
                               "ResourceIdentifiers": [h.identifier]})
        return {
            "Parameters": [{"ParameterKey": k, "DefaultValue": str(v["Default"]) if "Default" in v else None,
                            "ParameterType": v.get("Type", "String"),
                            "NoEcho": str(v.get("NoEcho", "false")).lower() == "true",
                            "Description": v.get("Description")}
                           for k, v in (tpl.get("Parameters") or {}).items()],
            "Description": tpl.get("Description"), "ResourceTypes": types,
            "Version": tpl.get("AWSTemplateFormatVersion"),
            "ResourceIdentifierSummaries": idents, "DeclaredTransforms": [],
        }

    def validate_template(self, region: str, p: dict) -> dict:
        tpl = parse_template(p.get("TemplateBody"))
        self._check_template(tpl)
        return {"Parameters": [{"ParameterKey": k, "DefaultValue": str(v["Default"]) if "Default" in v else None,
                                "NoEcho": str(v.get("NoEcho", "false")).lower() == "true",
                                "Description": v.get("Description")}
                               for k, v in (tpl.get("Parameters") or {}).items()],
                "Description": tpl.get("Description"), "Capabilities": []}

    def list_exports(self, region: str, p: dict) -> list[dict]:
        rs = self.region_state(region)
        return [{"ExportingStackId": v["ExportingStackId"], "Name": k, "Value": v["Value"]}
                for k, v in rs.exports.items()]

    def list_imports(self, region: str, p: dict) -> list[str]:
        name = p.get("ExportName")
        if not name:
            raise validation("1 validation error detected: Value null at 'exportName' failed to satisfy constraint: Member must not be null")
        users = self.importers(region, name)
        if not users:
            raise validation(f"Export '{name}' is not imported by any stack.")
        return users

    def update_termination_protection(self, region: str, p: dict) -> str:
        rs = self.region_state(region)
        s = self.find_stack(rs, p.get("StackName", ""), deleted_ok=False)
        s.termination_protection = str(p.get("EnableTerminationProtection")).lower() == "true"
        return s.stack_id

    def summary(self) -> dict:
        out = {}
        for region, rs in self.regions.items():
            out[region] = {
                "stacks": {s.name: {"StackId": s.stack_id, "StackStatus": s.status,
                                    "Resources": {lid: r.physical_id for lid, r in s.resources.items()}}
                           for s in rs.stacks.values()},
                "deleted_stacks": [s.stack_id for s in rs.deleted.values()],
                "exports": rs.exports,
                "change_sets": {cs.cs_id: cs.status for cs in rs.change_sets.values()},
            }
        return out


class _ApplyFail(Exception):
    def __init__(self, lid: str | None, verb: str):
        super().__init__(verb)
        self.lid, self.verb = lid, verb


def _tagmap(tags: list) -> dict:
    return {t.get("Key"): t.get("Value") for t in tags or []}


# --------------------------------------------------------------------------- Query protocol
def parse_query(form: dict[str, str]) -> dict:
    """Turn flat Query keys (A.member.1.B, M.entry.1.key) into nested Python values."""
    root: dict = {}
    for key, value in form.items():
        parts = key.split(".")
        cur: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if last:
                if isinstance(cur, dict):
                    if part in cur and value == "":
                        continue
                    cur[part] = value
                break
            cur = cur.setdefault(part, {})
    return _fold(root)


def _fold(v: Any) -> Any:
    if not isinstance(v, dict):
        return v
    if set(v) == {"member"} and isinstance(v["member"], dict):
        items = sorted(v["member"].items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)
        return [_fold(x) for _, x in items]
    if set(v) == {"entry"} and isinstance(v["entry"], dict):
        out = {}
        for _, e in sorted(v["entry"].items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0):
            out[e.get("key")] = e.get("value")
        return out
    return {k: _fold(x) for k, x in v.items()}


def _xml(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f"<{name}>{'true' if value else 'false'}</{name}>"
    if isinstance(value, dict):
        return f"<{name}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{name}>"
    if isinstance(value, (list, tuple, set)):
        if not value:
            return f"<{name}/>"
        return f"<{name}>" + "".join(_xml("member", v) for v in value) + f"</{name}>"
    return f"<{name}>{escape(str(value))}</{name}>"


def xml_response(op: str, result: dict | None, request_id: str) -> str:
    inner = "".join(_xml(k, v) for k, v in (result or {}).items())
    res = f"<{op}Result>{inner}</{op}Result>" if inner else f"<{op}Result/>"
    return (f'<{op}Response xmlns="{NS}">{res}<ResponseMetadata><RequestId>{request_id}'
            f"</RequestId></ResponseMetadata></{op}Response>")


def xml_error(code: str, message: str, request_id: str, sender: bool = True, ns: str = NS) -> str:
    return (f'<ErrorResponse xmlns="{ns}"><Error><Type>{"Sender" if sender else "Receiver"}</Type>'
            f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>")


def dispatch(engine: Engine, region: str, op: str, p: dict) -> dict | None:
    if op == "CreateChangeSet":
        cid, sid = engine.create_change_set(region, p)
        return {"Id": cid, "StackId": sid}
    if op == "DescribeChangeSet":
        return engine.describe_change_set(region, p)
    if op == "ExecuteChangeSet":
        engine.execute_change_set(region, p)
        return None
    if op == "DeleteChangeSet":
        engine.delete_change_set(region, p)
        return None
    if op == "ListChangeSets":
        return {"Summaries": engine.list_change_sets(region, p)}
    if op == "CreateStack":
        sid, oid = engine.create_stack(region, p)
        return {"StackId": sid, "OperationId": oid}
    if op == "UpdateStack":
        sid, oid = engine.update_stack(region, p)
        return {"StackId": sid, "OperationId": oid}
    if op == "ContinueUpdateRollback":
        engine.continue_update_rollback(region, p)
        return None
    if op == "DeleteStack":
        engine.delete_stack(region, p)
        return None
    if op == "DescribeStacks":
        return {"Stacks": engine.describe_stacks(region, p)}
    if op == "ListStacks":
        return {"StackSummaries": engine.list_stacks(region, p)}
    if op == "DescribeStackEvents":
        return {"StackEvents": engine.describe_stack_events(region, p)}
    if op == "DescribeStackResources":
        return {"StackResources": engine.describe_stack_resources(region, p)}
    if op == "DescribeStackResource":
        return {"StackResourceDetail": engine.describe_stack_resource(region, p)}
    if op == "ListStackResources":
        return {"StackResourceSummaries": engine.list_stack_resources(region, p)}
    if op == "GetTemplate":
        return {"TemplateBody": engine.get_template(region, p), "StagesAvailable": ["Original", "Processed"]}
    if op == "GetTemplateSummary":
        return engine.template_summary(region, p)
    if op == "ValidateTemplate":
        return engine.validate_template(region, p)
    if op == "ListExports":
        return {"Exports": engine.list_exports(region, p)}
    if op == "ListImports":
        return {"Imports": engine.list_imports(region, p)}
    if op == "UpdateTerminationProtection":
        return {"StackId": engine.update_termination_protection(region, p)}
    raise CfnError("InvalidAction", f"The action {op} is not valid for this web service.")
