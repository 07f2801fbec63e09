#!/usr/bin/env python3
"""Checks the include graph of the C sources (docs/design.md, "Layers"):

- every header of a layer is in its include/ (used by other layers) or private/ folder;
- no include/ header includes a private/ one (a public header must compile for the layers
  above, which cannot see private/);
- no include cycle among the project's headers;
- the `tfp_` prefix (the plugin's names) appears only in provider/plugin/ and main.c.

The compiler checks the rest (tests/layering/*.c): a layer sees only the include/ folders
of the layers it links. Run by ctest as layering_include_graph."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
LAYERS = ["aws/base", "aws", "provider/values", "provider/resource", "provider/plugin"]
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

problems = []
headers = {}  # basename -> path relative to ROOT
for layer in LAYERS:
    for entry in sorted(os.listdir(os.path.join(ROOT, layer))):
        if entry.endswith(".h"):
            problems.append(f"{layer}/{entry}: a header belongs in {layer}/include/ or {layer}/private/")
    for sub in ("include", "private"):
        d = os.path.join(layer, sub)
        if os.path.isdir(os.path.join(ROOT, d)):
            for entry in sorted(os.listdir(os.path.join(ROOT, d))):
                if entry.endswith(".h"):
                    if entry in headers:
                        problems.append(f"{d}/{entry}: the name is also {headers[entry]}")
                    headers[entry] = f"{d}/{entry}"


def includes(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return [os.path.basename(m) for m in INC.findall(f.read()) if os.path.basename(m) in headers]


graph = {h: includes(p) for h, p in headers.items()}
for h, p in headers.items():
    if "/include/" in p:
        for i in graph[h]:
            if "/private/" in headers[i]:
                problems.append(f"{p} includes {headers[i]}: a public header cannot need a private one")

state = {}


def visit(h, stack):
    state[h] = 1
    for i in graph[h]:
        if state.get(i) == 1:
            cyc = stack[stack.index(i):] + [i] if i in stack else [h, i]
            problems.append("include cycle: " + " -> ".join(headers[x] for x in cyc))
        elif not state.get(i):
            visit(i, stack + [i])
    state[h] = 2


for h in sorted(headers):
    if not state.get(h):
        visit(h, [h])

TFP = re.compile(r"\btfp_\w+")
for layer in ["aws/base", "aws", "provider/values", "provider/resource"]:
    for dirpath, _, files in os.walk(os.path.join(ROOT, layer)):
        rel_dir = os.path.relpath(dirpath, ROOT)
        if rel_dir != layer and not rel_dir.startswith(layer + "/"):
            continue
        if layer == "aws" and rel_dir.startswith("aws/base"):
            continue
        for name in files:
            if name.endswith((".c", ".h")):
                with open(os.path.join(dirpath, name), encoding="utf-8") as f:
                    for m in sorted(set(TFP.findall(f.read()))):
                        problems.append(f"{rel_dir}/{name}: {m}: tfp_ names belong to provider/plugin/")

for p in problems:
    print(p)
print(f"{len(headers)} headers, {sum(len(v) for v in graph.values())} includes between them: "
      f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)
