"""`newswire tail stories`: story updates print readably and filter by country and name."""

from __future__ import annotations

import orjson

from newswire.stories import StoryClusterer, StoryParams
from newswire.subscribe.filters import EventFilter
from newswire.subscribe.format import event_line
from tests.unit.stories.helpers import CANYON, CANYON_2, article


def _update_bytes() -> bytes:
    clusterer = StoryClusterer({}, StoryParams())
    clusterer.place(article("a1", CANYON, countries=(("CH", 0.8),), persons=("Stephan Friedli",)))
    placed = clusterer.place(article("a2", CANYON_2, 1, source="SBS"))
    return placed.updates[0].model_dump_json().encode()


def test_a_story_update_prints_as_one_readable_line() -> None:
    update = orjson.loads(_update_bytes())
    line = event_line(update, "io.newswire.story.update.v1")
    assert line.startswith("story a1 | open #2: 2 articles (0 copies), 2 outlets | countries: CH")
    assert "Stephan Friedli" in line
    assert event_line(update) == line  # recognised by its fields too


def test_filters_select_story_updates_by_country_and_person() -> None:
    update = orjson.loads(_update_bytes())
    assert EventFilter.of(countries=["ch"]).matches(update)
    assert EventFilter.of(persons=["friedli"]).matches(update)
    assert not EventFilter.of(countries=["AU"]).matches(update)
