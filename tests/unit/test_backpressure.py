"""Back-pressure: with `max_in_flight` sends unacknowledged, the next send waits for the
broker to acknowledge one. The broker's side is a stand-in here because the point is the
producer's own accounting; the real broker is exercised by tests/integration/test_ingest.py."""

from __future__ import annotations

import asyncio
from typing import Any

from newswire.config import Settings
from newswire.ingest.producer import ArticleProducer
from newswire.models import RawArticle


class SlowBroker:
    """Accepts sends at once and acknowledges them only when told to."""

    def __init__(self) -> None:
        self.pending: list[asyncio.Future[object]] = []

    async def send(self, *args: Any, **kwargs: Any) -> asyncio.Future[object]:
        future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
        self.pending.append(future)
        return future

    def acknowledge_one(self) -> None:
        self.pending.pop(0).set_result(None)


def article(n: int) -> RawArticle:
    return RawArticle(url=f"https://example.com/{n}", source="s", body="b")


async def test_a_send_waits_while_too_many_are_unacknowledged() -> None:
    producer = ArticleProducer(Settings(_env_file=None), max_in_flight=2)  # type: ignore[call-arg]
    broker = SlowBroker()
    producer._producer = broker  # the stand-in replaces only the network side
    await producer.send(article(1))
    await producer.send(article(2))
    third = asyncio.create_task(producer.send(article(3)))
    await asyncio.sleep(0.05)
    assert not third.done(), "a third send must wait for a slot"
    broker.acknowledge_one()
    await asyncio.wait_for(third, timeout=1)
    assert len(broker.pending) == 2
