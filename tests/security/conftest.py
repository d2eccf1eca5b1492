"""A secured broker for the whole session (SASL_SSL, mTLS, ACLs), and per test a fresh set
of topics with newswire's ACLs and settings for each principal."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from newswire.admin import ensure_topics
from newswire.config import Settings
from newswire.kafka_local.launcher import LocalKafka, throwaway_secure_broker
from newswire.kafka_local.secure import LocalSecurity, apply_acls
from newswire.security.acls import newswire_acls
from tests.support.settings import fresh_settings


@pytest.fixture(scope="session")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalKafka]:
    """A broker whose only client listeners are SASL_SSL and SSL with client certificates,
    with the StandardAuthorizer (nothing allowed without an ACL)."""
    with throwaway_secure_broker(tmp_path_factory.mktemp("secure-kafka")) as broker:
        yield broker


@dataclass(frozen=True)
class SecureCluster:
    """Fresh topics on the secured broker, with newswire's ACLs for their names."""

    broker: LocalKafka
    base: Settings

    @property
    def security(self) -> LocalSecurity:
        assert self.broker.security is not None
        return self.broker.security

    def settings(self, overrides: dict[str, Any]) -> Settings:
        """The test's settings, connecting as `overrides` say."""
        return Settings(**{**self.base.model_dump(), **overrides}, _env_file=None)  # type: ignore[call-arg]

    def scram(self, user: str, mechanism: str = "SCRAM-SHA-512") -> Settings:
        """Settings of `user` authenticating with SCRAM over SASL_SSL."""
        return self.settings(self.security.scram_settings(user, self.broker.bootstrap, mechanism))

    def mtls(self, user: str) -> Settings:
        """Settings of `user` authenticating with its client certificate."""
        return self.settings(self.security.mtls_settings(user))

    def oauth(self, user: str) -> Settings:
        """Settings of `user` authenticating with an unsecured-JWS OAUTHBEARER token."""
        return self.settings(self.security.oauth_settings(user, self.broker.bootstrap))

    def admin(self) -> Settings:
        return self.scram("admin")

    def cli(
        self, settings: Settings, *args: str, timeout_s: float = 120.0
    ) -> subprocess.CompletedProcess[str]:
        """Run `newswire *args` configured by `settings` only (through the environment);
        the timeout is a hang guard, not a measurement."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSWIRE_", "KAFKA_"))}
        env.update(settings_env(settings))
        return subprocess.run(
            [sys.executable, "-m", "newswire", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )


def settings_env(settings: Settings) -> dict[str, str]:
    """`settings` as NEWSWIRE_ variables, secrets included (for a child process)."""
    env = {}
    for name, value in settings.model_dump(exclude_none=True).items():
        plain = value.get_secret_value() if hasattr(value, "get_secret_value") else value
        env[f"NEWSWIRE_{name.upper()}"] = str(plain)
    return env


@pytest.fixture
def cluster(
    secure_broker: LocalKafka, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> SecureCluster:
    """Fresh topic names and group on the secured broker, topics created and ACLs granted."""
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    base = fresh_settings(secure_broker.bootstrap, tmp_path / "worker")
    found = SecureCluster(secure_broker, base)
    admin = found.admin()
    asyncio.run(ensure_topics(admin))
    asyncio.run(apply_acls(admin, newswire_acls(admin)))
    return found


def canary() -> str:
    """A unique phrase to plant in article text and look for in logs."""
    return f"canary phrase {uuid.uuid4().hex} that must never be logged"
