"""Page metadata: gather every candidate the page carries, then reconcile.

Each source yields ``{field: value}``; ``reconcile`` walks ``PRECEDENCE``
and keeps the first source whose value survives cleaning. The winning source
is what ``Article.provenance.fields`` records.

======================  ==================================================================
field                   sources, best first
======================  ==================================================================
title                   h1 (when it shares words with the page's other titles/descriptions;
                        a metadata title that is the h1 minus a leading label wins), then
                        json-ld headline, og:title, twitter:title, meta (parsely-title,
                        sailthru.title, dc.title, title), microdata headline, feed hint,
                        <title>, trafilatura; site-name affixes stripped from all of them
description             og:description, json-ld description, meta description,
                        twitter:description, dc.description, trafilatura
published               json-ld datePublished, article:published_time, microdata
                        datePublished, meta (parsely-pub-date, sailthru.date, pubdate,
                        publish-date, dc.date, date, ...), <time pubdate|itemprop>, feed hint,
                        a date in the URL path, htmldate (original date; fast search)
                        -- a UTC winner is shown in the page's local offset when another
                        source gives the same instant as local time
                        -- then the date printed by the headline (``from_visible``) may
                        correct it: printed day = modified day -> the modified instant;
                        printed "Updated" day = modified day, no printed day confirming
                        the published one -> modified; printed day one off a UTC
                        instant -> that instant in the site's timezone
                        Order measured on extraction-dev (120 pages, date = gold day):
                        microdata 9/9, time 36/43, meta 25/30, json-ld 82/101, og 50/62,
                        url 24/30, htmldate 97/120, printed date 82/100, modified 81/105;
                        pairwise, where two sources disagree, neither half of the pages
                        has enough cases (at most 4 per pair) to justify reordering, so
                        the order above stays; the printed date only corrects (+7 pages:
                        half a 47->53/58, half b 54->55/62)
modified                json-ld dateModified, article:modified_time, og:updated_time,
                        microdata dateModified, meta (last-modified, dc.modified)
authors                 json-ld author, meta (author, parsely-author, sailthru.author,
                        dc.creator, article:author when not a URL), microdata author,
                        rel=author / byline elements, feed hint, trafilatura
section                 json-ld articleSection, article:section, meta (parsely-section,
                        section, category)
tags                    article:tag, json-ld keywords, meta (news_keywords, keywords,
                        parsely-tags, sailthru.tags)
canonical_url           link rel=canonical, og:url, json-ld url / mainEntityOfPage
source.name             og:site_name, json-ld publisher name, meta (application-name, publisher)
source.owner            json-ld publisher parentOrganization name (only when the page says)
images                  og:image, json-ld image, then images inside the article body
======================  ==================================================================

Dates become ISO 8601 with the page's own offset; a page that gives no offset
is read as UTC and the provenance says ``(UTC assumed)``. Nothing here fetches.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Optional
from urllib.parse import urljoin, urlsplit

from lxml import etree

ARTICLE_TYPES = frozenset(
    t.lower()
    for t in (
        "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
        "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting", "BlogPosting", "Report",
        "TechArticle", "ScholarlyArticle", "SatiricalArticle", "AskPublicNewsArticle", "Review",
    )
)
_PAGE_TYPES = frozenset(("webpage", "itempage", "collectionpage"))

PRECEDENCE: dict[str, tuple[str, ...]] = {
    "title": ("json-ld", "og", "twitter", "meta", "microdata", "hint", "title-tag", "trafilatura"),
    "description": ("og", "json-ld", "meta", "twitter", "trafilatura"),
    "published": ("json-ld", "og", "microdata", "meta", "time", "hint", "url", "htmldate"),
    "modified": ("json-ld", "og", "microdata", "meta"),
    "authors": ("json-ld", "meta", "microdata", "byline", "hint", "trafilatura"),
    "section": ("json-ld", "og", "meta"),
    "tags": ("og", "json-ld", "meta"),
    "canonical_url": ("link", "og", "json-ld"),
    "site_name": ("og", "json-ld", "meta"),
    "owner": ("json-ld",),
}

_WS = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]{0,200}>")
_SEP = re.compile(r"\s+[|\-–—:·•»/]\s+|\s+::\s+")
_ALNUM = re.compile(r"[\W_]+")
_BY = re.compile(
    r"^(?:(?:view|see|more|read)\s+(?:all\s+)?(?:posts|articles|stories)\s+|(?:written|posted|story|words|reporting|"
    r"text|photos?|video)\s+)?by\b[:\s]*",
    re.I,
)
_AUTHOR_HREF = re.compile(r"/(?:authors?|writers?|bios?|staff|contributors?|columnists?|journalists?|byline)/[^/?#]+", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\||/|\s&\s|\band\b|\bund\b|\bet\b|\by\b|\n)\s*", re.I)
_ROLE = re.compile(
    r"^(?:(?:senior|chief|staff|contributing|special|guest|deputy|managing|associate|executive|political|"
    r"foreign|news|sports|business|editorial)\s+)*(?:writer|reporter|editor|correspondent|contributor|"
    r"columnist|staff|producer|journalist|team|desk|editors|staff writer|photographer)s?$",
    re.I,
)
# a byline's last word naming a desk or an organisation, not a person
_ORG_TAIL = re.compile(
    r"\b(?:staff|reporters?|writers?|editors?|desk|team|wire|correspondents?|company|inc|ltd|llc|media|"
    r"news|press|magazine|newspaper|group|agency|network|service|journal|times|post|daily)\.?$",
    re.I,
)
# words that end a byline element's name: labels and widgets printed next to it
_BYLINE_STOP = re.compile(
    r"\s+(?:published|updated|posted|link|copied|follow|share|email|e-mail|twitter|facebook|contributor|"
    r"reporter|writer|editor|correspondent|is|was|has|for|at|on|in)\b.*$",
    re.I,
)
_CREDENTIAL = re.compile(r"^(?:[A-Z]{2,}|Ph\.?\s?D\.?|Esq\.?)$")
_DOMAINISH = re.compile(r"\.\w{2,}\b")
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d")
_EPOCH = re.compile(r"^\d{10}(?:\d{3})?$")


def clean(value: Any) -> Optional[str]:
    """Unescape entities, drop stray tags, collapse whitespace."""
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    value = _TAG.sub(" ", htmllib.unescape(value))
    value = _WS.sub(" ", value).strip()
    return value or None


_BLOCK_TAG = re.compile(r"<(?:/p|br\s*/?|/h[1-6]|/li|/div|/blockquote)\s*>", re.I)


def clean_block(value: str) -> str:
    """Text with line breaks where an HTML-ish string had block ends; entities and tags removed."""
    value = _BLOCK_TAG.sub("\n", htmllib.unescape(value))
    return htmllib.unescape(_TAG.sub(" ", value))


def norm_key(s: str) -> str:
    return _ALNUM.sub("", s).lower()


# ---------------------------------------------------------------- JSON-LD


def _types(obj: dict) -> set[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return {t.lower()}
    if isinstance(t, list):
        return {x.lower() for x in t if isinstance(x, str)}
    return set()


def _walk(node: Any, out: list[dict], depth: int = 0) -> None:
    if depth > 12:
        return
    if isinstance(node, list):
        for x in node:
            _walk(x, out, depth + 1)
    elif isinstance(node, dict):
        out.append(node)
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "hasPart", "itemListElement"):
            if isinstance(node.get(key), (list, dict)):
                _walk(node[key], out, depth + 1)


def _load_json(text: str) -> Any:
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.strip().rstrip(";")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        return None


def jsonld_objects(tree) -> list[dict]:
    objs: list[dict] = []
    for script in tree.iterfind(".//script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        data = _load_json(script.text)
        if data is not None:
            _walk(data, objs)
    return objs


def _name_of(x: Any, index: dict[str, dict]) -> Optional[str]:
    if isinstance(x, str):
        return clean(x)
    if isinstance(x, dict):
        if "name" not in x and isinstance(x.get("@id"), str) and x["@id"] in index:
            x = index[x["@id"]]
        name = x.get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        return clean(name) if isinstance(name, str) else None
    return None


def _as_list(x: Any) -> list:
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def _image_urls(x: Any) -> list[str]:
    out = []
    for item in _as_list(x):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            u = item.get("url") or item.get("contentUrl")
            if isinstance(u, str):
                out.append(u)
    return out


def _same_page(obj: dict, url: Optional[str]) -> bool:
    if not url:
        return False
    target = _strip_url(url)
    for key in ("url", "mainEntityOfPage", "@id"):
        v = obj.get(key)
        if isinstance(v, dict):
            v = v.get("@id") or v.get("url")
        if isinstance(v, str) and _strip_url(v) == target:
            return True
    return False


def _strip_url(u: str) -> str:
    try:
        p = urlsplit(u.strip())
    except ValueError:
        return u
    return (p.netloc.lower().removeprefix("www.") + p.path.rstrip("/")).lower()


def from_jsonld(objs: list[dict], url: Optional[str]) -> dict[str, Any]:
    index = {o["@id"]: o for o in objs if isinstance(o.get("@id"), str)}
    articles = [o for o in objs if _types(o) & ARTICLE_TYPES]
    pages = [o for o in objs if _types(o) & _PAGE_TYPES]
    out: dict[str, Any] = {}
    if articles:
        # the page's own article beats related-article teasers embedded in the same graph
        art = max(articles, key=lambda o: (_same_page(o, url), "headline" in o, len(str(o.get("articleBody") or ""))))
    elif pages:
        art = pages[0]
    else:
        art = None
    if art is not None:
        headline = art.get("headline") if art in articles else None
        out["title"] = clean(headline if isinstance(headline, str) else None) or (
            clean(art.get("name")) if art in articles and isinstance(art.get("name"), str) else None
        )
        if isinstance(art.get("description"), str):
            out["description"] = clean(art["description"])
        for key, field in (("datePublished", "published"), ("dateCreated", "published"), ("dateModified", "modified")):
            v = art.get(key)
            if isinstance(v, str) and field not in out:
                out[field] = v
        authors = []
        for a in _as_list(art.get("author")) + _as_list(art.get("creator")):
            name = _name_of(a, index)
            if name:
                authors.append(name)
        if authors:
            out["authors"] = authors
        section = art.get("articleSection")
        if isinstance(section, list):
            section = next((s for s in section if isinstance(s, str) and s.strip()), None)
        if isinstance(section, str):
            out["section"] = clean(section)
        kw = art.get("keywords")
        if isinstance(kw, str):
            out["tags"] = [k for k in (clean(x) for x in kw.split(",")) if k]
        elif isinstance(kw, list):
            out["tags"] = [k for k in (clean(x) for x in kw if isinstance(x, str)) if k]
        images = _image_urls(art.get("image")) + _image_urls(art.get("thumbnailUrl"))
        if images:
            out["images"] = images
        for key in ("url", "mainEntityOfPage"):
            v = art.get(key)
            if isinstance(v, dict):
                v = v.get("@id") or v.get("url")
            if isinstance(v, str) and v.startswith("http"):
                out["canonical_url"] = v
                break
        body = art.get("articleBody")
        if isinstance(body, str) and body.strip():
            out["body"] = body
            out["free"] = art.get("isAccessibleForFree") not in (False, "False", "false")
        publisher = art.get("publisher") or art.get("sourceOrganization")
    else:
        publisher = None
    if publisher is None:
        publisher = next((o for o in objs if _types(o) & {"newsmediaorganization", "organization"}), None)
    if isinstance(publisher, list):
        publisher = publisher[0] if publisher else None
    if isinstance(publisher, dict) and isinstance(publisher.get("@id"), str) and "name" not in publisher:
        publisher = index.get(publisher["@id"], publisher)
    if publisher is not None:
        out["site_name"] = _name_of(publisher, index)
        if isinstance(publisher, dict):
            parent = publisher.get("parentOrganization")
            owner = _name_of(_as_list(parent)[0], index) if parent else None
            if owner:
                out["owner"] = owner
    return out


# ---------------------------------------------------------------- meta tags and markup


def meta_map(tree) -> dict[str, list[str]]:
    """Lower-cased name/property/itemprop -> contents, in page order."""
    out: dict[str, list[str]] = {}
    for m in tree.iterfind(".//meta"):
        content = m.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = m.get(attr)
            if key:
                out.setdefault(key.strip().lower(), []).append(content)
    return out


def _first(meta: dict[str, list[str]], *keys: str) -> Optional[str]:
    for k in keys:
        for v in meta.get(k, ()):
            v = clean(v)
            if v:
                return v
    return None


def _all(meta: dict[str, list[str]], *keys: str) -> list[str]:
    return [c for k in keys for c in (clean(v) for v in meta.get(k, ())) if c]


def _text(el) -> str:
    return _WS.sub(" ", "".join(el.itertext())).strip()


def from_og(meta: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, keys in (
        ("title", ("og:title",)),
        ("description", ("og:description",)),
        ("published", ("article:published_time", "og:published_time", "article:published")),
        ("modified", ("article:modified_time", "og:updated_time", "article:modified")),
        ("section", ("article:section",)),
        ("site_name", ("og:site_name",)),
        ("canonical_url", ("og:url",)),
    ):
        v = _first(meta, *keys)
        if v:
            out[field] = v
    tags = _all(meta, "article:tag")
    if tags:
        out["tags"] = tags
    images = [v.strip() for k in ("og:image", "og:image:url", "og:image:secure_url") for v in meta.get(k, ())]
    if images:
        out["images"] = images
    return out


def from_twitter(meta: dict[str, list[str]]) -> dict[str, Any]:
    out = {}
    for field, key in (("title", "twitter:title"), ("description", "twitter:description")):
        v = _first(meta, key)
        if v:
            out[field] = v
    return out


def from_meta(meta: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, keys in (
        ("title", ("parsely-title", "sailthru.title", "dc.title", "title", "headline")),
        ("description", ("description", "dc.description", "sailthru.description")),
        (
            "published",
            (
                "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "publish-date", "publish_date",
                "date.published", "article.published", "dc.date.issued", "dcterms.date", "dc.date", "date",
                "citation_publication_date", "originalpublicationdate", "cxenseparse:recs:publishtime",
                "article_date_original", "og:pubdate",
            ),
        ),
        ("modified", ("last-modified", "dc.date.modified", "dcterms.modified", "lastmod", "revised")),
        ("section", ("parsely-section", "section", "article-section", "category", "sailthru.section")),
        ("site_name", ("application-name", "publisher", "dc.publisher")),
    ):
        v = _first(meta, *keys)
        if v:
            out[field] = v
    authors = _all(meta, "author", "parsely-author", "sailthru.author", "dc.creator", "byl", "article:author")
    if authors:
        out["authors"] = authors
    tags = []
    for key in ("news_keywords", "keywords", "parsely-tags", "sailthru.tags"):
        for v in meta.get(key, ()):
            tags.extend(t for t in (clean(x) for x in v.split(",")) if t)
        if tags:
            break
    if tags:
        out["tags"] = tags
    return out


def from_microdata(tree) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for el in tree.xpath("//*[@itemprop='datePublished' or @itemprop='dateModified' or @itemprop='headline']"):
        prop = el.get("itemprop")
        val = el.get("content") or el.get("datetime") or _text(el)
        field = {"datePublished": "published", "dateModified": "modified", "headline": "title"}[prop]
        if val and field not in out:
            out[field] = val if field != "title" else clean(val)
    names = []
    for el in tree.xpath("//*[@itemprop='author']"):
        inner = el.xpath(".//*[@itemprop='name']")
        val = (inner[0].get("content") or _text(inner[0])) if inner else (el.get("content") or _text(el))
        if val:
            names.append(val)
    if names:
        out["authors"] = names
    return out


def from_markup(tree) -> dict[str, dict[str, Any]]:
    """Candidates that come from ordinary elements: canonical link, h1, <title>, <time>, bylines."""
    found: dict[str, dict[str, Any]] = {"link": {}, "h1": {}, "title-tag": {}, "time": {}, "byline": {}}
    for link in tree.xpath("//link[@href]"):
        rels = (link.get("rel") or "").lower().split()
        if "canonical" in rels and "canonical_url" not in found["link"]:
            found["link"]["canonical_url"] = link.get("href").strip()
    h1s = [t for t in (_text(h) for h in tree.iterfind(".//h1")) if t]
    if h1s:
        found["h1"]["title"] = h1s[0]
    title = tree.find(".//title")
    if title is not None:
        t = clean(_text(title))
        if t:
            found["title-tag"]["title"] = strip_title_tail(t)
    times = tree.xpath("//time[@pubdate][@datetime] | //time[contains(@class,'publish')][@datetime]")
    if not times:
        times = tree.xpath("//article//time[@datetime] | //header//time[@datetime]")
    if times:
        found["time"]["published"] = times[0].get("datetime")
    names = [_text(a) for a in tree.xpath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' author ')]")]
    if not names:
        # links to an author page carry the name as their text; only the first
        # byline counts (later ones belong to related-story teasers)
        links, after_h1 = [], []
        seen_h1 = False
        for el in tree.iter("a", "h1"):
            if el.tag == "h1":
                seen_h1 = True
            elif _AUTHOR_HREF.search(el.get("href") or ""):
                (after_h1 if seen_h1 else links).append(el)
        links = after_h1 or links
        if links:
            box = links[0].getparent()
            box = box.getparent() if box.getparent() is not None else box
            names = [_text(a) for a in links[:6] if any(x is box for x in a.iterancestors())]
    if not names:
        for el in tree.xpath(
            "//*[contains(@class,'byline') or contains(@class,'author-name') or contains(@class,'authorName')]"
        )[:3]:
            names.append(_text(el))
    names = [n for n in names if n]
    if names:
        found["byline"]["authors"] = names
    return found


_MONTH_NAME = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# a written-out date as pages print it near the headline; numeric d/m/y forms are
# left out because their order differs from site to site
_SHOWN_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH_NAME},?\s+((?:19|20)\d\d)|"
    rf"{_MONTH_NAME}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+((?:19|20)\d\d)|((?:19|20)\d\d)-(\d\d)-(\d\d))\b",
    re.I,
)
_SHOWN_LABEL = re.compile(r"\b(?:(updated|modified|edited)|(published|posted|first published|released))\b[^\d]{0,20}$", re.I)
# text nodes read after (and a few before) the headline when looking for the printed date;
# the axes are cut by raw position first (cheap) and blank or script text dropped after
_SHOWN_AFTER, _SHOWN_BEFORE = 80, 15
_FOLLOWING_TEXT = etree.XPath("following::text()[position() <= 200]")
_PRECEDING_TEXT = etree.XPath("preceding::text()[position() <= 40]")
_NOT_SHOWN = frozenset(("script", "style", "noscript", "template"))


def _shown_text(nodes) -> list[str]:
    out = []
    for t in nodes:
        if not t.strip():
            continue
        parent = t.getparent()
        if parent is not None and not t.is_tail and parent.tag in _NOT_SHOWN:
            continue
        out.append(str(t))
    return out


def from_visible(tree) -> dict[str, Any]:
    """Dates printed for readers around the headline: ``published`` (labelled
    "Published"/"Posted" or unlabelled, the first one shown) and ``updated``
    (labelled "Updated"), as ``YYYY-MM-DD``."""
    h1 = tree.find(".//h1")
    if h1 is None:
        return {}
    before = _shown_text(_PRECEDING_TEXT(h1))[-_SHOWN_BEFORE:]
    after = _shown_text(_FOLLOWING_TEXT(h1))[:_SHOWN_AFTER]
    text = _WS.sub(" ", " ".join(before + after))
    out: dict[str, Any] = {}
    for m in _SHOWN_DATE.finditer(text):
        day = _shown_day(m)
        if day is None:
            continue
        label = _SHOWN_LABEL.search(text[max(0, m.start() - 40) : m.start()])
        field = "updated" if label and label.group(1) else "published"
        out.setdefault(field, day)
        if "published" in out and "updated" in out:
            break
    return out


def _shown_day(m: re.Match) -> Optional[str]:
    d1, mon1, y1, mon2, d2, y2, iy, im, iday = m.groups()
    try:
        if y1:
            return datetime(int(y1), _MONTHS[mon1.lower()[:3]], int(d1)).date().isoformat()
        if y2:
            return datetime(int(y2), _MONTHS[mon2.lower()[:3]], int(d2)).date().isoformat()
        return datetime(int(iy), int(im), int(iday)).date().isoformat()
    except ValueError:
        return None


# ---------------------------------------------------------------- cleaning per field


_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)[/-](\d{1,2}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[/-](\d{1,2})(?:/|[-_.]|$)",
    re.I,
)
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def from_url(url: Optional[str]) -> dict[str, Any]:
    """A publication date written into the URL path (/2024/03/05/, /2024-03-05-, /2024/mar/05/)."""
    if not url:
        return {}
    try:
        path = urlsplit(url).path
    except ValueError:
        return {}
    m = _URL_DATE.search(path)
    if not m:
        return {}
    year, month, day = m.groups()
    month_no = int(month) if month.isdigit() else _MONTHS[month.lower()[:3]]
    try:
        return {"published": datetime(int(year), month_no, int(day)).date().isoformat()}
    except ValueError:
        return {}


_DEFAULT_A = datetime(1904, 1, 1)
_DEFAULT_B = datetime(1908, 12, 28)


def parse_date(value: Any, now: Optional[datetime] = None) -> Optional[tuple[str, bool]]:
    """(ISO 8601 with offset, offset given by the page) or None when implausible."""
    if value is None:
        return None
    s = str(value).strip()
    if not s:
        return None
    dt: Optional[datetime] = None
    if _EPOCH.match(s):
        secs = int(s) / (1000 if len(s) == 13 else 1)
        dt = datetime.fromtimestamp(secs, tz=timezone.utc)
    else:
        iso = s.replace("Z", "+00:00") if _ISO_LIKE.match(s) else s
        try:
            dt = datetime.fromisoformat(iso)
        except ValueError:
            from dateutil import parser as dparser

            # dateutil silently fills a missing year, month or day from its
            # default; parsing against two defaults that differ in all three
            # exposes a partial date, which is no publication date at all.
            try:
                dt = dparser.parse(s, fuzzy=False, default=_DEFAULT_A)
                if dparser.parse(s, fuzzy=False, default=_DEFAULT_B).date() != dt.date():
                    return None
            except (ValueError, OverflowError, TypeError):
                return None
    had_offset = dt.tzinfo is not None
    if not had_offset:
        dt = dt.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    if dt.year < 1990 or dt > now + timedelta(days=2):
        return None
    return dt.isoformat(timespec="seconds"), had_offset


def _trim_name(name: str) -> str:
    """Drop widget labels and trailing credentials / upper-case outlet tags after a name."""
    name = _BYLINE_STOP.sub("", name).strip(" .,:-–—|")
    words = name.split()
    while len(words) > 2 and not name.isupper() and _CREDENTIAL.match(words[-1].strip(",")):
        words.pop()
    return " ".join(words)


def _looks_like_person(name: str, outlets: set[str]) -> bool:
    if not name or len(name) > 60 or "@" in name or "://" in name or _DOMAINISH.search(name):
        return False
    if _DIGITS.search(name) or _ROLE.match(name) or _ORG_TAIL.search(name):
        return False
    words = name.split()
    # one-word bylines are desk labels or first names far more often than people
    if not 2 <= len(words) <= 5 or words[0].lower() == "the":
        return False
    if norm_key(name) in outlets:
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in words)


_PARTICLES = frozenset(("de", "da", "del", "della", "di", "van", "von", "der", "den", "le", "la", "du", "bin", "al", "el", "y", "e"))


def clean_authors(values: Iterable[str], outlets: set[str]) -> list[str]:
    """Person names from byline strings: split lists, strip "By", drop URLs, emails, roles, outlets."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        value = clean(value)
        if not value:
            continue
        if value.startswith(("http://", "https://")):
            continue
        for part in _NAME_SPLIT.split(_BY.sub("", value)):
            part = _trim_name(_BY.sub("", part).strip(" .:-–—\t"))
            if not _looks_like_person(part, outlets):
                continue
            if part.isupper():
                part = part.title()
            key = part.lower()
            if key not in seen:
                seen.add(key)
                out.append(part)
    return out


def strip_site_affixes(title: str, site_keys: set[str]) -> str:
    """Drop " | Site" / "Site - " parts that name the site; keep the headline."""
    parts = _SEP.split(title)
    if len(parts) < 2:
        return title
    seps = _SEP.findall(title)
    # a segment naming the site ends the headline: what follows it is a tagline
    for i in range(1, len(parts)):
        if _segment_is_site(parts[i], site_keys):
            parts, seps = parts[:i], seps[: i - 1]
            break
    while len(parts) > 1 and _segment_is_site(parts[0], site_keys):
        parts.pop(0)
        seps.pop(0)
    # a one-word tail after a pipe is a section label ("... | Opinion")
    while len(parts) > 1 and seps[-1].strip() == "|" and len(parts[-1].split()) == 1:
        parts.pop()
        seps.pop()
    rebuilt = parts[0]
    for sep, part in zip(seps, parts[1:]):
        rebuilt += sep + part
    return rebuilt.strip()


_TAIL_SEP = re.compile(r"\s+[|\-–—]\s+")


def strip_title_tail(title: str) -> str:
    """For a bare <title>: drop a short last segment, which names the site even when nothing else does."""
    parts = _TAIL_SEP.split(title)
    if len(parts) < 2 or len(parts[-1].split()) > 4:
        return title
    head = title[: title.rfind(parts[-1])].rstrip(" |-–—")
    return head if len(head.split()) >= 3 else title


def _segment_is_site(segment: str, site_keys: set[str]) -> bool:
    key = norm_key(segment)
    if not key:
        return False
    for k in site_keys:
        if key == k:
            return True
        # "The Hill News" for thehill; "Northwind" for northwindgazette only when most of the name is there
        if len(k) >= 4 and key.startswith(k) and len(key) <= len(k) + 6:
            return True
        if len(key) >= 4 and k.startswith(key) and len(key) >= 0.75 * len(k):
            return True
    return False


def site_keys(site_name: Optional[str], url: Optional[str]) -> set[str]:
    keys = set()
    if site_name:
        keys.add(norm_key(site_name))
    if url:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        labels = [l for l in host.split(".") if l not in ("www", "m", "amp", "com", "co", "org", "net", "news")]
        if labels:
            keys.add(norm_key(labels[0]))
            keys.add(norm_key(host.removeprefix("www.")))
    return {k for k in keys if k}


def absolute(url: Optional[str], base: Optional[str]) -> Optional[str]:
    if not url:
        return None
    url = url.strip()
    try:
        full = urljoin(base or "", url)
        parts = urlsplit(full)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return full


def base_url(tree, url: Optional[str]) -> Optional[str]:
    for b in tree.xpath("//base[@href]")[:1]:
        href = absolute(b.get("href"), url)
        if href:
            return href
    return url
