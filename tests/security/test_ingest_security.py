"""HTTP ingest's locks: tokens (named, from a file; empty ones refused at configuration),
a per-token rate limit, and one access-log line per request with no body or secret in any
line. Through a real `newswire ingest` process and the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import orjson
import pytest
from pydantic import SecretStr, ValidationError

from newswire.config import Settings
from newswire.ingest.http import create_ingest_app
from newswire.kafka_local.launcher import free_port
from newswire.security.tokens import TokenConfigError, parse_tokens
from tests.security.conftest import canary, settings_env

pytestmark = [pytest.mark.kafka, pytest.mark.security]

ALICE, BOB = "alice-token-7f3c9a1e52", "bob-token-0d8e4b6c91"


def article(n: int, body: str = "Plain text of the article.") -> dict[str, object]:
    return {
        "url": f"https://example.com/{n}",
        "source": "example",
        "title": f"Story {n}",
        "body": body,
        "published_at": "2026-11-20T08:00:00+00:00",
    }


@contextmanager
def ingest_process(settings: Settings, log: Path) -> Iterator[str]:
    """`newswire ingest` on a free port, configured by `settings`, stderr to `log`."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}
    env.update(settings_env(settings))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "newswire", "ingest", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(base + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_an_empty_token_is_a_configuration_error() -> None:
    with pytest.raises(ValidationError) as caught:
        Settings(ingest_token="  ", _env_file=None)  # type: ignore[call-arg]  # noqa: S106
    assert "NEWSWIRE_INGEST_TOKEN is set but empty" in str(caught.value)
    with pytest.raises(TokenConfigError, match="line 2: token 'bob' is empty"):
        parse_tokens("alice: a1\nbob:\n")


def test_ingest_refuses_to_start_with_no_token_unless_told(settings: Settings) -> None:
    closed = settings.model_copy(update={"ingest_allow_anonymous": False})
    with pytest.raises(TokenConfigError, match="NEWSWIRE_INGEST_ALLOW_ANONYMOUS"):
        create_ingest_app(closed)
    create_ingest_app(closed.model_copy(update={"ingest_token": SecretStr("x1")}))


def test_named_tokens_rate_limit_and_access_log(topics: Settings, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text(f"# scrapers\nalice: {ALICE}\nbob: {BOB}\n")
    planted = canary()
    settings = topics.model_copy(
        update={
            "ingest_allow_anonymous": False,
            "ingest_tokens_file": tokens,
            "ingest_rate_per_s": 0.01,  # a bucket that does not refill during the test
            "ingest_rate_burst": 3,
        }
    )
    log = tmp_path / "ingest.log"
    with ingest_process(settings, log) as base, httpx.Client(base_url=base, timeout=30) as http:

        def post(token: str | None, body: object) -> httpx.Response:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return http.post("/v1/articles", json=body, headers=headers)

        assert post(None, article(0)).status_code == 401
        assert post("not-a-token", article(0)).status_code == 401
        assert post(ALICE, [article(1, planted), article(2)]).status_code == 202
        assert post(ALICE, {**article(3, planted), "published_at": planted}).status_code == 422
        assert post(ALICE, article(4)).status_code == 202
        limited = post(ALICE, article(5))
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        assert post(BOB, article(6)).status_code == 202, "each token has its own bucket"
        metrics = http.get("/metrics").text

    assert 'newswire_ingest_token_requests_total{caller="alice",outcome="limited"} 1.0' in metrics
    lines = [orjson.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    access = [
        line
        for line in lines
        if line.get("event") == "ingest.access" and line["path"] == "/v1/articles"
    ]
    assert [(a["status"], a["token"]) for a in access] == [
        (401, "-"),
        (401, "-"),
        (202, "alice"),
        (422, "alice"),
        (202, "alice"),
        (429, "alice"),
        (202, "bob"),
    ]
    assert access[2]["articles"] == 2 and access[2]["bytes"] > 0
    assert {"method", "duration_ms"} <= access[2].keys()

    text = log.read_text()
    assert planted not in text
    assert ALICE not in text and BOB not in text
