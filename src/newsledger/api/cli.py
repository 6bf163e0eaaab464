"""``newsledger serve``: the API and dashboard on a local port."""

from __future__ import annotations

import socket

import click

from .security import is_loopback, load_or_create_token, token_path


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise click.ClickException(f"cannot listen on {host}:{port} ({e.strerror}): choose another --port") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


@click.command("serve", epilog="Example:\n\n  newsledger serve --db news.db --port 8765")
@click.option("--db", "db", envvar="NEWSLEDGER_DB", default="newsledger.db", show_default=True, metavar="FILE",
              help="database to serve (env NEWSLEDGER_DB)")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on; other machines need the token even to read")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="port to listen on (0 picks a free one)")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="extra Host header name to accept (e.g. a reverse proxy's); repeatable")
def serve(db: str, host: str, port: int, allow_hosts: tuple[str, ...]) -> None:
    """Serve the REST API (docs at /docs) and the dashboard (at /)."""
    import uvicorn

    from .app import create_app

    token, created = load_or_create_token(db)
    extra = list(allow_hosts)
    if host not in ("0.0.0.0", "::", ""):
        extra.append(host)
    app = create_app(db, token=token, allowed_hosts=extra)
    sock = _bind(host, port)
    actual = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"newsledger: serving {db} at http://{shown}:{actual}/ (API docs: http://{shown}:{actual}/docs)")
    if created:
        click.echo(f"ingest token (shown once; kept in {token_path(db)}, mode 0600): {token}")
    else:
        click.echo(f"ingest token: in {token_path(db)}")
    if not is_loopback(host):
        click.echo("warning: listening beyond this machine; remote clients need the token to read too, and "
                   "requests must name this server as the host (add --allow-host NAME for each name or address used)",
                   err=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
