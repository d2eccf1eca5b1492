"""Keeping article text and secrets out of logs and error reasons.

Two layers: reasons newswire writes itself name the field and the rule, never the value
(`validation_reason`); and every log line, including faust's and aiokafka's messages and
exception text, passes `scrub`, which removes known secrets, pydantic's quoted input and any
long quoted literal (a message value) before it is rendered."""

from __future__ import annotations

import re
from collections.abc import Iterable, MutableMapping
from typing import Any

from pydantic import ValidationError

REDACTED = "[redacted]"
# Quoted literals longer than this are payloads (article text, message values), not names.
LONG_LITERAL = 120
# pydantic's rendering of a ValidationError quotes the input: "input_value='...', input_type=".
_INPUT_VALUE = re.compile(r"input_value=.*?(?=, input_type=|\]$|$)", re.MULTILINE | re.DOTALL)
# A keyword whose value is content, as repr() of records and messages show it.
_CONTENT_FIELD = re.compile(
    r"\b(value|text|body|title|summary|original|payload)=(b?)(['\"])(?:\\.|(?!\3).)*\3", re.DOTALL
)
_LONG_QUOTED = re.compile(rf"(b?)(['\"])(?:\\.|(?!\2).){{{LONG_LITERAL},}}?\2", re.DOTALL)


def validation_reason(exc: ValidationError, limit: int = 10) -> str:
    """Each bad field of `exc` with the rule it broke ('body.title: String should have at
    most 500 characters [string_too_long]'), never the offending value."""
    parts = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False)[:limit]:
        where = ".".join(str(p) for p in err["loc"]) or "(document)"
        parts.append(f"{where}: {err['msg']} [{err['type']}]")
    more = exc.error_count() - limit
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` without the given secrets, pydantic's quoted inputs, content fields and long
    quoted literals."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _INPUT_VALUE.sub(f"input_value={REDACTED}", text)
    text = _CONTENT_FIELD.sub(lambda m: f"{m.group(1)}={REDACTED}", text)
    return _LONG_QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}{m.group(2)}", text)


class LogScrubber:
    """A structlog processor applying `scrub` to every string of a log event (the message,
    fields and the formatted exception), so nothing reaches the renderer unscrubbed."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret containing another is removed whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(
        self, logger: Any, method: str, event: MutableMapping[str, Any]
    ) -> MutableMapping[str, Any]:
        """structlog's processor protocol."""
        for key, value in event.items():
            if isinstance(value, str):
                event[key] = scrub(value, self._secrets)
            elif isinstance(value, bytes):
                event[key] = f"<{len(value)} bytes>"
        return event
