"""Filters over enriched events by country, person or organisation (used by tail and routes)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def fold_name(name: str) -> str:
    """`name` as compared by filters and routes: case-folded, single-spaced."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Matches an enriched event that names any of the countries, persons or organisations
    given (an empty filter matches everything). Names match case-insensitively; a person
    filter of one word matches that surname or given name."""

    countries: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, countries: Iterable[str] = (), persons: Iterable[str] = (), orgs: Iterable[str] = ()
    ) -> EventFilter:
        """A filter from plain lists (countries upper-cased, names folded)."""
        return cls(
            frozenset(c.upper() for c in countries),
            frozenset(fold_name(p) for p in persons),
            frozenset(fold_name(o) for o in orgs),
        )

    @property
    def empty(self) -> bool:
        """True when the filter lets every event through."""
        return not (self.countries or self.persons or self.orgs)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether `event` (an enriched event as a JSON object) passes the filter."""
        if self.empty:
            return True
        if "story_id" in event and "update" in event:  # a story update: plain codes and names
            return _names_a_story_entity(self, event)
        if self.countries & {c.get("code") for c in event.get("countries", [])}:
            return True
        for entity in event.get("entities", []):
            name = fold_name(entity.get("name", ""))
            kind = entity.get("kind")
            if (
                kind == "person"
                and self.persons
                and (name in self.persons or set(name.split()) & self.persons)
            ):
                return True
            if kind == "org" and name in self.orgs:
                return True
        return False


def _names_a_story_entity(event_filter: EventFilter, update: Mapping[str, Any]) -> bool:
    if event_filter.countries & set(update.get("countries", [])):
        return True
    persons = {fold_name(p) for p in update.get("persons", [])}
    if event_filter.persons & (persons | {w for p in persons for w in p.split()}):
        return True
    return bool(event_filter.orgs & {fold_name(o) for o in update.get("orgs", [])})
