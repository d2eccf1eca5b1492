"""Texts longer than the NER model accepts are read in pieces, spans mapped back."""

from __future__ import annotations

import pytest

from newswire.config import Settings
from newswire.tagging.chunks import split_for_ner
from newswire.tagging.ner import run_ner


def test_pieces_cut_at_paragraphs_then_sentences_and_join_back() -> None:
    text = "First paragraph here.\n\nSecond one, longer. It has two sentences.\n\nThird."
    pieces = split_for_ner(text, 40)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 40 for _, piece in pieces)
    assert pieces[0] == (0, "First paragraph here.\n\n")
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_a_word_longer_than_the_limit_is_cut_where_it_must_be() -> None:
    assert split_for_ner("x" * 25, 10) == [(0, "x" * 10), (10, "x" * 10), (20, "x" * 5)]
    with pytest.raises(ValueError, match="positive"):
        split_for_ner("text", 0)


@pytest.mark.slow
def test_spans_of_a_long_text_point_into_the_whole_text() -> None:
    paragraph = "Officials in Damascus met the Russian envoy. Ali Mamlouk attended.\n\n"
    text = paragraph * 30
    (whole,) = run_ner([text], Settings.model_construct().ner_model, max_chars=300)
    assert whole, "the model found nothing"
    assert all(text[s.start : s.end] == s.text for s in whole)
    assert sum(1 for s in whole if s.text == "Ali Mamlouk") == 30
