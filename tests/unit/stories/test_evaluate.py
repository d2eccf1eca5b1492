"""`newswire eval stories`: the seeds through the worker's stages, the scores, the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from click.testing import CliRunner

from newswire.cli import main
from newswire.stories.evaluate import bcubed_f1, cluster_documents, pairwise

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def test_seeds_002_and_004_share_a_story_and_the_others_stand_alone() -> None:
    docs = sorted(p.name for p in SEEDS.glob("*.txt"))
    story = cluster_documents(docs, [SEEDS])
    s000, s001, s002, s003, s004 = (story[d] for d in docs)
    assert s002 == s004
    assert len({s000, s001, s002, s003}) == 4


def test_pairwise_and_bcubed_scores() -> None:
    gold = {"a": "x", "b": "x", "c": "y", "d": "z"}
    predicted = {"a": "1", "b": "1", "c": "1", "d": "2"}
    counts = pairwise(gold, predicted, list(gold))
    assert (counts.tp, counts.fp, counts.fn) == (1, 2, 0)
    assert bcubed_f1(gold, gold, list(gold)) == 1.0
    assert 0.0 < bcubed_f1(gold, predicted, list(gold)) < 1.0


def test_eval_command_prints_the_scores_and_writes_predictions(tmp_path: Path) -> None:
    names = sorted(p.name for p in SEEDS.glob("*.txt"))
    gold = tmp_path / "gold.jsonl"
    labels = ["s0", "s1", "meeting", "s3", "meeting"]
    gold.write_bytes(
        b"".join(
            orjson.dumps({"doc": n, "story": s, "uncertain": False, "why": ""}) + b"\n"
            for n, s in zip(names, labels, strict=True)
        )
    )
    out = tmp_path / "predictions.jsonl"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "stories",
            "--gold",
            str(gold),
            "--texts",
            str(tmp_path),
            "--texts",
            str(SEEDS),
            "--predictions",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(
        r"story_pair_p=1\.000 story_pair_r=1\.000 story_pair_f1=1\.000 bcubed_f1=1\.000", last
    ), last
    lines = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert [line["doc"] for line in lines] == names
    assert lines[2]["story"] == lines[4]["story"]
