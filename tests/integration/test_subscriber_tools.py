"""`newswire tail` and `newswire topics` against a real broker: filters by country and
person, JSON Lines or readable lines, from the start or only new events; offsets and lag."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from click.testing import CliRunner

from newswire.cli import main
from newswire.config import Settings, get_settings
from newswire.models import EnrichedArticle
from newswire.models.events import CountryTag, EntityTag, ProcessingInfo, StoryInfo
from newswire.topics import ENRICHED, topic_name
from newswire.wire import encode

pytestmark = [pytest.mark.kafka]
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def enriched(article_id: str, country: str, person: str) -> EnrichedArticle:
    return EnrichedArticle(
        id=article_id,
        url=f"https://example.com/{article_id}",
        source="test",
        title=f"About {country}",
        text=f"A story naming {person}.",
        language="en",
        published_at=None,
        fetched_at=NOW,
        scraper_id="t",
        story=StoryInfo(story_id=article_id, content_hash="h", canonical_url="https://x.org"),
        countries=[CountryTag(code=country, name=country, count=1, salience=1.0, evidence=[])],
        primary_country=country,
        entities=[EntityTag(name=person, kind="person", count=1, mentions=[])],
        processing=ProcessingInfo(
            worker_id="w", newswire_version="0", received_at=NOW, processed_at=NOW
        ),
    )


EVENTS = [
    enriched("a1", "SY", "Ali Mamlouk"),
    enriched("a2", "AU", "Anthony Albanese"),
    enriched("a3", "SY", "Ahmed al-Sharaa"),
]


@pytest.fixture
def cli(topics: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("NEWSWIRE_BOOTSTRAP_SERVERS", topics.kafka_bootstrap)
    monkeypatch.setenv("NEWSWIRE_TOPIC_PREFIX", topics.topic_prefix)
    monkeypatch.setenv("NEWSWIRE_APP_ID", topics.app_id)
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    get_settings.cache_clear()

    async def publish() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=topics.kafka_bootstrap)
        await producer.start()
        try:
            for event in EVENTS:
                await producer.send_and_wait(
                    topic_name(topics, ENRICHED), encode(event), key=event.id.encode()
                )
        finally:
            await producer.stop()

    asyncio.run(publish())
    yield CliRunner()
    get_settings.cache_clear()


def test_tail_filters_by_country_and_prints_json_lines(cli: CliRunner) -> None:
    result = cli.invoke(main, ["tail", "enriched", "--country", "sy", "--json", "--timeout", "3"])
    assert result.exit_code == 0, result.output
    ids = [orjson.loads(line)["id"] for line in result.output.splitlines()]
    assert sorted(ids) == ["a1", "a3"]  # keys spread over partitions: no order across them


def test_tail_filters_by_person_surname_and_prints_readable_lines(cli: CliRunner) -> None:
    result = cli.invoke(main, ["tail", "enriched", "--person", "Mamlouk", "--timeout", "3"])
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith("a1 |") and "Ali Mamlouk" in line


def test_tail_from_the_end_shows_only_new_events(cli: CliRunner) -> None:
    result = cli.invoke(main, ["tail", "enriched", "--from-end", "--timeout", "3"])
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_topics_shows_partitions_end_offsets_and_lag(cli: CliRunner, topics: Settings) -> None:
    result = cli.invoke(main, ["topics"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()[1:]]
    enriched_rows = [r for r in rows if r[0] == topic_name(topics, ENRICHED)]
    assert len(enriched_rows) == topics.raw_partitions
    assert sum(int(r[2]) for r in enriched_rows) == len(EVENTS)  # end offsets
    assert sum(int(r[4]) for r in enriched_rows) == len(EVENTS)  # nobody consumed: all lag


def test_route_topics_resolve_under_the_prefix(tmp_path: Path, topics: Settings) -> None:
    from newswire.subscribe.tail import resolve_topic

    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  - topic: news.region.levant\n    countries: [SY]\n")
    settings = topics.model_copy(update={"routes_file": routes})
    assert (
        resolve_topic(settings, "news.region.levant") == f"{topics.topic_prefix}news.region.levant"
    )
    assert resolve_topic(settings, "enriched") == topic_name(topics, ENRICHED)
    assert resolve_topic(settings, "somebody.elses.topic") == "somebody.elses.topic"
