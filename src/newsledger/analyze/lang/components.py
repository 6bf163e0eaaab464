"""Which shared components Russian and Ukrainian replace with their own (the rest read the same Doc)."""

from __future__ import annotations

import importlib
from typing import Callable, Optional

# component name -> module under analyze/lang exposing load(lang)
OVERRIDES = {"entities": "entities", "quotes": "quotes", "places": "places", "claims": "claims"}


def override(lang: str, name: str) -> Optional[Callable]:
    mod = OVERRIDES.get(name)
    if mod is None:
        return None
    try:
        return importlib.import_module(f"{__package__}.{mod}").load(lang)
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.{mod}":
            raise
        # Not built yet for this language: nothing rather than English rules over Cyrillic text.
        return lambda ctx: []
