"""HTTP ingest while the broker is down: a POST is answered 503 within the configured time
instead of hanging, /readyz turns 503, and both recover when the broker is back, without a
restart of ingest. The broker is one of this test's own (the session's stays up)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from newswire.admin import ensure_topics
from newswire.ingest.http import create_ingest_app
from newswire.kafka_local.launcher import LocalKafka, free_port
from newswire.subscribe.reader import read_until
from newswire.topics import RAW, topic_name
from tests.support.broker import restartable_broker
from tests.support.settings import fresh_settings

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def article(n: int) -> dict[str, object]:
    return {
        "url": f"https://example.com/outage/{n}",
        "source": "Example News",
        "body": f"Story number {n} happened in Damascus today, officials said.",
    }


@asynccontextmanager
async def serving(app: web.Application) -> AsyncIterator[aiohttp.ClientSession]:
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            yield http
    finally:
        await runner.cleanup()


async def ready_status(http: aiohttp.ClientSession, wanted: int, attempts: int = 600) -> int:
    """Poll /readyz until it answers `wanted` (the positive signal), a bounded number of times."""
    status = 0
    for _ in range(attempts):
        async with http.get("/readyz") as response:
            status = response.status
        if status == wanted:
            break
        await asyncio.sleep(0.1)
    return status


async def post(http: aiohttp.ClientSession, n: int) -> tuple[int, dict[str, object]]:
    async with http.post("/v1/articles", json=article(n)) as response:
        return response.status, await response.json()


async def post_until_accepted(
    http: aiohttp.ClientSession, n: int, attempts: int = 10
) -> tuple[int, dict[str, object]]:
    status, body = await post(http, n)
    for _ in range(attempts - 1):
        if status != 503:
            break
        await asyncio.sleep(1)
        status, body = await post(http, n)
    return status, body


def test_ingest_answers_503_while_the_broker_is_down_and_recovers(tmp_path: Path) -> None:
    with restartable_broker(tmp_path / "kafka") as broker:
        asyncio.run(outage(broker, tmp_path))


async def outage(broker: LocalKafka, tmp_path: Path) -> None:
    settings = fresh_settings(
        broker.bootstrap,
        tmp_path / "worker",
        ingest_publish_timeout_s=3.0,
        ingest_broker_grace_s=1.5,
    )
    await ensure_topics(settings)
    async with serving(create_ingest_app(settings)) as http:
        assert await ready_status(http, 200) == 200
        status, first = await post(http, 1)
        assert status == 202

        await asyncio.to_thread(LocalKafka.stop, broker)
        # Whether the watch has noticed yet or the send times out, the answer is a 503
        # that says what to do; the request does not hang.
        status, body = await post(http, 2)
        assert status == 503, body
        assert "Kafka" in str(body["error"])
        assert await ready_status(http, 503) == 503
        status, body = await post(http, 3)
        assert status == 503 and "nothing was published" in str(body["error"])

        await asyncio.to_thread(LocalKafka.start, broker)
        assert await ready_status(http, 200) == 200
        # The producer may still be refreshing its metadata: a 503 now says "retry", which
        # is safe, so a client retries (a bounded number of times).
        status, body = await post_until_accepted(http, 4)
        assert status == 202, body
        # Retrying the request answered 503 is safe: same article, same id.
        status, retried = await post_until_accepted(http, 2)
        assert status == 202, retried

    # Article 2 may be there twice (the timed-out send arrived late, then the retry):
    # the same id, which the worker turns into one outcome.
    raw = await read_until(broker.bootstrap, topic_name(settings, RAW), 4, timeout_s=10)
    wanted = {str(answer["ids"][0]).encode() for answer in (first, body, retried)}  # type: ignore[index]
    assert {m.key for m in raw} >= wanted
