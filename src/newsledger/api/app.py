"""The REST API and the dashboard, served by one FastAPI app.

Reads are open to loopback clients (the dashboard runs on the same machine);
other clients, and every ingest, need the bearer token ``serve`` prints once.
All lists share one shape: ``{total, limit, offset, items}``, and take
``format=`` an export format (csv, jsonl, parquet or a registered one, see
``newsledger.exporters``) to download every match instead of a page.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import shutil
import tempfile
import threading
from enum import Enum
from pathlib import Path
from typing import Any, Optional

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from ..schema import ANNOTATION_TYPES, MODALITIES
from .. import __version__
from ..store import QueryError, StoreError, deadline, open_store
from ..store import reviews
from ..store.expand import expand_query
from ..store.migrations import ROLE_COLUMNS
from ..store.timestamps import SINCE_HELP, UNTIL_HELP
from ..store import views as queries
from ..store.views import ArticleFilter
from ..registry import spoken
from . import export
from .export import check_format, export_response
from .security import SecurityHeadersMiddleware, bearer_ok, is_loopback

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"
PAGE_DEFAULT = 20
PAGE_MAX = 1000  # JSON pages; exports may ask for up to EXPORT_MAX rows
EXPORT_MAX = 1_000_000
OFFSET_MAX = 1_000_000_000  # bounded in the schema: larger offsets overflow database integers
UPLOAD_MAX_BYTES = 64 * 1024 * 1024
UPLOAD_MAX_FILES = 200
URLS_MAX = 100
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
SORT_PATTERN = "^(auto|relevance|newest|oldest)$"
_ERROR = {"application/json": {"schema": {"type": "object", "required": ["detail"],
                                          "properties": {"detail": {"type": "string"}}}}}
# Every operation may answer these; the bodies are {"detail": message}.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "a value the schema cannot express was refused (query syntax, date, id prefix)",
          "content": _ERROR},
    401: {"description": "reading from another machine, or ingesting, needs the bearer token", "content": _ERROR},
    404: {"description": "no such record", "content": _ERROR},
    421: {"description": "unknown Host header", "content": _ERROR},
    503: {"description": "the database is unavailable, or the read ran past its time budget", "content": _ERROR},
}
# An enum so the OpenAPI document lists the values a client may send.
Modality = Enum("Modality", {m: m for m in MODALITIES}, type=str)
Role = Enum("Role", {r: r for r in ROLE_COLUMNS}, type=str)


class HostCheckMiddleware:
    """Refuse requests whose Host header is not ours: stops DNS-rebinding pages
    from reading a loopback-only API through the victim's browser."""

    def __init__(self, app, allowed: set[str]):
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and "*" not in self.allowed:
            host = dict(scope["headers"]).get(b"host", b"").decode("latin-1").lower()
            name = host[1:].split("]", 1)[0] if host.startswith("[") else host.rsplit(":", 1)[0] if ":" in host else host
            if name not in self.allowed:
                await JSONResponse({"detail": "unknown Host header"}, status_code=421)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class ReadBudgetMiddleware:
    """Every API read runs under a time budget (``store.deadline``) and is cancelled when the
    client hangs up: a pump forwards the request's messages to the app and watches for the
    disconnect, so the query stops instead of running on for nobody."""

    def __init__(self, app, seconds: float):
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        queue: asyncio.Queue = asyncio.Queue()
        with deadline.limit(self.seconds) as budget:

            async def pump() -> None:
                while True:
                    message = await receive()
                    await queue.put(message)
                    if message["type"] == "http.disconnect":
                        budget.cancelled.set()
                        return

            task = asyncio.create_task(pump())
            try:
                await self.app(scope, queue.get, send)
            finally:
                task.cancel()


def _page(limit: Optional[int], offset: int, fmt: str) -> tuple[int, int]:
    check_format(fmt)
    if fmt == "json":
        if limit is not None and limit > PAGE_MAX:
            raise HTTPException(400, f"limit is at most {PAGE_MAX} per page; use format={export.format_help('|')} for more")
        return limit or PAGE_DEFAULT, offset
    return limit or EXPORT_MAX, offset


def create_app(db_path: str | Path, token: Optional[str] = None, *,
               allowed_hosts: Optional[list[str]] = None, read_seconds: float = deadline.READ_SECONDS) -> FastAPI:
    """The app for one database. ``token`` enables ``POST /api/ingest`` and
    non-loopback reads; ``allowed_hosts`` adds Host names beyond loopback
    (``["*"]`` turns the Host check off, e.g. behind a reverse proxy); ``read_seconds``
    bounds the database time of one read request."""
    db_path = str(db_path)
    store = open_store(db_path)
    reader = queries.views(store)
    ingest_lock = threading.Lock()

    app = FastAPI(
        title="newsledger",
        version=__version__,
        summary="Who claims what, where, when and according to whom: articles, quotes, claims, places and framing.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        responses=ERROR_RESPONSES,
    )
    app.state.store = store
    app.state.reader = reader
    app.add_middleware(HostCheckMiddleware, allowed={*LOOPBACK_HOSTS, *(h.lower() for h in allowed_hosts or [])})
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ReadBudgetMiddleware, seconds=read_seconds)

    @app.exception_handler(QueryError)
    async def _query_error(_request: Request, exc: QueryError):
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(StoreError)
    async def _store_error(_request: Request, exc: StoreError):
        return JSONResponse({"detail": str(exc)}, status_code=503)

    def read_access(request: Request) -> None:
        client = request.client.host if request.client else None
        if is_loopback(client) or bearer_ok(request.headers.get("authorization"), token):
            return
        raise HTTPException(401, "reading from another machine needs the bearer token", {"WWW-Authenticate": "Bearer"})

    # Declared through HTTPBearer so /docs offers an "Authorize" button; checked here.
    bearer = HTTPBearer(auto_error=False, description="the token `newsledger serve` printed")

    def write_access(request: Request, _creds: Optional[HTTPAuthorizationCredentials] = Depends(bearer)) -> None:
        if not token:
            raise HTTPException(403, "ingest is disabled: start the server with `newsledger serve` to get a token")
        if not bearer_ok(request.headers.get("authorization"), token):
            raise HTTPException(401, "ingest needs the bearer token printed by `newsledger serve`",
                                {"WWW-Authenticate": "Bearer"})

    def _expand(q: Optional[str]) -> tuple[Optional[str], dict[str, list[str]]]:
        """A place word in the query also matches the other spellings of the same GeoNames place."""
        if not q or not q.strip():
            return q, {}
        return expand_query(reader.rows, q)

    reads = [Depends(read_access)]
    # List endpoints also download every match in any registered export format (format=), plugins included.
    format_pattern = export.format_pattern()
    downloads: dict[int | str, dict[str, Any]] = {200: {"description": "a JSON page, or every match in the asked format",
                                                        "content": export.download_content()}}
    fmt_q = Query("json", pattern=format_pattern, description=f"json (one page) or {export.format_help()} (every match)")
    limit_q = Query(None, ge=1, le=EXPORT_MAX, description=f"page size (default {PAGE_DEFAULT}, JSON max {PAGE_MAX})")
    offset_q = Query(0, ge=0, le=OFFSET_MAX)
    since_q = Query(None, description=f"published (claims: claimed event, else published) {SINCE_HELP}")
    until_q = Query(None, description=f"published (claims: claimed event, else published) {UNTIL_HELP}")
    reviewed_q = Query(None, description="true: reviewed items only; false: unreviewed only")
    hide_rejected_q = Query(False, description="leave out items an analyst rejected")

    # ------------------------------------------------------------ dashboard and docs

    # The dashboard offers the registered export formats (plugins included) and shows every annotation kind.
    page_data = {"export-formats": " ".join(export.formats()[1:]), "annotation-kinds": " ".join(ANNOTATION_TYPES)}
    index_html = (STATIC / "index.html").read_text(encoding="utf-8").replace('<html lang="en">', '<html lang="en"' + "".join(
        f' data-{k}="{html.escape(v)}"' for k, v in page_data.items()) + ">", 1)

    @app.get("/", include_in_schema=False)
    def index():
        return HTMLResponse(index_html, headers={"Cache-Control": "no-cache"})

    @app.get("/docs", include_in_schema=False)
    def docs():
        return FileResponse(STATIC / "docs.html", headers={"Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    # ------------------------------------------------------------ articles

    @app.get("/api/articles", dependencies=reads, responses=downloads, tags=["articles"])
    def list_articles(
        q: Optional[str] = Query(None, max_length=2000,
                                 description='search query: words, "phrases", AND / OR / NOT, (groups), prefix*, '
                                             'title: / text:; at most 64 words'),
        source: Optional[str] = Query(None, description="outlet domain or name"),
        state_affiliated: Optional[bool] = None,
        lang: Optional[str] = Query(None, description="ISO 639-1 code"),
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        entity: Optional[str] = Query(None, description="entity text or canonical name"),
        place: Optional[str] = Query(None, description="place name as written or resolved, or a GeoNames id"),
        claim_type: Optional[str] = None,
        duplicates: bool = Query(False, description="include near-duplicate copies"),
        sort: str = Query("auto", pattern=SORT_PATTERN, description=f"relevance | newest | oldest | auto (relevance up to "
                                               f"{queries.RELEVANCE_MAX} hits, else newest)"),
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Articles matching every filter with facet counts; ``sort`` in the response says which
        order was used. Snippets mark matches with U+E000 … U+E001. Past 5,000 full-text hits,
        ``total`` and the facet counts are estimated from every k-th hit (``total_is_estimate``,
        ``facets_are_estimates``); the page itself is always exact."""
        lim, off = _page(limit, offset, format)
        q, expanded = _expand(q)
        f = ArticleFilter(q=q, source=source, state_affiliated=state_affiliated, lang=lang, since=since,
                          until=until, entity=entity, place=place, claim_type=claim_type, duplicates=duplicates)
        result = queries.search_articles(reader, f, lim, off, facets=format == "json", sort=sort)
        if format != "json":
            return export_response([queries.flat_article(i) for i in result["items"]], format, "articles",
                                   queries.ARTICLE_EXPORT)
        return {**result, "expanded": expanded}

    @app.get("/api/articles/{article_id}", dependencies=reads, tags=["articles"])
    def get_article(article_id: str = PathParam(..., description="article id or a unique prefix (4+ characters)")):
        """The article with every annotation (offsets into ``text``, component, confidence),
        its extraction provenance and the store's bookkeeping (duplicates, first seen)."""
        analysis = store.get(article_id)
        if analysis is None:
            raise HTTPException(404, f"no article {article_id!r}")
        body = analysis.to_dict()
        reviews.mark_analysis(store, analysis.article.id, body)
        meta = store.article_meta(analysis.article.id) or {}
        body.update({k: meta.get(k) for k in ("duplicate_of", "similarity", "first_seen", "copies", "analysed")})
        return body

    # ------------------------------------------------------------ quotes

    @app.get("/api/quotes", dependencies=reads, responses=downloads, tags=["quotes"])
    def list_quotes(
        speaker: Optional[str] = Query(None, max_length=200, description="part of the speaker's name (case-insensitive)"),
        q: Optional[str] = Query(None, description="text the quote contains"),
        kind: Optional[str] = Query(None, description="direct | partial | indirect | title | term | scare"),
        kinds: Optional[str] = Query(None, max_length=100, description=(
            "comma list of kinds to list, or all; default direct,partial,indirect (titles, terms and scare "
            "quotes left out)")),
        source: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        reviewed: Optional[bool] = reviewed_q,
        hide_rejected: bool = hide_rejected_q,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Quotes with their speaker, offsets and article, newest article first. Reviewed quotes
        carry the analyst's values and ``review: {verdict, by, at, note, before, after}``."""
        lim, off = _page(limit, offset, format)
        result = queries.quotes(reader, speaker=speaker, q=q, source=source, since=since, until=until, kind=kind,
                                kinds=queries.quote_kinds(kinds), limit=lim, offset=off, reviewed=reviewed,
                                hide_rejected=hide_rejected)
        return result if format == "json" else export_response(result["items"], format, "quotes",
                                                                  queries.QUOTE_FIELDS + queries.CONTEXT_FIELDS)

    @app.get("/api/speakers", dependencies=reads, responses=downloads, tags=["quotes"])
    def list_speakers(
        q: Optional[str] = Query(None, description="part of the speaker's name"),
        source: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Speakers, most quoted first, with their quote counts per outlet."""
        lim, off = _page(limit, offset, format)
        result = queries.speakers(reader, q=q, source=source, since=since, until=until, limit=lim, offset=off)
        if format == "json":
            return result
        rows = [{"speaker": s["speaker"], "source": o["source"], "name": o["name"], "count": o["count"]}
                for s in result["items"] for o in s["outlets"]]
        return export_response(rows, format, "speakers", queries.SPEAKER_EXPORT)

    # ------------------------------------------------------------ claims and places

    @app.get("/api/claims", dependencies=reads, responses=downloads, tags=["claims"])
    def list_claims(
        place: Optional[str] = Query(None, description="place name or GeoNames id"),
        actor: Optional[str] = Query(None, description="ISO alpha-3 code or part of the actor's name"),
        type: Optional[str] = Query(None, description="claim type, e.g. TAKE_CONTROL"),
        modality: Optional[Modality] = Query(None, description="how the claim is stated: denied is someone saying "
                                             "it did not happen; conditional, attempted, predicted, reported and "
                                             "questioned qualify an assertion"),
        according_to: Optional[str] = Query(None, max_length=200,
                                            description="part of the name of who asserts, denies or reports it"),
        role: Optional[Role] = Query(None, description="only attributions in this role (with according_to), or "
                                                       "claims that have someone in it"),
        source: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        reviewed: Optional[bool] = reviewed_q,
        hide_rejected: bool = hide_rejected_q,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Claims (who did what to whom, where, when, according to whom), newest first;
        dates filter on the claim's date, else the article's. Each claim's ``attributions``
        name who asserts, denies or reports it. Reviewed claims carry the analyst's values and
        ``review: {verdict, by, at, note, before, after}``."""
        lim, off = _page(limit, offset, format)
        result = queries.claims(reader, place=place, actor=actor, type=type,
                                modality=modality.value if modality else None, source=source,
                                according_to=according_to, role=role.value if role else None,
                                since=since, until=until, limit=lim, offset=off, reviewed=reviewed,
                                hide_rejected=hide_rejected)
        return result if format == "json" else export_response(result["items"], format, "claims",
                                                                  queries.CLAIM_FIELDS + queries.CONTEXT_FIELDS)

    @app.get("/api/places.geojson", dependencies=reads, tags=["claims"],
             responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}},
                                          **downloads[200]["content"]}}})
    def places_geojson(
        source: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        claim_type: Optional[str] = Query(None, description="only places named in claims of this type"),
        limit: Optional[int] = Query(None, ge=1, le=EXPORT_MAX),
        offset: int = offset_q,
        format: str = Query("json", pattern=format_pattern, description=f"json (GeoJSON) or {export.format_help()}"),
        demonyms: bool = Query(False, description="also places named by an adjective (\"Russian\")"),
    ):
        """A GeoJSON FeatureCollection of resolved places: mentions, articles, claim types and
        mentions per day (``dates``) in each feature's properties."""
        check_format(format)
        fc = queries.places_geojson(reader, source=source, since=since, until=until, claim_type=claim_type,
                                    limit=limit or (PAGE_MAX if format == "json" else EXPORT_MAX), offset=offset,
                                    demonyms=demonyms)
        if format == "json":
            return JSONResponse(fc, media_type="application/geo+json")
        rows = [{**f["properties"], "lon": f["geometry"]["coordinates"][0], "lat": f["geometry"]["coordinates"][1]}
                for f in fc["features"]]
        return export_response(rows, format, "places", queries.PLACE_EXPORT)

    # ------------------------------------------------------------ sources, timeline, comparison

    @app.get("/api/sources", dependencies=reads, responses=downloads, tags=["sources"])
    def list_sources(
        state_affiliated: Optional[bool] = None,
        country: Optional[str] = Query(None, description="ISO 3166-1 alpha-2"),
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Outlets with their registry data (owner, country, state affiliation and its basis)
        and how many articles, quotes and claims of theirs are stored."""
        lim, off = _page(limit, offset, format)
        result = queries.sources(reader, state_affiliated=state_affiliated, country=country, limit=lim, offset=off)
        return result if format == "json" else export_response(result["items"], format, "sources",
                                                                  queries.SOURCE_FIELDS)

    @app.get("/api/timeline", dependencies=reads, responses=downloads, tags=["articles"])
    def get_timeline(
        q: Optional[str] = Query(None, max_length=2000, description="search query, as for /api/articles"),
        source: Optional[str] = None,
        state_affiliated: Optional[bool] = None,
        lang: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        entity: Optional[str] = None,
        place: Optional[str] = None,
        claim_type: Optional[str] = None,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Matching articles per publication day and outlet (rows: date, source, name, count)."""
        lim, off = _page(limit, offset, format)
        q, _ = _expand(q)
        f = ArticleFilter(q=q, source=source, state_affiliated=state_affiliated, lang=lang, since=since,
                          until=until, entity=entity, place=place, claim_type=claim_type)
        result = queries.timeline(reader, f, lim, off)
        return result if format == "json" else export_response(result["items"], format, "timeline",
                                                                  queries.TIMELINE_FIELDS)

    @app.get("/api/compare", dependencies=reads, responses=downloads, tags=["articles"])
    def compare(
        entity: Optional[str] = None,
        place: Optional[str] = None,
        claim_type: Optional[str] = None,
        since: Optional[str] = since_q,
        until: Optional[str] = until_q,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Which outlets report an entity, place or claim type: when each first did, the
        loaded terms they use (framing) and the claims they make about it."""
        entity, place, claim_type = ((v or "").strip() or None for v in (entity, place, claim_type))
        if not (entity or place or claim_type):
            raise HTTPException(400, "give entity=, place= or claim_type=")
        lim, off = _page(limit, offset, format)
        result = queries.compare(reader, entity=entity, place=place, claim_type=claim_type, since=since,
                                 until=until, limit=lim, offset=off)
        if format == "json":
            return result
        return export_response([queries.flat_compare(i) for i in result["items"]], format, "compare",
                               queries.COMPARE_EXPORT)

    # ------------------------------------------------------------ reviews and quality

    @app.post("/api/reviews", dependencies=[Depends(write_access)], tags=["reviews"],
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "required": ["kind", "id", "verdict"], "properties": {
                      "kind": {"type": "string", "enum": list(reviews.KINDS)},
                      "id": {"type": "integer", "minimum": 1, "description": "the item's id in its listing"},
                      "verdict": {"type": "string", "enum": list(reviews.VERDICTS)},
                      "set": {"type": "object", "additionalProperties": {"type": "string"},
                              "description": "field -> new value (corrections)"},
                      "by": {"type": "string", "maxLength": 200}, "note": {"type": "string", "maxLength": 2000}}}}}}})
    async def post_review(request: Request):
        """Confirm, reject or correct a claim (type, modality, actor, actor_code, place), a quote
        (speaker, kind) or a place (geonames_id or name, resolved in the gazetteer). Needs the
        bearer token; JSON only, so a cross-site form cannot post it."""
        if not request.headers.get("content-type", "").startswith("application/json"):
            raise HTTPException(415, "send application/json")
        body = await _json_body(request)
        if not isinstance(body, dict):
            raise HTTPException(400, "send a JSON object")
        kind, item_id, verdict = body.get("kind"), body.get("id"), body.get("verdict")
        sets = body.get("set") or {}
        if kind not in reviews.KINDS:
            raise HTTPException(400, f"kind must be {spoken(list(reviews.KINDS), 'or')}")
        if not isinstance(item_id, int) or isinstance(item_id, bool) or not 1 <= item_id <= 2**62:
            raise HTTPException(400, "id must be a positive integer")
        if not isinstance(sets, dict) or not all(isinstance(k, str) and isinstance(v, (str, int)) and
                                                  len(str(v)) <= 500 for k, v in sets.items()):
            raise HTTPException(400, "set must map field names to short strings")
        by, note = body.get("by"), body.get("note")
        if not isinstance(by, (str, type(None))) or not isinstance(note, (str, type(None))):
            raise HTTPException(400, "by and note are strings")
        fields = reviews.parse_sets(kind, [f"{k}={v}" for k, v in sets.items()])
        def write() -> dict[str, Any]:
            from ..stories import update as update_stories

            with ingest_lock:  # one writer at a time, as for ingest
                done = reviews.review(store, kind, item_id, verdict=verdict, sets=fields, by=(by or "")[:200],
                                      note=(note or "")[:2000], resolve=reviews.gazetteer_resolver())
                update_stories(store, [done["article_id"]])  # stories follow the reviewed values
                return done

        return await run_in_threadpool(write)

    @app.get("/api/reviews", dependencies=reads, responses=downloads, tags=["reviews"])
    def list_reviews(
        kind: Optional[str] = Query(None, description="claim | quote | place"),
        article_id: Optional[str] = None,
        limit: Optional[int] = limit_q,
        offset: int = offset_q,
        format: str = fmt_q,
    ):
        """Every review (who, when, verdict, before and after), newest first."""
        lim, off = _page(limit, offset, format)
        if kind is not None and kind not in reviews.KINDS:
            raise HTTPException(400, f"kind must be {spoken(list(reviews.KINDS), 'or')}")
        items = reviews.reviews(store, kind=kind, article_id=article_id, limit=lim, offset=off)
        if format != "json":
            return export_response(items, format, "reviews", reviews.REVIEW_EXPORT)
        return {"total": reviews.count(store, kind=kind, article_id=article_id), "limit": lim, "offset": off,
                "items": items}

    @app.get("/api/quality", dependencies=reads, tags=["reviews"])
    def quality(queue: int = Query(50, ge=0, le=1000, description="length of the review queue")):
        """Per component and outlet: items, reviewed, confirmed, rejected, corrected and the
        observed precision (confirmed / reviewed); and the unreviewed items, lowest confidence first."""
        return reviews.quality(store, queue=queue)

    @app.get("/api/gazetteer", dependencies=reads, tags=["reviews"])
    def gazetteer(name: str = Query(..., min_length=1, max_length=200, description="place name")):
        """GeoNames entries a name may refer to, most populous first: the choices for a place correction."""
        return {"items": reviews.candidates(name)}

    # ------------------------------------------------------------ ingest

    @app.post("/api/ingest", dependencies=[Depends(write_access)], tags=["ingest"],
              responses={403: {"description": "ingest is disabled (no token)", "content": _ERROR},
                         413: {"description": "upload too large", "content": _ERROR},
                         415: {"description": "not multipart/form-data or application/json", "content": _ERROR}},
              openapi_extra={"requestBody": {"required": True, "content": {
                  "multipart/form-data": {"schema": {"type": "object", "properties": {
                      "files": {"type": "array", "items": {"type": "string", "format": "binary"}}}}},
                  "application/json": {"schema": {"type": "object", "properties": {
                      "urls": {"type": "array", "items": {"type": "string", "format": "uri"}}}}}}}})
    async def ingest(request: Request, analyze: bool = True):
        """Ingest uploaded files (multipart field ``files``: HTML, page dumps, WARC, feeds,
        JSONL) or ``{"urls": [...]}``; needs ``Authorization: Bearer <token>``."""
        ctype = request.headers.get("content-type", "")
        declared = request.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > UPLOAD_MAX_BYTES:
            raise HTTPException(413, f"upload larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MiB")
        workdir = Path(tempfile.mkdtemp(prefix="newsledger-upload-"))
        try:
            if ctype.startswith("multipart/form-data"):
                inputs = await _save_uploads(request, workdir)
            elif ctype.startswith("application/json"):
                inputs = _urls(await _json_body(request))
            else:
                raise HTTPException(415, "send multipart/form-data with files, or application/json with urls")
            return await run_in_threadpool(_run_ingest, inputs, analyze)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    def _run_ingest(inputs: list[str], analyze: bool) -> dict[str, Any]:
        from ..ingest.base import InputError
        from ..run import PipelineError, ingest as run_ingest

        with ingest_lock:  # one writer at a time; readers go on meanwhile (WAL)
            try:
                summary = run_ingest(inputs, store, analyze=analyze)
            except InputError as e:
                raise HTTPException(400, str(e)) from None
            except PipelineError as e:
                raise HTTPException(503, str(e)) from None
        stored = queries.run_articles(reader, summary.run_id)
        return {**summary.to_dict(), "articles": stored}

    from ..stories.api import router as stories_router

    app.include_router(stories_router, dependencies=reads)
    from ..watch.api import router as watch_router

    app.include_router(watch_router, dependencies=reads)
    return app


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > UPLOAD_MAX_BYTES:
        raise HTTPException(413, "request body too large")
    try:
        return json.loads(raw)
    except ValueError:
        raise HTTPException(400, "body is not valid JSON") from None


def _urls(body: Any) -> list[str]:
    urls = body.get("urls") if isinstance(body, dict) else None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
        raise HTTPException(400, 'send {"urls": ["https://...", ...]}')
    if len(urls) > URLS_MAX:
        raise HTTPException(400, f"at most {URLS_MAX} urls per request")
    bad = [u for u in urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise HTTPException(400, f"only http(s) URLs can be fetched: {bad[0][:200]!r}")
    return [u.strip() for u in urls]


async def _save_uploads(request: Request, workdir: Path) -> list[str]:
    form = await request.form(max_files=UPLOAD_MAX_FILES, max_fields=20)
    uploads = [v for _, v in form.multi_items() if hasattr(v, "read") and hasattr(v, "filename")]
    if not uploads:
        raise HTTPException(400, "no files in the multipart field 'files'")
    written, paths = 0, []
    for i, up in enumerate(uploads):
        # Keep the extension (readers dispatch on it) but never the client's path.
        name = _SAFE_NAME.sub("_", Path(up.filename or "upload").name).lstrip(".")[:120] or "upload"
        target = workdir / f"{i:03d}-{name}"
        with open(target, "wb") as out:
            while chunk := await up.read(1 << 20):
                written += len(chunk)
                if written > UPLOAD_MAX_BYTES:
                    raise HTTPException(413, f"upload larger than {UPLOAD_MAX_BYTES // (1024 * 1024)} MiB")
                out.write(chunk)
        paths.append(str(target))
    await form.close()
    return paths
