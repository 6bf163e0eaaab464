"""The records every stage passes along: the single source of truth.

The JSON output (``to_dict``), the database tables (``store``) and the API
models are all derived from the dataclasses below, so a field added here
shows up everywhere. Every span carries ``start``/``end`` character offsets
into ``Article.text`` and the name of the ``component`` that produced it.
"""

from __future__ import annotations

import dataclasses
import typing
import types
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Union, get_args, get_origin, get_type_hints

SCHEMA_VERSION = 1

# ---------------------------------------------------------------- ingest


@dataclass(slots=True)
class Origin:
    """Where a raw document came from, precise enough to find it again."""

    kind: str  # dump | html | warc | feed | jsonl | url | sitemap | text
    path: Optional[str] = None  # file path or URL that was opened
    offset: Optional[int] = None  # byte offset of a WARC record, line number of JSONL, page index in a dump file
    item: Optional[str] = None  # feed item id / WARC record id

    def label(self) -> str:
        where = self.path or "?"
        if self.offset is not None:
            where += f"@{self.offset}"
        if self.item:
            where += f"#{self.item}"
        return where


@dataclass(slots=True)
class RawDocument:
    """One page as read, before extraction.

    ``format`` tells the extractor how to read ``content``:
    ``html`` (bytes, charset unknown or ``charset``), ``dump`` (the seed's
    text-node dump format, str) or ``text`` (body text only, str).
    """

    origin: Origin
    format: Literal["html", "dump", "text"]
    content: Union[bytes, str]
    url: Optional[str] = None
    charset: Optional[str] = None  # declared by HTTP header / WARC, may be wrong
    fetched: Optional[str] = None  # ISO 8601 capture time (WARC-Date, HTTP Date)
    hints: dict[str, Any] = field(default_factory=dict)  # e.g. published/title from a feed item or JSONL


@dataclass(slots=True)
class BadInput:
    """An input that could not be read or extracted: quarantined, never fatal."""

    origin: Origin
    reason: str
    excerpt: str = ""


# ---------------------------------------------------------------- articles


@dataclass(slots=True)
class Source:
    name: Optional[str] = None
    domain: Optional[str] = None
    owner: Optional[str] = None
    country: Optional[str] = None  # ISO 3166-1 alpha-2
    state_affiliated: Optional[bool] = None
    affiliation_source: Optional[str] = None  # URL backing the affiliation claim


@dataclass(slots=True)
class Provenance:
    origin: Optional[Origin] = None
    fields: dict[str, str] = field(default_factory=dict)  # field name -> method that produced it
    extractor: str = ""  # newsledger component and version


@dataclass(slots=True)
class Article:
    id: str
    url: Optional[str] = None
    canonical_url: Optional[str] = None
    source: Source = field(default_factory=Source)
    title: Optional[str] = None
    description: Optional[str] = None
    published: Optional[str] = None  # ISO 8601 with offset
    modified: Optional[str] = None
    section: Optional[str] = None
    tags: list[str] = field(default_factory=list)
    language: Optional[str] = None  # ISO 639-1
    authors: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    text: str = ""  # body paragraphs joined by one blank line
    provenance: Provenance = field(default_factory=Provenance)

    def paragraphs(self) -> list[tuple[int, int]]:
        """(start, end) offsets of each paragraph in ``text``."""
        spans, pos = [], 0
        for para in self.text.split("\n\n"):
            if para.strip():
                spans.append((pos, pos + len(para)))
            pos += len(para) + 2
        return spans


# ---------------------------------------------------------------- analysis


@dataclass(slots=True)
class Mention:
    text: str
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    text: str
    label: str  # PERSON | ORG | GPE | LOC | NORP | EVENT
    start: int
    end: int
    canonical: Optional[str] = None  # full name within the document
    descriptor: Optional[str] = None  # "military analyst"
    sentence: Optional[int] = None
    component: str = "entities"
    confidence: float = 1.0
    key: Optional[str] = None  # Latin transliteration key shared by the ru/uk/en spellings of a name


@dataclass(slots=True)
class Span:
    start: int
    end: int


# Quote kinds a reader counts as quotes; title | term | scare are quoted text nobody says.
QUOTE_KINDS = ("direct", "partial", "indirect")
NOT_QUOTE_KINDS = ("title", "term", "scare")


@dataclass(slots=True)
class Quote:
    text: str
    kind: str  # direct | partial | indirect; not quotes: title | term | scare
    start: int
    end: int
    speaker: Optional[str] = None  # canonical full name or organisation
    speaker_mention: Optional[Mention] = None  # words naming the speaker at this quote ("he")
    speaker_descriptor: Optional[str] = None
    cue: Optional[str] = None
    sentence: Optional[int] = None
    component: str = "quotes"
    confidence: float = 1.0
    parts: list[Span] = field(default_factory=list)  # one statement interrupted by "he said": its pieces
    speaker_kind: Optional[str] = None  # person | institution | organization | unnamed
    speaker_named: Optional[bool] = None  # False for "a senior official" the article never names
    speaker_country: Optional[str] = None  # ISO alpha-3 for governments and ministries ("Moscow" -> RUS)
    speaker_key: Optional[str] = None  # canonical key merging variants across articles


@dataclass(slots=True)
class Place:
    text: str
    start: int
    end: int
    name: Optional[str] = None
    geonames_id: Optional[int] = None
    feature: Optional[str] = None  # city | region | country
    country_code: Optional[str] = None
    admin1: Optional[str] = None  # ISO 3166-2 code when known
    lat: Optional[float] = None
    lon: Optional[float] = None
    sentence: Optional[int] = None
    component: str = "places"
    confidence: float = 1.0
    # city | region | district | country | continent | area (supranational, sea) | demonym | facility
    kind: Optional[str] = None
    # evidence that chose the point: alias | unique | population | context:apposition | context:admin1 |
    # context:country | context:near | outlet-country | demonym | unresolved (a facility the gazetteer lacks)
    basis: Optional[str] = None


@dataclass(slots=True)
class Actor:
    text: str
    code: Optional[str] = None  # ISO 3166-1 alpha-3 country code
    sector: Optional[str] = None  # military | government | rebel | civilian | ...
    start: Optional[int] = None
    end: Optional[int] = None
    basis: str = "text"  # text | inferred:outlet-country | inferred:context | inferred:dominant | ...


@dataclass(slots=True)
class Attribution:
    name: str
    kind: str  # outlet | person | organization | institution
    role: str = "asserts"  # asserts | denies | reports
    mention: Optional[Mention] = None


@dataclass(slots=True)
class ClaimPlace:
    text: str
    name: Optional[str] = None
    geonames_id: Optional[int] = None
    country_code: Optional[str] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    start: Optional[int] = None
    end: Optional[int] = None
    basis: str = "text"  # text | inferred:context (carried over from the headline or another sentence)


@dataclass(slots=True)
class Claim:
    type: str  # PLOVER top-level category or TAKE_CONTROL | LOSE_CONTROL | CONTESTED
    start: int  # sentence span in Article.text
    end: int
    sentence: str
    actor: Optional[Actor] = None
    target: Optional[Actor] = None
    place: Optional[ClaimPlace] = None
    date: Optional[str] = None  # YYYY-MM-DD resolved against Article.published
    date_text: Optional[str] = None
    modality: str = "asserted"  # asserted | denied | conditional | attempted | predicted | reported | questioned
    attributions: list[Attribution] = field(default_factory=list)  # who asserts, denies or reports it
    framing: list[str] = field(default_factory=list)
    trigger: Optional[Mention] = None
    component: str = "claims"
    confidence: float = 1.0


@dataclass(slots=True)
class Framing:
    term: str  # lexicon entry ("liberation")
    text: str  # as written
    start: int
    end: int
    category: str  # e.g. capture, war-name, place-spelling, delegitimising
    neutral: Optional[str] = None
    used_by: Optional[str] = None  # who typically uses the term
    component: str = "framing"
    confidence: float = 1.0


@dataclass(slots=True)
class Analysis:
    """An article with every annotation: the ``analyze`` command's output."""

    article: Article
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    framing: list[Framing] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = to_dict(self.article)
        for name in ANNOTATION_TYPES:
            d[name] = [to_dict(x) for x in getattr(self, name)]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Analysis":
        art = from_dict(Article, {k: v for k, v in d.items() if k in _field_names(Article)})
        return cls(article=art, **{k: [from_dict(t, x) for x in d.get(k) or []] for k, t in ANNOTATION_TYPES.items()})


# ---------------------------------------------------------------- (de)serialisation


def to_dict(obj: Any) -> Any:
    """Dataclass -> plain JSON-able structures, keeping field order."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_dict(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    return obj


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        for a in args:
            if dataclasses.is_dataclass(a) and isinstance(value, dict):
                return from_dict(a, value)
        return value
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return from_dict(tp, value)
    if origin is list:
        (inner,) = get_args(tp) or (Any,)
        return [_convert(inner, v) for v in value]
    return value


# Fields renamed since records were first written: old analysis files still load.
_RENAMED: dict[str, dict[str, str]] = {"Claim": {"asserted_by": "attributions"}}


def from_dict(cls: type, d: dict[str, Any]) -> Any:
    """Plain dict -> dataclass, ignoring unknown keys (forward compatible)."""
    hints = _hints(cls)
    names = _field_names(cls)
    for old, new in _RENAMED.get(cls.__name__, {}).items():
        if old in d and d.get(new) is None:
            d = {**d, new: d[old]}
            if old == "asserted_by" and d.get("modality") == "denied" and isinstance(d[new], list):
                # As the store's migration does: whoever stood behind an old denied claim denies it.
                d[new] = [{**a, "role": "denies"} if isinstance(a, dict) and "role" not in a else a for a in d[new]]
    return cls(**{k: _convert(hints[k], v) for k, v in d.items() if k in names})


# ---------------------------------------------------------------- table derivation


def sql_type(tp: Any) -> str:
    """SQLite column type for a field type; nested structures are stored as JSON."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        tp = args[0] if len(args) == 1 else Any
        origin = get_origin(tp)
    if tp is bool:
        return "INTEGER"
    if tp is int:
        return "INTEGER"
    if tp is float:
        return "REAL"
    if tp is str or origin is Literal:
        return "TEXT"
    return "JSON"


def columns(cls: type) -> list[tuple[str, str]]:
    """(column, sql type) for every field of a record, in declaration order."""
    hints = _hints(cls)
    return [(f.name, sql_type(hints[f.name])) for f in dataclasses.fields(cls)]


def _annotation_types() -> dict[str, type]:
    hints = typing.get_type_hints(Analysis)
    return {f.name: typing.get_args(hints[f.name])[0] for f in dataclasses.fields(Analysis) if f.name != "article"}


# The annotation kinds, declared once as Analysis's list fields: the store's tables and exports,
# the API's listings and Analysis's own (de)serialisation all follow this mapping.
ANNOTATION_TYPES: dict[str, type] = _annotation_types()

# Claim.modality values, in the order views list them. A denial opposes the other
# positions on the same claim; the rest qualify how sure or direct the assertion is.
MODALITIES: tuple[str, ...] = ("asserted", "denied", "conditional", "attempted", "predicted", "reported", "questioned")

__all__ = [
    "SCHEMA_VERSION", "Origin", "RawDocument", "BadInput", "Source", "Provenance", "Article",
    "Mention", "Entity", "Span", "Quote", "QUOTE_KINDS", "NOT_QUOTE_KINDS", "Place", "Actor", "Attribution", "ClaimPlace", "Claim",
    "Framing", "Analysis", "to_dict", "from_dict", "columns", "sql_type", "ANNOTATION_TYPES",
    "MODALITIES",
]
