"""How fast the machine itself runs, over a benchmark: a fixed piece of work, timed on
each CPU every 100 ms.

Why: on the 2-core machines here the same pure-Python chunk, on an otherwise idle machine,
took about 0.8 ms in some 5 s stretches and 1.2-1.3 ms in others, on both CPUs, its CPU time
equal to its wall time (the core ran slower, it did not wait for another process: a
neighbour on the host, or the clock). A benchmark's slow stretch may then be the machine's,
not the code's; the probe records which stretches those were.

The probe is one process per CPU, pinned to it, timing its chunk with `time.process_time`
(time waiting for the core is not counted, only how long the core took to run it). It
costs about 1% of each CPU.

`loopback_round_trip_us` measures the other thing a machine's speed is made of for a
pipeline of small Kafka requests: one request and its answer over loopback TCP between two
processes (a send, the other process woken, its reply, this one woken). On session 7's
machine it took 68 us, and a send() alone 16 us; a virtual machine pays for each wake-up.

    .venv/bin/python benchmarks/cpu_speed.py --seconds 120     # the machine alone, per 5 s
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType

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
    killed."""
    os.sched_setaffinity(0, {cpu})
    with path.open("w", buffering=1) as out:
        while True:
            started = time.process_time()
            chunk()
            took_ms = (time.process_time() - started) * 1000
            out.write(f"{time.time():.3f} {took_ms:.4f}\n")
            time.sleep(EVERY_S)


class SpeedProbe:
    """One probe process per CPU this process may run on, while the `with` block runs;
    `read()` meanwhile, `samples` afterwards."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="cpu-speed-"))
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self.samples: list[Sample] = []

    def __enter__(self) -> SpeedProbe:
        for cpu in sorted(os.sched_getaffinity(0)):
            self._procs[cpu] = subprocess.Popen(  # noqa: S603 - our own script
                [sys.executable, __file__, "--child", str(cpu), str(self._path(cpu))],
                stdout=subprocess.DEVNULL,
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for proc in self._procs.values():
            proc.terminate()
        for proc in self._procs.values():
            proc.wait()
        self.samples = self.read()

    def read(self) -> list[Sample]:
        """Every sample so far, in time order."""
        return sorted(s for cpu in self._procs for s in read_samples(cpu, self._path(cpu)))

    def _path(self, cpu: int) -> Path:
        return self._folder / f"cpu{cpu}.txt"


def read_samples(cpu: int, path: Path) -> list[Sample]:
    """The samples a probe on `cpu` wrote to `path` (a half-written last line skipped)."""
    samples: list[Sample] = []
    if not path.exists():
        return samples
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2:  # time and milliseconds
            samples.append((float(parts[0]), cpu, float(parts[1])))
    return samples


def chunk_ms(samples: list[Sample], start_s: float, end_s: float) -> float | None:
    """The median chunk time (ms, all CPUs) between two epoch times; None if no sample."""
    within = [ms for at, _, ms in samples if start_s <= at < end_s]
    return round(statistics.median(within), 3) if within else None


def fastest_ms(samples: list[Sample]) -> float | None:
    """The chunk time of the machine's fast stretches: the 10th percentile of all samples
    (a floor that one lucky sample cannot set)."""
    if not samples:
        return None
    ordered = sorted(ms for _, _, ms in samples)
    return round(ordered[int(0.1 * (len(ordered) - 1))], 3)


def windows(samples: list[Sample], seconds: float = 5.0) -> list[tuple[float, dict[int, float]]]:
    """Per `seconds` from the first sample: its start (s from the first) and the median
    chunk time per CPU."""
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


ROUND_TRIPS = 5000
REQUEST_BYTES = 1024
REPLY_BYTES = 16


def _receive(sock: socket.socket, size: int) -> None:
    got = 0
    while got < size:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("the echo process closed the connection")
        got += len(data)


def run_echo(port: int) -> None:
    """The other end of `loopback_round_trip_us`: answer each request, until it closes."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(ROUND_TRIPS):
            _receive(conn, REQUEST_BYTES)
            conn.sendall(b"y" * REPLY_BYTES)


def loopback_round_trip_us() -> dict[str, float]:
    """Microseconds per request-and-reply over loopback TCP to another process (1 KB out,
    16 bytes back, Nagle off as Kafka clients have it): the wall time, this side's CPU, and
    the send() call alone, each the mean over ROUND_TRIPS."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        echo = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, __file__, "--echo", str(port)], stdout=subprocess.DEVNULL
        )
        try:
            conn, _ = server.accept()
            with conn:
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                request, sending = b"x" * REQUEST_BYTES, 0.0
                wall, cpu = time.perf_counter(), time.process_time()
                for _ in range(ROUND_TRIPS):
                    started = time.perf_counter()
                    conn.sendall(request)
                    sending += time.perf_counter() - started
                    _receive(conn, REPLY_BYTES)
                wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        finally:
            echo.wait(timeout=30)
    return {
        "round_trip_us": round(wall / ROUND_TRIPS * 1e6, 1),
        "round_trip_cpu_us": round(cpu / ROUND_TRIPS * 1e6, 1),
        "send_us": round(sending / ROUND_TRIPS * 1e6, 1),
    }


def main() -> None:
    """Probe the machine alone for a while and print its speed per 5 s."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--child", nargs=2, metavar=("CPU", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--echo", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_probe(int(args.child[0]), Path(args.child[1]))
        return
    if args.echo:
        run_echo(args.echo)
        return
    print(f"loopback request and reply: {loopback_round_trip_us()}")
    with SpeedProbe() as probe:
        time.sleep(args.seconds)
    floor = fastest_ms(probe.samples)
    print(f"fastest stretches: {floor} ms a chunk ({CHUNK_STEPS} loop steps)")
    for start, per_cpu in windows(probe.samples):
        cells = "  ".join(f"cpu{cpu} {ms:.2f} ms" for cpu, ms in per_cpu.items())
        print(f"{start:5.0f} s  {cells}")


if __name__ == "__main__":
    main()
