"""Fencing by the consumer group's generation (KIP-447), which aiokafka 0.14 does not send.

With one transactional producer per stage and worker (not per input partition), a worker
that lost partitions in a rebalance but does not know it yet (a zombie) is not fenced by
anyone initialising its transactional id. Kafka's answer is to check, when a transaction
commits the input offsets, that the committer is still a member of the group's current
generation: TxnOffsetCommit v3 carries the member id and generation, and the group
coordinator refuses it (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID) once the group has moved on,
so the zombie's transaction can only abort. The new owner in turn reads the committed
offsets with OffsetFetch v7's `require_stable`: while a transaction that commits offsets of
the partition is still open, the coordinator answers UNSTABLE_OFFSET_COMMIT, and the new
owner asks again until that transaction has ended (committed or aborted), so it never
starts from an offset that is about to move.

aiokafka sends TxnOffsetCommit v0 and OffsetFetch up to v3. This module defines the two
newer request versions and teaches aiokafka's transaction sender to use v3 when the group
id it is given carries the member's generation (`GroupMember`); everything else, and every
other caller, is left as aiokafka does it.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from typing import Any, ClassVar

import aiokafka.producer.sender as sender_module
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.client import ConnectionGroup
from aiokafka.errors import (
    CoordinatorNotAvailableError,
    IllegalGenerationError,
    KafkaError,
    NotCoordinatorError,
    UnknownMemberIdError,
    for_code,
)
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    Boolean,
    CompactArray,
    CompactString,
    Int16,
    Int32,
    Int64,
    Schema,
    TaggedFields,
)

UNSTABLE_OFFSET_COMMIT = 88
# The coordinator is elsewhere or gone: look it up again (loading, it is only asked again).
_MOVED = (NotCoordinatorError, CoordinatorNotAvailableError)
# How often a new owner asks again while a transaction still holds its offsets. The
# transaction ends within a commit's time, or at the producer's transaction timeout when
# its owner died: `STABLE_WAIT_S` is well above that timeout.
STABLE_RETRY_S = 0.05
STABLE_WAIT_S = 120.0
# The group moved on: this member's offsets commit is refused, so its transaction must abort.
_GENERATION_ERRORS = (IllegalGenerationError, UnknownMemberIdError)


class GroupMovedOnError(KafkaError):  # type: ignore[misc]
    """The group coordinator refused a transaction's offsets: its member is no longer in
    the group's current generation (a rebalance moved on without it). The transaction
    cannot commit; whoever owns the partitions now processes them."""


class GroupMember(str):
    """A consumer group id that also carries this member's id and generation, for
    TxnOffsetCommit v3. It is a `str` (the group id) so that aiokafka's producer passes it
    through `send_offsets_to_transaction` unchanged."""

    generation_id: int
    member_id: str

    def __new__(cls, group_id: str, generation_id: int, member_id: str) -> GroupMember:
        """The group id `group_id`, as member `member_id` of generation `generation_id`."""
        value = super().__new__(cls, group_id)
        value.generation_id = generation_id
        value.member_id = member_id
        return value


def group_member(consumer: AIOKafkaConsumer, group_id: str) -> GroupMember:
    """`consumer`'s membership of `group_id` now (its coordinator's member id and
    generation; -1 and "" before it has joined)."""
    coordinator: Any = consumer._coordinator  # aiokafka keeps the membership there
    try:
        generation, member_id = coordinator.generation, coordinator.member_id
    except AttributeError as exc:
        # Quietly sending -1 would turn off the very check this module exists for.
        raise RuntimeError("this aiokafka keeps no group generation where expected") from exc
    return GroupMember(group_id, int(generation), str(member_id or ""))


# -- TxnOffsetCommit v3 ------------------------------------------------------------------

_ERROR = ("error_code", Int16)


def _per_partition(topic: str, partitions: str, *fields: tuple[str, Any]) -> Any:
    """A flexible request's or response's list of topics (named `topic`), each with its list
    (named `partitions`) of per-partition `fields`; both lists end their entries with
    tagged fields, as every struct of a flexible version does."""
    return CompactArray(
        (topic, CompactString("utf-8")),
        (partitions, CompactArray(*fields, ("tags", TaggedFields))),
        ("tags", TaggedFields),
    )


class TxnOffsetCommitResponseV3(Response):  # type: ignore[misc]
    """TxnOffsetCommit v3's response; field names as aiokafka's v0 (`errors`), so its
    handler reads both."""

    API_KEY = 28
    API_VERSION = 3
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        ("errors", _per_partition("topic", "partition_errors", ("partition", Int32), _ERROR)),
        ("tags", TaggedFields),
    )


class TxnOffsetCommitRequestV3(RequestStruct):  # type: ignore[misc]
    """TxnOffsetCommit v3 (Kafka 2.5+): the v0 fields, the committed leader epoch (v2), and
    the member's generation, member id and group instance id (v3); flexible encoding."""

    FLEXIBLE_VERSION: ClassVar[bool] = True
    API_KEY = 28
    API_VERSION = 3
    RESPONSE_TYPE = TxnOffsetCommitResponseV3
    SCHEMA = Schema(
        ("transactional_id", CompactString("utf-8")),
        ("group_id", CompactString("utf-8")),
        ("producer_id", Int64),
        ("producer_epoch", Int16),
        ("generation_id", Int32),
        ("member_id", CompactString("utf-8")),
        ("group_instance_id", CompactString("utf-8")),
        (
            "topics",
            _per_partition(
                "name",
                "partitions",
                ("partition_index", Int32),
                ("committed_offset", Int64),
                ("committed_leader_epoch", Int32),
                ("committed_metadata", CompactString("utf-8")),
            ),
        ),
        ("tags", TaggedFields),
    )


class GenerationFencedTxnOffsetCommit(Request[TxnOffsetCommitRequestV3]):  # type: ignore[misc]
    """A TxnOffsetCommit that only a broker with v3 can take (Kafka 2.5 and later)."""

    API_KEY = 28

    def __init__(
        self,
        transactional_id: str,
        member: GroupMember,
        producer_id: int,
        producer_epoch: int,
        offsets: dict[str, list[tuple[int, int, str]]],
    ) -> None:
        self._fields = (transactional_id, member, producer_id, producer_epoch)
        self._offsets = offsets

    def build(
        self, request_struct_class: type[TxnOffsetCommitRequestV3]
    ) -> TxnOffsetCommitRequestV3:
        """The v3 request: offsets without a leader epoch (-1), no group instance id."""
        transactional_id, member, producer_id, producer_epoch = self._fields
        topics: list[Any] = [
            (
                topic,
                [(partition, offset, -1, metadata, {}) for partition, offset, metadata in parts],
                {},
            )
            for topic, parts in self._offsets.items()
        ]
        return request_struct_class(
            transactional_id,
            str(member),
            producer_id,
            producer_epoch,
            member.generation_id,
            member.member_id,
            None,
            topics,
            {},
        )


_installed = False


def send_generation_with_offsets() -> None:
    """Make aiokafka's transaction sender commit offsets with TxnOffsetCommit v3 when the
    group id it was given is a `GroupMember`, and turn the coordinator's refusal of a stale
    member into a failed transaction (`GroupMovedOnError`, after which it can only abort)
    rather than an error that stops the producer's sender. Idempotent; other group ids are
    sent as aiokafka always sent them."""
    global _installed  # noqa: PLW0603 - one patch per process
    if _installed:
        return
    handler: Any = sender_module.TxnOffsetCommitHandler
    create_v0 = handler.create_request
    handle_v0 = handler.handle_response

    def create_request(self: Any) -> Any:
        member = self._group_id
        if not isinstance(member, GroupMember):
            return create_v0(self)
        txn_manager = self._sender._txn_manager
        offsets: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for tp, offset in sorted(self._offsets.items()):
            offsets[tp.topic].append((tp.partition, offset.offset, offset.metadata))
        return GenerationFencedTxnOffsetCommit(
            txn_manager.transactional_id,
            member,
            txn_manager.producer_id,
            txn_manager.producer_epoch,
            dict(offsets),
        )

    def handle_response(self: Any, response: Any) -> Any:
        for entry in response.errors:
            for partition_error in entry[1]:
                error = for_code(partition_error[1])
                if issubclass(error, _GENERATION_ERRORS):
                    txn_manager = self._sender._txn_manager
                    txn_manager.error_transaction(
                        GroupMovedOnError(
                            f"offsets refused for group {self._group_id}: {error.__name__}"
                        )
                    )
                    # aiokafka also leaves the error on a future that only an abort reads;
                    # a runner replaces the producer instead, and asyncio would log it as
                    # never retrieved. The caller gets it from send_offsets_to_transaction.
                    waiter = getattr(txn_manager, "_transaction_waiter", None)
                    if waiter is not None and waiter.done():
                        waiter.exception()
                    return None
        # v3's partition entries carry tagged fields after the error code; v0's handler
        # reads (partition, error_code) pairs.
        response.errors = [
            (entry[0], [(p[0], p[1]) for p in entry[1]]) for entry in response.errors
        ]
        return handle_v0(self, response)

    handler.create_request = create_request
    handler.handle_response = handle_response
    _installed = True


# -- OffsetFetch v7 ----------------------------------------------------------------------


class OffsetFetchResponseV7(Response):  # type: ignore[misc]
    """OffsetFetch v7's response."""

    API_KEY = 9
    API_VERSION = 7
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "topics",
            _per_partition(
                "name",
                "partitions",
                ("partition_index", Int32),
                ("committed_offset", Int64),
                ("committed_leader_epoch", Int32),
                ("metadata", CompactString("utf-8")),
                _ERROR,
            ),
        ),
        _ERROR,
        ("tags", TaggedFields),
    )


class OffsetFetchRequestV7(RequestStruct):  # type: ignore[misc]
    """OffsetFetch v7 (Kafka 2.5+): committed offsets, optionally only once stable."""

    FLEXIBLE_VERSION: ClassVar[bool] = True
    API_KEY = 9
    API_VERSION = 7
    RESPONSE_TYPE = OffsetFetchResponseV7
    SCHEMA = Schema(
        ("group_id", CompactString("utf-8")),
        (
            "topics",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("partition_indexes", CompactArray(Int32)),
                ("tags", TaggedFields),
            ),
        ),
        ("require_stable", Boolean),
        ("tags", TaggedFields),
    )


class StableOffsetFetch(Request[OffsetFetchRequestV7]):  # type: ignore[misc]
    """An OffsetFetch that waits out open transactions (`require_stable`)."""

    API_KEY = 9

    def __init__(self, group_id: str, partitions: dict[str, list[int]]) -> None:
        self._group_id = group_id
        self._partitions = partitions

    def build(self, request_struct_class: type[OffsetFetchRequestV7]) -> OffsetFetchRequestV7:
        """The v7 request for the given partitions, `require_stable` set."""
        topics: list[Any] = [(topic, parts, {}) for topic, parts in self._partitions.items()]
        return request_struct_class(self._group_id, topics, True, {})


class UnstableOffsetsError(KafkaError):  # type: ignore[misc]
    """Offsets stayed unstable (a transaction holding them never ended) for too long."""


async def stable_committed(
    consumer: AIOKafkaConsumer, group_id: str, partitions: set[TopicPartition]
) -> dict[TopicPartition, int | None]:
    """The committed offset of each of `partitions` in `group_id` (None: none committed),
    read only once no open transaction still commits offsets of them: asked again every
    `STABLE_RETRY_S` while the coordinator says unstable (or is moving, loading or out of
    reach), for up to `STABLE_WAIT_S`; any other refusal is raised, and so is an answer
    that leaves out a partition asked for."""
    coordinator: Any = consumer._coordinator
    client: Any = consumer._client
    by_topic: dict[str, list[int]] = defaultdict(list)
    for tp in sorted(partitions):
        by_topic[tp.topic].append(tp.partition)
    deadline = time.monotonic() + STABLE_WAIT_S
    while True:

        async def ask() -> Any:
            await coordinator.ensure_coordinator_known()
            return await client.send(
                coordinator.coordinator_id,
                StableOffsetFetch(group_id, dict(by_topic)),
                group=ConnectionGroup.COORDINATION,
            )

        try:
            # Bounded: this runs in the rebalance callback, under the runner's lock, and
            # aiokafka looks for a coordinator for as long as the consumer lives.
            response = await asyncio.wait_for(ask(), max(0.0, deadline - time.monotonic()))
        except TimeoutError as exc:
            raise UnstableOffsetsError(
                f"offsets of {sorted(partitions)} unread after {STABLE_WAIT_S:.0f}s"
            ) from exc
        except NotImplementedError as exc:  # aiokafka's word for "the broker is too old"
            raise RuntimeError(
                "NEWSWIRE_TRANSACTION_SCOPE=batch needs a broker with OffsetFetch v7 and "
                "TxnOffsetCommit v3 (Kafka 2.5 or later); use 'partition' with older ones"
            ) from exc
        except KafkaError as exc:
            if not exc.retriable or time.monotonic() > deadline:
                raise
            coordinator.coordinator_dead()
            await asyncio.sleep(STABLE_RETRY_S)
            continue
        found = _stable_offsets(response, coordinator, group_id)
        if found is not None:
            missing = partitions - set(found)
            if missing:
                # Read from the start instead, it would be processed twice.
                raise KafkaError(f"OffsetFetch answered without {sorted(missing)}")
            return found
        if time.monotonic() > deadline:
            raise UnstableOffsetsError(
                f"offsets of {sorted(partitions)} not stable after {STABLE_WAIT_S:.0f}s"
            )
        await asyncio.sleep(STABLE_RETRY_S)


def _stable_offsets(
    response: Any, coordinator: Any, group_id: str
) -> dict[TopicPartition, int | None] | None:
    """The offsets an OffsetFetch v7 `response` gives, or None when it must be asked again:
    some are still held by an open transaction, or the coordinator moved or is loading.
    Any other refusal is raised."""
    codes = [response.error_code] + [p[4] for _, parts, _ in response.topics for p in parts]
    refused = [for_code(code) for code in codes if code and code != UNSTABLE_OFFSET_COMMIT]
    if any(not error.retriable for error in refused):
        raise next(e for e in refused if not e.retriable)(f"OffsetFetch for group {group_id}")
    if refused:
        if any(error in _MOVED for error in refused):
            coordinator.coordinator_dead()  # find it again before asking again
        return None
    if UNSTABLE_OFFSET_COMMIT in codes:
        return None
    return {
        TopicPartition(topic, partition): offset if offset >= 0 else None
        for topic, parts, _ in response.topics
        for partition, offset, _epoch, _metadata, _error, _ in parts
    }
