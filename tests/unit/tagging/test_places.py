"""The place gazetteer (GeoNames >= 1,000 people, ISO 3166-2) and the evidence rules that
resolve names shared by several places, or by a place and a common word."""

from __future__ import annotations

from newswire.tagging.countries import tag_countries
from newswire.tagging.gazetteer import city_records, load_gazetteer
from newswire.tagging.spans import NerSpan


def codes(text: str, *spans: tuple[str, str]) -> list[str]:
    found = [NerSpan(label, text.index(s), text.index(s) + len(s), s) for label, s in spans]
    return [c.code for c in tag_countries(text, found).countries]


def test_small_towns_are_in_the_gazetteer() -> None:
    gaz = load_gazetteer()
    assert any(s.code == "AU" for s in gaz.senses["Millicent"])  # about 5,000 people
    assert any(s.code == "AU" for s in gaz.senses["Western Australian"])  # a state's adjective
    assert sum(1 for _ in city_records()) > 150_000


def test_a_small_town_needs_support_from_the_article() -> None:
    assert codes("The pilot was flying to Millicent when the engine failed.") == []
    assert codes("A nurse from Millicent, in South Australia, was hurt.") == ["AU"]


def test_common_words_that_are_towns_cost_no_country() -> None:
    text = "John Howard met George Bush. Howard said Bush agreed."
    spans = (("PERSON", "John Howard"), ("PERSON", "George Bush"))
    assert codes(text, *spans) == []
    assert codes("President Bush spoke about Mali.", ("PERSON", "Bush")) == ["ML"]


def test_a_great_city_beats_a_village_of_its_name_in_a_named_country() -> None:
    # Canada is named, and Ontario has a village called Brussels; the city is meant.
    assert codes("Canada's envoy flew to Brussels for talks.")[:2] == ["CA", "BE"] or set(
        codes("Canada's envoy flew to Brussels for talks.")
    ) == {"CA", "BE"}


def test_a_real_town_keeps_the_articles_reading() -> None:
    assert codes("Sydney, Nova Scotia, and the rest of Canada braced for the storm.") == ["CA"]


def test_a_place_after_another_countrys_possessive_is_that_countrys() -> None:
    assert codes("Militias attacked villages in East Timor's Los Palos district.") == ["TL"]


def test_seas_and_regions_that_contain_a_country_name_add_none() -> None:
    assert codes("The boat crossed the Indian Ocean towards the Middle East.") == []
    assert codes("He fought the Soviets in the 1980s.") == []


def test_a_country_named_as_the_setting_weighs_more() -> None:
    def norway(text: str) -> float:
        return next(c.salience for c in tag_countries(text).countries if c.code == "NO")

    assert norway("Officials of Canada met in Norway.") > norway("Officials of Canada met Norway.")


def test_a_town_after_a_personal_title_is_a_persons_name() -> None:
    # Powell and Williams are towns in the United States, which the text names.
    text = "The United States will act, Mr Powell said, and Mrs Williams agreed."
    us = next(c for c in tag_countries(text).countries if c.code == "US")
    assert [e.surface for e in us.evidence] == ["United States"]


def test_a_town_that_ends_a_longer_name_is_that_names_head_noun() -> None:
    # Alliance is a town in Ohio; here it ends the name of an Afghan faction.
    text = "The United States backed the Northern Alliance near Kabul."
    start = text.index("Northern")
    spans = [NerSpan("ORG", start - 4, start + len("Northern Alliance"), "the Northern Alliance")]
    us = next(c for c in tag_countries(text, spans).countries if c.code == "US")
    assert [e.surface for e in us.evidence] == ["United States"]


def test_a_continent_named_after_america_is_not_the_united_states() -> None:
    assert codes("Exports to Latin America and North America rose.") == []


def test_a_name_the_article_writes_after_the_is_no_place_where_it_stands_alone() -> None:
    # Tampa is a city in the United States; here it is a ship, and a book named after it.
    alone = "A book, Tampa, is published in Oslo next month."
    ship = "The Tampa crisis began in August. " + alone
    assert "US" in codes(alone, ("GPE", "Tampa"))
    start = ship.index("Tampa,")
    spans = [NerSpan("GPE", start, start + len("Tampa"), "Tampa")]
    assert "US" not in [c.code for c in tag_countries(ship, spans).countries]


def test_a_town_that_ends_a_persons_full_name_is_that_person() -> None:
    # Thorpe is a village in England; here it is the swimmer named in full before.
    text = "Ian Thorpe won again. Thorpe's coach was pleased."
    later = text.index("Thorpe's")
    alone = [NerSpan("GPE", later, later + len("Thorpe"), "Thorpe")]
    assert "GB" in [c.code for c in tag_countries(text, alone).countries]
    spans = [NerSpan("PERSON", 0, len("Ian Thorpe"), "Ian Thorpe"), *alone]
    assert [c.code for c in tag_countries(text, spans).countries] == []


def test_planets_are_no_places() -> None:
    # Earth (Texas) and Mars (Pennsylvania) are towns in GeoNames.
    assert codes("God put humans on Earth, not Mars.", ("LOC", "Earth"), ("LOC", "Mars")) == []


def test_a_town_named_where_something_happens_stands_beside_the_name_before_a_noun() -> None:
    # "the Mackay council" is the town's name before a noun, as "the Tampa crisis" is the
    # ship's: where the text says something happens "in Mackay", the town stands.
    text = "Heavy rain flooded homes in Mackay overnight, and the Mackay council opened shelters."
    start = text.index("Mackay")
    spans = [NerSpan("GPE", start, start + len("Mackay"), "Mackay")]
    assert [c.code for c in tag_countries(text, spans).countries] == ["AU"]
