"""A stage's transactional producer, as the runner builds it, against the real broker: a
transaction's outputs to one partition, several times the batch limit, all commit, in
batches the broker accepts at the smallest topic limit a worker writes; a record larger
than a batch still goes, on its own, to a topic that takes it."""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.observability.metrics import PipelineMetrics
from newswire.runner import Stage, StageRunner
from newswire.topics import MAX_MESSAGE_BYTES, TopicSpec, producer_batch_bytes, topic_name

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(120)]


async def _no_results(items: object, state: object) -> list[object]:
    return []


async def _read_committed(settings: Settings, topic: str, count: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while len(values) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    values += [r.value for r in records if r.value is not None]
    finally:
        await consumer.stop()
    return values


async def _scenario(settings: Settings) -> tuple[list[bytes], list[bytes], list[bytes]]:
    batch = producer_batch_bytes(settings)
    small, large = "test.batch.small", "test.batch.large"
    await ensure_topics(
        settings,
        [
            TopicSpec(small, 1, {MAX_MESSAGE_BYTES: str(batch)}),
            TopicSpec(large, 1, {MAX_MESSAGE_BYTES: str(4 * batch)}),
        ],
    )
    stage = Stage(
        name="prepare", input_topic="raw", decode=bytes, handle=_no_results, fail_stage="clean"
    )
    runner = StageRunner(stage, settings, PipelineMetrics())  # type: ignore[arg-type]
    producer = await runner._new_producer(f"test-batch-{uuid.uuid4().hex[:8]}", "batch")
    # What the records below would not need if the runner kept the client's 16 KiB.
    assert producer._message_accumulator._batch_size == batch
    rng = random.Random(7)
    # Sizes that fill batches to their limit in different ways: about 5 times the limit.
    sent = [bytes([65 + n % 26]) * rng.randint(500, 6000) for n in range(100)]
    alone = b"x" * (2 * batch)
    try:
        await producer.begin_transaction()
        deliveries = [await producer.send(topic_name(settings, small), v) for v in sent]
        deliveries.append(await producer.send(topic_name(settings, large), alone))
        await asyncio.gather(*deliveries)
        await producer.commit_transaction()
    finally:
        await producer.stop()
    got_small = await _read_committed(settings, topic_name(settings, small), len(sent))
    got_large = await _read_committed(settings, topic_name(settings, large), 1)
    return sent, got_small, got_large


def test_a_transaction_over_many_full_batches_commits_every_record(settings: Settings) -> None:
    sent, got_small, got_large = asyncio.run(_scenario(settings))
    assert got_small == sent
    assert got_large == [b"x" * (2 * producer_batch_bytes(settings))]
