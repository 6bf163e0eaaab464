"""Polite, bounded and SSRF-safe HTTP fetching for live URLs and sitemaps.

Every hop of a request (the first one and each redirect) is resolved and
checked before a connection is made, and the connection then goes to the
address that was checked, so a DNS answer that changes between the check
and the connect (rebinding) cannot reach an internal service.
"""

from __future__ import annotations

import email.utils
import ipaddress
import socket
import ssl
import threading
import time
import urllib.robotparser
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Optional, Union
from urllib.parse import urljoin, urlsplit

import httpx

from .. import __version__
from ..schema import BadInput, Origin, RawDocument
from .base import MAX_PAGE_BYTES, too_large
from .html_files import check_html

Item = Union[RawDocument, BadInput]

USER_AGENT = f"newsledger/{__version__} (+https://github.com/newsledger/newsledger)"
ROBOTS_AGENT = "newsledger"
ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 lets crawlers stop parsing after 500 KiB
MAX_CRAWL_DELAY = 10.0  # a robots.txt Crawl-delay beyond this would stall a batch

# Link-local 169.254.169.254 and the ULA fd00:ec2::254 are already non-global,
# but they stay refused even with allow_private: no news lives there.
METADATA_ADDRESSES = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)

Resolver = Callable[[str, int], list[str]]


class FetchError(Exception):
    """A URL could not be fetched; the message is the quarantine reason."""

    def __init__(self, reason: str, status: Optional[int] = None, retry_after: Optional[float] = None):
        super().__init__(reason)
        self.status = status  # the HTTP status when the server answered with an error
        self.retry_after = retry_after  # seconds a 429/503 asked us to wait, when it said


@dataclass
class FetchOptions:
    allow_private: bool = False  # permit loopback/private targets (local test servers, intranets)
    min_interval: float = 1.0  # seconds between two requests to the same host
    timeout: float = 20.0  # seconds for connect / each read, and 3x that for a whole body
    max_bytes: int = MAX_PAGE_BYTES
    max_redirects: int = 5
    respect_robots: bool = True
    # Feeds and sitemaps: fetch the pages their items link to (a feed item's own summary
    # is the fallback). None: only for feeds and sitemaps that were themselves fetched
    # from the web; a local file names pages but reading it should not reach the network.
    follow_links: Optional[bool] = None
    max_sitemap_urls: int = 50_000  # the sitemap protocol's own per-file limit
    user_agent: str = USER_AGENT


@dataclass
class Response:
    url: str  # final URL after redirects
    status: int
    content: bytes
    content_type: str = ""
    charset: Optional[str] = None
    date: Optional[str] = None  # ISO 8601 from the HTTP Date header, else the time of fetching
    redirects: list[str] = field(default_factory=list)  # URLs that redirected, in order
    location: Optional[str] = None  # Location header of a redirect response
    etag: Optional[str] = None  # validators for the next conditional request
    last_modified: Optional[str] = None
    retry_after: Optional[float] = None  # seconds, from a 429/503 Retry-After


def retry_after_seconds(value: Optional[str], server_date: Optional[str] = None) -> Optional[float]:
    """Retry-After as seconds to wait: delta-seconds, or an HTTP date taken relative
    to the response's own Date (so a server clock that differs from ours does not matter)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    if when is None:
        return None
    base = _http_date(server_date) if server_date else None
    now = datetime.fromisoformat(base) if base else datetime.now(timezone.utc)
    return max(0.0, (datetime.fromisoformat(when) - now).total_seconds())


def is_html_type(content_type: str) -> bool:
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml")


def content_type_charset(content_type: Optional[str]) -> Optional[str]:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


def refused_address(addr: str, allow_private: bool) -> Optional[str]:
    """Why ``addr`` must not be contacted, or None when it may."""
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])  # drop an IPv6 zone id
    except ValueError:
        return f"unparseable address {addr}"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip in METADATA_ADDRESSES:
        return f"refused address {ip} (cloud metadata)"
    if allow_private:
        return None
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"refused address {ip} ({kind.replace('_', '-')})"
    if not ip.is_global:  # shared (CGNAT) space, documentation ranges, 6to4 of private, ...
        return f"refused address {ip} (not global)"
    return None


def _http_date(value: Optional[str]) -> Optional[str]:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.isoformat()


class Fetcher:
    """Fetches URLs one at a time, with robots.txt, rate limits and caps.

    ``resolver`` and ``transport`` replace DNS and the network (tests use
    them to play a public server without touching the internet); ``verify``
    is httpx's: a CA bundle path or an SSL context for private CAs.
    """

    def __init__(
        self,
        options: Optional[FetchOptions] = None,
        *,
        resolver: Optional[Resolver] = None,
        transport: Optional[httpx.BaseTransport] = None,
        verify: Union[bool, str, ssl.SSLContext] = True,
    ):
        self.options = options or FetchOptions()
        self._resolve = resolver or _system_resolver
        self._client = httpx.Client(
            follow_redirects=False,
            trust_env=False,  # a proxy would resolve names itself and void the address checks
            timeout=httpx.Timeout(self.options.timeout),
            transport=transport,
            verify=verify,
            # Connections are pooled by address; reusing one opened (and
            # certificate-checked) for another name on the same IP would
            # send that name's requests over it.
            limits=httpx.Limits(max_keepalive_connections=0),
            headers={"User-Agent": self.options.user_agent},
        )
        self._robots: dict[str, Optional[urllib.robotparser.RobotFileParser]] = {}
        self._robots_unreachable: dict[str, str] = {}  # host key -> why its robots.txt could not be read
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ public

    def fetch(self, url: str, *, max_bytes: Optional[int] = None, truncate: bool = False,
              headers: Optional[dict[str, str]] = None) -> Response:
        """GET ``url`` following redirects; raises FetchError with the reason.

        A body over ``max_bytes`` is an error, or with ``truncate`` is cut there.
        ``headers`` are sent with every hop (If-None-Match / If-Modified-Since:
        then a 304 answer is returned, not raised).
        """
        redirects: list[str] = []
        current = url
        while True:
            # The address check comes first, so a refused host is reported
            # as such and not even its robots.txt is requested.
            target = self._target(current)
            self._check_robots(current)
            resp = self._request(current, target, max_bytes or self.options.max_bytes, truncate, headers)
            if resp.location is not None:
                if not resp.location:
                    raise FetchError(f"HTTP {resp.status} without Location")
                if len(redirects) >= self.options.max_redirects:
                    raise FetchError(f"too many redirects (more than {self.options.max_redirects})")
                redirects.append(current)
                current = urljoin(current, resp.location)
                continue
            if resp.status == 304 and headers:
                resp.redirects = redirects
                return resp
            if not 200 <= resp.status < 300:
                raise FetchError(f"HTTP {resp.status}", status=resp.status, retry_after=resp.retry_after)
            resp.redirects = redirects
            return resp

    def post_json(self, url: str, body: bytes, headers: Optional[dict[str, str]] = None) -> int:
        """POST ``body`` (JSON) to ``url`` under the same address rules; returns the
        status. Redirects are not followed (a webhook that moves is misconfigured),
        robots.txt does not apply (the receiver asked for these calls)."""
        pinned, host_header, host_key = self._target(url)
        self._wait_turn(host_key, self.options.min_interval)
        extensions = {"sni_hostname": urlsplit(url).hostname} if pinned.scheme == "https" else {}
        try:
            r = self._client.post(
                pinned, content=body, extensions=extensions,
                headers={"Host": host_header, "Content-Type": "application/json", **(headers or {})},
            )
        except httpx.TimeoutException:
            raise FetchError(f"timeout after {self.options.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise FetchError(f"network error: {type(e).__name__}: {e}"[:300]) from None
        if not 200 <= r.status_code < 300:
            raise FetchError(f"HTTP {r.status_code}", status=r.status_code,
                             retry_after=retry_after_seconds(r.headers.get("Retry-After"), r.headers.get("Date")))
        return r.status_code

    # ------------------------------------------------------------ one hop

    def _target(self, url: str) -> tuple[httpx.URL, str, str]:
        """(URL pinned to a vetted IP, host header value, host key) or FetchError."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError) as e:
            raise FetchError(f"invalid URL: {e}") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(f"unsupported URL: {url[:200]}")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addresses = [str(ipaddress.ip_address(parsed.host))]
        except ValueError:
            addresses = None  # a name, not an address literal
        try:
            addresses = addresses or self._resolve(parsed.host, port)
        except (OSError, UnicodeError) as e:
            raise FetchError(f"cannot resolve {parsed.host}: {e}") from None
        if not addresses:
            raise FetchError(f"cannot resolve {parsed.host}")
        for addr in addresses:
            # every answer is checked: a mixed answer is how rebinding attacks start
            why = refused_address(addr, self.options.allow_private)
            if why:
                raise FetchError(why)
        host_header = parsed.netloc.decode("ascii")
        return parsed.copy_with(host=addresses[0].split("%", 1)[0]), host_header, _host_key(parsed)

    def _wait_turn(self, host_key: str, interval: float) -> None:
        # The slot is booked under the lock and slept outside it, so threads
        # sharing a Fetcher wait only for their own host.
        with self._lock:
            now = time.monotonic()
            start = max(now, self._last.get(host_key, -interval) + interval)
            self._last[host_key] = start
        if start > now:
            time.sleep(start - now)
            with self._lock:  # count the interval from when this request really goes out
                self._last[host_key] = max(self._last[host_key], time.monotonic())

    def _request(self, url: str, target: tuple[httpx.URL, str, str], max_bytes: int, truncate: bool,
                 headers: Optional[dict[str, str]] = None) -> Response:
        pinned, host_header, host_key = target
        self._wait_turn(host_key, self._interval(host_key))
        extensions = {"sni_hostname": urlsplit(url).hostname} if pinned.scheme == "https" else {}
        deadline = time.monotonic() + 3 * self.options.timeout
        try:
            with self._client.stream(
                "GET", pinned, headers={**(headers or {}), "Host": host_header}, extensions=extensions
            ) as r:
                if r.status_code in (301, 302, 303, 307, 308):
                    return Response(url, r.status_code, b"", location=r.headers.get("Location", "").strip())
                if not 200 <= r.status_code < 300:
                    # error bodies are never read
                    return Response(url, r.status_code, b"", etag=r.headers.get("ETag"),
                                    last_modified=r.headers.get("Last-Modified"),
                                    retry_after=retry_after_seconds(r.headers.get("Retry-After"), r.headers.get("Date")))
                declared = r.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > max_bytes and not truncate:
                    raise FetchError(_too_large(max_bytes))
                chunks, size = [], 0
                for chunk in r.iter_bytes():  # decoded: a gzip bomb is counted as it inflates
                    size += len(chunk)
                    if size > max_bytes:
                        if not truncate:
                            raise FetchError(_too_large(max_bytes))
                        chunks.append(chunk[: len(chunk) - (size - max_bytes)])
                        break
                    if time.monotonic() > deadline:
                        raise FetchError(f"timeout: body not received in {3 * self.options.timeout:g} s")
                    chunks.append(chunk)
                ctype = r.headers.get("Content-Type", "")
                return Response(
                    url,
                    r.status_code,
                    b"".join(chunks),
                    content_type=ctype,
                    charset=content_type_charset(ctype),
                    date=_http_date(r.headers.get("Date")) or datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    etag=r.headers.get("ETag"),
                    last_modified=r.headers.get("Last-Modified"),
                )
        except httpx.TimeoutException:
            raise FetchError(f"timeout after {self.options.timeout:g} s") from None
        except httpx.HTTPError as e:
            raise FetchError(f"network error: {type(e).__name__}: {e}"[:300]) from None

    # ------------------------------------------------------------ robots.txt

    def _interval(self, host_key: str) -> float:
        robots = self._robots.get(host_key)
        delay = robots.crawl_delay(ROBOTS_AGENT) if robots is not None else None
        if delay:
            return max(self.options.min_interval, min(float(delay), MAX_CRAWL_DELAY))
        return self.options.min_interval

    def _check_robots(self, url: str) -> None:
        if not self.options.respect_robots:
            return
        host_key = _host_key(httpx.URL(url))
        if host_key not in self._robots:
            self._robots[host_key] = None  # while fetching robots.txt itself
            self._robots[host_key] = self._load_robots(host_key)
        robots = self._robots[host_key]
        if robots is not None and not robots.can_fetch(ROBOTS_AGENT, url):
            if host_key in self._robots_unreachable:
                raise FetchError(f"disallowed: robots.txt unreachable ({self._robots_unreachable[host_key]})")
            raise FetchError("disallowed by robots.txt")

    def _load_robots(self, host_key: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(host_key + "/robots.txt")
        try:
            resp = self.fetch(host_key + "/robots.txt", max_bytes=ROBOTS_MAX_BYTES, truncate=True)
            lines = resp.content.decode("utf-8", errors="replace").splitlines()
        except FetchError as e:
            if e.status is not None and 400 <= e.status < 500:
                lines = []  # RFC 9309: robots.txt unavailable, everything allowed
            else:
                # RFC 9309: unreachable (5xx, network), so assume everything is disallowed
                parser.disallow_all = True
                self._robots_unreachable[host_key] = str(e)
                return parser
        parser.parse(lines)
        return parser


def _host_key(url: httpx.URL) -> str:
    """scheme://host[:port]: the unit of robots.txt and of rate limiting."""
    return f"{url.scheme}://{url.netloc.decode('ascii')}"


def _too_large(limit: int) -> str:
    return too_large() if limit == MAX_PAGE_BYTES else f"response larger than {limit:,} bytes"


# ---------------------------------------------------------------- readers


def page_document(resp: Response, origin: Origin, hints: Optional[dict] = None) -> Item:
    """A fetched response as a raw document, or BadInput when it is no page."""
    if resp.content_type and not is_html_type(resp.content_type):
        mime = resp.content_type.split(";", 1)[0].strip()
        return BadInput(origin, f"not HTML: {mime}")
    charset, bad = check_html(resp.content, origin)
    if bad is not None:
        return bad
    return RawDocument(
        origin=origin,
        format="html",
        content=resp.content,
        url=resp.url,
        charset=charset or resp.charset,
        fetched=resp.date,
        hints=dict(hints or {}),
    )


def fetch_page(fetcher: Fetcher, url: str, origin: Origin, hints: Optional[dict] = None) -> Item:
    try:
        resp = fetcher.fetch(url)
    except FetchError as e:
        return BadInput(origin, str(e))
    return page_document(resp, origin, hints)
