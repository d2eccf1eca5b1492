"""How the NER model runs: only the components NER needs (no shared tok2vec nothing
listens to), its layers' matrix products on OpenBLAS with one thread in every pool
process (a replacement process too) unless blis is asked for, and the same entities as
the pipeline as installed."""

from __future__ import annotations

import asyncio
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import get_args

import pytest

from newswire.config import Settings
from newswire.tagging import ner
from newswire.tagging.service import TaggingService

from .probes import MODEL, how_this_process_tags

DATA = Path(__file__).parents[2] / "data"
SEEDS = sorted((Path(__file__).parents[3] / "seeds").glob("*.txt"))
FRENCH = Settings.model_construct().ner_language_model_map["fr"]


async def probe(service: TaggingService) -> tuple[list[str], set[bool], list[int]]:
    executor = service._executor
    assert isinstance(executor, ProcessPoolExecutor)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor, how_this_process_tags)


def test_the_setting_offers_exactly_the_ways_the_model_knows() -> None:
    assert get_args(Settings.model_fields["ner_matmul"].annotation) == ner.MATMULS
    assert Settings.model_construct().ner_matmul == "openblas"
    with pytest.raises(ValueError, match="unknown matmul"):
        ner.configure_process("mkl")  # type: ignore[arg-type]


@pytest.mark.slow
async def test_a_pool_process_runs_ner_alone_on_one_openblas_thread() -> None:
    service = TaggingService(MODEL, processes=1)
    service.start()
    try:
        assert await probe(service) == (["ner"], {False}, [1])
    finally:
        service.close()


@pytest.mark.slow
async def test_a_replacement_pool_process_is_configured_as_the_first() -> None:
    # blis, not the module's default, so that only the pool's initializer can explain it.
    service = TaggingService(MODEL, processes=1, matmul="blis")
    service.start()
    try:
        assert (await probe(service))[1] == {True}
        (victim,) = [p.pid for p in service._executor._processes.values()]  # type: ignore[union-attr]
        os.kill(victim, signal.SIGKILL)
        await service.tag_many(["Kofi Annan flew to Nairobi."], languages=["en"])
        assert service.restarts == 1
        assert (await probe(service))[1] == {True}
    finally:
        service.close()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("model", "paths"),
    [(MODEL, SEEDS), (FRENCH, sorted((DATA / "multilingual").glob("fr_*.txt")))],
)
def test_the_entities_are_those_of_the_pipeline_as_installed(model: str, paths: list[Path]) -> None:
    texts = [path.read_text() for path in paths]
    assert len(texts) >= 4
    installed = ner.load_as_installed(model)
    assert "tok2vec" in installed.pipe_names  # type: ignore[attr-defined]
    expected = ner.entity_spans(installed.pipe(texts))  # type: ignore[attr-defined]
    assert sum(map(len, expected)) > 20  # the texts name many things
    for matmul in ner.MATMULS:
        loaded = ner._load_model(model, matmul)
        assert loaded.pipe_names == ["ner"]
        assert ner.entity_spans(loaded.pipe(texts)) == expected


def _blank_with_tok2vec(ner_listens: bool) -> object:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("tok2vec")
    own = {"@architectures": "spacy.HashEmbedCNN.v2", "width": 96, "depth": 2,
           "embed_size": 300, "window_size": 1, "maxout_pieces": 3, "subword_features": True,
           "pretrained_vectors": None}  # fmt: skip
    heard = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    model = {
        "@architectures": "spacy.TransitionBasedParser.v2",
        "state_type": "ner",
        "extra_state_tokens": False,
        "hidden_width": 16,
        "maxout_pieces": 2,
        "use_upper": True,
        "tok2vec": heard if ner_listens else own,
    }
    nlp.add_pipe("ner", config={"model": model}).add_label("PERSON")  # type: ignore[attr-defined]
    nlp.initialize()
    return nlp


@pytest.mark.parametrize("ner_listens", [True, False])
def test_the_shared_tok2vec_goes_only_when_nothing_kept_listens(ner_listens: bool) -> None:
    nlp = _blank_with_tok2vec(ner_listens)
    ner._drop_unheard_tok2vec(nlp)
    assert nlp.pipe_names == (["tok2vec", "ner"] if ner_listens else ["ner"])  # type: ignore[attr-defined]
    assert list(nlp("Kofi Annan flew to Nairobi."))  # type: ignore[operator]
