"""Stories through a real broker: the seeds (in file order) and one copy in, each enriched
event carries its story, the copy counts in its original's story, and `news.stories` holds
the updates."""

from __future__ import annotations

import asyncio
import subprocess
from contextlib import aclosing
from pathlib import Path

import orjson
import pytest

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.ingest.files import articles_from_path
from newswire.models import DuplicateNotice, EnrichedArticle, RawArticle, StoryUpdate
from newswire.subscribe.reader import Received, follow, read_until
from newswire.topics import DUPLICATES, ENRICHED, STORIES, topic_name
from tests.support.schemas import validator
from tests.support.tools import require_tool
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

TEHRAN, TEHRAN_AGAIN = "002", "004"  # two outlets on the Mamlouk-Shamkhani meeting


async def _produce(settings: Settings, articles: list[RawArticle]) -> list[str]:
    async with AsyncClient(settings, component="test") as client:
        return await client.publish_many(articles)


def _latest(updates: list[StoryUpdate]) -> dict[str, StoryUpdate]:
    latest: dict[str, StoryUpdate] = {}
    for update in updates:
        if update.story_id not in latest or update.update > latest[update.story_id].update:
            latest[update.story_id] = update
    return latest


async def _in_file_order(settings: Settings, seeds: list[RawArticle]) -> list[Received]:
    """Publish the seeds one at a time, each once the one before came out enriched, so the
    story stage sees them in file order as `newswire eval stories` does (online clustering
    depends on arrival order; through several partitions any order is possible)."""
    enriched: list[Received] = []
    for count, seed in enumerate(seeds, start=1):
        await _produce(settings, [seed])
        topic = topic_name(settings, ENRICHED)
        enriched = await read_until(settings.kafka_bootstrap, topic, count, timeout_s=120)
        assert len(enriched) == count, f"seed {seed.id} did not come out enriched"
    return enriched


async def _stories_once_complete(
    settings: Settings, story_ids: set[str], tehran_id: str
) -> list[StoryUpdate]:
    """Every story update so far, read until each story has one and the Tehran story holds
    both reports and the copy (the copy notice may reach the story stage before or after
    the second report; updates of different stories may come in any order)."""
    updates: list[StoryUpdate] = []
    topic = topic_name(settings, STORIES)
    async with aclosing(follow(settings.kafka_bootstrap, topic, timeout_s=120)) as messages:
        async for message in messages:
            updates.append(StoryUpdate.model_validate_json(message.value))
            latest = _latest(updates)
            if set(latest) == story_ids and latest[tehran_id].article_count == 3:
                return updates
    raise AssertionError(f"the story updates never completed: {updates}")


def test_seeds_join_stories_and_story_updates_are_published(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    seeds = [a for p in seed_paths for a in articles_from_path(p, source="seed")]
    by_stem = {a.id.split("_", 1)[0]: a for a in seeds}
    original = by_stem[TEHRAN]
    copy = original.model_copy(
        update={"id": "tehran-copy", "url": "https://copies.example/tehran", "source": "copies"}
    )
    with running_worker(topics, tmp_path / "worker.log"):
        enriched_messages = asyncio.run(_in_file_order(topics, seeds))
        asyncio.run(_produce(topics, [copy]))
        duplicate_messages = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, DUPLICATES), 1, timeout_s=60)
        )
        placed = [EnrichedArticle.model_validate_json(m.value) for m in enriched_messages]
        story_ids = {e.story.story_id for e in placed}
        updates = asyncio.run(_stories_once_complete(topics, story_ids, original.id))
        kcat = require_tool("kcat")
        consumed = subprocess.run(
            [
                kcat,
                "-C",
                "-b",
                topics.kafka_bootstrap,
                "-t",
                topic_name(topics, STORIES),
                "-o",
                "beginning",
                "-c",
                "1",
                "-X",
                "isolation.level=read_committed",
                "-f",
                "%k\t%s\n",
            ],
            capture_output=True,
            check=True,
            timeout=60,
        )

    events = {
        e.id.split("_", 1)[0]: e
        for e in (EnrichedArticle.model_validate_json(m.value) for m in enriched_messages)
    }
    assert sorted(events) == ["000", "001", "002", "003", "004"]
    tehran, tehran_again = events[TEHRAN], events[TEHRAN_AGAIN]
    assert tehran.story.story_id == tehran_again.story.story_id
    # 004, second, joined the story of 002 with its similarity.
    assert tehran.story.story_id == tehran.id and tehran.story.similarity is None
    assert tehran_again.story.similarity is not None
    for stem in ("000", "001", "003"):
        assert events[stem].story.story_id == events[stem].id
        assert events[stem].story.similarity is None
    assert len({e.story.story_id for e in events.values()}) == 4

    [notice] = [DuplicateNotice.model_validate_json(m.value) for m in duplicate_messages]
    assert (notice.id, notice.original_id) == ("tehran-copy", original.id)

    stories = _latest(updates)
    assert set(stories) == {e.story.story_id for e in events.values()}
    story = stories[tehran.story.story_id]
    assert story.article_count == 3 and story.copies == 1
    assert {tehran.id, tehran_again.id, "tehran-copy"} <= set(story.members)
    assert {s.name for s in story.sources} == {"seed", "copies"}
    assert {"SY", "IR"} <= set(story.countries)
    for stem in ("000", "001", "003"):
        alone = stories[events[stem].id]
        assert alone.article_count == 1 and alone.members == [events[stem].id]

    # A third-party client reads the compacted topic as plain JSON keyed by story id.
    key, _, value = consumed.stdout.rstrip(b"\n").partition(b"\t")
    validator("StoryUpdate").validate(orjson.loads(value))
    assert StoryUpdate.model_validate_json(value).story_id == key.decode()
