"""The dashboard flows of test_browser.py in headless Chromium, served from a PostgreSQL store
(the same fictional articles; PostgreSQL started by the tests, see pg.py)."""

from __future__ import annotations

import pytest

import test_browser
from conftest_browser import browser, build_store  # noqa: F401 (fixture)
from pg import postgres_server  # noqa: F401  (session fixture)

pytestmark = test_browser.pytestmark
# The flows over the fictional store; the seed flow ingests its own SQLite file.
globals().update({name: fn for name, fn in vars(test_browser).items()
                  if name.startswith("test_") and name != "test_seed_flow"})


@pytest.fixture(scope="module")
def fictional_server(postgres_server):  # noqa: F811
    server = test_browser.LiveServer(build_store(postgres_server.new_database()))
    yield server
    server.stop()


@pytest.fixture
def session(browser, fictional_server, request):  # noqa: F811
    # Screenshots named pg-…, beside (not over) the SQLite flow's.
    s = test_browser.Session(browser, fictional_server.url, "pg-" + request.node.name.removeprefix("test_"))
    yield s
    s.close()
