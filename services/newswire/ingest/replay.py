"""Re-submits dead letters after a fix: each letter's original bytes go back, unchanged, to
the topic they were first read from (the raw topic for ingest-side letters).

Replay reads the dead-letter topic as its own consumer group and commits what it has
re-submitted, so running it twice does not submit a letter twice; `from_start` rewinds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from newswire.admin import topic_partitions
from newswire.config import Settings
from newswire.connection import client_options
from newswire.models import DeadLetter
from newswire.topics import CLEANED, DEADLETTER, RAW, UNIQUE, dead_letter_max_bytes, topic_name

REPLAY_HEADER = "newswire_replay_of"


@dataclass
class ReplayReport:
    """What a replay run did: letters read, re-submitted per topic, and skipped with why."""

    read: int = 0
    replayed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    @property
    def total_replayed(self) -> int:
        """How many letters were re-submitted."""
        return sum(self.replayed.values())


def replay_target(settings: Settings, letter: DeadLetter) -> str | None:
    """The topic `letter`'s original goes back to, or None when it did not come from one of
    the pipeline's input topics (nothing else is ever written to)."""
    inputs = {topic_name(settings, name) for name in (RAW, CLEANED, UNIQUE)}
    target = letter.original_topic or topic_name(settings, RAW)
    return target if target in inputs else None


def replay_group(settings: Settings) -> str:
    """The consumer group replay commits its progress under."""
    return f"{settings.app_id}.replay"


async def replay_dead_letters(
    settings: Settings,
    *,
    stages: frozenset[str] = frozenset(),
    from_start: bool = False,
    dry_run: bool = False,
    limit: int | None = None,
    idle_timeout_s: float = 3.0,
    echo: Callable[[str], None] = lambda _: None,
) -> ReplayReport:
    """Re-submit the dead letters not replayed before (all of them with `from_start`),
    only those of `stages` when given, at most `limit`; stop once the topic has been idle for
    `idle_timeout_s`. With `dry_run`, say what would go where and change nothing."""
    report = ReplayReport()
    source = topic_name(settings, DEADLETTER)
    consumer = AIOKafkaConsumer(
        **client_options(settings),
        group_id=replay_group(settings),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_bytes=dead_letter_max_bytes(settings) + 1024,
        max_partition_fetch_bytes=dead_letter_max_bytes(settings) + 1024,
    )
    producer = AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=True,
        max_request_size=dead_letter_max_bytes(settings),
    )
    await consumer.start()
    await producer.start()
    try:
        partitions = await topic_partitions(settings, [source])
        if not partitions:
            return report
        consumer.assign(partitions)
        if from_start:
            await consumer.seek_to_beginning(*partitions)
        # Replay what the topic holds now: up to its end offsets as of this moment.
        ends = await consumer.end_offsets(partitions)
        while limit is None or report.total_replayed < limit:
            # position() waits for the group's committed offset (or the reset), so a slow
            # coordinator is not mistaken for an empty topic.
            if all([await consumer.position(tp) >= ends[tp] for tp in partitions]):
                break
            batch = await consumer.getmany(timeout_ms=int(idle_timeout_s * 1000))
            if not batch:
                continue
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    report.read += 1
                    await _replay_one(settings, producer, record, report, stages, dry_run, echo)
                    if not dry_run:
                        await consumer.commit({tp: record.offset + 1})
                    if limit is not None and report.total_replayed >= limit:
                        return report
    finally:
        await producer.stop()
        await consumer.stop()
    return report


async def _replay_one(
    settings: Settings,
    producer: AIOKafkaProducer,
    record: ConsumerRecord,
    report: ReplayReport,
    stages: frozenset[str],
    dry_run: bool,
    echo: Callable[[str], None],
) -> None:
    value: bytes = record.value or b""
    where = f"{record.topic}/{record.partition}/{record.offset}"
    try:
        letter = DeadLetter.model_validate_json(value)
    except ValidationError:
        report.skipped["not a dead letter"] += 1
        return
    if stages and letter.stage not in stages:
        report.skipped[f"stage {letter.stage}"] += 1
        return
    if not letter.original:
        report.skipped["empty original"] += 1
        return
    target = replay_target(settings, letter)
    if target is None:
        report.skipped["not from a pipeline topic"] += 1
        return
    echo(f"{'would replay' if dry_run else 'replayed'} {where} ({letter.stage}) -> {target}")
    if not dry_run:
        await producer.send_and_wait(
            target,
            letter.original,
            key=letter.original_key or (letter.article_id or "").encode() or None,
            headers=[(REPLAY_HEADER, where.encode())],
        )
    report.replayed[target] += 1
