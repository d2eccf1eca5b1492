"""`./dev` explains itself: help prints a usage text, an unknown command fails with exit 2;
the broker configs never create topics on the fly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(REPO / "dev"), *args], capture_output=True, text=True, timeout=30, check=False
    )


def test_help_prints_the_usage() -> None:
    for args in ((), ("help",), ("--help",)):
        done = dev(*args)
        assert done.returncode == 0
        assert done.stdout.startswith("usage: ./dev COMMAND")
        assert "set -euo" not in done.stdout and "#" not in done.stdout


def test_an_unknown_command_exits_2_with_the_usage() -> None:
    done = dev("bogus")
    assert done.returncode == 2
    assert "unknown command 'bogus'" in done.stderr and "usage: ./dev" in done.stderr


def test_neither_broker_config_creates_topics_on_the_fly() -> None:
    properties = (REPO / "deploy" / "kafka" / "server.properties").read_text().splitlines()
    assert "auto.create.topics.enable=false" in properties
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    kafka_env = compose["services"]["kafka"]["environment"]
    assert str(kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]).lower() == "false"
