"""The registry docs (docs/index.md, docs/resources/*.md, docs/data-sources/*.md) against
the built provider.

  * they are what scripts/gen-docs.py makes from docs/templates/ and the schema of this
    build's provider (`terraform providers schema -json`): an attribute added, renamed or
    re-described without regenerating the docs fails here, with the diff;
  * the generator itself notices a changed schema, a resource without a template and an
    attribute without a description (so the first check can fail);
  * every `terraform` example in them passes `terraform validate` with this provider.

Environment: TPD_SOURCE_DIR, TPD_BUILD_DIR.
"""
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build")
GEN = os.path.join(ROOT, "scripts", "gen-docs.py")
DOCS = [os.path.join(ROOT, "docs", "index.md")] + sorted(
    os.path.join(ROOT, "docs", folder, n) for folder in ("resources", "data-sources")
    for n in os.listdir(os.path.join(ROOT, "docs", folder)))
HEADER = 'terraform {\n  required_providers {\n    dynamodb = { source = "registry.terraform.io/firefly/dynamodb" }\n  }\n}\n'


def gen(*args):
    return subprocess.run([sys.executable, GEN, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)


class Docs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-docs.")
        cls.schema_file = os.path.join(cls.work, "schema.json")
        cls.check = gen("--check", "--build", BUILD, "--save-schema", cls.schema_file)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.work, ignore_errors=True)

    def schema(self):
        with open(self.schema_file) as f:
            return json.load(f)

    def check_with(self, schema, templates=None):
        path = os.path.join(self.work, "changed-schema.json")
        with open(path, "w") as f:
            json.dump(schema, f)
        args = ["--check", "--schema", path]
        if templates:
            args += ["--templates", templates]
        return gen(*args)

    def test_docs_match_the_schema_and_templates(self):
        self.assertEqual(self.check.returncode, 0,
                         "docs out of date: run `python3 scripts/gen-docs.py` and commit the result\n"
                         f"{self.check.stdout[-6000:]}\n{self.check.stderr[-3000:]}")

    def test_every_schema_attribute_is_documented(self):
        schema = self.schema()
        text = {}
        for p in DOCS:
            with open(p) as f:
                text[p] = f.read()
        for name in schema["provider"]["block"].get("attributes", {}):
            self.assertIn(f"* `{name}` - (", text[DOCS[0]])
        for key, folder in (("resource_schemas", "resources"), ("data_source_schemas", "data-sources")):
            for rtype, res in schema[key].items():
                page = os.path.join(ROOT, "docs", folder, rtype.removeprefix("dynamodb_") + ".md")
                for name, attr in res["block"]["attributes"].items():
                    self.assertIn(f"* `{name}` - (", text[page], f"{rtype}.{name}")
                    for inner in attr.get("nested_type", {}).get("attributes", {}):
                        self.assertIn(f"* `{inner}` - (", text[page], f"{rtype}.{name}.{inner}")

    def test_a_new_attribute_makes_the_check_fail(self):
        schema = self.schema()
        schema["resource_schemas"]["dynamodb_ttl_table"]["block"]["attributes"]["stream_enabled"] = {
            "type": "bool", "optional": True, "description": "Whether DynamoDB Streams is on.",
            "description_kind": "markdown"}
        p = self.check_with(schema)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("+* `stream_enabled` - (Optional, Boolean) Whether DynamoDB Streams is on.", p.stdout)
        self.assertIn("run `python3 scripts/gen-docs.py`", p.stderr)

    def test_a_changed_description_makes_the_check_fail(self):
        schema = self.schema()
        attrs = schema["provider"]["block"]["attributes"]
        attrs["region"] = dict(attrs["region"], description="Somewhere else.")
        p = self.check_with(schema)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("+* `region` - (Optional, String) Somewhere else.", p.stdout)

    def test_a_resource_without_a_template_is_an_error(self):
        schema = self.schema()
        schema["resource_schemas"]["dynamodb_other_table"] = copy.deepcopy(
            schema["resource_schemas"]["dynamodb_ttl_table"])
        p = self.check_with(schema)
        self.assertEqual(p.returncode, 2)
        self.assertIn("dynamodb_other_table has no template docs/templates/resources/other_table.md", p.stderr)

    def test_a_data_source_without_a_template_is_an_error(self):
        schema = self.schema()
        schema["data_source_schemas"]["dynamodb_other_table"] = copy.deepcopy(
            schema["data_source_schemas"]["dynamodb_ttl_table"])
        p = self.check_with(schema)
        self.assertEqual(p.returncode, 2)
        self.assertIn("data source dynamodb_other_table has no template docs/templates/data-sources/other_table.md",
                      p.stderr)

    def test_an_undescribed_attribute_is_an_error(self):
        schema = self.schema()
        schema["resource_schemas"]["dynamodb_ttl_table"]["block"]["attributes"]["name"]["description"] = ""
        p = self.check_with(schema)
        self.assertEqual(p.returncode, 2)
        self.assertIn("without a description", p.stderr)

    def test_unknown_marker_is_an_error(self):
        templates = os.path.join(self.work, "templates")
        shutil.copytree(os.path.join(ROOT, "docs", "templates"), templates)
        with open(os.path.join(templates, "index.md"), "a") as f:
            f.write("\n<!-- tpd:nested provider no_such_block -->\n")
        p = self.check_with(self.schema(), templates)
        self.assertEqual(p.returncode, 2)
        self.assertIn("index.md", p.stderr)
        self.assertIn("no_such_block", p.stderr)

    def test_examples_validate(self):
        rc = subprocess.run([os.path.join(ROOT, "scripts", "install-provider.sh"), BUILD, self.work],
                            capture_output=True, text=True, check=True).stdout.strip()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "AWS_"))}
        env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=rc,
                   AWS_EC2_METADATA_DISABLED="true")
        n = 0
        for page in DOCS:
            with open(page) as f:
                blocks = re.findall(r"^```terraform\n(.*?)^```", f.read(), re.S | re.M)
            for i, body in enumerate(blocks):
                n += 1
                with self.subTest(f"{os.path.relpath(page, ROOT)} example {i + 1}"):
                    d = os.path.join(self.work, f"example-{n}")
                    os.makedirs(d)
                    with open(os.path.join(d, "main.tf"), "w") as f:
                        f.write(body if "required_providers" in body else HEADER + body)
                    for args in (["init", "-input=false"], ["validate"]):
                        p = subprocess.run(["terraform", f"-chdir={d}", *args, "-no-color"], env=env,
                                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
                        self.assertEqual(p.returncode, 0, f"{body}\n{p.stdout}\n{p.stderr}")
        self.assertGreaterEqual(n, 5, "the docs lost their examples")


if __name__ == "__main__":
    unittest.main()
