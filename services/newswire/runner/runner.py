"""The stage runner: one consume-transform-produce loop per stage, exactly once.

For every batch the runner opens a Kafka transaction, publishes every outcome (events or
dead letters) and the state changes they caused, waits until the broker confirmed each
send, adds the input offsets to the same transaction and commits it. Either all of it
becomes visible to read_committed consumers, or none of it does and the batch is read
again. What one transaction covers is `transaction_scope`:

- "batch" (the default): one transaction for the whole batch, on one producer per stage
  and worker (KIP-447, `newswire.runner.group_fencing`). The offsets carry the member's
  generation, taken when the partitions were assigned; the group coordinator refuses them
  once the group has moved on, so a zombie's transaction can only abort. A new owner reads
  the offsets once stable (no open transaction still commits them), then restores state.
- "partition": one transaction per input partition of the batch, on that partition's own
  producer. A stale owner of a partition is fenced the EOS-v1 way: the transactional id is
  stable per input partition, and the worker that is assigned the partition initialises a
  producer under that id before reading the partition's committed offset. That bumps the
  epoch (a zombie's next send or commit fails with ProducerFenced) and aborts whatever
  transaction the previous owner left open.

Failures a record causes by its own content (an outcome or a state change the broker
refuses as too large, an outcome that cannot be encoded) are never retried as the batch's:
the partition is retried a record at a time until the failure lands on one record, which
is then dead-lettered (`_blame`); with one transaction per batch, every partition that
shared the failed transaction is, one record per transaction, since the broker refuses
the producer's batches, which mix records of several input partitions. Everything else
aborts the batch, which is read again.

Overlap (`NEWSWIRE_OVERLAP_COMMITS`, off by default): a stateless stage takes and
processes its next batch while the last one's transactions commit, so its processing (the
enrich stage's NER) does not idle through the commit. The next batch's transactions begin
only once the last batch's ended, on the same producers, so per partition they still
commit in order; if any of the last batch's failed, the next batch is dropped unpublished
and read again from the committed offsets. A stateful stage, and every stage while the
setting is off, commits each batch before processing the next (a stateful stage's next
state builds on the last).

Rebalances: processing a batch and starting its commit hold the runner's lock, and so
does settling a commit in flight; the revocation callback takes the same lock and settles
the commit in flight first, so a batch is committed (or aborted) before its partitions
are released; nothing is acknowledged without being published.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import aiokafka.producer.sender
import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import (
    CorruptRecordException,
    InvalidProducerEpoch,
    InvalidTopicError,
    KafkaError,
    MessageSizeTooLargeError,
    ProducerFenced,
    RecordListTooLargeError,
    RecordTooLargeError,
    TopicAuthorizationFailedError,
)
from structlog.contextvars import bound_contextvars

from newswire.config import Settings
from newswire.connection import client_options
from newswire.models import DeadLetter
from newswire.models.events import utcnow
from newswire.observability.metrics import Offsets, PipelineMetrics
from newswire.pipeline.errors import SourceRecord, dead_letter
from newswire.runner.arrivals import ArrivalRate
from newswire.runner.group_fencing import (
    GroupMember,
    GroupMovedOnError,
    group_member,
    send_generation_with_offsets,
    stable_committed,
)
from newswire.runner.stage import Emit, Item, Result, Stage
from newswire.runner.store import PartitionStore
from newswire.topics import (
    DEADLETTER,
    changelog_name,
    producer_batch_bytes,
    producer_max_bytes,
    stage_group,
    topic_name,
)
from newswire.wire import cloudevent_headers, encode, new_trace_id, source_name, trace_id_of

T = TypeVar("T")
log = structlog.get_logger("newswire.runner")

# How long to wait for more records once some have arrived: the batch grows only while
# records keep arriving (adaptive batching; no fixed window). Every batch that is not full
# ends with one such empty wait, at every hop, so it is kept short; under load records
# are already waiting in the consumer's buffer and batches fill without it.
MORE_WAIT_MS = 1
# A stage's next transaction often starts while the broker still writes the last one's
# markers; the broker then refuses the new transaction's partitions (CONCURRENT_TRANSACTIONS)
# and aiokafka retries after this many seconds (its own default: 20 ms). The markers take
# a few milliseconds on a broker nearby, so a 20 ms step is mostly idle time on every hop.
TXN_CONCURRENT_RETRY_S = 0.005
IDLE_WAIT_MS = 500
# A lingering batch looks at the stop flag at least this often.
LINGER_STEP_MS = 100
# A batch lingers only while this runner committed at least this many records a second
# over the last `WINDOW_S` (2 s; all its partitions together). A linger saves
# transactions, which pays only once they crowd the cores; below that it only adds its
# length to every hop. Calibrated on two cores, one worker, four raw partitions: lingering
# crossed from costing p99 to saving it at 50/s (docs/performance.md, "Linger only under
# load"). A rate rather than records due within the linger: a stage fed by a lingering one
# gets its records in bursts, so a short linger that gathers one burst pays from the same
# load as a long one.
LINGER_FROM_PER_S = 50.0
# A record whose own send keeps failing with a retriable error while the broker answers
# (e.g. its topic was deleted) is dead-lettered after this many attempts.
PUBLISH_ATTEMPTS = 3
BACKOFF_MAX_S = 5.0
# Errors a record's own content causes: the broker (or the producer) refuses that one
# record, and would refuse it again on every retry. Never retried as the batch's problem.
CONTENT_ERRORS = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    CorruptRecordException,
)
# Send errors of an output that belong to one record rather than to the producer or the
# broker: its content, or (for a stage's optional topics only) the topic it alone is
# routed to.
TOPIC_ERRORS = (InvalidTopicError, TopicAuthorizationFailedError)
RECORD_ERRORS = (*CONTENT_ERRORS, *TOPIC_ERRORS)
# Errors after which this worker no longer owns what it was committing: another producer
# took the partition's transactional id, or the group moved on without this member.
LOST_OWNERSHIP = (ProducerFenced, InvalidProducerEpoch, GroupMovedOnError)
# With one transaction per batch, a worker killed mid-transaction leaves it open until the
# broker times it out; meanwhile read_committed consumers of its outputs wait at it, and a
# new owner waits to read stable offsets. Kafka Streams' own default for the same case.
BATCH_TXN_TIMEOUT_MS = 10_000
# A state change refused for its content belongs to the record(s) that made it. Any other
# changelog failure (topic missing, not authorised) is the deployment's, shared by every
# record: retried, never turned into dead letters.
STATE_RECORD_ERRORS = CONTENT_ERRORS


def shorten_concurrent_transaction_retry() -> bool:
    """Make aiokafka retry a transaction's partitions after `TXN_CONCURRENT_RETRY_S` when
    the broker is still completing the producer's previous transaction; False (and the
    client's own delay kept) if this aiokafka has no such setting.

    aiokafka 0.12-0.14 keep this delay in the module constant `BACKOFF_OVERRIDE` of
    `aiokafka.producer.sender`, read at each retry; nothing else uses it. Only the wait
    between retries changes, not what is retried or when a transaction counts as done."""
    sender: Any = aiokafka.producer.sender
    if not isinstance(getattr(sender, "BACKOFF_OVERRIDE", None), float):
        log.warning("runner.txn_retry_unchanged", reason="aiokafka has no BACKOFF_OVERRIDE")
        return False
    sender.BACKOFF_OVERRIDE = TXN_CONCURRENT_RETRY_S
    return True


class RecordSendError(Exception):
    """A send on behalf of the record at `offset` failed with `cause`: one of its outcomes
    published to `topic`, or (`topic` None) the state changes of its cycle."""

    def __init__(self, offset: int, cause: BaseException, topic: str | None) -> None:
        what = "state change" if topic is None else f"send to {topic}"
        super().__init__(f"{what} failed for offset {offset}: {cause!r}")
        self.offset = offset
        self.cause = cause
        self.topic = topic


@dataclass(frozen=True, slots=True)
class _Poison:
    """Why a record cannot be committed as its stage made it: it is dead-lettered at
    `stage` instead, `reason` before the cause's own description."""

    stage: str
    reason: str
    cause: BaseException


class BatchAbortedError(Exception):
    """A cycle's transaction aborted because another cycle of the same batch failed (one
    transaction per batch): nothing about this cycle's own records."""


class CommitUncertainError(Exception):
    """`commit_transaction` failed: the broker may or may not have committed."""


@dataclass(slots=True)
class _Outcome:
    """What one committed record did, applied to metrics and logs after the commit."""

    item_key: str | None
    source: SourceRecord
    trace_id: str
    emits: Sequence[Emit]
    letter: DeadLetter | None
    seconds: float


@dataclass(slots=True)
class _Cycle:
    """One batch of one partition: its records and what each came to."""

    tp: TopicPartition
    records: list[ConsumerRecord[bytes, bytes]]
    outcomes: list[_Outcome] = field(default_factory=list)


# One send in a transaction: (input record offset, output topic or None for a state
# change, its delivery).
_Send = tuple[int, str | None, asyncio.Future[Any]]


def _outcome_seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


def _outcomes_seen(sends: Iterable[_Send]) -> None:
    """Mark how each of `sends` ends as seen. Once its transaction is given up, nobody
    awaits the rest, and those after a refused batch fail in its wake (out of sequence);
    asyncio would report each such failure as never retrieved."""
    for _, _, future in sends:
        future.add_done_callback(_outcome_seen)


class StageRunner(Generic[T]):
    """Runs one `Stage` in the worker's consumer group for that stage."""

    def __init__(
        self,
        stage: Stage[T],
        settings: Settings,
        metrics: PipelineMetrics,
        broker_ok: Callable[[], bool] = lambda: True,
        broker_topics: Callable[[], set[str]] | None = None,
    ) -> None:
        shorten_concurrent_transaction_retry()
        self.stage = stage
        self.settings = settings
        self.metrics = metrics
        self.broker_ok = broker_ok
        self.broker_topics = broker_topics
        self.topic = topic_name(settings, stage.input_topic)
        self.group_id = stage_group(settings, stage.name)
        # Compression stays off: a compressed batch can come out larger than the bytes
        # appended, and over the topic's limit (`producer_batch_bytes`).
        self._batch_bytes = producer_batch_bytes(settings)
        # The deployment's linger for every stage, else the stage's own.
        self._linger_ms = (
            stage.linger_ms if settings.batch_linger_ms is None else settings.batch_linger_ms
        )
        self._arrivals = ArrivalRate()
        self.changelog = (
            topic_name(settings, changelog_name(settings, stage.name)) if stage.stateful else None
        )
        self.deadletter_topic = topic_name(settings, DEADLETTER)
        self._source = source_name(settings.worker_id)
        self._consumer: AIOKafkaConsumer | None = None
        # The producer of each owned partition: its own (`transaction_scope` "partition"),
        # or the one every partition shares ("batch").
        self._producers: dict[TopicPartition, AIOKafkaProducer] = {}
        self._per_batch = settings.transaction_scope == "batch"
        if self._per_batch:
            send_generation_with_offsets()
        # The shared producer's transactional id: this runner's own, so that a runner
        # restarting its consumer ends what it left open; a new process cannot, and its
        # predecessor's transaction times out (`BATCH_TXN_TIMEOUT_MS`).
        self._batch_txn_id = (
            f"{settings.app_id}:{stage.name}:{settings.worker_id}:{uuid.uuid4().hex[:8]}"
        )
        self._shared_producer: AIOKafkaProducer | None = None
        # This runner's membership when it was last assigned partitions: the generation its
        # transactions' offsets claim. Taken then, never later: a consumer that finds it
        # was dropped from the group resets its own generation to -1, and the coordinator
        # checks no generation at all for -1 (the pre-KIP-447 requests' way).
        self._member: GroupMember | None = None
        # State survives rebalances as a cache: on assignment it catches up from its
        # position on the changelog, so it is right whoever wrote in between.
        self._stores: dict[int, PartitionStore] = {}
        self._lock = asyncio.Lock()
        # The last batch's transactions while they commit (see `_process`), settled under
        # the lock by whoever comes next: the next batch, an idle loop, a revocation.
        self._inflight: asyncio.Task[list[tuple[_Cycle, BaseException | None]]] | None = None
        self._committed: dict[TopicPartition, int] = {}
        self._attempts: dict[tuple[TopicPartition, int], int] = defaultdict(int)
        # Records that are dead-lettered when next read: their outcomes or state changes
        # cannot be written (see `_blame`); the stage never runs on them again.
        self._poisoned: dict[tuple[TopicPartition, int], _Poison] = {}
        # Partitions retried one record per transaction, up to this offset, after a send
        # failure that could not be pinned on one record of a batch.
        self._isolate_until: dict[TopicPartition, int] = {}
        self._needs_rejoin = False
        # Bumped whenever partitions are assigned or revoked; a batch fetched under an
        # older generation is dropped, as its positions were reset meanwhile.
        self._generation = 0
        self._stopping = asyncio.Event()
        self._failures = 0
        # Readiness: a completed assignment whose partitions all have a producer (and,
        # for a stateful stage, restored state), and no rejoin pending.
        self.joined = False
        self.started = False

    # -- lifecycle ------------------------------------------------------------------

    async def run(self) -> None:
        """Consume, process and commit until `stop`; survives broker outages by
        recreating its consumer."""
        if self.stage.started is not None:
            await self.stage.started()
        self.started = True
        while not self._stopping.is_set():
            try:
                await self._consume()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.joined = False
                log.warning("runner.restarting", stage=self.stage.name, error=repr(exc))
                await self._pause()

    def stop(self) -> None:
        """Ask `run` to return once the batch in flight is committed, its producers are
        closed and the group is left."""
        self._stopping.set()

    def ready(self) -> bool:
        """Whether the runner has joined its group and can process what it was assigned.
        An empty assignment counts only while the broker lists the input topic: then the
        group is healthy and this worker is a surplus member; otherwise the topic is
        missing from its view and the assignment is no proof of anything."""
        if not (self.started and self.joined and not self._needs_rejoin):
            return False
        return bool(self._producers) or (
            self.broker_topics is None or self.topic in self.broker_topics()
        )

    def offsets(self) -> tuple[Offsets, Offsets]:
        """(end offsets, committed offsets) of the assigned input partitions, for lag."""
        consumer = self._consumer
        ends: dict[tuple[str, int], int] = {}
        if consumer is not None:
            for tp in list(self._producers):
                with contextlib.suppress(Exception):
                    end = consumer.highwater(tp)
                    if end is not None:
                        ends[(tp.topic, tp.partition)] = end
        done = {(tp.topic, tp.partition): off for tp, off in self._committed.items()}
        return ends, done

    # -- the loop -------------------------------------------------------------------

    async def _consume(self) -> None:
        consumer = AIOKafkaConsumer(
            **client_options(self.settings),
            group_id=self.group_id,
            client_id=f"{self.settings.worker_id}-{self.stage.name}",
            isolation_level="read_committed",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=int(self.settings.session_timeout_s * 1000),
            heartbeat_interval_ms=int(self.settings.heartbeat_interval_s * 1000),
            rebalance_timeout_ms=int(self.settings.session_timeout_s * 2000),
            max_partition_fetch_bytes=producer_max_bytes(self.settings),
        )
        self._needs_rejoin = False
        consumer.subscribe([self.topic], listener=_Listener(self))
        self._consumer = consumer
        await consumer.start()
        try:
            while not self._stopping.is_set():
                if self._needs_rejoin:
                    raise RuntimeError("partition assignment incomplete; joining again")
                generation = self._generation
                batch = await self._take(consumer)
                if not batch:
                    if self._inflight is not None:
                        async with self._lock:
                            failed = await self._settle_inflight(consumer)
                        if failed:
                            await self._pause()
                    continue
                async with self._lock:
                    if generation != self._generation:
                        # Partitions were assigned meanwhile and positions set anew; the
                        # batch may predate that (processing it would repeat what is read
                        # again) or follow it (dropping it alone would skip it). Drop it
                        # and read on from each partition's committed offset.
                        self._rewind(consumer, batch)
                        continue
                    failed = await self._process(consumer, batch)
                if failed:
                    await self._pause()
                else:
                    self._failures = 0
        finally:
            self.joined = False
            async with self._lock:
                await self._settle_inflight(consumer)
                await self._close_producers()
            self._consumer = None
            await consumer.stop()

    async def _take(
        self, consumer: AIOKafkaConsumer
    ) -> dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]:
        """What is waiting, up to the batch size, and what arrives within the linger (the
        deployment's `batch_linger_ms`, else the stage's own) after the first record, if
        the linger pays (`_lingers`); with no linger, waits longer only while more arrives."""
        size = self.stage.batch_size
        batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]] = await consumer.getmany(
            timeout_ms=IDLE_WAIT_MS, max_records=size
        )
        taken = sum(len(records) for records in batch.values())
        linger_ms = self._linger_ms if self._lingers() else 0.0
        linger_ends = time.monotonic() + linger_ms / 1000
        while 0 < taken < size and not self._stopping.is_set():
            left_ms = int((linger_ends - time.monotonic()) * 1000)
            more = await consumer.getmany(
                timeout_ms=max(MORE_WAIT_MS, min(left_ms, LINGER_STEP_MS)),
                max_records=size - taken,
            )
            if not more:
                if left_ms <= MORE_WAIT_MS:
                    break
                continue
            for tp, records in more.items():
                batch.setdefault(tp, []).extend(records)
                taken += len(records)
        return batch

    def _lingers(self) -> bool:
        """Whether a batch should linger: only under load, when the runner committed
        `LINGER_FROM_PER_S` records a second or more lately; and not while a partition is
        retried a record at a time to find the one that fails (the linger would be paid
        per record, and the batch is cut to one record anyway)."""
        if self._linger_ms <= 0 or self._isolate_until:
            return False
        return self._arrivals.per_second() >= LINGER_FROM_PER_S

    async def _pause(self) -> None:
        self._failures += 1
        delay = min(BACKOFF_MAX_S, 0.1 * 2 ** min(self._failures, 6))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), delay)

    # -- one batch ------------------------------------------------------------------

    async def _process(
        self,
        consumer: AIOKafkaConsumer,
        batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
    ) -> bool:
        """Process `batch` and start committing it (one transaction per partition, or one
        for the batch: `transaction_scope`) once the last batch's transactions ended (a
        stateful stage's batch is committed before this returns); True if any of those
        failed (this batch is then read again)."""
        cycles = [
            _Cycle(tp, self._isolated(consumer, tp, records))
            for tp, records in (
                # Never a record before the committed offset: it is done already.
                (tp, [r for r in records if r.offset >= self._committed.get(tp, 0)])
                for tp, records in batch.items()
            )
            if records and tp in self._producers  # records of a partition released meanwhile
        ]
        if not cycles:
            return False
        for tp in batch:
            if tp not in self._producers and tp in consumer.assignment():
                self._needs_rejoin = True
        if self._per_batch and self._isolate_until:
            cycles = self._one_cycle(consumer, cycles)
        if self.stage.stateful:
            for cycle in cycles:
                await self._run_stage([cycle], self._stores[cycle.tp.partition])
        else:
            # Meanwhile the last batch's transactions may still be committing.
            await self._run_stage(cycles, None)
        if await self._settle_inflight(consumer):
            # Processed after positions that were since reset: read again, unpublished.
            self._rewind(consumer, batch)
            return True
        self._inflight = asyncio.ensure_future(self._commit_all(consumer, cycles))
        if self.stage.stateful or not self.settings.overlap_commits:
            return await self._settle_inflight(consumer)
        return False

    async def _commit_all(
        self, consumer: AIOKafkaConsumer, cycles: list[_Cycle]
    ) -> list[tuple[_Cycle, BaseException | None]]:
        """Commit each cycle's transaction, concurrently (or all cycles in one transaction,
        `transaction_scope` "batch"); what failed, per cycle."""
        if self._per_batch:
            return await self._commit_batch(cycles)
        results = await asyncio.gather(
            *(self._commit(consumer, cycle) for cycle in cycles), return_exceptions=True
        )
        return [
            (cycle, result if isinstance(result, BaseException) else None)
            for cycle, result in zip(cycles, results, strict=True)
        ]

    async def _settle_inflight(self, consumer: AIOKafkaConsumer | None) -> bool:
        """Wait for the transactions in flight to end, then report what committed and
        undo what failed (`_recover`); True if any failed. Called under the lock."""
        inflight, self._inflight = self._inflight, None
        if inflight is None:
            return False
        results = await inflight
        failed = [(cycle, error) for cycle, error in results if error is not None]
        for cycle, error in results:
            if error is None:
                self._report(cycle)
        if self._per_batch and failed:
            await self._recover_batch(consumer, failed)
        else:
            for cycle, error in failed:
                await self._recover(consumer, cycle, error)
        return bool(failed)

    def _rewind(
        self,
        consumer: AIOKafkaConsumer,
        batch: dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]],
    ) -> None:
        """Set each owned partition of `batch` back to its committed offset: the next
        record it must process."""
        for tp in batch:
            if tp in self._producers and tp in self._committed and tp in consumer.assignment():
                consumer.seek(tp, self._committed[tp])

    def _one_cycle(self, consumer: AIOKafkaConsumer, cycles: list[_Cycle]) -> list[_Cycle]:
        """While a failure is being pinned on one record (`transaction_scope` "batch"), only
        one cycle of one record goes into a transaction: a refused producer batch can hold
        records of several input partitions, so a transaction of any more could not tell
        whose record was refused. The first partition being retried is kept; the others are
        read again."""
        keep = next((c for c in cycles if c.tp in self._isolate_until), cycles[0])
        if len(keep.records) > 1:
            consumer.seek(keep.tp, keep.records[1].offset)
            keep.records = keep.records[:1]
        for cycle in cycles:
            if cycle is not keep:
                consumer.seek(cycle.tp, cycle.records[0].offset)
        return [keep]

    def _isolated(
        self,
        consumer: AIOKafkaConsumer,
        tp: TopicPartition,
        records: list[ConsumerRecord[bytes, bytes]],
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """The records to process now: all of them, or only the first while the partition
        is retried a record at a time (the rest are read again)."""
        until = self._isolate_until.get(tp)
        if until is None or records[0].offset > until or len(records) == 1:
            return records
        consumer.seek(tp, records[1].offset)
        return records[:1]

    async def _run_stage(self, cycles: list[_Cycle], store: PartitionStore | None) -> None:
        """Decode every record of `cycles` and run the stage on those that decoded."""
        pending: list[tuple[_Cycle, Item[T]]] = []
        for cycle in cycles:
            for record in cycle.records:
                source = SourceRecord(record.topic, record.partition, record.offset, record.key)
                trace_id = trace_id_of(record.headers) or new_trace_id()
                original = record.value or b""
                poisoned = self._poisoned.get((cycle.tp, record.offset))
                if poisoned is not None:
                    cycle.outcomes.append(
                        self._poisoned_outcome(source, trace_id, original, poisoned)
                    )
                    continue
                try:
                    value = self.stage.decode(original)
                except Exception as exc:
                    cycle.outcomes.append(
                        self._dead(source, trace_id, original, self.stage.fail_stage, exc)
                    )
                    continue
                pending.append((cycle, Item(source, original, value, trace_id)))
                cycle.outcomes.append(_Outcome(None, source, trace_id, (), None, 0.0))
        results = await self._handle([item for _, item in pending], store)
        placed = {(c.tp, o.source.offset): (c, i) for c in cycles for i, o in enumerate(c.outcomes)}
        for (cycle, item), (result, seconds) in zip(pending, results, strict=True):
            _, index = placed[(cycle.tp, item.source.offset)]
            if isinstance(result, DeadLetter):
                cycle.outcomes[index] = _Outcome(
                    item.key, item.source, item.trace_id, (), result, seconds
                )
            else:
                cycle.outcomes[index] = _Outcome(
                    item.key, item.source, item.trace_id, tuple(result), None, seconds
                )

    async def _handle(
        self, items: list[Item[T]], store: PartitionStore | None
    ) -> list[tuple[Result, float]]:
        """The stage's result for each item (and seconds spent per item); a batch that
        raises is undone and retried one item at a time, so only the items that fail on
        their own become dead letters."""
        if not items:
            return []
        if store is not None:
            store.begin_batch()
        started = time.perf_counter()
        try:
            results = _checked(await self.stage.handle(items, store), len(items))
        except Exception as exc:
            if store is not None:
                store.end_batch(keep=False)
            if len(items) == 1:
                [item] = items
                letter = self._letter(item.source, item.original, self.stage.fail_stage, exc)
                return [(letter, time.perf_counter() - started)]
            log.warning(
                "stage.batch_failed", stage=self.stage.name, size=len(items), error=repr(exc)
            )
            return [pair for item in items for pair in await self._handle([item], store)]
        if store is not None:
            store.end_batch(keep=True)
        per_item = (time.perf_counter() - started) / len(items)
        return [(result, per_item) for result in results]

    def _letter(
        self, source: SourceRecord, original: bytes, stage: str, exc: BaseException
    ) -> DeadLetter:
        key = None if source.key is None else source.key.decode(errors="replace")
        return dead_letter(
            stage, exc, original, source=source, worker_id=self.settings.worker_id, article_id=key
        )

    def _poisoned_outcome(
        self, source: SourceRecord, trace_id: str, original: bytes, poison: _Poison
    ) -> _Outcome:
        outcome = self._dead(source, trace_id, original, poison.stage, poison.cause)
        assert outcome.letter is not None  # noqa: S101 - _dead always makes a letter
        reason = f"{poison.reason}: {outcome.letter.error}"
        outcome.letter = outcome.letter.model_copy(update={"error": reason})
        return outcome

    def _dead(
        self,
        source: SourceRecord,
        trace_id: str,
        original: bytes,
        stage: str,
        exc: BaseException,
    ) -> _Outcome:
        letter = self._letter(source, original, stage, exc)
        key = None if source.key is None else source.key.decode(errors="replace")
        return _Outcome(key, source, trace_id, (), letter, 0.0)

    # -- the transaction ------------------------------------------------------------

    def _events(self, outcome: _Outcome) -> list[Emit]:
        if outcome.letter is None:
            return list(outcome.emits)
        letter = outcome.letter
        key = (
            letter.article_id or (letter.original_key or b"").decode(errors="replace") or "unknown"
        )
        return [Emit(self.deadletter_topic, key, letter, "dead_letter")]

    async def _commit(self, consumer: AIOKafkaConsumer, cycle: _Cycle) -> None:
        """Publish the cycle's outcomes and state changes and commit its offsets, in one
        transaction on the partition's producer; raises if any of it failed."""
        producer = self._producers[cycle.tp]
        store = self._store_of(cycle)
        sends: list[_Send] = []
        try:
            await producer.begin_transaction()
            await self._publish(producer, cycle, store, sends)
            last_changelog = await self._delivered(sends)
            next_offset = cycle.records[-1].offset + 1
            await producer.send_offsets_to_transaction({cycle.tp: next_offset}, self.group_id)
            await _end_transaction(producer)
        except BaseException:
            _outcomes_seen(sends)
            raise
        self._settle(cycle, next_offset, store, last_changelog)

    async def _commit_batch(
        self, cycles: list[_Cycle]
    ) -> list[tuple[_Cycle, BaseException | None]]:
        """Publish every cycle's outcomes and state changes and commit all their offsets in
        one transaction on the shared producer, the offsets carrying this member's
        generation (refused once the group moved on); what failed, per cycle: a record's
        own failure for its cycle, `BatchAbortedError` for the others."""
        producer, member = self._shared_producer, self._member
        if producer is None:
            lost: Exception = RuntimeError("no producer: the partitions are being taken over")
            return [(cycle, lost) for cycle in cycles]
        if member is None or member.generation_id < 0:
            lost = GroupMovedOnError(f"no generation of {self.group_id} to commit under")
            return [(cycle, lost) for cycle in cycles]
        current: _Cycle | None = None
        published: list[list[_Send]] = []
        try:
            await producer.begin_transaction()
            for cycle in cycles:
                current = cycle
                published.append([])
                await self._publish(producer, cycle, self._store_of(cycle), published[-1])
            last_changelogs = []
            for cycle, sends in zip(cycles, published, strict=True):
                current = cycle
                last_changelogs.append(await self._delivered(sends))
            current = None
            offsets = {cycle.tp: cycle.records[-1].offset + 1 for cycle in cycles}
            await producer.send_offsets_to_transaction(offsets, member)
            await _end_transaction(producer)
        except BaseException as exc:
            # Cancelled or failed, nobody awaits the sends any more (as in `_commit`).
            _outcomes_seen(send for sends in published for send in sends)
            if not isinstance(exc, Exception):
                raise
            if not isinstance(exc, RecordSendError):
                return [(cycle, exc) for cycle in cycles]
            aborted = BatchAbortedError(f"aborted with its batch: {exc.cause!r}")
            return [(cycle, exc if cycle is current else aborted) for cycle in cycles]
        for cycle, last_changelog in zip(cycles, last_changelogs, strict=True):
            self._settle(cycle, offsets[cycle.tp], self._store_of(cycle), last_changelog)
        return [(cycle, None) for cycle in cycles]

    def _store_of(self, cycle: _Cycle) -> PartitionStore | None:
        return self._stores.get(cycle.tp.partition) if self.stage.stateful else None

    async def _publish(
        self,
        producer: AIOKafkaProducer,
        cycle: _Cycle,
        store: PartitionStore | None,
        sends: list[_Send],
    ) -> None:
        """Send the cycle's outcomes and state changes in the open transaction, each send
        added to `sends` as it goes (so a caller still has those made before a failure)."""
        for outcome in cycle.outcomes:
            offset = outcome.source.offset
            assert offset is not None  # noqa: S101 - records read from Kafka have offsets
            for emit in self._events(outcome):
                try:
                    headers = cloudevent_headers(
                        emit.model,
                        event_id=f"{emit.key}:{type(emit.model).__name__}",
                        source=self._source,
                        trace_id=outcome.trace_id,
                    )
                    body = encode(emit.model)
                except Exception as exc:  # an event that cannot be encoded is about its record
                    raise RecordSendError(offset, exc, emit.topic) from exc
                try:
                    future = await producer.send(
                        emit.topic, body, key=emit.key.encode(), headers=headers
                    )
                except KafkaError as exc:
                    raise RecordSendError(offset, exc, emit.topic) from exc
                sends.append((offset, emit.topic, future))
        if store is not None and self.changelog is not None:
            # The changes of a cycle are merged per key, so a refused one is blamed on the
            # cycle's last record: alone in its cycle, that is the record that made it;
            # in a batch, `_blame` retries the partition a record at a time to find it.
            blamed = cycle.records[-1].offset
            for key, value in store.changes().items():
                try:
                    future = await producer.send(
                        self.changelog, value, key=key, partition=cycle.tp.partition
                    )
                except STATE_RECORD_ERRORS as exc:
                    raise RecordSendError(blamed, exc, None) from exc
                sends.append((blamed, None, future))

    async def _delivered(self, sends: list[_Send]) -> int | None:
        """Wait until the broker confirmed each send; the offset of the last state change
        written (None: none). A refused send raises `RecordSendError` for its record."""
        last_changelog: int | None = None
        for offset, topic, future in sends:
            try:
                metadata = await future
            except KafkaError as exc:
                if topic is None and not isinstance(exc, STATE_RECORD_ERRORS):
                    raise
                raise RecordSendError(offset, exc, topic) from exc
            if topic is None:
                last_changelog = metadata.offset
        return last_changelog

    def _settle(
        self,
        cycle: _Cycle,
        next_offset: int,
        store: PartitionStore | None,
        last_changelog: int | None,
    ) -> None:
        """Bookkeeping once the cycle's transaction committed."""
        self._committed[cycle.tp] = next_offset
        if self._linger_ms > 0:
            # Committed, not taken: records read again (a rewind, a retry) count once.
            self._arrivals.add(len(cycle.records))
        if store is not None:
            store.commit(None if last_changelog is None else last_changelog + 1)
        for record in cycle.records:
            self._attempts.pop((cycle.tp, record.offset), None)
            self._poisoned.pop((cycle.tp, record.offset), None)
        if self._isolate_until.get(cycle.tp, next_offset) < next_offset:
            del self._isolate_until[cycle.tp]

    async def _recover(
        self, consumer: AIOKafkaConsumer | None, cycle: _Cycle, exc: BaseException
    ) -> None:
        """Undo a failed cycle: end its transaction with a new producer, drop its state
        changes, read its records again from the committed offset; a record whose own send
        cannot succeed is dead-lettered next time."""
        tp = cycle.tp
        cause = self._undo(cycle, exc)
        # Another worker has the partition: whether it comes back is for the group.
        lost = isinstance(cause, LOST_OWNERSHIP)
        await self._start_again(consumer, self._producers.pop(tp, None), {tp}, lost=lost)

    async def _recover_batch(
        self, consumer: AIOKafkaConsumer | None, failed: list[tuple[_Cycle, BaseException]]
    ) -> None:
        """Undo a batch whose one transaction failed: its cycles' state changes dropped, the
        shared producer replaced (a new one under the same transactional id ends the open
        transaction), every cycle's partition read again from its stable committed offset;
        a record whose own send cannot succeed is dead-lettered next time."""
        cycles = [cycle for cycle, _ in failed]
        causes = [
            self._undo(cycle, exc, [other for other in cycles if other is not cycle])
            for cycle, exc in failed
        ]
        producer, self._shared_producer = self._shared_producer, None
        # The shared producer's id is this runner's alone: a fenced producer means the broker
        # timed out our own transaction, not that another worker took the partitions.
        lost = any(isinstance(cause, GroupMovedOnError) for cause in causes)
        await self._start_again(consumer, producer, {cycle.tp for cycle in cycles}, lost=lost)

    async def _start_again(
        self,
        consumer: AIOKafkaConsumer | None,
        spent: AIOKafkaProducer | None,
        tps: set[TopicPartition],
        *,
        lost: bool,
    ) -> None:
        """After a failed transaction: stop `spent`, then take `tps` over again (a new
        producer, the committed offsets) unless they are `lost` to another member, in which
        case, or if taking over fails, the runner joins its group again."""
        if spent is not None:
            # Never reuse a producer a send failed on: its sequence numbers are spent (the
            # next sends fail with OutOfOrderSequenceNumber). A new one under the same
            # transactional id ends the open transaction, committed or not, and the
            # partitions start again from what the broker says, as a new owner would.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(spent.stop(), 30)
        if lost:
            self._needs_rejoin = True
            return
        try:
            await self._take_over(consumer, tps)
        except Exception as again:
            log.warning("runner.take_over_failed", stage=self.stage.name, error=repr(again))
            for tp in tps:
                self._producers.pop(tp, None)
            self._needs_rejoin = True

    def _undo(
        self, cycle: _Cycle, exc: BaseException, others: Sequence[_Cycle] = ()
    ) -> BaseException:
        """Log a cycle's aborted transaction, blame a record that caused it (`others`: the
        cycles that shared its transaction), drop the cycle's state changes; returns the
        cause."""
        cause = exc.cause if isinstance(exc, RecordSendError) else exc
        log.warning(
            "runner.transaction_aborted",
            stage=self.stage.name,
            topic=cycle.tp.topic,
            partition=cycle.tp.partition,
            records=len(cycle.records),
            error=repr(cause),
        )
        if isinstance(exc, RecordSendError):
            self._blame(cycle, exc, others)
        if self.stage.stateful:
            self._stores[cycle.tp.partition].abort()
        return cause

    def _blame(self, cycle: _Cycle, error: RecordSendError, others: Sequence[_Cycle] = ()) -> None:
        """Count a failed send against the record it was for; a record whose outcome cannot
        be published (too large, topic refused) or whose state change the changelog refuses
        (too large) is dead-lettered at its next attempt, its state changes discarded (the
        stage does not run on it again). In a batch, sends fail together: the partition
        (and the `others` that shared its transaction) is then retried a record at a time,
        so the failure lands on the one record it is about and the rest of the batch gets
        its outcomes."""
        key = (cycle.tp, error.offset)
        self._attempts[key] += 1
        cause = error.cause
        if error.topic is None:
            per_record = isinstance(cause, STATE_RECORD_ERRORS)
            stuck = False  # a changelog that keeps failing is everyone's problem
        else:
            # An outcome that could not even be encoded is the record's own problem too.
            per_record = isinstance(cause, RECORD_ERRORS) or not isinstance(cause, KafkaError)
            retriable = isinstance(cause, KafkaError) and cause.retriable
            stuck = retriable and self._attempts[key] >= PUBLISH_ATTEMPTS and self.broker_ok()
            if error.topic not in self.stage.optional_topics and (
                stuck or isinstance(cause, TOPIC_ERRORS)
            ):
                # A topic every record goes to is missing or refused: the deployment's.
                per_record = stuck = False
        if not (per_record or stuck):
            return
        if len(cycle.records) > 1 or others:
            for shared in (cycle, *others):
                self._isolate_until[shared.tp] = shared.records[-1].offset
        elif error.topic is None:
            reason = f"its state change could not be written to {self.changelog}"
            self._poisoned[key] = _Poison(self.stage.fail_stage, reason, cause)
        else:
            reason = f"its outcome could not be published to {error.topic}"
            self._poisoned[key] = _Poison("publish", reason, cause)

    def _report(self, cycle: _Cycle) -> None:
        """Metrics and logs of a committed cycle (never of an aborted one)."""
        metrics = self.metrics
        now = utcnow()
        for outcome in cycle.outcomes:
            metrics.record_in(self.stage.name)
            source = outcome.source
            context = {
                "article_id": outcome.item_key
                or (None if source.key is None else source.key.decode(errors="replace")),
                "topic": source.topic,
                "partition": source.partition,
                "offset": source.offset,
                "trace_id": outcome.trace_id,
            }
            with bound_contextvars(**context):
                if outcome.letter is not None:
                    letter = outcome.letter
                    metrics.record_out(self.stage.name, "dead_letter")
                    log.warning(
                        "article.dead_lettered",
                        stage=letter.stage,
                        reason=letter.error,
                        error_type=letter.error_type,
                    )
                    continue
                for emit in outcome.emits:
                    metrics.record_out(
                        self.stage.name,
                        emit.outcome,
                        outcome.seconds if emit.outcome != "routed" else None,
                    )
                    if emit.fetched_at is not None:
                        metrics.record_delivered(emit.fetched_at, now)
                    if emit.log is not None:
                        event = f"article.{emit.outcome}"  # e.g. article.enriched
                        log.info(event, **emit.log)
                if self.stage.committed is not None:
                    self.stage.committed(outcome.emits)

    # -- partitions coming and going --------------------------------------------------

    async def _assigned(self, assigned: set[TopicPartition]) -> None:
        consumer = self._consumer
        try:
            async with self._lock:
                try:
                    if consumer is not None:
                        self._member = group_member(consumer, self.group_id)
                    await self._take_over(consumer, assigned)
                finally:
                    self._generation += 1
            self.joined = True
            log.info(
                "runner.assigned",
                stage=self.stage.name,
                partitions=sorted(tp.partition for tp in assigned),
            )
        except Exception as exc:
            log.warning("runner.assignment_failed", stage=self.stage.name, error=repr(exc))
            self._needs_rejoin = True

    async def _take_over(
        self, consumer: AIOKafkaConsumer | None, assigned: set[TopicPartition]
    ) -> None:
        """Make the newly assigned partitions ours: fence, restore, seek to committed."""
        if self._per_batch:
            await self._take_over_batch(consumer, assigned)
            return
        for tp in sorted(assigned, key=lambda t: t.partition):
            # The producer first: initialising it under the partition's transactional id
            # fences a previous owner and ends its open transaction, so the offsets and
            # changelog read next are final.
            self._producers[tp] = await self._new_producer(
                f"{self.settings.app_id}:{tp.topic}:{tp.partition}", str(tp.partition)
            )
            if self.stage.stateful:
                await self._restore(tp.partition)
            if consumer is not None:
                await self._start_at(consumer, tp, await consumer.committed(tp))

    async def _take_over_batch(
        self, consumer: AIOKafkaConsumer | None, assigned: set[TopicPartition]
    ) -> None:
        """`_take_over` with one producer for every partition: the offsets are read once
        stable (a previous owner's transaction that commits them has ended: nothing it
        wrote can still become visible), then state is restored and positions set."""
        producer = self._shared_producer
        if producer is None:
            # Initialising it under this runner's id ends whatever the runner left open.
            producer = await self._new_producer(self._batch_txn_id, "batch")
            self._shared_producer = producer
            for owned in self._producers:
                self._producers[owned] = producer
        committed = (
            {} if consumer is None else await stable_committed(consumer, self.group_id, assigned)
        )
        for tp in sorted(assigned, key=lambda t: t.partition):
            self._producers[tp] = producer
            if self.stage.stateful:
                await self._restore(tp.partition)
            if consumer is not None:
                await self._start_at(consumer, tp, committed[tp])

    async def _start_at(
        self, consumer: AIOKafkaConsumer, tp: TopicPartition, committed: int | None
    ) -> None:
        """Read `tp` on from its committed offset (from the start when none is)."""
        if committed is None:
            await consumer.seek_to_beginning(tp)
        else:
            consumer.seek(tp, committed)
        self._committed[tp] = committed or 0

    async def _revoked(self, revoked: set[TopicPartition]) -> None:
        self.joined = False
        async with self._lock:
            self._generation += 1
            await self._settle_inflight(self._consumer)
            await self._close_producers()

    async def _close_producers(self) -> None:
        producers, self._producers = self._producers, {}
        shared, self._shared_producer = self._shared_producer, None
        self._member = None
        self._committed.clear()
        # A mark left for a partition this runner no longer commits would never be cleared
        # by `_settle`, and would keep every later batch at one record (batch scope). If the
        # partition comes back, its bad record is pinned again at the cost of one batch.
        self._isolate_until.clear()
        distinct = {id(p): p for p in [*producers.values(), *([shared] if shared else [])]}
        for producer in distinct.values():
            with contextlib.suppress(Exception):
                await producer.stop()

    async def _new_producer(self, transactional_id: str, name: str) -> AIOKafkaProducer:
        timeout = {"transaction_timeout_ms": BATCH_TXN_TIMEOUT_MS} if self._per_batch else {}
        producer = AIOKafkaProducer(
            **client_options(self.settings),
            client_id=f"{self.settings.worker_id}-{self.stage.name}-{name}",
            transactional_id=transactional_id,
            acks="all",
            enable_idempotence=True,
            max_request_size=producer_max_bytes(self.settings),
            # aiokafka's default (16 KiB) split a transaction's outputs to one partition
            # into several batches, and a partition has one batch in flight at a time:
            # 2.3 produce requests, one after another, per transaction at 60 articles/s;
            # 16 for 64 events of 4 KB (docs/performance.md, "Whole batches").
            max_batch_size=self._batch_bytes,
            linger_ms=0,
            **timeout,
        )
        try:
            await producer.start()
        except BaseException:
            with contextlib.suppress(Exception):
                await producer.stop()
            raise
        return producer

    async def _restore(self, partition: int) -> None:
        """Bring the partition's store up to the changelog's committed end."""
        assert self.changelog is not None  # noqa: S101 - stateful stages have one
        store = self._stores.setdefault(partition, PartitionStore())
        store.abort()
        tp = TopicPartition(self.changelog, partition)
        reader = AIOKafkaConsumer(
            **client_options(self.settings),
            isolation_level="read_committed",
            enable_auto_commit=False,
            client_id=f"{self.settings.worker_id}-{self.stage.name}-restore",
        )
        await reader.start()
        try:
            reader.assign([tp])
            end = (await reader.end_offsets([tp]))[tp]
            start = (await reader.beginning_offsets([tp]))[tp]
            if store.position < start:
                # Compaction removed what the cache was built on: start again.
                self._stores[partition] = store = PartitionStore()
            reader.seek(tp, max(store.position, start))
            restored = 0
            while await reader.position(tp) < end:
                for records in (await reader.getmany(tp, timeout_ms=1000)).values():
                    for record in records:
                        if record.key is not None:
                            store.restore(record.key, record.value, record.offset)
                            restored += 1
            store.position = max(store.position, end)
            log.info(
                "runner.state_restored",
                stage=self.stage.name,
                partition=partition,
                records=restored,
                entries=len(store),
            )
        finally:
            await reader.stop()


async def _end_transaction(producer: AIOKafkaProducer) -> None:
    """Commit the producer's open transaction; a failure here leaves it unknown whether
    the broker committed it (`CommitUncertainError`)."""
    try:
        await producer.commit_transaction()
    except Exception as exc:
        raise CommitUncertainError(repr(exc)) from exc


def _checked(results: Sequence[Result], expected: int) -> Sequence[Result]:
    if len(results) != expected:
        raise RuntimeError(f"stage returned {len(results)} results for {expected} items")
    return results


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    """Routes the consumer's rebalance callbacks to the runner."""

    def __init__(self, runner: StageRunner[Any]) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Finish the batch in flight, then release the partitions' producers."""
        await self.runner._revoked(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        """Fence previous owners, restore state, start from the committed offsets."""
        await self.runner._assigned(assigned)
