"""Pagination of list answers (``--page-size``, control API ``page_size``).

Every paginated operation answers at most ``size(op)`` items and a ``NextToken`` when
more remain; the token is opaque, bound to the operation and to the request members
that select the list (StackName, ChangeSetName, ExportName, ResourceArn, filters), and
refused (ValidationError / ValidationException) when it is unknown or sent with other
members.
"""
from __future__ import annotations

import threading
import uuid

# AWS page sizes. Only ListTables' 100 is documented (botocore ListTablesInput.Limit:
# "If this parameter is not specified, the limit is 100"); the others are UNCONFIRMED
# and follow what AWS users observe for CloudFormation list calls (100).
DEFAULTS = {
    "cloudformation.DescribeStacks": 100, "cloudformation.ListStacks": 100,
    "cloudformation.DescribeStackEvents": 100, "cloudformation.ListStackResources": 100,
    "cloudformation.ListExports": 100, "cloudformation.ListImports": 100,
    "cloudformation.ListChangeSets": 100, "cloudformation.DescribeChangeSet": 100,
    "dynamodb.ListTables": 100, "dynamodb.ListTagsOfResource": 10,
}
# which member of the answer is the paginated list
CFN_LIST_KEYS = {
    "DescribeStacks": "Stacks", "ListStacks": "StackSummaries",
    "DescribeStackEvents": "StackEvents", "ListStackResources": "StackResourceSummaries",
    "ListExports": "Exports", "ListImports": "Imports", "ListChangeSets": "Summaries",
    "DescribeChangeSet": "Changes",
}
SCOPE_KEYS = ("StackName", "ChangeSetName", "ExportName", "ResourceArn", "StackStatusFilter")


class BadToken(Exception):
    pass


class Pager:
    def __init__(self, page_size: int | None = None):
        self.page_size = page_size  # None: AWS defaults above
        self._tokens: dict[str, tuple[str, str, int]] = {}
        self._lock = threading.Lock()

    def size(self, op: str) -> int:
        return int(self.page_size) if self.page_size else DEFAULTS.get(op, 100)

    @staticmethod
    def scope(params: dict) -> str:
        return repr(sorted((k, repr(params.get(k))) for k in SCOPE_KEYS if k in params))

    def start(self, op: str, params: dict, token: str | None) -> int:
        if not token:
            return 0
        with self._lock:
            got = self._tokens.get(token)
        if got is None or got[0] != op or got[1] != self.scope(params):
            raise BadToken(token)
        return got[2]

    def page(self, op: str, params: dict, items: list, token: str | None,
             limit: int | None = None) -> tuple[list, str | None]:
        start = self.start(op, params, token)
        n = self.size(op) if not limit else min(int(limit), self.size(op))
        chunk = items[start:start + n]
        if start + n >= len(items):
            return chunk, None
        nxt = uuid.uuid4().hex + uuid.uuid4().hex
        with self._lock:
            if len(self._tokens) > 20000:
                self._tokens.clear()
            self._tokens[nxt] = (op, self.scope(params), start + n)
        return chunk, nxt

    def reset(self) -> None:
        with self._lock:
            self._tokens.clear()
