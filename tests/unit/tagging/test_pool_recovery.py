"""A pool process killed from outside (SIGKILL, as the OOM killer does) costs no article:
the pool is replaced and the batch retried; a batch that kills its process twice comes
back as per-article failures the caller can dead-letter."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import pytest

from newswire.config import Settings
from newswire.tagging.result import Tags
from newswire.tagging.service import NerProcessLostError, TaggingService

from .crashing import POISON, killed_on_poison

MODEL = Settings.model_construct().ner_model
TEXTS = [
    "Syrian President Bashar al-Assad met Russian officials in Moscow on Monday.",
    "The Australian Prime Minister John Howard spoke in Canberra.",
]


def pool_pids(service: TaggingService) -> list[int]:
    executor = service._executor
    assert isinstance(executor, ProcessPoolExecutor)
    return [p.pid for p in executor._processes.values() if p.pid]


@pytest.fixture
def service() -> Iterator[TaggingService]:
    tagging = TaggingService(MODEL, processes=1, job=killed_on_poison)
    tagging.start()
    try:
        yield tagging
    finally:
        tagging.close()


async def until(condition: object, tries: int = 600) -> None:
    """Wait for `condition()` to hold: a positive signal, checked every 50 ms."""
    for _ in range(tries):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition never held")


@pytest.mark.slow
async def test_a_killed_pool_process_is_replaced_and_nothing_is_lost(
    service: TaggingService,
) -> None:
    (victim,) = pool_pids(service)
    os.kill(victim, signal.SIGKILL)
    await until(lambda: not service.ready())  # /readyz says so while the pool is broken
    results = await service.tag_many(TEXTS, languages=["en", "en"])
    assert all(isinstance(r, Tags) for r in results)
    assert [r.countries[0].code for r in results if isinstance(r, Tags)] == ["SY", "AU"]
    assert service.restarts == 1
    assert service.ready()
    assert victim not in pool_pids(service)


@pytest.mark.slow
async def test_a_batch_that_kills_its_process_twice_fails_per_article(
    service: TaggingService,
) -> None:
    results = await service.tag_many([TEXTS[0], f"{POISON} in Jordan"], languages=["en", "en"])
    assert all(isinstance(r, NerProcessLostError) for r in results)  # one batch: both lost
    failure = results[1]
    assert isinstance(failure, NerProcessLostError)
    assert failure.stage == "tag" and "died twice" in failure.reason
    assert service.restarts == 2  # once for the retry, once to leave a whole pool
    assert service.ready()
    after = await service.tag_many(TEXTS, languages=["en", "en"])
    assert all(isinstance(r, Tags) for r in after)
