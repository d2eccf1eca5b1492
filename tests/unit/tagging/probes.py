"""What a NER pool process reports of itself: run in the pool, so module-level."""

from __future__ import annotations

from newswire.config import Settings
from newswire.tagging import ner

MODEL = Settings.model_construct().ner_model


def how_this_process_tags() -> tuple[list[str], set[bool], list[int]]:
    """The loaded model's components; whether its NER layers use blis (one value per kind
    of ops seen); the thread count of every BLAS library loaded in this process."""
    from threadpoolctl import threadpool_info

    nlp = ner.load_model(MODEL)
    use_blis = {bool(node.ops.use_blis) for node in nlp.get_pipe("ner").model.walk()}
    threads = [int(info["num_threads"]) for info in threadpool_info() if info["user_api"] == "blas"]
    return list(nlp.pipe_names), use_blis, threads


def frozen_objects() -> int:
    """How many objects this process has frozen out of the collector's full passes."""
    import gc

    return gc.get_freeze_count()
