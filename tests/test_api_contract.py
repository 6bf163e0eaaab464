"""The API keeps its contract on hostile input: bounded integers, no 500s, a time budget per read,
and reads stop when the client hangs up."""

from __future__ import annotations

import asyncio
import threading
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*")
from fastapi.testclient import TestClient  # noqa: E402

from conftest_browser import build_store  # noqa: E402
from newsledger.api.app import OFFSET_MAX, ReadBudgetMiddleware, create_app  # noqa: E402
from newsledger.store import deadline, open_store  # noqa: E402
from newsledger.store.deadline import QueryTimeout  # noqa: E402

LOCAL = ("127.0.0.1", 50000)
BIG = str(2**63)


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("contract") / "news.db")


@pytest.fixture(scope="module")
def client(db) -> TestClient:
    return TestClient(create_app(db), base_url="http://127.0.0.1", client=LOCAL, raise_server_exceptions=False)


@pytest.mark.parametrize("url,status", [
    (f"/api/articles?offset={BIG}", 422), (f"/api/quotes?offset={BIG}", 422), (f"/api/claims?offset={BIG}", 422),
    (f"/api/sources?offset={BIG}", 422), (f"/api/stories?offset={BIG}", 422), (f"/api/stories/{BIG}", 422),
    (f"/api/provenance/claims/{BIG}", 422), (f"/api/places.geojson?offset={BIG}", 422),
    (f"/api/articles?offset={OFFSET_MAX}", 200), (f"/api/articles?place={BIG}", 200), (f"/api/claims?place={BIG}", 200),
    (f"/api/compare?place={BIG}", 200), ("/api/compare?place=%20%20", 400), ("/api/compare?entity=%20&place=", 400),
    ("/api/articles?q=*", 400), ("/api/timeline?q=*", 400), ("/api/articles?q=%22open", 400),
    ("/api/articles?q=" + "+OR+".join(f"w{i}*" for i in range(1000)), 422),  # longer than the schema allows
    ("/api/articles?q=" + "+".join(f"w{i}*" for i in range(300)), 400),  # more words than the parser takes ("/api/articles?place=%C2%B2", 200),
])
def test_hostile_parameters_are_client_errors_never_500(client, url, status):
    r = client.get(url)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")


def test_a_read_past_its_time_budget_is_503(db):
    slow = TestClient(create_app(db, read_seconds=0.0), base_url="http://127.0.0.1", client=LOCAL)
    r = slow.get("/api/articles", params={"q": "Siversk"})
    assert r.status_code == 503 and "took longer" in r.json()["detail"]


def test_a_cancelled_budget_stops_store_reads(db):
    with open_store(db) as store, deadline.limit(30, cancelled=threading.Event()) as budget:
        assert store.search("Siversk")
        budget.cancelled.set()
        with pytest.raises(QueryTimeout, match="cancelled"):
            store.search("Siversk")


def test_the_middleware_cancels_the_budget_when_the_client_disconnects():
    seen = {}

    async def app(scope, receive, send):
        budget = deadline.current()
        for _ in range(200):  # the endpoint's query, polling the budget like SQLite's progress handler
            if budget.exhausted():
                break
            await asyncio.sleep(0.01)
        seen["cancelled"] = budget.cancelled.is_set()

    async def receive():
        return {"type": "http.disconnect"}

    async def send(message):
        pass

    scope = {"type": "http", "method": "GET", "path": "/api/articles"}
    asyncio.run(ReadBudgetMiddleware(app, seconds=30)(scope, receive, send))
    assert seen == {"cancelled": True}
