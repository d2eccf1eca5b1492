"""Produces a plan's articles to the raw topic, each to its planned partition."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable

from aiokafka import AIOKafkaProducer

from newswire.models import RawArticle
from newswire.wire import cloudevent_headers, encode, new_trace_id
from tests.support.faults.corpus import Planted


async def produce(
    bootstrap: str,
    topic: str,
    items: list[Planted],
    *,
    rate: float | None = None,
    may_send: Callable[[], bool] = lambda: True,
    max_bytes: int = 8 * 1024 * 1024,
) -> int:
    """Send every item (at `rate` per second when given; holding back while `may_send()`
    is false, e.g. while the test has the broker stopped) with an idempotent producer,
    and wait for the broker to have them all. Returns how many were sent."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        enable_idempotence=True,
        max_request_size=max_bytes,
        linger_ms=5,
        request_timeout_ms=120_000,
    )
    await producer.start()
    try:
        pending = []
        began = time.monotonic()
        for number, item in enumerate(items):
            if rate:
                wait = began + number / rate - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
            while not may_send():  # noqa: ASYNC110 - a flag set by another thread
                await asyncio.sleep(0.2)
            pending.append(
                await producer.send(topic, **_record(item.article), partition=item.partition)
            )
        for future in pending:
            await future
        return len(pending)
    finally:
        await producer.stop()


def _record(article: RawArticle) -> dict[str, object]:
    return {
        "key": article.id.encode(),
        "value": encode(article),
        "headers": cloudevent_headers(
            article, event_id=article.id, source="newswire/faults", trace_id=new_trace_id()
        ),
    }


class BackgroundProducer:
    """`produce` in a thread of its own, for articles that keep arriving during faults."""

    def __init__(self, bootstrap: str, topic: str, items: list[Planted], **options: object) -> None:
        self.sent: int | None = None
        self.error: BaseException | None = None

        def run() -> None:
            try:
                self.sent = asyncio.run(produce(bootstrap, topic, items, **options))  # type: ignore[arg-type]
            except BaseException as exc:
                self.error = exc

        self._thread = threading.Thread(target=run, name="producer", daemon=True)
        self._thread.start()

    def join(self, timeout_s: float = 600.0) -> int:
        """Wait until every article is with the broker; return how many were sent."""
        self._thread.join(timeout_s)
        if self.error is not None:
            raise RuntimeError("producing failed") from self.error
        if self.sent is None:
            raise RuntimeError("producing did not finish in time")
        return self.sent
