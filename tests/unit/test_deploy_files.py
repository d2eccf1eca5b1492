"""docker-compose.yml and the Kafka deploy files hang together."""

from __future__ import annotations

from pathlib import Path

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


def test_the_configuration_reference_matches_the_settings() -> None:
    from newswire.config import settings_markdown

    assert settings_markdown() in (REPO / "docs" / "configuration.md").read_text()
