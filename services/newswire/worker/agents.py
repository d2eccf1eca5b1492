"""The three agents. Each decodes, calls pure pipeline code, records metrics and publishes.

Every log line written while an event is handled carries its article id, topic, partition,
offset and trace id (bound with structlog's contextvars)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any, cast

import faust
import structlog
from structlog.contextvars import bound_contextvars

from newswire.config import Settings
from newswire.dedup.textstore import TextStore
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.models.internal import CleanedArticle, UniqueArticle
from newswire.observability.health import register_health
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.dedup_stage import duplicate_notice, judge, new_index
from newswire.pipeline.enrich import enriched_event
from newswire.pipeline.prepare import prepare
from newswire.security.durability import durable_configs
from newswire.tagging.service import TaggingService
from newswire.wire import new_trace_id, trace_id_of
from newswire.worker.publisher import Publisher, Topics, source_of

SWEEP_INTERVAL_S = 600.0
log = structlog.get_logger("newswire.worker")


def event_context(event: faust.EventT[bytes], **ids: str | None) -> dict[str, Any]:
    """The log context of `event`: where it was read, plus the given ids."""
    message = event.message
    key = message.key.decode(errors="replace") if isinstance(message.key, bytes) else None
    return {
        "article_id": key,
        "topic": message.topic,
        "partition": message.partition,
        "offset": message.offset,
        **{k: v for k, v in ids.items() if v is not None},
    }


def register_agents(
    app: faust.App, settings: Settings, tagging: TaggingService, metrics: PipelineMetrics
) -> None:
    """Declare newswire's topics, the dedup table, the agents and health pages on `app`."""
    topics = Topics.declare(app, settings)
    publisher = Publisher(topics, settings, metrics)
    dedup_table = app.Table(
        "dedup-index",
        partitions=1,
        schema=faust.Schema(
            key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw"
        ),
        extra_topic_configs=durable_configs(settings, {"cleanup.policy": "compact"}),
    )
    app.agent(topics.raw, name="newswire.prepare")(prepare_agent(settings, publisher))
    app.agent(topics.cleaned, name="newswire.dedup")(
        dedup_agent(settings, publisher, TextStore(dedup_table))
    )
    app.agent(topics.unique, name="newswire.enrich")(enrich_agent(settings, publisher, tagging))
    register_health(app, ("models_loaded", tagging.ready))


def prepare_agent(settings: Settings, publisher: Publisher) -> Any:
    """Raw event -> cleaned, fingerprinted article (or a dead letter)."""
    metrics = publisher.metrics

    async def agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        async for event in stream.events():
            trace_id = trace_id_of(event.headers) or new_trace_id()
            metrics.record_in("prepare")
            with bound_contextvars(**event_context(event, trace_id=trace_id)):
                started = time.perf_counter()
                result = prepare(
                    event.value,
                    source_of(event),
                    trace_id=trace_id,
                    received_at=utcnow(),
                    worker_id=settings.worker_id,
                    max_bytes=settings.max_article_bytes,
                )
                if isinstance(result, DeadLetter):
                    await publisher.dead(result, trace_id)
                else:
                    metrics.record_out("prepare", "cleaned", time.perf_counter() - started)
                    await publisher.send(publisher.topics.cleaned, result.raw.id, result, trace_id)
            yield None

    return agent


def dedup_agent(settings: Settings, publisher: Publisher, table: Any) -> Any:
    """Cleaned article -> first copy on to tagging, later copies as duplicate notices."""
    metrics = publisher.metrics

    async def agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        index = new_index(table, settings.dedup_threshold, settings.dedup_window_days)
        last_sweep = time.monotonic()
        async for event in stream.events():
            metrics.record_in("dedup")
            with bound_contextvars(**event_context(event, trace_id=trace_id_of(event.headers))):
                await _judge_one(event, index, publisher)
            if time.monotonic() - last_sweep > SWEEP_INTERVAL_S:
                # Tables can only be changed from inside a stream, so expiry runs here.
                index.sweep(int(utcnow().timestamp()))
                last_sweep = time.monotonic()
            yield None

    return agent


async def _judge_one(event: faust.EventT[bytes], index: Any, publisher: Publisher) -> None:
    try:
        article = CleanedArticle.model_validate_json(event.value)
        started, now = time.perf_counter(), utcnow()
        verdict = judge(index, article, now)
        elapsed = time.perf_counter() - started
    except Exception as exc:
        await publisher.failed("dedup", exc, event)
        return
    if verdict.duplicate:
        notice = duplicate_notice(article, verdict, now)
        publisher.metrics.record_out("dedup", "duplicate", elapsed)
        log.info(
            "article.duplicate",
            original_id=notice.original_id,
            method=notice.method,
            score=notice.score,
        )
        await publisher.send(publisher.topics.duplicates, article.raw.id, notice, article.trace_id)
    else:
        publisher.metrics.record_out("dedup", "unique", elapsed)
        unique = UniqueArticle(article=article, stages_ms={"dedup": round(elapsed * 1000, 3)})
        await publisher.send(publisher.topics.unique, article.raw.id, unique, article.trace_id)


def enrich_agent(settings: Settings, publisher: Publisher, tagging: TaggingService) -> Any:
    """Unique articles, in batches -> tagged, enriched events (and copies on route topics)."""

    async def agent(stream: faust.StreamT[bytes]) -> AsyncIterator[None]:
        await tagging.wait_ready()
        # StreamT does not declare take_events; the concrete Stream has it.
        batches = cast(Any, stream).take_events(
            settings.ner_batch_size, within=settings.ner_batch_window_s
        )
        async for events in batches:
            batch: list[tuple[faust.EventT[bytes], UniqueArticle]] = []
            for event in events:
                publisher.metrics.record_in("enrich")
                try:
                    batch.append((event, UniqueArticle.model_validate_json(event.value)))
                except Exception as exc:
                    with bound_contextvars(**event_context(event)):
                        await publisher.failed("tag", exc, event)
            if batch:
                await _tag_and_publish(batch, settings, publisher, tagging)
            yield None

    return agent


async def _tag_and_publish(
    batch: list[tuple[faust.EventT[bytes], UniqueArticle]],
    settings: Settings,
    publisher: Publisher,
    tagging: TaggingService,
) -> None:
    metrics = publisher.metrics
    started = time.perf_counter()
    results = await tagging.tag_many([item.article.text for _, item in batch])
    took = time.perf_counter() - started
    metrics.record_batch(len(batch), took)
    per_article = round(took * 1000 / len(batch), 3)
    now = utcnow()
    for (event, item), tags in zip(batch, results, strict=True):
        article = item.article
        with bound_contextvars(**event_context(event, trace_id=article.trace_id)):
            if isinstance(tags, BaseException):
                await publisher.failed(
                    "tag", tags, event, article_id=article.raw.id, trace_id=article.trace_id
                )
                continue
            enriched = enriched_event(
                article,
                tags,
                worker_id=settings.worker_id,
                now=now,
                stages_ms={**item.stages_ms, "tag": per_article},
            )
            routed = [(r, topic) for r, topic in publisher.topics.routes if r.matches(enriched)]
            await publisher.send_all(
                [publisher.topics.enriched, *(topic for _, topic in routed)],
                enriched.id,
                enriched,
                article.trace_id,
            )
            for _ in routed:
                metrics.record_out("enrich", "routed")
            metrics.record_out("enrich", "enriched", took / len(batch))
            metrics.record_delivered(article.raw.fetched_at, utcnow())
            log.info(
                "article.enriched",
                countries=[c.code for c in enriched.countries],
                primary_country=enriched.primary_country,
                entities=len(enriched.entities),
                routes=[route.topic for route, _ in routed],
            )
