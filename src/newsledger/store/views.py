"""Read-only SQL behind the API's lists and aggregates, for both backends.

The store classes own the schema and the per-record reads; this module adds what
only the API (and ``newsledger compare``) needs: totals for pagination, facets,
per-day timelines, per-outlet comparisons and map features. ``views(store)``
gives the reader for a store: ``Reader`` on a SQLite file (read-only connections,
FTS5, index hints), ``PostgresReader`` on a server (tsvector search, aggregates
where SQLite relies on bare columns). The shared SQL is written once; what
differs between the dialects is a method of the reader. Every value from a
request is a bound parameter; identifiers are constants of this module.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote as urlquote

from ..schema import MODALITIES, NOT_QUOTE_KINDS, QUOTE_KINDS
from . import filters
from .deadline import sqlite_guard
from .errors import QueryError, StoreError
from .filters import geonames_id
from .reviews import conditions as review_conditions
from .search import compile_tsquery, fts5_match, parse
from .sqlite import claim_conditions, date_range
from .timestamps import newest_first, oldest_first

# Private-use characters never occur in article text, so the browser can split
# on them safely instead of parsing highlight markup.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
SNIPPET_TOKENS = 24

# Store migrations 4 and 10 create the covering indexes these queries name in hints.
ARTICLE_FACTS_INDEX = "api_articles_facts_utc"
PUBLISHED_INDEX = "api_articles_published_utc"
CLAIMS_INDEX = "api_claims_article"
# Read connections map the file and keep a large page cache: aggregates touch the
# same index pages on every request, and sorts for GROUP BY stay in memory.
READ_PRAGMAS = ("PRAGMA query_only = 1", "PRAGMA mmap_size = 536870912", "PRAGMA cache_size = -131072",
                "PRAGMA temp_store = MEMORY")


class Reader:
    """Thread-local read-only connections (FastAPI runs sync endpoints in a pool)."""

    def __init__(self, path: str):
        self.path = str(Path(path).resolve())
        self._local = threading.local()
        found = {row["name"] for row in self.rows(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?)",
            [ARTICLE_FACTS_INDEX, PUBLISHED_INDEX, CLAIMS_INDEX])}
        # FTS hits join articles by rowid, where SQLite would read the wide rows; the hints
        # send aggregates to covering indexes instead (only when they exist: INDEXED BY
        # on a missing index is an error, and a read-only old database cannot migrate).
        self.facts_hint = f" INDEXED BY {ARTICLE_FACTS_INDEX}" if ARTICLE_FACTS_INDEX in found else ""
        self.published_hint = f" INDEXED BY {PUBLISHED_INDEX}" if PUBLISHED_INDEX in found else ""
        self.claims_hint = f" INDEXED BY {CLAIMS_INDEX}" if CLAIMS_INDEX in found else ""

    def conn(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            uri = f"file:{urlquote(self.path)}?mode=ro"
            db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=10)
            for pragma in READ_PRAGMAS:
                db.execute(pragma)
            db.row_factory = sqlite3.Row
            self._local.db = db
        return db

    def rows(self, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
        db = self.conn()
        try:
            with sqlite_guard(db):
                return [dict(r) for r in db.execute(sql, tuple(params)).fetchall()]
        except sqlite3.OperationalError as e:
            raise StoreError(f"database error: {e}") from None

    # -------------------------------------------------------------- what differs by dialect

    outlet_hint = " INDEXED BY article_keys_outlet"
    # SQLite returns a bare column from the row that min() picked; PostgreSQL needs it asked for.
    first_article = "m.article_id"
    framing_text = "f.text"

    def contains(self, expr: str) -> str:
        """``expr`` contains the bound value, ignoring case."""
        return f"instr(lower({expr}), lower(?)) > 0"

    def fts_where(self, f: "ArticleFilter", hint: str, probe: bool, step: int) -> tuple[str, list[str], list[Any]]:
        match = fts5_match(f.q or "")
        if probe:
            # Unary + keeps SQLite from turning the IN list into per-hit rowid lookups.
            return (f"articles a{hint}", ["+a.seq IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"],
                    [match])
        conds, params = ["articles_fts MATCH ?"], [match]
        if step > 1:
            conds.append("articles_fts.rowid % ? = 0")
            params.append(step)
        return f"articles_fts JOIN articles a{hint} ON a.seq = articles_fts.rowid", conds, params

    def fts_hits(self, f: "ArticleFilter") -> int:
        # Read from the index's doclists alone, no article lookups.
        return self.rows("SELECT count(*) AS n FROM articles_fts WHERE articles_fts MATCH ?", [fts5_match(f.q or "")])[0]["n"]

    def fts_items(self, f: "ArticleFilter", seqs: list[int]) -> list[dict[str, Any]]:
        """Page rows (with snippets) of the hits among ``seqs``."""
        return self.rows(
            f"SELECT {_ARTICLE_ITEM}, {_SNIPPET} AS snippet FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({','.join('?' * len(seqs))})",
            [fts5_match(f.q or ""), *seqs])

    def relevance_page(self, f: "ArticleFilter", limit: int, offset: int) -> list[dict[str, Any]]:
        frm, conds, params = _where(self, f)
        # "rank MATCH" sets FTS5's ranking so "ORDER BY rank" is consumed by the index
        # and snippets are built for the returned page only.
        return self.rows(
            f"SELECT {_ARTICLE_ITEM}, {_SNIPPET} AS snippet FROM {frm} {_sql_where(conds)} "
            "AND articles_fts.rank MATCH 'bm25(5.0, 1.0)' ORDER BY articles_fts.rank LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )

    def place_mentions(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        """Resolved place mentions per (place key, article)."""
        return self.rows(
            "SELECT COALESCE(CAST(p.geonames_id AS TEXT), lower(COALESCE(p.name, p.text))) AS key, "
            "COALESCE(p.name, p.text) AS name, p.geonames_id, p.country_code, p.feature, p.lat, p.lon, p.article_id, "
            "substr(a.published_utc, 1, 10) AS day, count(*) AS n "
            f"FROM places p JOIN articles a ON a.id = p.article_id {where} "
            "GROUP BY key, p.article_id",
            params,
        )


class PostgresReader(Reader):
    """The API's reads on a PostgreSQL store, through its connections and time budget,
    with tsvector search in place of FTS5."""

    facts_hint = published_hint = claims_hint = outlet_hint = ""  # the planner picks indexes itself
    first_article = "(array_agg(m.article_id ORDER BY m.published, m.article_id))[1]"
    framing_text = "min(f.text)"

    def __init__(self, store):
        self.store = store
        self.path = store.path

    def rows(self, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
        return self.store._read(sql, params)

    def contains(self, expr: str) -> str:
        return f"strpos(lower({expr}), lower(?)) > 0"

    _MATCH = "a.fts @@ to_tsquery('english', newsledger_fold(?))"

    def fts_where(self, f: "ArticleFilter", hint: str, probe: bool, step: int) -> tuple[str, list[str], list[Any]]:
        conds, params = [self._MATCH], [compile_tsquery(parse(f.q or ""))]
        if step > 1:
            conds.append("a.seq % ? = 0")
            params.append(step)
        return "articles a", conds, params

    def fts_hits(self, f: "ArticleFilter") -> int:
        return self.rows(f"SELECT count(*) AS n FROM articles a WHERE {self._MATCH}",
                         [compile_tsquery(parse(f.q or ""))])[0]["n"]

    _HEADLINE = (f'StartSel="{MARK_OPEN}", StopSel="{MARK_CLOSE}", MaxWords={SNIPPET_TOKENS}, '
                 f'MinWords={SNIPPET_TOKENS // 2}, ShortWord=2, MaxFragments=1, FragmentDelimiter="…"')

    def _with_snippets(self, rows: list[dict[str, Any]], tsq: str) -> list[dict[str, Any]]:
        # ts_headline re-parses the text: only for the page of hits.
        if rows:
            snips = {r["seq"]: r["snippet"] for r in self.rows(
                "SELECT a.seq, ts_headline('english', a.text, to_tsquery('english', newsledger_fold(?)), ?) AS snippet "
                f"FROM articles a WHERE a.seq IN ({','.join('?' * len(rows))})",
                [tsq, self._HEADLINE, *(r["seq"] for r in rows)])}
            for r in rows:
                r["snippet"] = snips.get(r["seq"]) or ""
        return rows

    def fts_items(self, f: "ArticleFilter", seqs: list[int]) -> list[dict[str, Any]]:
        tsq = compile_tsquery(parse(f.q or ""))
        rows = self.rows(f"SELECT {_ARTICLE_ITEM} FROM articles a WHERE {self._MATCH} "
                         f"AND a.seq IN ({','.join('?' * len(seqs))})", [tsq, *seqs])
        return self._with_snippets(rows, tsq)

    def relevance_page(self, f: "ArticleFilter", limit: int, offset: int) -> list[dict[str, Any]]:
        frm, conds, params = _where(self, f)
        tsq = compile_tsquery(parse(f.q or ""))
        # The title weighs 5x the body, as FTS5's bm25(5.0, 1.0) does.
        rows = self.rows(
            f"SELECT {_ARTICLE_ITEM} FROM {frm} {_sql_where(conds)} "
            "ORDER BY ts_rank('{0.1, 0.2, 0.2, 1.0}', a.fts, to_tsquery('english', newsledger_fold(?))) DESC, a.seq "
            "LIMIT ? OFFSET ?",
            [*params, tsq, limit, offset],
        )
        return self._with_snippets(rows, tsq)

    def place_mentions(self, where: str, params: list[Any]) -> list[dict[str, Any]]:
        return self.rows(
            "SELECT key, min(name) AS name, min(geonames_id) AS geonames_id, min(country_code) AS country_code, "
            "min(feature) AS feature, min(lat) AS lat, min(lon) AS lon, article_id, min(day) AS day, count(*) AS n "
            "FROM (SELECT COALESCE(CAST(p.geonames_id AS TEXT), lower(COALESCE(p.name, p.text))) AS key, "
            "COALESCE(p.name, p.text) AS name, p.geonames_id, p.country_code, p.feature, p.lat, p.lon, p.article_id, "
            f"substr(a.published_utc, 1, 10) AS day FROM places p JOIN articles a ON a.id = p.article_id {where}) t "
            "GROUP BY key, article_id",
            params,
        )


def views(store) -> Reader:
    """The API's reader for an open store (SQLite file or PostgreSQL server)."""
    from .postgres import PostgresStore

    return PostgresReader(store) if isinstance(store, PostgresStore) else Reader(store.path)


# ------------------------------------------------------------------ filters


@dataclass
class ArticleFilter:
    q: Optional[str] = None
    source: Optional[str] = None
    state_affiliated: Optional[bool] = None
    lang: Optional[str] = None
    since: Optional[str] = None
    until: Optional[str] = None
    entity: Optional[str] = None
    place: Optional[str] = None
    claim_type: Optional[str] = None
    duplicates: bool = False

    @property
    def fts(self) -> bool:
        return bool(self.q and self.q.strip())



def _entity_ids(value: str) -> tuple[str, list[Any]]:
    # Only ever used as ``a.id IN (...)``, whose list drops repeats itself, so UNION ALL
    # saves a second de-duplication; separate lookups read only the covering NOCASE
    # indexes, where an OR would fetch every matching row to merge rowids.
    return ("SELECT article_id FROM entities WHERE lower(canonical) = lower(?) "
            "UNION ALL SELECT article_id FROM entities WHERE lower(text) = lower(?)", [value, value])


def _place_ids(value: str) -> tuple[str, list[Any]]:
    gid = geonames_id(value)
    if gid is not None:
        return ("SELECT article_id FROM places WHERE geonames_id = ? "
                "UNION ALL SELECT article_id FROM claims WHERE place_geonames_id = ?", [gid] * 2)
    return ("SELECT article_id FROM places WHERE lower(name) = lower(?) "
            "UNION ALL SELECT article_id FROM places WHERE lower(text) = lower(?) "
            "UNION ALL SELECT article_id FROM claims WHERE lower(place_name) = lower(?)", [value] * 3)


def _where(r: Reader, f: ArticleFilter, hint: str = "", *, probe: bool = False,
           step: int = 1) -> tuple[str, list[str], list[Any]]:
    """FROM clause (alias ``a``), conditions and parameters for an article filter.
    ``hint`` (Reader.facts_hint) is for aggregates that read no wide column.

    Full-text hits normally drive the query (one lookup per hit). With ``probe``
    the articles (in the order of ``hint``'s index) drive it and each is tested
    against the hit set, built once: cheaper when a page in index order is wanted
    from many hits. ``step`` > 1 keeps every step-th hit by rowid, a deterministic
    sample for estimates over huge hit sets."""
    conds: list[str] = []
    params: list[Any] = []
    if f.fts:
        frm, conds, params = r.fts_where(f, hint, probe, step)
    else:
        frm = "articles a"
    if f.source:
        # A source is named by domain or by outlet name; both resolve to domains first,
        # so the articles index on source_domain stays usable.
        conds.append("a.source_domain IN (SELECT domain FROM sources WHERE domain = ? OR lower(name) = lower(?))")
        params += [f.source.strip().lower(), f.source.strip()]
    if f.state_affiliated is not None:
        conds.append("a.source_domain IN (SELECT domain FROM sources WHERE state_affiliated = ?)")
        params.append(int(f.state_affiliated))
    if f.lang:
        conds.append("a.language = ?")
        params.append(f.lang.strip().lower())
    d_conds, d_params = date_range("a.published_utc", f.since, f.until)
    conds += d_conds
    params += d_params
    if f.entity:
        sql, p = _entity_ids(f.entity.strip())
        conds.append(f"a.id IN ({sql})")
        params += p
    if f.place:
        sql, p = _place_ids(f.place.strip())
        conds.append(f"a.id IN ({sql})")
        params += p
    if f.claim_type:
        conds.append("a.id IN (SELECT article_id FROM claims WHERE type = ?)")
        params.append(f.claim_type.strip().upper())
    if not f.duplicates:
        conds.append("a.duplicate_of IS NULL")
    return frm, conds, params


def _sql_where(conds: list[str]) -> str:
    return f"WHERE {' AND '.join(conds)}" if conds else ""


def _bool(v: Any) -> Optional[bool]:
    return None if v is None else bool(v)


def _source_labels(r: Reader, domains: list[str]) -> dict[str, dict[str, Any]]:
    if not domains:
        return {}
    marks = ",".join("?" * len(domains))
    rows = r.rows(f"SELECT domain, name, country, state_affiliated FROM sources WHERE domain IN ({marks})", domains)
    return {row["domain"]: {**row, "state_affiliated": _bool(row["state_affiliated"])} for row in rows}


# ------------------------------------------------------------------ articles


# bm25 ranking costs a lookup per hit; past this many hits "auto" orders by date instead.
RELEVANCE_MAX = 2000
# Totals and facets are exact up to this many full-text hits; beyond, they are
# estimated from every k-th hit (by rowid, so the same query gives the same numbers)
# and the response says so (``total_is_estimate``, ``facets_are_estimates``). Exact
# counts cost one lookup per hit, which is what made broad queries slow.
COUNT_EXACT_MAX = 5_000
# Past this many hits a date-ordered page is read by walking the published index and
# testing each article against the hit set, which stops after one page of matches.
PROBE_MIN = 2000
SORTS = ("auto", "relevance", "newest", "oldest")
_ARTICLE_ITEM = ("a.seq, a.id, a.title, a.url, a.published, a.language, a.duplicate_of, a.source_domain, "
                 "a.source ->> 'name' AS page_source_name")
_SNIPPET = f"snippet(articles_fts, -1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', {SNIPPET_TOKENS})"


LEAD_CHARS = 240


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The start of a text cut at a word boundary, with an ellipsis when anything was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else text[:limit]
    return cut.rstrip(" ,;:.–—-") + "…"


def _fts_hits(r: Reader, f: ArticleFilter) -> Optional[int]:
    """Full-text hits before any other filter (read from the index's doclists alone,
    no article lookups), or None without a full-text query."""
    if not f.fts:
        return None
    return r.fts_hits(f)


def _page_by_date(r: Reader, f: ArticleFilter, sort: str, limit: int, offset: int,
                  many: bool) -> list[dict[str, Any]]:
    """A page in date order: seqs from a narrow index first, then wide rows for those only."""
    if many and r.published_hint:
        frm, conds, params = _where(r, f, r.published_hint, probe=True)
    else:
        frm, conds, params = _where(r, f, r.facts_hint)
    order = (f"{newest_first('a.published_utc')}, a.seq DESC" if sort == "newest"
             else f"{oldest_first('a.published_utc')}, a.seq")
    seqs = [row["seq"] for row in r.rows(
        f"SELECT a.seq FROM {frm} {_sql_where(conds)} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])]
    if not seqs:
        return []
    marks = ",".join("?" * len(seqs))
    if f.fts:
        rows = r.fts_items(f, seqs)
    else:
        rows = r.rows(f"SELECT {_ARTICLE_ITEM}, substr(a.text, 1, {LEAD_CHARS + 40}) AS snippet FROM articles a "
                      f"WHERE a.seq IN ({marks})", seqs)
        for row in rows:
            row["snippet"] = lead(row["snippet"] or "")
    by_seq = {row["seq"]: row for row in rows}
    return [by_seq[q] for q in seqs if q in by_seq]


def search_articles(r: Reader, f: ArticleFilter, limit: int, offset: int, facets: bool = True,
                    sort: str = "auto") -> dict[str, Any]:
    """A page of matching articles with total and (optionally) facet counts.

    ``sort``: relevance (bm25, title 5x body), newest, oldest, or auto: relevance
    for a full-text query with at most RELEVANCE_MAX hits, else newest. The
    order used is returned as ``sort``. Past COUNT_EXACT_MAX full-text hits the
    total and facet counts are estimates (``total_is_estimate``,
    ``facets_are_estimates``); the page itself is always exact.
    """
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}")
    out: dict[str, Any] = {}
    hits = _fts_hits(r, f)
    step = -(-hits // COUNT_EXACT_MAX) if hits else 1
    nfrm, nconds, nparams = _where(r, f, r.facts_hint, step=step)
    if facets:
        groups = r.rows(
            f"SELECT a.source_domain AS source, a.language AS language, count(*) AS n FROM {nfrm} "
            f"{_sql_where(nconds)} GROUP BY a.source_domain, a.language",
            nparams,
        )
        total = sum(g["n"] for g in groups)
        by_source: dict[Any, int] = {}
        by_lang: dict[Any, int] = {}
        for g in groups:
            by_source[g["source"]] = by_source.get(g["source"], 0) + g["n"] * step
            by_lang[g["language"]] = by_lang.get(g["language"], 0) + g["n"] * step
        # Driven from the hits (one index seek each) rather than scanning every claim.
        claim_types = r.rows(
            f"SELECT c.type AS value, count(DISTINCT c.article_id) * ? AS count FROM {nfrm} "
            f"JOIN claims c{r.claims_hint} ON c.article_id = a.id {_sql_where(nconds + _unrejected(r, 'c'))} "
            "GROUP BY c.type ORDER BY count DESC, c.type",
            [step, *nparams],
        )
        labels = _source_labels(r, [d for d in by_source if d])
        out["facets"] = {
            "source": [
                {"value": d, "label": (labels.get(d) or {}).get("name") or d, "count": n}
                for d, n in sorted(by_source.items(), key=lambda kv: (-kv[1], kv[0] or "")) if d
            ],
            "language": [
                {"value": lang, "count": n}
                for lang, n in sorted(by_lang.items(), key=lambda kv: (-kv[1], kv[0] or "")) if lang
            ],
            "claim_type": claim_types,
        }
        out["facets_are_estimates"] = step > 1
    else:
        total = r.rows(f"SELECT count(*) AS n FROM {nfrm} {_sql_where(nconds)}", nparams)[0]["n"]
    total *= step

    if sort == "auto":
        sort = "relevance" if f.fts and total <= RELEVANCE_MAX else "newest"
    if sort == "relevance" and f.fts:
        items = r.relevance_page(f, limit, offset)
    else:
        sort = "oldest" if sort == "oldest" else "newest"
        items = _page_by_date(r, f, sort, limit, offset, many=total > PROBE_MIN)
    for item in items:
        del item["seq"]
    labels = _source_labels(r, sorted({i["source_domain"] for i in items if i["source_domain"]}))
    for item in items:
        reg = labels.get(item.pop("source_domain")) if item.get("source_domain") else None
        page_name = item.pop("page_source_name")
        item["source"] = {
            "domain": reg["domain"] if reg else None,
            "name": page_name or (reg or {}).get("name"),
            "country": (reg or {}).get("country"),
            "state_affiliated": (reg or {}).get("state_affiliated"),
        }
    return {"total": total, "total_is_estimate": step > 1, "limit": limit, "offset": offset, "sort": sort,
            "items": items, **out}


ARTICLE_EXPORT = ("id", "title", "url", "published", "language", "source_domain", "source_name",
                  "state_affiliated", "duplicate_of", "snippet")
TIMELINE_FIELDS = ("date", "source", "name", "state_affiliated", "count")
SOURCE_FIELDS = ("domain", "name", "owner", "country", "state_affiliated", "affiliation_source", "articles",
                 "quotes", "claims", "first_published", "last_published")
SPEAKER_EXPORT = ("speaker", "source", "name", "count")
PLACE_EXPORT = ("name", "geonames_id", "country_code", "lat", "lon", "mentions", "claims", "claim_types",
                "articles", "dates", "first", "last")
COMPARE_EXPORT = ("source", "name", "country", "state_affiliated", "articles", "first_date", "first_article_id",
                  "framing_terms", "claim_types")


def flat_article(item: dict[str, Any]) -> dict[str, Any]:
    """A search hit as one flat export row."""
    src = item.get("source") or {}
    return {
        "id": item["id"], "title": item["title"], "url": item["url"], "published": item["published"],
        "language": item["language"], "source_domain": src.get("domain"), "source_name": src.get("name"),
        "state_affiliated": src.get("state_affiliated"), "duplicate_of": item["duplicate_of"],
        "snippet": (item.get("snippet") or "").replace(MARK_OPEN, "").replace(MARK_CLOSE, ""),
    }


def timeline(r: Reader, f: ArticleFilter, limit: int, offset: int) -> dict[str, Any]:
    frm, conds, params = _where(r, f, r.facts_hint)
    conds = conds + ["a.published_utc IS NOT NULL"]
    groups = r.rows(  # per UTC day, the days the date filters mean
        f"SELECT substr(a.published_utc, 1, 10) AS date, a.source_domain AS source, count(*) AS count "
        f"FROM {frm} {_sql_where(conds)} GROUP BY 1, 2 ORDER BY 1, 2",
        params,
    )
    page = groups[offset:offset + limit]
    labels = _source_labels(r, sorted({g["source"] for g in page if g["source"]}))
    for g in page:
        reg = labels.get(g["source"]) or {}
        g["name"] = reg.get("name") or g["source"]
        g["state_affiliated"] = reg.get("state_affiliated")
    return {"total": len(groups), "limit": limit, "offset": offset, "items": page}


# ------------------------------------------------------------------ quotes and speakers


def _source_conds(alias: str, source: Optional[str], since: Any, until: Any) -> tuple[list[str], list[Any]]:
    conds, params = date_range(f"{alias}.published_utc", since, until)
    if source:
        conds.append(f"{alias}.source_domain IN (SELECT domain FROM sources WHERE domain = ? OR lower(name) = lower(?))")
        params += [source.strip().lower(), source.strip()]
    return conds, params


def _decode_json(row: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    for n in names:
        if isinstance(row.get(n), str):
            row[n] = json.loads(row[n])
    return row


QUOTE_FIELDS = ("id", "article_id", "text", "kind", "start", "end", "speaker", "speaker_mention",
                "speaker_descriptor", "cue", "sentence", "component", "confidence", "parts", "speaker_kind",
                "speaker_named", "speaker_country", "speaker_key", "review")
CONTEXT_FIELDS = ("title", "url", "published", "source", "source_name", "state_affiliated")
def _annotation_page(r: "Reader", table: str, cols: str, conds: list[str], params: list[Any], order: str,
                     json_fields: tuple[str, ...], limit: int, offset: int) -> dict[str, Any]:
    """One page of a quotes/claims listing with its article context and the total count."""
    base = (f"FROM {table} x JOIN articles a ON a.id = x.article_id LEFT JOIN sources s ON s.domain = a.source_domain "
            f"{_sql_where(conds)}")
    total = r.rows(f"SELECT count(*) AS n {base}", params)[0]["n"]
    items = r.rows(f"SELECT {cols}, {_ARTICLE_CTX} {base} ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])
    for it in items:
        _decode_json(it, json_fields)
        it["state_affiliated"] = _bool(it["state_affiliated"])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


_QUOTE_COLS = "x.id, " + ", ".join(f'x."{c}"' for c in QUOTE_FIELDS)
_ARTICLE_CTX = ("a.title, a.url, a.published, a.source_domain AS source, s.name AS source_name, "
                "s.state_affiliated")


def quote_kinds(kinds: Optional[str]) -> Optional[tuple[str, ...]]:
    """``?kinds=`` -> kinds to list: default the real quotes, "all" every kind, else a comma list."""
    if kinds is None or not kinds.strip():
        return QUOTE_KINDS
    if kinds.strip().lower() == "all":
        return None
    wanted = tuple(dict.fromkeys(k.strip().lower() for k in kinds.split(",") if k.strip()))
    bad = [k for k in wanted if k not in QUOTE_KINDS + NOT_QUOTE_KINDS]
    if bad or not wanted:
        raise QueryError(f"unknown quote kind(s) {', '.join(bad) or kinds!r}: use all or some of "
                         f"{', '.join(QUOTE_KINDS + NOT_QUOTE_KINDS)}")
    return wanted


def _unrejected(r: "Reader", alias: str) -> list[str]:
    # Reading the review mark costs a row lookup per claim where the covering indexes
    # would do: only paid once an analyst has rejected something.
    try:
        rejected = r.rows("SELECT 1 AS x FROM reviews WHERE verdict = 'rejected' LIMIT 1")
    except StoreError:  # a database older than the reviews table, opened read-only
        return []
    return review_conditions(alias, hide_rejected=True) if rejected else []


def _review_conds(reviewed: Optional[bool], hide_rejected: bool) -> list[str]:
    return review_conditions("x", reviewed, hide_rejected)


def quotes(r: Reader, *, speaker: Optional[str], q: Optional[str], source: Optional[str], since: Any,
           until: Any, kind: Optional[str], limit: int, offset: int,
           kinds: Optional[tuple[str, ...]] = QUOTE_KINDS, reviewed: Optional[bool] = None,
           hide_rejected: bool = False) -> dict[str, Any]:
    conds, params = _source_conds("a", source, since, until)
    conds += _review_conds(reviewed, hide_rejected)
    if speaker and speaker.strip():
        cond, p = filters.speaker("x", speaker)
        conds.append(cond)
        params += p
    if q:
        conds.append(r.contains("x.text"))
        params.append(q)
    if kind:
        conds.append("x.kind = ?")
        params.append(kind.strip().lower())
    elif kinds:
        conds.append(f"x.kind IN ({', '.join('?' * len(kinds))})")
        params.extend(kinds)
    page = _annotation_page(r, "quotes", _QUOTE_COLS, conds, params,
                            f"{newest_first('a.published_utc')}, x.article_id, x.start",
                            ("speaker_mention", "parts", "review"), limit, offset)
    for it in page["items"]:
        it["speaker_named"] = _bool(it["speaker_named"])
    return page


def speakers(r: Reader, *, q: Optional[str], source: Optional[str], since: Any, until: Any,
             limit: int, offset: int) -> dict[str, Any]:
    conds, params = _source_conds("a", source, since, until)
    conds.append("x.speaker IS NOT NULL")
    if q:
        conds.append(r.contains("x.speaker"))
        params.append(q)
    conds.append(f"x.kind IN ({', '.join('?' * len(QUOTE_KINDS))})")
    params.extend(QUOTE_KINDS)
    rows = r.rows(
        "SELECT x.speaker AS speaker, x.speaker_key AS speaker_key, a.source_domain AS source, count(*) AS n "
        f"FROM quotes x JOIN articles a ON a.id = x.article_id {_sql_where(conds)} "
        "GROUP BY x.speaker, x.speaker_key, a.source_domain",
        params,
    )
    # Variants of one speaker ("Defense Ministry" in a Russian story, "Russian Defense Ministry")
    # share a speaker key: one entry, named by its most quoted variant.
    per: dict[str, dict[str, Any]] = {}
    names: dict[str, dict[str, int]] = {}
    for row in rows:
        key = row["speaker_key"] or "name:" + row["speaker"].lower()
        sp = per.setdefault(key, {"speaker": row["speaker"], "count": 0, "outlets": []})
        sp["count"] += row["n"]
        variants = names.setdefault(key, {})
        variants[row["speaker"]] = variants.get(row["speaker"], 0) + row["n"]
        same = next((o for o in sp["outlets"] if o["source"] == row["source"]), None)
        if same is None:
            sp["outlets"].append({"source": row["source"], "count": row["n"]})
        else:
            same["count"] += row["n"]
    for key, sp in per.items():
        sp["speaker"] = min(names[key].items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]
    ordered = sorted(per.values(), key=lambda s: (-s["count"], s["speaker"].lower()))
    page = ordered[offset:offset + limit]
    labels = _source_labels(r, sorted({o["source"] for s in page for o in s["outlets"] if o["source"]}))
    for sp in page:
        for o in sp["outlets"]:
            reg = labels.get(o["source"]) or {}
            o["name"] = reg.get("name") or o["source"]
            o["state_affiliated"] = reg.get("state_affiliated")
        sp["outlets"].sort(key=lambda o: (-o["count"], o["name"] or ""))
    return {"total": len(ordered), "limit": limit, "offset": offset, "items": page}


# ------------------------------------------------------------------ claims and places


CLAIM_FIELDS = ("id", "article_id", "type", "start", "end", "sentence", "actor", "target", "place", "date",
                "date_text", "modality", "attributions", "framing", "trigger", "component", "confidence", "review")
_CLAIM_COLS = "x.id, " + ", ".join(f'x."{c}"' for c in CLAIM_FIELDS)
_CLAIM_JSON = ("actor", "target", "place", "attributions", "framing", "trigger", "review")
# A claim's date (a day) where it names one, else its article's UTC instant.
_CLAIM_DATE = "COALESCE(x.date, a.published_utc)"


def claims(r: Reader, *, place: Optional[str], actor: Optional[str], type: Optional[str], modality: Optional[str],
           source: Optional[str], since: Any, until: Any, limit: int, offset: int, reviewed: Optional[bool] = None,
           hide_rejected: bool = False, according_to: Optional[str] = None,
           role: Optional[str] = None) -> dict[str, Any]:
    conds, params = _source_conds("a", source, None, None)
    conds += _review_conds(reviewed, hide_rejected)
    d_conds, d_params = date_range(_CLAIM_DATE, since, until)
    conds += d_conds
    params += d_params
    c, p = claim_conditions("x", place=place, actor=actor, type=type, modality=modality,
                            according_to=according_to, role=role)
    conds += c
    params += p
    return _annotation_page(r, "claims", _CLAIM_COLS, conds, params,
                            f"{newest_first(_CLAIM_DATE)}, x.id",
                            _CLAIM_JSON, limit, offset)


# "Russian" is a place of kind demonym: the map and listings show it only when asked.
_NO_DEMONYMS = ["COALESCE(p.kind, '') <> 'demonym'"]


def places_geojson(r: Reader, *, source: Optional[str], since: Any, until: Any, claim_type: Optional[str],
                   limit: int, offset: int, demonyms: bool = False) -> dict[str, Any]:
    """Resolved places as GeoJSON points: mentions, articles, claim types and mentions per day.

    Places are keyed by GeoNames id (else lower-cased name) so the same town
    written two ways is one point. With ``claim_type`` only places named in
    claims of that type are returned.
    """
    conds, params = _source_conds("a", source, since, until)
    feats: dict[str, dict[str, Any]] = {}

    def feature(key: str, row: dict[str, Any]) -> dict[str, Any]:
        if key not in feats:
            feats[key] = {
                "name": row["name"], "geonames_id": row["geonames_id"], "country_code": row["country_code"],
                "feature": row.get("feature"),
                "lat": row["lat"], "lon": row["lon"], "mentions": 0, "articles": set(), "claims": 0,
                "claim_types": {}, "claim_modalities": {}, "dates": {},
            }
        return feats[key]

    if not claim_type:
        p_conds = ["p.lat IS NOT NULL", "p.lon IS NOT NULL", *_unrejected(r, "p"), *_NO_DEMONYMS[:not demonyms]]
        for row in r.place_mentions(_sql_where(conds + p_conds), params):
            ft = feature(row["key"], row)
            ft["mentions"] += row["n"]
            ft["articles"].add(row["article_id"])
            if row["day"]:
                ft["dates"][row["day"]] = ft["dates"].get(row["day"], 0) + row["n"]

    c_conds = conds + ["c.place_lat IS NOT NULL", "c.place_lon IS NOT NULL", *_unrejected(r, "c")]
    c_params = list(params)
    if claim_type:
        c_conds.append("c.type = ?")
        c_params.append(claim_type.strip().upper())
    for row in r.rows(
        "SELECT COALESCE(CAST(c.place_geonames_id AS TEXT), lower(c.place_name)) AS key, c.place_name AS name, "
        "c.place_geonames_id AS geonames_id, c.place_country_code AS country_code, c.place_lat AS lat, "
        "c.place_lon AS lon, c.type, c.modality, c.article_id, COALESCE(c.date, substr(a.published_utc, 1, 10)) AS day "
        f"FROM claims c JOIN articles a ON a.id = c.article_id {_sql_where(c_conds)}",
        c_params,
    ):
        ft = feature(row["key"], row)
        ft["claims"] += 1
        ft["claim_types"][row["type"]] = ft["claim_types"].get(row["type"], 0) + 1
        # A denied capture is no capture: the same counts per type, split by how each claim is stated.
        per = ft["claim_modalities"].setdefault(row["type"], {})
        per[row["modality"] or "asserted"] = per.get(row["modality"] or "asserted", 0) + 1
        ft["articles"].add(row["article_id"])
        if claim_type:  # claim-only map: the claims are the mentions
            ft["mentions"] += 1
            if row["day"]:
                ft["dates"][row["day"]] = ft["dates"].get(row["day"], 0) + 1

    ordered = sorted(feats.values(), key=lambda ft: (-ft["mentions"], -ft["claims"], str(ft["name"])))
    features = []
    for ft in ordered[offset:offset + limit]:
        days = sorted(ft["dates"])
        props = {k: v for k, v in ft.items() if k not in ("lat", "lon", "articles", "dates")}
        props.update(articles=len(ft["articles"]), dates=dict(sorted(ft["dates"].items())),
                     claim_modalities={t: _ordered_modalities(m) for t, m in ft["claim_modalities"].items()},
                     first=days[0] if days else None, last=days[-1] if days else None)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [ft["lon"], ft["lat"]]},
                         "properties": props})
    return {"type": "FeatureCollection", "total": len(ordered), "limit": limit, "offset": offset, "features": features}


# ------------------------------------------------------------------ sources and comparison


def sources(r: Reader, *, state_affiliated: Optional[bool], country: Optional[str], limit: int,
            offset: int) -> dict[str, Any]:
    conds, params = [], []
    if state_affiliated is not None:
        conds.append("s.state_affiliated = ?")
        params.append(int(state_affiliated))
    if country:
        conds.append("s.country = ?")
        params.append(country.strip().upper())
    where = _sql_where(conds)
    total = r.rows(f"SELECT count(*) AS n FROM sources s {where}", params)[0]["n"]
    items = r.rows(
        "SELECT s.domain, s.name, s.owner, s.country, s.state_affiliated, s.affiliation_source, "
        "(SELECT count(*) FROM articles a WHERE a.source_domain = s.domain) AS articles, "
        "(SELECT count(*) FROM quotes x JOIN articles a ON a.id = x.article_id WHERE a.source_domain = s.domain "
        "AND x.kind IN ('direct', 'partial', 'indirect')) AS quotes, "
        "(SELECT count(*) FROM claims x JOIN articles a ON a.id = x.article_id WHERE a.source_domain = s.domain) AS claims, "
        "(SELECT min(published_utc) FROM articles a WHERE a.source_domain = s.domain) AS first_published, "
        "(SELECT max(published_utc) FROM articles a WHERE a.source_domain = s.domain) AS last_published "
        f"FROM sources s {where} ORDER BY articles DESC, s.domain LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    for it in items:
        it["state_affiliated"] = _bool(it["state_affiliated"])
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _mentioned_place_ids(r: Reader, place: str) -> list[int]:
    """GeoNames ids that mentions of ``place`` (as written or resolved) were resolved to."""
    return [row["geonames_id"] for row in r.rows(
        "SELECT geonames_id FROM places WHERE lower(name) = lower(?) AND geonames_id IS NOT NULL "
        "UNION SELECT geonames_id FROM places WHERE lower(text) = lower(?) AND geonames_id IS NOT NULL",
        [place, place])]


def _claim_subject(r: Reader, entity: Optional[str], place: Optional[str],
                   claim_type: Optional[str]) -> tuple[list[str], list[Any]]:
    """Conditions on claims (alias ``c``) that are about the compared subject (and that no
    analyst rejected)."""
    conds: list[str] = _unrejected(r, "c")
    params: list[Any] = []
    if place:
        place = place.strip()
        if geonames_id(place) is not None:
            conds.append("c.place_geonames_id = ?")
            params.append(geonames_id(place))
        else:
            # A name as written ("Seversk") resolves through the place mentions to the
            # GeoNames ids the claims carry.
            ids = _mentioned_place_ids(r, place)
            # PostgreSQL has no empty IN list; SQLite's would match nothing anyway.
            in_ids = f" OR c.place_geonames_id IN ({','.join('?' * len(ids))})" if ids else ""
            conds.append(f"(lower(c.place_name) = lower(?){in_ids})")
            params += [place, *ids]
    if claim_type:
        conds.append("c.type = ?")
        params.append(claim_type.strip().upper())
    if entity:
        conds.append("(lower(c.actor_text) = lower(?) OR lower(c.target_text) = lower(?) "
                     f"OR {r.contains('c.sentence')})")
        params += [entity.strip()] * 3
    return conds, params


def _subject_keys(entity: Optional[str], place: Optional[str],
                  claim_type: Optional[str]) -> list[tuple[str, str]]:
    """(kind, key) rows of article_keys for the compared subject, folded as stored."""
    keys = []
    if place and place.strip():
        place = place.strip()
        gid = geonames_id(place)
        keys.append(("place_id", str(gid)) if gid is not None else ("place", _ascii_lower(place)))
    if entity and entity.strip():
        keys.append(("entity", _ascii_lower(entity.strip())))
    if claim_type and claim_type.strip():
        keys.append(("claim_type", claim_type.strip().upper()))
    return keys


def _ascii_lower(text: str) -> str:
    # SQLite's lower() (which folded the stored keys) changes ASCII letters only.
    return text.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def compare(r: Reader, *, entity: Optional[str], place: Optional[str], claim_type: Optional[str],
            since: Any, until: Any, limit: int, offset: int, examples: int = 3) -> dict[str, Any]:
    """Per outlet: how many articles mention the subject, when it first did (and in
    which article), which loaded terms those articles use and which claims they make
    about it; ``examples`` are the subject's claims in that first article."""
    # Reprints count here: an outlet that reprints a story is still saying it.
    keys = _subject_keys(entity, place, claim_type)
    if not keys:
        raise ValueError("compare needs an entity, a place or a claim type")
    (kind, key), others = keys[0], keys[1:]
    # The matched articles come from one range of the article_keys index, which holds
    # their outlet and date too: no per-article lookup in the annotation tables or
    # the wide articles rows (migrations.ARTICLE_KEY_SOURCES).
    conds = ["m.kind = ?", "m.key = ?", "m.source_domain IS NOT NULL"]
    params: list[Any] = [kind, key]
    for other_kind, other_key in others:
        conds.append("m.article_id IN (SELECT article_id FROM article_keys WHERE kind = ? AND key = ?)")
        params += [other_kind, other_key]
    d_conds, d_params = date_range("m.published", since, until)  # article_keys keep UTC instants
    conds += d_conds
    params += d_params
    s_conds, s_params = _claim_subject(r, entity, place, claim_type)
    # Each aggregate reads the matched range of the covering index itself: a range
    # read costs less than materialising it once, and the outlet counts come out in
    # index order with no sort.
    m = f"article_keys m{r.outlet_hint} {_sql_where(conds)}"
    rows = r.rows(
        "SELECT 'outlet' AS kind, m.source_domain AS source, count(*) AS n, min(m.published) AS a1, "
        f"{r.first_article} AS a2, NULL AS a3, NULL AS a4 FROM {m} GROUP BY m.source_domain "
        f"UNION ALL SELECT 'framing', m.source_domain, count(*), f.term, {r.framing_text}, max(f.category), "
        "max(f.neutral) "
        f"FROM {m.replace(' WHERE ', ' JOIN framing f ON f.article_id = m.article_id WHERE ', 1)} "
        "GROUP BY m.source_domain, f.term, lower(f.text) "
        # LEFT JOIN (unmatched rows dropped by HAVING) because, for an inner join here,
        # SQLite builds a Bloom filter by reading every claim.
        "UNION ALL SELECT 'claim', m.source_domain, count(c.id), c.type, c.modality, NULL, NULL FROM "
        + m.replace(" WHERE ", f" LEFT JOIN claims c{r.claims_hint} ON c.article_id = m.article_id"
                    f"{''.join(' AND ' + x for x in s_conds)} WHERE ", 1)
        + " GROUP BY m.source_domain, c.type, c.modality HAVING count(c.id) > 0",
        [*params, *params, *s_params, *params],
    )
    outlets, framing, type_rows = [], {}, {}
    for row in rows:
        if row["kind"] == "outlet":
            outlets.append({"source": row["source"], "articles": row["n"], "first_date": row["a1"],
                            "first_id": row["a2"]})
        elif row["kind"] == "framing":
            framing.setdefault(row["source"], []).append(
                {"term": row["a1"], "text": row["a2"], "category": row["a3"], "neutral": row["a4"], "n": row["n"]})
        else:
            by_type = type_rows.setdefault(row["source"], {}).setdefault(row["a1"], {})
            by_type[row["a2"] or "asserted"] = by_type.get(row["a2"] or "asserted", 0) + row["n"]
    outlets.sort(key=lambda o: (o["first_date"] is None, o["first_date"] or "", o["source"]))
    total = len(outlets)
    page = outlets[offset:offset + limit]
    if not page:
        return {"total": total, "limit": limit, "offset": offset, "items": []}
    domains = [o["source"] for o in page]
    firsts = [o["first_id"] for o in page]
    in_firsts = f"({','.join('?' * len(firsts))})"
    # the first article's date as published (the keys order by its UTC instant)
    firsts_rows = {row["id"]: row for row in r.rows(f"SELECT id, title, published FROM articles WHERE id IN {in_firsts}",
                                                    firsts)}
    example_rows = r.rows(
        "SELECT c.article_id, c.type, c.sentence, c.modality, COALESCE(c.date, substr(a.published_utc, 1, 10)) AS date "
        f"FROM claims c JOIN articles a ON a.id = c.article_id WHERE {' AND '.join([f'c.article_id IN {in_firsts}', *s_conds])} "
        "ORDER BY c.start",
        [*firsts, *s_params],
    )
    labels = _source_labels(r, domains)
    items = []
    for o in page:
        reg = labels.get(o["source"]) or {}
        terms: dict[str, dict[str, Any]] = {}
        for row in framing.get(o["source"], []):
            t = terms.setdefault(row["term"], {"term": row["term"], "category": row["category"],
                                               "neutral": row["neutral"], "count": 0, "texts": []})
            t["count"] += row["n"]
            if row["text"] not in t["texts"]:
                t["texts"].append(row["text"])
        types = sorted(type_rows.get(o["source"], {}).items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        items.append({
            "source": o["source"], "name": reg.get("name") or o["source"], "country": reg.get("country"),
            "state_affiliated": reg.get("state_affiliated"), "articles": o["articles"],
            "first": {"date": (firsts_rows.get(o["first_id"]) or {}).get("published", o["first_date"]),
                      "article_id": o["first_id"], "title": (firsts_rows.get(o["first_id"]) or {}).get("title")},
            "framing": sorted(terms.values(), key=lambda t: (-t["count"], t["term"])),
            # A denial of a capture is no capture: counts are split by how each claim is stated.
            "claim_types": [{"type": k, "count": sum(v.values()), "modalities": _ordered_modalities(v)}
                            for k, v in types],
            "examples": [{k: c[k] for k in ("article_id", "sentence", "type", "modality", "date")}
                         for c in example_rows if c["article_id"] == o["first_id"]][:examples],
        })
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def flat_compare(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "source": item["source"], "name": item["name"], "country": item["country"],
        "state_affiliated": item["state_affiliated"], "articles": item["articles"],
        "first_date": item["first"]["date"], "first_article_id": item["first"]["article_id"],
        "framing_terms": "; ".join(f"{t['term']} ({t['count']})" for t in item["framing"]),
        "claim_types": "; ".join(modality_summary(c) for c in item["claim_types"]),
    }


def _ordered_modalities(counts: dict[str, int]) -> dict[str, int]:
    known = [m for m in MODALITIES if m in counts]
    return {m: counts[m] for m in known + sorted(set(counts) - set(known))}


def modality_summary(claim_type: dict[str, Any]) -> str:
    """``TAKE_CONTROL: 2 asserted, 1 denied`` for one entry of compare's ``claim_types``."""
    parts = ", ".join(f"{n} {m}" for m, n in claim_type["modalities"].items())
    return f"{claim_type['type']}: {parts}"


def run_articles(r: Reader, run_id: int, limit: int = 1000) -> list[dict[str, Any]]:
    """Articles stored by one ingest run, in the order they were stored."""
    return r.rows("SELECT id, title, url FROM articles WHERE run_id = ? ORDER BY seq LIMIT ?", [run_id, limit])
