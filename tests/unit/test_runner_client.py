"""The runner's adjustment of the Kafka client: a transaction that starts while the
broker still completes the previous one is retried after a short wait."""

from __future__ import annotations

import aiokafka.producer.sender

from newswire.config import Settings
from newswire.observability.metrics import PipelineMetrics
from newswire.runner.runner import TXN_CONCURRENT_RETRY_S, StageRunner
from newswire.runner.stage import Stage

SETTINGS = Settings(_env_file=None, topic_prefix="", app_id="newswire")  # type: ignore[call-arg]


async def _handle(items: object, state: object) -> list[object]:
    return []


def test_a_runner_shortens_the_concurrent_transaction_retry() -> None:
    aiokafka.producer.sender.BACKOFF_OVERRIDE = 0.02  # aiokafka's own value
    stage = Stage(
        name="prepare", input_topic="raw", decode=bytes, handle=_handle, fail_stage="clean"
    )
    StageRunner(stage, SETTINGS, PipelineMetrics())  # type: ignore[arg-type]
    assert aiokafka.producer.sender.BACKOFF_OVERRIDE == TXN_CONCURRENT_RETRY_S
    assert TXN_CONCURRENT_RETRY_S < 0.02
