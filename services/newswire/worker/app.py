"""Builds the faust application from settings and runs a worker."""

from __future__ import annotations

import faust

from newswire.config import Settings
from newswire.topics import dead_letter_max_bytes
from newswire.wire import register_faust_codec


def create_app(settings: Settings) -> faust.App:
    """A faust app wired to the configured broker, store and web port, tuned so a worker
    joins its group in seconds."""
    register_faust_codec()
    brokers = [
        f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()
    ]
    return faust.App(
        settings.app_id,
        broker=brokers,
        store=settings.store,
        datadir=str(settings.data_dir),
        web_port=settings.web_port,
        web_host=settings.web_host,
        web_bind=settings.web_host,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        broker_rebalance_timeout=settings.session_timeout_s * 2,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        producer_max_request_size=dead_letter_max_bytes(settings),
        topic_partitions=settings.raw_partitions,
        topic_replication_factor=1,
        # Our own topics are created by `newswire topics create`; faust declares only its
        # internal (changelog) topics.
        topic_allow_declare=True,
        stream_wait_empty=False,
        table_standby_replicas=0,
        logging_config=None,
    )


def run_worker(settings: Settings) -> None:
    """Run one worker in the foreground until it is signalled to stop."""
    from newswire.tagging.service import TaggingService  # noqa: PLC0415 - heavy: loads models
    from newswire.worker.agents import register_agents  # noqa: PLC0415

    app = create_app(settings)
    tagging = TaggingService.from_settings(settings)
    tagging.start()  # models load before the worker joins its group, so /readyz can mean it
    register_agents(app, settings, tagging)
    worker = faust.Worker(app, loglevel=settings.log_level.lower(), quiet=True)
    try:
        worker.execute_from_commandline()
    finally:
        tagging.close()
