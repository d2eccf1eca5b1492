"""The TLS context newswire's Kafka clients use."""

from __future__ import annotations

import ssl
from pathlib import Path

from pydantic import SecretStr


def kafka_ssl_context(
    cafile: Path | None,
    certfile: Path | None,
    keyfile: Path | None,
    key_password: SecretStr | None,
    *,
    check_hostname: bool,
) -> ssl.SSLContext:
    """A client TLS context: brokers verified against `cafile` (the system store when None),
    TLS 1.2 at least, and a client certificate when `certfile` is given (mutual TLS)."""
    context = ssl.create_default_context(
        ssl.Purpose.SERVER_AUTH, cafile=str(cafile) if cafile else None
    )
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = check_hostname
    context.verify_mode = ssl.CERT_REQUIRED
    if certfile is not None:
        context.load_cert_chain(
            str(certfile),
            str(keyfile) if keyfile else None,
            key_password.get_secret_value() if key_password else None,
        )
    return context
