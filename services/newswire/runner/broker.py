"""Whether the broker answers: a metadata request every second, for readiness."""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog
from aiokafka import AIOKafkaConsumer

from newswire.config import Settings
from newswire.connection import client_options

log = structlog.get_logger("newswire.runner")
PROBE_INTERVAL_S = 1.0


class BrokerWatch:
    """Asks the cluster for its metadata every second; `reachable()` is False once no
    answer came for `grace_s` seconds, and True again at the first answer."""

    def __init__(self, settings: Settings, grace_s: float) -> None:
        self.settings = settings
        self.grace_s = grace_s
        self._last_ok: float | None = None
        self._stopping = asyncio.Event()
        self._down_reported = False
        self.topics: set[str] = set()

    def reachable(self) -> bool:
        """True while the broker answered within the last `grace_s` seconds."""
        return self._last_ok is not None and time.monotonic() - self._last_ok <= self.grace_s

    def stop(self) -> None:
        """Ask `run` to return."""
        self._stopping.set()

    async def run(self) -> None:
        """Probe until stopped."""
        probe = AIOKafkaConsumer(
            **client_options(self.settings),
            client_id=f"{self.settings.worker_id}-probe",
            request_timeout_ms=int(max(self.grace_s, 2.0) * 1000),
            enable_auto_commit=False,
        )
        started = False
        try:
            while not self._stopping.is_set():
                try:
                    if not started:
                        await probe.start()
                        started = True
                    self.topics = set(
                        await asyncio.wait_for(probe.topics(), self.grace_s + PROBE_INTERVAL_S)
                    )
                    self._last_ok = time.monotonic()
                    if self._down_reported:
                        log.info("broker.reachable_again")
                        self._down_reported = False
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    # Once per outage, not once per probe.
                    if not self._down_reported and not self.reachable():
                        log.warning("broker.unreachable", error=repr(exc), grace_s=self.grace_s)
                        self._down_reported = True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), PROBE_INTERVAL_S)
        finally:
            if started:
                await probe.stop()
