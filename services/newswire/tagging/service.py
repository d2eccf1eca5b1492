"""Runs tagging for the worker: NER on a process pool, countries and entities here.

The pool processes hold only spaCy models (the English one loaded at start, another
language's the first time an article in it arrives) and return plain spans. This process
chooses what the model reads (the pieces of each article that can name something, each
distinct piece once per batch), answers the pieces it has seen before from its
`SpanCache`, and sends only the rest to the pool. The gazetteers live once, in this
process, which tags countries and builds entities from the spans. With `processes=0` NER runs in a thread of this process instead, which tests
and small deployments prefer.

A pool process that dies (the kernel's OOM killer, a crash in native code) breaks the
whole pool; the service replaces the pool and runs the lost batches once more. Articles
whose batch is lost twice come back as `NerProcessLostError` in their place, for the
caller to dead-letter; `ready()` is false while the pool is being replaced.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import MappingProxyType

from newswire.clean.language import detect_language
from newswire.config import Settings
from newswire.tagging.gazetteer import load_gazetteer
from newswire.tagging.ner import (
    PIECE_LIMIT,
    Matmul,
    SpanCache,
    configure_process,
    missing_pieces,
    model_for,
    ner_job,
    ner_pieces,
    place_spans,
    run_ner,
    warm_up,
)
from newswire.tagging.result import Tags
from newswire.tagging.spans import NerSpan
from newswire.tagging.tagger import tag_article

__all__ = ["NerProcessLostError", "TaggingService", "ner_job", "tag_batch", "warm_up"]

TagResult = Tags | BaseException
SpansResult = list[list[NerSpan]] | BaseException


class TaggingFailedError(RuntimeError):
    """Tagging could not be done for one article; `reason` says why, for a dead letter
    with stage "tag"."""

    stage = "tag"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NerProcessLostError(TaggingFailedError):
    """The NER process running this article's batch died, and died again on the retry
    (for example killed by the OOM killer): the article is not tagged."""


# Below this confidence a detected language is not trusted: the text is read as English
# (short English headlines are sometimes taken for another language).
_LANGUAGE_MIN_SCORE = 0.5


def reading_language(code: str | None, score: float | None) -> str | None:
    """The language tagging reads an article in, from what the cleaning stage recorded:
    the source's own (no score; a BCP 47 tag reduced to its language, "en-US" -> "en") or
    a detected one it is sure of; None (read as English) otherwise. The same rule as
    `detect_languages`, without detecting again."""
    if code is None or (score is not None and score < _LANGUAGE_MIN_SCORE):
        return None
    # Models are chosen by ISO 639 code; a region or script subtag must not hide them.
    return code.split("-", 1)[0].lower()


def detect_languages(texts: Sequence[str]) -> list[str | None]:
    """The detected language code of each text; None (read as English) for text without
    letters or when the detector is unsure."""
    found = [detect_language(text) for text in texts]
    return [reading_language(lang.code, lang.score) if lang else None for lang in found]


def tag_batch(
    texts: list[str],
    model: str | None,
    languages: Sequence[str | None] | None = None,
    language_models: Mapping[str, str] = MappingProxyType({}),
) -> list[TagResult]:
    """Tags for each text, in this process (NER batched per model); a failure of one
    article is returned in its place as the exception, so the others still get theirs.
    `model` reads English; other languages use `language_models` or get countries only."""
    langs = list(languages) if languages is not None else detect_languages(texts)
    models = [model_for(lang, model, language_models) for lang in langs]
    spans: dict[int, SpansResult] = {}
    for name in {m for m in models if m}:
        indices = [i for i, m in enumerate(models) if m == name]
        try:
            found: SpansResult = run_ner([texts[i] for i in indices], name)
        except Exception as exc:
            found = exc
        for position, index in enumerate(indices):
            spans[index] = found if isinstance(found, BaseException) else [found[position]]
    return [_finish(texts[i], langs[i], models[i], spans.get(i)) for i in range(len(texts))]


def _finish(
    text: str, language: str | None, model: str | None, spans: SpansResult | None
) -> TagResult:
    """Countries and entities of one article from its NER spans (None: no model ran)."""
    if isinstance(spans, BaseException):
        return spans
    try:
        return tag_article(
            text, spans[0] if spans is not None else None, ner_model=model, language=language
        )
    except Exception as exc:
        return exc


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
    """Tags batches of clean texts; results come back in input order.

    Public surface (stable): `from_settings`, `start`, `ready`, `wait_ready`,
    `tag_many(texts, languages=None)`, `close`."""

    def __init__(
        self,
        ner_model: str | None,
        processes: int,
        language_models: Mapping[str, str] | None = None,
        max_chars: int | None = None,
        job: Callable[[list[str], str, int | None], list[list[NerSpan]]] = ner_job,
        cache_entries: int = 0,
        matmul: Matmul = "openblas",
    ) -> None:
        """`job` is what a pool process runs for one batch of pieces (a module-level
        function, so it can be sent to the processes); tests replace it to crash a
        process. `cache_entries` bounds the cache of pieces already read (0: none);
        `matmul` is how the model's processes multiply matrices (`configure_process`)."""
        self.ner_model = ner_model
        self.processes = processes
        self.language_models: Mapping[str, str] = MappingProxyType(dict(language_models or {}))
        self.max_chars = max_chars
        self._job = job
        self.cache = SpanCache(cache_entries)
        self.matmul: Matmul = matmul
        self.load_seconds: float | None = None
        self.restarts = 0
        self._executor: Executor | None = None
        self._loaded = threading.Event()
        self._load_error: BaseException | None = None
        self._healthy = False
        self._restart_lock: asyncio.Lock | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> TaggingService:
        """The service the settings describe (not started)."""
        return cls(
            settings.ner_model or None,
            settings.ner_processes,
            language_models=settings.ner_language_model_map,
            cache_entries=settings.ner_cache_entries,
            matmul=settings.ner_matmul,
        )

    def _new_executor(self) -> tuple[Executor, float]:
        """A pool whose processes have the English model loaded, and the load time (s)."""
        if self.processes <= 0:
            configure_process(self.matmul)
            return ThreadPoolExecutor(1, thread_name_prefix="tagging"), warm_up(self.ner_model)
        context = multiprocessing.get_context("spawn")  # no forked event loops
        executor = ProcessPoolExecutor(
            self.processes,
            mp_context=context,
            initializer=configure_process,
            initargs=(self.matmul,),
        )
        futures = [executor.submit(warm_up, self.ner_model) for _ in range(self.processes)]
        return executor, max(f.result() for f in futures)

    def start(self) -> float:
        """Load the gazetteer here and start the pool with the model in every process;
        returns the load time (s). A failure to load is raised here and again to everyone
        in `wait_ready`."""
        started = time.perf_counter()
        try:
            load_gazetteer()
            self._executor, _ = self._new_executor()
            self.load_seconds = time.perf_counter() - started
            self._healthy = True
        except BaseException as exc:
            self._load_error = exc
            raise
        finally:
            self._loaded.set()  # waiters must wake up on failure too
        return self.load_seconds

    def ready(self) -> bool:
        """True once the gazetteer and NER model are loaded and the pool is whole (false
        while a pool whose process died is being replaced)."""
        broken = bool(getattr(self._executor, "_broken", False))
        return self.load_seconds is not None and self._healthy and not broken

    async def wait_ready(self) -> None:
        """Return once `start` (running elsewhere, e.g. in a thread) has loaded the models."""
        if not self._loaded.is_set():
            await asyncio.to_thread(self._loaded.wait)
        if self._load_error is not None:
            raise RuntimeError("tagging models failed to load") from self._load_error

    async def tag_many(
        self, texts: list[str], languages: Sequence[str | None] | None = None
    ) -> list[TagResult]:
        """Tags for each text, in order, computed off the event loop. `languages` (ISO
        639-1 codes, as the cleaning stage detected them) picks each article's NER model;
        when not given, languages are detected here. An article that could not be tagged
        gets its exception in its place (`NerProcessLostError` when the pool lost its
        batch twice)."""
        if self._executor is None:
            await asyncio.to_thread(self.start)
        langs = (
            list(languages)
            if languages is not None
            else await asyncio.to_thread(detect_languages, texts)
        )
        models = [model_for(lang, self.ner_model, self.language_models) for lang in langs]
        spans: dict[int, SpansResult] = {}
        for name in sorted({m for m in models if m}):
            indices = [i for i, m in enumerate(models) if m == name]
            found = await self._spans_with(name, [texts[i] for i in indices])
            for position, index in enumerate(indices):
                spans[index] = found[position]
        return await asyncio.to_thread(
            lambda: [
                _finish(texts[i], langs[i], models[i], spans.get(i)) for i in range(len(texts))
            ]
        )

    async def _spans_with(self, name: str, texts: list[str]) -> list[SpansResult]:
        """Spans of each of `texts` by model `name` (or the exception that stopped its
        pieces being read): pieces in the cache are not read again, the others are read
        once each, spread over the pool's processes."""
        limit = self.max_chars or PIECE_LIMIT
        pieces = [ner_pieces(text, limit) for text in texts]
        known, todo = missing_pieces(pieces, name, self.cache)
        parts = balanced_parts([len(p) for p in todo], max(1, self.processes))
        jobs = [(name, [todo[i] for i in part]) for part in parts]
        failed: dict[str, BaseException] = {}
        for (_, batch), result in zip(jobs, await self._run_jobs(jobs), strict=True):
            for position, piece in enumerate(batch):
                if isinstance(result, BaseException):
                    failed[piece] = result
                else:
                    known[piece] = result[position]
                    self.cache.put(name, piece, result[position])
        results: list[SpansResult] = []
        for text_pieces in pieces:
            lost = [failed[p.text] for p in text_pieces if p.text in failed]
            results.append(lost[0] if lost else [place_spans(text_pieces, known)])
        return results

    async def _run_jobs(self, jobs: list[tuple[str, list[str]]]) -> list[SpansResult]:
        results = await self._submit(jobs)
        lost = [j for j, r in enumerate(results) if isinstance(r, BrokenProcessPool)]
        if not lost:
            return results
        await self._replace_pool()
        retried = await self._submit([jobs[j] for j in lost])
        for j, result in zip(lost, retried, strict=True):
            results[j] = (
                NerProcessLostError(
                    "the NER process running this article's batch died twice "
                    f"({type(result).__name__}: {result})"
                )
                if isinstance(result, BrokenProcessPool)
                else result
            )
        if any(isinstance(r, BrokenProcessPool) for r in retried):
            await self._replace_pool()  # leave a whole pool for the next batch
        return results

    async def _submit(self, jobs: list[tuple[str, list[str]]]) -> list[SpansResult]:
        executor = self._executor
        assert executor is not None  # noqa: S101 - start() sets it
        loop = asyncio.get_running_loop()

        async def one(name: str, batch: list[str]) -> list[list[NerSpan]]:
            return await loop.run_in_executor(executor, self._job, batch, name, self.max_chars)

        # A broken pool refuses submissions with BrokenProcessPool too: gathered the same.
        gathered = await asyncio.gather(
            *(one(name, batch) for name, batch in jobs), return_exceptions=True
        )
        return [r if isinstance(r, (list, BaseException)) else RuntimeError(r) for r in gathered]

    async def _replace_pool(self) -> None:
        """Replace a broken pool with a fresh one (models loaded); not ready meanwhile."""
        if self._restart_lock is None:
            self._restart_lock = asyncio.Lock()
        async with self._restart_lock:
            old = self._executor
            if old is not None and not getattr(old, "_broken", False):
                return  # another caller already replaced it
            self._healthy = False
            if old is not None:
                old.shutdown(wait=False, cancel_futures=True)
            self._executor, _ = await asyncio.to_thread(self._new_executor)
            self.restarts += 1
            self._healthy = True

    def close(self) -> None:
        """Stop the pool's processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self._healthy = False
