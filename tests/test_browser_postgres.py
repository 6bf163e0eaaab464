"""The dashboard flows of test_browser.py in headless Chromium, served from a PostgreSQL store
(the same fictional articles; PostgreSQL started by the tests, see pg.py)."""

from __future__ import annotations

import pytest

import test_browser
from conftest_browser import PAYLOADS, browser, build_store, fictional_analyses  # noqa: F401 (fixture)
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


# ------------------------------------------------------------------ stories and provenance on PostgreSQL

import test_browser_stories as tbs  # noqa: E402

test_story_contradiction_and_claim_provenance = tbs.test_story_contradiction_and_claim_provenance
test_story_list_flags_contradictions_and_coverage_runs_in_time_order = (
    tbs.test_story_list_flags_contradictions_and_coverage_runs_in_time_order)
test_hostile_story_views_render_inert = tbs.test_hostile_story_views_render_inert


@pytest.fixture(scope="module")
def seed_server(postgres_server, seed_path):  # noqa: F811
    """The seed page and the bundled example ingested through the pipeline into PostgreSQL."""
    from newsledger.run import PipelineError, ingest
    from newsledger.store import open_store

    url = postgres_server.new_database()
    try:
        with open_store(url) as store:
            summary = ingest([str(seed_path), str(tbs.EXAMPLE)], store)
    except (PipelineError, ImportError) as e:
        pytest.skip(f"pipeline not available: {e}")
    assert summary.new == 2, summary.to_dict()
    server = test_browser.LiveServer(url)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def hostile_server(postgres_server):  # noqa: F811
    from newsledger import stories
    from newsledger.store import open_store

    items = fictional_analyses(include_hostile=True) + [
        tbs._hostile_reprint("evil-copy-0006", f"Copycat {PAYLOADS[2]} Wire", "copycat.example",
                             "2025-12-11T13:00:00+00:00", None),
        tbs._hostile_reprint("evil-alt-0007", f"Mirror {PAYLOADS[5]} Post", "mirror.example",
                             "2025-12-11T16:00:00+00:00", "is certainly not a quote"),
    ]
    url = postgres_server.new_database()
    with open_store(url) as store:
        store.upsert_many(items)
        stories.update(store, [a.article.id for a in items])
    server = test_browser.LiveServer(url)
    yield server
    server.stop()
