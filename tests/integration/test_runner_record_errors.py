"""The stage runner pins a failure a record's own content causes on that record, whether
it is one of its outputs or its state change that the broker refuses: the record is
dead-lettered with the stage and the reason, its state change discarded, and the rest of
its batch gets its outcomes. Through a real broker whose topics have small size limits."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.models import DuplicateNotice
from newswire.models.events import utcnow
from newswire.observability.metrics import PipelineMetrics
from newswire.runner import Emit, Item, Result, Stage, StageRunner, State
from newswire.topics import DEADLETTER, TopicSpec, changelog_name, stage_group, topic_name

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(300)]

INPUT = "test.runner.input"
OUTPUT = "test.runner.output"
LIMIT = 16 * 1024
RECORDS = 24
BIG_STATE = 5  # this record's state value is larger than the changelog accepts
BIG_OUTPUT = 17  # this record's output is larger than the output topic accepts


def _stage(settings: Settings) -> Stage[dict[str, Any]]:
    """A stateful stage: each record stores `state` bytes under its key and publishes an
    event of about `out` bytes."""
    output = topic_name(settings, OUTPUT)

    async def handle(items: Sequence[Item[dict[str, Any]]], state: State | None) -> list[Result]:
        assert state is not None
        results: list[Result] = []
        for item in items:
            key = str(item.value["id"])
            state[key.encode()] = b"s" * int(item.value["state"])
            # Any event of the contract will do; its `source` is padded to the size wanted.
            model = DuplicateNotice(
                id=key,
                url="https://x.example/a",
                source="o" * int(item.value["out"]),
                original_id="a",
                method="url",
                score=1.0,
                detected_at=utcnow(),
            )
            results.append([Emit(output, key, model, "duplicate")])
        return results

    return Stage(
        name="probe",
        input_topic=INPUT,
        decode=orjson.loads,
        handle=handle,
        fail_stage="story",
        batch_size=64,
        stateful=True,
    )


async def _read_all(bootstrap: str, topic: str, partitions: int = 1) -> list[tuple[str, bytes]]:
    """Every committed (key, value) of `topic`'s `partitions`, up to their current end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, isolation_level="read_committed", enable_auto_commit=False
    )
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        found: list[tuple[str, bytes]] = []
        for tp in tps:
            while await consumer.position(tp) < ends[tp]:
                for records in (await consumer.getmany(tp, timeout_ms=500)).values():
                    found += [((r.key or b"").decode(), r.value or b"") for r in records]
        return found
    finally:
        await consumer.stop()


async def _committed(bootstrap: str, group: str, topic: str, partitions: int) -> int:
    """The group's committed offsets of `topic`, summed over its partitions."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        offsets = [await consumer.committed(TopicPartition(topic, p)) for p in range(partitions)]
        return sum(offset or 0 for offset in offsets)
    finally:
        await consumer.stop()


async def _scenario(settings: Settings, partitions: int) -> StageRunner[dict[str, Any]]:
    stage = _stage(settings)
    limited = {"max.message.bytes": str(LIMIT)}
    await ensure_topics(
        settings,
        [
            TopicSpec(INPUT, partitions),
            # One output partition: every record's output shares the producer's batches,
            # whichever input partition it came from.
            TopicSpec(OUTPUT, 1, limited),
            TopicSpec(DEADLETTER, 1),
            TopicSpec(changelog_name(settings, stage.name), partitions, limited),
        ],
    )
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        # All of them before the runner starts: they come to it as one batch.
        for n in range(RECORDS):
            value = {
                "id": f"r{n:02d}",
                "state": 4 * LIMIT if n == BIG_STATE else 100,
                "out": 4 * LIMIT if n == BIG_OUTPUT else 100,
            }
            await producer.send_and_wait(
                topic_name(settings, INPUT),
                orjson.dumps(value),
                key=value["id"].encode(),
                partition=n % partitions,
            )
    finally:
        await producer.stop()
    runner = StageRunner(stage, settings, PipelineMetrics())
    task = asyncio.create_task(runner.run())
    try:
        # The positive signal that every record is done: the group's committed offset.
        group, source = stage_group(settings, stage.name), topic_name(settings, INPUT)
        while await _committed(settings.kafka_bootstrap, group, source, partitions) < RECORDS:
            assert not task.done(), task
            await asyncio.sleep(0.5)
    finally:
        runner.stop()
        await asyncio.wait_for(task, 60)
    return runner


@pytest.mark.parametrize(
    ("scope", "partitions"), [("partition", 1), ("partition", 2), ("batch", 1), ("batch", 2)]
)
def test_a_refused_state_change_or_output_is_pinned_on_its_record(
    settings: Settings, scope: str, partitions: int
) -> None:
    # Two input partitions in one batch transaction: the refused output shares a producer
    # batch with the other partition's outputs, which must not take the blame.
    settings = settings.model_copy(update={"transaction_scope": scope})
    runner = asyncio.run(_scenario(settings, partitions))
    bootstrap = settings.kafka_bootstrap
    good = {f"r{n:02d}" for n in range(RECORDS)} - {f"r{BIG_STATE:02d}", f"r{BIG_OUTPUT:02d}"}

    outputs = asyncio.run(_read_all(bootstrap, topic_name(settings, OUTPUT)))
    assert sorted(key for key, _ in outputs) == sorted(good)  # each exactly once

    letters = {
        key: orjson.loads(value)
        for key, value in asyncio.run(_read_all(bootstrap, topic_name(settings, DEADLETTER)))
    }
    assert set(letters) == {f"r{BIG_STATE:02d}", f"r{BIG_OUTPUT:02d}"}
    state_letter, output_letter = letters[f"r{BIG_STATE:02d}"], letters[f"r{BIG_OUTPUT:02d}"]
    assert state_letter["stage"] == "story"  # the stage's own, not "publish"
    assert "state change could not be written" in state_letter["error"]
    assert state_letter["error_type"] == "MessageSizeTooLargeError"
    assert output_letter["stage"] == "publish"
    assert f"could not be published to {topic_name(settings, OUTPUT)}" in output_letter["error"]
    assert output_letter["error_type"] == "MessageSizeTooLargeError"

    # Neither refused record left a state change: not on the changelog, not in the store.
    changelog = topic_name(settings, changelog_name(settings, "probe"))
    stored = {key for key, _ in asyncio.run(_read_all(bootstrap, changelog, partitions))}
    assert stored == good
    assert {key.decode() for store in runner._stores.values() for key in store} == good
