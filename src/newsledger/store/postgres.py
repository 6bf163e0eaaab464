"""The PostgreSQL store: the SQLite store's records, methods and answers on a server.

Open with ``open_store("postgresql://user@host/db")``. Tables come from the
same migration steps as the SQLite file (``migrations.STEPS``, themselves
derived from ``schema.py``), run here with the ``POSTGRES`` dialect
(``store.dialect``): BIGINT, DOUBLE PRECISION, JSONB, BYTEA, BIGSERIAL keys, no
FTS5. The full-text index is a generated ``tsvector`` column with a GIN index,
searched with ``to_tsquery`` and highlighted with ``ts_headline``; queries are
compiled from the search language's tree (``store.search``) to ``to_tsquery`` text.

Most methods are the SQLite store's own, whose SQL is written in forms both
databases read alike (``lower()`` for case, ``->>`` for JSON members). They run
on a ``Connection`` that passes each statement to psycopg unchanged but for its
placeholders (``format_placeholders``: ``?`` to ``%s``). Where the SQL differs
(search, id prefixes, export of bookkeeping tables) the method is written here.

Writers are serialised with a transaction-level advisory lock, the
counterpart of SQLite's ``BEGIN IMMEDIATE``: the upsert reads the previous
version and links copy clusters across articles, which must not interleave.
Readers never wait. Each thread has its own connection.
"""

from __future__ import annotations

import functools
import re
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator, Optional

from ..schema import ANNOTATION_TYPES
from . import migrations
from .errors import QueryError, StoreError
from .dialect import POSTGRES
from .migrations import q
from . import deadline
from .search import compile_tsquery, parse
from .sqlite import _ORDERS, SNIPPET_MARKERS, SearchHit, Store, _like, date_range

WRITE_LOCK = 0x6E6C6472  # advisory lock key shared by every newsledger writer ("nldr")
TS_CONFIG = "english"

# --------------------------------------------------------------------- placeholders


@functools.lru_cache(maxsize=1024)
def format_placeholders(sql: str) -> str:
    """``sql`` with sqlite3's ``?`` placeholders in psycopg's ``%s`` style: the store writes
    every statement once, with ``?``; this is the paramstyle step of any DB-API layer and
    changes nothing else. A ``?`` inside a string literal, quoted identifier or comment
    is text. ``%`` is doubled everywhere, literals included, because psycopg reads every
    ``%`` of a statement it is given parameters for (and the store always gives some)."""
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in "'\"":
            j = i + 1
            while True:  # a doubled quote is the quote itself; the store writes no E'...' strings
                j = sql.find(c, j)
                if j < 0:
                    raise StoreError(f"unterminated {c} in a store statement: {sql[:80]!r}")
                if sql.startswith(c, j + 1):
                    j += 2
                    continue
                break
            out.append(sql[i:j + 1].replace("%", "%%"))
            i = j + 1
        elif sql.startswith("--", i) or sql.startswith("/*", i):
            close = "\n" if c == "-" else "*/"
            j = sql.find(close, i + 2)
            j = n if j < 0 else j + len(close)
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        else:
            out.append("%s" if c == "?" else "%%" if c == "%" else c)
            i += 1
    return "".join(out)


def _clean(value: Any) -> Any:
    # PostgreSQL text and jsonb cannot hold NUL, which hostile pages do contain.
    if isinstance(value, str) and ("\x00" in value or "\\u0000" in value):
        return value.replace("\x00", "").replace("\\u0000", "")
    return value


def _params(params: Iterable[Any]) -> tuple:
    return tuple(_clean(p) for p in params)


class Connection:
    """The slice of ``sqlite3.Connection`` the store's shared code uses (``execute``,
    ``executemany`` with ``?`` placeholders, cursors with ``fetchone``/``fetchall``/``rowcount``),
    over psycopg."""

    def __init__(self, conn):
        self.raw = conn

    def execute(self, sql: str, params: Iterable[Any] = ()):
        return self.raw.execute(format_placeholders(sql), _params(params))

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]):
        cur = self.raw.cursor()
        cur.executemany(format_placeholders(sql), [_params(r) for r in rows])
        return cur


def _translate(exc: Exception, where: str) -> StoreError:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "connect" in msg or "Connection refused" in msg:
        return StoreError(f"cannot reach the PostgreSQL server at {where} ({msg}): is it running, and is the URL right?")
    return StoreError(f"database error in {where}: {msg}")


@contextmanager
def _cancel_on(budget: "deadline.Budget", raw) -> Iterator[None]:
    """Cancel the statement running on ``raw`` when the budget's client goes away."""
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if budget.cancelled.wait(0.05):
                if not done.is_set():
                    raw.cancel_safe()
                return

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    try:
        yield
    finally:
        done.set()
        t.join()


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


# --------------------------------------------------------------------- migrations


def _migrate(conn) -> None:
    from .sqlite import _now

    with conn.transaction():
        # Under the writers' lock: two processes opening a new database migrate it once.
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied TEXT NOT NULL)"
        )
        applied = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        current = max(applied, default=0)
        if current > migrations.LATEST:
            raise StoreError(
                f"database schema version {current} is newer than this newsledger supports "
                f"({migrations.LATEST}): upgrade newsledger"
            )
        db = Connection(conn)
        for version, description, step in migrations.STEPS:
            if version in applied:  # by set, not by the highest: a step missing below it still runs
                continue
            step(db, POSTGRES)
            conn.execute("INSERT INTO schema_migrations VALUES (%s, %s, %s)", (version, description, _now()))
        if not _fts_current(conn):
            _create_fts(conn)
        migrations.sync_columns(db, POSTGRES)


# Punctuation splits words in the index as in FTS5's unicode61 tokenizer ("covid-19" is covid, 19;
# "3.5" is 3, 5), where PostgreSQL's parser would keep hyphenated words, signed numbers and
# decimals whole. A class of literal characters: the database locale may be C, where [[:punct:]]
# knows no characters outside ASCII.
_SPLIT = "[!-/:-@[-`{-~\u00a0-\u00bf\u2010-\u205e\u3000-\u303f]+"
FTS_VERSION = "2"  # bump when the indexed expression changes: the column is rebuilt


def _create_fts(conn) -> None:
    # Accents fold like FTS5's remove_diacritics; unaccent() is not IMMUTABLE, so a
    # wrapper pinning its dictionary makes it usable in a generated column.
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        fold = "public.unaccent('public.unaccent'::regdictionary, $1)"
    except Exception:
        fold = "$1"  # no contrib package or no right to create it: accents then matter
    conn.execute(
        "CREATE OR REPLACE FUNCTION newsledger_fold(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT {fold} $$"
    )
    conn.execute(
        "CREATE OR REPLACE FUNCTION newsledger_doc(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE "
        f"AS $$ SELECT regexp_replace({fold}, '{_SPLIT}', ' ', 'g') $$"  # self-contained: restores run with no search_path
    )
    conn.execute("ALTER TABLE articles DROP COLUMN IF EXISTS fts")  # drops its index too
    conn.execute(
        "ALTER TABLE articles ADD COLUMN fts tsvector GENERATED ALWAYS AS ("
        f"setweight(to_tsvector('{TS_CONFIG}', newsledger_doc(COALESCE(title, ''))), 'A') || "
        f"setweight(to_tsvector('{TS_CONFIG}', newsledger_doc(COALESCE(text, ''))), 'B')) STORED"
    )
    conn.execute("CREATE INDEX articles_fts ON articles USING GIN (fts)")
    conn.execute(f"COMMENT ON COLUMN articles.fts IS 'newsledger fts {FTS_VERSION}'")


def _fts_current(conn) -> bool:
    row = conn.execute(
        "SELECT col_description('articles'::regclass, attnum) FROM pg_attribute "
        "WHERE attrelid = 'articles'::regclass AND attname = 'fts'").fetchone()
    return bool(row) and row[0] == f"newsledger fts {FTS_VERSION}"


# --------------------------------------------------------------------- the store


class PostgresStore(Store):
    """A newsledger database on a PostgreSQL server; same methods as ``Store``."""

    def __init__(self, url: str, *, create: bool = True, timeout: float = 10.0):
        try:
            import psycopg  # noqa: F401
        except ImportError:
            raise StoreError("PostgreSQL needs psycopg: pip install 'newsledger[scale]'") from None
        self.url = url
        self.path = _redact(url)
        self.timeout = timeout
        self._local = threading.local()
        self._conns: list[Connection] = []
        self._lock = threading.Lock()
        try:
            conn = self._conn().raw
            exists = conn.execute("SELECT to_regclass('articles') IS NOT NULL").fetchone()[0]
            if not create and not exists:
                raise StoreError(
                    f"no newsledger tables in {self.path}: run `newsledger ingest PATH --db {self.path}` first"
                )
            _migrate(conn)
        except StoreError:
            self.close()
            raise
        except Exception as e:
            self.close()
            raise _translate(e, self.path) from None

    # ------------------------------------------------------------ connections

    def _conn(self) -> Connection:
        db = getattr(self._local, "db", None)
        if db is None or db.raw.closed:
            import psycopg
            from psycopg.types.string import TextLoader

            try:
                raw = psycopg.connect(self.url, autocommit=True, connect_timeout=max(1, int(self.timeout)))
            except psycopg.Error as e:
                raise _translate(e, self.path) from None
            # JSON comes back as text, as from SQLite, so the shared read code decodes it once.
            raw.adapters.register_loader("jsonb", TextLoader)
            raw.execute(f"SET lock_timeout = {int(self.timeout * 1000)}")
            db = self._local.db = Connection(raw)
            with self._lock:
                self._conns.append(db)
        return db

    def close(self) -> None:
        with self._lock:
            for db in self._conns:
                db.raw.close()
            self._conns.clear()
        self._local = threading.local()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        import psycopg

        db = self._conn()
        try:
            with db.raw.transaction():
                db.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                yield db
        except psycopg.errors.LockNotAvailable:
            raise StoreError(
                f"database is locked by another process: {self.path} (wait for the other newsledger command "
                "to finish)"
            ) from None
        except psycopg.Error as e:
            raise _translate(e, self.path) from None

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
        return self._query(format_placeholders(sql), _params(params))

    def _query(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        import psycopg

        raw = self._conn().raw
        budget = deadline.current()
        try:
            if budget is None:
                cur = raw.execute(sql, params)
            else:
                if budget.exhausted():
                    raise budget.error()
                with raw.transaction():
                    raw.execute("SELECT set_config('statement_timeout', %s, true)", (str(max(1, int(budget.left * 1000))),))
                    with _cancel_on(budget, raw):
                        cur = raw.execute(sql, params)
            names = [d.name for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        except (psycopg.errors.QueryCanceled, psycopg.errors.LockNotAvailable) as e:
            if budget is not None and isinstance(e, psycopg.errors.QueryCanceled):
                raise budget.error() from None
            raise _translate(e, self.path) from None
        except psycopg.Error as e:
            raise _translate(e, self.path) from None

    def _cursor(self, sql: str) -> Iterator[tuple]:
        import psycopg

        raw = self._conn().raw
        try:
            # A server-side cursor streams exports of any size in bounded memory.
            with raw.transaction(), raw.cursor(name="newsledger_export") as cur:
                cur.execute(format_placeholders(sql), ())
                while batch := cur.fetchmany(500):
                    yield from batch
        except psycopg.Error as e:
            raise _translate(e, self.path) from None

    # ------------------------------------------------------------ PostgreSQL's own SQL

    def resolve_id(self, article_id: str) -> Optional[str]:
        article_id = article_id.strip().lower()
        if len(article_id) < 4:
            raise QueryError(f"article id {article_id!r} is too short: give at least 4 characters")
        if self._read("SELECT 1 FROM articles WHERE id = ?", (article_id,)):
            return article_id
        # Byte order (COLLATE "C") keeps the prefix range right under any database locale.
        rows = self._read(
            'SELECT id FROM articles WHERE id COLLATE "C" LIKE ? ORDER BY id COLLATE "C" LIMIT 2',
            (_like(article_id) + "%",),
        )
        if len(rows) > 1:
            raise QueryError(f"article id prefix {article_id!r} is ambiguous: give more characters")
        return rows[0]["id"] if rows else None

    def search(
        self, query: str, *, source: Optional[str] = None, since: Any = None, until: Any = None,
        lang: Optional[str] = None, limit: int = 20, offset: int = 0,
        markers: tuple[str, str] = SNIPPET_MARKERS, snippet_tokens: int = 24, sort: str = "relevance",
    ) -> list[SearchHit]:
        """As ``Store.search``; ``score`` is minus ts_rank (title weighs 5x the body), lower is better."""
        tsq, extra, params = self._match(query, source, since, until, lang)
        order = _ORDERS.get(sort)
        if order is None:
            raise QueryError(f"sort must be one of {', '.join(_ORDERS)}")
        opts = (f'StartSel="{markers[0]}", StopSel="{markers[1]}", MaxWords={max(3, int(snippet_tokens))}, '
                f'MinWords={max(2, int(snippet_tokens) // 2)}, ShortWord=2, MaxFragments=1, FragmentDelimiter="…"')
        # ts_headline re-parses the text: only for the page of hits, not for every match.
        rows = self._read(
            "SELECT h.*, ts_headline(?, a.text, h.tsq::tsquery, ?) AS snippet FROM ("
            "SELECT a.id, a.title, a.url, a.source_domain, a.published, a.published_utc, a.language, "
            "a.duplicate_of, a.seq, "
            "-ts_rank('{0.1, 0.2, 0.2, 1.0}', a.fts, q.tsq) AS score, q.tsq::text AS tsq "
            "FROM articles a, (SELECT to_tsquery(?, newsledger_fold(?)) AS tsq) q "
            f"WHERE a.fts @@ q.tsq{extra} ORDER BY {order} LIMIT ? OFFSET ?) h "
            f"JOIN articles a ON a.id = h.id ORDER BY {order.replace('a.', 'h.')}",
            (TS_CONFIG, opts, TS_CONFIG, tsq, *params, int(limit), int(offset)),
        )
        return [
            SearchHit(id=r["id"], title=r["title"], url=r["url"], source=r["source_domain"], published=r["published"],
                      language=r["language"], duplicate_of=r["duplicate_of"], snippet=r["snippet"] or "",
                      score=float(r["score"]))
            for r in rows
        ]

    def search_count(
        self, query: str, *, source: Optional[str] = None, since: Any = None, until: Any = None,
        lang: Optional[str] = None,
    ) -> int:
        tsq, extra, params = self._match(query, source, since, until, lang)
        return self._read(
            f"SELECT count(*) AS n FROM articles a WHERE a.fts @@ to_tsquery(?, newsledger_fold(?)){extra}",
            (TS_CONFIG, tsq, *params),
        )[0]["n"]

    def match_ids(self, query: str, ids: list[str]) -> list[str]:
        tsq = compile_tsquery(parse(query))
        out: list[str] = []
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            out += [r["id"] for r in self._read(
                f"SELECT a.id FROM articles a WHERE a.id IN ({', '.join('?' * len(chunk))}) "
                "AND a.fts @@ to_tsquery(?, newsledger_fold(?))", (*chunk, TS_CONFIG, tsq))]
        return out

    def _match(self, query, source, since, until, lang) -> tuple[str, str, tuple]:
        tsq = compile_tsquery(parse(query))
        conds, params = self._article_filters("a", source, since, until, lang)
        return tsq, "".join(f" AND {c}" for c in conds), tuple(params)

    def _export_query(self, kind: str) -> tuple[str, list[tuple[str, str]]]:
        if kind in ("articles", "reviews") or kind in ANNOTATION_TYPES:
            return super()._export_query(kind)
        table = "ingest_runs" if kind == "runs" else kind
        kinds = {"bigint": "INTEGER", "integer": "INTEGER", "double precision": "REAL", "jsonb": "JSON"}
        cols = [
            (r["column_name"], kinds.get(r["data_type"], "TEXT"))
            for r in self._read(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = ? ORDER BY ordinal_position", (table,),
            )
        ]
        return f"SELECT {', '.join(q(c) for c, _ in cols)} FROM {q(table)} ORDER BY 1", cols


def open_postgres(url: str, *, create: bool = True, timeout: float = 10.0) -> PostgresStore:
    return PostgresStore(url, create=create, timeout=timeout)


__all__ = ["PostgresStore", "open_postgres", "format_placeholders"]
