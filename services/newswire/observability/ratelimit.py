"""Bounded logging of repeated library errors (e.g. aiokafka's connection errors while the
broker is down): each distinct message template is written at most once per interval,
the next one saying how many were left out."""

from __future__ import annotations

import logging
import time

INTERVAL_S = 10.0


class RepeatFilter(logging.Filter):
    """Passes a library's warning or error at most once per `interval_s` per (logger,
    template); newswire's own records and anything below WARNING always pass."""

    def __init__(self, interval_s: float = INTERVAL_S) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True to write `record`."""
        if record.levelno < logging.WARNING or record.name.startswith("newswire"):
            return True
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self.interval_s:.0f}s)"
        return True
