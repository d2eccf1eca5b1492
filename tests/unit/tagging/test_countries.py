"""Country tagging: each kind of evidence and each ambiguity rule, on sentences written here."""

from __future__ import annotations

import pytest

from newswire.tagging.countries import MentionRole, lead_end, mention_roles, tag_countries
from newswire.tagging.spans import NerSpan


def codes(text: str, spans: list[NerSpan] | None = None) -> set[str]:
    return {c.code for c in tag_countries(text, spans).countries}


def kinds(text: str) -> dict[str, set[str]]:
    result = tag_countries(text)
    return {c.code: {e.kind for e in c.evidence} for c in result.countries}


@pytest.mark.parametrize(
    ("text", "code", "kind"),
    [
        ("Talks resumed in Syria on Monday.", "SY", "name"),
        ("The U.S. imposed new sanctions.", "US", "name"),
        ("Britain and the UK are one country here.", "GB", "name"),
        ("An Iranian delegation arrived.", "IR", "demonym"),
        ("Syrians returned to their homes.", "SY", "demonym"),
        ("Officials met in Tehran.", "IR", "place"),
        ("Shelling was reported near Quneitra.", "SY", "place"),
        ("Bushfires spread across New South Wales.", "AU", "place"),
        ("The Kremlin denied the report.", "RU", "institution"),
        ("The Pentagon confirmed the strike.", "US", "institution"),
        ("According to SANA, the convoy left.", "SY", "institution"),
        ("Hezbollah fighters were seen.", "LB", "institution"),
    ],
)
def test_each_kind_of_evidence(text: str, code: str, kind: str) -> None:
    assert kind in kinds(text)[code]


def test_evidence_points_at_the_text() -> None:
    text = "Leaders met in Tehran and Damascus."
    tag = next(c for c in tag_countries(text).countries if c.code == "IR")
    evidence = tag.evidence[0]
    assert text[evidence.start : evidence.end] == evidence.surface == "Tehran"
    assert tag.count == 1 and 0 < tag.salience <= 1


def test_longest_match_wins() -> None:
    assert codes("Fires in New South Wales.") == {"AU"}  # not GB via "Wales"


def test_territory_with_its_own_code_gets_it() -> None:
    assert codes("Asylum seekers landed on Christmas Island.") == {"CX"}


def test_regions_religions_and_seas_add_no_country() -> None:
    assert (
        codes("Kurdish and Arab leaders in the Middle East discussed the Black Sea and Europe.")
        == set()
    )


def test_currency_prefix_is_not_the_country() -> None:
    assert codes("The deal is worth $US 400 million.") == set()


def test_us_in_capitals_is_the_pronoun() -> None:
    assert codes("LET US PRAY FOR PEACE, SAID THE BISHOP.") == set()
    assert codes("THE US ARMY WITHDREW FROM THE AREA.") == {"US"}


def test_georgia_is_the_country_unless_the_story_is_american() -> None:
    assert codes("Russia bombed villages in Georgia, Moscow said.") >= {"GE", "RU"}
    assert "US" in codes(
        "Voters in Atlanta and across Georgia went to the polls in Ohio and Texas."
    )
    assert "GE" not in codes(
        "Voters in Atlanta and across Georgia went to the polls in Ohio and Texas."
    )


def test_jordan_and_chad_next_to_another_name_are_people() -> None:
    assert "JO" not in codes("Michael Jordan scored forty points.")
    assert "JO" not in codes("Pilgrims were baptised in the Jordan River.")
    assert "JO" in codes("Refugees crossed into Jordan last week.")
    assert "TD" not in codes("Chad Smith plays the drums.")
    assert "TD" in codes("Troops returned to Chad.")


def test_turkey_the_bird() -> None:
    assert "TR" not in codes("Turkey sandwiches were served.")
    assert "TR" in codes("Turkey closed its border.")


def test_a_place_inside_a_person_name_does_not_count() -> None:
    text = "Paris Hilton arrived late."
    assert "FR" not in codes(text, [NerSpan("PERSON", 0, 12, "Paris Hilton")])


def test_a_country_the_ner_mislabels_as_a_person_still_counts() -> None:
    text = "In Malawi, the harvest failed."
    assert "MW" in codes(text, [NerSpan("PERSON", 3, 9, "Malawi")])


def test_cities_sharing_a_name_follow_the_article() -> None:
    # Sydney (AU, the larger) and Sydney (CA): the article's other evidence decides.
    assert codes("Sydney was hit by storms, the Australian weather bureau said.") == {"AU"}
    assert "CA" in codes("Sydney, Nova Scotia, and the rest of Canada braced for the storm.")


def test_a_smaller_place_the_text_calls_a_province_or_city_stands_alone() -> None:
    # A modest single-word place needs support; a place-type noun next to it is support.
    assert codes("Floods hit Hunan overnight.") == set()
    assert codes("Floods hit Hunan province overnight.") == {"CN"}
    assert codes("In Hunan province, floods rose.") == {"CN"}
    assert codes("Floods hit the province of Hunan overnight.") == {"CN"}


def test_a_place_type_noun_after_a_longer_name_confirms_nothing() -> None:
    # "East" is a Cameroonian region, but here it ends "Middle East".
    assert codes("Fighters left the Middle East region for Europe.") == set()


def test_a_ship_called_after_a_city_is_not_the_city() -> None:
    assert "US" not in codes("The captain of the Tampa refused.")


def test_primary_is_the_most_salient_country() -> None:
    text = (
        "Syria's foreign minister visited Moscow. In Damascus, officials said Syria "
        "would expand ties. Syria and Russia signed an accord."
    )
    assert tag_countries(text).primary == "SY"


def test_no_country_no_primary() -> None:
    result = tag_countries("The committee met on Tuesday to discuss the budget.")
    assert result.countries == [] and result.primary is None


def test_a_country_that_only_speaks_counts_less_than_the_one_spoken_of() -> None:
    text = (
        "The United States government has said it wants new elections in Peru. Peruvian police "
        "detained protesters, and Peruvian courts stayed silent."
    )
    result = tag_countries(text)
    # The US is named first (the lead bonus) but as the speaker; Peru is the subject.
    assert result.primary == "PE"


def test_according_to_a_state_agency_marks_a_source() -> None:
    quiet = tag_countries("Talks went on in Cairo, according to SANA.")
    plain = tag_countries("Talks went on in Cairo and SANA covered them.")
    sy_quiet = next(c for c in quiet.countries if c.code == "SY")
    sy_plain = next(c for c in plain.countries if c.code == "SY")
    assert sy_quiet.salience < sy_plain.salience


def test_a_compass_word_marks_the_setting() -> None:
    quiet = tag_countries("Jets bombed the mountains of Afghanistan, Pakistan said.")
    located = tag_countries("Jets bombed the mountains of eastern Afghanistan, Pakistan said.")
    af = [next(c for c in r.countries if c.code == "AF") for r in (quiet, located)]
    assert af[1].salience > af[0].salience


def test_a_country_after_a_place_and_a_comma_is_the_setting() -> None:
    text = (
        "A yachtsman was killed in Amazonia, Brazil, today. He had sailed for New Zealand, "
        "won races for New Zealand and was a hero in New Zealand."
    )
    assert tag_countries(text).primary == "BR"


def test_whom_the_lead_is_about_outweighs_a_country_named_a_little_more() -> None:
    text = (
        "Australian families of the victims welcomed the verdicts. A Swiss court found six "
        "guides guilty. The trial in Switzerland lasted a month; the families flew home "
        "to Australia."
    )
    assert tag_countries(text).primary == "AU"


def test_a_village_name_inside_a_longer_name_adds_nothing_even_when_its_country_is_named() -> None:
    # Reserve is a village in the United States; here it is a word of "Reserve Bank".
    text = "Reserve Bank Governor Ian Macfarlane blamed the United States for the slump."
    spans = [NerSpan("ORG", 0, len("Reserve Bank"), "Reserve Bank")]
    us = next(c for c in tag_countries(text, spans).countries if c.code == "US")
    assert [e.surface for e in us.evidence] == ["United States"]


def test_where_someone_goes_is_not_the_setting() -> None:
    went = tag_countries("The envoy met Israeli leaders, then flew back to Washington.")
    stayed = tag_countries("The envoy met Israeli leaders, then stayed in Washington.")
    us = [next(c for c in r.countries if c.code == "US") for r in (went, stayed)]
    assert us[0].salience < us[1].salience


def test_an_official_named_with_an_apposition_marks_the_country_as_the_speaker() -> None:
    text = (
        "Chile's ambassador to Peru, Ana Soto, said the inquiry in Peru would take a month. "
        "Chile sent a team to Lima."
    )
    # Chile is named first and twice, but once as whose official speaks; Peru, the
    # country the official is posted to, is not taken for the speaker.
    assert tag_countries(text).primary == "PE"


def test_the_apposition_rule_needs_a_possessive() -> None:
    spoken = tag_countries("Chile's envoy to Peru, Ana Soto, said talks would go on in Lima.")
    posted = tag_countries("Chile's envoy to Peru, Ana Soto, met officials in Lima.")
    cl = [next(c for c in r.countries if c.code == "CL") for r in (spoken, posted)]
    pe = [next(c for c in r.countries if c.code == "PE") for r in (spoken, posted)]
    assert cl[0].salience < cl[1].salience
    assert pe[0].salience > pe[1].salience


@pytest.mark.parametrize(
    "text",
    [
        "SYDNEY, Dec 3 - Officials from Indonesia met. Indonesia said Indonesia would help.",
        "Talks\nSYDNEY (AAP) - Officials from Indonesia met. Indonesia said Indonesia would help.",
        "SYDNEY - Officials from Indonesia met. Indonesia said Indonesia would help.",
        "Sydney, December 3 - Officials from Indonesia met. Indonesia said Indonesia would help.",
    ],
)
def test_a_dateline_says_where_the_story_happens(text: str) -> None:
    result = tag_countries(text)
    assert result.mentions[0].dateline and result.mentions[0].code == "AU"
    assert result.primary == "AU"


def test_a_capitalised_dateline_is_read_as_the_name_it_spells() -> None:
    assert {c.code for c in tag_countries("NEW YORK, Dec 3 - Shares fell.").countries} == {"US"}


def test_a_name_and_a_comma_at_a_line_start_is_no_dateline() -> None:
    result = tag_countries("Israel, meanwhile, said Egypt and Egypt agreed.")
    assert not any(m.dateline for m in result.mentions)
    result = tag_countries("Israel - the talks went on in Egypt.")
    assert not any(m.dateline for m in result.mentions)


def roles_of(text: str, spans: list[NerSpan] | None = None) -> dict[str, list[MentionRole]]:
    """Each mention's role, by the words written."""
    result = tag_countries(text, spans)
    found: dict[str, list[MentionRole]] = {}
    for m, role in zip(result.mentions, mention_roles(text, result.mentions), strict=True):
        found.setdefault(m.surface, []).append(role)
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Iraqi and Iranian envoys ended their talks in Geneva without a deal.",
        "The summit in Geneva closed early.",
        "A regional security forum in Geneva heard both sides.",
        "Canberra may enlarge its diplomatic mission in Geneva.",
        "The minister said in Geneva that aid would resume.",
        "Foreign ministers held talks in central Geneva on Monday.",
    ],
)
def test_where_people_meet_or_speak_is_not_the_setting(text: str) -> None:
    # The Swiss city needs the article's support: "Swiss" gives it.
    assert [r.setting for r in roles_of(f"{text} Swiss police kept watch.")["Geneva"]] == [False]


@pytest.mark.parametrize(
    "text",
    [
        "Floods swept homes in Geneva overnight.",
        "A bomb exploded outside the embassy in Geneva, killing two.",
    ],
)
def test_where_something_happens_is_still_the_setting(text: str) -> None:
    roles = roles_of(f"{text} Swiss police kept watch.")
    assert [r.setting for r in roles["Geneva"]] == [True]


def test_countries_in_a_list_are_no_setting() -> None:
    listed = roles_of("The cell planned bombings in Kenya, Uganda and Tanzania next year.")
    alone = roles_of("The cell planned bombings in Kenya next year.")
    assert [r.setting for name in ("Kenya", "Uganda", "Tanzania") for r in listed[name]] == [
        False,
        False,
        False,
    ]
    assert alone["Kenya"][0].setting
    pair = roles_of("The cell planned bombings in Kenya and Uganda next year.")
    assert not pair["Kenya"][0].setting


@pytest.mark.parametrize(
    "text",
    [
        "A suicide bomber struck in Israel and the United States condemned the attack.",
        "Violence flared again in Israel, and Egypt urged calm.",
        "Shells fell in Israel and Egypt closed its border.",
    ],
)
def test_two_clauses_joined_by_and_are_no_list(text: str) -> None:
    assert roles_of(text)["Israel"][0].setting


def test_a_speakers_place_is_not_the_setting() -> None:
    spoken = roles_of("Company sources in Japan say the plant will close.")["Japan"][0]
    assert spoken.speaker and not spoken.setting


def test_a_place_after_an_origin_takes_the_origins_role() -> None:
    origin = roles_of("Ann Cole of Toowoomba in north Queensland, an Australian farmer, smiled.")
    scene = roles_of("Heavy rain fell near Toowoomba, in Queensland, Australian police said.")
    assert not origin["Queensland"][0].setting
    assert scene["Queensland"][0].setting


def test_motion_into_a_country_is_not_the_setting() -> None:
    assert not roles_of("The convoy crossed into Pakistan at dawn.")["Pakistan"][0].setting


def test_a_region_named_by_a_compass_word_marks_where_the_story_happens() -> None:
    region = roles_of("Jets struck caves in eastern Afghanistan.")["Afghanistan"][0]
    plain = roles_of("Jets struck caves in Afghanistan.")["Afghanistan"][0]
    assert region.region and region.setting
    assert plain.setting and not plain.region


def test_the_region_outweighs_an_actor_named_up_to_four_times() -> None:
    text = (
        "The United States has widened its air campaign in southern Iraq. The Pentagon "
        "says the raids will go on, and officials in Washington say the United States "
        "will not stop."
    )
    assert tag_countries(text).primary == "IQ"
    # Without the compass word the actor, named four times and first, stays primary.
    assert tag_countries(text.replace("southern ", "")).primary == "US"
    # Named a fifth time, the actor outweighs the region too: the power damps, not caps.
    again = text.replace("will not stop.", "will not stop until the United States is satisfied.")
    assert tag_countries(again).primary == "US"


def test_a_source_is_someone_not_a_supply() -> None:
    assert roles_of("Diplomatic sources in Haiti expect a vote.")["Haiti"][0].speaker
    assert roles_of("Sources in Haiti expect a vote.")["Haiti"][0].speaker
    water = roles_of("Cholera is spreading through water sources in Haiti.")["Haiti"][0]
    assert not water.speaker and water.setting


def test_a_country_in_brackets_after_a_place_is_no_acronym() -> None:
    roles = roles_of("Fighting continued in Kandahar (Afghanistan) on Monday.")
    assert not roles["Afghanistan"][0].restated


def test_the_lead_ends_at_a_sentence_not_at_an_abbreviation() -> None:
    text = "Gunmen attacked the U.S. Embassy in Kenya on Tuesday. Mr. Smith said so."
    assert [r.lead for r in roles_of(text)["Kenya"]] == [True]
    assert lead_end(text) == text.index(". Mr.")
    russian = "Президент России заявил в пятницу о новых мерах в Сирии. Министр сказал."
    assert lead_end(russian) == russian.index(". Министр")


def test_a_capitalised_compass_word_starts_a_name_and_locates_nothing() -> None:
    assert not roles_of("Jets struck caves in Southern Iraq.")["Iraq"][0].region
    assert roles_of("Jets struck caves in southern Iraq.")["Iraq"][0].region


@pytest.mark.parametrize(
    "where", ["southeastern Afghanistan", "south-eastern Afghanistan", "the northern city of Kabul"]
)
def test_a_compass_word_marks_a_region_however_it_is_spelt(where: str) -> None:
    roles = roles_of(f"Fighting raged in {where}.")
    assert any(r.region and r.setting for rs in roles.values() for r in rs)


def test_a_dateline_stays_the_setting_when_a_reporting_verb_follows() -> None:
    text = (
        "KABUL (Reuters) - US officials said on Sunday that American jets bombed caves. "
        "The Pentagon said the raids would go on and Washington agreed."
    )
    kabul = roles_of(text)["KABUL"][0]
    assert kabul.setting and kabul.lead and not kabul.speaker
    assert tag_countries(text).primary == "AF"


def test_a_place_a_compass_word_locates_is_the_setting_even_where_people_speak() -> None:
    text = "US troops in eastern Afghanistan say they have found a cave."
    afghanistan = roles_of(text)["Afghanistan"][0]
    assert afghanistan.region and not afghanistan.speaker


def test_having_a_say_is_not_speaking() -> None:
    assert not roles_of("Voters in Australia will have their say on Saturday.")["Australia"][
        0
    ].speaker


def test_a_speaker_named_first_leads_the_story_only_half() -> None:
    story = (
        " Malian leaders welcomed the news, Malian troops stayed in their barracks and "
        "Mali's president thanked France."
    )
    # France is named first, but as who speaks: its lead bonus counts half, as its
    # mention does, and Mali, named four times, is the story.
    spoken = "A French envoy has told Malian officials that the talks will go on."
    assert tag_countries(spoken + story).primary == "ML"
    # Named first as the actor, France keeps the whole bonus.
    acting = "French troops escorted Malian officials to the talks."
    assert tag_countries(acting + story).primary == "FR"


def test_a_source_from_a_country_is_its_speaker_and_a_bracketed_acronym_restates() -> None:
    text = (
        "A source from Turkey's ruling Justice and Development Party (AKP) confirmed "
        "that the talks went ahead."
    )
    roles = roles_of(text)
    assert roles["Turkey"][0].speaker
    assert roles_of("Sources close to Russia's defence ministry expect talks.")["Russia"][0].speaker
    assert not roles_of("Talks with Russia's defence ministry went well.")["Russia"][0].speaker
    assert roles["AKP"][0].restated
    assert not roles["Justice and Development Party"][0].restated
    # An acronym that stands alone is a mention of its own.
    assert not roles_of("Officials of the AKP met in Ankara.")["AKP"][0].restated


def test_the_lead_sentence_is_marked() -> None:
    roles = roles_of("Floods hit villages in Peru. Canadian aid arrived in Peru.")
    assert [r.lead for r in roles["Peru"]] == [True, False]


def test_a_setting_counts_for_the_primary_only_in_the_lead_sentence() -> None:
    # Peru is where a part of the story happens, named three times further down; the lead
    # says the story is the Canadian miners'.
    text = (
        "Canadian miners have struck gold near a border town. The mine in Peru will open "
        "next year, workers in Peru have been hired and Peru's government approved it."
    )
    assert tag_countries(text).primary == "CA"
    # The same settings in the lead sentence make Peru the story.
    lead = (
        "Canadian miners have struck gold at the mine in Peru, and workers in Peru have "
        "been hired. Peru's government approved it."
    )
    assert tag_countries(lead).primary == "PE"
