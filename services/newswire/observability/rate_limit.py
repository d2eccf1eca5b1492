"""Keeps a flood of identical log lines (a client retrying a dead broker ten times a second)
down to one line per message and interval, with a count of what was held back."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class RateLimitFilter(logging.Filter):
    """Lets each (logger, message template) through at most once per `interval_s`; the next
    line let through says how many like it were suppressed in between."""

    def __init__(
        self, interval_s: float = 30.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._clock = clock
        self._last: dict[tuple[str, object], float] = {}
        self._held: dict[tuple[str, object], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Whether `record` is emitted (possibly with a note of the lines held back)."""
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.msg)
        now = self._clock()
        last = self._last.get(key)
        if last is not None and now - last < self.interval_s:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self.interval_s:g}s)"
        return True


def limit_repeated_logs(interval_s: float = 30.0) -> RateLimitFilter:
    """Install one RateLimitFilter on every handler of the root logger; returns it."""
    limiter = RateLimitFilter(interval_s)
    for handler in logging.getLogger().handlers:
        handler.addFilter(limiter)
    return limiter
