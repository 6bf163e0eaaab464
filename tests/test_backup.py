"""Data safety: `newsledger backup` / `restore` (SQLite online backup API; pg_dump for PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from click.testing import CliRunner

from newsledger.cli.main import cli
from newsledger.schema import Analysis, Article, Quote, Source
from newsledger.store import StoreError, open_store
from newsledger.store.backup import backup, check, restore
from newsledger.store.migrations import LATEST
from pg import postgres_server  # noqa: F401  (session fixture)


def analysis(i: int, quotes: int) -> Analysis:
    text = f"Ferry line {i} reopens. " + " ".join(f'"Quote number {k}," said Mara Quill.' for k in range(quotes))
    art = Article(id=f"{i:040x}", url=f"https://northwind-gazette.example/ferry/{i}", title=f"Ferry {i} q={quotes}",
                  text=text, source=Source(domain="northwind-gazette.example", name="Northwind Gazette"))
    return Analysis(art, quotes=[Quote(f"Quote number {k},", "direct", 0, 5, speaker="Mara Quill")
                                 for k in range(quotes)])


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "news.db"
    with open_store(path) as store:
        store.upsert_many([analysis(i, i % 4 + 1) for i in range(30)])
    return path


def _quote_counts(path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return dict(con.execute("SELECT a.title, count(q.id) FROM articles a LEFT JOIN quotes q "
                                "ON q.article_id = a.id GROUP BY a.id"))
    finally:
        con.close()


def test_backup_and_restore_round_trip(db, tmp_path):
    out = tmp_path / "b.db"
    info = backup(db, out)
    assert info == {"path": str(out), "bytes": out.stat().st_size, "schema_version": LATEST}
    assert check(out) == LATEST and not (tmp_path / "b.db.part").exists()
    with open_store(db) as store:  # the live database moves on after the backup
        store.delete(f"{3:040x}")
        store.upsert(analysis(99, 2))
    with pytest.raises(StoreError, match=r"news\.db exists: pass --force to overwrite it"):
        restore(out, db)
    with pytest.raises(StoreError, match=r"b\.db exists: pass --force to overwrite it"):
        backup(db, out)
    assert restore(out, db, force=True) == {"path": str(db), "schema_version": LATEST}
    with open_store(db) as store:
        assert store.stats()["articles"] == 30 and store.get(f"{99:040x}") is None
        assert len(store.get(f"{3:040x}").quotes) == 4
    assert _quote_counts(db) == {f"Ferry {i} q={i % 4 + 1}": i % 4 + 1 for i in range(30)}


def test_restore_checks_the_backup_before_touching_the_database(db, tmp_path):
    before = _quote_counts(db)
    plain = tmp_path / "plain.db"
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.execute("PRAGMA user_version = 0")
    con.close()
    with pytest.raises(StoreError, match=r"plain\.db is not a newsledger database \(schema version 0\)"):
        restore(plain, db, force=True)

    newer = tmp_path / "newer.db"
    backup(db, newer)
    con = sqlite3.connect(newer)
    con.execute(f"PRAGMA user_version = {LATEST + 1}")
    con.close()
    with pytest.raises(StoreError, match=f"schema version {LATEST + 1}, newer than this newsledger supports"):
        restore(newer, db, force=True)

    damaged = tmp_path / "damaged.db"
    backup(db, damaged)
    data = bytearray(damaged.read_bytes())
    page = 4096
    for p in range(2, len(data) // page):  # wreck every page but the header page
        data[p * page + 8: p * page + 64] = b"\xff" * 56
    damaged.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged\.db (is damaged \(integrity check: |is not a readable SQLite)"):
        restore(damaged, db, force=True)
    with pytest.raises(StoreError, match=r"no backup at .*absent\.db"):
        restore(tmp_path / "absent.db", db, force=True)
    assert _quote_counts(db) == before


def test_backup_during_writes_is_a_consistent_snapshot(db, tmp_path):
    stop = threading.Event()

    def writer():
        with open_store(db) as store:
            i = 100
            while not stop.is_set():
                store.upsert_many([analysis(i, i % 5 + 1), analysis(i + 1, i % 3 + 1)])
                i += 2

    t = threading.Thread(target=writer)
    t.start()
    try:
        outs = [tmp_path / f"snap{n}.db" for n in range(3)]
        for out in outs:
            backup(db, out)
    finally:
        stop.set()
        t.join()
    for out in outs:
        assert check(out) == LATEST
        counts = _quote_counts(out)
        # every article in the snapshot carries exactly the quotes written with it
        assert all(n == int(title.rsplit("q=", 1)[1]) for title, n in counts.items())
        assert len(counts) >= 30 and len(counts) % 2 == 0  # writes land in pairs: never half a batch


def test_cli_backup_restore(db, tmp_path):
    out = tmp_path / "cli.bak"
    runner = CliRunner()
    res = runner.invoke(cli, ["backup", str(out), "--db", str(db)])
    assert res.exit_code == 0 and res.stderr.startswith(f"backed up {db} to {out} (")
    res = runner.invoke(cli, ["backup", str(out), "--db", str(db)])
    assert res.exit_code == 1 and res.stderr == f"Error: {out} exists: pass --force to overwrite it\n"
    target = tmp_path / "fresh.db"
    res = runner.invoke(cli, ["restore", str(out), "--db", str(target)])
    assert res.exit_code == 0 and res.stderr == f"restored {out} into {target}\n"
    assert _quote_counts(target) == _quote_counts(db)
    res = runner.invoke(cli, ["backup", str(tmp_path / "x.bak"), "--db", str(tmp_path / "none.db")])
    assert res.exit_code == 1 and "nothing to back up" in res.stderr


def test_postgres_backup_and_restore(postgres_server, tmp_path):  # noqa: F811
    import shutil

    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    url = postgres_server.new_database()
    with open_store(url) as store:
        store.upsert_many([analysis(i, i % 3 + 1) for i in range(5)])
    out = tmp_path / "pg.dump"
    assert backup(url, out)["path"] == str(out) and out.stat().st_size > 0
    with pytest.raises(StoreError, match="exists: pass --force"):
        backup(url, out)
    target = postgres_server.new_database()
    restore(out, target)
    with open_store(target) as store:
        assert store.stats()["articles"] == 5
        assert len(store.get(f"{2:040x}").quotes) == 3
