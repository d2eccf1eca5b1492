"""The worker's garbage-collection pauses reach its metrics, and stop when told."""

from __future__ import annotations

import gc
import threading

from prometheus_client import CollectorRegistry

from newswire.observability.gc_pauses import observe_gc_pauses
from newswire.observability.metrics import PipelineMetrics


def _full_collections(registry: CollectorRegistry) -> float:
    value = registry.get_sample_value("newswire_gc_pause_seconds_count", {"generation": "2"})
    return value or 0.0


def test_each_full_collection_is_one_observation_until_stopped() -> None:
    metrics = PipelineMetrics(CollectorRegistry())
    stop = observe_gc_pauses(metrics.gc_pause_seconds)
    try:
        gc.collect()
        gc.collect()
        assert _full_collections(metrics.registry) == 2
        assert (
            metrics.registry.get_sample_value("newswire_gc_pause_seconds_sum", {"generation": "2"})
            or 0.0
        ) > 0
    finally:
        stop()
    gc.collect()
    assert _full_collections(metrics.registry) == 2


def test_a_collection_during_a_scrape_of_the_metric_does_not_wait_on_itself() -> None:
    # A scrape copies the labelled series under the metric's own lock; a collection that
    # starts right then runs the callback in the same thread, under that lock.
    metrics = PipelineMetrics(CollectorRegistry())
    stop = observe_gc_pauses(metrics.gc_pause_seconds)

    def collect_under_the_scrape_lock() -> None:
        with metrics.gc_pause_seconds._lock:
            gc.collect()

    try:
        collecting = threading.Thread(target=collect_under_the_scrape_lock, daemon=True)
        collecting.start()
        collecting.join(timeout=10)
        assert not collecting.is_alive()
        assert _full_collections(metrics.registry) == 1
    finally:
        stop()
