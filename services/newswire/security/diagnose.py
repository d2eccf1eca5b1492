"""Kafka connection and authorisation failures, explained in one sentence for the person
running newswire: what was refused and which setting to look at.

aiokafka reports every failed bootstrap as "Unable to bootstrap from [...]"; the reason
(refused password, untrusted certificate, wrong protocol) only reaches its log. So on such a
failure one more connection is made to the first broker, by hand, to learn the reason."""

from __future__ import annotations

import asyncio
import ssl

from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    NodeNotReadyError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
    TransactionalIdAuthorizationFailed,
)
from pydantic import ValidationError

from newswire.config import Settings
from newswire.connection import KafkaConfigError, client_options
from newswire.security.oauth import TokenSourceError
from newswire.security.tokens import TokenConfigError


class KafkaAccessError(RuntimeError):
    """newswire could not reach or use the cluster; the message says why and what to check."""


# What each authorisation refusal was about.
_REFUSED: dict[type[KafkaError], str] = {
    GroupAuthorizationFailedError: "its consumer group",
    TransactionalIdAuthorizationFailed: "its transactional id",
    # An idempotent producer asks for a producer id, which needs Write on some topic.
    ClusterAuthorizationFailedError: "that cluster operation (a producer needs Write on a topic)",
}


def explain(exc: BaseException, settings: Settings) -> str:
    """One sentence for a Kafka failure: refused credentials, untrusted certificate,
    protocol mismatch, missing ACL, or an unreachable broker."""
    who = _principal(settings)
    if isinstance(exc, KafkaConfigError | TokenSourceError):
        return str(exc)
    if isinstance(exc, TopicAuthorizationFailedError):
        topics = ", ".join(str(a) for a in exc.args) or "a topic"
        return f"{who} is not allowed to use topic {topics} (no ACL grants it)"
    for kind, what in _REFUSED.items():
        if isinstance(exc, kind):
            return f"{who} is not allowed to use {what} (no ACL grants it)"
    if isinstance(exc, SaslAuthenticationFailed):
        return _refused_credentials(settings)
    if isinstance(exc, KafkaConnectionError | NodeNotReadyError) and _no_loop():
        return asyncio.run(diagnose_connection(settings))
    return _unreachable(settings, type(exc).__name__)


async def diagnose_connection(settings: Settings, timeout_s: float = 10.0) -> str:  # noqa: PLR0911 - one answer per kind of failure
    """Why a connection to the first bootstrap server fails, found by making one."""
    from aiokafka.conn import create_conn  # noqa: PLC0415
    from aiokafka.protocol.metadata import MetadataRequest  # noqa: PLC0415

    host, _, port = settings.kafka_bootstrap.split(",")[0].strip().rpartition(":")
    try:
        options = client_options(settings)
    except KafkaConfigError as exc:
        return str(exc)
    options.pop("bootstrap_servers")
    try:
        conn = await asyncio.wait_for(
            create_conn(host, int(port), request_timeout_ms=int(timeout_s * 1000), **options),
            timeout_s,
        )
    except ssl.SSLCertVerificationError as exc:
        return (
            f"the TLS certificate of {host}:{port} is not trusted ({exc.verify_message}): set "
            "NEWSWIRE_KAFKA_SSL_CAFILE to the CA that signed the brokers' certificates"
        )
    except SaslAuthenticationFailed:
        return _refused_credentials(settings)
    except TokenSourceError as exc:
        return str(exc)
    except ssl.SSLError:
        return (
            f"TLS handshake with {host}:{port} failed: the listener may not speak TLS, or it "
            "requires a client certificate (NEWSWIRE_KAFKA_SSL_CERTFILE / _KEYFILE)"
        )
    except (OSError, TimeoutError, KafkaError) as exc:
        if settings.kafka_security_protocol in {"PLAINTEXT", "SASL_PLAINTEXT"} and (
            await _speaks_tls(host, int(port))
        ):
            return (
                f"{host}:{port} is a TLS listener but NEWSWIRE_KAFKA_SECURITY_PROTOCOL is "
                f"{settings.kafka_security_protocol}: use SSL or SASL_SSL"
            )
        if settings.kafka_security_protocol == "SSL" and await _speaks_tls(host, int(port)):
            # With TLS 1.3 a missing or unknown client certificate shows up as the broker
            # closing the connection after the handshake.
            return (
                f"{host}:{port} closed the connection after the TLS handshake: the listener "
                "requires a client certificate it trusts (NEWSWIRE_KAFKA_SSL_CERTFILE / _KEYFILE)"
            )
        return _unreachable(settings, type(exc).__name__)
    try:
        await conn.send(MetadataRequest([]))
    except (OSError, KafkaError):
        if settings.kafka_sasl_mechanism == "OAUTHBEARER":
            return _refused_credentials(settings)
    finally:
        conn.close()
    return _unreachable(settings)


async def _speaks_tls(host: str, port: int) -> bool:
    """Whether `host:port` completes a TLS handshake (certificate not checked)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context), timeout=5.0
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def _principal(settings: Settings) -> str:
    if settings.kafka_sasl_mechanism in {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}:
        return f"Kafka user {settings.kafka_sasl_username!r}"
    if settings.kafka_security_protocol == "SSL" and settings.kafka_ssl_certfile:
        return f"the client certificate {settings.kafka_ssl_certfile.name}"
    return "this client's Kafka principal"


def _refused_credentials(settings: Settings) -> str:
    return (
        f"Kafka refused the credentials of {_principal(settings)} "
        f"({settings.kafka_sasl_mechanism}): check NEWSWIRE_KAFKA_SASL_USERNAME and the "
        "password, or the token's expiry and subject"
    )


_UNREACHABLE = "cannot connect to Kafka at"


def _unreachable(settings: Settings, detail: str = "") -> str:
    why = f" ({detail})" if detail else ""
    return (
        f"{_UNREACHABLE} {settings.kafka_bootstrap} with "
        f"{settings.kafka_security_protocol}{why}: is the broker running and the protocol right?"
    )


def _no_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def explain_security(exc: BaseException) -> str | None:
    """The sentence for a failure that security explains (refused credentials, untrusted
    certificate, protocol mismatch, missing ACL, bad token or tokens file), or None to let
    the general explanation speak (e.g. a broker that is simply not there)."""
    if isinstance(exc, TokenConfigError | TokenSourceError | KafkaConfigError):
        return str(exc)
    if not isinstance(exc, KafkaError):
        return None
    from newswire.config import get_settings  # noqa: PLC0415

    try:
        settings = get_settings()
    except ValidationError:
        return None
    message = explain(exc, settings)
    return None if message.startswith(_UNREACHABLE) else message


async def check_connection(settings: Settings, timeout_s: float = 15.0) -> None:
    """Connect and authenticate to the cluster once, raising aiokafka's error if refused:
    a long-running process checks this first, so bad credentials end it at start instead
    of feeding a retry loop."""
    from aiokafka.admin import AIOKafkaAdminClient  # noqa: PLC0415

    client = AIOKafkaAdminClient(
        **client_options(settings), request_timeout_ms=int(timeout_s * 1000)
    )
    try:
        await client.start()
        await client.describe_cluster()
    finally:
        await client.close()
