"""`newswire eval tagging`: matching rules and the report's last line."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
from click.testing import CliRunner

from newswire.cli import main
from newswire.tagging.evaluate import defensible_primaries, match_counts, names_match

SEEDS = Path(__file__).resolve().parents[3] / "seeds"


def test_names_match_ignoring_case_titles_punctuation_and_the() -> None:
    assert names_match("the Kremlin", "Kremlin")
    assert names_match("President Vladimir Putin", "vladimir putin")
    assert names_match("Mamlouk", "Ali Mamlouk")
    assert not names_match("Ali", "Ali Mamlouk")


def test_matching_is_one_to_one() -> None:
    assert match_counts(["Mamlouk", "Mamlouk"], ["Ali Mamlouk"]) == (1, 1, 0)


def test_eval_command_scores_and_writes_predictions(tmp_path: Path) -> None:
    seed = sorted(SEEDS.glob("*.txt"))[2].name
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(
        orjson.dumps(
            {
                "doc": seed,
                "countries": ["IR", "SY", "US"],
                "primary": "SY",
                "persons": ["Ali Mamlouk", "Ali Shamkhani"],
                "orgs": ["SANA"],
            }
        )
        + b"\n"
    )
    out = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(
        main,
        ["eval", "tagging", "--gold", str(gold), "--texts", str(SEEDS), "--predictions", str(out)],
    )
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    assert re.fullmatch(
        r"countries_f1=\d\.\d{3} persons_f1=\d\.\d{3} orgs_f1=\d\.\d{3} primary_acc=\d\.\d{3}", last
    )
    [prediction] = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert list(prediction) == ["doc", "countries", "primary", "persons", "orgs"]
    assert {"IR", "SY"} <= set(prediction["countries"])
    assert "Ali Mamlouk" in prediction["persons"]


def test_defensible_primaries_come_from_the_note() -> None:
    gold = {"primary": "AF", "notes": "Primary AF (US defensible: the actor; PS defensible)."}
    assert defensible_primaries(gold) == {"AF", "US", "PS"}
    assert defensible_primaries({"primary": None, "notes": "US defensible"}) == set()
    assert defensible_primaries({"primary": "AU"}) == {"AU"}
