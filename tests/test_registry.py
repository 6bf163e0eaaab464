"""Plug points: readers, extractors, analysis components and exporters register themselves.

Each test adds a fictional entry with nothing but a function and its registration, runs it
through the real dispatch (ingest, extract, the Analyzer, the store, the CLI, the API) and
removes it again.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
from importlib import metadata

import pytest

from newsledger import exporters, registry as plugins
from newsledger.analyze import pipeline
from newsledger.extract import EXTRACTORS, ExtractError, extract, extractor
from newsledger.ingest import ReadStats, read, registry
from newsledger.registry import Registry, UnknownName
from newsledger.schema import ANNOTATION_TYPES, Article, Framing, Origin, RawDocument
from newsledger.store import open_store

warnings.filterwarnings("ignore", message=".*httpx.*")

MEMO = "Harbour council meets on Friday.\nThe ferry timetable changes in May."


# ---------------------------------------------------------------- the shared helper


def test_unknown_names_list_the_known_ones():
    reg: Registry[int] = Registry("gadget")
    reg.add("lamp", 1)
    reg.add("kettle", 2)
    with pytest.raises(UnknownName) as err:
        reg.get("toaster")
    assert str(err.value) == "unknown gadget 'toaster': choose one of lamp, kettle"
    with reg.registered("lamp", 3):
        assert reg.get("lamp") == 3
    assert reg.get("lamp") == 1 and reg.names() == ("lamp", "kettle")


def test_a_failing_built_in_module_is_an_error_every_time():
    reg: Registry[int] = Registry("gadget", modules=("newsledger_gadgets_nowhere",))
    for _ in range(2):  # not a registry that then claims to know nothing
        with pytest.raises(ModuleNotFoundError):
            reg.get("lamp")


def test_threads_wait_for_the_first_load(monkeypatch):
    import threading
    import time
    import types

    module = types.ModuleType("newsledger_slow_gadgets")

    def slow_import(name):
        time.sleep(0.2)
        reg.add("lamp", 1)
        return module

    reg: Registry[int] = Registry("gadget", modules=("newsledger_slow_gadgets",))
    monkeypatch.setattr(plugins.importlib, "import_module", slow_import)
    found = []
    threads = [threading.Thread(target=lambda: found.append(reg.find("lamp"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert found == [1, 1, 1, 1]


class _Point:
    """An entry point as importlib.metadata lists it."""

    def __init__(self, name, value, load):
        self.name, self.value, self.load = name, value, load


def test_plugins_load_lazily_and_a_broken_one_is_reported_not_fatal(monkeypatch, caplog):
    loaded = []

    def fake_entry_points(group):
        assert group == "newsledger.gadgets"

        def good():
            reg.add("lamp", 1)
            loaded.append("lamp")

        def bad():
            raise ImportError("No module named 'shiny_gadgets'")

        return [_Point("lamp", "good_gadgets", good), _Point("shiny", "shiny_gadgets:register", bad)]

    monkeypatch.setattr(metadata, "entry_points", fake_entry_points)
    reg: Registry[int] = Registry("gadget", group="newsledger.gadgets")
    assert loaded == []  # nothing is imported until the first lookup
    with caplog.at_level(logging.WARNING, logger="newsledger.plugins"):
        assert reg.get("lamp") == 1
    assert loaded == ["lamp"]
    assert reg.broken == {"shiny (shiny_gadgets:register)": "ImportError: No module named 'shiny_gadgets'"}
    assert "gadget plugin 'shiny' (shiny_gadgets:register) did not load and is skipped" in caplog.text


def test_every_registry_has_its_built_ins():
    found = {what: reg.names() for what, reg in plugins.all_registries().items()}
    assert found["reader"][:5] == ("warc", "html", "page-dump", "jsonl", "xml")
    assert found["extractor"] == ("dump", "html", "text")
    assert found["analysis component"] == pipeline.DEFAULT_COMPONENTS
    assert found["export format"] == ("parquet", "csv", "jsonl")


def test_run_and_journal_do_not_import_each_other():
    import ast
    import inspect

    from newsledger import journal, run

    def imported(module) -> set[str]:
        """Every module ``module`` imports, at its top or inside a function."""
        return {(n.module or "").rsplit(".", 1)[-1] for n in ast.walk(ast.parse(inspect.getsource(module)))
                if isinstance(n, ast.ImportFrom)}

    assert "run" not in imported(journal)  # run uses journal; journal never needs run
    code = "import sys, newsledger.journal; print('newsledger.run' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


# ---------------------------------------------------------------- readers


def test_a_new_reader_is_one_registration(tmp_path):
    assert registry.for_path("a/b.warc.gz").name == "warc" and registry.for_path("x.unknown") is None

    def read_note(path, ctx):
        yield RawDocument(origin=Origin("text", path), format="html",
                          content=b"<p>" + open(path, "rb").read() + b"</p>")

    (tmp_path / "memo.note").write_text("Harbour council meets on Friday.", encoding="utf-8")
    with registry.READERS.registered("note", registry.Reader("note", lambda p: p.endswith(".note"), read_note, 5)):
        stats = ReadStats()
        (doc,) = list(read([str(tmp_path / "memo.note")], stats=stats))
    assert doc.content == b"<p>Harbour council meets on Friday.</p>" and stats.files == 1
    assert "note" not in registry.READERS


def test_the_reader_decorator_registers(monkeypatch):
    monkeypatch.setattr(registry.READERS, "_entries", dict(registry.READERS._entries))

    @registry.reader("note", claims=lambda path: path.endswith(".note"), order=5)
    def read_note(path, ctx):
        yield from ()

    assert registry.for_path("x.note").read is read_note
    assert registry.READERS.names()[0] == "note"  # order 5 comes before the WARC reader's 10


# ---------------------------------------------------------------- extractors


def test_a_new_extractor_is_one_registration(tmp_path, monkeypatch):
    monkeypatch.setattr(EXTRACTORS, "_entries", dict(EXTRACTORS._entries))

    @extractor("memo")
    def extract_memo(raw: RawDocument) -> Article:
        title, _, body = raw.content.partition("\n")
        return Article(id="", title=title, text=body)

    raw = RawDocument(origin=Origin("text", str(tmp_path / "m.memo")), format="memo", content=MEMO)
    art = extract(raw)  # the real dispatch, and the common finish (id, origin)
    assert art.title == "Harbour council meets on Friday." and art.text == "The ferry timetable changes in May."
    assert len(art.id) == 16 and art.provenance.origin.path.endswith("m.memo")

    from newsledger.run import extract_one

    EXTRACTORS.remove("memo")
    bad = extract_one(raw)
    assert bad.reason.startswith("unknown raw format 'memo'")
    with pytest.raises(ExtractError):
        extract(raw)


# ---------------------------------------------------------------- analysis components


@pytest.fixture(scope="module")
def english():
    pytest.importorskip("spacy")
    try:
        from newsledger.analyze.nlp import get_nlp

        get_nlp()
    except RuntimeError as e:
        pytest.skip(str(e))


def test_a_new_component_is_one_registration(english, monkeypatch):
    monkeypatch.setattr(pipeline.COMPONENTS, "_entries", dict(pipeline.COMPONENTS._entries))
    seen = {}

    @pipeline.component("shouting", produces="framing")
    def load_shouting():
        def shouting(ctx) -> list[Framing]:
            seen["entities before"] = [e.text for e in ctx.entities]
            text = ctx.article.text
            return [Framing(term="shouting", text=w, start=text.find(w), end=text.find(w) + len(w),
                            category="tone", component="shouting")
                    for w in text.split() if len(w) > 3 and w.isupper()]
        return shouting

    text = "Mayor Elsa Brandt said the ferry was CANCELLED again on Tuesday."
    an = pipeline.Analyzer()  # registered is enough: it runs after the built-ins
    assert an.names == pipeline.DEFAULT_COMPONENTS + ("shouting",)
    res = an.analyze_one(Article(id="s1", text=text, language="en"))
    loud = [f for f in res.framing if f.component == "shouting"]
    assert [(f.text, text[f.start:f.end]) for f in loud] == [("CANCELLED", "CANCELLED")]
    assert "Elsa Brandt" in seen["entities before"]  # it ran after the built-ins, on their results


def test_a_language_version_replaces_the_shared_component(english, monkeypatch):
    monkeypatch.setattr(pipeline.COMPONENTS, "_entries", dict(pipeline.COMPONENTS._entries))

    @pipeline.component("tally")
    def load_shared():
        return lambda ctx: ["shared"]

    @pipeline.component("tally", langs=("xx",))
    def load_xx(lang):
        return lambda ctx: [f"own {lang}"]

    an = pipeline.Analyzer(("tally",))
    ((_, shared),) = an.components_for("en")
    ((_, own),) = an.components_for("xx")
    assert shared(None) == ["shared"] and own(None) == ["own xx"]


def test_unknown_component_lists_the_known_ones(english):
    with pytest.raises(UnknownName, match="unknown analysis component 'sentiment': choose one of entities, quotes, places, framing, claims$"):
        pipeline.Analyzer(("entities", "sentiment"))


def test_the_context_has_one_list_per_annotation_kind():
    ctx = pipeline.Context(article=Article(id="c", text=""))
    assert all(getattr(ctx, kind) == [] for kind in ANNOTATION_TYPES)


# ---------------------------------------------------------------- exporters


def _tsv(rows, columns):
    names = [c for c, _ in columns]
    yield "\t".join(names) + "\n"
    for row in rows:
        yield "\t".join("" if row.get(c) is None else str(row.get(c)) for c in names) + "\n"


@pytest.fixture
def tsv(monkeypatch):
    monkeypatch.setattr(exporters.EXPORTERS, "_entries", dict(exporters.EXPORTERS._entries))
    exporters.exporter("tsv", media_type="text/tab-separated-values")(_tsv)
    yield
    assert exporters.EXPORTERS.remove("tsv") is not None


@pytest.fixture
def db(tmp_path):
    from test_store import make_analysis

    path = tmp_path / "news.db"
    with open_store(path) as store:
        store.upsert(make_analysis())
    return path


def test_a_new_exporter_serves_the_store_and_the_cli(tsv, db, tmp_path):
    with open_store(db) as store:
        assert store.export("tsv", tmp_path / "q.tsv", kind="quotes") == 1
    head, row = (tmp_path / "q.tsv").read_text(encoding="utf-8").splitlines()
    assert head.split("\t")[:3] == ["id", "article_id", "source_domain"] and "Teodor Quill" in row.split("\t")

    from click.testing import CliRunner

    from newsledger.cli.main import cli

    out = tmp_path / "articles.tsv"  # the format follows the extension
    result = CliRunner().invoke(cli, ["export", "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("id\t")


def test_a_new_exporter_serves_the_api(tsv, db):
    from fastapi.testclient import TestClient

    from newsledger.api.app import create_app

    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))
    r = client.get("/api/quotes", params={"format": "tsv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    assert "\tspeaker\t" in r.text.splitlines()[0] and "Teodor Quill" in r.text
    doc = client.get("/openapi.json").json()
    params = {p["name"]: p for p in doc["paths"]["/api/quotes"]["get"]["parameters"]}
    assert "tsv" in params["format"]["schema"]["pattern"]
    assert "text/tab-separated-values" in doc["paths"]["/api/quotes"]["get"]["responses"]["200"]["content"]
    page = client.get("/").text  # the dashboard's export links and its article layers follow the declarations
    assert 'data-export-formats="parquet csv jsonl tsv"' in page
    assert f'data-annotation-kinds="{" ".join(ANNOTATION_TYPES)}"' in page


def test_unknown_export_format_lists_the_known_ones(db):
    from newsledger.store import QueryError

    with open_store(db) as store, pytest.raises(QueryError, match="choose one of parquet, csv, jsonl"):
        store.export("xlsx", "x.xlsx")


def test_jsonl_nests_json_columns_and_csv_keeps_them_as_text():
    rows = [{"n": 1, "meta": '{"a": [1, 2]}', "note": "=SUM(A1)"}]
    cols = [("n", "INTEGER"), ("meta", "JSON"), ("note", "TEXT")]
    assert json.loads("".join(exporters.get("jsonl").write(rows, cols))) == {"n": 1, "meta": {"a": [1, 2]},
                                                                             "note": "=SUM(A1)"}
    assert "".join(exporters.get("csv").write(rows, cols)).splitlines() == ["n,meta,note", '1,"{""a"": [1, 2]}",\'=SUM(A1)']


def test_installed_plugins_load_and_a_broken_one_does_not_break_the_cli(tmp_path, db):
    """Two installed packages: one adds an export format through its entry point (one module plus its
    decorator), the other's entry point cannot be imported. The CLI uses the first and says it skipped the second."""
    import os

    site = tmp_path / "site"
    for dist, points in (("tsv_gadgets", "tsv = tsv_gadgets"), ("broken_gadgets", "xlsx = broken_gadgets_nowhere.xlsx")):
        info = site / f"{dist}-0.1.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[newsledger.exporters]\n{points}\n", encoding="utf-8")
    (site / "tsv_gadgets.py").write_text(
        "from newsledger.exporters import exporter\n\n\n"
        "@exporter('tsv', media_type='text/tab-separated-values')\n"
        "def tsv(rows, columns):\n"
        "    names = [c for c, _ in columns]\n"
        "    yield '\\t'.join(names) + '\\n'\n"
        "    for row in rows:\n"
        "        yield '\\t'.join(str(row.get(c, '')) for c in names) + '\\n'\n", encoding="utf-8")
    src = os.path.dirname(os.path.dirname(os.path.abspath(exporters.__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), src])}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "newsledger.cli.main", *args], capture_output=True, text=True,
                              env=env)

    out = tmp_path / "a.tsv"
    done = cli("export", "--out", str(out), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8").startswith("id\turl\t")
    assert "export format plugin 'xlsx' (broken_gadgets_nowhere.xlsx) did not load and is skipped" in done.stderr
    listed = cli("plugins").stdout
    assert "export formats (newsledger.exporters): parquet, csv, jsonl, tsv" in listed
    assert "not loaded: xlsx (broken_gadgets_nowhere.xlsx): ModuleNotFoundError" in listed


def test_reviewable_kinds_are_declared_annotation_kinds():
    from newsledger.store.migrations import ANNOTATION_EXTRA, REVIEW_KINDS
    from newsledger.store.reviews import KINDS

    assert KINDS is REVIEW_KINDS and set(KINDS.values()) <= set(ANNOTATION_TYPES)
    assert all(("review", "JSON") in ANNOTATION_EXTRA[kind] for kind in KINDS.values())
