"""`newswire tail` and `newswire topics` against a real broker: filters by country (code,
name or demonym), person and organisation (different kinds AND, one kind OR), JSON Lines or
readable lines for every kind of event, from the start or only new events; unknown topics
refused at once; offsets, and lag only where the worker's group reads."""

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
from newswire.models import DeadLetter, DuplicateNotice, EnrichedArticle
from newswire.models.events import CountryTag, EntityTag, ProcessingInfo, StoryInfo
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name
from newswire.wire import cloudevent_headers, encode

pytestmark = [pytest.mark.kafka]
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def enriched(
    article_id: str, country: str, person: str, orgs: tuple[str, ...] = ()
) -> EnrichedArticle:
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
        entities=[
            EntityTag(name=person, kind="person", count=1, mentions=[]),
            *(EntityTag(name=o, kind="org", count=1, mentions=[]) for o in orgs),
        ],
        processing=ProcessingInfo(
            worker_id="w", newswire_version="0", received_at=NOW, processed_at=NOW
        ),
    )


EVENTS = [
    enriched("a1", "SY", "Ali Mamlouk", ("United Nations Security Council",)),
    enriched("a2", "AU", "Anthony Albanese"),
    enriched("a3", "SY", "Ahmed al-Sharaa"),
    enriched("a4", "UA", "Volodymyr Zelensky", ("Reuters",)),
    enriched("a5", "RU", "Maria Zakharova", ("Sputnik",)),
]
NOTICE = DuplicateNotice(
    id="copy-1",
    url="https://other.example/copy",
    source="Other",
    original_id="a1",
    method="minhash",
    score=0.83,
    detected_at=NOW,
)
LETTER = DeadLetter(
    stage="clean",
    error="no article text left after removing boilerplate",
    error_type="EmptyArticleError",
    original=b'{"url": "https://example.com/x"}',
    original_topic="t.news.articles.raw",
    original_partition=0,
    original_offset=7,
    article_id="x",
    failed_at=NOW,
    worker_id="w",
)


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
            headers = cloudevent_headers(NOTICE, event_id="copy-1", source="test")
            await producer.send_and_wait(
                topic_name(topics, DUPLICATES), encode(NOTICE), key=b"copy-1", headers=headers
            )
            # No headers (as from kcat): recognised by its fields.
            await producer.send_and_wait(topic_name(topics, DEADLETTER), encode(LETTER))
            await producer.send_and_wait(topic_name(topics, RAW), b'{"some": "thing", "n": 3}')
        finally:
            await producer.stop()

    asyncio.run(publish())
    yield CliRunner()
    get_settings.cache_clear()


def tail_ids(cli: CliRunner, *args: str) -> list[str]:
    result = cli.invoke(main, ["tail", "enriched", *args, "--json", "--timeout", "2"])
    assert result.exit_code == 0, result.output
    # keys spread over partitions: no order across them
    return sorted(orjson.loads(line)["id"] for line in result.output.splitlines())


def test_tail_filters_by_country_and_prints_json_lines(cli: CliRunner) -> None:
    assert tail_ids(cli, "--country", "sy") == ["a1", "a3"]


def test_tail_takes_country_names_and_demonyms(cli: CliRunner) -> None:
    assert tail_ids(cli, "--country", "Syria") == ["a1", "a3"]
    assert tail_ids(cli, "--country", "syrian", "--country", "Ukraine") == ["a1", "a3", "a4"]


def test_filters_of_different_kinds_all_apply_and_values_of_one_kind_any(
    cli: CliRunner,
) -> None:
    assert tail_ids(cli, "--org", "Sputnik", "--country", "UA") == []
    assert tail_ids(cli, "--org", "Sputnik", "--country", "RU") == ["a5"]
    assert tail_ids(cli, "--org", "Sputnik", "--org", "Reuters") == ["a4", "a5"]
    assert tail_ids(cli, "--country", "SY", "--person", "Sharaa") == ["a3"]


def test_organisations_match_by_acronym_and_parent_body(cli: CliRunner) -> None:
    assert tail_ids(cli, "--org", "UN") == ["a1"]
    assert tail_ids(cli, "--org", "United Nations") == ["a1"]
    assert tail_ids(cli, "--org", "UN Security Council") == ["a1"]


def test_every_kind_of_event_prints_readably(cli: CliRunner) -> None:
    def lines(topic: str) -> list[str]:
        result = cli.invoke(main, ["tail", topic, "--timeout", "2"])
        assert result.exit_code == 0, result.output
        return result.output.splitlines()

    [notice] = lines("duplicates")
    assert notice == (
        "duplicate copy-1 of a1 (minhash, similarity 0.83) | Other | https://other.example/copy"
    )
    [letter] = lines("deadletter")
    assert letter.startswith("dead letter at clean: no article text left after removing")
    assert "article x | from t.news.articles.raw/0/7" in letter
    [other] = lines("raw")
    assert other == "some: thing | n: 3"


def test_an_unknown_topic_fails_at_once_listing_the_known_ones(
    cli: CliRunner, topics: Settings
) -> None:
    result = cli.invoke(main, ["tail", "levant", "--timeout", "2"])
    assert result.exit_code == 2, result.output
    assert "no topic 'levant'" in result.output
    assert "enriched, duplicates, deadletter" in result.output
    assert topic_name(topics, ENRICHED) in result.output
    # and it was not created by asking for it
    again = cli.invoke(main, ["tail", "levant", "--timeout", "2"])
    assert again.exit_code == 2 and "no topic 'levant'" in again.output


def test_tail_filters_by_person_surname_and_prints_readable_lines(cli: CliRunner) -> None:
    result = cli.invoke(main, ["tail", "enriched", "--person", "Mamlouk", "--timeout", "3"])
    assert result.exit_code == 0, result.output
    [line] = result.output.splitlines()
    assert line.startswith("a1 |") and "Ali Mamlouk" in line


def test_tail_from_the_end_shows_only_new_events(cli: CliRunner) -> None:
    result = cli.invoke(main, ["tail", "enriched", "--from-end", "--timeout", "3"])
    assert result.exit_code == 0, result.output
    assert result.output == ""


def test_topics_shows_partitions_end_offsets_and_no_lag_where_no_group_reads(
    cli: CliRunner, topics: Settings
) -> None:
    result = cli.invoke(main, ["topics"])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines()[1:]]
    enriched_rows = [r for r in rows if r[0] == topic_name(topics, ENRICHED)]
    assert len(enriched_rows) == topics.raw_partitions
    assert sum(int(r[2]) for r in enriched_rows) == len(EVENTS)  # end offsets
    assert {(r[3], r[4]) for r in enriched_rows} == {("-", "-")}  # not the group's to read


def test_topics_on_a_broker_without_them_says_how_to_create_them(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_TOPIC_PREFIX", "never-created.")
    get_settings.cache_clear()
    result = cli.invoke(main, ["topics"])
    assert result.exit_code == 0, result.output
    assert "newswire topics create" in result.output


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
