"""What one small request and its reply cost on this machine, over loopback TCP to another
process: a send, the other process woken, its reply, this one woken.

Each stage transaction is five such requests to the broker (AddPartitionsToTxn, Produce,
AddOffsetsToTxn, TxnOffsetCommit, EndTxn), so on a machine where wake-ups are dear (a
virtual machine pays for each) the pipeline's CPU per article rises with it. e2e records
it before each run (`host.loopback`); the figures measured are in docs/performance.md.

    .venv/bin/python benchmarks/loopback.py
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time

ROUND_TRIPS = 5000
REQUEST_BYTES = 1024
REPLY_BYTES = 16
CONNECT_TIMEOUT_S = 10.0


def _receive(sock: socket.socket, size: int) -> None:
    got = 0
    while got < size:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("the other end closed the connection")
        got += len(data)


def run_echo(port: int) -> None:
    """The other end of `round_trip_us`: answer each request, ROUND_TRIPS times."""
    with socket.create_connection(("127.0.0.1", port), timeout=CONNECT_TIMEOUT_S) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(ROUND_TRIPS):
            _receive(conn, REQUEST_BYTES)
            conn.sendall(b"y" * REPLY_BYTES)


def round_trip_us() -> dict[str, float]:
    """Microseconds per request and reply over loopback TCP to another process (1 KB out,
    16 bytes back, Nagle off as Kafka clients have it), each the mean over ROUND_TRIPS:
    the wall time, this side's CPU time, and the send() call alone."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(CONNECT_TIMEOUT_S)
        port = server.getsockname()[1]
        echo = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, __file__, "--echo", str(port)], stdout=subprocess.DEVNULL
        )
        try:
            conn, _ = server.accept()
            with conn:
                conn.settimeout(CONNECT_TIMEOUT_S)
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
            try:
                echo.wait(timeout=CONNECT_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                echo.kill()
                echo.wait()
    return {
        "round_trip_us": round(wall / ROUND_TRIPS * 1e6, 1),
        "round_trip_cpu_us": round(cpu / ROUND_TRIPS * 1e6, 1),
        "send_us": round(sending / ROUND_TRIPS * 1e6, 1),
    }


def main() -> None:
    """Print what a request and its reply cost here."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--echo", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.echo is not None:
        run_echo(args.echo)
        return
    print(f"loopback request and reply: {round_trip_us()}")


if __name__ == "__main__":
    main()
