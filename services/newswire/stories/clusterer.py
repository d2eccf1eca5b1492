"""Online story clustering: each new article joins the most similar open story or starts one.

The method follows Miranda et al., "Multilingual Clustering of Streaming News" (EMNLP
2018) in its single-language form: articles are weighted term vectors
(`features.article_vector`), a story is the sum of its articles' vectors (its centroid)
plus the top terms of its last few articles (its exemplars); an article joins the open
story of highest score (centroid cosine, a size bonus, and the weighted similarity to the
closest exemplar) if that score reaches a measured threshold and no second story comes
within a small margin of it, else it starts a story of its own. Stories close after an
idle time measured in event time.

State: every story lives in a key-value store (`s:` + story id -> `StoryState` bytes)
that the runner commits with the stage's outputs, so after a restart the stage continues
exactly where the committed outputs end. A copy that arrives before its original (dedup
judges copies at once, originals still have tagging ahead of them) waits under `c:` +
original id until the original is placed, or until the idle time has passed. Everything
else here (the inverted index, the order of idle stories, which story an article id
belongs to) is derived from the stored entries and rebuilt by `recover()`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Literal

import orjson

from newswire.models import RepresentativeArticle, StorySource, StoryUpdate
from newswire.stories.article import StoryArticle
from newswire.stories.features import COUNTRY_PREFIX, article_vector
from newswire.stories.params import StoryParams
from newswire.stories.state import StoryState, compact_json
from newswire.stories.vectors import Vector, add_pruned, dot, norm, top_keys, top_terms
from newswire.stories.vocabulary import Stemmer

STORY_PREFIX = b"s:"
COPIES_PREFIX = b"c:"
_TITLE_CHARS = 160
_SUMMARY_COUNTRIES = 5
_SUMMARY_NAMES = 10
_SUMMARY_SOURCES = 20


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article went: the story, how similar it was (None: it started the story),
    the updates to publish (the story's, then any stories closed meanwhile), and whether it
    `joined` a story, `started` one, or was a `revised` version of an article already in
    its story (counted in neither)."""

    story_id: str
    similarity: float | None
    updates: list[StoryUpdate]
    outcome: Literal["joined", "started", "revised"]


def _timestamp(moment: datetime) -> float:
    return moment.timestamp()


def _datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _title_of(title: str | None, text: str) -> str:
    if title and title.strip():
        return " ".join(title.split())[:_TITLE_CHARS]
    words = " ".join(text.split())
    end = words.find(". ")
    lead = words[: end + 1] if 0 < end < _TITLE_CHARS else words[:_TITLE_CHARS]
    return lead or "(untitled)"


def _tally(counts: dict[str, int], names: tuple[str, ...] | list[str], limit: int) -> None:
    for name in dict.fromkeys(names):  # each name once per article
        counts[name] = counts.get(name, 0) + 1
    if len(counts) > limit:
        kept = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        counts.clear()
        counts.update(kept)


def _top(counts: dict[str, int], n: int) -> list[str]:
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def _index_terms(vector: Vector, n: int) -> list[str]:
    # Country keys are shared by too many stories to find candidates with.
    return [k for k in top_keys(vector, n + 3) if not k.startswith(COUNTRY_PREFIX)][:n]


class StoryClusterer:
    """Places articles into stories over a key-value `store` of `StoryState` bytes."""

    def __init__(self, store: MutableMapping[bytes, bytes], params: StoryParams) -> None:
        self.store = store
        self.params = params
        self._stemmer = Stemmer()
        self._open: dict[str, StoryState] = {}
        self._index: dict[str, set[str]] = {}
        self._keys_of: dict[str, list[str]] = {}
        self._story_of: dict[str, str] = {}
        self._idle_heap: list[tuple[float, str]] = []
        self._waiting_heap: list[tuple[float, str]] = []
        self._watermark = float("-inf")
        self.joins = 0
        self.new_stories = 0
        self.closed = 0
        self.recover()

    # --- recovery and derived indexes -------------------------------------------------

    def recover(self) -> int:
        """Rebuild the in-memory indexes from the store; returns the open stories found."""
        self._open.clear()
        self._index.clear()
        self._keys_of.clear()
        self._story_of.clear()
        self._idle_heap.clear()
        self._waiting_heap.clear()
        for key, value in self.store.items():
            if key.startswith(STORY_PREFIX):
                state = StoryState.from_bytes(value)
                self._remember(state)
                self._watermark = max(self._watermark, state.updated_at)
            elif key.startswith(COPIES_PREFIX):
                waiting = orjson.loads(value)
                original = key[len(COPIES_PREFIX) :].decode()
                heapq.heappush(self._waiting_heap, (waiting[0][2], original))
        return len(self._open)

    def _remember(self, state: StoryState) -> None:
        story_id = state.story_id
        self._open[story_id] = state
        for term in self._keys_of.pop(story_id, []):
            postings = self._index.get(term)
            if postings is not None:
                postings.discard(story_id)
                if not postings:
                    del self._index[term]
        keys = _index_terms(state.centroid, self.params.index_keys)
        self._keys_of[story_id] = keys
        for term in keys:
            self._index.setdefault(term, set()).add(story_id)
        for member in state.members:
            self._story_of[member] = story_id
        heapq.heappush(self._idle_heap, (state.last_seen, story_id))

    def _forget(self, state: StoryState) -> None:
        story_id = state.story_id
        del self._open[story_id]
        for term in self._keys_of.pop(story_id, []):
            postings = self._index.get(term)
            if postings is not None:
                postings.discard(story_id)
                if not postings:
                    del self._index[term]
        for member in state.members:
            if self._story_of.get(member) == story_id:
                del self._story_of[member]
        del self.store[STORY_PREFIX + story_id.encode()]

    def _save(self, state: StoryState) -> None:
        state.refresh_norm()
        self.store[STORY_PREFIX + state.story_id.encode()] = state.to_bytes()
        self._remember(state)

    # --- queries ----------------------------------------------------------------------

    @property
    def open_stories(self) -> int:
        """Stories currently open."""
        return len(self._open)

    def story_of(self, article_id: str) -> str | None:
        """The open story that lists `article_id` among its (recent) members."""
        return self._story_of.get(article_id)

    def state(self, story_id: str) -> StoryState | None:
        """The open story `story_id`, if any."""
        return self._open.get(story_id)

    def candidates(self, vector: Vector) -> list[str]:
        """Open stories sharing at least one heavy term with `vector`, most shared first."""
        shared: dict[str, int] = {}
        for term in _index_terms(vector, self.params.query_keys):
            for story_id in self._index.get(term, ()):
                shared[story_id] = shared.get(story_id, 0) + 1
        # By id, then (stable) by shared keys: the same order after any restart.
        ranked = sorted(shared)
        ranked.sort(key=shared.__getitem__, reverse=True)
        return ranked[: self.params.max_candidates]

    def size_bonus(self, state: StoryState) -> float:
        """What `state`'s size adds to an article's cosine before the threshold."""
        if state.originals <= 1:
            return 0.0
        grown = min(math.log(state.originals), self.params.size_bonus_log_cap)
        return self.params.size_bonus * grown

    def score(self, vector: Vector, state: StoryState) -> tuple[float, float]:
        """(How well unit `vector` fits `state`, its cosine to the centroid). The score is
        that cosine, plus `size_bonus`, plus `member_weight` times the dot product with
        the closest exemplar (a recent report's heaviest terms): a report can be close to
        one earlier report of the story while far from the story's average."""
        if state.centroid_norm <= 0.0:
            return 0.0, 0.0
        cosine = dot(vector, state.centroid) / state.centroid_norm
        score = cosine + self.size_bonus(state)
        weight = self.params.member_weight
        if weight and state.exemplars:
            score += weight * max(map(partial(dot, vector), state.exemplars))
        return score, cosine

    def rivals_weighted(self, vector: Vector, cosines: dict[str, float]) -> Vector:
        """`vector` with each term's weight divided by (the number of rival stories that
        share it) ** `rival_power`, at unit length again. Rivals are the candidates whose
        centroid cosine (`cosines`) is at least `rival_floor`; with fewer than two rivals
        `vector` itself is returned. A word that several open stories share (the crisis's
        names and vocabulary) cannot tell them apart, so the choice between them, and
        whether the best of them is close enough, rests more on the words that one story
        alone shares with the article."""
        return self._rivals_weighted(vector, cosines)[0]

    def _rivals_weighted(self, vector: Vector, cosines: dict[str, float]) -> tuple[Vector, float]:
        # Also returns 1 / (length before normalising): no weight grows by more than that,
        # so it bounds what any story can score with the weighted vector.
        power, floor = self.params.rival_power, self.params.rival_floor
        rivals = [self._open[s].centroid for s, cosine in cosines.items() if cosine >= floor]
        if power <= 0.0 or len(rivals) < 2:
            return vector, 1.0
        shared: dict[str, int] = {}
        for centroid in rivals:
            for term in vector.keys() & centroid.keys():
                shared[term] = shared.get(term, 0) + 1
        if max(shared.values(), default=0) < 2:
            return vector, 1.0
        scaled = {term: x * shared.get(term, 1) ** -power for term, x in vector.items()}
        length = norm(scaled)
        return {term: x / length for term, x in scaled.items()}, 1.0 / length

    def best_story(self, vector: Vector) -> tuple[str | None, float, float]:
        """The candidate story with the highest `score` for `vector` weighted against its
        rivals (`rivals_weighted`), that score and the story's plain centroid cosine
        (None, 0.0, 0.0 if none). Candidates that cannot reach the threshold may be
        scored in part or left out: the choice among those does not place anything."""
        best_id, best, cosine, _ = self._ranked(vector)
        return best_id, best, cosine

    def _ranked(self, vector: Vector) -> tuple[str | None, float, float, bool]:
        # As `best_story`, plus whether it is ambiguous: another candidate also reaches the
        # threshold, within `ambiguity_margin` of the best (never with a margin of 0).
        cosines: dict[str, float] = {}
        for story_id in self.candidates(vector):
            state = self._open[story_id]
            if state.centroid_norm > 0.0:
                cosines[story_id] = dot(vector, state.centroid) / state.centroid_norm
        query, stretch = self._rivals_weighted(vector, cosines)
        best_id, best = None, 0.0
        runner_up: float | None = None  # the best score of any other fully scored candidate
        weight, threshold = self.params.member_weight, self.params.threshold
        margin = self.params.ambiguity_margin
        for story_id in sorted(cosines, key=cosines.__getitem__, reverse=True):
            state = self._open[story_id]
            bonus = self.size_bonus(state)
            # Every weight is positive and each exemplar is part of an article vector summed
            # into the centroid, so an exemplar's dot product with the query is at most the
            # query's overlap with the centroid plus the exemplars' excess over the centroid
            # (`StoryState.exemplar_excess`: terms pruning dropped, rounding); the overlap is
            # at most `stretch` times the plain overlap. A story is scored in full only where
            # that bound could still come within the margin of the best and reach the
            # threshold: most candidates share a key or two and fall far short (the
            # stage's speed).
            plain = cosines[story_id] * state.centroid_norm
            excess = state.exemplar_excess
            reach = (
                stretch * cosines[story_id] + bonus + weight * min(1.0, stretch * plain + excess)
            )
            if reach < best - margin or reach < threshold:
                continue
            overlap = plain if query is vector else dot(query, state.centroid)
            score = overlap / state.centroid_norm + bonus
            if weight and state.exemplars:
                reach = score + weight * min(1.0, overlap + excess)
                if reach >= best - margin and reach >= threshold:
                    score += weight * max(map(partial(dot, query), state.exemplars))
            if score > best or (score == best and best_id is not None and story_id < best_id):
                if best_id is not None:
                    runner_up = best if runner_up is None else max(runner_up, best)
                best_id, best = story_id, score
            else:
                runner_up = score if runner_up is None else max(runner_up, score)
        if best_id is None:
            return None, 0.0, 0.0, False
        ambiguous = (
            margin > 0.0
            and runner_up is not None
            and runner_up >= threshold
            and runner_up >= best - margin
        )
        return best_id, best, min(1.0, max(0.0, cosines[best_id])), ambiguous

    # --- changes ----------------------------------------------------------------------

    def place(self, article: StoryArticle) -> Placement:
        """Put `article` into a story: the most similar open story at or above the
        threshold, unless a second one also reaches it within `ambiguity_margin`; else a
        new one whose id is the article's. Deterministic for a given
        store and input order."""
        now = _timestamp(article.event_time)
        closed = self.close_idle(now)
        vector = article_vector(
            article.title, article.text, article.countries, self._stemmer, self.params.features
        )
        known = self._story_of.get(article.id) or (article.id if article.id in self._open else None)
        if known is not None and known in self._open:
            return self._revise(self._open[known], article.id, vector, now, closed)
        # Two stories that fit about equally well (both over the threshold, within the
        # margin): the article is likely a third development of the topic they share.
        story_id, score, similarity, ambiguous = self._ranked(vector)
        if story_id is not None and score >= self.params.threshold and not ambiguous:
            state = self._open[story_id]
            self._join(state, article, vector, similarity, now)
            self.joins += 1
            joined: float | None = round(similarity, 6)
        else:
            state = self._start(article, vector, now)
            self.new_stories += 1
            joined = None
        self._take_waiting_copies(state, article.id)
        self._save(state)
        outcome: Literal["joined", "started"] = "started" if joined is None else "joined"
        return Placement(state.story_id, joined, [self.update_of(state), *closed], outcome)

    def _revise(
        self,
        state: StoryState,
        article_id: str,
        vector: Vector,
        now: float,
        closed: list[StoryUpdate],
    ) -> Placement:
        # A new revision of an article the story already holds stays in that story and is
        # not counted again; starting a story under its id would overwrite this one.
        state.update += 1
        state.updated_at = max(state.updated_at, now)
        self._save(state)
        similarity = (
            None
            if state.story_id == article_id
            else round(min(1.0, max(0.0, self.score(vector, state)[1])), 6)
        )
        return Placement(state.story_id, similarity, [self.update_of(state), *closed], "revised")

    def add_copy(
        self, copy_id: str, original_id: str, source: str, seen_at: datetime
    ) -> StoryUpdate | None:
        """Count a duplicate `copy_id` of `original_id` in the original's story (members,
        sources, article count) and return the story's update. None when the original has
        not been placed yet (the copy then waits for it, up to the idle time) or its story
        has closed."""
        story_id = self._story_of.get(original_id)
        if story_id is None:
            self._wait_for_original(copy_id, original_id, source, _timestamp(seen_at))
            return None
        state = self._open[story_id]
        now = _timestamp(seen_at)
        state.copies += 1
        self._add_member(state, copy_id, source, now)
        self._save(state)
        return self.update_of(state)

    def _wait_for_original(self, copy_id: str, original_id: str, source: str, now: float) -> None:
        key = COPIES_PREFIX + original_id.encode()
        existing = self.store.get(key)
        waiting = orjson.loads(existing) if existing is not None else []
        if len(waiting) >= self.params.max_members:
            return  # bounded: a flood of copies of one unseen original is not all kept
        waiting.append([copy_id, source, now])
        self.store[key] = compact_json(waiting)
        if existing is None:
            heapq.heappush(self._waiting_heap, (now, original_id))

    def _take_waiting_copies(self, state: StoryState, original_id: str) -> None:
        key = COPIES_PREFIX + original_id.encode()
        existing = self.store.get(key)
        if existing is None:
            return
        for copy_id, source, seen in orjson.loads(existing):
            state.copies += 1
            self._add_member(state, copy_id, source, seen)
        del self.store[key]

    def _expire_waiting(self, horizon: float) -> None:
        while self._waiting_heap and self._waiting_heap[0][0] < horizon:
            _, original_id = heapq.heappop(self._waiting_heap)
            key = COPIES_PREFIX + original_id.encode()
            value = self.store.get(key)
            # The list may have been taken and started again since this entry was pushed.
            if value is not None and orjson.loads(value)[0][2] < horizon:
                del self.store[key]

    def close_idle(self, now: float) -> list[StoryUpdate]:
        """Close every story idle for `idle_s` by event time `now` (the stream's
        watermark never goes back); returns their final updates."""
        self._watermark = max(self._watermark, now)
        horizon = self._watermark - self.params.idle_s
        self._expire_waiting(horizon)
        updates = []
        while self._idle_heap and self._idle_heap[0][0] < horizon:
            last_seen, story_id = heapq.heappop(self._idle_heap)
            state = self._open.get(story_id)
            if state is None or state.last_seen != last_seen:
                continue  # an older entry of a story that has moved on
            state.update += 1
            state.updated_at = self._watermark
            updates.append(self.update_of(state, status="closed"))
            self._forget(state)
            self.closed += 1
        return updates

    def _start(self, article: StoryArticle, vector: Vector, now: float) -> StoryState:
        state = StoryState(
            story_id=article.id,
            # Pruned like every later sum: a long first article's whole vector would make
            # the stored state unbounded (too large for the changelog).
            centroid=add_pruned({}, vector, self.params.centroid_terms),
            originals=0,
            copies=0,
            first_seen=now,
            last_seen=now,
            updated_at=now,
            update=0,
            members=[],
            members_truncated=False,
            sources={},
            countries={},
            persons={},
            orgs={},
            representative_id=article.id,
            representative_url=article.url,
            representative_title=article.title,
            representative_score=0.0,
            title=_title_of(article.title, article.text),
        )
        self._add_exemplar(state, vector)
        self._add_original(state, article, now)
        return state

    def _add_exemplar(self, state: StoryState, vector: Vector) -> None:
        state.exemplars.append(top_terms(vector, self.params.exemplar_terms))
        del state.exemplars[: -self.params.exemplars or len(state.exemplars)]

    def _join(
        self,
        state: StoryState,
        article: StoryArticle,
        vector: Vector,
        similarity: float,
        now: float,
    ) -> None:
        state.centroid = add_pruned(state.centroid, vector, self.params.centroid_terms)
        self._add_exemplar(state, vector)
        if similarity > state.representative_score:
            # The first article stays while it is alone in being central: cosine is
            # symmetric, so the second article's similarity is the first's too.
            if state.originals > 1:
                state.representative_id = article.id
                state.representative_url = article.url
                state.representative_title = article.title
                state.title = _title_of(article.title, article.text)
            state.representative_score = similarity
        self._add_original(state, article, now)

    def _add_original(self, state: StoryState, article: StoryArticle, now: float) -> None:
        state.originals += 1
        limit = self.params.max_names
        _tally(state.countries, [code for code, _ in article.countries], limit)
        _tally(state.persons, article.persons, limit)
        _tally(state.orgs, article.orgs, limit)
        self._add_member(state, article.id, article.source, now)

    def _add_member(self, state: StoryState, article_id: str, source: str, now: float) -> None:
        state.members.append(article_id)
        if len(state.members) > self.params.max_members:
            dropped = state.members.pop(0)
            state.members_truncated = True
            if self._story_of.get(dropped) == state.story_id:
                del self._story_of[dropped]
        _tally(state.sources, (source,), self.params.max_names)
        state.first_seen = min(state.first_seen, now)
        state.last_seen = max(state.last_seen, now)
        state.updated_at = max(state.updated_at, now)
        state.update += 1

    # --- the public update ------------------------------------------------------------

    def update_of(self, state: StoryState, status: str = "open") -> StoryUpdate:
        """The `StoryUpdate` that describes `state`."""
        return StoryUpdate(
            story_id=state.story_id,
            status="closed" if status == "closed" else "open",
            update=state.update,
            title=state.title,
            first_seen=_datetime(state.first_seen),
            last_seen=_datetime(state.last_seen),
            article_count=state.originals + state.copies,
            copies=state.copies,
            members=list(state.members),
            members_truncated=state.members_truncated,
            sources=[
                StorySource(name=name, articles=state.sources[name])
                for name in _top(state.sources, _SUMMARY_SOURCES)
            ],
            countries=_top(state.countries, _SUMMARY_COUNTRIES),
            persons=_top(state.persons, _SUMMARY_NAMES),
            orgs=_top(state.orgs, _SUMMARY_NAMES),
            representative=RepresentativeArticle(
                id=state.representative_id,
                url=state.representative_url,
                title=state.representative_title,
            ),
            updated_at=_datetime(state.updated_at),
        )
