"""What a NER pool process reports of itself: run in the pool, so module-level."""

from __future__ import annotations

from newswire.config import Settings
from newswire.tagging import ner

MODEL = Settings.model_construct().ner_model


def how_this_process_multiplies() -> tuple[set[bool], list[int]]:
    """Whether the loaded model's layers use blis (one value per kind of ops seen), and
    the thread count of every BLAS library loaded in this process."""
    from threadpoolctl import threadpool_info

    model = ner.load_model(MODEL).get_pipe("tok2vec").model
    use_blis = {bool(node.ops.use_blis) for node in model.walk()}
    threads = [int(info["num_threads"]) for info in threadpool_info() if info["user_api"] == "blas"]
    return use_blis, threads
