"""Following sources: a local HTTP server whose feeds change over time stands in
for the web; the watcher runs on a simulated clock, so nothing here sleeps."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from email.utils import formatdate
from xml.etree import ElementTree

import httpx
import pytest

from newsledger.ingest.fetch import Fetcher, FetchOptions
from newsledger.store import open_store
from newsledger.store.watch import WatchStore
from newsledger.watch import sources
from newsledger.watch.alerts import atom, sign
from newsledger.watch.health import health, iso, report
from newsledger.watch.scheduler import FakeClock, Watcher, WatchOptions, section_links
import loopback
from pg import postgres_server  # noqa: F401  (session fixture)

HOUR = 3600.0


WORDS = ("ferry timetable", "pier repairs", "fish market", "lighthouse keeper", "tide gauge", "dock strike",
         "grain silo", "customs shed", "night ferry", "storm wall", "rope works", "salt flats", "crane permit",
         "boat census", "canal lock", "harbour fees", "ice breaker", "coast path", "net lofts", "beacon fund")


def article(slug: str, town: str) -> bytes:
    """A small fictional article page; each slug gets its own wording (no near-duplicates)."""
    seed = int(hashlib.sha1(slug.encode()).hexdigest(), 16)
    topics = [WORDS[(seed >> (5 * i)) % len(WORDS)] for i in range(8)]
    paras = "".join(
        f"<p>On day {seed % 997 + i} the {topics[i]} of {town} was discussed by the {topics[i + 1]} committee, "
        f"said Mira Osk ({slug}), who expects the {topics[(i + 3) % 8]} to change by week {seed % 53 + i}.</p>"
        for i in range(6)
    ).replace("{i + 1}", "")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{town} harbour {slug}</title></head>"
            f"<body><article><h1>{town} harbour {slug}</h1>{paras}</article></body></html>").encode()


def rss(base: str, slugs: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {s}</title><link>{base}/news/{s}.html</link><guid>{base}/news/{s}.html</guid></item>"
        for s in slugs
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Test</title>{items}</channel></rss>".encode()


class Site:
    """Routes: path -> callable(handler) -> (status, headers, body). Records every request."""

    def __init__(self):
        self.routes: dict = {}
        self.log: list[tuple[str, str, dict, bytes]] = []
        self.lock = threading.Lock()
        site = self

        class Handler(loopback.QuietHandler):
            def _serve(self, method: str):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) if method == "POST" else b""
                with site.lock:
                    site.log.append((method, self.path, dict(self.headers), body))
                route = site.routes.get(self.path)
                self.reply(*(route(self) if route else (404, {}, b"not found")))

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        self.httpd, self.base = loopback.start(Handler)

    def gets(self, path: str) -> int:
        return sum(1 for m, p, _, _ in self.log if m == "GET" and p == path)

    def feed(self, path: str, slugs: list[str], town: str = "Varna Nova") -> None:
        """A feed with ETag/Last-Modified that answers 304 to a matching conditional GET."""
        state = {"slugs": list(slugs)}

        def serve(h):
            body = rss(self.base, state["slugs"])
            etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
            if h.headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "application/rss+xml", "ETag": etag,
                         "Last-Modified": formatdate(usegmt=True)}, body

        self.routes[path] = serve
        for s in slugs:
            self.page(s, town)
        self.__dict__.setdefault("states", {})[path] = state

    def publish(self, path: str, slug: str, town: str = "Varna Nova") -> None:
        self.page(slug, town)
        self.states[path]["slugs"].insert(0, slug)

    def page(self, slug: str, town: str) -> None:
        body = article(slug, town)
        self.routes[f"/news/{slug}.html"] = lambda h: (200, {"Content-Type": "text/html; charset=utf-8"}, body)


@pytest.fixture
def site():
    s = Site()
    s.routes["/robots.txt"] = lambda h: (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n")
    yield s
    loopback.stop(s.httpd)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "w.db")
    yield s
    s.close()


def options(**kw) -> WatchOptions:
    kw.setdefault("analyze", False)
    kw.setdefault("seed", 7)
    kw.setdefault("host_gap", 1.0)
    fetch = FetchOptions(allow_private=True, min_interval=0, timeout=5, follow_links=True)
    return WatchOptions(fetch=fetch, **kw)


def follow(store, clock, url: str, every: str = "15m", **kw) -> dict:
    return sources.add(WatchStore(store), url, every=every, now=iso(clock.now()), **kw)


def article_ids(store) -> list[str]:
    return [r["id"] for r in store._read("SELECT id FROM articles ORDER BY id")]


# ------------------------------------------------------------ sources


def test_sources_add_list_remove_and_opml(tmp_path, store, clock):
    ws = WatchStore(store)
    src = sources.add(ws, "https://www.bbc.co.uk/news/rss.xml", every="2h", collection="uk", now=iso(clock.now()))
    assert (src["outlet"], src["kind"], src["every_s"], src["domain"]) == ("BBC", "feed", 7200, "bbc.co.uk")
    with pytest.raises(Exception, match="already following"):
        sources.add(ws, "https://www.bbc.co.uk/news/rss.xml", now=iso(clock.now()))
    for bad in ("5s", "abc", "9d"):
        with pytest.raises(sources.SourceError):
            sources.parse_every(bad)
    with pytest.raises(sources.SourceError, match="not an http"):
        sources.add(ws, "file:///etc/passwd")
    opml = b"""<?xml version="1.0"?><opml version="2.0"><body>
      <outline text="Local"><outline text="Quay Times" xmlUrl="https://quay.example/feed.xml"/></outline>
      <outline text="Loose" type="rss" xmlUrl="https://loose.example/rss"/></body></opml>"""
    entries = list(sources.read_opml(opml))
    assert entries == [{"url": "https://quay.example/feed.xml", "name": "Quay Times", "collection": "Local"},
                       {"url": "https://loose.example/rss", "name": "Loose", "collection": None}]
    with pytest.raises(sources.SourceError):
        list(sources.read_opml(b'<!DOCTYPE x [<!ENTITY a "b">]><opml><body/></opml>'))
    assert [s["url"] for s in ws.sources("uk")] == ["https://www.bbc.co.uk/news/rss.xml"]
    assert ws.remove_source("https://www.bbc.co.uk/news/rss.xml") and ws.sources() == []


def test_cli_sources_and_alerts(tmp_path, site):
    from click.testing import CliRunner

    from newsledger.cli.main import cli

    db = str(tmp_path / "cli.db")
    run = lambda *a: CliRunner().invoke(cli, [*a, "--db", db])  # noqa: E731
    refused = run("sources", "add", site.base + "/feed.xml")
    assert refused.exit_code != 0 and "--allow-private" in refused.output
    ok = run("sources", "add", site.base + "/feed.xml", "--every", "30m", "--collection", "test", "--allow-private")
    assert ok.exit_code == 0, ok.output
    opml = tmp_path / "f.opml"
    opml.write_text(f'<opml><body><outline text="B" xmlUrl="{site.base}/b.xml"/>'
                    f'<outline text="A again" xmlUrl="{site.base}/feed.xml"/></body></opml>')
    imported = run("sources", "import", str(opml), "--json")
    assert imported.exit_code == 0 and len(json.loads(imported.output)["skipped"]) == 1
    listed = json.loads(run("sources", "list", "--json").output)
    assert [(s["url"], s["every_s"], s["status"]) for s in listed] == [
        (site.base + "/feed.xml", 1800, "pending"), (site.base + "/b.xml", 900, "pending")]
    site.feed("/feed.xml", ["a1"])
    once = run("watch", "--once", "--no-analyze", "--allow-private", "--host-gap", "0", "--page-interval", "0",
               "--json")
    assert once.exit_code == 0, once.output  # /b.xml is a 404: recorded, not raised
    summary = json.loads(once.output)
    assert (summary["polled"], summary["new"], summary["failed"]) == (2, 1, 1)
    health_rows = json.loads(run("sources", "health", "--json", "--allow-private").output)
    assert {"url", "status", "last_success", "last_error", "consecutive_failures", "items_total"} <= set(health_rows[0])
    assert [(h["status"], h["items_total"]) for h in health_rows] == [("failing", 0), ("ok", 1)]
    added = run("alerts", "add", "harbour", "--outlet", "127.0.0.1", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(run("alerts", "list", "--json").output)[0]["filters"] == {"outlet": "127.0.0.1"}
    site.publish("/feed.xml", "a2")
    text = run("watch", "--once", "--all", "--no-analyze", "--allow-private", "--host-gap", "0", "--page-interval", "0")
    # a match with no webhook is still a match: the summary must not read as if nothing was found
    assert "1 new articles, 1 alert matches, 0 webhook posts" in text.output, text.output
    assert run("alerts", "add", "--near", "91,0,5").exit_code == 2
    misspelt = run("alerts", "add", "--claim-type", "ATTACK")  # would silently match nothing
    assert misspelt.exit_code == 2 and "unknown claim type 'ATTACK'" in misspelt.output
    typed = json.loads(run("alerts", "add", "--claim-type", "take_control", "--json").output)
    assert typed["filters"] == {"claim_type": "TAKE_CONTROL"}
    assert run("alerts", "remove", "1").exit_code == 0
    assert run("sources", "remove", site.base + "/b.xml").exit_code == 0
    assert run("sources", "remove", "nope").exit_code == 1


# ------------------------------------------------------------ polling


def test_new_items_conditional_requests_and_no_refetch(site, store, clock):
    site.feed("/feed.xml", ["a1", "a2"])
    follow(store, clock, site.base + "/feed.xml")
    with Watcher(store, options(), clock=clock) as w:
        first = w.run_once()
        assert (first.polled, first.new) == (1, 2)
        assert len(article_ids(store)) == 2
        clock.advance(HOUR)
        second = w.run_once()  # unchanged feed: a 304, nothing refetched
        assert (second.new, second.not_modified) == (1 - 1, 1)
        last_get = [h for m, p, h, _ in site.log if p == "/feed.xml"][-1]
        assert last_get.get("If-None-Match") and last_get.get("If-Modified-Since")
        site.publish("/feed.xml", "a3")
        clock.advance(HOUR)
        third = w.run_once()
        assert third.new == 1
    assert len(article_ids(store)) == 3
    assert [site.gets(f"/news/{s}.html") for s in ("a1", "a2", "a3")] == [1, 1, 1]
    (src,) = WatchStore(store).sources()
    assert src["items_total"] == 3 and src["consecutive_failures"] == 0 and src["kind"] == "feed"
    assert store.runs(limit=1)[0]["status"] == "ok"


def test_errors_backoff_retry_after_and_health(site, store, clock):
    site.feed("/ok.xml", ["b1"])
    site.routes["/busy.xml"] = lambda h: (429, {"Retry-After": "7200"}, b"")
    site.routes["/broken.xml"] = lambda h: (500, {}, b"")
    site.routes["/forbidden.xml"] = lambda h: (403, {}, b"")
    site.routes["/private/feed.xml"] = lambda h: (200, {"Content-Type": "application/rss+xml"}, rss(site.base, []))
    site.routes["/wall"] = lambda h: (200, {"Content-Type": "text/html"},
                                      b"<html><head><title>Just a moment...</title></head><body>cf-challenge</body></html>")

    def slow(h):  # slow on the simulated clock, so the verdict does not depend on the machine's load
        clock.advance(5)
        return 200, {"Content-Type": "application/rss+xml"}, rss(site.base, ["b1"])

    site.routes["/slow.xml"] = slow
    for path in ("/ok.xml", "/busy.xml", "/broken.xml", "/forbidden.xml", "/private/feed.xml", "/wall", "/slow.xml"):
        follow(store, clock, site.base + path)
    ws = WatchStore(store)
    with Watcher(store, options(slow_after=1.0), clock=clock) as w:
        rnd = w.run_once()
        assert (rnd.polled, rnd.ok) == (7, 2)
        by_url = {s["url"].removeprefix(site.base): s for s in ws.sources()}
        start = clock.now()
        assert by_url["/busy.xml"]["next_due"] >= start + 7200 * 0.99 - 10  # Retry-After honoured
        assert by_url["/broken.xml"]["next_due"] <= start + 900 * 1.1
        statuses = {h["url"].removeprefix(site.base): (h["status"], h["reason"])
                    for h in report(ws.sources(), clock.now(), slow_after=1.0)}
        assert statuses == {
            "/ok.xml": ("ok", None), "/busy.xml": ("failing", "rate-limited"),
            "/broken.xml": ("failing", "server-error"), "/forbidden.xml": ("blocked", "403"),
            "/private/feed.xml": ("blocked", "robots"), "/wall": ("blocked", "captcha"),
            "/slow.xml": ("slow", "source took 5.0 s"),
        }
        # Backoff grows with each failure: the second and third waits double.
        waits = []
        for _ in range(3):
            clock.t = ws.source(site.base + "/broken.xml")["next_due"] + 1
            before = clock.now()
            w.poll(ws.source(site.base + "/broken.xml"))
            waits.append(ws.source(site.base + "/broken.xml")["next_due"] - before)
        assert waits[0] > 1.5 * 900 and waits[1] > 1.5 * waits[0] * 0.8 and waits[2] > waits[1]
    assert ws.source(site.base + "/broken.xml")["consecutive_failures"] == 4


def test_redirect_to_a_private_address_is_refused(store, clock):
    # A public-looking host (fake DNS and transport) that redirects into the local network.
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://127.0.0.1:8080/admin/feed.xml"})

    fetch = FetchOptions(allow_private=False, min_interval=0, follow_links=True)
    make = lambda: Fetcher(fetch, resolver=lambda host, port: ["93.184.216.34"],  # noqa: E731
                           transport=httpx.MockTransport(handler))
    follow(store, clock, "http://news.example/feed.xml")
    with Watcher(store, WatchOptions(fetch=fetch, analyze=False), clock=clock, fetcher_factory=make) as w:
        (result,) = w.run_once().results
    assert result.kind == "refused-address" and "127.0.0.1" in result.error
    (h,) = report(WatchStore(store).sources(), clock.now())
    assert h["status"] == "failing" and "loopback" in h["last_error"]


def test_silent_feed_and_items_per_day(site, store, clock):
    site.feed("/feed.xml", [])
    follow(store, clock, site.base + "/feed.xml", every="1h")
    n = 0
    with Watcher(store, options(), clock=clock) as w:
        # Three days with four stories a day, then nothing for three days.
        for hour in range(6 * 24):
            if hour < 72 and hour % 6 == 0:
                n += 1
                site.publish("/feed.xml", f"s{n}")
            w.run_once()
            clock.advance(HOUR)
            if hour == 71:
                (mid,) = report(WatchStore(store).sources(), clock.now())
                assert mid["status"] == "ok"
    (h,) = report(WatchStore(store).sources(), clock.now())
    assert h["items_total"] == 12 and h["status"] == "silent" and h["reason"].startswith("no new item for")
    assert h["usual_range"] is not None and h["items_per_day"] > 0
    assert len(article_ids(store)) == 12


def test_killed_mid_round_resumes_without_loss_or_duplicates(site, store, clock):
    site.feed("/a.xml", [f"k{i}" for i in range(5)])
    site.feed("/b.xml", [f"m{i}" for i in range(5)], town="Lake Orm")
    follow(store, clock, site.base + "/a.xml")
    follow(store, clock, site.base + "/b.xml")

    class Killed(BaseException):
        pass

    batches = []

    def die_after_two_batches(batch):
        batches.append(batch)
        if len(batches) == 2:
            raise Killed()

    w = Watcher(store, options(batch_size=2), clock=clock, on_batch=die_after_two_batches)
    with pytest.raises(Killed):
        w.run_once()  # killed: no close(), the run stays "running"
    assert len(article_ids(store)) == 4
    run_id = store.runs(limit=1)[0]["id"]
    with Watcher(store, options(batch_size=2), clock=clock) as again:
        again.run_once()
    ids = article_ids(store)
    assert len(ids) == 10 and len(set(ids)) == 10
    runs = store.runs(limit=5)
    assert runs[0]["id"] == run_id and runs[0]["status"] == "ok"  # the killed run was resumed and closed
    assert runs[0]["counts"]["new"] == 10, runs[0]["counts"]
    # The items of the batch stored just before the kill were taken again at most once.
    assert max(site.gets(f"/news/k{i}.html") for i in range(5)) <= 2
    assert sum(s["items_total"] for s in WatchStore(store).sources()) == 10


def test_section_page_links():
    html = ('<a href="/news/2026/quay-reopens">q</a><a href="/tag/quay">t</a><a href="https://other.example/x/1">o</a>'
            '<a href="/about">a</a><a href="story.html">s</a><a href="/news/2026/quay-reopens#c">dup</a>')
    assert section_links(html, "https://www.site.example/news") == [
        "https://www.site.example/news/2026/quay-reopens", "https://www.site.example/story.html"]


# ------------------------------------------------------------ alerts


def test_alerts_atom_and_signed_webhook_with_retries(site, store, clock):
    received = []
    fail = {"left": 1}

    def hook(h):
        if fail["left"]:
            fail["left"] -= 1
            return 503, {"Retry-After": "120"}, b""
        received.append((dict(h.headers), site.log[-1][3]))
        return 204, {}, b""

    site.routes["/hook"] = hook
    site.feed("/feed.xml", ["h1"], town="Port Selm")
    follow(store, clock, site.base + "/feed.xml")
    ws = WatchStore(store)
    hit = ws.add_alert("harbour", "harbour", {"outlet": "127.0.0.1"}, site.base + "/hook", "s3cret", iso(clock.now()))
    miss = ws.add_alert("volcano", "volcano", {}, None, None, iso(clock.now()))
    with Watcher(store, options(), clock=clock) as w:
        first = w.run_once()
        assert (first.alerts_matched, first.delivered) == (1, 0)  # matched while polling; the first delivery got a 503
        assert received == []
        clock.advance(60)
        w.run_once()
        assert received == []  # Retry-After: 120 s not over yet
        clock.advance(120)
        w.run_once()
    (headers, body), = received
    assert headers["X-Newsledger-Signature"] == sign("s3cret", body)
    assert hmac.compare_digest(headers["X-Newsledger-Signature"],
                               "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest())
    sent = json.loads(body)
    assert sent["alert"]["id"] == hit and sent["article"]["url"] == site.base + "/news/h1.html"
    counts = {a["id"]: a["matches"] for a in ws.alerts()}
    assert counts == {hit: 1, miss: 0}
    feed = ElementTree.fromstring(atom(ws.alert(hit), ws.matches(hit), "http://x/api/alerts/1/atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)] == [site.base + "/news/h1.html"]


def test_atom_escapes_everything():
    alert = {"id": 1, "name": "<script>x</script>", "created": "2026-01-01T00:00:00+00:00"}
    match = {"article_id": "a&b", "title": "</title><x>", "url": 'http://e/"><x', "matched": "2026-01-01",
             "summary": "<b>", "source_domain": "e"}
    root = ElementTree.fromstring(atom(alert, [match], "http://h/?a=1&b=2"))
    assert root.find("{http://www.w3.org/2005/Atom}title").text == "newsledger alert: <script>x</script>"


def test_health_pending_before_first_poll(clock):
    h = health({"id": 1, "url": "u", "every_s": 900, "added": iso(clock.now())}, clock.now())
    assert h["status"] == "pending" and h["items_total"] == 0


def test_sources_watch_and_alerts_on_postgres(postgres_server, site, clock):  # noqa: F811
    pg = open_store(postgres_server.new_database())
    try:
        site.feed("/feed.xml", ["p1", "p2"], town="Keld")
        src = follow(pg, clock, site.base + "/feed.xml", collection="pg")
        ws = WatchStore(pg)
        hit = ws.add_alert("keld", "Keld", {"outlet": "127.0.0.1"}, None, None, iso(clock.now()))
        with Watcher(pg, options(), clock=clock) as w:
            assert w.run_once().new == 2
            clock.advance(HOUR)
            assert w.run_once().not_modified == 1
        (h,) = report(ws.sources("pg"), clock.now())
        assert (h["status"], h["items_total"], h["url"]) == ("ok", 2, src["url"])
        assert ws.source(src["id"])["daily"] == {"2026-01-01": 2}
        assert [a["matches"] for a in ws.alerts()] == [2] and len(ws.matches(hit)) == 2
        assert ws.remove_source(src["url"]) and ws.remove_alert(hit)
    finally:
        pg.close()


def test_api_health_alerts_and_atom(site, tmp_path, clock):
    from fastapi.testclient import TestClient

    from newsledger.api.app import create_app

    db = tmp_path / "api.db"
    with open_store(db) as st:
        site.feed("/feed.xml", ["q1"], town="Brill <b>Cove</b>")
        follow(st, clock, site.base + "/feed.xml", name='<img src=x onerror="alert(1)">')
        alert = WatchStore(st).add_alert("<script>", "harbour", {}, None, None, iso(clock.now()))
        with Watcher(st, options(), clock=clock) as w:
            w.run_once()
    client = TestClient(create_app(db), base_url="http://127.0.0.1", client=("127.0.0.1", 5000))
    health_page = client.get("/api/watch/health").json()
    assert health_page["total"] == 1 and health_page["items"][0]["name"].startswith("<img")
    alerts_page = client.get("/api/alerts").json()
    assert alerts_page["matches"] == 1 and "secret" not in alerts_page["items"][0]
    feed = client.get(f"/api/alerts/{alert}/atom")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<script>" not in feed.content and b"&lt;script&gt;" in feed.content
    assert ElementTree.fromstring(feed.content).find("{http://www.w3.org/2005/Atom}entry") is not None
    assert client.get("/api/alerts/999/atom").status_code == 404
    assert client.get("/api/alerts/0/atom").status_code == 422
    spec = client.get("/openapi.json").json()
    assert "application/atom+xml" in spec["paths"]["/api/alerts/{alert_id}/atom"]["get"]["responses"]["200"]["content"]


def test_run_forever_follows_schedules_and_host_gaps(site, store, clock):
    for i in range(3):
        site.feed(f"/f{i}.xml", [f"r{i}"], town=f"Town{i}")
        follow(store, clock, site.base + f"/f{i}.xml", every="30m")
    start = clock.now()
    rounds = []
    with Watcher(store, options(host_gap=5.0), clock=clock) as w:
        total = w.run_forever(until=start + 4 * HOUR, on_round=rounds.append)
    # Every 30 min (+-10 % jitter) for 4 h: 8 or 9 polls each; all on one host, 5 s apart.
    assert 3 * 8 <= total.polled <= 3 * 9 + 1 and total.new == 3 and total.failed == 0
    assert sum(1 for m, p, _, _ in site.log if p.startswith("/f")) == total.polled
    assert clock.now() >= start + 4 * HOUR


def test_sigterm_stops_the_watcher_cleanly(site, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    site.feed("/feed.xml", ["t1"])
    db = str(tmp_path / "sig.db")
    with open_store(db) as st:
        sources.add(WatchStore(st), site.base + "/feed.xml", every="1m")
    env = {**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parent.parent / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "newsledger.cli.main", "watch", "--no-analyze", "--allow-private",
                             "--page-interval", "0", "--db", db], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        # Waits for the stored article itself, not for a guess at how long storing takes under load.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            with open_store(db) as st:
                if article_ids(st):
                    break
            time.sleep(0.05)
        from newsledger.journal import ResumeError

        with open_store(db) as st, pytest.raises(ResumeError, match="another watcher"):
            Watcher(st, options(), clock=FakeClock()).run_once()
        second = subprocess.run([sys.executable, "-m", "newsledger.cli.main", "watch", "--allow-private", "--db", db],
                                env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 1 and "still running" in second.stderr
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    with open_store(db) as st:
        assert len(article_ids(st)) == 1
        assert st.runs(limit=1)[0]["status"] == "ok"


def test_alert_filters_on_analysed_articles(store):
    from test_store import make_analysis

    store.upsert(make_analysis())  # Odesa (698740, UA), ASSAULT claim, quote by Teodor Quill, harbour text
    ws = WatchStore(store)
    aid = "a1b2c3d4e5f60708"
    match = lambda query=None, **f: ws.filter_articles([aid, "missing"], query=query, filters=f)  # noqa: E731
    assert match() == [aid]
    assert match("harbour", claim_type="assault", place="Odesa", outlet="northwind-gazette.example") == [aid]
    assert match(place_id=698740, speaker="Quill", modality="asserted", admin="UA") == [aid]
    assert match(near=[46.4, 30.7, 25]) == [aid] and match(near=[50.45, 30.52, 25]) == []  # Kyiv is 400 km away
    for miss in ({"claim_type": "PROTEST"}, {"place": "Kharkiv"}, {"speaker": "Nobody"}, {"outlet": "other.example"},
                 {"modality": "denied"}, {"admin": "UA-14"}, {"contradiction": True}):
        assert match(**miss) == [], miss
    assert match("volcano") == []


def test_webhook_to_a_private_address_is_refused_without_allow_private(tmp_path):
    from click.testing import CliRunner

    from newsledger.cli.main import cli

    db = str(tmp_path / "hook.db")
    refused = CliRunner().invoke(cli, ["alerts", "add", "ferry", "--webhook", "http://127.0.0.1:9/hook", "--db", db])
    assert refused.exit_code == 1 and "refused address 127.0.0.1" in refused.output
    ok = CliRunner().invoke(cli, ["alerts", "add", "ferry", "--webhook", "http://127.0.0.1:9/hook", "--allow-private",
                                  "--json", "--db", db])
    assert ok.exit_code == 0 and len(json.loads(ok.output)["secret"]) >= 24


def test_sigkilled_watcher_restarts_without_loss_or_duplicates(site, tmp_path):
    import os
    import signal
    import subprocess
    import sys

    slugs = [f"z{i}" for i in range(16)]
    site.feed("/feed.xml", slugs)
    # The seventh page hangs until the watcher is killed, so the kill lands mid-round after the first batch
    # whatever the machine's load.
    gate = threading.Event()

    def page(body: bytes, hang: bool):
        def serve(h):
            if hang:
                gate.wait(60)
            return 200, {"Content-Type": "text/html"}, body
        return serve

    for s in slugs:
        site.routes[f"/news/{s}.html"] = page(article(s, "Varna Nova"), hang=s == "z6")
    db = str(tmp_path / "kill.db")
    with open_store(db) as st:
        sources.add(WatchStore(st), site.base + "/feed.xml", every="1m")
    env = {**os.environ, "PYTHONPATH": str(__import__("pathlib").Path(__file__).resolve().parent.parent / "src")}
    argv = [sys.executable, "-m", "newsledger.cli.main", "watch", "--once", "--all", "--no-analyze", "--allow-private",
            "--page-interval", "0", "--batch-size", "4", "--db", db]
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while site.gets("/news/z6.html") == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        gate.set()
        if proc.poll() is None:
            proc.kill()
    with open_store(db) as st:
        stored_before = len(article_ids(st))
        assert 0 < stored_before < 16 and st.runs(limit=1)[0]["status"] == "running"
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with open_store(db) as st:
        ids = article_ids(st)
        assert len(ids) == 16 and len(set(ids)) == 16
        runs = st.runs(limit=5)
        assert len(runs) == 1 and runs[0]["status"] == "ok" and runs[0]["counts"]["new"] == 16
        assert WatchStore(st).sources()[0]["items_total"] == 16
    # Only the batch in flight at the kill was fetched twice.
    assert sum(site.gets(f"/news/{s}.html") for s in slugs) <= 16 + 4 + 1


def test_sitemap_source(site, store, clock):
    for s in ("m1", "m2"):
        site.page(s, "Brill")
    urls = "".join(f"<url><loc>{site.base}/news/{s}.html</loc></url>" for s in ("m1", "m2"))
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()
    site.routes["/sitemap.xml"] = lambda h: (200, {"Content-Type": "application/xml"}, body)
    follow(store, clock, site.base + "/sitemap.xml")
    with Watcher(store, options(), clock=clock) as w:
        assert w.run_once().new == 2
        clock.advance(HOUR)
        assert w.run_once().new == 0
    assert [site.gets(f"/news/{s}.html") for s in ("m1", "m2")] == [1, 1]
    assert WatchStore(store).sources()[0]["kind"] == "sitemap"


def test_ingest_resume_points_at_the_watcher(site, store, clock):
    from newsledger import journal

    site.feed("/feed.xml", ["w1", "w2"])
    follow(store, clock, site.base + "/feed.xml")

    class Killed(BaseException):
        pass

    def die(batch):
        raise Killed()

    with pytest.raises(Killed):
        Watcher(store, options(batch_size=1), clock=clock, on_batch=die).run_once()
    with pytest.raises(journal.ResumeError, match="newsledger watch"):
        journal.resumable_run(store)


def test_error_kinds():
    from newsledger.ingest.fetch import FetchError
    from newsledger.watch.scheduler import classify

    cases = [(FetchError("disallowed by robots.txt"), "robots"),
             (FetchError("disallowed: robots.txt unreachable (HTTP 503)"), "robots-unreachable"),
             (FetchError("HTTP 401", status=401), "403"), (FetchError("HTTP 429", status=429), "rate-limited"),
             (FetchError("HTTP 410", status=410), "gone"), (FetchError("HTTP 503", status=503), "server-error"),
             (FetchError("refused address 10.0.0.1 (private)"), "refused-address"),
             (FetchError("timeout after 20 s"), "timeout"), (FetchError("page larger than 20 MB"), "too-large"),
             (FetchError("network error: ConnectError"), "network")]
    assert [classify(e) for e, _ in cases] == [k for _, k in cases]
    assert health({"id": 1, "url": "u", "every_s": 900, "polls": 3, "consecutive_failures": 2,
                   "last_error_kind": "robots-unreachable"}, 0)["status"] == "failing"


def test_alerts_match_articles_stored_by_ingest_too(tmp_path, store, clock):
    from newsledger import run

    before = tmp_path / "before.html"
    before.write_bytes(article("old", "Port Selm"))
    run.ingest([str(before)], store, analyze=False)
    ws = WatchStore(store)
    alert = ws.add_alert("selm", "Selm", {}, None, None, iso(clock.now()))
    after = tmp_path / "after.html"
    after.write_bytes(article("new", "Port Selm"))
    run.ingest([str(after)], store, analyze=False)
    with Watcher(store, options(), clock=clock) as w:
        assert w.run_once().alerts_matched == 1  # the article stored after the search was saved, not the archive
        assert w.run_once().alerts_matched == 0
    assert [m["title"] for m in ws.matches(alert)] == ["Port Selm harbour new"]
