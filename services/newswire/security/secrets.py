"""Every secret value the settings lead to, so logs can be scrubbed of them."""

from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from newswire.config import Settings


def known_secrets(settings: Settings) -> list[str]:
    """The configured secret values: SASL password, key password, OAUTHBEARER token and
    ingest tokens, including those held in files (unreadable files are skipped: whoever
    reads them reports that)."""
    from newswire.security.tokens import TokenConfigError, ingest_tokens  # noqa: PLC0415

    found = [
        s.get_secret_value()
        for s in (settings.kafka_sasl_password, settings.kafka_ssl_key_password)
        if s is not None
    ]
    for path in (settings.kafka_sasl_password_file, settings.kafka_oauth_token_file):
        found += _file_value(path)
    with suppress(TokenConfigError):
        found += [t.token for t in ingest_tokens(settings)]
    return [s for s in found if s]


def _file_value(path: Path | None) -> list[str]:
    if path is None:
        return []
    try:
        return [path.read_text().strip()]
    except OSError:
        return []
