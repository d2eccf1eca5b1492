"""Builds the faust application from settings and runs a worker."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import faust

from newswire.config import Settings
from newswire.connection import faust_app_options
from newswire.observability.logs import configure_logging
from newswire.observability.metrics import Offsets, PipelineMetrics
from newswire.observability.web import locked_down_web_options
from newswire.topics import dead_letter_max_bytes
from newswire.wire import register_faust_codec


def create_app(settings: Settings) -> faust.App:
    """A faust app wired to the configured broker, store and web port, tuned so a worker
    joins its group in seconds."""
    register_faust_codec()
    return faust.App(
        settings.app_id,
        **faust_app_options(settings),
        store=settings.store,
        datadir=str(settings.data_dir),
        **locked_down_web_options(settings.web_host, settings.web_port),
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_rebalance_timeout=settings.session_timeout_s * 2,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=dead_letter_max_bytes(settings),
        topic_partitions=settings.raw_partitions,
        topic_replication_factor=settings.topic_replication_factor,
        # Our own topics are created by `newswire topics create`; faust declares only its
        # internal (changelog) topics.
        topic_allow_declare=True,
        stream_wait_empty=False,
        table_standby_replicas=0,
        logging_config=None,
    )


def export_metrics(app: faust.App, metrics: PipelineMetrics) -> None:
    """Serve `/metrics` on the worker's web port: faust's own sensors (prefixed `faust_`)
    and newswire's metrics, including consumer lag read from faust's monitor."""
    from faust.sensors.prometheus import setup_prometheus_sensors  # noqa: PLC0415

    setup_prometheus_sensors(app, registry=metrics.registry, name_prefix="faust")

    def offsets() -> tuple[Offsets, Offsets]:
        monitor = app.monitor
        ends = {(tp.topic, tp.partition): off for tp, off in monitor.tp_end_offsets.items()}
        done = {(tp.topic, tp.partition): off for tp, off in monitor.tp_committed_offsets.items()}
        return ends, done

    metrics.watch_lag(offsets)


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
    from newswire.worker.agents import register_agents  # noqa: PLC0415

    app = create_app(settings)
    metrics = PipelineMetrics()
    export_metrics(app, metrics)
    tagging = TaggingService.from_settings(settings)

    async def load_models() -> None:
        # Off the event loop, so /healthz answers during a long load while /readyz says
        # models_loaded=false; the enrich agent waits for it.
        metrics.model_load_seconds.set(await asyncio.to_thread(tagging.start))

    app.task(load_models)

    register_agents(app, settings, tagging, metrics)
    worker = NewswireWorker(settings, app, loglevel=settings.log_level.lower(), quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        tagging.close()
