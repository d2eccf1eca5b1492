"""Routes are data: a YAML file (NEWSWIRE_ROUTES_FILE) lists topics and what an enriched
event must name to be copied there.

    routes:
      - topic: news.region.levant
        countries: [SY, LB, JO, IL, PS]
        min_salience: 0.1        # optional: ignore passing mentions
      - topic: news.people.watchlist
        persons: [Ali Mamlouk]
        orgs: [Hezbollah]
      - topic: news.stories.big
        min_story_articles: 5    # articles of stories that have grown to 5 reports

An event matches a route when it names any of the route's countries (with at least
`min_salience`, or as its primary country when `primary_only`), persons or organisations,
and, when the route sets `min_story_articles`, the story it joined counts at least that
many articles (copies included) with it; a route may name only a story size.
Names match as `newswire.subscribe.names` says (the same rules as `tail`): "UN" and
"United Nations" are one organisation, and "United Nations Security Council" is found
under either. Route topics are created with the others (`newswire topics create`) under
the prefix.

A new kind of criterion is one more field on `Route` and one more clause in
`Route.criteria` (any of which routes) or in `Route.matches` (a condition every routed
event meets, as the story size is); `_says_something` counts it as something a route can
name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from newswire.models import EnrichedArticle
from newswire.subscribe.names import org_matches, person_matches

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
    min_story_articles: int | None = Field(
        default=None, ge=2, description="Route only articles whose story has this many articles."
    )
    partitions: int = Field(default=1, ge=1, description="Partitions of the route's topic.")

    @model_validator(mode="after")
    def _says_something(self) -> Route:
        if not (self.countries or self.persons or self.orgs or self.min_story_articles):
            raise ValueError(
                f"route {self.topic!r} names no countries, persons, orgs or story size"
            )
        return self

    def matches(self, event: EnrichedArticle, story_articles: int = 1) -> bool:
        """Whether `event`, whose story counts `story_articles` articles with it, belongs on
        this route's topic: its story is large enough (when the route asks) and any of its
        country and entity criteria holds (when it names any)."""
        if self.min_story_articles is not None and story_articles < self.min_story_articles:
            return False
        criteria = self.criteria()
        return not criteria or any(criterion(event) for criterion in criteria)

    def criteria(self) -> list[Callable[[EnrichedArticle], bool]]:
        """The route's tests, one per kind it names; an event passing any is routed."""
        tests: list[Callable[[EnrichedArticle], bool]] = []
        if self.countries:
            tests.append(self._country_matches)
        if self.persons or self.orgs:
            tests.append(self._entity_matches)
        return tests

    def _country_matches(self, event: EnrichedArticle) -> bool:
        if self.primary_only:
            return event.primary_country in self.countries
        return any(
            c.code in self.countries and c.salience >= self.min_salience for c in event.countries
        )

    def _entity_matches(self, event: EnrichedArticle) -> bool:
        for entity in event.entities:
            if entity.kind == "person" and any(
                person_matches(p, entity.name) for p in self.persons
            ):
                return True
            if entity.kind == "org" and any(org_matches(o, entity.name) for o in self.orgs):
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


def matching_routes(
    event: EnrichedArticle, routes: Sequence[Route], story_articles: int = 1
) -> list[Route]:
    """The routes `event` (its story `story_articles` articles strong) should be copied to,
    in declaration order."""
    return [route for route in routes if route.matches(event, story_articles)]
