"""Re-submits dead letters after a fix: each letter's original bytes go back, unchanged, to
the topic they were first read from (the raw topic for ingest-side letters).

Progress is kept per stage: the letters of each stage are replayed under a consumer group
of their own (`<app id>.replay.<stage>`), so replaying one stage neither replays nor uses up
the letters of another, and running the same selection twice submits nothing twice.
`from_start` rewinds the selected stages."""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from newswire.admin import topic_partitions
from newswire.config import Settings
from newswire.connection import client_options
from newswire.models import DeadLetter
from newswire.topics import (
    CLEANED,
    DEADLETTER,
    RAW,
    TAGGED,
    UNIQUE,
    dead_letter_max_bytes,
    topic_name,
)

REPLAY_HEADER = "newswire_replay_of"
_Client = typing.TypeVar("_Client", AIOKafkaConsumer, AIOKafkaProducer)


@dataclass
class ReplayReport:
    """What a replay run did: letters read, re-submitted per topic, skipped with why, and
    left alone because they belong to a stage that was not selected."""

    read: int = 0
    replayed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    left: Counter[str] = field(default_factory=Counter)

    @property
    def total_replayed(self) -> int:
        """How many letters were re-submitted."""
        return sum(self.replayed.values())


def replay_target(settings: Settings, letter: DeadLetter) -> str | None:
    """The topic `letter`'s original goes back to, or None when it did not come from one of
    the pipeline's input topics (nothing else is ever written to)."""
    inputs = {topic_name(settings, name) for name in (RAW, CLEANED, UNIQUE, TAGGED)}
    target = letter.original_topic or topic_name(settings, RAW)
    return target if target in inputs else None


# Every stage a dead letter can name, from the contract itself.
STAGES: tuple[str, ...] = typing.get_args(DeadLetter.model_fields["stage"].annotation)


def replay_group(settings: Settings, stage: str) -> str:
    """The consumer group the replay of `stage`'s letters commits its progress under."""
    return f"{settings.app_id}.replay.{stage}"


def check_stages(stages: frozenset[str]) -> None:
    """Raise ValueError naming the valid stages when `stages` holds an unknown one."""
    unknown = sorted(stages - set(STAGES))
    if unknown:
        raise ValueError(f"unknown stage {', '.join(unknown)}: choose from {', '.join(STAGES)}")


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
    """Re-submit the dead letters of `stages` (every stage when empty) not replayed before
    (all of them with `from_start`), at most `limit`, up to the end the topic has now.
    Letters of other stages are left for their own replay. With `dry_run`, say what would
    go where and change nothing. Raises ValueError for an unknown stage."""
    check_stages(stages)
    selected = sorted(stages or STAGES)
    report = ReplayReport()
    source = topic_name(settings, DEADLETTER)
    partitions = await topic_partitions(settings, [source])
    if not partitions:
        return report
    fetch = dead_letter_max_bytes(settings) + 1024
    async with AsyncExitStack() as stack:
        # One group per stage keeps each stage's progress; a reader without a group reads.
        groups = {
            stage: await _started(
                stack,
                AIOKafkaConsumer(
                    **client_options(settings),
                    group_id=replay_group(settings, stage),
                    enable_auto_commit=False,
                ),
            )
            for stage in selected
        }
        reader = await _started(
            stack,
            AIOKafkaConsumer(
                **client_options(settings),
                enable_auto_commit=False,
                fetch_max_bytes=fetch,
                max_partition_fetch_bytes=fetch,
                isolation_level="read_committed",
            ),
        )
        producer = await _started(
            stack,
            AIOKafkaProducer(
                **client_options(settings),
                acks="all",
                enable_idempotence=True,
                max_request_size=dead_letter_max_bytes(settings),
            ),
        )
        reader.assign(partitions)
        positions: dict[str, dict[TopicPartition, int]] = {}
        for stage, group in groups.items():
            group.assign(partitions)
            group.pause(*partitions)  # commits only; the reader fetches
            starts = await group.beginning_offsets(partitions)
            positions[stage] = {
                tp: starts[tp] if from_start else (await group.committed(tp) or starts[tp])
                for tp in partitions
            }
        # Replay what the topic holds now: up to its end offsets as of this moment.
        ends = await reader.end_offsets(partitions)
        for tp in partitions:
            reader.seek(tp, min(p[tp] for p in positions.values()))
        while limit is None or report.total_replayed < limit:
            if all([await reader.position(tp) >= ends[tp] for tp in partitions]):
                break
            batch = await reader.getmany(timeout_ms=int(idle_timeout_s * 1000))
            if not batch:
                continue
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= ends[tp]:
                        continue
                    done = await _replay_one(
                        settings, producer, record, report, positions, dry_run, echo
                    )
                    if done is not None and not dry_run:
                        positions[done][tp] = record.offset + 1
                        await groups[done].commit({tp: record.offset + 1})
                    if limit is not None and report.total_replayed >= limit:
                        return report
    return report


async def _started(stack: AsyncExitStack, client: _Client) -> _Client:
    """`client`, started, and stopped when `stack` closes (also when starting fails)."""
    stack.push_async_callback(client.stop)
    await client.start()
    return client


async def _replay_one(
    settings: Settings,
    producer: AIOKafkaProducer,
    record: ConsumerRecord,
    report: ReplayReport,
    positions: dict[str, dict[TopicPartition, int]],
    dry_run: bool,
    echo: Callable[[str], None],
) -> str | None:
    """Replay (or, for a dry run, describe) one dead letter if its stage is selected and it
    has not been replayed yet; returns the stage whose progress now includes it, or None
    when the letter is another stage's business (and so must stay unconsumed)."""
    value: bytes = record.value or b""
    where = f"{record.topic}/{record.partition}/{record.offset}"
    tp = TopicPartition(record.topic, record.partition)
    try:
        letter = DeadLetter.model_validate_json(value)
    except ValidationError:
        report.read += 1
        report.skipped["not a dead letter"] += 1
        return None
    position = positions.get(letter.stage, {}).get(tp)
    if position is None:
        report.left[letter.stage] += 1
        return None  # another stage's letter: its own replay will take it
    if record.offset < position:
        return None  # replayed before
    report.read += 1
    if not letter.original:
        report.skipped["empty original"] += 1
        return letter.stage
    target = replay_target(settings, letter)
    if target is None:
        report.skipped["not from a pipeline topic"] += 1
        return letter.stage
    echo(f"{'would replay' if dry_run else 'replayed'} {where} ({letter.stage}) -> {target}")
    if not dry_run:
        await producer.send_and_wait(
            target,
            letter.original,
            key=letter.original_key or (letter.article_id or "").encode() or None,
            headers=[(REPLAY_HEADER, where.encode())],
        )
    report.replayed[target] += 1
    return letter.stage
