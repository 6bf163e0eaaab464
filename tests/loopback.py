"""A throwaway HTTP server on a free loopback port, for the fetcher and watcher tests (imported, not a conftest)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with :meth:`reply`."""

    def reply(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Send one response; ``X-No-Length`` in ``headers`` leaves Content-Length out (a body of unknown size)."""
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if "Content-Length" not in headers and not headers.get("X-No-Length"):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on purpose (timeout, size cap)

    def log_message(self, *args):
        pass


def start(handler: type[BaseHTTPRequestHandler]) -> tuple[ThreadingHTTPServer, str]:
    """Serve ``handler`` on 127.0.0.1 at a port the OS picks (no race for a fixed port); returns the server and
    its base URL. Stop it with :func:`stop`."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def stop(httpd: ThreadingHTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()
