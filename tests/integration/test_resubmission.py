"""A resubmitted id: unchanged, it is a duplicate notice pointing at itself; changed, it is
published again under the same id with the next revision."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.ingest.files import article_from_text
from newswire.models import DuplicateNotice, EnrichedArticle, RawArticle
from newswire.subscribe.reader import read_until
from newswire.topics import DUPLICATES, ENRICHED, topic_name
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _publish(settings: Settings, article: RawArticle) -> None:
    async def run() -> None:
        async with AsyncClient(settings, component="test") as client:
            await client.publish(article)

    asyncio.run(run())


def test_resubmissions_become_a_notice_or_the_next_revision(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    first = article_from_text("story.txt", seed_paths[0].read_text(), source="seed")
    changed = first.model_copy(update={"body": seed_paths[1].read_text()})
    enriched_topic, notices_topic = topic_name(topics, ENRICHED), topic_name(topics, DUPLICATES)
    bootstrap = topics.kafka_bootstrap
    with running_worker(topics, tmp_path / "worker.log"):
        _publish(topics, first)
        asyncio.run(read_until(bootstrap, enriched_topic, 1, timeout_s=90))
        _publish(topics, first)  # a client retry, say
        [notice] = asyncio.run(read_until(bootstrap, notices_topic, 1, timeout_s=90))
        _publish(topics, changed)
        events = asyncio.run(read_until(bootstrap, enriched_topic, 2, timeout_s=90))
    again = DuplicateNotice.model_validate_json(notice.value)
    assert again.id == again.original_id == first.id and again.score == 1.0
    revisions = [EnrichedArticle.model_validate_json(m.value) for m in events]
    assert [(e.id, e.revision) for e in revisions] == [(first.id, 1), (first.id, 2)]
    assert revisions[1].text != revisions[0].text
