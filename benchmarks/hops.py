"""Where an article's time goes, hop by hop: shared by latency.py and e2e.py.

A reader of the pipeline's topics (read_committed) notes, per article and topic, the moment
the stage sent the record (its CreateTime: `stamped`) and the moment the reader received it
(`visible`); with the raw record's send time (`sent`) that splits each hop in two (see
`hop_breakdown`). Times are seconds since the epoch (`time.time`), as CreateTime is.
"""

from __future__ import annotations

from newswire.topics import CLEANED, ENRICHED, TAGGED, UNIQUE

# The hops in order: each stage's output topic (the story stage's is the enriched topic).
HOPS = (("prepare", CLEANED), ("dedup", UNIQUE), ("enrich", TAGGED), ("story", ENRICHED))

# One article's times on one topic, keyed by (unprefixed topic, article key).
Times = dict[tuple[str, str], float]


def quantile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of `values`, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def hop_breakdown(
    sent: dict[str, float], stamped: Times, visible: Times
) -> dict[str, dict[str, float]]:
    """Per hop, the p50 and p99 (ms) of two spans of each article in `sent`: `work` from its
    input becoming visible to read_committed readers (for the first hop: sent) to the stage
    sending its output (the record's CreateTime: fetch wait, batching, processing), and
    `commit` from that send to the output becoming visible (the rest of the transaction,
    the markers, the last stable offset moving). A hop none of them reached is left out."""
    figures: dict[str, dict[str, float]] = {}
    previous: dict[str, float] = dict(sent)
    for stage, topic in HOPS:
        work: list[float] = []
        commit: list[float] = []
        for article, before in previous.items():
            out, seen = stamped.get((topic, article)), visible.get((topic, article))
            if out is None or seen is None:
                continue
            work.append(out - before)
            commit.append(seen - out)
        # The next hop's input: when this hop's output became visible, for the articles
        # measured (looked up per article: `visible` holds every article the reader saw).
        previous = {a: visible[(topic, a)] for a in sent if (topic, a) in visible}
        if work:
            figures[stage] = {
                "work_p50": quantile(work, 0.5) * 1000,
                "work_p99": quantile(work, 0.99) * 1000,
                "commit_p50": quantile(commit, 0.5) * 1000,
                "commit_p99": quantile(commit, 0.99) * 1000,
            }
    return figures


def article_trace(
    sent: dict[str, float], stamped: Times, visible: Times
) -> dict[str, dict[str, float]]:
    """Each measured article's times: `sent`, and per topic `<topic>.sent` and `.visible`."""
    trace: dict[str, dict[str, float]] = {a: {"sent": t} for a, t in sent.items()}
    for (topic, article), at in stamped.items():
        if article in trace:
            trace[article][f"{topic}.sent"] = at
    for (topic, article), at in visible.items():
        if article in trace:
            trace[article][f"{topic}.visible"] = at
    return trace
