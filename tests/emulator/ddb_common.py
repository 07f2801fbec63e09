"""What the emulator's DynamoDB modules share: their settings and the error they raise.

``SETTINGS`` holds the knobs the server sets from its flags and ``/_emulator/config``;
``DdbError`` is an answer DynamoDB gives instead of a result (code, message, status).
"""
from __future__ import annotations

from typing import Any

SETTINGS: dict[str, Any] = {
    "ttl_transition_seconds": 3.0,      # ENABLING/DISABLING time
    "ttl_interval_seconds": 3600.0,     # one TTL change per table per interval
    "index_seconds": lambda: 0.0,       # index CREATING/DELETING time (server: --delay-seconds)
    "table_seconds": 1.0,               # table CREATING / UPDATING time (--table-seconds)
    "pager": None,                      # paging.Pager (server)
}


class DdbError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def invalid(message: str) -> DdbError:
    """ValidationException with DynamoDB's usual prefix for refused parameter values."""
    return DdbError("ValidationException", f"One or more parameter values were invalid: {message}")
