"""Filters over enriched events by country, person or organisation (used by tail and routes).

Filters of different kinds must all match; several values of one kind match any of them.
Countries are given as ISO codes, names or demonyms ("SY", "Syria", "Syrian")."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from newswire.subscribe.names import fold_name, org_matches, person_matches

__all__ = ["EventFilter", "UnknownCountryError", "country_codes", "fold_name"]


class UnknownCountryError(ValueError):
    """A country given by the user is neither an ISO code nor a known name or demonym."""


@lru_cache(maxsize=1)
def _country_index() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """ISO codes, and every country name and demonym (case-folded) to the codes it names,
    from the tagger's own gazetteer (read only)."""
    from newswire.tagging.gazetteer import load_gazetteer  # noqa: PLC0415 - loads data

    gazetteer = load_gazetteer()
    names: dict[str, set[str]] = {}
    for surface, senses in gazetteer.senses.items():
        for sense in senses:
            if sense.kind in {"name", "demonym"}:
                names.setdefault(fold_name(surface), set()).add(sense.code)
    for code, name in gazetteer.country_names.items():
        names.setdefault(fold_name(name), set()).add(code)
    return frozenset(gazetteer.country_names), {k: frozenset(v) for k, v in names.items()}


def country_codes(value: str) -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes `value` names: a code ("sy"), a name ("Syria", "UK")
    or a demonym ("Syrian"). Raises UnknownCountryError, with suggestions, otherwise."""
    codes, names = _country_index()
    if len(value) == 2 and value.upper() in codes:
        return frozenset({value.upper()})
    found = names.get(fold_name(value))
    if found:
        return found
    close = difflib.get_close_matches(fold_name(value), list(names), n=3, cutoff=0.75)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise UnknownCountryError(
        f"unknown country {value!r}{hint}: give an ISO code (SY), a name (Syria) or a "
        "demonym (Syrian)"
    )


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Matches an enriched event that names one of the countries (if any are given) AND one
    of the persons (if any) AND one of the organisations (if any); an empty filter matches
    everything. Names match as `newswire.subscribe.names` describes."""

    countries: frozenset[str] = frozenset()
    persons: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, countries: Iterable[str] = (), persons: Iterable[str] = (), orgs: Iterable[str] = ()
    ) -> EventFilter:
        """A filter from plain lists; countries may be codes, names or demonyms (raises
        UnknownCountryError for one that is none of them)."""
        return cls(
            frozenset(code for c in countries for code in country_codes(c)),
            frozenset(p.strip() for p in persons if p.strip()),
            frozenset(o.strip() for o in orgs if o.strip()),
        )

    @property
    def empty(self) -> bool:
        """True when the filter lets every event through."""
        return not (self.countries or self.persons or self.orgs)

    def matches(self, event: Mapping[str, Any]) -> bool:
        """Whether `event` (an enriched event as a JSON object) passes the filter."""
        if self.empty:
            return True
        event = _story_as_event(event)
        if self.countries and not self.countries & {
            c.get("code") for c in event.get("countries", []) if isinstance(c, Mapping)
        }:
            return False
        entities = [e for e in event.get("entities", []) if isinstance(e, Mapping)]
        if self.persons and not _names_any(entities, "person", self.persons, person_matches):
            return False
        return not (self.orgs and not _names_any(entities, "org", self.orgs, org_matches))


def _names_any(
    entities: list[Mapping[str, Any]], kind: str, wanted: frozenset[str], same: Any
) -> bool:
    return any(
        same(w, str(e.get("name", ""))) for e in entities if e.get("kind") == kind for w in wanted
    )


def _story_as_event(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """A story update (plain codes and names) in the enriched event's shape; others as is."""
    if "story_id" not in event or "members" not in event:
        return event
    return {
        "countries": [{"code": c} for c in event.get("countries", [])],
        "entities": [{"kind": "person", "name": p} for p in event.get("persons", [])]
        + [{"kind": "org", "name": o} for o in event.get("orgs", [])],
    }
