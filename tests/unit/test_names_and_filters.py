"""One set of matching rules for tail and routes: organisations by acronym and parent body,
people by surname, countries by code, name or demonym; filter kinds AND, values OR."""

from __future__ import annotations

import pytest

from newswire.models.events import EntityTag
from newswire.routing import Route
from newswire.subscribe.filters import EventFilter, UnknownCountryError, country_codes
from newswire.subscribe.names import fold_name, org_matches, person_matches
from tests.unit.test_routes import event

UNSC = "United Nations Security Council"


@pytest.mark.parametrize(
    ("wanted", "named"),
    [
        ("United Nations", UNSC),
        ("UN", UNSC),
        ("UN Security Council", UNSC),
        ("United Nations", "UN Security Council"),
        ("United Nations", "UN"),
        ("U.N.", "United Nations"),
        ("EU", "European Union"),
        ("Organization of the Petroleum Exporting Countries", "OPEC"),
        ("the Pentagon", "Pentagon"),
        ("hezbollah", "Hezbollah"),
    ],
)
def test_organisations_that_are_the_same_or_a_body_of_the_wanted_one_match(
    wanted: str, named: str
) -> None:
    assert org_matches(wanted, named)


@pytest.mark.parametrize(
    ("wanted", "named"),
    [
        ("UN", "Unicef"),
        ("United Nations", "United"),
        ("UN Security Council", "United Nations"),  # the council is not all of the UN
        ("Sputnik", "RIA Novosti"),
    ],
)
def test_other_organisations_do_not(wanted: str, named: str) -> None:
    assert not org_matches(wanted, named)


def test_people_match_by_full_name_or_one_of_its_words() -> None:
    assert person_matches("Ali Mamlouk", "Ali Mamlouk")
    assert person_matches("Mamlouk", "Ali Mamlouk")
    assert person_matches("Ali Mamlouk", "Mamlouk")
    assert person_matches("Bashar al-Assad", "President Bashar al-Assad")
    assert not person_matches("Ali Mamlouk", "Ali Khamenei")


def test_names_fold_case_punctuation_and_a_leading_the() -> None:
    assert fold_name("The  U.S. State Department") == "us state department"


def test_countries_are_codes_names_or_demonyms() -> None:
    assert country_codes("sy") == country_codes("Syria") == country_codes("Syrians") == {"SY"}
    assert country_codes("UK") == country_codes("British") == {"GB"}
    with pytest.raises(UnknownCountryError, match="did you mean syria"):
        country_codes("Syriaa")


def test_filters_of_different_kinds_and_values_of_one_kind_or() -> None:
    syria_un = event({"SY": 1.0}).model_dump(mode="json") | {
        "entities": [{"name": UNSC, "kind": "org"}, {"name": "Ali Mamlouk", "kind": "person"}]
    }
    assert EventFilter.of(["Syria"], orgs=["UN"]).matches(syria_un)
    assert not EventFilter.of(["UA"], orgs=["UN"]).matches(syria_un)
    assert EventFilter.of(["UA", "SY"]).matches(syria_un)
    assert not EventFilter.of(persons=["Mamlouk"], orgs=["Sputnik"]).matches(syria_un)
    assert EventFilter.of(persons=["Mamlouk"], orgs=["Sputnik", "UN"]).matches(syria_un)


def test_the_readme_route_for_the_un_takes_a_security_council_story() -> None:
    route = Route(topic="news.orgs.un", orgs=frozenset({"United Nations"}))
    council = EntityTag(name=UNSC, kind="org", count=1, mentions=[])
    assert route.matches(event({"SY": 1.0}).model_copy(update={"entities": [council]}))
    assert not route.matches(event({"SY": 1.0}))
