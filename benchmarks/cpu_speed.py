"""How fast the machine itself runs, over a benchmark: a fixed piece of work, timed on
each CPU every 100 ms.

Why: on the 2-core machines here the same pure-Python chunk, on an otherwise idle machine,
took about 0.8 ms in some 5 s stretches and 1.2-1.3 ms in others, on either CPU and
sometimes on both at once, its CPU time equal to its wall time
(`benchmarks/results/2026-12-07-cpu-speed-idle.txt`). The core ran slower; no other
process held it (this kernel accounts a virtual CPU's stolen time apart, and there was
next to none). A benchmark's slow stretch may then be the machine's rather than the
code's; the probe records the machine's speed over the same stretch.

The probe is one process per CPU, pinned to it, timing its chunk with `time.process_time`
(time waiting for the core is not counted, only how long the core took to run it). It
costs about 1% of each CPU, and stops by itself if the process that started it dies.

    .venv/bin/python benchmarks/cpu_speed.py --seconds 120     # the machine alone, per 5 s
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

from hops import quantile

EVERY_S = 0.1
# Loop steps in one chunk: about 0.8 ms on a fast stretch here, long enough that the clock's
# resolution does not matter, short enough to cost 1% of a CPU.
CHUNK_STEPS = 20_000

# (epoch seconds, CPU, chunk milliseconds)
Sample = tuple[float, int, float]


def chunk() -> int:
    """The fixed work: the same integer loop every time."""
    total = 0
    for step in range(CHUNK_STEPS):
        total += step * step
    return total


def run_probe(cpu: int, path: Path) -> None:
    """Time `chunk` on `cpu` every EVERY_S seconds, one line per sample to `path`, until
    terminated or until the process that started it is gone."""
    # The parent stops the probe; a Ctrl-C meant for the parent must not print here.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    os.sched_setaffinity(0, {cpu})
    with path.open("w", buffering=1) as out:
        while os.getppid() == parent:  # a killed parent must not leave probes behind
            started = time.process_time()
            chunk()
            took_ms = (time.process_time() - started) * 1000
            out.write(f"{time.time():.3f} {took_ms:.4f}\n")
            time.sleep(EVERY_S)


class SpeedProbe:
    """One probe process per CPU this process may run on, while the `with` block runs;
    `read()` their samples before it ends (the samples' folder goes with them)."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="cpu-speed-"))
        self._procs: dict[int, subprocess.Popen[bytes]] = {}

    def __enter__(self) -> SpeedProbe:
        try:
            for cpu in sorted(os.sched_getaffinity(0)):
                self._procs[cpu] = subprocess.Popen(  # noqa: S603 - our own script
                    [sys.executable, __file__, "--child", str(cpu), str(self._path(cpu))],
                    stdout=subprocess.DEVNULL,
                )
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop()

    def read(self) -> list[Sample]:
        """Every sample so far, in time order."""
        return sorted(s for cpu in self._procs for s in read_samples(cpu, self._path(cpu)))

    def _stop(self) -> None:
        for proc in self._procs.values():
            proc.terminate()
        for proc in self._procs.values():
            proc.wait()
        shutil.rmtree(self._folder, ignore_errors=True)

    def _path(self, cpu: int) -> Path:
        return self._folder / f"cpu{cpu}.txt"


def read_samples(cpu: int, path: Path) -> list[Sample]:
    """The samples a probe on `cpu` wrote to `path`, whole lines only (the probe may be
    writing the last one)."""
    if not path.exists():
        return []
    text = path.read_text()
    samples: list[Sample] = []
    for line in text[: text.rfind("\n") + 1].splitlines():
        at, took_ms = line.split()
        samples.append((float(at), cpu, float(took_ms)))
    return samples


def chunk_ms(samples: list[Sample], start_s: float, end_s: float) -> float | None:
    """The median chunk time (ms, all CPUs) between two epoch times; None if no sample."""
    within = [ms for at, _, ms in samples if start_s <= at < end_s]
    return round(statistics.median(within), 3) if within else None


def fastest_ms(samples: list[Sample]) -> float | None:
    """The chunk time of the machine's fast stretches: the 10th percentile of all samples
    (a floor that one lucky sample cannot set); None without samples."""
    if not samples:
        return None
    return round(quantile([ms for _, _, ms in samples], 0.1), 3)


def per_cpu_windows(
    samples: list[Sample], seconds: float = 5.0
) -> list[tuple[float, dict[int, float]]]:
    """Per `seconds` from the first sample: its start (s from the first sample) and the
    median chunk time on each CPU."""
    if not samples:
        return []
    first = samples[0][0]
    grouped: dict[int, dict[int, list[float]]] = {}
    for at, cpu, ms in samples:
        grouped.setdefault(int((at - first) // seconds), {}).setdefault(cpu, []).append(ms)
    return [
        (i * seconds, {cpu: statistics.median(v) for cpu, v in sorted(grouped[i].items())})
        for i in sorted(grouped)
    ]


def main() -> None:
    """Probe the machine alone for a while and print its speed per 5 s."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--child", nargs=2, metavar=("CPU", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        run_probe(int(args.child[0]), Path(args.child[1]))
        return
    with SpeedProbe() as probe:
        time.sleep(args.seconds)
        samples = probe.read()
    print(f"fastest stretches: {fastest_ms(samples)} ms a chunk ({CHUNK_STEPS} loop steps)")
    for start, per_cpu in per_cpu_windows(samples):
        cells = "  ".join(f"cpu{cpu} {ms:.2f} ms" for cpu, ms in per_cpu.items())
        print(f"{start:5.0f} s  {cells}")


if __name__ == "__main__":
    main()
