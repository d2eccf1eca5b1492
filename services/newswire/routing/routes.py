"""Routes are data: a YAML file (NEWSWIRE_ROUTES_FILE) lists topics and what an enriched
event must name to be copied there.

    routes:
      - topic: news.region.levant
        countries: [SY, LB, JO, IL, PS]
        min_salience: 0.1        # optional: ignore passing mentions
      - topic: news.people.watchlist
        persons: [Ali Mamlouk]
        orgs: [Hezbollah]

An event matches a route when it names any of the route's countries (with at least
`min_salience`, or as its primary country when `primary_only`), persons or organisations.
Route topics are created with the others (`newswire topics create`) under the prefix."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints, model_validator

from newswire.models import EnrichedArticle
from newswire.subscribe.filters import fold_name

TopicName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._\-]{1,200}$")]


class Route(BaseModel):
    """One subscriber route: the topic, and the countries or entities that lead to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    topic: TopicName
    countries: frozenset[Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]] = frozenset()
    persons: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    min_salience: float = Field(default=0.0, ge=0.0, le=1.0)
    primary_only: bool = False
    partitions: int = Field(default=1, ge=1, description="Partitions of the route's topic.")
    # The names as matched, folded once rather than per event.
    _folded_persons: frozenset[str] = PrivateAttr(default=frozenset())
    _folded_orgs: frozenset[str] = PrivateAttr(default=frozenset())

    def model_post_init(self, context: Any) -> None:
        """Fold the person and organisation names once, when the route is loaded."""
        self._folded_persons = frozenset(fold_name(p) for p in self.persons)
        self._folded_orgs = frozenset(fold_name(o) for o in self.orgs)

    @model_validator(mode="after")
    def _says_something(self) -> Route:
        if not (self.countries or self.persons or self.orgs):
            raise ValueError(f"route {self.topic!r} names no countries, persons or orgs")
        return self

    def matches(self, event: EnrichedArticle) -> bool:
        """Whether `event` belongs on this route's topic."""
        if self.countries:
            if self.primary_only:
                if event.primary_country in self.countries:
                    return True
            elif any(
                c.code in self.countries and c.salience >= self.min_salience
                for c in event.countries
            ):
                return True
        if not (self.persons or self.orgs):
            return False
        for entity in event.entities:
            name = fold_name(entity.name)
            if entity.kind == "person" and name in self._folded_persons:
                return True
            if entity.kind == "org" and name in self._folded_orgs:
                return True
        return False


class RouteTable(BaseModel):
    """The routes file's shape."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    routes: tuple[Route, ...] = ()

    @model_validator(mode="after")
    def _unique_topics(self) -> RouteTable:
        topics = [r.topic for r in self.routes]
        if len(set(topics)) != len(topics):
            raise ValueError("each route needs a topic of its own")
        return self


def load_routes(path: Path | None) -> tuple[Route, ...]:
    """The routes declared in the YAML file at `path` (none when `path` is None). Raises
    ValueError (pydantic's, naming the bad route and field) for a malformed file."""
    if path is None:
        return ()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return RouteTable.model_validate(data).routes


def matching_routes(event: EnrichedArticle, routes: Sequence[Route]) -> list[Route]:
    """The routes `event` should be copied to, in declaration order."""
    return [route for route in routes if route.matches(event)]
