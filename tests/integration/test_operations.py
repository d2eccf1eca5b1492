"""Operating a real worker: Prometheus (Debian's server) scrapes it while articles flow;
counters and lag are read back through Prometheus' HTTP API; the JSON logs carry the ids;
/readyz turns true only when the worker is ready; routes copy Syrian stories to the
levant topic and leave an Australian one out."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson
import pytest

from newswire.admin import ensure_topics
from newswire.client import Client
from newswire.config import Settings
from newswire.demo import start_worker, stop_worker
from newswire.ingest.files import article_from_text
from newswire.kafka_local.launcher import free_port
from newswire.models import EnrichedArticle
from newswire.subscribe.reader import Received, read_until
from newswire.topics import DEADLETTER, DUPLICATES, ENRICHED, RAW, topic_name
from tests.support.schemas import validator
from tests.support.settings import fresh_settings
from tests.support.tools import require_tool
from tests.support.worker import wait_ready

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

AUSTRALIA = (
    "Canberra: Australian Prime Minister Anthony Albanese said on Tuesday that the federal "
    "government would spend more on roads and rail in New South Wales and Queensland. "
    "Speaking in Sydney, Albanese told reporters that the Reserve Bank of Australia had been "
    "consulted. Opposition leaders in Melbourne called the plan too small for a growing "
    "country, and Australian farmers asked for more help after the drought."
)
LEVANT = "news.region.levant"


@dataclass
class Scenario:
    settings: Settings
    log: Path
    prometheus: str
    readyz_seen: list[int]
    ids: dict[str, str]
    enriched: list[Received]
    duplicates: list[Received]
    letters: list[Received]
    levant: list[Received]


def start_prometheus(target: str, home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = home / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        "scrape_configs:\n"
        "  - job_name: newswire-worker\n"
        f"    static_configs: [{{targets: ['{target}']}}]\n"
    )
    log = (home / "prometheus.log").open("wb")
    proc = subprocess.Popen(
        [
            require_tool("prometheus"),
            f"--config.file={config}",
            f"--storage.tsdb.path={home / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    return proc, f"http://127.0.0.1:{port}"


def query(prometheus: str, promql: str) -> list[dict[str, object]]:
    response = httpx.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=5)
    response.raise_for_status()
    body = response.json()
    assert body["status"] == "success"
    return list(body["data"]["result"])


def value(prometheus: str, promql: str) -> float | None:
    result = query(prometheus, promql)
    return float(result[0]["value"][1]) if result else None  # type: ignore[index]


def wait_for(prometheus: str, promql: str, expected: float, timeout_s: float = 60) -> float:
    deadline = time.monotonic() + timeout_s
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = value(prometheus, promql)
        except httpx.HTTPError:
            seen = None
        if seen == expected:
            return seen
        time.sleep(0.5)
    raise AssertionError(f"{promql} = {seen}, expected {expected}")


@pytest.fixture(scope="module")
def scenario(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    home = tmp_path_factory.mktemp("operations")
    routes = home / "routes.yaml"
    routes.write_text(f"routes:\n  - topic: {LEVANT}\n    countries: [SY, LB, JO, IL, PS]\n")
    settings = fresh_settings(kafka_bootstrap, home / "worker", routes_file=routes)
    asyncio.run(ensure_topics(settings))
    seeds = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
    articles = {p.stem: article_from_text(p.name, p.read_text(), source="seed") for p in seeds}
    articles["australia"] = article_from_text("australia.txt", AUSTRALIA, source="test")
    copy = articles[seeds[0].stem].model_copy(
        update={"id": "syndicated-copy", "url": "https://other.example/copy"}
    )

    log = home / "worker.log"
    worker = start_worker(settings, log)
    prometheus, prometheus_url = start_prometheus(f"127.0.0.1:{settings.web_port}", home)
    try:
        readyz_seen = poll_readyz(settings, worker)
        wait_ready(settings, worker, log)

        def read(name: str, count: int, timeout_s: float = 90) -> list[Received]:
            return asyncio.run(
                read_until(settings.kafka_bootstrap, name, count, timeout_s=timeout_s)
            )

        with Client(settings) as client:
            ids = dict(zip(articles, client.publish_many(articles.values()), strict=True))
            # Articles on different raw partitions reach dedup in no set order, so the
            # copy goes in once its original has come out: which is the original is then
            # a fact of the test, not a race.
            enriched = read(topic_name(settings, ENRICHED), len(articles))
            client.publish(copy)
        producer_raw = topic_name(settings, RAW)
        subprocess_free_bad_input(settings, producer_raw)
        duplicates = read(topic_name(settings, DUPLICATES), 1)
        letters = read(topic_name(settings, DEADLETTER), 1)
        levant = read(topic_name(settings, LEVANT), len(articles), timeout_s=5)
        yield Scenario(
            settings, log, prometheus_url, readyz_seen, ids, enriched, duplicates, letters, levant
        )
    finally:
        prometheus.terminate()
        prometheus.wait(30)
        stop_worker(worker)


def poll_readyz(settings: Settings, worker: subprocess.Popen[bytes]) -> list[int]:
    """Statuses of /readyz from the moment the worker starts until it first says ready."""
    seen: list[int] = []
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and worker.poll() is None:
        try:
            response = httpx.get(f"http://{settings.web_host}:{settings.web_port}/readyz")
        except httpx.HTTPError:
            time.sleep(0.02)
            continue
        seen.append(response.status_code)
        if response.status_code == 200:
            break
        assert response.json()["ready"] is False
        assert not all(response.json()["checks"].values())
        time.sleep(0.02)
    return seen


def subprocess_free_bad_input(settings: Settings, raw_topic: str) -> None:
    from aiokafka import AIOKafkaProducer

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
        await producer.start()
        try:
            await producer.send_and_wait(raw_topic, b"not json at all", key=b"broken")
        finally:
            await producer.stop()

    asyncio.run(send())


def test_readyz_is_false_until_the_worker_is_ready(scenario: Scenario) -> None:
    assert scenario.readyz_seen[-1] == 200
    # Models load off the event loop, so the web port answers before the worker is ready.
    assert 503 in scenario.readyz_seen


def test_routes_copy_syrian_stories_to_the_levant_topic_and_not_others(
    scenario: Scenario,
) -> None:
    routed = {m.key.decode() for m in scenario.levant if m.key}
    enriched = {
        e.id: e for e in (EnrichedArticle.model_validate_json(m.value) for m in scenario.enriched)
    }
    about_syria = {i for i, e in enriched.items() if "SY" in {c.code for c in e.countries}}
    assert about_syria, "the seeds are about Syria"
    assert routed == about_syria
    assert scenario.ids["australia"] not in routed
    assert enriched[scenario.ids["australia"]].primary_country == "AU"
    for message in scenario.levant:
        validator("EnrichedArticle").validate(orjson.loads(message.value))


def test_prometheus_reads_the_counters_and_lag_of_a_running_worker(scenario: Scenario) -> None:
    prom = scenario.prometheus
    n = len(scenario.ids)
    wait_for(prom, 'sum(newswire_events_out_total{stage="story", outcome="enriched"})', n)
    wait_for(prom, 'sum(newswire_events_out_total{stage="dedup", outcome="duplicate"})', 1)
    wait_for(prom, 'sum(newswire_events_out_total{outcome="dead_letter"})', 1)
    wait_for(prom, 'sum(newswire_events_in_total{stage="prepare"})', n + 2)
    routed = len(scenario.levant)
    wait_for(prom, 'sum(newswire_events_out_total{stage="story", outcome="routed"})', routed)
    ratio = value(prom, "newswire_duplicate_ratio")
    assert ratio == pytest.approx(1 / (n + 1))
    assert value(prom, "newswire_end_to_end_seconds_count") == n
    assert value(prom, "newswire_model_load_seconds") > 0  # type: ignore[operator]
    # The worker collects once before freezing what it loaded: at least one full pass.
    assert value(prom, 'newswire_gc_pause_seconds_count{generation="2"}') >= 1  # type: ignore[operator]
    assert query(prom, 'newswire_build_info{component="worker"}')
    assert query(prom, "faust_messages_received_total")  # faust's own sensors, same page
    raw = topic_name(scenario.settings, RAW)
    lag = query(prom, f'newswire_consumer_lag{{topic="{raw}"}}')
    assert lag, "lag is reported per partition of the raw topic"
    assert all(series["metric"]["partition"].isdigit() for series in lag)  # type: ignore[index]
    wait_for(prom, f'sum(newswire_consumer_lag{{topic="{raw}"}})', 0)


def test_json_logs_parse_and_carry_the_ids(scenario: Scenario) -> None:
    # Every line is one JSON object.
    lines = scenario.log.read_text().splitlines()
    records = [orjson.loads(line) for line in lines if line.strip()]
    enriched = [r for r in records if r.get("event") == "article.enriched"]
    assert {r["article_id"] for r in enriched} == set(scenario.ids.values())
    for record in enriched:
        assert {"time", "level", "logger", "topic", "partition", "offset", "trace_id"} <= set(
            record
        )
        assert len(record["trace_id"]) == 32
    [dead] = [r for r in records if r.get("event") == "article.dead_lettered"]
    assert dead["level"] == "warning" and dead["article_id"] == "broken"
    assert "JSON" in dead["reason"]
    assert any(r.get("logger", "").startswith(("faust", "mode", "aiokafka")) for r in records)


def test_every_event_read_back_validates_against_the_published_schemas(
    scenario: Scenario,
) -> None:
    for message in scenario.enriched:
        validator("EnrichedArticle").validate(orjson.loads(message.value))
    [notice] = scenario.duplicates
    validator("DuplicateNotice").validate(orjson.loads(notice.value))
    assert orjson.loads(notice.value)["original_id"] == next(iter(scenario.ids.values()))
    [letter] = scenario.letters
    validator("DeadLetter").validate(orjson.loads(letter.value))
