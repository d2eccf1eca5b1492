"""Article vectors: rare words weigh more than common ones, the lead more than the tail."""

from __future__ import annotations

import math

from newswire.stories.features import FeatureParams, article_vector, term_vector
from newswire.stories.vectors import add_pruned, dot, normalised, top_keys, top_terms
from newswire.stories.vocabulary import Stemmer, word_weight


def test_rare_words_outweigh_common_ones() -> None:
    assert word_weight("canyoning") > word_weight("river") > word_weight("said")
    assert word_weight("the") < 2.0


def test_vectors_have_unit_length_and_stems_as_keys() -> None:
    vector = term_vector("Guides were drowning; the guide drowned.", Stemmer(), FeatureParams())
    assert math.isclose(math.sqrt(sum(x * x for x in vector.values())), 1.0)
    assert "guid" in vector
    assert "guides" not in vector


def test_the_lead_weighs_more_than_the_tail() -> None:
    words = ["mango"] + ["filler"] * 60 + ["papaya"]
    vector = term_vector(" ".join(words), Stemmer(), FeatureParams())
    flat = term_vector(" ".join(words), Stemmer(), FeatureParams(lead_boost=0.0))
    assert vector["mango"] / vector["papaya"] > 2 * flat["mango"] / flat["papaya"]


def test_possessives_weigh_like_their_word() -> None:
    stemmer = Stemmer()
    assert stemmer.stem_and_weight("australia's") == stemmer.stem_and_weight("australia")


def test_countries_join_as_weak_keys() -> None:
    vector = article_vector(
        None, "Talks in the capital.", [("SY", 1.0)], Stemmer(), FeatureParams()
    )
    assert 0.0 < vector["#SY"] < 1.0


def test_vector_helpers() -> None:
    assert dot({"a": 1.0, "b": 2.0}, {"b": 3.0}) == 6.0
    assert normalised({}) == {}
    assert top_keys({"a": 1.0, "b": 3.0, "c": 2.0}, 2) == ["b", "c"]
    assert add_pruned({"a": 1.0}, {"a": 1.0, "b": 0.5, "c": 0.1}, 2) == {"a": 2.0, "b": 0.5}


def test_top_terms_keeps_the_heaviest_entries_rounded() -> None:
    vector = {"a": 0.123456, "b": 0.9, "c": 0.05, "d": 0.4}
    assert top_terms(vector, 2) == {"b": 0.9, "d": 0.4}
    assert top_terms(vector, 3, digits=2) == {"b": 0.9, "d": 0.4, "a": 0.12}
    assert top_terms(vector, 10) == {"b": 0.9, "d": 0.4, "a": 0.1235, "c": 0.05}
    assert top_terms({}, 3) == {}
