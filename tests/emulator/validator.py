"""Request validation against botocore's service models (the emulator's contract).

Two jobs, both driven by the operation's input shape in botocore 1.43.11's models:

* ``parse_query(op_model, form)``: Query protocol (CloudFormation, STS) form fields
  (``A.member.N``, ``Tags.member.N.Key``, ``M.entry.N.key/value``, ``Name=`` for an empty
  list) into typed Python values (int, bool, datetime, list, dict), collecting keys the
  shape does not know.
* ``validate(op_model, params)``: ``botocore.validate.ParamValidator`` for types (it also
  checks required members and ``min``), plus the constraints it leaves out: ``max``
  length of strings and lists, ``pattern`` (Java regex, full match), ``enum``, integer
  ``min``/``max``, unknown members — reported the way AWS's Coral front end words them:
  ``1 validation error detected: Value 'x' at 'tags.1.member.value' failed to satisfy
  constraint: Member must have length greater than or equal to 1``.

``check_query`` / ``check_json`` return an ``Invalid(code, message)`` or the parsed params.
"""
from __future__ import annotations

import base64
import datetime as _dt
import functools
import json
from typing import Any

try:  # Java-style \p{L} classes in some patterns need the `regex` module
    import regex as _re  # type: ignore
except ImportError:  # pragma: no cover
    import re as _re  # type: ignore

_SESSION = None
MODELS = {"cloudformation": "cloudformation", "sts": "sts", "dynamodb": "dynamodb"}


class Invalid(Exception):
    """A request the service refuses before running it."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def service_model(service: str):
    global _SESSION
    import botocore.session
    if _SESSION is None:
        _SESSION = botocore.session.get_session()
    return _model(service)


@functools.lru_cache(maxsize=None)
def _model(service: str):
    return _SESSION.get_service_model(service)


def operation(service: str, op: str):
    m = service_model(service)
    try:
        return m.operation_model(op)
    except Exception:
        return None


@functools.lru_cache(maxsize=None)
def _compile(pattern: str):
    try:
        return _re.compile(pattern)
    except Exception:
        return None  # a Java construct Python cannot express: the pattern is not checked


# --------------------------------------------------------------------------- Query protocol
def _tree(form: dict[str, str]) -> dict:
    root: dict = {}
    for key, value in form.items():
        cur = root
        parts = key.split(".")
        for part in parts[:-1]:
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                nxt = {} if nxt is None or nxt == "" else {"": nxt}
                cur[part] = nxt
            cur = nxt
        last = parts[-1]
        if isinstance(cur.get(last), dict):
            cur[last][""] = value
        else:
            cur[last] = value
    return root


def _indexed(node: dict, path: str, unknown: list) -> list:
    items = []
    for k, v in node.items():
        if k.isdigit() and int(k) >= 1:
            items.append((int(k), v))
        else:
            unknown.append(f"{path}.{k}" if k else path)
    return [v for _, v in sorted(items)]


def _from_query(shape, node: Any, path: str, unknown: list) -> Any:
    t = shape.type_name
    if t == "structure":
        if not isinstance(node, dict):
            unknown.append(path)
            return None
        out = {}
        by_wire = {m.serialization.get("name", n): n for n, m in shape.members.items()}
        for k, v in node.items():
            name = by_wire.get(k)
            if name is None:
                unknown.append(f"{path}.{k}" if path else k)
                continue
            out[name] = _from_query(shape.members[name], v, f"{path}.{k}" if path else k, unknown)
        return out
    if t == "list":
        if node == "":
            return []
        if not isinstance(node, dict):
            unknown.append(path)
            return []
        flattened = shape.serialization.get("flattened")
        if flattened:
            items = _indexed(node, path, unknown)
        else:
            extra = {k: v for k, v in node.items() if k != "member"}
            for k in extra:
                unknown.append(f"{path}.{k}" if k else path)
            items = _indexed(node.get("member") or {}, f"{path}.member", unknown) if "member" in node else []
        return [_from_query(shape.member, v, f"{path}.member.{i + 1}", unknown) for i, v in enumerate(items)]
    if t == "map":
        if node == "":
            return {}
        if not isinstance(node, dict) or set(node) - {"entry"}:
            unknown.append(path)
            return {}
        out = {}
        for i, e in enumerate(_indexed(node.get("entry") or {}, f"{path}.entry", unknown)):
            if not isinstance(e, dict) or set(e) - {"key", "value"}:
                unknown.append(f"{path}.entry.{i + 1}")
                continue
            k = _from_query(shape.key, e.get("key", ""), f"{path}.entry.{i + 1}.key", unknown)
            out[k] = _from_query(shape.value, e.get("value", ""), f"{path}.entry.{i + 1}.value", unknown)
        return out
    if isinstance(node, dict):
        unknown.append(path)
        return None
    if t in ("integer", "long"):
        try:
            return int(node)
        except ValueError:
            return node  # reported as a type error by ParamValidator
    if t in ("double", "float"):
        try:
            return float(node)
        except ValueError:
            return node
    if t == "boolean":
        return {"true": True, "false": False}.get(node, node)
    if t == "timestamp":
        try:
            return _dt.datetime.fromisoformat(node.replace("Z", "+00:00"))
        except ValueError:
            return node
    if t == "blob":
        try:
            return base64.b64decode(node, validate=True)
        except ValueError:
            return node
    return node


def parse_query(op_model, form: dict[str, str]) -> tuple[dict, list[str]]:
    """Form fields (without Action/Version) → (params, unknown keys)."""
    unknown: list[str] = []
    shape = op_model.input_shape
    if shape is None:
        return {}, sorted(form)
    return _from_query(shape, _tree(form), "", unknown) or {}, unknown


# --------------------------------------------------------------------------- constraints
def _lc(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return f"'{str(v).lower()}'"
    if isinstance(v, (list, dict)):
        return f"'{json.dumps(v, default=str)}'"
    return f"'{v}'"


def _constraints(shape, value: Any, path: str, out: list[tuple[str, Any, str]]) -> None:
    t = shape.type_name
    md = shape.metadata
    if value is None:
        return
    if t == "structure":
        if not isinstance(value, dict):
            return
        for req in md.get("required", []):
            if value.get(req) is None:
                out.append((f"{path}.{_lc(req)}" if path else _lc(req), None, "Member must not be null"))
        for k, v in value.items():
            if k in shape.members:
                _constraints(shape.members[k], v, f"{path}.{_lc(k)}" if path else _lc(k), out)
        return
    if t == "list":
        if not isinstance(value, list):
            return
        _length(md, len(value), value, path, out)
        for i, v in enumerate(value):
            _constraints(shape.member, v, f"{path}.{i + 1}.member", out)
        return
    if t == "map":
        if not isinstance(value, dict):
            return
        _length(md, len(value), value, path, out)
        for k, v in value.items():
            _constraints(shape.key, k, f"{path}.{k}.key", out)
            _constraints(shape.value, v, f"{path}.{k}.member", out)
        return
    if t == "string" and isinstance(value, str):
        _length(md, len(value), value, path, out)
        pat = md.get("pattern")
        if pat:
            rx = _compile(pat)
            if rx is not None and not rx.fullmatch(value):
                out.append((path, value, f"Member must satisfy regular expression pattern: {pat}"))
        enum = shape.enum if hasattr(shape, "enum") else md.get("enum")
        if enum and value not in enum:
            out.append((path, value, f"Member must satisfy enum value set: [{', '.join(enum)}]"))
        return
    if t in ("integer", "long", "double", "float") and isinstance(value, (int, float)) \
            and not isinstance(value, bool):
        if "min" in md and value < md["min"]:
            out.append((path, value, f"Member must have value greater than or equal to {md['min']}"))
        if "max" in md and value > md["max"]:
            out.append((path, value, f"Member must have value less than or equal to {md['max']}"))


def _length(md: dict, n: int, value: Any, path: str, out: list) -> None:
    if "min" in md and n < md["min"]:
        out.append((path, value, f"Member must have length greater than or equal to {md['min']}"))
    if "max" in md and n > md["max"]:
        out.append((path, value, f"Member must have length less than or equal to {md['max']}"))


def _unknown_json(shape, value: Any, path: str, out: list[str]) -> None:
    t = shape.type_name
    if t == "structure" and isinstance(value, dict) and not shape.is_document_type:
        for k, v in value.items():
            if k not in shape.members:
                out.append(f"{path}.{k}" if path else k)
            else:
                _unknown_json(shape.members[k], v, f"{path}.{k}" if path else k, out)
    elif t == "list" and isinstance(value, list):
        for i, v in enumerate(value):
            _unknown_json(shape.member, v, f"{path}[{i}]", out)
    elif t == "map" and isinstance(value, dict):
        for k, v in value.items():
            _unknown_json(shape.value, v, f"{path}.{k}", out)


def coral_message(violations: list[tuple[str, Any, str]]) -> str:
    n = len(violations)
    head = f"{n} validation error{'s' if n != 1 else ''} detected: "
    return head + "; ".join(f"Value {_show(v)} at '{p}' failed to satisfy constraint: {c}"
                            for p, v, c in violations)


def type_errors(op_model, params: dict) -> list[str]:
    """ParamValidator's findings that are about types or unions (not constraints)."""
    from botocore.validate import ParamValidator
    report = ParamValidator().validate(params, op_model.input_shape)
    out = []
    for kind, name, extra in report._errors:  # noqa: SLF001 (botocore keeps them there)
        if kind in ("invalid type", "more than one input", "empty input",
                    "invalid type for document", "unable to encode to json"):
            out.append(f"{kind} at {name or 'input'}")
    return out


def violations(op_model, params: dict) -> list[tuple[str, Any, str]]:
    out: list = []
    if op_model.input_shape is not None:
        _constraints(op_model.input_shape, params, "", out)
    return out


# --------------------------------------------------------------------------- entry points
def check_query(service: str, op: str, form: dict[str, str]) -> dict:
    """CloudFormation/STS: the typed params, or raise Invalid (ValidationError, Sender)."""
    om = operation(service, op)
    if om is None:
        raise Invalid("InvalidAction", f"The action {op} is not valid for this web service.")
    fields = {k: v for k, v in form.items() if k not in ("Action", "Version")}
    params, unknown = parse_query(om, fields)
    if unknown:  # UNCONFIRMED wording (AWS's Query front end for CloudFormation/STS)
        raise Invalid("ValidationError", f"Unknown parameter in input: {', '.join(sorted(unknown))}")
    if om.input_shape is not None:
        bad = type_errors(om, params)
        if bad:
            raise Invalid("ValidationError", "Invalid parameter value: " + "; ".join(bad))
    v = violations(om, params)
    if v:
        raise Invalid("ValidationError", coral_message(v))
    return params


def check_json(service: str, op: str, body: bytes) -> dict:
    """DynamoDB (JSON 1.0): the params, or raise Invalid (ValidationException etc.)."""
    om = operation(service, op)
    if om is None:
        raise Invalid("UnknownOperationException", "")
    try:
        params = json.loads(body or b"{}")
    except ValueError:
        raise Invalid("SerializationException", "Start of structure or map found where not expected.")
    if not isinstance(params, dict):
        raise Invalid("SerializationException", "Start of structure or map found where not expected.")
    if om.input_shape is None:
        return params
    unknown: list[str] = []
    _unknown_json(om.input_shape, params, "", unknown)
    if unknown:  # UNCONFIRMED: Coral may ignore unknown JSON members; we refuse them
        raise Invalid("ValidationException", f"Unknown parameter in input: {', '.join(unknown)}")
    bad = type_errors(om, params)
    if bad:  # UNCONFIRMED message; DynamoDB answers SerializationException for wrong JSON types
        raise Invalid("SerializationException", "; ".join(bad))
    v = violations(om, params)
    if v:
        raise Invalid("ValidationException", coral_message(v))
    return params
