"""One fault scenario's world: a broker it may stop, fresh topics, workers, and the count.

A scenario produces its plan, starts workers, injects faults at points of progress (a
share of the ids has an outcome: a positive signal, never a sleep), then drains: it waits
until every id has an outcome and the output has settled, or until a generous deadline,
and judges what a read_committed subscriber saw.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.kafka_local.launcher import LocalKafka, free_port
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name
from tests.support.faults.corpus import Plan, Planted, build_plan
from tests.support.faults.outcomes import OutcomeCounter, Report, end_offsets, group_lag, judge
from tests.support.faults.produce import BackgroundProducer, produce
from tests.support.faults.workers import WorkerProcess


class FaultHarness:
    """Settings on fresh names, the broker's controls, workers by name and the counter."""

    def __init__(self, broker: LocalKafka, workdir: Path, scenario: str, **overrides: Any) -> None:
        run = uuid.uuid4().hex[:8]
        self.broker = broker
        self.workdir = workdir
        self.scenario = scenario
        self.run = run
        values: dict[str, Any] = {
            "bootstrap_servers": broker.bootstrap,
            "topic_prefix": f"f{run}.",
            "app_id": f"newswire-faults-{run}",
            "raw_partitions": 4,
            "ner_processes": 1,
            "log_format": "json",
            **overrides,
        }
        self.settings = Settings(**values, _env_file=None)
        self.workers: dict[str, WorkerProcess] = {}
        self.events: list[str] = []
        self.began = time.monotonic()
        self.broker_up = True
        self.counter: OutcomeCounter | None = None
        self.plan = Plan()

    # -- set-up ---------------------------------------------------------------------------

    def __enter__(self) -> FaultHarness:
        self.workdir.mkdir(parents=True, exist_ok=True)
        # The reader and producer retry through broker outages; thousands of lines saying
        # so would bury the report.
        self._aiokafka_level = logging.getLogger("aiokafka").level
        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
        asyncio.run(ensure_topics(self.settings))
        self.counter = OutcomeCounter(
            self.broker.bootstrap,
            {
                "enriched": self.topic(ENRICHED),
                "duplicate": self.topic(DUPLICATES),
                "deadletter": self.topic(DEADLETTER),
            },
        ).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers.values():
            worker.kill()
        if self.counter is not None:
            self.counter.__exit__()
        if not self.broker_up:
            self.broker.start()
        logging.getLogger("aiokafka").setLevel(self._aiokafka_level)

    def topic(self, name: str) -> str:
        """The broker-side name of topic `name` in this scenario."""
        return topic_name(self.settings, name)

    def note(self, what: str) -> None:
        """Add a line to the scenario's timeline (printed with a failing report)."""
        self.events.append(f"{time.monotonic() - self.began:.0f}s {what}")

    def build(self, total: int, **options: Any) -> Plan:
        """This scenario's articles (see `build_plan`), kept for judging."""
        self.plan = build_plan(
            total,
            run=self.run,
            partitions=self.settings.raw_partitions,
            threshold=self.settings.dedup_threshold,
            **options,
        )
        return self.plan

    def add(self, items: list[Planted]) -> None:
        """Extra articles (e.g. one at the size limit), judged with the plan."""
        self.plan.items.extend(items)

    def produce(self, items: list[Planted] | None = None, rate: float | None = None) -> int:
        """Send `items` (default: the whole plan) and wait until the broker has them."""
        items = self.plan.items if items is None else items
        sent = asyncio.run(
            produce(
                self.broker.bootstrap,
                self.topic(RAW),
                items,
                rate=rate,
                may_send=lambda: self.broker_up,
            )
        )
        self.note(f"produced {sent}")
        return sent

    def produce_in_background(self, rate: float | None = None) -> BackgroundProducer:
        """Send the whole plan from a thread (at `rate` per second), holding back while the
        broker is stopped."""
        return BackgroundProducer(
            self.broker.bootstrap,
            self.topic(RAW),
            self.plan.items,
            rate=rate,
            may_send=lambda: self.broker_up,
        )

    # -- workers --------------------------------------------------------------------------

    def worker(self, name: str, **overrides: Any) -> WorkerProcess:
        """A new worker `name` (not started) with its own id, web port and data dir."""
        settings = self.settings.model_copy(
            update={
                "worker_id": f"{name}-{self.run}",
                "web_port": free_port(),
                "data_dir": self.workdir / name,
                **overrides,
            }
        )
        worker = WorkerProcess(name, settings, self.workdir / f"{name}.log")
        self.workers[name] = worker
        return worker

    def start_ready(self, name: str, **overrides: Any) -> WorkerProcess:
        """Start worker `name` (made on first use) and wait until it is ready."""
        worker = self.workers.get(name) or self.worker(name, **overrides)
        worker.start()
        took = worker.wait_ready()
        self.note(f"{name} ready after {took:.0f}s")
        return worker

    def kill(self, name: str) -> None:
        """SIGKILL worker `name` and its children."""
        children = len(self.workers[name].children())
        self.workers[name].kill()
        self.note(f"SIGKILL {name} and its {children} children at {self.progress_text()}")

    def terminate(self, name: str) -> None:
        """SIGTERM worker `name` and wait for it to leave."""
        at = self.progress_text()
        clean = self.workers[name].terminate()
        self.note(f"SIGTERM {name} at {at}: {'exited' if clean else 'had to be killed'}")

    def freeze(self, name: str) -> int:
        """SIGSTOP worker `name` and its children; returns its log's length at that moment
        (a mark for `wait_logged`)."""
        mark = self.workers[name].log_size()
        self.workers[name].freeze()
        self.note(f"SIGSTOP {name} and its children at {self.progress_text()}")
        return mark

    def thaw(self, name: str) -> None:
        """SIGCONT worker `name` and its children."""
        self.workers[name].thaw()
        self.note(f"SIGCONT {name} at {self.progress_text()}")

    def wait_logged(
        self,
        name: str,
        event: str,
        matches: Callable[[dict[str, object]], bool],
        since: int = 0,
        timeout_s: float = 180.0,
    ) -> dict[str, object]:
        """Wait until worker `name` logs an `event` record that `matches` after byte
        `since` of its log, and return it (fails after `timeout_s`)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            found = [r for r in self.workers[name].logged(event, since) if matches(r)]
            if found:
                self.note(f"{name} logged {event} {found[0].get('stage', '')}")
                return found[0]
            time.sleep(0.3)
        raise TimeoutError(f"{name} did not log a matching {event} in {timeout_s:.0f}s")

    # -- broker ---------------------------------------------------------------------------

    def stop_broker(self) -> None:
        """Stop the broker (SIGTERM, as a rolling restart does)."""
        self.broker_up = False
        at = self.progress_text()
        self.broker.stop()
        self.note(f"broker stopped at {at}")

    def start_broker(self) -> None:
        """Start the broker again on the same ports with the same data."""
        took = self.broker.start(timeout_s=120)
        self.broker_up = True
        self.note(f"broker started again in {took:.0f}s")

    def set_topic_config(self, name: str, config: dict[str, str]) -> None:
        """Change topic `name`'s configuration on the broker (e.g. lower max.message.bytes)."""

        async def alter() -> None:
            admin = AIOKafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
            await admin.start()
            try:
                await admin.alter_configs(
                    [ConfigResource(ConfigResourceType.TOPIC, self.topic(name), configs=config)]
                )
            finally:
                await admin.close()

        asyncio.run(alter())
        self.note(f"{name} set to {config}")

    # -- progress and the drain -----------------------------------------------------------

    def progress(self) -> int:
        """How many of the plan's ids have an outcome so far."""
        assert self.counter is not None
        self.counter.check_alive()
        return self.counter.seen(self.plan.ids)

    def progress_text(self) -> str:
        done = self.progress()
        total = len(self.plan) or 1
        return f"{done}/{len(self.plan)} ({100 * done // total}%)"

    def wait_progress(self, share: float, timeout_s: float = 600.0) -> None:
        """Wait until `share` of the plan's ids have an outcome (fails after `timeout_s`)."""
        wanted = int(share * len(self.plan))
        deadline = time.monotonic() + timeout_s
        while self.progress() < wanted:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {self.progress_text()} after {timeout_s:.0f}s")
            time.sleep(0.2)

    def drain(
        self,
        timeout_s: float | None = None,
        settle_s: float = 8.0,
        stall_s: float = 150.0,
        settle_limit_s: float = 60.0,
        **judging: Any,
    ) -> Report:
        """Wait until every id has an outcome, the workers' groups have no lag left and no
        new output came for `settle_s`, then until the reader reached the end of every
        output partition, and judge what was read. Bounds, never expectations: `timeout_s`
        in all (default 300 s plus 0.1 s per article), `stall_s` without any new output
        while ids are still missing (a worker that sits idle with work left), and
        `settle_limit_s` for the groups' lag to clear once every id has an outcome."""
        assert self.counter is not None
        ids = self.plan.ids
        deadline = time.monotonic() + (timeout_s or 300.0 + 0.1 * len(ids))
        while time.monotonic() < deadline and self.progress() < len(ids):
            if self.counter.quiet_for() > stall_s:
                self.note(f"drain: no new output for {stall_s:.0f}s")
                break
            time.sleep(0.5)
        self.note(f"drain: {self.progress_text()} have an outcome")
        # Late doubles (a redelivered batch) come while the groups still have lag; a lag
        # that never clears is itself bounded, at `settle_limit_s`.
        settled_by = min(deadline, time.monotonic() + settle_limit_s)
        # Stalled with ids missing: nothing more will come, judge what there is.
        settled = self.progress() < len(ids)
        while not settled and time.monotonic() < settled_by:
            if self.counter.quiet_for() >= settle_s:
                settled = not asyncio.run(group_lag(self.broker.bootstrap, self.settings.app_id))
            if not settled:
                time.sleep(1.0)
        if not settled:
            self.note(f"drain: the workers' groups still had lag after {settle_limit_s:.0f}s")
        outputs = [self.topic(ENRICHED), self.topic(DUPLICATES), self.topic(DEADLETTER)]
        ends = asyncio.run(end_offsets(self.broker.bootstrap, outputs))
        while time.monotonic() < deadline:
            positions = self.counter.positions()
            if all(positions.get(tp, -1) >= end for tp, end in ends.items()):
                break
            time.sleep(0.3)
        report = judge(self.scenario, ids, self.counter.snapshot(), self.plan.copies, **judging)
        report.events = list(self.events)
        report.seconds = time.monotonic() - self.began
        return report

    def logs(self) -> str:
        """The tails of every worker's log, for a failing test's message."""
        return "\n".join(f"--- {name} ---\n{w.tail(3000)}" for name, w in self.workers.items())
