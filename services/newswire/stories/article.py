"""What the story stage needs to know of an article."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from newswire.models import EnrichedArticle
from newswire.stories.bounds import NAME_CHARS, SOURCE_CHARS, TITLE_CHARS


@dataclass(frozen=True, slots=True)
class StoryArticle:
    """An original (non-duplicate) article, tagged, with its event time."""

    id: str
    url: str
    source: str
    title: str | None
    text: str
    event_time: datetime
    countries: tuple[tuple[str, float], ...] = ()
    """(ISO code, salience) pairs."""
    persons: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()


# A publication date may run ahead of the fetch by time zones and clock skew, not more.
PUBLISHED_AHEAD_LIMIT = timedelta(days=1)


def event_time(published_at: datetime | None, fetched_at: datetime) -> datetime:
    """An article's event time: when it was published, else when it was fetched; never
    more than a day after the fetch, since event time closes stories and one article
    dated years ahead would otherwise close every story at once."""
    if published_at is None:
        return fetched_at
    return min(published_at, fetched_at + PUBLISHED_AHEAD_LIMIT)


def story_article(event: EnrichedArticle) -> StoryArticle:
    """The story stage's view of an enriched event, cut to the limits that bound a story's
    stored state (`newswire.stories.bounds`)."""
    return StoryArticle(
        id=event.id,
        url=event.url,
        source=event.source[:SOURCE_CHARS],
        title=None if event.title is None else event.title[:TITLE_CHARS],
        text=event.text,
        event_time=event_time(event.published_at, event.fetched_at),
        countries=tuple((c.code, c.salience) for c in event.countries),
        persons=_names(event, "person"),
        orgs=_names(event, "org"),
    )


def _names(event: EnrichedArticle, kind: str) -> tuple[str, ...]:
    return tuple(e.name for e in event.entities if e.kind == kind and len(e.name) <= NAME_CHARS)
