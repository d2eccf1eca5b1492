"""The fault scenarios of issue #10, each a function of a harness and a size.

Tests run them at CI size and assert; `benchmarks/crash.py` runs them larger and prints
the table. Each returns the Report of what a read_committed subscriber saw.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

from newswire.models import RawArticle
from newswire.topics import CLEANED, ENRICHED, RAW, TAGGED, UNIQUE, stream_specs
from newswire.wire import encode
from tests.support.faults.corpus import Planted, lee_documents
from tests.support.faults.harness import FaultHarness
from tests.support.faults.outcomes import Report

Scenario = Callable[[FaultHarness, int], Report]


def no_faults(h: FaultHarness, size: int) -> Report:
    """One worker, nothing goes wrong: proves the counter itself (0 missing, 0 doubles)."""
    h.build(size)
    h.produce()
    h.start_ready("w1")
    return h.drain()


def sigkill_restart(h: FaultHarness, size: int) -> Report:
    """SIGKILL of the worker and its NER children at 35%, then a restart (same data dir)."""
    h.build(size)
    h.produce()
    h.start_ready("w1")
    h.wait_progress(0.35)
    h.kill("w1")
    h.start_ready("w1")
    return h.drain()


def broker_restart(h: FaultHarness, size: int) -> Report:
    """The broker restarted at 25%; at 55% the worker SIGKILLed and restarted, and the
    broker stopped for 15 s while that worker is still joining its group."""
    h.build(size)
    h.produce()
    h.start_ready("w1")
    h.wait_progress(0.25)
    h.stop_broker()
    h.start_broker()
    h.wait_progress(0.55)
    h.kill("w1")
    worker = h.workers["w1"]
    worker.start()
    # Joining: the process is up (its web port answers) but not ready yet.
    deadline = time.monotonic() + 120
    while worker.readiness() is None and worker.running and time.monotonic() < deadline:
        time.sleep(0.1)
    h.note(f"w1 restarted, /readyz {worker.readiness()}")
    h.stop_broker()
    time.sleep(15)  # the outage itself is the fault being injected, not a wait for a result
    h.start_broker()
    worker.wait_ready(300)
    h.note("w1 ready again")
    return h.drain()


def _join_and_leave(h: FaultHarness, size: int, leave: str) -> Report:
    h.build(size)
    h.produce()
    h.start_ready("w1")
    h.wait_progress(0.2)
    h.start_ready("w2")
    h.wait_progress(0.6)
    if leave == "sigterm":
        h.terminate("w2")
    else:
        h.kill("w2")
    return h.drain()


def join_leave_sigterm(h: FaultHarness, size: int) -> Report:
    """A second worker joins at 20% and leaves with SIGTERM at 60%, batches in flight."""
    return _join_and_leave(h, size, "sigterm")


def join_leave_sigkill(h: FaultHarness, size: int) -> Report:
    """A second worker joins at 20% and is SIGKILLed (with its children) at 60%."""
    return _join_and_leave(h, size, "sigkill")


# Each stage's input topic, for telling when a worker holds all of a stage's partitions.
STAGE_INPUTS = {"prepare": RAW, "dedup": CLEANED, "enrich": UNIQUE, "story": TAGGED}


def frozen_past_session_timeout(h: FaultHarness, size: int) -> Report:
    """A second worker joins at 15%; at 40% it is frozen (SIGSTOP of it and its children,
    as a paused VM or container would be) with batches in hand, for longer than its session
    timeout. Once the first worker has taken every partition of every stage (its producers
    fence the frozen one's) and has 10% more outcomes out, the frozen one resumes (SIGCONT)
    as a zombie: whatever it then sends or commits for the partitions it lost must be
    refused, and it must rejoin and be ready again."""
    h.build(size)
    h.produce()
    h.start_ready("w1")
    h.wait_progress(0.15)
    h.start_ready("w2")
    h.wait_progress(0.4)
    # Only what w1 logs from the freeze on counts as its taking over.
    since = h.workers["w1"].log_size()
    zombie_since = h.freeze("w2")
    counts = {spec.name: spec.partitions for spec in stream_specs(h.settings)}
    for stage, topic in STAGE_INPUTS.items():
        h.wait_logged("w1", "runner.assigned", _holds_all(stage, counts[topic]), since)
    h.wait_progress(min(1.0, h.progress() / len(h.plan) + 0.1))
    h.thaw("w2")
    took = h.workers["w2"].wait_ready(300)
    fenced = [
        record
        for record in h.workers["w2"].logged("runner.transaction_aborted", zombie_since)
        if any(word in str(record.get("error")) for word in ("Fenced", "Epoch", "GroupMovedOn"))
    ]
    h.note(f"w2 ready again {took:.0f}s after SIGCONT; {len(fenced)} transactions of it fenced")
    return h.drain()


def _holds_all(stage: str, partitions: int) -> Callable[[dict[str, object]], bool]:
    """Whether a `runner.assigned` record gives `stage` all its `partitions`."""

    def matches(record: dict[str, object]) -> bool:
        held = record.get("partitions")
        return record.get("stage") == stage and isinstance(held, list) and len(held) == partitions

    return matches


def ner_child_killed(h: FaultHarness, size: int) -> Report:
    """One NER child of the worker SIGKILLed at 30% (as the OOM killer would); the worker
    itself is left alone. Dead letters for the batch in flight are tolerated by the test."""
    h.build(size)
    h.produce()
    worker = h.start_ready("w1")
    h.wait_progress(0.3)
    children = worker.pool_children()
    if not children:
        raise RuntimeError("the worker has no NER child to kill (ner_processes must be > 0)")
    os.kill(children[0], signal.SIGKILL)
    h.note(f"SIGKILL NER child {children[0]} at {h.progress_text()}")
    return h.drain()


def at_size_limit(h: FaultHarness, size: int) -> Report:
    """Among `size` ordinary articles, one whose raw event is exactly the configured
    NEWSWIRE_MAX_ARTICLE_BYTES: it must end in exactly one outcome like the rest."""
    plan = h.build(size)
    limit = h.settings.max_article_bytes
    big = _article_of_size(f"{h.run}-big", limit)
    middle = len(plan.items) // 2
    plan.items.insert(middle, Planted(big, 0, how="size-limit"))
    h.start_ready("w1")
    h.produce()
    return h.drain(any_kind=[big.id])


def _article_of_size(article_id: str, size: int) -> RawArticle:
    """A real-text article whose JSON event is exactly `size` bytes."""
    text = "\n\n".join(lee_documents())
    base = RawArticle(
        id=article_id,
        url=f"https://wire.example/{article_id}",
        source="faults",
        body="x",
        scraper_id="faults",
    )
    room = size - len(encode(base)) + 1
    body = (text * (room // len(text) + 1))[:room]
    article = base.model_copy(update={"body": body})
    while len(encode(article)) > size:  # escapes (quotes, newlines) take two bytes
        body = body[: -(len(encode(article)) - size)]
        article = base.model_copy(update={"body": body})
    pad = size - len(encode(article))
    article = base.model_copy(update={"body": body + " " * pad})
    assert len(encode(article)) == size, (len(encode(article)), size)
    return article


def send_failure(h: FaultHarness, size: int) -> Report:
    """The enriched topic's max.message.bytes lowered under a running worker, so that a few
    long articles cannot be published there: each must still end in exactly one outcome
    (a dead letter), and the ordinary ones be enriched."""
    plan = h.build(size)
    long_ones = [
        Planted(
            RawArticle(
                id=f"{h.run}-long{n}",
                url=f"https://wire.example/{h.run}/long{n}",
                source="faults",
                body="\n\n".join(item.article.body for item in plan.items[n * 40 : n * 40 + 40]),
                scraper_id="faults",
            ),
            n % h.settings.raw_partitions,
            how="too-long",
        )
        for n in range(3)
    ]
    for n, item in enumerate(long_ones):
        plan.items.insert((n + 1) * len(plan.items) // 4, item)
    h.start_ready("w1")
    h.set_topic_config(ENRICHED, {"max.message.bytes": str(LOWERED_ENRICHED_BYTES)})
    h.produce()
    return h.drain(any_kind=[item.article.id for item in long_ones])


# Ordinary enriched events (articles of ~1,100 characters) are a few KB; the long ones
# (40 articles' text in one) are well over this.
LOWERED_ENRICHED_BYTES = 24 * 1024


def broker_down(
    h: FaultHarness, size: int, down_s: float = 20.0
) -> tuple[Report, list[int | None]]:
    """The broker stopped for `down_s` at 30% and started again; the worker must be ready
    again afterwards (else this raises). Returns the report and the worker's /readyz
    answers seen while the broker was down."""
    h.build(size)
    h.produce()
    worker = h.start_ready("w1")
    h.wait_progress(0.3)
    h.stop_broker()
    answers: list[int | None] = []
    until = time.monotonic() + down_s
    while time.monotonic() < until:
        answers.append(worker.readiness())
        time.sleep(0.5)
    h.note(f"/readyz while down: {sorted(set(answers), key=str)}")
    h.start_broker()
    took = worker.wait_ready(300)
    h.note(f"w1 ready again {took:.0f}s after the broker")
    return h.drain(), answers


SCENARIOS: dict[str, Scenario] = {
    "no_faults": no_faults,
    "sigkill_restart": sigkill_restart,
    "broker_restart": broker_restart,
    "join_leave_sigterm": join_leave_sigterm,
    "join_leave_sigkill": join_leave_sigkill,
    "ner_child_killed": ner_child_killed,
    "frozen_past_session_timeout": frozen_past_session_timeout,
    "broker_down": lambda h, size: broker_down(h, size)[0],
    "at_size_limit": at_size_limit,
    "send_failure": send_failure,
}
