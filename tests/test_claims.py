"""Claims on fictional sentences (real place names), with exact expected outputs."""

from pathlib import Path

import pytest

from newsledger.analyze import claims as cl
from newsledger.analyze import framing as fr
from newsledger.analyze.pipeline import Context
from newsledger.schema import Article, Attribution, Mention, Place, Quote, Source

PUB = "2025-03-14T09:00:00+00:00"  # a Friday
NORTHWIND = Source(name="Northwind Gazette", domain="northwind.example", country="NO")
OUTLET = Attribution(name="Northwind Gazette", kind="outlet")


@pytest.fixture(scope="module")
def nlp():
    from newsledger.analyze.nlp import get_nlp

    return get_nlp()


@pytest.fixture(scope="module")
def run(nlp):
    comp = cl.load()
    framing = fr.load(())

    def _run(text, source=NORTHWIND, quotes=(), places=(), title=None, published=PUB):
        art = Article(id="t", text=text, published=published, source=source, title=title, language="en")
        ctx = Context(article=art, doc=nlp(text), quotes=list(quotes), places=list(places))
        ctx.framing = framing(ctx)
        return comp(ctx)

    return _run


def brief(c):
    return (c.type, c.modality, c.trigger.text,
            c.actor and (c.actor.code, c.actor.sector),
            c.place and c.place.name,
            c.date, c.date_text)


def test_capture_with_village_of_and_weekday(run):
    (c,) = run("Russian forces captured the village of Novoselivka on Thursday, the ministry said.")
    assert brief(c) == ("TAKE_CONTROL", "asserted", "captured", ("RUS", "military"), "Novoselivka",
                        "2025-03-13", "on Thursday")
    assert c.attributions == [Attribution("Northwind Gazette", "outlet"),
                              Attribution("the ministry", "organization", mention=Mention("the ministry", 64, 76))]
    assert (c.start, c.end, c.confidence) == (0, 82, 0.8)


def test_withdrawal_is_lose_control(run):
    (c,) = run("Ukrainian troops withdrew from Avdiivka yesterday.")
    assert brief(c) == ("LOSE_CONTROL", "asserted", "withdrew", ("UKR", "military"), "Avdiivka", "2025-03-13",
                        "yesterday")


def test_withdrawal_without_place_is_retreat(run):
    out = run("The rebels withdrew after the talks collapsed.")
    assert [(c.type, c.actor and (c.actor.text, c.actor.code, c.actor.sector)) for c in out] == [
        ("RETREAT", ("The rebels", None, "rebel")), ("CONSULT", None)]
    assert [c.confidence for c in out] == [0.3, 0.3]  # neither is tied to a known actor or place


def test_fighting_for_place_is_contested(run):
    (c,) = run("Fighting continues for control of Chasiv Yar.")
    assert brief(c) == ("CONTESTED", "asserted", "Fighting", None, "Chasiv Yar", None, None)


def test_continue_to_hold_is_contested(run):
    (c,) = run("Ukrainian defenders continue to hold Kupiansk.")
    assert brief(c)[:5] == ("CONTESTED", "asserted", "continue to hold", ("UKR", "military"), "Kupiansk")


def test_passive_fall_to(run):
    (c,) = run("Bakhmut fell to Wagner fighters.")
    assert brief(c)[:5] == ("TAKE_CONTROL", "asserted", "fell", ("RUS", "military"), "Bakhmut")


def test_driven_out_passive_is_loss_for_subject(run):
    (c,) = run("Russian soldiers were driven out of Kyiv region in early April.")
    assert brief(c) == ("LOSE_CONTROL", "asserted", "driven", ("RUS", "military"), None, "2024-04-01", "early April")


def test_capture_of_people_is_coerce(run):
    (c,) = run("Ukrainian forces captured twelve soldiers near Robotyne.")
    assert brief(c)[:5] == ("COERCE", "asserted", "captured", ("UKR", "military"), "Robotyne")


def test_denied_through_deny_and_possessive_owner(run):
    out = run("Moscow denied that its troops had shelled the hospital in Kharkiv.")
    assert [brief(c)[:5] for c in out] == [
        ("REJECT", "asserted", "denied", ("RUS", "government"), None),
        ("ASSAULT", "denied", "shelled", ("RUS", "military"), "Kharkiv"),
    ]


def test_possessive_pronoun_actor_is_its_owner_mention(run):
    # The subject was read before "its": the actor is that mention, not the pronoun.
    (c,) = run("The Georgian government said it regretted its invasion of the border village.")
    assert (c.type, c.actor.code, c.actor.text, c.actor.basis) == (
        "ASSAULT", "GEO", "The Georgian government", "inferred:context")
    assert (c.actor.start, c.actor.end) == (0, 23)


def test_negation_no_subject_is_denied(run):
    (c,) = run("No civilians were killed in Sumy, the governor said.")
    assert (c.type, c.modality) == ("ASSAULT", "denied")


def test_conditional_force_is_threaten(run):
    out = run("If Kyiv refuses, we will take Odesa by force, Colonel Ivan Dremov said.")
    threat = [c for c in out if c.type == "THREATEN"]
    assert [brief(c)[:5] for c in threat] == [("THREATEN", "conditional", "take", None, "Odesa")]
    assert threat[0].attributions[1].name == "Ivan Dremov"


def test_predicted_by_expected_to(run):
    (c,) = run("Russia is expected to launch a new offensive in the spring.")
    assert brief(c)[:4] == ("ASSAULT", "predicted", "offensive", ("RUS", "government"))
    assert c.date is None


def test_question_is_questioned(run):
    (c,) = run("Will Ukrainian forces recapture Crimea?")
    assert brief(c) == ("TAKE_CONTROL", "questioned", "recapture", ("UKR", "military"), "Crimea", None, None)


def test_whether_is_questioned(run):
    (c,) = run("Analysts doubt whether Russian troops captured Pishchane.")
    assert (c.type, c.modality) == ("TAKE_CONTROL", "questioned")


def test_light_verb_gives_way_to_event_noun(run):
    (c,) = run("The European Union imposed new sanctions on Russian banks last week.")
    assert brief(c) == ("SANCTION", "asserted", "sanctions", ("IGO", None), None, "2025-03-03", "last week")
    assert (c.target.text, c.target.code) == ("Russian banks", "RUS")


def test_accusation_swallows_its_content(run):
    (c,) = run("Ukraine accused Moscow of attacking grain ships.")
    assert brief(c)[:5] == ("ACCUSE", "asserted", "accused", ("UKR", "government"), None)
    assert (c.target.text, c.target.code) == ("Moscow", "RUS")


def test_threat_to_expel_is_one_threaten(run):
    (c,) = run("Moscow threatened to expel Estonian diplomats.")
    assert brief(c)[:4] == ("THREATEN", "asserted", "threatened", ("RUS", "government"))


def test_warning_about_third_party_reports_the_event(run):
    (c,) = run("Analysts warned that Russian troops could seize Kostiantynivka by the summer.")
    assert brief(c)[:5] == ("TAKE_CONTROL", "predicted", "seize", ("RUS", "military"), "Kostiantynivka")
    assert c.attributions == [Attribution("Northwind Gazette", "outlet"),
                              Attribution("Analysts", "person", mention=Mention("Analysts", 0, 8))]


def test_meeting_with_date_and_place(run):
    (c,) = run("Zelensky met Macron in Paris on December 3.")
    assert brief(c) == ("CONSULT", "asserted", "met", ("UKR", "government"), "Paris", "2024-12-03", "December 3")
    assert (c.target.code, c.target.sector) == ("FRA", "government")


def test_request_has_target_not_place(run):
    (c,) = run("Washington urged Kyiv to show restraint.")
    assert brief(c)[:5] == ("REQUEST", "asserted", "urged", ("USA", "government"), None)
    assert c.target.code == "UKR"


def test_protest_actor_sector(run):
    (c,) = run("Protesters rallied in Tbilisi against the new law.")
    assert brief(c)[:5] == ("PROTEST", "asserted", "rallied", (None, "civilian"), "Tbilisi")


def test_participle_agent_and_patient_with_year(run):
    (c,) = run("Seized by Russian forces in 2022, the Zaporizhzhia plant remains occupied.")
    assert brief(c) == ("TAKE_CONTROL", "asserted", "Seized", ("RUS", "military"), None, "2022-01-01", "in 2022")
    assert c.place.text == "the Zaporizhzhia plant"


def test_place_record_from_places_component_is_used(run):
    text = "Russian troops took control of Kupiansk, officials said."
    place = Place(text="Kupiansk", start=31, end=39, name="Kupiansk", geonames_id=703656, feature="city",
                  country_code="UA", lat=49.71, lon=37.61)
    (c,) = run(text, places=[place])
    assert (c.type, c.trigger.text) == ("TAKE_CONTROL", "took control of")
    assert (c.place.name, c.place.geonames_id, c.place.country_code, c.place.start, c.place.end) == (
        "Kupiansk", 703656, "UA", 31, 39)


def test_quoted_claim_is_asserted_by_the_speaker_reported_by_the_outlet(run):
    text = "“Our troops liberated Krasnohorivka,” said Colonel Petra Vance."
    quote = Quote(text="Our troops liberated Krasnohorivka,", kind="direct", start=1, end=36, speaker="Petra Vance",
                  speaker_mention=Mention("Colonel Petra Vance", 43, 62))
    (c,) = run(text, quotes=[quote])
    assert c.type == "TAKE_CONTROL"
    # the outlet relays a quote, only the speaker asserts it
    assert c.attributions == [Attribution("Northwind Gazette", "outlet", "reports"),
                              Attribution("Petra Vance", "person", mention=Mention("Colonel Petra Vance", 43, 62))]
    assert c.framing == ["liberation"]


def test_implicit_liberator_is_outlet_side(run):
    src = Source(name="Eastwind Herald", domain="eastwind.example", country="RU")
    out = run("The liberation of Pokrovsk was a turning point.", source=src)
    (c,) = out
    assert brief(c)[:5] == ("TAKE_CONTROL", "asserted", "liberation", ("RUS", "military"), "Pokrovsk")
    assert (c.actor.text, c.confidence, c.framing) == ("Russian forces", 0.5, ["liberation"])


def test_implicit_actor_from_dominant_military(run):
    text = ("Ukrainian forces shelled the outskirts on Monday.\n\n"
            "Ukrainian troops advanced overnight.\n\nThe capture of Robotyne followed.")
    out = run(text)
    cap = [c for c in out if c.type == "TAKE_CONTROL"]
    assert [(c.actor.code, c.actor.sector, c.confidence, c.place.name) for c in cap] == [
        ("UKR", "military", 0.5, "Robotyne")]


def test_anaphoric_city_links_to_headline_place(run):
    text = "The liberation of the strategic city was celebrated.\n\nResidents of Siversk were evacuated."
    place = Place(text="Siversk", start=66, end=73, name="Siversk", geonames_id=694403, feature="city",
                  country_code="UA")
    src = Source(name="Eastwind Herald", domain="eastwind.example", country="RU")
    (c, *_rest) = run(text, source=src, places=[place], title="Siversk liberated")
    assert (c.type, c.place.text, c.place.name, c.place.geonames_id) == (
        "TAKE_CONTROL", "the strategic city", "Siversk", 694403)


def test_framing_attached_to_trigger_and_actor_only(run):
    (c,) = run("Kiev regime forces shelled Donetsk, the Donbass authorities said.")
    assert (c.type, c.actor.code, c.actor.sector) == ("ASSAULT", "UKR", "military")
    assert c.framing == ["Kiev regime", "Kiev"]


def test_non_english_article_has_no_claims():
    art = Article(id="x", text="Российские войска заняли село.", language="ru")
    assert cl.extract_claims(Context(article=art, doc=None)) == []


def test_normalize_actor_table():
    got = [(a.code, a.sector) if a else None for a in map(cl.normalize_actor, [
        "Russian Armed Forces", "the Kremlin", "Zelensky", "Ukraine's 47th Brigade", "Hungarian officials",
        "Budapest", "NATO", "pro-Russian separatists", "they", "the farmers"])]
    assert got == [("RUS", "military"), ("RUS", "government"), ("UKR", "government"), ("UKR", "military"),
                   ("HUN", "government"), ("HUN", "government"), ("IGO", None), ("UKR", "rebel"), None,
                   (None, "civilian")]


SEED = Path(__file__).parent / "fixtures" / "seed_sputnik.txt"


def test_seed_article_end_to_end():
    """Whole pipeline on the seed: needs the extract, entities, quotes and places components."""
    try:
        from newsledger.analyze.pipeline import Analyzer
        from newsledger.extract import extract
        from newsledger.schema import Origin, RawDocument

        raw = RawDocument(origin=Origin(kind="dump", path=str(SEED)), format="dump",
                          content=SEED.read_text(encoding="utf-8"))
        analysis = Analyzer().analyze_one(extract(raw))
    except (ImportError, ModuleNotFoundError, NotImplementedError) as exc:  # other stages not ready yet
        pytest.xfail(f"pipeline not complete: {exc}")
    claims = analysis.claims
    take = [c for c in claims if c.type == "TAKE_CONTROL" and c.place and c.place.name == "Siversk"]
    assert take, [(c.type, c.place) for c in claims]
    first = take[0]
    assert (first.actor.code, first.actor.sector) == ("RUS", "military")
    assert [(a.name, a.role) for a in first.attributions] == [("Sputnik International", "asserts"),
                                                              ("Igor Korotchenko", "asserts")]
    assert first.framing == ["liberation"]
    assert first.place.text == "the strategic Donbass city"
    assert any(c.trigger.text == "fall" for c in take)
    threats = [c for c in claims if c.modality == "conditional"]
    assert [(c.type, c.trigger.text) for c in threats] == [("THREATEN", "by military means")]
    assert {f.term for f in analysis.framing} >= {"liberation", "special military operation", "Kiev"}
    text = analysis.article.text
    for c in claims:
        assert text[c.start:c.end] == c.sentence
        assert c.sentence == c.sentence.strip()


def test_claim_span_excludes_paragraph_break(run):
    text = "Rebels captured Sittwe on Monday.\n\nThe army denied it."
    (c,) = [c for c in run(text) if c.type == "TAKE_CONTROL"]
    assert (c.start, c.end, c.sentence) == (0, 33, "Rebels captured Sittwe on Monday.")
    assert text[c.start:c.end] == c.sentence


def test_must_clause_is_a_demand_of_the_clause_subject(run):
    (c,) = run("Britain said Moscow must withdraw its troops from Kherson.")
    assert brief(c)[:4] == ("REQUEST", "asserted", "must", ("GBR", "government"))
    assert (c.target.text, c.target.code) == ("Moscow", "RUS")


def test_civilian_blockade_is_protest_and_halted_aid_is_sanction(run):
    (block,) = run("Farmers blocked the bridge at Dorohusk.")
    (halt,) = run("Japan halted economic aid to Belarus.")
    assert (block.type, block.actor.sector) == ("PROTEST", "civilian")
    assert (halt.type, halt.actor.code) == ("SANCTION", "JPN")


def test_plover_category_folds_modality(run):
    from newsledger.schema import Claim

    def cat(t, m):
        return cl.plover_category(Claim(type=t, start=0, end=0, sentence="", modality=m))

    assert [cat("LOSE_CONTROL", "predicted"), cat("AID", "predicted"), cat("SANCTION", "predicted"),
            cat("AGREE", "denied"), cat("TAKE_CONTROL", "asserted"), cat("LOSE_CONTROL", "asserted"),
            cat("ASSAULT", "conditional"), cat("ACCUSE", "asserted")] == [
        "CONCEDE", "AGREE", "THREATEN", "REJECT", "ASSAULT", "RETREAT", "THREATEN", "ACCUSE"]


@pytest.mark.parametrize("text,future,expected", [
    ("on Thursday", False, ("2025-03-13", "on Thursday")),
    ("on Friday", False, ("2025-03-14", "on Friday")),
    ("on Friday", True, ("2025-03-14", "on Friday")),
    ("next Monday", False, ("2025-03-17", "next Monday")),
    ("last Friday", False, ("2025-03-07", "last Friday")),
    ("yesterday", False, ("2025-03-13", "yesterday")),
    ("two days ago", False, ("2025-03-12", "two days ago")),
    ("last week", False, ("2025-03-03", "last week")),
    ("earlier this week", False, ("2025-03-10", "earlier this week")),
    ("on December 3", False, ("2024-12-03", "December 3")),
    ("on December 3", True, ("2025-12-03", "December 3")),
    ("3 March", False, ("2025-03-03", "3 March")),
    ("in November", False, ("2024-11-01", "in November")),
    ("in March", False, ("2025-03-01", "in March")),
    ("last month", False, ("2025-02-01", "last month")),
    ("in 2022", False, ("2022-01-01", "in 2022")),
    ("Jan. 5, 2023", False, ("2023-01-05", "Jan. 5, 2023")),
    ("no date here", False, None),
])
def test_dates_resolve_against_publication(text, future, expected):
    from newsledger.analyze.dates import find_date

    got = find_date(text, PUB, future=future)
    assert (got[:2] if got else None) == expected


def test_dates_without_publication_or_bad_day():
    from newsledger.analyze.dates import find_date

    assert find_date("yesterday", None) is None
    assert find_date("on February 30", PUB) is None


def test_place_from_places_component_inside_the_clause_only(run):
    text = "Missiles hit a school in central Kharkiv overnight, the Sumy governor said."
    kharkiv = Place(text="Kharkiv", start=32, end=39, name="Kharkiv", geonames_id=706483, feature="city")
    sumy = Place(text="Sumy", start=55, end=59, name="Sumy", geonames_id=692194, feature="city")
    (c,) = run(text, places=[kharkiv, sumy])
    assert (c.type, c.place.name, c.place.geonames_id) == ("ASSAULT", "Kharkiv", 706483)


@pytest.mark.parametrize("text, trigger, denier", [
    ("The junta denied that rebels had captured Sittwe.", "captured", "The junta"),
    ("Kyiv rejected claims that Kurakhove had fallen.", "fallen", "Kyiv"),
    ("A Ukrainian army spokesman said there was no truth to reports that Russian troops had entered Kupiansk.",
     "entered", "A Ukrainian army spokesman"),
    ("Russian bloggers accused Kyiv of spreading fakes about the recapture of Robotyne.", "recapture",
     "Russian bloggers"),
    ("The ministry dismissed baseless reports that Kidal had been seized by rebels.", "seized", "The ministry"),
])
def test_reported_denial_is_denied_by_the_denier(run, text, trigger, denier):
    (c,) = [c for c in run(text) if c.type == "TAKE_CONTROL"]
    assert (c.trigger.text, c.modality) == (trigger, "denied")
    assert [(a.name, a.role) for a in c.attributions] == [("Northwind Gazette", "denies"), (denier, "denies")]


def test_claim_reported_without_denial_is_reported(run):
    (c,) = [c for c in run("Reports that rebels had captured Sittwe spread quickly.") if c.type == "TAKE_CONTROL"]
    assert c.modality == "reported"
    assert [(a.name, a.role) for a in c.attributions] == [("Northwind Gazette", "reports")]


@pytest.mark.parametrize("text, expected", [
    ("Government troops have been battling insurgents in Macomia.", ("ASSAULT", "Macomia")),
    ("Fighting has raged in and around Menaka since Thursday.", ("ASSAULT", "Menaka")),
    ("Rival militias clashed in Tirana on Monday.", ("ASSAULT", "Tirana")),
])
def test_a_fight_in_a_place_is_an_assault_not_a_contest(run, text, expected):
    out = run(text)
    assert not [c for c in out if c.type in cl.TERRITORIAL]
    assert [(c.type, c.place and c.place.name) for c in out if c.type == "ASSAULT"] == [expected]


@pytest.mark.parametrize("text, expected", [
    # non-state armed groups keep the rebel sector whatever their head noun, coded by their country
    ("Rapid Support Forces fighters seized the town of Sinja.",
     ("TAKE_CONTROL", "asserted", "seized", ("SDN", "rebel"), "Sinja")),
    ("Al-Shabaab militants took over the town of Adan Yabaal.",
     ("TAKE_CONTROL", "asserted", "took over", ("SOM", "rebel"), "Adan Yabaal")),
    ("Resistance fighters raised their flag over the police station in Hpakant.",
     ("TAKE_CONTROL", "asserted", "raised their flag over", (None, "rebel"), "Hpakant")),
    ("Israeli forces advanced into Rafah.", ("TAKE_CONTROL", "asserted", "advanced", ("ISR", "military"), "Rafah")),
    ("Israeli forces advanced towards Rafah.", ("CONTESTED", "asserted", "advanced", ("ISR", "military"), "Rafah")),
    ("Ukrainian units were forced out of Selydove.",
     ("LOSE_CONTROL", "asserted", "forced", ("UKR", "military"), "Selydove")),
    ("Ethiopian troops retook the town of Lalibela.",
     ("TAKE_CONTROL", "asserted", "retook", ("ETH", "military"), "Lalibela")),
    ("Colombian soldiers recovered control of the municipality of El Plateado.",
     ("TAKE_CONTROL", "asserted", "recovered control of", ("COL", "military"), "El Plateado")),
    ("Indian troops recaptured the peak.", ("TAKE_CONTROL", "asserted", "recaptured", ("IND", "military"), None)),
])
def test_territorial_lexicon_and_armed_groups(run, text, expected):
    out = [c for c in run(text) if c.type in cl.TERRITORIAL]
    assert brief(out[0])[:5] == expected


def test_uncoded_armed_group_takes_the_place_country(run):
    sittwe = Place(text="Sittwe", name="Sittwe", start=16, end=22, country_code="MM", feature="city")
    (c,) = [c for c in run("Rebels captured Sittwe on Monday.", places=[sittwe]) if c.type == "TAKE_CONTROL"]
    assert (c.actor.code, c.actor.sector, c.confidence) == ("MMR", "rebel", 0.7)


@pytest.mark.parametrize("text", [
    "The company took over a rival brewery in Kampala last year.",
    "The defending champions lost to Al Ahly in Cairo on Friday.",
])
def test_business_takeover_and_sports_loss_are_not_territorial(run, text):
    assert not [c for c in run(text) if c.type in cl.TERRITORIAL]


def test_act_inside_the_condition_is_not_the_threat(run):
    out = run("Villagers threatened to strike unless Israel rescinded its annexation of the region.")
    assert [(c.type, c.modality, c.trigger.text) for c in out if c.trigger.text == "annexation"] == [
        ("TAKE_CONTROL", "conditional", "annexation")]


KONASHENKOV = "“We have taken Kurakhove,” said Igor Konashenkov, a spokesman for the Russian Defence Ministry."


@pytest.mark.parametrize("quotes", [
    (),  # no quotes component: the apposition to the reporting verb's subject names the side
    (Quote(text=KONASHENKOV[1:26], kind="direct", start=0, end=27, speaker="Igor Konashenkov",
           speaker_descriptor="spokesman for the Russian Defence Ministry"),),
])
def test_we_in_a_quote_is_the_speakers_side(run, quotes):
    (c,) = run(KONASHENKOV, quotes=quotes)
    assert brief(c)[:5] == ("TAKE_CONTROL", "asserted", "taken", ("RUS", "military"), "Kurakhove")
    assert (c.actor.text, c.confidence, [(a.name, a.role) for a in c.attributions]) == (
        "We", 0.7, [("Northwind Gazette", "reports"), ("Igor Konashenkov", "asserts")])


def test_our_troops_from_unknown_speaker_is_outlets_country_with_low_confidence(run):
    text = "“Our troops have liberated Pokrovsk,” said Ivan Petrov, a military analyst."
    eastwind = Source(name="Eastwind Herald", country="RU")
    (c,) = run(text, source=eastwind)
    assert brief(c)[:5] == ("TAKE_CONTROL", "asserted", "liberated", ("RUS", "military"), "Pokrovsk")
    assert c.confidence == 0.3  # the outlet-country guess (0.4), less 0.1 for the publication-date fallback
    (c,) = run(text, source=Source(name="Southwind Post"))  # no outlet country: no code
    assert (c.actor.code, c.actor.sector) == (None, "military")


def test_we_outside_a_quote_is_no_actor(run):
    (c,) = run("We took Pokrovsk, the general said.")
    assert c.actor is None


@pytest.mark.parametrize("text, expected", [
    ("Yemeni troops are battling rebels for the port of Hodeidah.",
     ("CONTESTED", "asserted", "battling", ("YEM", "military"), "Hodeidah")),
    ("Aleppo was overrun by opposition fighters.",
     ("TAKE_CONTROL", "asserted", "overrun", (None, "military"), "Aleppo")),
    ("The Houthis will renew their offensive on Marib.",
     ("CONTESTED", "predicted", "offensive", ("YEM", "rebel"), "Marib")),
])
def test_enemy_objects_misparsed_passives_and_verb_attached_places(run, text, expected):
    out = [c for c in run(text) if c.type in cl.TERRITORIAL]
    assert brief(out[0])[:5] == expected


@pytest.mark.parametrize("text", [
    "Investors took control of the struggling airline after a court ruling in Lagos.",
    "Farmers left the city of Kano early to avoid the heat.",
])
def test_corporate_control_and_civilians_leaving_are_not_territorial(run, text):
    assert not [c for c in run(text) if c.type in cl.TERRITORIAL]


@pytest.mark.parametrize("text, expected", [
    ("Russian troops freed the village of Nikolaivka.",
     ("TAKE_CONTROL", "asserted", "freed", ("RUS", "military"), "Nikolaivka")),
    ("Tigrayan forces marched into Mekelle.", ("TAKE_CONTROL", "asserted", "marched", ("ETH", "rebel"), "Mekelle")),
])
def test_coordinated_prepositions_freed_places_and_armed_marches(run, text, expected):
    out = [c for c in run(text) if c.type in cl.TERRITORIAL]
    assert brief(out[0])[:5] == expected


def test_unarmed_march_into_a_city_is_a_protest(run):
    assert [c.type for c in run("Thousands of students marched into Dakar.")] == ["PROTEST"]
    assert [c.type for c in run("The rebels freed twelve hostages.")] == ["RETREAT"]


def test_nominal_triggers_take_fall_to_and_armed_possessor_as_actor(run):
    (c,) = run("The fall of Goma to M23 rebels shocked Kinshasa.")
    assert brief(c)[:5] == ("TAKE_CONTROL", "asserted", "fall", ("COD", "rebel"), "Goma")
    (c,) = run("The army's withdrawal from Babanusa was confirmed.")
    assert brief(c)[:5] == ("LOSE_CONTROL", "asserted", "withdrawal", (None, "military"), "Babanusa")
    assert (c.actor.text, c.actor.start, c.actor.end) == ("The army", 0, 8)


def test_break_into_hands_of_and_unit_compounds(run):
    out = run("Russian assault groups have broken into Toretsk from the east.")
    assert [brief(c)[:5] for c in out] == [
        ("TAKE_CONTROL", "asserted", "broken into", ("RUS", "military"), "Toretsk")]
    (c,) = run("The town of Sake remained in the hands of government forces.")
    assert brief(c)[:5] == ("CONTESTED", "asserted", "remained in the hands of", None, "Sake")
    assert not [c for c in run("The airline took over two routes from Mombasa.") if c.type in cl.TERRITORIAL]


def test_spreading_fakes_is_denied_by_the_speaker_not_the_spreader(run):
    text = ("“The occupiers are spreading fakes about the capture of Siversk. Our defenders hold their positions "
            "in the town,” spokesperson Andrii Kovalenko told reporters in Kyiv.")
    end = text.index("”") + 1
    quote = Quote(text=text[1:end - 1], kind="direct", start=0, end=end, speaker="Andrii Kovalenko",
                  speaker_mention=Mention("Andrii Kovalenko", 127, 143))
    (c,) = [c for c in run(text, quotes=[quote]) if c.type == "TAKE_CONTROL"]
    assert (c.modality, c.place.name) == ("denied", "Siversk")
    assert [(a.name, a.role) for a in c.attributions] == [("Northwind Gazette", "denies"), ("Andrii Kovalenko", "denies")]


# Issue 10's failure classes on real reporting: none of these is a change of control.
@pytest.mark.parametrize("text", [
    "Police seized pistols and cash in Tirana during the raid.",  # things seized in a place
    "Two suspects were captured in Goma after the robbery.",  # ... as the patient of a passive
    "Rifles seized in Kirkuk were handed to the army.",  # ... or of a participle
    "Six hostages are being held in Rafah, the army said.",
    "The summit was held in Doha on Monday.",
    "Bread prices fell sharply in Yerevan last month.",  # a locative is never what fell
    "A grain freighter entered the port of Izmail on Friday.",  # entering takes an armed actor
    "Moldova withdrew its ambassador from Tiraspol.",  # people or things moved out of a place
    "Medics evacuated patients from the hospital in Sloviansk.",
    "Gunmen kidnapped a priest in Bamenda on Sunday.",  # a crime located in a place
    "A grenade exploded near the police station in Garissa.",
    "Extra companies were dispatched to Tessalit to protect the airstrip.",  # movement and its purpose
    "The battalion pulled back towards Kramatorsk to regroup.",  # a destination is not a loss
    "Two hundred militiamen surrendered to the army in Bunia.",  # surrender of people
    "The floods drove farmers out of the valley of Swat.",  # displacement
    "Reformists took control of the Supreme Council after the vote.",  # a body, not a place
    "Officers won the attention of the Joint Staff with the plan.",
    "The chairman lost control of the governing coalition.",
    "Herders and soldiers clashed near Dori, leaving four dead.",  # a clash is no contest
])
def test_failure_classes_are_not_territorial(run, text):
    assert not [(c.type, c.trigger.text) for c in run(text) if c.type in cl.TERRITORIAL]


@pytest.mark.parametrize("text, expected", [
    ("Insurgents tried to storm Ancuabe but were driven off.", ("TAKE_CONTROL", "attempted")),
    ("The rebels failed to capture Lashio despite a week of shelling.", ("TAKE_CONTROL", "attempted")),
    ("The junta intended to retake Loikaw but its columns were ambushed.", ("TAKE_CONTROL", "attempted")),
    ("An offensive to seize Kramatorsk stalled in the fields.", ("TAKE_CONTROL", "attempted")),
    ("The front line now runs through the centre of Toretsk.", ("CONTESTED", "asserted")),
    ("Militias partly control Tawergha, residents said.", ("CONTESTED", "asserted")),
    ("Armed groups control about half of Bangui.", ("CONTESTED", "asserted")),
    ("The brigade fled Kindia as government forces approached.", ("LOSE_CONTROL", "asserted")),
    ("The town of Marinka fell after a long siege.", ("TAKE_CONTROL", "asserted")),
])
def test_attempts_and_partial_control(run, text, expected):
    assert expected in [(c.type, c.modality) for c in run(text) if c.type in cl.TERRITORIAL]


def _pattern_examples():
    import json

    from newsledger.analyze.claims.vocab import DATA

    for p in json.loads((DATA / "claim_patterns.json").read_text(encoding="utf-8"))["patterns"]:
        for ex in p["examples"]:
            yield pytest.param(ex, id=f"{p['name']}: {ex['text'][:40]}")


@pytest.mark.parametrize("example", list(_pattern_examples()))
def test_claim_pattern_examples(run, example):
    """Every dependency pattern in data/claim_patterns.json does what its examples say."""
    found = [c for c in run(example["text"]) if c.trigger.text.split()[0] == example["trigger"]]
    if example.get("territorial") is False:
        assert not [c.type for c in found if c.type in cl.TERRITORIAL]
    else:
        assert [c.modality for c in found] == [example["modality"]]


def test_vocabulary_sets_are_lowercase_and_documented():
    import json

    from newsledger.analyze.claims.vocab import DATA

    sets = json.loads((DATA / "claim_vocabulary.json").read_text(encoding="utf-8"))["sets"]
    for name, s in sets.items():
        assert s["about"] and s["words"], name
        if name not in ("territorial", "threat_convertible", "speech_types", "cooperative", "military_types",
                        "place_labels", "not_place_entities", "armed_sectors"):
            assert all(w == w.lower() for w in s["words"]), name


def test_counter_report_example_end_to_end():
    """examples/kyiv-ledger-siversk-holds.html (a project-written page): the outlet and its spokesman deny the
    capture, "the occupiers" who spread the "fakes" are no deniers, and the outlet only reports Russia's claim."""
    from newsledger.analyze.pipeline import Analyzer
    from newsledger.extract import extract
    from newsledger.schema import Origin, RawDocument

    page = Path(__file__).resolve().parent.parent / "examples" / "kyiv-ledger-siversk-holds.html"
    raw = RawDocument(origin=Origin(kind="file", path=str(page)), format="html",
                      content=page.read_text(encoding="utf-8"))
    claims = Analyzer().analyze_one(extract(raw)).claims
    take = [c for c in claims if c.type == "TAKE_CONTROL" and c.place and c.place.name == "Siversk"]
    (denial,) = [c for c in take if c.modality == "denied"]
    assert [(a.name, a.role) for a in denial.attributions] == [("Kyiv Ledger", "denies"), ("Andrii Kovalenko", "denies")]
    assert [c.modality for c in take] == ["reported", "denied", "conditional"]
    assert all(a.role == "reports" for a in take[0].attributions)


def _vocabulary_examples():
    import json

    from newsledger.analyze.claims.vocab import DATA

    sets = json.loads((DATA / "claim_vocabulary.json").read_text(encoding="utf-8"))["sets"]
    return [pytest.param(ex, id=f"{name}: {ex['text'][:40]}") for name, s in sets.items() for ex in s.get("examples", ())]


@pytest.mark.parametrize("example", _vocabulary_examples())
def test_claim_vocabulary_examples(run, example):
    found = [c for c in run(example["text"]) if c.trigger.text.split()[0] == example["trigger"]]
    if example.get("territorial") is False:
        assert not [c.type for c in found if c.type in cl.TERRITORIAL]
        return
    assert found
    c = found[0]
    if "type" in example:
        assert c.type == example["type"]
    if "modality" in example:
        assert c.modality == example["modality"]
    if "actor" in example:
        assert c.actor is None


# Everyday news that borrows the words of war: none of these is a territorial claim.
@pytest.mark.parametrize("text", [
    "The goalkeeper was taken to hospital in Leeds after the match.",
    "Three climbers fell ill near the summit of Elbrus.",
    "The singer left Sony Music in 2019 and moved to Lisbon.",
    "Porto's loss to Benfica ended their unbeaten run.",
    "The mayor has come under fire from councillors in Galway.",
    "The conference will be held in Nairobi next spring.",
    "The startup's takeover of the rival app closed in May.",
    "The new law holds special meaning for farmers in Kerala.",
    "Officials hope the outbreak is controlled by the end of June.",
])
def test_everyday_news_is_not_territorial(run, text):
    assert not [(c.type, c.trigger.text) for c in run(text) if c.type in cl.TERRITORIAL]
