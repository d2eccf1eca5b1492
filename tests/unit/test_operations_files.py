"""The operator-facing deploy files are valid and agree with the code: compose (checked by
docker-compose itself), Prometheus config and alert rules (promtool, with rule unit tests),
the Grafana dashboard and the Kubernetes manifests."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from newswire.observability.metrics import IngestMetrics, PipelineMetrics
from tests.support.tools import require_tool

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"


SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def metric_names() -> set[str]:
    """Every series name newswire's registries can expose (labelled families included)."""
    pipeline = PipelineMetrics()
    pipeline.watch_lag(lambda: ({}, {}))
    names = set()
    for registry in (pipeline.registry, IngestMetrics.create().registry):
        for family in registry.collect():
            names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


# --- compose -----------------------------------------------------------------------


def test_docker_compose_accepts_the_compose_file() -> None:
    result = subprocess.run(
        [require_tool("docker-compose"), "config", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_compose_runs_prometheus_and_grafana_on_the_deploy_files() -> None:
    services = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
    mounts = " ".join(services["prometheus"]["volumes"] + services["grafana"]["volumes"])
    for path in ("prometheus.yml", "alerts.yml", "grafana/provisioning", "grafana/dashboards"):
        assert path in mounts
    for mount in services["prometheus"]["volumes"] + services["grafana"]["volumes"]:
        assert (REPO / mount.split(":")[0]).exists(), mount
    scraped = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    targets = {
        t for job in scraped["scrape_configs"] for c in job["static_configs"] for t in c["targets"]
    }
    assert targets == {"worker:6066", "ingest:8080"}
    assert "NEWSWIRE_WEB_HOST=0.0.0.0" in (DEPLOY / "Dockerfile").read_text()


# --- Prometheus --------------------------------------------------------------------


def test_prometheus_config_and_rules_pass_promtool(tmp_path: Path) -> None:
    promtool = require_tool("promtool")
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    # The compose path of the rules file, pointed at the repository's copy.
    config["rule_files"] = [str(DEPLOY / "prometheus" / "alerts.yml")]
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config))
    for args in (
        ["check", "config", str(local)],
        ["check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")],
        ["test", "rules", str(DEPLOY / "prometheus" / "alerts_test.yml")],
    ):
        result = subprocess.run([promtool, *args], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_alerts_cover_lag_dead_letters_and_silence_with_metrics_that_exist() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    alerts = {r["alert"]: r for g in rules["groups"] for r in g["rules"]}
    assert {"NewswireConsumerLagGrowing", "NewswireDeadLettersRising", "NewswireNoOutput"} <= set(
        alerts
    )
    known = metric_names() | {"up"}
    for alert in alerts.values():
        used = set(re.findall(r"\b(newswire_[a-z_]+|up)\b", alert["expr"]))
        assert used <= known, (alert["alert"], used - known)


# --- Grafana -----------------------------------------------------------------------


def test_the_dashboard_queries_only_metrics_newswire_exports() -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "newswire.json").read_text())
    known = metric_names() | {"up"}
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    assert len(exprs) >= 10
    used = {name for e in exprs for name in re.findall(r"\b(newswire_[a-z_]+)\b", e)}
    assert used <= known, used - known
    for needed in (
        "newswire_consumer_lag",
        "newswire_end_to_end_seconds_bucket",
        "newswire_events_out_total",
    ):
        assert needed in used
    datasource = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )["datasources"][0]
    assert {p["datasource"]["uid"] for p in dashboard["panels"]} == {datasource["uid"]}


# --- Kubernetes --------------------------------------------------------------------


def manifests() -> list[dict[str, Any]]:
    docs = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def test_every_manifest_has_the_required_fields_and_labels() -> None:
    for doc in manifests():
        assert {"apiVersion", "kind", "metadata"} <= set(doc), doc
        assert doc["metadata"]["labels"]["app.kubernetes.io/part-of"] == "newswire"
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] == "newswire"
    listed = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())["resources"]
    on_disk = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(listed) == on_disk


def test_workloads_have_probes_resources_and_matching_selectors() -> None:
    deployments = by_kind("Deployment")
    assert {"newswire-worker", "newswire-ingest"} <= set(deployments)
    for name, deployment in deployments.items():
        template = deployment["spec"]["template"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= template["metadata"]["labels"].items(), name
        for container in template["spec"]["containers"]:
            ports = {p["name"] for p in container["ports"]}
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
            assert container["readinessProbe"]["httpGet"]["port"] in ports
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), name
    services = by_kind("Service")
    for service in services.values():
        target = service["spec"]["selector"]
        assert any(
            target.items() <= d["spec"]["template"]["metadata"]["labels"].items()
            for d in deployments.values()
        )
    job = by_kind("Job")["newswire-topic-init"]
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["topics", "create"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] in {"OnFailure", "Never"}


def test_the_routes_in_the_configmap_load() -> None:
    from newswire.routing.routes import RouteTable

    config = by_kind("ConfigMap")["newswire-config"]["data"]
    routes = RouteTable.model_validate(yaml.safe_load(config["routes.yaml"])).routes
    assert routes[0].topic == "news.region.levant"
    assert config["NEWSWIRE_ROUTES_FILE"].endswith("routes.yaml")
