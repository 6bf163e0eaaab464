"""Stage 3: Article -> Analysis, composed of small components.

Like spaCy's pipeline, each component is a callable that reads a shared
``Context`` and returns its records; later components see earlier results
(claims read quotes, places and framing). Components are created once per
process by ``Analyzer`` and are pure functions of their context after that.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from ..schema import ANNOTATION_TYPES, Analysis, Article, Claim, Entity, Framing, Place, Quote

# Order matters: each component may read what the ones before it produced.
DEFAULT_COMPONENTS = ("entities", "quotes", "places", "framing", "claims")


@dataclass
class Context:
    article: Article
    doc: Any = None  # spaCy Doc over article.text (None for languages without a model)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    framing: list[Framing] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


Component = Callable[[Context], list]


def load_component(name: str) -> Component:
    """Each ``analyze/<name>.py`` exposes ``load() -> Component``."""
    return importlib.import_module(f"{__package__}.{name}").load()


class Analyzer:
    def __init__(self, components: Iterable[str] = DEFAULT_COMPONENTS, batch_size: int = 16):
        from .nlp import get_nlp

        self.names = tuple(components)
        self.nlp = get_nlp()
        self.components = [(n, load_component(n)) for n in self.names]
        self.batch_size = batch_size
        self._by_lang: dict[str, list] = {}

    def components_for(self, lang: str | None) -> list:
        """The components for one language: Russian and Ukrainian swap in their own where they have one."""
        from .nlp import CYRILLIC

        if lang not in CYRILLIC:
            return self.components
        if lang not in self._by_lang:
            from .lang.components import override

            self._by_lang[lang] = [(n, override(lang, n) or comp) for n, comp in self.components]
        return self._by_lang[lang]

    def analyze(self, articles: Iterable[Article]) -> Iterator[Analysis]:
        from .nlp import docs_for

        for art, doc in docs_for(self.nlp, articles, batch_size=self.batch_size):
            ctx = Context(article=art, doc=doc)
            for name, comp in self.components_for(art.language if doc is not None else None):
                setattr(ctx, name, comp(ctx))
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
