"""The dashboard's Following page (sources health, alerts) in a real headless Chromium (Debian's).

Screenshots land in test-artifacts/browser/watch-*.png at 1280 px and 390 px.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import test_browser as tb
from conftest_browser import INJECTED, PAYLOADS, browser  # noqa: F401 (fixture)
from newsledger.store import open_store
from newsledger.store.watch import WatchStore

pytestmark = pytest.mark.skipif(not tb.CHROMIUM.exists(), reason="Debian chromium not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def watch_server(tmp_path_factory):
    db = tmp_path_factory.mktemp("watch") / "watch.db"
    with open_store(db) as store:
        ws = WatchStore(store)
        now = "2026-01-01T00:00:00+00:00"
        for i, (name, url) in enumerate([(PAYLOADS[0], "https://quay.example/feed.xml"),
                                         ("Silent Desk", "javascript:alert(1)//feed"),
                                         ("Healthy Desk", "https://ok.example/rss")]):
            src = ws.add_source(url, name=name, kind="feed", collection=None, every_s=900, outlet=None,
                                domain="x.example", added=now)
            fields = {"polls": 5, "last_attempt": now, "last_success": now if i else None}
            if i == 0:
                fields.update(consecutive_failures=3, last_error=PAYLOADS[1], last_error_kind="server-error")
            if i == 2:
                fields.update(last_new_item=datetime.now(timezone.utc).isoformat(timespec="seconds"))
            ws.update_source(src["id"], fields)
        ws.add_alert(PAYLOADS[2], "harbour", {}, None, None, now)
    server = tb.LiveServer(db)
    yield server
    server.stop()


def test_following_page_orders_by_health_and_renders_inert(browser, watch_server):
    s = tb.Session(browser, watch_server.url, "watch")
    try:
        s.goto("#/watch", "table.watch-health")
        statuses = s.page.locator("table.watch-health tbody tr").evaluate_all("rows => rows.map(r => r.dataset.status)")
        assert statuses == ["silent", "failing", "ok"]
        text = s.page.locator("main").inner_text()
        assert PAYLOADS[0] in text and PAYLOADS[1] in text and PAYLOADS[2] in text
        assert s.page.evaluate(INJECTED) == 0
        s.shoot("following")
        s.assert_clean()
    finally:
        s.close()
