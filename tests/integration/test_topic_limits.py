"""The worker's start-up check: topics made by `newswire topics create` accept the largest
events the article limit allows; a topic whose limit was lowered is named."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newswire.config import Settings
from newswire.runner.limits import limit_problems
from newswire.topics import ENRICHED, topic_name

pytestmark = [pytest.mark.kafka]


def settled_problems(settings: Settings) -> list[str]:
    """The check's answer once the broker's metadata shows every topic just created."""
    for _ in range(50):
        problems = asyncio.run(limit_problems(settings))
        if not any("UnknownTopic" in problem for problem in problems):
            return problems
        time.sleep(0.2)
    return problems


def test_created_topics_pass_and_a_lowered_limit_is_named(topics: Settings) -> None:
    assert settled_problems(topics) == []
    enriched = topic_name(topics, ENRICHED)

    async def lower() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=topics.kafka_bootstrap)
        await admin.start()
        try:
            await admin.alter_configs(
                [
                    ConfigResource(
                        ConfigResourceType.TOPIC, enriched, configs={"max.message.bytes": "1000"}
                    )
                ]
            )
        finally:
            await admin.close()

    asyncio.run(lower())
    [problem] = settled_problems(topics)
    assert enriched in problem and "max.message.bytes=1000" in problem
