"""Every CLI failure is one or two lines that say what to do, with exit status 1 (2 for
usage errors) and no traceback unless --debug or NEWSWIRE_LOG_LEVEL=DEBUG asks for one.
"Broker unreachable" is a closed port on loopback: nothing listens there."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.errors import KafkaConnectionError
from click.testing import CliRunner, Result

from newswire.cli import main
from newswire.config import get_settings
from newswire.kafka_local.launcher import free_port


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A CLI runner whose settings point at a port nothing listens on."""
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.delenv("NEWSWIRE_LOG_LEVEL", raising=False)
    monkeypatch.setenv("NEWSWIRE_BOOTSTRAP_SERVERS", f"127.0.0.1:{free_port()}")
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def short_failure(result: Result, caplog: pytest.LogCaptureFixture) -> list[str]:
    """The error lines of a failed command, checked to be short and traceback-free."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not any("Unclosed" in r.getMessage() for r in caplog.records), caplog.text
    assert 1 <= len(lines) <= 2, result.output
    assert lines[0].startswith("Error: ")
    return lines


BROKER_COMMANDS = [
    ["topics"],
    ["topics", "create"],
    ["tail", "enriched", "--timeout", "1"],
    ["replay", "--dry-run"],
    ["replay"],
    ["worker"],
]


@pytest.mark.parametrize("args", BROKER_COMMANDS, ids=" ".join)
def test_an_unreachable_broker_gives_a_hint_not_a_traceback(
    runner: CliRunner, caplog: pytest.LogCaptureFixture, args: list[str]
) -> None:
    caplog.set_level(logging.WARNING)
    lines = short_failure(runner.invoke(main, args), caplog)
    assert "cannot reach Kafka at 127.0.0.1:" in lines[0]
    assert "newswire kafka start" in lines[1] and "NEWSWIRE_BOOTSTRAP_SERVERS" in lines[1]


def test_produce_to_an_unreachable_broker_closes_its_producer(
    runner: CliRunner, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.WARNING)
    text = tmp_path / "story.txt"
    text.write_text("A council met on Tuesday and agreed a budget for the coming year.\n")
    for args, given in ((["produce", str(text)], None), (["produce", "-"], "Some text.\n")):
        lines = short_failure(runner.invoke(main, args, input=given), caplog)
        assert "newswire kafka start" in lines[1]


def test_debug_shows_the_traceback(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--debug", "topics"])
    assert isinstance(result.exception, KafkaConnectionError)


def test_debug_log_level_shows_the_traceback(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSWIRE_LOG_LEVEL", "debug")
    result = runner.invoke(main, ["topics"])
    assert isinstance(result.exception, KafkaConnectionError)


@pytest.mark.parametrize(
    ("variable", "value", "accepted"),
    [
        ("NEWSWIRE_NER_PROCESSES", "abc", "whole number"),
        ("NEWSWIRE_DEDUP_THRESHOLD", "high", "a number"),
        ("NEWSWIRE_LOG_FORMAT", "xml", "'json' or 'console'"),
    ],
)
def test_a_bad_setting_names_its_variable_and_what_it_accepts(
    runner: CliRunner,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    accepted: str,
) -> None:
    monkeypatch.setenv(variable, value)
    for args in (["config"], ["topics"], ["tail", "enriched"]):
        get_settings.cache_clear()
        [line] = short_failure(runner.invoke(main, args), caplog)
        assert f"{variable}='{value}'" in line and accepted in line


def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One.")
    (tmp_path / "b.txt").write_text("Two.")
    for args in (
        ["replay", "--stage", "nonsense"],
        ["tail", "enriched", "--country", "Narnia"],
        [
            "produce",
            "--url",
            "https://example.com/a",
            str(tmp_path / "a.txt"),
            str(tmp_path / "b.txt"),
        ],
        ["bogus"],
    ):
        result = runner.invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
    narnia = runner.invoke(main, ["tail", "enriched", "--country", "Narnia"])
    assert "ISO code (SY), a name (Syria) or a demonym (Syrian)" in narnia.output


def test_a_bad_json_lines_line_names_the_file_and_the_line(
    runner: CliRunner, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    feed = tmp_path / "feed.jsonl"
    good = '{"url": "https://example.com/a", "source": "Example", "body": "Text."}'
    feed.write_text(f"{good}\n\n{{not json\n")
    [line] = short_failure(runner.invoke(main, ["produce", str(feed)]), caplog)
    assert f"{feed}, line 3: not valid JSON" in line
    feed.write_text(f'{good}\n{{"url": "https://example.com/b", "source": "Example"}}\n')
    [line] = short_failure(runner.invoke(main, ["produce", str(feed)]), caplog)
    assert f"{feed}, line 2: body: Field required" in line


def test_a_missing_input_file_is_named(
    runner: CliRunner, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    [line] = short_failure(runner.invoke(main, ["produce", str(tmp_path / "nope.txt")]), caplog)
    assert "no such file or folder" in line and "nope.txt" in line


def test_eval_tagging_names_the_documents_its_texts_folder_lacks(
    runner: CliRunner, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"doc": "one.txt", "countries": [], "primary": null, "persons": [], "orgs": []}\n'
        '{"doc": "lee.cor#3", "countries": [], "primary": null, "persons": [], "orgs": []}\n'
    )
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "one.txt").write_text("Text.")
    args = ["eval", "tagging", "--gold", str(gold), "--texts", str(texts)]
    lines = short_failure(runner.invoke(main, args), caplog)
    assert "lacks 1 file(s) the gold names: lee.cor" in lines[0]
    assert "--texts" in lines[1]


def test_a_bad_routes_file_is_named_by_its_variable(
    runner: CliRunner,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    routes = tmp_path / "routes.yaml"
    monkeypatch.setenv("NEWSWIRE_ROUTES_FILE", str(routes))
    routes.write_text("routes:\n  - topic: news.x\n    countries: [Syria]\n")
    [line] = short_failure(runner.invoke(main, ["topics", "create"]), caplog)
    assert f"NEWSWIRE_ROUTES_FILE ({routes}) is not valid: routes.0.countries.0" in line
    routes.write_text("routes: [\n")
    [line] = short_failure(runner.invoke(main, ["topics", "create"]), caplog)
    assert "not valid YAML (check NEWSWIRE_ROUTES_FILE)" in line
