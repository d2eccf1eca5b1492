"""Counts outcomes per article id on the output topics, as a subscriber sees them.

A background thread runs one `read_committed` consumer over every partition of the
enriched, duplicates and dead-letter topics, from the start, with no group: what it sees
is exactly what a subscriber following the README would see. Ids come from the Kafka
key and the event's `id` (or a dead letter's `article_id`); internal topics are never
read, so the worker is free to change them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

KINDS = ("enriched", "duplicate", "deadletter")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One output event for an article: its kind, where it was, and a notice's original."""

    kind: str
    topic: str
    partition: int
    offset: int
    original_id: str | None = None
    stage: str | None = None


@dataclass(slots=True)
class Report:
    """What happened to every produced id; `ok` when each has exactly one right outcome."""

    scenario: str
    produced: int
    missing: list[str] = field(default_factory=list)
    more_than_one: dict[str, list[str]] = field(default_factory=dict)
    wrong_kind: dict[str, str] = field(default_factory=dict)
    wrong_original: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    unexpected_ids: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Exactly one outcome for every id, of the expected kind, copies on their original."""
        return not (self.missing or self.more_than_one or self.wrong_kind or self.wrong_original)

    @property
    def doubled(self) -> int:
        """Ids with more than one outcome."""
        return len(self.more_than_one)

    def summary(self) -> str:
        """One paragraph for an assertion message: the counts and a few examples of each."""

        def some(items: Iterable[Any]) -> str:
            return ", ".join(str(i) for i in list(items)[:5])

        lines = [
            f"{self.scenario}: produced {self.produced}, missing {len(self.missing)}, "
            f"more than one {self.doubled}, wrong kind {len(self.wrong_kind)}, "
            f"wrong original {len(self.wrong_original)}; outcomes {self.by_kind}",
        ]
        if self.missing:
            lines.append(f"  missing e.g. {some(self.missing)}")
        if self.more_than_one:
            lines.append(f"  more than one e.g. {some(self.more_than_one.items())}")
        if self.wrong_kind:
            lines.append(f"  wrong kind e.g. {some(self.wrong_kind.items())}")
        if self.wrong_original:
            lines.append(f"  wrong original e.g. {some(self.wrong_original.items())}")
        if self.events:
            lines.append("  timeline: " + "; ".join(self.events))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """The figures, for JSON."""
        return {
            "scenario": self.scenario,
            "produced": self.produced,
            "missing": len(self.missing),
            "more_than_one": self.doubled,
            "enriched_more_than_once": sum(
                1 for kinds in self.more_than_one.values() if kinds.count("enriched") > 1
            ),
            "wrong_kind": len(self.wrong_kind),
            "wrong_original": len(self.wrong_original),
            "outcomes": self.by_kind,
            "seconds": round(self.seconds, 1),
            "timeline": self.events,
            "missing_examples": self.missing[:10],
            "more_than_one_examples": dict(list(self.more_than_one.items())[:10]),
        }


def _article_id(key: bytes | None, value: bytes | None) -> tuple[str | None, dict[str, Any]]:
    try:
        body = orjson.loads(value or b"")
    except orjson.JSONDecodeError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    found = body.get("id") or body.get("article_id")
    if isinstance(found, str) and found:
        return found, body
    return (key.decode(errors="replace") if key else None), body


class OutcomeCounter:
    """Follows the output topics in a thread of its own; ask it how far the pipeline got."""

    def __init__(self, bootstrap: str, topics: dict[str, str]) -> None:
        """`topics` maps each kind ('enriched', 'duplicate', 'deadletter') to a topic name."""
        self.bootstrap = bootstrap
        self.kind_of = {name: kind for kind, name in topics.items()}
        self._lock = threading.Lock()
        self._seen: set[tuple[str, int, int]] = set()
        self._outcomes: dict[str, list[Outcome]] = defaultdict(list)
        self._positions: dict[tuple[str, int], int] = {}
        self._last_change = time.monotonic()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="outcome-counter", daemon=True)

    def __enter__(self) -> OutcomeCounter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            asyncio.run(self._follow())
        except BaseException as exc:  # reported to the caller by `check_alive`
            self._error = exc

    async def _follow(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_partition_fetch_bytes=16 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        await consumer.start()
        try:
            partitions: list[TopicPartition] = []
            while not partitions and not self._stop.is_set():
                for topic in self.kind_of:
                    found = consumer.partitions_for_topic(topic) or set()
                    partitions += [TopicPartition(topic, p) for p in sorted(found)]
                # Every topic's partitions, not just as many partitions as topics: one
                # topic with four partitions would otherwise hide two not seen yet.
                if any(not consumer.partitions_for_topic(topic) for topic in self.kind_of):
                    partitions = []
                    await consumer._client.force_metadata_update()
                    await asyncio.sleep(0.5)
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            while not self._stop.is_set():
                batch = await consumer.getmany(timeout_ms=300, max_records=5000)
                with self._lock:
                    for records in batch.values():
                        for r in records:
                            self._record(r.topic, r.partition, r.offset, r.key, r.value)
                    for tp in partitions:
                        try:
                            self._positions[(tp.topic, tp.partition)] = await consumer.position(tp)
                        except Exception:  # noqa: S112 - a broker restart: try on the next round
                            continue
        finally:
            await consumer.stop()

    def _record(
        self, topic: str, partition: int, offset: int, key: bytes | None, value: bytes | None
    ) -> None:
        if (topic, partition, offset) in self._seen:
            return
        self._seen.add((topic, partition, offset))
        article_id, body = _article_id(key, value)
        if article_id is None:
            return
        original = body.get("original_id")
        stage = body.get("stage")
        self._outcomes[article_id].append(
            Outcome(
                self.kind_of[topic],
                topic,
                partition,
                offset,
                original if isinstance(original, str) else None,
                stage if isinstance(stage, str) else None,
            )
        )
        self._last_change = time.monotonic()

    def check_alive(self) -> None:
        """Raise what stopped the reader thread, if anything did."""
        if self._error is not None:
            raise RuntimeError("the outcome reader failed") from self._error

    def seen(self, ids: Iterable[str]) -> int:
        """How many of `ids` have at least one outcome so far."""
        with self._lock:
            return sum(1 for i in ids if i in self._outcomes)

    def quiet_for(self) -> float:
        """Seconds since the last new output event."""
        with self._lock:
            return time.monotonic() - self._last_change

    def positions(self) -> dict[tuple[str, int], int]:
        """The reader's next offset per output partition."""
        with self._lock:
            return dict(self._positions)

    def snapshot(self) -> dict[str, list[Outcome]]:
        """Every outcome per id, as read so far."""
        with self._lock:
            return {k: list(v) for k, v in self._outcomes.items()}


async def end_offsets(bootstrap: str, topics: Iterable[str]) -> dict[tuple[str, int], int]:
    """Last stable offsets (what a read_committed reader can reach) of every partition."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, isolation_level="read_committed", enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(t, p)
            for t in topics
            for p in sorted(consumer.partitions_for_topic(t) or ())
        ]
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = [
                TopicPartition(t, p)
                for t in topics
                for p in sorted(consumer.partitions_for_topic(t) or ())
            ]
        ends = await consumer.end_offsets(partitions)
        return {(tp.topic, tp.partition): off for tp, off in ends.items()}
    finally:
        await consumer.stop()


async def group_lag(bootstrap: str, group_prefix: str) -> int | None:
    """Lag of the consumer groups whose id starts with `group_prefix`, over the partitions
    they committed (None when no such group has committed anything yet): 0 when a
    read_committed reader would get no record past any committed offset, else the records
    it gets in the first partition that has some."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        groups = [g[0] for g in await admin.list_consumer_groups() if g[0].startswith(group_prefix)]
        committed: dict[TopicPartition, int] = {}
        for group in groups:
            offsets = await admin.list_consumer_group_offsets(group)
            committed.update({tp: meta.offset for tp, meta in offsets.items() if meta.offset >= 0})
    finally:
        await admin.close()
    if not committed:
        return None
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        # The high watermark: a read_committed end would stop short of an open transaction.
        ends = await consumer.end_offsets(list(committed))
    finally:
        await consumer.stop()
    # A commit marker takes an offset no position passes until the next record, and an
    # aborted transaction's records are never delivered: offsets between the committed one
    # and the end are lag only if a reader would still get records there.
    behind = [tp for tp, off in committed.items() if ends[tp] - off > 1]
    if not behind:
        return 0
    # (Only then a second consumer: one stopped right after it started trips over
    # aiokafka's own start-up task.)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
    )
    await consumer.start()
    try:
        for tp in behind:
            found = await _records_after(consumer, tp, committed[tp], ends[tp])
            if found:
                return found  # the caller asks whether, not how much: one is enough
        return 0
    finally:
        await consumer.stop()


async def _records_after(
    consumer: AIOKafkaConsumer, tp: TopicPartition, start: int, end: int
) -> int:
    """How many records a read_committed `consumer` reads in `tp` from `start` to `end`;
    at least 1 while it cannot get there (an open transaction holds it back)."""
    consumer.assign([tp])
    consumer.seek(tp, start)
    found = 0
    deadline = time.monotonic() + 10
    while await consumer.position(tp) < end:
        if time.monotonic() > deadline:
            return max(found, 1)
        batch = await consumer.getmany(tp, timeout_ms=500)
        found += sum(len(records) for records in batch.values())
    return found


def judge(
    scenario: str,
    produced: list[str],
    outcomes: dict[str, list[Outcome]],
    copies: dict[str, str],
    *,
    any_kind: Iterable[str] = (),
) -> Report:
    """The report for `produced` ids: originals must be enriched once, copies noticed once
    as duplicates of their original; ids in `any_kind` need exactly one outcome of any kind."""
    report = Report(scenario, len(produced))
    free = set(any_kind)
    wanted = set(produced)
    report.unexpected_ids = sum(1 for i in outcomes if i not in wanted)
    counts: dict[str, int] = defaultdict(int)
    for article_id in produced:
        found = outcomes.get(article_id, [])
        for o in found:
            counts[o.kind] += 1
        if not found:
            report.missing.append(article_id)
            continue
        if len(found) > 1:
            report.more_than_one[article_id] = [o.kind for o in found]
        first = found[0]
        if article_id in free:
            continue
        expected = "duplicate" if article_id in copies else "enriched"
        if first.kind != expected:
            report.wrong_kind[article_id] = first.kind + (f"@{first.stage}" if first.stage else "")
        elif expected == "duplicate" and first.original_id != copies[article_id]:
            report.wrong_original[article_id] = (copies[article_id], first.original_id)
    report.by_kind = dict(counts)
    return report
