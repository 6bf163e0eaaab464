"""All SQL lives in store/: no other module of the package writes a statement or holds a connection.

A module outside store/ that needs data calls a store function; the store has the one place where a
statement can be written for both backends. The scan reads each module's syntax tree (string
literals, f-string pieces, attribute calls and imports), so comments and names do not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "newsledger"

# Each entry: a module that may keep SQL outside store/, and why.
ALLOWED = {
    # The gazetteer's index is a read-only SQLite file of packaged GeoNames data, built once in the cache
    # directory: reference data next to the code that reads it, not the news store, never on PostgreSQL.
    "analyze/gazetteer.py": "GeoNames lookup index (its own SQLite file, not the store)",
}

STATEMENT = re.compile(
    r"\bSELECT\b[\s\S]+?\bFROM\b|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|"
    r"\b(?:CREATE|ALTER|DROP)\s+(?:TABLE|INDEX|VIEW|TRIGGER)\b|\b(?:SAVEPOINT|PRAGMA)\s+\w|\bRETURNING\b|"
    r"\bCOLLATE\s+NOCASE\b|\bjson_extract\(|\bON\s+CONFLICT\b",
)
CALLS = {"execute", "executemany", "executescript", "cursor"}
DRIVERS = {"sqlite3", "psycopg", "psycopg2", "sqlalchemy"}


def findings(source: str) -> list[str]:
    """What in ``source`` is SQL or database access: 'line N: ...' for each find."""
    found = []
    for node in ast.walk(ast.parse(source)):
        text = None
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            # f"SELECT ... {x} ... FROM t": the literal pieces together, with a blank for each value
            text = " ".join(v.value if isinstance(v, ast.Constant) else " " for v in node.values)
        if text is not None and STATEMENT.search(text):
            found.append(f"line {node.lineno}: SQL {STATEMENT.search(text).group(0)[:40]!r}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CALLS:
            found.append(f"line {node.lineno}: .{node.func.attr}(...) call")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            for name in names:
                if name.split(".")[0] in DRIVERS:
                    found.append(f"line {node.lineno}: imports {name}")
    return found


def modules_outside_store() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                  if p.relative_to(PACKAGE).parts[0] != "store")


def test_no_sql_outside_store():
    offending = {}
    for rel in modules_outside_store():
        if rel in ALLOWED:
            continue
        found = findings((PACKAGE / rel).read_text(encoding="utf-8"))
        if found:
            offending[rel] = found
    assert not offending, f"SQL outside store/ (move it into a store/ module): {offending}"


@pytest.mark.parametrize("rel", sorted(ALLOWED))
def test_allowed_entries_still_need_it(rel):
    """An allow-list entry whose module no longer holds SQL goes from the list."""
    assert (PACKAGE / rel).exists() and findings((PACKAGE / rel).read_text(encoding="utf-8"))


@pytest.mark.parametrize("source", [
    'db.execute("x")',
    'q = "SELECT a, b FROM t WHERE c = ?"',
    'q = (f"SELECT id FROM articles "\n     f"WHERE id IN ({marks})")',
    'q = f"DELETE FROM {table} WHERE article_id = ?"',
    "q = 'INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING'",
    'q = "UPDATE story_df SET df = df - 1"',
    'q = "name = ? COLLATE NOCASE"',
    "import sqlite3",
    "from psycopg import sql",
])
def test_scanner_sees_sql(source):
    assert findings(source)


@pytest.mark.parametrize("source", [
    '"""Select the articles from the store."""',
    'help = "newsledger stories list --db news.db"',
    "# SELECT * FROM articles in a comment",
    'pool.submit(fn)',
    'label = "UPDATE available"',
])
def test_scanner_leaves_prose_alone(source):
    assert findings(source) == []
