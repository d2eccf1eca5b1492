"""Duplicates are recognised across a worker restart, from the changelog alone."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from newswire.client import AsyncClient
from newswire.config import Settings
from newswire.dedup.dataset import change_headline, wrap_outlet
from newswire.ingest.files import article_from_text
from newswire.models import DuplicateNotice, RawArticle
from newswire.subscribe.reader import read_until
from newswire.topics import DUPLICATES, ENRICHED, topic_name
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _produce(settings: Settings, articles: list[RawArticle]) -> None:
    async def run() -> None:
        async with AsyncClient(settings, component="test") as client:
            await client.publish_many(articles)

    asyncio.run(run())


def _copies(seeds: list[Path], outlet: str, rng: random.Random, edit: str) -> list[RawArticle]:
    copies = []
    for seed in seeds:
        body = (
            wrap_outlet(seed.read_text(), rng)
            if edit == "wrap"
            else change_headline(wrap_outlet(seed.read_text(), rng), rng)
        )
        copies.append(
            article_from_text(
                f"{outlet}-{seed.stem}.txt",
                body,
                source=outlet,
                url=f"https://{outlet}.example/{seed.stem}",
            )
        )
    return copies


def test_copies_point_to_their_originals_before_and_after_a_restart(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    rng = random.Random(3)
    originals = [article_from_text(p.name, p.read_text(), source="seed") for p in seed_paths]
    dup_topic = topic_name(topics, DUPLICATES)
    with running_worker(topics, tmp_path / "w1.log"):
        _produce(topics, originals)
        enriched = asyncio.run(
            read_until(topics.kafka_bootstrap, topic_name(topics, ENRICHED), 5, timeout_s=90)
        )
        assert len(enriched) == 5
        _produce(topics, _copies(seed_paths, "wire-one", rng, "wrap"))
        first = asyncio.run(read_until(topics.kafka_bootstrap, dup_topic, 5, timeout_s=60))
    # A fresh data dir: the second worker knows the originals only through the changelog.
    restarted = topics.model_copy(update={"data_dir": tmp_path / "second-worker"})
    with running_worker(restarted, tmp_path / "w2.log"):
        _produce(restarted, _copies(seed_paths, "wire-two", rng, "retitle"))
        notices = asyncio.run(read_until(topics.kafka_bootstrap, dup_topic, 10, timeout_s=90))
    assert len(first) == 5 and len(notices) == 10
    seen = [DuplicateNotice.model_validate_json(m.value) for m in notices]
    # a seed's id is "<stem>-<digest of its text>"
    original_of_stem = {o.id.rsplit("-", 1)[0]: o.id for o in originals}
    for notice in seen:
        # ids are "wire-<one|two>-<seed stem>"; the original is the seed itself
        assert notice.original_id == original_of_stem[notice.id.split("-", 2)[-1]], notice
        assert (
            notice.method in {"minhash", "content_hash"} and notice.score >= topics.dedup_threshold
        )
    assert {n.id.split("-", 2)[1] for n in seen} == {"one", "two"}
    # Copies never reach the enriched topic a second time.
    everything = asyncio.run(
        read_until(topics.kafka_bootstrap, topic_name(topics, ENRICHED), 20, timeout_s=5)
    )
    assert len(everything) == 5
