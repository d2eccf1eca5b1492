"""Whether the story stage's outputs are exactly-once too, as a subscriber reads them.

Read once the scenario has drained (everything is committed): every enriched event and
every `StoryUpdate` on `news.stories` (read_committed). A story update is published in the
transaction that changed the story, with the event that changed it, so:

- per story, the `update` numbers strictly increase in offset order (a batch published
  twice would repeat them; a story's updates share one partition, keyed by its id);
- an article is a member of one story only, and listed once in it (state rolled back
  with every aborted transaction: never counted twice);
- every enriched event's story has an update listing the event's id (the one of its own
  transaction);
- every member is an article that has an outcome of its own, enriched or duplicate
  (nothing from an aborted transaction).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from tests.support.faults.outcomes import Outcome


async def _read_to_end(bootstrap: str, topic: str) -> list[tuple[int, int, dict[str, Any]]]:
    """(partition, offset, value) of every committed message of `topic`, up to its end."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        max_partition_fetch_bytes=16 * 1024 * 1024,
    )
    await consumer.start()
    try:
        partitions: list[TopicPartition] = []
        for _ in range(20):
            # Without a subscription the client learns of every topic at its next metadata
            # update; a topic not created yet is an error of the scenario, not an empty one.
            found = consumer.partitions_for_topic(topic) or set()
            partitions = [TopicPartition(topic, p) for p in sorted(found)]
            if partitions:
                break
            await consumer._client.force_metadata_update()
            await asyncio.sleep(0.5)
        if not partitions:
            raise AssertionError(f"topic {topic} has no partitions")
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        found: list[tuple[int, int, dict[str, Any]]] = []
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            for records in (await consumer.getmany(timeout_ms=500, max_records=2000)).values():
                found += [(r.partition, r.offset, orjson.loads(r.value or b"{}")) for r in records]
        return found
    finally:
        await consumer.stop()


def story_problems(
    bootstrap: str,
    enriched_topic: str,
    stories_topic: str,
    outcomes: Mapping[str, Iterable[Outcome]],
) -> list[str]:
    """One line per broken promise (empty when the story outputs are consistent)."""
    enriched = asyncio.run(_read_to_end(bootstrap, enriched_topic))
    updates = asyncio.run(_read_to_end(bootstrap, stories_topic))
    updates.sort(key=lambda found: (found[0], found[1]))
    problems: list[str] = []

    last_update: dict[str, int] = {}
    story_of: dict[str, str] = {}
    listed: dict[str, set[str]] = defaultdict(set)
    for _, offset, update in updates:
        story_id, number, members = update["story_id"], update["update"], update["members"]
        if number <= last_update.get(story_id, 0):
            problems.append(
                f"story {story_id}: update {number} at offset {offset} after update "
                f"{last_update[story_id]}"
            )
        last_update[story_id] = max(number, last_update.get(story_id, 0))
        if len(set(members)) != len(members):
            problems.append(f"story {story_id}: update {number} lists a member twice")
        for member in members:
            listed[story_id].add(member)
            if story_of.setdefault(member, story_id) != story_id:
                problems.append(f"{member} is in stories {story_of[member]} and {story_id}")

    kinds = {article_id: {o.kind for o in found} for article_id, found in outcomes.items()}
    problems += [
        f"{member} is a story member without an outcome of its own"
        for member in story_of
        if not kinds.get(member, set()) & {"enriched", "duplicate"}
    ]
    for _, _, event in enriched:
        story_id = event["story"]["story_id"]
        if event["id"] not in listed.get(story_id, set()):
            problems.append(f"{event['id']}: no update of its story {story_id} lists it")
    return problems
