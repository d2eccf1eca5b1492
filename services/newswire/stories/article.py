"""What the story stage needs to know of an article."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from newswire.models import EnrichedArticle


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


def event_time(published_at: datetime | None, fetched_at: datetime) -> datetime:
    """An article's event time: when it was published, else when it was fetched."""
    return published_at if published_at is not None else fetched_at


def story_article(event: EnrichedArticle) -> StoryArticle:
    """The story stage's view of an enriched event."""
    return StoryArticle(
        id=event.id,
        url=event.url,
        source=event.source,
        title=event.title,
        text=event.text,
        event_time=event_time(event.published_at, event.fetched_at),
        countries=tuple((c.code, c.salience) for c in event.countries),
        persons=tuple(e.name for e in event.entities if e.kind == "person"),
        orgs=tuple(e.name for e in event.entities if e.kind == "org"),
    )
