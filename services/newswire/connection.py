"""How every Kafka client reaches the cluster: one place for addresses and security.

Every aiokafka producer, consumer and admin client, and the faust app, is built from these
options, so a client added anywhere is born with the cluster's security settings.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

from newswire.config import Settings
from newswire.security.oauth import RefreshingTokenProvider, read_token_file, run_token_command
from newswire.security.tls import kafka_ssl_context

# What tools and tests may pass where a Kafka connection is wanted: full settings, or a
# bare bootstrap address meaning "PLAINTEXT, no authentication" (a local broker).
KafkaTarget = Settings | str


class KafkaConfigError(ValueError):
    """The Kafka security settings cannot be turned into a working client configuration."""


def client_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments that every aiokafka client (AIOKafkaProducer, AIOKafkaConsumer,
    AIOKafkaAdminClient) takes to reach the configured cluster: the bootstrap servers, the
    security protocol, and the TLS context and SASL credentials it calls for."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_uses_tls:
        options["ssl_context"] = ssl_context(settings)
    mechanism = settings.kafka_sasl_mechanism
    if settings.kafka_security_protocol.startswith("SASL_") and mechanism is not None:
        options["sasl_mechanism"] = mechanism
        if mechanism == "OAUTHBEARER":
            options["sasl_oauth_token_provider"] = token_provider(settings)
        else:
            options["sasl_plain_username"] = settings.kafka_sasl_username
            options["sasl_plain_password"] = sasl_password(settings)
    return options


def faust_app_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments of `faust.App` that reach the same cluster as `client_options`:
    the broker list and, when the cluster is secured, `broker_credentials`."""
    import faust  # noqa: PLC0415 - tools that never run a worker need not import faust

    brokers = [
        f"kafka://{host.strip()}" for host in settings.kafka_bootstrap.split(",") if host.strip()
    ]
    options: dict[str, Any] = {"broker": brokers}
    protocol = settings.kafka_security_protocol
    context = ssl_context(settings) if settings.kafka_uses_tls else None
    if protocol == "SSL":
        options["broker_credentials"] = faust.SSLCredentials(context)
    elif protocol.startswith("SASL_"):
        if settings.kafka_sasl_mechanism == "OAUTHBEARER":
            options["broker_credentials"] = faust.OAuthCredentials(
                oauth_cb=token_provider(settings), ssl_context=context
            )
        else:
            options["broker_credentials"] = faust.SASLCredentials(
                username=settings.kafka_sasl_username,
                password=sasl_password(settings),
                ssl_context=context,
                mechanism=settings.kafka_sasl_mechanism,
            )
    return options


def target_options(target: KafkaTarget) -> dict[str, Any]:
    """`client_options` of settings, or the options of a bare (PLAINTEXT) bootstrap address."""
    if isinstance(target, str):
        return {"bootstrap_servers": target}
    return client_options(target)


def ssl_context(settings: Settings) -> ssl.SSLContext:
    """The TLS context of the configured CA, client certificate and hostname check."""
    try:
        return kafka_ssl_context(
            settings.kafka_ssl_cafile,
            settings.kafka_ssl_certfile,
            settings.kafka_ssl_keyfile,
            settings.kafka_ssl_key_password,
            check_hostname=settings.kafka_ssl_check_hostname,
        )
    except (OSError, ssl.SSLError) as exc:
        raise KafkaConfigError(
            "cannot load the Kafka TLS files (NEWSWIRE_KAFKA_SSL_CAFILE / _CERTFILE / "
            f"_KEYFILE): {getattr(exc, 'strerror', None) or exc.__class__.__name__}"
        ) from None


def sasl_password(settings: Settings) -> str:
    """The SASL password, from the setting or the file it names."""
    if settings.kafka_sasl_password is not None:
        return settings.kafka_sasl_password.get_secret_value()
    if settings.kafka_sasl_password_file is None:
        raise KafkaConfigError("no SASL password configured")
    return _secret_file(settings.kafka_sasl_password_file, "NEWSWIRE_KAFKA_SASL_PASSWORD_FILE")


def token_provider(settings: Settings) -> RefreshingTokenProvider:
    """The OAUTHBEARER token provider for the configured token file or command."""
    file, command = settings.kafka_oauth_token_file, settings.kafka_oauth_token_command
    if file is not None:
        return RefreshingTokenProvider(
            lambda: read_token_file(file), settings.kafka_oauth_refresh_s
        )
    if command is not None:
        return RefreshingTokenProvider(
            lambda: run_token_command(command), settings.kafka_oauth_refresh_s
        )
    raise KafkaConfigError("OAUTHBEARER needs a token file or a token command")


def _secret_file(path: Path, variable: str) -> str:
    try:
        value = path.read_text().strip()
    except OSError as exc:
        raise KafkaConfigError(f"cannot read {variable} ({path}): {exc.strerror}") from None
    if not value:
        raise KafkaConfigError(f"{variable} ({path}) is empty")
    return value
