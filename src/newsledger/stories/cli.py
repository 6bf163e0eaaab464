"""``newsledger stories`` and ``newsledger provenance``: register both on the main group."""

from __future__ import annotations

import click

from ..cli.main import DATE, LONG, NAME, SHORT, _open, _print_json, _table, db_option, json_option
from ..store.timestamps import SINCE_HELP, UNTIL_HELP


@click.command(epilog="""\b
Examples:
  newsledger stories                       # stories told by two articles or more
  newsledger stories --min-size 3
  newsledger stories --since 2026-03-01    # stories still told on or after 1 March (UTC)
  newsledger stories --id 12               # its articles, copies, claims and contradictions
  newsledger stories --id 12 --json        # with the claim and quote ids `provenance` takes
""")
@click.option("--id", "story_id", type=int, metavar="ID",
              help="Show one story: its articles, copies, claims and contradictions.")
@click.option("--min-size", type=click.IntRange(1), default=2, show_default=True, metavar="N",
              help="Only stories with at least N articles.")
@click.option("--since", type=DATE, help=f"Stories whose last article is {SINCE_HELP}.")
@click.option("--until", type=DATE, help=f"Stories whose first article is {UNTIL_HELP}.")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Stories to show.")
@click.option("--offset", type=click.IntRange(0), default=0, help="Stories to skip (paging).")
@db_option
@json_option
def stories(story_id, min_size, since, until, limit, offset, db, as_json) -> None:
    """Stories: the same event across outlets, most recently active first; spans in UTC."""
    from . import get_story, list_stories

    with _open(db) as store:
        if story_id is None:
            rows = list_stories(store, since=since, until=until, min_size=min_size, limit=limit, offset=offset)
            for r in rows:
                r["span"] = f"{(r['first_published'] or '')[:10]} … {(r['last_published'] or '')[:10]}"
            _table(rows, [("id", "id", SHORT), ("label", "story", LONG), ("size", "articles", SHORT),
                          ("outlets", "outlets", SHORT), ("span", "published", SHORT)], "stories", as_json)
            return
        story = get_story(store, story_id)
    if story is None:
        raise click.ClickException(f"no story {story_id}: list them with `newsledger stories`")
    if as_json:
        _print_json(story)
        return
    click.echo(f"{story['label']}  ({story['size']} articles, {story['outlets']} outlets, "
               f"{story['independent_articles']} not copies)")
    for a in story["articles"]:
        a["copy"] = (a["copy_of"] or "")[:8]
        a["article"] = a["id"][:8]
    _table(story["articles"], [("article", "article", SHORT), ("outlet", "outlet", NAME), ("published", "published", SHORT),
                               ("title", "title", LONG), ("copy", "copies", SHORT)], "articles", False)
    for g in story["claims"]:
        g["first"] = f"{g['first_seen']['outlet']} {(g['first_seen']['published'] or '')[:16]}"
        g["n"] = len(g["repeats"])
    _table(story["claims"], [("type", "type", SHORT), ("actor_code", "actor", SHORT), ("place", "place", NAME),
                             ("modality", "modality", SHORT), ("first", "first seen", NAME), ("n", "repeats", SHORT)],
           "claims", False)
    # One row per pair of positions (side, claim, modality), however many sentences state them.
    for c in story["contradictions"]:
        c["a"] = (f"{c['side']} ({', '.join(c['outlets'])}): {c['type']} {c['actor_code'] or ''} "
                  f"({c['modality']})")
        c["b"] = (f"{c['other_side']} ({', '.join(c['other_outlets'])}): {c['other_type']} "
                  f"{c['other_actor_code'] or ''} ({c['other_modality']})")
    _table(story["contradictions"], [("kind", "kind", SHORT), ("place_name", "place", NAME), ("a", "claim", LONG),
                                     ("b", "contradicted by", LONG), ("pairs", "sentence pairs", SHORT)],
           "contradictions", False)


@click.command(epilog="""\b
Examples:
  newsledger claims --place Siversk --json     # each claim's id
  newsledger provenance --claim 42             # first seen, repeats, rebuttals, contradictions
  newsledger provenance --quote 7 --json       # who used the quote later, and how its wording changed
""")
@click.option("--claim", "claim_id", type=int, metavar="ID",
              help="Claim id: the `id` of `newsledger claims --json` or of `newsledger stories --id N --json`.")
@click.option("--quote", "quote_id", type=int, metavar="ID",
              help="Quote id: the `id` of `newsledger quotes --json` or of `newsledger stories --id N --json`.")
@db_option
@json_option
def provenance(claim_id, quote_id, db, as_json) -> None:
    """Where a claim or quote was first published, who repeated or altered it, who contradicts it."""
    from . import claim_provenance, quote_provenance

    if (claim_id is None) == (quote_id is None):
        raise click.UsageError("give exactly one of --claim ID or --quote ID")
    with _open(db) as store:
        result = claim_provenance(store, claim_id) if claim_id is not None else quote_provenance(store, quote_id)
    if result is None:
        what = f"claim {claim_id}" if claim_id is not None else f"quote {quote_id}"
        raise click.ClickException(f"no {what}: ids are the `id` fields of `newsledger claims --json` and "
                                   "`newsledger quotes --json`")
    if as_json:
        _print_json(result)
        return
    if claim_id is not None:
        c, f = result["claim"], result["first_seen"]
        click.echo(f"{c['type']} {c['actor_code'] or ''} at {c['place_name'] or '?'} ({c['modality']}): "
                   f"first seen {f['outlet']} {f['published']}; {_count(result['articles'], 'article')}, "
                   f"{_count(result['independent_origins'], 'independent origin')}")
        # A report relays someone else's claim: it says so, rather than leaving "according to" blank.
        for r in result["repeats"]:
            r["according_to"] = r.get("asserted_by") or (f"reported by {r['reported_by']}" if r.get("reported_by")
                                                         else None)
        _table(result["repeats"], [("claim_id", "claim", SHORT), ("outlet", "outlet", NAME),
                                   ("published", "published", SHORT), ("modality", "modality", SHORT),
                                   ("according_to", "according to", NAME)], "repeats", False)
        # A denial answers the claim: it is listed as a rebuttal, never as a repeat.
        for r in result["rebuttals"]:
            r["edge_text"] = "rebuts it" if r["edge"] == "rebuts" else "rebutted by it"
        _table(result["rebuttals"], [("edge_text", "edge", SHORT), ("outlet", "outlet", NAME),
                                     ("modality", "modality", SHORT), ("sentence", "sentence", LONG)],
               "rebuttals", False)
        _table(result["contradictions"], [("kind", "kind", SHORT), ("outlet", "outlet", NAME),
                                          ("type", "type", SHORT), ("sentence", "sentence", LONG)], "contradictions", False)
        return
    f = result["first"]
    click.echo(f"“{f['text']}” ({f['speaker'] or '?'}): first published by {f['outlet']} {f['published']}")
    for u in result["uses"]:
        u["wording"] = "; ".join(f"{ch['from'] or '∅'} → {ch['to'] or '∅'}" for ch in u["changes"]) or "unchanged"
    _table(result["uses"], [("outlet", "outlet", NAME), ("published", "published", SHORT),
                            ("wording", "changes", LONG)], "later uses", False)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
