"""Reads events from a topic: a bounded read for tools and tests, or a live follow."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from newswire.connection import KafkaTarget, target_options


@dataclass(frozen=True, slots=True)
class Received:
    """One message as read: where it was, its key, headers and raw value."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]


async def follow(
    bootstrap: KafkaTarget,
    topic: str,
    *,
    from_start: bool = True,
    timeout_s: float | None = None,
    group_id: str | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> AsyncIterator[Received]:
    """Yield messages of `topic` (on `bootstrap`: an address, or settings with their
    security) as they arrive, from the start or the end, until
    `timeout_s` passes with nothing new (forever when None) or `keep_going()` is false.
    Only committed messages are read (`read_committed`): output of a transaction that
    aborted is never seen, as every subscriber should configure its own consumer."""
    consumer = AIOKafkaConsumer(
        topic,
        **target_options(bootstrap),
        group_id=group_id,
        auto_offset_reset="earliest" if from_start else "latest",
        enable_auto_commit=group_id is not None,
        isolation_level="read_committed",
    )
    try:
        await consumer.start()
        idle_since = time.monotonic()
        while True:
            batch = await consumer.getmany(timeout_ms=200)
            got = False
            for records in batch.values():
                for r in records:
                    got = True
                    yield Received(
                        r.topic,
                        r.partition,
                        r.offset,
                        r.key,
                        r.value or b"",
                        tuple(r.headers or ()),
                    )
            if got:
                idle_since = time.monotonic()
            elif (
                timeout_s is not None and time.monotonic() - idle_since > timeout_s
            ) or not keep_going():
                return
    finally:
        await consumer.stop()


async def read_until(
    bootstrap: KafkaTarget,
    topic: str,
    count: int,
    *,
    timeout_s: float = 60.0,
    keep_going: Callable[[], bool] = lambda: True,
) -> list[Received]:
    """The first `count` messages of `topic` (fewer if `timeout_s` passes first or
    `keep_going()` turns false)."""
    found: list[Received] = []
    deadline = time.monotonic() + timeout_s
    async for message in follow(
        bootstrap, topic, from_start=True, timeout_s=timeout_s, keep_going=keep_going
    ):
        found.append(message)
        if len(found) >= count or time.monotonic() > deadline:
            break
    return found
