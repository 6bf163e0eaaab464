"""Backups of a newsledger database, taken and restored while it may be in use.

SQLite files are copied with SQLite's online backup API, page by page under
the database's own locks, so a backup taken during an ingest is a consistent
snapshot (never a torn file copy of the database and its WAL). A restore
first checks the backup (``PRAGMA integrity_check``, a newsledger schema
version this code can read) and only then replaces the target, again through
the backup API so open readers see either the old or the new database.
PostgreSQL URLs are handed to ``pg_dump`` / ``pg_restore`` when a PostgreSQL
store exists.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Union

from .errors import StoreError
from .migrations import LATEST

PAGES_PER_STEP = 1024  # pages copied per step; between steps writers may proceed
POSTGRES_SCHEMES = ("postgres://", "postgresql://", "postgresql+psycopg://")


def _is_postgres(target: str) -> bool:
    return target.startswith(POSTGRES_SCHEMES)


def _sqlite_path(target: Union[str, Path]) -> str:
    text = str(target)
    if text.startswith("sqlite://"):
        rest = text[len("sqlite://"):]
        text = rest[1:] if rest.startswith("/") else rest
    if not text or text == ":memory:":
        raise StoreError("cannot back up or restore an in-memory database: give a file path")
    return text


def _refuse_overwrite(path: str, force: bool) -> None:
    if os.path.exists(path) and not force:
        raise StoreError(f"{path} exists: pass --force to overwrite it")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise StoreError(f"cannot write {path}: folder {parent} does not exist")


def _copy(src: sqlite3.Connection, dst: sqlite3.Connection) -> None:
    src.backup(dst, pages=PAGES_PER_STEP)


def check(path: Union[str, Path]) -> int:
    """Integrity and schema version of a database file; returns its version, else StoreError."""
    path = str(path)
    if not os.path.isfile(path):
        raise StoreError(f"no backup at {path}")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = [r[0] for r in db.execute("PRAGMA integrity_check").fetchmany(5)]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            has_articles = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
            ).fetchone()
        finally:
            db.close()
    except sqlite3.Error as e:
        raise StoreError(f"{path} is not a readable SQLite database ({e})") from None
    if result != ["ok"]:
        raise StoreError(f"{path} is damaged (integrity check: {'; '.join(result)})")
    if version < 1 or not has_articles:
        raise StoreError(f"{path} is not a newsledger database (schema version {version})")
    if version > LATEST:
        raise StoreError(
            f"{path} has schema version {version}, newer than this newsledger supports ({LATEST}): upgrade newsledger"
        )
    return version


def backup(db: Union[str, Path], out: Union[str, Path], *, force: bool = False) -> dict:
    """Write a consistent copy of ``db`` to ``out``; returns {"path", "bytes", "schema_version"}."""
    target = str(db)
    if _is_postgres(target):
        return _pg_dump(target, str(out), force)
    src_path, out = _sqlite_path(target), str(out)
    if not os.path.isfile(src_path):
        raise StoreError(f"no database at {src_path}: nothing to back up")
    _refuse_overwrite(out, force)
    if os.path.exists(out) and os.path.samefile(out, src_path):
        raise StoreError(f"{out} is the database itself: choose another backup file")
    tmp = out + ".part"
    try:
        src = sqlite3.connect(f"file:{src_path}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(tmp)
        try:
            _copy(src, dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # the backup is one self-contained file
        finally:
            dst.close()
            src.close()
        version = check(tmp)
        os.replace(tmp, out)  # an interrupted backup never leaves a half-written OUT behind
    except sqlite3.Error as e:
        raise StoreError(f"backup of {src_path} failed: {e}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": out, "bytes": os.path.getsize(out), "schema_version": version}


def restore(backup_path: Union[str, Path], db: Union[str, Path], *, force: bool = False) -> dict:
    """Replace ``db`` by ``backup_path`` after checking the backup; returns {"path", "schema_version"}.
    The restored database is migrated to the latest schema when it is older."""
    target = str(db)
    if _is_postgres(target):
        return _pg_restore(str(backup_path), target, force)
    path, backup_path = _sqlite_path(target), str(backup_path)
    version = check(backup_path)
    _refuse_overwrite(path, force)
    if os.path.exists(path) and os.path.samefile(path, backup_path):
        raise StoreError(f"{backup_path} is the database itself: nothing to restore")
    try:
        src = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
        dst = sqlite3.connect(path, timeout=30)
        try:
            _copy(src, dst)
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as e:
        raise StoreError(f"restore into {path} failed: {e}") from None
    from .sqlite import Store

    Store(path).close()  # WAL mode and any newer migrations, as on every open
    return {"path": path, "schema_version": version}


def _pg_tool(name: str) -> str:
    if importlib.util.find_spec("newsledger.store.postgres") is None:
        raise StoreError("PostgreSQL databases are not supported by this newsledger")
    exe = shutil.which(name)
    if exe is None:
        raise StoreError(f"{name} is not installed: install the PostgreSQL client tools")
    return exe


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        detail = " ".join(done.stderr.split())[:300]
        raise StoreError(f"{what} failed: {detail or f'exit status {done.returncode}'}")


def _libpq_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _pg_dump(url: str, out: str, force: bool) -> dict:
    exe = _pg_tool("pg_dump")
    _refuse_overwrite(out, force)
    tmp = out + ".part"
    try:
        _run([exe, "--format=custom", "--no-owner", f"--file={tmp}", f"--dbname={_libpq_url(url)}"], "pg_dump")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {"path": out, "bytes": os.path.getsize(out), "schema_version": None}


def _pg_restore(backup_path: str, url: str, force: bool) -> dict:
    exe = _pg_tool("pg_restore")
    if not os.path.isfile(backup_path):
        raise StoreError(f"no backup at {backup_path}")
    _run([exe, "--list", backup_path], "checking the backup with pg_restore --list")
    cmd = [exe, "--no-owner", "--single-transaction", f"--dbname={_libpq_url(url)}", backup_path]
    if force:
        cmd[1:1] = ["--clean", "--if-exists"]
    _run(cmd, "pg_restore")
    return {"path": url, "schema_version": None}
