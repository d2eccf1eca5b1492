"""The NER model's matrix products: OpenBLAS on one thread in every pool process (a
replacement process too) unless blis is asked for, and the same entities either way."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import get_args

import pytest

from newswire.config import Settings
from newswire.tagging import ner
from newswire.tagging.service import TaggingService

from .probes import MODEL, how_this_process_multiplies

SEEDS = sorted((Path(__file__).parents[3] / "seeds").glob("*.txt"))


async def probe(service: TaggingService) -> tuple[set[bool], list[int]]:
    executor = service._executor
    assert isinstance(executor, ProcessPoolExecutor)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, how_this_process_multiplies)


def test_the_setting_offers_exactly_the_ways_the_model_knows() -> None:
    assert get_args(Settings.model_fields["ner_matmul"].annotation) == ner.MATMULS
    assert Settings.model_construct().ner_matmul == "openblas"
    with pytest.raises(ValueError, match="unknown matmul"):
        ner.configure_process("mkl")  # type: ignore[arg-type]


@pytest.mark.slow
async def test_pool_processes_use_one_openblas_thread_even_after_a_replacement() -> None:
    service = TaggingService(MODEL, processes=1)
    service.start()
    try:
        assert await probe(service) == ({False}, [1])
        (victim,) = [p.pid for p in service._executor._processes.values()]  # type: ignore[union-attr]
        os.kill(victim, signal.SIGKILL)
        await service.tag_many(["Kofi Annan flew to Nairobi."], languages=["en"])
        assert service.restarts == 1
        assert await probe(service) == ({False}, [1])
    finally:
        service.close()


@pytest.mark.slow
async def test_blis_when_asked() -> None:
    service = TaggingService(MODEL, processes=1, matmul="blis")
    service.start()
    try:
        use_blis, _ = await probe(service)
        assert use_blis == {True}
    finally:
        service.close()


@pytest.mark.slow
def test_both_ways_find_the_same_entities() -> None:
    texts = [path.read_text() for path in SEEDS]
    assert len(texts) == 5
    found = {
        matmul: ner.entity_spans(ner._load_model(MODEL, matmul).pipe(texts))
        for matmul in ner.MATMULS
    }
    assert sum(map(len, found["openblas"])) > 50  # the seeds name many things
    assert found["openblas"] == found["blis"]
