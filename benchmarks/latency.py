"""Latency of the transactional pipeline: what one commit costs, and raw -> outcome.

1. Commit cost: transactions of one message plus input offsets (what a stage does per
   batch and partition) against the broker, one after another, with aiokafka's retry
   step and the runner's (`TXN_CONCURRENT_RETRY_S`); prints median and p99.
2. End to end: a real worker; distinct articles produced at a fixed rate; a read_committed
   reader of the outcome topics; prints the p50/p95/p99 of (outcome read - raw sent), and
   per hop where the time went (`hop_breakdown`); `--out` keeps every article's times.
   `NEWSWIRE_*` variables set when it runs reach the worker (e.g. the NER cache, off with
   `NEWSWIRE_NER_CACHE_ENTRIES=0`).
3. Each stage's transactions per article, counted after the run from the commit markers
   (`transactions_per_article`).
4. With `--count-requests`, the Kafka requests the worker sent per article, by type
   (`request_counter/sitecustomize.py` counts them in the worker's process).

    cd benchmarks && ../.venv/bin/python latency.py --rate 30 --count 600
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.faults.corpus import build_plan  # noqa: E402
from tests.support.worker import wait_ready  # noqa: E402

from broker import broker  # noqa: E402
from hops import HOPS, article_trace, hop_breakdown, quantile  # noqa: E402
from newswire.admin import ensure_topics  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.demo import start_worker, stop_worker  # noqa: E402
from newswire.kafka_local.launcher import free_port  # noqa: E402
from newswire.runner.runner import shorten_concurrent_transaction_retry  # noqa: E402
from newswire.topics import (  # noqa: E402
    CLEANED,
    DEADLETTER,
    DUPLICATES,
    ENRICHED,
    RAW,
    STATEFUL_STAGES,
    TAGGED,
    UNIQUE,
    changelog_name,
    topic_name,
)
from newswire.wire import encode  # noqa: E402
from txn_batch import CLIENT_DEFAULT_BATCH  # noqa: E402
from txn_batch import transactions as timed_transactions  # noqa: E402


def transaction_topics(settings: Settings) -> dict[str, str]:
    """Per stage, a topic of one partition its transactions write to, unprefixed: a
    stateful stage's changelog (partitioned like its single-partition input), else its
    output (`HOPS`; cleaned and tagged have one partition). A transaction that writes
    nothing there (only dead letters; in dedup, only duplicates) is not seen in it."""
    return {
        stage: changelog_name(settings, stage) if stage in STATEFUL_STAGES else output
        for stage, output in HOPS
    }


async def transactions_per_article(settings: Settings, articles: int) -> dict[str, float]:
    """Per stage, its transactions per article, counted once the run is over: every
    transaction leaves one marker in each partition it wrote to, at an offset no reader
    receives, so the offsets of the stage's `transaction_topics` partition beyond the
    committed records read are its transactions. An aborted transaction counts too, with
    the records it wrote (none in a run without faults)."""
    names = transaction_topics(settings)
    partitions = {stage: TopicPartition(topic_name(settings, t), 0) for stage, t in names.items()}
    reader = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
    )
    await reader.start()
    try:
        reader.assign(list(partitions.values()))
        await reader.seek_to_beginning()
        starts = await reader.beginning_offsets(list(partitions.values()))
        ends = await reader.end_offsets(list(partitions.values()))
        records = dict.fromkeys(partitions.values(), 0)
        async with asyncio.timeout(60):
            # Positions move past the markers too, so each reaches its partition's end.
            while any([await reader.position(tp) < end for tp, end in ends.items()]):
                for tp, got in (await reader.getmany(timeout_ms=500)).items():
                    records[tp] += len(got)
    finally:
        await reader.stop()
    return {
        stage: (ends[tp] - starts[tp] - records[tp]) / articles for stage, tp in partitions.items()
    }


async def end_to_end(
    settings: Settings, rate: float, count: int, warm_up: int
) -> tuple[dict[str, float], dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    """Raw sent -> outcome read, per article, at `rate` articles/s; and per hop, where the
    time went (`hop_breakdown`). Times are wall-clock (`time.time`), as Kafka's
    CreateTime is. The third value is each article's times: `sent`, and per topic
    `<topic>.sent` (its CreateTime there) and `<topic>.visible`. The first `warm_up`
    articles (sent at the same rate, before the `count` measured) are left out: the
    worker's first batches (the NER processes' first calls above all) are slower, and
    they would be the run's whole tail."""
    total = warm_up + count
    plan = build_plan(total, run="lat", partitions=settings.raw_partitions, copy_share=0.0)
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    stamped: dict[tuple[str, str], float] = {}
    visible: dict[tuple[str, str], float] = {}
    outcomes = [topic_name(settings, t) for t in (ENRICHED, DUPLICATES, DEADLETTER)]
    internal = [topic_name(settings, t) for t in (CLEANED, UNIQUE, TAGGED)]
    reader = AIOKafkaConsumer(
        *outcomes,
        *internal,
        bootstrap_servers=settings.kafka_bootstrap,
        isolation_level="read_committed",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        fetch_max_wait_ms=20,
    )
    await reader.start()
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap, linger_ms=0)
    await producer.start()

    async def read() -> None:
        while len(seen) < total:
            batch = await reader.getmany(timeout_ms=100)
            now = time.time()
            for tp, records in batch.items():
                for record in records:
                    if record.key is None:
                        continue
                    key = record.key.decode()
                    name = tp.topic.removeprefix(settings.topic_prefix)
                    stamped.setdefault((name, key), record.timestamp / 1000)
                    visible.setdefault((name, key), now)
                    if tp.topic in outcomes:
                        seen.setdefault(key, now)

    reading = asyncio.create_task(read())
    try:
        began = time.time()
        for n, item in enumerate(plan.items):
            wait = began + n / rate - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            article = item.article
            sent[article.id] = time.time()
            await producer.send(topic_name(settings, RAW), encode(article), key=article.id.encode())
        await asyncio.wait_for(reading, timeout=120 + count / rate)
    finally:
        reading.cancel()
        await producer.stop()
        await reader.stop()
    for article in list(sent)[:warm_up]:  # in the order sent
        del sent[article]
    latencies = [seen[i] - sent[i] for i in sent if i in seen]
    figures = {
        "outcomes": len(latencies),
        "p50": quantile(latencies, 0.5),
        "p95": quantile(latencies, 0.95),
        "p99": quantile(latencies, 0.99),
        "max": max(latencies),
    }
    return figures, hop_breakdown(sent, stamped, visible), article_trace(sent, stamped, visible)


def count_requests_in_worker(path: Path) -> None:
    """Have the worker started next count its Kafka requests into `path` (its environment
    is this process's: `request_counter/sitecustomize.py` reads these two variables)."""
    here = str(Path(__file__).resolve().parent / "request_counter")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
    os.environ["BENCH_REQUEST_COUNTS"] = str(path)


def requests_per_article(path: Path, articles: int) -> dict[str, float]:
    """The counts the worker left in `path`, per article sent, by request type, busiest
    first (the type name without "Request"); empty when nothing was counted."""
    if not path.exists():
        return {}
    counts: dict[str, int] = json.loads(path.read_text())
    busiest = sorted(counts.items(), key=lambda item: -item[1])
    return {name.removesuffix("Request"): n / articles for name, n in busiest}


def main() -> int:
    """Run both measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30.0, help="articles per second")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--warm-up", type=int, default=60, help="articles sent first, not counted")
    parser.add_argument("--rounds", type=int, default=300, help="transactions timed")
    parser.add_argument("--ner-processes", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None, help="JSON of every article's times")
    parser.add_argument(
        "--count-requests",
        action="store_true",
        help="count the Kafka requests the worker sends, by type (request_counter/)",
    )
    args = parser.parse_args()
    with broker() as bootstrap, tempfile.TemporaryDirectory() as tmp:
        for retry in ("aiokafka's", "the runner's"):
            if retry == "the runner's":
                shorten_concurrent_transaction_retry()
            # One message and an offset commit per transaction, the client's own batch.
            took, _, _ = asyncio.run(
                timed_transactions(bootstrap, CLIENT_DEFAULT_BATCH, 1, 1, args.rounds)
            )
            print(
                f"back-to-back transactions (1 message + offsets), {retry} retry while the "
                f"last one's markers are written: median {statistics.median(took) * 1000:.1f}"
                f" ms, p99 {quantile(took, 0.99) * 1000:.1f} ms over {len(took)}"
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
        counts = Path(tmp) / "requests.json"
        if args.count_requests:
            count_requests_in_worker(counts)
        worker = start_worker(settings, log)
        try:
            wait_ready(settings, worker, log, timeout_s=180)
            figures, hops, trace = asyncio.run(
                end_to_end(settings, args.rate, args.count, args.warm_up)
            )
        finally:
            stop_worker(worker)
        print(
            f"raw -> outcome at {args.rate:g}/s over {figures['outcomes']:.0f} articles: "
            f"p50 {figures['p50'] * 1000:.0f} ms, p95 {figures['p95'] * 1000:.0f} ms, "
            f"p99 {figures['p99'] * 1000:.0f} ms, max {figures['max'] * 1000:.0f} ms"
        )
        for stage, hop in hops.items():
            print(
                f"  {stage:8} input visible -> output sent p50 {hop['work_p50']:.0f} / p99 "
                f"{hop['work_p99']:.0f} ms; sent -> visible p50 {hop['commit_p50']:.0f} / "
                f"p99 {hop['commit_p99']:.0f} ms"
            )
        requests = requests_per_article(counts, args.warm_up + args.count)
        if requests:
            print(
                "  Kafka requests the worker sent per article (warm-up included): "
                + ", ".join(f"{name} {n:.2f}" for name, n in requests.items() if n >= 0.005)
            )
        transactions: dict[str, float] | None = None
        try:
            transactions = asyncio.run(
                transactions_per_article(settings, args.warm_up + args.count)
            )
        except (TimeoutError, KafkaError) as exc:  # the latencies above still stand
            print(f"  transactions per article: not counted ({exc!r})")
        else:
            print(
                "  transactions per article (commit markers): "
                + ", ".join(f"{stage} {n:.2f}" for stage, n in transactions.items())
            )
        if args.out is not None:
            args.out.write_text(
                json.dumps(
                    {
                        "figures": figures,
                        "hops": hops,
                        "transactions_per_article": transactions,
                        "requests_per_article": requests,
                        "trace": trace,
                    }
                )
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
