"""Regenerate tests/data/dedup_pairs.jsonl from the seeds and ../shared/eval/lee.cor.

.venv/bin/python benchmarks/make_dedup_pairs.py
"""

from __future__ import annotations

from pathlib import Path

import orjson

from newswire.dedup.dataset import build_pairs

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    docs = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*.txt"))]
    lee = REPO.parent / "shared" / "eval" / "lee.cor"
    docs += [line for line in lee.read_text(encoding="latin-1").split("\n") if line.strip()]
    pairs = build_pairs(docs)
    out = REPO / "tests" / "data" / "dedup_pairs.jsonl"
    out.write_bytes(
        b"".join(
            orjson.dumps({"a": p.a, "b": p.b, "duplicate": p.duplicate, "how": p.how}) + b"\n"
            for p in pairs
        )
    )
    print(f"wrote {len(pairs)} pairs ({sum(p.duplicate for p in pairs)} duplicates) to {out}")


if __name__ == "__main__":
    main()
