"""OAUTHBEARER access tokens for Kafka, read from a file or a command and refreshed before
they expire."""

from __future__ import annotations

import asyncio
import base64
import binascii
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import orjson
from aiokafka.abc import AbstractTokenProvider

# Refresh this long before `exp`, so a token is never presented in its last seconds.
EXPIRY_MARGIN_S = 60.0


class TokenSourceError(RuntimeError):
    """The configured token file or command gave no usable token."""


def token_expiry(token: str) -> float | None:
    """The `exp` claim (epoch seconds) of a JWT, or None when the token carries none or is
    not a JWT. The signature is not checked: the broker does that."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    return float(exp) if isinstance(exp, int | float) else None


def read_token_file(path: Path) -> str:
    """The token stored in `path`, stripped of surrounding whitespace."""
    try:
        token = path.read_text().strip()
    except OSError as exc:
        raise TokenSourceError(
            f"cannot read the OAUTHBEARER token file {path}: {exc.strerror}"
        ) from None
    if not token:
        raise TokenSourceError(f"the OAUTHBEARER token file {path} is empty")
    return token


def run_token_command(command: str, timeout_s: float = 30.0) -> str:
    """The token a command prints on stdout (run without a shell)."""
    argv = shlex.split(command)
    try:
        done = subprocess.run(  # noqa: S603 - the operator's own configured command
            argv, capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise TokenSourceError(f"the OAUTHBEARER token command {argv[0]!r} failed: {exc}") from None
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        # stderr is not quoted: a failing token helper may print credentials there.
        raise TokenSourceError(
            f"the OAUTHBEARER token command {argv[0]!r} exited {done.returncode} "
            f"with {'no token' if not token else 'an error'}"
        )
    return token


class RefreshingTokenProvider(AbstractTokenProvider):  # type: ignore[misc]
    """Hands aiokafka the current token, fetching a new one once the cached token is within
    a minute of its `exp` (or older than `max_age_s` when it has none)."""

    def __init__(self, fetch: Callable[[], str], max_age_s: float) -> None:
        self._fetch = fetch
        self._max_age_s = max_age_s
        self._token: str | None = None
        self._renew_at = 0.0
        self._lock = asyncio.Lock()

    async def token(self) -> str:
        """A token that is not about to expire."""
        async with self._lock:
            if self._token is None or time.time() >= self._renew_at:
                token = await asyncio.to_thread(self._fetch)
                expiry = token_expiry(token)
                now = time.time()
                if expiry is not None and expiry <= now:
                    # The broker would refuse it, and aiokafka cannot tell that refusal from
                    # a dropped connection: say so here, where the cause is known.
                    raise TokenSourceError(
                        f"the OAUTHBEARER token expired {now - expiry:.0f}s ago; whatever "
                        "refreshes the token file (or command) is not doing so"
                    )
                self._renew_at = (
                    max(now, expiry - EXPIRY_MARGIN_S)
                    if expiry is not None
                    else now + self._max_age_s
                )
                self._token = token
            return self._token

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"  # never the token
