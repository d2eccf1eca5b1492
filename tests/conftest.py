"""Shared fixtures: one real broker per test session, fresh topics and settings per test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.kafka_local.launcher import free_port
from tests.support.broker import broker_for_tests

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap address of a real Apache Kafka broker for the whole session."""
    with broker_for_tests(tmp_path_factory.mktemp("kafka")) as (_, bootstrap):
        yield bootstrap


@pytest.fixture
def settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Settings on fresh topic names, group and data dir, so tests never see each other."""
    run = uuid.uuid4().hex[:10]
    return Settings(
        bootstrap_servers=kafka_bootstrap,
        topic_prefix=f"t{run}.",
        app_id=f"newswire-test-{run}",
        worker_id=f"test-{run}",
        data_dir=tmp_path / "worker",
        web_port=free_port(),
        ner_processes=0,
        log_format="json",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def topics(settings: Settings) -> Settings:
    """`settings`, with every topic created on the broker."""
    asyncio.run(ensure_topics(settings))
    return settings


@pytest.fixture
def seed_paths() -> list[Path]:
    """The five seed articles, in name order."""
    return sorted(SEEDS.glob("*.txt"))
