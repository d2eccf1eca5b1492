"""End to end through the real broker: sustained rate, latency at half of it, the spaCy and
pass-through references, CPU and memory per process (issue 14).

    .venv/bin/python benchmarks/e2e.py [--articles 2000] [--workers 1] [--out PATH]
                                       [--latency-rate R] [--warm-up-s 120]
                                       [--profile py-spy|cprofile] [--trace-hops]

What it does, in one run:
1. A broker (KAFKA_BOOTSTRAP_SERVERS, else a throwaway local one), topics under a fresh
   prefix (`newswire topics create`), and `newswire worker` processes configured only by
   NEWSWIRE_* variables (any NEWSWIRE_* of the caller's environment is passed on, so
   settings can be tried without editing code). Ready means `/readyz` answers 200; a few
   warm-up articles then go through before anything is timed, and then (unless
   `--warm-up-s 0`) a burst of WARM_BURST articles and `--warm-up-s` seconds of articles at
   WARM_RATE per second: the broker is a JVM, and a fresh one spends its first minutes
   compiling its hot paths (its JIT compiler threads took 20-57% of a core through the
   first latency phase of a cold run, and still 3-5% after a 30 s warm-up, in bursts of
   hundreds of compilations), which a broker in service has long done.
2. Sustained rate: `--articles` distinct articles (see e2e_texts.py for how they are built
   from the Lee corpus) produced at once to news.articles.raw; a read_committed consumer
   of news.articles.enriched, .duplicates and .deadletter notes when each outcome arrives.
   The rate is taken over the steady part: from the 10th to the 90th percentile outcome.
3. Latency: fresh articles produced at half that rate; each latency runs from the raw
   record's Kafka timestamp (set by the producer when it sends) to the moment the
   read_committed consumer receives the article's outcome.
4. References on the same texts, with the worker stopped: spaCy alone (the worker's model,
   Settings().ner_model, `nlp.pipe` on the whole texts in this one process) as installed
   (tok2vec + ner, blis) and as the worker's NER processes load it (ner alone, OpenBLAS on
   one thread), and a
   pass-through agent on the same broker with the same message sizes, both plain
   (consume, produce, wait for delivery, commit) and transactional (consume, produce and
   commit the offsets in one Kafka transaction, read back read_committed).
5. The pure stages alone on one core: prepare (clean, language, fingerprint), dedup (the
   index's observe, the single partition's work) and the raw article's decode.

With `--trace-hops` the reader also reads the internal topics, and the latency phase's
figures say per hop where the time went (`hops.hop_breakdown`: the work from input visible to
output sent, and the commit from sent to visible), over the phase and per 5 s of sending.
It is off by default: reading three more topics adds to the broker's and this process's work.

The machine's own speed is probed throughout (`cpu_speed.py`: a fixed piece of work timed on
each CPU every 100 ms; on these shared machines it runs up to 1.5x slower in stretches of
seconds, idle or not): each latency window's `chunk_ms` is the probe's median over the same
stretch, and `machine_speed` has the fast stretches' chunk time, the median per phase and
Pearson's r between the windows' p50 and their chunk time (the windows overlap by about
their latency, so r says they moved together, not why). The JSON's `host.loopback` is what
one small request and its reply to another process cost on the machine (`loopback.py`;
each stage transaction is five requests).

CPU and memory (peak RSS, and PSS from /proc/PID/smaps_rollup) are sampled for the worker,
its child processes and the broker, per phase and over time, and the broker's CPU per thread
family per phase. Writes JSON (benchmarks/results/e2e-<timestamp>.json or --out) and a PNG
beside it (rate over time, latency distribution, CPU per process over the run), and prints a
table.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from threadpoolctl import threadpool_limits

from broker import broker
from cpu_speed import Sample, SpeedProbe, chunk_ms, fastest_ms
from e2e_procs import Watcher, listening_pid
from e2e_texts import build_articles, unique_share
from hops import HOPS, Times, hop_breakdown
from loopback import round_trip_us
from newswire.config import Settings
from newswire.kafka_local.launcher import free_port
from newswire.tagging import ner

BENCH = Path(__file__).resolve().parent
RAW, ENRICHED, DUPLICATES, DEADLETTER = (
    "news.articles.raw",
    "news.articles.enriched",
    "news.articles.duplicates",
    "news.articles.deadletter",
)
OUTCOME_TOPICS = (ENRICHED, DUPLICATES, DEADLETTER)
WARM_UP = 24
# The broker's warm-up (see the docstring): a burst, then a stretch at a moderate rate, so
# both the large-batch and the small-transaction paths are compiled before timing.
WARM_BURST = 1000
WARM_PHASES = ("warm_up", "warm_burst", "warm_paced")
WARM_RATE = 40.0
# The latency phase's first seconds, reported apart from the rest (CPU, broker threads).
FIRST_SECONDS_S = 10.0
# Texts kept for the latency phase, per sustained-phase article. The phase lasts about a
# minute: with 2,000 articles it runs the full minute at up to 83 articles/s.
LATENCY_TEXTS_PER_ARTICLE = 2.5
MAX_MESSAGE = 8 * 1024 * 1024


def git_commit() -> str | None:
    """The checkout's commit, with "+changes" when files differ from it (None outside git)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


# --- the articles --------------------------------------------------------------------


def raw_value(run: str, index: int, text: str) -> tuple[bytes, bytes]:
    """Key and value of one raw article as a scraper would send it (RawArticle v1)."""
    article_id = f"e2e-{run}-{index:07d}"
    value = orjson.dumps(
        {
            "id": article_id,
            "url": f"https://bench.example/{run}/{index}",
            "source": "bench",
            "body": text,
            "fetched_at": datetime.now(UTC).isoformat(),
        }
    )
    return article_id.encode(), value


# --- outcomes ------------------------------------------------------------------------


@dataclass
class Outcomes:
    """Every outcome seen by the read_committed consumer: key -> (topic, received at, s)."""

    seen: dict[str, tuple[str, float]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    # With the hops traced (`--trace-hops`): per (unprefixed topic, key), when the stage
    # sent the record (its CreateTime) and when this reader received it.
    stamped: Times = field(default_factory=dict)
    visible: Times = field(default_factory=dict)

    def of(self, keys: list[str]) -> list[tuple[str, float] | None]:
        """The outcome of each key, None while it has none."""
        return [self.seen.get(k) for k in keys]


async def collect_outcomes(
    bootstrap: str,
    topics: list[str],
    outcomes: Outcomes,
    ready: asyncio.Event,
    traced: dict[str, str] | None = None,
) -> None:
    """Read `topics` from their current ends, read_committed, noting each key's outcome;
    and the `traced` topics too (full name -> name without the prefix), noting when each
    record was sent and received (`Outcomes.stamped`, `.visible`)."""
    traced = traced or {}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        max_partition_fetch_bytes=MAX_MESSAGE,
        fetch_max_bytes=4 * MAX_MESSAGE,
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(topic, p)
            for topic in dict.fromkeys([*topics, *traced])
            for p in sorted(await _partitions(consumer, topic))
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)
        ready.set()
        while True:
            batches = await consumer.getmany(timeout_ms=50, max_records=2000)
            now = time.time()
            for tp, records in batches.items():
                hop = traced.get(tp.topic)
                for record in records:
                    key = record.key.decode(errors="replace") if record.key else ""
                    if hop is not None:
                        outcomes.stamped.setdefault((hop, key), record.timestamp / 1000)
                        outcomes.visible.setdefault((hop, key), now)
                    if tp.topic in topics:
                        outcomes.seen.setdefault(key, (tp.topic, now))
            if batches:
                outcomes.arrived.set()
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    for _ in range(100):
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        await consumer._client.force_metadata_update()  # no public refresh
        await asyncio.sleep(0.1)
    raise RuntimeError(f"topic {topic} has no partitions")


async def wait_for(
    outcomes: Outcomes, keys: list[str], timeout_s: float, alive: Callable[[], bool]
) -> None:
    """Return once every key has an outcome; raise after `timeout_s` or if the worker died."""
    deadline = time.monotonic() + timeout_s
    while any(o is None for o in outcomes.of(keys)):
        if time.monotonic() > deadline:
            missing = sum(o is None for o in outcomes.of(keys))
            raise TimeoutError(f"{missing} of {len(keys)} articles have no outcome")
        if not alive():
            raise RuntimeError("a worker exited")
        outcomes.arrived.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(outcomes.arrived.wait(), 1.0)


# --- workers -------------------------------------------------------------------------


@dataclass
class Worker:
    """One `newswire worker` process we started (possibly under a profiler)."""

    proc: subprocess.Popen[bytes]
    web_port: int
    log: Path
    profiler: str | None

    @property
    def worker_pid(self) -> int:
        """The worker's own pid (the profiler's child when one wraps it)."""
        if self.profiler != "py-spy":
            return self.proc.pid
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        return int(children.split()[0]) if children.split() else self.proc.pid


def worker_env(settings: dict[str, str], bootstrap: str) -> dict[str, str]:
    """The environment of a worker: the caller's, plus the benchmark's NEWSWIRE_* values."""
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update({f"NEWSWIRE_{k.upper()}": v for k, v in settings.items()})
    env["NEWSWIRE_BOOTSTRAP_SERVERS"] = bootstrap
    return env


def start_worker(
    settings: dict[str, str], bootstrap: str, home: Path, index: int, profile: str | None
) -> Worker:
    """Start `newswire worker` number `index` under `home`, optionally under a profiler."""
    port = free_port()
    own = {
        **settings,
        "worker_id": f"bench-{index}",
        "web_port": str(port),
        "data_dir": str(home / f"worker-{index}"),
    }
    command = [sys.executable, "-m", "newswire", "worker"]
    if profile == "cprofile":
        command = [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(home / f"worker-{index}.prof"),
            "-m",
            "newswire",
            "worker",
        ]
    elif profile == "py-spy":
        command = [
            str(Path(sys.executable).with_name("py-spy")),
            "record",
            "--subprocesses",
            "--rate",
            "100",
            "--format",
            "raw",
            "--output",
            str(home / f"worker-{index}.pyspy.txt"),
            "--",
            *command,
        ]
    log = home / f"worker-{index}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and py-spy
            command,
            env=worker_env(own, bootstrap),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Worker(proc, port, log, profile)


def wait_ready(worker: Worker, timeout_s: float = 180.0) -> None:
    """Block until the worker's /readyz answers 200."""
    deadline = time.monotonic() + timeout_s
    url = f"http://127.0.0.1:{worker.web_port}/readyz"
    while time.monotonic() < deadline:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"worker exited:\n{worker.log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"worker not ready:\n{worker.log.read_text(errors='replace')[-3000:]}")


def stop_worker(worker: Worker, timeout_s: float = 60.0) -> None:
    """SIGTERM the worker (the profiler then writes its output and ends), SIGKILL if stuck."""
    if worker.proc.poll() is not None:
        return
    target = worker.worker_pid
    os.kill(target, signal.SIGTERM)
    try:
        worker.proc.wait(timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(worker.proc.pid, signal.SIGKILL)
        worker.proc.wait()


# --- the measured phases -------------------------------------------------------------


T = TypeVar("T")


async def marked_meanwhile(
    work: Awaitable[T], seconds: float, mark: Callable[[str], None], name: str
) -> T:
    """The result of `work`; meanwhile, once `seconds` have passed, `mark(name)` in a thread
    (reading /proc must not hold up the loop's sends and reads), finished before this
    returns so that marks stay in order; no mark if `work` ends first."""
    marking = asyncio.Event()

    async def mark_later() -> None:
        await asyncio.sleep(seconds)
        marking.set()
        await asyncio.to_thread(mark, name)

    later = asyncio.create_task(mark_later())
    try:
        return await work
    finally:
        if not marking.is_set():
            later.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await later


async def produce_all(
    bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]], rate: float | None = None
) -> dict[str, int]:
    """Send `messages` (all at once, or `rate` per second on a fixed schedule); returns each
    key's record timestamp (ms, set here at the moment of sending)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_request_size=MAX_MESSAGE
    )
    await producer.start()
    stamps: dict[str, int] = {}
    try:
        pending = []
        started = time.monotonic()
        for index, (key, value) in enumerate(messages):
            if rate:
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            stamp = int(time.time() * 1000)
            stamps[key.decode()] = stamp
            pending.append(await producer.send(topic, value, key=key, timestamp_ms=stamp))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return stamps


@dataclass
class Phase:
    """One measured stretch: when each article was produced and when its outcome came."""

    produced_ms: dict[str, int]
    outcome: dict[str, tuple[str, float]]

    def latencies_ms(self) -> list[float]:
        """Raw record timestamp to outcome received, per article."""
        return [self.outcome[k][1] * 1000 - t for k, t in self.produced_ms.items()]

    def span(self) -> tuple[float, float]:
        """From the first send to the last outcome received (epoch seconds)."""
        return min(self.produced_ms.values()) / 1000, max(t for _, t in self.outcome.values())

    def arrival_times(self) -> list[float]:
        """Seconds from the first send to each outcome, sorted."""
        start = min(self.produced_ms.values()) / 1000
        return sorted(t - start for _, t in self.outcome.values())

    def steady_rate(self) -> float:
        """Outcomes per second between the 10th and 90th percentile arrival."""
        times = self.arrival_times()
        low, high = round(0.1 * (len(times) - 1)), round(0.9 * (len(times) - 1))
        return (high - low) / max(times[high] - times[low], 1e-9)

    def overall_rate(self) -> float:
        """All outcomes over the time from the first send to the last outcome."""
        return len(self.outcome) / max(self.arrival_times()[-1], 1e-9)

    def counts(self) -> dict[str, int]:
        """How many ended on each outcome topic."""
        found: dict[str, int] = {}
        for topic, _ in self.outcome.values():
            kind = topic.rsplit(".", 1)[-1]
            found[kind] = found.get(kind, 0) + 1
        return found


def send_windows(produced_ms: dict[str, int], seconds: float = 5.0) -> list[list[str]]:
    """The keys of `produced_ms` grouped by `seconds` of sending, from the first send (by
    the time each was sent, so a window stays `seconds` long even if the producer fell
    behind its schedule); empty windows are left out."""
    if not produced_ms:
        return []
    first = min(produced_ms.values())
    windows: dict[int, list[str]] = {}
    for key, ms in produced_ms.items():
        windows.setdefault(int((ms - first) // (seconds * 1000)), []).append(key)
    return [windows[i] for i in sorted(windows)]


def latency_windows(
    phase: Phase, speed: list[Sample], seconds: float = 5.0
) -> list[dict[str, float | None]]:
    """Per `seconds` of sending (`send_windows`): how many articles, the p50 and max of
    their latencies, and the machine's speed meanwhile (`chunk_ms`: the probe's median time
    for its fixed work from the window's first send to its last outcome). A phase whose
    first or middle stretch ran slow shows here, where the phase's percentiles hide it."""
    windows: list[dict[str, float | None]] = []
    for keys in send_windows(phase.produced_ms, seconds):
        lat = [phase.outcome[k][1] * 1000 - phase.produced_ms[k] for k in keys]
        start = min(phase.produced_ms[k] for k in keys) / 1000
        end = max(phase.outcome[k][1] for k in keys)
        windows.append(
            {
                "articles": len(keys),
                "p50_ms": round(percentile(lat, 0.5), 1),
                "max_ms": round(max(lat), 1),
                "chunk_ms": chunk_ms(speed, start, end),
            }
        )
    return windows


def machine_speed(
    speed: list[Sample], phases: dict[str, Phase], windows: list[dict[str, float | None]]
) -> dict[str, Any]:
    """The probe's figures (`cpu_speed`): the chunk time of the machine's fast stretches,
    the median per phase, and how closely the latency windows' p50 followed the machine's
    speed (Pearson's r over the windows; None with fewer than three or no variation)."""
    spans = {name: chunk_ms(speed, *phase.span()) for name, phase in phases.items()}
    pairs = [(w["p50_ms"], w["chunk_ms"]) for w in windows if w["chunk_ms"] is not None]
    r = None
    with suppress(statistics.StatisticsError, ValueError):
        if len(pairs) >= 3:  # two points always correlate perfectly
            r = round(statistics.correlation([a for a, _ in pairs], [b for _, b in pairs]), 2)
    return {"fastest_chunk_ms": fastest_ms(speed), "phase_chunk_ms": spans, "r_p50_chunk": r}


def hop_windows(phase: Phase, outcomes: Outcomes, seconds: float = 5.0) -> list[dict[str, float]]:
    """Per `seconds` of sending (`send_windows`), each hop's p50 work and commit (ms,
    `hops.hop_breakdown`): which hop a slow stretch of the phase was slow in."""
    windows = []
    for keys in send_windows(phase.produced_ms, seconds):
        sent = {k: phase.produced_ms[k] / 1000 for k in keys}
        figures = hop_breakdown(sent, outcomes.stamped, outcomes.visible)
        windows.append(
            {
                f"{hop}_{span}_p50": round(f[f"{span}_p50"], 1)
                for hop, f in figures.items()
                for span in ("work", "commit")
            }
        )
    return windows


async def measure_pipeline(
    bootstrap: str,
    prefix: str,
    run: str,
    batches: dict[str, list[str]],
    latency_share: float,
    alive: Callable[[], bool],
    mark: Callable[[str], None],
    probe: SpeedProbe,
    latency_rate_per_s: float | None = None,
    trace_hops: bool = False,
) -> dict[str, Any]:
    """Warm-up (and the broker's, when `batches` has any), sustained phase, then latency
    phase at `latency_share` of the sustained rate (or at `latency_rate_per_s`, when given:
    runs that differ in their sustained rate can then be compared at one load). With
    `trace_hops`, the reader also reads the internal topics, and the latency phase's
    figures say per hop where the time went. `probe` is running: its samples say how fast
    the machine ran in each phase and latency window."""
    outcomes, ready = Outcomes(), asyncio.Event()
    traced = {prefix + topic: topic for _, topic in HOPS} if trace_hops else None
    collector = asyncio.create_task(
        collect_outcomes(bootstrap, [prefix + t for t in OUTCOME_TOPICS], outcomes, ready, traced)
    )
    await ready.wait()
    results: dict[str, Any] = {}
    try:
        offset = 0

        async def phase(texts: list[str], rate: float | None, timeout_s: float) -> Phase:
            nonlocal offset
            messages = [raw_value(run, offset + i, t) for i, t in enumerate(texts)]
            offset += len(texts)
            stamps = await produce_all(bootstrap, prefix + RAW, messages, rate)
            keys = list(stamps)
            await wait_for(outcomes, keys, timeout_s, alive)
            return Phase(stamps, {k: outcomes.seen[k] for k in keys})

        await phase(batches["warm_up"], None, 300)
        if batches["warm_burst"]:
            mark("broker-warm-up-start")
            await phase(batches["warm_burst"], None, 300)
            await phase(batches["warm_paced"], WARM_RATE, 300)
            mark("broker-warm-up-end")
        loads = {"sustained_start": os.getloadavg()[0]}
        mark("sustained-start")
        sustained = await phase(batches["sustained"], None, 120 + len(batches["sustained"]) / 2)
        mark("sustained-end")
        rate = sustained.steady_rate()
        latency_rate = latency_rate_per_s or latency_share * rate
        count = min(len(batches["latency"]), max(50, int(latency_rate * 60)))
        loads["sustained_end"] = os.getloadavg()[0]
        mark("latency-start")
        # The phase's first seconds have run slower than the rest (docs/performance.md):
        # a mark splits them off, so the CPU and the broker's threads show what ran then.
        latency = await marked_meanwhile(
            phase(batches["latency"][:count], latency_rate, 120 + count / 2),
            FIRST_SECONDS_S,
            mark,
            "latency-first",
        )
        mark("latency-end")
        loads["latency_end"] = os.getloadavg()[0]
        lat = latency.latencies_ms()
        speed = probe.read()
        windows = latency_windows(latency, speed)
        results = {
            "load_avg_1min": loads,
            "sustained": {
                "articles": len(sustained.produced_ms),
                "steady_rate_per_s": round(rate, 2),
                "overall_rate_per_s": round(sustained.overall_rate(), 2),
                "outcomes": sustained.counts(),
                "arrival_s": [round(t, 3) for t in sustained.arrival_times()],
            },
            "latency": {
                "rate_per_s": round(latency_rate, 2),
                "articles": count,
                "p50_ms": round(percentile(lat, 0.50), 1),
                "p95_ms": round(percentile(lat, 0.95), 1),
                "p99_ms": round(percentile(lat, 0.99), 1),
                "max_ms": round(max(lat), 1),
                "windows_5s": windows,
                "outcomes": latency.counts(),
                "latencies_ms": [round(v, 1) for v in lat],
            },
            "machine_speed": machine_speed(
                speed, {"sustained": sustained, "latency": latency}, windows
            ),
        }
        if trace_hops:
            sent = {k: ms / 1000 for k, ms in latency.produced_ms.items()}
            results["latency"]["hops"] = {
                hop: {k: round(v, 1) for k, v in f.items()}
                for hop, f in hop_breakdown(sent, outcomes.stamped, outcomes.visible).items()
            }
            results["latency"]["hop_windows_5s"] = hop_windows(latency, outcomes)
    finally:
        collector.cancel()
        with suppress(asyncio.CancelledError):
            await collector
    return results


def ner_reads(before: list[str], texts: list[str]) -> dict[str, float] | None:
    """How much of `texts` the worker's NER selection sends to the model, and how much of
    that repeats a piece of `texts` (or of `before`) already read earlier in the run: the
    benchmark's articles are built from quarters of a few hundred reports, so pieces come
    back, and a cache of NER results answers them (NEWSWIRE_NER_CACHE_ENTRIES=0 turns it
    off). Shares of characters. None when the package has no such selection."""
    try:
        from newswire.tagging.ner import ner_pieces  # noqa: PLC0415 - internal API
    except ImportError:
        return None
    seen = {p.text for t in before for p in ner_pieces(t)}
    total = selected = repeated = 0
    for text in texts:
        total += len(text)
        for piece in ner_pieces(text):
            selected += len(piece.text)
            if piece.text in seen:
                repeated += len(piece.text)
            seen.add(piece.text)
    return {
        "selected_share": round(selected / total, 4),
        "repeated_share_of_selected": round(repeated / max(selected, 1), 4),
    }


# --- references ----------------------------------------------------------------------


def spacy_rate(
    texts: list[str], model: str, as_worker: ner.Matmul | None = None
) -> tuple[float, float]:
    """Articles per second of the spaCy model alone on the whole texts in this one process,
    and the CPU seconds it spent per article (which the machine's other load does not
    change). By default the pipeline as installed, tok2vec + ner (blis); `as_worker` (the
    worker's NEWSWIRE_NER_MATMUL): as the worker's NER processes load it
    (`newswire.tagging.ner.load_model`: the ner component alone, that matmul, one BLAS
    thread), the like-for-like figure."""
    if as_worker:
        ner.configure_process(as_worker)
        nlp = ner.load_model(model)
    else:
        nlp = ner.load_as_installed(model)
    with threadpool_limits(limits=1, user_api="blas"):
        list(nlp.pipe(texts[:32], batch_size=32))  # first-call costs out of the timing
        started, cpu = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts, batch_size=32):
            pass
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
    return len(texts) / elapsed, used / len(texts)


async def passthrough_rate(
    bootstrap: str, messages: list[tuple[bytes, bytes]], partitions: int, transactional: bool
) -> float:
    """Messages per second through a minimal consume -> produce agent on the broker: the
    input is filled first, then the loop runs until a read_committed reader has all of the
    output. Transactional: each consumed batch is produced and its offsets committed in one
    Kafka transaction; plain: produce, wait for delivery, commit the offsets."""
    tag = uuid.uuid4().hex[:8]
    source, sink, group = f"pt-{tag}-in", f"pt-{tag}-out", f"pt-{tag}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics(
            [
                NewTopic(
                    source, partitions, 1, topic_configs={"max.message.bytes": str(MAX_MESSAGE)}
                ),
                NewTopic(
                    sink, partitions, 1, topic_configs={"max.message.bytes": str(MAX_MESSAGE)}
                ),
            ]
        )
        # A topic just created may not have its partition leaders yet.
        for _ in range(100):
            described = await admin.describe_topics([source, sink])
            if all(p["leader"] >= 0 for t in described for p in t["partitions"]) and all(
                len(t["partitions"]) == partitions for t in described
            ):
                break
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
    await produce_all(bootstrap, source, messages)
    consumer = AIOKafkaConsumer(
        source,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=MAX_MESSAGE,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        linger_ms=5,
        max_request_size=MAX_MESSAGE,
        **({"transactional_id": f"{group}-tx"} if transactional else {}),
    )
    await consumer.start()
    await producer.start()
    done = 0
    started: float | None = None
    try:
        while done < len(messages):
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            if not batches:
                continue
            started = started or time.perf_counter()
            offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
            records = [r for rs in batches.values() for r in rs]
            if transactional:
                async with producer.transaction():
                    for r in records:
                        await producer.send(sink, r.value, key=r.key)
                    await producer.send_offsets_to_transaction(offsets, group)
            else:
                sent = [await producer.send(sink, r.value, key=r.key) for r in records]
                await asyncio.gather(*sent)
                await consumer.commit(offsets)
            done += len(records)
        elapsed = time.perf_counter() - (started or time.perf_counter())
    finally:
        await producer.stop()
        await consumer.stop()
    return len(messages) / max(elapsed, 1e-9)


def stage_rates(texts: list[str], threshold: float) -> dict[str, float]:
    """Articles per second of the pure stages on one core: prepare's text work (clean,
    language, fingerprint, hashes), the dedup index alone (the single partition's own work),
    and decoding a raw article (strict pydantic from JSON)."""
    from newswire.clean import canonical_url, clean_article  # noqa: PLC0415
    from newswire.clean.language import detect_language  # noqa: PLC0415
    from newswire.dedup.fingerprint import fingerprint  # noqa: PLC0415
    from newswire.dedup.index import Candidate, DedupIndex  # noqa: PLC0415
    from newswire.dedup.shingles import content_hash  # noqa: PLC0415
    from newswire.models import RawArticle  # noqa: PLC0415

    values = [raw_value("stage", i, t)[1] for i, t in enumerate(texts)]
    detect_language("warm the language model up")
    started = time.perf_counter()
    for value in values:
        RawArticle.model_validate_json(value)
    decode = len(values) / (time.perf_counter() - started)

    started = time.perf_counter()
    candidates = []
    for i, text in enumerate(texts):
        clean = clean_article(text).text
        detect_language(clean)
        candidates.append(
            Candidate(
                f"s{i}",
                canonical_url(f"https://bench.example/{i}"),
                content_hash(clean),
                fingerprint(clean),
            )
        )
    prepare = len(texts) / (time.perf_counter() - started)

    index = DedupIndex({}, threshold=threshold, window_s=1e9)
    started = time.perf_counter()
    for i, candidate in enumerate(candidates):
        index.observe(candidate, now=i)
    dedup = len(texts) / (time.perf_counter() - started)
    return {
        "raw_decode_per_s": round(decode),
        "prepare_text_per_s": round(prepare),
        "dedup_index_per_s": round(dedup),
        "dedup_stage_with_codec_per_s": dedup_stage_rate(values, threshold),
    }


def dedup_stage_rate(values: list[bytes], threshold: float) -> float | None:
    """Articles per second of the dedup stage's whole CPU work per message on one core, as
    the pipeline's pure functions do it today: decode the cleaned article, judge it against
    the index, encode what goes on. None when those functions have changed shape (they are
    internal; the rest of the benchmark uses only the public surface)."""
    try:
        from newswire.models.internal import CleanedArticle, UniqueArticle  # noqa: PLC0415
        from newswire.pipeline.dedup_stage import judge, new_index  # noqa: PLC0415
        from newswire.pipeline.errors import SourceRecord  # noqa: PLC0415
        from newswire.pipeline.prepare import prepare  # noqa: PLC0415
        from newswire.wire import encode  # noqa: PLC0415

        now = datetime.now(UTC)
        cleaned = []
        for value in values:
            result = prepare(
                value,
                SourceRecord(),
                trace_id="0" * 31 + "1",
                received_at=now,
                worker_id="bench",
                max_bytes=2**21,
            )
            cleaned.append(encode(result))
        index = new_index({}, threshold, 1e9)
        started = time.perf_counter()
        for data in cleaned:
            article = CleanedArticle.model_validate_json(data)
            verdict = judge(index, article, now)
            if not verdict.duplicate:
                encode(UniqueArticle(article=article, stages_ms={"dedup": 0.1}))
        return round(len(cleaned) / (time.perf_counter() - started))
    except Exception as exc:  # internal API drift must not sink the run
        print(f"dedup stage alone not measured: {exc!r}")
        return None


# --- report --------------------------------------------------------------------------


def plot(result: dict[str, Any], path: Path) -> None:
    """Rate over time (sustained phase), the latency distribution and CPU per process over
    the whole run, in one PNG."""
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    fig, (left, right, cpu) = plt.subplots(1, 3, figsize=(18, 4.5))
    arrivals = result["sustained"]["arrival_s"]
    if arrivals:
        width = max(2, int(arrivals[-1] // 60) + 1)
        bins = range(0, int(arrivals[-1]) + width + 1, width)
        counts, edges, _ = left.hist(arrivals, bins=list(bins), color="#4878a8")
        left.clear()
        left.plot(edges[:-1], [c / width for c in counts], drawstyle="steps-post", color="#4878a8")
        left.axhline(
            result["sustained"]["steady_rate_per_s"],
            ls="--",
            color="#c44e52",
            label=f"steady {result['sustained']['steady_rate_per_s']:.1f}/s",
        )
        left.axhline(
            result["references"]["spacy_single_process_per_s"],
            ls=":",
            color="#55a868",
            label=f"spaCy alone {result['references']['spacy_single_process_per_s']:.1f}/s",
        )
        like = result["references"].get("spacy_as_worker_single_process_per_s")
        if like:
            left.axhline(
                like, ls="-.", color="#8172b2", label=f"spaCy as the worker loads it {like:.1f}/s"
            )
    left.set(
        title=f"{result['sustained']['articles']} articles produced at once",
        xlabel="seconds since the first send",
        ylabel="outcomes per second",
    )
    left.legend()
    lat = result["latency"]["latencies_ms"]
    right.hist(lat, bins=60, color="#8172b2")
    for name, style in (("p50_ms", "-"), ("p95_ms", "--"), ("p99_ms", ":")):
        right.axvline(
            result["latency"][name],
            ls=style,
            color="black",
            label=f"{name[:3]} {result['latency'][name]:.0f} ms",
        )
    right.set(
        title=f"latency at {result['latency']['rate_per_s']:.1f} articles/s",
        xlabel="raw record timestamp → outcome received (ms)",
        ylabel="articles",
    )
    right.legend()
    timeline = result.get("cpu_timeline", {})
    for role, points in timeline.get("cpu_percent", {}).items():
        cpu.plot([t for t, _ in points], [share for _, share in points], label=role, lw=1)
    last_at = -1.0
    for name, at in timeline.get("marks", {}).items():
        if at - last_at < 1.0:  # a phase that starts as the last one ends: one line
            continue
        last_at = at
        cpu.axvline(at, color="grey", lw=0.6, ls=":")
        cpu.annotate(
            name, (at, 1.0), xycoords=("data", "axes fraction"), rotation=90, va="top", fontsize=7
        )
    cpu.set(title="CPU per process", xlabel="seconds", ylabel="% of one core")
    cpu.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _or_dash(value: float | None, digits: int = 0) -> str:
    # A figure that could not be had (no article reached a hop in a window, no probe
    # sample, no correlation) prints as "-", not as 0.
    return "-" if value is None else f"{value:.{digits}f}"


def table(result: dict[str, Any]) -> str:
    """The headline figures as a small text table."""
    s, lat, ref = result["sustained"], result["latency"], result["references"]
    mem = result["memory"]
    # Results written before the machine was probed have neither.
    machine_rows = []
    if "machine_speed" in result:
        speed = result["machine_speed"]
        machine_rows.append(
            (
                f"  the machine meanwhile: probe chunk ms (fastest "
                f"{_or_dash(speed['fastest_chunk_ms'], 2)}; "
                f"r with p50 {_or_dash(speed['r_p50_chunk'], 2)})",
                " ".join(_or_dash(w.get("chunk_ms"), 2) for w in lat.get("windows_5s", [])),
            )
        )
    loopback_rows = []
    if loop := result["host"].get("loopback"):
        loopback_rows.append(
            (
                "machine: loopback request + reply / send() alone",
                f"{loop['round_trip_us']:.0f} / {loop['send_us']:.0f} us",
            )
        )
    rows = [
        ("end to end, raw → outcome (steady)", f"{s['steady_rate_per_s']:.1f} articles/s"),
        ("end to end, whole run", f"{s['overall_rate_per_s']:.1f} articles/s"),
        (
            "spaCy NER alone, one process (mean of before / after)",
            f"{ref['spacy_single_process_per_s']:.1f} articles/s "
            f"({ref['spacy_before_after_per_s'][0]:.1f} / {ref['spacy_before_after_per_s'][1]:.1f})",
        ),
        ("ratio end to end / spaCy", f"{result['ratio_e2e_to_spacy']:.2f}x"),
        (
            "spaCy alone loaded as the worker loads it (ner alone, OpenBLAS)",
            f"{ref['spacy_as_worker_single_process_per_s']:.1f} articles/s, "
            f"{ref['spacy_as_worker_cpu_ms_per_article']:.1f} ms CPU; ratio "
            f"{result['ratio_e2e_to_spacy_as_worker']:.2f}x",
        ),
        (
            "CPU per article: worker + NER processes / spaCy alone",
            f"{result['cpu_ms_per_article']['worker_total']:.1f} / "
            f"{ref['spacy_cpu_ms_per_article']:.1f} ms "
            f"(spaCy/worker {result['cpu_ratio_spacy_to_worker']:.2f}; the broker "
            f"{result['cpu_ms_per_article'].get('broker', 0):.1f} ms)",
        ),
        (
            f"latency at {lat['rate_per_s']:.1f}/s: p50 / p95 / p99",
            f"{lat['p50_ms']:.0f} / {lat['p95_ms']:.0f} / {lat['p99_ms']:.0f} ms",
        ),
        (
            "latency per 5 s of sending, p50/max ms",
            " ".join(f"{w['p50_ms']:.0f}/{w['max_ms']:.0f}" for w in lat.get("windows_5s", [])),
        ),
        *machine_rows,
        *(
            (
                f"  {hop}: work / commit, p50 (p99)",
                f"{f['work_p50']:.0f} ({f['work_p99']:.0f}) / "
                f"{f['commit_p50']:.0f} ({f['commit_p99']:.0f}) ms",
            )
            for hop, f in lat.get("hops", {}).items()
        ),
        *(
            (
                f"  per 5 s, {hop} work p50 ms",
                " ".join(_or_dash(w.get(f"{hop}_work_p50")) for w in lat["hop_windows_5s"]),
            )
            for hop in lat.get("hops", {})
        ),
        (
            "pass-through, plain / transactional",
            f"{ref['passthrough_plain_per_s']:.0f} / {ref['passthrough_transactional_per_s']:.0f} messages/s",
        ),
        (
            "worker memory, RSS (PSS), NER processes included",
            f"{mem['worker_rss_mb']:.0f} MB ({mem['worker_pss_mb'] or 0:.0f} MB)",
        ),
        ("broker memory, RSS", f"{mem['broker_rss_mb'] or 0:.0f} MB"),
        *loopback_rows,
        ("outcomes (sustained)", ", ".join(f"{k} {v}" for k, v in s["outcomes"].items())),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def memory_summary(processes: list[dict[str, Any]]) -> dict[str, float | None]:
    """Peak memory summed over the worker processes (children included) and the broker."""
    workers = [p for p in processes if p["role"].startswith("worker")]
    brokers = [p for p in processes if p["role"].startswith("broker")]
    pss = [p["peak_pss_mb"] for p in workers]
    return {
        "worker_rss_mb": round(sum(p["peak_rss_mb"] for p in workers), 1),
        "worker_pss_mb": None if None in pss else round(sum(pss), 1),
        "broker_rss_mb": round(sum(p["peak_rss_mb"] for p in brokers), 1) if brokers else None,
    }


def non_negative(text: str) -> float:
    """An argparse type: a number of seconds, 0 or more."""
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def main() -> None:  # noqa: PLR0915 - one run, told in order
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="sustained-phase articles")
    parser.add_argument("--workers", type=int, default=1, help="worker processes, one group")
    parser.add_argument("--partitions", type=int, default=None, help="raw topic partitions")
    parser.add_argument("--latency-share", type=float, default=0.5)
    parser.add_argument(
        "--latency-rate", type=float, default=None, help="articles/s of the latency phase"
    )
    parser.add_argument(
        "--warm-up-s",
        type=non_negative,
        default=120.0,
        help=f"seconds at {WARM_RATE:.0f} articles/s (after a burst of {WARM_BURST}) to warm "
        "the broker before timing; 0 times a cold broker",
    )
    parser.add_argument(
        "--spacy-articles", type=int, default=600, help="texts for each spaCy-alone measurement"
    )
    parser.add_argument("--profile", choices=["py-spy", "cprofile"], default=None)
    parser.add_argument(
        "--trace-hops",
        action="store_true",
        help="also read the internal topics: per hop, where the latency phase's time went",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON path (PNG beside it)")
    args = parser.parse_args()

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = args.out or BENCH / "results" / f"e2e-{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    base = Settings(_env_file=None)  # type: ignore[call-arg]
    run = uuid.uuid4().hex[:8]
    n = args.articles
    paced = int(args.warm_up_s * WARM_RATE)
    sizes = {
        "warm_up": WARM_UP,
        "warm_burst": WARM_BURST if paced else 0,
        "warm_paced": paced,
        "sustained": n,
        "latency": int(LATENCY_TEXTS_PER_ARTICLE * n),
    }
    texts = build_articles(sum(sizes.values()))
    batches: dict[str, list[str]] = {}
    start = 0
    for name, size in sizes.items():
        batches[name] = texts[start : start + size]
        start += size
    warm_texts = [t for name in WARM_PHASES for t in batches[name]]
    if base.ner_cache_entries:
        print(
            f"note: the NER cache is on ({base.ner_cache_entries} entries); the warm-up's "
            f"{len(warm_texts)} articles fill it, so the sustained phase reads mostly "
            "repeats (NEWSWIRE_NER_CACHE_ENTRIES=0 for distinct-text figures)"
        )
    print(
        f"articles: {len(texts)} built, unique share {unique_share(texts, base.dedup_threshold):.4f}"
    )
    home = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    partitions = args.partitions or base.raw_partitions
    settings = {
        "topic_prefix": f"e2e{run}.",
        "app_id": f"e2e-{run}",
        "raw_partitions": str(partitions),
    }
    result: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(),
        "host": {
            "cpus": os.cpu_count(),
            "load_avg_at_start": os.getloadavg(),
            "python": platform.python_version(),
            # Each stage transaction is five small requests to the broker: what one costs
            # on this machine, before this run's broker and workers start (`loopback.py`).
            "loopback": round_trip_us(),
        },
        "config": {
            "articles": n,
            "workers": args.workers,
            "raw_partitions": partitions,
            "trace_hops": args.trace_hops,
            "ner_model": base.ner_model,
            "ner_processes": base.ner_processes,
            "profile": args.profile,
            "latency_share": args.latency_share,
            "latency_rate_per_s": args.latency_rate,
            "warm_up": {name: sizes[name] for name in WARM_PHASES},
            "warm_rate_per_s": WARM_RATE,
            "commit": git_commit(),
            "newswire_env": {k: v for k, v in os.environ.items() if k.startswith("NEWSWIRE_")},
        },
        "text": {
            "mean_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
            "unique_share": unique_share(texts, base.dedup_threshold),
            "ner_reads": ner_reads(warm_texts, batches["sustained"]),
        },
    }
    # spaCy alone, before and after the pipeline runs: on a shared machine the load changes
    # within minutes, so the ratio uses the mean and both are kept.
    spacy_texts = batches["sustained"][: args.spacy_articles]
    spacy_before, spacy_cpu_before = spacy_rate(spacy_texts, base.ner_model)
    print(f"spaCy alone before: {spacy_before:.1f} articles/s")
    like_before, like_cpu_before = spacy_rate(spacy_texts, base.ner_model, base.ner_matmul)
    print(f"spaCy alone as the worker loads it, before: {like_before:.1f} articles/s")
    with broker() as bootstrap, ExitStack() as stack:
        env = worker_env(settings, bootstrap)
        subprocess.run(
            [sys.executable, "-m", "newswire", "topics", "create"],
            env=env,
            check=True,
            capture_output=True,
        )
        workers = []
        for i in range(args.workers):
            worker = start_worker(settings, bootstrap, home, i, args.profile)
            stack.callback(stop_worker, worker)
            workers.append(worker)
        for worker in workers:
            wait_ready(worker)
        roots = {f"worker-{i}": w.worker_pid for i, w in enumerate(workers)}
        broker_pid = listening_pid(int(bootstrap.rsplit(":", 1)[1]))
        if broker_pid:
            roots["broker"] = broker_pid
        watcher = Watcher(roots)
        with watcher, SpeedProbe() as probe:
            measured = asyncio.run(
                measure_pipeline(
                    bootstrap,
                    settings["topic_prefix"],
                    run,
                    batches,
                    args.latency_share,
                    probe=probe,
                    latency_rate_per_s=args.latency_rate,
                    trace_hops=args.trace_hops,
                    alive=lambda: all(w.proc.poll() is None for w in workers),
                    mark=watcher.mark,
                )
            )
        result.update(measured)
        result["processes"] = watcher.report()
        result["cpu_timeline"] = watcher.timeline()
        _, used = watcher.cpu_between("sustained-start", "sustained-end")
        per_article = {role: 1000 * s / n for role, s in used.items()}
        per_article["worker_total"] = sum(
            v for role, v in per_article.items() if role.startswith("worker")
        )
        result["cpu_ms_per_article"] = {k: round(v, 2) for k, v in per_article.items()}
        spans = {
            "broker-warm-up": ("broker-warm-up-start", "broker-warm-up-end"),
            "sustained": ("sustained-start", "sustained-end"),
            "latency": ("latency-start", "latency-end"),
            "latency-first": ("latency-start", "latency-first"),
            "latency-rest": ("latency-first", "latency-end"),
        }
        spans = {name: span for name, span in spans.items() if watcher.has_marks(*span)}
        result["cpu_percent_of_one_core"] = {
            name: watcher.between(*span) for name, span in spans.items() if name != "broker-warm-up"
        }
        threads = {name: watcher.threads_between(*span) for name, span in spans.items()}
        result["broker_threads_percent_of_one_core"] = {k: v for k, v in threads.items() if v}
        result["memory"] = memory_summary(result["processes"])
        for worker in workers:
            stop_worker(worker)
        messages = [raw_value(run, i, t) for i, t in enumerate(batches["sustained"])]
        result["references"] = {
            "passthrough_plain_per_s": round(
                asyncio.run(passthrough_rate(bootstrap, messages, partitions, False)), 1
            ),
            "passthrough_transactional_per_s": round(
                asyncio.run(passthrough_rate(bootstrap, messages, partitions, True)), 1
            ),
        }
    spacy_after, spacy_cpu_after = spacy_rate(spacy_texts, base.ner_model)
    like_after, like_cpu_after = spacy_rate(spacy_texts, base.ner_model, base.ner_matmul)
    steady = result["sustained"]["steady_rate_per_s"]
    for prefix, (rate_before, cpu_before), (rate_after, cpu_after) in (
        ("spacy_as_worker", (like_before, like_cpu_before), (like_after, like_cpu_after)),
        ("spacy", (spacy_before, spacy_cpu_before), (spacy_after, spacy_cpu_after)),
    ):
        mean_rate = round((rate_before + rate_after) / 2, 2)
        result["references"][f"{prefix}_single_process_per_s"] = mean_rate
        result["references"][f"{prefix}_before_after_per_s"] = [
            round(rate_before, 2),
            round(rate_after, 2),
        ]
        result["references"][f"{prefix}_cpu_ms_per_article"] = round(
            500 * (cpu_before + cpu_after), 2
        )
        result[f"ratio_e2e_to_{prefix}"] = round(steady / mean_rate, 3)
    result["references"]["spacy_articles"] = len(spacy_texts)
    worker_cpu = result["cpu_ms_per_article"]["worker_total"]
    result["cpu_ratio_spacy_to_worker"] = round(
        500 * (spacy_cpu_before + spacy_cpu_after) / worker_cpu, 3
    )
    result["references"]["pure_stages_one_core"] = stage_rates(
        batches["sustained"], base.dedup_threshold
    )
    result["finished_at"] = datetime.now(UTC).isoformat()
    result["host"]["load_avg_at_end"] = os.getloadavg()
    result["work_dir"] = str(home)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    plot(result, out.with_suffix(".png"))
    print(table(result))
    print(f"pure stages, one core: {result['references']['pure_stages_one_core']}")
    for phase, shares in result["cpu_percent_of_one_core"].items():
        print(f"CPU during the {phase} phase (% of one core): {shares}")
    for phase, shares in result["broker_threads_percent_of_one_core"].items():
        print(f"  the broker's busiest threads, {phase}: {shares}")
    for row in result["processes"]:
        print(
            f"  {row['role']:<16} pid {row['pid']:<7} cpu {row['cpu_s']:>7.1f}s "
            f"({row['cpu_percent_of_one_core']:>5.1f}% of a core)  rss {row['peak_rss_mb']:>6.0f} MB"
            f"  pss {row['peak_pss_mb'] or 0:>6.0f} MB"
        )
    print(f"wrote {out} and {out.with_suffix('.png')} (work folder {home})")


if __name__ == "__main__":
    main()
