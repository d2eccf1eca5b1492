"""How the runner assembles a batch: what is waiting, and with a linger under load, what
arrives within it after the first record; never more than the batch size."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from aiokafka import TopicPartition

from newswire.config import Settings
from newswire.observability.metrics import PipelineMetrics
from newswire.runner.arrivals import WINDOW_S, ArrivalRate
from newswire.runner.runner import IDLE_WAIT_MS, LINGER_STEP_MS, MORE_WAIT_MS, StageRunner
from newswire.runner.stage import Stage
from newswire.worker.stages import DEDUP_LINGER_MS, PREPARE_LINGER_MS, dedup_stage, prepare_stage

TP = TopicPartition("raw", 0)


async def _handle(items: object, state: object) -> list[object]:
    return []


class ScriptedConsumer:
    """Answers each `getmany` with the next scripted list of records (offsets), then
    nothing; an empty answer comes after the timeout, as aiokafka's does. Notes the
    timeout and the most records each call asked for."""

    def __init__(self, *answers: list[int]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[int, int]] = []
        self.waiting = asyncio.Event()  # set while an empty answer waits out its timeout

    async def getmany(self, *, timeout_ms: int, max_records: int) -> dict[TopicPartition, Any]:
        self.calls.append((timeout_ms, max_records))
        offsets = self.answers.pop(0) if self.answers else []
        assert len(offsets) <= max_records
        if not offsets:
            self.waiting.set()
            await asyncio.sleep(timeout_ms / 1000)
        return {TP: offsets} if offsets else {}


def runner(
    linger_ms: float | None,
    batch_size: int = 4,
    stage_linger_ms: float = 0.0,
    arriving_per_s: float = 100.0,
) -> StageRunner[bytes]:
    """A runner whose deployment sets `linger_ms` for every stage (None: unset) over a
    stage that declares `stage_linger_ms` itself, to which records have lately been
    arriving at `arriving_per_s` (busy enough to linger, unless told otherwise)."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, topic_prefix="", app_id="newswire", batch_linger_ms=linger_ms
    )
    stage = Stage(
        name="prepare",
        input_topic="raw",
        decode=bytes,
        handle=_handle,  # type: ignore[arg-type]
        fail_stage="clean",
        batch_size=batch_size,
        linger_ms=stage_linger_ms,
    )
    made = StageRunner(stage, settings, PipelineMetrics())
    made._arrivals.add(round(arriving_per_s * WINDOW_S))  # records committed lately
    return made


async def test_without_a_linger_a_batch_is_what_is_waiting() -> None:
    consumer = ScriptedConsumer([1], [], [2, 3, 4])
    batch = await runner(0)._take(consumer)  # type: ignore[arg-type]
    assert batch == {TP: [1]}
    assert consumer.calls == [(IDLE_WAIT_MS, 4), (MORE_WAIT_MS, 3)]
    assert consumer.answers == [[2, 3, 4]]  # the later records wait for the next batch


async def test_a_linger_keeps_collecting_after_a_quiet_moment_until_the_batch_is_full() -> None:
    consumer = ScriptedConsumer([1], [], [2], [3, 4], [5])
    batch = await runner(1000)._take(consumer)  # type: ignore[arg-type]
    assert batch == {TP: [1, 2, 3, 4]}
    assert [most for _, most in consumer.calls] == [4, 3, 3, 2]
    assert all(timeout > MORE_WAIT_MS for timeout, _ in consumer.calls[1:])
    assert consumer.answers == [[5]]


async def test_an_empty_poll_returns_nothing_without_lingering() -> None:
    consumer = ScriptedConsumer()
    assert await runner(1000)._take(consumer) == {}  # type: ignore[arg-type]
    assert consumer.calls == [(IDLE_WAIT_MS, 4)]


async def test_a_lingering_batch_ends_early_when_the_runner_stops() -> None:
    consumer = ScriptedConsumer([1])
    lingering = runner(1000)
    taking = asyncio.ensure_future(lingering._take(consumer))  # type: ignore[arg-type]
    await consumer.waiting.wait()  # the batch has its first record and lingers
    lingering.stop()
    assert await taking == {TP: [1]}
    assert len(consumer.calls) == 2  # one look of at most LINGER_STEP_MS, not the whole second
    assert consumer.calls[1][0] <= LINGER_STEP_MS


async def test_a_batch_that_stays_short_ends_when_the_linger_does() -> None:
    consumer = ScriptedConsumer([1])
    assert await runner(20, arriving_per_s=1000)._take(consumer) == {TP: [1]}  # type: ignore[arg-type]
    assert consumer.calls[1][0] > MORE_WAIT_MS  # it lingered...
    assert consumer.calls[-1] == (MORE_WAIT_MS, 3)  # ...and looked last once the linger was over
    assert len(consumer.calls) <= 4  # waits, never spins


async def test_a_stage_lingers_by_its_own_measure_when_the_deployment_sets_none() -> None:
    consumer = ScriptedConsumer([1], [], [2, 3, 4])
    batch = await runner(None, stage_linger_ms=1000)._take(consumer)  # type: ignore[arg-type]
    assert batch == {TP: [1, 2, 3, 4]}  # waited through the quiet moment for the rest


async def test_the_deployments_linger_overrides_the_stages_own() -> None:
    consumer = ScriptedConsumer([1], [], [2, 3, 4])
    batch = await runner(0, stage_linger_ms=1000)._take(consumer)  # type: ignore[arg-type]
    assert batch == {TP: [1]}
    assert consumer.calls == [(IDLE_WAIT_MS, 4), (MORE_WAIT_MS, 3)]


async def test_a_partition_retried_a_record_at_a_time_does_not_linger() -> None:
    consumer = ScriptedConsumer([1], [], [2, 3, 4])
    isolating = runner(None, stage_linger_ms=1000)
    isolating._isolate_until[TP] = 4
    batch = await isolating._take(consumer)  # type: ignore[arg-type]
    assert batch == {TP: [1]}
    assert consumer.calls == [(IDLE_WAIT_MS, 4), (MORE_WAIT_MS, 3)]


@pytest.mark.parametrize("linger_ms", [10, 50])
@pytest.mark.parametrize(
    ("arriving_per_s", "lingers"), [(0, False), (10, False), (40, False), (50, True), (200, True)]
)
async def test_a_stage_lingers_only_once_it_commits_fifty_records_a_second(
    linger_ms: float, arriving_per_s: float, lingers: bool
) -> None:
    # Whatever the linger's length: a short one that gathers one burst of an upstream
    # stage's commits pays from the same load as a long one.
    consumer = ScriptedConsumer([1], [], [2, 3, 4])
    quiet_or_busy = runner(None, stage_linger_ms=linger_ms, arriving_per_s=arriving_per_s)
    batch = await quiet_or_busy._take(consumer)  # type: ignore[arg-type]
    assert batch == ({TP: [1, 2, 3, 4]} if lingers else {TP: [1]})
    assert (consumer.calls[1] == (MORE_WAIT_MS, 3)) is not lingers


def test_the_arrival_rate_counts_the_records_of_the_last_window_only() -> None:
    now = [100.0]
    rate = ArrivalRate(window_s=2.0, clock=lambda: now[0])
    assert rate.per_second() == 0.0
    rate.add(30)
    now[0] += 1.5
    rate.add(10)
    assert rate.per_second() == 20.0  # 40 records in 2 s
    now[0] += 1.0  # the 30 are now older than the window
    assert rate.per_second() == 5.0
    now[0] += 5.0
    assert rate.per_second() == 0.0


def test_a_stage_that_becomes_busy_starts_lingering_and_one_that_idles_stops() -> None:
    now = [0.0]
    stage_runner = runner(None, batch_size=100, stage_linger_ms=50, arriving_per_s=0)
    stage_runner._arrivals = ArrivalRate(clock=lambda: now[0])
    assert not stage_runner._lingers()
    stage_runner._settle(_cycle(list(range(110))), 110, None, None)
    assert stage_runner._lingers()  # 110 committed in the 2 s window: 55 a second
    now[0] += WINDOW_S  # and then nothing for a whole window
    assert not stage_runner._lingers()


def test_a_stage_that_never_lingers_keeps_no_count() -> None:
    stage_runner = runner(0, stage_linger_ms=50, arriving_per_s=0)
    for offset in range(100):
        stage_runner._settle(_cycle([offset]), offset + 1, None, None)
    assert len(stage_runner._arrivals) == 0


def test_the_count_holds_only_the_window_however_many_batches_come() -> None:
    now = [0.0]
    rate = ArrivalRate(window_s=2.0, clock=lambda: now[0])
    for _ in range(10_000):
        rate.add(1)
        now[0] += 0.01
    assert len(rate) <= 201
    assert rate.per_second() == pytest.approx(100.0, abs=1)


def _cycle(offsets: list[int]) -> Any:
    """A committed cycle of records at `offsets` of TP, as `_settle` reads it."""
    records = [SimpleNamespace(offset=offset) for offset in offsets]
    return SimpleNamespace(tp=TP, records=records)


def test_the_light_hops_linger_by_default_dedup_for_one_burst_of_prepare_commits() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert prepare_stage(settings).linger_ms == PREPARE_LINGER_MS == 50.0
    assert dedup_stage(settings).linger_ms == DEDUP_LINGER_MS == 10.0


def test_the_linger_variable_zero_is_zero_and_blank_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSWIRE_BATCH_LINGER_MS", "0")
    assert Settings(_env_file=None).batch_linger_ms == 0.0  # type: ignore[call-arg]
    monkeypatch.setenv("NEWSWIRE_BATCH_LINGER_MS", " ")
    assert Settings(_env_file=None).batch_linger_ms is None  # type: ignore[call-arg]
