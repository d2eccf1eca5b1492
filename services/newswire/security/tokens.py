"""Named bearer tokens for HTTP ingest, from `NEWSWIRE_INGEST_TOKEN` and a tokens file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from newswire.config import Settings

DEFAULT_NAME = "default"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


class TokenConfigError(ValueError):
    """The ingest token configuration is unusable (empty token, bad name, duplicate)."""


@dataclass(frozen=True, slots=True)
class NamedToken:
    """A bearer token and the name logs and metrics show instead of it."""

    name: str
    token: str

    def __repr__(self) -> str:
        return f"NamedToken(name={self.name!r})"  # never the token


def parse_tokens(text: str, source: str = "tokens file") -> list[NamedToken]:
    """The tokens of a tokens file: one `name: token` a line, blank lines and `#` comments
    ignored. Every problem names the line, never the token."""
    tokens: list[NamedToken] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, token = line.partition(":")
        name, token = name.strip(), token.strip()
        if not sep or not _NAME.match(name):
            raise TokenConfigError(
                f"{source} line {number}: expected 'name: token' with a name of letters, "
                "digits, '.', '_' or '-'"
            )
        if not token:
            raise TokenConfigError(f"{source} line {number}: token {name!r} is empty")
        tokens.append(NamedToken(name, token))
    return tokens


def ingest_tokens(settings: Settings) -> list[NamedToken]:
    """Every configured ingest token: `ingest_token` (named 'default') and the tokens file.
    Names and tokens must be unique."""
    tokens: list[NamedToken] = []
    if settings.ingest_token is not None:
        tokens.append(NamedToken(DEFAULT_NAME, settings.ingest_token.get_secret_value()))
    if settings.ingest_tokens_file is not None:
        path = settings.ingest_tokens_file
        try:
            text = path.read_text()
        except OSError as exc:
            raise TokenConfigError(
                f"cannot read NEWSWIRE_INGEST_TOKENS_FILE ({path}): {exc.strerror}"
            ) from None
        tokens += parse_tokens(text, str(path))
        if not tokens:
            raise TokenConfigError(f"NEWSWIRE_INGEST_TOKENS_FILE ({path}) holds no token")
    names = [t.name for t in tokens]
    if len(set(names)) != len(names):
        raise TokenConfigError("ingest token names must be unique")
    if len({t.token for t in tokens}) != len(tokens):
        raise TokenConfigError("two ingest tokens are the same; each caller needs its own")
    return tokens
