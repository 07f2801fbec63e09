"""The emulator's clock: real time plus an offset that tests move forward.

Every time-based behaviour of the emulator reads this clock: stack and change-set
progress (``--delay-seconds``), TTL transitions and the TTL change interval, index
backfill, and the timestamps the emulator writes itself (stack events, creation and
update times, TTL/index bookkeeping).  ``POST /_emulator/clock {"advance_seconds": N}``
moves it forward; it never goes back.  SigV4 request dates are still checked against the
real time (clients sign with the machine's clock).
"""
from __future__ import annotations

import datetime as _dt
import threading
import time


class Clock:
    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def offset(self) -> float:
        return self._offset

    def time(self) -> float:
        """Epoch seconds on the emulator clock."""
        return time.time() + self._offset

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def now(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.time(), _dt.timezone.utc)

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the emulator clock only moves forward")
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def state(self) -> dict:
        return {"now": self.now().isoformat(timespec="milliseconds"),
                "epoch": round(self.time(), 3), "offset_seconds": round(self._offset, 3)}


CLOCK = Clock()
