"""A third-party Kafka client (kcat, from Debian) produces a raw article as plain JSON, with
no newswire code and no CloudEvents headers, and consumes the enriched event."""

from __future__ import annotations

import subprocess
from pathlib import Path

import orjson
import pytest

from newswire.config import Settings
from newswire.models import EnrichedArticle
from newswire.topics import ENRICHED, RAW, topic_name
from tests.support.schemas import validator
from tests.support.tools import require_tool
from tests.support.worker import running_worker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def test_kcat_produces_raw_json_that_comes_out_enriched(
    topics: Settings, seed_paths: list[Path], tmp_path: Path
) -> None:
    binary = require_tool("kcat")
    body = seed_paths[2].read_text()
    raw = orjson.dumps(
        {"id": "kcat-1", "url": "https://example.org/kcat-1", "source": "kcat", "body": body}
    )
    with running_worker(topics, tmp_path / "worker.log"):
        subprocess.run(
            [binary, "-P", "-b", topics.kafka_bootstrap, "-t", topic_name(topics, RAW), "-K", "\t"],
            input=b"kcat-1\t" + raw + b"\n",
            check=True,
            timeout=30,
        )
        consumed = subprocess.run(
            [
                binary,
                "-C",
                "-b",
                topics.kafka_bootstrap,
                "-t",
                topic_name(topics, ENRICHED),
                "-o",
                "beginning",
                "-c",
                "1",
                "-X",
                "isolation.level=read_committed",  # as the README tells subscribers
                "-f",
                "%k\t%s\n",
            ],
            capture_output=True,
            check=True,
            timeout=90,
        )
    key, _, value = consumed.stdout.rstrip(b"\n").partition(b"\t")
    assert key == b"kcat-1"
    validator("EnrichedArticle").validate(orjson.loads(value))
    event = EnrichedArticle.model_validate_json(value)
    assert {"SY", "IR"} <= {c.code for c in event.countries}
