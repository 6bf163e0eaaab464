"""What the SQLite and PostgreSQL stores write differently, as data.

Queries are written once wherever the two agree, which is nearly everywhere:
``lower(x) = lower(?)`` and ``lower(x) LIKE lower(?) ESCAPE '\\'`` for case-blind
comparisons (SQLite's lower() folds ASCII letters only, as its NOCASE did;
PostgreSQL's folds by the database's locale, Cyrillic too under C.UTF-8),
``x ->> 'key'`` for a JSON member (SQLite 3.38 and later), ``CAST(b AS INTEGER)``
for a truth value as a number, ``ON CONFLICT ... DO UPDATE`` and ``RETURNING``.
What differs is here: the DDL that migration steps render (column types, the
self-numbering key, table options, the full-text index) and the catalogue query
for a table's columns. Statements written only for one backend (FTS5 MATCH and
bm25, tsquery and ts_rank, index hints, id prefixes under a collation) are
methods of that backend's store or reader, in its own module.

Placeholders are ``?`` (sqlite3's paramstyle) in all of the store's SQL; the
PostgreSQL connection hands psycopg the same statements in its ``%s`` style
(``postgres.format_placeholders``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    name: str
    integer: str  # a 64-bit integer column
    real: str  # a double-precision float column
    json: str  # a JSON document column (text in SQLite, parsed on the server in PostgreSQL)
    blob: str  # raw bytes
    serial_key: str  # an integer primary key the database numbers itself
    keyed_table: str  # option after a table stored in its primary key's order (no separate row id)
    fts5: bool  # the full-text index is an FTS5 table kept by triggers; else the store builds its own
    columns_sql: str  # the names of table ``?``'s columns, as the first column of each row

    def type(self, declared: str) -> str:
        """A column declaration of ``schema.columns``/``migrations`` ("INTEGER REFERENCES runs(id)")
        in this dialect: its leading type name mapped, the constraints after it kept."""
        name, sep, rest = declared.partition(" ")
        mapped = {"INTEGER": self.integer, "REAL": self.real, "JSON": self.json, "BLOB": self.blob}.get(name, name)
        return mapped + sep + rest


SQLITE = Dialect(
    name="sqlite", integer="INTEGER", real="REAL", json="JSON", blob="BLOB",
    serial_key="INTEGER PRIMARY KEY",  # the rowid itself
    keyed_table=" WITHOUT ROWID", fts5=True,
    columns_sql="SELECT name FROM pragma_table_info(?)",
)

POSTGRES = Dialect(
    name="postgresql", integer="BIGINT", real="DOUBLE PRECISION", json="JSONB", blob="BYTEA",
    serial_key="BIGSERIAL PRIMARY KEY",
    keyed_table="",  # a heap table plus its primary key index; CLUSTER is not kept up by writes
    fts5=False,  # a generated tsvector column with a GIN index (postgres._create_fts)
    columns_sql="SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = ?",
)
