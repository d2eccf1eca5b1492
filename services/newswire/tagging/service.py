"""Runs tagging for the worker: batches of articles on a process pool, both cores busy.

Each pool process loads the spaCy model and the gazetteer once, then tags whole
batches (`nlp.pipe`). With `ner_processes=0` everything runs in a thread of the worker
process instead, which tests and small deployments prefer.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

from newswire.config import Settings
from newswire.tagging.gazetteer import load_gazetteer
from newswire.tagging.ner import load_model, run_ner
from newswire.tagging.result import Tags
from newswire.tagging.tagger import tag_article

TagResult = Tags | BaseException


def warm_up(model: str | None) -> float:
    """Load the gazetteer and the model in this process; return the seconds it took."""
    started = time.perf_counter()
    load_gazetteer()
    if model:
        load_model(model)
    return time.perf_counter() - started


def tag_batch(texts: list[str], model: str | None) -> list[TagResult]:
    """Tags for each text (NER batched when a model is set); a failure of one article is
    returned in its place as the exception, so the others still get their tags."""
    try:
        all_spans = run_ner(texts, model) if model else [None] * len(texts)
    except Exception as exc:
        return [exc] * len(texts)
    results: list[TagResult] = []
    for text, spans in zip(texts, all_spans, strict=True):
        try:
            results.append(tag_article(text, spans, ner_model=model))
        except Exception as exc:
            results.append(exc)
    return results


def balanced_parts(lengths: list[int], parts: int) -> list[list[int]]:
    """Indices 0..n-1 split into at most `parts` groups of about equal total length (longest
    first, each to the lightest group), each group in input order. NER time grows with text
    length, so equal counts would leave one core idle while the other finishes long texts."""
    groups: list[list[int]] = [[] for _ in range(max(1, min(parts, len(lengths))))]
    loads = [0] * len(groups)
    for index in sorted(range(len(lengths)), key=lambda i: -lengths[i]):
        lightest = loads.index(min(loads))
        groups[lightest].append(index)
        loads[lightest] += lengths[index]
    return [sorted(group) for group in groups if group]


class TaggingService:
    """Tags batches of clean texts; results come back in input order."""

    def __init__(self, ner_model: str | None, processes: int) -> None:
        self.ner_model = ner_model
        self.processes = processes
        self.load_seconds: float | None = None
        self._executor: Executor | None = None
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TaggingService:
        """The service the settings describe (not started)."""
        return cls(settings.ner_model or None, settings.ner_processes)

    def start(self) -> float:
        """Start the pool and load models in every process; returns the load time (s).
        A failure to load is raised here and again to everyone in `wait_ready`."""
        try:
            if self.processes > 0:
                context = multiprocessing.get_context("spawn")  # no forked event loops
                self._executor = ProcessPoolExecutor(self.processes, mp_context=context)
                futures = [
                    self._executor.submit(warm_up, self.ner_model) for _ in range(self.processes)
                ]
                self.load_seconds = max(f.result() for f in futures)
            else:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="tagging")
                self.load_seconds = warm_up(self.ner_model)
        except BaseException as exc:
            self._load_error = exc
            raise
        finally:
            self._loaded.set()  # waiters must wake up on failure too
        return self.load_seconds

    def ready(self) -> bool:
        """True once the gazetteer and NER model are loaded."""
        return self.load_seconds is not None

    async def wait_ready(self) -> None:
        """Return once `start` (running elsewhere, e.g. in a thread) has loaded the models."""
        if not self._loaded.is_set():
            await asyncio.to_thread(self._loaded.wait)
        if self._load_error is not None:
            raise RuntimeError("tagging models failed to load") from self._load_error

    async def tag_many(self, texts: list[str]) -> list[TagResult]:
        """Tags for each text, in order, computed off the event loop."""
        if self._executor is None:
            self.start()
        assert self._executor is not None  # noqa: S101 - start() sets it
        loop = asyncio.get_running_loop()
        groups = balanced_parts([len(text) for text in texts], max(1, self.processes))
        done = await asyncio.gather(
            *(
                loop.run_in_executor(
                    self._executor, tag_batch, [texts[i] for i in group], self.ner_model
                )
                for group in groups
            )
        )
        by_index = {
            index: result
            for group, tags in zip(groups, done, strict=True)
            for index, result in zip(group, tags, strict=True)
        }
        return [by_index[index] for index in range(len(texts))]

    def close(self) -> None:
        """Stop the pool's processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
