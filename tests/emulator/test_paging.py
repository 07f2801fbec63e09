"""Pagination: --page-size / control API page_size, NextToken accepted back, bad tokens refused."""
import unittest

from emutest import EmulatorTestCase, table_template, uniq


class PagingTest(EmulatorTestCase):
    extra_args = ["--page-size", "2"]

    def all_pages(self, fn, key, **kw):
        out, pages, token = [], 0, None
        while True:
            r = fn(**kw, **({"NextToken": token} if token else {}))
            out += r[key]
            pages += 1
            self.assertLessEqual(len(r[key]), 2)
            token = r.get("NextToken")
            if not token:
                return out, pages

    def test_cloudformation_lists(self):
        stacks = [uniq("pg") for _ in range(3)]
        for i, s in enumerate(stacks):
            outputs = {f"O{j}": {"Value": "v", "Export": {"Name": f"{s}-e{j}"}} for j in range(3)}
            self.deploy(s, table_template(uniq("pg"), outputs=outputs), expect="CREATE_COMPLETE")
        names, pages = self.all_pages(self.cfn.describe_stacks, "Stacks")
        self.assertTrue(set(stacks) <= {x["StackName"] for x in names})
        self.assertGreaterEqual(pages, 2)
        summ, _ = self.all_pages(self.cfn.list_stacks, "StackSummaries")
        self.assertTrue(set(stacks) <= {x["StackName"] for x in summ})
        events, pages = self.all_pages(self.cfn.describe_stack_events, "StackEvents", StackName=stacks[0])
        self.assertEqual(events[-1]["ResourceStatus"], "REVIEW_IN_PROGRESS")
        self.assertGreaterEqual(pages, 3)
        exports, _ = self.all_pages(self.cfn.list_exports, "Exports")
        self.assertEqual(len([e for e in exports if e["Name"].startswith(tuple(stacks))]), 9)
        res, _ = self.all_pages(self.cfn.list_stack_resources, "StackResourceSummaries", StackName=stacks[0])
        self.assertEqual(len(res), 1)
        # boto3's paginator follows the tokens too
        pg = self.cfn.get_paginator("describe_stack_events")
        n = sum(len(p["StackEvents"]) for p in pg.paginate(StackName=stacks[1]))
        self.assertGreater(n, 2)

    def test_change_set_changes_and_list(self):
        stack = uniq("pgcs")
        tpl = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
            f"H{i}": {"Type": "AWS::CloudFormation::WaitConditionHandle"} for i in range(5)}}
        import json
        self.cfn.create_change_set(StackName=stack, ChangeSetName="c1", ChangeSetType="CREATE",
                                   TemplateBody=json.dumps(tpl))
        self.wait_change_set(stack, "c1")
        changes, pages = self.all_pages(self.cfn.describe_change_set, "Changes", StackName=stack,
                                        ChangeSetName="c1")
        self.assertEqual(len(changes), 5)
        self.assertEqual(pages, 3)
        for i in (2, 3):
            self.cfn.create_change_set(StackName=stack, ChangeSetName=f"c{i}", ChangeSetType="CREATE",
                                       TemplateBody=json.dumps(tpl))
        sets, _ = self.all_pages(self.cfn.list_change_sets, "Summaries", StackName=stack)
        self.assertEqual(len(sets), 3)

    def test_list_imports(self):
        exp, users = uniq("pge"), [uniq("pgu") for _ in range(3)]
        self.deploy(uniq("pgx"), table_template(uniq("t"), outputs={"O": {"Value": "v", "Export": {"Name": exp}}}),
                    expect="CREATE_COMPLETE")
        for u in users:
            self.deploy(u, table_template(uniq("t"), Tags=[{"Key": "k", "Value": {"Fn::ImportValue": exp}}]),
                        expect="CREATE_COMPLETE")
        imps, pages = self.all_pages(self.cfn.list_imports, "Imports", ExportName=exp)
        self.assertEqual(sorted(imps), sorted(users))
        self.assertEqual(pages, 2)

    def test_bad_token(self):
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:
            self.cfn.describe_stack_events(StackName=uniq("x"), NextToken="garbage")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationError")
        stack = uniq("pgt")
        self.deploy(stack, table_template(uniq("t")), expect="CREATE_COMPLETE")
        tok = self.cfn.describe_stack_events(StackName=stack)["NextToken"]
        other = uniq("pgo")
        self.deploy(other, table_template(uniq("t")), expect="CREATE_COMPLETE")
        with self.assertRaises(self.cfn.exceptions.ClientError) as cm:  # token of another list
            self.cfn.describe_stack_events(StackName=other, NextToken=tok)
        self.assertEqual(cm.exception.response["Error"]["Message"], "Invalid NextToken")

    def test_dynamodb_lists(self):
        tables = sorted(uniq("pgd") for _ in range(5))
        for t in tables:
            self.create_table(t, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(5)])
        got, start, pages = [], None, 0
        while True:
            r = self.ddb.list_tables(**({"ExclusiveStartTableName": start} if start else {}))
            self.assertLessEqual(len(r["TableNames"]), 2)
            got += r["TableNames"]
            pages += 1
            start = r.get("LastEvaluatedTableName")
            if not start:
                break
        self.assertTrue(set(tables) <= set(got))
        arn = self.ddb.describe_table(TableName=tables[0])["Table"]["TableArn"]
        tags, pages = self.all_pages(self.ddb.list_tags_of_resource, "Tags", ResourceArn=arn)
        self.assertEqual(len(tags), 5)
        self.assertEqual(pages, 3)
        with self.assertRaises(self.ddb.exceptions.ClientError) as cm:
            self.ddb.list_tags_of_resource(ResourceArn=arn, NextToken="nope")
        self.assertEqual(cm.exception.response["Error"]["Code"], "ValidationException")

    def test_config_page_size(self):
        cfg = self.emu.set_page_size(None)
        try:
            self.assertIsNone(cfg["page_size"])
            stack = uniq("pgc")
            self.deploy(stack, table_template(uniq("t")), expect="CREATE_COMPLETE")
            r = self.cfn.describe_stack_events(StackName=stack)
            self.assertNotIn("NextToken", r)  # AWS default page (100) holds them all
            self.emu.set_page_size(1)
            r = self.cfn.describe_stack_events(StackName=stack)
            self.assertEqual(len(r["StackEvents"]), 1)
            self.assertIn("NextToken", r)
        finally:
            self.emu.set_page_size(2)


if __name__ == "__main__":
    unittest.main()
