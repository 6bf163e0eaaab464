"""Stage 3: Article -> Analysis, composed of small components.

Like spaCy's pipeline, each component is a callable that reads a shared
``Context`` and returns its records; later components see earlier results
(claims read quotes, places and framing). Components are created once per
process by ``Analyzer`` and are pure functions of their context after that.

Components register with ``@component(name)`` on their factory (``load() ->
Component``); a language's own version registers with ``@component(name,
langs=(...))`` on ``load(lang) -> Component`` and replaces the shared one for
articles in that language. The records a component returns become the
annotation kind it ``produces`` (its name by default; the kinds are
``schema.ANNOTATION_TYPES``); a component named otherwise leaves its result on
the context for the components after it. Third-party components register
from a module named in the ``newsledger.components`` entry point group and
run after the built-ins (``default_components``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, make_dataclass
from typing import Any, Callable, Iterable, Iterator, Optional

from ..registry import Registry
from ..schema import ANNOTATION_TYPES, Analysis, Article

# Order matters: each component may read what the ones before it produced.
DEFAULT_COMPONENTS = ("entities", "quotes", "places", "framing", "claims")

# The shared list: per-article state, one list per annotation kind (the kinds are declared in schema only).
Context = make_dataclass(
    "Context",
    [("article", Article), ("doc", Any, field(default=None))]  # doc: spaCy Doc, None without a model
    + [(kind, list[cls], field(default_factory=list)) for kind, cls in ANNOTATION_TYPES.items()],
    namespace={"__doc__": "What the components of one article share: the article, its Doc, the records so far."},
)
Context.__module__ = __name__

Component = Callable[[Any], list]


@dataclass
class ComponentSpec:
    name: str
    produces: str
    load: Optional[Callable[[], Component]] = None  # the version every language gets
    langs: dict[str, Callable[[str], Component]] = field(default_factory=dict)  # lang -> load(lang)


COMPONENTS: Registry[ComponentSpec] = Registry(
    "analysis component", group="newsledger.components",
    modules=tuple(f"{__package__}.{m}" for m in ("entities", "quotes", "places", "framing", "claims",
                                                   "lang.entities", "lang.quotes", "lang.places", "lang.claims")),
    # The built-ins in pipeline order, then the others as they registered (the sort is stable).
    order=lambda name, _: DEFAULT_COMPONENTS.index(name) if name in DEFAULT_COMPONENTS else len(DEFAULT_COMPONENTS),
)


def component(name: str, *, langs: Iterable[str] = (), produces: Optional[str] = None):
    """Register the decorated factory as component ``name`` (see the module doc)."""

    def register(factory: Callable) -> Callable:
        spec = COMPONENTS.peek(name) or COMPONENTS.add(name, ComponentSpec(name, produces or name))
        if produces:
            spec.produces = produces
        if langs:
            spec.langs.update({lang: factory for lang in langs})
        else:
            spec.load = factory
        return factory

    return register


def default_components() -> tuple[str, ...]:
    """The built-ins in their order, then every other registered component (plugins) in registration order."""
    return DEFAULT_COMPONENTS + tuple(n for n in COMPONENTS.names() if n not in DEFAULT_COMPONENTS)


def load_component(name: str) -> Component:
    spec = COMPONENTS.get(name)
    if spec.load is None:  # registered for some languages only: nothing for the others
        return lambda ctx: []
    return spec.load()


class Analyzer:
    def __init__(self, components: Optional[Iterable[str]] = None, batch_size: int = 16):
        from .nlp import get_nlp

        self.names = tuple(components) if components is not None else default_components()
        self.nlp = get_nlp()
        self.specs = [COMPONENTS.get(n) for n in self.names]
        self.components = [(s.produces, load_component(s.name)) for s in self.specs]
        self.batch_size = batch_size
        self._by_lang: dict[str, list] = {}

    def components_for(self, lang: Optional[str]) -> list:
        """The components for one language: a language's own versions replace the shared ones
        (built on its first article, so an English-only run never loads Russian resources)."""
        if lang is None or not any(lang in s.langs for s in self.specs):
            return self.components
        if lang not in self._by_lang:
            self._by_lang[lang] = [(kind, s.langs[lang](lang) if lang in s.langs else comp)
                                   for s, (kind, comp) in zip(self.specs, self.components)]
        return self._by_lang[lang]

    def analyze(self, articles: Iterable[Article]) -> Iterator[Analysis]:
        from .nlp import docs_for

        for art, doc in docs_for(self.nlp, articles, batch_size=self.batch_size):
            ctx = Context(article=art, doc=doc)
            for kind, comp in self.components_for(art.language if doc is not None else None):
                records = comp(ctx)
                before = getattr(ctx, kind, None)
                # Two components producing one kind add up (a plugin adding records to a built-in kind).
                setattr(ctx, kind, list(before) + list(records) if before else records)
            yield Analysis(art, **{kind: getattr(ctx, kind) for kind in ANNOTATION_TYPES})

    def analyze_one(self, article: Article) -> Analysis:
        return next(self.analyze([article]))


_shared: Analyzer | None = None


def shared_analyzer() -> Analyzer:
    """One Analyzer per process (models load once)."""
    global _shared
    if _shared is None:
        _shared = Analyzer()
    return _shared
