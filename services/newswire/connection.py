"""How every Kafka client reaches the cluster: one place for addresses and security.

Every aiokafka producer, consumer and admin client, and the faust app, is built from these
options, so a client added anywhere is born with the cluster's security settings.
"""

from __future__ import annotations

from typing import Any

from newswire.config import Settings


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments that every aiokafka client (AIOKafkaProducer, AIOKafkaConsumer,
    AIOKafkaAdminClient) takes to reach the configured cluster."""
    return {"bootstrap_servers": settings.kafka_bootstrap}


def faust_app_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of `faust.App` that reach the same cluster as `client_options`."""
    brokers = [
        f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()
    ]
    return {"broker": brokers}
