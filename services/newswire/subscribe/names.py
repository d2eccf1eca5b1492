"""How subscribers' names meet the tagger's: one normalisation and one set of alias rules for
`tail` filters and routes alike (pure functions, no I/O).

Organisations match when, after folding case, punctuation and a leading "the":
- the names are equal ("U.N." and "UN");
- one is the other's acronym, in whole or in part ("UN" and "United Nations";
  "UN Security Council" and "United Nations Security Council");
- the event names a body of the wanted organisation: its name starts with the wanted one,
  in full or as an acronym ("United Nations Security Council" and "UN Security Council"
  are both found under "United Nations" and under "UN").
People match when the names are equal, or one side is a single word that is the other's
given name or surname ("Mamlouk" and "Ali Mamlouk"), ignoring titles and "al-"/"el-"."""

from __future__ import annotations

import re
from functools import lru_cache

# Words an acronym skips ("Organisation of the Petroleum Exporting Countries" -> OPEC).
_SKIPPED = frozenset({"of", "and", "the", "for", "in", "on", "de", "des", "du", "la", "le", "al"})
_PUNCT = re.compile(r"[^\w\s-]")
_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_TITLES = re.compile(
    r"^(?:(?:president|prime minister|minister|gen|general|maj|major|col|colonel|lt|"
    r"sheikh|sir|dr|mr|mrs|ms|king|queen|prince|sen|senator|rep|gov|governor)\.?\s+)+",
    re.IGNORECASE,
)


@lru_cache(maxsize=4096)
def fold_name(name: str) -> str:
    """`name` as compared: dotted acronyms joined ("U.N." -> "un"), case and punctuation
    folded, a leading "the" dropped, single-spaced."""
    name = _DOTTED_ACRONYM.sub(lambda m: m.group(0).replace(".", ""), name)
    name = _PUNCT.sub(" ", name.replace("\u2019", "'").replace("'", "")).casefold()
    words = name.replace("-", " - ").split()
    text = " ".join(words).replace(" - ", "-")
    return text.removeprefix("the ")


def _tokens(folded: str) -> list[str]:
    return folded.replace("-", " ").split()


def _initials(tokens: list[str]) -> str:
    return "".join(t[0] for t in tokens if t not in _SKIPPED)


def _covers(short: list[str], long_: list[str]) -> int | None:
    """How many leading tokens of `long_` the tokens of `short` spell, each short token
    being the same word or the acronym of a run of long words; None when they do not."""
    if not short:
        return 0
    head, rest = short[0], short[1:]
    candidates = [1] if long_ and long_[0] == head else []
    # An acronym of two or more letters standing for a run of (significant) words.
    if len(head) >= 2:
        candidates.extend(
            end
            for end in range(2, len(long_) + 1)
            if _initials(long_[:end]) == head and long_[end - 1] not in _SKIPPED
        )
    for used in candidates:
        covered = _covers(rest, long_[used:])
        if covered is not None:
            return used + covered
    return None


def _spells(a: list[str], b: list[str], *, whole: bool) -> bool:
    covered = _covers(a, b)
    return covered is not None and (not whole or covered == len(b))


@lru_cache(maxsize=65536)
def org_matches(wanted: str, named: str) -> bool:
    """Whether an event's organisation `named` is (or belongs to) the `wanted` one."""
    w, n = _tokens(fold_name(wanted)), _tokens(fold_name(named))
    if not w or not n:
        return False
    # The wanted name (words or acronyms) spells the named one or its leading words.
    if _covers(w, n) is not None:
        return True
    # The named one's leading words (words or acronyms) spell the whole wanted name.
    return any(_spells(n[:k], w, whole=True) for k in range(1, len(n) + 1))


def fold_person(name: str) -> list[str]:
    """A person's name as tokens: titles, case, punctuation and "al-"/"el-" prefixes folded."""
    tokens = fold_name(_TITLES.sub("", name.strip())).replace("-", " ").split()
    return [t for t in tokens if t not in {"al", "el"}]


@lru_cache(maxsize=65536)
def person_matches(wanted: str, named: str) -> bool:
    """Whether an event's person `named` is the `wanted` one."""
    w, n = fold_person(wanted), fold_person(named)
    if not w or not n:
        return False
    if w == n:
        return True
    if len(w) == 1:
        return w[0] in n
    if len(n) == 1:
        return n[0] in (w[0], w[-1])
    return False
