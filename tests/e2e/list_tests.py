#!/usr/bin/env python3
"""Print the unittest ids of the e2e files, one "module Class" or "module Class.test_method"
per line.

tests/CMakeLists.txt runs this at configure time and registers one CTest test per line,
so `ctest -j` spreads a long file over the cores instead of running it as one test
(test_migrate_aws.py took 14 minutes as one test). One test per class, since each class
starts its own emulator and provider mirror (setUpClass) and scans for secrets at the
end (tearDownClass); a class that sets `split_tests = True` (its tests each take
minutes, as those running hashicorp/aws) gives one test per method instead, each in its
class with its own emulator. Measured on 2 cores (2026-12-04, one full run each): one
test per file 21:11, one per method everywhere (171 tests) 23:58, one per class 25:00
(twice). The run is bound by CPU, so the split does not make it faster, and the spread
between runs is as large as the differences; per class is kept for its names and
because every extra class start costs CPU.

The files are read, not imported (configure time has no emulator and needs no boto3):
a class is a test class when one of its bases is a TestCase (a base name ending in
"TestCase" or "Case", as harness.E2ETestCase and migrate_common.MigrateCase) or a test
class of the same file; its tests are its own test_* methods and those of the bases
defined in the same file (the mixin test_lost_answers.LostAnswers gives each Lost*
path its one test).

usage: list_tests.py FILE.py...
"""
import ast
import os
import sys


def _base_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def tests_of(path):
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = [n.name for n in node.body
                       if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test")]
            split = any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "split_tests" for t in n.targets)
                        and isinstance(n.value, ast.Constant) and n.value.value is True for n in node.body)
            classes[node.name] = ([_base_name(b) for b in node.bases], methods, split)

    def is_test_class(name, seen=()):
        bases = classes[name][0]
        for b in bases:
            if b.endswith("TestCase") or (b.endswith("Case") and b not in classes):
                return True
            if b in classes and b not in seen and is_test_class(b, seen + (name,)):
                return True
        return False

    def methods_of(name, seen=()):
        bases, own = classes[name][0], classes[name][1]
        out = list(own)
        for b in bases:
            if b in classes and b not in seen:
                out += [m for m in methods_of(b, seen + (name,)) if m not in out]
        return out

    module = os.path.splitext(os.path.basename(path))[0]
    out = []
    for c in classes:
        if not is_test_class(c) or not methods_of(c):
            continue
        if classes[c][2]:
            out += [(module, f"{c}.{m}") for m in methods_of(c)]
        else:
            out.append((module, c))
    return out


def main(paths):
    for path in paths:
        found = tests_of(path)
        if not found:  # a file whose tests this reader cannot see runs whole
            found = [(os.path.splitext(os.path.basename(path))[0], "")]
        for module, test in found:
            print(module, test)


if __name__ == "__main__":
    main(sys.argv[1:])
