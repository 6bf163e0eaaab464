"""The search language: parsed once into a small syntax tree, compiled per backend.

    harbour quay            both words (AND is implied)
    "storm damage"          a phrase
    liberat*                a prefix (at least 2 letters before the *)
    title:ferry             a word (or "phrase", or (group)) in the title only; text: for the body
    a OR b, a AND b, a NOT b, ( ... )   operators in capitals; NOT excludes, it needs something to exclude from

Precedence: NOT binds tightest to the word after it, then AND (also implied
by juxtaposition), then OR. ``compile_fts5`` writes an FTS5 MATCH expression
and ``compile_tsquery`` a PostgreSQL ``to_tsquery`` text with the same
meaning: both are fully parenthesised from the tree, so neither engine's own
precedence rules matter. What the language cannot express (NEAR, unbalanced
brackets, an unknown column, a query of only exclusions, a bare ``*``) is a
QueryError with the reason, which the API answers with 400.

Words are split into letter/digit runs as both indexes tokenize them, so
``covid-19`` is the phrase "covid 19" on either backend. Both indexes store
stems, and a prefix matches the start of a stem: ``liber*`` finds
"liberated" and "liberation" (stem "liber"), ``liberat*`` finds neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

from ..analyze.lang.stem import is_cyrillic, search_stems
from .errors import QueryError

MAX_TERMS = 64  # words, counting each word of a phrase; bounds the work one query can ask for
MAX_DEPTH = 16  # nested brackets
MAX_CHARS = 2000
COLUMNS = {"title": ("title", "A"), "text": ("text", "B")}  # column -> (FTS5 column, tsvector weight)
MIN_PREFIX = 2

HELP = ('use words, "quoted phrases", word* for prefixes, title:word, AND / OR / NOT in capitals and '
        "(brackets)")


@dataclass(frozen=True)
class Term:
    tokens: tuple[str, ...]  # lower-cased letter/digit runs; several make a phrase
    prefix: bool = False  # the last token is a prefix
    column: Optional[str] = None  # None: title or text


@dataclass(frozen=True)
class And:
    include: tuple["Node", ...]  # all of these (at least one)
    exclude: tuple["Node", ...] = ()  # none of these


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]


Node = Union[Term, And, Or]

_LEX = re.compile(r'\s+|(?P<phrase>"[^"]*"?\*?)|(?P<open>\()|(?P<close>\))|(?P<column>[A-Za-z]+):(?=\S)|(?P<word>[^\s()"]+)')
_TOKEN = re.compile(r"[^\W_]+")
_OPERATORS = ("AND", "OR", "NOT")


def _bad(query: str, why: str) -> QueryError:
    shown = query if len(query) <= 80 else query[:77] + "..."
    return QueryError(f"invalid search query {shown!r} ({why}): {HELP}")


def _lex(query: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _LEX.finditer(query):
        kind = m.lastgroup
        if kind is None:
            continue
        text = m.group(kind)
        if kind == "word" and text in _OPERATORS:
            kind = "op"
        elif kind == "open" and out and out[-1] == ("word", "NEAR"):
            raise _bad(query, "NEAR is not supported; use a \"phrase\" or AND")
        out.append((kind, text))
    return out


class _Parser:
    def __init__(self, query: str):
        self.query = query
        self.toks = _lex(query)
        self.i = 0
        self.terms = 0

    def peek(self) -> Optional[tuple[str, str]]:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr(0, None)
        if self.peek() is not None:
            kind, text = self.peek()
            raise _bad(self.query, f'unexpected "{text}"' + (" (no matching \"(\")" if kind == "close" else ""))
        if node is None:
            raise _bad(self.query, "nothing to search for")
        return node

    def or_expr(self, depth: int, column: Optional[str]) -> Optional[Node]:
        items: list[Node] = []
        while True:
            node = self.and_expr(depth, column)
            if self.peek() == ("op", "OR"):
                self.take()
                if node is None:
                    raise _bad(self.query, "OR needs something on both sides")
                items.append(node)
                continue
            if node is not None:
                items.append(node)
            elif items:
                raise _bad(self.query, "OR needs something on both sides")
            break
        if not items:
            return None
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, depth: int, column: Optional[str]) -> Optional[Node]:
        include: list[Node] = []
        exclude: list[Node] = []
        first = True
        while True:
            tok = self.peek()
            if tok is None or tok == ("close", ")") or tok == ("op", "OR"):
                break
            negate = False
            if tok == ("op", "AND"):
                if first:
                    raise _bad(self.query, "AND needs something before it")
                self.take()
                tok = self.peek()
            if tok == ("op", "NOT"):
                self.take()
                negate = True
                tok = self.peek()
            if tok is None or tok[0] in ("op", "close"):
                raise _bad(self.query, "an operator needs a word after it")
            node = self.unary(depth, column)
            first = False
            if node is None:
                continue
            (exclude if negate else include).append(node)
        if exclude and not include:
            raise _bad(self.query, "NOT needs a word to exclude from, e.g. ferry NOT strike")
        if not include:
            return None
        if len(include) == 1 and not exclude:
            return include[0]
        return And(tuple(include), tuple(exclude))

    def unary(self, depth: int, column: Optional[str]) -> Optional[Node]:
        kind, text = self.take()
        if kind == "column":
            if text not in COLUMNS:
                raise _bad(self.query, f"no such column: {text}; use title: or text:")
            if column is not None and column != text:
                raise _bad(self.query, f"{text}: inside {column}:")
            nxt = self.peek()
            if nxt is None or nxt[0] in ("op", "close", "column"):
                raise _bad(self.query, f"{text}: needs a word, \"phrase\" or (group) after it")
            return self.unary(depth, text)
        if kind == "open":
            if depth + 1 > MAX_DEPTH:
                raise _bad(self.query, f"more than {MAX_DEPTH} nested brackets")
            node = self.or_expr(depth + 1, column)
            if self.peek() != ("close", ")"):
                raise _bad(self.query, 'unbalanced "(": close it with ")"')
            self.take()
            if node is None:
                raise _bad(self.query, "empty brackets")
            return node
        if kind == "phrase":
            if not (len(text) >= 2 and text.rstrip("*").endswith('"') and len(text.rstrip("*")) >= 2):
                raise _bad(self.query, "unterminated phrase: close the \" quote")
            body, prefix = text.rstrip("*")[1:-1], text.endswith("*")
        else:  # a word: punctuation inside splits it into a phrase (covid-19); a trailing * makes a prefix
            body, prefix = text.rstrip("*"), text.endswith("*")
        tokens = tuple(t.lower() for t in _TOKEN.findall(body))
        if not tokens:
            if kind == "phrase" or prefix:
                raise _bad(self.query, f"{text!r} has no letters or digits to search for")
            return None  # stray punctuation between words
        if kind != "phrase" and not prefix and len(tokens) == 1 and is_cyrillic(tokens[0]):
            # Russian/Ukrainian words are indexed as written: search every case form of the stem.
            stems = search_stems(tokens[0])
            self.terms += len(stems)
            if self.terms > MAX_TERMS:
                raise _bad(self.query, f"more than {MAX_TERMS} words")
            terms = tuple(Term((st,), True, column) for st in stems)
            return terms[0] if len(terms) == 1 else Or(terms)
        if prefix and len(tokens[-1]) < MIN_PREFIX:
            raise _bad(self.query, f"a prefix needs at least {MIN_PREFIX} letters before the *")
        self.terms += len(tokens)
        if self.terms > MAX_TERMS:
            raise _bad(self.query, f"more than {MAX_TERMS} words")
        return Term(tokens, prefix, column)


def parse(query: str) -> Node:
    """The syntax tree of a search query; QueryError when it is empty or malformed."""
    if query is None or not query.strip():
        raise QueryError('empty search query: give one or more words, e.g. newsledger search "ceasefire"')
    if len(query) > MAX_CHARS:
        raise QueryError(f"search query too long ({len(query)} characters, at most {MAX_CHARS})")
    return _Parser(query).parse()


def compile_fts5(node: Node) -> str:
    """An FTS5 MATCH expression (tokens are letters and digits only: nothing needs escaping)."""
    if isinstance(node, Term):
        out = '"' + " ".join(node.tokens) + '"' + (" *" if node.prefix else "")
        return f"{COLUMNS[node.column][0]} : {out}" if node.column else out
    if isinstance(node, Or):
        return "(" + " OR ".join(compile_fts5(n) for n in node.items) + ")"
    inc = "(" + " AND ".join(compile_fts5(n) for n in node.include) + ")"
    if not node.exclude:
        return inc
    return f"({inc} NOT (" + " OR ".join(compile_fts5(n) for n in node.exclude) + "))"


def compile_tsquery(node: Node) -> str:
    """A ``to_tsquery`` text; each token is normalised (stemmed, stop words dropped) by PostgreSQL."""
    if isinstance(node, Term):
        if node.column is None and len(node.tokens) > 1:
            # The index concatenates title and text, so a bare phrase could run from the title's last
            # word into the text's first; FTS5 phrases never cross columns: match within each.
            return "(" + " | ".join(compile_tsquery(Term(node.tokens, node.prefix, c)) for c in COLUMNS) + ")"
        label = COLUMNS[node.column][1] if node.column else ""
        parts = [t + (":" + label if label else "") for t in node.tokens]
        if node.prefix:
            parts[-1] = node.tokens[-1] + ":*" + label
        return "(" + " <-> ".join(parts) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(compile_tsquery(n) for n in node.items) + ")"
    inc = " & ".join(compile_tsquery(n) for n in node.include)
    exc = "".join(f" & !{compile_tsquery(n)}" for n in node.exclude)
    return f"({inc}{exc})"


def fts5_match(query: str) -> str:
    return compile_fts5(parse(query))


def tsquery(query: str) -> str:
    return compile_tsquery(parse(query))


__all__ = ["parse", "compile_fts5", "compile_tsquery", "fts5_match", "tsquery", "Term", "And", "Or", "MAX_TERMS"]
