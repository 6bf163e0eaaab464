"""The command line: outputs, idempotent ingest, and one-line errors."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

import newsledger.run as run_module
from newsledger.cli import main as cli_main
from newsledger.cli.main import cli
from newsledger.schema import Analysis, Article, Claim, ClaimPlace, Place, Quote, to_dict

ARTICLE_KEYS = list(to_dict(Article(id="")).keys())


def dump(url: str, title: str, day: str, outlet: str, paragraphs: list[str]) -> str:
    """A page in the seed's dump format (fictional outlets only)."""
    lines = [f" date {day} {url}", title, title, outlet, paragraphs[0][:60], f"{day}T08:00:00+00:00", "News",
             title, "By Ilse Marrow", f"{day}T08:00:00+00:00", *paragraphs, outlet]
    return "\n".join(lines) + "\n"


HARBOUR = dump(
    "https://northwind-gazette.example/news/harbour-reopens-1201", "Harbour Reopens After Storm", "2026-03-02",
    "Northwind Gazette",
    ["The harbour of Port Allory reopened on Monday after storm damage closed it for a week, the port authority said.",
     '"Ships are moving again and the quays are safe," said harbour master Teodor Quill.',
     "Repairs to the northern breakwater near Odesa will continue until April, according to the authority."],
)
FERRY = dump(
    "https://lakeside-courier.example/local/ferry-timetable-2209", "Ferry Timetable Changes In Spring", "2026-03-04",
    "Lakeside Courier",
    ["The island ferry will run every forty minutes from April, the operator announced on Wednesday.",
     '"Passengers asked for earlier crossings," said operator spokesperson Wren Halloway.',
     "The first sailing will leave at half past five, before the fish market opens."],
)
FAILING = dump(
    "https://lakeside-courier.example/local/explode-3301", "A Page The Analyzer Chokes On", "2026-03-05",
    "Lakeside Courier",
    ["This body makes the fictional analyzer explode, to prove one bad page never stops a batch.",
     "It has a second paragraph so the extractor keeps it as an article body."],
)


class FakeAnalyzer:
    """Stands in for the spaCy analyzer: one quote, place and claim per article."""

    def __init__(self):
        self.seen: list[str] = []

    def analyze(self, articles):
        for art in articles:
            self.seen.append(art.id)
            if "explode" in art.text:
                raise RuntimeError("component blew up")
            start = art.text.index('"') + 1
            end = art.text.index('"', start)
            speaker = "Teodor Quill" if "Quill" in art.text else "Wren Halloway"
            yield Analysis(
                art,
                quotes=[Quote(text=art.text[start:end], kind="direct", start=start, end=end, speaker=speaker)],
                places=[Place(text="Odesa", start=0, end=5, name="Odesa", geonames_id=698740, country_code="UA",
                              lat=46.48, lon=30.73)],
                claims=[Claim(type="CONSULT", start=0, end=20, sentence=art.text[:20],
                              place=ClaimPlace(text="Odesa", name="Odesa", geonames_id=698740))],
            )

    def analyze_one(self, art):
        return next(self.analyze([art]))


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def pages(tmp_path):
    d = tmp_path / "pages"
    d.mkdir()
    (d / "harbour.txt").write_text(HARBOUR)
    (d / "ferry.txt").write_text(FERRY)
    return d


@pytest.fixture
def fake(monkeypatch):
    analyzer = FakeAnalyzer()
    monkeypatch.setattr(run_module, "load_analyzer", lambda: analyzer)
    return analyzer


def one_line_error(result, code: int, *needles: str) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    err = result.stderr.strip()
    assert "Traceback" not in result.output and len(err.splitlines()) == 1, err
    assert err.startswith("Error: ")
    for needle in needles:
        assert needle in err, err
    return err


def test_extract_seed_prints_one_object_with_the_contract_keys(runner, seed_path):
    result = runner.invoke(cli, ["extract", str(seed_path)])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict) and list(data) == ARTICLE_KEYS
    assert data["source"]["domain"] == "sputnikglobe.com" and data["text"]


def test_extract_several_articles_json_and_jsonl(runner, pages):
    result = runner.invoke(cli, ["extract", str(pages / "harbour.txt"), str(pages / "ferry.txt")])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [a["title"] for a in data] == ["Harbour Reopens After Storm", "Ferry Timetable Changes In Spring"]
    assert all(list(a) == ARTICLE_KEYS for a in data)
    result = runner.invoke(cli, ["extract", str(pages), "--format", "jsonl"])
    lines = result.stdout.splitlines()
    assert sorted(json.loads(x)["source"]["domain"] for x in lines) == [
        "lakeside-courier.example", "northwind-gazette.example"]


def test_extract_reports_unreadable_inputs(runner, pages, tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = runner.invoke(cli, ["extract", str(pages / "ferry.txt"), str(tmp_path / "empty.txt")])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Ferry Timetable Changes In Spring"
    assert result.stderr.startswith(f"skipped {tmp_path / 'empty.txt'}: ")
    result = runner.invoke(cli, ["extract", str(tmp_path / "empty.txt")])
    one_line_error(result, 1, f"no article could be extracted from {tmp_path / 'empty.txt'}: ")


def test_user_mistakes_give_one_line_errors(runner, tmp_path, pages, monkeypatch):
    monkeypatch.chdir(tmp_path)
    one_line_error(runner.invoke(cli, ["extract", "nope.html"]), 1, "no such file or directory: nope.html")
    one_line_error(runner.invoke(cli, ["extract"]), 2, "Missing argument", "newsledger extract --help")
    one_line_error(runner.invoke(cli, ["extract", str(pages), "--format", "xml"]), 2, "'--format'")
    one_line_error(runner.invoke(cli, ["stats"]), 1, "no database at newsledger.db", "newsledger ingest")
    one_line_error(runner.invoke(cli, ["search", "harbour", "--db", "missing.db"]), 1, "no database at missing.db")
    one_line_error(runner.invoke(cli, ["frobnicate"]), 2, "No such command")
    assert runner.invoke(cli, ["ingest", str(pages), "--no-analyze"]).exit_code == 0
    one_line_error(runner.invoke(cli, ["search", "harbour", "--since", "2025-13-45"]), 2, "YYYY-MM-DD")
    one_line_error(runner.invoke(cli, ["search", '"harbour']), 2, "invalid search query")
    one_line_error(runner.invoke(cli, ["show", "ffffffff"]), 1, "no article with id")
    one_line_error(runner.invoke(cli, ["show", "ff"]), 2, "at least 4 characters")
    one_line_error(runner.invoke(cli, ["ingest", "absent-dir/"]), 1, "no such file or directory")
    (tmp_path / "junk.db").write_bytes(b"not a database " * 200)
    one_line_error(runner.invoke(cli, ["stats", "--db", "junk.db"]), 1, "not a readable newsledger database")


def test_locked_database_is_one_line(runner, tmp_path, pages, monkeypatch):
    db = tmp_path / "busy.db"
    assert runner.invoke(cli, ["ingest", str(pages / "ferry.txt"), "--no-analyze", "--db", str(db)]).exit_code == 0
    monkeypatch.setenv("NEWSLEDGER_LOCK_TIMEOUT", "0.05")
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        result = runner.invoke(cli, ["ingest", str(pages / "harbour.txt"), "--no-analyze", "--db", str(db)])
    finally:
        other.execute("ROLLBACK")
        other.close()
    one_line_error(result, 1, "database is locked by another process")


def test_ingest_twice_adds_nothing(runner, tmp_path, pages):
    db = str(tmp_path / "news.db")
    first = runner.invoke(cli, ["ingest", str(pages), "--no-analyze", "--db", db, "--json"])
    assert first.exit_code == 0, first.stderr
    s1 = json.loads(first.stdout)
    assert (s1["read"], s1["new"], s1["unchanged"], s1["status"]) == (2, 2, 0, "ok")
    second = json.loads(runner.invoke(cli, ["ingest", str(pages), "--no-analyze", "--db", db, "--json"]).stdout)
    assert (second["read"], second["new"], second["updated"], second["unchanged"]) == (2, 0, 0, 2)
    stats = json.loads(runner.invoke(cli, ["stats", "--db", db, "--json"]).stdout)
    assert stats["articles"] == 2 and stats["runs"] == 2 and stats["analysed"] == 0
    table = runner.invoke(cli, ["ingest", str(pages), "--no-analyze", "--db", db])
    assert "unchanged" in table.stdout and "│ new " in table.stdout


def test_ingest_with_analysis_quarantines_failures_and_skips_unchanged(runner, tmp_path, pages, fake):
    (pages / "failing.txt").write_text(FAILING)
    (pages / "empty.txt").write_text("")
    db = str(tmp_path / "news.db")
    result = runner.invoke(cli, ["ingest", str(pages), "--db", db, "--json"])
    assert result.exit_code == 0, result.stderr
    s = json.loads(result.stdout)
    assert (s["read"], s["new"]) == (4, 2)
    reasons = s["quarantined"]
    assert reasons.pop("analysis failed: RuntimeError: component blew up") == 1
    assert sum(reasons.values()) == 1  # the empty file, with the reader's reason
    assert len(set(fake.seen)) == 3
    before = len(fake.seen)
    again = json.loads(runner.invoke(cli, ["ingest", str(pages), "--db", db, "--json"]).stdout)
    assert (again["new"], again["unchanged"]) == (0, 2)
    failing_id = next(i for i in fake.seen if fake.seen.count(i) > 1)  # its batch failed, then it alone
    assert set(fake.seen[before:]) == {failing_id}  # stored, unchanged pages are not analysed again
    stats = json.loads(runner.invoke(cli, ["stats", "--db", db, "--json"]).stdout)
    assert stats["quarantined"]["analysis failed: RuntimeError: component blew up"] == 1
    assert stats["annotations"]["quotes"] == 2

    quotes = json.loads(runner.invoke(cli, ["quotes", "--speaker", "quill", "--db", db, "--json"]).stdout)
    assert [q["text"] for q in quotes] == ["Ships are moving again and the quays are safe,"]
    table = runner.invoke(cli, ["quotes", "--db", db])
    assert "Halloway" in table.stdout and "Quill" in table.stdout
    claims = json.loads(runner.invoke(cli, ["claims", "--place", "Odesa", "--type", "consult", "--db", db,
                                            "--json"]).stdout)
    assert len(claims) == 2 and {c["source"] for c in claims} == {"northwind-gazette.example",
                                                                   "lakeside-courier.example"}
    places = json.loads(runner.invoke(cli, ["places", "--db", db, "--json"]).stdout)
    assert [(p["name"], p["count"], p["articles"]) for p in places] == [("Odesa", 2, 2)]
    assert "Odesa" in runner.invoke(cli, ["places", "--db", db]).stdout


def test_analyze_prints_analyses(runner, pages, fake):
    result = runner.invoke(cli, ["analyze", str(pages / "harbour.txt")])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data)[: len(ARTICLE_KEYS)] == ARTICLE_KEYS
    assert list(data)[len(ARTICLE_KEYS):] == ["entities", "quotes", "places", "claims", "framing"]
    assert data["quotes"][0]["speaker"] == "Teodor Quill"
    lines = runner.invoke(cli, ["analyze", str(pages), "--format", "jsonl"]).stdout.splitlines()
    assert len(lines) == 2


def test_analyzer_that_cannot_load_is_one_line(runner, pages, tmp_path, monkeypatch):
    def broken():
        raise run_module.PipelineError("the analyzer cannot load (no model): run `make setup`")

    monkeypatch.setattr(run_module, "load_analyzer", broken)
    one_line_error(runner.invoke(cli, ["analyze", str(pages)]), 1, "make setup")
    one_line_error(runner.invoke(cli, ["ingest", str(pages), "--db", str(tmp_path / "x.db")]), 1, "make setup")
    assert not (tmp_path / "x.db").exists()


def test_search_show_and_export(runner, tmp_path, pages):
    db = str(tmp_path / "news.db")
    runner.invoke(cli, ["ingest", str(pages), "--no-analyze", "--db", db])
    result = runner.invoke(cli, ["search", "quays", "--db", db])
    assert result.exit_code == 0
    assert "Harbour Reopens After Storm" in result.stdout and "quays" in result.stdout
    assert "\x02" not in result.stdout and "\x03" not in result.stdout
    hits = json.loads(runner.invoke(cli, ["search", "ferry OR harbour", "--db", db, "--json"]).stdout)
    assert len(hits) == 2
    hits = json.loads(runner.invoke(cli, ["search", "ferry OR harbour", "--since", "2026-03-03", "--db", db,
                                          "--json"]).stdout)
    assert [h["title"] for h in hits] == ["Ferry Timetable Changes In Spring"]
    assert "[ferry]" in hits[0]["snippet"].lower()
    assert runner.invoke(cli, ["search", "zeppelin", "--db", db]).stdout.strip() == "no matches"

    shown = json.loads(runner.invoke(cli, ["show", hits[0]["id"][:6], "--db", db, "--json"]).stdout)
    assert shown["title"] == "Ferry Timetable Changes In Spring" and shown["store"]["duplicate_of"] is None
    assert "Halloway" in runner.invoke(cli, ["show", hits[0]["id"], "--db", db]).stdout

    out = tmp_path / "articles.csv"
    result = runner.invoke(cli, ["export", "--out", str(out), "--db", db])  # format from the extension
    assert result.exit_code == 0 and "exported 2 rows of articles" in result.stderr
    assert out.read_text().splitlines()[0].startswith("id,url,canonical_url,source,title")
    lines = runner.invoke(cli, ["export", "--format", "jsonl", "--db", db]).stdout.splitlines()
    assert sorted(json.loads(x)["title"] for x in lines) == ["Ferry Timetable Changes In Spring",
                                                              "Harbour Reopens After Storm"]
    import pyarrow.parquet as pq

    pq_out = tmp_path / "q.parquet"
    assert runner.invoke(cli, ["export", "--format", "parquet", "--kind", "quotes", "--out", str(pq_out),
                               "--db", db]).exit_code == 0
    assert pq.read_table(pq_out).num_rows == 0 and "speaker" in pq.read_table(pq_out).column_names


def test_help_teaches_with_examples(runner):
    import click

    def walk(group, path):
        ctx = click.Context(group)
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            yield [*path, name]
            if isinstance(cmd, click.Group):
                yield from walk(cmd, [*path, name])

    every = [[], *walk(cli, [])]
    assert ["sources", "add"] in every and ["alerts", "remove"] in every and ["provenance"] in every
    for args in every:
        result = runner.invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Example" in result.stdout, args


def test_serve_is_registered_lazily(runner, monkeypatch):
    monkeypatch.setattr(cli_main, "LAZY_COMMANDS", {"serve": ("newsledger.no_such_module", "serve")})
    assert "serve" not in runner.invoke(cli, ["--help"]).stdout
    one_line_error(runner.invoke(cli, ["serve"]), 2, "No such command")
    # a module that exists but cannot import (missing web extras) explains itself in one line
    monkeypatch.setattr(cli_main, "LAZY_COMMANDS", {"serve": ("newsledger.schema", "no_such_attribute")})
    one_line_error(runner.invoke(cli, ["serve", "--port", "1"]), 1, "`newsledger serve` is unavailable")


def test_jsonl_text_record_keeps_its_published_and_title(tmp_path):
    from newsledger.extract import extract
    from newsledger.ingest import read

    path = tmp_path / "wire.jsonl"
    path.write_text('{"url": "https://northwind.example/a", "published": "2026-03-02T08:00:00+00:00", '
                    '"title": "Ferry resumes", "text": "The island ferry resumed service on Monday after repairs."}\n')
    (raw,) = list(read([str(path)]))
    art = extract(raw)
    assert (art.title, art.published) == ("Ferry resumes", "2026-03-02T08:00:00+00:00")
    assert art.provenance.fields["published"] == "input-hint"
    assert art.text == "The island ferry resumed service on Monday after repairs."
