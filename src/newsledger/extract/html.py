"""HTML page -> Article: body by trafilatura, metadata reconciled from every
source the page carries (see ``metadata`` for the precedence table).

Body: trafilatura with ``favor_precision`` and no tables, chosen by measuring
on extraction-dev (120 pages; body F1 of trafilatura's own text output):

    default .913   favor_precision .928   favor_recall .906   fast .925
    precision, no tables .931   include_links .847   include_images .880

(links and images change what trafilatura keeps, so both are recovered from
the page instead: links inside blocks that made it into the body, images in
the smallest element holding the body). Swapped into the pipeline below
(with the furniture filter and JSON-LD fusion in place), precision mode scored
.942, default .930 and fast+precision .930. Around trafilatura: captions
and credits are pruned before it runs; paragraphs that are page furniture
(labels, newsletter/paywall prompts, copyright lines) are dropped; the page's
JSON-LD ``articleBody`` replaces or trims the text (``_fuse_with_ld``);
subheadings precision mode dropped are put back; lines that are one whole
link (related-story teasers; linked subheadings excepted) or the site's name
are dropped; a visible standfirst equal to the description is put first; the
headline and byline lines are removed, and an author's bio among the last
paragraphs ends the text. Those last rules (datelines, "in your inbox",
embed-consent and "originally published" lines, whole-link lines, author
bios) were read off the worst pages of all 120, so the split by site
(``extraction_eval.py --half``) is a check rather than a blind test: body
F1 .950 -> .952 (half a .959 -> .961, half b .942 -> .945), no page worse
except one whose gold keeps a linked related-story line.

Published date: metadata precedence (``metadata.PRECEDENCE``), then the date
printed by the headline may correct it (``_shown_date``): 0.842 -> 0.900
on extraction-dev (half a .810 -> .914, half b .871 -> .887).

Untrusted input: pages over ``MAX_BYTES`` are truncated before parsing, the
parser never resolves entities or fetches anything, deep nesting ends in
``ExtractError`` rather than a crash, and everything returned is plain text.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Optional

import lxml.html
from lxml import etree

from ..schema import Article, RawDocument, Source
from . import ExtractError, extractor
from . import metadata as md
from .encoding import decode

MAX_BYTES = 10_000_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_WS = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")

# Paragraphs that are page furniture wherever they appear: labels, promos, paywall
# prompts, contact lines, copyright notices. Matched against one whole paragraph.
_LABEL = re.compile(
    r"^\W*(?:advertisements?|ad|sponsored(?: content)?|related(?: content| articles?| stories| coverage| reading)?|"
    r"read more|see also|also read|recommended(?: reading)?|trending(?: now)?|most (?:read|popular)|newsletter|"
    r"submitted photo|share(?: this(?: article| story)?)?|comments?|listen to (?:this|the) (?:article|story)|"
    r"watch(?: now)?|video|you (?:may|might) (?:also )?like|more (?:stories|news)|editor'?s picks?)\W*$",
    re.I,
)
_LEAD_LABEL = re.compile(
    r"^\W*(?:read more|read also|related(?: content| stories| articles| coverage)?|see also|also read|more from|"
    r"recommended(?: reading)?|watch|listen|trending)\s*:",
    re.I,
)
_PROMO = re.compile(
    r"(?:\b(?:sign(?:ing)? up|subscrib(?:e|ing))\b.{0,120}\b(?:newsletters?|inbox|e-?mail updates?)\b|"
    r"\bnewsletters?\b.{0,80}\b(?:sign up|subscribe)\b|subscribers? only|already a subscriber|"
    r"(?:subscribe|log ?in|sign in) to (?:continue|keep) reading|support (?:our|independent) journalism|"
    r"please subscribe|all rights reserved|^\W*(?:copyright|©)|"
    r"(?:can|may) be reached (?:at|by)\b.{0,80}@|^follow (?:us|him|her|them) on\b|\bin your inbox\b|"
    r"permission to load|^(?:this|the) (?:story|article|piece|post|report) (?:was )?(?:originally|first) "
    r"(?:appeared|published|ran)\b|^(?:source|more information)\s*:)",
    re.I,
)
_PROMO_MAX_CHARS = 400
# a paragraph that is nothing but a date and time ("Sunday 17 December 2023 17:23, UK") is the page's dateline
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATELINE = re.compile(
    r"^\W*(?:(?:published|updated|posted|last updated)(?: on)?\W*)?(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?),?\s+\d{{4}}"
    r"(?:\W+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\W+[a-z]{2,5})?)?\W*$",
    re.I,
)
# Captions and credits sit inside article bodies but are not part of the text.
_PRUNE = [
    "//figcaption",
    "//*[(self::p or self::span or self::div or self::small) and (contains(@class, 'caption')"
    " or contains(@class, 'Caption') or contains(@class, 'credit'))]",
]
# an articleBody shorter than this is a teaser or a summary, not the article
_LD_MIN_SHINGLES = 80
_LD_COMPLETE_SHINGLES = 150
_PARSER = lxml.html.HTMLParser(
    recover=True, huge_tree=False, remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
)
# Past 256 nested elements libxml2 silently drops the rest of the document;
# its "huge" mode allows 2048, enough for any real page, and pages come
# capped at MAX_BYTES so its lifted text-node limits cost nothing extra.
_DEEP_PARSER = lxml.html.HTMLParser(
    recover=True, huge_tree=True, remove_comments=True, remove_pis=True, no_network=True, collect_ids=False
)

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


@extractor("html")
def extract_html(raw: RawDocument) -> Article:
    """Article from an HTML page; raises ``ExtractError`` when it holds no article."""
    page = _page_text(raw.content, raw.charset)
    tree = _parse(page)
    try:
        return _extract(tree, raw)
    except RecursionError as exc:
        raise ExtractError("document nested too deeply") from exc


# ---------------------------------------------------------------- input


def _page_text(content: bytes | str, charset: Optional[str]) -> str:
    if isinstance(content, str):
        text = content[:MAX_BYTES]
    else:
        data = bytes(content[:MAX_BYTES])
        if not data.strip():
            raise ExtractError("empty page")
        if _binary(data):
            raise ExtractError("binary content, not HTML")
        text = decode(data, charset)
    text = _CONTROL.sub("", text)
    if not text.strip():
        raise ExtractError("empty page")
    bad = text.count("\ufffd")
    if bad > 100 and bad > len(text) // 20:
        raise ExtractError("undecodable content")
    return _XML_DECL.sub("", text, count=1)


def _binary(data: bytes) -> bool:
    head = data[:4096]
    if head.startswith((b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b")):
        return True
    # UTF-16 pages carry NULs too, but with a BOM; anything else with many NULs is not text
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return head.count(b"\x00") > len(head) // 10


def _parse(page: str):
    tree = _parse_with(page, _PARSER)
    if _too_deep(_PARSER):
        tree = _parse_with(page, _DEEP_PARSER)
        if _too_deep(_DEEP_PARSER):
            raise ExtractError("document nested too deeply")
    return tree


def _parse_with(page: str, parser):
    try:
        tree = lxml.html.document_fromstring(page, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractError(f"unparseable HTML: {exc}") from exc
    if tree is None:
        raise ExtractError("unparseable HTML")
    return tree


def _too_deep(parser) -> bool:
    return any("Excessive depth" in e.message for e in parser.error_log)


# ---------------------------------------------------------------- body


def _paragraphs(text: Optional[str]) -> list[str]:
    if not text:
        return []
    return [p for p in (_WS.sub(" ", line).strip() for line in text.split("\n")) if p and not _furniture(p)]


def _furniture(para: str) -> bool:
    if _LABEL.match(para) or _DATELINE.match(para) or not _LETTER_OR_DIGIT.search(para):
        return True
    if len(para) > _PROMO_MAX_CHARS:
        return False
    return bool(_LEAD_LABEL.match(para) or _PROMO.search(para))


def _trafilatura_body(tree, url: Optional[str]) -> list[str]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            tree,
            url=url,
            favor_precision=True,
            include_comments=False,
            include_tables=False,
            with_metadata=False,
            prune_xpath=_PRUNE,
        )
    except RecursionError:
        raise
    except Exception:  # third-party heuristics on hostile markup: a failed helper must not fail the page
        logging.getLogger(__name__).debug("helper failed", exc_info=True)
        return []
    return _paragraphs(doc.text if doc is not None else None)


def _plain_paragraphs(tree) -> list[str]:
    """The text of every <p>: the last resort when trafilatura keeps nothing
    (it drops whole tables, and some pages lay their article out in one)."""
    paras = (_WS.sub(" ", p.text_content()).strip() for p in tree.iter("p"))
    return [p for p in paras if p and not _furniture(p)]


def _shingles(text: str) -> set[tuple[str, ...]]:
    toks = _TOKEN.findall(text)
    if len(toks) < 4:
        return {tuple(toks)} if toks else set()
    return {tuple(toks[i : i + 4]) for i in range(len(toks) - 3)}


def _ld_paragraphs(body: str) -> list[str]:
    text = md.clean_block(body)
    return [p for p in (_WS.sub(" ", line).strip() for line in text.split("\n")) if p and not _furniture(p)]


def _fuse_with_ld(paragraphs: list[str], ld_body: Optional[str], free: bool = True) -> tuple[list[str], str]:
    """Reconcile trafilatura's paragraphs with the page's own JSON-LD ``articleBody``.

    The publisher's articleBody is often the cleanest copy of the text, but it
    may be a truncated teaser or lack paragraph breaks. So: trust it outright
    only when it is long and trafilatura found little of it; otherwise use it
    to drop stray blocks (captions, promos) that trafilatura kept *between*
    paragraphs the articleBody confirms. What trafilatura kept after the last
    confirmed paragraph stays, since articleBody may simply stop early.
    """
    if not ld_body:
        return paragraphs, "trafilatura"
    ld_paras = _ld_paragraphs(ld_body)
    ld = _shingles(" ".join(ld_paras))
    if len(ld) < _LD_MIN_SHINGLES:
        return paragraphs, "trafilatura"
    ours = _shingles(" ".join(paragraphs))
    covered = len(ld & ours) / len(ld)
    if covered < 0.5:
        return ld_paras, "json-ld articleBody"
    if covered < 0.9:
        return paragraphs, "trafilatura"
    confirmed = [bool(_shingles(p) & ld) for p in paragraphs]
    first = confirmed.index(True)
    last = len(confirmed) - 1 - confirmed[::-1].index(True)
    # a free, complete-looking articleBody also bounds the end of the text
    complete = free and ld_paras[-1].rstrip("\"”’')").endswith((".", "!", "?")) and len(ld) >= _LD_COMPLETE_SHINGLES
    end = last if complete else len(paragraphs)
    kept = [p for i, p in enumerate(paragraphs) if (confirmed[i] or i < first or i > last) and i <= end]
    if len(kept) == len(paragraphs):
        return paragraphs, "trafilatura"
    return kept, "trafilatura, filtered by json-ld articleBody"


_BULLET = re.compile(r"^[-•*·–]\s+")


def _anchors(tree) -> list[tuple[Any, str]]:
    """Every link with its visible text, read once for the filters and for ``links``."""
    return [(a, _norm(a.text_content())) for a in tree.iter("a")]


def _drop_navigation(
    tree, paragraphs: list[str], site_keys: set[str], anchors: list[tuple[Any, str]]
) -> list[str]:
    """Drop paragraphs that are one whole link or the site's own name.

    Related-story lists, section labels and "more from" teasers sit inside
    article containers and read like short paragraphs; what gives them away
    is that the entire line is the text of a single link. Body prose that
    merely contains links always has unlinked words around them.
    """
    linked = {t for _, t in anchors if t}
    if linked:
        # subheadings linked from a table of contents are still the article's own
        linked -= {_norm(h.text_content()) for h in tree.iter("h2", "h3", "h4", "h5", "h6")}
    kept = [p for p in paragraphs if _BULLET.sub("", p) not in linked and md.norm_key(p) not in site_keys]
    return kept or paragraphs


def _recover_headings(tree, paragraphs: list[str]) -> list[str]:
    """Put back subheadings that trafilatura's precision mode dropped.

    A heading counts when the block right after it in the page is a body
    paragraph; it goes in front of that paragraph. Headings before the first
    paragraph are left out: they are kickers or page titles.
    """
    if len(paragraphs) < 2:
        return paragraphs
    index = {p: i for i, p in enumerate(paragraphs)}
    inserts: dict[int, str] = {}
    for h in tree.iter("h2", "h3", "h4"):
        head = _norm(h.text_content())
        if not head or head in index or len(head) > 200 or _furniture(head):
            continue
        nxt = h.getnext()
        while nxt is not None and (not isinstance(nxt.tag, str) or not _norm(nxt.text_content())):
            nxt = nxt.getnext()
        if nxt is None:
            continue
        i = index.get(_norm(nxt.text_content()))
        if i:
            inserts.setdefault(i, head)
    if not inserts:
        return paragraphs
    out = []
    for i, p in enumerate(paragraphs):
        if i in inserts:
            out.append(inserts[i])
        out.append(p)
    return out


_NOT_DEK = frozenset(("a", "aside", "nav", "footer", "script", "style", "noscript", "template", "button", "figcaption"))


def _visible_dek(tree, description: Optional[str], paragraphs: list[str]) -> Optional[str]:
    """The description when the page also prints it as a standfirst that the body missed."""
    if not description or len(description.split()) < 6:
        return None
    desc = _norm(description)
    if _shingles(desc) & _shingles(" ".join(paragraphs[:3])):
        return None
    body = tree.find("body")
    if body is None:
        return None
    head = desc[:12]
    for el in body.iter():
        own = el.text
        if not own or not isinstance(el.tag, str) or head not in _norm(own):
            continue
        if _norm(el.text_content()) != desc:
            continue
        if any(a.tag in _NOT_DEK for a in el.iterancestors()) or el.tag in _NOT_DEK:
            continue
        return desc
    return None


# ---------------------------------------------------------------- links and images


_BLOCKS = frozenset(("p", "li", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "figcaption", "div", "section"))


def _norm(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _body_links(anchors: list[tuple[Any, str]], paragraphs: list[str], base: Optional[str]) -> list[str]:
    """Links whose enclosing block made it into the body text."""
    body = "\n".join(paragraphs)
    out: list[str] = []
    seen: set[str] = set()
    block_ok: dict[Any, bool] = {}
    for a, anchor in anchors:
        if not anchor or a.get("href") is None:
            continue
        block = a.getparent()
        while block is not None and block.tag not in _BLOCKS:
            block = block.getparent()
        if block is None:
            continue
        ok = block_ok.get(block)
        if ok is None:
            text = _norm(block.text_content())
            ok = len(text) >= 20 and text in body
            block_ok[block] = ok
        if not ok:
            continue
        href = md.absolute(a.get("href"), base)
        if href and href not in seen:
            seen.add(href)
            out.append(href)
    return out


def _body_container(tree, paragraphs: list[str]):
    """Smallest element holding every page paragraph that the body kept."""
    body = "\n".join(paragraphs)
    matched = []
    for p in tree.iterfind(".//p"):
        text = _norm(p.text_content())
        if len(text) >= 40 and text in body:
            matched.append(p)
    if not matched:
        return None
    container = matched[0]
    for el in matched[1:]:
        while container is not None and not _contains(container, el):
            container = container.getparent()
    if container is None or container.tag in ("html", "body"):
        return None
    return container


def _contains(ancestor, el) -> bool:
    while el is not None:
        if el is ancestor:
            return True
        el = el.getparent()
    return False


def _image_src(img) -> Optional[str]:
    for attr in ("src", "data-src", "data-original", "data-lazy-src"):
        v = (img.get(attr) or "").strip()
        if v and not v.startswith("data:"):
            return v
    srcset = (img.get("srcset") or img.get("data-srcset") or "").strip()
    if srcset:
        return srcset.split(",")[0].split()[0]
    return None


def _body_images(container, base: Optional[str]) -> list[str]:
    if container is None:
        return []
    out = []
    for img in container.iterfind(".//img"):
        src = md.absolute(_image_src(img), base)
        if src:
            out.append(src)
    return out


# ---------------------------------------------------------------- assembly


def _extract(tree, raw: RawDocument) -> Article:
    url = raw.url
    meta = md.meta_map(tree)
    objs = md.jsonld_objects(tree)
    markup = md.from_markup(tree)
    sources: dict[str, dict[str, Any]] = {
        "json-ld": md.from_jsonld(objs, url),
        "og": md.from_og(meta),
        "twitter": md.from_twitter(meta),
        "meta": md.from_meta(meta),
        "microdata": md.from_microdata(tree),
        "hint": _hint_fields(raw.hints),
        "url": md.from_url(url),
        **markup,
    }
    base = md.base_url(tree, url)

    ld = sources["json-ld"]
    paragraphs, body_source = _fuse_with_ld(_trafilatura_body(tree, url), ld.get("body"), ld.get("free", True))
    if not paragraphs:
        paragraphs, body_source = _plain_paragraphs(tree), "<p> elements"
    paragraphs = _recover_headings(tree, paragraphs)

    art = Article(id="", url=url)
    fields = art.provenance.fields

    site_name, src = _pick(sources, "site_name", md.clean)
    keys = md.site_keys(site_name, url)
    anchors = _anchors(tree)
    paragraphs = _drop_navigation(tree, paragraphs, keys, anchors)

    def title_ok(v):
        t = md.clean(v)
        if not t:
            return None
        t = md.strip_site_affixes(t, keys)
        return t if md.norm_key(t) not in keys else None

    art.title, fields_title = _title(sources, title_ok)
    if art.title is None:
        sources["trafilatura"] = _trafilatura_meta(tree)
        art.title, fields_title = _pick(sources, "title", title_ok)
    if fields_title:
        fields["title"] = fields_title

    if art.title:
        paragraphs = [p for p in paragraphs if p != art.title]
    art.description, which = _pick(sources, "description", md.clean)
    if which:
        fields["description"] = which
    dek = _visible_dek(tree, art.description, paragraphs)
    if dek:
        paragraphs = [dek] + paragraphs
        body_source += " + visible standfirst"
    art.text = "\n\n".join(paragraphs)
    if not art.text.strip():
        raise ExtractError("no article text" if art.title else "no article text or title found")
    if art.text:
        fields["text"] = body_source

    for name in ("published", "modified"):
        value, which = _pick_date(sources, name)
        # A page that declares a date we judged partial or invalid would only
        # get it back from htmldate, completed with a guessed day or month.
        if value is None and name == "published" and not _declared(sources, name):
            value, which = _htmldate(tree, url)
        if value:
            setattr(art, name, value)
            fields[name] = which
    if art.published:
        shown, which = _shown_date(art.published, art.modified, md.from_visible(tree))
        if shown:
            art.published, fields["published"] = shown, f"{which} ({fields['published']})"

    # the site's own name is never a byline
    art.authors, which = _pick(sources, "authors", lambda v: md.clean_authors(_as_list(v), keys) or None)
    if not art.authors:
        sources.setdefault("trafilatura", _trafilatura_meta(tree))
        art.authors, which = _pick(sources, "authors", lambda v: md.clean_authors(_as_list(v), keys) or None)
        art.authors = art.authors or []
    if which:
        fields["authors"] = which
    if art.authors:
        kept = _drop_author_bio([p for p in paragraphs if not _is_byline(p, art.authors)], art.authors)
        if kept != paragraphs:
            paragraphs = kept
            art.text = "\n\n".join(paragraphs)

    art.section, which = _pick(sources, "section", md.clean)
    if which:
        fields["section"] = which
    tags, which = _pick(sources, "tags", lambda v: _dedupe(md.clean(t) for t in _as_list(v)) or None)
    art.tags = tags or []
    if which:
        fields["tags"] = which

    canon, which = _pick(sources, "canonical_url", lambda v: md.absolute(v, base))
    if canon:
        art.canonical_url = canon
        fields["canonical_url"] = which

    if site_name:
        fields["source.name"] = src
    owner, which = _pick(sources, "owner", md.clean)
    if owner:
        fields["source.owner"] = which
    art.source = Source(name=site_name, owner=owner)

    meta_images = [u for s in ("og", "json-ld") for u in _as_list(sources[s].get("images"))]
    images = [md.absolute(u, base) for u in meta_images]
    if paragraphs:
        images += _body_images(_body_container(tree, paragraphs), base)
        art.links = _body_links(anchors, paragraphs, base)
    art.images = _dedupe(images)
    return art


def _title(sources: dict[str, dict[str, Any]], accept) -> tuple[Optional[str], Optional[str]]:
    """The visible headline (<h1>) when it agrees with the page's metadata titles, else precedence.

    Metadata titles are often SEO variants; the <h1> is what readers see. A
    lone <h1> can also be a logo or a section name, so it must share words
    with some other title or description; a label printed before the
    headline ("Opinion | ...") is dropped when a metadata title is the rest.
    """
    h1 = accept(sources["h1"].get("title")) if sources["h1"].get("title") else None
    others = [t for name in md.PRECEDENCE["title"] if (t := accept(sources.get(name, {}).get("title") or ""))]
    if h1:
        words = {w.lower() for w in _TOKEN.findall(h1) if len(w) >= 3}
        context = " ".join(others + [md.clean(sources[s].get("description")) or "" for s in ("og", "json-ld", "meta")])
        shared = words & {w.lower() for w in _TOKEN.findall(context)}
        if len(h1.split()) >= 3 and (len(shared) >= 2 or not context.strip()):
            for t in others:
                if len(t) < len(h1) and h1.endswith(t) and len(t.split()) >= 3:
                    return t, next(n for n in md.PRECEDENCE["title"] if accept(sources.get(n, {}).get("title") or "") == t)
            return h1, "h1"
    return _pick(sources, "title", accept)


_BIO_TAIL = 3
_BIO_MAX_WORDS = 80
_BIO_LEAD = re.compile(r"^[•·*-]?\s*")


def _drop_author_bio(paragraphs: list[str], authors: list[str]) -> list[str]:
    """Cut the text at an author's bio among its last paragraphs ("Nora Vik is a reporter ...").

    A bio opens with the author's full name, is short, and closes the article;
    what follows it (a second bio sentence, a sign-off) is furniture too.
    """
    start = max(1, len(paragraphs) - _BIO_TAIL)
    for i in range(start, len(paragraphs)):
        para = _BIO_LEAD.sub("", paragraphs[i], count=1)
        if len(para.split()) > _BIO_MAX_WORDS:
            continue
        for name in authors:
            if len(name.split()) >= 2 and para.startswith(name) and not para[len(name) : len(name) + 1].isalnum():
                return paragraphs[:i]
    return paragraphs


def _is_byline(para: str, authors: list[str]) -> bool:
    """A short line naming the author ("By Jane Doe | Updated 5 May"): page furniture, not text."""
    if len(para.split()) > 12 or para.endswith((".", "!", "?", "\"", "”")):
        return False
    return any(name in para for name in authors)


def _hint_fields(hints: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, field in (("title", "title"), ("published", "published"), ("authors", "authors"), ("author", "authors")):
        v = hints.get(key) if hints else None
        if v and field not in out:
            out[field] = v
    return out


def _trafilatura_meta(tree) -> dict[str, Any]:
    """trafilatura's own title and byline heuristics, the last resort; no date search."""
    from trafilatura import metadata as tm

    out: dict[str, Any] = {}
    try:
        title = tm.extract_title(tree)
        author = tm.extract_author(tree)
    except RecursionError:
        raise
    except Exception:  # third-party heuristics on hostile markup: a failed helper must not fail the page
        logging.getLogger(__name__).debug("helper failed", exc_info=True)
        return out
    if title:
        out["title"] = title
    if author:
        out["authors"] = [a for a in author.split(";") if a.strip()]
    return out


def _as_list(v: Any) -> list:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _dedupe(values) -> list:
    out, seen = [], set()
    for v in values:
        if v and v not in seen:
            seen.add(v)
            out.append(v)
    return out


def _pick(sources: dict[str, dict[str, Any]], field: str, accept) -> tuple[Any, Optional[str]]:
    """First value, in precedence order, that ``accept`` turns into something."""
    for name in md.PRECEDENCE[field]:
        value = sources.get(name, {}).get(field)
        if value is None:
            continue
        value = accept(value)
        if value:
            return value, name
    return None, None


def _declared(sources: dict[str, dict[str, Any]], field: str) -> bool:
    return any(sources.get(name, {}).get(field) for name in md.PRECEDENCE[field])


def _pick_date(sources: dict[str, dict[str, Any]], field: str) -> tuple[Optional[str], Optional[str]]:
    """First parseable date by precedence, shown in the page's local offset when the page reveals it.

    Pages often give the same instant twice: in UTC (JSON-LD, OpenGraph) and
    as local wall-clock time (a <time> element, a naive meta tag). The local
    form keeps the calendar date readers saw, so it replaces a UTC winner
    when both are the same instant (or differ by a whole timezone offset).
    """
    cands = []
    for name in md.PRECEDENCE[field]:
        raw = sources.get(name, {}).get(field)
        parsed = md.parse_date(raw)
        if parsed:
            cands.append((name, datetime.fromisoformat(parsed[0]), parsed[1], ":" in str(raw)))
    if not cands:
        return None, None
    name, dt, had_offset, _ = cands[0]
    if had_offset and dt.utcoffset() == timedelta(0):
        for other, odt, other_offset, has_time in cands[1:]:
            if other_offset and odt.utcoffset() != timedelta(0) and odt == dt:
                return odt.isoformat(timespec="seconds"), f"{name}, local offset from {other}"
            if not other_offset and has_time:
                shift = odt.replace(tzinfo=None) - dt.replace(tzinfo=None)
                if shift and abs(shift) <= timedelta(hours=14) and shift.total_seconds() % 900 == 0:
                    local = dt.astimezone(timezone(shift))
                    return local.isoformat(timespec="seconds"), f"{name}, local offset from {other}"
    return dt.isoformat(timespec="seconds"), name if had_offset else f"{name} (UTC assumed)"


def _shown_date(
    published: str, modified: Optional[str], shown: dict[str, str]
) -> tuple[Optional[str], Optional[str]]:
    """The date the page prints for readers, when it corrects the metadata's.

    Gold dates (and readers) follow the date printed by the headline. So:
    a printed date that is the metadata's *modified* day, and not its
    published day, means the page presents its update as its date; a printed
    "Updated" date equal to the modified day counts the same when no printed
    date confirms the published day; and a printed date one day off a UTC
    timestamp is the same instant seen in the site's own timezone.
    Measured on extraction-dev (see ``extraction_eval.py --half``).
    """
    day, mod_day = published[:10], (modified or "")[:10]
    seen, updated = shown.get("published"), shown.get("updated")
    if seen == day:
        return None, None
    if modified and mod_day != day and (seen == mod_day or (updated == mod_day and seen != mod_day)):
        return modified, "modified, the date the page shows"
    if seen and not modified or seen and seen != mod_day:
        return _on_day(published, seen)
    return None, None


def _on_day(instant: str, day: str) -> tuple[Optional[str], Optional[str]]:
    """``instant`` in the smallest whole-hour offset that puts it on ``day`` (one day away at most)."""
    dt = datetime.fromisoformat(instant)
    if dt.utcoffset() != timedelta(0):
        return None, None  # the page gave its own local time: nothing to infer
    target = datetime.fromisoformat(day).date()
    if abs((target - dt.date()).days) != 1:
        return None, None
    for hours in sorted(range(-12, 15), key=abs):
        local = dt.astimezone(timezone(timedelta(hours=hours)))
        if local.date() == target:
            if dt.time() == datetime.min.time():  # a bare date: the printed day is all there is
                return f"{day}T00:00:00+00:00", "date printed by the headline"
            return local.isoformat(timespec="seconds"), "local offset from the date printed by the headline"
    return None, None


def _htmldate(tree, url: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    from htmldate import find_date

    try:
        found = find_date(tree, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d")
    except RecursionError:
        raise
    except Exception:  # third-party heuristics on hostile markup: a failed helper must not fail the page
        logging.getLogger(__name__).debug("helper failed", exc_info=True)
        return None, None
    parsed = md.parse_date(found)
    if not parsed:
        return None, None
    return parsed[0], "htmldate (date only, UTC assumed)"
