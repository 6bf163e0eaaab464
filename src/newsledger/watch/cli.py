"""``newsledger sources``, ``newsledger watch`` and ``newsledger alerts``."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import threading
import time
from typing import Any, Optional

import click

from ..cli.main import ALLOW_PRIVATE, _open, _print_json, _stderr, _stdout, db_option, json_option
from ..schema import MODALITIES
from .sources import DEFAULT_EVERY, SourceError, format_every

# Commands that fetch nothing accept --allow-private too, so scripts can pass one set of options to all.
NO_FETCH_PRIVATE = click.option("--allow-private", is_flag=True, hidden=True)
NO_SOURCES = "no sources: add one with `newsledger sources add URL`"


def _follow_store(db: str, create: bool):
    from ..store.watch import WatchStore

    on_server = db.startswith(("postgresql://", "postgres://"))
    if not create and not on_server and not os.path.exists(db):
        raise click.ClickException(f"no database at {db}: add a source first (`newsledger sources add URL --db {db}`)")
    store = _open(db, create=create)
    return store, WatchStore(store)


def _row(src: dict[str, Any]) -> dict[str, Any]:
    from .health import health

    h = health(src, time.time())
    return {
        "id": src["id"], "url": src["url"], "name": src.get("name"), "kind": src.get("kind"),
        "collection": src.get("collection"), "every": format_every(int(src["every_s"])), "every_s": src["every_s"],
        "outlet": src.get("outlet"), "domain": src.get("domain"), "added": src.get("added"),
        "status": h["status"], "last_success": src.get("last_success"), "last_error": src.get("last_error"),
        "consecutive_failures": h["consecutive_failures"], "items_total": h["items_total"],
    }


def _show(rows: list[dict[str, Any]], as_json: bool, empty: str, columns: tuple[str, ...], cells,
          fold: bool = True) -> None:
    """Rows as JSON, or as a table of ``cells(row)``; on a terminal, ``empty`` says how to get some."""
    if as_json:
        _print_json(rows)
        return
    if not rows:
        click.echo(empty, err=True)
        return
    from rich.table import Table

    table = Table(show_header=True)
    for col in columns:
        table.add_column(col, overflow="fold" if fold else "ellipsis")
    for r in rows:
        table.add_row(*cells(r))
    _stdout().print(table)


# ---------------------------------------------------------------- sources


@click.group("sources", epilog="""\b
Examples:
  newsledger sources add https://example.org/rss.xml --every 15m --collection ua-local --db news.db
  newsledger sources import feeds.opml --db news.db
  newsledger sources list --json --db news.db
  newsledger sources health --db news.db
  newsledger sources remove https://example.org/rss.xml --db news.db
Then `newsledger watch --db news.db` polls them.
""")
def sources() -> None:
    """Sources to follow: feeds, sitemaps or section pages, polled by `newsledger watch`."""


@sources.command("add", epilog="""\b
Examples:
  newsledger sources add https://example.org/rss.xml --db news.db
  newsledger sources add https://example.org/sitemap.xml --every 2h --collection ua-local --db news.db
  newsledger sources add http://127.0.0.1:8799/feed.xml --allow-private --db news.db   # a local test feed
""")
@click.argument("url")
@click.option("--name", help="Label to show (default: the outlet's name when the registry knows the domain).")
@click.option("--every", default=format_every(DEFAULT_EVERY), show_default=True, metavar="INTERVAL",
              help="How often to poll: 90s, 15m, 2h, 1d (between 1m and 7d).")
@click.option("--collection", metavar="NAME", help="Group it with others (e.g. ua-local).")
@db_option
@ALLOW_PRIVATE
@json_option
def sources_add(url: str, name: Optional[str], every: str, collection: Optional[str], db: str, allow_private: bool,
                as_json: bool) -> None:
    """Follow a feed, sitemap or section page URL."""
    from ..ingest.fetch import Fetcher, FetchError, FetchOptions
    from . import sources as mod

    try:
        url = mod.check_url(url)
        seconds = mod.parse_every(every)
    except SourceError as e:
        raise click.UsageError(str(e)) from None
    _check_address(url, allow_private, Fetcher, FetchError, FetchOptions)
    store, ws = _follow_store(db, create=True)
    with store:
        src = mod.add(ws, url, name=name, every=seconds, collection=collection)
    if as_json:
        _print_json(_row(src))
        return
    outlet = f" (outlet: {src['outlet']})" if src.get("outlet") else ""
    click.echo(f"following {src['url']} every {format_every(int(src['every_s']))} as source {src['id']}{outlet}")


def _check_address(url: str, allow_private: bool, Fetcher, FetchError, FetchOptions) -> None:
    # Refused now rather than on every poll: a private address needs --allow-private here and in `watch`.
    with Fetcher(FetchOptions(allow_private=allow_private)) as f:
        try:
            f._target(url)
        except FetchError as e:
            if "refused address" in str(e):
                raise click.ClickException(f"{url}: {e} (pass --allow-private for a local or intranet source)") from None
            # an unresolvable name today may resolve tomorrow: kept, and its polls will say


@sources.command("import", epilog="""\b
Example:
  newsledger sources import feeds.opml --every 30m --collection imported --db news.db
OPML folders become collections; --collection names the rest.
""")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--every", default=format_every(DEFAULT_EVERY), show_default=True, metavar="INTERVAL",
              help="Poll interval for every imported source.")
@click.option("--collection", metavar="NAME", help="Collection for sources the file does not group.")
@db_option
@ALLOW_PRIVATE
@json_option
def sources_import(file: str, every: str, collection: Optional[str], db: str, allow_private: bool,
                   as_json: bool) -> None:
    """Follow every feed of an OPML file (a feed reader's export); known URLs are skipped."""
    from ..store.errors import StoreError
    from . import sources as mod

    try:
        seconds = mod.parse_every(every)
        with open(file, "rb") as fh:
            entries = list(mod.read_opml(fh.read(mod.OPML_MAX_BYTES + 1)))
    except SourceError as e:
        raise click.ClickException(f"{file}: {e}") from None
    added, skipped = [], []
    store, ws = _follow_store(db, create=True)
    with store:
        for entry in entries:
            try:
                src = mod.add(ws, entry["url"], name=entry["name"], every=seconds,
                              collection=entry["collection"] or collection)
                added.append(_row(src))
            except (SourceError, StoreError) as e:
                skipped.append({"url": entry["url"], "reason": str(e)})
    if as_json:
        _print_json({"added": added, "skipped": skipped})
        return
    for s in skipped:
        click.echo(f"skipped {s['url']}: {s['reason']}", err=True)
    click.echo(f"{len(added)} sources added from {file}, {len(skipped)} skipped")


@sources.command("list", epilog="""\b
Examples:
  newsledger sources list --db news.db
  newsledger sources list --collection ua-local --json --db news.db
""")
@click.option("--collection", metavar="NAME", help="Only this collection.")
@db_option
@json_option
@NO_FETCH_PRIVATE
def sources_list(collection: Optional[str], db: str, as_json: bool, allow_private: bool) -> None:
    """The followed sources (JSON: one object per source)."""
    store, ws = _follow_store(db, create=False)
    with store:
        rows = [_row(s) for s in ws.sources(collection)]
    _show(rows, as_json, NO_SOURCES, ("id", "url", "name", "collection", "every", "status", "items"),
          lambda r: (str(r["id"]), r["url"], r["name"] or "", r["collection"] or "", r["every"], r["status"],
                     str(r["items_total"])))


@sources.command("remove", epilog="""\b
Examples:
  newsledger sources remove https://example.org/rss.xml --db news.db
  newsledger sources remove 3 --db news.db        # by the id `sources list` shows
""")
@click.argument("source", metavar="URL|ID")
@db_option
@NO_FETCH_PRIVATE
def sources_remove(source: str, db: str, allow_private: bool) -> None:
    """Stop following a source (its articles stay)."""
    store, ws = _follow_store(db, create=False)
    with store:
        if not ws.remove_source(source):
            raise click.ClickException(f"no followed source {source!r}: see `newsledger sources list`")
    click.echo(f"stopped following {source}")


@sources.command("health", epilog="""\b
Examples:
  newsledger sources health --db news.db
  newsledger sources health --collection ua-local --slow-after 5 --json --db news.db
""")
@click.option("--collection", metavar="NAME", help="Only this collection.")
@click.option("--slow-after", type=click.FloatRange(0.1), default=None, metavar="SECONDS",
              help="Seconds a poll may take before the source counts as slow (default 10).")
@db_option
@json_option
@NO_FETCH_PRIVATE
def sources_health(collection: Optional[str], slow_after: Optional[float], db: str, as_json: bool,
                   allow_private: bool) -> None:
    """Each source's status (ok, slow, silent, failing, blocked), silent and failing first."""
    from .health import SLOW_AFTER, report

    store, ws = _follow_store(db, create=False)
    with store:
        rows = report(ws.sources(collection), time.time(), slow_after=slow_after or SLOW_AFTER)
    _show(rows, as_json, NO_SOURCES,
          ("status", "source", "reason", "last success", "fails", "items", "per day (usual)"), _health_cells)


def _health_cells(h: dict[str, Any]) -> tuple[str, ...]:
    usual = f"{h['items_per_day']} ({h['usual_range'][0]}-{h['usual_range'][1]})" if h["usual_range"] else "-"
    reason = h["reason"] or ""
    if h["consecutive_failures"] and h["last_error"]:
        reason = f"{reason}: {h['last_error']}" if reason else h["last_error"]
    return (h["status"], h["url"], reason, (h["last_success"] or "never")[:16].replace("T", " "),
            str(h["consecutive_failures"]), str(h["items_total"]), usual)


# ---------------------------------------------------------------- watch


@click.command("watch", epilog="""\b
Examples:
  newsledger watch --db news.db                  # until Ctrl-C or SIGTERM
  newsledger watch --once --db news.db --json    # one round of the due sources, for cron
  newsledger watch --once --all --db news.db     # every source now, due or not
Each source is polled at its interval (with jitter), conditionally (ETag,
Last-Modified), politely (robots.txt, a gap between polls of one host),
backing off after errors and honouring Retry-After. New items are ingested
like `newsledger ingest` would; a killed watcher resumes without losses or
duplicates. Failures are recorded per source (see `newsledger sources health`).
""")
@click.option("--once", is_flag=True, help="Poll every source that is due, once, then exit (0 even when some fail).")
@click.option("--all", "every_source", is_flag=True, help="With --once: poll every source now, due or not.")
@click.option("--no-analyze", is_flag=True, help="Store articles without analysing them.")
@click.option("--host-gap", type=click.FloatRange(0), default=2.0, show_default=True,
              help="Seconds between two polls of sources on the same host.")
@click.option("--page-interval", type=click.FloatRange(0), default=1.0, show_default=True,
              help="Seconds between two page fetches from one host (robots.txt Crawl-delay can raise it).")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=32, show_default=True,
              help="Articles analysed and stored per transaction.")
@db_option
@ALLOW_PRIVATE
@json_option
def watch(once: bool, every_source: bool, no_analyze: bool, host_gap: float, page_interval: float, batch_size: int,
          db: str, allow_private: bool,
          as_json: bool) -> None:
    """Poll the followed sources and ingest what is new (see `newsledger sources`)."""
    from ..ingest.fetch import FetchOptions
    from .scheduler import Watcher, WatchOptions

    if every_source and not once:
        raise click.UsageError("--all goes with --once (a running watcher follows each source's schedule)")
    options = WatchOptions(
        fetch=FetchOptions(allow_private=allow_private, min_interval=page_interval, follow_links=True),
        analyze=not no_analyze, host_gap=host_gap, batch_size=batch_size,
    )
    store, ws = _follow_store(db, create=False)
    stop = threading.Event()
    console = _stderr()
    with contextlib.ExitStack() as stack:
        stack.enter_context(store)
        if not ws.sources():
            raise click.ClickException("no sources to watch: add some with `newsledger sources add URL`")
        watcher = stack.enter_context(Watcher(store, options, stop=stop))
        if once:
            rnd = watcher.run_once(every_source)
        else:
            def on_signal(signum, frame):
                stop.set()

            previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
            stack.callback(lambda: [signal.signal(s, h) for s, h in previous.items()])
            console.print(f"watching {len(ws.sources())} sources in {db} (Ctrl-C or SIGTERM stops)")

            def report(r) -> None:
                if r.polled and not as_json:
                    console.print(f"{time.strftime('%H:%M:%S')} polled {r.polled}: {r.new} new articles, "
                                  f"{r.failed} failed, {r.not_modified} not modified")

            rnd = watcher.run_forever(on_round=report)
    if as_json:
        _print_json(rnd.to_dict())
        return
    click.echo(f"polled {rnd.polled} sources: {rnd.ok} ok ({rnd.not_modified} not modified), {rnd.failed} failed, "
               f"{rnd.new} new articles, {rnd.alerts_matched} alert matches, {rnd.delivered} webhook posts")
    for r in rnd.results:
        if not r.ok:
            click.echo(f"  failed {r.url}: {r.error}", err=True)


# ---------------------------------------------------------------- alerts


@click.group("alerts", epilog="""\b
Examples:
  newsledger alerts add "drone strike" --claim-type ASSAULT --place Siversk --db news.db
  newsledger alerts add shelling --near 48.85,38.09,25 --webhook https://hooks.example/nl --db news.db
  newsledger alerts list --db news.db
  newsledger alerts remove 3 --db news.db
Matches of each saved search: GET /api/alerts/ID/atom on `newsledger serve`.
""")
def alerts() -> None:
    """Saved searches matched against every new article (Atom feed, optional webhook)."""


@alerts.command("add", epilog="""\b
Examples:
  newsledger alerts add ferry --db news.db
  newsledger alerts add --claim-type TAKE_CONTROL --admin UA-14 --name "Donetsk captures" --db news.db
  newsledger alerts add '"prisoner exchange" OR swap' --outlet kyiv-ledger.example --db news.db
  newsledger alerts add shelling --near 48.85,38.09,25 --webhook https://hooks.example/nl --db news.db
Matches: GET /api/alerts/ID/atom on `newsledger serve`.
""")
@click.argument("query", required=False)
@click.option("--name", help="Label (default: the query).")
@click.option("--claim-type", metavar="TYPE", help="Articles with a claim of this type (e.g. ASSAULT, TAKE_CONTROL).")
@click.option("--place", help="Articles naming this place.")
@click.option("--place-id", type=int, help="Articles naming this GeoNames id.")
@click.option("--near", metavar="LAT,LON,KM", help="Articles with a place within KM of LAT,LON.")
@click.option("--admin", metavar="CODE", help="Articles with a place in this country (UA) or region (UA-14).")
@click.option("--speaker", help="Articles quoting this speaker.")
@click.option("--outlet", metavar="DOMAIN", help="Articles from this outlet.")
@click.option("--modality", type=click.Choice(MODALITIES), help="Claims with this modality.")
@click.option("--contradiction", is_flag=True, help="Only articles whose claims contradict another article's.")
@click.option("--webhook", metavar="URL", help="POST each match as JSON here, signed with --secret.")
@click.option("--secret", help="HMAC-SHA256 signing secret for the webhook (default: generated and printed once).")
@db_option
@ALLOW_PRIVATE
@json_option
def alerts_add(query: Optional[str], name: Optional[str], claim_type, place, place_id, near, admin, speaker, outlet,
               modality, contradiction, webhook, secret, db: str, allow_private: bool, as_json: bool) -> None:
    """Save a search (words as in `newsledger search`, filters, or both); every article stored after it,
    by `watch`, `ingest` or the API, is matched against it."""
    from datetime import datetime, timezone

    from ..ingest.fetch import Fetcher, FetchError, FetchOptions
    from ..store.errors import QueryError
    from .alerts import check_filters

    filters = dict(claim_type=claim_type, place=place, place_id=place_id, near=near, admin=admin, speaker=speaker,
                   outlet=outlet, modality=modality, contradiction=contradiction)
    try:
        filters = check_filters(filters)
    except QueryError as e:
        raise click.UsageError(str(e)) from None
    if not (query or "").strip() and not filters:
        raise click.UsageError("give a QUERY or at least one filter (e.g. --place Siversk)")
    if webhook:
        if not webhook.lower().startswith(("http://", "https://")):
            raise click.UsageError("--webhook must be an http(s) URL")
        _check_address(webhook, allow_private, Fetcher, FetchError, FetchOptions)
        secret = secret or secrets.token_urlsafe(24)
    store, ws = _follow_store(db, create=True)
    with store:
        if query and query.strip():
            store.search_count(query)  # a query the index cannot run is refused now, not at every match
        if filters.get("claim_type"):
            from ..cli.main import _claim_types

            # A misspelt type would match nothing, silently, for months.
            known = _claim_types(store)
            if filters["claim_type"].strip().upper() not in known:
                raise click.BadParameter(f"unknown claim type {filters['claim_type']!r}: choose one of "
                                         f"{', '.join(known)}", param_hint="'--claim-type'")
            filters["claim_type"] = filters["claim_type"].strip().upper()
        alert_id = ws.add_alert(name or query or json.dumps(filters), query, filters, webhook,
                                secret if webhook else None, datetime.now(timezone.utc).isoformat(timespec="seconds"))
    out = {"id": alert_id, "name": name or query, "query": query, "filters": filters, "webhook": webhook,
           "secret": secret if webhook else None}
    if as_json:
        _print_json(out)
        return
    click.echo(f"saved alert {alert_id}; Atom feed: /api/alerts/{alert_id}/atom")
    if webhook:
        click.echo(f"webhook signing secret (X-Newsledger-Signature: sha256=HMAC of the body): {secret}")


@alerts.command("list", epilog="""\b
Example:
  newsledger alerts list --json --db news.db
""")
@db_option
@json_option
@NO_FETCH_PRIVATE
def alerts_list(db: str, as_json: bool, allow_private: bool) -> None:
    """Saved searches with their match counts."""
    store, ws = _follow_store(db, create=False)
    with store:
        rows = ws.alerts()
    for r in rows:
        r["secret"] = "set" if r.get("secret") else None  # shown once, when created
    _show(rows, as_json, "no alerts: add one with `newsledger alerts add QUERY`",
          ("id", "name", "query", "filters", "webhook", "matches", "last match"),
          lambda r: (str(r["id"]), r["name"], r.get("query") or "", json.dumps(r["filters"]), r.get("webhook") or "",
                     str(r["matches"]), r.get("last_match") or ""), fold=False)


@alerts.command("remove", epilog="""\b
Example:
  newsledger alerts remove 3 --db news.db        # the id `alerts list` shows
""")
@click.argument("alert_id", metavar="ID", type=int)
@db_option
@NO_FETCH_PRIVATE
def alerts_remove(alert_id: int, db: str, allow_private: bool) -> None:
    """Delete a saved search and its matches."""
    store, ws = _follow_store(db, create=False)
    with store:
        if not ws.remove_alert(alert_id):
            raise click.ClickException(f"no alert {alert_id}: see `newsledger alerts list`")
    click.echo(f"removed alert {alert_id}")
