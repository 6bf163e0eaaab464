"""Outlet registry: who publishes under a domain, and for whom.

The bundled registry (``newsledger/data/outlets.json``, versioned by its
top-level ``version``) can be extended or corrected without code changes:
point ``NEWSLEDGER_OUTLETS`` at a JSON file of the same shape (or a list of
outlet objects); its entries are merged over the bundled ones by domain.

Precedence when enriching an article's ``Source``:

- ``country``, ``state_affiliated`` and ``affiliation_source``: the registry
  wins, because it is curated and cites a source, whereas a page's
  self-description is untrusted input.
- ``name`` and ``owner``: the page wins, because that is how the outlet names
  itself and its publisher in its own imprint (a legal name such as
  "MIA „Rossiya Segodnya“" rather than the registry's short label); the
  registry only fills them when the page gave none.
- Anything the registry lacks keeps the page's value.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from .schema import Source

ENV_VAR = "NEWSLEDGER_OUTLETS"


@dataclass(frozen=True, slots=True)
class Outlet:
    domains: tuple[str, ...]
    name: str
    owner: Optional[str] = None
    country: Optional[str] = None  # ISO 3166-1 alpha-2
    state_affiliated: Optional[bool] = None
    affiliation_source: Optional[str] = None


class OutletRegistryError(ValueError):
    """A registry file is malformed (raised when it is loaded)."""


def _norm_domain(domain: str) -> str:
    d = domain.strip().lower().rstrip(".")
    if "://" in d:
        d = d.split("://", 1)[1]
    d = d.split("/", 1)[0].split(":", 1)[0]
    return d[4:] if d.startswith("www.") else d


def _parse(data: Any, origin: str) -> tuple[Optional[str], list[Outlet]]:
    if isinstance(data, dict):
        version, items = data.get("version"), data.get("outlets", [])
    else:
        version, items = None, data
    if not isinstance(items, list):
        raise OutletRegistryError(f"{origin}: 'outlets' must be a list")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("name"):
            raise OutletRegistryError(f"{origin}: outlet #{i} needs a 'name'")
        domains = item.get("domains") or ([item["domain"]] if item.get("domain") else [])
        if not domains or not all(isinstance(d, str) for d in domains):
            raise OutletRegistryError(f"{origin}: outlet {item['name']!r} needs 'domains'")
        country = item.get("country")
        out.append(Outlet(
            domains=tuple(_norm_domain(d) for d in domains),
            name=item["name"],
            owner=item.get("owner"),
            country=country.upper() if isinstance(country, str) else None,
            state_affiliated=item.get("state_affiliated"),
            affiliation_source=item.get("affiliation_source"),
        ))
    return version, out


@lru_cache(maxsize=4)
def _registry(extra_path: Optional[str]) -> tuple[Optional[str], dict[str, Outlet]]:
    raw = (Path(__file__).parent / "data" / "outlets.json").read_text(encoding="utf-8")
    version, outlets = _parse(json.loads(raw), "outlets.json")
    if extra_path:
        try:
            with open(extra_path, encoding="utf-8") as fh:
                extra = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            raise OutletRegistryError(f"{extra_path}: {exc}") from exc
        extra_version, extra_outlets = _parse(extra, extra_path)
        outlets += extra_outlets  # later entries win below
        if extra_version:
            version = f"{version}+{extra_version}"
    by_domain: dict[str, Outlet] = {}
    for o in outlets:
        for d in o.domains:
            by_domain[d] = o
    return version, by_domain


def _current() -> tuple[Optional[str], dict[str, Outlet]]:
    return _registry(os.environ.get(ENV_VAR) or None)


def registry_version() -> Optional[str]:
    return _current()[0]


def lookup(domain: Optional[str]) -> Optional[Outlet]:
    """The outlet for a domain or URL; subdomains fall back to their parents."""
    if not domain:
        return None
    by_domain = _current()[1]
    d = _norm_domain(domain)
    while d:
        if d in by_domain:
            return by_domain[d]
        if "." not in d:
            return None
        d = d.split(".", 1)[1]
    return None


def all_outlets() -> list[Outlet]:
    """Every distinct outlet, sorted by name."""
    seen: dict[int, Outlet] = {}
    for o in _current()[1].values():
        seen.setdefault(id(o), o)
    return sorted(seen.values(), key=lambda o: o.name.lower())


def enrich_source(src: Source) -> Source:
    """Fill ``src`` in place from the registry (see the module doc for precedence)."""
    outlet = lookup(src.domain if isinstance(src.domain, str) else None)
    if outlet is None:
        return src
    if not (src.name or "").strip():
        src.name = outlet.name
    if outlet.owner and not (src.owner or "").strip():
        src.owner = outlet.owner
    if outlet.country:
        src.country = outlet.country
    if outlet.state_affiliated is not None:
        src.state_affiliated = outlet.state_affiliated
    if outlet.affiliation_source:
        src.affiliation_source = outlet.affiliation_source
    return src
