"""The watcher: polls followed sources on their schedules and ingests what is new.

Each poll is one conditional GET (If-None-Match / If-Modified-Since) of the
source through the SSRF-safe fetcher (robots.txt, address checks on every
redirect hop, size caps). A feed's or sitemap's items not taken before are
fetched, extracted, analysed and stored through the normal pipeline
(``run._store_batch``) and journal, in batches; each batch is then matched
against the saved searches and only then recorded as taken. So a watcher
killed anywhere redoes at most one batch on restart, and redoing it stores
nothing twice (an article stored again is "unchanged", alert matches are
keyed by article). A source's validators (ETag, Last-Modified) are saved only
once all its items are in, or a 304 could hide items never taken.

Time comes from an injectable clock: tests and the benchmark run a simulated
day in seconds. Only the network and the database are real.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Callable, Iterator, Optional
from urllib.parse import urljoin, urlsplit

from ..ingest.base import FEED_ROOTS, SITEMAP_ROOTS, gunzip_capped, head_text, root_element
from ..ingest.feeds import read_feed
from ..ingest.fetch import Fetcher, FetchError, FetchOptions, fetch_page, is_html_type
from ..ingest.sitemaps import read_sitemap
from ..journal import RESUMABLE, Journal
from ..schema import Article, BadInput, Origin
from ..store.watch import WatchStore
from . import blocks
from .health import SLOW_AFTER, add_items, iso

WATCH_INPUT = "watch"  # the inputs of the ingest runs a watcher opens
MAX_SECTION_LINKS = 100
# Item failures worth another try on the next poll; any other failure is final for that item.
TRANSIENT = ("timeout", "network error", "HTTP 5", "HTTP 429", "disallowed: robots.txt unreachable")


class Clock:
    """Wall-clock time; ``sleep`` returns early when ``stop`` is set."""

    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        """For durations; simulated clocks make "slow" a property of the test, not of the machine's load."""
        return time.monotonic()

    def sleep(self, seconds: float, stop: Optional[threading.Event] = None) -> None:
        if seconds <= 0:
            return
        if stop is None:
            time.sleep(seconds)
        else:
            stop.wait(seconds)


class FakeClock(Clock):
    """Simulated time: ``sleep`` moves it forward at once."""

    def __init__(self, start: float = 1_767_225_600.0):  # 2026-01-01T00:00:00Z
        self.t = float(start)

    def now(self) -> float:
        return self.t

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float, stop: Optional[threading.Event] = None) -> None:
        self.t += max(0.0, seconds)

    def advance(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class WatchOptions:
    fetch: FetchOptions = field(default_factory=lambda: FetchOptions(follow_links=True))
    analyze: bool = True
    batch_size: int = 32
    host_gap: float = 2.0  # clock seconds between two polls of sources on one host
    jitter: float = 0.1  # +- this fraction of each interval, so sources on one host drift apart
    max_backoff: float = 24 * 3600.0
    slow_after: float = SLOW_AFTER
    max_items_per_poll: int = 500  # the rest waits for the next poll (a first poll of a huge sitemap)
    run_span: float = 3600.0  # clock seconds one ingest run (and one fetcher, with its robots.txt cache) lasts
    seed: Optional[int] = None


@dataclass
class PollResult:
    url: str
    ok: bool
    new: int = 0
    status: Optional[int] = None
    error: Optional[str] = None
    kind: Optional[str] = None  # error kind


@dataclass
class RoundSummary:
    polled: int = 0
    ok: int = 0
    failed: int = 0
    new: int = 0
    not_modified: int = 0
    alerts_matched: int = 0
    delivered: int = 0
    results: list[PollResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "results"}
        out["failures"] = [r.__dict__ for r in self.results if not r.ok]
        return out


class _Stop(Exception):
    """Stop was asked for in the middle of a poll."""


class _Failed(Exception):
    def __init__(self, kind: str, reason: str, retry_after: Optional[float] = None, status: Optional[int] = None):
        super().__init__(reason)
        self.kind, self.retry_after, self.status = kind, retry_after, status


def classify(e: FetchError) -> str:
    """The error kind of a failed fetch (health statuses and backoff depend on it)."""
    msg = str(e)
    if msg.startswith("disallowed: robots.txt unreachable"):
        return "robots-unreachable"  # RFC 9309: a 5xx robots.txt forbids for now, not for good
    if msg.startswith("disallowed"):
        return "robots"
    if e.status in (401, 403):
        return "403"
    if e.status == 429:
        return "rate-limited"
    if e.status in (404, 410):
        return "gone"
    if e.status is not None and e.status >= 500:
        return "server-error"
    if e.status is not None:
        return "http-error"
    if msg.startswith("refused address"):
        return "refused-address"
    if msg.startswith("timeout"):
        return "timeout"
    if "larger than" in msg:
        return "too-large"
    return "network"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a" and len(self.hrefs) < 10 * MAX_SECTION_LINKS:
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


_NOT_ARTICLES = ("/tag/", "/tags/", "/category/", "/author/", "/login", "/subscribe", "/search", "/page/")


def section_links(html: str, base: str) -> list[str]:
    """Article-looking links of a section page: same site, deeper than the section or
    numbered, not tag/author/login pages; in page order, at most MAX_SECTION_LINKS."""
    parser = _Links()
    try:
        parser.feed(html)
    except Exception:  # noqa: BLE001 - a hostile page ends the scan, not the poll
        pass
    site = (urlsplit(base).hostname or "").removeprefix("www.")
    own = urlsplit(base).path.rstrip("/")
    out: list[str] = []
    for href in parser.hrefs:
        url = urljoin(base, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or (parts.hostname or "").removeprefix("www.") != site:
            continue
        path = parts.path.rstrip("/")
        if not path or path == own or any(x in path.lower() + "/" for x in _NOT_ARTICLES):
            continue
        deep = len([s for s in path.split("/") if s]) >= 2 or any(c.isdigit() for c in path)
        if (deep or path.endswith((".html", ".htm"))) and url not in out:
            out.append(url)
            if len(out) >= MAX_SECTION_LINKS:
                break
    return out


def item_key(origin: Origin) -> str:
    return str(origin.item) if origin.item else origin.label()


class Watcher:
    """Polls the sources of one store. Use ``run_once`` (one round) or ``run_forever``."""

    def __init__(self, store: Any, options: Optional[WatchOptions] = None, *, clock: Optional[Clock] = None,
                 analyzer: Any = None, on_batch: Optional[Callable[[list], None]] = None,
                 stop: Optional[threading.Event] = None, fetcher_factory: Optional[Callable[[], Fetcher]] = None):
        from .alerts import Alerts

        self.store = store
        self.ws = WatchStore(store)
        self.options = options or WatchOptions()
        self.clock = clock or Clock()
        self.stop = stop or threading.Event()
        self.on_batch = on_batch  # called after each stored batch (tests kill the watcher here)
        self.rng = random.Random(self.options.seed)
        self._analyzer = analyzer
        self._new_fetcher = fetcher_factory or (lambda: Fetcher(self.options.fetch))
        self._host_next: dict[str, float] = {}
        self._fetcher: Optional[Fetcher] = None
        self._run_id: Optional[int] = None
        self._run_started = 0.0
        self._summary = None
        self.journal = Journal(store)
        self.alerts = Alerts(self.ws, self._get_fetcher, self.clock)
        # Matches made batch by batch while polling, counted into the round that made them (the
        # sweep at the end of a round finds those already matched and adds nothing for them).
        self._matched = 0

    # ------------------------------------------------------------ lifecycle

    def close(self, status: str = "ok") -> None:
        self._finish_run(status)
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None

    def __enter__(self) -> "Watcher":
        return self

    def __exit__(self, exc_type, *rest) -> None:
        self.close("ok" if exc_type is None else "interrupted")

    def _get_fetcher(self) -> Fetcher:
        if self._fetcher is None:
            self._fetcher = self._new_fetcher()
        return self._fetcher

    def _get_analyzer(self):
        if self._analyzer is None:
            from ..run import load_analyzer

            self._analyzer = load_analyzer()
        return self._analyzer

    def _run(self) -> int:
        """The open ingest run: the unfinished one a killed watcher left (claimed, so a
        watcher still alive keeps its run), or a new one."""
        from ..run import RunSummary

        if self._run_id is not None:
            return self._run_id
        summary = RunSummary()
        left = [r for r in self.store.runs(limit=20)
                if r["inputs"] == [WATCH_INPUT] and r["status"] in RESUMABLE]
        options = {"analyze": self.options.analyze, "force": False}
        if left:
            run_id = left[0]["id"]
            self.journal.claim(run_id, options)
            self.journal.restore(run_id, summary)
        else:
            run_id = self.store.start_run([WATCH_INPUT])
            self.journal.claim(run_id, options)
        summary.run_id = run_id
        self._run_id, self._summary, self._run_started = run_id, summary, self.clock.now()
        return run_id

    def _check_alone(self) -> None:
        """ResumeError when a live watcher (another process) holds this database's watch run."""
        from ..journal import ResumeError, _alive

        if self._run_id is not None:
            return
        for r in self.store.runs(limit=20):
            if r["inputs"] == [WATCH_INPUT] and r["status"] == "running" and _alive(r.get("pid"), r.get("host")):
                raise ResumeError(f"another watcher (process {r['pid']}) is running on this database: "
                                  "stop it first, or let it do the polling")

    def _finish_run(self, status: str) -> None:
        if self._run_id is None:
            return
        run_id, summary = self._run_id, self._summary
        self._run_id = self._summary = None
        summary.status = status
        self.store.finish_run(run_id, summary.counts(), status)  # "ok" also drops the run's journal

    def _rotate(self) -> None:
        # A long-lived watcher starts a fresh run and fetcher now and then: runs stay
        # readable, journals short, robots.txt files re-read.
        if self._run_id is not None and self.clock.now() - self._run_started >= self.options.run_span:
            self._finish_run("ok")
            if self._fetcher is not None:
                self._fetcher.close()
                self._fetcher = None

    # ------------------------------------------------------------ rounds

    def run_once(self, every_source: bool = False) -> RoundSummary:
        """Poll every source due now (or every source), once, waiting on the clock for per-host gaps."""
        rnd = RoundSummary()
        self._check_alone()
        for src in (self.ws.sources() if every_source else self.ws.due(self.clock.now())):
            if self.stop.is_set():
                break
            host = self._host(src)
            self.clock.sleep(self._host_next.get(host, 0.0) - self.clock.now(), self.stop)
            if self.stop.is_set():
                break
            self._count(rnd, self.poll(src))
        self._close_round(rnd)
        return rnd

    def _close_round(self, rnd: RoundSummary) -> None:
        rnd.alerts_matched += self._matched + self.alerts.sweep()
        self._matched = 0
        rnd.delivered = self.alerts.deliver()

    def run_forever(self, until: Optional[float] = None, on_round: Optional[Callable[[RoundSummary], None]] = None,
                    max_wait: float = 300.0) -> RoundSummary:
        """Poll sources as they fall due until ``stop`` is set (or the clock reaches ``until``).
        A source whose host was just polled waits for the host gap; other hosts go first.
        Between rounds it sleeps until the next poll or webhook retry falls due, at most
        ``max_wait`` (so sources added meanwhile by another process are picked up)."""
        total = RoundSummary()
        while not self.stop.is_set() and (until is None or self.clock.now() < until):
            self._rotate()
            self._run()  # held open while running: a second watcher on this database is refused
            rnd = RoundSummary()
            pending = self.ws.due(self.clock.now(), limit=500)
            while pending and not self.stop.is_set():
                now = self.clock.now()
                src = next((s for s in pending if self._host_next.get(self._host(s), 0.0) <= now), None)
                if src is None:
                    self.clock.sleep(min(self._host_next[self._host(s)] for s in pending) - now, self.stop)
                    continue
                pending.remove(src)
                self._count(rnd, self.poll(src))
            self._close_round(rnd)
            for k in ("polled", "ok", "failed", "new", "not_modified", "alerts_matched", "delivered"):
                setattr(total, k, getattr(total, k) + getattr(rnd, k))
            if on_round:
                on_round(rnd)
            now = self.clock.now()
            wake = [t for t in (self.ws.next_due(), self.ws.next_delivery()) if t is not None]
            wait = min(min(wake) - now if wake else max_wait, max_wait)
            if until is not None:
                wait = min(wait, until - now)
            if wait > 0:
                self.clock.sleep(wait, self.stop)
        return total

    @staticmethod
    def _count(rnd: RoundSummary, result: PollResult) -> None:
        rnd.polled += 1
        rnd.ok += result.ok
        rnd.failed += not result.ok
        rnd.new += result.new
        rnd.not_modified += result.ok and result.status == 304
        rnd.results.append(result)

    @staticmethod
    def _host(src: dict[str, Any]) -> str:
        return (urlsplit(src["url"]).hostname or "").lower()

    # ------------------------------------------------------------ one poll

    def _jittered(self, seconds: float) -> float:
        j = self.options.jitter
        return seconds * (1 + self.rng.uniform(-j, j)) if j else seconds

    def poll(self, src: dict[str, Any]) -> PollResult:
        """Poll one source now; failures are recorded on the source, never raised
        (only a database error escapes: then nothing can be recorded anyway)."""
        from ..store.errors import StoreError

        now = self.clock.now()
        started = self.clock.monotonic()
        self._host_next[self._host(src)] = now + self.options.host_gap
        fields: dict[str, Any] = {"last_attempt": iso(now), "polls": int(src.get("polls") or 0) + 1}
        headers = {}
        if src.get("etag"):
            headers["If-None-Match"] = src["etag"]
        if src.get("last_modified"):
            headers["If-Modified-Since"] = src["last_modified"]
        try:
            try:
                resp = self._get_fetcher().fetch(src["url"], headers=headers or None)
            except FetchError as e:
                raise _Failed(classify(e), str(e), e.retry_after, e.status) from None
            finally:
                # How long the source took to answer (slow sources), not the items' fetching and analysis.
                fields["last_duration"] = round(self.clock.monotonic() - started, 3)
            new = 0
            if resp.status != 304:
                kind, items = self._items(src, resp)
                fields["kind"] = kind
                new, complete = self._take(src, items)
                if complete:  # else a 304 next time would hide the items left for later
                    fields["etag"], fields["last_modified"] = resp.etag, resp.last_modified
                else:
                    fields["etag"] = fields["last_modified"] = None
        except _Stop:
            return PollResult(src["url"], ok=False, error="stopped", kind="stopped")
        except _Failed as f:
            return self._failed(src, fields, f, started)
        except StoreError:
            raise
        except Exception as e:  # noqa: BLE001 - one source's surprise must not stop the others
            return self._failed(src, fields, _Failed("error", f"{type(e).__name__}: {e}"[:300]), started)
        end = self.clock.now()
        fields.update(last_success=iso(end), consecutive_failures=0, last_status=resp.status,
                      next_due=end + self._jittered(int(src["every_s"])))
        self.ws.update_source(src["id"], fields)
        return PollResult(src["url"], ok=True, new=new, status=resp.status)

    def _failed(self, src: dict[str, Any], fields: dict[str, Any], f: _Failed, started: float) -> PollResult:
        now = self.clock.now()
        fails = int(src.get("consecutive_failures") or 0) + 1
        every = int(src["every_s"])
        delay = self._jittered(min(every * 2 ** min(fails - 1, 16), max(self.options.max_backoff, every)))
        if f.retry_after:
            delay = max(delay, min(f.retry_after, 7 * 86400))  # honoured (never earlier), within reason
        fields.setdefault("last_duration", round(self.clock.monotonic() - started, 3))
        fields.update(last_error=str(f), last_error_kind=f.kind, last_status=f.status, consecutive_failures=fails,
                      next_due=now + delay)
        self.ws.update_source(src["id"], fields)
        return PollResult(src["url"], ok=False, status=f.status, error=str(f), kind=f.kind)

    def _items(self, src: dict[str, Any], resp) -> tuple[str, Iterator[Any]]:
        data = gunzip_capped(resp.content)
        text, _ = head_text(data)
        root = root_element(text) if text is not None else None
        fetcher = self._get_fetcher()
        taken: set[str] = set()

        def want(origin: Origin) -> bool:
            key = item_key(origin)
            if key in taken or self.ws.seen(src["id"], [key]):
                return False
            taken.add(key)
            return True

        if root in FEED_ROOTS:
            return "feed", read_feed(data, resp.url, fetcher, want=want)
        if root in SITEMAP_ROOTS:
            return "sitemap", read_sitemap(data, resp.url, fetcher, want=want, follow=True)
        if text is None or (resp.content_type and not is_html_type(resp.content_type)):
            mime = (resp.content_type or "binary").split(";", 1)[0]
            raise _Failed("unreadable", f"not a feed, sitemap or HTML page ({mime})", status=resp.status)
        page = data.decode(resp.charset or "utf-8", errors="replace")
        links = section_links(page, resp.url)
        wall = None if links else blocks.detect(page)  # a section listing a paywalled story is no wall
        if wall:
            raise _Failed(wall, f"{wall} page instead of news", status=resp.status)

        def section() -> Iterator[Any]:
            for index, link in enumerate(links):
                origin = Origin("section", resp.url, offset=index, item=link)
                if want(origin):
                    yield fetch_page(fetcher, link, origin)

        return "page", section()

    def _take(self, src: dict[str, Any], items: Iterator[Any]) -> tuple[int, bool]:
        """Extract, analyse and store the new items in batches; returns how many became
        articles, and whether every item was taken (False: the per-poll cap was reached)."""
        from ..run import _batched, _store_batch, extract_one

        new = 0
        taken = 0
        capped = False

        def extracted() -> Iterator[Any]:
            nonlocal taken, capped
            for item in items:
                if self.stop.is_set():
                    raise _Stop()
                if taken >= self.options.max_items_per_poll:
                    capped = True
                    return
                taken += 1
                yield item if isinstance(item, BadInput) else extract_one(item)

        for batch in _batched(extracted(), self.options.batch_size):
            # The run opens with the first batch: rounds that bring nothing leave no empty runs behind.
            run_id, summary = self._run(), self._summary
            summary.read += len(batch)
            _store_batch(batch, self.store, self._get_analyzer if self.options.analyze else None, summary, False)
            self.journal.record(run_id, batch, summary.counts())
            articles = [a.id for a in batch if isinstance(a, Article)]
            self._matched += self.alerts.match(articles)
            done = [item_key(x.provenance.origin) for x in batch
                    if isinstance(x, Article) and x.provenance.origin is not None]
            done += [item_key(x.origin) for x in batch
                     if isinstance(x, BadInput) and not x.reason.startswith(TRANSIENT)]
            now = self.clock.now()
            self.ws.mark_seen(src["id"], done, iso(now), len(articles), lambda d: add_items(d or {}, now, len(articles)))
            new += len(articles)
            if self.on_batch:
                self.on_batch(batch)
        return new, not capped


__all__ = ["Watcher", "WatchOptions", "Clock", "FakeClock", "RoundSummary", "PollResult", "classify",
           "section_links"]
