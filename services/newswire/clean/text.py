"""Unicode and whitespace normalisation of article text."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_INLINE_SPACE = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_unicode(text: str) -> str:
    """NFC-normalised text without zero-width characters, soft hyphens or control characters;
    every kind of line break becomes '\\n'. Curly quotes and dashes are kept as written."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n")
    )
    return _CONTROL.sub("", text)


def normalise_line(line: str) -> str:
    """One line with runs of spaces, tabs and no-break spaces folded to a single space."""
    return _INLINE_SPACE.sub(" ", line).strip()


def paragraphs(text: str) -> list[str]:
    """The non-empty, whitespace-normalised lines of `text`, in order."""
    return [p for p in (normalise_line(line) for line in normalise_unicode(text).split("\n")) if p]
