"""Online clustering: joins, new stories, copies, idle closing, bounds and recovery."""

from __future__ import annotations

import math
import random
import tracemalloc
from dataclasses import replace
from datetime import timedelta

import orjson

from newswire.config import Settings
from newswire.models import StoryUpdate
from newswire.stories import StoryClusterer, StoryParams, StoryState
from newswire.stories.features import FeatureParams, article_vector
from newswire.stories.params import params_from_settings
from newswire.stories.vectors import dot, normalised, top_terms
from newswire.stories.vocabulary import Stemmer
from tests.unit.stories.helpers import CANYON, CANYON_2, CRICKET, T0, article


def test_a_second_report_joins_and_an_unrelated_one_starts_a_story() -> None:
    clusterer = StoryClusterer({}, StoryParams())
    first = clusterer.place(article("a1", CANYON, source="ABC"))
    second = clusterer.place(article("a2", CANYON_2, 1, source="SBS"))
    other = clusterer.place(article("a3", CRICKET, 2))
    assert (first.story_id, first.similarity) == ("a1", None)
    assert second.story_id == "a1"
    assert second.similarity is not None
    assert second.similarity >= StoryParams().threshold
    assert (other.story_id, other.similarity) == ("a3", None)
    update = second.updates[0]
    assert update.article_count == 2
    assert update.members == ["a1", "a2"]
    assert [(s.name, s.articles) for s in update.sources] == [("ABC", 1), ("SBS", 1)]
    assert clusterer.open_stories == 2
    assert (clusterer.joins, clusterer.new_stories) == (1, 2)


def test_the_update_summarises_countries_and_people() -> None:
    clusterer = StoryClusterer({}, StoryParams())
    clusterer.place(article("a1", CANYON, countries=(("CH", 0.7),), persons=("Stephan Friedli",)))
    placed = clusterer.place(
        article(
            "a2", CANYON_2, 1, countries=(("CH", 0.5), ("AU", 0.5)), persons=("Stephan Friedli",)
        )
    )
    update = placed.updates[0]
    assert update.countries == ["CH", "AU"]
    assert update.persons == ["Stephan Friedli"]
    assert update.status == "open"
    assert update.update == 2
    assert update.first_seen == T0
    assert update.last_seen == T0 + timedelta(minutes=1)
    assert update.title.startswith("Six Swiss tour company staff")
    StoryUpdate.model_validate_json(update.model_dump_json())  # survives the wire


def test_a_copy_counts_in_its_originals_story() -> None:
    clusterer = StoryClusterer({}, StoryParams())
    clusterer.place(article("a1", CANYON, source="ABC"))
    update = clusterer.add_copy("c1", "a1", "Mirror", T0 + timedelta(minutes=5))
    assert update is not None
    assert (update.article_count, update.copies) == (2, 1)
    assert update.members == ["a1", "c1"]
    assert {s.name for s in update.sources} == {"ABC", "Mirror"}
    assert clusterer.add_copy("c2", "unknown", "Mirror", T0) is None


def test_a_copy_that_overtakes_its_original_waits_for_it() -> None:
    store: dict[bytes, bytes] = {}
    clusterer = StoryClusterer(store, StoryParams(idle_s=3600))
    assert clusterer.add_copy("c1", "a1", "Mirror", T0) is None
    # The wait is state too: a restarted clusterer still applies it.
    clusterer = StoryClusterer(store, StoryParams(idle_s=3600))
    update = clusterer.place(article("a1", CANYON, 1, source="ABC")).updates[0]
    assert (update.article_count, update.copies, update.members) == (2, 1, ["a1", "c1"])
    assert not any(key.startswith(b"c:") for key in store)


def test_a_copy_whose_original_never_comes_is_forgotten_after_the_idle_time() -> None:
    store: dict[bytes, bytes] = {}
    clusterer = StoryClusterer(store, StoryParams(idle_s=3600))
    clusterer.add_copy("c1", "lost", "Mirror", T0)
    clusterer.place(article("a1", CANYON, 61))
    assert not any(key.startswith(b"c:") for key in store)


def test_stories_close_after_the_idle_time_in_event_time() -> None:
    store: dict[bytes, bytes] = {}
    clusterer = StoryClusterer(store, StoryParams(idle_s=3600))
    clusterer.place(article("a1", CANYON))
    # Within the hour the story is open and the second report joins it.
    assert clusterer.place(article("a2", CANYON_2, 30)).story_id == "a1"
    later = clusterer.place(article("a3", CANYON_2, 30 + 61))
    closed = [u for u in later.updates if u.status == "closed"]
    assert [u.story_id for u in closed] == ["a1"]
    assert later.story_id == "a3"  # the closed story takes no more articles
    assert b"s:a1" not in store
    assert clusterer.open_stories == 1
    assert clusterer.add_copy("c1", "a1", "Mirror", T0) is None


def test_state_stays_bounded() -> None:
    params = StoryParams(max_members=3, centroid_terms=25, threshold=0.0)
    store: dict[bytes, bytes] = {}
    clusterer = StoryClusterer(store, params)
    for i in range(8):
        clusterer.place(article(f"a{i}", CANYON if i % 2 else CANYON_2, i))
    state = StoryState.from_bytes(store[b"s:a0"])
    assert state.members == ["a5", "a6", "a7"]
    assert state.members_truncated
    assert len(state.centroid) <= 25
    assert state.originals == 8


def test_a_restarted_clusterer_continues_exactly_from_its_store() -> None:
    texts = [CANYON, CRICKET, CANYON_2, CRICKET + " Rain stopped play.", CANYON_2 + " Appeal."]
    store: dict[bytes, bytes] = {}
    running = StoryClusterer(store, StoryParams())
    for i, text in enumerate(texts[:2]):
        running.place(article(f"a{i}", text, i))
    restarted = StoryClusterer(dict(store), StoryParams())
    assert restarted.open_stories == running.open_stories
    for i, text in enumerate(texts[2:], start=2):
        a, b = running.place(article(f"a{i}", text, i)), restarted.place(article(f"a{i}", text, i))
        assert (a.story_id, a.similarity, a.updates) == (b.story_id, b.similarity, b.updates)


def test_state_round_trips_through_bytes() -> None:
    store: dict[bytes, bytes] = {}
    StoryClusterer(store, StoryParams()).place(article("a1", CANYON))
    state = StoryState.from_bytes(store[b"s:a1"])
    assert state.to_bytes() == store[b"s:a1"]
    assert state.centroid_norm > 0


def test_a_stored_state_takes_about_its_own_length_in_memory() -> None:
    # The store keeps every open story's bytes; a serialiser's growth buffer kept with
    # them multiplied the stage's memory per story.
    store: dict[bytes, bytes] = {}
    StoryClusterer(store, StoryParams()).place(article("a1", CANYON + " " + CRICKET))
    state = StoryState.from_bytes(store[b"s:a1"])
    tracemalloc.start()
    try:
        data = state.to_bytes()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < len(data) + 512


def test_a_grown_story_gets_a_size_bonus_but_reports_the_plain_cosine() -> None:
    probe_text = "Guides from the Interlaken adventure company face court over the gorge flood."

    def clusterer_with_two_reports(params: StoryParams) -> StoryClusterer:
        clusterer = StoryClusterer({}, params)
        clusterer.place(article("a1", CANYON))
        clusterer.place(article("a2", CANYON_2, 1))
        return clusterer

    probe = article("a3", probe_text, 2)
    vector = article_vector(None, probe_text, (), Stemmer(), FeatureParams())
    centroid_only = StoryParams(member_weight=0.0, size_bonus=0.02)
    story_id, score, cosine = clusterer_with_two_reports(centroid_only).best_story(vector)
    assert story_id == "a1"
    assert 0.0 < cosine < 0.99
    assert score > cosine  # the bonus of a story of two
    # Just out of reach on the plain cosine; ln(2) * 0.02 = 0.014 brings it in.
    strict = StoryParams(threshold=cosine + 0.01, size_bonus=0.0, member_weight=0.0)
    assert clusterer_with_two_reports(strict).place(probe).story_id == "a3"
    bonus = StoryParams(threshold=cosine + 0.01, size_bonus=0.02, member_weight=0.0)
    placed = clusterer_with_two_reports(bonus).place(probe)
    assert placed.story_id == "a1"
    assert placed.similarity == round(cosine, 6)
    # A story of one article gets no bonus: the first pair is judged on the cosine alone.
    single = StoryClusterer({}, bonus)
    single.place(article("b1", CRICKET))
    state = single.state("b1")
    assert state is not None
    assert single.size_bonus(state) == 0.0


def test_the_settings_set_the_threshold_the_size_bonus_and_the_member_weight() -> None:
    params = params_from_settings(
        Settings(story_threshold=0.4, story_size_bonus=0.0, story_member_weight=0.2)
    )
    assert (params.threshold, params.size_bonus, params.member_weight) == (0.4, 0.0, 0.2)
    defaults = params_from_settings(Settings())
    assert (defaults.threshold, defaults.size_bonus, defaults.member_weight) == (
        StoryParams().threshold,
        StoryParams().size_bonus,
        StoryParams().member_weight,
    )


def test_a_report_close_to_one_member_joins_though_far_from_the_centroid() -> None:
    # Two facets of one story: the verdicts, then the families; the third report repeats
    # the families' words only, so it is closer to that report than to the story's average.
    families = (
        "Families of the Interlaken canyoning victims welcomed the verdicts and asked for "
        "compensation from Adventure World."
    )
    vector = article_vector(None, families, (), Stemmer(), FeatureParams())

    def story_of_two(params: StoryParams) -> StoryClusterer:
        clusterer = StoryClusterer({}, params)
        clusterer.place(article("a1", CANYON))
        clusterer.place(article("a2", CANYON_2, 1))
        return clusterer

    with_members = story_of_two(StoryParams())
    state = with_members.state("a1")
    assert state is not None
    score, cosine = with_members.score(vector, state)
    member = max(dot(vector, exemplar) for exemplar in state.exemplars)
    assert member > cosine  # closer to one report than to the average
    weight = StoryParams().member_weight
    assert math.isclose(score, cosine + with_members.size_bonus(state) + weight * member)
    # At a threshold between the centroid-only score and the full score, only the member
    # term brings the report in.
    threshold = (score + cosine + with_members.size_bonus(state)) / 2
    probe = article("a3", families, 2)
    assert story_of_two(StoryParams(threshold=threshold)).place(probe).story_id == "a1"
    centroid_only = StoryParams(threshold=threshold, member_weight=0.0)
    assert story_of_two(centroid_only).place(probe).story_id == "a3"


def test_a_story_keeps_a_bounded_number_of_bounded_exemplars() -> None:
    params = StoryParams(threshold=0.0, exemplars=2, exemplar_terms=5)
    clusterer = StoryClusterer({}, params)
    for i, text in enumerate([CANYON, CANYON_2, CANYON, CANYON_2]):
        clusterer.place(article(f"a{i}", text, i))
    state = clusterer.state("a0")
    assert state is not None
    assert state.originals == 4
    assert len(state.exemplars) == 2
    assert all(len(exemplar) == 5 for exemplar in state.exemplars)
    # The most recent reports, in order: the last was CANYON_2's.
    assert state.exemplars[-1] == top_terms(
        article_vector(None, CANYON_2, (), Stemmer(), FeatureParams()), 5
    )


def test_a_story_stored_without_exemplars_still_loads_and_scores() -> None:
    store: dict[bytes, bytes] = {}
    StoryClusterer(store, StoryParams()).place(article("a1", CANYON))
    old = orjson.loads(store[b"s:a1"])
    del old["exemplars"]
    store[b"s:a1"] = orjson.dumps(old)
    clusterer = StoryClusterer(store, StoryParams())
    state = clusterer.state("a1")
    assert state is not None
    assert state.exemplars == []
    assert clusterer.place(article("a2", CANYON_2, 1)).story_id == "a1"


def test_best_story_skips_exemplars_only_where_they_cannot_change_the_choice() -> None:
    texts = [CANYON, CRICKET, CANYON_2, CRICKET + " Rain delayed play in Adelaide.", CANYON]
    clusterer = StoryClusterer({}, StoryParams(threshold=0.3))
    for i, text in enumerate(texts):
        clusterer.place(article(f"a{i}", text, i))
    probes = [
        "Interlaken guides in court over the canyoning deaths.",
        "Spinner takes five wickets as Australia win in Adelaide.",
        "Families of the canyoning victims and the Test in Adelaide.",
    ]
    for probe in probes:
        vector = article_vector(None, probe, (), Stemmer(), FeatureParams())
        cosines = {}
        for story_id in clusterer.candidates(vector):
            state = clusterer.state(story_id)
            assert state is not None
            cosines[story_id] = clusterer.score(vector, state)[1]
        query = clusterer.rivals_weighted(vector, cosines)
        scores = {}
        for story_id in cosines:
            state = clusterer.state(story_id)
            assert state is not None
            scores[story_id] = clusterer.score(query, state)[0]
        winner = max(sorted(scores), key=scores.__getitem__)
        story_id, score, _ = clusterer.best_story(vector)
        assert (story_id, score) == (winner, scores[winner])


def test_a_revision_stays_in_its_story_and_is_not_counted_again() -> None:
    clusterer = StoryClusterer({}, StoryParams())
    clusterer.place(article("a1", CANYON))
    joined = clusterer.place(article("a2", CANYON_2, 1))
    clusterer.place(article("a3", CRICKET, 2))
    # A revised a2 whose text now reads like the cricket story, and a revised a3 (which
    # started its story) that reads like the canyon story: neither moves, neither counts.
    revised_member = clusterer.place(article("a2", CRICKET, 3))
    revised_starter = clusterer.place(article("a3", CANYON, 4))
    assert revised_member.story_id == "a1" and revised_member.similarity is not None
    assert (revised_starter.story_id, revised_starter.similarity) == ("a3", None)
    canyon, cricket = revised_member.updates[0], revised_starter.updates[0]
    assert (canyon.article_count, canyon.members) == (2, ["a1", "a2"])
    assert canyon.update > joined.updates[0].update
    assert (cricket.article_count, cricket.members) == (1, ["a3"])
    assert clusterer.open_stories == 2 and clusterer.new_stories == 2


_SHELLING = (
    "Rebel artillery shelled the northern city of Varnak overnight and the army answered "
    "with air strikes on rebel positions around Varnak, the army said."
)
_TALKS = (
    "Army and rebel negotiators met in Ostrel to discuss a ceasefire; the rebels demanded "
    "that the army withdraw from Ostrel before any further talks."
)
_PRISONERS = (
    "The rebels said the army had mistreated rebel prisoners held at Kelmar jail, and rebel "
    "leaders asked the Red Cross to visit Kelmar."
)


def test_words_that_rival_stories_share_count_less() -> None:
    params = StoryParams(threshold=0.99)  # every report starts its own story
    clusterer = StoryClusterer({}, params)
    clusterer.place(article("shelling", _SHELLING))
    clusterer.place(article("talks", _TALKS, 1))
    vector = article_vector(None, _PRISONERS, (), Stemmer(), FeatureParams())
    one = {"shelling": 0.5}
    assert clusterer.rivals_weighted(vector, one) is vector  # a single rival: nothing to tell apart
    both = {"shelling": 0.5, "talks": 0.5}
    weighted = clusterer.rivals_weighted(vector, both)
    assert math.isclose(math.hypot(*weighted.values()), 1.0)
    # 'rebel' and 'army' are in both stories, 'kelmar' in neither: their ratio falls by 1/√2.
    ratio = (weighted["rebel"] / weighted["kelmar"]) / (vector["rebel"] / vector["kelmar"])
    assert math.isclose(ratio, 2**-0.5)
    assert clusterer.rivals_weighted(vector, {"shelling": 0.05, "talks": 0.5}) is vector


def test_a_report_close_to_two_stories_only_through_their_shared_words_starts_its_own() -> None:
    def clusterer_of(params: StoryParams) -> StoryClusterer:
        clusterer = StoryClusterer({}, replace(params, threshold=0.99))
        clusterer.place(article("shelling", _SHELLING))
        clusterer.place(article("talks", _TALKS, 1))
        return StoryClusterer(clusterer.store, params)

    vector = article_vector(None, _PRISONERS, (), Stemmer(), FeatureParams())
    # At threshold 0 `best_story` scores the exemplars of every candidate: full scores.
    _, plain, _ = clusterer_of(StoryParams(threshold=0.0, rival_power=0.0)).best_story(vector)
    _, weighted, _ = clusterer_of(StoryParams(threshold=0.0)).best_story(vector)
    assert weighted < plain
    threshold = (weighted + plain) / 2
    probe = article("prisoners", _PRISONERS, 2)
    # The two stories fit alike: without the ambiguity test, which this is not about.
    off = clusterer_of(
        StoryParams(threshold=threshold, rival_power=0.0, ambiguity_margin=0.0)
    ).place(probe)
    on = clusterer_of(StoryParams(threshold=threshold, ambiguity_margin=0.0)).place(probe)
    assert off.story_id in {"shelling", "talks"}
    assert (on.story_id, on.similarity) == ("prisoners", None)


def test_a_report_that_fits_two_stories_about_equally_starts_its_own() -> None:
    def clusterer_of(params: StoryParams) -> StoryClusterer:
        clusterer = StoryClusterer({}, replace(params, threshold=0.99))
        clusterer.place(article("shelling", _SHELLING))
        clusterer.place(article("talks", _TALKS, 1))
        return StoryClusterer(clusterer.store, params)

    text = (
        "Shelling of Varnak and talks in Ostrel: rebel artillery shelled Varnak as army and "
        "rebel negotiators met in Ostrel to discuss a ceasefire."
    )
    vector = article_vector(None, text, (), Stemmer(), FeatureParams())
    scored = clusterer_of(StoryParams(threshold=0.0, rival_power=0.0, ambiguity_margin=0.0))
    scores = []
    for story_id in ("shelling", "talks"):
        state = scored.state(story_id)
        assert state is not None
        scores.append(scored.score(vector, state)[0])
    low, high = sorted(scores)
    gap = high - low
    assert gap < 0.1  # the probe sits between the two stories
    probe = article("both", text, 2)
    base = StoryParams(threshold=low - 0.01, rival_power=0.0)
    wide = clusterer_of(replace(base, ambiguity_margin=gap + 0.01)).place(probe)
    narrow = clusterer_of(replace(base, ambiguity_margin=gap / 2)).place(probe)
    off = clusterer_of(replace(base, ambiguity_margin=0.0)).place(probe)
    # A runner-up under the threshold is no rival for the choice: the best story is joined.
    alone = clusterer_of(
        replace(base, threshold=(low + high) / 2, ambiguity_margin=gap + 0.01)
    ).place(probe)
    assert (wide.story_id, wide.similarity) == ("both", None)
    best = ("shelling", "talks")[scores.index(high)]
    assert narrow.story_id == off.story_id == alone.story_id == best


def test_an_exemplar_scores_at_most_the_centroid_overlap_plus_the_stored_excess() -> None:
    # The bound `best_story` skips candidates by. Small centroids prune terms that recent
    # reports (the exemplars) still hold, so the centroid alone would understate them.
    rng = random.Random(7)
    vocabulary = ["".join(rng.choices("bdfgklmnprstvz", k=3)) + "ation" for _ in range(300)]
    clusterer = StoryClusterer({}, StoryParams(threshold=0.0, centroid_terms=8))
    for n in range(40):
        clusterer.place(article(f"a{n:02d}", " ".join(rng.sample(vocabulary, 12)) + ".", n))
    beyond_centroid = 0
    for story_id in {clusterer.story_of(f"a{n:02d}") for n in range(40)}:
        state = clusterer.state(str(story_id))
        assert state is not None
        for exemplar in state.exemplars:
            query = normalised(exemplar)  # the query that makes this exemplar score most
            through_centroid = dot(query, state.centroid)
            assert dot(query, exemplar) <= through_centroid + state.exemplar_excess + 1e-9
            beyond_centroid += dot(query, exemplar) > through_centroid + 1e-9
    assert beyond_centroid  # the excess was needed, so the test can fail without it
