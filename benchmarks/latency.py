"""Latency of the transactional pipeline: what one commit costs, and raw -> outcome.

1. Commit cost: transactions of one message plus input offsets (what a stage does per
   batch and partition) against the broker, one after another; prints median and p99.
2. End to end: a real worker; distinct articles produced at a fixed rate; a read_committed
   reader of the outcome topics; prints the p50/p95/p99 of (outcome read - raw sent).

    cd benchmarks && ../.venv/bin/python latency.py --rate 30 --count 600
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.faults.corpus import build_plan  # noqa: E402
from tests.support.worker import wait_ready  # noqa: E402

from broker import broker  # noqa: E402
from newswire.admin import ensure_topics  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.demo import start_worker, stop_worker  # noqa: E402
from newswire.kafka_local.launcher import free_port  # noqa: E402
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name  # noqa: E402
from newswire.wire import encode  # noqa: E402


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def commit_cost(bootstrap: str, rounds: int) -> list[float]:
    """Seconds per transaction of one message and one offset commit."""
    topic = f"latency-{time.time_ns()}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"{topic}-tx")
    await producer.start()
    took: list[float] = []
    try:
        tp = TopicPartition(topic, 0)
        for n in range(rounds + 5):
            started = time.perf_counter()
            await producer.begin_transaction()
            await (await producer.send(topic, b"x", key=b"k"))
            await producer.send_offsets_to_transaction({tp: n + 1}, f"{topic}-group")
            await producer.commit_transaction()
            if n >= 5:  # the first ones add the partition and find coordinators
                took.append(time.perf_counter() - started)
    finally:
        await producer.stop()
    return took


async def end_to_end(settings: Settings, rate: float, count: int) -> dict[str, float]:
    """Raw sent -> outcome read, per article, at `rate` articles/s."""
    plan = build_plan(count, run="lat", partitions=settings.raw_partitions, copy_share=0.0)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    outcomes = [topic_name(settings, t) for t in (ENRICHED, DUPLICATES, DEADLETTER)]
    reader = AIOKafkaConsumer(
        *outcomes,
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await reader.start()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=0)
    await producer.start()

    async def read() -> None:
        while len(seen) < count:
            batch = await reader.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    if record.key is not None:
                        seen.setdefault(record.key.decode(), now)

    reading = asyncio.create_task(read())
    try:
        began = time.perf_counter()
        for n, item in enumerate(plan.items):
            wait = began + n / rate - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
            article = item.article
            sent[article.id] = time.perf_counter()
            await producer.send(topic_name(settings, RAW), encode(article), key=article.id.encode())
        await asyncio.wait_for(reading, timeout=120 + count / rate)
    finally:
        reading.cancel()
        await producer.stop()
        await reader.stop()
    latencies = [seen[i] - sent[i] for i in sent if i in seen]
    return {
        "outcomes": len(latencies),
        "p50": quantile(latencies, 0.5),
        "p95": quantile(latencies, 0.95),
        "p99": quantile(latencies, 0.99),
        "max": max(latencies),
    }


def main() -> int:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30.0, help="articles per second")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=300, help="transactions timed")
    parser.add_argument("--ner-processes", type=int, default=1)
    args = parser.parse_args()
    with broker() as bootstrap, tempfile.TemporaryDirectory() as tmp:
        took = asyncio.run(commit_cost(bootstrap, args.rounds))
        print(
            f"commit of one transaction (1 message + offsets): median "
            f"{statistics.median(took) * 1000:.1f} ms, p99 {quantile(took, 0.99) * 1000:.1f} ms"
            f" over {len(took)}"
        )
        run = f"lat{time.time_ns() % 10**8}"
        settings = Settings(
            bootstrap_servers=bootstrap,
            topic_prefix=f"{run}.",
            app_id=f"newswire-{run}",
            worker_id=run,
            web_port=free_port(),
            data_dir=Path(tmp) / "worker",
            ner_processes=args.ner_processes,
            log_format="json",
            _env_file=None,  # type: ignore[call-arg]
        )
        asyncio.run(ensure_topics(settings))
        log = Path(tmp) / "worker.log"
        worker = start_worker(settings, log)
        try:
            wait_ready(settings, worker, log, timeout_s=180)
            figures = asyncio.run(end_to_end(settings, args.rate, args.count))
        finally:
            stop_worker(worker)
        print(
            f"raw -> outcome at {args.rate:g}/s over {figures['outcomes']:.0f} articles: "
            f"p50 {figures['p50'] * 1000:.0f} ms, p95 {figures['p95'] * 1000:.0f} ms, "
            f"p99 {figures['p99'] * 1000:.0f} ms, max {figures['max'] * 1000:.0f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
