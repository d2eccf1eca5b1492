"""Bad input of every kind reaches the dead-letter topic with a reason; good input still
flows; every event read back validates against schemas/ with an independent validator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.ingest.files import article_from_text
from newswire.models import DeadLetter
from newswire.subscribe.reader import read_until
from newswire.topics import DEADLETTER, ENRICHED, RAW, topic_name
from newswire.wire import encode
from tests.support.schemas import validator
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_bad_input_is_dead_lettered_and_good_input_flows(
    settings: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    topics = settings.model_copy(update={"max_article_bytes": 64 * 1024})
    asyncio.run(ensure_topics(topics))
    good = [article_from_text(p.name, p.read_text(), source="seed") for p in seed_paths[:2]]
    valid = orjson.loads(encode(good[0]))
    bad: dict[str, bytes] = {
        "not-json": b"this is not json",
        "wrong-types": orjson.dumps({**valid, "id": "wt", "title": 42}),
        "missing-fields": orjson.dumps({"url": "https://example.com/x", "id": "mf"}),
        "oversized": orjson.dumps(
            {**valid, "id": "big", "body": "x" * (topics.max_article_bytes + 10)}
        ),
        "binary": bytes(range(256)),
        "empty": b"",
        "naive-datetime": orjson.dumps({**valid, "id": "nd", "fetched_at": "2024-01-01T00:00:00"}),
        "only-boilerplate": orjson.dumps(
            {**valid, "id": "ob", "body": "Advertisement\nSkip to main content"}
        ),
    }
    raw_topic = topic_name(topics, RAW)

    async def produce() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=topics.kafka_bootstrap, max_request_size=8 * 1024 * 1024
        )
        await producer.start()
        try:
            await producer.send_and_wait(raw_topic, encode(good[0]), key=good[0].id.encode())
            for name, value in bad.items():
                await producer.send_and_wait(raw_topic, value, key=name.encode())
            await producer.send_and_wait(raw_topic, encode(good[1]), key=good[1].id.encode())
        finally:
            await producer.stop()

    with running_worker(topics, tmp_path / "worker.log"):
        asyncio.run(produce())
        letters = asyncio.run(
            read_until(
                topics.kafka_bootstrap, topic_name(topics, DEADLETTER), len(bad), timeout_s=90
            )
        )
        enriched = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, ENRICHED), 2, timeout_s=90)
        )

    assert sorted(e.key for e in enriched) == sorted(g.id.encode() for g in good)
    assert len(letters) == len(bad)
    by_original = {
        letter.original: letter
        for letter in (DeadLetter.model_validate_json(m.value) for m in letters)
    }
    for value in bad.values():
        letter = by_original[value]  # the original bytes, unchanged
        assert letter.error and letter.error_type
        assert letter.original_topic == raw_topic and letter.original_offset is not None
    assert (
        by_original[bad["wrong-types"]].stage == "validate"
        and "title" in by_original[bad["wrong-types"]].error
    )
    assert (
        "source" in by_original[bad["missing-fields"]].error
        and "body" in by_original[bad["missing-fields"]].error
    )
    assert "exceeds" in by_original[bad["oversized"]].error
    assert by_original[bad["empty"]].error == "empty message"
    assert by_original[bad["only-boilerplate"]].stage == "clean"
    # The published contracts, checked by the jsonschema package, not by pydantic.
    for message in letters:
        validator("DeadLetter").validate(orjson.loads(message.value))
    for message in enriched:
        validator("EnrichedArticle").validate(orjson.loads(message.value))
    validator("RawArticle").validate(valid)
