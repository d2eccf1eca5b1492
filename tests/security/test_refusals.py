"""Refused connections and refused operations end at once with one clear sentence: no
retry loop, no traceback for the person at the terminal."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiokafka.errors import TopicAuthorizationFailedError

from newswire.admin import ensure_topics
from newswire.security.diagnose import explain
from newswire.subscribe.reader import read_until
from newswire.topics import TopicSpec
from tests.security.conftest import SecureCluster

pytestmark = [pytest.mark.kafka, pytest.mark.security]


def _refused(result: object, *phrases: str, status: int = 1) -> str:
    """The stderr of a command that must have failed cleanly, checked for `phrases`."""
    assert getattr(result, "returncode", 0) == status, result
    err: str = getattr(result, "stderr", "")
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1, err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]
    return lines[0]


def test_a_wrong_password_is_refused_with_the_user_named(cluster: SecureCluster) -> None:
    settings = cluster.scram("subscriber").model_copy(update={"kafka_sasl_password": "wrong"})
    result = cluster.cli(settings, "tail", "enriched", "--timeout", "5")
    line = _refused(result, "refused the credentials", "'subscriber'", "SCRAM-SHA-512")
    assert cluster.security.passwords["subscriber"] not in result.stderr + line


def test_an_untrusted_broker_certificate_is_refused(cluster: SecureCluster) -> None:
    # No CA file: the system trust store, which does not know the throwaway CA.
    settings = cluster.scram("subscriber").model_copy(update={"kafka_ssl_cafile": None})
    _refused(cluster.cli(settings, "topics"), "not trusted", "NEWSWIRE_KAFKA_SSL_CAFILE")


def test_plaintext_against_the_tls_port_is_refused(cluster: SecureCluster) -> None:
    settings = cluster.settings({"bootstrap_servers": cluster.broker.bootstrap})
    _refused(cluster.cli(settings, "topics"), "is a TLS listener", "SASL_SSL")


def test_the_ssl_port_refuses_a_client_without_a_certificate(cluster: SecureCluster) -> None:
    settings = cluster.mtls("subscriber").model_copy(
        update={"kafka_ssl_certfile": None, "kafka_ssl_keyfile": None}
    )
    _refused(cluster.cli(settings, "topics"), "client certificate")


def test_a_subscriber_cannot_write_raw(cluster: SecureCluster, seed_paths: list[Path]) -> None:
    result = cluster.cli(cluster.scram("subscriber"), "produce", str(seed_paths[0]))
    _refused(result, "'subscriber' is not allowed")


def test_a_subscriber_cannot_read_the_dedup_changelog(cluster: SecureCluster) -> None:
    subscriber = cluster.scram("subscriber")
    changelog = f"{subscriber.app_id}-dedup-index-changelog"
    asyncio.run(
        ensure_topics(cluster.admin(), [TopicSpec(f"{subscriber.app_id}-dedup-index-changelog", 1)])
    )
    # The CLI does not even see the topic: metadata lists only what the principal may use.
    result = cluster.cli(subscriber, "tail", changelog, "--timeout", "10")
    _refused(result, changelog, status=2)  # 2: tail's "no such topic" usage error
    # A consumer that asks for it anyway is refused by the broker, and told why.
    with pytest.raises(TopicAuthorizationFailedError) as caught:
        asyncio.run(read_until(subscriber, changelog, 1, timeout_s=10))
    assert explain(caught.value, subscriber) == (
        f"Kafka user 'subscriber' is not allowed to use topic {changelog} (no ACL grants it)"
    )


def test_a_worker_with_a_wrong_password_stops_at_start(cluster: SecureCluster) -> None:
    settings = cluster.scram("worker").model_copy(update={"kafka_sasl_password": "wrong"})
    _refused(cluster.cli(settings, "worker"), "refused the credentials", "'worker'")
