"""Quote extraction and attribution on fictional sentences, plus the seed article."""

from __future__ import annotations

import json

import pytest

from newsledger.analyze.entities import find_entities
from newsledger.analyze.nlp import get_nlp
from newsledger.analyze.pipeline import Context
from newsledger.analyze.quotes import attribute_quotes, find_quotations, load
from newsledger.schema import Article


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def run(nlp, text):
    doc = nlp(text)
    return attribute_quotes(doc, find_entities(doc))


def rows(nlp, text, kinds=("direct", "partial")):
    """(kind, text, speaker, mention, cue) for each quote of the given kinds."""
    return [
        (q.kind, q.text, q.speaker, q.speaker_mention.text if q.speaker_mention else None, q.cue)
        for q in run(nlp, text)
        if q.kind in kinds
    ]


# ---------------------------------------------------------------- mark pairing without NLP


def spans(text):
    return [text[q.start : q.end] for q in find_quotations(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“Curly double,” she said.", ["Curly double"]),
        ('"Straight double," she said.', ["Straight double"]),
        ("«Guillemets here», she said.", ["Guillemets here"]),
        ("»Danish style«, she said.", ["Danish style"]),
        ("„German style“, she said.", ["German style"]),
        ("„Polish style”, she said.", ["Polish style"]),
        ("‘Curly single,’ she said.", ["Curly single"]),
        ("'Straight single,' she said.", ["Straight single"]),
        ("''Doubled apostrophes,'' she said.", ["Doubled apostrophes"]),
        ("``Backticks,'' she said.", ["Backticks"]),
        ("“Outer ‘inner’ outer,” she said.", ["Outer ‘inner’ outer"]),
        ("“We’ll see Trump’s plan, there’s time,” she said.", ["We’ll see Trump’s plan, there’s time"]),
        ("“The farmers’ union won’t sign,” she said.", ["The farmers’ union won’t sign"]),
        ("“Music of the ’80s was loud,” she said.", ["Music of the ’80s was loud"]),
        ("The 12\" pipe burst. “Repairs take a week,” he said.", ["Repairs take a week"]),
        ("He said “this never closes. Later “the second one did,” she wrote.", ["the second one did"]),
        ("The report” was late. “We apologise,” they said.", ["We apologise"]),
        ("“”", []),
        ("“ , ”", []),
        ("Officials said “the vote is off\n\nTurnout was strong, “very strong,” a clerk said.", ["very strong"]),
        ("“First part runs on\n\n“and ends here,” she said.", ["First part runs on", "and ends here"]),
        ("“A whole paragraph quote without its closing mark\n\nNext paragraph.", ["A whole paragraph quote without its closing mark"]),
    ],
)
def test_find_quotations_mark_styles(text, expected):
    assert spans(text) == expected


def test_find_quotations_marks_continuation():
    qs = find_quotations("“First part runs on\n\n“and ends here,” she said.")
    assert [(q.paragraph, q.continues) for q in qs] == [(0, True), (1, False)]
    assert [(q.open, q.close) for q in qs] == [(0, 19), (21, 37)]


def test_find_quotations_hostile_input_does_not_crash():
    text = "“" * 50 + "’" * 50 + '"' * 33 + "«»„“" * 20 + "'" * 7
    assert isinstance(find_quotations(text), list)
    assert find_quotations("") == []


# ---------------------------------------------------------------- attribution


CASES = [
    (
        "curly-after-inverted",
        "“We will rebuild the bridge by spring,” said Mayor Elena Varga.",
        [("direct", "We will rebuild the bridge by spring", "Elena Varga", "Mayor Elena Varga", "said")],
    ),
    (
        "straight-premodifier",
        '"The harvest was poor this year," farmer Tomas Brel told the Northwind Gazette.',
        [("direct", "The harvest was poor this year", "Tomas Brel", "farmer Tomas Brel", "told")],
    ),
    (
        "guillemets",
        "«We have no more money for this project», Finance Minister Arvid Lund said on Monday.",
        [("direct", "We have no more money for this project", "Arvid Lund", "Finance Minister Arvid Lund", "said")],
    ),
    (
        "german-marks-inverted-warned",
        "„The river will rise again tonight“, warned hydrologist Petra Holm.",
        [("direct", "The river will rise again tonight", "Petra Holm", "hydrologist Petra Holm", "warned")],
    ),
    (
        "polish-marks",
        "„Nobody will be left behind”, insisted councillor Rosa Quint.",
        [("direct", "Nobody will be left behind", "Rosa Quint", "councillor Rosa Quint", "insisted")],
    ),
    (
        "single-curly",
        "‘It was a complete surprise for all of us,’ said coach Martin Dale.",
        [("direct", "It was a complete surprise for all of us", "Martin Dale", "coach Martin Dale", "said")],
    ),
    (
        "single-straight",
        "'This is not over yet,' said striker Leo Vance.",
        [("direct", "This is not over yet", "Leo Vance", "striker Leo Vance", "said")],
    ),
    (
        "nyt-doubled-apostrophes",
        "''We will appeal the ruling,'' said Ms. Hana Roth.",
        [("direct", "We will appeal the ruling", "Hana Roth", "Ms. Hana Roth", "said")],
    ),
    (
        "nested",
        "“My father always said, ‘Never trust a calm sea,’ and he was right,” said captain Ivo Renn.",
        [
            (
                "direct",
                "My father always said, ‘Never trust a calm sea,’ and he was right",
                "Ivo Renn",
                "captain Ivo Renn",
                "said",
            )
        ],
    ),
    (
        "apostrophes-and-pronoun",
        "Anna Berg runs the bakery. “We’ll keep going because there’s no other option,” she said.",
        [("direct", "We’ll keep going because there’s no other option", "Anna Berg", "she", "said")],
    ),
    (
        "pronoun-he",
        "Inspector Karl Mott arrived at noon. “The building is unsafe for anyone,” he said.",
        [("direct", "The building is unsafe for anyone", "Karl Mott", "he", "said")],
    ),
    (
        "pronoun-gender-from-honorific",
        "Mr. Paul Ash met Ms. Irene Volk on Tuesday. “The talks went very well,” she said.",
        [("direct", "The talks went very well", "Irene Volk", "she", "said")],
    ),
    (
        "passive-agent",
        "“Prices will fall next quarter,” it was stated by the Harbor Trade Council.",
        [("direct", "Prices will fall next quarter", "Harbor Trade Council", "the Harbor Trade Council", "stated")],
    ),
    (
        "inverted-with-apposition",
        "“Nobody expected this outcome at all,” said Olga Petrov, a local historian.",
        [("direct", "Nobody expected this outcome at all", "Olga Petrov", "Olga Petrov, a local historian", "said")],
    ),
    (
        "organisation-common-noun",
        "“The factory will close in March,” the ministry said.",
        [("direct", "The factory will close in March", "the ministry", "the ministry", "said")],
    ),
    (
        "organisation-resolved-to-name",
        "The Ministry of Transport published new figures. “Rail traffic rose by a fifth,” the ministry said.",
        [("direct", "Rail traffic rose by a fifth", "Ministry of Transport", "the ministry", "said")],
    ),
    (
        "organisation-pronoun-it",
        "The Harbor Trade Council met on Monday. “Exports will recover next year,” it said.",
        [("direct", "Exports will recover next year", "Harbor Trade Council", "it", "said")],
    ),
    (
        "carry-over-next-sentence",
        "“We are ready for anything,” said Colonel Ana Ruiz. “The bridge is secured and the roads are open.”",
        # One statement, interrupted by its attribution: one quote with two parts.
        [("direct", "We are ready for anything The bridge is secured and the roads are open.", "Ana Ruiz",
          "Colonel Ana Ruiz", "said")],
    ),
    (
        "carry-over-next-paragraph",
        "“Supplies arrived this morning,” aid worker Lena Fisk said.\n\n“We expect another convoy on Friday.”",
        [
            ("direct", "Supplies arrived this morning", "Lena Fisk", "aid worker Lena Fisk", "said"),
            ("direct", "We expect another convoy on Friday.", "Lena Fisk", "aid worker Lena Fisk", "said"),
        ],
    ),
    (
        "no-carry-over-two-paragraphs-later",
        "“Supplies arrived this morning,” aid worker Lena Fisk said.\n\nThe convoy left at dawn.\n\n"
        "“Nobody knows when the next one comes.”",
        [
            ("direct", "Supplies arrived this morning", "Lena Fisk", "aid worker Lena Fisk", "said"),
            ("direct", "Nobody knows when the next one comes.", None, None, None),
        ],
    ),
    (
        "continuation-across-paragraphs",
        "“The first part of the statement runs on\n\n“and the second part ends here,” said Judge Mira Oak.",
        [("direct", "The first part of the statement runs on and the second part ends here", "Mira Oak",
          "Judge Mira Oak", "said")],
    ),
    (
        "split-sentence-cue-in-middle",
        "Judge Mira Oak spoke briefly. “The first sentence is here,” she said, “and the second half follows.”",
        [("direct", "The first sentence is here and the second half follows.", "Mira Oak", "she", "said")],
    ),
    (
        "according-to-direct",
        "According to police spokesman Dan Hale, “three suspects were arrested overnight.”",
        [("direct", "three suspects were arrested overnight.", "Dan Hale", "police spokesman Dan Hale", "according to")],
    ),
    (
        "told-plural-common-noun",
        "“Stay indoors until further notice,” police told residents on Sunday.",
        [("direct", "Stay indoors until further notice", "police", "police", "told")],
    ),
    (
        "dash-byline",
        "“Our town deserves much better than this.” ― Nora Finch",
        [("direct", "Our town deserves much better than this.", "Nora Finch", "Nora Finch", "―")],
    ),
    (
        "question-asked",
        "“Where is the money going now?” asked councillor Rosa Quint.",
        [("direct", "Where is the money going now?", "Rosa Quint", "councillor Rosa Quint", "asked")],
    ),
    (
        "summed-up",
        "“It was a good year for the port,” harbour master Ivo Renn summed up.",
        [("direct", "It was a good year for the port", "Ivo Renn", "harbour master Ivo Renn", "summed up")],
    ),
    (
        "with-that-said-is-not-a-cue",
        "With that said, the committee adjourned. “Nothing more to add here today,” Ana Ruiz noted.",
        [("direct", "Nothing more to add here today", "Ana Ruiz", "Ana Ruiz", "noted")],
    ),
    (
        "colon-introduction",
        "Councillor Rosa Quint was blunt:\n\n“The budget cannot pay for this.”",
        [("direct", "The budget cannot pay for this.", "Rosa Quint", "Councillor Rosa Quint", "was")],
    ),
    (
        "surname-to-known-full-name",
        "“We will make a great deal very soon,” Trump told reporters.",
        [("direct", "We will make a great deal very soon", "Donald Trump", "Trump", "told")],
    ),
    (
        "surname-to-full-name-in-document",
        "Analyst Pavel Drozd spoke first.\n\n“The front line has not moved,” Drozd said.",
        [("direct", "The front line has not moved", "Pavel Drozd", "Drozd", "said")],
    ),
    (
        "partial-with-speaker",
        "Ana Ruiz said the situation near the border was “very tense” on Sunday.",
        [("partial", "very tense", "Ana Ruiz", "Ana Ruiz", "said")],
    ),
    (
        "partial-scare-quotes",
        "The so-called “peace tax” was introduced in 2019.",
        [],  # a term, not a quote (kind "term")
    ),
    (
        "short-clause-is-direct",
        "“I quit,” said Tomas Brel.",
        [("direct", "I quit", "Tomas Brel", "Tomas Brel", "said")],
    ),
    (
        "unbalanced-open-keeps-others",
        "He said “this will never work. Later, “the second attempt failed badly,” Vera Lind wrote.",
        [("direct", "the second attempt failed badly", "Vera Lind", "Vera Lind", "wrote")],
    ),
    (
        "stray-closing-mark",
        "The report” was late. “We apologise for the long delay,” the agency said.",
        [("direct", "We apologise for the long delay", "the agency", "the agency", "said")],
    ),
    (
        "no-speaker-quote",
        "The banner read “Our river, our future” in big letters.",
        [],  # a slogan on a banner: kind "term"
    ),
    (
        "another-speaker-takes-over",
        "“The roads are closed,” said Colonel Ana Ruiz.\n\nMayor Tom Bell disagreed with her on Monday. "
        "“Everybody can drive through the town today.”",
        [
            ("direct", "The roads are closed", "Ana Ruiz", "Colonel Ana Ruiz", "said"),
            ("direct", "Everybody can drive through the town today.", "Tom Bell", "Mayor Tom Bell", None),
        ],
    ),
]


@pytest.mark.parametrize("name, text, expected", CASES, ids=[c[0] for c in CASES])
def test_attribution(nlp, name, text, expected):
    assert rows(nlp, text) == expected


INDIRECT = [
    (
        "said-that",
        "Local farmer Tomas Brel said that the harvest had been poor for three years.",
        [("indirect", "the harvest had been poor for three years", "Tomas Brel", "Local farmer Tomas Brel", "said")],
    ),
    (
        "according-to",
        "According to the Harbor Trade Council, exports fell by ten percent in May.",
        [("indirect", "exports fell by ten percent in May", "Harbor Trade Council", "the Harbor Trade Council", "according to")],
    ),
    (
        "urged-against",
        "Economist Ida Marsh urged against any new taxes on small bakeries.",
        [("indirect", "against any new taxes on small bakeries", "Ida Marsh", "Economist Ida Marsh", "urged")],
    ),
    (
        "emphasizing-that",
        "Ida Marsh spoke for an hour, emphasizing that the deficit was shrinking.",
        [("indirect", "the deficit was shrinking", "Ida Marsh", "Ida Marsh", "emphasizing")],
    ),
    (
        "pronoun-indirect",
        "Mayor Tom Bell opened the session. He warned that the bridge could close in winter.",
        [("indirect", "the bridge could close in winter", "Tom Bell", "He", "warned")],
    ),
    (
        "direct-is-not-also-indirect",
        "“The harvest was poor this year,” farmer Tomas Brel said.",
        [],
    ),
]


@pytest.mark.parametrize("name, text, expected", INDIRECT, ids=[c[0] for c in INDIRECT])
def test_indirect(nlp, name, text, expected):
    assert rows(nlp, text, kinds=("indirect",)) == expected


def test_offsets_point_at_content(nlp):
    text = "Anna Berg runs the bakery. “We’ll keep going,” she said."
    (q,) = run(nlp, text)
    assert (q.start, q.end, text[q.start : q.end]) == (28, 44, "We’ll keep going")
    assert (q.speaker_mention.start, q.speaker_mention.end) == (47, 50)
    assert q.sentence == 1


def test_non_english_article_has_no_quotes():
    ctx = Context(article=Article(id="x", language="de", text="„Hallo“, sagte sie."), doc=None)
    assert load()(ctx) == []


# ---------------------------------------------------------------- seed article


def seed_body(path):
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n\n".join(l.strip() for l in lines[46:52])


def test_seed_quotes(nlp, seed_path):
    text = seed_body(seed_path)
    doc = nlp(text)
    ctx = Context(article=Article(id="seed", language="en", text=text), doc=doc)
    ctx.entities = find_entities(doc, "Sputnik International")
    quotes = load()(ctx)
    direct = [q for q in quotes if q.kind == "direct"]
    assert len(direct) == 6
    assert {q.speaker for q in direct} == {"Igor Korotchenko"}
    assert {q.speaker_descriptor for q in direct} == {"military analyst"}
    assert all(len(q.parts) == 1 and text[q.parts[0].start : q.parts[0].end] == q.text for q in direct)
    assert {(q.speaker_kind, q.speaker_named, q.speaker_key) for q in direct} == {
        ("person", True, "person:igor korotchenko")}
    assert [q.text[:30] for q in direct] == [
        "important element in the piggy",
        "today the Russian Armed Forces",
        "We are advancing, addressing c",
        "important political significan",
        "if the policy of ending the co",
        "We’ll have to continue to stor",
    ]
    added = direct[1]
    assert (added.speaker_mention.text, added.cue) == ("he", "added")
    assert text[added.speaker_mention.start : added.speaker_mention.end] == "he"
    assert [(q.text, q.speaker) for q in quotes if q.kind == "partial"] == [
        ("more favorable", "Igor Korotchenko"),
        ("euphoric", "Igor Korotchenko"),
    ]
    indirect = [q for q in quotes if q.kind == "indirect"]
    assert any(
        q.text == "there’s a long fight ahead if the conflict cannot be resolved diplomatically"
        and q.cue == "emphasizing"
        and q.speaker == "Igor Korotchenko"
        for q in indirect
    )


def test_random_mark_soup_keeps_offsets_consistent(nlp):
    import random

    rng = random.Random(3)
    pieces = ["“", "”", '"', "'", "‘", "’", "«", "»", "„", "``", "''", "\n\n", " he said", " said Ana Ruiz",
              ", according to the ministry,", " We’ll", " Trump’s", ".", ",", ":", " ― Nora Finch\n", "\u00a0",
              " emphasizing that"]
    for _ in range(60):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        for q in run(nlp, text):
            assert q.parts and q.parts[0].start == q.start and q.parts[-1].end == q.end
            assert " ".join(text[p.start : p.end] for p in q.parts) == q.text
            assert q.kind in ("direct", "partial", "indirect", "title", "term", "scare")
            if q.speaker_mention is not None:
                m = q.speaker_mention
                assert text[m.start : m.end] == m.text


def test_seed_through_dump_extractor(nlp, seed_path):
    from newsledger.extract import extract
    from newsledger.schema import Origin, RawDocument

    raw = RawDocument(origin=Origin(kind="dump", path=str(seed_path)), format="dump",
                      content=seed_path.read_text(encoding="utf-8"))
    art = extract(raw)
    doc = nlp(art.text)
    ctx = Context(article=art, doc=doc)
    ctx.entities = find_entities(doc, art.source.name)
    direct = [q for q in load()(ctx) if q.kind == "direct"]
    assert [(q.speaker, q.speaker_descriptor) for q in direct] == [("Igor Korotchenko", "military analyst")] * 6
    assert [q.speaker_mention.text for q in direct][1] == "he"


# ---------------------------------------------------------------- issue 12: statements, not-quotes, speakers


def quotes_of(nlp, text):
    return run(nlp, text)


def test_statement_interrupted_by_cue_is_one_quote_with_parts(nlp):
    text = "“The dam will hold,” engineer Pia Lund said, “but only if the rain stops by Friday.”"
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "direct"]
    assert [text[p.start : p.end] for p in q.parts] == ["The dam will hold", "but only if the rain stops by Friday."]
    assert q.text == "The dam will hold but only if the rain stops by Friday."
    assert (q.start, q.end) == (q.parts[0].start, q.parts[-1].end)
    assert q.speaker == "Pia Lund"


def test_statement_continued_in_next_sentence_is_one_quote(nlp):
    text = "“We counted every ballot,” said clerk Ivo Marsh. “Nobody was turned away.”"
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "direct"]
    assert len(q.parts) == 2 and q.speaker == "Ivo Marsh"


def test_quoted_clause_in_reported_sentence_stays_separate(nlp):
    text = ("The report shows that “the river has risen faster than in any year on record,” hydrologist Ola Berg said. "
            "“We must move the pumps before winter.”")
    direct = [q for q in quotes_of(nlp, text) if q.kind == "direct"]
    assert len(direct) == 2 and all(len(q.parts) == 1 for q in direct)


def test_quotes_by_different_speakers_are_not_merged(nlp):
    text = "“The bridge is safe,” said Mayor Ruth Bell. “It is not,” said engineer Pia Lund."
    direct = [q for q in quotes_of(nlp, text) if q.kind == "direct"]
    assert [q.speaker for q in direct] == ["Ruth Bell", "Pia Lund"]


@pytest.mark.parametrize(
    "text, quoted, kind",
    [
        ("Senator Ada Voss appeared on the show “Morning Table” on Sunday.", "Morning Table", "title"),
        ("Her new book “Rivers of Salt” sold well, the publisher said.", "Rivers of Salt", "title"),
        ("The campaign printed the slogan “Bread for Every Town” on its posters.", "Bread for Every Town", "term"),
        ("Residents call the mayor by his nickname, the so-called “Iron Broom”.", "Iron Broom", "term"),
        ("The army launched Operation “Northern Gate” at dawn.", "Northern Gate", "term"),
        ("The new “reform” left most teachers unpaid.", "reform", "scare"),
        ("Critics mocked the “historic summit” as a photo opportunity.", "historic summit", "scare"),
    ],
)
def test_titles_terms_and_scare_quotes_are_not_quotes(nlp, text, quoted, kind):
    found = {q.text: q for q in quotes_of(nlp, text)}
    assert found[quoted].kind == kind
    assert found[quoted].speaker is None


def test_short_quote_with_speech_cue_stays_partial(nlp):
    text = "Minister Lea Hoff called the plan “reckless” on Tuesday."
    [q] = [q for q in quotes_of(nlp, text) if q.text == "reckless"]
    assert q.kind == "partial" and q.speaker == "Lea Hoff"


def test_partial_quote_speaker_is_the_reporting_subject(nlp):
    text = "The anchor Tom Reyes said the chairwoman Ida Quell’s conduct was “shameful and unworthy” of the office."
    [q] = [q for q in quotes_of(nlp, text) if q.text.startswith("shameful")]
    assert q.speaker == "Tom Reyes"


def test_partial_quote_inside_indirect_speech_inherits_its_speaker(nlp):
    text = ("Farm union leader Bo Strand warned that the new tariff would be “a disaster for every small dairy” "
            "in the valley.")
    quotes = quotes_of(nlp, text)
    [q] = [q for q in quotes if q.text.startswith("a disaster")]
    assert q.speaker == "Bo Strand"
    assert any(x.kind == "indirect" and x.speaker == "Bo Strand" for x in quotes)


def test_capital_as_government_is_an_institution(nlp):
    text = "Moscow said its troops had crossed the river. Kyiv denied that its lines had moved."
    quotes = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    by = {q.speaker: q for q in quotes}
    assert by["Moscow"].speaker_kind == "institution" and by["Moscow"].speaker_country == "RUS"
    assert by["Kyiv"].speaker_kind == "institution" and by["Kyiv"].speaker_country == "UKR"


def test_institution_speaker_in_full(nlp):
    text = "The General Staff of the Armed Forces of Ukraine said that the town remained under its control."
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert q.speaker == "General Staff of the Armed Forces of Ukraine"
    assert q.speaker_kind == "institution" and q.speaker_country == "UKR"


def test_ministry_variants_share_one_key_and_name(nlp):
    a = quotes_of(nlp, "The Russian Defense Ministry said that two drones were shot down over the border region.")
    b = quotes_of(nlp, "Russian forces advanced near the river. The Defense Ministry said that the village was taken.")
    c = quotes_of(nlp, "The Russian Ministry of Defence said that the convoy reached the coast.")
    keys = {q.speaker_key for q in a + b + c if q.kind == "indirect"}
    assert keys == {"institution:RUS:defense ministry"}
    assert {q.speaker for q in a + b if q.kind == "indirect"} == {"Russian Defense Ministry"}


def test_unnamed_source_is_flagged_and_not_a_speaker_name(nlp):
    text = "A senior official said that the talks would resume next week."
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert q.speaker_named is False and q.speaker is None
    assert q.speaker_descriptor == "A senior official"


def test_unnamed_source_takes_the_name_the_article_gives(nlp):
    text = "A spokesman, Karl Wendt, said that the factory would reopen in May."
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert q.speaker == "Karl Wendt" and q.speaker_named is True and q.speaker_kind == "person"


def test_speech_cues_live_in_data():
    from newsledger.analyze.speech import cues

    c = cues()
    assert "say" in c.speech_verbs and c.capitals["kyiv"] == "UKR" and "so-called" in c.term_cues


def test_listings_leave_out_titles_terms_and_scare_quotes(tmp_path):
    import warnings

    from click.testing import CliRunner

    from newsledger.cli.main import cli
    from newsledger.schema import Analysis, Quote, Source, Span
    from newsledger.store import open_store

    warnings.filterwarnings("ignore", message=".*httpx.*")
    from fastapi.testclient import TestClient

    from newsledger.api.app import create_app

    text = "“The ferry runs again,” said skipper Ola Venn, who once hosted the show “Blue Hour” on the “new” pier."
    quotes = [
        Quote(text="The ferry runs again", kind="direct", start=1, end=21, speaker="Ola Venn",
              parts=[Span(1, 21)], speaker_kind="person", speaker_named=True, speaker_key="person:ola venn"),
        Quote(text="Blue Hour", kind="title", start=text.find("Blue"), end=text.find("Blue") + 9),
        Quote(text="new", kind="scare", start=text.find("new”"), end=text.find("new”") + 3),
    ]
    art = Article(id="f1e2d3c4b5a69788", url="https://harbour-post.example/ferry", language="en", text=text,
                  title="Ferry runs again", published="2026-05-01T08:00:00+00:00",
                  source=Source(name="Harbour Post", domain="harbour-post.example"))
    db = tmp_path / "news.db"
    with open_store(db) as store:
        store.upsert(Analysis(article=art, quotes=quotes))
        assert [q["kind"] for q in store.quotes()] == ["direct"]
        assert sorted(q["kind"] for q in store.quotes(kinds=None)) == ["direct", "scare", "title"]
        (q,) = store.quotes()
        assert q["parts"] == [{"start": 1, "end": 21}] and q["speaker_key"] == "person:ola venn"

    client = TestClient(create_app(db, token="t-12345"), base_url="http://127.0.0.1", client=("127.0.0.1", 5000))
    assert [q["kind"] for q in client.get("/api/quotes").json()["items"]] == ["direct"]
    assert client.get("/api/quotes", params={"kinds": "all"}).json()["total"] == 3
    assert [q["kind"] for q in client.get("/api/quotes", params={"kinds": "title"}).json()["items"]] == ["title"]
    assert client.get("/api/quotes", params={"kinds": "poem"}).status_code == 400
    item = client.get("/api/quotes").json()["items"][0]
    assert item["speaker_named"] is True and item["parts"] == [{"start": 1, "end": 21}]
    assert [s["speaker"] for s in client.get("/api/speakers").json()["items"]] == ["Ola Venn"]

    # Speaker variants with one key are one speaker across articles.
    key = "institution:RUS:defense ministry"
    with open_store(db) as store:
        for i, names in enumerate((["Defense Ministry"], ["Russian Defense Ministry", "Russian Defense Ministry"])):
            body = "The ministry said that the depot burned. " * len(names)
            qs = [Quote(text="the depot burned", kind="indirect", start=24 + 41 * k, end=40 + 41 * k, speaker=n,
                        speaker_kind="institution", speaker_country="RUS", speaker_key=key)
                  for k, n in enumerate(names)]
            other = Article(id=f"0a0b0c0d0e0f010{i}", url=f"https://harbour-post.example/m{i}", language="en",
                            text=body, title=f"Depot {i}", published="2026-05-02T08:00:00+00:00",
                            source=Source(name="Harbour Post", domain="harbour-post.example"))
            store.upsert(Analysis(article=other, quotes=qs))
    client = TestClient(create_app(db, token="t-12345"), base_url="http://127.0.0.1", client=("127.0.0.1", 5000))
    top = client.get("/api/speakers").json()["items"][0]
    assert (top["speaker"], top["count"]) == ("Russian Defense Ministry", 3)

    runner = CliRunner()
    out = runner.invoke(cli, ["quotes", "--db", str(db), "--json", "--speaker", "Venn"])
    assert out.exit_code == 0, out.output
    assert [r["kind"] for r in json.loads(out.output)] == ["direct"]
    out = runner.invoke(cli, ["quotes", "--db", str(db), "--json", "--all-kinds", "--source", "harbour-post.example",
                              "--until", "2026-05-01T23:00:00+00:00"])
    assert sorted(r["kind"] for r in json.loads(out.output)) == ["direct", "scare", "title"]


def test_every_capital_in_the_data_speaks_for_its_government(nlp):
    from newsledger.analyze.speech import cues

    capitals = cues().capitals
    texts = [f"{name.title()} said on Monday that the border talks were over." for name in capitals]
    for (name, code), doc in zip(capitals.items(), nlp.pipe(texts)):
        [q] = [q for q in attribute_quotes(doc, find_entities(doc)) if q.kind == "indirect"]
        assert (q.speaker_kind, q.speaker_country, q.speaker_key) == ("institution", code, f"government:{code}"), name


def test_every_unnamed_head_in_the_data_is_flagged(nlp):
    from newsledger.analyze.speech import cues

    heads = sorted(h for h in cues().unnamed_heads if h not in ("one", "someone", "people", "person"))
    texts = [f"A {h} said on Monday that the border talks were over." for h in heads]
    for head, doc in zip(heads, nlp.pipe(texts)):
        [q] = [q for q in attribute_quotes(doc, find_entities(doc)) if q.kind == "indirect"]
        assert (q.speaker, q.speaker_named) == (None, False), head


def test_partial_quote_about_a_named_person_keeps_the_reporter_as_speaker(nlp):
    text = "Ida Quell behaved in a “shameful and unworthy” way, the anchor Tom Reyes said on air."
    [q] = [q for q in quotes_of(nlp, text) if q.text.startswith("shameful")]
    assert q.speaker == "Tom Reyes"


def test_short_quote_under_a_belief_verb_belongs_to_the_thinker(nlp):
    text = "Analyst Vera Holm thinks the new budget is “pure theatre” and little else."
    [q] = [q for q in quotes_of(nlp, text) if q.text == "pure theatre"]
    assert (q.kind, q.speaker) == ("partial", "Vera Holm")


def test_reported_clause_interrupted_by_its_cue_has_two_parts(nlp):
    text = "Engineer Pia Lund inspected the pier. The harbour wall, she said, will not survive another winter."
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert q.text == "The harbour wall will not survive another winter"
    assert [text[p.start : p.end] for p in q.parts] == ["The harbour wall", "will not survive another winter"]
    assert q.speaker_mention.text == "she"


def test_every_title_noun_and_term_cue_in_the_data(nlp):
    from newsledger.analyze.speech import cues

    c = cues()
    cases = [(f"Critics discussed the {w} “Blue Lantern Days” at length.", "title") for w in sorted(c.title_nouns)]
    cases += [(f"Critics discussed the {w} “blue lantern days” at length.", "term") for w in sorted(c.term_cues)]
    for (text, kind), doc in zip(cases, nlp.pipe(t for t, _ in cases)):
        [q] = [q for q in attribute_quotes(doc, find_entities(doc)) if q.text.lower() == "blue lantern days"]
        assert q.kind == kind and q.speaker is None, text


def test_unqualified_ministry_belongs_to_the_outlets_country_when_the_story_names_it(nlp):
    text = ("Ukrainian units tried to counterattack near the village. "
            "Earlier this week, the Defense Ministry said that Russian troops had repelled five attacks.")
    doc = nlp(text)
    [q] = [q for q in attribute_quotes(doc, find_entities(doc), "RU") if q.kind == "indirect"]
    assert (q.speaker, q.speaker_country, q.speaker_key) == (
        "Russian Defense Ministry", "RUS", "institution:RUS:defense ministry")
    [q] = [q for q in attribute_quotes(doc, find_entities(doc), "GB") if q.kind == "indirect"]
    assert q.speaker_country in ("RUS", "UKR")  # not the wire's own country: the one the story names


def test_role_resolves_to_the_name_the_article_gives(nlp):
    text = ("Governor Maria Kessler visited the substation on Monday.\n\n"
            "Later, the regional governor said that power would return to most homes by Friday.")
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert (q.speaker, q.speaker_descriptor, q.speaker_named) == ("Maria Kessler", "the regional governor", True)


def test_unnamed_source_stays_unnamed_without_a_name_in_the_article(nlp):
    text = "The regional governor said that power would return to most homes by Friday."
    [q] = [q for q in quotes_of(nlp, text) if q.kind == "indirect"]
    assert q.speaker == "The regional governor"  # the role as written: no name is invented
