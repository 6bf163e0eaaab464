"""Filters mean the same in the store (CLI), the API and exports."""

from __future__ import annotations

import csv
import io
import warnings

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from conftest_browser import build_store  # noqa: E402
from newsledger.api.app import create_app  # noqa: E402
from newsledger.schema import Analysis, Article, Quote  # noqa: E402
from newsledger.store import open_store  # noqa: E402


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return build_store(tmp_path_factory.mktemp("filters") / "news.db")


@pytest.fixture(scope="module")
def client(db):
    return TestClient(create_app(db), base_url="http://127.0.0.1", client=("127.0.0.1", 50000))


@pytest.mark.parametrize("speaker", ["pavel dronov", "Dronov", "DRON", "nobody at all"])
def test_speaker_means_the_same_in_the_store_and_the_api(db, client, speaker):
    with open_store(db) as store:
        mine = sorted(q["id"] for q in store.quotes(speaker=speaker, limit=100))
    api = sorted(q["id"] for q in client.get("/api/quotes", params={"speaker": speaker, "limit": 100}).json()["items"])
    assert mine == api


@pytest.mark.parametrize("place", ["Siversk", "seversk", "700001", "Kramatorsk"])
def test_place_names_resolve_through_mentions_in_the_store_and_the_api(db, client, place):
    with open_store(db) as store:
        mine = sorted(c["id"] for c in store.claims(place=place, limit=100))
    api = sorted(c["id"] for c in client.get("/api/claims", params={"place": place, "limit": 100}).json()["items"])
    assert mine == api
    if place.lower() in ("siversk", "seversk", "700001"):
        assert len(mine) == 2  # the claim written "Seversk" and the one written "Siversk": one place


def test_cli_csv_exports_defuse_formulas_like_the_api(tmp_path):
    with open_store(tmp_path / "f.db") as store:
        art = Article(id="f0f0f0f0f0f0f0f0", url="https://northwind.example/f", title="=HYPERLINK(\"http://x\")",
                      text='"-1+2," said the clerk.')
        store.upsert(Analysis(article=art, quotes=[Quote("-1+2,", "direct", 1, 6, speaker="@clerk")]))
        out = io.StringIO()
        store.export("csv", out, kind="quotes")
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert rows[0]["text"] == "'-1+2," and rows[0]["speaker"] == "'@clerk"
        out = io.StringIO()
        store.export("csv", out, kind="articles")
        assert list(csv.DictReader(io.StringIO(out.getvalue())))[0]["title"] == "'=HYPERLINK(\"http://x\")"
