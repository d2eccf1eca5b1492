"""A NER pool process freezes its loaded pipeline out of the full collections; a process
that only loads a pipeline in passing (a test, a benchmark) does not."""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ProcessPoolExecutor

import pytest

from newswire.tagging import ner
from newswire.tagging.service import TaggingService

from .probes import MODEL, frozen_objects


@pytest.mark.slow
async def test_a_pool_process_freezes_once_its_model_is_loaded() -> None:
    service = TaggingService(MODEL, processes=1)
    service.start()
    try:
        executor = service._executor
        assert isinstance(executor, ProcessPoolExecutor)
        frozen = await asyncio.get_running_loop().run_in_executor(executor, frozen_objects)
        assert frozen > 10_000  # the modules and the pipeline, not a handful
    finally:
        service.close()


def test_loading_a_model_outside_a_pool_freezes_nothing() -> None:
    gc.unfreeze()
    ner.warm_up(MODEL)
    ner.ner_job(["Kim Beazley spoke in Canberra."], MODEL)
    assert gc.get_freeze_count() == 0
