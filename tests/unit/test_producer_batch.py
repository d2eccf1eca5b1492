"""The record batch a worker's producer builds fits every topic the worker writes."""

from __future__ import annotations

import pytest

from newswire.config import Settings
from newswire.topics import MAX_MESSAGE_BYTES, RAW, producer_batch_bytes, topic_specs


@pytest.mark.parametrize("article_bytes", [64 * 1024, 1_000_000, 4_000_000])
def test_a_batch_never_exceeds_the_limit_of_a_topic_the_worker_writes(article_bytes: int) -> None:
    settings = Settings(_env_file=None, max_article_bytes=article_bytes)  # type: ignore[call-arg]
    limits = [
        int(spec.configs[MAX_MESSAGE_BYTES])
        for spec in topic_specs(settings)
        if spec.name != RAW and MAX_MESSAGE_BYTES in spec.configs
    ]
    batch = producer_batch_bytes(settings)
    assert batch == min(limits)
    # Large enough to carry a transaction's outputs to one partition in one request: the
    # client's own default (16 KiB) split them over several, one after another.
    assert batch >= 64 * 1024
