"""The whole pipeline through a real broker: seeds in, enriched events out."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.ingest.files import articles_from_path
from newswire.models import EnrichedArticle
from newswire.subscribe.reader import read_until
from newswire.topics import ENRICHED, topic_name
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


async def _produce(settings: Settings, paths: list[Path]) -> list[str]:
    async with AsyncClient(settings, component="test") as client:
        return await client.publish_many(
            [a for p in paths for a in articles_from_path(p, source="seed")]
        )


def test_seeds_come_out_enriched_in_order_per_key(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    with running_worker(topics, tmp_path / "worker.log"):
        ids = asyncio.run(_produce(topics, seed_paths))
        messages = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, ENRICHED), 5, timeout_s=90)
        )
    events = [EnrichedArticle.model_validate_json(m.value) for m in messages]
    assert sorted(e.id for e in events) == sorted(ids)
    assert [m.key for m in messages] == [e.id.encode() for e in events]
    for event in events:
        assert event.text and "Logo Wide" not in event.text
        assert event.processing.worker_id == topics.worker_id
        # An article that started its story names it (002 and 004 share one: test_stories_e2e).
        assert (event.story.story_id == event.id) == (event.story.similarity is None)
        assert event.language == "en"
    # A seed's id is its file name's stem and a digest of its text.
    by_stem = {e.id.rsplit("-", 1)[0]: e for e in events}
    tehran = by_stem["002_290331923c40688a"]  # the Syrian-Iranian meeting in Tehran
    assert {"SY", "IR"} <= {c.code for c in tehran.countries}
    assert tehran.primary_country == "SY"
    people = {e.name for e in tehran.entities if e.kind == "person"}
    assert {"Ali Mamlouk", "Ali Shamkhani"} <= people
    for country in tehran.countries:
        for evidence in country.evidence:
            assert tehran.text[evidence.start : evidence.end] == evidence.surface
