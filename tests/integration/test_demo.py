"""`newswire demo` on a broker of the user's: it runs the job end to end and leaves none of
its topics (nor the worker's changelogs) behind."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from newswire.config import get_settings
from newswire.demo import run_demo

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def topic_names(bootstrap: str) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        return set(await admin.list_topics())
    finally:
        await admin.close()


def test_the_demo_cleans_up_its_topics(
    kafka_bootstrap: str, seed_paths: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("NEWSWIRE_NER_PROCESSES", "0")
    get_settings.cache_clear()
    before = asyncio.run(topic_names(kafka_bootstrap))
    lines: list[str] = []
    try:
        code = run_demo(seed_paths[:2], timeout_s=120, echo=lines.append)
    finally:
        get_settings.cache_clear()
    assert code == 0, "\n".join(lines)
    assert any(line.startswith("2 enriched events on demo-") for line in lines), lines
    assert any(line.startswith("deleted the demo's ") for line in lines), lines
    # Deletion completes in the background: wait (bounded) for the topics to be gone.
    for _ in range(100):
        left = {t for t in asyncio.run(topic_names(kafka_bootstrap)) - before if "demo-" in t}
        if not left:
            break
        time.sleep(0.3)
    assert left == set()
