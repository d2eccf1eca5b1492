"""NER jobs that kill the pool process running them, as the OOM killer would."""

from __future__ import annotations

import os
import signal

from newswire.tagging.service import ner_job
from newswire.tagging.spans import NerSpan

POISON = "POISON-PILL"


def killed_on_poison(texts: list[str], model: str, max_chars: int | None) -> list[list[NerSpan]]:
    """Like `ner_job`, but the process SIGKILLs itself when a text carries the marker."""
    if any(POISON in text for text in texts):
        os.kill(os.getpid(), signal.SIGKILL)
    return ner_job(texts, model, max_chars)
