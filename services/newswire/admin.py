"""Broker administration: readiness, idempotent topic creation, offsets and lag."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError, for_code

from newswire.config import Settings
from newswire.connection import KafkaTarget, client_options, target_options
from newswire.security.durability import durable_configs
from newswire.topics import TopicSpec, topic_specs


def broker_ready(bootstrap: KafkaTarget, timeout_s: float = 5.0) -> bool:
    """True when an admin client gets cluster metadata from `bootstrap` (an address, or
    settings with their security) within the timeout."""

    async def probe() -> bool:
        client = AIOKafkaAdminClient(
            **target_options(bootstrap), request_timeout_ms=int(timeout_s * 1000)
        )
        try:
            await asyncio.wait_for(client.start(), timeout_s)
            await asyncio.wait_for(client.describe_cluster(), timeout_s)
        except (KafkaError, OSError, TimeoutError):
            return False
        finally:
            await client.close()
        return True

    return asyncio.run(probe())


@dataclass(frozen=True, slots=True)
class TopicResult:
    """What `ensure_topics` did for one topic."""

    name: str
    created: bool


def topic_created(response: Any, name: str) -> bool:
    """Whether a CreateTopics response says `name` was created. aiokafka returns the
    broker's per-topic error codes instead of raising them: 'already exists' (another
    process, or metadata that had not caught up with our own last call) means not created;
    any other error is raised."""
    for topic, code, *rest in response.topic_errors:
        if topic != name or code == 0:
            continue
        error = for_code(code)
        if error is TopicAlreadyExistsError:
            return False
        message = rest[0] if rest else ""
        raise error(f"could not create topic {name}: {message or error.__name__}")
    return True


async def ensure_topics(
    settings: Settings, specs: list[TopicSpec] | None = None
) -> list[TopicResult]:
    """Create every declared topic that does not exist yet; existing ones are left as they are."""
    specs = specs if specs is not None else topic_specs(settings)
    client = AIOKafkaAdminClient(**client_options(settings))
    try:
        await client.start()
        existing = set(await client.list_topics())
        results: list[TopicResult] = []
        for spec in specs:
            name = spec.full_name(settings.topic_prefix)
            if name in existing:
                results.append(TopicResult(name, created=False))
                continue
            response = await client.create_topics(
                [
                    NewTopic(
                        name,
                        spec.partitions,
                        settings.topic_replication_factor,
                        topic_configs=durable_configs(settings, spec.configs),
                    )
                ]
            )
            results.append(TopicResult(name, created=topic_created(response, name)))
        await _until_described(client, [r.name for r in results if r.created])
        return results
    finally:
        await client.close()


async def _until_described(
    client: AIOKafkaAdminClient, names: list[str], timeout_s: float = 15.0
) -> None:
    """Wait (bounded) until the broker's metadata shows every topic in `names` with its
    partitions: with auto-creation off, a client that asks sooner would find no topic."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    pending = list(names)
    while pending and asyncio.get_running_loop().time() < deadline:
        described = await client.describe_topics(pending)
        ready = {d["topic"] for d in described if d["error_code"] == 0 and d["partitions"]}
        pending = [name for name in pending if name not in ready]
        if pending:
            await asyncio.sleep(0.1)


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """One partition's end offset, the group's committed offset and the difference."""

    topic: str
    partition: int
    end_offset: int
    committed: int | None

    @property
    def lag(self) -> int:
        """Messages not yet consumed by the group (all of them if it never committed)."""
        return self.end_offset - (self.committed or 0)


async def topic_partitions(bootstrap: KafkaTarget, topics: list[str]) -> list[TopicPartition]:
    """Every partition of those of `topics` that exist, in the order given."""
    admin = AIOKafkaAdminClient(**target_options(bootstrap))
    try:
        await admin.start()
        existing = set(await admin.list_topics())
        described = (
            await admin.describe_topics([t for t in topics if t in existing]) if existing else []
        )
    finally:
        await admin.close()
    return sorted(
        (TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]),
        key=lambda tp: (topics.index(tp.topic), tp.partition),
    )


async def topic_offsets(
    bootstrap: KafkaTarget, topics: list[str], group_id: str | None
) -> list[PartitionLag]:
    """End offsets of `topics` and, when `group_id` is given, that group's committed offsets."""
    partitions = await topic_partitions(bootstrap, topics)
    if not partitions:
        return []
    consumer = AIOKafkaConsumer(
        **target_options(bootstrap), group_id=group_id, enable_auto_commit=False
    )
    try:
        await consumer.start()
        ends = await consumer.end_offsets(partitions)
        rows = []
        for tp in partitions:
            committed = await consumer.committed(tp) if group_id else None
            rows.append(PartitionLag(tp.topic, tp.partition, ends[tp], committed))
        return rows
    finally:
        await consumer.stop()
