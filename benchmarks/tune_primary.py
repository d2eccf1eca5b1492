"""Primary-country weights tuned on one development file and measured on the other.

    cd benchmarks && ../.venv/bin/python tune_primary.py --texts DIR

DIR holds the seeds and lee*.cor (as for `newswire eval tagging`). Each file's texts are
cleaned and read by NER once; every mention the country tagger resolves is described by
the tagger's own roles (kind, speaker, setting, region, in the lead sentence, first,
restated); then a grid of weights is scored on both files. For each file the best
settings on it are printed with what they score on the other (the held-out figure; among
tied settings, the one with the widest margin), then leave-one-out estimates over both
files pooled: see docs/tagging.md.
"""

from __future__ import annotations

import argparse
import itertools
from collections import defaultdict
from pathlib import Path

import orjson

from newswire.clean import clean_article
from newswire.config import get_settings
from newswire.tagging import countries
from newswire.tagging.evaluate import defensible_primaries, load_text
from newswire.tagging.gazetteer import load_gazetteer
from newswire.tagging.ner import run_ner

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
FILES = ("gold_dev.jsonl", "gold_dev_more.jsonl")
# (code, counts fully, speaker, setting, in the lead sentence, first, region, restated)
Mention = tuple[str, bool, bool, bool, bool, bool, bool, bool]
Params = tuple[float, float, float, float, float, float, float, float]


Doc = tuple[str | None, list[Mention], set[str]]


def describe(gold_file: Path, texts_dir: Path) -> list[Doc]:
    """Gold primary, the described mentions and the primaries the gold note calls
    defensible, of every document of `gold_file`."""
    gold = [orjson.loads(line) for line in gold_file.read_bytes().splitlines() if line.strip()]
    texts = [clean_article(load_text(texts_dir, g["doc"])).text for g in gold]
    spans = run_ner(texts, get_settings().ner_model)
    gaz = load_gazetteer()
    docs = []
    for g, text, found in zip(gold, texts, spans, strict=True):
        result = countries.tag_countries(text, found, gaz)
        roles = countries.mention_roles(text, result.mentions)
        mentions = [
            (
                m.code,
                m.kind in {"name", "place"},
                role.speaker,
                role.setting,
                role.lead,
                i == 0,
                role.region,
                role.restated,
            )
            for i, (m, role) in enumerate(zip(result.mentions, roles, strict=True))
        ]
        docs.append((g["primary"], mentions, defensible_primaries(g)))
    return docs


def scores(mentions: list[Mention], params: Params) -> dict[str, float]:
    """Each country's primary score under `params`: demonym/institution weight, speaker
    factor, setting bonus, first-mention bonus, lead-mention bonus, lead-setting bonus,
    exponent, region bonus."""
    (
        other_kind,
        speaker_factor,
        setting_bonus,
        first_bonus,
        lead_bonus,
        lead_setting,
        exponent,
        region_bonus,
    ) = params
    counted: dict[str, float] = defaultdict(float)
    bonus: dict[str, float] = defaultdict(float)
    for code, full, is_speaker, setting, lead, first, region, restated in mentions:
        voice = speaker_factor if is_speaker else 1.0
        counted[code] += (1.0 if full else other_kind) * voice * (not restated)
        bonus[code] += setting_bonus * setting + lead_bonus * lead
        bonus[code] += first_bonus * first * voice
        bonus[code] += lead_setting * (lead and setting) + region_bonus * region
    return {code: value**exponent + bonus[code] for code, value in counted.items()}


def primary(mentions: list[Mention], params: Params) -> str | None:
    """The primary country under `params`, as `countries._primary` chooses it."""
    score = scores(mentions, params)
    if not score:
        return None
    order = {m[0]: i for i, m in reversed(list(enumerate(mentions)))}
    best = min(score, key=lambda c: (-score[c], order[c]))
    return best if score[best] / sum(score.values()) >= 0.2 else None


def margin(doc: Doc, params: Params) -> float:
    """How clearly `params` picks the gold primary: its score minus the best other
    country's, as a share of all scores (the share `_primary` thresholds on); negative
    when another country wins, -1 when the gold country has no evidence."""
    gold, mentions, _ = doc
    score = scores(mentions, params)
    if gold not in score:
        return -1.0
    rival = max((v for c, v in score.items() if c != gold), default=0.0)
    return (score[gold] - rival) / sum(score.values())


def accuracy(docs: list[Doc], params: Params) -> float:
    """Primary accuracy over the documents whose gold primary is set."""
    scored = [(gold, primary(m, params)) for gold, m, _ in docs if gold is not None]
    return sum(gold == found for gold, found in scored) / len(scored)


def lenient(docs: list[Doc], params: Params) -> float:
    """Primary accuracy when a country the gold note calls defensible counts too."""
    scored = [(ok, primary(m, params)) for gold, m, ok in docs if gold is not None]
    return sum(found in ok for ok, found in scored) / len(scored)


def widest(docs: list[Doc], settings: list[Params]) -> list[Params]:
    """Of settings tied on accuracy, those that pick the gold primaries of `docs` most
    clearly (the largest summed `margin`): one accuracy point is one document, so ties are
    common, and the margin says which tied setting sits furthest from the next miss."""
    total = {p: sum(margin(d, p) for d in docs if d[0] is not None) for p in settings}
    best = max(total.values())
    return [p for p in settings if total[p] == best]


def leave_one_out(
    docs: dict[str, list[Doc]], grid: list[Params], by_margin: bool = False
) -> dict[str, float]:
    """Both files pooled: for each document with a gold primary, the weights best on all
    the others (ties averaged, or first broken by the widest margin) scored on it; the
    mean per file and overall. An estimate for unseen documents of either kind that does
    not hang on one file's labels."""
    right: list[list[bool]] = []  # per document, per setting
    margins: list[list[float]] = []
    owner: list[str] = []
    for name in FILES:
        for doc in docs[name]:
            if doc[0] is not None:
                right.append([primary(doc[1], p) == doc[0] for p in grid])
                margins.append([margin(doc, p) for p in grid] if by_margin else [])
                owner.append(name)
    totals = [sum(doc[j] for doc in right) for j in range(len(grid))]
    spread = [sum(doc[j] for doc in margins) for j in range(len(grid))] if by_margin else []
    held: list[float] = []
    for doc, doc_margins in zip(right, margins, strict=True):
        rest = [total - hit for total, hit in zip(totals, doc, strict=True)]
        best = max(rest)
        ties = [j for j, r in enumerate(rest) if r == best]
        if by_margin:
            wide = {j: spread[j] - doc_margins[j] for j in ties}
            widest_margin = max(wide.values())
            ties = [j for j in ties if wide[j] == widest_margin]
        held.append(sum(doc[j] for j in ties) / len(ties))
    result = {
        name: _mean([h for h, o in zip(held, owner, strict=True) if o == name]) for name in FILES
    }
    result["both"] = _mean(held)
    return result


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--texts", type=Path, required=True)
    args = parser.parse_args()
    docs = {name: describe(EVAL / name, args.texts) for name in FILES}
    grid: list[Params] = list(
        itertools.product(
            [0.3, 0.5, 1.0], [0.5], [0, 0.5], [0.5, 1.0, 1.5, 2.0, 3.0], [0, 0.5, 1.0],
            [0, 1.0, 2.0, 3.0, 4.0], [0.5, 0.7, 1.0], [0, 1.0, 2.0],
        )
    )  # fmt: skip
    scores = {p: {name: accuracy(docs[name], p) for name in FILES} for p in grid}
    code = (1.0, 0.5, 0.0, 1.5, 0.0, 1.0, 0.7, 2.0)
    print("in the code", code, {n: round(scores[code][n], 3) for n in FILES})
    for tuned, held in (FILES, FILES[::-1]):
        best = max(s[tuned] for s in scores.values())
        ties = [p for p, s in scores.items() if s[tuned] == best]
        held_out = sorted(scores[p][held] for p in ties)
        print(
            f"tuned on {tuned}: best {best:.3f} ({len(ties)} settings); held out {held}: "
            f"{held_out[0]:.3f}-{held_out[-1]:.3f}"
        )
        for p in ties:
            print("   ", p, f"{scores[p][held]:.3f}", f"(lenient {lenient(docs[held], p):.3f})")
        chosen = widest(docs[tuned], ties)
        print(
            f"  widest margin on {tuned}: "
            + ", ".join(f"{p} {scores[p][held]:.3f}" for p in chosen)
        )
    # The code has no bonus for a mere mention in the lead sentence (only for a setting
    # there): its own weights are the grid with that one at 0.
    own = [p for p in grid if p[4] == 0]
    for label, settings in (("the method's weights", own), ("every weight", grid)):
        for by_margin in (False, True):
            loo = leave_one_out(docs, settings, by_margin)
            ties = "widest margin" if by_margin else "ties averaged"
            print(
                f"leave-one-out, both files pooled, {label} ({len(settings)} settings, "
                f"{ties}): " + ", ".join(f"{name} {value:.3f}" for name, value in loo.items())
            )


if __name__ == "__main__":
    main()
