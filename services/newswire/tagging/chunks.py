"""Long texts cut into pieces the NER model accepts, at paragraph or sentence ends."""

from __future__ import annotations

import re
from typing import NamedTuple

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


# A sentence ends at . ! or ? (closing quotes or brackets may follow) before white space.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")
_PARAGRAPH = re.compile(r"\n\s*\n|\n")
# Words that open a sentence with a capital only because they open it. A sentence whose
# sole capitalised word is one of these (or none at all) names nobody: English news
# writes the names, organisations, places and nationalities that NER tags capitalised.
_OPENER_WORDS = """a about above after again against all also although an and another any are as at
    back be because been before being below between both but by can could did do does
    during each either even every few for from further had has have having he her here
    hers herself him himself his how however if in into is it its itself just last later
    less many may meanwhile more most much must my neither never next no nor not now of
    off on once one only or other others our ours out over own perhaps same several she
    should since so some still such than that the their theirs them then there these they
    this those though through thus to today tomorrow too two under until up upon very was
    we were what when where whether which while who whom whose why will with within
    without would yesterday yet you your"""
_OPENERS = frozenset(_OPENER_WORDS.split())
# Words of a dropped sentence read beside a kept one: en_core_web_sm's token vectors see
# four tokens either side, its NER a couple more.
CONTEXT_WORDS = 6
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def can_name_something(sentence: str) -> bool:
    """Whether `sentence` may hold a name NER would tag: some word after the first carries
    a capital letter (the pronoun I aside), or the first word does and is not a common
    sentence opener ("The", "But", "He"), or it is written in a script without capitals.
    Errs on the side of True."""
    words = _WORD.findall(sentence)
    if not words:
        return False
    if any(not (c.isupper() or c.islower()) for word in words for c in word if c.isalpha()):
        return True  # a script without capitals (Arabic, Chinese, ...): no cue to go by
    first, rest = words[0], words[1:]
    if any(c.isupper() for c in first) and first.casefold() not in _OPENERS:
        return True
    return any(
        any(c.isupper() for c in word) and word != "I" and not word.startswith(("I'", "I’"))
        for word in rest
    )


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, cut after . ! or ? (and any closing quote
    or bracket) where white space follows; the white space belongs to the sentence before
    it, so the sentences tile the text."""
    bounds, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        bounds.append((start, match.end()))
        start = match.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


class Piece(NamedTuple):
    """A part of a text for the model to read: `text` starts at `offset` in the whole
    text; only spans between `keep_start` and `keep_end` (offsets in `text`) count, the
    rest is context, there so that the model sees the words around what it tags."""

    offset: int
    text: str
    keep_start: int
    keep_end: int


def entity_pieces(text: str, context_words: int = CONTEXT_WORDS) -> list[Piece]:
    """The parts of `text` NER needs to read: each paragraph (or line) on its own, without
    the sentences that cannot name anything (`can_name_something`). Runs of kept sentences
    stay together; a short dropped sentence between two kept ones is kept too; each piece
    carries up to `context_words` words of the dropped sentence before and after it as
    context, so the model reads what it tags as it would in the whole text (its window
    is a few words wide). Text the model would find nothing in (all lower case, numbers,
    punctuation) yields no piece at all."""
    pieces: list[Piece] = []
    start = 0
    for cut in [*_PARAGRAPH.finditer(text), None]:
        end = cut.start() if cut else len(text)
        pieces += _paragraph_pieces(text, start, end, context_words)
        start = cut.end() if cut else len(text)
    return pieces


def _paragraph_pieces(text: str, start: int, end: int, context_words: int) -> list[Piece]:
    bounds = [(start + s, start + e) for s, e in sentences(text[start:end])]
    keep = [can_name_something(text[s:e]) for s, e in bounds]
    for i in range(1, len(bounds) - 1):
        s, e = bounds[i]
        if not keep[i] and keep[i - 1] and keep[i + 1] and _words(text, s, e) <= 2 * context_words:
            keep[i] = True  # cheaper read whole than twice as context
    pieces: list[Piece] = []
    i = 0
    while i < len(bounds):
        if not keep[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(bounds) and keep[j + 1]:
            j += 1
        core_start, core_end = _strip(text, bounds[i][0], bounds[j][1])
        lead = core_start
        if i > 0 and context_words:
            lead = _last_words_start(text, *bounds[i - 1], context_words)
        trail = core_end
        if j + 1 < len(bounds) and context_words:
            trail = _first_words_end(text, *bounds[j + 1], context_words)
        if core_end > core_start:
            pieces.append(Piece(lead, text[lead:trail], core_start - lead, core_end - lead))
        i = j + 1
    return pieces


_TOKEN = re.compile(r"\S+")


def _words(text: str, start: int, end: int) -> int:
    return sum(1 for _ in _TOKEN.finditer(text, start, end))


def _last_words_start(text: str, start: int, end: int, count: int) -> int:
    tokens = list(_TOKEN.finditer(text, start, end))
    return tokens[-count].start() if len(tokens) >= count else start


def _first_words_end(text: str, start: int, end: int, count: int) -> int:
    tokens = list(_TOKEN.finditer(text, start, end))
    return tokens[:count][-1].end() if tokens else start


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) moved inwards past white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
