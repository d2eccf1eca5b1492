"""NER CPU per article, one process, by how the model is loaded: as installed (tok2vec +
ner, blis), with OpenBLAS for the layers' products, and as the worker's NER processes load
it (`newswire.tagging.ner.load_model`: the ner component alone, OpenBLAS); on the
e2e benchmark's whole texts and on the pieces the worker's NER reads of them. Rounds
alternate so that the machine's load falls on every loading alike; the entities of each
loading are checked equal to those as installed.

    cd benchmarks && ../.venv/bin/python bench_ner.py [--articles 600] [--rounds 2]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from threadpoolctl import threadpool_limits

from e2e_texts import build_articles
from newswire.config import Settings
from newswire.tagging import ner


def loadings(model: str) -> dict[str, Callable[[], Any]]:
    """Each way of loading the model, by name."""

    def as_installed() -> Any:
        return ner.load_as_installed(model)

    def openblas_with_tok2vec() -> Any:
        nlp = ner.load_as_installed(model)
        ner.use_numpy_matmul(nlp)
        return nlp

    def as_worker() -> Any:
        return ner._load_model(model, "openblas")

    return {
        "as installed (tok2vec + ner, blis)": as_installed,
        "OpenBLAS, tok2vec + ner": openblas_with_tok2vec,
        "as the worker loads it (ner, OpenBLAS)": as_worker,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    threadpool_limits(limits=1, user_api="blas")
    texts = build_articles(args.articles + 200)[200:]  # past e2e's warm-up texts
    inputs = {"whole texts": texts, "pieces": [p.text for t in texts for p in ner.ner_pieces(t)]}
    model = Settings().ner_model
    models = {name: load() for name, load in loadings(model).items()}
    found: dict[tuple[str, str], list[list[ner.NerSpan]]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for what, items in inputs.items():
            for name, nlp in models.items():
                list(nlp.pipe(items[:64], batch_size=64))
                started = time.process_time()
                spans = ner.entity_spans(nlp.pipe(items, batch_size=64))
                cpu.setdefault((what, name), []).append(time.process_time() - started)
                found[(what, name)] = spans
    print(f"articles={len(texts)} model={model} rounds={args.rounds} (CPU ms per article)")
    for what in inputs:
        reference = found[(what, next(iter(models)))]
        for name in models:
            ms = [1000 * c / len(texts) for c in cpu[(what, name)]]
            same = found[(what, name)] == reference
            print(
                f"{what:12} {name:40} {min(ms):6.2f} (rounds {', '.join(f'{m:.2f}' for m in ms)}) entities {'same' if same else 'DIFFER'}"
            )


if __name__ == "__main__":
    main()
