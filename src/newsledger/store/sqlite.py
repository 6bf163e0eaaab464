"""The SQLite store: articles, annotations, runs and quarantine in one file.

The file is plain SQLite (WAL journal, FTS5 with the built-in porter
tokenizer), so Datasette and the ``sqlite3`` shell read it as is. Every
record column comes from ``schema.columns``; nested structures are JSON text.

Each article is written together with its annotations in one transaction, so
readers never see an article whose annotations are half replaced. Read
methods return schema records or plain dicts (documented per method) and are
safe to call from several threads: each thread gets its own connection.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Optional, Sequence, Union

from .. import schema
from ..schema import ANNOTATION_TYPES, QUOTE_KINDS, Analysis, Article, BadInput
from . import filters, migrations, reviews, timestamps
from .deadline import sqlite_guard
from .errors import QueryError, StoreError
from .search import compile_fts5, parse
from .migrations import ARTICLE_EXTRA, CLAIM_FLAT, q

DEFAULT_TIMEOUT = 10.0  # seconds to wait for another writer before giving up
MIN_SQLITE = (3, 38, 0)  # the ->> JSON operator (store.dialect)
EXPORT_KINDS = ("articles", *ANNOTATION_TYPES, "sources", "quarantine", "runs", "reviews")
SNIPPET_MARKERS = ("[", "]")
# Search orders; the stored order (seq) breaks ties so pages never overlap. Dates order by
# their UTC instant (store.timestamps), undated articles last.
_ORDERS = {"relevance": "score, a.seq",
           "newest": f"{timestamps.newest_first('a.published_utc')}, a.seq DESC",
           "oldest": f"{timestamps.oldest_first('a.published_utc')}, a.seq"}

# A claim's date (a day) where it names one, else its article's UTC instant.
_CLAIM_DATE = "COALESCE(x.date, a.published_utc)"

_ARTICLE_COLS = migrations.article_columns()
_ARTICLE_JSON = {n for n, t in _ARTICLE_COLS if t == "JSON"}
_RECORD_FIELDS = [n for n, _ in schema.columns(Article)]
_UPDATABLE = [n for n, _ in _ARTICLE_COLS if n not in ("id", "first_seen", "duplicate_of", "similarity")]


@dataclass(slots=True)
class SearchHit:
    """One full-text search result; ``snippet`` carries the highlight markers."""

    id: str
    title: Optional[str]
    url: Optional[str]
    source: Optional[str]  # domain
    published: Optional[str]
    language: Optional[str]
    snippet: str
    score: float  # bm25: lower is better
    duplicate_of: Optional[str] = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_FIELDS: dict[type, tuple[str, ...]] = {}
_SCALARS = (str, int, float, bool, type(None))


def _plain(obj: Any) -> Any:
    """``schema.to_dict`` for the write path: same output, without recursing into
    every scalar (annotations are mostly flat, and there are many of them)."""
    cls = type(obj)
    names = _FIELDS.get(cls)
    if names is None:
        if not dataclasses.is_dataclass(obj):
            return schema.to_dict(obj)
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(obj))
    out = {}
    for name in names:
        v = getattr(obj, name)
        out[name] = v if isinstance(v, _SCALARS) else schema.to_dict(v)
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _dump(value: Any) -> Optional[str]:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _cell(value: Any, typ: str) -> Any:
    if typ == "JSON":
        return _dump(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _record_hash(art_dict: dict[str, Any]) -> str:
    # Where a copy was read from is provenance, not content: the same page read
    # from a WARC and from a feed is the same, unchanged article.
    d = dict(art_dict)
    d["provenance"] = {k: v for k, v in (d.get("provenance") or {}).items() if k != "origin"}
    return _hash(d)


def attribution_filter(alias: str, name: Optional[str], role: Optional[str]) -> tuple[str, list[Any]]:
    """A condition on a claim's flat role columns: ``name`` (part of it, any case) in ``role``'s
    column, or in any role's; ``role`` alone: someone holds that role. QueryError for an unknown role."""
    if role and role.strip().lower() not in migrations.ROLE_COLUMNS:
        raise QueryError(f"unknown role {role!r}: use one of {', '.join(migrations.ROLE_COLUMNS)}")
    cols = [migrations.ROLE_COLUMNS[role.strip().lower()]] if role else list(migrations.ROLE_COLUMNS.values())
    if not name:
        return f"{alias}.{cols[0]} IS NOT NULL", []
    pattern = f"%{_like(name.strip())}%"
    return "(" + " OR ".join(f"lower({alias}.{c}) LIKE lower(?) ESCAPE '\\'" for c in cols) + ")", [pattern] * len(cols)


def claim_conditions(alias: str, *, place: Optional[str], actor: Optional[str], type: Optional[str],
                     modality: Optional[str], according_to: Optional[str],
                     role: Optional[str]) -> tuple[list[str], list[Any]]:
    """The claim filters the store's readers and the API share, so each means the same in both."""
    conds: list[str] = []
    params: list[Any] = []
    if place and place.strip():
        cond, p = filters.claim_place(alias, place)
        conds.append(cond)
        params += p
    if type:
        conds.append(f"{alias}.type = ?")
        params.append(type.strip().upper())
    if actor:
        conds.append(f"({alias}.actor_code = ? OR lower({alias}.actor_text) LIKE lower(?) ESCAPE '\\')")
        params += [actor.strip().upper(), f"%{_like(actor.strip())}%"]
    if modality:
        conds.append(f"{alias}.modality = ?")
        params.append(modality.strip().lower())
    if according_to or role:
        cond, p = attribution_filter(alias, according_to, role)
        conds.append(cond)
        params += p
    return conds, params


def date_range(column: str, since: Any = None, until: Any = None) -> tuple[list[str], list[Any]]:
    """SQL conditions for ``since <= column <= until`` on a column of UTC instants
    (``articles.published_utc``): ``store.timestamps`` says how bounds are read."""
    return timestamps.utc_range(column, since, until)


def _translate(exc: sqlite3.Error, path: str) -> StoreError:
    msg = str(exc)
    if "locked" in msg or "busy" in msg:
        return StoreError(
            f"database is locked by another process: {path} (wait for the other newsledger command to finish, "
            "or use --db to choose another file)"
        )
    if "not a database" in msg or "malformed" in msg:
        return StoreError(f"{path} is not a readable newsledger database ({msg}): pass another file with --db")
    if "readonly" in msg or "unable to open" in msg:
        return StoreError(f"cannot write {path} ({msg}): check the file's permissions or use --db")
    return StoreError(f"database error in {path}: {msg}")


class Store:
    """A newsledger database. Create with ``open_store``; close with ``close()`` or ``with``."""

    def __init__(self, path: Union[str, Path], *, create: bool = True, timeout: float = DEFAULT_TIMEOUT):
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise StoreError(
                f"newsledger needs SQLite {'.'.join(map(str, MIN_SQLITE))} or later; this Python links "
                f"{sqlite3.sqlite_version}: use a newer Python build, or a PostgreSQL database (--db postgresql://...)"
            )
        self.path = str(path)
        self.timeout = timeout
        if self.path != ":memory:" and os.path.isdir(self.path):
            raise StoreError(
                f"{self.path} is a folder, not a database file: pass a file such as "
                f"--db {os.path.join(self.path, 'newsledger.db')}"
            )
        if self.path != ":memory:" and not create and not os.path.exists(self.path):
            raise StoreError(
                f"no database at {self.path}: run `newsledger ingest PATH --db {self.path}` first, "
                "or point --db / NEWSLEDGER_DB at an existing file"
            )
        if self.path != ":memory:":
            parent = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(parent):
                raise StoreError(f"cannot create {self.path}: folder {parent} does not exist")
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        try:
            db = self._conn()
            db.execute("PRAGMA journal_mode=WAL")
            migrations.migrate(db)
        except sqlite3.Error as e:
            self.close()
            raise _translate(e, self.path) from None

    # ------------------------------------------------------------ connections

    def _conn(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None and self.path == ":memory:" and self._conns:
            # Each connection to :memory: is a separate database: share the one (tests, scratch use).
            db = self._local.db = self._conns[0]
        if db is None:
            # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE below).
            db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
            self._local.db = db
            with self._lock:
                self._conns.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._conns:
                db.close()
            self._conns.clear()
        self._local = threading.local()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise _translate(e, self.path) from None
        try:
            yield db
            db.execute("COMMIT")
        except sqlite3.Error as e:
            db.execute("ROLLBACK")
            raise _translate(e, self.path) from None
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """Reads inside see one committed state: an article re-analysed meanwhile is seen
        wholly before or wholly after (each statement alone would take its own snapshot)."""
        db = self._conn()
        if not isinstance(db, sqlite3.Connection) or db.in_transaction or self.path == ":memory:":
            yield  # another backend, an enclosing transaction, or one connection shared by all threads
            return
        try:
            db.execute("BEGIN")
        except sqlite3.Error as e:
            raise _translate(e, self.path) from None
        try:
            yield
        finally:
            db.execute("COMMIT")  # a read transaction: nothing to undo, only the snapshot to release

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        db = self._conn()
        try:
            with sqlite_guard(db):
                cur = db.execute(sql, tuple(params))
                names = [d[0] for d in cur.description]
                return [dict(zip(names, row)) for row in cur.fetchall()]
        except sqlite3.Error as e:
            raise _translate(e, self.path) from None

    # ------------------------------------------------------------ runs and quarantine

    def start_run(self, inputs: Iterable[str]) -> int:
        """Record the start of an ingest run; returns its id."""
        with self._write() as db:
            return db.execute(
                "INSERT INTO ingest_runs (started, inputs, status) VALUES (?, ?, 'running') RETURNING id",
                (_now(), _dump([str(i) for i in inputs])),
            ).fetchall()[0][0]

    def finish_run(self, run_id: int, counts: dict[str, Any], status: str = "ok") -> None:
        """Close a run: status is ``ok``, ``failed`` or ``interrupted``. A finished (``ok``)
        run drops its journal in the same transaction: a kill in between would otherwise
        leave a finished run with journal rows."""
        with self._write() as db:
            db.execute(
                "UPDATE ingest_runs SET finished = ?, counts = ?, status = ? WHERE id = ?",
                (_now(), _dump(counts), status, run_id),
            )
            if status == "ok":
                db.execute("DELETE FROM ingest_journal WHERE run_id = ?", (run_id,))

    # The ingest journal (newsledger.journal holds the policy; the SQL lives here).

    def claim_run(self, run_id: int, pid: int, host: str, options: dict[str, Any],
                  check: Any = None) -> None:
        """Make (pid, host) the owner of a run and mark it running, atomically.
        ``check(row)`` sees the run's {pid, host, status} (None if there is no such run)
        inside the transaction and raises to refuse."""
        with self._write() as db:
            row = db.execute("SELECT pid, host, status FROM ingest_runs WHERE id = ?", (run_id,)).fetchone()
            if check is not None:
                check(None if row is None else {"pid": row[0], "host": row[1], "status": row[2]})
            db.execute(
                "UPDATE ingest_runs SET pid = ?, host = ?, options = ?, status = 'running', finished = NULL "
                "WHERE id = ?",
                (pid, host, json.dumps(options), run_id),
            )

    def journal_done(self, run_id: int) -> set[str]:
        """Origin labels of the documents a run has finished."""
        rows = self._read("SELECT origin_label FROM ingest_journal WHERE run_id = ?", (run_id,))
        return {r["origin_label"] for r in rows}

    def journal_record(self, run_id: int, labels: Iterable[str], counts: dict[str, Any]) -> None:
        """A batch is stored: its documents are done, and the run's counts so far."""
        with self._write() as db:
            db.executemany("INSERT INTO ingest_journal (run_id, origin_label) VALUES (?, ?) ON CONFLICT DO NOTHING",
                           [(run_id, label) for label in labels])
            db.execute("UPDATE ingest_runs SET counts = ? WHERE id = ?", (json.dumps(counts), run_id))

    def run_counts(self, run_id: int) -> dict[str, Any]:
        rows = self._read("SELECT counts FROM ingest_runs WHERE id = ?", (run_id,))
        return json.loads(rows[0]["counts"]) if rows and rows[0]["counts"] else {}

    def unplaced(self, article_ids: Iterable[str]) -> list[str]:
        """Those of ``article_ids`` (stored articles) that belong to no story cluster."""
        ids = list(dict.fromkeys(article_ids))
        placed: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            rows = self._read(
                f"SELECT article_id FROM story_members WHERE article_id IN ({', '.join('?' * len(chunk))})", chunk)
            placed.update(r["article_id"] for r in rows)
        return [i for i in ids if i not in placed]

    def quarantine(self, bad: BadInput, run_id: Optional[int] = None) -> bool:
        """Keep an unreadable input for inspection; False if already quarantined for that reason."""
        with self._write() as db:
            return self._quarantine(db, bad, run_id)

    def quarantine_many(self, bad: Iterable[BadInput], run_id: Optional[int] = None) -> int:
        """``quarantine`` for a batch in one transaction; returns how many rows were new."""
        with self._write() as db:
            return sum(self._quarantine(db, b, run_id) for b in bad)

    def _quarantine(self, db: sqlite3.Connection, bad: BadInput, run_id: Optional[int]) -> bool:
        cur = db.execute(
            "INSERT INTO quarantine (run_id, origin, origin_label, reason, excerpt, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (origin_label, reason) DO NOTHING",
            (run_id, _dump(schema.to_dict(bad.origin)), bad.origin.label(), bad.reason, bad.excerpt[:500], _now()),
        )
        return cur.rowcount > 0

    # ------------------------------------------------------------ article writes

    def upsert(self, item: Union[Analysis, Article], run_id: Optional[int] = None) -> str:
        """Store one article with its annotations; returns new|updated|unchanged|duplicate.

        The article id is its identity: the same URL stored twice is one row.
        Storing identical content again writes nothing ("unchanged"). A bare
        ``Article`` keeps existing annotations while its body is unchanged.
        "duplicate" means a new row whose body copies (or nearly copies)
        another article; ``duplicate_of`` then points at the earliest copy.
        """
        with self._write() as db:
            return self._upsert(db, item, run_id)

    def upsert_many(self, items: Iterable[Union[Analysis, Article]], run_id: Optional[int] = None) -> list[str]:
        """``upsert`` for a batch, in a single transaction (all or nothing)."""
        with self._write() as db:
            return [self._upsert(db, it, run_id) for it in items]

    def is_current(self, article: Article) -> bool:
        """True when this exact article record is stored and was analysed."""
        rows = self._read(
            "SELECT record_hash, analysis_hash FROM articles WHERE id = ?", (article.id,)
        )
        return bool(rows) and rows[0]["record_hash"] == _record_hash(schema.to_dict(article)) and (
            rows[0]["analysis_hash"] is not None
        )

    def _upsert(self, db: sqlite3.Connection, item: Union[Analysis, Article], run_id: Optional[int]) -> str:
        from .dedup import Deduplicator, content_hash

        annotated = isinstance(item, Analysis)
        analysis = item if annotated else Analysis(article=item)
        art = analysis.article
        if not art.id:
            raise StoreError("cannot store an article without an id (extract.common.finish assigns one)")
        art_dict = schema.to_dict(art)
        rec_hash = _record_hash(art_dict)
        ann_dicts = {k: [_plain(x) for x in getattr(analysis, k)] for k in ANNOTATION_TYPES}
        ann_hash = _hash(ann_dicts) if annotated else None
        chash = content_hash(art.text or "")
        now = _now()

        old = db.execute(
            "SELECT record_hash, analysis_hash, content_hash FROM articles WHERE id = ?", (art.id,)
        ).fetchone()
        if old and old[0] == rec_hash and (not annotated or old[1] == ann_hash):
            return "unchanged"

        domain = art.source.domain if art.source else None
        if domain:
            src = schema.to_dict(art.source)
            cols = [n for n, _ in migrations.source_columns()]
            db.execute(
                f"INSERT INTO sources ({', '.join(q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))}) "
                f"ON CONFLICT (domain) DO UPDATE SET "
                + ", ".join(f"{q(c)} = COALESCE(excluded.{q(c)}, sources.{q(c)})" for c in cols if c != "domain"),
                [_cell(src.get(c), t) for c, t in migrations.source_columns()],
            )
        values = {n: _cell(art_dict.get(n), t) for n, t in _ARTICLE_COLS if n in art_dict}
        body_changed = old is not None and old[2] != chash
        values.update(
            published_utc=timestamps.utc_instant(art.published),
            source_domain=domain,
            content_hash=chash,
            record_hash=rec_hash,
            updated_at=now,
            run_id=run_id,
        )
        if annotated:
            values["analysis_hash"] = ann_hash
        elif old is None or body_changed:
            values["analysis_hash"] = None  # annotations (if any) no longer match the text

        if old is None:
            values["first_seen"] = now
            cols = list(values)
            db.execute(
                f"INSERT INTO articles ({', '.join(q(c) for c in cols)}) VALUES ({', '.join('?' * len(cols))})",
                [values[c] for c in cols],
            )
        else:
            cols = [c for c in values if c in _UPDATABLE]
            db.execute(
                f"UPDATE articles SET {', '.join(q(c) + ' = ?' for c in cols)} WHERE id = ?",
                [values[c] for c in cols] + [art.id],
            )
        if annotated or body_changed:
            for kind in ANNOTATION_TYPES:
                db.execute(f"DELETE FROM {q(kind)} WHERE article_id = ?", (art.id,))
            if annotated:
                self._insert_annotations(db, art.id, ann_dicts)
                reviews.reapply(db, art.id)
        # Rebuilt on every change: the keys carry the outlet and date as well as the annotations.
        db.execute("DELETE FROM article_keys WHERE article_id = ?", (art.id,))
        migrations.fill_article_keys(db, art.id)

        copied = False
        if old is None or body_changed:
            copied = Deduplicator(db).assign(art.id, art.text or "", chash)
        if old is None:
            return "duplicate" if copied else "new"
        return "updated"

    def _insert_annotations(self, db: sqlite3.Connection, article_id: str, ann: dict[str, list[dict]]) -> None:
        for kind, rows in ann.items():
            if not rows:
                continue
            cols = migrations.annotation_columns(kind)
            sql = (
                f"INSERT INTO {q(kind)} (article_id, {', '.join(q(c) for c, _ in cols)}) "
                f"VALUES (?, {', '.join('?' * len(cols))})"
            )
            data = []
            for d in rows:
                if kind == "claims":
                    d = dict(d)
                    for name, (_, parent, attr) in CLAIM_FLAT.items():
                        d[name] = (d.get(parent) or {}).get(attr)
                    # asserted_by_names holds who asserts it; deniers and reporters have their own columns
                    d.update(migrations.role_names(d.get("attributions")))
                data.append([article_id] + [_cell(d.get(c), t) for c, t in cols])
            db.executemany(sql, data)

    def delete(self, article_id: str) -> bool:
        """Remove an article and (by cascade) its annotations and signatures."""
        with self._write() as db:
            return db.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount > 0

    # ------------------------------------------------------------ article reads

    def resolve_id(self, article_id: str) -> Optional[str]:
        """Full id for an id or unique prefix (>= 4 characters); QueryError when ambiguous."""
        article_id = article_id.strip().lower()
        if len(article_id) < 4:
            raise QueryError(f"article id {article_id!r} is too short: give at least 4 characters")
        rows = self._read(
            "SELECT id FROM articles WHERE id >= ? AND id < ? ORDER BY id LIMIT 2",
            (article_id, article_id + "\U0010ffff"),
        )
        if len(rows) > 1 and rows[0]["id"] != article_id:
            raise QueryError(f"article id prefix {article_id!r} is ambiguous: give more characters")
        return rows[0]["id"] if rows else None

    def _article_from_row(self, row: dict[str, Any]) -> Article:
        d = {}
        for name in _RECORD_FIELDS:
            v = row.get(name)
            d[name] = json.loads(v) if name in _ARTICLE_JSON and v is not None else v
        return schema.from_dict(Article, d)

    def article_meta(self, article_id: str) -> Optional[dict[str, Any]]:
        """The store's bookkeeping for an article: source_domain, content_hash,
        duplicate_of, similarity, first_seen, updated_at, run_id, analysed (bool)."""
        full = self.resolve_id(article_id)
        if not full:
            return None
        extra = [n for n, _ in ARTICLE_EXTRA if n not in ("record_hash", "analysis_hash")]
        row = self._read(
            f"SELECT {', '.join(q(c) for c in extra)}, analysis_hash IS NOT NULL AS analysed FROM articles WHERE id = ?",
            (full,),
        )[0]
        row["analysed"] = bool(row["analysed"])
        row["copies"] = [r["id"] for r in self._read("SELECT id FROM articles WHERE duplicate_of = ? ORDER BY id", (full,))]
        return row

    def get(self, article_id: str) -> Optional[Analysis]:
        """The article with its annotations (empty lists if never analysed); id prefixes allowed."""
        with self._snapshot():
            full = self.resolve_id(article_id)
            if not full:
                return None
            rows = self._read("SELECT * FROM articles WHERE id = ?", (full,))
            analysis = Analysis(article=self._article_from_row(rows[0]))
            for kind, cls in ANNOTATION_TYPES.items():
                setattr(analysis, kind, [schema.from_dict(cls, d) for d in self._annotation_rows(kind, full)])
            return analysis

    def _annotation_rows(self, kind: str, article_id: str) -> list[dict[str, Any]]:
        cols = schema.columns(ANNOTATION_TYPES[kind])
        rows = self._read(
            f"SELECT {', '.join(q(c) for c, _ in cols)} FROM {q(kind)} WHERE article_id = ? ORDER BY id",
            (article_id,),
        )
        return [_decode(r, cols) for r in rows]

    def iter_articles(
        self, *, source: Optional[str] = None, since: Any = None, until: Any = None, lang: Optional[str] = None,
        annotations: bool = False,
    ) -> Iterator[Union[Article, Analysis]]:
        """Every stored article (oldest stored first), as Article, or Analysis with ``annotations=True``."""
        conds, params = self._article_filters("a", source, since, until, lang)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        last = 0
        while True:  # pages by seq, so the iteration never holds a read transaction open
            rows = self._read(
                f"SELECT a.* FROM articles a {where} {'AND' if where else 'WHERE'} a.seq > ? ORDER BY a.seq LIMIT 200",
                (*params, last),
            )
            if not rows:
                return
            for row in rows:
                last = row["seq"]
                if annotations:
                    yield self.get(row["id"])
                else:
                    yield self._article_from_row(row)

    def _article_filters(
        self, alias: str, source: Optional[str], since: Any, until: Any, lang: Optional[str] = None
    ) -> tuple[list[str], list[Any]]:
        conds, params = date_range(f"{alias}.published_utc", since, until)
        if source:
            conds.append(f"({alias}.source_domain = ? OR lower({alias}.source_domain) LIKE lower(?) ESCAPE '\\' "
                         f"OR lower({alias}.source ->> 'name') = lower(?))")
            s = source.strip().lower()
            params += [s, "%." + _like(s), source.strip()]
        if lang:
            conds.append(f"{alias}.language = ?")
            params.append(lang.strip().lower())
        return conds, params

    def articles(
        self, *, source: Optional[str] = None, since: Any = None, until: Any = None, lang: Optional[str] = None,
        limit: int = 50, offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Article summaries, newest published first: id, title, url, source (domain),
        source_name, published, language, duplicate_of, words, annotation counts."""
        conds, params = self._article_filters("a", source, since, until, lang)
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        counts = ", ".join(
            f"(SELECT count(*) FROM {q(k)} x WHERE x.article_id = a.id) AS {q(k)}" for k in ANNOTATION_TYPES
        )
        return self._read(
            "SELECT a.id, a.title, a.url, a.source_domain AS source, a.source ->> 'name' AS source_name, "
            "a.published, a.language, a.duplicate_of, "
            f"length(a.text) - length(replace(a.text, ' ', '')) + CAST(a.text != '' AS INTEGER) AS words, {counts} "
            f"FROM articles a {where} ORDER BY {_ORDERS['newest']} LIMIT ? OFFSET ?",
            (*params, int(limit), int(offset)),
        )

    def search(
        self, query: str, *, source: Optional[str] = None, since: Any = None, until: Any = None,
        lang: Optional[str] = None, limit: int = 20, offset: int = 0,
        markers: tuple[str, str] = SNIPPET_MARKERS, snippet_tokens: int = 24, sort: str = "relevance",
    ) -> list[SearchHit]:
        """Full-text search over title and text (``store.search`` language), best first.

        ``sort``: relevance (bm25, title matches weigh 5x body matches; ``score``
        lower is better) or newest / oldest (published, then stored order).
        ``snippet`` is taken from the text, around matched terms, with
        ``markers``; it is built for the returned page only. A malformed
        query raises QueryError.
        """
        match = compile_fts5(parse(query))
        conds, params = self._article_filters("a", source, since, until, lang)
        extra = "".join(f" AND {c}" for c in conds)
        order = _ORDERS.get(sort)
        if order is None:
            raise QueryError(f"sort must be one of {', '.join(_ORDERS)}")
        page = self._rows(
            "SELECT a.seq, bm25(articles_fts, 5.0, 1.0) AS score FROM articles_fts JOIN articles a "
            f"ON a.seq = articles_fts.rowid WHERE articles_fts MATCH ?{extra} ORDER BY {order} LIMIT ? OFFSET ?",
            (match, *params, int(limit), int(offset)),
        )
        if not page:
            return []
        marks = ", ".join("?" * len(page))
        rows = {r[0]: r for r in self._rows(
            "SELECT a.seq, a.id, a.title, a.url, a.source_domain, a.published, a.language, a.duplicate_of, "
            "snippet(articles_fts, 1, ?, ?, '…', ?) FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
            f"WHERE articles_fts MATCH ? AND articles_fts.rowid IN ({marks})",
            (markers[0], markers[1], int(snippet_tokens), match, *(p[0] for p in page)),
        )}
        return [
            SearchHit(id=r[1], title=r[2], url=r[3], source=r[4], published=r[5], language=r[6], duplicate_of=r[7],
                      snippet=r[8] or "", score=score)
            for seq, score in page if (r := rows.get(seq))
        ]

    def search_count(
        self, query: str, *, source: Optional[str] = None, since: Any = None, until: Any = None,
        lang: Optional[str] = None,
    ) -> int:
        """How many articles ``search`` would find in all (for paging)."""
        match = compile_fts5(parse(query))
        conds, params = self._article_filters("a", source, since, until, lang)
        extra = "".join(f" AND {c}" for c in conds)
        return self._rows(
            "SELECT count(*) FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
            f"WHERE articles_fts MATCH ?{extra}", (match, *params),
        )[0][0]

    def match_ids(self, query: str, ids: list[str]) -> list[str]:
        """Those of ``ids`` whose article matches the search query."""
        match = compile_fts5(parse(query))
        out: list[str] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out += [r[0] for r in self._rows(
                "SELECT a.id FROM articles_fts JOIN articles a ON a.seq = articles_fts.rowid "
                f"WHERE articles_fts MATCH ? AND a.id IN ({', '.join('?' * len(chunk))})", (match, *chunk))]
        return out

    def _rows(self, sql: str, params: tuple) -> list[tuple]:
        db = self._conn()
        try:
            with sqlite_guard(db):
                return db.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise _translate(e, self.path) from None

    # ------------------------------------------------------------ annotation reads

    def _annotation_query(
        self, kind: str, conds: list[str], params: list[Any], source: Optional[str], since: Any,
        until: Any, limit: int, offset: int, order: str, date_col: str = "a.published_utc",
    ) -> list[dict[str, Any]]:
        cols = migrations.annotation_columns(kind)
        d_conds, d_params = date_range(date_col, since, until)
        a_conds, a_params = self._article_filters("a", source, None, None)
        where = conds + d_conds + a_conds
        rows = self._read(
            f"SELECT x.id, {', '.join('x.' + q(c) for c, _ in cols)}, x.article_id, a.title AS article_title, "
            f"a.url AS article_url, a.source_domain AS source, a.published "
            f"FROM {q(kind)} x JOIN articles a ON a.id = x.article_id "
            f"{'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {order} LIMIT ? OFFSET ?",
            (*params, *d_params, *a_params, int(limit), int(offset)),
        )
        return [_decode(r, cols) for r in rows]

    def quotes(
        self, *, speaker: Optional[str] = None, source: Optional[str] = None, since: Any = None,
        until: Any = None, article_id: Optional[str] = None, limit: int = 50, offset: int = 0,
        kinds: Optional[Sequence[str]] = QUOTE_KINDS, reviewed: Optional[bool] = None, hide_rejected: bool = False,
    ) -> list[dict[str, Any]]:
        """Quotes, newest article first. Each dict: the Quote fields (nested as dicts) plus
        article_id, article_title, article_url, source (domain), published.
        ``speaker`` matches case-insensitively anywhere in the speaker's name (``filters.speaker``); ``kinds``
        (default: real quotes, no titles/terms/scare quotes; None: every kind); ``reviewed``
        and ``hide_rejected`` filter on analysts' reviews (store.reviews)."""
        conds, params = reviews.conditions("x", reviewed, hide_rejected), []
        if kinds:
            conds.append(f"x.kind IN ({', '.join('?' * len(kinds))})")
            params.extend(kinds)
        if speaker and speaker.strip():
            cond, p = filters.speaker("x", speaker)
            conds.append(cond)
            params += p
        if article_id:
            conds.append("x.article_id = ?")
            params.append(article_id)
        rows = self._annotation_query(
            "quotes", conds, params, source, since, until, limit, offset,
            f"{timestamps.newest_first('a.published_utc')}, x.article_id, x.id",
        )
        for r in rows:
            if r.get("speaker_named") is not None:
                r["speaker_named"] = bool(r["speaker_named"])
        return rows

    def claims(
        self, *, place: Optional[str] = None, type: Optional[str] = None, actor: Optional[str] = None,
        modality: Optional[str] = None, source: Optional[str] = None, since: Any = None, until: Any = None,
        article_id: Optional[str] = None, according_to: Optional[str] = None, role: Optional[str] = None,
        limit: int = 50, offset: int = 0, reviewed: Optional[bool] = None, hide_rejected: bool = False,
    ) -> list[dict[str, Any]]:
        """Claims, newest first. Each dict: the Claim fields (actor, place... as dicts), the
        flattened columns (actor_code, place_name, place_geonames_id, ...) and the article
        context (article_id, article_title, article_url, source, published).

        ``place``: a GeoNames id, or a name as written or resolved (``filters.claim_place``); ``type``: exact
        category (case-insensitive); ``actor``: ISO alpha-3 code or part of the actor's
        text; ``according_to``: part of the name of whoever asserts, denies or reports it
        (only that ``role`` when given: asserts | denies | reports); ``since``/``until``
        apply to the claim's date, else the article's; ``reviewed`` and ``hide_rejected``
        filter on analysts' reviews (store.reviews).
        """
        conds, params = reviews.conditions("x", reviewed, hide_rejected), []
        c, p = claim_conditions("x", place=place, actor=actor, type=type, modality=modality,
                                according_to=according_to, role=role)
        conds += c
        params += p
        if article_id:
            conds.append("x.article_id = ?")
            params.append(article_id)
        return self._annotation_query(
            "claims", conds, params, source, since, until, limit, offset,
            f"{timestamps.newest_first(_CLAIM_DATE)}, x.id", date_col=_CLAIM_DATE,
        )

    def places(
        self, *, source: Optional[str] = None, since: Any = None, until: Any = None, country: Optional[str] = None,
        limit: int = 100, offset: int = 0, demonyms: bool = False,
    ) -> list[dict[str, Any]]:
        """Places aggregated over articles, most mentioned first. Each dict: name,
        geonames_id, feature, country_code, lat, lon, count (mentions), articles
        (distinct articles). Unresolved places group by their text. Places named by an
        adjective ("Russian", kind demonym) only with ``demonyms``."""
        conds, params = date_range("a.published_utc", since, until)
        if not demonyms:
            conds.append("COALESCE(p.kind, '') <> 'demonym'")
        a_conds, a_params = self._article_filters("a", source, None, None)
        conds += a_conds
        params += a_params
        if country:
            conds.append("p.country_code = ?")
            params.append(country.strip().upper())
        return self._read(
            # Bare columns would take an arbitrary row of the group; min() picks one deterministically.
            "SELECT min(COALESCE(p.name, p.text)) AS name, min(p.geonames_id) AS geonames_id, max(p.feature) AS feature, "
            "max(p.country_code) AS country_code, max(p.lat) AS lat, max(p.lon) AS lon, count(*) AS count, "
            "count(DISTINCT p.article_id) AS articles "
            f"FROM places p JOIN articles a ON a.id = p.article_id {'WHERE ' + ' AND '.join(conds) if conds else ''} "
            "GROUP BY COALESCE(CAST(p.geonames_id AS TEXT), lower(COALESCE(p.name, p.text))) "
            "ORDER BY count DESC, name LIMIT ? OFFSET ?",
            (*params, int(limit), int(offset)),
        )

    def sources(self) -> list[dict[str, Any]]:
        """Every source with its Source fields plus ``articles`` (count), most articles first."""
        rows = self._read(
            "SELECT s.*, (SELECT count(*) FROM articles a WHERE a.source_domain = s.domain) AS articles "
            "FROM sources s ORDER BY articles DESC, s.domain"
        )
        for r in rows:
            if r.get("state_affiliated") is not None:
                r["state_affiliated"] = bool(r["state_affiliated"])
        return rows

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """Ingest runs, newest first: id, started, finished, inputs (list), counts (dict), status."""
        rows = self._read("SELECT * FROM ingest_runs ORDER BY id DESC LIMIT ?", (int(limit),))
        for r in rows:
            r["inputs"] = json.loads(r["inputs"]) if r["inputs"] else []
            r["counts"] = json.loads(r["counts"]) if r["counts"] else {}
        return rows

    def quarantined(self, *, reason: Optional[str] = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Quarantined inputs, newest first: id, run_id, origin (dict), origin_label, reason, excerpt, first_seen."""
        where, params = ("WHERE reason = ?", [reason]) if reason else ("", [])
        rows = self._read(
            f"SELECT * FROM quarantine {where} ORDER BY id DESC LIMIT ? OFFSET ?", (*params, int(limit), int(offset))
        )
        for r in rows:
            r["origin"] = json.loads(r["origin"]) if r["origin"] else None
        return rows

    def stats(self) -> dict[str, Any]:
        """Counts: articles, analysed, duplicates, sources, languages {code: n},
        annotations {kind: n}, runs, quarantined {reason: n}, published_min/max."""
        one = lambda sql: self._read(sql)[0]  # noqa: E731
        head = one(
            "SELECT count(*) AS articles, count(analysis_hash) AS analysed, count(duplicate_of) AS duplicates, "
            "min(published_utc) AS published_min, max(published_utc) AS published_max FROM articles"
        )
        return {
            "articles": head["articles"],
            "analysed": head["analysed"],
            "duplicates": head["duplicates"],
            "sources": one("SELECT count(*) AS n FROM sources")["n"],
            "languages": {
                r["language"] or "unknown": r["n"]
                for r in self._read(
                    "SELECT language, count(*) AS n FROM articles GROUP BY language ORDER BY n DESC, language"
                )
            },
            "annotations": {k: one(f"SELECT count(*) AS n FROM {q(k)}")["n"] for k in ANNOTATION_TYPES},
            "runs": one("SELECT count(*) AS n FROM ingest_runs")["n"],
            "quarantined": {
                r["reason"]: r["n"]
                for r in self._read("SELECT reason, count(*) AS n FROM quarantine GROUP BY reason ORDER BY n DESC, reason")
            },
            "published_min": head["published_min"],
            "published_max": head["published_max"],
        }

    # ------------------------------------------------------------ export

    def export(self, fmt: str, out: Union[str, Path, IO], kind: str = "articles") -> int:
        """Write every row of ``kind`` in export format ``fmt`` (``newsledger.exporters``: csv,
        jsonl, parquet and any registered one); returns the row count.

        ``out`` is a path or an open file (text for text formats, binary for
        parquet). Annotation kinds carry article_id plus the article's
        source_domain and published. In csv and parquet, JSON columns stay JSON
        text; in jsonl they are nested objects.
        """
        from .. import exporters

        try:
            exporter = exporters.get(fmt)
        except exporters.UnknownName as e:
            raise QueryError(str(e)) from None
        if kind not in EXPORT_KINDS:
            raise QueryError(f"unknown export kind {kind!r}: choose one of {', '.join(EXPORT_KINDS)}")
        sql, cols = self._export_query(kind)
        names = [c for c, _ in cols]
        return exporters.write(exporter, (dict(zip(names, row)) for row in self._cursor(sql)), cols, out)

    def _export_query(self, kind: str) -> tuple[str, list[tuple[str, str]]]:
        if kind == "articles":
            cols = [(n, t) for n, t in _ARTICLE_COLS]
            return f"SELECT {', '.join(q(c) for c, _ in cols)} FROM articles ORDER BY seq", cols
        if kind in ANNOTATION_TYPES:
            own = migrations.annotation_columns(kind)
            cols = [("id", "INTEGER"), ("article_id", "TEXT"), ("source_domain", "TEXT"), ("published", "TEXT")] + own
            sel = ", ".join(["x.id", "x.article_id", "a.source_domain", "a.published"] + [f"x.{q(c)}" for c, _ in own])
            return f"SELECT {sel} FROM {q(kind)} x JOIN articles a ON a.id = x.article_id ORDER BY x.id", cols
        if kind == "reviews":
            return reviews.export_query()
        table = "ingest_runs" if kind == "runs" else kind
        cols = [(r["name"], (r["type"] or "TEXT").split()[0].upper()) for r in self._read(f"PRAGMA table_info({q(table)})")]
        return f"SELECT {', '.join(q(c) for c, _ in cols)} FROM {q(table)}", cols

    def _cursor(self, sql: str) -> Iterator[tuple]:
        db = self._conn()
        try:
            cur = db.execute(sql)
            while batch := cur.fetchmany(500):
                yield from batch
        except sqlite3.Error as e:
            raise _translate(e, self.path) from None


def _like(text: str) -> str:
    """Escape LIKE wildcards so user text matches literally (used with ESCAPE '\\')."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _decode(row: dict[str, Any], cols: list[tuple[str, str]]) -> dict[str, Any]:
    for name, typ in cols:
        if typ == "JSON" and row.get(name) is not None:
            row[name] = json.loads(row[name])
    return row


def open_store(url_or_path: Union[str, Path, None] = None, *, create: bool = True,
               timeout: Optional[float] = None) -> Store:
    """Open (and migrate) a database.

    Accepts a path, ``sqlite:///path`` or ``None`` (``$NEWSLEDGER_DB``, else
    ``newsledger.db`` in the working directory). ``create=False`` raises
    StoreError when the file does not exist (for read-only commands).
    ``timeout``: seconds to wait for another process's write lock (default
    ``$NEWSLEDGER_LOCK_TIMEOUT``, else 10).
    """
    if timeout is None:
        try:
            timeout = float(os.environ.get("NEWSLEDGER_LOCK_TIMEOUT") or DEFAULT_TIMEOUT)
        except ValueError:
            raise StoreError("NEWSLEDGER_LOCK_TIMEOUT must be a number of seconds, e.g. 10") from None
    target = str(url_or_path) if url_or_path else os.environ.get("NEWSLEDGER_DB") or "newsledger.db"
    if "://" in target:
        scheme, _, rest = target.partition("://")
        if scheme != "sqlite":
            raise StoreError(f"unsupported database URL {target!r}: use a file path or sqlite:///path/to/file.db")
        target = rest[1:] if rest.startswith("/") else rest  # sqlite:///rel.db, sqlite:////abs.db
        target = target or ":memory:"
    return Store(target, create=create, timeout=timeout)
