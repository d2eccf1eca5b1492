"""KIP-447 fencing as `newswire.runner.group_fencing` sends it, against the real broker:
offsets committed in a transaction with the member's generation (TxnOffsetCommit v3), the
same refused once the generation is stale (the transaction then only aborts), and
OffsetFetch v7 with `require_stable` waiting out a transaction that still holds offsets."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.runner.group_fencing import (
    GroupMember,
    GroupMovedOnError,
    group_member,
    send_generation_with_offsets,
    stable_committed,
)
from newswire.topics import TopicSpec, topic_name

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]

HOLD_S = 1.5  # how long the open transaction keeps its offsets unstable


async def _joined(settings: Settings, source: str, group: str) -> AIOKafkaConsumer:
    """A consumer of `source` in `group` that has joined (it has read a record)."""
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=settings.kafka_bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    while not await consumer.getmany(timeout_ms=1000):
        pass
    return consumer


async def _scenario(settings: Settings) -> dict[str, object]:
    source, sink = topic_name(settings, "test.fencing.in"), topic_name(settings, "test.fencing.out")
    await ensure_topics(
        settings, [TopicSpec("test.fencing.in", 1), TopicSpec("test.fencing.out", 1)]
    )
    plain = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await plain.start()
    for n in range(10):
        await plain.send_and_wait(source, b"%d" % n)
    await plain.stop()
    send_generation_with_offsets()
    group = f"test-fencing-{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(source, 0)
    consumer = await _joined(settings, source, group)
    seen: dict[str, object] = {}
    producers = [
        AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap, transactional_id=f"{group}-{name}"
        )
        for name in ("current", "later")
    ]
    for producer in producers:
        await producer.start()
    current, later = producers
    try:
        member = group_member(consumer, group)
        seen["generation"] = member.generation_id
        async with current.transaction():
            await current.send(sink, b"committed")
            await current.send_offsets_to_transaction({tp: 4}, member)
        seen["after_current"] = (await stable_committed(consumer, group, {tp}))[tp]

        stale = GroupMember(group, member.generation_id - 1, member.member_id)
        try:
            async with current.transaction():
                await current.send(sink, b"zombie")
                await current.send_offsets_to_transaction({tp: 6}, stale)
        except GroupMovedOnError as exc:
            seen["stale_refused"] = repr(exc)
        seen["after_stale"] = (await stable_committed(consumer, group, {tp}))[tp]

        await later.begin_transaction()
        await later.send(sink, b"held")
        await later.send_offsets_to_transaction({tp: 8}, member)

        async def commit_later() -> None:
            await asyncio.sleep(HOLD_S)
            await later.commit_transaction()

        committing = asyncio.ensure_future(commit_later())
        seen["stable"] = (await stable_committed(consumer, group, {tp}))[tp]
        await committing
    finally:
        for producer in producers:
            await producer.stop()
        await consumer.stop()
    return seen


def test_offsets_commit_with_the_generation_and_a_stale_one_is_refused(
    settings: Settings,
) -> None:
    seen = asyncio.run(_scenario(settings))
    assert isinstance(seen["generation"], int) and seen["generation"] > 0
    assert seen["after_current"] == 4
    assert "IllegalGeneration" in str(seen.get("stale_refused")), seen
    assert seen["after_stale"] == 4  # the refused transaction moved nothing
    # Read only once the transaction holding offset 8 had committed: an unstable read
    # would have given 4, the last committed offset when it began.
    assert seen["stable"] == 8
