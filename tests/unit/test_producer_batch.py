"""The record batch a worker's producer builds fits every topic the worker writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from newswire.config import Settings
from newswire.routing import load_routes
from newswire.topics import (
    CLEANED,
    DEADLETTER,
    DUPLICATES,
    ENRICHED,
    MAX_MESSAGE_BYTES,
    STATEFUL_STAGES,
    STORIES,
    TAGGED,
    UNIQUE,
    changelog_name,
    producer_batch_bytes,
    topic_specs,
)

# What the stages publish (worker/stages.py), the runner's dead letters included.
STAGE_OUTPUTS = [CLEANED, UNIQUE, DUPLICATES, TAGGED, ENRICHED, STORIES, DEADLETTER]


@pytest.mark.parametrize("article_bytes", [64 * 1024, 1_000_000, 4_000_000])
def test_a_batch_never_exceeds_the_limit_of_a_topic_the_worker_writes(
    article_bytes: int, tmp_path: Path
) -> None:
    routes = tmp_path / "routes.yaml"
    routes.write_text("routes:\n  - topic: news.region.levant\n    countries: [SY, LB]\n")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, max_article_bytes=article_bytes, routes_file=routes
    )
    limits = {spec.name: int(spec.configs[MAX_MESSAGE_BYTES]) for spec in topic_specs(settings)}
    written = [
        *STAGE_OUTPUTS,
        *(changelog_name(settings, stage) for stage in STATEFUL_STAGES),
        *(route.topic for route in load_routes(settings.routes_file)),
    ]
    batch = producer_batch_bytes(settings)
    assert len(written) == 10  # seven outputs, two changelogs, the route
    assert all(batch <= limits[name] for name in written)
    # Large enough to carry a transaction's outputs to one partition in one request: the
    # client's own default (16 KiB) split them over several, one after another.
    assert batch >= 64 * 1024
