"""`newswire tail`: follow a topic and print its events, readable or as JSON Lines."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson

from newswire.config import Settings
from newswire.models import EnrichedArticle
from newswire.routing import load_routes
from newswire.subscribe.filters import EventFilter
from newswire.subscribe.format import summary_line
from newswire.subscribe.reader import follow
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name

SHORT_NAMES = {"raw": RAW, "enriched": ENRICHED, "duplicates": DUPLICATES, "deadletter": DEADLETTER}


def resolve_topic(settings: Settings, name: str) -> str:
    """The broker topic for `name`: a short name ('enriched'), a declared or route topic
    (prefixed like all of newswire's), or any other name as given."""
    if name in SHORT_NAMES:
        return topic_name(settings, SHORT_NAMES[name])
    routes = {route.topic for route in load_routes(settings.routes_file)}
    if name in SHORT_NAMES.values() or name in routes:
        return topic_name(settings, name)
    return name


def render(value: bytes, *, as_json: bool) -> str:
    """One printed line for a message value."""
    if as_json:
        return value.decode(errors="replace")
    try:
        return summary_line(EnrichedArticle.model_validate_json(value))
    except ValueError:
        data = orjson.loads(value)
        return " | ".join(
            f"{k}={str(v)[:60]}" for k, v in data.items() if k not in {"original", "body", "text"}
        )


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
    """Print events of `topic` that pass the filter; returns how many were printed."""
    event_filter = EventFilter.of(countries, persons, orgs)

    async def run() -> int:
        printed = 0
        async for message in follow(
            settings,
            resolve_topic(settings, topic),
            from_start=from_start,
            timeout_s=timeout_s,
        ):
            try:
                data = orjson.loads(message.value)
            except orjson.JSONDecodeError:
                data = {}
            if not event_filter.matches(data):
                continue
            echo(render(message.value, as_json=as_json))
            printed += 1
            if count is not None and printed >= count:
                break
        return printed

    return asyncio.run(run())
