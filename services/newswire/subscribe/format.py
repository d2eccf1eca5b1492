"""Readable one-line summaries of events for terminals, one format per kind of event.

Formats read the event as a JSON object, not a model, so they keep working across schema
versions. A new kind of event gets a line of its own with `register_format(kind, format,
recognise)`; anything unrecognised still prints as a readable generic line."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from newswire.models import EnrichedArticle

Event = Mapping[str, Any]
Format = Callable[[Event], str]
Recognise = Callable[[Event], bool]

# Fields too long (or binary) for a one-line summary.
_LONG_FIELDS = frozenset({"original", "body", "text", "metadata", "entities", "countries"})


def _short(value: object, limit: int = 90) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(entities: list[Any], kind: str) -> list[str]:
    return [
        str(e.get("name")) for e in entities if isinstance(e, Mapping) and e.get("kind") == kind
    ]


def _story(event: Event) -> str:
    story = event.get("story")
    if not isinstance(story, Mapping) or story.get("story_id") is None:
        return "story -"  # an event from before stories: not known
    if story.get("story_id") == event.get("id"):
        return "new story"
    similarity = story.get("similarity")
    shown = f" ({similarity:.2f})" if isinstance(similarity, int | float) else ""
    return f"story of {story.get('story_id')}{shown}"


def enriched_line(event: Event) -> str:
    """`id | language | countries (primary first, starred) | people | organisations | story |
    title`, where story is "new story" or "story of FIRST_ID (similarity)"."""
    countries = [str(c.get("code")) for c in event.get("countries", []) if isinstance(c, Mapping)]
    primary = event.get("primary_country")
    if primary in countries:
        countries.remove(primary)
        countries.insert(0, f"*{primary}")
    entities = list(event.get("entities", []))
    people, orgs = _names(entities, "person"), _names(entities, "org")
    title = event.get("title") or str(event.get("text", ""))[:80]
    revision = event.get("revision")
    rev = f" (revision {revision})" if isinstance(revision, int) and revision > 1 else ""
    return (
        f"{event.get('id')}{rev} | {event.get('language') or '?'} | "
        f"countries: {' '.join(countries) or '-'} | people: {', '.join(people[:6]) or '-'} | "
        f"orgs: {', '.join(orgs[:6]) or '-'} | {_story(event)} | {_short(title)}"
    )


def summary_line(event: EnrichedArticle) -> str:
    """The readable line of an enriched event model."""
    return enriched_line(event.model_dump(mode="json"))


def duplicate_line(event: Event) -> str:
    """`duplicate ID of ORIGINAL (method, score) | source | url`."""
    score = event.get("score")
    shown = f"{score:.2f}" if isinstance(score, int | float) else "?"
    return (
        f"duplicate {event.get('id')} of {event.get('original_id')} "
        f"({event.get('method')}, similarity {shown}) | {event.get('source')} | {event.get('url')}"
    )


def dead_letter_line(event: Event) -> str:
    """`dead letter at STAGE: REASON | article ID | from TOPIC/PARTITION/OFFSET`."""
    where = event.get("original_topic")
    if where is not None:
        where = f"{where}/{event.get('original_partition')}/{event.get('original_offset')}"
    return (
        f"dead letter at {event.get('stage')}: {_short(event.get('error'), 160)} | "
        f"article {event.get('article_id') or '?'} | from {where or 'ingest'}"
    )


def raw_line(event: Event) -> str:
    """`raw ID | source | url | title or the body's start`."""
    title = event.get("title") or event.get("body", "")
    return (
        f"raw {event.get('id')} | {event.get('source')} | {event.get('url')} | {_short(title, 70)}"
    )


def generic_line(event: Event) -> str:
    """Any other JSON object: its short fields as `name: value`, long ones left out."""
    parts = [
        f"{key}: {_short(value, 60)}"
        for key, value in event.items()
        if key not in _LONG_FIELDS and not isinstance(value, Mapping | list)
    ]
    return " | ".join(parts) or "(an event with no short fields)"


def story_line(event: Event) -> str:
    """`story ID | open #N: A articles (C copies), S outlets | countries | people | orgs |
    title` for a story update."""
    return (
        f"story {event.get('story_id')} | {event.get('status')} #{event.get('update')}: "
        f"{event.get('article_count')} articles ({event.get('copies')} copies), "
        f"{len(event.get('sources', []))} outlets | "
        f"countries: {' '.join(map(str, event.get('countries', []))) or '-'} | "
        f"people: {', '.join(map(str, event.get('persons', [])[:4])) or '-'} | "
        f"orgs: {', '.join(map(str, event.get('orgs', [])[:4])) or '-'} | "
        f"{_short(event.get('title'))}"
    )


# kind -> (recognises it from its fields, formats it). Checked in order; headers win.
_FORMATS: dict[str, tuple[Recognise, Format]] = {
    "enriched": (lambda e: "story" in e and "entities" in e, enriched_line),
    "duplicate": (lambda e: "original_id" in e and "method" in e, duplicate_line),
    "deadletter": (lambda e: "stage" in e and "error" in e, dead_letter_line),
    "raw": (lambda e: "body" in e and "url" in e, raw_line),
    "story": (lambda e: "story_id" in e and "members" in e, story_line),
}


def register_format(kind: str, format_: Format, recognise: Recognise) -> None:
    """Teach `tail` a new kind of event: `kind` is the word in its CloudEvents type
    (`io.newswire.<group>.<kind>.vN`), `recognise` tells it apart by its fields."""
    _FORMATS[kind] = (recognise, format_)


def kind_of(event: Event, event_type: str | None = None) -> str | None:
    """The kind of `event`: from its CloudEvents type when given, else from its fields."""
    if event_type:
        parts = event_type.split(".")
        for part in reversed(parts):
            if part in _FORMATS:
                return part
    for kind, (recognise, _) in _FORMATS.items():
        if recognise(event):
            return kind
    return None


def event_line(event: Event, event_type: str | None = None) -> str:
    """The readable line for any event, generic when its kind is unknown."""
    kind = kind_of(event, event_type)
    format_ = _FORMATS[kind][1] if kind is not None else generic_line
    try:
        return format_(event)
    except (AttributeError, TypeError, ValueError):
        return generic_line(event)
