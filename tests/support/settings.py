"""Settings on names no other test uses, so tests sharing one broker never see each other."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from newswire.config import Settings
from newswire.kafka_local.launcher import free_port


def fresh_settings(bootstrap: str, data_dir: Path, **overrides: Any) -> Settings:
    """Settings with a fresh topic prefix, group, worker id and web port, NER in-process and
    JSON logs, not read from the environment; `overrides` set anything else."""
    run = uuid.uuid4().hex[:10]
    values: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "topic_prefix": f"t{run}.",
        "app_id": f"newswire-test-{run}",
        "worker_id": f"test-{run}",
        "data_dir": data_dir,
        "web_port": free_port(),
        "ner_processes": 0,
        "log_format": "json",
        # Tests serve HTTP ingest on loopback; those about tokens configure them.
        "ingest_allow_anonymous": True,
        **overrides,
    }
    return Settings(**values, _env_file=None)
