"""What the NER model reads of a text: long texts cut into pieces it accepts, at paragraph
or sentence ends, and the pieces that can name something (capitalised words with a few
words of context around them)."""

from __future__ import annotations

import re
from bisect import bisect_right
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
# Openers that are also names a sentence may start with ("Next said", "May told MPs",
# "Will Smith", "More's Utopia"): read like any capitalised word.
_NAME_LIKE_OPENERS = frozenset({"may", "will", "next", "more", "most", "still"})
# Words read as context on either side of the words that may name something. The model
# decides on a token from its own vector and the one before it, each built from four
# tokens either side (en_core_web_sm's tok2vec), so five tokens of real text before and
# four after make its decision the one it takes in the whole text; a word is one token or
# more. Measured against reading whole texts: four words changed no span on the dev and
# benchmark texts, three changed labels (docs/performance.md, "What NER reads now").
CONTEXT_WORDS = 5
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def _caseless(word: str) -> bool:
    return any(c.isalpha() and not (c.isupper() or c.islower()) for c in word)


def _capitalised(word: str) -> bool:
    return any(c.isupper() for c in word)


def _pronoun_i(word: str) -> bool:
    return word == "I" or word.startswith(("I'", "I’"))


def _plain_opener(word: str) -> bool:
    """Whether a sentence's capitalised first word is only capitalised because it opens
    the sentence: a common opener, not an acronym ("WHO", "US") nor one that is also a name."""
    folded = word.casefold()
    return (
        folded in _OPENERS
        and folded not in _NAME_LIKE_OPENERS
        and not (len(word) > 1 and word.isupper())
    )


def naming_words(sentence: str) -> list[tuple[int, int]]:
    """(start, end) in `sentence` of each word that may be (part of) a name NER would tag:
    a word after the first that carries a capital letter (the pronoun I aside), the first
    word if it does and is not a common sentence opener ("The", "But", "He"; "Next", "May"
    and acronyms such as "WHO" are read, as they may be names), or every
    word when the sentence is written in a script without capitals (Arabic, Chinese, ...),
    which gives no cue to go by. Errs on the side of more words."""
    words = list(_WORD.finditer(sentence))
    # Letters without case are never ASCII: most English sentences skip the scan.
    if not sentence.isascii() and any(_caseless(w.group()) for w in words):
        return [w.span() for w in words]
    found = []
    for i, match in enumerate(words):
        word = match.group()
        if word.islower() or not _capitalised(word):  # islower: the common case, in C
            continue
        if (i == 0 and _plain_opener(word)) or (i > 0 and _pronoun_i(word)):
            continue
        found.append(match.span())
    return found


def can_name_something(sentence: str) -> bool:
    """Whether `sentence` may hold a name NER would tag: it has a naming word
    (`naming_words`). Errs on the side of True."""
    return bool(naming_words(sentence))


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
    text; only spans that overlap the core between `keep_start` and `keep_end` (offsets in
    `text`) count, the rest is context, there so that the model sees the words around
    what it tags. A span wholly in the context is another piece's, or nobody's."""

    offset: int
    text: str
    keep_start: int
    keep_end: int


def entity_pieces(text: str, context_words: int = CONTEXT_WORDS) -> list[Piece]:
    """The parts of `text` NER needs to read, each paragraph (or line) on its own. The
    words that may name something (`naming_words`) are the kept core, those at most
    `2 * context_words` words apart joined with the words between them (cheaper read whole
    than twice as context); each piece carries up to `context_words` words on either side
    as context, so that the model reads what it tags as it would in the whole text (its
    window is a few words wide), and the lower-case ends of a name ("the United Nations",
    "Ministry of defence") are read too. What lies further from every capitalised word
    (whole sentences, or long lower-case stretches of one) is not read: a name NER would
    tag is written with a capital, and words that far away do not change what the model
    finds near it. Text the model would find nothing in (all lower case, numbers,
    punctuation) yields no piece at all. Pieces are in text order; cores do not overlap."""
    pieces: list[Piece] = []
    start = 0
    for cut in [*_PARAGRAPH.finditer(text), None]:
        end = cut.start() if cut else len(text)
        pieces += _paragraph_pieces(text, start, end, context_words)
        start = cut.end() if cut else len(text)
    return pieces


_TOKEN = re.compile(r"\S+")


def _paragraph_pieces(text: str, start: int, end: int, context_words: int) -> list[Piece]:
    tokens = [m.span() for m in _TOKEN.finditer(text, start, end)]
    named = _named_tokens(text, start, end, [s for s, _ in tokens])
    count = len(tokens)
    pieces: list[Piece] = []
    for first, last in _runs(sorted(named), join_gap=2 * context_words):
        core_start, core_end = tokens[first][0], tokens[last][1]
        lead = tokens[max(0, first - context_words)][0]
        trail = tokens[min(count - 1, last + context_words)][1]
        pieces.append(Piece(lead, text[lead:trail], core_start - lead, core_end - lead))
    return pieces


def _named_tokens(text: str, start: int, end: int, token_starts: list[int]) -> set[int]:
    """Indexes of the white-space tokens of text[start:end] that hold a naming word."""
    named: set[int] = set()
    for s, e in sentences(text[start:end]):
        for word_start, _ in naming_words(text[start + s : start + e]):
            named.add(bisect_right(token_starts, start + s + word_start) - 1)
    return named


def _runs(indexes: list[int], join_gap: int) -> list[tuple[int, int]]:
    """(first, last) of each run of the ascending `indexes`: neighbours with at most
    `join_gap` numbers between them are in the same run."""
    runs: list[tuple[int, int]] = []
    for i in indexes:
        if runs and i - runs[-1][1] - 1 <= join_gap:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs
