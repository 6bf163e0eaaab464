"""Response hardening, the ingest token and who may read without one."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import secrets
from pathlib import Path
from typing import Optional

# One policy for the dashboard, the API and the bundled Swagger UI: everything
# comes from this origin, nothing inline may run, and no page may frame us.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HEADER_NAMES = {name for name, _ in SECURITY_HEADERS}


class SecurityHeadersMiddleware:
    """Pure ASGI so streamed exports and static files get the headers too."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _HEADER_NAMES]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_loopback(host: Optional[str]) -> bool:
    if not host:
        return False
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def bearer_ok(authorization: Optional[str], token: Optional[str]) -> bool:
    if not token or not authorization:
        return False
    scheme, _, given = authorization.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def token_path(db_path: str | os.PathLike) -> Path:
    """The token lives beside the database file it guards; a server database's in the user's
    config folder, named by a hash of its URL (without the password)."""
    text = str(db_path)
    if text.startswith(("postgresql://", "postgres://")):
        bare = re.sub(r"://([^:/@]+):[^@]*@", r"://\1@", text)
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "newsledger"
        return base / f"postgres-{hashlib.sha256(bare.encode()).hexdigest()[:16]}.token"
    db = Path(db_path)
    return db.with_name(db.name + ".token")


def load_or_create_token(db_path: str | os.PathLike) -> tuple[str, bool]:
    """Return (token, created). A new token is written 0600 and never rewritten."""
    path = token_path(db_path)
    try:
        return path.read_text(encoding="utf-8").strip(), False
    except FileNotFoundError:
        pass
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two servers starting at once must not hand out different tokens.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip(), False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    return token, True
