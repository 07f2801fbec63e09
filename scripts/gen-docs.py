#!/usr/bin/env python3
"""Generates the registry documentation (docs/index.md, docs/resources/*.md,
docs/data-sources/*.md) from the provider's schema and the hand-written templates in
docs/templates/.

    python3 scripts/gen-docs.py                 # schema of build/'s provider, rewrite docs
    python3 scripts/gen-docs.py --check         # fail (exit 1, with a diff) if docs are out of date
    python3 scripts/gen-docs.py --build DIR     # another build directory
    python3 scripts/gen-docs.py --schema FILE   # a saved `terraform providers schema -json`
    python3 scripts/gen-docs.py --save-schema FILE   # also save the schema it used

The schema comes from `terraform providers schema -json`, run in a temporary directory
with the built provider installed in a filesystem mirror (scripts/install-provider.sh),
so the docs describe exactly what Terraform sees. Templates are Markdown in the
registry's layout (docs/templates/index.md -> docs/index.md,
docs/templates/resources/NAME.md -> docs/resources/NAME.md,
docs/templates/data-sources/NAME.md -> docs/data-sources/NAME.md) with markers, each alone
on its line (indentation is kept for every line it expands to):

    <!-- tpd:description provider -->                the provider's description
    <!-- tpd:description resource TYPE -->           a resource's description
    <!-- tpd:arguments provider -->                  Argument Reference of the provider
    <!-- tpd:arguments resource TYPE -->             arguments (required, optional) + nested schemas
    <!-- tpd:attributes resource TYPE -->            read-only attributes (+ nested schemas of those)
    <!-- tpd:nested resource TYPE ATTRIBUTE -->      the attributes of one nested attribute

and the same with `data_source TYPE` for a data source. Everything else is copied as
written. A resource type or data source without a template, or a marker naming an unknown
type or attribute, is an error: a new resource or a renamed attribute cannot go
undocumented silently.
"""
import argparse
import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = "registry.terraform.io/firefly/dynamodb"
PROVIDER_NAME = "dynamodb"
MARKER = re.compile(r"^(?P<indent>[ \t]*)<!-- tpd:(?P<what>[a-z]+)(?P<args>(?: [A-Za-z0-9_]+)*) -->[ \t]*$")


class DocError(Exception):
    pass


def load_schema(build):
    exe = os.path.join(build, "terraform-provider-dynamodb")
    if not os.access(exe, os.X_OK):
        raise DocError(f"{exe} is missing: build first (cmake --build {build})")
    tmp = tempfile.mkdtemp(prefix="tpd-gen-docs.")
    try:
        rc = subprocess.run([os.path.join(ROOT, "scripts", "install-provider.sh"), build, tmp], check=True,
                            capture_output=True, text=True).stdout.strip()
        wd = os.path.join(tmp, "work")
        os.makedirs(wd)
        with open(os.path.join(wd, "main.tf"), "w") as f:
            f.write(f'terraform {{\n  required_providers {{\n    {PROVIDER_NAME} = {{ source = "{SOURCE}" }}\n  }}\n}}\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=rc)
        for args in (["init", "-input=false", "-no-color"], ["providers", "schema", "-json"]):
            p = subprocess.run(["terraform", f"-chdir={wd}", *args], env=env, capture_output=True, text=True,
                               stdin=subprocess.DEVNULL)
            if p.returncode != 0:
                raise DocError(f"terraform {' '.join(args)} failed:\n{p.stdout}\n{p.stderr}")
        return json.loads(p.stdout)["provider_schemas"][SOURCE]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# -- rendering ------------------------------------------------------------------------

def type_name(t):
    if isinstance(t, str):
        return {"string": "String", "number": "Number", "bool": "Boolean", "dynamic": "Dynamic"}[t]
    kind, elem = t[0], t[1]
    if kind == "object":
        return "Object"
    if kind == "tuple":
        return "Tuple"
    return f"{kind.capitalize()} of {type_name(elem)}"


def nested_kind(mode, word):
    return {"single": word, "list": f"List of {word}", "set": f"Set of {word}", "map": f"Map of {word}"}.get(
        mode, word)


def description(node):
    text = " ".join((node.get("description") or "").split())
    if not text:
        raise DocError("an attribute without a description (schema.c): every argument is documented")
    return text


class Item:
    """One attribute or block of a schema, normalised for rendering."""

    def __init__(self, name, node, is_block=False):
        self.name = name
        self.node = node
        self.children = None  # (attributes dict, block_types dict) when nested
        if is_block:
            self.kind = nested_kind(node.get("nesting_mode", "single"), "Block")
            block = node["block"]
            self.children = (block.get("attributes", {}), block.get("block_types", {}))
            self.required = node.get("min_items", 0) > 0
            self.optional, self.computed = not self.required, False
            self.desc = description(block)
        else:
            if "nested_type" in node:
                nt = node["nested_type"]
                self.kind = nested_kind(nt.get("nesting_mode", "single"), "Object")
                self.children = (nt.get("attributes", {}), {})
            else:
                self.kind = type_name(node["type"])
            self.required = bool(node.get("required"))
            self.optional = bool(node.get("optional"))
            self.computed = bool(node.get("computed"))
            self.desc = description(node)
        self.sensitive = bool(node.get("sensitive"))
        self.deprecated = bool(node.get("deprecated") or (is_block and node["block"].get("deprecated")))

    @property
    def read_only(self):
        return self.computed and not self.optional and not self.required


def items(attributes, blocks):
    out = [Item(n, a) for n, a in attributes.items()] + [Item(n, b, is_block=True) for n, b in blocks.items()]
    return sorted(out, key=lambda i: i.name)


def anchor(path):
    return "nested--" + "--".join(path)


def line(item, path, role):
    flags = [role, item.kind]
    if item.sensitive:
        flags.append("Sensitive")
    if item.deprecated:
        flags.append("Deprecated")
    text = f"* `{item.name}` - ({', '.join(flags)}) {item.desc}"
    if item.children is not None:
        text += f" See [`{'.'.join(path + [item.name])}`](#{anchor(path + [item.name])}) below."
    return text


def argument_list(attributes, blocks, path):
    """Lines for the arguments (required first, then optional) of one level."""
    its = [i for i in items(attributes, blocks) if not i.read_only]
    lines = [line(i, path, "Required") for i in its if i.required]
    lines += [line(i, path, "Optional") for i in its if not i.required]
    return lines, [i for i in its if i.children is not None]


def nested_sections(nested, path, depth=3):
    out = []
    for item in nested:
        p = path + [item.name]
        attrs, blocks = item.children
        lines, deeper = argument_list(attrs, blocks, p)
        ro = [i for i in items(attrs, blocks) if i.read_only]
        lines += [line(i, p, "Read-Only") for i in ro]
        out += ["", f'<a id="{anchor(p)}"></a>', f"{'#' * depth} `{'.'.join(p)}`", ""]
        out += [f"`{item.name}` holds:", ""] + lines
        deeper += [i for i in ro if i.children is not None]
        out += nested_sections(sorted(deeper, key=lambda i: i.name), p, min(depth + 1, 6))
    return out


def render_arguments(block):
    lines, nested = argument_list(block.get("attributes", {}), block.get("block_types", {}), [])
    if not lines:
        return ["This has no arguments."]
    return lines + nested_sections(nested, [])


def render_attributes(block):
    ro = [i for i in items(block.get("attributes", {}), block.get("block_types", {})) if i.read_only]
    if not ro:
        return ["All attributes are arguments (above)."]
    return ["In addition to the arguments above, these attributes are exported:", ""] + [
        line(i, [], "Read-Only") for i in ro] + nested_sections([i for i in ro if i.children is not None], [])


def render_nested(block, name):
    node = block.get("attributes", {}).get(name)
    item = Item(name, node) if node else None
    if item is None and name in block.get("block_types", {}):
        item = Item(name, block["block_types"][name], is_block=True)
    if item is None or item.children is None:
        raise DocError(f"tpd:nested: no nested attribute or block {name!r}")
    attrs, blocks = item.children
    lines, _ = argument_list(attrs, blocks, [name])
    return lines


def expand(template_text, schema, where):
    out = []
    for n, raw in enumerate(template_text.splitlines(), 1):
        m = MARKER.match(raw)
        if not m:
            out.append(raw)
            continue
        args = m.group("args").split()
        try:
            out += [(m.group("indent") + x) if x else "" for x in render_marker(m.group("what"), args, schema)]
        except DocError as e:
            raise DocError(f"{where}:{n}: {e}") from None
    return "\n".join(out).rstrip("\n") + "\n"


def block_of(schema, args):
    if args[:1] == ["provider"]:
        return schema["provider"]["block"], args[1:]
    kinds = {"resource": ("resource_schemas", "resource type"), "data_source": ("data_source_schemas", "data source")}
    if args[:1] and args[0] in kinds and len(args) >= 2:
        key, what = kinds[args[0]]
        res = schema.get(key, {}).get(args[1])
        if res is None:
            raise DocError(f"no {what} {args[1]!r} in the schema")
        return res["block"], args[2:]
    raise DocError(f"marker arguments {' '.join(args)!r}: want 'provider', 'resource TYPE' or 'data_source TYPE'")


def render_marker(what, args, schema):
    block, rest = block_of(schema, args)
    if what == "description":
        return description(block).split("\n")
    if what == "arguments" and not rest:
        return render_arguments(block)
    if what == "attributes" and not rest:
        return render_attributes(block)
    if what == "nested" and len(rest) == 1:
        return render_nested(block, rest[0])
    raise DocError(f"unknown marker tpd:{what} {' '.join(args)}")


# -- files ------------------------------------------------------------------------------

def outputs(schema, templates, docs):
    """{output path: text} for every template; every resource type and data source needs one."""
    result = {}
    header = ("<!-- Generated by scripts/gen-docs.py from {src} and the provider's schema: "
              "edit the template, then run `python3 scripts/gen-docs.py`. -->")
    pairs = [("index.md", "index.md")]
    for key, folder, what in (("resource_schemas", "resources", "resource"),
                              ("data_source_schemas", "data-sources", "data source")):
        for rtype in sorted(schema.get(key, {})):
            short = rtype[len(PROVIDER_NAME) + 1:] if rtype.startswith(PROVIDER_NAME + "_") else rtype
            src = os.path.join(folder, f"{short}.md")
            if not os.path.exists(os.path.join(templates, src)):
                raise DocError(f"{what} {rtype} has no template docs/templates/{src}")
            pairs.append((src, src))
    for src, dst in pairs:
        path = os.path.join(templates, src)
        with open(path) as f:
            text = expand(f.read(), schema, os.path.relpath(path, ROOT))
        # The registry wants the front matter first: the notice goes right after it.
        fm = re.match(r"(---\n.*?\n---\n)", text, re.S)
        note = header.format(src=os.path.relpath(path, ROOT)) + "\n"
        text = (fm.group(1) + "\n" + note + text[fm.end():]) if fm else (note + "\n" + text)
        result[os.path.join(docs, dst)] = text
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--schema", help="a saved `terraform providers schema -json` output")
    ap.add_argument("--templates", default=os.path.join(ROOT, "docs", "templates"))
    ap.add_argument("--docs", default=os.path.join(ROOT, "docs"))
    ap.add_argument("--save-schema", help="write the schema used (provider_schemas entry) to this file")
    ap.add_argument("--check", action="store_true", help="compare instead of writing; exit 1 when out of date")
    args = ap.parse_args()
    try:
        if args.schema:
            with open(args.schema) as f:
                doc = json.load(f)
            schema = doc["provider_schemas"][SOURCE] if "provider_schemas" in doc else doc
        else:
            schema = load_schema(args.build)
        if args.save_schema:
            with open(args.save_schema, "w") as f:
                json.dump(schema, f, indent=1, sort_keys=True)
        files = outputs(schema, args.templates, args.docs)
    except DocError as e:
        print(f"gen-docs: {e}", file=sys.stderr)
        return 2
    stale = 0
    for path, text in files.items():
        old = ""
        if os.path.exists(path):
            with open(path) as f:
                old = f.read()
        if old == text:
            continue
        if args.check:
            stale += 1
            sys.stdout.writelines(difflib.unified_diff(old.splitlines(True), text.splitlines(True),
                                                       os.path.relpath(path, ROOT) + " (committed)",
                                                       os.path.relpath(path, ROOT) + " (generated)"))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"gen-docs: wrote {os.path.relpath(path, ROOT)}", file=sys.stderr)
    if stale:
        print(f"gen-docs: {stale} file(s) out of date with the schema or the templates: "
              "run `python3 scripts/gen-docs.py` and commit the result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
