"""Which send failures the runner pins on one record (dead letter) and which it leaves to
the batch (retried): a refused route topic is the record's, a refused topic every record
goes to is the deployment's."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka.errors import MessageSizeTooLargeError, TopicAuthorizationFailedError
from aiokafka.structs import ConsumerRecord, TopicPartition

from newswire.config import Settings
from newswire.observability.metrics import PipelineMetrics
from newswire.runner.runner import RecordSendError, StageRunner, _Cycle
from newswire.runner.stage import Item, Result, Stage, State

SETTINGS = Settings(_env_file=None, topic_prefix="", app_id="newswire")  # type: ignore[call-arg]
ROUTE = "news.region.levant"
TP = TopicPartition("news.internal.tagged", 0)


async def _handle(items: Sequence[Item[bytes]], state: State | None) -> Sequence[Result]:
    return [[] for _ in items]


def _runner() -> StageRunner[bytes]:
    stage = Stage(
        name="story",
        input_topic="news.internal.tagged",
        decode=bytes,
        handle=_handle,
        fail_stage="story",
        optional_topics=frozenset({ROUTE}),
    )
    return StageRunner(stage, SETTINGS, PipelineMetrics())


def _cycle() -> _Cycle:
    record = ConsumerRecord(TP.topic, 0, 7, 0, 0, b"k", b"v", None, 1, 1, [])
    return _Cycle(TP, [record])


def test_a_refused_route_topic_dead_letters_the_one_record() -> None:
    runner = _runner()
    runner._blame(_cycle(), RecordSendError(7, TopicAuthorizationFailedError(), ROUTE))
    assert runner._poisoned[(TP, 7)].stage == "publish"


def test_a_refused_topic_every_record_goes_to_is_retried_not_dead_lettered() -> None:
    runner = _runner()
    for _ in range(5):
        runner._blame(_cycle(), RecordSendError(7, TopicAuthorizationFailedError(), "news.stories"))
    assert runner._poisoned == {}


def test_a_record_too_large_for_any_topic_is_its_own() -> None:
    runner = _runner()
    runner._blame(_cycle(), RecordSendError(7, MessageSizeTooLargeError(), "news.stories"))
    assert (TP, 7) in runner._poisoned
