"""The broker fixture's three ways, idempotent topic creation, and the producer's keying."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from newswire.admin import broker_ready, ensure_topics
from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.ingest.files import articles_from_path
from newswire.kafka_local.launcher import KAFKA_GC_OPTIONS
from newswire.subscribe.reader import read_until
from newswire.topics import RAW, topic_name, topic_specs
from tests.support.broker import broker_for_tests, choose_way, docker_answers

pytestmark = pytest.mark.kafka


def test_user_bootstrap_always_wins() -> None:
    env = {"KAFKA_BOOTSTRAP_SERVERS": "broker.example:9092"}
    assert choose_way(env, has_docker=lambda: True) == "env"
    assert Settings(_env_file=None).model_copy().kafka_bootstrap  # property is defined  # type: ignore[call-arg]


def test_docker_is_second_choice_and_local_the_fallback() -> None:
    assert choose_way({}, has_docker=lambda: True) == "docker"
    assert choose_way({}, has_docker=lambda: False) == "local"
    assert choose_way({"NEWSWIRE_TEST_BROKER": "local"}, has_docker=lambda: True) == "local"


def test_env_way_yields_the_users_address(tmp_path: Path) -> None:
    with broker_for_tests(tmp_path, env={"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}) as (
        way,
        bootstrap,
    ):
        assert (way, bootstrap) == ("env", "127.0.0.1:1")


@pytest.mark.slow
def test_docker_way_starts_a_testcontainers_broker(tmp_path: Path) -> None:
    if not docker_answers():
        pytest.skip("no Docker engine answers on this machine")
    with broker_for_tests(tmp_path, env={}) as (way, bootstrap):
        assert way == "docker"
        assert broker_ready(bootstrap, timeout_s=30)


@pytest.mark.slow
def test_local_way_starts_and_stops_a_real_broker(tmp_path: Path) -> None:
    with broker_for_tests(tmp_path, env={}, has_docker=lambda: False) as (way, bootstrap):
        assert way == "local"
        assert broker_ready(bootstrap, timeout_s=10)
        # The JVM runs with Kafka's own collector settings (its start scripts' defaults).
        pid = (tmp_path / "kafka.pid").read_text().strip()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert all(option.encode() in command for option in KAFKA_GC_OPTIONS)
    assert not broker_ready(bootstrap, timeout_s=2)


def test_topic_creation_is_idempotent(settings: Settings) -> None:
    first = asyncio.run(ensure_topics(settings))
    second = asyncio.run(ensure_topics(settings))
    assert all(r.created for r in first)
    assert not any(r.created for r in second)
    assert [r.name for r in first] == [
        s.full_name(settings.topic_prefix) for s in topic_specs(settings)
    ]

    async def describe() -> dict[str, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([r.name for r in first])
        finally:
            await admin.close()
        return {d["topic"]: len(d["partitions"]) for d in described}

    partitions = asyncio.run(describe())
    for spec in topic_specs(settings):
        assert partitions[spec.full_name(settings.topic_prefix)] == spec.partitions


def test_producer_keys_each_article_by_its_stable_id(
    topics: Settings, seed_paths: list[Path]
) -> None:
    articles = [a for p in seed_paths for a in articles_from_path(p, source="seed")]
    twice = articles + articles

    async def produce() -> list[str]:
        async with AsyncClient(topics, component="test") as client:
            return await client.publish_many(twice)

    ids = asyncio.run(produce())
    assert ids == [a.id for a in twice]
    assert ids[0].startswith(f"{seed_paths[0].stem}-")  # name, then a digest of the text
    messages = asyncio.run(
        read_until(topics.kafka_bootstrap, topic_name(topics, RAW), len(twice), timeout_s=30)
    )
    assert len(messages) == len(twice)
    partition_of: dict[bytes | None, set[int]] = {}
    for message in messages:
        partition_of.setdefault(message.key, set()).add(message.partition)
    # The same id always lands on the same partition, so per-article order holds.
    assert set(partition_of) == {a.id.encode() for a in articles}
    assert all(len(parts) == 1 for parts in partition_of.values())
    headers = dict(messages[0].headers)
    assert headers["ce_type"] == b"io.newswire.article.raw.v1"
    assert headers["ce_specversion"] == b"1.0"


def test_a_topic_created_elsewhere_meanwhile_is_reported_as_existing(settings: Settings) -> None:
    # The broker answers 'already exists' in the response rather than as an exception;
    # metadata that lags behind must not make a second run claim it created anything.
    spec = topic_specs(settings)[0]
    asyncio.run(ensure_topics(settings, [spec]))

    async def create_again() -> bool:
        from aiokafka.admin import NewTopic

        from newswire.admin import topic_created

        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap)
        await admin.start()
        try:
            name = spec.full_name(settings.topic_prefix)
            response = await admin.create_topics([NewTopic(name, spec.partitions, 1)])
            return topic_created(response, name)
        finally:
            await admin.close()

    assert asyncio.run(create_again()) is False
