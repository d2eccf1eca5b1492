"""Long texts cut into pieces the NER model accepts, at paragraph or sentence ends."""

from __future__ import annotations

# Where to cut, best first: a paragraph break, a line break, a sentence end, any space.
_BREAKS = ("\n\n", "\n", ". ", "? ", "! ", " ")


def split_for_ner(text: str, limit: int) -> list[tuple[int, str]]:
    """`text` as (offset, piece) pairs, each piece at most `limit` characters, cut at the
    last paragraph break before the limit, else line break, sentence end or space (a word
    longer than the limit is cut where it must be). Joined in order, the pieces are
    `text`; a span at `i` in a piece is at `offset + i` in `text`."""
    if limit <= 0:
        raise ValueError("limit must be positive")
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = next(
            (i + len(b) for b in _BREAKS if (i := window.rfind(b)) > 0),
            limit,
        )
        pieces.append((start, text[start : start + cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces
