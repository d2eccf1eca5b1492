"""Whether the broker answers, as HTTP ingest sees it: readiness and fast refusals follow it.

A probe asks the broker for metadata every `interval_s`; every publish reports its outcome
too. The broker counts as unreachable once failures have lasted `grace_s` without a success
in between, and as reachable again at the first success."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger("newswire.ingest")


class BrokerWatch:
    """Tracks the broker's reachability from successes and failures reported to it."""

    __slots__ = ("_clock", "_failing_since", "grace_s")

    def __init__(self, grace_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.grace_s = grace_s
        self._clock = clock
        self._failing_since: float | None = None

    def succeeded(self) -> None:
        """The broker answered."""
        if self._failing_since is not None:
            log.info("ingest.broker_reachable_again")
        self._failing_since = None

    def failed(self) -> None:
        """The broker did not answer (refused, timed out)."""
        if self._failing_since is None:
            self._failing_since = self._clock()
            log.warning("ingest.broker_unreachable")

    @property
    def reachable(self) -> bool:
        """False once failures have lasted `grace_s` without a success."""
        return self._failing_since is None or self._clock() - self._failing_since < self.grace_s

    async def watch(self, probe: Callable[[], Awaitable[bool]], interval_s: float) -> None:
        """Report `probe()`'s answer every `interval_s` until cancelled."""
        while True:
            answered = False
            with contextlib.suppress(Exception):
                answered = await asyncio.wait_for(probe(), timeout=interval_s)
            if answered:
                self.succeeded()
            else:
                self.failed()
            await asyncio.sleep(interval_s)
