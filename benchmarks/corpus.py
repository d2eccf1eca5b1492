"""The benchmark corpus: the seeds and ../shared/eval/lee.cor (falls back to seeds alone)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def raw_articles() -> list[str]:
    """Raw article texts: five seeds plus the 50 lee.cor documents when available."""
    docs = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    lee = REPO.parent / "shared" / "eval" / "lee.cor"
    if lee.exists():
        docs += [line for line in lee.read_text(encoding="latin-1").split("\n") if line.strip()]
    return docs
