#!/usr/bin/env python3
"""Print the unittest ids of the e2e files, one "module Class.test_method" per line.

tests/CMakeLists.txt runs this at configure time and registers one CTest test per
line, so `ctest -j` spreads a long file's tests over the cores instead of running the
file as one test (test_migrate_aws.py alone took 14 minutes as one test; split, its
four tests run side by side). Each test still runs in its class: unittest runs the
class's setUpClass (one emulator, one provider mirror) and tearDownClass (the secret
scan) around it, so a split test is the same test as before, with its own emulator.

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
            classes[node.name] = ([_base_name(b) for b in node.bases], methods)

    def is_test_class(name, seen=()):
        bases, _ = classes[name]
        for b in bases:
            if b.endswith("TestCase") or (b.endswith("Case") and b not in classes):
                return True
            if b in classes and b not in seen and is_test_class(b, seen + (name,)):
                return True
        return False

    def methods_of(name, seen=()):
        bases, own = classes[name]
        out = list(own)
        for b in bases:
            if b in classes and b not in seen:
                out += [m for m in methods_of(b, seen + (name,)) if m not in out]
        return out

    module = os.path.splitext(os.path.basename(path))[0]
    return [(module, f"{c}.{m}") for c in classes if is_test_class(c) for m in methods_of(c)]


def main(paths):
    for path in paths:
        found = tests_of(path)
        if not found:  # a file whose tests this reader cannot see runs whole
            found = [(os.path.splitext(os.path.basename(path))[0], "")]
        for module, test in found:
            print(module, test)


if __name__ == "__main__":
    main(sys.argv[1:])
