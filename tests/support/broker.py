"""How tests find a real Kafka broker: the user's, a testcontainers one, or our own."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from newswire.kafka_local.launcher import LocalKafka, free_port, throwaway_broker

Way = Literal["env", "docker", "local"]
KAFKA_IMAGE = "apache/kafka:3.9.1"


def docker_answers() -> bool:
    """True when a Docker engine answers a ping (the client alone is not enough)."""
    try:
        import docker

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def choose_way(env: Mapping[str, str], has_docker: Callable[[], bool]) -> Way:
    """KAFKA_BOOTSTRAP_SERVERS set by the user always wins; then Docker; then our own broker."""
    if env.get("KAFKA_BOOTSTRAP_SERVERS"):
        return "env"
    if env.get("NEWSWIRE_TEST_BROKER") != "local" and has_docker():
        return "docker"
    return "local"


@contextmanager
def docker_broker() -> Iterator[str]:
    """A throwaway Apache Kafka (KRaft) container through testcontainers."""
    from testcontainers.kafka import KafkaContainer

    with KafkaContainer(KAFKA_IMAGE).with_kraft() as container:
        yield container.get_bootstrap_server()


@contextmanager
def broker_for_tests(
    home: Path,
    env: Mapping[str, str] | None = None,
    has_docker: Callable[[], bool] = docker_answers,
) -> Iterator[tuple[Way, str]]:
    """The bootstrap address tests use, and which way it was found."""
    env = os.environ if env is None else env
    way = choose_way(env, has_docker)
    if way == "env":
        yield way, env["KAFKA_BOOTSTRAP_SERVERS"]
    elif way == "docker":
        with docker_broker() as bootstrap:
            yield way, bootstrap
    else:
        with throwaway_broker(home) as bootstrap:
            yield way, bootstrap


@contextmanager
def restartable_broker(home: Path) -> Iterator[LocalKafka]:
    """A local broker of its own (not the session's) on free ports, which a test may stop and
    start again: the ports and data stay, so clients reconnect to the same cluster."""
    broker = LocalKafka(home=home, port=free_port(), controller_port=free_port())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
