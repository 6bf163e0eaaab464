"""The test PostgreSQL helper survives a port taken between picking it and binding it (parallel test runs)."""

from __future__ import annotations

import socket

import pytest

import pg


def test_a_port_taken_before_the_server_binds_it_is_replaced(monkeypatch):
    reason = pg.missing_reason()
    if reason:
        pytest.skip(reason)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        real = pg._free_port
        ports = iter([taken])
        monkeypatch.setattr(pg, "_free_port", lambda: next(ports, None) or real())
        server = pg.start()
        try:
            assert server.port != taken
            import psycopg

            with psycopg.connect(server.url) as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            pg.stop(server)
