"""The security settings, as mixins of `newswire.config.Settings` so every variable stays a
flat `NEWSWIRE_` variable documented in one table.

Secrets are `SecretStr` (masked in `repr`, `newswire config` and logs). Each can instead be
read from a file (`..._FILE`), which is how Kubernetes mounts a Secret; a file is read when a
client is built, so a rotated secret takes effect at the next restart."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SaslMechanism = Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"]
PASSWORD_MECHANISMS = frozenset({"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})


def blank_is_unset(value: object) -> object:
    """None for a blank string (a setting given as empty means "not set"), else `value`."""
    # Compose passes an unset variable as "" (`${VAR:-}`): that means "not configured", not
    # the current directory.
    return None if isinstance(value, str) and not value.strip() else value


def _not_blank(value: SecretStr | None, name: str) -> SecretStr | None:
    if value is not None and not value.get_secret_value().strip():
        raise ValueError(f"{name} is set but empty; unset it or give it a value")
    return value


class KafkaSecuritySettings(BaseSettings):
    """How every client (worker, ingest, tools, Python client) authenticates to Kafka."""

    kafka_security_protocol: SecurityProtocol = Field(
        default="PLAINTEXT",
        description="Kafka security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL. "
        "Production uses SASL_SSL or SSL (mTLS); PLAINTEXT is for a local broker on 127.0.0.1.",
    )
    kafka_sasl_mechanism: SaslMechanism | None = Field(
        default=None,
        description="SASL mechanism when the protocol is SASL_*: PLAIN, SCRAM-SHA-256, "
        "SCRAM-SHA-512 or OAUTHBEARER.",
    )
    kafka_sasl_username: str | None = Field(
        default=None, description="SASL user name (PLAIN and SCRAM)."
    )
    kafka_sasl_password: SecretStr | None = Field(
        default=None, description="SASL password (PLAIN and SCRAM). Secret."
    )
    kafka_sasl_password_file: Path | None = Field(
        default=None,
        description="File holding the SASL password (e.g. a mounted Secret); "
        "instead of NEWSWIRE_KAFKA_SASL_PASSWORD.",
    )
    kafka_oauth_token_file: Path | None = Field(
        default=None,
        description="OAUTHBEARER: file holding the current access token (a JWT), re-read "
        "before the token expires (a sidecar or operator keeps it fresh).",
    )
    kafka_oauth_token_command: str | None = Field(
        default=None,
        description="OAUTHBEARER: command (no shell) printing a fresh access token on stdout; "
        "run again before the token expires.",
    )
    kafka_oauth_refresh_s: float = Field(
        default=300.0,
        description="OAUTHBEARER: longest time a token is reused when it carries no 'exp' claim.",
    )
    kafka_ssl_cafile: Path | None = Field(
        default=None,
        description="PEM file of the CA(s) that signed the brokers' certificates; the system "
        "trust store when unset.",
    )
    kafka_ssl_certfile: Path | None = Field(
        default=None, description="PEM client certificate for mutual TLS (mTLS)."
    )
    kafka_ssl_keyfile: Path | None = Field(
        default=None, description="PEM private key of the client certificate."
    )
    kafka_ssl_key_password: SecretStr | None = Field(
        default=None, description="Password of the client key, if it is encrypted. Secret."
    )
    kafka_ssl_check_hostname: bool = Field(
        default=True,
        description="Verify that the broker's certificate names the host connected to. "
        "Leave on outside throwaway test brokers.",
    )

    @field_validator(
        "kafka_sasl_mechanism",
        "kafka_sasl_username",
        "kafka_sasl_password_file",
        "kafka_oauth_token_file",
        "kafka_oauth_token_command",
        "kafka_ssl_cafile",
        "kafka_ssl_certfile",
        "kafka_ssl_keyfile",
        mode="before",
    )
    @classmethod
    def _unset_when_blank(cls, value: object) -> object:
        return blank_is_unset(value)

    @field_validator("kafka_sasl_password", "kafka_ssl_key_password")
    @classmethod
    def _secret_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        return _not_blank(value, "a Kafka secret")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        uses_sasl = self.kafka_security_protocol.startswith("SASL_")
        mechanism = self.kafka_sasl_mechanism
        if uses_sasl and mechanism is None:
            raise ValueError(
                f"NEWSWIRE_KAFKA_SASL_MECHANISM is required with {self.kafka_security_protocol}"
            )
        if mechanism in PASSWORD_MECHANISMS:
            if not self.kafka_sasl_username:
                raise ValueError(f"SASL {mechanism} needs NEWSWIRE_KAFKA_SASL_USERNAME")
            has_password = self.kafka_sasl_password is not None
            if has_password == (self.kafka_sasl_password_file is not None):
                raise ValueError(
                    f"SASL {mechanism} needs exactly one of NEWSWIRE_KAFKA_SASL_PASSWORD "
                    "and NEWSWIRE_KAFKA_SASL_PASSWORD_FILE"
                )
        if mechanism == "OAUTHBEARER" and (self.kafka_oauth_token_file is None) == (
            self.kafka_oauth_token_command is None
        ):
            raise ValueError(
                "OAUTHBEARER needs exactly one of NEWSWIRE_KAFKA_OAUTH_TOKEN_FILE and "
                "NEWSWIRE_KAFKA_OAUTH_TOKEN_COMMAND"
            )
        if (self.kafka_ssl_certfile is None) != (self.kafka_ssl_keyfile is None):
            raise ValueError(
                "mutual TLS needs both NEWSWIRE_KAFKA_SSL_CERTFILE and NEWSWIRE_KAFKA_SSL_KEYFILE"
            )
        return self

    @property
    def kafka_uses_tls(self) -> bool:
        """Whether connections to Kafka are encrypted."""
        return self.kafka_security_protocol in {"SSL", "SASL_SSL"}


class IngestSecuritySettings(BaseSettings):
    """Who may post to HTTP ingest, how often, and for how long a request may take."""

    ingest_token: SecretStr | None = Field(
        default=None,
        description="One bearer token for HTTP ingest (its name in logs is 'default'). "
        "An empty value is a configuration error. Secret.",
    )
    ingest_tokens_file: Path | None = Field(
        default=None,
        description="File of named ingest tokens, one 'name: token' a line ('#' comments); "
        "the name appears in access logs and metrics, never the token.",
    )
    ingest_allow_anonymous: bool = Field(
        default=False,
        description="Serve HTTP ingest with no authentication (warns at start). Without it, "
        "ingest refuses to start unless a token or token file is configured.",
    )
    ingest_rate_per_s: float = Field(
        default=50.0,
        description="Requests per second each token may make (per ingest process); "
        "0 turns the limit off.",
    )
    ingest_rate_burst: int = Field(
        default=100, description="Requests a token may make at once before the rate applies."
    )
    ingest_request_timeout_s: float = Field(
        default=30.0,
        description="Longest time one HTTP ingest request may take (reading the body and "
        "waiting for the broker); 503 after that.",
    )

    @field_validator("ingest_tokens_file", mode="before")
    @classmethod
    def _file_unset_when_blank(cls, value: object) -> object:
        return blank_is_unset(value)

    @field_validator("ingest_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr | None) -> SecretStr | None:
        return _not_blank(value, "NEWSWIRE_INGEST_TOKEN")


class TopicDurabilitySettings(BaseSettings):
    """How many copies of every topic the cluster keeps (our topics and the changelogs)."""

    topic_replication_factor: int = Field(
        default=1,
        ge=1,
        description="Replicas of every topic newswire creates, changelogs included. "
        "1 suits a single local broker; production: 3.",
    )
    topic_min_insync_replicas: int = Field(
        default=1,
        ge=1,
        description="min.insync.replicas of every topic newswire creates: with acks=all, a "
        "write succeeds only once this many replicas have it. Production: 2.",
    )

    @model_validator(mode="after")
    def _isr_fits(self) -> Self:
        if self.topic_min_insync_replicas > self.topic_replication_factor:
            raise ValueError(
                "NEWSWIRE_TOPIC_MIN_INSYNC_REPLICAS cannot exceed NEWSWIRE_TOPIC_REPLICATION_FACTOR"
            )
        return self
