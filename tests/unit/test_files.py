"""Texts without a URL get ids from their content: two different texts never share one,
the same text is the same article, an edited file is a new article unless the user names
it; JSON errors name the file and the line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest

from newswire.ingest.files import article_from_text, articles_from_path, articles_from_stdin

FIRST = "The council met on Tuesday and agreed a budget for the coming year."
SECOND = "Rain is expected across the north of the country for most of the week."


def from_stdin(text: str, **identity: str) -> str:
    [article] = articles_from_stdin(source="cli", stream=StringIO(text), **identity)
    return article.id


def test_two_different_stdin_texts_get_different_ids_and_the_same_text_the_same() -> None:
    assert from_stdin(FIRST) != from_stdin(SECOND)
    assert from_stdin(FIRST) == from_stdin(FIRST)


def test_a_given_id_or_url_keeps_one_identity_across_edits() -> None:
    assert from_stdin(FIRST, article_id="budget") == from_stdin(SECOND, article_id="budget")
    by_url = from_stdin(FIRST, url="https://example.com/budget")
    assert by_url == from_stdin(SECOND, url="https://example.com/budget")


def test_an_edited_file_is_a_new_article_with_a_new_url(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text(FIRST)
    [before] = articles_from_path(path, source="cli")
    path.write_text(FIRST + " It takes effect in April.")
    [after] = articles_from_path(path, source="cli")
    assert before.id != after.id and str(before.url) != str(after.url)
    assert before.id.startswith("story-")  # the name stays readable


def test_a_file_with_a_url_keeps_its_name_as_id() -> None:
    article = article_from_text("a.txt", FIRST, source="cli", url="https://example.com/a")
    assert article.id == "a"


@pytest.mark.parametrize("suffix", [".jsonl", ".json"])
def test_bad_json_names_the_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"feed{suffix}"
    path.write_text("{oops\n")
    with pytest.raises(ValueError, match=f"{path}"):
        list(articles_from_path(path, source="cli"))
