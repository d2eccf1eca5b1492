"""Shared fixtures: one real broker per test session, fresh topics and settings per test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

# Imported now, not lazily by hypothesis' plugin at the terminal summary: a ResourceWarning
# raised (as an error) by garbage collection while pytest compiles that late import trips a
# CPython 3.11 bug ("AST constructor recursion depth mismatch") and crashes the summary.
import hypothesis  # noqa: F401
import pytest

from newswire.admin import ensure_topics
from newswire.config import Settings
from tests.support.broker import broker_for_tests
from tests.support.settings import fresh_settings

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
    return fresh_settings(kafka_bootstrap, tmp_path / "worker")


@pytest.fixture
def topics(settings: Settings) -> Settings:
    """`settings`, with every topic created on the broker."""
    asyncio.run(ensure_topics(settings))
    return settings


@pytest.fixture
def seed_paths() -> list[Path]:
    """The five seed articles, in name order."""
    return sorted(SEEDS.glob("*.txt"))
