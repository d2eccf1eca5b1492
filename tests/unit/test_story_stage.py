"""The worker's story stage over a runner store, without a broker: what it emits, and that
its clusterer never keeps the effect of changes the runner undid."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from newswire.config import Settings
from newswire.models import DeadLetter, DuplicateNotice, EnrichedArticle, StoryUpdate
from newswire.models.events import ProcessingInfo, StoryInfo
from newswire.observability.metrics import PipelineMetrics
from newswire.pipeline.errors import SourceRecord
from newswire.runner.stage import Emit, Item, Result, Stage
from newswire.runner.store import PartitionStore
from newswire.stories import StoryClusterer
from newswire.stories.article import PUBLISHED_AHEAD_LIMIT, event_time
from newswire.wire import encode
from newswire.worker import stages
from newswire.worker.stages import decode_tagged, story_stage

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SETTINGS = Settings(_env_file=None, topic_prefix="", app_id="newswire")  # type: ignore[call-arg]


def _event(article_id: str, text: str) -> EnrichedArticle:
    return EnrichedArticle(
        id=article_id,
        url=f"https://example.com/{article_id}",
        source=f"outlet-{article_id}",
        title=None,
        text=text,
        language="en",
        published_at=NOW,
        fetched_at=NOW,
        scraper_id="t",
        story=StoryInfo(
            story_id=article_id, content_hash=article_id, canonical_url="https://example.com"
        ),
        processing=ProcessingInfo(
            worker_id="w", newswire_version="0", received_at=NOW, processed_at=NOW
        ),
    )


def _notice(copy_id: str, original_id: str) -> DuplicateNotice:
    return DuplicateNotice(
        id=copy_id,
        url=f"https://copies.example/{copy_id}",
        source="copies",
        original_id=original_id,
        method="content_hash",
        score=1.0,
        detected_at=NOW,
    )


def _seed(prefix: str) -> str:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text()


def _run(
    values: list[EnrichedArticle | DuplicateNotice],
    store: PartitionStore,
    stage: Stage[EnrichedArticle | DuplicateNotice] | None = None,
) -> list[Result]:
    stage = stage or story_stage(SETTINGS, PipelineMetrics())
    items = [
        Item(SourceRecord("news.internal.tagged", 0, offset, None), b"", value, "0" * 31 + "1")
        for offset, value in enumerate(values)
    ]
    store.begin_batch()
    results = list(asyncio.run(stage.handle(items, store)))
    store.end_batch(keep=True)
    return results


def _commit(stage: Stage[EnrichedArticle | DuplicateNotice], results: list[Result]) -> None:
    """What the runner does once the results' transaction has committed."""
    assert stage.committed is not None
    for result in results:
        stage.committed(_emits(result))


def _emits(result: Result) -> list[Emit]:
    assert not isinstance(result, DeadLetter)
    return list(result)


def test_the_story_input_tells_copy_notices_from_tagged_articles() -> None:
    notice = _notice("copy", "original")
    assert decode_tagged(encode(notice)) == notice
    tricky = _event("a1", 'He wrote {"original_id": "x"} on the wall.')
    assert decode_tagged(encode(tricky)) == tricky
    assert b'"original_id":' not in encode(tricky)
    assert orjson.loads(encode(tricky))["text"].count("original_id") == 1


def test_a_second_report_joins_the_first_and_its_copy_counts_in_the_story() -> None:
    store = PartitionStore()
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    [placed_first, placed_second, copied] = _run(
        [first, second, _notice("tehran-copy", "tehran-1")], store
    )
    topics = [[e.topic for e in _emits(r)] for r in (placed_first, placed_second, copied)]
    assert topics == [
        ["news.articles.enriched", "news.stories"],
        ["news.articles.enriched", "news.stories"],
        ["news.stories"],
    ]
    enriched = _emits(placed_second)[0].model
    assert isinstance(enriched, EnrichedArticle)
    assert enriched.story.story_id == "tehran-1" and enriched.story.similarity is not None
    assert "story" in enriched.processing.stages_ms
    update = _emits(copied)[0].model
    assert isinstance(update, StoryUpdate)
    assert (update.story_id, update.article_count, update.copies) == ("tehran-1", 3, 1)


def test_changes_the_runner_undid_are_forgotten_by_the_clusterer_too() -> None:
    store, stage = PartitionStore(), story_stage(SETTINGS, PipelineMetrics())
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    _run([first], store, stage)
    store.commit()
    _run([second], store, stage)
    store.abort()  # the transaction that placed `second` did not commit
    [again] = _run([second], store, stage)
    update = _emits(again)[1].model
    assert isinstance(update, StoryUpdate)
    # Joined once, not twice: the story has two articles at its second update.
    assert (update.article_count, update.update, update.members) == (
        2,
        2,
        ["tehran-1", "tehran-2"],
    )


def test_a_story_size_route_copies_the_report_that_grows_the_story(tmp_path: Path) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  - topic: news.stories.grown\n    min_story_articles: 2\n")
    settings = SETTINGS.model_copy(update={"routes_file": routes})
    stage = story_stage(settings, PipelineMetrics())
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    [placed_first, placed_second] = _run([first, second], PartitionStore(), stage)
    assert "news.stories.grown" not in [e.topic for e in _emits(placed_first)]
    assert [e.topic for e in _emits(placed_second)] == [
        "news.articles.enriched",
        "news.stories.grown",
        "news.stories",
    ]


def test_an_article_whose_metadata_has_an_original_id_key_is_read_as_an_article() -> None:
    article = _event("a1", "text").model_copy(update={"metadata": {"original_id": "x"}})
    assert decode_tagged(encode(article)) == article


def test_a_publication_date_far_ahead_of_the_fetch_does_not_move_story_time() -> None:
    ahead = NOW.replace(year=2099)
    assert event_time(ahead, NOW) == NOW + PUBLISHED_AHEAD_LIMIT
    assert event_time(NOW, NOW) == NOW and event_time(None, NOW) == NOW


def _story_events(metrics: PipelineMetrics, event: str) -> float:
    value = metrics.registry.get_sample_value("newswire_story_events_total", {"event": event})
    return value or 0.0


def test_a_batch_the_runner_retries_counts_each_placement_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_assign = stages.assign_story

    def assign_or_fail(clusterer: StoryClusterer, event: EnrichedArticle) -> Any:
        if event.id == "broken":
            raise ValueError("cannot place this one")
        return real_assign(clusterer, event)

    monkeypatch.setattr(stages, "assign_story", assign_or_fail)
    store, metrics = PartitionStore(), PipelineMetrics()
    stage = story_stage(SETTINGS, metrics)
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    broken = _event("broken", _seed("000"))
    # As the runner does: the batch raises, is undone, and its items are retried alone.
    with pytest.raises(ValueError, match="cannot place"):
        _run([first, second, broken], store, stage)
    store.end_batch(keep=False)
    _commit(stage, _run([first], store, stage))
    _commit(stage, _run([second], store, stage))
    with pytest.raises(ValueError, match="cannot place"):
        _run([broken], store, stage)
    store.end_batch(keep=False)
    assert (_story_events(metrics, "started"), _story_events(metrics, "joined")) == (1.0, 1.0)
    assert metrics.registry.get_sample_value("newswire_open_stories") == 1.0


def test_a_placed_batch_whose_transaction_aborts_is_not_counted() -> None:
    store, metrics = PartitionStore(), PipelineMetrics()
    stage = story_stage(SETTINGS, metrics)
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    _run([first, second], store, stage)  # handled, then the commit failed: never reported
    assert (_story_events(metrics, "started"), _story_events(metrics, "joined")) == (0.0, 0.0)
    _commit(stage, _run([first, second], PartitionStore(), stage))  # read again, committed
    assert (_story_events(metrics, "started"), _story_events(metrics, "joined")) == (1.0, 1.0)


def test_a_revised_article_is_counted_as_revised_not_as_joined_or_started() -> None:
    store, metrics = PartitionStore(), PipelineMetrics()
    stage = story_stage(SETTINGS, metrics)
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    _commit(stage, _run([first, second], store, stage))
    # Both again: revisions of a member and of a starter.
    _commit(stage, _run([second, first], store, stage))
    counts = {e: _story_events(metrics, e) for e in ("started", "joined", "revised")}
    assert counts == {"started": 1.0, "joined": 1.0, "revised": 2.0}


def test_the_clusterer_follows_entries_the_runner_restores_into_its_store() -> None:
    store, stage = PartitionStore(), story_stage(SETTINGS, PipelineMetrics())
    first, second = _event("tehran-1", _seed("002")), _event("tehran-2", _seed("004"))
    _run([first], store, stage)
    store.commit()
    [key] = list(store)
    # The changelog says the story is gone (a tombstone read on restore, as after another
    # worker closed it): the stage must not keep placing into its in-memory copy.
    store.restore(key, None, offset=7)
    [alone] = _run([second], store, stage)
    enriched = _emits(alone)[0].model
    assert isinstance(enriched, EnrichedArticle)
    assert (enriched.story.story_id, enriched.story.similarity) == ("tehran-2", None)
    # A store replaced by a fresh one restored from the changelog is followed as well.
    fresh = PartitionStore()
    for offset, entry in enumerate(list(store.items())):
        fresh.restore(*entry, offset=offset)
    [joined] = _run([_event("tehran-3", _seed("004"))], fresh, stage)
    placed = _emits(joined)[0].model
    assert isinstance(placed, EnrichedArticle) and placed.story.story_id == "tehran-2"
