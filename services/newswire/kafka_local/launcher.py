"""Fetch Apache Kafka's jars with Maven, format KRaft storage, start and stop the broker.

The launcher only ever signals the process it started itself: the pid file records the
pid, and `stop` checks that pid's command line names this launcher's config file first.
"""

from __future__ import annotations

import base64
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from newswire.config import REPO_ROOT

if TYPE_CHECKING:
    from newswire.config import Settings
    from newswire.kafka_local.secure import LocalSecurity

DEPLOY_DIR = REPO_ROOT / "deploy" / "kafka"
JARS_MARKER = ".complete"
# The collector settings Kafka's own start scripts give a broker (bin/kafka-run-class.sh,
# KAFKA_JVM_PERFORMANCE_OPTS): G1 aiming at pauses of 20 ms instead of its default 200,
# starting its concurrent cycle earlier. Under the pipeline at 60 articles/s its young
# pauses fell from a median of 17-23 ms to 13-14 (docs/performance.md).
KAFKA_GC_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
)


class LocalKafkaError(RuntimeError):
    """The local broker could not be prepared, started or stopped."""


# The broker outlives `newswire kafka start`, so its Popen handle is not waited on where it
# is made; kept here, it is not collected (with a ResourceWarning) while the broker runs.
_STARTED_HERE: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True, slots=True)
class LocalKafka:
    """One local broker: its home (config, data, logs, pid), ports and jar cache."""

    home: Path
    port: int = 9092
    controller_port: int = 9093
    jars_dir: Path = REPO_ROOT / "var" / "kafka-jars"
    deploy_dir: Path = DEPLOY_DIR
    heap: str = "512m"
    # Secured mode (SASL_SSL, mTLS, ACLs) when set; PLAINTEXT on loopback otherwise.
    security: LocalSecurity | None = None

    @property
    def bootstrap(self) -> str:
        """The address clients connect to."""
        return f"127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.home / "config" / "server.properties"

    @property
    def pid_file(self) -> Path:
        return self.home / "kafka.pid"

    @property
    def log_dir(self) -> Path:
        return self.home / "logs"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    def ensure_jars(self) -> Path:
        """Gather the broker's jars into the cache once (Maven Central); return the folder."""
        marker = self.jars_dir / JARS_MARKER
        pom = self.deploy_dir / "pom.xml"
        if marker.exists() and marker.read_text() == pom.read_text():
            return self.jars_dir
        if shutil.which("mvn") is None:
            raise LocalKafkaError(
                "Maven ('mvn') is needed to fetch Kafka's jars and is not on PATH"
            )
        if shutil.which("java") is None:
            raise LocalKafkaError("Java 17 ('java') is needed to run Kafka and is not on PATH")
        self.jars_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            "mvn",
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={self.jars_dir}",
            "-DincludeScope=runtime",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise LocalKafkaError(
                f"mvn failed ({result.returncode}): {result.stdout[-2000:]}{result.stderr[-2000:]}"
            )
        marker.write_text(pom.read_text())
        return self.jars_dir

    def write_config(self) -> None:
        """Render server.properties and the log config for this broker's ports and folders."""
        template = Template((self.deploy_dir / "server.properties").read_text())
        self.config_file.parent.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(
            template.substitute(
                port=self.port, controller_port=self.controller_port, data_dir=self.data_dir
            )
        )
        if self.security is not None:
            # Java properties: a key given again later wins, so this block overrides the
            # PLAINTEXT listeners of the shared template.
            with self.config_file.open("a") as config:
                config.write(self.security.server_properties(self.port, self.controller_port))
        shutil.copyfile(
            self.deploy_dir / "log4j.properties", self.config_file.parent / "log4j.properties"
        )

    def _java(self, main_class: str, *args: str) -> list[str]:
        return [
            "java",
            f"-Xmx{self.heap}",
            "-Xms128m",
            *KAFKA_GC_OPTIONS,
            "-Djava.awt.headless=true",
            f"-Dlog4j.configuration=file:{self.config_file.parent / 'log4j.properties'}",
            f"-Dkafka.logs.dir={self.log_dir}",
            "-cp",
            f"{self.jars_dir}/*",
            main_class,
            *args,
        ]

    def format_storage(self) -> None:
        """Format KRaft storage once; a formatted data dir is left as it is."""
        if (self.data_dir / "meta.properties").exists():
            return
        cluster_id = new_cluster_id()
        users = self.security.scram_format_args() if self.security is not None else []
        cmd = self._java(
            "kafka.tools.StorageTool",
            "format",
            "-t",
            cluster_id,
            "-c",
            str(self.config_file),
            *users,
        )
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise LocalKafkaError(
                f"storage format failed: {result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def running_pid(self) -> int | None:
        """The pid of the broker this launcher started, if it is still running."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return None
        # A recycled pid belongs to somebody else: only our own config file proves it is ours.
        return pid if str(self.config_file) in cmdline else None

    def start(self, timeout_s: float = 90.0) -> float:
        """Start the broker (fetching jars and formatting storage if needed); wait until it
        answers; return the seconds the start took. Starting a running broker is a no-op."""
        began = time.monotonic()
        if self.running_pid() is not None:
            return 0.0
        if _port_in_use(self.port) or _port_in_use(self.controller_port):
            raise LocalKafkaError(
                f"port {self.port} or {self.controller_port} is taken by another process; "
                "set NEWSWIRE_KAFKA_PORT / NEWSWIRE_KAFKA_CONTROLLER_PORT"
            )
        self.ensure_jars()
        self.write_config()
        self.format_storage()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        out = (self.log_dir / "stdout.log").open("ab")
        try:
            proc = subprocess.Popen(
                self._java("kafka.Kafka", str(self.config_file)),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            out.close()
        self.pid_file.write_text(str(proc.pid))
        _STARTED_HERE[proc.pid] = proc
        deadline = began + timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalKafkaError(
                    f"broker exited with {proc.returncode}; see {self.log_dir / 'server.log'}"
                )
            if _broker_answers(self.bootstrap, self.admin_settings()):
                return time.monotonic() - began
            time.sleep(0.25)
        self.stop()
        raise LocalKafkaError(f"broker did not answer within {timeout_s:.0f}s")

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the broker this launcher started; True if one was running."""
        pid = self.running_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.running_pid() is not None:
            if _reap(pid):
                break
            time.sleep(0.2)
        if self.running_pid() is not None:
            os.kill(pid, signal.SIGKILL)
            _reap(pid)
        child = _STARTED_HERE.pop(pid, None)
        if child is not None:
            # A dying JVM's /proc cmdline empties before it exits, so running_pid() can say
            # "gone" early: wait for the real exit (a no-op if it was reaped above).
            try:
                child.wait(timeout_s)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self.pid_file.unlink(missing_ok=True)
        return True

    def admin_settings(self) -> Settings | None:
        """Settings of the secured broker's super user; None in PLAINTEXT mode."""
        return self.security.admin_settings(self.bootstrap) if self.security else None

    def status(self) -> str:
        """A one-line human status: running with pid and address, or stopped."""
        pid = self.running_pid()
        if pid is None:
            return "stopped"
        state = "ready" if _broker_answers(self.bootstrap, self.admin_settings()) else "starting"
        return f"running pid={pid} bootstrap={self.bootstrap} {state}"


def new_cluster_id() -> str:
    """A KRaft cluster id: a random UUID in URL-safe base64. One that starts with '-' would
    be read as an option by the storage tool, so those are drawn again."""
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def _reap(pid: int) -> bool:
    """Collect a child that exited (so it stops being a zombie); True once it is gone."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return not Path(f"/proc/{pid}").exists()
    return done == pid


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _broker_answers(bootstrap: str, admin: Settings | None = None) -> bool:
    """True when a Kafka client (PLAINTEXT, or as `admin` when given) gets cluster metadata
    from `bootstrap`."""
    host, _, port = bootstrap.rpartition(":")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if sock.connect_ex((host, int(port))) != 0:
            return False  # nothing listens yet: no need to ask a Kafka client
    from newswire.admin import broker_ready  # noqa: PLC0415 - keeps the launcher importable without aiokafka

    return broker_ready(admin or bootstrap, timeout_s=2.0)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def throwaway_broker(home: Path) -> Iterator[str]:
    """A broker of its own under `home`, on free loopback ports, for as long as the block
    runs; yields its bootstrap address and stops it afterwards."""
    broker = LocalKafka(home=home, port=free_port(), controller_port=free_port())
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


@contextmanager
def throwaway_secure_broker(home: Path) -> Iterator[LocalKafka]:
    """A secured broker of its own under `home` (see `newswire.kafka_local.secure`), on free
    loopback ports, for as long as the block runs; yields it (its `security` has the CA and
    the users' passwords) and stops it afterwards."""
    from newswire.kafka_local.secure import LocalSecurity  # noqa: PLC0415 - needs `cryptography`

    security = LocalSecurity.create(home / "security", ssl_port=free_port())
    broker = LocalKafka(home=home, port=free_port(), controller_port=free_port(), security=security)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
