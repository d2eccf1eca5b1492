"""CPU and memory of running processes, read from /proc (Linux), sampled in a thread."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_cpu_seconds(stat: str) -> float:
    """User plus system CPU seconds from the text of a /proc `stat` file."""
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def share_of_one_core(cpu_s: float, wall_s: float) -> float:
    """CPU seconds over a stretch of wall time, as a share of one core (100 = one core)."""
    return round(100 * cpu_s / max(wall_s, 1e-9), 1)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time `pid` has used so far (0 when it is gone)."""
    try:
        return _stat_cpu_seconds(Path(f"/proc/{pid}/stat").read_text())
    except OSError:
        return 0.0


def _per_thread(pid: int, name: str) -> list[str]:
    """The text of /proc/PID/task/TID/`name` for each of `pid`'s threads still alive."""
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return []
    texts = []
    for task in tasks:
        try:
            texts.append((task / name).read_text())
        except OSError:
            continue
    return texts


def thread_cpu_seconds(pid: int) -> dict[str, float]:
    """CPU seconds used so far by `pid`'s live threads, summed per thread family: the
    thread's name as the kernel keeps it (its first 15 characters), digits collapsed. For a
    JVM such as the broker that tells the JIT compiler ("C# CompilerThre", C1 and C2
    together) and garbage collection ("GC Thread#", "G# Conc#") from the data plane
    ("data-plane-kafk": request handlers and network threads together)."""
    families: dict[str, float] = {}
    for stat in _per_thread(pid, "stat"):
        name = re.sub(r"\d+", "#", stat[stat.index("(") + 1 : stat.rindex(")")])
        families[name] = families.get(name, 0.0) + _stat_cpu_seconds(stat)
    return families


def memory_mb(pid: int) -> tuple[float, float | None]:
    """Resident set size and, where the kernel offers smaps_rollup, proportional set size
    (shared pages split between the processes that map them), in MB."""
    rss = 0.0
    pss: float | None = None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`."""
    found: list[int] = []
    for children in _per_thread(pid, "children"):
        for child in children.split():
            found += [int(child), *descendants(int(child))]
    return found


def listening_pid(port: int) -> int | None:
    """The process listening on TCP `port` on this machine (how the broker is found when it
    is given only as an address), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            cols = row.split()
            if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(cols[9])
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


@dataclass
class ProcessUsage:
    """What one process used over a watched stretch."""

    pid: int
    role: str
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    peak_pss_mb: float | None = None
    start_cpu_s: float = field(default=0.0, repr=False)


@dataclass
class Watcher:
    """Samples CPU and memory of named roots and their descendants until stopped: totals
    per process, CPU per role between named marks (phases), CPU per role over time
    (`timeline`), and the `threads_of` role's thread families between marks."""

    roots: dict[str, int]
    interval_s: float = 0.5
    usage: dict[int, ProcessUsage] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    # The sampling thread and `mark` (on the caller's thread) both sample.
    _lock: threading.Lock = field(default_factory=threading.Lock)
    started_at: float = 0.0
    stopped_at: float = 0.0
    marks: list[tuple[str, float, dict[int, float]]] = field(default_factory=list)
    # At each mark: CPU seconds per thread family of the `threads_of` role's root.
    threads_of: str = "broker"
    thread_marks: dict[str, dict[str, float]] = field(default_factory=dict)
    # Every sample: (monotonic time, CPU seconds per role so far), for the CPU timeline.
    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)

    def mark(self, name: str) -> None:
        """Note the time and every watched process's CPU seconds now (phase boundaries)."""
        self._sample()
        with self._lock:
            pids = list(self.usage)
        self.marks.append((name, time.monotonic(), {pid: cpu_seconds(pid) for pid in pids}))
        if self.threads_of in self.roots:
            self.thread_marks[name] = thread_cpu_seconds(self.roots[self.threads_of])

    def threads_between(self, first: str, last: str, top: int = 8) -> dict[str, float]:
        """The `threads_of` process's busiest thread families between two marks, as a share
        of one core (100 = one core), busiest first; empty when either mark is missing.
        Threads that ended between the marks take their CPU with them, so a family's share
        can read low (never below 0)."""
        if first not in self.thread_marks or last not in self.thread_marks:
            return {}
        wall, _ = self.cpu_between(first, last)
        before, after = self.thread_marks[first], self.thread_marks[last]
        used = {name: max(0.0, total - before.get(name, 0.0)) for name, total in after.items()}
        busiest = sorted(used.items(), key=lambda item: -item[1])[:top]
        return {name: share_of_one_core(s, wall) for name, s in busiest}

    def has_marks(self, *names: str) -> bool:
        """Whether every one of `names` was marked."""
        marked = {m[0] for m in self.marks}
        return all(name in marked for name in names)

    def cpu_between(self, first: str, last: str) -> tuple[float, dict[str, float]]:
        """Wall seconds between two marks, and the CPU seconds each role used in them."""
        (_, t0, cpu0), (_, t1, cpu1) = (
            next(m for m in self.marks if m[0] == first),
            next(m for m in self.marks if m[0] == last),
        )
        used: dict[str, float] = {}
        for pid, total in cpu1.items():
            role = self.usage[pid].role
            used[role] = used.get(role, 0.0) + total - cpu0.get(pid, self.usage[pid].start_cpu_s)
        return t1 - t0, used

    def between(self, first: str, last: str) -> dict[str, float]:
        """CPU used between two marks, per role, as a share of one core (100 = one core)."""
        wall, used = self.cpu_between(first, last)
        return {role: share_of_one_core(s, wall) for role, s in used.items()}

    def _sample(self) -> None:
        with self._lock:
            self._sample_locked()

    def _sample_locked(self) -> None:
        for role, root in self.roots.items():
            pids = [(root, role)] + [(p, f"{role}-child") for p in descendants(root)]
            for pid, name in pids:
                seen = self.usage.get(pid)
                if seen is None:
                    seen = self.usage[pid] = ProcessUsage(pid, name, start_cpu_s=cpu_seconds(pid))
                cpu = cpu_seconds(pid)
                if cpu:
                    seen.cpu_s = cpu - seen.start_cpu_s
                rss, pss = memory_mb(pid)
                seen.peak_rss_mb = max(seen.peak_rss_mb, rss)
                if pss is not None:
                    seen.peak_pss_mb = max(seen.peak_pss_mb or 0.0, pss)
        totals: dict[str, float] = {}
        for usage in self.usage.values():
            totals[usage.role] = totals.get(usage.role, 0.0) + usage.cpu_s
        self.samples.append((time.monotonic(), totals))

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._sample()

    def __enter__(self) -> Watcher:
        self.started_at = time.monotonic()
        self._sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._sample()
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.stopped_at = time.monotonic()

    def timeline(self, step_s: float = 1.0) -> dict[str, object]:
        """CPU per role as a share of one core over successive stretches of at least `step_s`
        (each point is [end of its stretch in seconds from the first sample, share]), with
        the marks' times on the same clock: what ran when, e.g. what is still busy as a
        phase begins. A role seen only later (a child process) starts where it appears."""
        if not self.samples:
            return {"marks": {}, "cpu_percent": {}}
        start = self.samples[0][0]
        points: dict[str, list[list[float]]] = {}
        last_t, last = self.samples[0]
        for t, totals in self.samples[1:]:
            if t - last_t < step_s:
                continue
            for role, cpu in totals.items():
                if role in last:
                    share = share_of_one_core(cpu - last[role], t - last_t)
                    points.setdefault(role, []).append([round(t - start, 2), share])
            last_t, last = t, totals
        return {
            "marks": {name: round(t - start, 2) for name, t, _ in self.marks},
            "cpu_percent": points,
        }

    def report(self) -> list[dict[str, object]]:
        """One row per process: role, pid, CPU seconds, CPU share of one core over the
        stretch, peak RSS and PSS."""
        wall = self.stopped_at - self.started_at
        return [
            {
                "role": u.role,
                "pid": u.pid,
                "cpu_s": round(u.cpu_s, 2),
                "cpu_percent_of_one_core": share_of_one_core(u.cpu_s, wall),
                "peak_rss_mb": round(u.peak_rss_mb, 1),
                "peak_pss_mb": None if u.peak_pss_mb is None else round(u.peak_pss_mb, 1),
            }
            for u in self.usage.values()
        ]
