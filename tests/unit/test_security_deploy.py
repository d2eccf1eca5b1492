"""The deploy files are secured by default: nothing open that the code would close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
K8S = REPO / "deploy" / "k8s"


def _docs() -> list[dict[str, Any]]:
    return [d for p in sorted(K8S.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]


def test_compose_publishes_ports_on_localhost_only() -> None:
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    published = [port for s in services.values() for port in s.get("ports", [])]
    assert published and all(str(port).startswith("127.0.0.1:") for port in published)
    ingest = services["ingest"]["environment"]
    assert ingest["NEWSWIRE_INGEST_TOKEN"] is None, "passed through only when set, never ''"


def test_kubernetes_talks_sasl_ssl_with_production_durability() -> None:
    config = next(d for d in _docs() if d["kind"] == "ConfigMap")["data"]
    assert config["NEWSWIRE_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["NEWSWIRE_TOPIC_REPLICATION_FACTOR"] == "3"
    assert config["NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS"] == "2"


def test_every_workload_requires_its_secrets_and_runs_locked_down() -> None:
    workloads = [d for d in _docs() if d["kind"] in {"Deployment", "Job"}]
    assert len(workloads) == 3
    for workload in workloads:
        spec = workload["spec"]["template"]["spec"]
        text = yaml.safe_dump(spec)
        assert "optional: true" not in text, workload["metadata"]["name"]
        assert spec["automountServiceAccountToken"] is False
        secrets = [
            source["secret"]["name"]
            for volume in spec["volumes"]
            for source in volume.get("projected", {}).get("sources", [])
        ]
        assert "newswire-kafka-ca" in secrets
        for container in spec["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            names = {e["name"] for e in container.get("env", [])}
            assert "NEWSWIRE_KAFKA_SASL_USERNAME" in names
    ingest = next(w for w in workloads if w["metadata"]["name"] == "newswire-ingest")
    volumes = ingest["spec"]["template"]["spec"]["volumes"]
    assert {"secretName": "newswire-ingest", "items": [{"key": "tokens", "path": "tokens"}]} in [
        v.get("secret") for v in volumes
    ]


def test_network_policies_deny_by_default_and_open_only_the_needed_ports() -> None:
    policies = {d["metadata"]["name"]: d["spec"] for d in _docs() if d["kind"] == "NetworkPolicy"}
    deny = policies["newswire-default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    opened = {
        port["port"]
        for spec in policies.values()
        for rule in spec.get("ingress", [])
        for port in rule["ports"]
    }
    assert opened == {8080, 6066}


def test_the_security_guide_shows_every_setting_and_the_current_acls() -> None:
    from newswire.config import Settings
    from newswire.security.acls import kafka_acls_commands
    from newswire.security.settings import (
        IngestSecuritySettings,
        KafkaSecuritySettings,
        TopicDurabilitySettings,
    )

    guide = (REPO / "docs" / "security.md").read_text()
    for model in (KafkaSecuritySettings, IngestSecuritySettings, TopicDurabilitySettings):
        for name in model.model_fields:
            assert f"`NEWSWIRE_{name.upper()}`" in guide, name
    defaults = Settings(_env_file=None, topic_prefix="", app_id="newswire")  # type: ignore[call-arg]
    missing = [c for c in kafka_acls_commands(defaults) if c not in guide]
    assert not missing, f"docs/security.md is behind newswire_acls: {missing[:2]}"
