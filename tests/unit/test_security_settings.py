"""The security settings and the client options they become, without a broker."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, ValidationError

from newswire.config import Settings
from newswire.connection import client_options, faust_app_options
from newswire.ingest.auth import TokenBucket
from newswire.kafka_local.secure import unsecured_jws
from newswire.redact import LogScrubber, scrub, validation_reason
from newswire.security.acls import Operation, Principals, newswire_acls
from newswire.security.oauth import RefreshingTokenProvider, TokenSourceError, token_expiry

SCRAM = {
    "kafka_security_protocol": "SASL_SSL",
    "kafka_sasl_mechanism": "SCRAM-SHA-512",
    "kafka_sasl_username": "worker",
    "kafka_sasl_password": "pw-1f9e",
}


def settings(**values: Any) -> Settings:
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


def test_plaintext_is_the_default_and_passes_only_the_address() -> None:
    options = client_options(settings(bootstrap_servers="127.0.0.1:1"))
    assert options == {"bootstrap_servers": "127.0.0.1:1", "security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"kafka_security_protocol": "SASL_SSL"}, "NEWSWIRE_KAFKA_SASL_MECHANISM is required"),
        ({**SCRAM, "kafka_sasl_username": None}, "needs NEWSWIRE_KAFKA_SASL_USERNAME"),
        ({**SCRAM, "kafka_sasl_password": ""}, "set but empty"),
        ({**SCRAM, "kafka_sasl_password_file": "/x"}, "exactly one of"),
        (
            {"kafka_security_protocol": "SASL_SSL", "kafka_sasl_mechanism": "OAUTHBEARER"},
            "OAUTHBEARER needs",
        ),
        ({"kafka_ssl_certfile": "/c.pem"}, "needs both"),
        ({"topic_replication_factor": 1, "topic_min_insync_replicas": 2}, "cannot exceed"),
    ],
)
def test_inconsistent_security_settings_are_refused_without_quoting_them(
    values: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        settings(**values)
    assert complaint in str(caught.value)
    assert "pw-1f9e" not in str(caught.value)


def test_blank_variables_mean_unset() -> None:
    assert settings(kafka_ssl_cafile="", ingest_tokens_file=" ").kafka_ssl_cafile is None


def test_scram_over_tls_gives_credentials_and_a_verifying_context(tmp_path: Path) -> None:
    password_file = tmp_path / "password"
    password_file.write_text("from-file-5c2a\n")
    chosen = settings(
        **{**SCRAM, "kafka_sasl_password": None, "kafka_sasl_password_file": password_file}
    )
    options = client_options(chosen)
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == "worker"
    assert options["sasl_plain_password"] == "from-file-5c2a"  # noqa: S105
    context = options["ssl_context"]
    assert isinstance(context, ssl.SSLContext)
    assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED


@pytest.mark.parametrize(
    "values",
    [
        SCRAM,
        {"kafka_security_protocol": "SSL"},
        {
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_mechanism": "OAUTHBEARER",
            "kafka_oauth_token_command": "echo token",
        },
    ],
)
def test_faust_gets_the_same_connection_as_every_other_client(values: dict[str, Any]) -> None:
    from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

    chosen = settings(**values)
    mine = client_options(chosen)
    theirs = credentials_to_aiokafka_auth(faust_app_options(chosen)["broker_credentials"])
    for key in (
        "security_protocol",
        "sasl_mechanism",
        "sasl_plain_username",
        "sasl_plain_password",
    ):
        assert theirs.get(key) == mine.get(key), key
    assert isinstance(theirs["ssl_context"], ssl.SSLContext)


def test_the_config_command_masks_secrets() -> None:
    env = {"NEWSWIRE_KAFKA_SASL_PASSWORD": "pw-1f9e", "NEWSWIRE_INGEST_TOKEN": "tok-88a1"}
    env |= {
        "NEWSWIRE_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
        "NEWSWIRE_KAFKA_SASL_MECHANISM": "PLAIN",
    }
    env |= {"NEWSWIRE_KAFKA_SASL_USERNAME": "u", "PATH": "/usr/bin:/bin"}
    shown = subprocess.run(
        [sys.executable, "-m", "newswire", "config"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "NEWSWIRE_KAFKA_SASL_PASSWORD=**********" in shown
    assert "pw-1f9e" not in shown and "tok-88a1" not in shown


def test_a_token_is_refreshed_before_it_expires_and_an_expired_one_refused() -> None:
    served = [unsecured_jws("ingest", 30), unsecured_jws("ingest", 3600)]
    provider = RefreshingTokenProvider(lambda: served.pop(0), max_age_s=300)

    async def twice() -> tuple[str, str]:
        return await provider.token(), await provider.token()

    first, second = asyncio.run(twice())
    # 30 s of life is inside the one-minute margin: the second call fetched a new token.
    assert first != second and not served
    assert (token_expiry(second) or 0) > time.time() + 3000
    expired = RefreshingTokenProvider(lambda: unsecured_jws("ingest", -5), max_age_s=300)
    with pytest.raises(TokenSourceError, match="expired"):
        asyncio.run(expired.token())
    assert "ingest" not in repr(provider) and "." not in repr(provider).strip("<>")


def test_validation_reasons_and_log_lines_never_carry_the_value() -> None:
    class Article(BaseModel):
        title: str = Field(max_length=5)

    article_text = "the article body must not be logged"
    with pytest.raises(ValidationError) as caught:
        Article(title=article_text)
    assert validation_reason(caught.value) == (
        "title: String should have at most 5 characters [string_too_long]"
    )
    assert article_text not in scrub(str(caught.value))
    event = LogScrubber(["hunter22"])(
        None,
        "error",
        {"event": f"send failed value=b'{article_text}' auth hunter22", "raw": b"x" * 10},
    )
    assert article_text not in event["event"] and "hunter22" not in event["event"]
    assert event["raw"] == "<10 bytes>"


def test_each_role_gets_only_what_it_needs() -> None:
    rules = newswire_acls(settings(topic_prefix="p.", app_id="app"))
    who = Principals()

    def ops(principal: str, topic: str) -> set[Operation]:
        return {r.operation for r in rules if r.principal == principal and r.name == topic}

    assert ops(who.ingest, "p.news.articles.raw") == {Operation.WRITE}
    assert ops(who.subscriber, "p.news.articles.raw") == set()
    assert ops(who.subscriber, "p.news.articles.enriched") == {Operation.READ}
    assert ops(who.subscriber, "p.news.internal.cleaned") == set()
    assert ops(who.operator, "p.news.articles.deadletter") >= {Operation.READ}
    assert not [r for r in rules if r.principal == who.subscriber and r.name.startswith("app")]


def test_a_token_bucket_allows_the_burst_then_says_how_long_to_wait() -> None:
    bucket = TokenBucket(rate=2.0, burst=2)
    assert [bucket.take(now=100.0) for _ in range(2)] == [0.0, 0.0]
    assert bucket.take(now=100.0) == pytest.approx(0.5)
    assert bucket.take(now=100.5) == 0.0
