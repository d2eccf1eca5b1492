"""Routes are data: they load from YAML, refuse malformed entries, and match enriched
events by country (any mention, salience floor, primary only), person or organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from newswire.config import Settings
from newswire.models import EnrichedArticle
from newswire.models.events import CountryTag, EntityTag, ProcessingInfo, StoryInfo
from newswire.routing import Route, load_routes, matching_routes
from newswire.topics import topic_specs

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def event(
    countries: dict[str, float], primary: str | None = None, people: tuple[str, ...] = ()
) -> EnrichedArticle:
    return EnrichedArticle(
        id="a1",
        url="https://example.com/a1",
        source="test",
        title=None,
        text="text",
        language="en",
        published_at=None,
        fetched_at=NOW,
        scraper_id="t",
        story=StoryInfo(story_id="a1", content_hash="h", canonical_url="https://example.com/a1"),
        countries=[
            CountryTag(code=c, name=c, count=1, salience=s, evidence=[])
            for c, s in countries.items()
        ],
        primary_country=primary,
        entities=[EntityTag(name=p, kind="person", count=1, mentions=[]) for p in people],
        processing=ProcessingInfo(
            worker_id="w", newswire_version="0", received_at=NOW, processed_at=NOW
        ),
    )


LEVANT = Route(topic="news.region.levant", countries=frozenset({"SY", "LB", "JO", "IL", "PS"}))


def test_a_country_route_takes_any_article_naming_one_of_its_countries() -> None:
    assert LEVANT.matches(event({"SY": 0.9}, "SY"))
    assert LEVANT.matches(event({"RU": 0.8, "LB": 0.2}, "RU"))
    assert not LEVANT.matches(event({"AU": 1.0}, "AU"))


def test_a_salience_floor_ignores_passing_mentions() -> None:
    route = LEVANT.model_copy(update={"min_salience": 0.3})
    assert not route.matches(event({"RU": 0.9, "SY": 0.1}, "RU"))
    assert route.matches(event({"RU": 0.6, "SY": 0.4}, "RU"))


def test_primary_only_routes_take_the_main_country_alone() -> None:
    route = LEVANT.model_copy(update={"primary_only": True})
    assert route.matches(event({"SY": 0.6, "RU": 0.4}, "SY"))
    assert not route.matches(event({"RU": 0.6, "SY": 0.4}, "RU"))


def test_entity_routes_match_names_case_and_space_insensitively() -> None:
    route = Route(topic="people", persons=frozenset({"Ali  Mamlouk"}))
    assert route.matches(event({}, people=("ali mamlouk",)))
    assert not route.matches(event({"SY": 1.0}, "SY", people=("Ali Shamkhani",)))


def test_routes_load_from_yaml_and_become_topics(tmp_path: Path) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(
        "routes:\n"
        "  - topic: news.region.levant\n    countries: [SY, LB]\n    partitions: 2\n"
        "  - topic: people\n    persons: [Ali Mamlouk]\n"
    )
    routes = load_routes(path)
    assert [r.topic for r in routes] == ["news.region.levant", "people"]
    assert matching_routes(event({"SY": 1.0}, "SY"), routes) == [routes[0]]
    specs = {s.name: s for s in topic_specs(Settings(routes_file=path, _env_file=None))}  # type: ignore[call-arg]
    assert specs["news.region.levant"].partitions == 2
    assert "people" in specs


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("routes:\n  - topic: empty\n", "names no countries"),
        ("routes:\n  - topic: x\n    countries: [Syria]\n", "countries"),
        ("routes:\n  - topic: x\n    countries: [SY]\n    colour: red\n", "colour"),
        ("routes:\n  - {topic: x, countries: [SY]}\n  - {topic: x, orgs: [UN]}\n", "own"),
        ("routes:\n  - topic: 'bad topic'\n    countries: [SY]\n", "topic"),
    ],
)
def test_malformed_routes_are_refused_with_the_reason(
    tmp_path: Path, text: str, complaint: str
) -> None:
    path = tmp_path / "routes.yaml"
    path.write_text(text)
    with pytest.raises(ValidationError, match=complaint):
        load_routes(path)


def test_a_story_size_route_takes_articles_of_grown_stories_only() -> None:
    big = Route(topic="news.stories.big", min_story_articles=3)
    assert not big.matches(event({"AU": 1.0}, "AU"))  # a story of one
    assert not big.matches(event({"AU": 1.0}, "AU"), story_articles=2)
    assert big.matches(event({"AU": 1.0}, "AU"), story_articles=3)


def test_a_story_size_narrows_a_country_route() -> None:
    big_levant = LEVANT.model_copy(update={"min_story_articles": 2})
    assert big_levant.matches(event({"SY": 0.9}, "SY"), story_articles=2)
    assert not big_levant.matches(event({"SY": 0.9}, "SY"), story_articles=1)
    assert not big_levant.matches(event({"AU": 1.0}, "AU"), story_articles=5)
    assert matching_routes(event({"SY": 0.9}, "SY"), [LEVANT, big_levant]) == [LEVANT]


def test_a_story_size_of_one_is_refused_as_saying_nothing() -> None:
    with pytest.raises(ValidationError):
        Route(topic="news.stories.all", min_story_articles=1)
    with pytest.raises(ValidationError, match="story size"):
        Route(topic="news.nothing")
