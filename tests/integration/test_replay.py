"""Dead letters go back after a fix: an article refused by a too-small size limit is
replayed once the limit is raised, comes out enriched, and is not replayed twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from newswire.client import Client
from newswire.config import Settings
from newswire.ingest.files import article_from_text
from newswire.ingest.replay import replay_dead_letters
from newswire.models import DeadLetter
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, ENRICHED, topic_name
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_replay_resubmits_dead_letters_after_a_fix(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    article = article_from_text(seed_paths[2].name, seed_paths[2].read_text(), source="seed")
    strict = topics.model_copy(update={"max_article_bytes": 1024})
    with running_worker(strict, tmp_path / "strict.log"):
        with Client(topics) as client:
            client.publish(article)
        [message] = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, DEADLETTER), 1, timeout_s=60)
        )
    letter = DeadLetter.model_validate_json(message.value)
    assert "exceeds" in letter.error

    with running_worker(topics, tmp_path / "fixed.log"):
        dry = asyncio.run(replay_dead_letters(topics, dry_run=True, idle_timeout_s=2))
        assert dry.total_replayed == 1
        report = asyncio.run(replay_dead_letters(topics, idle_timeout_s=2))
        assert report.total_replayed == 1  # the dry run changed nothing
        enriched = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, ENRICHED), 1, timeout_s=60)
        )
    assert [m.key for m in enriched] == [article.id.encode()]
    again = asyncio.run(replay_dead_letters(topics, idle_timeout_s=2))
    assert again.total_replayed == 0 and again.read == 0
    other_stage = asyncio.run(
        replay_dead_letters(topics, from_start=True, stages=frozenset({"tag"}), idle_timeout_s=2)
    )
    assert other_stage.total_replayed == 0
    assert other_stage.skipped[f"stage {letter.stage}"] == 1
