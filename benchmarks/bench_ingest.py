"""Ingest rates through a real broker: the Python client (async batch, sync submit) and the
HTTP endpoint (batches of 100, and one article per request), in articles per second.

    cd benchmarks && ../.venv/bin/python bench_ingest.py [--articles N]

Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts the project's own broker on free ports.
The HTTP server runs as its own process (`newswire ingest`), so the load generator does not
share its event loop. Every send waits for acks=all from the broker."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import httpx

from broker import broker
from corpus import raw_articles
from newswire.admin import ensure_topics
from newswire.client import AsyncClient, Client
from newswire.config import Settings
from newswire.kafka_local.launcher import free_port


def articles(n: int, run: str) -> list[dict[str, object]]:
    texts = raw_articles()
    return [
        {
            "url": f"https://bench.example/{run}/{i}",
            "source": "bench",
            "title": f"Article {i}",
            "body": texts[i % len(texts)],
        }
        for i in range(n)
    ]


async def async_client_rate(settings: Settings, items: list[dict[str, object]]) -> float:
    async with AsyncClient(settings, component="bench") as client:
        started = time.perf_counter()
        for start in range(0, len(items), 500):
            await client.publish_many(items[start : start + 500])
        return len(items) / (time.perf_counter() - started)


def sync_client_rate(settings: Settings, items: list[dict[str, object]]) -> float:
    with Client(settings, component="bench") as client:
        started = time.perf_counter()
        for item in items:
            client.submit(item)
        client.flush()
        return len(items) / (time.perf_counter() - started)


@contextmanager
def ingest_server(settings: Settings) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "NEWSWIRE_BOOTSTRAP_SERVERS": settings.kafka_bootstrap,
        "NEWSWIRE_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSWIRE_INGEST_PORT": str(port),
        "NEWSWIRE_LOG_LEVEL": "WARNING",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    proc = subprocess.Popen([sys.executable, "-m", "newswire", "ingest"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except Exception:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


async def http_rate(
    base: str, items: list[dict[str, object]], per_request: int, concurrency: int
) -> float:
    batches = [items[i : i + per_request] for i in range(0, len(items), per_request)]
    queue: asyncio.Queue[list[dict[str, object]]] = asyncio.Queue()
    for batch in batches:
        queue.put_nowait(batch)

    async def worker(http: aiohttp.ClientSession) -> None:
        while not queue.empty():
            batch = queue.get_nowait()
            payload = batch[0] if per_request == 1 else batch
            async with http.post("/v1/articles", json=payload) as response:
                assert response.status == 202, await response.text()

    async with aiohttp.ClientSession(base) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        return len(items) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=20_000)
    args = parser.parse_args()
    n = args.articles
    with broker() as bootstrap:
        run = uuid.uuid4().hex[:8]
        settings = Settings(
            bootstrap_servers=bootstrap,
            topic_prefix=f"bench{run}.",
            _env_file=None,  # type: ignore[call-arg]
        )
        asyncio.run(ensure_topics(settings))
        size = sum(len(str(a["body"])) for a in articles(100, run)) / 100
        print(f"articles of {size:,.0f} characters on average, acks=all, idempotent producer")
        rate = asyncio.run(async_client_rate(settings, articles(n, run + "a")))
        print(f"python client (async, publish_many of 500): {rate:,.0f} articles/s")
        rate = sync_client_rate(settings, articles(n, run + "s"))
        print(f"python client (sync, submit + flush):       {rate:,.0f} articles/s")
        with ingest_server(settings) as base:
            rate = asyncio.run(http_rate(base, articles(n, run + "h"), 100, 4))
            print(f"HTTP POST /v1/articles, 100 per request:    {rate:,.0f} articles/s")
            single = max(1000, n // 10)
            rate = asyncio.run(http_rate(base, articles(single, run + "1"), 1, 16))
            print(f"HTTP POST /v1/articles, 1 per request:      {rate:,.0f} articles/s")


if __name__ == "__main__":
    main()
