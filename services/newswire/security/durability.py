"""Topic durability: the replication settings every topic newswire creates is given."""

from __future__ import annotations

from collections.abc import Mapping

from newswire.config import Settings


def durable_configs(settings: Settings, configs: Mapping[str, str]) -> dict[str, str]:
    """A topic's configs with `min.insync.replicas` set from the settings (a topic that
    names its own value keeps it). Producers use acks=all, so a write is acknowledged only
    once that many replicas hold it."""
    return {"min.insync.replicas": str(settings.topic_min_insync_replicas), **configs}
