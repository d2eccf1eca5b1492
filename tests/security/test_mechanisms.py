"""Every supported way of authenticating, through the secured broker: SCRAM-SHA-256,
OAUTHBEARER (Kafka's unsecured JWS validator) and mutual TLS. The principal each one
yields is the one the ACLs are written for."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import ClusterAuthorizationFailedError, TopicAuthorizationFailedError

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.connection import client_options
from newswire.ingest.files import articles_from_path
from newswire.subscribe.reader import read_until
from newswire.topics import ENRICHED, RAW, topic_name
from tests.security.conftest import SecureCluster

pytestmark = [pytest.mark.kafka, pytest.mark.security]

REFUSED = (TopicAuthorizationFailedError, ClusterAuthorizationFailedError)


async def _publish_one(settings: Settings, path: Path) -> str:
    async with AsyncClient(settings, component="test") as client:
        return await client.publish(next(iter(articles_from_path(path, source="seed"))))


async def _send(settings: Settings, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(**client_options(settings), acks="all")
    try:
        await producer.start()
        await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


def _raw_ids(cluster: SecureCluster, count: int) -> list[bytes | None]:
    admin = cluster.admin()
    messages = asyncio.run(read_until(admin, topic_name(admin, RAW), count, timeout_s=30))
    return [m.key for m in messages]


@pytest.mark.parametrize("how", ["scram-sha-256", "oauthbearer", "mtls"])
def test_ingest_publishes_and_a_subscriber_reads_as_themselves(
    cluster: SecureCluster, seed_paths: list[Path], how: str
) -> None:
    connect = {
        "scram-sha-256": lambda user: cluster.scram(user, "SCRAM-SHA-256"),
        "oauthbearer": cluster.oauth,
        "mtls": cluster.mtls,
    }[how]
    ingest, subscriber = connect("ingest"), connect("subscriber")

    article_id = asyncio.run(_publish_one(ingest, seed_paths[0]))
    assert _raw_ids(cluster, 1) == [article_id.encode()]

    enriched = topic_name(subscriber, ENRICHED)
    asyncio.run(_send(cluster.admin(), enriched, b'{"marker": true}'))
    got = asyncio.run(read_until(subscriber, enriched, 1, timeout_s=30))
    assert [m.value for m in got] == [b'{"marker": true}']

    # The principal is the subscriber, not whoever the mechanism might default to.
    with pytest.raises(REFUSED):
        asyncio.run(_send(subscriber, topic_name(subscriber, RAW), b"{}"))


def test_an_expired_oauth_token_is_refused(cluster: SecureCluster) -> None:
    settings = cluster.settings(
        cluster.security.oauth_settings("ingest", cluster.broker.bootstrap, lifetime_s=-60)
    )
    result = cluster.cli(settings, "topics")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Error: the OAUTHBEARER token expired" in result.stderr


def test_the_operator_creates_topics_and_replays_dead_letters(cluster: SecureCluster) -> None:
    from newswire.kafka_local.secure import apply_acls
    from newswire.models import DeadLetter
    from newswire.models.events import utcnow
    from newswire.security.acls import newswire_acls
    from newswire.topics import DEADLETTER, topic_specs
    from newswire.wire import encode

    operator = cluster.scram("operator")
    elsewhere = operator.model_copy(update={"topic_prefix": f"other{operator.topic_prefix}"})
    refused = cluster.cli(elsewhere, "topics", "create")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "'operator' is not allowed" in refused.stderr
    # Once the ACLs name that prefix, the operator creates every topic there.
    asyncio.run(apply_acls(cluster.admin(), newswire_acls(elsewhere)))
    created = cluster.cli(elsewhere, "topics", "create")
    assert created.returncode == 0, created.stderr
    assert created.stdout.count("created") == len(topic_specs(elsewhere))

    raw = topic_name(operator, RAW)
    letter = DeadLetter(
        stage="validate",
        error="url: Input should be a valid URL [url_parsing]",
        error_type="ValidationError",
        original=b'{"url": "https://example.com/fixed"}',
        original_topic=raw,
        failed_at=utcnow(),
        worker_id="w",
    )
    asyncio.run(_send(cluster.admin(), topic_name(operator, DEADLETTER), encode(letter)))
    result = cluster.cli(operator, "replay", "--idle", "3")
    assert result.returncode == 0, result.stderr
    assert "replayed=1" in result.stdout
    assert [m.value for m in asyncio.run(read_until(cluster.admin(), raw, 1, timeout_s=30))] == [
        letter.original
    ]
