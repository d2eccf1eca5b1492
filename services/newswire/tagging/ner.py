"""The statistical NER models: spaCy pipelines installed from PyPI, loaded by name.

Each language has its own pipeline or none: the English model never reads French.
Labels are mapped onto one set (a French pipeline's PER is PERSON).

The model reads only what can name something (`chunks.entity_pieces`: paragraph by
paragraph, the capitalised words with a few words of context, not the sentences or long
stretches of one that have no capitalised word), and a piece it has
read before is answered from a bounded cache (`SpanCache`): news copies, revisions and
a source's standing paragraphs repeat text the model already tagged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import multiprocessing
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal, get_args

from newswire.heap import freeze_loaded
from newswire.tagging.chunks import Piece, entity_pieces, split_for_ner
from newswire.tagging.spans import NerSpan

# Tagging needs entities only. The parser, lemmatizer and attribute ruler are skipped, and
# so is the shared tok2vec once nothing kept listens to it (`_drop_unheard_tok2vec`).
_NOT_NEEDED = ("parser", "lemmatizer", "attribute_ruler", "senter", "tagger", "morphologizer")
# English (OntoNotes) labels as they are; the WikiNER labels of other pipelines mapped
# onto them. MISC (events, works, nationalities mixed) is left out.
_LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORG",
    "GPE": "GPE",
    "LOC": "LOC",
    "NORP": "NORP",
    "FAC": "FAC",
}
WANTED_LABELS = frozenset(_LABELS.values())
# Longest piece handed to a model in one go, before its own max_length applies: a paragraph
# longer than this (a page without paragraph breaks) is cut at sentence ends.
PIECE_LIMIT = 100_000
# Docs per `nlp.pipe` batch. Pieces are about a paragraph each, shorter than articles, so
# a batch of 64 carries the text of about 16 articles (measured 5-9% less CPU than 32).
PIPE_BATCH = 64
# How a model's layers multiply matrices. "openblas": numpy's matmul (OpenBLAS, which
# numpy's wheels carry, with kernels for the CPU it runs on), one thread per process;
# "blis": thinc's default, the blis package. Only the layers' products move (the token
# vectors and the NER's precomputed features, most of the work); the transition parser's
# small per-step products stay on blis, which thinc hands it whatever the ops say. Same
# weights, float32 either way: the entities found were identical on every development
# file, and OpenBLAS took 30-40% less NER CPU per article here (docs/performance.md,
# "Now: OpenBLAS, no unheard tok2vec, batches of 64").
Matmul = Literal["openblas", "blis"]
MATMULS: tuple[Matmul, ...] = get_args(Matmul)
_process_matmul: Matmul = "openblas"
# Pipelines this pool process has loaded and frozen (`_pool_model`).
_frozen_models: set[str] = set()


class ModelNotInstalledError(RuntimeError):
    """The configured spaCy pipeline package is not installed."""


def installed(name: str) -> bool:
    """Whether the spaCy pipeline package `name` is installed (without importing spaCy)."""
    return importlib.util.find_spec(name) is not None


def model_for(
    language: str | None, english_model: str | None, language_models: Mapping[str, str]
) -> str | None:
    """The NER model for an article in `language`: the English model for English (and
    for text whose language is unknown), the configured and installed model of another
    language, else None (countries only)."""
    if language in {None, "en"}:
        return english_model
    name = language_models.get(language)
    return name if name and installed(name) else None


def configure_process(matmul: Matmul) -> None:
    """Make this process multiply matrices the `matmul` way in every model it loads from
    now on (OpenBLAS: held to one thread, as a NER pool runs one process per core already).
    What each NER pool process runs first. A worker that tags in a thread
    (`NEWSWIRE_NER_PROCESSES=0`) calls it too, so the setting and the one-thread limit
    then hold for the whole worker process, the last call winning."""
    if matmul not in MATMULS:
        raise ValueError(f"unknown matmul {matmul!r}; one of {', '.join(MATMULS)}")
    global _process_matmul  # noqa: PLW0603 - one setting per process, set before loading
    _process_matmul = matmul


def _one_blas_thread() -> None:
    # threadpoolctl limits only the libraries already loaded: numpy (and its BLAS) first.
    import numpy  # noqa: F401, PLC0415 - loaded for its BLAS, before the limit
    from threadpoolctl import threadpool_limits  # noqa: PLC0415 - only tagging processes

    threadpool_limits(limits=1, user_api="blas")


def _drop_unheard_tok2vec(nlp: Any) -> None:
    # en_core_web_sm's and fr_core_news_sm's NER embed their own tok2vec; the shared one
    # feeds only the tagger, parser and morphologizer left out here. Run anyway, it doubled
    # the token-vector work for an output nothing read (about a fifth of NER's CPU).
    if "tok2vec" in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe("tok2vec"), "listening_components", None)
        if listeners == []:  # a Tok2Vec component, and nothing kept listens to it
            nlp.remove_pipe("tok2vec")


def use_numpy_matmul(nlp: Any) -> None:
    """Make every layer of every component of `nlp` hand its matrix products to numpy
    (thinc's own switch: `NumpyOps(use_blis=False)`); the parser's per-step products stay
    on blis."""
    from thinc.api import NumpyOps  # noqa: PLC0415 - comes with spaCy

    ops = NumpyOps(use_blis=False)
    for _, component in nlp.components:
        model = getattr(component, "model", None)
        for node in model.walk() if model is not None else ():
            node.ops = ops


def load_model(name: str) -> Any:
    """The spaCy pipeline package `name`, with only what NER needs enabled (no shared
    tok2vec that no kept component listens to), multiplying matrices as
    `configure_process` set (OpenBLAS on one thread unless told otherwise). It must be
    pip-installed (nothing is downloaded at run time)."""
    return _load_model(name, _process_matmul)


def load_as_installed(name: str) -> Any:
    """The spaCy pipeline package `name` as installed, less the components NER does not
    need (its shared tok2vec kept, spaCy's own matrix products): what `load_model` starts
    from, and the reference the benchmarks and tests compare it with."""
    import spacy  # noqa: PLC0415 - heavy; only processes that tag load it

    try:
        return spacy.load(name, exclude=list(_NOT_NEEDED))
    except OSError as exc:
        raise ModelNotInstalledError(
            f"spaCy pipeline {name!r} is not installed; pip install the package that carries it "
            "(see NEWSWIRE_NER_MODEL in docs/configuration.md)"
        ) from exc


@lru_cache(maxsize=4)
def _load_model(name: str, matmul: Matmul) -> Any:
    nlp = load_as_installed(name)
    _drop_unheard_tok2vec(nlp)
    if matmul == "openblas":
        _one_blas_thread()
        use_numpy_matmul(nlp)
    return nlp


def entity_spans(docs: Iterable[Any]) -> list[list[NerSpan]]:
    """The wanted entities of each processed spaCy doc, as plain spans."""
    return [
        [
            NerSpan(_LABELS[ent.label_], ent.start_char, ent.end_char, ent.text)
            for ent in doc.ents
            if ent.label_ in _LABELS
        ]
        for doc in docs
    ]


def model_spans(
    texts: Sequence[str],
    model_name: str,
    batch_size: int = PIPE_BATCH,
    max_chars: int | None = None,
) -> list[list[NerSpan]]:
    """The model's spans of every text as it is (no selection, no cache), batched through
    `nlp.pipe`. A text longer than the model's `max_length` (or `max_chars`, when
    smaller) is read in pieces cut at paragraph or sentence ends, its spans moved back to
    offsets in the whole text. What a NER pool process runs."""
    nlp = load_model(model_name)
    limit = min(nlp.max_length, max_chars or nlp.max_length)
    pieces: list[tuple[int, int, str]] = [
        (index, offset, piece)
        for index, text in enumerate(texts)
        for offset, piece in split_for_ner(text, limit)
    ]
    spans: list[list[NerSpan]] = [[] for _ in texts]
    # Words first seen in this batch leave the model's vocabulary with it: a long-running
    # process would otherwise keep every name and number it ever read.
    with nlp.memory_zone():
        found = entity_spans(nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size))
    for (index, offset, _), piece_spans in zip(pieces, found, strict=True):
        spans[index] += [
            NerSpan(s.label, s.start + offset, s.end + offset, s.text) for s in piece_spans
        ]
    return spans


def warm_up(model: str | None) -> float:
    """Load the NER model in this (pool) process; return the seconds it took."""
    started = time.perf_counter()
    if model:
        _pool_model(model)
    return time.perf_counter() - started


def ner_job(texts: list[str], model: str, max_chars: int | None = None) -> list[list[NerSpan]]:
    """NER spans of `texts` (pieces already chosen) with `model`: what a pool process does
    for one batch. It lives here, beside the model, so that a pool process imports only
    this module and spaCy, not the worker's tagging and cleaning code."""
    _pool_model(model)
    return model_spans(texts, model, max_chars=max_chars)


def _pool_model(name: str) -> None:
    # A NER pool process keeps its pipelines for life: once one is loaded, freeze it out of
    # the collector's full passes. Only in a pool's own process: a worker that tags in a
    # thread freezes once itself, after loading (worker.app), and a test or benchmark that
    # loads and drops pipelines must not have them frozen (their reference cycles would
    # then never be freed).
    load_model(name)
    if name not in _frozen_models and multiprocessing.parent_process() is not None:
        _frozen_models.add(name)
        freeze_loaded()


def ner_pieces(text: str, limit: int = PIECE_LIMIT) -> list[Piece]:
    """What the model reads of `text`: the pieces that can name something
    (`entity_pieces`), a piece longer than `limit` characters cut into parts that tile it,
    each keeping the share of the core it holds (so the context around the core's ends is
    still read, and a span reaching into the core from it still counts)."""
    found: list[Piece] = []
    for piece in entity_pieces(text):
        if len(piece.text) <= limit:
            found.append(piece)
            continue
        for inner, part in split_for_ner(piece.text, limit):
            keep_start = max(0, piece.keep_start - inner)
            keep_end = min(len(part), piece.keep_end - inner)
            if keep_start < keep_end:
                found.append(Piece(piece.offset + inner, part, keep_start, keep_end))
    return found


def place_spans(pieces: Sequence[Piece], found: Mapping[str, Sequence[NerSpan]]) -> list[NerSpan]:
    """The spans of a text from those `found` in the text of each of its `pieces`: only
    those that overlap the piece's kept core (a name may end in a lower-case word of the
    context: "Ministry of defence"), moved to offsets in the text."""
    return [
        NerSpan(s.label, s.start + piece.offset, s.end + piece.offset, s.text)
        for piece in pieces
        for s in found[piece.text]
        if s.start < piece.keep_end and piece.keep_start < s.end
    ]


class SpanCache:
    """The spans the model found in a piece of text, for the `capacity` pieces used most
    recently (per model). Keys are digests of the text, so a long piece costs 16 bytes of
    key; capacity 0 keeps nothing."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[bytes, tuple[NerSpan, ...]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def _key(model: str, piece: str) -> bytes:
        # The model name is the digest's personalisation, so no name and text can run
        # together into another pair's key.
        digest = hashlib.blake2b(
            piece.encode("utf-8", "surrogatepass"),
            digest_size=16,
            person=hashlib.blake2b(model.encode(), digest_size=16).digest(),
        )
        return digest.digest()

    def get(self, model: str, piece: str) -> tuple[NerSpan, ...] | None:
        """The cached spans of `piece` read by `model`, or None."""
        key = self._key(model, piece)
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found

    def put(self, model: str, piece: str, spans: Sequence[NerSpan]) -> None:
        """Remember the spans of `piece`, forgetting the least recently used beyond capacity."""
        if self.capacity <= 0:
            return
        key = self._key(model, piece)
        self._entries[key] = tuple(spans)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def missing_pieces(
    texts_pieces: Iterable[Sequence[Piece]], model: str, cache: SpanCache | None
) -> tuple[dict[str, Sequence[NerSpan]], list[str]]:
    """(spans known for the texts of pieces, texts still to read, each once) for the
    pieces of a batch."""
    known: dict[str, Sequence[NerSpan]] = {}
    todo: dict[str, None] = {}
    for pieces in texts_pieces:
        for piece in (p.text for p in pieces):
            if piece in known or piece in todo:
                continue
            cached = cache.get(model, piece) if cache is not None else None
            if cached is None:
                todo[piece] = None
            else:
                known[piece] = cached
    return known, list(todo)


def run_ner(
    texts: list[str],
    model_name: str,
    batch_size: int = PIPE_BATCH,
    max_chars: int | None = None,
    cache: SpanCache | None = None,
) -> list[list[NerSpan]]:
    """NER spans for every text, offsets in the whole text: the model reads only the
    pieces that can name something (`ner_pieces`), each distinct piece once, and none
    that `cache` already holds."""
    pieces = [ner_pieces(text, max_chars or PIECE_LIMIT) for text in texts]
    known, todo = missing_pieces(pieces, model_name, cache)
    for piece, spans in zip(todo, model_spans(todo, model_name, batch_size), strict=True):
        known[piece] = spans
        if cache is not None:
            cache.put(model_name, piece, spans)
    return [place_spans(p, known) for p in pieces]
