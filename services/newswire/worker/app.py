"""The worker process: faust hosts it (web server, metrics, signals, lifecycle); the stages
run on newswire's transactional stage runner (`newswire.runner`).

faust's own consumer, producer and tables are switched off: faust-streaming's
exactly-once mode has open reports of duplicates, sends outside the transaction and
crashes on rebalance, and its tables cannot take part in a transaction we own, so the
stages consume and produce through aiokafka transactions instead, with their state in
the runner's changelog-backed store.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import faust
import structlog
from faust.app.base import BootStrategy
from mode import Service

from newswire.config import Settings
from newswire.connection import faust_app_options
from newswire.heap import freeze_loaded
from newswire.observability.gc_pauses import observe_gc_pauses
from newswire.observability.health import ReadinessCheck, register_health
from newswire.observability.logs import configure_logging
from newswire.observability.metrics import Offsets, PipelineMetrics
from newswire.observability.web import locked_down_web_options
from newswire.runner import BrokerWatch, StageRunner
from newswire.runner.limits import TopicGuard
from newswire.wire import register_faust_codec

STOP_GRACE_S = 20.0
log = structlog.get_logger("newswire.worker")


class _HostOnly(BootStrategy):
    """Sensors and the web server; no faust consumer, producer or tables."""

    enable_kafka = False


class HostApp(faust.App):
    """A faust app that hosts newswire's runners instead of faust agents."""

    BootStrategy = _HostOnly


def create_app(settings: Settings) -> faust.App:
    """A faust app serving the configured web port; Kafka is the runners' business."""
    register_faust_codec()
    return HostApp(
        settings.app_id,
        **faust_app_options(settings),
        datadir=str(settings.data_dir),
        **locked_down_web_options(settings.web_host, settings.web_port),
        logging_config=None,
    )


def export_metrics(
    app: faust.App, metrics: PipelineMetrics, runners: list[StageRunner[Any]]
) -> None:
    """Serve `/metrics` on the worker's web port: faust's own sensors (prefixed `faust_`)
    and newswire's metrics, including the consumer lag of each stage's partitions."""
    from faust.sensors.prometheus import setup_prometheus_sensors  # noqa: PLC0415

    setup_prometheus_sensors(app, registry=metrics.registry, name_prefix="faust")

    def offsets() -> tuple[Offsets, Offsets]:
        ends: dict[tuple[str, int], int] = {}
        done: dict[tuple[str, int], int] = {}
        for runner in runners:
            runner_ends, runner_done = runner.offsets()
            ends.update(runner_ends)
            done.update(runner_done)
        return ends, done

    metrics.watch_lag(offsets)


def pipeline_service(
    runners: list[StageRunner[Any]], watch: BrokerWatch, guard: TopicGuard
) -> type[Service]:
    """A mode service that runs the broker watch, the topic guard and every runner while
    the app runs, and on stop lets each runner finish its batch in flight and leave its
    group."""

    class Pipeline(Service):
        tasks: list[asyncio.Task[None]]

        async def on_start(self) -> None:
            self.tasks = [
                asyncio.create_task(watch.run(), name="broker-watch"),
                asyncio.create_task(guard.run(), name="topic-guard"),
                *(
                    asyncio.create_task(runner.run(), name=f"runner-{runner.stage.name}")
                    for runner in runners
                ),
            ]

        async def on_stop(self) -> None:
            watch.stop()
            guard.stop()
            for runner in runners:
                runner.stop()
            _, late = await asyncio.wait(self.tasks, timeout=STOP_GRACE_S)
            for task in late:
                task.cancel()
            for task in self.tasks:
                with contextlib.suppress(BaseException):
                    await task

    return Pipeline


class NewswireWorker(faust.Worker):
    """faust's worker, with newswire's log format: mode installs its own handlers when the
    worker starts, so ours are put back right after, for faust's and aiokafka's loggers too."""

    def __init__(self, settings: Settings, *args: Any, **kwargs: Any) -> None:
        self.newswire_settings = settings
        super().__init__(*args, **kwargs)
        # The start-up spinner writes terminal escapes into what should be one log object a line.
        self.spinner = None

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        """mode's hook, called once its logging setup is done."""
        configure_logging(self.newswire_settings)


def run_worker(settings: Settings) -> None:
    """Run one worker in the foreground until it is signalled to stop."""
    from newswire.tagging.service import TaggingService  # noqa: PLC0415 - heavy: loads models
    from newswire.worker.stages import (  # noqa: PLC0415
        dedup_stage,
        enrich_stage,
        prepare_stage,
        story_stage,
    )

    app = create_app(settings)
    metrics = PipelineMetrics()
    tagging = TaggingService.from_settings(settings)
    watch = BrokerWatch(settings, settings.broker_unreachable_after_s)
    guard = TopicGuard(settings)
    runners: list[StageRunner[Any]] = [
        StageRunner(stage, settings, metrics, watch.reachable, lambda: watch.topics)
        for stage in (
            prepare_stage(settings),
            dedup_stage(settings),
            enrich_stage(settings, tagging, metrics),
            story_stage(settings, metrics),
        )
    ]
    export_metrics(app, metrics, runners)
    observe_gc_pauses(metrics.gc_pause_seconds)

    async def load_models() -> None:
        # Off the event loop, so /healthz answers during a long load while /readyz says
        # models_loaded=false; the enrich stage joins its group only once they are loaded.
        metrics.model_load_seconds.set(await asyncio.to_thread(tagging.start))
        log.info("worker.heap_frozen", objects=freeze_loaded())

    app.task(load_models)
    app.service(pipeline_service(runners, watch, guard))
    checks: list[tuple[str, ReadinessCheck]] = [
        ("broker_reachable", watch.reachable),
        ("topic_limits", guard.ok),
        *((f"{runner.stage.name}_joined", runner.ready) for runner in runners),
        ("models_loaded", tagging.ready),
    ]
    register_health(app, *checks)
    worker = NewswireWorker(settings, app, loglevel=settings.log_level.lower(), quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        tagging.close()
