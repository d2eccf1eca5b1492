"""The worker's three stages, declared for the stage runner (`newswire.runner`).

Each declaration names its input topic, how its records decode and what it makes of a
batch; the runner does the rest (transactions, delivery, dead letters, metrics, logs).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from newswire.config import Settings
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.models.internal import CleanedArticle, UniqueArticle
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.dedup_stage import duplicate_notice, judge, new_index
from newswire.pipeline.enrich import enriched_event
from newswire.pipeline.errors import dead_letter
from newswire.pipeline.prepare import prepare
from newswire.routing import Route, load_routes
from newswire.runner.stage import Emit, Item, Result, Stage, State
from newswire.tagging.service import TaggingService, TagResult, reading_language
from newswire.topics import CLEANED, DUPLICATES, ENRICHED, RAW, UNIQUE, topic_name
from newswire.wire import decode

SWEEP_INTERVAL_S = 600.0


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def prepare_stage(settings: Settings) -> Stage[bytes]:
    """Raw event -> cleaned, fingerprinted article (or the dead letter saying why not)."""
    cleaned_topic = topic_name(settings, CLEANED)

    async def handle(items: Sequence[Item[bytes]], state: State | None) -> list[Result]:
        results: list[Result] = []
        for item in items:
            result = prepare(
                item.value,
                item.source,
                trace_id=item.trace_id,
                received_at=utcnow(),
                worker_id=settings.worker_id,
                max_bytes=settings.max_article_bytes,
            )
            if isinstance(result, DeadLetter):
                results.append(result)
            else:
                results.append([Emit(cleaned_topic, result.raw.id, result, "cleaned")])
        return results

    return Stage(
        name="prepare",
        input_topic=RAW,
        decode=bytes,
        handle=handle,
        fail_stage="clean",
        batch_size=64,
    )


def dedup_stage(settings: Settings) -> Stage[CleanedArticle]:
    """Cleaned article -> new (first copies and changed resubmissions) on to tagging, later
    copies as duplicate notices. The index lives in the stage's state, so its changes
    commit with the outputs they caused."""
    unique_topic = topic_name(settings, UNIQUE)
    duplicates_topic = topic_name(settings, DUPLICATES)
    last_sweep = time.monotonic()

    async def handle(items: Sequence[Item[CleanedArticle]], state: State | None) -> list[Result]:
        nonlocal last_sweep
        assert state is not None  # noqa: S101 - a stateful stage always gets its store
        index = new_index(state, settings.dedup_threshold, settings.dedup_window_days)
        if time.monotonic() - last_sweep > SWEEP_INTERVAL_S:
            index.sweep(int(utcnow().timestamp()))
            last_sweep = time.monotonic()
        results: list[Result] = []
        for item in items:
            article = item.value
            started, now = time.perf_counter(), utcnow()
            verdict = judge(index, article, now)
            elapsed = time.perf_counter() - started
            if verdict.duplicate:
                notice = duplicate_notice(article, verdict, now)
                log = {"original_id": notice.original_id, "method": notice.method}
                results.append(
                    [
                        Emit(
                            duplicates_topic,
                            article.raw.id,
                            notice,
                            "duplicate",
                            log={**log, "score": notice.score},
                        )
                    ]
                )
            else:
                unique = UniqueArticle(
                    article=article, revision=verdict.revision, stages_ms={"dedup": _ms(elapsed)}
                )
                results.append([Emit(unique_topic, article.raw.id, unique, "unique")])
        return results

    return Stage(
        name="dedup",
        input_topic=CLEANED,
        decode=lambda data: decode(CleanedArticle, data),
        handle=handle,
        fail_stage="dedup",
        batch_size=64,
        stateful=True,
    )


async def tag_alone_if_failed(
    tagging: TaggingService, texts: list[str], languages: list[str | None] | None = None
) -> list[TagResult]:
    """Tags for each text (read in `languages`, detected when not given); a text whose
    tagging failed within a batch is tagged again on its own, so one bad text (too long,
    say) cannot take its batch with it."""
    tagged = await tagging.tag_many(texts, languages)
    if len(texts) == 1:
        return tagged
    for index, result in enumerate(tagged):
        if isinstance(result, BaseException):
            alone = None if languages is None else [languages[index]]
            [tagged[index]] = await tagging.tag_many([texts[index]], alone)
    return tagged


def enrich_stage(
    settings: Settings, tagging: TaggingService, metrics: PipelineMetrics
) -> Stage[UniqueArticle]:
    """New articles, in batches -> tagged, enriched events (and copies on route topics);
    an article tagging fails for becomes a dead letter at stage 'tag'."""
    enriched_topic = topic_name(settings, ENRICHED)
    routes: list[tuple[Route, str]] = [
        (route, topic_name(settings, route.topic)) for route in load_routes(settings.routes_file)
    ]

    async def handle(items: Sequence[Item[UniqueArticle]], state: State | None) -> list[Result]:
        started = time.perf_counter()
        articles = [item.value.article for item in items]
        tagged = await tag_alone_if_failed(
            tagging,
            [a.text for a in articles],
            [reading_language(a.language, a.language_score) for a in articles],
        )
        took = time.perf_counter() - started
        metrics.record_batch(len(items), took)
        per_article = _ms(took / len(items))
        now = utcnow()
        results: list[Result] = []
        for item, tags in zip(items, tagged, strict=True):
            article = item.value.article
            if isinstance(tags, BaseException):
                results.append(
                    dead_letter(
                        "tag",
                        tags,
                        item.original,
                        source=item.source,
                        worker_id=settings.worker_id,
                        article_id=article.raw.id,
                    )
                )
                continue
            enriched = enriched_event(
                article,
                tags,
                worker_id=settings.worker_id,
                now=now,
                stages_ms={**item.value.stages_ms, "tag": per_article},
                revision=item.value.revision,
            )
            routed = [(route, topic) for route, topic in routes if route.matches(enriched)]
            log = {
                "countries": [c.code for c in enriched.countries],
                "primary_country": enriched.primary_country,
                "entities": len(enriched.entities),
                "routes": [route.topic for route, _ in routed],
                "revision": enriched.revision,
            }
            results.append(
                [
                    Emit(
                        enriched_topic,
                        enriched.id,
                        enriched,
                        "enriched",
                        log=log,
                        fetched_at=article.raw.fetched_at,
                    ),
                    *(Emit(topic, enriched.id, enriched, "routed") for _, topic in routed),
                ]
            )
        return results

    return Stage(
        name="enrich",
        input_topic=UNIQUE,
        decode=lambda data: decode(UniqueArticle, data),
        handle=handle,
        fail_stage="tag",
        batch_size=settings.ner_batch_size,
        started=tagging.wait_ready,
    )
