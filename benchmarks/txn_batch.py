"""What the producer's batch size costs a stage's transaction, against the real broker.

One transactional producer, as a stage's (acks=all, idempotent, linger 0), commits
transactions of N records of B bytes to one partition plus an offset commit, back to back;
once with aiokafka's default batch size (16 KiB) and once with the runner's
(`producer_batch_bytes`, 64 KiB). A partition has one batch in flight at a time, so
outputs beyond one batch go out in produce requests one after another. Prints, per setting,
the median transaction time and the CPU per transaction of this process (the client) and
of the broker (`/proc`, the broker's own process; a broker elsewhere is not measured).

    .venv/bin/python benchmarks/txn_batch.py [--rounds 100] [--bytes 4000]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from broker import broker  # noqa: E402
from e2e_procs import cpu_seconds, listening_pid  # noqa: E402
from newswire.config import Settings  # noqa: E402
from newswire.runner.runner import shorten_concurrent_transaction_retry  # noqa: E402
from newswire.topics import producer_batch_bytes  # noqa: E402

CLIENT_DEFAULT_BATCH = 16384  # aiokafka's max_batch_size
TOPIC_LIMIT = 5_000_000
WARM_ROUNDS = 5


async def transactions(
    bootstrap: str, batch_bytes: int, records: int, size: int, rounds: int
) -> tuple[list[float], float, float | None]:
    """(Seconds each transaction took, client CPU ms per transaction, broker CPU ms per
    transaction or None) over `rounds` transactions of `records` records of `size` bytes,
    after a few not timed (the first add the partition and find the coordinators)."""
    topic = f"txn-batch-{time.time_ns()}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        limit = {"max.message.bytes": str(TOPIC_LIMIT)}
        await admin.create_topics([NewTopic(topic, 1, 1, topic_configs=limit)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        transactional_id=f"{topic}-tx",
        acks="all",
        enable_idempotence=True,
        linger_ms=0,
        max_batch_size=batch_bytes,
        max_request_size=TOPIC_LIMIT,
    )
    await producer.start()
    # The broker this runs against, when it runs on this machine.
    pid, value, took = listening_pid(int(bootstrap.rsplit(":", 1)[1])), b"v" * size, []
    client_start = broker_start = 0.0
    try:
        for n in range(WARM_ROUNDS + rounds):
            if n == WARM_ROUNDS:
                client_start = time.process_time()
                broker_start = cpu_seconds(pid) if pid else 0.0
            started = time.perf_counter()
            await producer.begin_transaction()
            sends = [await producer.send(topic, value, key=b"%d" % i) for i in range(records)]
            await asyncio.gather(*sends)
            await producer.send_offsets_to_transaction({TopicPartition(topic, 0): n + 1}, topic)
            await producer.commit_transaction()
            if n >= WARM_ROUNDS:
                took.append(time.perf_counter() - started)
        client = (time.process_time() - client_start) / rounds
        broker_cpu = (cpu_seconds(pid) - broker_start) / rounds if pid else None
    finally:
        await producer.stop()
    return took, client * 1000, None if broker_cpu is None else broker_cpu * 1000


def main() -> int:
    """Both batch sizes, a few records and a full stage batch, twice (the first pass also
    warms the broker); prints one line per measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="transactions timed per line")
    parser.add_argument("--bytes", type=int, default=4000, help="bytes per record")
    args = parser.parse_args()
    runner_batch = producer_batch_bytes(Settings(_env_file=None))  # type: ignore[call-arg]
    with broker() as bootstrap:
        shorten_concurrent_transaction_retry()
        for attempt in (1, 2):
            for records in (5, 64):
                for batch in (CLIENT_DEFAULT_BATCH, runner_batch):
                    took, client, broker_cpu = asyncio.run(
                        transactions(bootstrap, batch, records, args.bytes, args.rounds)
                    )
                    median = statistics.median(took) * 1000
                    on_broker = "n/a" if broker_cpu is None else f"{broker_cpu:5.2f} ms"
                    print(
                        f"pass {attempt}: {records:3} records of {args.bytes} B, batch "
                        f"{batch:6} B: transaction median {median:5.1f} ms; CPU per "
                        f"transaction: client {client:5.2f} ms, broker {on_broker}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
