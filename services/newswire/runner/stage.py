"""What a stage declares to the runner: its input, how to decode, how to handle a batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from newswire.models import DeadLetter
from newswire.pipeline.errors import SourceRecord

T = TypeVar("T")
# The dead-letter stages a runner may report (DeadLetter.stage).
FailStage = Literal["decode", "validate", "clean", "dedup", "tag", "story", "publish"]


@dataclass(frozen=True, slots=True)
class Item(Generic[T]):
    """One input record, decoded: where it was read, its bytes, its value, its trace."""

    source: SourceRecord
    original: bytes
    value: T
    trace_id: str

    @property
    def key(self) -> str | None:
        """The record's key as text (the article id), if it has one."""
        return None if self.source.key is None else self.source.key.decode(errors="replace")


@dataclass(frozen=True, slots=True)
class Emit:
    """One event to publish for an item: where, under which key, and what it counts as."""

    topic: str  # the broker-side topic name
    key: str
    model: BaseModel
    outcome: str  # metrics label: cleaned, unique, duplicate, enriched, routed
    log: Mapping[str, Any] | None = None  # when set, logged as `article.<outcome>` with these
    fetched_at: datetime | None = None  # when set, end-to-end latency is recorded


# What a stage made of one item: the events to publish (possibly none), or its dead letter.
Result = Sequence[Emit] | DeadLetter
State = MutableMapping[bytes, bytes]


@dataclass(frozen=True, slots=True)
class Stage(Generic[T]):
    """A stage as the runner runs it.

    `decode` turns a record's bytes into the stage's input; raising there dead-letters the
    record at `fail_stage`. `handle` gets a batch of decoded items (all from one input
    partition when the stage is `stateful`, else from any) and returns one result per item,
    in order; raising there makes the runner undo the batch's state changes and retry the
    items one at a time, dead-lettering at `fail_stage` each one that still raises.
    `state` is the partition's keyed store for a stateful stage (see `newswire.runner`),
    None otherwise. `started` is awaited once before the stage joins its group (e.g. until
    models are loaded). `committed`, when set, is called with each record's emits once its
    transaction has committed, never for an aborted one (a batch that is retried or read
    again is handled twice but committed once): where a stage counts what it did."""

    name: str
    input_topic: str  # unprefixed, e.g. topics.RAW
    decode: Callable[[bytes], T]
    handle: Callable[[Sequence[Item[T]], State | None], Awaitable[Sequence[Result]]]
    fail_stage: FailStage
    batch_size: int = 64
    # How long a batch keeps collecting records after its first one, unless the deployment
    # sets `batch_linger_ms` for every stage; the runner lingers only under load
    # (`StageRunner._lingers`). Each batch costs a transaction (one per input partition
    # with `transaction_scope` "partition"); under load a light stage (little work per
    # record beside that cost) pays it for about one record unless it lingers a little.
    linger_ms: float = 0.0
    stateful: bool = False
    started: Callable[[], Awaitable[None]] | None = None
    # Topics only some records are sent to (subscriber routes), by full name. A refusal of
    # such a topic (missing, not authorised) is the record's: it is dead-lettered. The same
    # refusal of a topic every record is sent to is the deployment's: retried, so a
    # missing ACL never turns every article into a dead letter.
    optional_topics: frozenset[str] = frozenset()
    committed: Callable[[Sequence[Emit]], None] | None = None
