"""What the NER model reads of an article: the pieces that can name something."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from newswire.tagging.chunks import (
    Piece,
    can_name_something,
    entity_pieces,
    naming_words,
    sentences,
)
from newswire.tagging.ner import SpanCache, missing_pieces, ner_pieces, place_spans
from newswire.tagging.spans import NerSpan


@pytest.mark.parametrize(
    "sentence",
    [
        "The talks resumed in Geneva on Monday.",
        "Arafat has rejected the offer.",  # the name opens the sentence
        '"Sharon will not come," a spokesman said.',  # behind an opening quote
        "officials from the US arrived late.",  # US, not the word us
        "the Taliban fled.",
        "the new iPhone sold out.",  # a capital inside a word
        "التقى الأسد بوتين في موسكو.",  # Arabic has no capitals to go by
        "习近平在北京会见了普京。",
        "Next said its sales rose.",  # an opener that is also a name (a retailer)
        "WHO officials arrived late.",  # an acronym is no opener
    ],
)
def test_a_sentence_with_a_capitalised_word_may_name_something(sentence: str) -> None:
    assert can_name_something(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "The new laws are about consent, knowledge about data use and security.",
        "But airlines are making no apologies.",
        '"That is one of the reasons I am here.',  # the pronoun I names nobody
        "He says six officers were injured, four of whom I've met.",
        "all lower case, no names at all",
        "12,000 - 3.5 % ...",
        "",
    ],
)
def test_a_sentence_whose_only_capital_opens_it_names_nothing(sentence: str) -> None:
    assert not can_name_something(sentence)


def test_sentences_tile_the_text() -> None:
    text = 'He left. "Why?" she asked! Mr. Smith stayed (briefly.) Then nothing'
    bounds = sentences(text)
    assert "".join(text[s:e] for s, e in bounds) == text
    assert [text[s:e].strip() for s, e in bounds][:3] == ["He left.", '"Why?"', "she asked!"]


def kept(text: str, pieces: list[Piece]) -> list[str]:
    """The kept part of each piece, checked to sit where its offset says."""
    parts = []
    for piece in pieces:
        assert text[piece.offset : piece.offset + len(piece.text)] == piece.text
        parts.append(piece.text[piece.keep_start : piece.keep_end])
    return parts


def test_pieces_are_paragraphs_without_the_sentences_that_name_nothing() -> None:
    text = (
        "Talks in Geneva resumed. The mood was calm and the delegates were said to be "
        "ready for a long night of work. Officials from Iran arrived.\n\n"
        "It rained all day.\n"
        "  Kabul fell quickly.  "
    )
    pieces = entity_pieces(text, context_words=3)
    assert kept(text, pieces) == ["Talks in Geneva", "Officials from Iran", "Kabul"]
    # No piece reaches across a paragraph or line break, not even as context.
    assert [p.text for p in pieces] == [
        "Talks in Geneva resumed. The mood",
        "night of work. Officials from Iran arrived.",
        "Kabul fell quickly.",
    ]


def test_a_long_lower_case_stretch_inside_a_sentence_is_not_read() -> None:
    text = (
        "Talks in Geneva resumed on what the delegates said would be a long and difficult "
        "night of work for everyone who had come, with officials from Iran arriving late."
    )
    first, second = entity_pieces(text, context_words=2)
    assert kept(text, [first, second]) == ["Talks in Geneva", "Iran"]
    assert first.text == "Talks in Geneva resumed on"
    assert second.text == "officials from Iran arriving late."


def test_a_short_stretch_between_names_is_read_whole() -> None:
    text = "Blair met Bush. It was brief. Putin joined them. The rest went home to their beds."
    (piece,) = entity_pieces(text, context_words=3)
    assert kept(text, [piece]) == ["Blair met Bush. It was brief. Putin"]
    assert piece.text == "Blair met Bush. It was brief. Putin joined them. The"


def test_a_sentence_in_a_script_without_capitals_is_read_whole() -> None:
    text = "التقى الأسد بوتين في موسكو وقال إن المحادثات ستستمر طويلا حتى نهاية الأسبوع المقبل."
    (piece,) = entity_pieces(text, context_words=2)
    assert kept(text, [piece]) == [text]


def test_text_that_names_nothing_gives_no_piece() -> None:
    assert entity_pieces("it was quiet.\n\nnothing happened, he said.") == []
    assert entity_pieces("") == []


def test_long_pieces_are_cut_to_the_limit_with_offsets_into_the_text() -> None:
    text = "The rest went home.\n\n" + "Ali met Omar in Cairo. " * 20
    pieces = ner_pieces(text, limit=100)
    assert all(len(p.text) <= 100 for p in pieces)
    assert "".join(kept(text, pieces)) == text[text.index("Ali") :].rstrip()


def test_only_spans_that_reach_into_the_kept_core_count_at_offsets_in_the_text() -> None:
    text = "It rained.\n\nThe talks at the Ministry of defence went on and on into the night."
    (piece,) = entity_pieces(text, context_words=2)
    assert piece.text[piece.keep_start : piece.keep_end] == "Ministry"
    assert piece.text == "at the Ministry of defence"
    found = {
        piece.text: [
            NerSpan("ORG", 3, 26, "the Ministry of defence"),  # both ends in the context
            NerSpan("ORG", 19, 26, "defence"),  # wholly in the context: not this piece's
        ]
    }
    spans = place_spans([piece], found)
    assert [text[s.start : s.end] for s in spans] == ["the Ministry of defence"]


def test_the_cache_keeps_the_most_recently_used_pieces() -> None:
    cache = SpanCache(2)
    span = NerSpan("GPE", 0, 4, "Iran")
    cache.put("m", "a", [span])
    cache.put("m", "b", [])
    assert cache.get("m", "a") == (span,)  # now "b" is the least recently used
    cache.put("m", "c", [])
    assert cache.get("m", "b") is None
    assert cache.get("m", "c") == ()
    assert cache.get("other-model", "a") is None  # per model
    assert len(cache) == 2
    assert (cache.hits, cache.misses) == (2, 2)


def test_a_cache_of_capacity_zero_keeps_nothing() -> None:
    cache = SpanCache(0)
    cache.put("m", "a", [])
    assert cache.get("m", "a") is None
    assert len(cache) == 0


def test_each_distinct_piece_is_read_once_and_cached_ones_not_at_all() -> None:
    cache = SpanCache(10)
    cache.put("m", "Cached one.", [])
    seen, cached, new = (Piece(0, t, 0, len(t)) for t in ("Seen here.", "Cached one.", "New one."))
    batch = [[seen, cached], [seen, new]]
    known, todo = missing_pieces(batch, "m", cache)
    assert todo == ["Seen here.", "New one."]
    assert set(known) == {"Cached one."}


def test_names_ten_words_apart_share_a_piece_and_eleven_apart_do_not() -> None:
    filler = "and then the talks went on for many more long hours"  # 11 words
    ten = "Blair " + " ".join(filler.split()[:10]) + " Bush"
    eleven = "Blair " + filler + " Bush"
    assert len(entity_pieces(ten, context_words=5)) == 1
    assert len(entity_pieces(eleven, context_words=5)) == 2


def test_pieces_are_in_order_never_overlap_and_hold_every_naming_word_in_a_core() -> None:
    # Overlapping pieces would let a span reaching into two cores count twice.
    vocabulary = ["the", "talks", "went", "on", "Blair", "Bush", "in", "Kabul", "said", "it."]
    rng = random.Random(3)
    for _ in range(300):
        words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 60))]
        text = " ".join(words)
        for context in (1, 3, 5):
            pieces = entity_pieces(text, context_words=context)
            ends = [(p.offset, p.offset + len(p.text)) for p in pieces]
            assert all(end <= start for (_, end), (start, _) in pairwise(ends))
            cores = [(p.offset + p.keep_start, p.offset + p.keep_end) for p in pieces]
            for s_start, s_end in sentences(text):
                for w_start, w_end in naming_words(text[s_start:s_end]):
                    word = (s_start + w_start, s_start + w_end)
                    assert any(c0 <= word[0] and word[1] <= c1 for c0, c1 in cores), (text, word)


def test_a_long_piece_cut_to_the_limit_keeps_its_context_and_the_spans_reaching_into_it() -> None:
    text = "it was said that the United Nations " + "Officials met in Damascus. " * 6
    pieces = ner_pieces(text, limit=60)
    first = pieces[0]
    assert first.offset < text.index("United")  # the words before the core are read
    assert first.text[: first.keep_start].endswith("the ")
    assert all(len(p.text) <= 60 for p in pieces)
    cores = [(p.offset + p.keep_start, p.offset + p.keep_end) for p in pieces]
    assert all(end <= start for (_, end), (start, _) in pairwise(cores))
