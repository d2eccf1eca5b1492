"""`newswire worker` processes that a fault test can start, kill, freeze and restart.

A worker runs in a session (and process group) of its own, so that SIGKILL of the group
takes its NER children with it, as when a container or pod is killed. Settings reach it
as NEWSWIRE_* variables only, so any worker that honours the documented settings can be
driven: the harness knows nothing of its insides beyond `/readyz` on its web port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import orjson

from newswire.config import Settings


def worker_env(settings: Settings) -> dict[str, str]:
    """The environment of a worker configured by `settings` (and nothing from ours)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWIRE_")}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    for name, value in settings.model_dump(exclude_none=True).items():
        secret = getattr(value, "get_secret_value", None)
        env[f"NEWSWIRE_{name.upper()}"] = str(secret() if secret else value)
    env["NEWSWIRE_BOOTSTRAP_SERVERS"] = settings.kafka_bootstrap
    return env


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may hold spaces and parentheses: fields start after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerProcess:
    """One worker: started by `start`, ended by `kill` (SIGKILL of the whole group) or
    `terminate` (SIGTERM to the worker, as an orchestrator asks a pod to stop)."""

    def __init__(self, name: str, settings: Settings, log: Path) -> None:
        self.name = name
        self.settings = settings
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def readyz_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}/readyz"

    def start(self) -> None:
        """Start the worker process (again, after it ended: same id, port and data dir)."""
        if self.running:
            raise RuntimeError(f"{self.name} is running already")
        self.starts += 1
        with self.log.open("ab") as out:
            out.write(f"\n===== start {self.starts} of {self.name} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newswire", "worker"],
                env=worker_env(self.settings),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        """True while the worker process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def readiness(self) -> int | None:
        """The status of `/readyz` now (None when nothing answers)."""
        try:
            return httpx.get(self.readyz_url, timeout=2.0).status_code
        except httpx.HTTPError:
            return None

    def wait_ready(self, timeout_s: float = 180.0) -> float:
        """Wait until `/readyz` answers 200; return the seconds it took. Fails with the log's
        tail if the worker exits or is not ready in time."""
        began = time.monotonic()
        while time.monotonic() - began < timeout_s:
            if not self.running:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            if self.readiness() == 200:
                return time.monotonic() - began
            time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout_s:.0f}s:\n{self.tail()}")

    def children(self) -> list[int]:
        """Pids of the worker's child processes (its NER pool), now."""
        return _children(self.proc.pid) if self.running and self.proc else []

    def pool_children(self) -> list[int]:
        """Pids of the worker's process-pool children (NER), not multiprocessing's helpers
        such as the resource tracker."""
        found = []
        for pid in self.children():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"resource_tracker" not in cmdline and b"forkserver" not in cmdline:
                found.append(pid)
        return found

    def kill(self) -> None:
        """SIGKILL the worker and every process of its group, and wait until all are gone."""
        if self.proc is None:
            return
        pgid = self.proc.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 30
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.1)

    def terminate(self, timeout_s: float = 60.0) -> bool:
        """SIGTERM the worker and wait for it to exit; True if it did within `timeout_s`
        (else the group is killed). Children left behind are killed too."""
        if not self.running or self.proc is None:
            return True
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout_s)
            clean = True
        except subprocess.TimeoutExpired:
            clean = False
        self.kill()
        return clean

    def freeze(self) -> None:
        """SIGSTOP the worker and every process of its group: it stops wherever it stands,
        heartbeats included, as a paused VM or container (or a very long pause of its own)
        would, and keeps whatever it held (open transactions, fetched batches)."""
        if self.proc is not None and self.running:
            os.killpg(self.proc.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT the group `freeze` stopped: it carries on from where it stood."""
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGCONT)

    def log_size(self) -> int:
        """The log's length in bytes now: a mark for `logged(since=...)`."""
        try:
            return self.log.stat().st_size
        except FileNotFoundError:
            return 0

    def logged(self, event: str, since: int = 0) -> list[dict[str, object]]:
        """The worker's JSON log records of `event` (e.g. "runner.assigned") written after
        byte `since` of its log; lines that are not JSON records are skipped."""
        try:
            with self.log.open("rb") as log:
                log.seek(since)
                lines = log.read().splitlines()
        except FileNotFoundError:
            return []
        found = []
        for line in lines:
            if not line.startswith(b"{"):
                continue
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                continue  # a line the worker was still writing
            if isinstance(record, dict) and record.get("event") == event:
                found.append(record)
        return found

    def tail(self, chars: int = 4000) -> str:
        """The end of the worker's log."""
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return "(no log)"
