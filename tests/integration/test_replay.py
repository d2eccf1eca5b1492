"""Dead letters go back after a fix: an article refused by a too-small size limit is
replayed once the limit is raised, comes out enriched, and is not replayed twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newswire.client import Client
from newswire.config import Settings
from newswire.ingest.files import article_from_text
from newswire.ingest.replay import ReplayReport, replay_dead_letters
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, ENRICHED, RAW, topic_name
from newswire.wire import encode
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
    assert other_stage.left[letter.stage] == 1


def letter(settings: Settings, stage: str, n: int) -> DeadLetter:
    raw = {"url": f"https://example.com/{stage}/{n}", "source": "t", "body": "Text."}
    return DeadLetter(
        stage=stage,  # type: ignore[arg-type]
        error="test",
        error_type="Test",
        original=orjson.dumps(raw),
        original_topic=topic_name(settings, RAW),
        article_id=f"{stage}-{n}",
        failed_at=utcnow(),
        worker_id="test",
    )


def test_replaying_one_stage_leaves_the_others_letters_for_later(topics: Settings) -> None:
    stages = ["decode", "clean", "tag", "validate", "decode", "clean"]

    async def write_letters() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=topics.kafka_bootstrap)
        await producer.start()
        try:
            for n, stage in enumerate(stages):
                await producer.send_and_wait(
                    topic_name(topics, DEADLETTER), encode(letter(topics, stage, n))
                )
        finally:
            await producer.stop()

    asyncio.run(write_letters())

    def replay(*only: str) -> ReplayReport:
        return asyncio.run(replay_dead_letters(topics, stages=frozenset(only), idle_timeout_s=2))

    decode = replay("decode")
    assert decode.total_replayed == 2 and decode.read == 2
    assert decode.left == {"clean": 2, "tag": 1, "validate": 1}
    assert replay("validate").total_replayed == 1  # not used up by the decode replay
    assert replay("decode").total_replayed == 0  # nothing twice
    rest = replay()
    assert rest.total_replayed == 3 and not rest.left  # clean twice, tag once
    assert replay().total_replayed == 0
    with pytest.raises(ValueError, match="unknown stage nonsense: choose from ingest, decode"):
        replay("nonsense")
    raw = asyncio.run(read_until(topics.kafka_bootstrap, topic_name(topics, RAW), 7, timeout_s=5))
    assert sorted(m.key or b"" for m in raw) == sorted(
        f"{stage}-{n}".encode() for n, stage in enumerate(stages)
    )
