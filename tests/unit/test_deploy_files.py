"""docker-compose.yml and the Kafka deploy files hang together."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose() -> dict[str, object]:
    data = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


def test_compose_runs_kafka_in_kraft_mode_from_the_official_image() -> None:
    kafka = _compose()["services"]["kafka"]  # type: ignore[index]
    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "healthcheck" in kafka


def test_compose_wires_services_to_the_broker_in_order() -> None:
    services = _compose()["services"]  # type: ignore[index]
    for name in ("topic-init", "worker", "producer", "ingest"):
        service = services[name]
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert service["environment"]["NEWSWIRE_BOOTSTRAP_SERVERS"] == "kafka:19092"
    assert services["topic-init"]["depends_on"]["kafka"]["condition"] == "service_healthy"
    for name in ("worker", "producer", "ingest"):
        assert (
            services[name]["depends_on"]["topic-init"]["condition"]
            == "service_completed_successfully"
        )
    assert services["topic-init"]["command"] == ["topics", "create"]
    assert services["producer"]["command"] == ["produce", "/app/seeds"]
    advertised = services["kafka"]["environment"]["KAFKA_ADVERTISED_LISTENERS"]
    assert "kafka:19092" in advertised


def test_dockerfile_exists_and_runs_newswire() -> None:
    text = (REPO / "deploy" / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["newswire"]' in text


def test_kafka_pom_pins_a_39_release_with_a_logging_binding() -> None:
    pom = (REPO / "deploy" / "kafka" / "pom.xml").read_text()
    assert "<artifactId>kafka_2.13</artifactId>" in pom
    assert "<kafka.version>3.9." in pom
    assert "slf4j-reload4j" in pom
    props = (REPO / "deploy" / "kafka" / "server.properties").read_text()
    assert "process.roles=broker,controller" in props
    assert "group.initial.rebalance.delay.ms=0" in props


def test_cluster_ids_never_look_like_options() -> None:
    from newswire.kafka_local.launcher import new_cluster_id

    ids = [new_cluster_id() for _ in range(2000)]
    assert all(len(i) == 22 and not i.startswith("-") for i in ids)


def test_storage_is_formatted_with_an_id_the_tool_cannot_take_for_an_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import uuid

    from newswire.kafka_local import launcher

    # The first UUID drawn encodes to an id starting with "-" (0xf8 -> "-" in URL-safe
    # base64); the broker's storage tool would read it as an option and fail.
    drawn = iter([uuid.UUID(bytes=b"\xf8" + b"\x00" * 15), uuid.UUID(int=1)])
    monkeypatch.setattr(launcher.uuid, "uuid4", lambda: next(drawn))
    commands: list[list[str]] = []

    def run(cmd: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        commands.append(cmd)
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(launcher.subprocess, "run", run)
    launcher.LocalKafka(home=tmp_path).format_storage()
    [cmd] = commands
    cluster_id = cmd[cmd.index("-t") + 1]
    assert len(cluster_id) == 22 and not cluster_id.startswith("-")


def test_the_configuration_reference_matches_the_settings() -> None:
    from newswire.config import settings_markdown

    assert settings_markdown() in (REPO / "docs" / "configuration.md").read_text()
