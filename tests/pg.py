"""A throwaway PostgreSQL server for tests, from Debian's ``postgresql`` binaries.

``start()`` runs initdb in a fresh temporary folder and starts the server on a
free local port, listening only on a unix socket inside that folder and on
127.0.0.1. PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` OS user (created by the Debian package) through ``runuser``.
Import ``postgres_url`` as a session fixture in a test module, or call
``start()``/``stop()`` from benchmarks.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from typing import Iterator, Optional

import pytest


@dataclass
class Server:
    folder: str
    port: int
    bindir: str
    owner: Optional[str]  # OS user running the server; None = this user

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh empty database on this server; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"


def binaries() -> Optional[str]:
    """The newest installed PostgreSQL bin folder, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


def missing_reason() -> Optional[str]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'newsledger[scale]')"
    if binaries() is None:
        return "PostgreSQL server binaries not found (apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' OS user to run the server as"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(owner: Optional[str], argv: list[str]) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


def start() -> Server:
    bindir = binaries()
    if bindir is None:
        raise RuntimeError(missing_reason() or "PostgreSQL not found")
    owner = "postgres" if os.geteuid() == 0 else None
    folder = tempfile.mkdtemp(prefix="newsledger-pg-")
    os.chmod(folder, 0o755)
    data = os.path.join(folder, "data")
    os.mkdir(data, 0o700)
    if owner:
        entry = pwd.getpwnam(owner)
        for path in (folder, data):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    run = lambda argv: subprocess.run(  # noqa: E731
        _as_owner(owner, argv), check=True, capture_output=True, text=True, cwd=folder
    )
    # trust auth on a private socket folder and loopback only: a test server, never a real one.
    run([f"{bindir}/initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"])
    log = os.path.join(folder, "log")
    # The free port is only free when asked: another test run on this machine may take it before the
    # server binds it, so a bind failure picks another port instead of failing the session.
    for attempt in range(5):
        port = _free_port()
        opts = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=200 -c shared_buffers=64MB")
        seen = os.path.getsize(log) if os.path.exists(log) else 0
        try:
            run([f"{bindir}/pg_ctl", "-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start"])
        except subprocess.CalledProcessError:
            with open(log, errors="replace") as fh:
                fh.seek(seen)
                taken = "already in use" in fh.read()
            if not taken or attempt == 4:
                raise
            continue
        return Server(folder=folder, port=port, bindir=bindir, owner=owner)
    raise AssertionError("unreachable")


def stop(server: Server) -> None:
    subprocess.run(
        _as_owner(server.owner, [f"{server.bindir}/pg_ctl", "-D", os.path.join(server.folder, "data"),
                                 "-m", "immediate", "-w", "stop"]),
        capture_output=True, cwd=server.folder,
    )
    shutil.rmtree(server.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    server = start()
    try:
        yield server
    finally:
        stop(server)
