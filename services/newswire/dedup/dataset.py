"""Builds labelled near-duplicate pairs from real articles with syndication-style edits.

Positives: the same story with another outlet's header and footer, a changed headline,
a dropped or added paragraph, re-wrapped lines, changed punctuation, or two of these.
Negatives: different articles, hard ones first (articles sharing the most names, i.e.
on the same topic). Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_SENTENCE = re.compile(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
OUTLETS = (
    "Global Wire",
    "The Daily Ledger",
    "Morning Herald Online",
    "Reuters-style Newsdesk",
    "Asia Post",
)


@dataclass(frozen=True, slots=True)
class Pair:
    """Two raw texts and whether the second is a copy of the first's story."""

    a: str
    b: str
    duplicate: bool
    how: str


def _units(text: str) -> list[str]:
    """Paragraphs, or sentences when the text is a single paragraph."""
    paragraphs = [p for p in text.split("\n") if p.strip()]
    return (
        paragraphs
        if len(paragraphs) >= 4
        else [s for p in paragraphs for s in _SENTENCE.split(p) if s.strip()]
    )


def wrap_outlet(text: str, rng: random.Random) -> str:
    """Another outlet's header and footer around the same text."""
    outlet = rng.choice(OUTLETS)
    header = f"{outlet}\nSkip to main content\nBy staff reporter | {rng.randint(1, 28)} March"
    footer = f"Share this article\n© 2024 {outlet}. All rights reserved.\nRead more: Markets close higher"
    return f"{header}\n\n{text}\n\n{footer}"


def change_headline(text: str, rng: random.Random) -> str:
    """A different headline, as when an outlet re-titles the wire copy; a text without
    a headline line (a single paragraph) gets one."""
    lines = text.split("\n")
    headline = (
        rng.choice(("UPDATE 2 -", "EXCLUSIVE:", "Analysis:")) + " " + " ".join(lines[0].split()[:6])
    )
    if len(lines) > 1 and len(lines[0]) <= 200:
        lines[0] = headline
        return "\n".join(lines)
    return f"{headline}\n{text}"


def drop_unit(text: str, rng: random.Random) -> str:
    """One paragraph (or sentence) fewer."""
    units = _units(text)
    if len(units) < 4:
        return text
    del units[rng.randrange(1, len(units))]
    return "\n".join(units)


def add_unit(text: str, rng: random.Random) -> str:
    """An editor's paragraph added at the end."""
    extra = rng.choice(
        (
            "Additional reporting by our correspondents in the region; editing by the foreign desk.",
            "This story has been updated to include comments from officials who declined to be named.",
            "Officials did not immediately respond to a request for comment on Tuesday evening.",
        )
    )
    return f"{text}\n{extra}"


def rewrap(text: str, rng: random.Random) -> str:
    """Hard-wrapped at a random width, as plain-text feeds do."""
    width = rng.randint(60, 80)
    out, line = [], ""
    for word in text.split():
        if len(line) + len(word) + 1 > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    return "\n".join(out)


def repunctuate(text: str, rng: random.Random) -> str:
    """Straight quotes for curly ones, hyphens for dashes, doubled spaces."""
    table = str.maketrans({"“": '"', "”": '"', "’": "'", "‘": "'", "—": "-", "–": "-"})
    return (
        text.translate(table)
        .replace(". ", ".  ")
        .replace(", ", " , " if rng.random() < 0.3 else ", ")
    )


EDITS: dict[str, Callable[[str, random.Random], str]] = {
    "outlet": wrap_outlet,
    "headline": change_headline,
    "drop": drop_unit,
    "add": add_unit,
    "rewrap": rewrap,
    "punctuation": repunctuate,
}


def positives(docs: list[str], rng: random.Random, per_doc: int = 4) -> Iterator[Pair]:
    """Syndicated copies of each document: single edits and pairs of edits."""
    names = list(EDITS)
    for doc in docs:
        for _ in range(per_doc):
            chosen = rng.sample(names, k=rng.choice((1, 2)))
            copy = doc
            for name in chosen:
                copy = EDITS[name](copy, rng)
            yield Pair(doc, copy, True, "+".join(chosen))


def negatives(docs: list[str], rng: random.Random, hard: int, easy: int) -> Iterator[Pair]:
    """Pairs of different articles: the `hard` most topically similar, then `easy` random."""
    names = [set(_NAME.findall(d)) for d in docs]
    scored = sorted(
        (
            (len(names[i] & names[j]) / (len(names[i] | names[j]) or 1), i, j)
            for i in range(len(docs))
            for j in range(i + 1, len(docs))
        ),
        reverse=True,
    )
    taken = set()
    for _, i, j in scored[:hard]:
        taken.add((i, j))
        yield Pair(
            docs[i],
            wrap_outlet(docs[j], rng) if rng.random() < 0.5 else docs[j],
            False,
            "same-topic",
        )
    while easy > 0:
        i, j = sorted(rng.sample(range(len(docs)), 2))
        if (i, j) in taken:
            continue
        taken.add((i, j))
        easy -= 1
        yield Pair(docs[i], docs[j], False, "different")


def build_pairs(docs: list[str], seed: int = 7) -> list[Pair]:
    """The labelled set: positives for every document, hard and easy negatives."""
    rng = random.Random(seed)
    pairs = list(positives(docs, rng))
    pairs += negatives(docs, rng, hard=len(pairs) // 2, easy=len(pairs) // 2)
    return pairs
