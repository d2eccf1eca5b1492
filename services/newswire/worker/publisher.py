"""Publishes newswire events from agents: orjson codec, CloudEvents headers, dead letters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faust
import structlog
from pydantic import BaseModel

from newswire.config import Settings
from newswire.models import DeadLetter
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.errors import SourceRecord, dead_letter
from newswire.routing import Route, load_routes
from newswire.topics import CLEANED, DEADLETTER, DUPLICATES, ENRICHED, RAW, UNIQUE, topic_name
from newswire.wire import cloudevent_headers, source_name

log = structlog.get_logger("newswire.worker")

# The agent (metrics label) that reports each dead-letter stage.
AGENT_OF_STAGE = {
    "ingest": "prepare",
    "decode": "prepare",
    "validate": "prepare",
    "clean": "prepare",
    "dedup": "dedup",
    "tag": "enrich",
    "publish": "enrich",
}


def source_of(event: faust.EventT[bytes]) -> SourceRecord:
    """Where `event` was read from, for its dead letter."""
    message = event.message
    return SourceRecord(message.topic, message.partition, message.offset, message.key)


@dataclass(frozen=True, slots=True)
class Topics:
    """The faust topics the agents read and write."""

    raw: faust.TopicT
    cleaned: faust.TopicT
    unique: faust.TopicT
    enriched: faust.TopicT
    duplicates: faust.TopicT
    deadletter: faust.TopicT
    routes: tuple[tuple[Route, faust.TopicT], ...] = ()

    @classmethod
    def declare(cls, app: faust.App, settings: Settings) -> Topics:
        """Declare every topic on `app` under the configured prefix."""

        def topic(name: str, partitions: int | None = None) -> faust.TopicT:
            # Values are read as raw bytes so that decoding errors are ours to route to the
            # dead-letter topic; they are written with the orjson codec (see Publisher).
            return app.topic(
                topic_name(settings, name),
                key_type=bytes,
                value_type=bytes,
                key_serializer="raw",
                value_serializer="raw",
                partitions=partitions,
            )

        return cls(
            raw=topic(RAW),
            cleaned=topic(CLEANED, 1),
            unique=topic(UNIQUE),
            enriched=topic(ENRICHED),
            duplicates=topic(DUPLICATES),
            deadletter=topic(DEADLETTER),
            routes=tuple(
                (route, topic(route.topic, route.partitions))
                for route in load_routes(settings.routes_file)
            ),
        )


class Publisher:
    """Sends events with their headers; turns failures into dead letters."""

    def __init__(self, topics: Topics, settings: Settings, metrics: PipelineMetrics) -> None:
        self.topics = topics
        self.metrics = metrics
        self.worker_id = settings.worker_id
        self._source = source_name(settings.worker_id)

    async def send(
        self, target: faust.TopicT, key: str, model: BaseModel, trace_id: str | None
    ) -> None:
        """Publish `model` on `target` keyed by `key`, with CloudEvents headers."""
        await self.send_all([target], key, model, trace_id)

    async def send_all(
        self,
        targets: Sequence[faust.TopicT],
        key: str,
        model: BaseModel,
        trace_id: str | None,
    ) -> None:
        """Publish `model` on every topic of `targets` (the enriched topic and its routes),
        dumped once and with the same headers."""
        value: Any = model.model_dump(mode="json")
        headers = cloudevent_headers(
            model, event_id=f"{key}:{type(model).__name__}", source=self._source, trace_id=trace_id
        )
        for target in targets:
            await target.send(
                key=key.encode(), value=value, value_serializer="orjson", headers=headers
            )

    async def dead(self, letter: DeadLetter, trace_id: str | None = None) -> None:
        """Publish a dead letter, keyed by the article id when known, and log why."""
        key = (
            letter.article_id or (letter.original_key or b"").decode(errors="replace") or "unknown"
        )
        self.metrics.record_out(AGENT_OF_STAGE.get(letter.stage, letter.stage), "dead_letter")
        log.warning(
            "article.dead_lettered",
            stage=letter.stage,
            reason=letter.error,
            error_type=letter.error_type,
            dead_letter_key=key,
        )
        await self.send(self.topics.deadletter, key, letter, trace_id)

    async def failed(
        self,
        stage: str,
        exc: BaseException,
        event: faust.EventT[bytes],
        *,
        article_id: str | None = None,
        trace_id: str | None = None,
    ) -> None:
        """Publish the dead letter for `event`, which failed at `stage` with `exc`."""
        letter = dead_letter(
            stage,
            exc,
            event.value or b"",
            source=source_of(event),
            worker_id=self.worker_id,
            article_id=article_id,
        )
        await self.dead(letter, trace_id)
