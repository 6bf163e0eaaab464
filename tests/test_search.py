"""The search language: one syntax tree, the same answers from FTS5 and PostgreSQL."""

from __future__ import annotations

import pytest

from newsledger.schema import Analysis, Article, Source
from newsledger.store import QueryError, open_store
from newsledger.store.search import MAX_TERMS, And, Or, Term, compile_fts5, compile_tsquery, parse

from pg import postgres_server  # noqa: F401  (session fixture)

# Fictional articles: (title, text, published)
ARTICLES = [
    ("Siversk holds after night of shelling", "Defenders in Siversk said the town held. Capture claims were denied.",
     "2026-01-05"),
    ("Seversk capture claimed by ministry", "The ministry claimed the capture of Seversk on Tuesday.", "2026-01-06"),
    ("Ferry terminal moves north", "The harbour council approved plan nine; the ferry terminal moves north.", "2026-01-07"),
    ("Harbour strike ends", "Dock workers ended the strike at the harbour after talks.", "2026-01-08"),
    ("Town liberated, officials say", "Officials said the town was liberated after the fall of the last outpost.",
     "2026-01-09"),
    ("Liberation day parade", "A parade marked liberation day in the harbour town of Velmora.", "2026-01-10"),
    ("Storm damage closes pier", "Storm damage closed the old pier; the ferry kept sailing.", "2026-01-11"),
    ("Council debates covid-19 rules", "The council debated new covid-19 rules for the harbour market.", "2026-01-12"),
    ("Сіверськ тримається", "Захисники Сіверська заявили, що місто тримається. Бої тривають.", "2026-01-13"),
    ("Северск: заявление министерства", "Министерство заявило о взятии Северска.", "2026-01-14"),
    ("Quay rebuilt before winter", "Workers rebuilt the quay before winter, the mayor of Velmora said.", "2026-01-15"),
    ("Fishermen warn on pier closure", "Fishermen warned the pier could close for a year; the strike threat remains.",
     "2026-01-16"),
    ("Talks in Geneva", "Envoys met in Geneva. The fall of Siversk was not discussed.", "2026-01-17"),
    ("Ferry strike looms", "A ferry strike looms as talks on the harbour stall.", "2026-01-18"),
    ("Council meets at the pier", "Strike talks resumed on Monday.", "2026-01-19"),
]

CORPUS = [
    "Siversk", "siversk", "harbour", "ferry strike", "ferry AND strike", "ferry OR quay", "(Siversk OR Seversk) AND capture",
    "Siversk NOT (capture OR fall)", "harbour NOT strike", "ferry NOT (strike OR pier)", '"storm damage"',
    '"ferry terminal" OR "dock workers"', "harb*", "liberat*", "liber*", "strik*", "title:ferry", "title:harbour",
    "text:harbour NOT title:harbour", 'title:"storm damage"', "title:(ferry OR quay)", "covid-19", '"covid 19"',
    "Сіверськ", "Сіверськ OR Северск", "Северск*", "тримається", "(ferry OR harbour) AND (strike OR pier) NOT talks",
    "((Siversk OR Seversk) AND (capture OR fall)) OR Geneva", "ferry AND (storm OR (strike AND NOT looms))",
    "velmora", "Velmora quay", "zeppelin", "harbour ferry pier", '"pier strike"', "pier strike",
    "council OR NOT",  # the last one is bad
]
BAD = ["*", "NOT harbour", "harbour OR", "(harbour", "harbour)", '"unterminated', "nosuch:word", "AND harbour",
       "NEAR(ferry strike)", "()", "x*", "council OR NOT"]


def _store_with(target):
    store = open_store(target)
    for i, (title, text, day) in enumerate(ARTICLES):
        art = Article(id=f"{i:016x}", url=f"https://northwind-gazette.example/{i}", title=title, text=text,
                      published=f"{day}T08:00:00+00:00", language="en",
                      source=Source(name="Northwind Gazette", domain="northwind-gazette.example"))
        store.upsert(Analysis(article=art))
    return store


def test_parse_builds_one_tree():
    assert parse("(Siversk OR Seversk) AND capture") == And(
        (Or((Term(("siversk",)), Term(("seversk",)))), Term(("capture",))))
    assert parse("Siversk NOT (capture OR fall)") == And(
        (Term(("siversk",)),), (Or((Term(("capture",)), Term(("fall",)))),))
    assert parse("liberat*") == Term(("liberat",), prefix=True)
    assert parse('title:"storm damage"') == Term(("storm", "damage"), column="title")
    assert parse("covid-19") == Term(("covid", "19"))
    assert compile_fts5(parse("a OR b c")) == '("a" OR ("b" AND "c"))'
    assert compile_tsquery(parse("title:(ab OR cd) NOT text:ef")) == "(((ab:A) | (cd:A)) & !(ef:B))"
    assert compile_tsquery(parse('"ab cd"')) == "((ab:A <-> cd:A) | (ab:B <-> cd:B))"


@pytest.mark.parametrize("query", BAD)
def test_what_the_language_cannot_say_is_a_query_error(query):
    with pytest.raises(QueryError) as err:
        parse(query)
    assert "\n" not in str(err.value)


def test_terms_are_capped():
    with pytest.raises(QueryError, match=f"more than {MAX_TERMS} words"):
        parse(" ".join(f"w{i}*" for i in range(300)))
    with pytest.raises(QueryError, match="too long"):
        parse("w " * 5000)


def test_query_corpus_answers_the_same_on_sqlite_and_postgres(postgres_server, tmp_path):  # noqa: F811
    assert len(CORPUS) + len(BAD) >= 30
    lite, pg = _store_with(tmp_path / "s.db"), _store_with(postgres_server.new_database())
    found = 0
    try:
        for q in CORPUS:
            answers = []
            for store in (lite, pg):
                try:
                    ids = [h.id for h in store.search(q, sort="newest", limit=100)]
                    answers.append((ids, store.search_count(q), {h.id for h in store.search(q, limit=100)}))
                except QueryError as e:
                    answers.append(("error", str(e)))
            assert answers[0] == answers[1], q
            found += bool(answers[0][0] and answers[0][0] != "error")
        for q in BAD:
            for store in (lite, pg):
                with pytest.raises(QueryError):
                    store.search(q)
    finally:
        lite.close()
        pg.close()
    assert found >= 25  # the corpus exercises matches, not only empty answers


def test_meaning_of_operators(tmp_path):
    with _store_with(tmp_path / "m.db") as st:
        ids = lambda q: {int(h.id, 16) for h in st.search(q, limit=100)}  # noqa: E731
        assert ids("(Siversk OR Seversk) AND capture") == {0, 1}
        assert ids("Siversk NOT (capture OR fall)") == set()  # 0 has capture, 12 has fall
        assert ids("Siversk NOT capture") == {12}
        # prefixes match stems (liberated, liberation -> liber): a known limit, the same on both backends
        assert ids("liber*") == {4, 5} and ids("title:ferry") == {2, 13}
        assert ids("Сіверськ") == {8}
        assert ids('"pier strike"') == set() and ids("pier strike") == {11, 14}  # a phrase stays in one column


def test_a_thousand_term_query_is_refused_before_any_sql(tmp_path):
    with _store_with(tmp_path / "k.db") as st:
        with pytest.raises(QueryError, match="too long|more than"):
            st.search(" OR ".join(f"w{i}*" for i in range(1000)))


def test_cli_search_sorts_and_explains_bad_queries(tmp_path):
    import json

    from click.testing import CliRunner

    from newsledger.cli.main import cli

    _store_with(tmp_path / "c.db").close()
    db = str(tmp_path / "c.db")
    res = CliRunner().invoke(cli, ["search", "harbour", "--sort", "newest", "--json", "--db", db])
    assert res.exit_code == 0, res.stderr
    days = [h["published"] for h in json.loads(res.stdout)]
    assert days == sorted(days, reverse=True) and len(days) == 5
    res = CliRunner().invoke(cli, ["search", "NOT harbour", "--db", db])
    assert res.exit_code != 0 and "NOT needs a word to exclude from" in res.stderr
