"""newswire's Prometheus metrics. Names follow Prometheus conventions: the `newswire_`
prefix, `_total` for counters, `_seconds` for durations, base units throughout.

Each process keeps its own registry (workers also export faust's sensors into it), so tests
and embedded uses never collide on the process-global default registry."""

from __future__ import annotations

import platform
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

import newswire

# Latency buckets from 5 ms to 2 minutes: tagging a batch takes tens of milliseconds to
# seconds, end-to-end latency includes queueing and batching windows.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)

# (topic, partition) -> offset
Offsets = Mapping[tuple[str, int], int]


def metrics_response(registry: CollectorRegistry) -> tuple[bytes, str]:
    """The registry in Prometheus' text format, and the content type to send it with."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def _build_info(registry: CollectorRegistry, component: str) -> None:
    info = Gauge(
        "newswire_build_info",
        "Always 1; labels say which newswire build runs.",
        ["version", "python", "component"],
        registry=registry,
    )
    info.labels(newswire.__version__, platform.python_version(), component).set(1)


class LagCollector(Collector):
    """`newswire_consumer_lag` per topic partition, read at scrape time: the partition's end
    offset minus the group's committed offset, as the worker's consumer last saw them."""

    def __init__(self, offsets: Callable[[], tuple[Offsets, Offsets]]) -> None:
        self._offsets = offsets

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """One gauge sample per partition the worker has seen an end offset for."""
        family = GaugeMetricFamily(
            "newswire_consumer_lag",
            "Messages on the partition not yet committed by this worker's group.",
            labels=["topic", "partition"],
        )
        ends, committed = self._offsets()
        for (topic, partition), end in sorted(ends.items()):
            done = committed.get((topic, partition), 0)
            family.add_metric([topic, str(partition)], max(0, end - done))
        yield family


class PipelineMetrics:
    """What a worker reports about the articles going through it. Agents call the
    `record_*` methods; everything else is exported at scrape time."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        registry = self.registry
        _build_info(registry, "worker")
        self.events_in = Counter(
            "newswire_events_in_total",
            "Events read by a pipeline stage.",
            ["stage"],
            registry=registry,
        )
        self.events_out = Counter(
            "newswire_events_out_total",
            "Events a stage finished with, by outcome "
            "(cleaned, unique, duplicate, enriched, routed, dead_letter).",
            ["stage", "outcome"],
            registry=registry,
        )
        self.stage_seconds = Histogram(
            "newswire_stage_seconds",
            "Time a stage spent on one event.",
            ["stage"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.tagging_seconds = Histogram(
            "newswire_tagging_seconds",
            "Time to tag one batch (countries and NER).",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.end_to_end_seconds = Histogram(
            "newswire_end_to_end_seconds",
            "From the raw event's fetched_at to its enriched event being published.",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "newswire_tagging_batch_size",
            "Articles per tagging batch.",
            buckets=BATCH_BUCKETS,
            registry=registry,
        )
        self.gc_pause_seconds = Histogram(
            "newswire_gc_pause_seconds",
            "Time the worker process stood still in one garbage collection (every stage "
            "waits for it), by generation.",
            ["generation"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.model_load_seconds = Gauge(
            "newswire_model_load_seconds",
            "Time to load the gazetteer and NER model at start-up.",
            registry=registry,
        )
        Gauge(
            "newswire_duplicate_ratio",
            "Duplicates among the articles dedup has judged since start.",
            registry=registry,
        ).set_function(self.duplicate_ratio)
        self.story_events = Counter(
            "newswire_story_events_total",
            "Story stage: articles that joined a story, stories started, revised articles "
            "(counted in neither), stories closed.",
            ["event"],
            registry=registry,
        )
        self.open_stories = Gauge(
            "newswire_open_stories", "Stories open in this worker's story state.", registry=registry
        )

    def record_story(self, *, placed: str, closed: int) -> None:
        """The story stage placed one article (`placed`: "joined" an open story, "started"
        one, or "revised" an article already in one) and closed `closed` idle stories."""
        self.story_events.labels(placed).inc()
        if closed:
            self.story_events.labels("closed").inc(closed)

    def record_open_stories(self, open_stories: int) -> None:
        """The story stage now holds `open_stories` open stories."""
        self.open_stories.set(open_stories)

    def record_in(self, stage: str) -> None:
        """A stage read one event."""
        self.events_in.labels(stage).inc()

    def record_out(self, stage: str, outcome: str, seconds: float | None = None) -> None:
        """A stage finished one event with `outcome`, having spent `seconds` on it."""
        self.events_out.labels(stage, outcome).inc()
        if seconds is not None:
            self.stage_seconds.labels(stage).observe(seconds)

    def record_batch(self, size: int, seconds: float) -> None:
        """One tagging batch of `size` articles took `seconds`."""
        self.batch_size.observe(size)
        self.tagging_seconds.observe(seconds)

    def record_delivered(self, fetched_at: datetime, now: datetime) -> None:
        """An enriched event was published `now` for an article fetched at `fetched_at`."""
        self.end_to_end_seconds.observe(max(0.0, (now - fetched_at).total_seconds()))

    def duplicate_ratio(self) -> float:
        """Share of judged articles that were duplicates (0 before any was judged), read
        from dedup's outcome counts at scrape time."""
        dedup = {
            sample.labels["outcome"]: sample.value
            for family in self.events_out.collect()
            for sample in family.samples
            if sample.name.endswith("_total") and sample.labels["stage"] == "dedup"
        }
        judged = dedup.get("unique", 0.0) + dedup.get("duplicate", 0.0)
        return dedup.get("duplicate", 0.0) / judged if judged else 0.0

    def watch_lag(self, offsets: Callable[[], tuple[Offsets, Offsets]]) -> None:
        """Export consumer lag computed from `offsets()` -> (end offsets, committed offsets)."""
        self.registry.register(LagCollector(offsets))


@dataclass(frozen=True, slots=True)
class IngestMetrics:
    """What the HTTP ingest side reports."""

    registry: CollectorRegistry
    requests: Counter
    articles: Counter
    publish_seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> IngestMetrics:
        """Fresh ingest metrics in `registry` (a new one by default)."""
        registry = registry or CollectorRegistry()
        _build_info(registry, "ingest")
        return cls(
            registry=registry,
            requests=Counter(
                "newswire_ingest_requests_total",
                "HTTP ingest requests by response status.",
                ["status"],
                registry=registry,
            ),
            articles=Counter(
                "newswire_ingest_articles_total",
                "Articles accepted over HTTP and acknowledged by the broker.",
                registry=registry,
            ),
            publish_seconds=Histogram(
                "newswire_ingest_publish_seconds",
                "Time from validation to the broker's acknowledgement, per request.",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
        )
