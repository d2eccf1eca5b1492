"""`newswire tail`: follow a topic and print its events, readable or as JSON Lines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
from aiokafka.admin import AIOKafkaAdminClient

from newswire.config import Settings
from newswire.connection import client_options
from newswire.subscribe.filters import EventFilter
from newswire.subscribe.format import event_line
from newswire.subscribe.reader import Received, follow
from newswire.topics import (
    DEADLETTER,
    DUPLICATES,
    ENRICHED,
    RAW,
    STORIES,
    topic_name,
    topic_specs,
)

# Short names for the topics subscribers read; a topic added later gets one here.
SHORT_NAMES = {
    "raw": RAW,
    "enriched": ENRICHED,
    "duplicates": DUPLICATES,
    "deadletter": DEADLETTER,
    "stories": STORIES,
}


class UnknownTopicError(ValueError):
    """The topic asked for does not exist on the broker; the message lists those that do."""


def resolve_topic(settings: Settings, name: str) -> str:
    """The broker topic for `name`: a short name ('enriched'), a declared or route topic
    (prefixed like all of newswire's), or any other name as given."""
    if name in SHORT_NAMES:
        return topic_name(settings, SHORT_NAMES[name])
    declared = {spec.name for spec in topic_specs(settings)}
    if name in declared:
        return topic_name(settings, name)
    return name


def known_topics_message(settings: Settings, wanted: str, existing: set[str]) -> str:
    """Why `wanted` cannot be followed, and what can be."""
    declared = [spec.full_name(settings.topic_prefix) for spec in topic_specs(settings)]
    if wanted in declared:
        return f"topic {wanted} does not exist yet: create it with `newswire topics create`"
    present = [name for name in declared if name in existing]
    others = sorted(t for t in existing if not t.startswith("_") and t not in declared)
    short = ", ".join(SHORT_NAMES)
    listed = ", ".join(present + others[:20]) or "none"
    return f"no topic {wanted!r} on the broker. Short names: {short}; topics there: {listed}"


async def existing_topics(settings: Settings) -> set[str]:
    """The names of the topics on the broker."""
    admin = AIOKafkaAdminClient(**client_options(settings))
    try:
        await admin.start()
        return set(await admin.list_topics())
    finally:
        await admin.close()


def decoded(message: Received) -> tuple[dict[str, object], str | None]:
    """A message's value as a JSON object (empty when it is not one) and its CloudEvents type."""
    try:
        data = orjson.loads(message.value)
    except orjson.JSONDecodeError:
        data = None
    event_type = dict(message.headers).get("ce_type")
    return (
        data if isinstance(data, dict) else {},
        event_type.decode(errors="replace") if event_type else None,
    )


def render(message: Received, *, as_json: bool) -> str:
    """One printed line for a message: its JSON as is, or a readable summary."""
    if as_json:
        return message.value.decode(errors="replace")
    data, event_type = decoded(message)
    if not data:
        return f"(not a JSON object: {message.value[:80].decode(errors='replace')!r})"
    return event_line(data, event_type)


def run_tail(
    settings: Settings,
    topic: str,
    *,
    count: int | None,
    timeout_s: float | None,
    from_start: bool,
    as_json: bool,
    countries: tuple[str, ...],
    persons: tuple[str, ...],
    orgs: tuple[str, ...],
    echo: Callable[[str], None],
) -> int:
    """Print events of `topic` that pass the filter; returns how many were printed. Raises
    UnknownTopicError (before reading anything) when the topic does not exist, and
    UnknownCountryError for a country that is neither a code, a name nor a demonym."""
    event_filter = EventFilter.of(countries, persons, orgs)
    name = resolve_topic(settings, topic)

    async def run() -> int:
        existing = await existing_topics(settings)
        if name not in existing:
            raise UnknownTopicError(known_topics_message(settings, name, existing))
        printed = 0
        async for message in follow(settings, name, from_start=from_start, timeout_s=timeout_s):
            if not event_filter.empty and not event_filter.matches(decoded(message)[0]):
                continue
            echo(render(message, as_json=as_json))
            printed += 1
            if count is not None and printed >= count:
                break
        return printed

    return asyncio.run(run())
