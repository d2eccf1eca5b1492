"""Cleaning on the seed articles: all named boilerplate gone, every article sentence kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newswire.clean import canonical_url, clean_article
from newswire.clean.article import EmptyArticleError
from newswire.clean.language import detect_language

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))
BOILERPLATE = [
    "Logo Wide",
    "Skip to main content",
    "Advertisement",
    "Live broadcast",
    "Read Also:",
    "Helpful keywords",
    "Озвучить текст",
    "Переведено сервисом",
    "This article was translated and edited by",
    "Source: Asharq Al-Awsat",
    "The views expressed",
    "Photo: Global Look Press",
    "Select important",
]
# Lines of the seed files that are furniture, not article: what the sentence check skips.
FURNITURE_LINE = re.compile(
    r"^(Logo Wide|Helpful keywords|Skip to main content|Advertisement|Live broadcast|0|On|Off|Select important|"
    r"Озвучить текст|Photo: .*|Read Also: .*|Source: .*|The Syrian Observatory For Human Rights|"
    r"This article was translated.*|The views expressed.*|Переведено.*)$"
)


def article_sentences(raw: str) -> list[str]:
    sentences = []
    for raw_line in raw.splitlines():
        line = " ".join(raw_line.split())
        if not line or FURNITURE_LINE.match(line):
            continue
        title = line.split(" • ")[0]  # the page title's site-name suffix
        sentences += [s for s in re.split(r"(?<=[.!?])\s+", title) if s]
    return sentences


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_boilerplate_is_gone(seed: Path) -> None:
    text = clean_article(seed.read_text()).text
    for phrase in BOILERPLATE:
        assert phrase not in text


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_every_article_sentence_is_kept(seed: Path) -> None:
    text = " ".join(clean_article(seed.read_text()).text.split())
    missing = [s for s in article_sentences(seed.read_text()) if s not in text]
    assert missing == []


def test_repeated_headlines_appear_once() -> None:
    text = clean_article((SEEDS[2]).read_text()).text
    assert text.count("High-level Syrian-Iranian Intelligence Meeting in Tehran") == 1


def test_site_name_is_cut_from_the_page_title() -> None:
    result = clean_article(SEEDS[4].read_text())
    assert (
        result.title == "Tehran, Damascus Hold Security Coordination Meeting to Confront US Moves"
    )
    assert "Syrian Observatory For Human Rights" not in result.text


def test_html_furniture_is_dropped_and_paragraphs_kept() -> None:
    html = """<html><head><title>Ignored</title><script>var x=1;</script></head><body>
    <nav>Home | World</nav><div class="share-buttons">Share on Facebook</div>
    <article><h1>Floods hit the coast</h1><p>Heavy rain <a href="#">flooded</a> the town.</p>
    <p>Officials said the water would recede.</p><aside>Related: other floods</aside></article>
    <footer>© 2024 Example</footer></body></html>"""
    result = clean_article(html, "html")
    assert result.title == "Floods hit the coast"
    assert result.text.split("\n\n") == [
        "Floods hit the coast",
        "Heavy rain flooded the town.",
        "Officials said the water would recede.",
    ]


def test_unicode_and_whitespace_are_normalised() -> None:
    text = clean_article("Cafe\u0301  talks\u00a0began.\r\nZero\u200bwidth gone.").text
    assert text == "Café talks began.\n\nZerowidth gone."


def test_a_disclaimer_inside_a_one_paragraph_article_takes_only_its_sentence() -> None:
    # Scrapers that flatten a page to one line must not lose the article with the footer.
    text = (
        "Talks resumed in Damascus on Monday. This article was translated and edited by "
        "The Syrian Observer. Officials said more meetings would follow next week."
    )
    cleaned = clean_article(text).text
    assert cleaned == (
        "Talks resumed in Damascus on Monday. Officials said more meetings would follow next week."
    )


def test_only_boilerplate_is_an_error() -> None:
    with pytest.raises(EmptyArticleError):
        clean_article("Advertisement\nSkip to main content\n")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTP://WWW.Example.com:80/news/story/?utm_source=x&id=3#top",
            "https://example.com/news/story?id=3",
        ),
        ("https://example.com/a?b=2&a=1&fbclid=zz", "https://example.com/a?a=1&b=2"),
        ("https://example.com/", "https://example.com/"),
        ("urn:newswire:file:seed.txt", "urn:newswire:file:seed.txt"),
    ],
)
def test_urls_are_canonicalised(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


def test_language_comes_from_the_bundled_model() -> None:
    language = detect_language(clean_article(SEEDS[0].read_text()).text)
    assert language is not None and language.code == "en" and language.score > 0.5
    assert detect_language("12 34 !!") is None


def test_language_is_read_from_the_article_not_its_first_line() -> None:
    # A German credit line opening a French article: the library's default of reading
    # 80 characters called this German.
    credits = "Reuters / AFP / dpa, 12.03.2024, 14:05 Uhr. Photo: Reuters. Video: AFP. Audio: dpa. "
    body = (
        "La Syrie et le Liban ont signé vendredi un accord sur leur frontière commune, "
        "après des mois de négociations menées sous l'égide de la France et des Nations unies. "
    ) * 3
    language = detect_language(credits + body)
    assert language is not None and language.code == "fr"
