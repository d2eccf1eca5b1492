"""Country names in the article's own language, from CLDR (Babel) and pycountry's
translations, plus the names GeoNames gives big cities in every script.

One small gazetteer per language, built the first time an article in that language is
seen, searched beside the main (English and language-neutral) one. Languages that
inflect get their affixes: Russian and other Slavic case endings after a stem ("Сирии"
from "Сирия"), Arabic conjunctions and the article before a name ("والأردن") and the
adjective endings after it ("السوري").
"""

from __future__ import annotations

import gettext
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from newswire.tagging.gazetteer import Gazetteer, Sense, city_records, curated_data

# Cities this big are named in many languages by GeoNames; their names in other scripts
# and spellings ("Damasco", "Дамаск", "دمشق") stand for their country.
_FOREIGN_CITY_POPULATION = 300_000
_SLAVIC = frozenset({"ru", "uk", "be", "bg", "sr", "pl", "cs", "sk", "sl", "hr", "bs", "mk"})
_SLAVIC_ENDINGS = frozenset(
    {
        "а", "я", "у", "ю", "е", "и", "ы", "ой", "ей", "ом", "ем", "ию", "ии", "ия", "ью",
        "ами", "ями", "ях", "ах", "ов", "ев", "ёй", "a", "y", "u", "e", "i", "ie", "ii", "ę",
        "ą", "o", "em", "om", "iej", "ach", "ami",
    }
)  # fmt: skip
_SLAVIC_STEM_VOWELS = "аяеоиыйьaeiouyě"
_ARABIC = frozenset({"ar", "fa", "ur"})
_ARABIC_PREFIXES = frozenset(
    {"و", "ب", "ل", "ف", "ك", "ال", "وال", "بال", "لل", "ولل", "فال", "كال", "وب", "ول"}
)
_ARABIC_SUFFIXES = frozenset({"ي", "ية", "يين", "يون", "يا", "يه", "ا", "ة"})
_MIN_STEM = 4


def _babel_names(language: str) -> dict[str, str]:
    """CLDR territory names for `language` (empty when CLDR has no such locale)."""
    from babel import Locale, UnknownLocaleError  # noqa: PLC0415

    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return {}
    territories: dict[str, str] = dict(locale.territories)
    return territories


def _pycountry_names(language: str) -> dict[str, list[str]]:
    """pycountry's translated country names for `language`, by alpha-2 code."""
    import pycountry  # noqa: PLC0415

    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return {}
    names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            english = getattr(country, attr, None)
            if english:
                translated = translation.gettext(english)
                if translated != english:
                    names.setdefault(country.alpha_2, []).append(translated)
    return names


def supported(language: str) -> bool:
    """Whether countries can be named in `language` from CLDR or pycountry data."""
    return bool(_babel_names(language) or _pycountry_names(language))


def _add_name(gaz: Gazetteer, name: str, sense: Sense, stems: set[str] | None) -> None:
    """Add `name`; for a Slavic language (`stems` given) also its stem, which takes case
    endings."""
    name = name.strip()
    if len(name) < 2 or "(" in name or ", " in name:
        return
    gaz.add(name, sense)
    if name[-1] in "اة" and len(name) > _MIN_STEM:
        gaz.add(name[:-1], sense)  # Arabic "سوري" (Syrian) from "سوريا"
    if stems is not None and " " not in name and len(name) > _MIN_STEM:
        stem = name[:-1] if name[-1].lower() in _SLAVIC_STEM_VOWELS else name
        gaz.add(stem, sense)
        stems.add(stem)


@lru_cache(maxsize=1)
def _big_city_names() -> tuple[tuple[str, str, int], ...]:
    """(name, country, population) of the names in other scripts and spellings of every
    city of 300,000 people or more: read once, shared by every language."""
    found: set[tuple[str, str, int]] = set()
    for name, code, population, alternates in city_records():
        if population < _FOREIGN_CITY_POPULATION:
            continue
        for alt in {name, *alternates}:
            if len(alt) >= _MIN_STEM and not alt.isascii() and alt[0].isalpha():
                found.add((alt, code, population))
    return tuple(sorted(found))


_RU_ADJECTIVE_ENDINGS = ("ий", "ая", "ое", "ие", "ого", "ому", "ой", "ом", "ую", "их", "им", "ими")
_DE_ADJECTIVE_ENDINGS = ("", "e", "en", "er", "es", "em")


def _french_forms(word: str) -> list[str]:
    if word.endswith("ien"):
        return [word, word + "ne", word + "s", word + "nes"]
    if word.endswith(("ais", "ois")):
        return [word, word + "e", word + "es"]
    if word.endswith("e"):
        return [word, word + "s"]
    return [word, word + "e", word + "s", word + "es"]


def _spanish_forms(word: str) -> list[str]:
    if word.endswith("o"):
        return [word, word[:-1] + "a", word + "s", word[:-1] + "as"]
    if word.endswith(("és", "án")):
        base = word[:-2] + word[-2].translate(str.maketrans("éá", "ea")) + word[-1]
        return [word, base + "a", base + "es", base + "as"]
    if word.endswith("í"):
        return [word, word + "es", word + "s"]
    if word.endswith(("e", "a")):
        return [word, word + "s"]
    return [word, word + "a", word + "es", word + "as"]


_INFLECTIONS: dict[str, Callable[[str], list[str]]] = {
    "fr": _french_forms,
    "es": _spanish_forms,
    "de": lambda stem: [stem + ending for ending in _DE_ADJECTIVE_ENDINGS],
    "ru": lambda stem: [stem + ending for ending in _RU_ADJECTIVE_ENDINGS],
}


def inflect(language: str, word: str) -> list[str]:
    """The forms of a demonym adjective as `data/gazetteer.yaml` lists it (French and
    Spanish: masculine singular; German: the stem "amerikanisch"; Russian: the stem
    "американск"): gender and number, and the case endings of German and Russian.
    Regular endings only; an irregular form is listed in the data as a word of its own."""
    forms = _INFLECTIONS.get(language)
    return forms(word) if forms else [word]


def _add_curated(gaz: Gazetteer, language: str, stems: set[str] | None) -> None:
    """Short forms and demonyms of `language` from data/gazetteer.yaml (`languages`), and
    compounds that contain a demonym but name no country ("nord-américain")."""
    foreign: dict[str, Any] = (curated_data().get("languages") or {}).get(language) or {}
    for code, names in (foreign.get("names") or {}).items():
        for name in names:
            _add_name(gaz, name, Sense(code, "name", curated=True), stems)
    for code, names in (foreign.get("demonyms") or {}).items():
        for name in names:
            for form in inflect(language, name):
                # Forms are listed whole (a Slavic stem would take noun endings too), in
                # lower case and capitalised (a sentence's first word, "Deutsche Bank").
                for cased in {form, form[:1].upper() + form[1:]}:
                    gaz.add(cased, Sense(code, "demonym", curated=True), lower_case=True)
    for name in foreign.get("none") or []:
        for form in inflect(language, name):
            for cased in {form, form[:1].upper() + form[1:]}:
                gaz.add(cased, Sense("", "none", curated=True), lower_case=True)


_COMMON_WORDS = 1000


def _common_words(language: str) -> frozenset[str]:
    """The `_COMMON_WORDS` most frequent words of `language` in wordfreq's small list
    (empty when wordfreq has no list for it)."""
    from wordfreq import top_n_list  # noqa: PLC0415

    try:
        return frozenset(top_n_list(language, _COMMON_WORDS, wordlist="small"))
    except LookupError:
        return frozenset()


@cache
def load_language_gazetteer(language: str) -> Gazetteer | None:
    """Country names (and big cities' local names) in `language`, or None for English
    and for languages that neither CLDR nor pycountry covers. Built once per language."""
    if language == "en":
        return None
    import pycountry  # noqa: PLC0415

    codes = {c.alpha_2 for c in pycountry.countries}
    babel = _babel_names(language)
    translated = _pycountry_names(language)
    if not babel and not translated:
        return None
    slavic = language in _SLAVIC
    stems: set[str] | None = set() if slavic else None
    gaz = Gazetteer()
    if slavic:
        gaz.suffixes = _SLAVIC_ENDINGS
    if language in _ARABIC:
        gaz.prefixes = _ARABIC_PREFIXES
        gaz.suffixes = _ARABIC_SUFFIXES
    for code, name in babel.items():
        if code in codes:
            _add_name(gaz, name, Sense(code, "name", curated=True), stems)
    for code, names in translated.items():
        for name in names:
            _add_name(gaz, name, Sense(code, "name", curated=True), stems)
    _add_curated(gaz, language, stems)
    for name, code, population in _big_city_names():
        _add_name(gaz, name, Sense(code, "place", population=population), stems)
    gaz.common_words = _common_words(language)
    if stems is not None:
        gaz.stems = frozenset(stems)
    if language in _ARABIC:
        gaz.stems = frozenset(gaz.senses)
    gaz.build()
    return gaz
