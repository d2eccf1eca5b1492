"""The worker's four stages, declared for the stage runner (`newswire.runner`).

Each declaration names its input topic, how its records decode and what it makes of a
batch; the runner does the rest (transactions, delivery, dead letters, metrics, logs).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence

from pydantic import ValidationError

from newswire.config import Settings
from newswire.models import DeadLetter, DuplicateNotice, EnrichedArticle, StoryUpdate
from newswire.models.events import utcnow
from newswire.models.internal import CleanedArticle, UniqueArticle
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.dedup_stage import duplicate_notice, judge, new_index
from newswire.pipeline.enrich import enriched_event
from newswire.pipeline.errors import dead_letter
from newswire.pipeline.prepare import prepare
from newswire.routing import Route, load_routes
from newswire.runner.stage import Emit, Item, Result, Stage, State
from newswire.runner.store import PartitionStore
from newswire.stories import StoryClusterer, assign_story, count_copy
from newswire.stories.params import StoryParams, params_from_settings
from newswire.tagging.service import TaggingService, TagResult, reading_language
from newswire.topics import (
    CLEANED,
    DUPLICATES,
    ENRICHED,
    RAW,
    STORIES,
    TAGGED,
    UNIQUE,
    topic_name,
)
from newswire.wire import decode

SWEEP_INTERVAL_S = 600.0
# prepare and dedup spend about 1 ms on an article and 15-30 ms committing its transaction.
# Taking only what is waiting, at moderate rates they commit about one article per
# transaction, and the transactions' CPU (worker and broker) crowds the enrich hop's NER.
# Lingering after a batch's first record, prepare and dedup alike, cut the p99 at 70
# articles/s on two cores from 654-982 ms (four runs) to 423-630 (30 ms, four runs) and
# 381-434 (50 ms, two runs); dedup's own linger is shorter since (below). The runner
# lingers only under load, where that pays (docs/performance.md, "Light hops linger",
# "Linger only under load").
PREPARE_LINGER_MS = 50.0
# Dedup's input comes in bursts: each prepare batch commits one transaction per raw
# partition, all within a few milliseconds, and under load the next batch follows
# 50-80 ms later. A 10 ms linger gathers one burst into one dedup transaction; lingering
# 50 ms as prepare does committed no fewer (0.18-0.20 transactions an article at 70/s)
# and only added 40 ms to the hop (docs/performance.md, "Dedup gathers one burst").
DEDUP_LINGER_MS = 10.0


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
        linger_ms=PREPARE_LINGER_MS,
    )


def dedup_stage(settings: Settings) -> Stage[CleanedArticle]:
    """Cleaned article -> new (first copies and changed resubmissions) on to tagging, later
    copies as duplicate notices (published, and passed to the story stage so the copy
    counts in its original's story). The index lives in the stage's state, so its changes
    commit with the outputs they caused."""
    unique_topic = topic_name(settings, UNIQUE)
    duplicates_topic = topic_name(settings, DUPLICATES)
    tagged_topic = topic_name(settings, TAGGED)
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
                        ),
                        Emit(tagged_topic, article.raw.id, notice, "copy_for_story"),
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
        linger_ms=DEDUP_LINGER_MS,
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
    """New articles, in batches -> tagged, enriched events on to the story stage (which
    publishes them); an article tagging fails for becomes a dead letter at stage 'tag'."""
    tagged_topic = topic_name(settings, TAGGED)

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
            results.append([Emit(tagged_topic, enriched.id, enriched, "tagged")])
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


def decode_tagged(data: bytes) -> EnrichedArticle | DuplicateNotice:
    """A record of the story stage's input: a tagged article or a dedup copy notice.

    Told apart by the notice's `original_id` key: JSON escapes every quote inside a string,
    so that key with its quotes and colon cannot occur in an enriched event's text; it can
    be a key of the article's metadata, so a record that is no valid notice is read as an
    article."""
    if b'"original_id":' in data:
        with contextlib.suppress(ValidationError):
            return decode(DuplicateNotice, data)
    return decode(EnrichedArticle, data)


class _Clusterers:
    """One `StoryClusterer` per partition store, rebuilt from the store (`recover`) when
    the store's epoch says entries were undone or restored since it was built."""

    def __init__(self, params: StoryParams) -> None:
        self.params = params
        self._built: dict[int, tuple[State, int, StoryClusterer]] = {}

    def for_store(self, state: State) -> StoryClusterer:
        """The clusterer over `state`, up to date with it."""
        epoch = state.epoch if isinstance(state, PartitionStore) else 0
        built = self._built.get(id(state))
        if built is not None and built[0] is state and built[1] == epoch:
            return built[2]
        clusterer = StoryClusterer(state, self.params)
        self._built[id(state)] = (state, epoch, clusterer)
        return clusterer

    def drop(self, state: State) -> None:
        """Forget the clusterer over `state` (its in-memory view may be ahead of it)."""
        self._built.pop(id(state), None)


def story_stage(
    settings: Settings, metrics: PipelineMetrics
) -> Stage[EnrichedArticle | DuplicateNotice]:
    """Tagged articles -> placed in a story and published (enriched event with its `story`,
    copies on route topics, story updates on `news.stories`); copy notices -> the update of
    their original's story. Story state lives in the stage's store, so the enriched event,
    the updates and the state changes commit in one transaction."""
    enriched_topic = topic_name(settings, ENRICHED)
    stories_topic = topic_name(settings, STORIES)
    routes: list[tuple[Route, str]] = [
        (route, topic_name(settings, route.topic)) for route in load_routes(settings.routes_file)
    ]
    clusterers = _Clusterers(params_from_settings(settings))

    def place(clusterer: StoryClusterer, event: EnrichedArticle) -> list[Emit]:
        started = time.perf_counter()
        enriched, placement = assign_story(clusterer, event)
        updates = placement.updates
        took = {**enriched.processing.stages_ms, "story": _ms(time.perf_counter() - started)}
        processing = enriched.processing.model_copy(update={"stages_ms": took})
        enriched = enriched.model_copy(update={"processing": processing})
        story_articles = next(
            (u.article_count for u in updates if u.story_id == enriched.story.story_id), 1
        )
        routed = [
            (route, topic) for route, topic in routes if route.matches(enriched, story_articles)
        ]
        log = {
            "countries": [c.code for c in enriched.countries],
            "primary_country": enriched.primary_country,
            "entities": len(enriched.entities),
            "routes": [route.topic for route, _ in routed],
            "revision": enriched.revision,
            "story_id": enriched.story.story_id,
            "similarity": enriched.story.similarity,
            "placed": placement.outcome,  # joined, started, revised: counted once committed
        }
        return [
            Emit(
                enriched_topic,
                enriched.id,
                enriched,
                "enriched",
                log=log,
                fetched_at=enriched.fetched_at,
            ),
            *(Emit(topic, enriched.id, enriched, "routed") for _, topic in routed),
            *(Emit(stories_topic, update.story_id, update, "story") for update in updates),
        ]

    async def handle(
        items: Sequence[Item[EnrichedArticle | DuplicateNotice]], state: State | None
    ) -> list[Result]:
        assert state is not None  # noqa: S101 - a stateful stage always gets its store
        clusterer = clusterers.for_store(state)
        results: list[Result] = []
        try:
            for item in items:
                if isinstance(item.value, DuplicateNotice):
                    update = count_copy(clusterer, item.value)
                    emits = (
                        []
                        if update is None
                        else [Emit(stories_topic, update.story_id, update, "story")]
                    )
                    results.append(emits)
                else:
                    results.append(place(clusterer, item.value))
        except BaseException:
            # The runner undoes the batch's store changes and retries its items one at a
            # time; the clusterer's view is rebuilt and nothing of the batch was counted.
            clusterers.drop(state)
            raise
        metrics.record_open_stories(clusterer.open_stories)
        return results

    def committed(emits: Sequence[Emit]) -> None:
        # Counted from what committed: a batch that raised, or whose transaction aborted,
        # is placed again, and must not count its joins twice.
        placed = [e.log["placed"] for e in emits if e.outcome == "enriched" and e.log]
        if placed:  # an article's emits; a copy notice's are only its story's update
            closed = sum(
                isinstance(e.model, StoryUpdate) and e.model.status == "closed" for e in emits
            )
            metrics.record_story(placed=str(placed[0]), closed=closed)

    return Stage(
        name="story",
        input_topic=TAGGED,
        decode=decode_tagged,
        handle=handle,
        fail_stage="story",
        batch_size=64,
        stateful=True,
        optional_topics=frozenset(topic for _, topic in routes),
        committed=committed,
    )
